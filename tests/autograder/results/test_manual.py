"""autograder.results.manual: ``python -m autograder feedback OUT`` after manual grading (issue 20, row 2).

A class is graded in sandboxes, a person grades a written answer and comments in the gradebook (with
nbgrader's Gradebook API, as formgrader does), and the command renders the pages again: the manual
score and comment appear, the hidden tests still do not, and an answer nobody graded yet says so.
"""

from __future__ import annotations

import json

import pytest

from autograder.results import manual
from autograder.results.scoring import CellResult, NotebookResult
from tests.autograder.support import (
    WRONG_SQUARE,
    active_or_external,
    cli,
    grade_cli,
    make_course,
    need_sandbox,
    perfect,
    with_answers,
    write,
)

HIDDEN = ("BEGIN HIDDEN TESTS", "square(-4) == 16", "cube(np.array([-1.5, 3.0]))")


class Grade:
    def __init__(self, manual_score=None, auto_score=None):
        self.manual_score, self.auto_score = manual_score, auto_score


def test_gradebook_scores_override_the_report_where_a_person_graded():
    result = NotebookResult("ada", "a1", "a1", 6.0)
    result.cells = [
        CellResult("square_tests", "test", 2.0, 0.0, "failed", "AssertionError"),
        CellResult("cube_tests", "test", 3.0, 3.0, "passed"),
        CellResult("why", "manual", 1.0, None, "manual", "needs manual grading"),
        CellResult("how", "manual", 1.0, 0.0, "no_response", "no response"),
    ]
    got = manual.with_gradebook(
        result,
        {"square_tests": Grade(manual_score=1.5, auto_score=0.0), "cube_tests": Grade(auto_score=3.0),
         "why": Grade(), "how": Grade(auto_score=0.0)},
    )  # fmt: skip
    scores = {c.grade_id: (c.score, c.status) for c in got.cells}
    assert scores == {
        "square_tests": (1.5, "graded by hand"),  # an instructor's override wins
        "cube_tests": (3.0, "passed"),
        "why": (None, "manual"),  # nobody graded it: no number
        "how": (0.0, "no_response"),
    }
    assert got.score == 4.5 and result.cells[0].score == 0.0  # the original is not changed


def test_a_report_entry_comes_back_as_the_same_result():
    result = NotebookResult("ada", "a1", "a1", 3.0, status="graded")
    result.cells = [CellResult("t", "test", 3.0, 1.0, "partial", "why")]
    back = manual.result_from_entry("ada", "a1", result.as_dict())
    assert back.cells == result.cells and back.score == 1.0 and back.max_score == 3.0


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    need_sandbox()
    course = make_course(tmp_path_factory)
    folder = tmp_path_factory.mktemp("submitted")
    out = tmp_path_factory.mktemp("out") / "graded"
    write(folder, "ada", "a1_squares", perfect(course, "a1_squares"))
    write(folder, "bob", "a1_squares", with_answers(perfect(course, "a1_squares"), {"square": WRONG_SQUARE}))
    grade_cli(folder, out, "--course", course, "--timeout", "10")
    return {"course": course, "folder": folder, "out": out}


def page(out, student):
    return (out / "feedback" / student / "a1_squares" / "a1_squares.html").read_text()


def test_manual_grades_and_comments_reach_the_redacted_page(graded):
    from nbgrader.api import Gradebook

    out, course = graded["out"], graded["course"]
    before = page(out, "ada")
    assert "written answer: 2 of 2 waiting for manual grading" in (out / "class-report.html").read_text()
    assert "Score: waiting for manual grading, out of 1.0" in before
    assert "Score: 0.0 / 1.0" not in before  # an answer nobody graded is never shown as 0
    course_id = json.loads((out / "report.json").read_text())["course_id"]
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", course_id) as gb:
        gb.find_grade("why", "a1_squares", "a1_squares", "ada").manual_score = 0.5
        gb.find_comment(
            "why", "a1_squares", "a1_squares", "ada"
        ).manual_comment = "Say **why** it grows. <script>alert(1)</script>"
        gb.find_grade("square_tests", "a1_squares", "a1_squares", "bob").manual_score = 1.0  # an override
        gb.db.commit()
    proc = cli("feedback", str(out), "--course", str(course))
    assert proc.returncode == 0, proc.stderr
    assert "2 feedback pages written" in proc.stdout and "class report written" in proc.stdout
    # the class report counts what a person graded since the run: ada's answer, and the scores with it
    report_page = (out / "class-report.html").read_text()
    assert "written answer: 1 of 2 waiting for manual grading" in report_page
    assert "2 students graded; mean score 4.8 of 6." in report_page  # (5 + 0.5 and 3 + 1 overridden) / 2
    assert active_or_external(report_page) == [] and "Say" not in report_page  # scores only, no comment
    ada, bob = page(out, "ada"), page(out, "bob")
    assert "Score: 0.5 / 1.0" in ada and "a1_squares (Score: 5.5 / 6.0)" in ada
    assert "Say <strong>why</strong> it grows." in ada and "alert(1)" not in ada
    assert "waiting for manual grading" not in ada
    assert "Score: waiting for manual grading, out of 1.0" in bob  # bob's answer waits still
    assert "Score: 1.0 / 2.0" in bob  # the instructor's override of a test
    for text in (ada, bob):
        assert active_or_external(text) == []
        assert not [h for h in HIDDEN if h in text]
        assert str(course) not in text  # no instructor path


def test_a_regrade_keeps_the_manual_grades_on_the_page(graded):
    out, course = graded["out"], graded["course"]
    proc = grade_cli(graded["folder"], out, "--course", course, "--timeout", "10", "--student", "ada")
    assert "Score: 0.5 / 1.0" in page(out, "ada")
    assert "No score changed since the last grading." in proc["stdout"]


def test_feedback_refuses_a_folder_that_was_never_graded(tmp_path):
    proc = cli("feedback", str(tmp_path))
    assert proc.returncode == 2 and "no report.json" in proc.stderr
