"""Notebook 03_argmin graded the way nbgrader grades it (see tests/nbtools.py).

The generic checks (untouched release scores 0, perfect answers score full, no secrets in the
release, Validator passes on source/) live in tests/test_notebooks.py for every notebook.  Here: the stubs fail
with NotImplementedError, delegating to the course library earns nothing, and a wrong answer loses
only the tests of its own exercise.  Each ``grade`` call runs the notebook once (a few seconds).
"""

from __future__ import annotations

import pytest

from tests.nbtools import answer_cells, assert_only_lost, grade, read, source_path

NAME = "03_argmin"
TESTS = {
    "penalized_loss": "penalized_loss_tests",
    "argmin_w": "argmin_w_tests",
    "lambda_switch": "lambda_switch_tests",
    "grid_argmin": "grid_argmin_tests",
    "local_search": "local_search_tests",
}

pytestmark = pytest.mark.slow


def test_answer_cells_match_the_tests():
    assert set(answer_cells(read(source_path(NAME)))) == set(TESTS)


def test_untouched_release_fails_every_test_cell_with_not_implemented():
    results = grade(NAME)
    assert set(results) == set(TESTS.values())
    for gid, result in results.items():
        assert result.score == 0, gid
        assert "NotImplementedError" in result.error, f"{gid}: {result.error}"


def test_delegating_to_the_library_earns_nothing():
    delegating = dict(
        penalized_loss=(
            "from helpers.regularization import l1\n\n"
            "def penalized_loss(w_values, L_values, lam=1.0):\n"
            "    w = np.asarray(w_values, dtype=float)\n"
            "    return np.asarray(L_values, dtype=float) + np.array([l1(np.array([v]), lam)[0] for v in w])\n"
        ),
        local_search=(
            "import helpers.gradients as g\n\n"
            "def local_search(loss_fn, w0, step, max_steps=1000):\n"
            "    g.rel_error(1.0, 1.0)\n"
            "    path = [float(w0)]\n"
            "    w = float(w0)\n"
            "    for _ in range(max_steps):\n"
            "        best = min((loss_fn(w - step), w - step), (loss_fn(w + step), w + step))\n"
            "        if best[0] >= loss_fn(w):\n"
            "            break\n"
            "        w = best[1]\n"
            "        path.append(w)\n"
            "    return np.array(path)\n"
        ),
    )
    results = grade(NAME, delegating, perfect=True)
    for gid in ("penalized_loss_tests", "local_search_tests"):
        assert results[gid].score == 0, gid
        assert "earns no credit" in results[gid].error, results[gid].error
    assert_only_lost(results, {"penalized_loss_tests", "local_search_tests"})


def test_wrong_answers_lose_only_their_tests_1():
    # w instead of |w|; lambda_switch found on a grid (approximate, not exact)
    wrong = dict(
        penalized_loss=(
            "def penalized_loss(w_values, L_values, lam=1.0):\n"
            "    return np.asarray(L_values, dtype=float) + lam * np.asarray(w_values, dtype=float)\n"
        ),
        lambda_switch=(
            "def lambda_switch(w_values, L_values):\n"
            "    w, L = np.asarray(w_values, dtype=float), np.asarray(L_values, dtype=float)\n"
            "    first = np.argmin(L)\n"
            "    for lam in np.arange(0.001, 20.0, 0.001):\n"
            "        if np.argmin(L + lam * np.abs(w)) != first:\n"
            "            return float(lam)\n"
            "    return float(np.inf)\n"
        ),
    )
    assert_only_lost(grade(NAME, wrong, perfect=True), {"penalized_loss_tests", "lambda_switch_tests"})


def test_wrong_answers_lose_only_their_tests_2():
    # the index instead of the weight; a grid that leaves out its right end
    wrong = dict(
        argmin_w="def argmin_w(w_values, losses):\n    return float(np.argmin(losses))\n",
        grid_argmin=(
            "def grid_argmin(loss_fn, lo, hi, num):\n"
            "    grid = np.linspace(lo, hi, num, endpoint=False)\n"
            "    losses = loss_fn(grid)\n"
            "    k = int(np.argmin(losses))\n"
            "    return float(grid[k]), float(losses[k])\n"
        ),
    )
    results = grade(NAME, wrong, perfect=True)
    assert "position" in results["argmin_w_tests"].error, results["argmin_w_tests"].error
    assert_only_lost(results, {"argmin_w_tests", "grid_argmin_tests"})
