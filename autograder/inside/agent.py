"""The student kernel's side of the evaluator's proxies (runs inside the student's kernel: untrusted).

While a graded test cell runs in the evaluator, the grading worker executes ``serve(<first request>)``
in the student's kernel. It answers requests until the evaluator says ``done``::

    {"op": "resolve", "id": n, "names": [...]}           -> {name: "callable" | "missing" | plain value}
    {"op": "call", "id": n, "name": f, "args": [...], "kwargs": {...}}
                                                         -> {"op": "return", "value": ..., "state": ...}
                                                            or {"op": "raise", "type": ..., "message": ...}

Each answer travels as the prompt of ``input()`` (the kernel's stdin channel), and the reply to that
``input()`` is the next request. A callable argument arrives as ``{"$fn": k}`` and becomes a function
that asks the evaluator to call its ``k``-th callable (a nested request on the same channel).

Nothing here is trusted: the student can replace any of it. The evaluator treats every answer as
what the student's function returned, checks it as plain data, and decides everything itself.
"""

from __future__ import annotations

import builtins
import warnings

from . import plaindata


class CallbackError(Exception):
    """A function of the evaluator (passed as an argument) raised."""


def _exchange(message: dict) -> dict:
    return plaindata.loads(builtins.input(plaindata.dumps(message)))


def _namespace() -> dict:
    return get_ipython().user_ns  # noqa: F821 - provided by IPython in the kernel


def _callback(index: int):
    def call_evaluator(*args, **kwargs):
        request = {
            "op": "call",
            "callback": index,
            "args": plaindata.to_plain(list(args), what="the arguments of a callback"),
            "kwargs": plaindata.to_plain(kwargs, what="the arguments of a callback"),
        }
        # nothing of the call in progress goes with it: the test's objects are never the student's, and
        # what the call does to its arguments is reported once, when it returns (the whole of it)
        reply = _exchange(request)
        while reply.get("op") not in ("return", "raise"):  # the evaluator calls us back first
            reply = _exchange(_answer(reply))
        if reply["op"] == "raise":
            raise CallbackError(str(reply.get("message", ""))[:500])
        value = plaindata.from_plain(reply.get("value"), what="a callback's result")
        # what the callback changed in place (a stand-in update rule's parameters) changes here too
        plaindata.apply_state(reply.get("state") or {}, "a callback", args, kwargs)
        return value

    return call_evaluator


def _answer(request: dict) -> dict:
    op, rid = request.get("op"), request.get("id")
    ns = _namespace()
    try:
        if op == "resolve":
            out = {}
            for name in request.get("names", []):
                if name not in ns:
                    out[name] = "missing"
                elif callable(ns[name]):
                    out[name] = "callable"
                else:
                    out[name] = {"value": plaindata.to_plain(ns[name], what=name)}
            return {"op": "return", "id": rid, "value": out}
        if op == "call":
            name = request["name"]
            fn = ns[name]
            args = plaindata.from_plain(request.get("args", []), callable_of=_callback)
            kwargs = plaindata.from_plain(request.get("kwargs", {}), callable_of=_callback)
            before = plaindata.sent_state(request.get("args", []), request.get("kwargs", {}))
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = fn(*args, **kwargs)
            try:
                value = plaindata.to_plain(result, what=f"{name} returned a value that")
            except plaindata.NotPlainData:
                raise plaindata.NotPlainData(
                    f"{name} returned {plaindata.describe(result)}; expected a number, an array, "
                    "or a tuple/list/dict of these"
                ) from None
            seen, notes = set(), []
            for w in caught:
                key = (w.category.__name__, str(w.message)[:300])
                if key not in seen and len(notes) < 5:
                    seen.add(key)
                    notes.append(list(key))
            return {
                "op": "return",
                "id": rid,
                "value": value,
                "state": plaindata.changed_state(args, kwargs, before),
                "warnings": notes,
            }
        return {"op": "raise", "id": rid, "type": "ProtocolError", "message": f"unknown request {op!r}"}
    except Exception as err:  # reported to the evaluator, where it fails the test
        kind = "TypeError" if isinstance(err, plaindata.NotPlainData) else type(err).__name__
        return {"op": "raise", "id": rid, "type": kind, "message": str(err)[:2000]}


def serve(first: str) -> None:
    """Answer the evaluator's requests until it says ``done``."""
    request = plaindata.loads(first)
    while request.get("op") != "done":
        request = _exchange(_answer(request))
