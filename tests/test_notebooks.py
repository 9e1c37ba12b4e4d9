"""What every course notebook must satisfy, checked on the built source/ and release/ versions.

Per-notebook behaviour (delegation earns nothing, wrong answers lose the right tests) lives in
tests/test_notebook_NN_name.py.
"""

from __future__ import annotations

import re

import pytest
from nbgrader.utils import is_grade, is_solution

from tests.nbtools import (
    NAMES,
    answer_cells,
    cells_by_id,
    grade,
    manual_cells,
    read,
    release_path,
    secret_lines,
    source_path,
    test_cells,
)

pytestmark = pytest.mark.parametrize("name", NAMES)


def total_points(nb) -> float:
    return sum(
        float(c.metadata["nbgrader"].get("points", 0)) for c in cells_by_id(nb).values() if is_grade(c)
    )


def test_structure(name):
    nb = read(source_path(name))
    autograded = [gid for gid in answer_cells(nb)]
    assert 3 <= len(autograded) <= 7, f"{name}: {len(autograded)} autograded exercises, expected 3 to 7"
    assert manual_cells(nb), f"{name}: no manually graded answer"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "widgets_enabled()" in code, f"{name}: no widget explorer guarded by widgets_enabled()"
    intro = "\n".join(c.source for c in nb.cells[:3] if c.cell_type == "markdown")
    points = total_points(nb)
    stated = re.findall(r"(\d+(?:\.\d+)?)\s*points", intro)
    assert stated, f"{name}: the opening cells do not state the total points"
    assert float(stated[0]) == points, (
        f"{name}: states {stated[0]} points at the top, cells add up to {points}"
    )
    last = nb.cells[-1].source.lower() if nb.cells[-1].cell_type == "markdown" else ""
    assert "summary" in last, f"{name}: the last cell should be a markdown summary"


def test_release_has_no_secrets(name):
    text = release_path(name).read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text, f"release/{name} contains {marker!r}"
    release_sources = "\n".join(c.source for c in read(release_path(name)).cells)
    leaked = [line for line in secret_lines(name) if line in release_sources]
    assert not leaked, f"release/{name} contains solution or hidden-test lines: {leaked[:5]}"


def test_release_keeps_points_and_ids(name):
    source, release = read(source_path(name)), read(release_path(name))
    assert test_cells(source) == test_cells(release)
    assert total_points(source) == total_points(release)


def test_untouched_release_scores_zero(name):
    results = grade(name)
    assert results, f"{name} has no autograded test cells"
    passed = {gid: r for gid, r in results.items() if r.score != 0}
    assert not passed, f"untouched release of {name} earns points on {sorted(passed)}"


def test_perfect_answers_score_full(name):
    results = grade(name, perfect=True)
    failed = {gid: r.error for gid, r in results.items() if r.score != r.max_score}
    assert not failed, f"instructor solutions of {name} fail: {failed}"


def test_source_passes_nbgrader_validate(name):
    from nbgrader.validator import Validator

    result = Validator().validate(str(source_path(name)))
    assert result == {}, f"nbgrader validate on source/{name}: {result}"


def test_every_test_cell_is_locked(name):
    for gid, cell in cells_by_id(read(source_path(name))).items():
        meta = cell.metadata["nbgrader"]
        if is_grade(cell) and not is_solution(cell):
            assert meta["locked"], f"{name}: test cell {gid} is not locked"
            assert meta["points"] > 0, f"{name}: test cell {gid} has no points"
