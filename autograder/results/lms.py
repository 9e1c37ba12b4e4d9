"""Grades for a learning-management system: ``python -m autograder export OUT --format canvas|moodle|csv``.

Read from the gradebook (so manual grades from formgrader and late penalties are in), matched to the
LMS through the roster (``results/roster.py``), written in the layout each importer takes as is:

* ``canvas``: Canvas's gradebook import (``Student, ID, SIS User ID, SIS Login ID, Section``, then one
  column per assignment, ``Title (canvas id)`` when the roster gives the id, else the title; the
  second row ``Points Possible``);
* ``moodle``: Moodle's grade import (CSV): ``Full name, ID number, Email address``, one grade column
  per assignment, with ``--feedback-url`` one ``<title> feedback`` column per assignment that says
  where each feedback page is;
* ``csv``: nbgrader's long format (grades.csv), rewritten from the gradebook.

Scores are after the late penalty, rounded to 2 decimals. A student with no submission for an
assignment gets a blank cell (both importers leave the LMS's grade as it is), or 0 with ``missing="zero"``.
Without a roster, one is made from the gradebook: the course id as Canvas's SIS Login ID and
Moodle's ID number, the gradebook's names and e-mails.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from . import export, history
from .roster import LmsAssignment, Roster, RosterError, Student, check_covers

CANVAS_STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_STUDENT_COLUMNS = ["Full name", "ID number", "Email address"]
FORMATS = ("canvas", "moodle", "csv")
DEFAULT_NAMES = {"canvas": "canvas-grades.csv", "moodle": "moodle-grades.csv", "csv": "grades.csv"}


@dataclass
class Grades:
    """What the gradebook holds for an export."""

    assignments: list[str]  # graded assignments, in the gradebook's order (due date, then name)
    max_scores: dict[str, float]
    scores: dict[tuple[str, str], float]  # (student, assignment) -> score after the late penalty
    students: dict[str, Student]  # every student of the gradebook, as a roster would give them
    submitted: set[tuple[str, str]]


def read_grades(db_url: str, course_id: str) -> Grades:
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gb:
        assignments = [a for a in gb.assignments if a.submissions]
        grades = Grades(
            [a.name for a in assignments], {a.name: float(a.max_score) for a in assignments}, {}, {}, set()
        )
        for s in gb.students:
            full = ", ".join(p for p in (s.last_name, s.first_name) if p) or s.id
            grades.students[s.id] = Student(s.id, full, s.email or "", sis_login_id=s.id, id_number=s.id)
        for a in assignments:
            for sub in a.submissions:
                key = (sub.student.id, a.name)
                grades.submitted.add(key)
                grades.scores[key] = max(0.0, float(sub.score) - float(sub.late_submission_penalty or 0.0))
    return grades


def number(x: float) -> str:
    """``5``, ``4.5``, ``0.33``: a score as the importers read it (a dot, no thousands separator)."""
    return f"{round(x, 2):.2f}".rstrip("0").rstrip(".")


def cell(grades: Grades, student: str, assignment: str, missing: str) -> str:
    if (student, assignment) in grades.submitted:
        return number(grades.scores[(student, assignment)])
    return "0" if missing == "zero" else ""


def lms_assignment(roster: Roster, name: str) -> LmsAssignment:
    return roster.assignments.get(name) or LmsAssignment(name, name)


def rows_in_order(roster: Roster, grades: Grades, allow_unlisted: bool) -> tuple[list[Student], list[str]]:
    """The roster's students (roster order) and the warnings, after :func:`roster.check_covers`."""
    graded = sorted({s for s, _ in grades.submitted})
    warnings = check_covers(roster, graded, grades.assignments, allow_unlisted)
    return roster.students, warnings


def canvas_rows(
    roster: Roster, grades: Grades, missing: str, allow_unlisted: bool
) -> tuple[list[list[str]], list[str]]:
    students, warnings = rows_in_order(roster, grades, allow_unlisted)
    titles = []
    for name in grades.assignments:
        a = lms_assignment(roster, name)
        titles.append(f"{a.title} ({a.canvas_id})" if a.canvas_id else a.title)
    rows = [CANVAS_STUDENT_COLUMNS + titles]
    rows.append(
        ["    Points Possible", "", "", "", ""] + [number(grades.max_scores[a]) for a in grades.assignments]
    )
    for s in students:
        fixed = [s.name or s.student_id, s.canvas_id, s.sis_user_id, s.sis_login_id, s.section]
        rows.append(fixed + [cell(grades, s.student_id, a, missing) for a in grades.assignments])
    return rows, warnings


def moodle_rows(
    roster: Roster, grades: Grades, missing: str, allow_unlisted: bool, feedback: dict | None
) -> tuple[list[list[str]], list[str]]:
    """``feedback``: ``{(student, assignment): text}`` (the pages' addresses) or None for no such column."""
    students, warnings = rows_in_order(roster, grades, allow_unlisted)
    unmappable = [s.student_id for s in students if not (s.email or s.id_number)]
    if unmappable:
        raise RosterError(
            f"Moodle maps a row by e-mail or ID number; these students have neither: {', '.join(unmappable)}"
        )
    titles = [lms_assignment(roster, a).title for a in grades.assignments]
    header = MOODLE_STUDENT_COLUMNS + titles
    if feedback is not None:
        header += [f"{t} feedback" for t in titles]
    rows = [header]
    for s in students:
        row = [s.name or s.student_id, s.id_number, s.email]
        row += [cell(grades, s.student_id, a, missing) for a in grades.assignments]
        if feedback is not None:
            row += [feedback.get((s.student_id, a), "") for a in grades.assignments]
        rows.append(row)
    return rows, warnings


def feedback_links(out: Path, base_url: str) -> dict[tuple[str, str], str]:
    """``{(student, assignment): "BASE/student/assignment/nb.html ..."}`` for every page in ``OUT/feedback``."""
    links: dict[tuple[str, str], list[str]] = {}
    root = out / "feedback"
    for page in sorted(root.glob("*/*/*.html")):
        student, assignment = page.parent.parent.name, page.parent.name
        links.setdefault((student, assignment), []).append(
            f"{base_url.rstrip('/')}/{student}/{assignment}/{page.name}"
        )
    return {k: " ".join(v) for k, v in links.items()}


def course_id_of(out: Path) -> str:
    report = out / "report.json"
    if not report.is_file():
        raise RosterError(
            f"{out} has no report.json: grade into it first (python -m autograder grade ... --out {out})"
        )
    return json.loads(report.read_text())["course_id"]


def export_grades(
    out: Path,
    fmt: str,
    *,
    to: Path | None = None,
    roster: Roster | None = None,
    db_url: str | None = None,
    missing: str = "blank",
    allow_unlisted: bool = False,
    feedback_url: str | None = None,
) -> tuple[Path, list[str]]:
    """Write the ``fmt`` file for the graded folder ``out``; return its path and the warnings."""
    out = Path(out)
    if fmt not in FORMATS:
        raise RosterError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    course_id = course_id_of(out)
    db_url = db_url or f"sqlite:///{(out / 'gradebook.db').resolve()}"
    to = Path(to) if to else out / DEFAULT_NAMES[fmt]
    if fmt == "csv":
        export.export_csv(
            db_url, course_id, to, export.problem_notes(history.load_report(out / "report.json"))
        )
        return to, []
    grades = read_grades(db_url, course_id)
    roster = roster or Roster(students=[grades.students[s] for s in sorted(grades.students)])
    if fmt == "canvas":
        rows, warnings = canvas_rows(roster, grades, missing, allow_unlisted)
    else:
        links = feedback_links(out, feedback_url) if feedback_url else None
        rows, warnings = moodle_rows(roster, grades, missing, allow_unlisted, links)
    to.parent.mkdir(parents=True, exist_ok=True)
    with open(to, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return to, warnings
