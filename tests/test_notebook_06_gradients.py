"""Notebook 06_gradients graded the way nbgrader grades it (tests/nbtools.py).

* (nbgrader's Validator on the instructor version: tests/test_notebooks.py);
* the untouched release fails every graded cell with NotImplementedError and scores 0;
* answers that delegate to the library (helpers.gradients, helpers.losses, helpers.models) earn
  nothing, with a message saying why;
* a wrong answer loses only its own test cell.
"""

from tests.nbtools import grade, read, source_path
from tests.nbtools import test_cells as graded_cells

NAME = "06_gradients"
EXERCISE_TESTS = {
    "numerical_gradient": "numerical_gradient_tests",
    "svm_loss_grad_W": "svm_loss_grad_W_tests",
    "softmax_loss_grad_W": "softmax_loss_grad_W_tests",
    "gradient_descent_path": "gradient_descent_path_tests",
}

DELEGATING = {
    "numerical_gradient": "from helpers.gradients import numerical_gradient\n",
    "svm_loss_grad_W": (
        "from helpers.losses import svm_loss as _hinge\n\n\n"
        "def svm_loss_grad_W(W, X, y, reg):\n"
        "    loss, dscores = _hinge(X @ W, y)\n"
        "    return float(loss + reg * np.sum(W * W)), X.T @ dscores + 2 * reg * W\n"
    ),
    # NumPy everywhere except the library's softmax for the probabilities
    "softmax_loss_grad_W": (
        "from helpers.losses import softmax\n\n\n"
        "def softmax_loss_grad_W(W, X, y, reg):\n"
        "    p = softmax(X @ W)\n"
        "    rows = np.arange(len(y))\n"
        "    loss = float(-np.log(p[rows, y]).mean() + reg * np.sum(W * W))\n"
        "    p[rows, y] -= 1\n"
        "    return loss, X.T @ p / len(y) + 2 * reg * W\n"
    ),
    "gradient_descent_path": (
        "import helpers.gradients as hg\n\ngradient_descent_path = hg.gradient_descent\n"
    ),
}

WRONG = {
    # forward instead of centred differences
    "numerical_gradient": (
        "def numerical_gradient(f, x, h=1e-5):\n"
        "    grad = np.zeros(x.shape)\n"
        "    fx = f(x)\n"
        "    for idx in np.ndindex(x.shape):\n"
        "        old = x[idx]\n"
        "        x[idx] = old + h\n"
        "        grad[idx] = (f(x) - fx) / h\n"
        "        x[idx] = old\n"
        "    return grad\n"
    ),
    # gradient ascent
    "gradient_descent_path": (
        "def gradient_descent_path(grad_fn, w0, lr, steps):\n"
        "    path = [np.array(w0, dtype=float)]\n"
        "    for _ in range(steps):\n"
        "        path.append(path[-1] + lr * grad_fn(path[-1]))\n"
        "    return np.array(path)\n"
    ),
}


def test_exercises_are_the_graded_cells():
    assert sorted(graded_cells(read(source_path(NAME)))) == sorted(EXERCISE_TESTS.values())


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


def test_a_wrong_answer_loses_only_its_tests():
    results = grade(NAME, WRONG, perfect=True)
    for exercise, gid in EXERCISE_TESTS.items():
        if exercise in WRONG:
            assert results[gid].score == 0, f"wrong {exercise} still scores on {gid}"
            assert "AssertionError" in results[gid].error, results[gid].error
        else:
            assert results[gid].score == results[gid].max_score, f"{gid}: {results[gid].error}"
