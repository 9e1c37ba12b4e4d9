"""The behavioural leak probe, run as a script by ``tests/test_leaks.py`` (one subprocess per library).

    python tests/leakprobe.py HELPERS_PARENT OUT.json [--modules M[,M...]] NOTEBOOK.py [NOTEBOOK.py ...]

``HELPERS_PARENT/helpers`` is a stripped library (``tools.strip``); it is imported instead of the
repository's. For each notebook (the instructor's ``notebooks/NN_name.py``, hidden tests removed,
so the visible tests only) the probe

1. runs its code cells in order in one namespace, with every exercise (a function its solution
   cells define) wrapped in a recorder: each call made while a visible test cell runs is kept with
   its arguments (copied before the call) and its answer (what the reference solution returned,
   plus the new content of any argument it changed in place). Cells the stripped library breaks
   are reported, not fatal;
2. calls every function and method of every module of the stripped ``helpers`` on those arguments,
   in several arrangements (as called, all positional, every order for up to four arguments,
   trailing ones left out, and one example's row when the arrays share N), each call under a CPU
   time limit, and each function under a CPU budget per notebook (a figure that redraws on every
   call is left out after it; the report lists what was left out); classes are built from the same
   arrangements (and with no argument) first;
3. reports a leak when a call returns (or writes into an argument) a value equal to a non-trivial
   part of the answer (not a whole number, a constant or one of the inputs), and does so again on
   the same arguments moved (arrays plus noise of their own spread, numbers by a few percent), so
   that a visible test's special case (02's maxout whose second piece never wins is an affine
   layer; 08's momentum step with momentum 0 is a plain step) does not count. A call that used a callable
   argument (the student's function, passed in) is not a leak: that is how the library is meant
   to use an earlier answer.

The recording needs no marks and no list of arguments: it reads what the visible tests pass, so it
follows the course as it changes. Prints nothing; writes a JSON report to OUT.json.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import functools
import importlib
import inspect
import io
import itertools
import json
import os
import pkgutil
import re
import signal
import sys
import time
from pathlib import Path

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[ \t]*$", re.S | re.M)
CALL_LIMIT = 0.5  # CPU seconds per probe call (CPU time: a busy machine does not cut calls short)
SLOW_STRIKES = 2  # a function that hits the limit this often is not called again
FUNCTION_BUDGET = 2.0  # CPU seconds per function and notebook (figures redraw on every call); then skipped
MAX_CALLS_PER_EXERCISE = 4  # recorded calls probed per exercise (the first ones, distinct)


class Timeout(Exception):
    pass


def _alarm(_signum, _frame):
    raise Timeout


# --- values -----------------------------------------------------------------------------------


def numeric_parts(value, depth=0):
    """The numeric arrays inside ``value`` (tuples, lists and dicts opened), as float64 arrays."""
    import numpy as np

    if depth > 4:
        return []
    if isinstance(value, bool | np.bool_) or value is None:
        return []
    if isinstance(value, int | float | np.number):
        return [np.asarray(value, dtype=np.float64).reshape(1)]
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iuf" and 0 < value.size <= 10**6:
            return [value.astype(np.float64).ravel()]
        return []
    if isinstance(value, tuple | list) and len(value) <= 64:
        return [p for v in value for p in numeric_parts(v, depth + 1)]
    if isinstance(value, dict) and len(value) <= 64:
        return [p for v in value.values() for p in numeric_parts(v, depth + 1)]
    return []


def _same(a, b) -> bool:
    import numpy as np

    return a.shape == b.shape and bool(np.all(np.isfinite(a))) and np.allclose(a, b, rtol=1e-6, atol=1e-9)


def informative(part, inputs) -> bool:
    """A part of an answer that no unrelated function returns by chance: not constant, not an input."""
    import numpy as np

    if not np.all(np.isfinite(part)):
        return False
    if part.size == 1:
        value = float(part[0])
        if abs(value - round(value)) < 1e-9:  # 0, 1, 3, counts: too easy to meet by chance
            return False
    elif np.ptp(part) == 0:
        return False
    elif np.all(np.abs(part - np.round(part)) < 1e-9) and len(np.unique(part)) < 3:
        return False  # a 0/1 mask or two counts: met by chance
    return not any(_same(part, x) for x in inputs)


def changed_parts(before, after):
    """Numeric parts of ``after`` (an argument tuple) that differ from ``before``: in-place results."""
    old, new = numeric_parts(before), numeric_parts(after)
    if len(old) != len(new):
        return new
    return [n for o, n in zip(old, new, strict=True) if not _same(o, n)]


# --- recording the visible tests' calls ---------------------------------------------------------


class Recorder:
    def __init__(self):
        self.testing = False
        self.calls: dict[str, list] = {}  # exercise -> [(args, kwargs, answer parts, fn)]

    def wrap(self, name, fn):
        @functools.wraps(fn)
        def recorded(*args, **kwargs):
            if not self.testing:
                return fn(*args, **kwargs)
            try:
                before = copy.deepcopy((args, kwargs))
            except Exception:  # noqa: BLE001 - an argument that cannot be copied: call unrecorded
                return fn(*args, **kwargs)
            result = fn(*args, **kwargs)
            answer = numeric_parts(result) + changed_parts(before, (args, kwargs))
            self.calls.setdefault(name, []).append((before[0], before[1], answer, fn))
            return result

        recorded.__wrapped_exercise__ = fn
        return recorded


def record(notebook: Path):
    """Run the notebook's cells (visible tests only); return the recorder and the failing cells."""
    import jupytext
    import matplotlib.pyplot as plt

    plt.show = lambda *a, **k: None
    nb = jupytext.read(notebook)
    rec = Recorder()
    ns = {"__name__": "__main__", "display": lambda *a, **k: None}
    errors = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        source = HIDDEN.sub("", cell.source)
        source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
        rec.testing = bool(meta.get("grade")) and not meta.get("solution")
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(source, f"<{notebook.stem} cell {index}>", "exec"), ns)  # noqa: S102
        except BaseException as e:  # noqa: BLE001 - reported: a story cell the stripped library breaks
            errors.append(f"cell {index}: {type(e).__name__}: {str(e)[:200]}")
        finally:
            rec.testing = False
            plt.close("all")
        if meta.get("solution"):
            for node in ast.parse(source).body:
                if isinstance(node, ast.FunctionDef) and callable(ns.get(node.name)):
                    ns[node.name] = rec.wrap(node.name, ns[node.name])
    return rec, errors


# --- probing the library ----------------------------------------------------------------------


def targets(package, modules=None):
    """(``module.qualname``, callable or class, method name or None) of every module of ``package``.

    ``modules`` limits the probe to those module names (a quick check of one module).
    """
    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if modules is not None and info.name not in modules:
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for name, obj in sorted(vars(module).items()):
            if getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj):
                found.append((f"{info.name}.{name}", obj, None))
            elif inspect.isclass(obj):
                for mname, member in sorted(vars(obj).items()):
                    inner = getattr(member, "__func__", member)
                    if inspect.isfunction(inner) or isinstance(member, property):
                        found.append((f"{info.name}.{name}.{mname}", obj, mname))
    return found


def arrangements(args, kwargs):
    """The argument arrangements to try: (args, kwargs) pairs, without repeats."""
    positional = list(args) + list(kwargs.values())
    n = len(positional)
    orders = [tuple(range(n))]
    orders += itertools.permutations(range(n)) if n <= 3 else [tuple(reversed(range(n)))]
    orders += [tuple(range(k)) for k in range(1, n)]
    seen, out = set(), [(tuple(args), dict(kwargs))]
    for order in orders:
        if order not in seen:
            seen.add(order)
            out.append((tuple(positional[i] for i in order), {}))
    return out


def one_row(args, kwargs):
    """The call on the first example only, (1, ...) arrays, when the array arguments share N >= 2 (else None)."""
    import numpy as np

    values = list(args) + list(kwargs.values())
    sizes = {v.shape[0] for v in values if isinstance(v, np.ndarray) and v.ndim >= 1}
    if len(sizes) != 1 or next(iter(sizes)) < 2:
        return None
    cut = [v[:1] if isinstance(v, np.ndarray) and v.ndim >= 1 else v for v in values]
    return tuple(cut[: len(args)]), dict(zip(kwargs, cut[len(args) :], strict=True))


class Touched:
    """Wraps a callable argument: calling it marks the probe call as using the caller's function."""

    def __init__(self, fn, flag):
        self.fn, self.flag = fn, flag

    def __call__(self, *a, **k):
        self.flag[0] = True
        return self.fn(*a, **k)


def guard_callables(value, flag, depth=0):
    if depth > 3:
        return value
    if callable(value) and not isinstance(value, type) and not hasattr(value, "shape"):
        return Touched(value, flag)
    if isinstance(value, tuple | list):
        return type(value)(guard_callables(v, flag, depth + 1) for v in value)
    if isinstance(value, dict):
        return {k: guard_callables(v, flag, depth + 1) for k, v in value.items()}
    return value


class Prober:
    def __init__(self):
        self.strikes: dict[str, int] = {}
        self.calls = 0
        self.timeouts = 0
        self.built: dict = {}
        self.signatures: dict = {}
        self.seconds: dict[str, float] = {}  # CPU time spent in each function's probe calls
        self.skipped: set[str] = set()  # functions left out after SLOW_STRIKES or FUNCTION_BUDGET

    def binds(self, fn, args, kwargs) -> bool:
        """Whether ``fn`` accepts these arguments at all (calls that cannot bind are not made)."""
        func = getattr(fn, "__func__", fn)
        if func not in self.signatures:
            try:
                self.signatures[func] = inspect.signature(func)
            except (TypeError, ValueError):
                self.signatures[func] = None
        signature = self.signatures[func]
        if signature is None:
            return True
        if inspect.ismethod(fn):  # bound: self (or cls) is given
            signature = signature.replace(parameters=list(signature.parameters.values())[1:])
        try:
            signature.bind(*args, **kwargs)
        except TypeError:
            return False
        return True

    def call(self, name, fn, args, kwargs):
        """(parts of the result and of changed arguments, whether a callable argument was used) or None."""
        if self.strikes.get(name, 0) >= SLOW_STRIKES or self.seconds.get(name, 0.0) > FUNCTION_BUDGET:
            self.skipped.add(name)
            return None
        if not self.binds(fn, args, kwargs):
            return None
        flag = [False]
        before = (args, kwargs)  # the caller's pristine copy: the call gets a copy of its own
        try:
            args, kwargs = copy.deepcopy((args, kwargs))
        except Exception:  # noqa: BLE001
            return None
        args, kwargs = guard_callables(args, flag), guard_callables(kwargs, flag)
        self.calls += 1
        signal.setitimer(signal.ITIMER_PROF, CALL_LIMIT)
        start = time.process_time()
        try:
            result = fn(*args, **kwargs)
        except Timeout:
            self.strikes[name] = self.strikes.get(name, 0) + 1
            self.timeouts += 1
            return None
        except BaseException:  # noqa: BLE001 - a probe call may fail any way it likes
            return None
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
            self.seconds[name] = self.seconds.get(name, 0.0) + time.process_time() - start
        try:
            parts = numeric_parts(result) + changed_parts(before, (args, kwargs))
        except Exception:  # noqa: BLE001
            return None
        return parts, flag[0]

    def instances(self, cls, tries):
        """Up to three instances of ``cls``: built with no argument, then with the arrangements."""
        key = (cls, id(tries))
        if key in self.built:
            return self.built[key]
        made = []
        for args, kwargs in [((), {}), *tries]:
            if len(made) == 3:
                break
            if args and not self.binds(cls, args, kwargs):
                continue
            try:
                signal.setitimer(signal.ITIMER_PROF, CALL_LIMIT)
                made.append(cls(*copy.deepcopy(args), **copy.deepcopy(kwargs)))
            except BaseException:  # noqa: BLE001
                pass
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0)
        self.built[key] = made
        return made


def answer_of(fn, args, kwargs):
    """What ``fn`` answers on (copies of) these arguments: its result's parts and in-place changes."""
    args, kwargs = copy.deepcopy((args, kwargs))
    before = copy.deepcopy((args, kwargs))
    result = fn(*args, **kwargs)
    return numeric_parts(result) + changed_parts(before, (args, kwargs))


def perturbed(value, rng, depth=0):
    """``value`` with every float moved: arrays by noise of their own spread, numbers by a few percent (0 to ~0.01).

    Labels, sizes and other integers are kept. A number keeps its sign, so a margin or a rate stays valid.
    """
    import numpy as np

    if isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.size:
        scale = float(np.std(value)) or 1.0
        return (value + rng.normal(scale=scale, size=value.shape)).astype(value.dtype)
    if isinstance(value, float | np.floating):
        return type(value)(value * (1 + rng.uniform(0.02, 0.08)) if value else rng.uniform(0.005, 0.015))
    if depth < 3 and isinstance(value, tuple | list):
        return type(value)(perturbed(v, rng, depth + 1) for v in value)
    if depth < 3 and isinstance(value, dict):
        return {k: perturbed(v, rng, depth + 1) for k, v in value.items()}
    return value


class Case:
    """One recorded call of an exercise as the probe uses it: all its rows, or its first example only."""

    def __init__(self, exercise, fn, args, kwargs, answer, row):
        self.exercise, self.fn, self.args, self.kwargs, self.row = exercise, fn, args, kwargs, row
        self.label = "first example of the visible-test arguments" if row else "visible-test arguments"
        self.wanted = self.wanted_for(args, kwargs, None if row else answer)

    def shaped(self, args, kwargs):
        return one_row(args, kwargs) if self.row else (args, kwargs)

    def tries(self, args, kwargs):
        args, kwargs = self.shaped(args, kwargs)
        out = arrangements(args, kwargs)
        if self.row:
            out += arrangements(tuple(v[0] if getattr(v, "ndim", 0) >= 1 else v for v in args), {})
        return out

    def wanted_for(self, args, kwargs, answer=None):
        """The informative parts of the reference answer on these arguments ([] when there are none)."""
        shaped = self.shaped(args, kwargs)
        if shaped is None:
            return []
        if answer is None:
            try:
                answer = answer_of(self.fn, *shaped)
            except Exception:  # noqa: BLE001 - the exercise does not take these arguments
                return []
        inputs = numeric_parts(shaped)
        return [p for p in answer if informative(p, inputs)]


def cases_of(exercise, calls):
    """The probe's cases for one exercise: its first distinct recorded calls, whole and one example."""
    distinct, seen = [], set()
    for args, kwargs, answer, fn in calls:
        key = repr(tuple(getattr(v, "shape", type(v).__name__) for v in (*args, *kwargs.values())))
        key += repr([p[:3].tolist() for p in answer])
        if key not in seen:
            seen.add(key)
            distinct.append((args, kwargs, answer, fn))
    cases = []
    for args, kwargs, answer, fn in distinct[:MAX_CALLS_PER_EXERCISE]:
        for row in (False, True):
            case = Case(exercise, fn, args, kwargs, answer, row)
            if case.wanted:
                cases.append(case)
    return cases


def probe(package, recorder: Recorder, notebook: str, modules=None):
    """Leaks: ``{"notebook", "exercise", "function", "how"}`` for each library call that gave an answer."""
    import numpy as np

    prober = Prober()
    leaks, checked = [], {}
    found = targets(package, modules)
    rng = np.random.default_rng(0)
    for exercise, calls in sorted(recorder.calls.items()):
        cases = cases_of(exercise, calls)
        checked[exercise] = len(cases)
        quiet = contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO())
        with quiet[0], quiet[1]:
            for case in cases:
                for name, callee, index in probe_case(prober, found, case):
                    if confirmed(prober, name, callee, case, index, rng) and not any(
                        leak["function"] == f"helpers.{name}" and leak["exercise"] == exercise
                        for leak in leaks
                    ):
                        how = f"helpers.{name} on the {case.label}"
                        leaks.append(
                            {
                                "notebook": notebook,
                                "exercise": exercise,
                                "function": f"helpers.{name}",
                                "how": how,
                            }
                        )
    return leaks, checked, prober


def probe_case(prober, found, case):
    """(name, callee, arrangement index) of each library function returning the case's answer."""
    tries = case.tries(case.args, case.kwargs)
    for name, obj, method in found:
        if method is None:
            callees = [obj]
        else:
            member = inspect.getattr_static(obj, method)
            if isinstance(member, property):
                continue
            callees = [getattr(inst, method) for inst in prober.instances(obj, tries)]
            if isinstance(member, staticmethod | classmethod):
                callees.append(getattr(obj, method))
        for callee in callees:
            hit = next(
                (
                    i
                    for i, (a, k) in enumerate(tries)
                    if matches(prober.call(name, callee, a, k), case.wanted)
                ),
                None,
            )
            if hit is not None:
                yield name, callee, hit
                break


def matches(got, wanted) -> bool:
    """Whether a probe call's outcome holds a wanted part (a call that used a callable argument never does)."""
    return got is not None and not got[1] and any(_same(part, want) for part in got[0] for want in wanted)


def confirmed(prober, name, callee, case, index, rng) -> bool:
    """Whether the hit holds on moved arguments too (a special case of the test's values does not).

    When the exercise cannot be computed on moved arguments, the hit stands.
    """
    args, kwargs = perturbed((case.args, case.kwargs), rng)
    wanted = case.wanted_for(args, kwargs)
    if not wanted:
        return True
    tries = case.tries(args, kwargs)
    return index < len(tries) and matches(prober.call(name, callee, *tries[index]), wanted)


def main(argv):
    parent, out, rest = Path(argv[0]).resolve(), Path(argv[1]), list(argv[2:])
    modules = None
    if rest[:1] == ["--modules"]:
        modules, rest = set(rest[1].split(",")), rest[2:]
    notebooks = [Path(a) for a in rest]
    sys.path.insert(0, str(parent))
    os.environ.setdefault("NBGRADER_EXECUTION", "validate")  # 08 on the shipped sample, no explorers
    os.environ["MPLBACKEND"] = "Agg"
    import matplotlib

    matplotlib.use("Agg")
    import helpers

    where = Path(helpers.__file__).resolve().parent
    if where != parent / "helpers":
        raise SystemExit(f"imported helpers from {where}, expected the stripped copy in {parent / 'helpers'}")
    signal.signal(signal.SIGPROF, _alarm)
    report = {"helpers": str(where), "notebooks": {}}
    for notebook in notebooks:
        start = time.perf_counter()
        recorder, errors = record(notebook)
        recorded = time.perf_counter() - start
        leaks, checked, prober = probe(helpers, recorder, notebook.stem, modules)
        report["notebooks"][notebook.stem] = {
            "leaks": leaks,
            "checked": checked,
            "cell_errors": errors,
            "probe_calls": prober.calls,
            "timeouts": prober.timeouts,
            "seconds": round(time.perf_counter() - start, 1),
            "recording_seconds": round(recorded, 1),
            "slowest": sorted(prober.seconds.items(), key=lambda kv: -kv[1])[:8],
            "skipped_slow": sorted(prober.skipped),
        }
    out.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
