"""Tests for helpers.network: init, layers (naive vs vectorized), neuron, two-layer forward, lecture notation."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from helpers import network
from helpers.activations import relu, sigmoid, tanh
from helpers.losses import softmax
from helpers.network import (
    add_bias_column,
    init_params,
    layer_forward,
    layer_forward_naive,
    neuron,
    params_from_lecture,
    params_to_lecture,
    two_layer_forward,
)


def test_init_params_shapes_scale_and_seed():
    params = init_params(50, 40, 30, rng=np.random.default_rng(0), weight_scale=0.1)
    assert {k: v.shape for k, v in params.items()} == {
        "W1": (50, 40),
        "b1": (40,),
        "W2": (40, 30),
        "b2": (30,),
    }
    assert all(v.dtype == np.float64 for v in params.values())
    assert params["b1"].tolist() == [0.0] * 40 and params["b2"].tolist() == [0.0] * 30
    assert params["W1"].std() == pytest.approx(0.1, rel=0.05)
    assert abs(params["W1"].mean()) < 0.01
    again = init_params(50, 40, 30, rng=np.random.default_rng(0), weight_scale=0.1)
    assert np.array_equal(params["W1"], again["W1"]) and np.array_equal(params["W2"], again["W2"])
    default = init_params(3, 2, 1, rng=np.random.default_rng(0))
    assert np.abs(default["W1"]).max() < 0.05  # weight_scale=1e-2
    assert init_params(3, 2, 1, rng=np.random.default_rng(0), dtype=np.float32)["W1"].dtype == np.float32


def test_layer_forward_hand_computed():
    X = np.array([[1.0, 2.0], [0.0, -1.0]])
    W = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 1.0]])
    b = np.array([0.1, 0.2, 0.3])
    expected = [[2.1, 4.2, 1.3], [-0.4, -1.8, -0.7]]
    assert_allclose(layer_forward(X, W, b), expected)
    assert_allclose(layer_forward_naive(X, W, b), expected)


@pytest.mark.parametrize(("seed", "N", "D", "H"), [(0, 1, 1, 1), (1, 5, 3, 4), (2, 8, 7, 2)])
def test_naive_layer_matches_vectorized(seed, N, D, H):
    rng = np.random.default_rng(seed)
    X, W, b = rng.standard_normal((N, D)), rng.standard_normal((D, H)), rng.standard_normal(H)
    a = layer_forward(X, W, b)
    assert a.shape == (N, H)
    assert_allclose(layer_forward_naive(X, W, b), a, rtol=1e-7)


def test_neuron():
    # lecture: z = h(sum_i w_i x_i + w_0)
    assert neuron([1.0, 2.0], [0.5, -0.25], 0.0) == 0.5  # sigmoid(0)
    assert neuron([1.0, 2.0], [1.0, 1.0], -1.0, activation="identity") == 2.0
    assert neuron([1.0, 2.0], [1.0, 1.0], -1.0, activation="relu") == 2.0
    assert neuron([1.0, 2.0], [-1.0, -1.0], 1.0, activation="relu") == 0.0
    z = neuron(np.array([3.0]), np.array([1.0]), -1.0, activation="tanh")
    assert isinstance(z, float) and z == pytest.approx(math.tanh(2.0))


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
def test_two_layer_forward_composition(activation, output):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((6, 4))
    params = init_params(4, 5, 3, rng=rng, weight_scale=1.0)
    params["b1"] = rng.standard_normal(5)
    params["b2"] = rng.standard_normal(3)
    y, cache = two_layer_forward(X, params, activation=activation, output=output)
    h = {"relu": relu, "tanh": tanh, "sigmoid": sigmoid}[activation]
    a1 = X @ params["W1"] + params["b1"]
    a2 = h(a1) @ params["W2"] + params["b2"]
    assert y.shape == (6, 3)
    assert set(cache) == {"a1", "z1", "a2"}
    assert_allclose(cache["a1"], a1)
    assert_allclose(cache["z1"], h(a1))
    assert_allclose(cache["a2"], a2)
    if output == "softmax":
        assert_allclose(y, softmax(a2))
        assert_allclose(y.sum(axis=1), 1.0)
    else:
        assert_allclose(y, 1 / (1 + np.exp(-a2)))


def test_two_layer_forward_hand_computed():
    X = np.array([[1.0, -1.0]])
    params = {
        "W1": np.array([[1.0, -1.0], [1.0, 1.0]]),  # a1 = [0 + 0.5, -2 + 0] -> relu [0.5, 0]
        "b1": np.array([0.5, 0.0]),
        "W2": np.array([[2.0], [3.0]]),  # a2 = 1.0 - 1.0 = 0
        "b2": np.array([-1.0]),
    }
    y, cache = two_layer_forward(X, params, output="sigmoid")
    assert_allclose(cache["a1"], [[0.5, -2.0]])
    assert_allclose(cache["z1"], [[0.5, 0.0]])
    assert_allclose(cache["a2"], [[0.0]])
    assert_allclose(y, [[0.5]])


def test_lecture_notation_round_trip():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((5, 3))
    W1_lec = rng.standard_normal((4, 3 + 1))  # (H, D + 1), column 0 is w_j0
    W2_lec = rng.standard_normal((2, 4 + 1))  # (C, H + 1)
    params = params_from_lecture(W1_lec, W2_lec)
    assert params["W1"].shape == (3, 4) and params["b1"].shape == (4,)
    assert params["W2"].shape == (4, 2) and params["b2"].shape == (2,)
    assert params["b1"].tolist() == W1_lec[:, 0].tolist()
    assert params["W1"][2, 1] == W1_lec[1, 3]  # W1[i, j] is the lecture's w_ji (inputs 1-based)
    # a_j = sum_i w_ji x_i + w_j0 with x_0 = 1
    X1 = add_bias_column(X)
    assert X1.shape == (5, 4) and X1[:, 0].tolist() == [1.0] * 5
    assert_allclose(X1 @ W1_lec.T, layer_forward(X, params["W1"], params["b1"]))
    back1, back2 = params_to_lecture(params)
    assert_allclose(back1, W1_lec)
    assert_allclose(back2, W2_lec)


def test_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="D to be a positive integer, got 0"):
        init_params(0, 2, 3, rng=rng)
    with pytest.raises(ValueError, match="Generator"):
        init_params(2, 2, 3, rng=0)
    with pytest.raises(ValueError, match="weight_scale"):
        init_params(2, 2, 3, rng=rng, weight_scale=-1.0)
    with pytest.raises(ValueError, match=r"X of shape \(N, D\), got shape \(3,\)"):
        layer_forward(np.ones(3), np.ones((3, 2)), np.ones(2))
    with pytest.raises(ValueError, match=r"W of shape \(D, H\) with D = 3"):
        layer_forward_naive(np.ones((1, 3)), np.ones((2, 2)), np.ones(2))
    with pytest.raises(ValueError, match=r"b of shape \(H,\) = \(2,\), got \(2, 1\)"):
        layer_forward(np.ones((1, 3)), np.ones((3, 2)), np.ones((2, 1)))
    params = init_params(3, 2, 4, rng=rng)
    with pytest.raises(ValueError, match="activation to be one of"):
        two_layer_forward(np.ones((1, 3)), params, activation="softplus")
    with pytest.raises(ValueError, match="output to be one of"):
        two_layer_forward(np.ones((1, 3)), params, output="linear")
    with pytest.raises(ValueError, match="missing"):
        two_layer_forward(np.ones((1, 3)), {"W1": params["W1"]})
    with pytest.raises(ValueError, match=r"same shape \(D,\)"):
        neuron([1.0, 2.0], [1.0], 0.0)
    with pytest.raises(ValueError, match=r"W2_lecture of shape \(C, H \+ 1\) = \(C, 3\)"):
        params_from_lecture(np.ones((2, 4)), np.ones((1, 4)))


def test_module_documents_its_notebook():
    assert "01_architecture" in network.__doc__
