"""Regrades that lose nothing, and what changed since the last grading.

A run into an existing OUT grades some hand-ins; ``report.json`` must still hold everyone else.
Every nbgrader hand-in is one (student, assignment) with all its notebooks graded together, so a run
replaces exactly the (student, assignment) entries it graded and keeps the others from the previous
report (``merge``).

Each graded notebook's entry carries two fingerprints, so the next run can say *why* a score moved:

* ``tests_hash``: per graded cell (grade_id -> sha256 of its source as recorded from source/, hidden
  tests included, and its points); a change means the instructor changed that test;
* ``handin_hash``: sha256 of the handed-in notebook's bytes (``None`` when nothing was handed in).

``changes`` compares the previous and the new entry cell by cell; ``OUT/changes.json`` holds the list,
``changes_table`` the few lines printed after a run.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..receive.course import NotebookSpec
from ..receive.intake import printable

GRADED_KINDS = ("test", "manual", "task")
NAME = "changes.json"


def tests_hashes(spec: NotebookSpec) -> dict[str, str]:
    """grade_id -> sha256 of a graded cell's recorded source and points."""
    return {
        c.grade_id: hashlib.sha256(json.dumps([c.source, c.points]).encode()).hexdigest()
        for c in spec.cells
        if c.kind in GRADED_KINDS
    }


def load_report(path: Path) -> dict:
    """The previous report.json, or an empty one (first run, or a file that is not a report)."""
    try:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"students": []}
    if not isinstance(report, dict) or not isinstance(report.get("students"), list):
        return {"students": []}
    return report


def annotate(report: dict, specs: dict, handin_hashes: dict) -> None:
    """Add ``tests_hash`` and ``handin_hash`` to every notebook entry of this run's report.

    specs: (assignment, notebook) -> NotebookSpec; handin_hashes: (student, assignment, notebook) -> sha.
    """
    for student, assignment, entry in notebook_entries(report):
        spec = specs.get((assignment, entry["notebook"]))
        entry["tests_hash"] = tests_hashes(spec) if spec is not None else {}
        entry["handin_hash"] = handin_hashes.get((student, assignment, entry["notebook"]))


def notebook_entries(report: dict):
    """Yield (student, assignment, notebook entry) for every notebook of a report."""
    for s in report.get("students", []):
        for assignment, a in s.get("assignments", {}).items():
            for entry in a.get("notebooks", []):
                yield s["student_id"], assignment, entry


def merge(current: dict, previous: dict) -> dict:
    """``current`` plus every (student, assignment) of ``previous`` that this run did not grade.

    Totals per student are recomputed from their assignments; students stay sorted by id.
    """
    students = {s["student_id"]: s for s in current.get("students", [])}
    for old in previous.get("students", []):
        sid = old.get("student_id")
        if not isinstance(sid, str):
            continue
        if sid not in students:  # not graded now: the student's own problems (unplaced hand-ins) stay too
            students[sid] = {"student_id": sid, "score": 0.0, "max_score": 0.0, "assignments": {},
                             "problems": list(old.get("problems") or [])}  # fmt: skip
        new = students[sid]
        for assignment, entry in old.get("assignments", {}).items():
            new["assignments"].setdefault(assignment, entry)
    for s in students.values():
        s["assignments"] = dict(sorted(s["assignments"].items()))
        s["score"] = float(sum(a.get("score", 0.0) for a in s["assignments"].values()))
        s["max_score"] = float(sum(a.get("max_score", 0.0) for a in s["assignments"].values()))
    current["students"] = [students[k] for k in sorted(students)]
    return current


def _why(old: dict, new: dict, grade_id: str) -> str:
    test = (old.get("tests_hash") or {}).get(grade_id) != (new.get("tests_hash") or {}).get(grade_id)
    handin = old.get("handin_hash") != new.get("handin_hash")
    if "tests_hash" not in old:  # graded by a grader that kept no fingerprints
        return "unknown (the previous grading kept no fingerprints)"
    if test and handin:
        return "test and hand-in changed"
    if test:
        return "test changed"
    if handin:
        return "hand-in changed"
    return "grader or limits changed (same test, same hand-in)"


def changes(previous: dict, current: dict) -> list[dict]:
    """Every (student, assignment, notebook, exercise) graded in both whose score or maximum changed.

    An exercise is a graded cell (its grade_id); ``old``/``new`` are ``None`` where the cell did not
    exist (a test added or removed) or waits for a manual grade.
    """
    before = {(s, a, e["notebook"]): e for s, a, e in notebook_entries(previous)}
    rows = []
    for student, assignment, new in notebook_entries(current):
        old = before.get((student, assignment, new["notebook"]))
        if old is None:
            continue
        old_cells = {c["grade_id"]: c for c in old.get("cells", [])}
        new_cells = {c["grade_id"]: c for c in new.get("cells", [])}
        for gid in sorted(set(old_cells) | set(new_cells)):
            o, n = old_cells.get(gid, {}), new_cells.get(gid, {})
            pair = (o.get("score"), o.get("points")), (n.get("score"), n.get("points"))
            if pair[0] == pair[1]:
                continue
            rows.append(
                {
                    "student": student,
                    "assignment": assignment,
                    "notebook": new["notebook"],
                    "exercise": gid,
                    "old": o.get("score"),
                    "old_max": o.get("points"),
                    "new": n.get("score"),
                    "new_max": n.get("points"),
                    "why": _why(old, new, gid),
                }
            )
    return rows


def write_changes(path: Path, rows: list[dict]) -> None:
    Path(path).write_text(json.dumps({"changes": rows}, indent=1) + "\n", encoding="utf-8")


def _score(value, most) -> str:
    if value is None and most is None:
        return "-"
    shown = "manual" if value is None else f"{value:g}"
    return f"{shown} / {most:g}" if most is not None else shown


def changes_table(rows: list[dict]) -> str:
    """The lines printed after a run: one per changed exercise, old -> new and why."""
    if not rows:
        return "No score changed since the last grading."
    table = [("student", "notebook", "exercise", "old -> new", "why")]
    for r in rows:
        change = f"{_score(r['old'], r['old_max'])} -> {_score(r['new'], r['new_max'])}"
        table.append((r["student"], r["notebook"], r["exercise"], change, r["why"]))
    table = [tuple(printable(str(cell)) for cell in row) for row in table]  # nothing may drive the terminal
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    lines = [f"Scores changed since the last grading ({len(rows)}, in {NAME}):"]
    for n, row in enumerate(table):
        lines.append("  ".join(row[i].ljust(widths[i]) for i in range(4)) + "  " + row[4])
        if n == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 3)
    return "\n".join(lines)
