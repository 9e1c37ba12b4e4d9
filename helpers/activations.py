r"""Activation functions of the lecture with derivatives and forward/backward pairs (notebook 02_activations).

Every elementwise activation :math:`h` comes in three forms:

* ``h(x)`` -- the function itself, any shape, returns an array of the same shape;
* ``h_grad(x)`` -- its derivative :math:`h'(x)`, elementwise, same shape;
* ``out, cache = h_forward(x)`` and ``dx = h_backward(dout, cache)`` -- the CS231n-style pair used
  in backpropagation: ``dx = dout * h'(x)``.

Maxout has parameters, so it has no elementwise derivative; it comes as ``maxout`` and the pair
``maxout_forward`` / ``maxout_backward``.

All functions are numerically stable for :math:`|x|` up to ``1e3`` (and beyond) and emit no
``RuntimeWarning``: the sigmoid never evaluates ``exp`` of a positive number and ELU uses
``expm1`` of ``min(x, 0)``.  Floating inputs keep their dtype (float32 stays float32); integer
and boolean inputs are converted to float64.

Derivatives at kinks (``x == 0``) use a fixed subgradient: ``relu_grad(0) = 0``,
``leaky_relu_grad(0) = alpha``, ``elu_grad(0) = 1``; maxout sends the gradient to the first
piece when both pieces are equal.
"""

import numpy as np

from helpers.exercise import answer

__all__ = [
    "ACTIVATIONS",
    "elu",
    "elu_backward",
    "elu_forward",
    "elu_grad",
    "leaky_relu",
    "leaky_relu_backward",
    "leaky_relu_forward",
    "leaky_relu_grad",
    "maxout",
    "maxout_backward",
    "maxout_forward",
    "relu",
    "relu_backward",
    "relu_forward",
    "relu_grad",
    "sigmoid",
    "sigmoid_backward",
    "sigmoid_forward",
    "sigmoid_grad",
    "tanh",
    "tanh_backward",
    "tanh_forward",
    "tanh_grad",
]


def _as_float(x, name="x"):
    """Return ``x`` as a floating ndarray (float input keeps its dtype, ints/bools become float64)."""
    arr = np.asarray(x)
    if arr.dtype.kind == "f":
        return arr
    if arr.dtype.kind in "biu":
        return arr.astype(np.float64)
    raise ValueError(f"expected {name} to be a real numeric array, got dtype {arr.dtype}")


def _check_alpha(alpha):
    if isinstance(alpha, bool) or not isinstance(alpha, int | float | np.integer | np.floating):
        raise ValueError(f"expected alpha to be a finite real number, got {alpha!r}")
    if not np.isfinite(alpha):
        raise ValueError(f"expected alpha to be a finite real number, got {alpha!r}")
    return float(alpha)


def _check_dout(dout, like):
    dout = _as_float(dout, "dout")
    if dout.shape != np.shape(like):
        raise ValueError(f"expected dout of shape {np.shape(like)} (the forward output), got {dout.shape}")
    return dout


# --- sigmoid ---------------------------------------------------------------------------------------


@answer("02_activations", "sigmoid")
@answer("07_backprop", "sigmoid_forward")  # its output is the forward pass's
def sigmoid(x):
    r"""Logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})`, overflow-safe.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    out : ndarray, same shape as x, values in [0, 1]

    Notes
    -----
    Computed as :math:`1/(1+e^{-|x|})` for :math:`x \ge 0` and :math:`e^{-|x|}/(1+e^{-|x|})` for
    :math:`x < 0`, so ``exp`` never sees a positive argument: ``sigmoid(-1000.0)`` is ``0.0`` and
    ``sigmoid(1000.0)`` is ``1.0``, without warnings.
    """
    x = _as_float(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


@answer("02_activations", "sigmoid_grad")
def sigmoid_grad(x):
    r"""Derivative :math:`\sigma'(x) = \sigma(x)\,(1 - \sigma(x))`, elementwise, same shape as x."""
    s = sigmoid(x)
    return s * (1.0 - s)


@answer("07_backprop", "sigmoid_forward")
def sigmoid_forward(x):
    """Sigmoid forward pass.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    out : ndarray, same shape as x
    cache : ndarray
        ``out`` itself (the backward pass only needs :math:`\\sigma(x)`).
    """
    out = sigmoid(x)
    return out, out


@answer("02_activations", "sigmoid_grad")
@answer("07_backprop", "sigmoid_backward")
def sigmoid_backward(dout, cache):
    """Sigmoid backward pass: ``dx = dout * out * (1 - out)``.

    Parameters
    ----------
    dout : ndarray, same shape as the forward output
        Upstream gradient.
    cache : ndarray
        From :func:`sigmoid_forward`.

    Returns
    -------
    dx : ndarray, same shape as dout
    """
    out = cache
    dout = _check_dout(dout, out)
    return dout * out * (1.0 - out)


# --- tanh ------------------------------------------------------------------------------------------


def tanh(x):
    r"""Hyperbolic tangent :math:`\tanh(x)`, values in [-1, 1], same shape as x (stable for any x)."""
    return np.tanh(_as_float(x))


def tanh_grad(x):
    r"""Derivative :math:`1 - \tanh^2(x)`, elementwise, same shape as x."""
    t = tanh(x)
    return 1.0 - t * t


def tanh_forward(x):
    """Tanh forward pass. Returns ``(out, cache)`` with ``out`` of x's shape and ``cache = out``."""
    out = tanh(x)
    return out, out


def tanh_backward(dout, cache):
    """Tanh backward pass: ``dx = dout * (1 - out**2)``; dout and dx have the forward output's shape."""
    out = cache
    dout = _check_dout(dout, out)
    return dout * (1.0 - out * out)


# --- ReLU ------------------------------------------------------------------------------------------


@answer("02_activations", "relu")
@answer("07_backprop", "relu_forward")  # its output is the forward pass's
def relu(x):
    r"""Rectified linear unit :math:`\max(0, x)`, elementwise, same shape as x."""
    x = _as_float(x)
    return np.maximum(x, 0).astype(x.dtype, copy=False)


@answer("02_activations", "relu_grad")
def relu_grad(x):
    r"""Derivative of ReLU: 1 where :math:`x > 0`, else 0 (subgradient 0 at x = 0); same shape as x."""
    x = _as_float(x)
    return (x > 0).astype(x.dtype)


@answer("07_backprop", "relu_forward")
def relu_forward(x):
    """ReLU forward pass.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    out : ndarray, same shape as x
    cache : ndarray
        The input x (as a float array).
    """
    x = _as_float(x)
    return relu(x), x


@answer("02_activations", "relu_grad")
@answer("07_backprop", "max_backward", "relu_backward")
def relu_backward(dout, cache):
    """ReLU backward pass: ``dx = dout`` where ``x > 0``, else 0.

    Parameters
    ----------
    dout : ndarray, same shape as x
    cache : ndarray
        The x saved by :func:`relu_forward`.

    Returns
    -------
    dx : ndarray, same shape as x
    """
    x = cache
    dout = _check_dout(dout, x)
    return np.where(x > 0, dout, 0).astype(dout.dtype, copy=False)


# --- leaky ReLU ------------------------------------------------------------------------------------


@answer("02_activations", "leaky_relu")
def leaky_relu(x, alpha=0.1):
    r"""Leaky ReLU, :math:`x` for :math:`x > 0` and :math:`\alpha x` otherwise.

    For :math:`0 \le \alpha \le 1` this is the lecture's :math:`\max(\alpha x, x)` (with
    :math:`\alpha = 0.1`).

    Parameters
    ----------
    x : array_like, any shape
    alpha : float, default 0.1
        Slope for negative inputs.

    Returns
    -------
    out : ndarray, same shape as x
    """
    x = _as_float(x)
    alpha = _check_alpha(alpha)
    return np.where(x > 0, x, alpha * x).astype(x.dtype, copy=False)


@answer("02_activations", "leaky_relu_grad")
def leaky_relu_grad(x, alpha=0.1):
    """Derivative of leaky ReLU: 1 where ``x > 0``, else ``alpha`` (also at x = 0); same shape as x."""
    x = _as_float(x)
    alpha = _check_alpha(alpha)
    return np.where(x > 0, 1.0, alpha).astype(x.dtype)


def leaky_relu_forward(x, alpha=0.1):
    """Leaky ReLU forward pass. Returns ``(out, cache)``, out of x's shape, ``cache = (x, alpha)``."""
    x = _as_float(x)
    return leaky_relu(x, alpha), (x, _check_alpha(alpha))


@answer("02_activations", "leaky_relu_grad")
def leaky_relu_backward(dout, cache):
    """Leaky ReLU backward pass: ``dx = dout * leaky_relu_grad(x, alpha)``, same shape as dout."""
    x, alpha = cache
    dout = _check_dout(dout, x)
    return np.where(x > 0, dout, alpha * dout).astype(dout.dtype, copy=False)


# --- ELU -------------------------------------------------------------------------------------------


@answer("02_activations", "elu")
def elu(x, alpha=1.0):
    r"""Exponential linear unit: :math:`x` for :math:`x \ge 0`, :math:`\alpha(e^x - 1)` for :math:`x < 0`.

    Parameters
    ----------
    x : array_like, any shape
    alpha : float, default 1.0
        Saturation value for large negative inputs (the output tends to :math:`-\alpha`).

    Returns
    -------
    out : ndarray, same shape as x

    Notes
    -----
    Uses ``expm1(min(x, 0))`` so large positive x never reaches ``exp`` and small negative x keep
    full precision.
    """
    x = _as_float(x)
    alpha = _check_alpha(alpha)
    neg = alpha * np.expm1(np.minimum(x, 0))
    return np.where(x >= 0, x, neg).astype(x.dtype, copy=False)


@answer("02_activations", "elu_grad")
def elu_grad(x, alpha=1.0):
    r"""Derivative of ELU: 1 for :math:`x \ge 0`, :math:`\alpha e^x` for :math:`x < 0`; same shape as x."""
    x = _as_float(x)
    alpha = _check_alpha(alpha)
    return np.where(x >= 0, 1.0, alpha * np.exp(np.minimum(x, 0))).astype(x.dtype, copy=False)


def elu_forward(x, alpha=1.0):
    """ELU forward pass. Returns ``(out, cache)``, out of x's shape, ``cache = (x, alpha)``."""
    x = _as_float(x)
    return elu(x, alpha), (x, _check_alpha(alpha))


def elu_backward(dout, cache):
    """ELU backward pass: ``dx = dout * elu_grad(x, alpha)``, same shape as dout."""
    x, alpha = cache
    dout = _check_dout(dout, x)
    return dout * elu_grad(x, alpha)


# --- maxout ----------------------------------------------------------------------------------------


def _check_maxout(x, W1, b1, W2, b2):
    x = _as_float(x)
    if x.ndim != 2:
        raise ValueError(f"expected x of shape (N, D), got shape {x.shape}")
    W1, b1, W2, b2 = (_as_float(a, n) for a, n in ((W1, "W1"), (b1, "b1"), (W2, "W2"), (b2, "b2")))
    D = x.shape[1]
    if W1.ndim != 2 or W1.shape[0] != D:
        raise ValueError(f"expected W1 of shape (D, H) = ({D}, H) to match x {x.shape}, got {W1.shape}")
    H = W1.shape[1]
    if W2.shape != W1.shape:
        raise ValueError(f"expected W2 of shape (D, H) = {W1.shape} like W1, got {W2.shape}")
    for name, b in (("b1", b1), ("b2", b2)):
        if b.shape != (H,):
            raise ValueError(f"expected {name} of shape (H,) = ({H},), got {b.shape}")
    return x, W1, b1, W2, b2


@answer("02_activations", "maxout")
def maxout(x, W1, b1, W2, b2):
    r"""Maxout unit with two pieces: :math:`\max(x W_1 + b_1,\; x W_2 + b_2)`, elementwise.

    The lecture writes one unit as :math:`\max(w_1^T x + b_1, w_2^T x + b_2)`; here each of the
    H columns of ``W1``/``W2`` is one unit.

    Parameters
    ----------
    x : ndarray, shape (N, D)
    W1, W2 : ndarray, shape (D, H)
    b1, b2 : ndarray, shape (H,)

    Returns
    -------
    out : ndarray, shape (N, H)
    """
    out, _ = maxout_forward(x, W1, b1, W2, b2)
    return out


@answer("02_activations", "maxout")
def maxout_forward(x, W1, b1, W2, b2):
    """Maxout forward pass (two pieces).

    Parameters
    ----------
    x : ndarray, shape (N, D)
    W1, W2 : ndarray, shape (D, H)
    b1, b2 : ndarray, shape (H,)

    Returns
    -------
    out : ndarray, shape (N, H)
    cache : tuple
        ``(x, W1, W2, first)`` where ``first`` (N, H) is True where piece 1 won (ties go to piece 1).
    """
    x, W1, b1, W2, b2 = _check_maxout(x, W1, b1, W2, b2)
    a1 = x @ W1 + b1
    a2 = x @ W2 + b2
    first = a1 >= a2
    return np.where(first, a1, a2), (x, W1, W2, first)


@answer("07_backprop", "max_backward")
def maxout_backward(dout, cache):
    """Maxout backward pass: the gradient flows only through the winning piece.

    Parameters
    ----------
    dout : ndarray, shape (N, H)
    cache : tuple
        From :func:`maxout_forward`.

    Returns
    -------
    dx : ndarray, shape (N, D)
    dW1, dW2 : ndarray, shape (D, H)
    db1, db2 : ndarray, shape (H,)
        Returned in the order ``dx, dW1, db1, dW2, db2``.
    """
    x, W1, W2, first = cache
    dout = _check_dout(dout, first)
    d1 = np.where(first, dout, 0)
    d2 = np.where(first, 0, dout)
    dx = d1 @ W1.T + d2 @ W2.T
    return dx, x.T @ d1, d1.sum(axis=0), x.T @ d2, d2.sum(axis=0)


#: Elementwise activations by name: ``name -> (function, derivative)``, default parameters.
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
    "elu": (elu, elu_grad),
}
