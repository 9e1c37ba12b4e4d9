"""Notebooks handed in outside any assignment folder, placed by their cells.

An LMS download or a student's own zip often loses the assignment folder: ``ada/04_losses.ipynb``,
``ada/week4/my losses.ipynb``. ``place(intake, source_dir)`` matches each such notebook
(``intake.Stray``) to the course notebook whose nbgrader cells it holds: its cells' ``grade_id``
metadata and nbformat cell ids (which ``generate_assignment`` keeps from source/). When no cell is
recognised, a file name that names exactly one course notebook decides. A match that is unique
becomes (part of) that student's submission, with a trace in ``Submission.renamed``; two notebooks
for the same place are ``Submission.ambiguous``. What cannot be placed is returned as a problem of
the student (``{"student", "kind": "unplaced", "detail"}``), so the student still appears in
grades.csv (0) and report.json says why.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat

from .intake import Intake, Stray, Submission
from .repair import NotANotebook, read_notebook

MAX_BYTES = 50 * 1024 * 1024  # as intake's copy limit: a larger file never reaches this far


def signatures(source_dir: Path, assignments: dict[str, list[str]]) -> dict[tuple[str, str], set[str]]:
    """``{(assignment, notebook): {"grade_id:...", "cell_id:..."}}`` of every nbgrader cell in source/."""
    out = {}
    for assignment, names in assignments.items():
        for name in names:
            nb = nbformat.read(os.fspath(source_dir / assignment / f"{name}.ipynb"), as_version=4)
            marks = set()
            for cell in nb.cells:
                meta = cell.get("metadata", {}).get("nbgrader") or {}
                if meta.get("grade_id"):
                    marks.add(f"grade_id:{meta['grade_id']}")
                    if cell.get("id"):
                        marks.add(f"cell_id:{cell['id']}")
            out[(assignment, name)] = marks
    return out


def _marks(nb) -> set[str]:
    marks = set()
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader") or {}
        if isinstance(meta, dict) and isinstance(meta.get("grade_id"), str):
            marks.add(f"grade_id:{meta['grade_id']}")
        if isinstance(cell.get("id"), str):
            marks.add(f"cell_id:{cell['id']}")
    return marks


def match(stray: Stray, known: dict[tuple[str, str], set[str]]) -> tuple[tuple[str, str] | None, str]:
    """The course notebook ``stray`` is, and how that was found; or None and why it cannot be placed."""
    try:
        if stray.path.stat().st_size > MAX_BYTES:
            return None, f"{stray.shown}: larger than {MAX_BYTES} bytes"
        nb = read_notebook(stray.path.read_bytes())
    except (NotANotebook, OSError) as err:
        return None, f"{stray.shown} is outside any assignment folder and cannot be read: {err}"
    marks = _marks(nb)
    hits = {place: len(marks & sig) for place, sig in known.items()}
    best = max(hits.values(), default=0)
    if best:
        tied = sorted(f"{a}/{n}" for (a, n), h in hits.items() if h == best)
        if len(tied) == 1:
            place = next(p for p, h in hits.items() if h == best)
            return place, f"its cells are those of {place[0]}/{place[1]}"
        return None, (
            f"{stray.shown} is outside any assignment folder, and its cells match "
            f"{' and '.join(tied)} equally: put it in its assignment's folder"
        )
    named = [place for place in known if place[1] in stray.path.stem]
    if len(named) == 1:
        return named[0], f"its name says {named[0][1]} (no cell of the course notebook was recognised)"
    return None, (
        f"{stray.shown} is outside any assignment folder and matches no notebook of this course "
        "(none of its cells are a course notebook's): put it in its assignment's folder"
    )


def place(intake: Intake, source_dir: Path, assignments: dict[str, list[str]]) -> list[dict]:
    """Add every placeable stray of ``intake`` to its student's submissions; return the unplaced."""
    if not intake.strays:
        return []
    known = signatures(source_dir, assignments)
    subs = {(s.student, s.assignment): s for s in intake.submissions}
    unplaced, found = [], {}
    for stray in intake.strays:
        where, how = match(stray, known)
        if where is None:
            unplaced.append({"student": stray.student, "kind": "unplaced", "detail": how})
        else:
            found.setdefault((stray.student, *where), []).append((stray, how))
    for (student, assignment, name), strays in sorted(found.items(), key=lambda kv: kv[0]):
        sub = subs.get((student, assignment))
        if sub is None:
            sub = Submission(student=student, assignment=assignment, folder=strays[0][0].path.parent)
            subs[(student, assignment)] = sub
            intake.submissions.append(sub)
        shown = [s.shown for s, _ in strays]
        if name in sub.notebooks or name in sub.ambiguous:
            sub.warnings += [
                f"{s}: ignored ({assignment}/{name}.ipynb was handed in in its folder)" for s in shown
            ]
        elif len(strays) == 1:
            sub.notebooks[name] = strays[0][0].path
            sub.renamed[name] = (
                f"{shown[0]} (outside the assignment folder) was graded as {assignment}/{name}.ipynb: "
                f"{strays[0][1]}"
            )
        else:
            sub.ambiguous[name] = (
                f"{name}.ipynb was not handed in in {assignment}/, and {len(shown)} notebooks outside it "
                f"could stand in for it: {', '.join(shown[:-1])} and {shown[-1]}; put the one to grade "
                f"in {assignment}/{name}.ipynb and hand in again"
            )
    intake.submissions.sort(key=lambda s: (s.student, s.assignment))
    return unplaced
