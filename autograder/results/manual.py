"""Feedback pages with the manual grades: ``python -m autograder feedback OUT``.

After grading, a person grades the written answers (and may override a test's score, and comment)
in nbgrader's formgrader, which writes them into the gradebook. ``rerender`` makes every feedback
page again from the executed notebook in ``OUT/autograded`` and the gradebook's scores: each cell's
score is the manual one where a person gave one, else the autograder's; comments are shown under
their answer; an answer nobody graded yet says "waiting for manual grading" (never 0). The page
goes through the same redaction and sanitizing as at grading (``feedback.redact``/``render_html``).

nbgrader's own ``generate_feedback --force`` would do this too, but its pages show the hidden tests
and tracebacks with the instructor's absolute paths (issue 20, row 2).
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path

import nbformat

from ..errors import GraderError
from ..receive.course import CourseSpec
from . import feedback, history, late
from .scoring import CellResult, NotebookResult


def result_from_entry(student: str, assignment: str, entry: dict) -> NotebookResult:
    """A report.json notebook entry back into a NotebookResult."""
    return NotebookResult(
        student, assignment, entry["notebook"], float(entry["max_score"]),
        cells=[CellResult(**{k: c[k] for k in ("grade_id", "kind", "points", "score", "status", "reason")})
               for c in entry.get("cells", [])],
        problems=list(entry.get("problems", [])), status=entry.get("status", "graded"),
    )  # fmt: skip


def with_gradebook(result: NotebookResult, grades: dict) -> NotebookResult:
    """``result`` with each cell's score as the gradebook has it: manual score, else automatic."""
    cells = []
    for c in result.cells:
        g = grades.get(c.grade_id)
        if g is None:
            cells.append(c)
        elif g.manual_score is not None:
            cells.append(replace(c, score=float(g.manual_score), status="graded by hand", reason=""))
        elif c.kind in ("manual", "task") and c.status != "no_response":
            cells.append(replace(c, score=None, status="manual"))  # waiting for a person
        else:
            cells.append(c)
    return replace(result, cells=cells)


def report_with_gradebook(report: dict, course: CourseSpec) -> dict:
    """A copy of report.json's content with every cell scored as the gradebook has it now (``with_gradebook``).

    What a person gave in formgrader after the grading run (a written answer's score, an override)
    replaces the autograder's value; each notebook's score is summed again. Entries the gradebook
    does not hold (another gradebook, or none) stay as they were.
    """
    import copy

    from nbgrader.api import Gradebook, MissingEntry

    report = copy.deepcopy(report)
    if course.db_url.startswith("sqlite:///") and not Path(course.db_url[len("sqlite:///") :]).is_file():
        return report  # no gradebook to read (nbgrader would create an empty one)
    with Gradebook(course.db_url, course.course_id) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy notes from inside nbgrader's API
        for student, assignment, entry in history.notebook_entries(report):
            try:
                submitted = gb.find_submission_notebook(entry["notebook"], assignment, student)
            except MissingEntry:
                continue
            result = with_gradebook(
                result_from_entry(student, assignment, entry), {g.name: g for g in submitted.grades}
            )
            by_id = {c.grade_id: c for c in result.cells}
            for cell in entry.get("cells", []):
                now = by_id[cell["grade_id"]]
                cell.update(score=now.score, status=now.status, reason=now.reason)
            entry["score"] = result.score
    return report


def rerender(out: Path, course: CourseSpec, keys=None, only_hand_graded: bool = False, policy=None) -> int:
    """Write the feedback page of every notebook in ``out/autograded`` again from the gradebook.

    keys: only these (student, assignment, notebook); only_hand_graded: only notebooks in which a
    person gave a score or a comment. Returns the number of pages written. A notebook that could not
    run (no executed copy) keeps its page: it has nothing to grade by hand. ``policy``: the course's
    ``late.LatePolicy``, to say again how late a hand-in was (the penalty itself is the gradebook's).
    """
    from nbgrader.api import Gradebook, MissingEntry

    out = Path(out)
    report = history.load_report(out / "report.json")
    if not report["students"]:
        raise GraderError(f"no report.json with results in {out}: grade the class into it first")
    written = 0
    with Gradebook(course.db_url, course.course_id) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy notes from inside nbgrader's API
        for student, assignment, entry in history.notebook_entries(report):
            name = entry["notebook"]
            rel = Path(student) / assignment
            executed_path = out / "autograded" / rel / f"{name}.ipynb"
            spec = course.notebook(assignment, name)
            if (keys is not None and (student, assignment, name) not in keys) or spec is None:
                continue
            if not executed_path.is_file():
                continue
            try:
                submitted = gb.find_submission_notebook(name, assignment, student)
            except MissingEntry:
                continue
            grades = {g.name: g for g in submitted.grades}
            comments = {c.name: c.manual_comment or c.auto_comment for c in submitted.comments}
            by_hand = any(g.manual_score is not None for g in grades.values()) or any(
                c.manual_comment for c in submitted.comments
            )
            if only_hand_graded and not by_hand:
                continue
            result = with_gradebook(result_from_entry(student, assignment, entry), grades)
            executed = nbformat.read(str(executed_path), as_version=4)
            safe = feedback.redact(executed, spec, result)
            for cell in safe.cells:
                meta = cell.get("metadata", {}).get("nbgrader") or {}
                if meta.get("grade_id") in comments and (meta.get("solution") or meta.get("task")):
                    meta["comment"] = comments[meta["grade_id"]]
            page = feedback.render_html(safe, result, float(submitted.late_submission_penalty or 0.0))
            if policy is not None:
                page = feedback.add_late_note(
                    page, late.from_submission(submitted.assignment, policy).describe()
                )
            (out / "feedback" / rel).mkdir(parents=True, exist_ok=True)
            (out / "feedback" / rel / f"{name}.html").write_text(page, encoding="utf-8")
            written += 1
    return written
