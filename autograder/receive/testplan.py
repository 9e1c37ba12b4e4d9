"""What the trusted evaluator runs for one notebook: ``plan(source_nb, tests)``, from source/ only.

``plan(source_nb)`` decides what the evaluator runs (from source/, never from the hand-in):

* every graded test cell, with its hidden part;
* the statements of the instructor's other cells (locked and ordinary cells, never solution cells)
  that define a name the tests need, directly or through another such statement; an import keeps
  only the names needed. So it skips what only draws or explores (figures, widgets, timing loops),
  which keeps it cheap;
* for each of these, the names of the notebook's solution cells it uses: the evaluator binds each to
  a proxy of the student's function (or to a plain copy of the student's value) right before;
* each test cell's source split into its visible and hidden parts, in order (``parts``): the evaluator
  runs them one after the other and tells the student's side which calls come from a hidden check,
  so that nothing the student's code prints during one reaches the student (see ``split_hidden``).
"""

from __future__ import annotations

import ast
import copy

from .course import HIDDEN_BEGIN, HIDDEN_END, cell_kind


def _names(node, ctx) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}


def _defined(stmt) -> set[str]:
    """Names a top-level statement binds or changes (``x[...] = `` and ``x.a = `` change ``x``)."""
    out = set()
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {stmt.name}
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        return {(a.asname or a.name).split(".")[0] for a in stmt.names}
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            out.add(node.id)
        elif isinstance(node, ast.Subscript | ast.Attribute) and isinstance(node.ctx, ast.Store | ast.Del):
            base = node.value
            while isinstance(base, ast.Subscript | ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name):
                out.add(base.id)
    return out


def _used(node) -> set[str]:
    """Names a statement or cell reads that it does not bind itself (its free names, roughly)."""
    bound = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            bound.add(n.id)
        elif isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(n.name)
        elif isinstance(n, ast.arg):
            bound.add(n.arg)
        elif isinstance(n, ast.Import | ast.ImportFrom):
            bound |= {(a.asname or a.name).split(".")[0] for a in n.names}
    return _names(node, ast.Load) - bound


def _solution_names(tree) -> set[str]:
    out = set()
    for stmt in tree.body:
        if not isinstance(stmt, ast.Import | ast.ImportFrom):
            out |= _defined(stmt)
    return out


def _parse(source: str):
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


def split_hidden(source: str) -> list[dict]:
    """A test cell's source as its visible and hidden parts, in order (the marker lines dropped).

    Each part is ``{"source": text, "hidden": bool, "first": n}``, ``n`` the 1-based line of the cell
    where the part starts, so that errors name the cell's own line numbers (the feedback tells a
    visible line from a hidden one by them). A hidden region inside a compound statement (a marker
    indented in a loop) cannot run as parts of its own: then the whole cell is one hidden part, whose
    output the student never sees either.
    """
    parts: list[dict] = []
    hidden = False
    for n, line in enumerate(source.split("\n"), start=1):
        if HIDDEN_BEGIN in line or HIDDEN_END in line:
            hidden = HIDDEN_BEGIN in line
            continue
        if not parts or parts[-1]["hidden"] != hidden or parts[-1]["end"] != n - 1:
            parts.append({"lines": [], "hidden": hidden, "first": n, "end": n - 1})
        parts[-1]["lines"].append(line)
        parts[-1]["end"] = n
    out = []
    for part in parts:
        text = "\n".join(part["lines"])
        tree = _parse(text)
        if tree is None:
            return [{"source": source, "hidden": any(p["hidden"] for p in parts), "first": 1}]
        if tree.body:  # a part of only comments or blank lines runs nothing
            out.append({"source": text, "hidden": part["hidden"], "first": part["first"]})
    return out


def plan(source_nb, test_sources: dict[str, str] | None = None) -> dict:
    """The evaluator's job for one notebook of source/ (see the module docstring).

    ``test_sources`` (grade_id -> source, from the gradebook) overrides the test cells' text.
    """
    cells = []
    for cell in source_nb.cells:
        if cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader") or {}
        kind = cell_kind(meta) if meta else None
        if kind == "test":
            source = (test_sources or {}).get(meta["grade_id"], cell.source)
        else:
            source = cell.source
        cells.append((kind, meta.get("grade_id"), source, _parse(source)))
    solution = set()
    for kind, _, _, tree in cells:
        if kind in ("answer", "manual") and tree is not None:
            solution |= _solution_names(tree)
    for kind, _, _, tree in cells:
        if kind not in ("answer", "manual") and tree is not None:
            for stmt in tree.body:
                solution -= _defined(stmt)

    needed: set[str] = set()
    picked: list[tuple] = []
    for kind, gid, source, tree in reversed(cells):
        if kind in ("answer", "manual", "task"):
            continue
        if kind == "test":
            picked.append(("test", gid, source, _used(tree) if tree is not None else set()))
            if tree is not None:
                needed |= _used(tree)
            continue
        if tree is None:
            continue
        keep = []
        for stmt in reversed(tree.body):
            defines = _defined(stmt) & needed
            if not defines:
                continue
            if isinstance(stmt, ast.Import | ast.ImportFrom):
                stmt = copy.deepcopy(stmt)
                stmt.names = [a for a in stmt.names if (a.asname or a.name).split(".")[0] in needed]
            keep.append(stmt)
            needed |= _used(stmt)
        if keep:
            body = ast.Module(body=list(reversed(keep)), type_ignores=[])
            picked.append(("setup", gid, ast.unparse(body), _used(body)))
    out, seen_names = [], set()
    for kind, gid, source, used in reversed(picked):
        seen_names |= used & solution
        entry = {"kind": kind, "source": source, "names": sorted(seen_names)}
        if kind == "test":
            entry["grade_id"] = gid
            entry["parts"] = split_hidden(source)
        else:
            entry["label"] = gid or "setup"
        out.append(entry)
    return {"cells": out, "solution_names": sorted(solution)}
