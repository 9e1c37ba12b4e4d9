r"""Weight initialisation: Xavier/Glorot and He scales, and activation sizes through a deep net (notebook 02_activations).

A unit computes :math:`a_j = \sum_{i=1}^{n} w_{ij} z_i` over its ``fan_in`` = :math:`n` inputs. With
independent, zero-mean weights the variances of the terms add up:

.. math:: \operatorname{Var}(a_j) = n \operatorname{Var}(w)\, \mathbb{E}[z^2].

Keeping this equal to :math:`\mathbb{E}[z^2]` from layer to layer (tanh is close to the identity near 0)
asks for :math:`\operatorname{Var}(w) = 1/\text{fan\_in}`; the same argument for the gradients of the
backward pass asks for :math:`1/\text{fan\_out}`, and Glorot and Bengio (2010) take the compromise
:math:`\operatorname{Var}(w) = 2/(\text{fan\_in} + \text{fan\_out})` ("xavier"). A ReLU zeroes half of
its (symmetric) inputs, so :math:`\mathbb{E}[z^2] = \operatorname{Var}(a)/2` and He et al. (2015)
double the variance: :math:`\operatorname{Var}(w) = 2/\text{fan\_in}` ("he").

Weights are stored ``W (fan_in, fan_out)`` so that a batch ``z (N, fan_in)`` maps to ``z @ W``, as
``W1 (D, H)`` does in :mod:`helpers.network`.
"""

import numpy as np

from helpers.exercise import answer

__all__ = ["SCHEMES", "init_weights", "layer_stds"]

#: The schemes :func:`init_weights` knows.
SCHEMES = ("xavier", "he")


def _check_fan(value, name):
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"expected {name} to be a positive integer, got {value!r}")
    return int(value)


@answer("02_activations", "init_weights")
def init_weights(fan_in, fan_out, scheme, rng):
    r"""Gaussian weights with mean 0 and the variance of ``scheme``.

    Parameters
    ----------
    fan_in, fan_out : int
        Inputs and outputs of the layer (D and H for ``W1``).
    scheme : {"xavier", "he"}
        "xavier": :math:`\operatorname{Var}(w) = 2/(\text{fan\_in} + \text{fan\_out})`;
        "he": :math:`\operatorname{Var}(w) = 2/\text{fan\_in}`.
    rng : numpy.random.Generator

    Returns
    -------
    W : ndarray, shape (fan_in, fan_out), float64
        ``rng.normal(0, std, size=(fan_in, fan_out))``.

    Raises
    ------
    ValueError
        For any other ``scheme`` (the message names the known ones), or fans that are not positive integers.
    """
    fan_in, fan_out = _check_fan(fan_in, "fan_in"), _check_fan(fan_out, "fan_out")
    if scheme == "xavier":
        variance = 2.0 / (fan_in + fan_out)
    elif scheme == "he":
        variance = 2.0 / fan_in
    else:
        raise ValueError(f"expected scheme to be one of {list(SCHEMES)}, got {scheme!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"expected rng to be a numpy.random.Generator (np.random.default_rng(seed)), got {rng!r}"
        )
    return rng.normal(0.0, np.sqrt(variance), size=(fan_in, fan_out))


def layer_stds(x, weights, activation):
    """Standard deviation of the activations after each layer of a deep net without biases.

    Parameters
    ----------
    x : ndarray, shape (N, D)
        The inputs.
    weights : sequence of L ndarrays
        ``weights[l]`` of shape ``(fan_in, fan_out)``, consecutive shapes matching (``D`` first).
    activation : callable
        Elementwise, applied after every layer: ``z = activation(z @ W)``.

    Returns
    -------
    stds : ndarray, shape (L,)
        ``stds[l]`` is the standard deviation over all N x fan_out entries of layer l's output.
    """
    z = np.asarray(x, dtype=float)
    if z.ndim != 2:
        raise ValueError(f"expected x of shape (N, D), got {z.shape}")
    stds = np.zeros(len(weights))
    for layer, W in enumerate(weights):
        W = np.asarray(W, dtype=float)
        if W.ndim != 2 or W.shape[0] != z.shape[1]:
            raise ValueError(
                f"expected weights[{layer}] of shape ({z.shape[1]}, fan_out) to follow the previous layer, "
                f"got {W.shape}"
            )
        z = activation(z @ W)
        stds[layer] = z.std()
    return stds
