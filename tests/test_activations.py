"""Tests for helpers.activations: values, derivatives, forward/backward pairs, stability, errors."""

import math
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose

from helpers import activations
from helpers.activations import (
    ACTIVATIONS,
    elu,
    elu_backward,
    elu_forward,
    elu_grad,
    leaky_relu,
    leaky_relu_backward,
    leaky_relu_forward,
    leaky_relu_grad,
    maxout,
    maxout_backward,
    maxout_forward,
    relu,
    relu_backward,
    relu_forward,
    relu_grad,
    sigmoid,
    sigmoid_backward,
    sigmoid_forward,
    sigmoid_grad,
    tanh,
    tanh_backward,
    tanh_forward,
    tanh_grad,
)
from helpers.gradients import numerical_gradient, numerical_gradient_array, rel_error

X5 = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
EXTREME = np.array([-1e3, -700.0, -50.0, 0.0, 50.0, 700.0, 1e3])

PAIRS = {
    "sigmoid": (sigmoid_forward, sigmoid_backward, {}),
    "tanh": (tanh_forward, tanh_backward, {}),
    "relu": (relu_forward, relu_backward, {}),
    "leaky_relu": (leaky_relu_forward, leaky_relu_backward, {"alpha": 0.05}),
    "elu": (elu_forward, elu_backward, {"alpha": 1.5}),
}


def away_from_zero(rng, shape):
    x = rng.standard_normal(shape)
    x[np.abs(x) < 1e-3] = 0.5  # keep centred differences off the kinks
    return x


def test_hand_computed_values():
    assert_allclose(
        sigmoid(X5), [1 / (1 + math.e**2), 1 / (1 + math.e**0.5), 0.5, 0.6224593312, 0.8807970780]
    )
    assert_allclose(tanh(X5), np.tanh(X5))
    assert relu(X5).tolist() == [0.0, 0.0, 0.0, 0.5, 2.0]
    assert_allclose(leaky_relu(X5), [-0.2, -0.05, 0.0, 0.5, 2.0])  # lecture: max(0.1 x, x)
    assert_allclose(leaky_relu(X5), np.maximum(0.1 * X5, X5))
    assert_allclose(leaky_relu(X5, alpha=0.01), [-0.02, -0.005, 0.0, 0.5, 2.0])
    assert_allclose(elu(X5), [math.exp(-2) - 1, math.exp(-0.5) - 1, 0.0, 0.5, 2.0])
    assert_allclose(elu(X5, alpha=2.0)[:2], [2 * (math.exp(-2) - 1), 2 * (math.exp(-0.5) - 1)])


def test_hand_computed_derivatives():
    assert sigmoid_grad(0.0) == 0.25
    assert tanh_grad(0.0) == 1.0
    assert relu_grad(X5).tolist() == [0.0, 0.0, 0.0, 1.0, 1.0]  # subgradient 0 at 0
    assert leaky_relu_grad(X5).tolist() == [0.1, 0.1, 0.1, 1.0, 1.0]
    assert_allclose(elu_grad(X5), [math.exp(-2), math.exp(-0.5), 1.0, 1.0, 1.0])
    assert_allclose(elu_grad(X5, alpha=3.0)[0], 3 * math.exp(-2))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize(("seed", "shape"), [(0, (7,)), (1, (3, 4)), (2, (2, 3, 2))])
def test_derivatives_match_numerical_gradient(name, seed, shape):
    fn, grad = ACTIVATIONS[name]
    x = away_from_zero(np.random.default_rng(seed), shape)
    num = numerical_gradient(lambda z: float(np.sum(fn(z))), x)
    assert rel_error(grad(x), num) < 1e-7


@pytest.mark.parametrize("name", sorted(PAIRS))
@pytest.mark.parametrize(("seed", "shape"), [(3, (5, 4)), (4, (2, 3, 3))])
def test_forward_backward_pairs(name, seed, shape):
    forward, backward, kw = PAIRS[name]
    rng = np.random.default_rng(seed)
    x = away_from_zero(rng, shape)
    dout = rng.standard_normal(shape)
    out, cache = forward(x, **kw)
    fn, grad = ACTIVATIONS[name]
    assert_allclose(out, fn(x, **kw))
    dx = backward(dout, cache)
    assert dx.shape == x.shape
    assert_allclose(dx, dout * grad(x, **kw), rtol=1e-12)
    num = numerical_gradient_array(lambda z: forward(z, **kw)[0], x, dout)
    assert rel_error(dx, num) < 1e-7


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_extreme_inputs_no_warning_no_nan(name):
    fn, grad = ACTIVATIONS[name]
    forward, backward, _ = PAIRS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for x in (EXTREME, EXTREME.astype(np.float32)):
            out, g = fn(x), grad(x)
            dx = backward(np.ones_like(x), forward(x)[1])
            for arr in (out, g, dx):
                assert np.all(np.isfinite(arr)), name
                assert arr.dtype == x.dtype


def test_extreme_values():
    assert sigmoid(-1e3) == 0.0 and sigmoid(1e3) == 1.0
    assert sigmoid_grad(np.array([-1e3, 1e3])).tolist() == [0.0, 0.0]
    assert sigmoid(-30.0) == pytest.approx(math.exp(-30), rel=1e-12)  # precise in the tail
    assert tanh(np.array([-1e3, 1e3])).tolist() == [-1.0, 1.0]
    assert elu(np.array([-1e3, 1e3])).tolist() == [-1.0, 1000.0]
    assert elu(-1e-10) == pytest.approx(-1e-10, rel=1e-9)  # expm1 keeps small values exact
    assert leaky_relu(np.array([-1e3])).tolist() == [-100.0]


def test_dtypes_and_shapes():
    x32 = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    for name, (fn, grad) in ACTIVATIONS.items():
        assert fn(x32).dtype == np.float32, name
        assert grad(x32).shape == (3, 4), name
        assert fn(np.array([1, -2])).dtype == np.float64, name  # ints become float64
        assert fn(2.0).shape == (), name


def test_maxout_hand_computed():
    x = np.array([[1.0, 2.0]])
    W1 = np.array([[1.0], [0.0]])  # piece 1: x0 + 0.5
    b1 = np.array([0.5])
    W2 = np.array([[0.0], [1.0]])  # piece 2: x1 - 1
    b2 = np.array([-1.0])
    assert maxout(x, W1, b1, W2, b2).tolist() == [[1.5]]
    assert maxout(np.array([[1.0, 3.0]]), W1, b1, W2, b2).tolist() == [[2.0]]
    # maxout generalises ReLU (piece 2 = 0) and leaky ReLU
    xs = X5[:, None]
    assert_allclose(maxout(xs, [[1.0]], [0.0], [[0.0]], [0.0]), relu(xs))
    assert_allclose(maxout(xs, [[1.0]], [0.0], [[0.1]], [0.0]), leaky_relu(xs))


def test_maxout_backward_numerically():
    rng = np.random.default_rng(7)
    N, D, H = 4, 3, 5
    x = rng.standard_normal((N, D))
    W1, W2 = rng.standard_normal((D, H)), rng.standard_normal((D, H))
    b1, b2 = rng.standard_normal(H), rng.standard_normal(H)
    dout = rng.standard_normal((N, H))
    out, cache = maxout_forward(x, W1, b1, W2, b2)
    assert out.shape == (N, H)
    assert np.min(np.abs((x @ W1 + b1) - (x @ W2 + b2))) > 1e-3  # no ties within h
    grads = maxout_backward(dout, cache)
    assert [g.shape for g in grads] == [(N, D), (D, H), (H,), (D, H), (H,)]
    args = [x, W1, b1, W2, b2]
    for k, (g, arr) in enumerate(zip(grads, args, strict=True)):
        num = numerical_gradient_array(lambda _: maxout(*args), arr, dout)
        assert rel_error(g, num) < 1e-7, k


def test_maxout_ties_go_to_first_piece():
    x = np.array([[1.0]])
    _, cache = maxout_forward(x, [[1.0]], [0.0], [[1.0]], [0.0])
    dx, dW1, db1, dW2, db2 = maxout_backward(np.array([[1.0]]), cache)
    assert (dx.item(), dW1.item(), db1.item(), dW2.item(), db2.item()) == (1.0, 1.0, 1.0, 0.0, 0.0)


def test_bad_input():
    with pytest.raises(ValueError, match="real numeric array, got dtype <U1"):
        relu(np.array(["a"]))
    with pytest.raises(ValueError, match=r"dout of shape \(3,\).*got \(2,\)"):
        relu_backward(np.ones(2), relu_forward(np.ones(3))[1])
    with pytest.raises(ValueError, match="alpha"):
        leaky_relu(X5, alpha="0.1")
    with pytest.raises(ValueError, match="alpha"):
        elu(X5, alpha=float("nan"))
    with pytest.raises(ValueError, match=r"x of shape \(N, D\), got shape \(3,\)"):
        maxout(np.ones(3), np.ones((3, 2)), np.ones(2), np.ones((3, 2)), np.ones(2))
    with pytest.raises(ValueError, match=r"W1 of shape \(D, H\) = \(3, H\)"):
        maxout(np.ones((1, 3)), np.ones((2, 2)), np.ones(2), np.ones((2, 2)), np.ones(2))
    with pytest.raises(ValueError, match=r"W2 of shape"):
        maxout(np.ones((1, 3)), np.ones((3, 2)), np.ones(2), np.ones((3, 1)), np.ones(2))
    with pytest.raises(ValueError, match=r"b2 of shape \(H,\) = \(2,\)"):
        maxout(np.ones((1, 3)), np.ones((3, 2)), np.ones(2), np.ones((3, 2)), np.ones(3))


def test_registry_and_docs():
    assert set(ACTIVATIONS) == {"sigmoid", "tanh", "relu", "leaky_relu", "elu"}
    assert ACTIVATIONS["relu"] == (relu, relu_grad)
    assert "02_activations" in activations.__doc__
