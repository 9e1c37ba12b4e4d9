r"""Losses of the lecture: multiclass hinge (SVM), softmax cross-entropy, triplet (notebook 04_losses).

Conventions (shared by every loss here):

* ``scores`` has shape ``(N, C)``: one row of unnormalised class scores per example; ``y`` has
  shape ``(N,)`` and holds integer labels in ``0 .. C-1``.
* The loss is the **mean** over the N examples, :math:`L = \frac{1}{N}\sum_i L_i`, and losses
  return ``(loss, dscores)`` where ``dscores`` (N, C) is :math:`\partial L / \partial \mathrm{scores}`.
* Logarithms are **natural**.  The lecture's slide :math:`-\log(0.13) = 0.89` uses base 10; in
  natural log the cat image's loss is 2.04.
* Cross-entropy is computed from the logits with the log-sum-exp trick (row max subtracted), so
  scores of :math:`\pm 10^3` give no overflow and no warnings.
* Floating scores keep their dtype (float32 stays float32 for fast training); integer scores are
  converted to float64.  The returned loss is a Python float.

The lecture's worked example, transposed so that rows are images (N=3) and columns the class
scores cat/car/frog (C=3), is :data:`CAT_CAR_FROG_SCORES` with labels :data:`CAT_CAR_FROG_LABELS`:
hinge losses 2.9, 0, 12.9 (mean 15.8/3 = 5.27), cross-entropies 2.04, 0.079, 6.156.

Each vectorized loss has a loop-based twin (``*_naive``) with the same contract, for teaching.
"""

import numpy as np

from helpers.exercise import answer

__all__ = [
    "CAT_CAR_FROG_LABELS",
    "CAT_CAR_FROG_SCORES",
    "CLASS_NAMES",
    "log_softmax",
    "softmax",
    "softmax_loss",
    "softmax_loss_naive",
    "softmax_loss_per_example",
    "svm_loss",
    "svm_loss_naive",
    "svm_loss_per_example",
    "triplet_loss",
]

#: Class names of the lecture's example, in label order.
CLASS_NAMES = ("cat", "car", "frog")

#: The lecture's score table as (N, C): row i is image i (cat, car, frog), column j the score of class j.
CAT_CAR_FROG_SCORES = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
CAT_CAR_FROG_SCORES.flags.writeable = False

#: True labels of the three images: cat=0, car=1, frog=2.
CAT_CAR_FROG_LABELS = np.array([0, 1, 2], dtype=np.int64)
CAT_CAR_FROG_LABELS.flags.writeable = False


def _as_scores(scores, ndims=(2,), name="scores", want="(N, C)"):
    scores = np.asarray(scores)
    if scores.dtype.kind in "biu":
        scores = scores.astype(np.float64)
    elif scores.dtype.kind != "f":
        raise ValueError(f"expected real-valued {name}, got dtype {scores.dtype}")
    if scores.ndim not in ndims:
        raise ValueError(f"expected {name} of shape {want}, got shape {scores.shape}")
    return scores


def _check(scores, y):
    """Validate ``scores`` (N, C) and integer labels ``y`` (N,) in 0..C-1; return them as arrays."""
    scores = _as_scores(scores)
    N, C = scores.shape
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise ValueError(
            f"expected y to hold integer class labels, got dtype {y.dtype} (try y.astype(np.int64))"
        )
    if y.shape != (N,):
        hint = " (is scores transposed? it needs one row per example, (N, C))" if y.shape == (C,) else ""
        raise ValueError(
            f"expected y of shape (N,) = ({N},) to match scores {scores.shape}, got {y.shape}{hint}"
        )
    if N == 0 or C == 0:
        raise ValueError(f"expected at least one example and one class, got scores of shape {scores.shape}")
    lo, hi = int(y.min()), int(y.max())
    if lo < 0 or hi >= C:
        raise ValueError(f"expected labels y in 0..{C - 1} (C={C} classes), got values in {lo}..{hi}")
    return scores, y


@answer("04_losses", "softmax_probs")
def softmax(scores):
    r"""Softmax along the last axis, :math:`p_k = e^{s_k} / \sum_j e^{s_j}`, stable.

    The row maximum is subtracted before ``exp`` (this does not change the result), so no
    overflow for large scores.

    Parameters
    ----------
    scores : array_like, shape (N, C) or (C,)

    Returns
    -------
    probs : ndarray, same shape as scores, rows sum to 1
    """
    scores = _as_scores(scores, ndims=(1, 2), want="(N, C) or (C,)")
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@answer("04_losses", "cross_entropy")
def log_softmax(scores):
    r"""Log of the softmax, :math:`s_k - \log\sum_j e^{s_j}`, by log-sum-exp (stable, no ``log(0)``).

    Parameters
    ----------
    scores : array_like, shape (N, C) or (C,)

    Returns
    -------
    log_probs : ndarray, same shape as scores, all <= 0
    """
    scores = _as_scores(scores, ndims=(1, 2), want="(N, C) or (C,)")
    shifted = scores - scores.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


# --- multiclass hinge (SVM) ------------------------------------------------------------------------


@answer("04_losses", "hinge_losses_naive", "hinge_loss")
def _svm_margins(scores, y, margin):
    rows = np.arange(scores.shape[0])
    margins = scores - scores[rows, y][:, None] + margin
    np.maximum(margins, 0, out=margins)
    margins[rows, y] = 0
    return margins


@answer("04_losses", "hinge_losses_naive")
def svm_loss_per_example(scores, y, margin=1.0):
    r"""Multiclass hinge loss of each example, :math:`L_i = \sum_{j \ne y_i} \max(0, s_j - s_{y_i} + \Delta)`.

    Parameters
    ----------
    scores : array_like, shape (N, C)
    y : array_like of int, shape (N,), values in 0..C-1
    margin : float, default 1.0
        The margin :math:`\Delta`.

    Returns
    -------
    losses : ndarray, shape (N,)
        On :data:`CAT_CAR_FROG_SCORES`: ``[2.9, 0.0, 12.9]``.
    """
    scores, y = _check(scores, y)
    return _svm_margins(scores, y, float(margin)).sum(axis=1)


@answer("04_losses", "hinge_loss")
@answer("06_gradients", "svm_loss_grad_W")  # its dscores are the crux of 06's gradient
def svm_loss(scores, y, margin=1.0):
    r"""Mean multiclass hinge (SVM) loss and its gradient, vectorized.

    .. math:: L = \frac{1}{N} \sum_i \sum_{j \ne y_i} \max(0, s_{ij} - s_{i y_i} + \Delta)

    Parameters
    ----------
    scores : array_like, shape (N, C)
    y : array_like of int, shape (N,), values in 0..C-1
    margin : float, default 1.0

    Returns
    -------
    loss : float
    dscores : ndarray, shape (N, C), dtype of scores
        Subgradient: for each violated margin (strictly positive) +1/N at column j and -1/N at the
        true class column; 0 where the margin is exactly 0.
    """
    scores, y = _check(scores, y)
    N = scores.shape[0]
    margins = _svm_margins(scores, y, float(margin))
    loss = float(margins.sum()) / N
    dscores = (margins > 0).astype(scores.dtype)
    dscores[np.arange(N), y] = -dscores.sum(axis=1)
    dscores /= N
    return loss, dscores


@answer("04_losses", "hinge_losses_naive", "hinge_loss")
@answer("06_gradients", "svm_loss_grad_W")
def svm_loss_naive(scores, y, margin=1.0):
    """Mean multiclass hinge loss with explicit loops; same contract as :func:`svm_loss`.

    Parameters
    ----------
    scores : array_like, shape (N, C)
    y : array_like of int, shape (N,)
    margin : float, default 1.0

    Returns
    -------
    loss : float
    dscores : ndarray, shape (N, C)
    """
    scores, y = _check(scores, y)
    N, C = scores.shape
    loss = 0.0
    dscores = np.zeros_like(scores)
    for i in range(N):
        correct = scores[i, y[i]]
        for j in range(C):
            if j == y[i]:
                continue
            m = scores[i, j] - correct + margin
            if m > 0:
                loss += m
                dscores[i, j] += 1.0
                dscores[i, y[i]] -= 1.0
    return float(loss) / N, dscores / N


# --- softmax cross-entropy -------------------------------------------------------------------------


@answer("04_losses", "cross_entropy")
def softmax_loss_per_example(scores, y):
    r"""Cross-entropy of each example, :math:`L_i = -\log \frac{e^{s_{y_i}}}{\sum_j e^{s_j}}` (natural log).

    Parameters
    ----------
    scores : array_like, shape (N, C)
    y : array_like of int, shape (N,), values in 0..C-1

    Returns
    -------
    losses : ndarray, shape (N,)
        On :data:`CAT_CAR_FROG_SCORES`: about ``[2.0404, 0.0789, 6.1562]``.
    """
    scores, y = _check(scores, y)
    return -log_softmax(scores)[np.arange(scores.shape[0]), y]


@answer("04_losses", "cross_entropy")
@answer("06_gradients", "softmax_loss_grad_W")  # its dscores are the crux of 06's gradient
def softmax_loss(scores, y):
    r"""Mean softmax cross-entropy loss and its gradient, vectorized and stable.

    .. math:: L = \frac{1}{N}\sum_i \Big(\log\sum_j e^{s_{ij}} - s_{i y_i}\Big), \qquad
              \frac{\partial L}{\partial s_{ij}} = \frac{1}{N}\big(p_{ij} - [j = y_i]\big)

    Parameters
    ----------
    scores : array_like, shape (N, C)
        Logits (unnormalised log-probabilities).
    y : array_like of int, shape (N,), values in 0..C-1

    Returns
    -------
    loss : float
    dscores : ndarray, shape (N, C), dtype of scores
    """
    scores, y = _check(scores, y)
    N = scores.shape[0]
    rows = np.arange(N)
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    sums = exp.sum(axis=1)
    loss = float(np.sum(np.log(sums) - shifted[rows, y])) / N
    exp /= sums[:, None]
    exp[rows, y] -= 1
    exp /= N
    return loss, exp


@answer("04_losses", "cross_entropy")
@answer("06_gradients", "softmax_loss_grad_W")
def softmax_loss_naive(scores, y):
    """Mean softmax cross-entropy with explicit loops; same contract as :func:`softmax_loss`.

    Parameters
    ----------
    scores : array_like, shape (N, C)
    y : array_like of int, shape (N,)

    Returns
    -------
    loss : float
    dscores : ndarray, shape (N, C)
    """
    scores, y = _check(scores, y)
    N, C = scores.shape
    loss = 0.0
    dscores = np.zeros_like(scores)
    for i in range(N):
        top = max(scores[i, j] for j in range(C))
        total = 0.0
        for j in range(C):
            total += np.exp(scores[i, j] - top)
        loss += np.log(total) - (scores[i, y[i]] - top)
        for j in range(C):
            p = np.exp(scores[i, j] - top) / total
            dscores[i, j] = p - (1.0 if j == y[i] else 0.0)
    return float(loss) / N, dscores / N


# --- triplet ---------------------------------------------------------------------------------------


@answer("04_losses", "triplet")
def triplet_loss(anchor, positive, negative, alpha=0.2, *, reduction="sum"):
    r"""FaceNet triplet loss (Schroff et al., CVPR 2015) and its gradients.

    .. math:: L = \sum_{i=1}^{N} \Big[\, \|f(x^a_i) - f(x^p_i)\|_2^2
                  - \|f(x^a_i) - f(x^n_i)\|_2^2 + \alpha \Big]_+

    As on the slide the default is the **sum** over the N triplets (``reduction="mean"`` divides by
    N).  Distances are *squared* Euclidean; the embeddings are used as given (FaceNet normalises
    them to unit length first).

    Parameters
    ----------
    anchor, positive, negative : array_like, shape (N, D)
        Embeddings :math:`f(x^a_i), f(x^p_i), f(x^n_i)`.
    alpha : float, default 0.2
        Margin between the positive and negative squared distances.
    reduction : {"sum", "mean"}, default "sum"

    Returns
    -------
    loss : float
    grads : tuple of ndarray, each shape (N, D)
        ``(danchor, dpositive, dnegative)``; for an active triplet (positive bracket)
        ``da = 2 (n - p)``, ``dp = -2 (a - p)``, ``dn = 2 (a - n)``, otherwise 0.
    """
    arrays = []
    for name, v in (("anchor", anchor), ("positive", positive), ("negative", negative)):
        v = _as_scores(v, name=name, want="(N, D)")
        if arrays and v.shape != arrays[0].shape:
            raise ValueError(f"expected {name} of shape {arrays[0].shape} like anchor, got {v.shape}")
        arrays.append(v)
    a, p, n = arrays
    if a.shape[0] == 0:
        raise ValueError(f"expected at least one triplet, got anchor of shape {a.shape}")
    if reduction not in ("sum", "mean"):
        raise ValueError(f'expected reduction "sum" or "mean", got {reduction!r}')
    d_ap = a - p
    d_an = a - n
    per = np.sum(d_ap * d_ap, axis=1) - np.sum(d_an * d_an, axis=1) + float(alpha)
    active = (per > 0)[:, None]
    scale = 2.0 / a.shape[0] if reduction == "mean" else 2.0
    loss = float(np.maximum(per, 0).sum()) * (scale / 2.0)
    da = np.where(active, scale * (n - p), 0)
    dp = np.where(active, -scale * d_ap, 0)
    dn = np.where(active, scale * d_an, 0)
    return loss, (da, dp, dn)
