"""Notebook 04_losses graded the way nbgrader grades it (see tests/nbtools.py).

The generic checks (untouched release scores 0, perfect answers score full, no secrets in the
release, Validator passes on source/) live in tests/test_notebooks.py for every notebook.  Here: the stubs fail
with NotImplementedError, delegating to ``helpers.losses`` earns nothing (with a message saying why),
and typical wrong answers (j = y_i not skipped, log10, no max shift, mean instead of sum) lose only
the tests of their own exercise.  Each ``grade`` call runs the notebook once (a few seconds).
"""

from __future__ import annotations

import pytest

from tests.nbtools import answer_cells, assert_only_lost, grade, read, source_path

NAME = "04_losses"
TESTS = {
    "hinge_naive": "hinge_naive_tests",
    "hinge_vec": "hinge_vec_tests",
    "softmax": "softmax_tests",
    "cross_entropy": "cross_entropy_tests",
    "triplet": "triplet_tests",
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


DELEGATING = {
    "hinge_naive": (
        "from helpers.losses import svm_loss_per_example\n\n"
        "def hinge_losses_naive(scores, y, margin=1.0):\n"
        "    return svm_loss_per_example(scores, y, margin)\n"
    ),
    "hinge_vec": (
        "from helpers.losses import svm_loss\n\n"
        "def hinge_loss(scores, y, margin=1.0):\n"
        "    loss, _ = svm_loss(scores, y, margin)\n"
        "    return loss\n"
    ),
    "softmax": "from helpers.losses import softmax as softmax_probs\n",
    "cross_entropy": (
        "import helpers.losses\n\n"
        "def cross_entropy(scores, y):\n"
        "    return helpers.losses.softmax_loss(scores, y)[0]\n"
    ),
    "triplet": (
        "from helpers import losses as L\n\n"
        "def triplet(anchor, positive, negative, alpha=0.2):\n"
        "    return L.triplet_loss(anchor, positive, negative, alpha)[0]\n"
    ),
}


def test_delegating_to_helpers_losses_earns_nothing():
    results = grade(NAME, DELEGATING)
    for gid, result in results.items():
        assert result.score == 0, f"{gid} gives credit for calling helpers.losses"
        assert "earns no credit" in result.error, f"{gid}: {result.error}"


def test_wrong_answers_lose_only_their_tests_1():
    wrong = dict(
        # forgets to skip j = y_i: every L_i is margin too large
        hinge_naive=(
            "def hinge_losses_naive(scores, y, margin=1.0):\n"
            "    N, C = scores.shape\n"
            "    out = np.zeros(N)\n"
            "    for i in range(N):\n"
            "        for j in range(C):\n"
            "            out[i] += max(0.0, scores[i, j] - scores[i, y[i]] + margin)\n"
            "    return out\n"
        ),
        # log base 10 (the slide's 0.89)
        cross_entropy=(
            "def cross_entropy(scores, y):\n"
            "    c = np.max(scores, axis=1, keepdims=True)\n"
            "    p = np.exp(scores - c) / np.sum(np.exp(scores - c), axis=1, keepdims=True)\n"
            "    return float(-np.mean(np.log10(p[np.arange(len(y)), y])))\n"
        ),
    )
    results = grade(NAME, wrong, perfect=True)
    assert "skip j = y_i" in results["hinge_naive_tests"].error
    assert "log10" in results["cross_entropy_tests"].error
    assert_only_lost(results, {"hinge_naive_tests", "cross_entropy_tests"})


def test_wrong_answers_lose_only_their_tests_2():
    wrong = dict(
        # no max shift: overflows for scores of 1000
        softmax=(
            "def softmax_probs(scores):\n"
            "    e = np.exp(scores)\n"
            "    return e / np.sum(e, axis=1, keepdims=True)\n"
        ),
        # the mean over triplets instead of the slide's sum
        triplet=(
            "def triplet(anchor, positive, negative, alpha=0.2):\n"
            "    d = np.sum((anchor - positive) ** 2, axis=1) - np.sum((anchor - negative) ** 2, axis=1)\n"
            "    return float(np.mean(np.maximum(0.0, d + alpha)))\n"
        ),
        # a vectorized hinge that forgets the mean over N
        hinge_vec=(
            "def hinge_loss(scores, y, margin=1.0):\n"
            "    rows = np.arange(scores.shape[0])\n"
            "    m = np.maximum(0.0, scores - scores[rows, y][:, None] + margin)\n"
            "    m[rows, y] = 0.0\n"
            "    return float(m.sum())\n"
        ),
    )
    results = grade(NAME, wrong, perfect=True)
    assert "overflow" in results["softmax_tests"].error
    assert_only_lost(results, {"softmax_tests", "triplet_tests", "hinge_vec_tests"})
