"""autograder.demo.sampleclass: the sample class is built from release/ and source/ as documented (no grading)."""

from __future__ import annotations

import nbformat
import pytest

from autograder.demo import sampleclass as demo
from tests.autograder.support import grade_ids, make_course, release


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return make_course(tmp_path_factory)


def test_build_class_writes_every_student(course, tmp_path):
    dest = demo.build_class(course, tmp_path / "class")
    students = sorted(p.name for p in dest.iterdir())
    assert students == sorted(["perfect", "partial", "untouched", "tamperer", "tidy", "crasher", "snoop", "cheater",
                               "broken"])  # fmt: skip
    perfect = nbformat.read(str(dest / "perfect" / "a1_squares" / "a1_squares.ipynb"), 4)
    assert "return x * x" in perfect.cells[grade_ids(perfect).index("square")].source
    assert (dest / "perfect" / "a1_squares" / "timestamp.txt").exists()
    assert not (dest / "broken" / "a1_squares" / "a1_squares.ipynb").read_text().startswith("{")


def test_tamper_applies_each_trick_to_a_test_cell(course):
    nb = release(course, "a1_squares")
    out = demo.tamper(nb)
    ids = grade_ids(out)
    square = out.cells[ids.index("square_tests")]
    assert square.source == "pass"
    cube = out.cells[ids.index("cube_tests")]
    assert cube.metadata["nbgrader"]["points"] == 100 and not cube.metadata["nbgrader"]["grade"]


def test_solve_takes_a_fraction_of_the_answers(course):
    src = nbformat.read(str(course / "source" / "a1_squares" / "a1_squares.ipynb"), 4)
    half = demo.solve(release(course, "a1_squares"), src, 1 / 3)  # square, cube, why: the first only
    ids = grade_ids(half)
    assert "return x * x" in half.cells[ids.index("square")].source
    assert "NotImplementedError" in half.cells[ids.index("cube")].source


def test_missing_release_is_a_clear_error(course, tmp_path):
    (tmp_path / "source" / "zz").mkdir(parents=True)
    (tmp_path / "source" / "zz" / "zz.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook()))
    with pytest.raises(FileNotFoundError, match="make release"):
        demo.build_class(tmp_path, tmp_path / "class")
