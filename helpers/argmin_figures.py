r"""Figures for 03_argmin: the penalised loss $L(w) + \lambda |w|$ of a few candidates, grid and local search.

The explorer slides $\lambda$ under the bar chart of the candidates and their lines in $\lambda$.
"""

import numpy as np

from helpers.figure_style import COLORS
from helpers.widgets import explorer, number_box, still

_BLUE, _ORANGE, _GREEN, _VERMILLION, _SKY, _PURPLE = (
    COLORS[k] for k in ("blue", "orange", "green", "vermillion", "sky", "purple")
)


def plot_penalized_bars(ax, w_values, L_values, lam=0.0):
    r"""Bar chart of the penalised loss $L(w) + \lambda |w|$ of a few candidate weights.

    Each bar is split into the data loss $L(w)$ and the penalty $\lambda |w|$ stacked on top; the
    argmin (first one on ties) is outlined and labelled.

    Parameters
    ----------
    ax : matplotlib Axes
    w_values, L_values : array_like, shape (K,)
        Candidate weights and their data losses.
    lam : float
        Penalty strength lambda >= 0.

    Returns
    -------
    ax
    """
    w = np.asarray(w_values, dtype=float)
    L = np.asarray(L_values, dtype=float)
    if w.shape != L.shape or w.ndim != 1:
        raise ValueError(
            f"expected w_values and L_values of the same shape (K,), got {w.shape} and {L.shape}"
        )
    penalty = lam * np.abs(w)
    total = L + penalty
    best = int(np.argmin(total))
    x = np.arange(len(w))
    ax.bar(x, L, color=_BLUE, label=r"data loss $L(w)$")
    ax.bar(
        x,
        penalty,
        bottom=L,
        color=_ORANGE,
        hatch="//",
        label=rf"penalty $\lambda|w|$ (hatched), $\lambda$ = {lam:.2f}",
    )
    ax.bar(x[best], total[best], fill=False, edgecolor="black", linewidth=2.0)
    for xi, t in zip(x, total, strict=True):
        ax.annotate(
            f"{t:.2f}",
            (xi, t),
            ha="center",
            va="bottom",
            fontsize=10,
            xytext=(0, 2),
            textcoords="offset points",
        )
    ax.set_xticks(x, [f"w = {v:g}" for v in w])
    ax.set_xlabel("candidate weight w")
    ax.set_ylabel(r"$\hat L(w) = L(w) + \lambda |w|$")
    ax.set_ylim(0, 1.3 * max(float(total.max()), 1e-9))
    ax.set_title(rf"Penalised loss, $\lambda$ = {lam:.2f}: argmin is w = {w[best]:g}")
    ax.legend(loc="upper left", fontsize=10)
    return ax


def plot_penalty_lines(ax, w_values, L_values, lam_max=2.0, lam=None):
    r"""Each candidate's penalised loss as a line in $\lambda$, with the lower envelope.

    Line k is $L(w_k) + \lambda |w_k|$ for $\lambda \in [0, \lambda_{max}]$; the lowest line at each
    $\lambda$ is the optimum, drawn as a thick black envelope. With ``lam`` a vertical marker is added.

    Parameters
    ----------
    ax : matplotlib Axes
    w_values, L_values : array_like, shape (K,)
    lam_max : float
        Right end of the lambda axis.
    lam : float or None
        Current lambda to mark.

    Returns
    -------
    ax
    """
    w = np.asarray(w_values, dtype=float)
    L = np.asarray(L_values, dtype=float)
    lams = np.linspace(0.0, lam_max, 401)
    lines = L[:, None] + np.abs(w)[:, None] * lams[None, :]  # (K, 401)
    colors = [_BLUE, _ORANGE, _GREEN, _VERMILLION, _PURPLE, _SKY]
    styles = ["-", "--", "-.", ":"]
    for k in range(len(w)):
        ax.plot(
            lams,
            lines[k],
            color=colors[k % len(colors)],
            linestyle=styles[k % len(styles)],
            label=rf"w = {w[k]:g}: {L[k]:g} + {abs(w[k]):g}$\lambda$",
        )
    ax.plot(lams, lines.min(axis=0), color="black", linewidth=3.5, alpha=0.35, label="lowest line (optimum)")
    if lam is not None:
        ax.axvline(lam, color=COLORS["black"], linewidth=1.0, alpha=0.6)
    ax.set_xlim(0.0, lam_max)
    ax.set_xlabel(r"penalty strength $\lambda$")
    ax.set_ylabel(r"$L(w) + \lambda |w|$")
    ax.set_title(r"Each candidate is a line in $\lambda$; the lowest one wins")
    ax.legend(fontsize=10, loc="upper left")
    return ax


def plot_grid_search(ax, loss_fn, lo, hi, num=21):
    """A one-weight loss curve with the ``num`` grid points of a grid search and the best one.

    Parameters
    ----------
    ax : matplotlib Axes
    loss_fn : callable
        Vectorized: maps an ndarray of weights to their losses.
    lo, hi : float
        Range of w.
    num : int
        Number of grid points shown.

    Returns
    -------
    ax
    """
    fine = np.linspace(lo, hi, 801)
    grid = np.linspace(lo, hi, num)
    losses = np.asarray(loss_fn(grid), dtype=float)
    best = int(np.argmin(losses))
    ax.plot(fine, loss_fn(fine), color=_BLUE, label="L(w)")
    ax.plot(grid, losses, "o", color=_ORANGE, markersize=5, label=f"{num} grid points")
    ax.plot(
        grid[best],
        losses[best],
        "*",
        color=_VERMILLION,
        markersize=16,
        label=f"best grid point w = {grid[best]:.2f}",
    )
    ax.set_xlabel("weight w")
    ax.set_ylabel("loss L(w)")
    ax.set_title("Grid search: evaluate everywhere, keep the best")
    ax.legend(fontsize=10)
    return ax


def plot_search_paths(ax, loss_fn, paths, lo, hi):
    """Paths of an iterative search drawn on a one-weight loss curve.

    Parameters
    ----------
    ax : matplotlib Axes
    loss_fn : callable
        Vectorized loss of one weight.
    paths : sequence of ndarray, each shape (T + 1,)
        Visited weights of each run, starting point first.
    lo, hi : float
        Range of w drawn.

    Returns
    -------
    ax
    """
    fine = np.linspace(lo, hi, 801)
    ax.plot(fine, loss_fn(fine), color=_SKY, linewidth=1.5, label="L(w)")
    colors = [_BLUE, _VERMILLION, _GREEN, _PURPLE, _ORANGE]
    stops = "XPD^v"  # each run's stop has its own marker, not only its own colour
    for k, path in enumerate(paths):
        path = np.asarray(path, dtype=float)
        color = colors[k % len(colors)]
        values = np.asarray(loss_fn(path), dtype=float)
        ax.plot(path, values, ".", color=color, markersize=5)
        ax.plot(path[0], values[0], "o", color=color, markersize=8, fillstyle="none")
        ax.plot(
            path[-1],
            values[-1],
            stops[k % len(stops)],
            color=color,
            markersize=11,
            label=f"start {path[0]:.2f} -> stop {path[-1]:.2f} ({len(path) - 1} moves)",
        )
    ax.set_xlabel("weight w")
    ax.set_ylabel("loss L(w)")
    ax.set_title("Iterative local search: downhill until no neighbour is lower")
    ax.legend(fontsize=10)
    return ax


def argmin_explorer(w_values, L_values, lam_max=2.0, lam=0.0, *, static=False):
    r"""A lambda box over the bar chart of $L(w) + \lambda|w|$ and the lines in lambda.

    Parameters
    ----------
    w_values, L_values : array_like, shape (K,)
        Candidate weights and their data losses.
    lam_max : float
        Largest lambda the box accepts.
    lam : float
        Starting lambda.

    Returns
    -------
    :class:`helpers.widgets.Explorer` with the control ``lam``; with ``static=True`` its still twin at
    ``lam`` (:func:`helpers.widgets.still`, no widgets).
    """

    def draw(axes, lam):
        plot_penalized_bars(axes[0], w_values, L_values, lam=lam)
        plot_penalty_lines(axes[1], w_values, L_values, lam_max=lam_max, lam=lam)
        w = np.asarray(w_values, dtype=float)
        total = np.asarray(L_values, dtype=float) + lam * np.abs(w)
        each = ", ".join(f"w = {wk:g}: {tk:.2f}" for wk, tk in zip(w, total, strict=True))
        return (
            f"At lambda = {lam:.2f} the penalised losses are {each}; the smallest, so the argmin, is "
            f"w = {w[int(np.argmin(total))]:g}."
        )

    if static:
        return still(draw, {"lam": float(lam)}, ncols=2, figsize=(11, 4.0))

    box = number_box("lambda", float(lam), 0.0, float(lam_max), 0.01)
    return explorer(draw, {"lam": box}, ncols=2, figsize=(11, 4.0))
