"""Notebook 02_activations graded the way nbgrader grades it (see tests/nbtools.py).

Each ``grade`` call runs the whole notebook under ``NBGRADER_EXECUTION=autograde`` (a few seconds),
so the scenarios are batched.
"""

from __future__ import annotations

from tests import nbtools
from tests.nbtools import grade, read, source_path

NAME = "02_activations"
GRADED = {
    "sigmoid": "sigmoid_tests",
    "sigmoid_grad": "sigmoid_grad_tests",
    "relu": "relu_tests",
    "leaky_relu": "leaky_relu_tests",
    "elu": "elu_tests",
    "maxout": "maxout_tests",
    "init_weights": "init_weights_tests",
}

DELEGATING = {
    "sigmoid": "from helpers.activations import sigmoid\n",
    "sigmoid_grad": "def sigmoid_grad(x):\n    return lib.sigmoid_grad(x)\n",
    "relu": "from helpers.activations import relu, relu_grad\n",
    "leaky_relu": (
        "import functools\n\n"
        "import helpers.activations as act\n\n"
        "leaky_relu = functools.partial(act.leaky_relu)\n"
        "leaky_relu_grad = lambda x, alpha=0.1: act.leaky_relu_grad(x, alpha)\n"
    ),
    "elu": (
        "from helpers.activations import elu as _elu, elu_grad as _elu_grad\n\n\n"
        "def elu(x, alpha=1.0):\n"
        "    return _elu(x, alpha)\n\n\n"
        "def elu_grad(x, alpha=1.0):\n"
        "    return _elu_grad(x, alpha)\n"
    ),
    "maxout": "maxout = lambda X, W1, b1, W2, b2: lib.maxout_forward(X, W1, b1, W2, b2)[0]\n",
    "init_weights": "from helpers.init import init_weights\n",
}

WRONG = {
    # sign error, written stably: sigmoid(-x). Its derivative is the same function, so
    # sigmoid_grad (which calls it) must keep its points.
    "sigmoid": (
        "def sigmoid(x):\n    e = np.exp(-np.abs(x))\n    return np.where(x >= 0, e / (1 + e), 1 / (1 + e))\n"
    ),
    # alpha forgotten in the negative branch
    "elu": (
        "def elu(x, alpha=1.0):\n"
        "    return np.where(x >= 0, x, np.expm1(np.minimum(x, 0.0)))\n\n\n"
        "def elu_grad(x, alpha=1.0):\n"
        "    return np.where(x >= 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))\n"
    ),
    # np.max instead of np.maximum
    "maxout": "def maxout(X, W1, b1, W2, b2):\n    return np.max([X @ W1 + b1, X @ W2 + b2])\n",
    # Xavier's variance passed to rng.normal as the standard deviation
    "init_weights": (
        "def init_weights(fan_in, fan_out, scheme, rng):\n"
        "    if scheme not in ('xavier', 'he'):\n"
        "        raise ValueError(f'scheme should be xavier or he, got {scheme!r}')\n"
        "    variance = 2 / (fan_in + fan_out) if scheme == 'xavier' else 2 / fan_in\n"
        "    return rng.normal(0.0, variance, size=(fan_in, fan_out))\n"
    ),
}


def test_warnings_are_taught_not_graded():
    """Right values that warn keep their points (a warning is the student's kernel's to show, issue 19
    item 4); the ungraded check after the test cell fails with the reason."""
    warning_only = {
        "elu": (
            "def elu(x, alpha=1.0):\n"
            "    return np.where(x >= 0, x, alpha * (np.exp(x) - 1))\n\n\n"
            "def elu_grad(x, alpha=1.0):\n"
            "    return np.where(x >= 0, 1.0, alpha * np.exp(x))\n"
        ),
    }
    results = grade(NAME, warning_only, perfect=True)
    assert results["elu_tests"].score == results["elu_tests"].max_score, results["elu_tests"].error
    nb = read(source_path(NAME))
    check = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "elu_warning_check")
    assert not check.metadata["nbgrader"]["grade"] and "testing.assert_no_warning(" in check.source


def test_graded_cells_are_the_expected_ones():
    assert nbtools.test_cells(read(source_path(NAME))) == list(GRADED.values())


def test_untouched_release_fails_every_test_cell():
    results = grade(NAME)
    assert set(results) == set(GRADED.values())
    for gid, result in results.items():
        assert result.score == 0, f"{gid} earns {result.score} for the untouched release"
        assert "NotImplementedError" in result.error, f"{gid}: {result.error}"
    assert sum(r.score for r in results.values()) == 0


def test_delegating_to_the_library_earns_nothing():
    results = grade(NAME, DELEGATING)
    for gid in GRADED.values():
        assert results[gid].score == 0, f"{gid} gives credit for delegating to helpers.activations"
        assert "earns no credit" in results[gid].error, f"{gid}: {results[gid].error}"


def test_wrong_answers_lose_only_their_tests():
    results = grade(NAME, WRONG, perfect=True)
    lost = {gid for gid, r in results.items() if r.score == 0}
    assert lost == {"sigmoid_tests", "elu_tests", "maxout_tests", "init_weights_tests"}, {
        g: r.error for g, r in results.items()
    }
    assert "alpha=2" in results["elu_tests"].error
    assert "np.sqrt(variance)" in results["init_weights_tests"].error
    assert "shape" in results["maxout_tests"].error
    for gid in set(GRADED.values()) - lost:
        assert results[gid].score == results[gid].max_score, f"{gid}: {results[gid].error}"
