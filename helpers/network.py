r"""Neurons, layers and the two-layer forward pass of the lecture (notebook 01_architecture).

The lecture writes one layer unit by unit,

.. math:: a_j = \sum_{i=1}^{D} w^{(1)}_{ji} x_i + w^{(1)}_{j0}, \qquad z_j = h(a_j),

and the output layer :math:`a_k = \sum_j w^{(2)}_{kj} z_j + w^{(2)}_{k0}`, followed by a sigmoid
(binary) or a softmax (multiclass).  In code a whole batch goes through at once:
``X (N, D) @ W1 (D, H) + b1 (H,)``, so ``W1[i, j]`` is the lecture's :math:`w^{(1)}_{ji}` and
``b1[j]`` is the bias :math:`w^{(1)}_{j0}`.  The lecture's other notation, a bias input
:math:`x_0 = 1` and one weight matrix with a bias column, is converted by
:func:`params_from_lecture` / :func:`params_to_lecture` and :func:`add_bias_column`.

:func:`layer_forward_naive` is the same computation as :func:`layer_forward` written with loops.
"""

import numpy as np

from helpers.activations import ACTIVATIONS, sigmoid
from helpers.exercise import answer
from helpers.losses import softmax

__all__ = [
    "add_bias_column",
    "init_params",
    "layer_forward",
    "layer_forward_naive",
    "neuron",
    "params_from_lecture",
    "params_to_lecture",
    "two_layer_forward",
]

_OUTPUTS = ("softmax", "sigmoid")


def _as_float(a, name):
    a = np.asarray(a)
    if a.dtype.kind in "biu":
        return a.astype(np.float64)
    if a.dtype.kind != "f":
        raise ValueError(f"expected {name} to be a real numeric array, got dtype {a.dtype}")
    return a


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"expected {name} to be a positive integer, got {value!r}")
    return int(value)


def _activation(name):
    if name not in ACTIVATIONS:
        raise ValueError(f"expected activation to be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name][0]


def init_params(D, H, C, *, rng, weight_scale=1e-2, dtype=np.float64):
    r"""Random initial parameters of a two-layer network.

    Weights are drawn from :math:`\mathcal{N}(0, \sigma^2)` with :math:`\sigma` = ``weight_scale``;
    biases are zero.

    Parameters
    ----------
    D, H, C : int
        Input features, hidden units, classes (outputs).
    rng : numpy.random.Generator
    weight_scale : float, default 1e-2
        Standard deviation of the weights.
    dtype : numpy dtype, default float64

    Returns
    -------
    params : dict of ndarray
        ``W1`` shape (D, H), ``b1`` shape (H,), ``W2`` shape (H, C), ``b2`` shape (C,).
    """
    D, H, C = (_positive_int(v, n) for v, n in ((D, "D"), (H, "H"), (C, "C")))
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"expected rng to be a numpy.random.Generator, got {type(rng).__name__}")
    if isinstance(weight_scale, bool) or not isinstance(weight_scale, int | float | np.integer | np.floating):
        raise ValueError(f"expected weight_scale to be a number >= 0, got {weight_scale!r}")
    if not (np.isfinite(weight_scale) and weight_scale >= 0):
        raise ValueError(f"expected weight_scale to be a finite number >= 0, got {weight_scale!r}")
    return {
        "W1": (weight_scale * rng.standard_normal((D, H))).astype(dtype),
        "b1": np.zeros(H, dtype=dtype),
        "W2": (weight_scale * rng.standard_normal((H, C))).astype(dtype),
        "b2": np.zeros(C, dtype=dtype),
    }


def _check_layer(X, W, b):
    X, W, b = _as_float(X, "X"), _as_float(W, "W"), _as_float(b, "b")
    if X.ndim != 2:
        raise ValueError(f"expected X of shape (N, D), got shape {X.shape}")
    if W.ndim != 2 or W.shape[0] != X.shape[1]:
        raise ValueError(f"expected W of shape (D, H) with D = {X.shape[1]} (columns of X), got {W.shape}")
    if b.shape != (W.shape[1],):
        raise ValueError(f"expected b of shape (H,) = ({W.shape[1]},), got {b.shape}")
    return X, W, b


@answer("01_architecture", "layer_vectorized")
@answer("07_backprop", "affine_forward")  # its output is the affine layer's
def layer_forward(X, W, b):
    r"""Raw activations of a fully connected layer, :math:`a = X W + b`.

    Row n, column j is the lecture's :math:`a_j = \sum_i w_{ji} x_i + w_{j0}` for example n.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    W : ndarray, shape (D, H)
    b : ndarray, shape (H,)

    Returns
    -------
    a : ndarray, shape (N, H)
    """
    X, W, b = _check_layer(X, W, b)
    return X @ W + b


@answer("01_architecture", "layer_loops")
@answer("07_backprop", "affine_forward")
def layer_forward_naive(X, W, b):
    """:func:`layer_forward` with explicit loops over examples, units and inputs (same contract).

    Parameters
    ----------
    X : ndarray, shape (N, D)
    W : ndarray, shape (D, H)
    b : ndarray, shape (H,)

    Returns
    -------
    a : ndarray, shape (N, H)
    """
    X, W, b = _check_layer(X, W, b)
    N, D = X.shape
    H = W.shape[1]
    a = np.zeros((N, H), dtype=np.result_type(X, W, b))
    for n in range(N):
        for j in range(H):
            total = b[j]
            for i in range(D):
                total += W[i, j] * X[n, i]
            a[n, j] = total
    return a


@answer("01_architecture", "neuron")
def neuron(x, w, b, activation="sigmoid"):
    r"""Output of a single neuron, :math:`z = h\big(\sum_i w_i x_i + b\big)`.

    Parameters
    ----------
    x : array_like, shape (D,)
        Inputs.
    w : array_like, shape (D,)
        Weights.
    b : float
        Bias (the lecture's :math:`w_0`).
    activation : str, default "sigmoid"
        A name in :data:`helpers.activations.ACTIVATIONS` or ``"identity"``.

    Returns
    -------
    z : float
    """
    x, w = _as_float(x, "x"), _as_float(w, "w")
    if x.ndim != 1 or w.shape != x.shape:
        raise ValueError(f"expected x and w of the same shape (D,), got {x.shape} and {w.shape}")
    b = _as_float(b, "b")
    if b.shape != ():
        raise ValueError(f"expected a scalar bias b, got shape {b.shape}")
    a = float(np.dot(w, x) + b)
    if activation == "identity":
        return a
    return float(_activation(activation)(a))


@answer("01_architecture", "forward_binary", "forward_multiclass")
def two_layer_forward(X, params, activation="relu", output="softmax"):
    r"""Forward pass of the lecture's two-layer network.

    .. math:: a^{(1)} = X W_1 + b_1,\quad z = h(a^{(1)}),\quad a^{(2)} = z W_2 + b_2,\quad
              y = \mathrm{softmax}(a^{(2)}) \text{ or } \sigma(a^{(2)})

    Parameters
    ----------
    X : ndarray, shape (N, D)
    params : dict
        ``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,), as from :func:`init_params`.
    activation : {"relu", "tanh", "sigmoid", "leaky_relu", "elu"}, default "relu"
        The hidden nonlinearity :math:`h`.
    output : {"softmax", "sigmoid"}, default "softmax"
        Softmax over the C outputs (multiclass) or an independent sigmoid per output (binary).

    Returns
    -------
    y : ndarray, shape (N, C)
        Output probabilities.
    cache : dict
        Intermediates: ``a1`` (N, H) raw hidden activations, ``z1`` (N, H) hidden outputs,
        ``a2`` (N, C) raw output activations (the class scores).
    """
    missing = [k for k in ("W1", "b1", "W2", "b2") if k not in params]
    if missing:
        raise ValueError(f"expected params with keys W1, b1, W2, b2; missing {missing}")
    h = _activation(activation)
    if output not in _OUTPUTS:
        raise ValueError(f"expected output to be one of {_OUTPUTS}, got {output!r}")
    a1 = layer_forward(X, params["W1"], params["b1"])
    z1 = h(a1)
    W2_shape = np.shape(params["W2"])
    if len(W2_shape) != 2 or W2_shape[0] != z1.shape[1]:
        raise ValueError(f"expected W2 of shape (H, C) with H = {z1.shape[1]}, got {W2_shape}")
    a2 = layer_forward(z1, params["W2"], params["b2"])
    y = softmax(a2) if output == "softmax" else sigmoid(a2)
    return y, {"a1": a1, "z1": z1, "a2": a2}


def add_bias_column(X):
    r"""Prepend the lecture's bias input :math:`x_0 = 1` to every example.

    Parameters
    ----------
    X : ndarray, shape (N, D)

    Returns
    -------
    X1 : ndarray, shape (N, D + 1)
        Column 0 is all ones.
    """
    X = _as_float(X, "X")
    if X.ndim != 2:
        raise ValueError(f"expected X of shape (N, D), got shape {X.shape}")
    return np.hstack([np.ones((X.shape[0], 1), dtype=X.dtype), X])


def params_from_lecture(W1_lecture, W2_lecture):
    r"""Convert the lecture's weight matrices (bias as column 0) into ``W1, b1, W2, b2``.

    In the lecture :math:`w^{(1)}_{ji}` has the unit j as row and the input i as column, with
    :math:`i = 0` the bias input :math:`x_0 = 1`.

    Parameters
    ----------
    W1_lecture : array_like, shape (H, D + 1)
        Row j is :math:`[w^{(1)}_{j0}, w^{(1)}_{j1}, \dots, w^{(1)}_{jD}]`.
    W2_lecture : array_like, shape (C, H + 1)
        Row k is :math:`[w^{(2)}_{k0}, w^{(2)}_{k1}, \dots, w^{(2)}_{kH}]`.

    Returns
    -------
    params : dict
        ``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,) (copies).
    """
    W1_lecture = _as_float(W1_lecture, "W1_lecture")
    W2_lecture = _as_float(W2_lecture, "W2_lecture")
    if W1_lecture.ndim != 2 or W1_lecture.shape[1] < 2:
        raise ValueError(f"expected W1_lecture of shape (H, D + 1) with D >= 1, got {W1_lecture.shape}")
    H = W1_lecture.shape[0]
    if W2_lecture.ndim != 2 or W2_lecture.shape[1] != H + 1:
        raise ValueError(f"expected W2_lecture of shape (C, H + 1) = (C, {H + 1}), got {W2_lecture.shape}")
    return {
        "W1": W1_lecture[:, 1:].T.copy(),
        "b1": W1_lecture[:, 0].copy(),
        "W2": W2_lecture[:, 1:].T.copy(),
        "b2": W2_lecture[:, 0].copy(),
    }


def params_to_lecture(params):
    """Inverse of :func:`params_from_lecture`.

    Parameters
    ----------
    params : dict
        ``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,).

    Returns
    -------
    W1_lecture : ndarray, shape (H, D + 1)
    W2_lecture : ndarray, shape (C, H + 1)
    """
    W1, b1 = _as_float(params["W1"], "W1"), _as_float(params["b1"], "b1")
    W2, b2 = _as_float(params["W2"], "W2"), _as_float(params["b2"], "b2")
    if W1.ndim != 2 or b1.shape != (W1.shape[1],) or W2.ndim != 2 or b2.shape != (W2.shape[1],):
        raise ValueError(
            "expected W1 (D, H), b1 (H,), W2 (H, C), b2 (C,), got "
            f"{W1.shape}, {b1.shape}, {W2.shape}, {b2.shape}"
        )
    return np.column_stack([b1, W1.T]), np.column_stack([b2, W2.T])
