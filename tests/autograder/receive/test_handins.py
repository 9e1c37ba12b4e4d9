"""autograder.receive.handins end to end: row 7 of issue 20 replayed on the sample course, graded in sandboxes.

An LMS download: ``a1_squares-Copy1.ipynb`` in the right folder (graded, with a warning in report.json
and the feedback), two copies (0, the problem names both), a notebook outside any assignment folder
(placed by its cells and graded) and one that matches nothing (the student is in grades.csv with 0,
report.json says why). On main the first three scored 0 as ``missing`` and the last dropped the student.
"""

from __future__ import annotations

import csv
import json

import nbformat
import pytest

from autograder.grade import grade
from autograder.isolate.limits import Limits
from tests.autograder.support import make_course, need_sandbox, perfect

LIMITS = Limits(timeout=10, grace=3, memory_mb=2048)


@pytest.fixture(scope="module")
def lms(tmp_path_factory):
    need_sandbox()
    course = make_course(tmp_path_factory)
    folder = tmp_path_factory.mktemp("submitted")
    solved = nbformat.writes(perfect(course, "a1_squares"))
    files = {
        "copy/a1_squares/a1_squares-Copy1.ipynb": solved,
        "twice/a1_squares/a1_squares-Copy1.ipynb": solved,
        "twice/a1_squares/a1_squares (1).ipynb": solved,
        "stray/a1_squares.ipynb": solved,
        "lost/notes.ipynb": nbformat.writes(nbformat.v4.new_notebook()),
    }
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    out = tmp_path_factory.mktemp("out")
    grade(folder, out, course_root=course, workers=2, limits=LIMITS, progress=False)
    report = json.loads((out / "report.json").read_text())
    return {
        "course": course,
        "out": out,
        "report": {s["student_id"]: s for s in report["students"]},
        "warnings": report["warnings"],
        "csv": {(r["student_id"], r["assignment"]): r for r in csv.DictReader((out / "grades.csv").open())},
    }


def notebook(lms, student):
    return lms["report"][student]["assignments"]["a1_squares"]["notebooks"][0]


def test_a_copy_under_another_name_is_graded_with_a_warning(lms):
    nb = notebook(lms, "copy")
    assert (nb["status"], nb["score"], nb["max_score"]) == ("graded", 5.0, 6.0)
    assert nb["problems"][0] == {
        "kind": "renamed",
        "grade_id": None,
        "detail": "a1_squares-Copy1.ipynb was graded as a1_squares.ipynb (the expected name)",
    }
    assert float(lms["csv"][("copy", "a1_squares")]["score"]) == 5.0
    assert (
        "copy/a1_squares: a1_squares-Copy1.ipynb was graded as a1_squares.ipynb (the expected name)"
        in lms["warnings"]
    )
    page = (lms["out"] / "feedback" / "copy" / "a1_squares" / "a1_squares.html").read_text()
    assert "Your file was graded under another name." in page
    assert "a1_squares-Copy1.ipynb was graded as a1_squares.ipynb" in page


def test_two_candidates_score_zero_with_a_problem_naming_both(lms):
    nb = notebook(lms, "twice")
    assert (nb["status"], nb["score"]) == ("ambiguous", 0.0)
    detail = nb["problems"][0]["detail"]
    assert "a1_squares (1).ipynb and a1_squares-Copy1.ipynb" in detail
    page = (lms["out"] / "feedback" / "twice" / "a1_squares" / "a1_squares.html").read_text()
    assert "a1_squares (1).ipynb and a1_squares-Copy1.ipynb" in page
    assert float(lms["csv"][("twice", "a1_squares")]["score"]) == 0.0


def test_a_notebook_outside_its_folder_is_placed_by_its_cells_and_graded(lms):
    nb = notebook(lms, "stray")
    assert (nb["status"], nb["score"]) == ("graded", 5.0)
    assert nb["problems"][0]["detail"] == (
        "stray/a1_squares.ipynb (outside the assignment folder) was graded as a1_squares/a1_squares.ipynb: "
        "its cells are those of a1_squares/a1_squares"
    )
    assert float(lms["csv"][("stray", "a1_squares")]["score"]) == 5.0


def test_a_student_whose_notebook_matches_nothing_is_in_grades_csv_with_zero_and_the_reason(lms):
    row = lms["csv"][("lost", "a1_squares")]
    assert (row["raw_score"], row["score"], row["timestamp"]) == ("0.0", "0.0", "")
    assert row["problems"].startswith("unplaced: lost/notes.ipynb is outside any assignment folder")
    lost = lms["report"]["lost"]
    assert lost["assignments"] == {} and lost["score"] == 0.0
    (problem,) = lost["problems"]
    assert (
        problem["kind"] == "unplaced"
        and "lost/notes.ipynb is outside any assignment folder" in problem["detail"]
    )
    assert any("lost/notes.ipynb" in w and "lost is in grades.csv with 0" in w for w in lms["warnings"])


def test_out_submitted_holds_what_was_graded_under_its_expected_name(lms):
    """What formgrader counts (autograder.results.submitted): the stand-in, renamed; nothing for the unplaced."""
    out = lms["out"] / "submitted"
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.ipynb")) == [
        "copy/a1_squares/a1_squares.ipynb",
        "stray/a1_squares/a1_squares.ipynb",
    ]
    assert (out / "twice" / "a1_squares").is_dir() and not (out / "lost").exists()


def test_grading_out_submitted_again_leaves_it_as_it_is(lms):
    """OUT/submitted/ is the class as graded: a regrade from it reads it and never rewrites it."""
    from tests.autograder.test_grade import digest

    folder = lms["out"] / "submitted"
    before = digest(folder)
    outcome = grade(folder, lms["out"], course_root=lms["course"], workers=2, limits=LIMITS, progress=False)
    assert digest(folder) == before
    scores = {(r.student, r.notebook): r.score for r in outcome.results}
    assert scores == {("copy", "a1_squares"): 5.0, ("stray", "a1_squares"): 5.0, ("twice", "a1_squares"): 0.0}
