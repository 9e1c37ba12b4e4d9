"""Notebook 01_architecture graded the way nbgrader grades it (see tests/nbtools.py).

Each ``grade`` call runs the whole notebook under ``NBGRADER_EXECUTION=autograde`` (a few seconds),
so the scenarios are batched: one run where every answer delegates to the library, one run with
two wrong answers among correct ones.
"""

from __future__ import annotations

import pytest

from tests import nbtools
from tests.nbtools import grade, read, source_path

NAME = "01_architecture"
GRADED = {
    "neuron": "neuron_tests",
    "layer_loops": "layer_loops_tests",
    "layer_vectorized": "layer_vectorized_tests",
    "forward_binary": "forward_binary_tests",
    "forward_multiclass": "forward_multiclass_tests",
}

DELEGATING = {
    "neuron": (
        "from helpers.network import neuron as _library_neuron\n\n\n"
        "def neuron(x, w, w0):\n"
        "    return _library_neuron(x, w, w0, activation='relu')\n"
    ),
    "layer_loops": "from helpers.network import layer_forward_naive as layer_loops\n",
    "layer_vectorized": (
        "import helpers.network\n\n\n"
        "def layer_vectorized(X, W, b):\n"
        "    return helpers.network.layer_forward(X, W, b)\n"
    ),
    "forward_binary": (
        "from helpers import network\n\n\n"
        "def forward_binary(X, params, h=relu):\n"
        "    return network.two_layer_forward(X, params, output='sigmoid')[0]\n"
    ),
    "forward_multiclass": (
        "import functools\n\n"
        "from helpers.activations import relu as _relu\n"
        "from helpers.losses import softmax\n\n\n"
        "def forward_multiclass(X, params, h=relu):\n"
        "    return softmax(_relu(X @ params['W1'] + params['b1']) @ params['W2'] + params['b2'])\n"
    ),
}

WRONG = {
    # forgets the ReLU: right above the threshold, wrong below it
    "neuron": "def neuron(x, w, w0):\n    return float(np.dot(w, x) + w0)\n",
    # forgets to subtract the row max: nan for large scores
    "forward_multiclass": (
        "def forward_multiclass(X, params, h=relu):\n"
        "    s = h(X @ params['W1'] + params['b1']) @ params['W2'] + params['b2']\n"
        "    e = np.exp(s)\n"
        "    return e / e.sum(axis=1, keepdims=True)\n"
    ),
}


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
        assert results[gid].score == 0, f"{gid} gives credit for delegating to helpers"
        assert "earns no credit" in results[gid].error, f"{gid}: {results[gid].error}"


def test_wrong_answers_lose_only_their_tests():
    results = grade(NAME, WRONG, perfect=True)
    lost = {gid for gid, r in results.items() if r.score == 0}
    assert lost == {"neuron_tests", "forward_multiclass_tests"}, {g: r.error for g, r in results.items()}
    assert "below the threshold" in results["neuron_tests"].error
    assert "subtract" in results["forward_multiclass_tests"].error
    for gid in set(GRADED.values()) - lost:
        assert results[gid].score == results[gid].max_score


@pytest.mark.parametrize("answer", ["neuron", "layer_loops", "layer_vectorized", "forward_binary"])
def test_delegation_message_names_the_library(answer):
    """The refusal comes from testing.check_own_work, whatever the import style (no notebook run)."""
    import numpy as np

    from helpers import testing

    namespace = {"np": np, "relu": lambda a: np.maximum(0.0, a)}
    exec(DELEGATING[answer], namespace)
    fn = namespace[answer]
    args = {
        "neuron": (np.ones(2), np.ones(2), 0.0),
        "layer_loops": (np.ones((2, 2)), np.ones((2, 3)), np.zeros(3)),
        "layer_vectorized": (np.ones((2, 2)), np.ones((2, 3)), np.zeros(3)),
        "forward_binary": (
            np.ones((2, 2)),
            {"W1": np.ones((2, 3)), "b1": np.zeros(3), "W2": np.ones((3, 1)), "b2": np.zeros(1)},
        ),
    }[answer]
    with pytest.raises(AssertionError, match="earns no credit"):
        testing.check_own_work(fn, *args)
