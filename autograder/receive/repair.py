"""Prepare a submitted notebook for grading: restore what the student must not change.

nbgrader's ``OverwriteCells`` restores an edited locked cell from the gradebook, but it crashes the
whole student on tampered metadata ('Inconsistent checksums'), silently skips a deleted test cell,
keeps a test cell the student moved above its answer, and grades nothing when a test cell was turned
into markdown. :func:`prepare` handles all of these from the same gradebook records:

1. every cell is matched to a gradebook cell by its ``grade_id``, else by its nbformat cell id (kept
   from source/), else (locked cells only) by its text;
2. matched cells get canonical nbgrader metadata and type back; locked cells (tests, read-only text)
   get the gradebook source back (hidden tests included); answers keep the student's source;
3. duplicates of a graded cell lose their grading role (duplicated test cells are dropped);
4. every test cell is placed after the cells it follows in source/ (re-inserted if it was deleted,
   moved back if it was moved above its answer).

Each change is reported as an :class:`Event` so report.json can say what was repaired.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import nbformat
from nbformat.notebooknode import NotebookNode

from .course import CellSpec, NotebookSpec, cell_kind


@dataclass(frozen=True)
class Event:
    kind: str  # restored | reinserted | moved | retyped | metadata | duplicate | unknown_cell
    grade_id: str | None
    detail: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "grade_id": self.grade_id, "detail": self.detail}


class NotANotebook(ValueError):
    """The file cannot be graded as this notebook (not JSON, not a notebook, another notebook)."""


def read_notebook(data: bytes) -> NotebookNode:
    """Parse and validate a submitted file; raise NotANotebook with a readable reason."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise NotANotebook(f"not a text file (UTF-8 decoding failed at byte {err.start})") from None
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as err:  # nbformat raises several types for non-JSON / non-notebook input
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise NotANotebook(f"not a Jupyter notebook: {reason[:200]}") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotANotebook("not a Jupyter notebook: no list of cells")
    for i, cell in enumerate(nb.cells):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise NotANotebook(f"not a Jupyter notebook: cell {i} has no valid cell_type")
        src = cell.get("source", "")
        if isinstance(src, list):
            cell["source"] = "".join(str(s) for s in src)
        elif not isinstance(src, str):
            raise NotANotebook(f"not a Jupyter notebook: cell {i} has an invalid source")
        if not isinstance(cell.get("metadata", {}), dict):
            cell["metadata"] = NotebookNode()
        cell.setdefault("metadata", NotebookNode())
    return nb


def canonical_metadata(spec: CellSpec) -> dict:
    meta = {
        "grade": spec.kind in ("test", "manual"),
        "grade_id": spec.grade_id,
        "locked": spec.kind in ("test", "readonly"),
        "schema_version": 3,
        "solution": spec.kind in ("answer", "manual"),
    }
    if spec.kind == "task":
        meta.update(grade=False, solution=False, locked=True, task=True)
    if spec.kind in ("test", "manual", "task"):
        meta["points"] = spec.points or 0.0
    if spec.checksum:
        meta["checksum"] = spec.checksum
    return meta


def _new_cell(spec: CellSpec, source: str) -> NotebookNode:
    if spec.cell_type == "code":
        cell = nbformat.v4.new_code_cell(source)
    else:
        cell = nbformat.v4.new_markdown_cell(source)
    if spec.cell_id:
        cell["id"] = spec.cell_id
    cell.metadata["nbgrader"] = canonical_metadata(spec)
    if spec.kind in ("test", "readonly"):
        cell.metadata["editable"] = False
        cell.metadata["deletable"] = False
    return cell


def fingerprint(nb: NotebookNode, spec: NotebookSpec) -> int:
    """How many of the notebook's cells are recognisably this notebook's graded cells."""
    ids = {c.grade_id for c in spec.cells}
    cell_ids = {c.cell_id for c in spec.cells if c.cell_id}
    texts = {c.release_source.strip() for c in spec.cells if c.kind in ("test", "readonly")}
    hits = 0
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
        if (
            meta.get("grade_id") in ids
            or cell.get("id") in cell_ids
            or cell.get("source", "").strip() in texts
        ):
            hits += 1
    return hits


def prepare(nb: NotebookNode, spec: NotebookSpec) -> tuple[NotebookNode, list[Event]]:
    """Return the notebook to execute (tests restored and in place) and the repairs made."""
    events: list[Event] = []
    specs = spec.by_id()
    by_cell_id = {c.cell_id: c for c in spec.cells if c.cell_id}
    by_text: dict[str, CellSpec] = {}
    for c in spec.cells:
        if c.kind in ("test", "readonly"):
            by_text.setdefault(c.release_source.strip(), c)
            by_text.setdefault(c.source.strip(), c)

    cells = [copy.deepcopy(c) for c in nb.cells]
    for cell in cells:  # outputs from the student's session are never trusted
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None

    # 1. claim: grade_id first, then cell id, then text (locked cells only)
    claim: list[CellSpec | None] = [None] * len(cells)
    taken: dict[str, int] = {}
    for rule in ("grade_id", "cell_id", "text"):
        for i, cell in enumerate(cells):
            if claim[i] is not None:
                continue
            meta = cell.get("metadata", {}).get("nbgrader") or {}
            if rule == "grade_id":
                candidate = specs.get(meta.get("grade_id"))
            elif rule == "cell_id":
                candidate = by_cell_id.get(cell.get("id"))
            else:
                candidate = by_text.get(cell.get("source", "").strip())
            if candidate is None:
                continue
            if candidate.grade_id in taken:
                if rule == "grade_id":
                    claim[i] = "duplicate"  # type: ignore[assignment]
                continue
            claim[i] = candidate
            taken[candidate.grade_id] = i

    # 2. canonicalise claimed cells, demote duplicates and unknown nbgrader cells
    kept: list[tuple[NotebookNode, CellSpec | None]] = []
    for cell, c in zip(cells, claim, strict=True):
        meta = cell.get("metadata", {}).get("nbgrader")
        if c == "duplicate":
            gid = meta.get("grade_id")
            if specs[gid].kind in ("test", "readonly"):
                events.append(Event("duplicate", gid, "duplicated locked cell removed"))
                continue
            cell.metadata.pop("nbgrader", None)
            events.append(Event("duplicate", gid, "duplicated cell kept as an ordinary cell, not graded"))
            kept.append((cell, None))
            continue
        if c is None:
            if meta is not None:
                cell.metadata.pop("nbgrader", None)
                gid = meta.get("grade_id") if isinstance(meta, dict) else None
                if cell_kind(meta if isinstance(meta, dict) else {}) is not None:
                    events.append(Event("unknown_cell", gid, "cell with an unknown grade_id is not graded"))
            kept.append((cell, None))
            continue
        kept.append((_canonicalise(cell, c, events), c))

    # 3. put every test cell after what precedes it in source/
    kept = _place_tests(kept, spec, events)
    out = copy.deepcopy(nb)
    out.cells = [cell for cell, _ in kept]
    seen: set[str] = set()
    for n, cell in enumerate(out.cells):  # duplicated cells carry duplicated ids
        if cell.get("id") in seen or not cell.get("id"):
            cell["id"] = f"ag-{n}"
        seen.add(cell["id"])
    for key in ("widgets",):
        out.metadata.pop(key, None)
    return out, events


def _canonicalise(cell: NotebookNode, c: CellSpec, events: list[Event]) -> NotebookNode:
    meta = cell.get("metadata", {}).get("nbgrader") or {}
    wanted = canonical_metadata(c)
    if c.kind in ("test", "readonly", "task"):
        restored = _new_cell(c, c.source)
        if cell.get("id") and not c.cell_id:
            restored["id"] = cell["id"]
        if cell.get("cell_type") != c.cell_type:
            events.append(
                Event("retyped", c.grade_id, f"{cell.get('cell_type')} cell turned back into {c.cell_type}")
            )
        elif cell.get("source", "").strip() not in (c.source.strip(), c.release_source.strip()):
            events.append(Event("restored", c.grade_id, "edited locked cell restored from the gradebook"))
        if _meta_changed(meta, wanted):
            events.append(Event("metadata", c.grade_id, "nbgrader metadata repaired from the gradebook"))
        return restored
    source = cell.get("source", "")
    if cell.get("cell_type") != c.cell_type:
        events.append(
            Event("retyped", c.grade_id, f"{cell.get('cell_type')} cell turned back into {c.cell_type}")
        )
        fresh = _new_cell(c, source)
        if cell.get("id"):
            fresh["id"] = cell["id"]
        return fresh
    if _meta_changed(meta, wanted):
        events.append(Event("metadata", c.grade_id, "nbgrader metadata repaired from the gradebook"))
    cell.metadata["nbgrader"] = wanted
    return cell


def _meta_changed(meta: dict, wanted: dict) -> bool:
    def norm(m: dict) -> tuple:
        points = m.get("points")
        try:
            points = None if points is None else float(points)
        except (TypeError, ValueError):
            points = "invalid"
        return (
            bool(m.get("grade")),
            m.get("grade_id"),
            bool(m.get("locked")),
            bool(m.get("solution")),
            points,
            bool(m.get("task")),
        )

    return not isinstance(meta, dict) or norm(meta) != norm(wanted)


def _place_tests(kept, spec: NotebookSpec, events: list[Event]):
    order = [c.grade_id for c in spec.cells]
    for idx, c in enumerate(spec.cells):
        if c.kind != "test":
            continue
        pos = {s.grade_id: i for i, (_, s) in enumerate(kept) if s is not None}
        here = pos.get(c.grade_id)
        prev = next((pos[g] for g in reversed(order[:idx]) if g in pos), None)
        if here is not None and (prev is None or here > prev):
            continue
        if here is not None:
            cell = kept.pop(here)[0]
            events.append(Event("moved", c.grade_id, "test cell moved back below the cells it tests"))
            if prev is not None and prev > here:
                prev -= 1
        else:
            cell = _new_cell(c, c.source)
            events.append(Event("reinserted", c.grade_id, "deleted test cell re-inserted from the gradebook"))
        pos = {s.grade_id: i for i, (_, s) in enumerate(kept) if s is not None}
        following = [pos[g] for g in order[idx + 1 :] if g in pos and (prev is None or pos[g] > prev)]
        if following:
            at = min(following)
        elif prev is not None:
            at = prev + 1
        else:
            at = len(kept)
        kept.insert(at, (cell, c))
    return kept
