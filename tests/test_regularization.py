"""Tests for helpers.regularization: the slide convention, the slide example, gradients, errors."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from helpers import regularization
from helpers.gradients import numerical_gradient, rel_error
from helpers.regularization import REGULARIZERS, elastic_net, l1, l2

W = np.array([[1.0, -2.0], [0.0, 0.5]])


def test_convention_lambda_sum_w_squared_no_half():
    penalty, dW = l2(W, 0.1)
    assert penalty == pytest.approx(0.1 * (1 + 4 + 0 + 0.25))  # 0.525, no factor 1/2
    assert_allclose(dW, 0.2 * W)
    assert "no factor 1/2" in regularization.__doc__
    assert "05_regularization" in regularization.__doc__


def test_l1_hand_computed_and_subgradient_at_zero():
    penalty, dW = l1(W, 0.5)
    assert penalty == pytest.approx(0.5 * 3.5)
    assert_allclose(dW, [[0.5, -0.5], [0.0, 0.5]])  # sign(0) = 0
    assert l1(np.zeros(3), 2.0)[1].tolist() == [0.0, 0.0, 0.0]


def test_elastic_net_slide_form():
    # lam * sum(beta W^2 + |W|) = 0.1 * (2 * 5.25 + 3.5) = 1.4
    penalty, dW = elastic_net(W, 0.1, 2.0)
    assert penalty == pytest.approx(1.4)
    assert_allclose(dW, 0.1 * (4.0 * W + np.sign(W)))
    p2, d2 = l2(W, 0.1 * 2.0)
    p1, d1 = l1(W, 0.1)
    assert penalty == pytest.approx(p1 + p2)
    assert_allclose(dW, d1 + d2)


def test_slide_example_expressing_preferences():
    x = np.array([1.0, 1.0, 1.0, 1.0])
    w1 = np.array([1.0, 0.0, 0.0, 0.0])
    w2 = np.array([0.25, 0.25, 0.25, 0.25])
    assert w1 @ x == w2 @ x == 1.0
    assert l2(w1, 1.0)[0] == pytest.approx(1.0)
    assert l2(w2, 1.0)[0] == pytest.approx(0.25)  # L2 prefers the spread-out w2
    assert l1(w1, 1.0)[0] == pytest.approx(l1(w2, 1.0)[0]) == pytest.approx(1.0)  # L1 ties


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 2)])
def test_gradients_numerically(seed, shape):
    rng = np.random.default_rng(seed)
    Wr = rng.standard_normal(shape)
    Wr[np.abs(Wr) < 1e-3] = 0.1  # keep away from the L1 kink
    for name, fn in (
        ("l2", lambda w: l2(w, 0.3)),
        ("l1", lambda w: l1(w, 0.3)),
        ("elastic_net", lambda w: elastic_net(w, 0.3, 0.7)),
    ):
        _, dW = fn(Wr)
        num = numerical_gradient(lambda w, fn=fn: fn(w)[0], Wr)
        assert rel_error(dW, num) < 1e-7, name


def test_zero_strength_and_dtype():
    assert l2(W, 0.0)[0] == 0.0
    W32 = W.astype(np.float32)
    for fn in (lambda w: l2(w, 0.1), lambda w: l1(w, 0.1), lambda w: elastic_net(w, 0.1, 1.0)):
        penalty, dW = fn(W32)
        assert isinstance(penalty, float)
        assert dW.dtype == np.float32
    penalty, dW = l2(np.array([1, 2]), 1.0)
    assert penalty == 5.0 and dW.dtype == np.float64


def test_registry():
    assert set(REGULARIZERS) == {"l2", "l1", "elastic_net"}
    assert REGULARIZERS["elastic_net"](W, 0.1)[0] == pytest.approx(elastic_net(W, 0.1, 1.0)[0])


def test_bad_input():
    with pytest.raises(ValueError, match="lam to be a finite number >= 0, got -1"):
        l2(W, -1)
    with pytest.raises(ValueError, match="lam to be a real number"):
        l1(W, "0.1")
    with pytest.raises(ValueError, match="beta"):
        elastic_net(W, 0.1, -0.5)
    with pytest.raises(ValueError, match="real-valued weight array W, got dtype"):
        l2(np.array(["a"]), 0.1)
