"""Notebook 05_regularization graded the way nbgrader grades it (tests/nbtools.py).

* (nbgrader's Validator on the instructor version: tests/test_notebooks.py);
* the untouched release fails every graded cell with NotImplementedError and scores 0;
* answers that delegate to helpers.regularization earn nothing, with a message saying why;
* a wrong answer loses only its own test cell.
"""

from tests.nbtools import grade, read, source_path
from tests.nbtools import test_cells as graded_cells

NAME = "05_regularization"
EXERCISE_TESTS = {
    "l2_penalty": "l2_penalty_tests",
    "l1_penalty": "l1_penalty_tests",
    "elastic_net_penalty": "elastic_net_tests",
    "regularized_svm_loss": "regularized_svm_loss_tests",
}

# Four ways of handing an exercise to the library: a renamed import, a wrapper, a lambda over a
# module alias, and a correct answer that calls the library on the side.
DELEGATING = {
    "l2_penalty": "from helpers.regularization import l2 as l2_penalty\n",
    "l1_penalty": (
        "import helpers.regularization\n\n\n"
        "def l1_penalty(W, lam):\n"
        "    return helpers.regularization.l1(W, lam)\n"
    ),
    "elastic_net_penalty": (
        "from helpers import regularization as reg\n\n"
        "elastic_net_penalty = lambda W, lam, beta: reg.elastic_net(W, lam, beta)\n"
    ),
    "regularized_svm_loss": (
        "from helpers.regularization import l2\n\n\n"
        "def regularized_svm_loss(W, X, y, lam, penalty):\n"
        "    l2(W, lam)\n"
        "    return float(svm_loss_per_example(X @ W, y).mean() + penalty(W, lam)[0])\n"
    ),
}

WRONG = {
    # the penalty is right, the gradient misses its factor 2
    "l2_penalty": "def l2_penalty(W, lam):\n    return float(lam * np.sum(W * W)), lam * W\n",
    # beta dropped from the gradient
    "elastic_net_penalty": (
        "def elastic_net_penalty(W, lam, beta):\n"
        "    return float(lam * np.sum(beta * W * W + np.abs(W))), lam * (2 * W + np.sign(W))\n"
    ),
}


def test_exercises_and_points_are_as_stated():
    cells = graded_cells(read(source_path(NAME)))
    assert sorted(cells) == sorted(EXERCISE_TESTS.values())


def test_untouched_release_fails_every_graded_cell():
    results = grade(NAME)
    assert sorted(results) == sorted(EXERCISE_TESTS.values())
    for gid, result in results.items():
        assert result.score == 0, f"{gid} earns {result.score} points untouched"
        assert "NotImplementedError" in result.error, f"{gid}: {result.error}"


def test_delegating_to_the_library_earns_nothing():
    results = grade(NAME, DELEGATING, perfect=True)
    for exercise, gid in EXERCISE_TESTS.items():
        assert results[gid].score == 0, f"{exercise} delegated to the library but {gid} scored"
        assert "earns no credit" in results[gid].error, f"{gid}: {results[gid].error}"
        assert "helpers.regularization" in results[gid].error


def test_a_wrong_answer_loses_only_its_tests():
    results = grade(NAME, WRONG, perfect=True)
    for exercise, gid in EXERCISE_TESTS.items():
        if exercise in WRONG:
            assert results[gid].score == 0, f"wrong {exercise} still scores on {gid}"
            assert "dW" in results[gid].error, results[gid].error
        else:
            assert results[gid].score == results[gid].max_score, f"{gid}: {results[gid].error}"
