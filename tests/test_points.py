"""tools.points and `python -m tools.build check`: the points a notebook states are its cells' points (row 10 of issue 20)."""

from __future__ import annotations

import re
import shutil

import pytest

from tools import build, points

LOSSES_TEST = '"grade_id": "softmax_tests", "locked": true, "points": 2,'


def test_every_notebook_states_the_points_of_its_cells():
    for name in build.notebook_names():
        assert points.problems(build.read_notebook(name), name) == []


def with_points(name: str, grade_id: str, new: float):
    nb = build.read_notebook(name)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    cell.metadata["nbgrader"]["points"] = new
    return nb


def test_a_test_cell_worth_one_point_more_is_found_in_every_place_that_states_it():
    assert points.problems(with_points("04_losses", "softmax_tests", 3), "04_losses") == [
        "04_losses: the top says 17 points, the cells add up to 18",
        "04_losses: the top says 13 autograded, the cells have 14",
        "04_losses: 'Exercise 3 (2 points): stable softmax' says 2 points, its test cells have 3",
    ]
    assert points.problems(with_points("07_backprop", "relu_layer_tests", 3), "07_backprop")[2:] == [
        "07_backprop: 'Exercise 6: the ReLU layer, forward and backward (2 points)' says 2 points, its test cells have 3",
        "07_backprop: the table at the top gives 6 2 points, its cells have 3",
    ]


def test_a_written_answer_is_checked_against_its_question_and_the_table():
    found = points.problems(with_points("07_backprop", "q_symmetry", 2), "07_backprop")
    assert "07_backprop: the top says 5 graded by hand, the cells have 6" in found
    assert "07_backprop: the table at the top gives Q2 1 points, its cells have 2" in found
    assert any(re.match(r"07_backprop: question q_symmetry says 1 points, its cell has 2", f) for f in found)


@pytest.fixture
def changed_course(tmp_path, monkeypatch):
    """notebooks/04_losses.py with its softmax test worth 3 points instead of 2, as build sees it."""
    text = (build.NOTEBOOKS / "04_losses.py").read_text()
    assert text.count(LOSSES_TEST) == 1
    (tmp_path / "04_losses.py").write_text(text.replace(LOSSES_TEST, LOSSES_TEST.replace("2,", "3,")))
    monkeypatch.setattr(build, "NOTEBOOKS", tmp_path)
    return tmp_path


def test_build_check_and_source_fail_at_once_on_a_points_change(changed_course, monkeypatch, capsys):
    def must_not_run(*args, **kwargs):
        raise AssertionError("rebuilt although the points disagree")

    monkeypatch.setattr(build, "stale", must_not_run)
    monkeypatch.setattr(build, "build_source", must_not_run)
    for command in ("check", "source"):
        assert build.main([command, "04_losses"]) == 1
        err = capsys.readouterr().err
        assert "04_losses: the top says 17 points, the cells add up to 18" in err
        assert "the points stated in the notebook's prose must be its cells' points" in err


def test_build_check_passes_the_points_check_when_prose_and_cells_agree(tmp_path, monkeypatch):
    shutil.copy(build.NOTEBOOKS / "04_losses.py", tmp_path / "04_losses.py")
    monkeypatch.setattr(build, "NOTEBOOKS", tmp_path)
    monkeypatch.setattr(build, "stale", lambda names: [])
    assert build.main(["check", "04_losses"]) == 0
