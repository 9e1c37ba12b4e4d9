"""Trusted code the grader runs in the student's kernel around the graded test cells.

The student's code and the tests share one kernel, so a submission can monkeypatch what the tests
rely on: ``helpers.testing``, ``numpy.testing``, numpy functions, ``builtins``, IPython's AST
transformers and event hooks, or a trace function. Before any student code runs, an *init* cell
snapshots the pristine state; right before every graded test cell a *guard* cell

* puts back every builtin, ``__builtins__`` and the snapshotted numpy attributes,
* removes AST / input transformers and event callbacks the student added, and any trace/profile hook,
* puts back the original module objects and attributes of ``numpy``, ``numpy.linalg``,
  ``numpy.testing.*`` and every ``helpers`` module (imported and snapshotted by the init cell), the
  original code and defaults of their functions, and rebinds ``np`` and ``testing`` in the
  notebook's namespace. Identity is preserved (no re-import), so ``testing.check_own_work`` still
  recognises library functions the student imported.

If the guard itself fails (the student broke the grading environment), the following test cell is
scored 0 with that reason. Grading is by errors only, so printed "all tests passed" lines mean nothing.
This is a defence against monkeypatching, not a security boundary: the boundary is the sandbox
(autograder.sandbox), which keeps the gradebook, source/ and other students out of reach.
"""

from __future__ import annotations

import nbformat

ROLE_KEY = "autograder"

INIT_SOURCE = r"""
def __autograder_setup():
    import builtins, sys, importlib, pkgutil, threading, types
    names = ["numpy", "numpy.linalg", "numpy.testing", "helpers"]
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:
            pass
    helpers = sys.modules.get("helpers")
    if helpers is not None and getattr(helpers, "__path__", None):
        for info in pkgutil.iter_modules(helpers.__path__, "helpers."):
            try:
                importlib.import_module(info.name)
            except Exception:
                pass
    watched = ["builtins"] + [n for n in sys.modules if n in ("numpy", "numpy.linalg", "helpers")
                              or n.startswith(("numpy.testing", "helpers."))]
    modules = {n: sys.modules[n] for n in watched if n in sys.modules}
    dicts = {n: dict(vars(m)) for n, m in modules.items()}
    funcs = []
    for n, m in modules.items():
        for v in dicts[n].values():
            if isinstance(v, types.FunctionType) and getattr(v, "__module__", None) == n:
                funcs.append((v, v.__code__, v.__defaults__, v.__kwdefaults__))
    ip = get_ipython()
    hooks = (list(ip.ast_transformers), list(ip.input_transformers_post),
             list(ip.input_transformers_cleanup), {k: list(v) for k, v in ip.events.callbacks.items()})
    vars_, list_, type_, getattr_ = vars, list, type, getattr

    def guard(ns):
        sys.settrace(None); sys.setprofile(None)
        threading.settrace(None); threading.setprofile(None)
        for n, m in modules.items():
            sys.modules[n] = m
            d = vars_(m)
            for k, v in dicts[n].items():
                if k not in d or d[k] is not v:
                    d[k] = v
        for f, code, defaults, kwdefaults in funcs:
            if f.__code__ is not code:
                f.__code__ = code
            f.__defaults__, f.__kwdefaults__ = defaults, kwdefaults
        ns["__builtins__"] = builtins
        ip.ast_transformers[:] = hooks[0]
        ip.input_transformers_post[:] = hooks[1]
        ip.input_transformers_cleanup[:] = hooks[2]
        for event, callbacks in ip.events.callbacks.items():
            keep = hooks[3].get(event, [])
            callbacks[:] = [cb for cb in callbacks if cb in keep
                            or getattr_(cb, "__module__", "__main__") not in ("__main__", None)]
        for name, value in list_(ns.items()):
            if type_(value) is type_(sys) and not name.startswith("_"):
                real = modules.get(getattr_(value, "__name__", None))
                if real is not None and real is not value:
                    ns[name] = real
        if "numpy" in modules:
            ns["np"] = modules["numpy"]
        if "helpers.testing" in modules:
            ns["testing"] = modules["helpers.testing"]

    return guard

__autograder_guard = __autograder_setup()
del __autograder_setup
""".strip()

GUARD_SOURCE = "__autograder_guard(globals())"


def _cell(source: str, role: str, grade_id: str | None = None):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata[ROLE_KEY] = {"role": role, "grade_id": grade_id}
    return cell


def instrument(nb):
    """Insert the init cell first and a guard cell before every graded test cell (returns a copy)."""
    out = nbformat.from_dict(nb)
    cells = [_cell(INIT_SOURCE, "init")]
    for cell in out.cells:
        meta = cell.get("metadata", {}).get("nbgrader") or {}
        if cell.get("cell_type") == "code" and meta.get("grade") and not meta.get("solution"):
            cells.append(_cell(GUARD_SOURCE, "guard", meta.get("grade_id")))
        cells.append(cell)
    out.cells = cells
    return out


def role(cell) -> str | None:
    return (cell.get("metadata", {}).get(ROLE_KEY) or {}).get("role")


def strip(nb):
    """Remove the grader's cells again (before scoring and feedback)."""
    out = nbformat.from_dict(nb)
    out.cells = [c for c in out.cells if role(c) is None]
    return out
