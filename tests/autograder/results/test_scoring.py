"""autograder.results.scoring: nbgrader's rule plus kernel deaths and stderr (no execution)."""

from __future__ import annotations

import pytest

from autograder.isolate.driver import Execution
from autograder.receive import repair
from autograder.results import scoring
from tests.autograder.support import make_course, make_spec, perfect


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    course = make_course(tmp_path_factory)
    spec = make_spec(course, tmp_path_factory).notebook("a1_squares", "a1_squares")
    nb, _ = repair.prepare(perfect(course, "a1_squares"), spec)
    return spec, nb


def index_of(nb, grade_id):
    for i, cell in enumerate(nb.cells):
        if (cell.metadata.get("nbgrader") or {}).get("grade_id") == grade_id:
            return i
    raise KeyError(grade_id)


def run(nb, changes=None, status="done", stop=None):
    """An Execution where every code cell ran cleanly, except ``changes`` (index -> outputs)."""
    ex = Execution(status=status)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and (stop is None or i < stop):
            ex.outputs[i] = {"outputs": (changes or {}).get(i, []), "execution_count": i}
    ex.stopped_at = stop
    return ex


def score(prepared, **kw):
    spec, nb = prepared
    result, executed = scoring.score_notebook("ada", "a1_squares", spec, nb, run(nb, **kw))
    assert len(executed.cells) == len(nb.cells)
    return {c.grade_id: c for c in result.cells}, result


def test_clean_run_earns_every_autograded_point(prepared):
    cells, result = score(prepared)
    assert cells["square_tests"].score == 2 and cells["cube_tests"].score == 3
    assert cells["why"].status == "manual" and result.score == 5


def test_an_error_or_stderr_fails_only_that_test(prepared):
    spec, nb = prepared
    err = {
        "output_type": "error",
        "ename": "AssertionError",
        "evalue": "cube(2) should be 8",
        "traceback": [],
    }
    warn = {"output_type": "stream", "name": "stderr", "text": "RuntimeWarning: overflow"}
    cells, _ = score(
        prepared, changes={index_of(nb, "cube_tests"): [err], index_of(nb, "square_tests"): [warn]}
    )
    assert cells["cube_tests"].score == 0 and "cube(2) should be 8" in cells["cube_tests"].reason
    assert cells["square_tests"].score == 0 and "stderr" in cells["square_tests"].reason


def test_partial_credit_follows_nbgrader(prepared):
    spec, nb = prepared
    partial = {
        "output_type": "execute_result",
        "data": {"text/plain": "1.5"},
        "metadata": {},
        "execution_count": 1,
    }
    cells, _ = score(prepared, changes={index_of(nb, "cube_tests"): [partial]})
    assert cells["cube_tests"].score == 1.5 and cells["cube_tests"].status == "partial"


@pytest.mark.parametrize("status", ["dead", "unresponsive", "killed"])
def test_tests_after_a_stop_score_zero_with_the_reason(prepared, status):
    spec, nb = prepared
    stop = index_of(nb, "cube_tests")
    cells, result = score(prepared, status=status, stop=stop)
    assert cells["square_tests"].score == 2
    assert cells["cube_tests"].score == 0 and cells["cube_tests"].status == "not_run"
    assert scoring.STOP_REASONS[status] in cells["cube_tests"].reason
    assert result.problems[0]["kind"] == status


def test_zero_result_covers_every_graded_cell(prepared):
    spec, _ = prepared
    result = scoring.zero_result("ada", "a1_squares", spec, "missing", "not handed in")
    assert {c.grade_id for c in result.cells} == {"square_tests", "cube_tests", "why"}
    assert result.score == 0 and result.max_score == 6 and result.problems[0]["kind"] == "missing"
