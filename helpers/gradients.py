r"""Numerical gradients, gradient checking and plain gradient descent (notebook 06_gradients).

The lecture defines the derivative as a limit,
:math:`\frac{df}{dx} = \lim_{h\to 0} \frac{f(x+h) - f(x)}{h}`.  In code we use the *centred*
difference :math:`\frac{f(x+h) - f(x-h)}{2h}`, whose error shrinks like :math:`h^2` instead of
:math:`h` (:func:`forward_difference` is kept for the comparison in the notebook).

The checker never prints: every function returns numbers, and the caller decides what is good
enough.  As the CS231n notes say, in float64 a relative error (:func:`rel_error`) below ``1e-7`` is
good for smooth functions; near kinks (ReLU, hinge, maxout) larger errors can be legitimate.

Gradient descent follows the lecture's update rule
:math:`w^{(\tau+1)} = w^{(\tau)} - \eta \nabla E(w^{(\tau)})`.
"""

import numpy as np

from helpers.exercise import answer

__all__ = [
    "forward_difference",
    "grad_check_sparse",
    "gradient_descent",
    "numerical_gradient",
    "numerical_gradient_array",
    "rel_error",
]


def _check_x(x):
    if not isinstance(x, np.ndarray):
        raise ValueError(
            f"expected x to be a NumPy array that f reads (it is perturbed in place), got {type(x).__name__}"
        )
    if x.dtype != np.float64:
        raise ValueError(
            f"expected x of dtype float64 (finite differences need double precision), got {x.dtype}; "
            "convert with x.astype(np.float64)"
        )
    if not x.flags.writeable:
        raise ValueError("expected a writeable array x (it is perturbed in place and restored)")


def _check_h(h):
    if isinstance(h, bool) or not isinstance(h, int | float | np.integer | np.floating) or not h > 0:
        raise ValueError(f"expected a step h > 0, got {h!r}")
    return float(h)


def _scalar(value):
    arr = np.asarray(value)
    if arr.size != 1 or arr.dtype.kind not in "biuf":
        raise ValueError(f"expected f(x) to return a real scalar, got shape {arr.shape} dtype {arr.dtype}")
    return float(arr.reshape(()))


@answer("06_gradients", "numerical_gradient")
def _difference(f, x, h, centred):
    _check_x(x)
    h = _check_h(h)
    grad = np.zeros(x.shape, dtype=np.float64)
    fx = None if centred else _scalar(f(x))
    for idx in np.ndindex(x.shape):
        old = x[idx]
        try:
            x[idx] = old + h
            fplus = _scalar(f(x))
            if centred:
                x[idx] = old - h
                grad[idx] = (fplus - _scalar(f(x))) / (2.0 * h)
            else:
                grad[idx] = (fplus - fx) / h
        finally:
            x[idx] = old
    return grad


@answer("06_gradients", "numerical_gradient")
def numerical_gradient(f, x, h=1e-5):
    r"""Gradient of a scalar function by centred differences, one coordinate at a time.

    .. math:: \frac{\partial f}{\partial x_k} \approx \frac{f(x + h e_k) - f(x - h e_k)}{2h}

    Parameters
    ----------
    f : callable
        ``f(x) -> float``. It may ignore its argument and read ``x`` through a closure (as in
        ``lambda _: net.loss(X, y)[0]``): ``x`` is changed *in place* for each evaluation.
    x : ndarray, any shape, dtype float64
        The point. Restored exactly afterwards, even if ``f`` raises.
    h : float, default 1e-5
        Step size.

    Returns
    -------
    grad : ndarray, same shape as x, float64

    Raises
    ------
    ValueError
        If x is not a writeable float64 array, h is not positive, or f returns a non-scalar.
    """
    return _difference(f, x, h, centred=True)


def forward_difference(f, x, h=1e-5):
    r"""Gradient by the one-sided forward difference :math:`(f(x + h e_k) - f(x)) / h`.

    Same contract as :func:`numerical_gradient`; less accurate (error of order :math:`h` rather
    than :math:`h^2`). Kept to compare the two in notebook 06.

    Parameters
    ----------
    f : callable, ``f(x) -> float``
    x : ndarray, any shape, dtype float64 (perturbed in place, restored)
    h : float, default 1e-5

    Returns
    -------
    grad : ndarray, same shape as x, float64
    """
    return _difference(f, x, h, centred=False)


def numerical_gradient_array(f, x, dout, h=1e-5):
    r"""Numerical gradient of an array-valued function contracted with an upstream gradient.

    Returns :math:`\partial \big(\sum f(x) \odot \mathrm{dout}\big) / \partial x`, the quantity a
    ``*_backward(dout, cache)`` function computes, so ``dx`` can be checked directly.

    Parameters
    ----------
    f : callable
        ``f(x) -> ndarray`` of the same shape as ``dout``.
    x : ndarray, any shape, dtype float64 (perturbed in place, restored)
    dout : ndarray, shape of f(x)
    h : float, default 1e-5

    Returns
    -------
    dx : ndarray, same shape as x, float64
    """
    dout = np.asarray(dout, dtype=np.float64)

    def contracted(z):
        out = np.asarray(f(z), dtype=np.float64)
        if out.shape != dout.shape:
            raise ValueError(f"expected f(x) of shape {dout.shape} (the shape of dout), got {out.shape}")
        return float(np.sum(out * dout))

    return numerical_gradient(contracted, x, h)


def rel_error(a, b):
    r"""Largest elementwise relative error, :math:`\max_k |a_k-b_k| / \max(10^{-8}, |a_k|+|b_k|)`.

    The formula of the CS231n notes; the floor ``1e-8`` keeps it defined where both are 0.

    Parameters
    ----------
    a, b : array_like, same shape (or scalars)

    Returns
    -------
    err : float
        0.0 for identical inputs; at most 1.0.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"expected a and b of the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5, *, rng, numerical_gradient):
    """Compare an analytic gradient with a numerical one at a few random coordinates.

    Checking every coordinate of a (3072, 100) weight matrix costs 600,000 loss evaluations; a
    handful of random ones catches almost every bug.  Each checked coordinate is the derivative of
    ``f`` along that coordinate alone, computed by ``numerical_gradient`` on a one-element array.

    Parameters
    ----------
    f : callable, ``f(x) -> float``
        Reads ``x`` (perturbed in place, restored).
    x : ndarray, any shape, dtype float64
    analytic_grad : ndarray, same shape as x
    num_checks : int, default 10
        Number of coordinates, drawn uniformly with replacement.
    h : float, default 1e-5
    rng : numpy.random.Generator
    numerical_gradient : callable
        ``numerical_gradient(g, t, h) -> ndarray`` of t's shape: your ``numerical_gradient`` of
        notebook 06, or :func:`numerical_gradient` (released after notebook 06 is due).

    Returns
    -------
    errors : ndarray, shape (num_checks,), float64
        Relative error ``|num - ana| / max(1e-8, |num| + |ana|)`` at each checked coordinate.
    """
    _check_x(x)
    h = _check_h(h)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"expected rng to be a numpy.random.Generator, got {type(rng).__name__}")
    analytic_grad = np.asarray(analytic_grad)
    if analytic_grad.shape != x.shape:
        raise ValueError(f"expected analytic_grad of shape {x.shape} (like x), got {analytic_grad.shape}")
    if isinstance(num_checks, bool) or not isinstance(num_checks, int | np.integer) or num_checks < 1:
        raise ValueError(f"expected num_checks to be a positive integer, got {num_checks!r}")
    if x.size == 0:
        raise ValueError("expected a non-empty x")
    errors = np.empty(int(num_checks), dtype=np.float64)
    for k, flat in enumerate(rng.integers(0, x.size, size=int(num_checks))):
        idx = np.unravel_index(flat, x.shape)
        old = x[idx]

        def along(t, idx=idx):  # f as a function of the one coordinate x[idx] = t[0]
            x[idx] = t[0]
            return f(x)

        try:
            num = float(np.asarray(numerical_gradient(along, np.array([old], dtype=np.float64), h))[0])
        finally:
            x[idx] = old
        ana = float(analytic_grad[idx])
        errors[k] = abs(num - ana) / max(1e-8, abs(num) + abs(ana))
    return errors


@answer("06_gradients", "gradient_descent_path")
def gradient_descent(grad_fn, x0, lr, steps):
    r"""Plain gradient descent, :math:`x_{t+1} = x_t - \eta \nabla f(x_t)`, recording the path.

    Parameters
    ----------
    grad_fn : callable
        ``grad_fn(x) -> ndarray`` of the same shape as x.
    x0 : array_like, any shape
        Starting point (copied as float64; the caller's array is not modified).
    lr : float
        Learning rate :math:`\eta > 0`.
    steps : int
        Number of updates (>= 0).

    Returns
    -------
    path : ndarray, shape (steps + 1,) + x0.shape, float64
        ``path[0]`` is x0, ``path[t]`` the point after t updates.  The losses along the way are
        ``np.array([f(p) for p in path])``.  A diverging run (too large ``lr``) fills the path with
        ``inf``/``nan`` without emitting warnings.
    """
    x = np.array(x0, dtype=np.float64)
    if isinstance(lr, bool) or not isinstance(lr, int | float | np.integer | np.floating) or not lr > 0:
        raise ValueError(f"expected a learning rate lr > 0, got {lr!r}")
    if not np.isfinite(lr):
        raise ValueError(f"expected a finite learning rate, got {lr!r}")
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
        raise ValueError(f"expected steps to be a non-negative integer, got {steps!r}")
    path = np.empty((int(steps) + 1,) + x.shape, dtype=np.float64)
    path[0] = x
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, int(steps) + 1):
            g = np.asarray(grad_fn(x.copy()), dtype=np.float64)
            if g.shape != x.shape:
                raise ValueError(f"expected grad_fn(x) of shape {x.shape} (like x0), got {g.shape}")
            x = x - lr * g
            path[t] = x
    return path
