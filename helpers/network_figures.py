"""Figures for 01_architecture: the network drawn with its weights, and "one hidden layer approximates anything".

The lecture's two-layer network drawn with its weights (Bishop's Figure 5.1); random-feature fits of a
1-D function with a growing number of hidden units, as panels and as an explorer; a plain labelled
line plot.
"""

import ipywidgets
import numpy as np
from matplotlib.lines import Line2D

from helpers.figure_style import COLORS, LINESTYLES, axes_on, new_figure, set_alt, target_result
from helpers.widgets import explorer, number_box, still

_WEIGHT_POSITIVE = COLORS["orange"]
_WEIGHT_NEGATIVE = COLORS["blue"]


def plot_network(params, ax=None, *, title=None, annotate=None, input_names=None, output_names=None):
    r"""Draw the two-layer network of the lecture with its weights.

    Nodes ``x0..xD`` (inputs; ``x0 = 1`` is the grey bias node), ``z0..zH`` (hidden units;
    ``z0 = 1``) and ``y1..yC`` (outputs), left to right.  Every weight is a link: orange when
    positive, blue and dashed when negative, thicker when larger; the biases ``b1``, ``b2`` are the links from
    ``x0`` and ``z0``.  ``W1[i, j]`` is the lecture's :math:`w^{(1)}_{ji}`.

    Parameters
    ----------
    params : dict
        ``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.
    title : str, optional
        Default "Two-layer network: D inputs, H hidden units, C outputs".
    annotate : bool, optional
        Write each weight's value on its link; default True when there are at most 24 links.
    input_names, output_names : sequence of str, optional
        Labels for x1..xD and y1..yC (default :math:`x_i`, :math:`y_k`).

    Returns
    -------
    The ``Axes`` passed in, otherwise the ``Figure``.
    """
    W1, b1, W2, b2 = (np.asarray(params[k], dtype=float) for k in ("W1", "b1", "W2", "b2"))
    if W1.ndim != 2 or W2.ndim != 2 or b1.shape != (W1.shape[1],) or W2.shape[0] != W1.shape[1]:
        raise ValueError(
            "expected W1 (D, H), b1 (H,), W2 (H, C), b2 (C,); "
            f"got {W1.shape}, {b1.shape}, {W2.shape}, {b2.shape}"
        )
    if b2.shape != (W2.shape[1],):
        raise ValueError(f"expected b2 of shape ({W2.shape[1]},), got {b2.shape}")
    D, H = W1.shape
    C = W2.shape[1]
    if annotate is None:
        annotate = (D + 1) * H + (H + 1) * C <= 24
    target = ax
    ax = axes_on(target, figsize=(7.0, 1.6 + 0.9 * max(D + 1, H + 1, C)))

    def column(count):
        return np.linspace(1, -1, count) * (count - 1) / 2 if count > 1 else np.zeros(1)

    xs = (0.0, 1.0, 2.0)
    y_in, y_hid, y_out = column(D + 1), column(H + 1), column(C)
    scale = max(float(np.abs(a).max(initial=0.0)) for a in (W1, b1, W2, b2)) or 1.0

    def link(x0, y0, x1, y1, w, frac):
        colour = _WEIGHT_POSITIVE if w >= 0 else _WEIGHT_NEGATIVE
        style = "-" if w >= 0 else "--"  # the sign is never shown by colour alone
        ax.plot(
            [x0, x1], [y0, y1], color=colour, ls=style, lw=0.6 + 3.4 * abs(w) / scale, zorder=1, alpha=0.9
        )
        if annotate:
            ax.text(
                x0 + frac * (x1 - x0),
                y0 + frac * (y1 - y0),
                f"{w:.3g}",
                fontsize=10,
                ha="center",
                va="center",
                zorder=3,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": colour, "lw": 0.6},
            )

    for j in range(H):  # into hidden unit j: bias from x0, then x1..xD
        frac = 0.3 + 0.4 * (j + 1) / (H + 1)
        link(xs[0], y_in[0], xs[1], y_hid[j + 1], b1[j], frac)
        for i in range(D):
            link(xs[0], y_in[i + 1], xs[1], y_hid[j + 1], W1[i, j], frac)
    for k in range(C):  # into output k: bias from z0, then z1..zH
        frac = 0.3 + 0.4 * (k + 1) / (C + 1)
        link(xs[1], y_hid[0], xs[2], y_out[k], b2[k], frac)
        for j in range(H):
            link(xs[1], y_hid[j + 1], xs[2], y_out[k], W2[j, k], frac)

    def node(x, y, label, bias=False):
        face = "#DDDDDD" if bias else "white"
        ax.scatter([x], [y], s=1500, zorder=2, facecolor=face, edgecolor="black", linewidth=1.2)
        ax.text(x, y, label, ha="center", va="center", fontsize=10 if bias else 12, zorder=4)

    in_names = list(input_names) if input_names is not None else [f"$x_{{{i + 1}}}$" for i in range(D)]
    out_names = list(output_names) if output_names is not None else [f"$y_{{{k + 1}}}$" for k in range(C)]
    node(xs[0], y_in[0], "$x_0{=}1$", bias=True)
    for i in range(D):
        node(xs[0], y_in[i + 1], in_names[i])
    node(xs[1], y_hid[0], "$z_0{=}1$", bias=True)
    for j in range(H):
        node(xs[1], y_hid[j + 1], f"$z_{{{j + 1}}}$")
    for k in range(C):
        node(xs[2], y_out[k], out_names[k])
    top = max(y_in.max(), y_hid.max(), y_out.max())
    for x, text in zip(xs, ("inputs", "hidden units", "outputs"), strict=True):
        ax.text(x, top + 0.75, text, ha="center", va="bottom", fontsize=10, fontweight="bold")
    ax.set_xlim(-0.45, 2.45)
    ax.set_ylim(min(y_in.min(), y_hid.min(), y_out.min()) - 0.7, top + 1.2)
    ax.set_axis_off()
    ax.set_title(title or f"Two-layer network: {D} inputs, {H} hidden units, {C} output{'s' * (C > 1)}")
    handles = [
        Line2D([], [], color=_WEIGHT_POSITIVE, lw=2.5, label="positive weight"),
        Line2D([], [], color=_WEIGHT_NEGATIVE, lw=2.5, ls="--", label="negative weight (dashed)"),
    ]
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, -0.08), ncol=2, frameon=False)
    if target is None:  # our own figure: describe the links for readers who cannot see them
        links = [f"x{i + 1} to z{j + 1}: {W1[i, j]:.3g}" for j in range(H) for i in range(D)]
        links += [f"bias of z{j + 1}: {b1[j]:.3g}" for j in range(H)]
        links += [f"z{j + 1} to y{k + 1}: {W2[j, k]:.3g}" for k in range(C) for j in range(H)]
        links += [f"bias of y{k + 1}: {b2[k]:.3g}" for k in range(C)]
        summary = f"{ax.get_title()}. Network diagram, inputs left, hidden units middle, outputs right"
        set_alt(ax.figure, summary + (". Weights: " + "; ".join(links) if annotate else ""))
    return target_result(target, ax)


def fit_random_features(x, y, hidden, *, activation="relu", rng):
    r"""Fit a one-hidden-layer network to ``y(x)`` with random hidden weights (1-D input).

    Hidden unit j computes :math:`h(w_j (x - c_j))` with a random slope :math:`|w_j| \in [0.5, 2]`
    (random sign) and a random centre :math:`c_j` uniform over the range of ``x``; only the output
    weights and bias are fitted, by least squares.  With generators of the same seed the first
    ``hidden`` units do not depend on ``hidden`` (nested fits: more units never fit worse).

    Parameters
    ----------
    x : ndarray, shape (N,)
    y : ndarray, shape (N,)
    hidden : int
        Number of hidden units H (>= 1).
    activation : {"relu", "tanh"}
    rng : numpy.random.Generator

    Returns
    -------
    y_fit : ndarray, shape (N,)
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 1 or y.shape != x.shape:
        raise ValueError(f"expected x and y of the same shape (N,), got {x.shape} and {y.shape}")
    if isinstance(hidden, bool) or not isinstance(hidden, int | np.integer) or hidden < 1:
        raise ValueError(f"expected hidden to be a positive integer, got {hidden!r}")
    funcs = {"relu": lambda a: np.maximum(a, 0.0), "tanh": np.tanh}
    if activation not in funcs:
        raise ValueError(f"expected activation 'relu' or 'tanh', got {activation!r}")
    u = rng.random((int(hidden), 2))
    centre = x.min() + (x.max() - x.min()) * u[:, 0]
    slope = np.where(u[:, 1] < 0.5, -1.0, 1.0) * (0.5 + 3.0 * np.abs(u[:, 1] - 0.5))
    design = np.column_stack([funcs[activation]((x[:, None] - centre) * slope), np.ones_like(x)])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return design @ coef


def plot_function_fit(ax, x, y_true, y_fit, *, title, label_fit="network"):
    """A target curve (dashed) and a fitted curve on ``ax``, axes labelled, with a legend.

    Parameters
    ----------
    ax : matplotlib Axes
    x, y_true, y_fit : ndarray, shape (N,)
    title : str
    label_fit : str

    Returns
    -------
    ax
    """
    ax.plot(x, y_true, color=COLORS["black"], ls="--", label="target")
    ax.plot(x, y_fit, color=COLORS["orange"], label=label_fit)
    ax.set_title(title)
    ax.set_xlabel("input x")
    ax.set_ylabel("output")
    ax.legend(loc="best", fontsize=10)
    return ax


def plot_universal_approximation(
    f, hidden_units=(2, 4, 8, 32), *, activation="relu", seed=0, x_range=(-3.0, 3.0), axes=None
):
    """One panel per number of hidden units: the target ``f`` and the random-feature fit.

    Parameters
    ----------
    f : callable
        The target, vectorised over a 1-D array.
    hidden_units : sequence of int
    activation : {"relu", "tanh"}
    seed : int
        Every panel uses ``numpy.random.default_rng(seed)`` for its hidden weights (nested fits).
    x_range : (float, float)
    axes : sequence of matplotlib Axes, optional
        One per entry of ``hidden_units``.

    Returns
    -------
    fig : matplotlib Figure
    """
    hidden_units = list(hidden_units)
    if axes is None:
        fig, axes = new_figure(1, len(hidden_units), figsize=(3.6 * len(hidden_units), 3.4), squeeze=False)
        axes = axes[0]
    fig = axes[0].figure
    x = np.linspace(x_range[0], x_range[1], 400)
    y = f(x)
    for ax, H in zip(axes, hidden_units, strict=True):
        fit = fit_random_features(x, y, H, activation=activation, rng=np.random.default_rng(seed))
        mse = float(np.mean((fit - y) ** 2))
        plot_function_fit(ax, x, y, fit, title=f"H = {H} {activation} units, MSE {mse:.2g}")
    fig.suptitle("One hidden layer approximates the target better as it gets more units")
    return fig


def plot_curves(x, curves, *, title, xlabel, ylabel, ax=None):
    """Several labelled curves over the same x, one palette colour each, legend below the axes.

    Parameters
    ----------
    x : ndarray, shape (N,)
    curves : dict
        label -> ndarray of shape (N,).
    title, xlabel, ylabel : str
    ax : matplotlib Axes, optional

    Returns
    -------
    The ``Axes`` passed in, otherwise the ``Figure``.
    """
    target = ax
    ax = axes_on(target, figsize=(7.5, 4.2))
    for k, (label, y) in enumerate(curves.items()):
        ax.plot(x, y, lw=1.6, ls=LINESTYLES[k % len(LINESTYLES)], label=label)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=min(len(curves), 4), fontsize=10)
    return target_result(target, ax)


def universal_approximation_explorer(f=None, *, x_range=(-3.0, 3.0), target_name="sin(x)", static=False):
    """Controls for a one-hidden-layer random-feature fit of a 1-D function (default sin on [-3, 3]).

    Controls: number of hidden units (a dropdown, 1-64), activation (relu / tanh), seed of the random
    hidden weights (a number box, 0-20). The panel shows the target, the fit and its mean squared error
    (``fit_random_features``, ``plot_function_fit``).

    Returns
    -------
    :class:`helpers.widgets.Explorer` with controls ``hidden``, ``activation`` and ``seed``; with
    ``static=True`` its still twin at the default setting (:func:`helpers.widgets.still`, no widgets).
    """
    f = np.sin if f is None else f
    x = np.linspace(x_range[0], x_range[1], 400)
    y = f(x)

    def draw(ax, hidden, activation, seed):
        fit = fit_random_features(x, y, hidden, activation=activation, rng=np.random.default_rng(seed))
        mse = float(np.mean((fit - y) ** 2))
        title = f"{target_name} with {hidden} random {activation} units: MSE {mse:.2g}"
        plot_function_fit(ax, x, y, fit, title=title)
        worst = float(np.max(np.abs(fit - y)))
        return (
            f"With {hidden} random {activation} hidden units (seed {seed}) the network's fit of {target_name} "
            f"on [{x_range[0]:g}, {x_range[1]:g}] has a mean squared error of {mse:.2g} and is at most "
            f"{worst:.2g} away from the target; more units make the fit closer."
        )

    defaults = {"hidden": 4, "activation": "relu", "seed": 0}
    if static:
        return still(draw, defaults, figsize=(7.5, 4.2))
    controls = {
        "hidden": ipywidgets.Dropdown(
            options=[1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64],
            value=defaults["hidden"],
            description="hidden units",
        ),
        "activation": ipywidgets.Dropdown(
            options=["relu", "tanh"], value=defaults["activation"], description="activation"
        ),
        "seed": number_box("seed", defaults["seed"], 0, 20),
    }
    return explorer(draw, controls, figsize=(7.5, 4.2))
