"""autograder.results.lms: the Canvas and Moodle files of the demo class, read back by the importers' rules.

One grading run of the demo class on the sample course, with the late policy and the extensions file
of autograder/README.md, by the README's own commands (run in the course folder, as documented).
Its Canvas and Moodle exports must equal the README's samples, and read back with the import rules
each LMS documents, they must give every student's score: ``report.json``'s, less the late policy's
penalty, computed here independently.

The rules, as documented (autograder/README.md, "Export to the LMS"):

* Canvas (canvas-lms ``gradebook_importer.rb``): delimiter ``,`` or ``;`` (detected); header starts
  ``Student, ID``, then optional ``SIS User ID``, ``SIS Login ID``, ``Integration ID``, ``Root Account``,
  then ``Section`` ends the student columns; assignment columns ``Title (id)`` or ``Title``; a row
  whose first cell contains ``Points Possible`` gives the points; ``EX`` excused, blank or ``-`` no
  score; a student matched by Canvas ID, then SIS User ID, SIS Login ID, then name; Current/Final
  Score and Grade columns ignored.
* Moodle (``grade/import/csv``): a header row; the user column mapped by exact e-mail (useremail) or
  ID number (useridnumber); each grade column mapped to a grade item; a blank cell is no grade; a
  feedback column overwrites that item's feedback.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.demo.sampleclass import build_class
from autograder.demo.samplecourse import write_sample_course
from autograder.results import lms
from autograder.results.roster import load as load_roster
from tests.autograder.support import need_sandbox

ROOT = Path(__file__).resolve().parents[3]
README = ROOT / "autograder" / "README.md"
DEMO_ROSTER = ROOT / "autograder" / "demo" / "roster.csv"
LATE = {("perfect", "a1_squares"): 0.3}  # 2 days 3 hours after 2025-12-30 09:00: 3 started days x 10 %


def readme_block(name: str) -> str:
    """The fenced block after ``<!-- lms-sample: name -->`` in autograder/README.md."""
    text = README.read_text()
    m = re.search(rf"<!-- lms-sample: {name} -->\n```[a-z]*\n(.*?)```\n", text, re.S)
    assert m, f"autograder/README.md has no block marked lms-sample: {name}"
    return m.group(1)


def run(command: str, cwd: Path) -> subprocess.CompletedProcess:
    args = shlex.split(command.removeprefix("$ "))
    assert args[:3] == ["python", "-m", "autograder"], command
    return subprocess.run([sys.executable, *args[1:]], cwd=cwd, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    """The course folder after the README's grade command: ``grading/`` in it."""
    need_sandbox()
    course = write_sample_course(tmp_path_factory.mktemp("course"))
    with open(course / "nbgrader_config.py", "a") as fh:
        fh.write("\n" + readme_block("policy"))
    build_class(course, course / "submitted")
    (course / "extensions.csv").write_text(readme_block("extensions"))
    shutil.copy(DEMO_ROSTER, course / "roster.csv")
    proc = run(readme_block("grade").strip(), course)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return course


def expected_scores(graded: Path) -> dict[tuple[str, str], float]:
    report = json.loads((graded / "grading" / "report.json").read_text())
    return {
        (s["student_id"], a): round(v["score"] * (1 - LATE.get((s["student_id"], a), 0.0)), 2)
        for s in report["students"]
        for a, v in s["assignments"].items()
    }


# ---- the importers' rules, as documented ---------------------------------------------------------

CANVAS_OPTIONAL = ("SIS User ID", "SIS Login ID", "Integration ID", "Root Account")
CANVAS_IGNORED = re.compile(r"^(Current|Final|Unposted Current|Unposted Final) (Score|Grade|Points)$")


def canvas_read(text: str) -> tuple[list[tuple[str, str | None]], dict, list[dict]]:
    """(assignments as (title, id), points by assignment, student rows) as Canvas's importer reads them."""
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = rows[0]
    assert header[:2] == ["Student", "ID"], header
    end = 2
    while header[end] in CANVAS_OPTIONAL:
        end += 1
    assert header[end] == "Section", f"the student columns must end with Section: {header}"
    columns = [(i, h) for i, h in enumerate(header) if i > end and not CANVAS_IGNORED.match(h)]
    assignments = []
    for _, h in columns:
        m = re.fullmatch(r"(.*) \((\d+)\)", h)
        assignments.append((m.group(1), m.group(2)) if m else (h, None))
    body = rows[1:]
    points = {}
    if body and "Points Possible" in body[0][0]:
        points = {a: float(body[0][i]) for a, (i, _) in zip(assignments, columns, strict=True)}
        body = body[1:]
    students = []
    for row in body:
        assert len(row) == len(header), row
        scores = {}
        for a, (i, _) in zip(assignments, columns, strict=True):
            value = row[i].strip()
            scores[a] = None if value in ("", "-") else "EX" if value.upper() == "EX" else float(value)
        students.append({**dict(zip(header[: end + 1], row, strict=False)), "scores": scores})
    return assignments, points, students


def canvas_match(row: dict, enrolled) -> str:
    """The student_id of the enrolled student Canvas gives this row to (ID, then SIS ids, then name)."""
    for column, attr in (("ID", "canvas_id"), ("SIS User ID", "sis_user_id"), ("SIS Login ID", "sis_login_id"),
                         ("Student", "name")):  # fmt: skip
        value = row.get(column, "").strip()
        hits = [s.student_id for s in enrolled if value and getattr(s, attr) == value]
        if hits:
            assert len(hits) == 1, f"{column} {value} matches {hits}"
            return hits[0]
    raise AssertionError(f"Canvas would not find the student of {row}")


def moodle_read(text: str, map_from: str, users, map_to: str) -> dict[str, dict[str, str]]:
    """``{student_id: {column: value}}``, each row's user found by exact ``map_from`` == user.``map_to``."""
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert len(set(header)) == len(header) and map_from in header, header
    out = {}
    for row in rows[1:]:
        assert len(row) == len(header), row
        values = dict(zip(header, row, strict=True))
        hits = [u.student_id for u in users if getattr(u, map_to) == values[map_from]]
        assert len(hits) == 1, f"Moodle maps {values[map_from]!r} to {hits}"
        out[hits[0]] = values
    return out


def moodle_grade(value: str) -> float | None:
    return None if value.strip() == "" else float(value)


# ---- the tests ------------------------------------------------------------------------------------


def test_the_late_policy_reaches_grades_csv_and_the_feedback_page(graded):
    rows = {
        (r["student_id"], r["assignment"]): r
        for r in csv.DictReader((graded / "grading" / "grades.csv").open())
    }
    perfect = rows[("perfect", "a1_squares")]
    assert (perfect["raw_score"], perfect["late_submission_penalty"], perfect["score"]) == (
        "5.0",
        "1.5",
        "3.5",
    )
    on_time = rows[("perfect", "a2_double")]  # the extension
    assert (on_time["raw_score"], on_time["late_submission_penalty"], on_time["score"]) == (
        "1.0",
        "0.0",
        "1.0",
    )
    assert rows[("partial", "a1_squares")]["late_submission_penalty"] == "0.0"  # no timestamp: on time
    assert perfect["duedate"] == "2025-12-30 09:00:00"
    page = (graded / "grading" / "feedback" / "perfect" / "a1_squares" / "a1_squares.html").read_text()
    assert "Handed in 2 days 3 hours late: -30%" in page and "Late submission penalty (Score: -1.5)" in page
    assert "a1_squares (Score: 3.5 / 6.0)" in page
    other = (graded / "grading" / "feedback" / "perfect" / "a2_double" / "a2_double.html").read_text()
    assert (
        "late-note" not in other
        and "Handed in" not in other
        and "Late submission penalty (Score" not in other
    )


def test_the_canvas_export_is_the_readme_sample_and_reads_back_with_every_score(graded):
    command, *sample = readme_block("canvas").splitlines(keepends=True)
    proc = run(command, graded)
    assert proc.returncode == 0, proc.stderr
    assert "in the roster, nothing graded (cells left blank): dropped" in proc.stderr
    text = (graded / "grading" / "canvas-grades.csv").read_text()
    assert text == "".join(sample), "update the Canvas sample in autograder/README.md:\n" + text

    assignments, points, rows = canvas_read(text)
    assert assignments == [("Squares and cubes", "501"), ("Doubling", None)]
    assert points == {("Squares and cubes", "501"): 6.0, ("Doubling", None): 1.0}
    roster = load_roster(DEMO_ROSTER)
    by_title = {"Squares and cubes": "a1_squares", "Doubling": "a2_double"}
    expected = expected_scores(graded)
    seen = set()
    for row in rows:
        student = canvas_match(row, roster.students)
        seen.add(student)
        assert row["Section"] == roster.by_id()[student].section
        for (title, _), score in row["scores"].items():
            assert score == expected.get((student, by_title[title])), (student, title)
    assert seen == {s.student_id for s in roster.students}  # everyone, once; dropped with blank cells
    assert len(rows) == len(seen) == 10
    assert expected[("perfect", "a1_squares")] == 3.5 and expected[("untouched", "a1_squares")] == 0.0


def test_the_moodle_export_is_the_readme_sample_and_maps_by_email_or_id_number(graded):
    command, *sample = readme_block("moodle").splitlines(keepends=True)
    proc = run(command, graded)
    assert proc.returncode == 0, proc.stderr
    text = (graded / "grading" / "moodle-grades.csv").read_text()
    assert text == "".join(sample), "update the Moodle sample in autograder/README.md:\n" + text

    roster = load_roster(DEMO_ROSTER)
    expected = expected_scores(graded)
    by_email = moodle_read(text, "Email address", roster.students, "email")
    by_number = moodle_read(text, "ID number", roster.students, "id_number")
    assert by_email == by_number and set(by_email) == {s.student_id for s in roster.students}
    for student, values in by_email.items():
        for title, name in (("Squares and cubes", "a1_squares"), ("Doubling", "a2_double")):
            assert moodle_grade(values[title]) == expected.get((student, name)), (student, title)
            link = values[f"{title} feedback"]
            if (student, name) in expected:
                assert link == f"https://lms.example/feedback/{student}/{name}/{name}.html"
                assert (graded / "grading" / "feedback" / student / name / f"{name}.html").is_file()
            else:
                assert link == ""


def test_csv_format_is_nbgraders_long_csv_from_the_gradebook(graded, tmp_path):
    proc = run(f"python -m autograder export grading --format csv --to {tmp_path / 'long.csv'}", graded)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "long.csv").read_text() == (graded / "grading" / "grades.csv").read_text()


def test_a_graded_student_missing_from_the_roster_is_an_error_unless_allowed(graded, tmp_path):
    lines = DEMO_ROSTER.read_text().splitlines(keepends=True)
    short = tmp_path / "short.csv"
    short.write_text("".join(line for line in lines if not line.startswith(("snoop,", "tidy,"))))
    proc = run(
        f"python -m autograder export grading --format canvas --roster {short} --to {tmp_path / 'c.csv'}",
        graded,
    )
    assert proc.returncode == 2 and not (tmp_path / "c.csv").exists()
    assert "2 graded students are not in the roster: snoop, tidy" in proc.stderr
    proc = run(
        f"python -m autograder export grading --format canvas --roster {short} --to {tmp_path / 'c.csv'} --allow-unlisted",
        graded,
    )
    assert proc.returncode == 0 and "left out, not in the roster: snoop, tidy" in proc.stderr
    _, _, rows = canvas_read((tmp_path / "c.csv").read_text())
    assert len(rows) == 8


def test_without_a_roster_the_course_ids_are_the_sis_login_and_id_number(graded, tmp_path):
    to = tmp_path / "c.csv"
    lms.export_grades(graded / "grading", "canvas", to=to, missing="zero")
    assignments, _, rows = canvas_read(to.read_text())
    assert assignments == [("a1_squares", None), ("a2_double", None)]
    expected = expected_scores(graded)
    for row in rows:
        student = row["SIS Login ID"]
        assert row["Student"] == student and row["ID"] == ""
        for (name, _), score in row["scores"].items():
            assert score == expected.get((student, name), 0.0)  # --missing zero
    assert {r["SIS Login ID"] for r in rows} == {s for s, _ in expected}


def test_moodle_refuses_a_student_it_could_not_map(graded, tmp_path):
    lines = DEMO_ROSTER.read_text().splitlines(keepends=True)
    nobody = tmp_path / "r.csv"
    nobody.write_text(lines[0] + "".join(line if not line.startswith("cheater,") else
                                         'cheater,"Cheater, Chen",,1008,S-1008,ccheater,Group C,\n'
                                         for line in lines[1:]))  # fmt: skip
    proc = run(
        f"python -m autograder export grading --format moodle --roster {nobody} --to {tmp_path / 'm.csv'}",
        graded,
    )
    assert proc.returncode == 2 and "these students have neither: cheater" in proc.stderr


def test_export_without_a_grading_run_says_so(tmp_path):
    proc = run(f"python -m autograder export {tmp_path} --format canvas", tmp_path)
    assert proc.returncode == 2 and "has no report.json: grade into it first" in proc.stderr


def test_the_canvas_reader_itself_follows_the_rules():
    text = (
        "Student;ID;SIS User ID;Section;Losses (12);Current Score\n"
        "    Points Possible;;;;17;\n"
        "Ada;1;S1;A;EX;99\n"
        "Bob;2;S2;A;-;50\n"
        "Cy;3;S3;A;;50\n"
        "Dee;4;S4;A;4.5;50\n"
    )
    assignments, points, rows = canvas_read(text)
    assert assignments == [("Losses", "12")] and points == {("Losses", "12"): 17.0}
    assert [r["scores"][("Losses", "12")] for r in rows] == ["EX", None, None, 4.5]
    with pytest.raises(AssertionError, match="end with Section"):
        canvas_read("Student,ID,Losses\n")


def test_scores_are_written_as_both_importers_read_numbers():
    assert [lms.number(x) for x in (5.0, 4.5, 1 / 3, 0.0, 12.345, 2.999)] == [
        "5",
        "4.5",
        "0.33",
        "0",
        "12.35",
        "3",
    ]
