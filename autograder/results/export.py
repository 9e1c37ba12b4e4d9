"""Write the results: gradebook rows, grades.csv (nbgrader's exporter), report.json, summary table.

All gradebook writes happen here, in one session, after grading (the workers never touch the
database). Rows are written the way nbgrader's ``SaveAutoGrades`` writes them (``auto_score``,
``needs_manual_grade``, the "No response." auto comment), so ``nbgrader formgrader`` and
``nbgrader export`` work on the same database afterwards. grades.csv has the rows and columns of
nbgrader's ``CsvExportPlugin``, with its fields quoted where needed, and one last column,
``problems``: why a row's score is what it is when something went wrong (from report.json).
"""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

from ..receive.intake import printable
from . import late as late_penalty
from .scoring import NotebookResult

CSV_COLUMNS = [
    "assignment",
    "duedate",
    "timestamp",
    "student_id",
    "last_name",
    "first_name",
    "email",
    "raw_score",
    "late_submission_penalty",
    "score",
    "max_score",
]
PROBLEMS = "problems"  # grades.csv's last column, after nbgrader's
NOT_HANDED_IN = "not handed in"
NOTE_LIMIT = 300  # characters of one problem's detail in grades.csv (report.json has it whole)


def save_to_gradebook(
    db_url: str,
    course_id: str,
    results: list[NotebookResult],
    timestamps: dict,
    lateness: dict | None = None,
    carried: dict | None = None,
) -> dict:
    """Record every result; return ``{(student, assignment): late_penalty}``.

    ``lateness`` (``results.late.assess``): each submission's late fraction, written as nbgrader's
    ``late_submission_penalty`` of each notebook (that fraction of the notebook's score, manual grades
    included) and its extension as nbgrader's ``SubmittedAssignment.extension``. ``carried``
    (``CourseSpec.carried``): a person's grades and comments put back into new submissions, before
    the penalty is computed.
    """
    from nbgrader.api import Gradebook

    penalties, carried = {}, carried or {}
    by_submission: dict[tuple[str, str], list[NotebookResult]] = {}
    for r in results:
        by_submission.setdefault((r.student, r.assignment), []).append(r)
    with Gradebook(db_url, course_id) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy autoflush notes from inside nbgrader's API
        for (student, assignment), notebooks in sorted(by_submission.items()):
            gb.update_or_create_student(student)
            kwargs = {}
            if timestamps.get((student, assignment)):
                kwargs["timestamp"] = timestamps[(student, assignment)]
            try:
                submission = gb.update_or_create_submission(assignment, student, **kwargs)
            except Exception:  # an unparsable timestamp.txt must not stop grading
                submission = gb.update_or_create_submission(assignment, student)
            for snb in submission.notebooks:
                result = next((r for r in notebooks if r.notebook == snb.name), None)
                cells = {c.grade_id: c for c in result.cells} if result else {}
                for grade in snb.grades:
                    kept = carried.get((student, assignment, snb.name, grade.name), {})
                    if kept.get("manual_score") is not None:  # its points may have shrunk since
                        grade.manual_score = min(float(kept["manual_score"]), grade.max_score)
                    if kept.get("extra_credit"):
                        grade.extra_credit = float(kept["extra_credit"])
                    cell = cells.get(grade.name)
                    grade.auto_score = None if cell is None else cell.score
                    if cell is None:
                        grade.auto_score = 0.0
                    grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
                for comment in snb.comments:
                    kept = carried.get((student, assignment, snb.name, comment.name), {})
                    if kept.get("manual_comment"):
                        comment.manual_comment = kept["manual_comment"]
                    cell = cells.get(comment.name)
                    comment.auto_comment = "No response." if cell and cell.status == "no_response" else None
                late_penalty.record(submission, snb, (lateness or {}).get((student, assignment)))
            gb.db.commit()
            penalties[(student, assignment)] = float(
                sum(nb.late_submission_penalty or 0 for nb in submission.notebooks)
            )
    return penalties


def record_students(db_url: str, course_id: str, students: list[str]) -> None:
    """Put ``students`` in the gradebook (no submission): grades.csv then has their rows, with 0.

    For a student whose hand-in no assignment could take (``receive.placement``): handed in
    something, so listed, never silently dropped.
    """
    from nbgrader.api import Gradebook

    if not students:
        return
    with Gradebook(db_url, course_id) as gb:
        for student in sorted(set(students)):
            gb.update_or_create_student(student)


def problem_notes(report: dict) -> dict:
    """grades.csv's ``problems`` per ``(student, assignment)``, from report.json (``write_report``).

    ``(student, None)`` holds the student's own problems (a hand-in that no assignment could take):
    they explain the rows of every assignment the student has no notebook in. Each problem reads
    ``kind: detail`` (``notebook: kind: detail`` in an assignment of several notebooks), so a note
    starts with the grader's own words: a spreadsheet never takes it for a formula.
    """

    def note(problem: dict, prefix: str = "") -> str:
        detail = str(problem.get("detail", ""))
        if len(detail) > NOTE_LIMIT:
            detail = detail[: NOTE_LIMIT - 3] + "..."
        return printable(f"{prefix}{problem.get('kind', 'problem')}: {detail}")

    notes = {}
    for student in report.get("students", []):
        sid = student.get("student_id")
        own = [note(p) for p in student.get("problems", [])]
        if own:
            notes[(sid, None)] = "; ".join(own)
        for assignment, entry in student.get("assignments", {}).items():
            found = []
            for nb in entry.get("notebooks", []):
                prefix = "" if nb.get("notebook") == assignment else f"{nb.get('notebook')}: "
                found += [note(p, prefix) for p in nb.get("problems", [])]
            if found:
                notes[(sid, assignment)] = "; ".join(found)
    return notes


def export_csv(db_url: str, course_id: str, path: Path, notes: dict | None = None) -> None:
    """grades.csv: the rows and columns of nbgrader's ``CsvExportPlugin``, every field quoted, then ``problems``.

    nbgrader's plugin joins the fields with commas unquoted, so a comma or a newline in a student
    id, a name or an e-mail address (all free text in the gradebook) forged rows and columns.
    Here the csv module quotes such a field. ``notes`` (``problem_notes``) fill the last column:
    empty for a hand-in graded without a problem, "not handed in" for a row without a submission
    (or the student's own problem, when the hand-in could not be placed).
    """
    from nbgrader.api import Gradebook, MissingEntry

    notes = notes or {}
    with Gradebook(db_url, course_id) as gb, open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow([*CSV_COLUMNS, PROBLEMS])
        for assignment in gb.assignments:
            for student in gb.students:
                row = {
                    "assignment": assignment.name,
                    "duedate": assignment.duedate,
                    "student_id": student.id,
                    "last_name": student.last_name,
                    "first_name": student.first_name,
                    "email": student.email,
                    "max_score": assignment.max_score,
                }
                try:
                    submission = gb.find_submission(assignment.name, student.id)
                except MissingEntry:
                    row.update(timestamp="", raw_score=0.0, late_submission_penalty=0.0, score=0.0)
                    row[PROBLEMS] = notes.get((student.id, None)) or NOT_HANDED_IN
                else:
                    row[PROBLEMS] = notes.get((student.id, assignment.name), "")
                    penalty = submission.late_submission_penalty
                    row.update(
                        timestamp=submission.timestamp,
                        raw_score=submission.score,
                        late_submission_penalty=penalty,
                        score=max(0.0, submission.score - penalty),
                    )
                out.writerow(["" if row[k] is None else str(row[k]) for k in [*CSV_COLUMNS, PROBLEMS]])


def write_report(
    path: Path, results: list[NotebookResult], warnings: list[str], meta: dict, unplaced: list[dict] = ()
) -> dict:
    """report.json; ``unplaced`` are problems of a student outside any notebook (``receive.placement``)."""
    students: dict[str, dict] = {}

    def entry(student: str) -> dict:
        new = {"student_id": student, "score": 0.0, "max_score": 0.0, "problems": [], "assignments": {}}
        return students.setdefault(student, new)

    for problem in sorted(unplaced, key=lambda p: p["student"]):
        entry(problem["student"])["problems"].append({"kind": problem["kind"], "detail": problem["detail"]})
    for r in sorted(results, key=lambda r: (r.student, r.assignment, r.notebook)):
        s = entry(r.student)
        a = s["assignments"].setdefault(r.assignment, {"score": 0.0, "max_score": 0.0, "notebooks": []})
        a["notebooks"].append(r.as_dict())
        a["score"] += r.score
        a["max_score"] += r.max_score
        s["score"] += r.score
        s["max_score"] += r.max_score
    report = {**meta, "warnings": warnings, "students": [students[k] for k in sorted(students)]}
    path.write_text(json.dumps(report, indent=1, sort_keys=False) + "\n")
    return report


def summary_table(results: list[NotebookResult]) -> str:
    """One line per student and notebook: score, and the problems met."""
    rows = [("student", "notebook", "score", "problems")]
    for r in sorted(results, key=lambda r: (r.student, r.assignment, r.notebook)):
        kinds = sorted({p["kind"] for p in r.problems})
        rows.append((r.student, r.notebook, f"{r.score:g} / {r.max_score:g}", ", ".join(kinds) or "-"))
    rows = [tuple(printable(cell) for cell in row) for row in rows]  # nothing may drive the terminal
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(row[i].ljust(widths[i]) for i in range(3)) + "  " + row[3])
        if n == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 8)
    return "\n".join(lines)
