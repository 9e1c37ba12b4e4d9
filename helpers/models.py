r"""Classifiers with one contract: ``params``, ``loss(X, y=None)``, ``predict(X)`` (notebooks 07-08).

* :class:`LinearSoftmax`: scores ``X @ W + b``, softmax cross-entropy loss.
* :class:`LinearSVM`: scores ``X @ W + b``, multiclass hinge loss.
* :class:`TwoLayerNet`: affine - ReLU - affine - softmax, the lecture's two-layer network
  :math:`s = W_2^\top \max(0, W_1^\top x + b_1) + b_2` with ``W1 (D, H), b1 (H,), W2 (H, C), b2 (C,)``.

``model.loss(X)`` returns the scores, shape (N, C); ``model.loss(X, y)`` returns
``(loss, grads)`` where ``grads`` has the same keys and shapes as ``model.params``.  The loss is
the mean data loss over the N examples plus the L2 penalty :math:`\lambda \sum W^2` (no 1/2,
the convention of :mod:`helpers.regularization`) on the weight matrices, never on the biases.

Everything stays in the model's dtype (float32 by default, float64 for gradient checks): inputs
are converted once, and the backward pass skips the gradient with respect to X, which
training never needs.
"""

from __future__ import annotations

import numpy as np

from helpers.exercise import answer
from helpers.losses import softmax_loss, svm_loss

__all__ = ["LinearSoftmax", "LinearSVM", "TwoLayerNet", "two_layer_loss"]


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _check_rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {rng!r}")
    return rng


def _check_float_dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


class _Classifier:
    """Shared input checks and ``predict`` for the classifiers below."""

    params: dict[str, np.ndarray]
    dtype: np.dtype
    reg: float
    #: the parameters that carry the L2 penalty (the biases do not)
    weight_names: tuple[str, ...] = ()

    @property
    def input_dim(self) -> int:
        return self.params[self._first_weight].shape[0]

    @property
    def num_classes(self) -> int:
        return self.params[self._last_bias].shape[0]

    def _check_X(self, X) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(
                f"expected X of shape (N, D) = (N, {self.input_dim}), got shape {X.shape}"
                + (" (flatten images with X.reshape(len(X), -1))" if X.ndim == 4 else "")
            )
        if X.shape[1] != self.input_dim:
            raise ValueError(f"expected X with D = {self.input_dim} columns, got shape {X.shape}")
        if X.dtype.kind not in "biuf":
            raise ValueError(f"expected numeric X, got dtype {X.dtype}")
        return np.asarray(X, dtype=self.dtype)  # no copy when it is already the model's dtype

    def _check_y(self, y, N: int) -> np.ndarray:
        y = np.asarray(y)
        if y.shape != (N,):
            raise ValueError(f"expected y of shape (N,) = ({N},), got shape {y.shape}")
        return y

    def loss(self, X, y=None):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def predict(self, X, *, batch_size: int = 10_000) -> np.ndarray:
        """Predicted class of every row of X.

        Parameters
        ----------
        X : ndarray, shape (N, D)

        Returns
        -------
        y_pred : ndarray of int64, shape (N,)
        """
        X = self._check_X(X)
        out = np.empty(X.shape[0], dtype=np.int64)
        for start in range(0, X.shape[0], batch_size):
            out[start : start + batch_size] = np.argmax(self.loss(X[start : start + batch_size]), axis=1)
        return out

    @answer("05_regularization", "l2_penalty")
    def _add_l2(self, loss: float, grads: dict) -> float:
        """Add the L2 penalty of :func:`helpers.regularization.l2` on the weights to loss and grads.

        Same values as ``l2(W, reg)``, computed with fewer passes over W (a BLAS dot product for
        :math:`\\sum W^2`, no squared temporary).
        """
        if self.reg:
            loss += self.penalty()
            for name in self.weight_names:
                grads[name] += (2.0 * self.reg) * self.params[name]
        return loss

    @answer("05_regularization", "l2_penalty")
    def penalty(self) -> float:
        r"""The L2 penalty :math:`\lambda \sum W^2` over the weight matrices (not the biases)."""
        if not self.reg:
            return 0.0
        return self.reg * sum(float(np.vdot(self.params[k], self.params[k])) for k in self.weight_names)


class _Linear(_Classifier):
    _first_weight = "W"
    _last_bias = "b"
    weight_names = ("W",)

    def __init__(self, input_dim, num_classes, *, weight_scale=1e-3, reg=0.0, rng, dtype=np.float32):
        D = _positive_int(input_dim, "input_dim")
        C = _positive_int(num_classes, "num_classes")
        self.dtype = _check_float_dtype(dtype)
        self.reg = float(reg)
        if self.reg < 0:
            raise ValueError(f"reg must be >= 0, got {reg}")
        rng = _check_rng(rng)
        self.params = {
            "W": (float(weight_scale) * rng.standard_normal((D, C))).astype(self.dtype),
            "b": np.zeros(C, dtype=self.dtype),
        }

    def __repr__(self) -> str:
        D, C = self.params["W"].shape
        return f"{type(self).__name__}(input_dim={D}, num_classes={C}, reg={self.reg:g}, dtype={self.dtype})"

    def _data_loss(self, scores, y):  # pragma: no cover - defined by subclasses
        raise NotImplementedError

    def loss(self, X, y=None):
        """Scores, or the loss and its gradients.

        Parameters
        ----------
        X : ndarray, shape (N, D)
        y : ndarray of int, shape (N,), optional

        Returns
        -------
        scores : ndarray, shape (N, C)
            When y is None.
        loss : float, grads : dict
            When y is given; ``grads["W"]`` (D, C), ``grads["b"]`` (C,).
        """
        X = self._check_X(X)
        if y is None:
            scores = X @ self.params["W"]
            scores += self.params["b"]
            return scores
        loss, grads = self._backprop(X, self._check_y(y, X.shape[0]))
        return self._add_l2(loss, grads), grads

    @answer("06_gradients", "svm_loss_grad_W", "softmax_loss_grad_W")
    def _backprop(self, X, y, scale=1.0):
        """Data loss (no penalty) and ``scale`` times its gradients; X, y already checked."""
        scores = X @ self.params["W"]
        scores += self.params["b"]
        loss, dscores = self._data_loss(scores, y)
        if scale != 1.0:
            dscores *= scale  # (N, C): scaling here is cheaper than scaling dW (D, C)
        return loss, {"W": X.T @ dscores, "b": dscores.sum(axis=0)}


class LinearSoftmax(_Linear):
    """Linear classifier ``X @ W + b`` with the softmax cross-entropy loss.

    Parameters
    ----------
    input_dim : int
        D.
    num_classes : int
        C.
    weight_scale : float
        Standard deviation of the initial weights ``W (D, C)``; biases ``b (C,)`` start at 0.
    reg : float
        L2 strength :math:`\\lambda` (penalty :math:`\\lambda \\sum W^2`).
    rng : numpy.random.Generator
    dtype : float32 (default) or float64
    """

    def _data_loss(self, scores, y):
        return softmax_loss(scores, y)


class LinearSVM(_Linear):
    """Linear classifier ``X @ W + b`` with the multiclass hinge (SVM) loss, margin 1.

    Same parameters as :class:`LinearSoftmax`.
    """

    def _data_loss(self, scores, y):
        return svm_loss(scores, y)


@answer("01_architecture", "forward_multiclass")
def _two_layer_scores(params, X):
    """hidden = max(0, X W1 + b1) (N, H), computed in place in one buffer; scores (N, C)."""
    hidden = X @ params["W1"]
    hidden += params["b1"]
    np.maximum(hidden, 0, out=hidden)
    scores = hidden @ params["W2"]
    scores += params["b2"]
    return hidden, scores


@answer("07_backprop", "softmax_ce_loss_and_grads")
@answer("08_cifar10", "two_layer_loss")
def _two_layer_backprop(params, X, y, scale=1.0):
    """Softmax data loss of the two-layer net and ``scale`` times its gradients (no penalty)."""
    hidden, scores = _two_layer_scores(params, X)
    loss, dscores = softmax_loss(scores, y)
    if scale != 1.0:
        dscores *= scale
    grads = {"W2": hidden.T @ dscores, "b2": dscores.sum(axis=0)}
    dhidden = dscores @ params["W2"].T
    np.multiply(dhidden, hidden > 0, out=dhidden)  # ReLU mask: hidden > 0 iff pre-activation > 0
    grads["W1"] = X.T @ dhidden  # no dX: the input needs no gradient
    grads["b1"] = dhidden.sum(axis=0)
    return loss, grads


@answer("07_backprop", "softmax_ce_loss_and_grads")
@answer("08_cifar10", "two_layer_loss")
def two_layer_loss(params, X, y, reg):
    """Affine - ReLU - affine - softmax loss plus ``reg * (sum W1**2 + sum W2**2)``, and its gradients.

    Parameters
    ----------
    params : dict with W1 (D, H), b1 (H,), W2 (H, C), b2 (C,)
    X : ndarray, shape (N, D)
    y : ndarray of int, shape (N,)
    reg : float, the L2 strength lambda

    Returns
    -------
    loss : float
    grads : dict with W1 (D, H), b1 (H,), W2 (H, C), b2 (C,)
    """
    loss, grads = _two_layer_backprop(params, X, y)
    if reg:  # the same sums, in the same order, as _Classifier.penalty
        loss += reg * sum(float(np.vdot(params[k], params[k])) for k in ("W1", "W2"))
        for name in ("W1", "W2"):
            grads[name] += (2.0 * reg) * params[name]
    return loss, grads


two_layer_loss.library = True  # TwoLayerNet.library_loss: train.sgd may use the fused update


class TwoLayerNet(_Classifier):
    r"""Two-layer fully connected network: affine - ReLU - affine - softmax.

    Parameters
    ----------
    input_dim : int
        D.
    hidden_dim : int
        H.
    num_classes : int
        C.
    weight_scale : float or "he"
        Standard deviation of the initial weights; ``"he"`` uses :math:`\sqrt{2/\text{fan-in}}`
        per layer.  Biases start at 0.
    reg : float
        L2 strength :math:`\lambda` on W1 and W2.
    rng : numpy.random.Generator
    dtype : float32 (default) or float64
    loss_fn : callable or None, default :func:`two_layer_loss`
        ``loss_fn(params, X, y, reg) -> (loss, grads)``, the data loss plus the L2 penalty and its
        gradients: your ``two_layer_loss`` of notebook 08 (the library's is released after 08 is due).
        None makes a model that only predicts (notebook 05 fits its output layer in closed form).

    Attributes
    ----------
    params : dict
        ``W1 (D, H)``, ``b1 (H,)``, ``W2 (H, C)``, ``b2 (C,)``.
    """

    _first_weight = "W1"
    _last_bias = "b2"
    weight_names = ("W1", "W2")

    def __init__(
        self,
        input_dim,
        hidden_dim,
        num_classes,
        *,
        weight_scale=1e-3,
        reg=0.0,
        rng,
        dtype=np.float32,
        loss_fn=two_layer_loss,
    ):
        D = _positive_int(input_dim, "input_dim")
        H = _positive_int(hidden_dim, "hidden_dim")
        C = _positive_int(num_classes, "num_classes")
        self.dtype = _check_float_dtype(dtype)
        self.reg = float(reg)
        if self.reg < 0:
            raise ValueError(f"reg must be >= 0, got {reg}")
        rng = _check_rng(rng)
        if isinstance(weight_scale, str):
            if weight_scale != "he":
                raise ValueError(f"weight_scale must be a number or 'he', got {weight_scale!r}")
            s1, s2 = np.sqrt(2.0 / D), np.sqrt(2.0 / H)
        else:
            s1 = s2 = float(weight_scale)
        self.params = {
            "W1": (s1 * rng.standard_normal((D, H))).astype(self.dtype),
            "b1": np.zeros(H, dtype=self.dtype),
            "W2": (s2 * rng.standard_normal((H, C))).astype(self.dtype),
            "b2": np.zeros(C, dtype=self.dtype),
        }
        self.loss_fn = loss_fn
        # train.sgd's fused update needs the library's own backward pass (see two_layer_loss)
        self.library_loss = getattr(loss_fn, "library", False)

    @property
    def hidden_dim(self) -> int:
        return self.params["b1"].shape[0]

    def __repr__(self) -> str:
        D, H = self.params["W1"].shape
        return (
            f"TwoLayerNet(input_dim={D}, hidden_dim={H}, num_classes={self.num_classes}, "
            f"reg={self.reg:g}, dtype={self.dtype})"
        )

    def loss(self, X, y=None):
        """Scores, or the loss and its gradients.

        Parameters
        ----------
        X : ndarray, shape (N, D)
        y : ndarray of int, shape (N,), optional

        Returns
        -------
        scores : ndarray, shape (N, C)
            When y is None.
        loss : float, grads : dict
            When y is given; ``W1 (D, H)``, ``b1 (H,)``, ``W2 (H, C)``, ``b2 (C,)``.
        """
        X = self._check_X(X)
        if y is None:
            return _two_layer_scores(self.params, X)[1]
        if self.loss_fn is None:
            raise ValueError("this TwoLayerNet has no loss_fn (it only predicts): create it with loss_fn=...")
        loss, grads = self.loss_fn(self.params, X, self._check_y(y, X.shape[0]), self.reg)
        return float(loss), grads

    def _forward(self, X):
        """``(hidden, scores)`` of X (N, D), already checked: (N, H) and (N, C)."""
        return _two_layer_scores(self.params, X)

    def _backprop(self, X, y, scale=1.0):
        """Data loss (no penalty) and ``scale`` times its gradients; X, y already checked.

        :func:`helpers.train.sgd` passes ``scale = learning rate``: scaling dscores (N, C) is
        free, scaling dW1 (D, H) would cost a pass over memory.
        """
        return _two_layer_backprop(self.params, X, y, scale)
