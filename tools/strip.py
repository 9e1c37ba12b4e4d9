"""Strip the library's answers of open notebooks: stubs in place of every ``@answer`` of them.

    python -m tools.strip DEST NN_name [NN_name ...]   # writes DEST/helpers/, prints what it stubbed

A function (or method) of ``helpers/`` marked ``@answer("02_activations", "sigmoid")`` (see
:mod:`helpers.exercise`) holds the answer to an exercise.  :func:`write_stripped_helpers` copies
the helpers package with the body of every marked function of an *open* notebook (one whose
answers are not released yet) replaced, in the source text, by a stub: the signature, the marks
and the docstring stay, the body raises ``NotImplementedError`` saying which notebook it belongs to
and when it is released.  The student bundle (``tools/bundle.py``) and the grading sandbox use it.

:func:`needed_answers` says which marked functions a notebook's code reaches through the library.
It is a static, name-based analysis of the notebook's code cells and of helpers' own code:

* a helpers function, class or module-level name counts as used when the code names it (through
  ``from helpers.m import f``, ``from helpers import m`` and ``m.f``, relative imports inside
  helpers, or a module-level name of the same module), whether it is called or passed on;
* a method counts as used when its class is used and its name appears as an attribute of
  something other than ``self`` anywhere in the used code (``net.predict``), or it is a dunder
  method (Python calls those itself); ``self.m`` in a used method of class C uses ``m`` as C, its
  bases or its used subclasses define it;
* the default value of a parameter counts only when some use of the function does not pass that
  parameter by keyword: ``train.sgd(net, ..., step=sgd_momentum_step)`` does not use the
  library's default step;
* a statement ``f.attr = g`` at module level makes ``g`` part of ``f``.

It does not see names built at run time (``getattr(m, name)``, ``eval``), branches not taken (an
``if`` in a used function counts whole), nor which object an attribute is called on (every used
class's method of that name counts).  It errs on the side of "needed"; the bundle test runs the
notebooks inside stripped bundles to catch what it misses.
"""

from __future__ import annotations

import argparse
import ast
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HELPERS = ROOT / "helpers"


# --- the marks ---------------------------------------------------------------------------------


def _marks(node: ast.FunctionDef) -> list[tuple[str, tuple[str, ...]]]:
    """The ``@answer(notebook, *exercises)`` marks of a function node, in source order."""
    found = []
    for deco in node.decorator_list:
        if not isinstance(deco, ast.Call):
            continue
        func = deco.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name != "answer":
            continue
        args = [a.value for a in deco.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if len(args) != len(deco.args) or len(args) < 2 or deco.keywords:
            raise ValueError(
                f"line {deco.lineno}: expected @answer('NN_name', 'exercise', ...) with string literals"
            )
        found.append((args[0], tuple(args[1:])))
    return found


@dataclass
class Marked:
    """A marked function of one helpers module: ``qualname`` is ``f`` or ``Class.method``."""

    module: str
    qualname: str
    marks: list[tuple[str, tuple[str, ...]]]
    node: ast.FunctionDef = field(repr=False)

    @property
    def notebooks(self) -> set[str]:
        return {nb for nb, _ in self.marks}

    @property
    def name(self) -> str:
        return f"helpers.{self.module}.{self.qualname}"


def _functions(tree: ast.Module):
    """(qualname, node) of the module's functions and of its classes' methods."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, node
        elif isinstance(node, ast.ClassDef):
            for sub in node.body:
                if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield f"{node.name}.{sub.name}", sub


def marked_functions(text: str, module: str) -> list[Marked]:
    """Every ``@answer``-marked function or method in the source ``text`` of ``helpers.<module>``."""
    tree = ast.parse(text)
    return [Marked(module, q, m, n) for q, n in _functions(tree) if (m := _marks(n))]


def all_marks(helpers: Path = HELPERS) -> list[Marked]:
    """The marked functions of every helpers module."""
    found = []
    for path in sorted(helpers.glob("*.py")):
        found += marked_functions(path.read_text(), path.stem)
    return found


# --- stubs -------------------------------------------------------------------------------------


def stub_message(marked: Marked, open_notebooks: Iterable[str]) -> str:
    closed = sorted(marked.notebooks & set(open_notebooks))
    exercises = sorted({e for nb, exs in marked.marks if nb in closed for e in exs})
    which = " and ".join(closed)
    return (
        f"{marked.name} is the library's answer to {', '.join(exercises)} of {which}: it is released "
        f"after {which} {'is' if len(closed) == 1 else 'are'} due. Use your own function from the notebook."
    )


def _after_signature(lines: list[str], node: ast.FunctionDef) -> int:
    """The line number after the one whose colon ends ``node``'s signature."""
    start = max([node.lineno] + [a.end_lineno for a in ast.walk(node.args) if hasattr(a, "end_lineno")])
    if node.returns is not None:
        start = max(start, node.returns.end_lineno)
    for number in range(start, node.body[0].lineno):
        if lines[number - 1].split("#", 1)[0].rstrip().endswith(":"):
            return number + 1
    return node.body[0].lineno


def strip_source(text: str, module: str, open_notebooks: Iterable[str]) -> tuple[str, list[str]]:
    """``text`` with the body of every marked function of an open notebook replaced by a stub.

    Returns the new text and the stubbed functions' names (``helpers.<module>.<qualname>``).
    Everything outside those bodies is kept byte for byte.
    """
    open_notebooks = set(open_notebooks)
    lines = text.splitlines(keepends=True)
    edits, stubbed = [], []
    for marked in marked_functions(text, module):
        if not marked.notebooks & open_notebooks:
            continue
        node = marked.node
        body = node.body
        keep = (
            1
            if isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant)
            else 0
        )
        if body[0].lineno == node.lineno or (keep and len(body) > 1 and body[1].lineno == body[0].end_lineno):
            raise ValueError(f"{marked.name}: put the body of a marked function on lines of its own")
        if len(body) == keep:  # a docstring only: nothing to hide
            continue
        # replace everything after the docstring (or after the line ending the signature),
        # comments included
        first = body[0].end_lineno + 1 if keep else _after_signature(lines, node)
        indent = lines[body[keep].lineno - 1][: body[keep].col_offset]
        stub = f"{indent}raise NotImplementedError({stub_message(marked, open_notebooks)!r})\n"
        edits.append((first - 1, node.end_lineno, stub))
        stubbed.append(marked.name)
    for start, end, stub in sorted(edits, reverse=True):
        lines[start:end] = [stub]
    return "".join(lines), stubbed


def write_stripped_helpers(
    dest: Path, open_notebooks: Iterable[str], modules: Iterable[str] | None = None
) -> list[str]:
    """Write ``dest/helpers/`` with stubs for the answers of ``open_notebooks``; return the stubbed names.

    ``modules`` limits the copy to those helpers modules (names without ``.py``; ``__init__`` is
    always written); by default every module is.  ``dest/helpers`` must not exist yet or is replaced.
    """
    open_notebooks = list(open_notebooks)
    target = Path(dest) / "helpers"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    wanted = None if modules is None else set(modules) | {"__init__"}
    stubbed: list[str] = []
    for path in sorted(HELPERS.glob("*.py")):
        if wanted is not None and path.stem not in wanted:
            continue
        text, names = strip_source(path.read_text(), path.stem, open_notebooks)
        (target / path.name).write_text(text)
        stubbed += names
    return stubbed


# --- what a notebook needs ---------------------------------------------------------------------


@dataclass
class _Def:
    """One module-level name of helpers (function, class, method or assigned name)."""

    key: str  # "module:qualname"
    refs: set[str] = field(default_factory=set)
    defaults: dict[str, set[str]] = field(default_factory=dict)  # parameter -> refs of its default
    attrs: set[str] = field(default_factory=set)  # attribute names its code uses
    calls: list[tuple[str, frozenset[str] | None]] = field(default_factory=list)  # (key, kwargs passed)
    bases: list[str] = field(default_factory=list)
    methods: dict[str, str] = field(default_factory=dict)  # for classes: name -> key
    owner: str | None = None  # for methods: the class's key
    self_attrs: set[str] = field(default_factory=set)  # for methods: attributes of self it uses


class _Scope:
    """Resolves names and attributes of one module's (or one notebook's) code to helpers keys."""

    def __init__(self, module: str | None, tree: ast.Module, top: set[str]):
        self.module = module
        self.names: dict[str, str] = {n: f"{module}:{n}" for n in top} if module else {}
        self.modules: dict[str, str] = {}  # local alias -> helpers module
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative import inside helpers
                    base = f"helpers.{base}" if base else "helpers"
                if base == "helpers":
                    for a in node.names:
                        self.modules[a.asname or a.name] = a.name
                elif base.startswith("helpers."):
                    for a in node.names:
                        self.names[a.asname or a.name] = f"{base.split('.')[1]}:{a.name}"
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith("helpers.") and a.asname:
                        self.modules[a.asname] = a.name.split(".")[1]

    def resolve(self, expr: ast.expr) -> str | None:
        if isinstance(expr, ast.Name):
            return self.names.get(expr.id)
        if isinstance(expr, ast.Attribute):
            if isinstance(expr.value, ast.Name) and expr.value.id in self.modules:
                return f"{self.modules[expr.value.id]}:{expr.attr}"
            # helpers.m.f written out in full
            inner = expr.value
            if (
                isinstance(inner, ast.Attribute)
                and isinstance(inner.value, ast.Name)
                and inner.value.id == "helpers"
            ):
                return f"{inner.attr}:{expr.attr}"
        return None


def _collect(
    scope: _Scope,
    nodes: Iterable[ast.AST],
    into: _Def,
    self_name: str | None = None,
    local: frozenset = frozenset(),
) -> None:
    """References, attribute names and calls of ``nodes`` into ``into``.

    In a method, ``self.attr`` (``self_name`` being the first parameter) goes to ``into.self_attrs``.
    Names in ``local`` (a function's parameters and assigned names) shadow the module's.
    """
    for root in nodes:
        for node in ast.walk(root):
            if isinstance(node, ast.Name) and node.id in local:
                continue
            if isinstance(node, ast.Attribute):
                if self_name and isinstance(node.value, ast.Name) and node.value.id == self_name:
                    into.self_attrs.add(node.attr)
                else:
                    into.attrs.add(node.attr)
            key = scope.resolve(node) if isinstance(node, ast.Name | ast.Attribute) else None
            if key:
                into.refs.add(key)
            if isinstance(node, ast.Call):
                target = scope.resolve(node.func)
                if target:
                    into.calls.append((target, frozenset(k.arg for k in node.keywords if k.arg)))
    # a reference that is not the function of a call is a use with no keyword passed
    called = {k for k, _ in into.calls}
    for key in into.refs - called:
        into.calls.append((key, None))


def _function_def(scope: _Scope, key: str, node: ast.FunctionDef, owner: str | None = None) -> _Def:
    d = _Def(key, owner=owner)
    args = node.args
    positional = args.posonlyargs + args.args
    for arg, default in zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True):
        sub = _Def(key)
        _collect(scope, [default], sub)
        d.defaults[arg.arg] = sub.refs
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if default is not None:
            sub = _Def(key)
            _collect(scope, [default], sub)
            d.defaults[arg.arg] = sub.refs
    first = (args.posonlyargs + args.args)[:1]
    static = any(isinstance(x, ast.Name) and x.id == "staticmethod" for x in node.decorator_list)
    self_name = first[0].arg if owner and first and not static else None
    local = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    local |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
            local.add(sub.id)
    _collect(scope, node.body, d, self_name, frozenset(local))
    _collect(scope, node.decorator_list, d)
    return d


def library_graph(helpers: Path = HELPERS) -> dict[str, _Def]:
    """Every module-level name of helpers (and every method) with what its code uses."""
    graph: dict[str, _Def] = {}
    for path in sorted(helpers.glob("*.py")):
        module = path.stem
        tree = ast.parse(path.read_text())
        top = set()
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                top.add(node.name)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                top |= {t.id for t in targets if isinstance(t, ast.Name)}
        scope = _Scope(module, tree, top)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                graph[f"{module}:{node.name}"] = _function_def(scope, f"{module}:{node.name}", node)
            elif isinstance(node, ast.ClassDef):
                cls = _Def(f"{module}:{node.name}")
                cls.bases = [b for b in (scope.resolve(e) for e in node.bases) if b]
                others = [s for s in node.body if not isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)]
                _collect(scope, others + node.bases + node.decorator_list, cls)
                for sub in node.body:
                    if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef):
                        mkey = f"{module}:{node.name}.{sub.name}"
                        cls.methods[sub.name] = mkey
                        graph[mkey] = _function_def(scope, mkey, sub, owner=cls.key)
                graph[cls.key] = cls
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    owner = t if isinstance(t, ast.Name) else getattr(t, "value", None)
                    if isinstance(owner, ast.Name) and owner.id in top:  # NAME = ... or f.attr = ...
                        d = graph.setdefault(f"{module}:{owner.id}", _Def(f"{module}:{owner.id}"))
                        _collect(scope, [node.value] if node.value is not None else [], d)
    return graph


def _methods(graph: dict[str, _Def], cls: str, seen=None) -> dict[str, str]:
    """Methods of ``cls`` and of its helpers base classes (the class's own win)."""
    seen = seen or set()
    if cls in seen or cls not in graph:
        return {}
    seen.add(cls)
    found: dict[str, str] = {}
    for base in graph[cls].bases:
        found.update(_methods(graph, base, seen))
    found.update(graph[cls].methods)
    return found


def _ancestors(graph: dict[str, _Def], cls: str) -> set[str]:
    found, pending = set(), list(graph[cls].bases) if cls in graph else []
    while pending:
        base = pending.pop()
        if base not in found and base in graph:
            found.add(base)
            pending += graph[base].bases
    return found


def reached(code: str, graph: dict[str, _Def] | None = None) -> set[str]:
    """Keys (``module:qualname``) of the helpers code that ``code`` (a notebook's cells) uses."""
    graph = library_graph() if graph is None else graph
    tree = ast.parse(code)
    root = _Def("<notebook>")
    _collect(_Scope(None, tree, set()), [tree], root)
    done: set[str] = set()
    attrs = set(root.attrs)
    uses: list[tuple[str, frozenset[str] | None]] = list(root.calls)
    pending = set(root.refs)
    while True:
        while pending:
            key = pending.pop()
            if key in done or key not in graph:
                continue
            done.add(key)
            d = graph[key]
            attrs |= d.attrs
            uses += d.calls
            pending |= d.refs | set(d.bases)
        # self.attr in a used method: that method of its class, of a base, or of a used subclass
        for key in [k for k in done if graph[k].self_attrs]:
            owner = graph[key].owner
            for cls in [c for c in done if graph[c].methods or graph[c].bases]:
                if cls == owner or owner in _ancestors(graph, cls):
                    found = _methods(graph, cls)
                    pending |= {found[a] for a in graph[key].self_attrs if a in found} - done
        # methods of used classes: by attribute name, dunders always
        for key in [k for k in done if graph[k].methods or graph[k].bases]:
            for name, mkey in _methods(graph, key).items():
                if mkey not in done and (name in attrs or (name.startswith("__") and name.endswith("__"))):
                    pending.add(mkey)
                    if name == "__init__":  # calling the class calls __init__ with the same keywords
                        uses += [(mkey, kw) for k, kw in uses if k == key]
        # parameter defaults: used when some use of the function leaves the parameter out
        for key in list(done):
            for param, refs in graph[key].defaults.items():
                if refs - done and any(k == key and (kw is None or param not in kw) for k, kw in uses):
                    pending |= refs
        if not pending:
            return done


def needed_answers(code: str, graph: dict[str, _Def] | None = None, marks: list[Marked] | None = None):
    """The marked functions that ``code`` uses through the library: ``{name: Marked}``."""
    marks = all_marks() if marks is None else marks
    used = reached(code, graph)
    return {m.name: m for m in marks if f"{m.module}:{m.qualname}" in used}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("dest", type=Path, help="folder to write helpers/ into")
    parser.add_argument("open", nargs="+", help="notebooks whose answers stay hidden, e.g. 04_losses")
    args = parser.parse_args(argv)
    names = write_stripped_helpers(args.dest, args.open)
    print(f"wrote {args.dest / 'helpers'}: {len(names)} stubs: {', '.join(names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
