"""Plain data between the trusted evaluator and the student's kernel: JSON plus raw array bytes.

Only these cross, in both directions, and nothing is ever unpickled:

* ``None``, ``bool``, ``int`` (below 2**63 in size), ``float`` (NaN and infinities included), ``str``;
* NumPy scalars and arrays whose dtype is boolean, integer, float or complex (native byte order;
  never object, string or structured dtypes, never a subclass of ndarray);
* tuples, lists and dicts (keys: str, int, float, bool or None) of these;
* a ``numpy.random.Generator`` on the default ``PCG64`` bit generator, as its state (four numbers):
  the exercises take an explicit ``rng`` (``init_weights(fan_in, fan_out, scheme, rng)``), and the
  receiving side gets a new generator in the same state, so both draw the same numbers.

Anything else is refused with a :class:`NotPlainData` error that names what it was
("hinge_loss returned a Liar object; expected a number, an array, or a tuple/list/dict of these").
Decoding checks every field and enforces :class:`Caps` (bytes, items, nesting), so a hostile kernel
can send at worst a bounded amount of numbers. Callables are not data: the encoder of the evaluator
replaces them by ``{"$fn": id}`` through ``callable_ref`` and the decoder turns that id back into a
callable through ``callable_of``.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass

import numpy as np

DTYPE_KINDS = "biufc"  # bool, signed, unsigned, float, complex
_U128 = 2**128


@dataclass(frozen=True)
class Caps:
    array_bytes: int = 64 * 1024 * 1024  # total raw array bytes per message
    items: int = 1_000_000  # containers' items and scalars per message
    text: int = 1_000_000  # characters of strings per message
    depth: int = 32
    ndim: int = 32
    message: int = 100 * 1024 * 1024  # characters of the encoded message


CAPS = Caps()


class NotPlainData(TypeError):
    """A value that may not cross between the processes (or a malformed message)."""


def describe(value) -> str:
    """A short, safe description of a value's type (never calls the value's own methods)."""
    kind = type(value)
    name = getattr(kind, "__qualname__", None)
    if not isinstance(name, str):
        name = "unknown"
    if isinstance(value, np.ndarray):
        if kind is not np.ndarray:
            return f"a {name[:60]} object (a subclass of numpy.ndarray)"
        return f"an array of dtype {value.dtype.str}"
    return f"a {name[:60]} object"


class _Budget:
    def __init__(self, caps: Caps):
        self.caps, self.bytes, self.items, self.text = caps, 0, 0, 0

    def item(self) -> None:
        self.items += 1
        if self.items > self.caps.items:
            raise NotPlainData(f"more than {self.caps.items} items")

    def add_text(self, n: int) -> None:
        self.text += n
        if self.text > self.caps.text:
            raise NotPlainData(f"more than {self.caps.text} characters of text")

    def add_bytes(self, n: int) -> None:
        self.bytes += n
        if self.bytes > self.caps.array_bytes:
            raise NotPlainData(f"more than {self.caps.array_bytes // 2**20} MB of array data")


def _check_dtype(dtype: np.dtype) -> None:
    if dtype.kind not in DTYPE_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise NotPlainData(f"arrays of dtype {dtype.str} cannot be sent (numbers only)")
    if dtype.byteorder not in ("=", "|") and dtype != dtype.newbyteorder("="):
        raise NotPlainData("arrays must use the native byte order")


def to_plain(value, *, caps: Caps = CAPS, callable_ref=None, what: str = "value"):
    """``value`` as a JSON-ready structure, or :class:`NotPlainData` naming the first bad part."""
    budget = _Budget(caps)
    seen: set[int] = set()

    def enc(v, depth):
        budget.item()
        if depth > caps.depth:
            raise NotPlainData(f"{what} is nested more than {caps.depth} levels deep")
        kind = type(v)
        if v is None or kind is bool:
            return v
        if kind is int:
            if abs(v) >= 2**63:
                raise NotPlainData(f"{what} holds an integer too large to send")
            return v
        if kind is float:
            return v if math.isfinite(v) else {"$float": repr(v)}
        if kind is str:
            budget.add_text(len(v))
            return v
        if kind is np.ndarray:
            _check_dtype(v.dtype)
            if v.ndim > caps.ndim:
                raise NotPlainData(f"{what} has more than {caps.ndim} axes")
            budget.add_bytes(v.nbytes)
            data = np.ascontiguousarray(v).tobytes()
            return {"$array": [v.dtype.str, list(v.shape), base64.b64encode(data).decode("ascii")]}
        if isinstance(v, np.generic) and kind.__module__ == "numpy":
            _check_dtype(v.dtype)
            arr = np.asarray(v)
            return {"$scalar": [v.dtype.str, base64.b64encode(arr.tobytes()).decode("ascii")]}
        if kind in (list, tuple, dict):
            if id(v) in seen:
                raise NotPlainData(f"{what} contains itself")
            seen.add(id(v))
            try:
                if kind is dict:
                    pairs = []
                    for k, item in v.items():
                        if type(k) not in (str, int, float, bool) and k is not None:
                            raise NotPlainData(f"{what} has a dict key that is {describe(k)}")
                        pairs.append([enc(k, depth + 1), enc(item, depth + 1)])
                    return {"$dict": pairs}
                items = [enc(item, depth + 1) for item in v]
                return items if kind is list else {"$tuple": items}
            finally:
                seen.discard(id(v))
        if kind is np.random.Generator and type(v.bit_generator) is np.random.PCG64:
            st = v.bit_generator.state  # 128-bit integers travel as decimal strings
            inner = st["state"]
            return {"$rng": [str(inner["state"]), str(inner["inc"]), st["has_uint32"], st["uinteger"]]}
        if callable_ref is not None and callable(v):
            return {"$fn": callable_ref(v)}
        raise NotPlainData(
            f"{what} is {describe(v)}; expected a number, an array, a string, None, or a tuple/list/dict of these"
        )

    return enc(value, 0)


def from_plain(data, *, caps: Caps = CAPS, callable_of=None, what: str = "value"):
    """Rebuild a value from :func:`to_plain`'s structure, checking everything (hostile input)."""
    budget = _Budget(caps)

    def bad(msg):
        raise NotPlainData(f"malformed {what}: {msg}")

    def dec(d, depth):
        budget.item()
        if depth > caps.depth:
            bad("nested too deeply")
        kind = type(d)
        if d is None or kind in (bool, int):
            if kind is int and abs(d) >= 2**63:
                bad("integer too large")
            return d
        if kind is float:
            return d
        if kind is str:
            budget.add_text(len(d))
            return d
        if kind is list:
            return [dec(x, depth + 1) for x in d]
        if kind is not dict or len(d) != 1:
            bad("unexpected structure")
        ((tag, body),) = d.items()
        if tag == "$tuple" and type(body) is list:
            return tuple(dec(x, depth + 1) for x in body)
        if tag == "$dict" and type(body) is list:
            out = {}
            for pair in body:
                if type(pair) is not list or len(pair) != 2:
                    bad("dict entry")
                key = dec(pair[0], depth + 1)
                if type(key) not in (str, int, float, bool) and key is not None:
                    bad("dict key")
                out[key] = dec(pair[1], depth + 1)
            return out
        if tag == "$float" and body in ("nan", "inf", "-inf"):
            return float(body)
        if tag in ("$array", "$scalar") and type(body) is list:
            if tag == "$array":
                if len(body) != 3 or type(body[1]) is not list:
                    bad("array header")
                dtype_str, shape, b64 = body
            else:
                if len(body) != 2:
                    bad("scalar header")
                (dtype_str, b64), shape = body, []
            if type(dtype_str) is not str or len(dtype_str) > 8 or type(b64) is not str:
                bad("array header")
            try:
                dtype = np.dtype(dtype_str)
            except TypeError:
                bad(f"dtype {dtype_str[:8]!r}")
            _check_dtype(dtype)
            if len(shape) > caps.ndim or any(type(n) is not int or n < 0 for n in shape):
                bad("array shape")
            count = 1
            for n in shape:
                count *= n
                if count * dtype.itemsize > caps.array_bytes:
                    bad("array too large")
            budget.add_bytes(count * dtype.itemsize)
            if len(b64) > 4 * (count * dtype.itemsize + 2) // 3 + 4:
                bad("array data longer than its shape")
            try:
                raw = base64.b64decode(b64.encode("ascii"), validate=True)
            except (binascii.Error, UnicodeEncodeError):
                bad("array data is not base64")
            if len(raw) != count * dtype.itemsize:
                bad("array data does not match its shape")
            arr = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
            return arr[()] if tag == "$scalar" else arr
        if tag == "$fn" and callable_of is not None and type(body) is int:
            return callable_of(body)
        if tag == "$rng" and type(body) is list:
            return _generator(body, bad)
        bad(f"unknown tag {str(tag)[:20]!r}")

    return dec(data, 0)


def _generator(body, bad) -> np.random.Generator:
    """A new PCG64 generator in the state ``[state, inc, has_uint32, uinteger]`` (checked first)."""
    if len(body) != 4:
        bad("generator state")
    state, inc, has_uint32, uinteger = body
    for text in (state, inc):
        if (
            type(text) is not str
            or not (0 < len(text) <= 39)
            or not (text.isascii() and text.isdigit())
            or int(text) >= _U128
        ):
            bad("generator state")
    if type(has_uint32) is not int or has_uint32 not in (0, 1):
        bad("generator state")
    if type(uinteger) is not int or not 0 <= uinteger < 2**32:
        bad("generator state")
    rng = np.random.Generator(np.random.PCG64())
    rng.bit_generator.state = {
        "bit_generator": "PCG64",
        "state": {"state": int(state), "inc": int(inc)},
        "has_uint32": has_uint32,
        "uinteger": uinteger,
    }
    return rng


def dumps(message: dict) -> str:
    return json.dumps(message, allow_nan=False, separators=(",", ":"))


def loads(text: str, *, caps: Caps = CAPS) -> dict:
    """Parse one message (a JSON object), refusing oversized text and non-objects."""
    if not isinstance(text, str) or len(text) > caps.message:
        raise NotPlainData("message missing or too large")
    try:
        msg = json.loads(text, parse_constant=lambda c: (_ for _ in ()).throw(NotPlainData(c)))
    except (ValueError, RecursionError) as err:
        raise NotPlainData(f"message is not JSON: {str(err)[:100]}") from None
    if type(msg) is not dict:
        raise NotPlainData("message is not a JSON object")
    return msg


# In-place changes cross back as plain data too: a student's function that updates its arguments
# (a parameter dict, a generator), or a test's callback that does (a stand-in update rule).


def sent_state(args_data, kwargs_data) -> dict:
    """The ``before`` of :func:`changed_state`: each argument's plain JSON text as it was sent."""
    return {str(key): dumps(data) for key, data in [*enumerate(args_data), *kwargs_data.items()]}


def changed_state(args, kwargs, before: dict) -> dict:
    """Plain copies of the arguments (arrays, lists, dicts, generators) whose content a call changed.

    ``before`` maps each argument's key (its position as a string, or its name) to its plain JSON
    text when the call began; it is updated, so a later call reports only newer changes.
    """
    state = {}
    for key, value in [*enumerate(args), *kwargs.items()]:
        if not (
            isinstance(value, list | dict)
            or type(value).__name__ in ("ndarray", "Generator")  # a generator's state moves as it draws
            or isinstance(value, tuple)
        ):
            continue
        try:
            now = to_plain(value)
        except NotPlainData:
            continue
        text = dumps(now)
        if text != before.get(str(key)):
            state[str(key)] = now
            before[str(key)] = text
    return state


def _write_back(target, new):
    """Give ``target`` (an argument of the caller) the content ``new`` that the other side's call left."""
    if type(target) is np.ndarray and type(new) is np.ndarray:
        if target.shape == new.shape and target.flags.writeable:
            target[...] = new.astype(target.dtype, copy=False)
        return target
    if type(target) is np.random.Generator and type(new) is np.random.Generator:
        # the student's draws advanced its copy: the test's generator continues from there
        if type(target.bit_generator) is np.random.PCG64:
            target.bit_generator.state = new.bit_generator.state
        return target
    if type(target) is dict and type(new) is dict:
        for key in list(target):
            if key not in new:
                del target[key]
        for key, value in new.items():
            target[key] = _write_back(target[key], value) if key in target else value
        return target
    if type(target) is list and type(new) is list:
        target[:] = [_write_back(t, n) for t, n in zip(target, new, strict=False)] + new[len(target) :]
        return target
    if type(target) is tuple and type(new) is tuple and len(target) == len(new):
        for t, n in zip(target, new, strict=True):
            _write_back(t, n)
        return target
    return target


def apply_state(state, name: str, args: tuple, kwargs: dict) -> None:
    """Write the content that the other side's call gave its arguments back into the caller's objects."""
    if type(state) is not dict:
        raise NotPlainData("malformed argument state")
    for key, data in state.items():
        new = from_plain(data, what=f"an argument of {name} after the call")
        if type(key) is str and key.isdigit() and int(key) < len(args):
            _write_back(args[int(key)], new)
        elif key in kwargs:
            _write_back(kwargs[key], new)
