r"""Weight regularization penalties and their gradients (notebook 05_regularization).

The lecture's full loss is data loss plus a penalty,

.. math:: L(W) = \frac{1}{N}\sum_{i=1}^N L_i(f(x_i, W), y_i) + \lambda R(W).

**Convention** (as on the slides, with no factor 1/2): every function here returns the already
scaled penalty :math:`\lambda R(W)` and its gradient :math:`\lambda\, \partial R / \partial W`:

* ``l2(W, lam)``: penalty :math:`\lambda \sum_{k,l} W_{k,l}^2`, gradient :math:`2 \lambda W`;
* ``l1(W, lam)``: penalty :math:`\lambda \sum_{k,l} |W_{k,l}|`, gradient :math:`\lambda\, \mathrm{sign}(W)`;
* ``elastic_net(W, lam, beta)``: penalty :math:`\lambda \sum_{k,l} (\beta W_{k,l}^2 + |W_{k,l}|)`,
  gradient :math:`\lambda (2\beta W + \mathrm{sign}(W))`.

The subgradient of :math:`|w|` at :math:`w = 0` is taken as 0.  Biases are usually not
regularized; pass only the weight matrices.  Floating W keeps its dtype (float32 stays float32);
the penalty is returned as a Python float.
"""

import numpy as np

from helpers.exercise import answer

__all__ = ["REGULARIZERS", "elastic_net", "l1", "l2"]


def _check(W, lam, name="lam"):
    W = np.asarray(W)
    if W.dtype.kind in "biu":
        W = W.astype(np.float64)
    elif W.dtype.kind != "f":
        raise ValueError(f"expected a real-valued weight array W, got dtype {W.dtype}")
    if isinstance(lam, bool) or not isinstance(lam, int | float | np.integer | np.floating):
        raise ValueError(f"expected {name} to be a real number >= 0, got {lam!r}")
    if not (np.isfinite(lam) and lam >= 0):
        raise ValueError(f"expected {name} to be a finite number >= 0, got {lam!r}")
    return W, float(lam)


@answer("05_regularization", "l2_penalty")
def l2(W, lam):
    r"""L2 penalty :math:`\lambda \sum W^2` and its gradient :math:`2\lambda W`.

    Parameters
    ----------
    W : array_like, any shape (e.g. W1 (D, H))
    lam : float >= 0
        Regularization strength :math:`\lambda`.

    Returns
    -------
    penalty : float
    dW : ndarray, same shape as W
    """
    W, lam = _check(W, lam)
    return lam * float(np.sum(W * W)), (2.0 * lam) * W


@answer("05_regularization", "l1_penalty")
def l1(W, lam):
    r"""L1 penalty :math:`\lambda \sum |W|` and its subgradient :math:`\lambda\,\mathrm{sign}(W)` (0 at 0).

    Parameters
    ----------
    W : array_like, any shape
    lam : float >= 0

    Returns
    -------
    penalty : float
    dW : ndarray, same shape as W
    """
    W, lam = _check(W, lam)
    return lam * float(np.sum(np.abs(W))), lam * np.sign(W)


@answer("05_regularization", "elastic_net_penalty")
def elastic_net(W, lam, beta):
    r"""Elastic net :math:`\lambda \sum (\beta W^2 + |W|)` and its (sub)gradient.

    The slide's form: :math:`\beta` weighs the L2 part against the L1 part, :math:`\lambda` scales
    both.  ``elastic_net(W, lam, beta)`` equals ``l2(W, lam * beta)`` plus ``l1(W, lam)``.

    Parameters
    ----------
    W : array_like, any shape
    lam : float >= 0
    beta : float >= 0

    Returns
    -------
    penalty : float
    dW : ndarray, same shape as W
        :math:`\lambda (2 \beta W + \mathrm{sign}(W))`.
    """
    W, lam = _check(W, lam)
    _, beta = _check(W, beta, name="beta")
    penalty = lam * (beta * float(np.sum(W * W)) + float(np.sum(np.abs(W))))
    return penalty, lam * ((2.0 * beta) * W + np.sign(W))


#: Penalties by name for notebooks and widgets: ``name -> function(W, lam) -> (penalty, dW)``
#: (``"elastic_net"`` uses beta = 1).
REGULARIZERS = {
    "l2": l2,
    "l1": l1,
    "elastic_net": lambda W, lam: elastic_net(W, lam, 1.0),
}
