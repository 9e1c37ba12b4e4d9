"""Tests for helpers.gradients: numerical gradients, rel_error, sparse checks, gradient descent."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from helpers import gradients
from helpers.gradients import (
    forward_difference,
    grad_check_sparse,
    gradient_descent,
    numerical_gradient,
    numerical_gradient_array,
    rel_error,
)


def cubic(x):
    return float(np.sum(x**3) + np.sum(np.sin(x)))


def cubic_grad(x):
    return 3 * x**2 + np.cos(x)


@pytest.mark.parametrize(("seed", "shape"), [(0, ()), (1, (5,)), (2, (3, 4)), (3, (2, 3, 4))])
def test_numerical_gradient_smooth_random_shapes(seed, shape):
    x = np.random.default_rng(seed).standard_normal(shape)
    x0 = x.copy()
    g = numerical_gradient(cubic, x)
    assert g.shape == x.shape and g.dtype == np.float64
    assert rel_error(g, cubic_grad(x)) < 1e-7
    assert np.array_equal(x, x0)  # restored exactly


def test_numerical_gradient_hand_computed():
    x = np.array([1.0, -2.0])
    # f = x0^2 + 3 x0 x1 -> grad = (2 x0 + 3 x1, 3 x0) = (-4, 3)
    g = numerical_gradient(lambda v: v[0] ** 2 + 3 * v[0] * v[1], x)
    assert_allclose(g, [-4.0, 3.0], rtol=1e-9)


def test_closure_style_f_reads_x_in_place():
    W = np.array([[0.5, -1.0], [2.0, 0.0]])
    g = numerical_gradient(lambda _: float(np.sum(W**2)), W)  # f ignores its argument
    assert_allclose(g, 2 * W, atol=1e-9)


def test_x_restored_even_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])
    calls = []

    def f(v):
        calls.append(v.copy())
        if len(calls) == 3:
            raise RuntimeError("boom")
        return float(v.sum())

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    assert x.tolist() == [1.0, 2.0, 3.0]
    assert calls[2].tolist() == [1.0, 2.0 + 1e-5, 3.0]  # it raised while x[1] was perturbed


def test_forward_vs_centred_difference_accuracy():
    x = np.array([0.7])
    exact = 3 * 0.7**2 + np.cos(0.7)
    err_fwd = abs(forward_difference(cubic, x, h=1e-4)[0] - exact)
    err_ctr = abs(numerical_gradient(cubic, x, h=1e-4)[0] - exact)
    assert err_fwd > 1e-5  # O(h): about f''/2 * h = 1.77e-4
    assert err_ctr < 1e-8  # O(h^2)
    assert forward_difference(cubic, x).shape == (1,)


def test_numerical_gradient_array_checks_a_backward():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 4))
    dout = rng.standard_normal((3, 4))
    dx = numerical_gradient_array(np.tanh, x, dout)
    assert rel_error(dx, dout * (1 - np.tanh(x) ** 2)) < 1e-7


def test_rel_error_values():
    assert rel_error(1.0, 1.0) == 0.0
    assert rel_error(0.0, 0.0) == 0.0  # floor 1e-8 avoids 0/0
    assert rel_error(1.0, 3.0) == pytest.approx(0.5)
    assert rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.2])) == pytest.approx(0.2 / 4.2)
    assert rel_error(1e-9, 0.0) == pytest.approx(1e-9 / 1e-8)
    with pytest.raises(ValueError, match=r"same shape, got \(2,\) and \(3,\)"):
        rel_error(np.zeros(2), np.zeros(3))


def test_grad_check_sparse_returns_errors():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((20, 30))
    x0 = x.copy()
    errors = grad_check_sparse(
        cubic,
        x,
        cubic_grad(x),
        num_checks=12,
        rng=np.random.default_rng(0),
        numerical_gradient=numerical_gradient,
    )
    assert errors.shape == (12,) and errors.dtype == np.float64
    assert errors.max() < 1e-7
    assert np.array_equal(x, x0)
    bad = grad_check_sparse(
        cubic,
        x,
        2 * cubic_grad(x),
        num_checks=5,
        rng=np.random.default_rng(0),
        numerical_gradient=numerical_gradient,
    )
    assert_allclose(bad, 1 / 3, rtol=1e-6)  # |g - 2g| / (|g| + |2g|)
    again = grad_check_sparse(
        cubic,
        x,
        cubic_grad(x),
        num_checks=12,
        rng=np.random.default_rng(0),
        numerical_gradient=numerical_gradient,
    )
    assert_allclose(again, errors)  # seeded: reproducible


def test_grad_check_sparse_prints_nothing(capsys):
    x = np.ones(4)
    grad_check_sparse(
        cubic, x, cubic_grad(x), rng=np.random.default_rng(0), numerical_gradient=numerical_gradient
    )
    assert capsys.readouterr() == ("", "")


def test_gradient_descent_quadratic():
    # f(x) = 0.5 * |x|^2, grad = x: x_t = (1 - lr)^t x0
    x0 = np.array([4.0, -2.0])
    path = gradient_descent(lambda x: x, x0, lr=0.25, steps=3)
    assert path.shape == (4, 2)
    assert_allclose(path[0], x0)
    assert_allclose(path[3], 0.75**3 * x0)
    assert x0.tolist() == [4.0, -2.0]
    assert gradient_descent(lambda x: x, 1.0, lr=0.1, steps=0).shape == (1,)


def test_gradient_descent_diverges_without_warnings():
    path = gradient_descent(lambda x: 2 * x**3, np.array([3.0]), lr=1.0, steps=30)
    assert path.shape == (31, 1)
    assert not np.all(np.isfinite(path))  # diverged, silently (pyproject turns warnings into errors)


def test_bad_input():
    with pytest.raises(ValueError, match="dtype float64.*got float32"):
        numerical_gradient(cubic, np.ones(3, dtype=np.float32))
    with pytest.raises(ValueError, match="NumPy array"):
        numerical_gradient(cubic, [1.0, 2.0])
    with pytest.raises(ValueError, match="h > 0"):
        numerical_gradient(cubic, np.ones(2), h=0)
    with pytest.raises(ValueError, match=r"real scalar, got shape \(2,\)"):
        numerical_gradient(lambda v: v, np.ones(2))
    with pytest.raises(ValueError, match=r"analytic_grad of shape \(3,\)"):
        grad_check_sparse(
            cubic, np.ones(3), np.ones(2), rng=np.random.default_rng(0), numerical_gradient=numerical_gradient
        )
    with pytest.raises(ValueError, match="Generator"):
        grad_check_sparse(cubic, np.ones(3), np.ones(3), rng=0, numerical_gradient=numerical_gradient)
    with pytest.raises(ValueError, match="lr > 0"):
        gradient_descent(lambda x: x, np.ones(2), lr=-0.1, steps=3)
    with pytest.raises(ValueError, match="steps"):
        gradient_descent(lambda x: x, np.ones(2), lr=0.1, steps=2.5)
    with pytest.raises(ValueError, match=r"grad_fn\(x\) of shape \(2,\)"):
        gradient_descent(lambda x: x[:1], np.ones(2), lr=0.1, steps=2)


def test_module_documents_its_notebook():
    assert "06_gradients" in gradients.__doc__
