"""Figures for 02_activations: activations beside their derivatives, gradient size per layer, random networks,
and the size of the activations through a deep net for several weight scales (initialisation).

The explorer shows one activation (with its parameter), its derivative and the output of a small random
network that uses it.
"""

import functools

import ipywidgets
import numpy as np
from matplotlib.ticker import MaxNLocator

from helpers.figure_style import COLORS, LINESTYLES, PALETTE, axes_on, new_figure, target_result
from helpers.widgets import explorer, number_box, still


def _activation_pair(functions, name, alpha=None):
    """(function, derivative) of ``functions[name]``, with ``alpha`` bound when given."""
    if name not in functions:
        raise ValueError(f"expected one of {sorted(functions)}, got {name!r}")
    f, df = functions[name]
    if alpha is not None and name in ("leaky_relu", "elu"):
        f, df = functools.partial(f, alpha=alpha), functools.partial(df, alpha=alpha)
    return f, df


def _zero_lines(ax):
    ax.axhline(0, color="grey", lw=0.6)
    ax.axvline(0, color="grey", lw=0.6)


def plot_activations(functions, *, title, x=None, axes=None):
    """Functions (left panel) and their derivatives (right panel), one colour per activation.

    Parameters
    ----------
    functions : dict
        label -> (f, df), both elementwise callables.
    title : str
        Figure title.
    x : ndarray, shape (N,), optional
        Inputs (default 401 points on [-4, 4]).
    axes : pair of matplotlib Axes, optional

    Returns
    -------
    fig : matplotlib Figure
    """
    if x is None:
        x = np.linspace(-4, 4, 401)
    if axes is None:
        _, axes = new_figure(1, 2, figsize=(11, 4.2))
    ax_f, ax_d = axes
    for k, (label, (f, df)) in enumerate(functions.items()):
        # ReLU, leaky ReLU and ELU coincide for x > 0: each curve gets its own dash pattern and
        # the later (narrower) ones are drawn on top, so coinciding curves all stay visible
        style = {"color": PALETTE[k % len(PALETTE)], "ls": LINESTYLES[k % len(LINESTYLES)]}
        style["lw"] = max(1.2, 2.8 - 0.35 * k)
        ax_f.plot(x, f(x), label=label, **style)
        ax_d.plot(x, df(x), label=label, **style)
    for ax, ylabel, name in ((ax_f, "h(x)", "Activations"), (ax_d, "h'(x)", "Derivatives")):
        _zero_lines(ax)
        ax.set_xlabel("input x")
        ax.set_ylabel(ylabel)
        ax.set_title(name)
        ax.legend(loc="upper left", fontsize=10)
    fig = ax_f.figure
    fig.suptitle(title)
    return fig


def plot_gradient_norms(norms, *, title, ax=None):
    """Size of the gradient at each layer (log scale), one line per activation.

    Parameters
    ----------
    norms : dict
        label -> ndarray of shape (L,), the gradient size at layers 1..L.
    title : str
    ax : matplotlib Axes, optional

    Returns
    -------
    The ``Axes`` passed in, otherwise the ``Figure``.
    """
    target = ax
    ax = axes_on(target, figsize=(7.5, 4.2))
    for label, values in norms.items():
        values = np.asarray(values, dtype=float)
        ax.semilogy(np.arange(1, values.size + 1), values, marker="o", label=label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("layer (1 = first; the gradient flows from the last layer down)")
    ax.set_ylabel("gradient size (RMS of dL/da)")
    ax.set_title(title)
    ax.legend(loc="best")
    return target_result(target, ax)


def plot_activation_stds(stds, *, title, axes=None):
    """Standard deviation of the activations at each layer (log scale): one panel per activation.

    Parameters
    ----------
    stds : dict
        panel title (e.g. "tanh") -> {label (e.g. "Xavier") -> ndarray of shape (L,)}, the standard
        deviation of the activations after layers 1..L.
    title : str
        Figure title.
    axes : sequence of matplotlib Axes, optional
        One per panel.

    Returns
    -------
    fig : matplotlib Figure
    """
    if axes is None:
        _, axes = new_figure(1, len(stds), figsize=(5.5 * len(stds), 4.2), squeeze=False)
        axes = axes[0]
    if len(axes) != len(stds):
        raise ValueError(f"expected {len(stds)} axes, one per panel, got {len(axes)}")
    for ax, (panel, curves) in zip(axes, stds.items(), strict=True):
        for k, (label, values) in enumerate(curves.items()):
            values = np.asarray(values, dtype=float)
            style = {"color": PALETTE[k % len(PALETTE)], "ls": LINESTYLES[k % len(LINESTYLES)]}
            ax.semilogy(np.arange(1, values.size + 1), values, marker="o", label=label, **style)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("layer")
        ax.set_ylabel("std of the activations")
        ax.set_title(panel)
        ax.legend(loc="best", fontsize=10)
    fig = axes[0].figure
    fig.suptitle(title)
    return fig


def random_network_output(x, f, *, rng, width=16):
    """Output of a random 1-width-width-1 network with elementwise activation ``f`` on inputs ``x``.

    First-layer weights and biases are standard normal (the kinks land inside [-3, 3]); the next
    layers are scaled by 1/sqrt(width).

    Parameters
    ----------
    x : ndarray, shape (N,)
    f : callable, elementwise
    rng : numpy.random.Generator
    width : int

    Returns
    -------
    y : ndarray, shape (N,)
    """
    x = np.asarray(x, dtype=float).reshape(-1, 1)
    W1, b1 = rng.standard_normal((1, width)), rng.standard_normal(width)
    W2, b2 = rng.standard_normal((width, width)) / np.sqrt(width), 0.5 * rng.standard_normal(width)
    W3 = rng.standard_normal((width, 1)) / np.sqrt(width)
    return (f(f(x @ W1 + b1) @ W2 + b2) @ W3).ravel()


def plot_activation_explorer(functions, name, alpha=None, *, seed=0, axes=None):
    """Three panels for one activation: h(x), h'(x), and a random 1-16-16-1 network's output.

    Parameters
    ----------
    functions : mapping name -> (h, h')
        The activations to choose from: the student's functions of notebook 02 (like
        ``helpers.activations.ACTIVATIONS``, which is released after 02 is due).
    name : str
        A key of ``functions``.
    alpha : float, optional
        Parameter of leaky_relu / elu (ignored for the others).
    seed : int
        Seed of the random network's weights.
    axes : three matplotlib Axes, optional

    Returns
    -------
    fig : matplotlib Figure
    """
    f, df = _activation_pair(functions, name, alpha)
    if axes is None:
        _, axes = new_figure(1, 3, figsize=(13, 3.8))
    x = np.linspace(-3, 3, 401)
    label = f"{name}, alpha={alpha:g}" if alpha is not None and name in ("leaky_relu", "elu") else name
    panels = (
        (f(x), "h(x)", "Function"),
        (df(x), "h'(x)", "Derivative"),
        (random_network_output(x, f, rng=np.random.default_rng(seed)), "network output", "Random net"),
    )
    for ax, (y, ylabel, what) in zip(axes, panels, strict=True):
        ax.plot(x, y, color=COLORS["orange"])
        _zero_lines(ax)
        ax.set_xlabel("input x")
        ax.set_ylabel(ylabel)
        ax.set_title(f"{what}: {label}")
    return axes[0].figure


def plot_random_network_outputs(functions, *, seed=0, title, ax=None):
    """The same random 1-16-16-1 network with different activations, one line each.

    Parameters
    ----------
    functions : mapping name -> h or (h, h')
        The activations, e.g. the student's functions of notebook 02 (default parameters).
    seed : int
        Seed of the weights (the same weights for every activation).
    title : str
    ax : matplotlib Axes, optional

    Returns
    -------
    The ``Axes`` passed in, otherwise the ``Figure``.
    """
    target = ax
    ax = axes_on(target, figsize=(7.5, 4.2))
    x = np.linspace(-3, 3, 401)
    for k, (name, h) in enumerate(functions.items()):
        f = h[0] if isinstance(h, tuple) else h
        y = random_network_output(x, f, rng=np.random.default_rng(seed))
        ax.plot(x, y, ls=LINESTYLES[k % len(LINESTYLES)], label=name)
    ax.set_xlabel("input x")
    ax.set_ylabel("network output")
    ax.set_title(title)
    ax.legend(loc="best", fontsize=10)
    return target_result(target, ax)


def activation_explorer(functions, *, static=False):
    """Pick an activation and its parameter: see h(x), h'(x) and a random 1-16-16-1 network's output.

    ``functions`` maps names to ``(h, h')`` pairs: the student's functions of notebook 02 (leaky_relu
    and elu take ``alpha=``). Controls: activation (the names), alpha (used by leaky_relu and elu;
    disabled for the others), seed of the random network. Drawn by ``plot_activation_explorer``.

    Returns
    -------
    :class:`helpers.widgets.Explorer` with controls ``name``, ``alpha`` and ``seed``; with
    ``static=True`` its still twin at the default setting (:func:`helpers.widgets.still`, no widgets).
    """
    options = list(functions)
    defaults = {"name": "leaky_relu" if "leaky_relu" in options else options[0], "alpha": 0.1, "seed": 0}

    def draw(axes, name, alpha, seed):
        plot_activation_explorer(functions, name, alpha, seed=seed, axes=axes)
        f, df = _activation_pair(functions, name, alpha)
        probe = np.array([-2.0, 0.0, 2.0])
        values, slopes = np.asarray(f(probe), dtype=float), np.asarray(df(probe), dtype=float)
        out = random_network_output(np.linspace(-3, 3, 401), f, rng=np.random.default_rng(seed))
        shown = f"{name} with alpha = {alpha:g}" if name in ("leaky_relu", "elu") else name
        return (
            f"{shown}: h(-2) = {values[0]:.3g}, h(0) = {values[1]:.3g}, h(2) = {values[2]:.3g}; "
            f"its slope h'(x) is {slopes[0]:.3g} at x = -2 and {slopes[2]:.3g} at x = 2. The random "
            f"network (seed {seed}) built with it outputs values from {out.min():.3g} to {out.max():.3g}."
        )

    if static:
        return still(draw, defaults, ncols=3, figsize=(13, 3.8))
    name = ipywidgets.Dropdown(options=options, value=defaults["name"], description="activation")
    alpha = number_box("alpha", defaults["alpha"], 0.0, 2.0, 0.05)
    seed = number_box("net seed", defaults["seed"], 0, 20)

    def on_name(change):
        alpha.disabled = change["new"] not in ("leaky_relu", "elu")

    name.observe(on_name, names="value")
    return explorer(draw, {"name": name, "alpha": alpha, "seed": seed}, ncols=3, figsize=(13, 3.8))
