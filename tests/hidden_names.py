"""What the hidden checks of a notebook are called, and what their hidden code fed and expected.

``record(cells)`` runs a notebook's code cells in one namespace, in this process, the test cells split
into their visible and hidden parts as the autograder splits them (``autograder.receive.testplan.
split_hidden``). While a hidden part runs, every ``helpers.testing`` check it reaches (directly, or
through a helper function of the notebook such as 08's ``_check_loop``) is recorded with its name and
expected value, and every call of a student's function (through ``testing.call`` /
``testing.check_own_work``, or direct) with its arguments. ``problems(recorded)`` then lists the names that break
the rule of ``helpers.testing``'s contract: a hidden check is named in words that hold no data (no
digit, no rendering of an input or an expected value, at most 120 characters), and a hidden part holds
no bare ``assert`` (its message is never shown; ``testing.assert_true`` names it).

``python -m tests.hidden_names [NN_name ...]`` prints every hidden check's name and any problem.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import inspect
import io
import os
import re
import sys
from dataclasses import dataclass, field

import numpy as np

from autograder.receive.testplan import split_hidden

#: The evaluator withholds a longer name (autograder/inside/evaluator.py, ``_hidden_name``).
MAX_NAME = 120
#: The checks of helpers.testing and the argument that holds each one's expected value (None: none).
CHECKS = {
    "assert_close": "expected",
    "assert_scalar": "expected",
    "assert_equal": "expected",
    "assert_shape": "shape",
    "assert_grad_close": "numeric",
    "assert_dtype": None,
    "assert_true": None,
}
#: How a student's function is called by a test; their own keyword arguments are not the student's input.
CALLS = {"call": (), "check_own_work": ("forbidden", "allowed")}
_HIDDEN = "### BEGIN HIDDEN TESTS"


@dataclass
class HiddenPart:
    """One test cell's hidden part: the checks it ran and the data it handed over and expected."""

    cell: str  # the cell's grade_id
    names: list = field(default_factory=list)  # every name a check was given, in order
    data: list = field(default_factory=list)  # inputs of the student's functions and expected values
    bare: list = field(default_factory=list)  # line numbers of bare asserts / raise AssertionError
    error: str = ""  # what stopped the part (the instructor's answers must pass every hidden check)


def bare_asserts(source: str) -> list[int]:
    """Lines of ``assert`` statements and ``raise AssertionError`` in ``source``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assert):
            lines.append(node.lineno)
        elif isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(exc, ast.Name) and exc.id == "AssertionError":
                lines.append(node.lineno)
    return lines


@contextlib.contextmanager
def _recording(state: dict):
    """Wrap helpers.testing's checks and calls so that, while ``state["part"]`` is set, they record."""
    from helpers import testing

    saved = {name: getattr(testing, name) for name in (*CHECKS, *CALLS)}

    def check(name, original):
        signature = inspect.signature(original)
        expected_arg = CHECKS[name]

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            part = state.get("part")
            if part is not None:
                bound = signature.bind(*args, **kwargs)
                part.names.append(bound.arguments.get("name"))  # None: the check's default name
                bound.apply_defaults()
                if expected_arg is not None:
                    part.data.append(bound.arguments[expected_arg])
            return original(*args, **kwargs)

        return wrapper

    def caller(name, original):
        @functools.wraps(original)
        def wrapper(fn, *args, **kwargs):
            part = state.get("part")
            if part is not None:
                part.data.append(args)
                part.data.append({k: v for k, v in kwargs.items() if k not in CALLS[name]})
            return original(fn, *args, **kwargs)

        return wrapper

    for name in CHECKS:
        setattr(testing, name, check(name, saved[name]))
    for name in CALLS:
        setattr(testing, name, caller(name, saved[name]))
    try:
        yield
    finally:
        for name, original in saved.items():
            setattr(testing, name, original)


def _watch(fn, state: dict):
    """``fn`` (a student's function) recording its arguments while a hidden part runs."""

    @functools.wraps(fn)
    def watched(*args, **kwargs):
        part = state.get("part")
        if part is not None:
            part.data += [args, kwargs]
        return fn(*args, **kwargs)

    watched.hidden_names_watched = True
    return watched


def record(cells: list[tuple[str | None, str]], student: frozenset | set = frozenset()) -> list[HiddenPart]:
    """Run ``cells`` ((grade_id or None, source) pairs, in order) in one namespace; record the hidden parts.

    ``student`` names the student's functions (the answers): a hidden part's direct calls of them, not
    through ``testing.call`` / ``check_own_work``, are recorded too. The notebook runs as the grader runs it (``NBGRADER_EXECUTION=autograde``: 08 trains on the shipped
    sample, widgets and long cells are skipped) with figures on the Agg backend, in this process.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns: dict = {"__name__": "__main__"}
    with contextlib.suppress(ImportError):
        from IPython.display import display

        ns["display"] = display
    state: dict = {}
    out: list[HiddenPart] = []
    old_env = os.environ.get("NBGRADER_EXECUTION")
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    try:
        with _recording(state):
            for gid, source in cells:
                parts = split_hidden(source) if _HIDDEN in source else [{"source": source, "hidden": False}]
                for part in parts:
                    if not part["hidden"]:
                        with contextlib.redirect_stdout(io.StringIO()):
                            exec(compile(part["source"], f"<{gid or 'cell'}>", "exec"), ns)
                        for name in student & ns.keys():
                            if callable(ns[name]) and not hasattr(ns[name], "hidden_names_watched"):
                                ns[name] = _watch(ns[name], state)
                        continue
                    hidden = HiddenPart(cell=gid or "?", bare=bare_asserts(part["source"]))
                    out.append(hidden)
                    state["part"] = hidden
                    try:
                        with contextlib.redirect_stdout(io.StringIO()):
                            exec(compile(part["source"], f"<{gid} hidden>", "exec"), ns)
                    except Exception as err:  # noqa: BLE001 - reported as a problem of this part
                        hidden.error = f"{type(err).__name__}: {err}"
                    finally:
                        state["part"] = None
                plt.close("all")
    finally:
        if old_env is None:
            os.environ.pop("NBGRADER_EXECUTION", None)
        else:
            os.environ["NBGRADER_EXECUTION"] = old_env
    return out


def notebook_cells(name: str) -> tuple[list[tuple[str | None, str]], set[str]]:
    """What the evaluator runs of notebooks/NAME.py (the source of truth), the instructor's answers in it,
    and the names of the answers (the student's functions and values).

    The evaluator's plan (``autograder.receive.testplan.plan``) keeps the test cells and only the
    statements of other cells that they need (no figures, no story training: 08 runs in seconds). Here
    the answer cells count as ordinary cells, so the instructor's answers the tests call are kept too,
    where the student's would be bound.
    """
    from autograder.receive.testplan import plan
    from tools.build import read_notebook

    nb = read_notebook(name)
    solution_names = set(plan(nb)["solution_names"])
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution") and not meta.get("grade"):
            del cell.metadata["nbgrader"]
    return [(c.get("grade_id") or c.get("label"), c["source"]) for c in plan(nb)["cells"]], solution_names


# --------------------------------------------------------------------------------------------------
# renderings of the data
# --------------------------------------------------------------------------------------------------
_PRECISIONS = range(1, 7)
_SMALL = 16  # arrays and sequences up to this many entries are rendered whole


def _scalar_texts(value) -> set[str]:
    if isinstance(value, bool | np.bool_):
        return {str(bool(value))}
    if isinstance(value, int | np.integer):
        return {str(int(value))}
    v = float(value)
    if not np.isfinite(v):
        return {str(v), repr(v), f"np.{abs(v)}" if v == v else "np.nan"}
    texts = {repr(v), str(v), f"{v:g}", repr(value), str(value)}
    for p in _PRECISIONS:
        texts |= {f"{v:.{p}f}", f"{v:.{p}g}", f"{v:.{p}e}"}
    if v.is_integer():
        texts.add(str(int(v)))
    # a leading zero dropped (".25"), as people write it
    return texts | {t.replace("0.", ".", 1) for t in texts if t.startswith(("0.", "-0."))}


def renderings(value, depth: int = 0) -> set[str]:
    """Texts that show ``value`` or a part of it: repr, str and fixed precisions of numbers and small arrays.

    Callables, random generators and other objects render as nothing: they are not data a check could
    give away. Dict keys are the parameters' names (a contract), not data: only the values count.
    """
    if depth > 4 or value is None or callable(value) or isinstance(value, np.random.Generator):
        return set()
    if isinstance(value, str):
        return {value, repr(value)} if value.strip() else set()
    if isinstance(value, bool | int | float | np.bool_ | np.integer | np.floating):
        return _scalar_texts(value)
    if isinstance(value, dict):
        return set().union(*(renderings(v, depth + 1) for v in value.values())) if value else set()
    if isinstance(value, list | tuple):
        texts = set().union(*(renderings(v, depth + 1) for v in value[:_SMALL])) if value else set()
        if len(value) <= _SMALL and all(isinstance(v, int | float | np.number) for v in value):
            texts |= {str(list(value)), repr(value)} | renderings(np.asarray(value, dtype=float), depth + 1)
        return texts
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf" or value.size > _SMALL:
            return set()
        texts = set().union(*(_scalar_texts(v) for v in value.flat)) if value.size else set()
        texts |= {str(value.tolist()), repr(value), str(value)}
        for p in _PRECISIONS:
            for sep in (" ", ", "):
                texts.add(np.array2string(value, precision=p, separator=sep))
                texts.add(np.array2string(value, precision=p, separator=sep, suppress_small=True))
        return texts
    return set()


def _shows(name: str, text: str) -> bool:
    """Does ``name`` show ``text``? Words match as whole words, any case; other texts as substrings."""
    if re.fullmatch(r"[A-Za-z_]+", text):
        return re.search(rf"(?<![A-Za-z_]){re.escape(text)}(?![A-Za-z_])", name, re.I) is not None
    return text in name


def problems(parts: list[HiddenPart]) -> list[str]:
    """Every break of the naming rule in ``parts``, one line each (empty: all names are data-free)."""
    out = []
    for part in parts:
        where = f"{part.cell} (hidden part)"
        if part.error:
            out.append(f"{where}: the instructor's answers fail a hidden check: {part.error[:300]}")
        for line in part.bare:
            out.append(f"{where}, line {line}: a bare assert (use testing.assert_true with a name)")
        if not part.names and not part.error:
            out.append(f"{where}: runs no named check of helpers.testing")
        texts = set().union(*(renderings(d) for d in part.data)) if part.data else set()
        for name in dict.fromkeys(map(str, part.names)):
            if not name.strip() or name == "None":
                out.append(f"{where}: a check without a name")
                continue
            if any(ch.isdigit() for ch in name):
                out.append(f"{where}: {name!r} holds a digit")
            if len(name) > MAX_NAME:
                out.append(
                    f"{where}: {name!r} is longer than {MAX_NAME} characters (the evaluator withholds it)"
                )
            shown = sorted(t for t in texts if _shows(name, t))
            if shown:
                out.append(f"{where}: {name!r} shows the data {shown[:5]}")
    return out


def main(argv: list[str]) -> int:
    from tests.nbtools import NAMES

    bad = 0
    for name in argv or NAMES:
        parts = record(*notebook_cells(name))
        print(f"== {name}: {len(parts)} hidden parts")
        for part in parts:
            for check in dict.fromkeys(map(str, part.names)):
                print(f"  {part.cell}: {check}")
        for line in problems(parts):
            print(f"  PROBLEM {line}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
