"""autograder.receive.placement: notebooks outside any assignment folder, matched by their cells (no execution)."""

from __future__ import annotations

import nbformat
import pytest

from autograder.receive import intake, placement
from tests.autograder.support import make_course, perfect, release

COURSE = {"a1_squares": ["a1_squares"], "a2_double": ["a2_double"]}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return make_course(tmp_path_factory)


def hand_in(tmp_path, files: dict):
    """Collect a class whose files are notebooks (nbformat nodes) or text."""
    for rel, content in files.items():
        path = tmp_path / "in" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else nbformat.writes(content))
    return intake.collect(tmp_path / "in", COURSE, tmp_path / "scratch")


def place(course, got):
    return placement.place(got, course / "source", COURSE)


def test_a_stray_is_placed_by_its_grade_ids(course, tmp_path):
    got = hand_in(tmp_path, {"ada/my work.ipynb": perfect(course, "a1_squares")})
    assert place(course, got) == []
    (sub,) = got.submissions
    assert (sub.student, sub.assignment) == ("ada", "a1_squares")
    assert sub.notebooks["a1_squares"].name == "my work.ipynb"
    assert sub.renamed["a1_squares"] == (
        "ada/my work.ipynb (outside the assignment folder) was graded as a1_squares/a1_squares.ipynb: "
        "its cells are those of a1_squares/a1_squares"
    )


def test_cell_ids_alone_place_a_notebook_whose_metadata_was_stripped(course, tmp_path):
    nb = release(course, "a2_double")
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    got = hand_in(tmp_path, {"ada/notebook.ipynb": nb})
    assert place(course, got) == []
    assert [(s.assignment, list(s.notebooks)) for s in got.submissions] == [("a2_double", ["a2_double"])]


def test_the_file_name_decides_when_no_cell_is_recognised(course, tmp_path):
    got = hand_in(tmp_path, {"ada/a2_double (1).ipynb": nbformat.v4.new_notebook()})
    assert place(course, got) == []
    (sub,) = got.submissions
    assert sub.assignment == "a2_double" and "its name says a2_double" in sub.renamed["a2_double"]


def test_a_stray_beside_the_real_hand_in_is_ignored_with_a_warning(course, tmp_path):
    got = hand_in(tmp_path, {
        "ada/a1_squares/a1_squares.ipynb": perfect(course, "a1_squares"),
        "ada/old.ipynb": release(course, "a1_squares"),
    })  # fmt: skip
    assert place(course, got) == []
    (sub,) = got.submissions
    assert sub.notebooks["a1_squares"].name == "a1_squares.ipynb" and not sub.renamed
    assert sub.warnings == [
        "ada/old.ipynb: ignored (a1_squares/a1_squares.ipynb was handed in in its folder)"
    ]


def test_two_strays_for_one_notebook_are_a_problem_naming_both(course, tmp_path):
    got = hand_in(tmp_path, {
        "ada/try1.ipynb": release(course, "a2_double"),
        "ada/try2.ipynb": perfect(course, "a2_double"),
    })  # fmt: skip
    assert place(course, got) == []
    (sub,) = got.submissions
    assert not sub.notebooks
    assert sub.ambiguous["a2_double"] == (
        "a2_double.ipynb was not handed in in a2_double/, and 2 notebooks outside it could stand in for it: "
        "ada/try1.ipynb and ada/try2.ipynb; put the one to grade in a2_double/a2_double.ipynb and hand in again"
    )


def test_what_cannot_be_placed_is_a_problem_of_the_student(course, tmp_path):
    got = hand_in(tmp_path, {
        "ada/notes.ipynb": nbformat.v4.new_notebook(),
        "bob/broken.ipynb": "not json",
    })  # fmt: skip
    unplaced = place(course, got)
    assert got.submissions == []
    assert unplaced == [
        {
            "student": "ada",
            "kind": "unplaced",
            "detail": "ada/notes.ipynb is outside any assignment folder and matches no notebook of this "
            "course (none of its cells are a course notebook's): put it in its assignment's folder",
        },
        {
            "student": "bob",
            "kind": "unplaced",
            "detail": "bob/broken.ipynb is outside any assignment folder and cannot be read: not a Jupyter "
            "notebook: Notebook does not appear to be JSON: 'not json'",
        },
    ]


def test_a_notebook_that_matches_two_course_notebooks_equally_is_not_placed(course, tmp_path):
    mixed = nbformat.v4.new_notebook()
    a1, a2 = perfect(course, "a1_squares"), perfect(course, "a2_double")
    a1_graded = [c for c in a1.cells if c.metadata.get("nbgrader")][:2]
    a2_graded = [c for c in a2.cells if c.metadata.get("nbgrader")][:2]
    mixed.cells = a1_graded + a2_graded
    got = hand_in(tmp_path, {"ada/mixed.ipynb": mixed})
    (problem,) = place(course, got)
    assert problem["detail"] == (
        "ada/mixed.ipynb is outside any assignment folder, and its cells match a1_squares/a1_squares "
        "and a2_double/a2_double equally: put it in its assignment's folder"
    )
