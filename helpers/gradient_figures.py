"""Figures for 06_gradients: finite-difference error against the step, the cost of a gradient, descent paths.

The explorer runs gradient descent on a 2-D loss with a learning-rate box and draws the path.
"""

import numpy as np

from helpers.figure_style import PALETTE
from helpers.widgets import explorer, number_box, still


def plot_fd_errors(ax, hs, errors):
    """Log-log plot of finite-difference errors against the step h, with slope-1 and slope-2 guides.

    Parameters
    ----------
    ax : matplotlib Axes
    hs : ndarray, shape (K,)
        Step sizes h > 0.
    errors : dict of str -> ndarray, shape (K,)
        Absolute errors per method, e.g. ``{"forward, float64": ..., "centred, float32": ...}``.
        Labels containing "float32" are drawn dashed; exact zeros are left out (log scale).

    Returns
    -------
    ax : the same Axes
    """
    hs = np.asarray(hs, dtype=np.float64)
    for label, err in errors.items():
        err = np.asarray(err, dtype=np.float64)
        if err.shape != hs.shape:
            raise ValueError(f"expected errors[{label!r}] of shape {hs.shape}, got {err.shape}")
        shown = np.where(err > 0, err, np.nan)
        style = "--" if "float32" in label else "-"
        colour = PALETTE[0] if label.startswith("forward") else PALETTE[1]
        marker = "o" if label.startswith("forward") else "s"
        ax.loglog(hs, shown, linestyle=style, marker=marker, markersize=3, color=colour, label=label)
    ref = hs[hs >= 1e-6]
    ax.loglog(ref, 5 * ref, color="0.4", linewidth=1.2, linestyle="-.", label="slope 1 (error ~ h)")
    ref = hs[hs >= 1e-4]
    ax.loglog(ref, 2 * ref**2, color="0.1", linewidth=1.2, linestyle=":", label="slope 2 (error ~ h^2)")
    ax.set_xlabel("step h")
    ax.set_ylabel("|estimate - true derivative|")
    ax.set_title("finite-difference error of d/dx sin(x) at x = 1")
    ax.legend(fontsize=10)
    return ax


def plot_gradient_cost(ax, num_weights, t_numeric, t_analytic):
    """Time per gradient, numerical versus analytic, against the number of weights (log-log).

    Parameters
    ----------
    ax : matplotlib Axes
    num_weights : sequence of int, length K
    t_numeric, t_analytic : sequence of float, length K (seconds)

    Returns
    -------
    ax : the same Axes
    """
    n = np.asarray(num_weights, dtype=np.float64)
    ax.loglog(
        n, np.asarray(t_numeric) * 1e3, marker="o", color=PALETTE[0], label="numerical (2 losses per weight)"
    )
    ax.loglog(n, np.asarray(t_analytic) * 1e3, marker="s", color=PALETTE[1], label="analytic (one pass)")
    ax.set_xlabel("number of weights D x C")
    ax.set_ylabel("time per gradient (ms)")
    ax.set_title("cost of a gradient")
    ax.legend()
    return ax


def plot_descent_path(ax_path, ax_loss, f, path, *, title="gradient descent", extent=2.2):
    """Gradient-descent path on the contours of a 2-D loss, and the loss along the path.

    Parameters
    ----------
    ax_path : matplotlib Axes
        Gets the contours of ``f`` and the path.
    ax_loss : matplotlib Axes or None
        Gets the loss against the step (log y axis); skipped when None.
    f : callable
        ``f(w) -> float`` for w of shape (2,).
    path : ndarray, shape (T + 1, 2)
        The points visited, ``path[0]`` the start.
    title : str
    extent : float
        The contour plot shows ``[-extent, extent]`` on both axes; points outside are clipped.

    Returns
    -------
    losses : ndarray, shape (T + 1,)
    """
    path = np.asarray(path, dtype=np.float64)
    if path.ndim != 2 or path.shape[1] != 2:
        raise ValueError(f"expected a path of shape (T + 1, 2), got {path.shape}")
    shown_path = np.where(np.isfinite(path), path, np.nan)
    grid = np.linspace(-extent, extent, 121)
    gx, gy = np.meshgrid(grid, grid)
    values = np.array([f(np.array([a, b])) for a, b in zip(gx.ravel(), gy.ravel(), strict=True)]).reshape(
        gx.shape
    )
    levels = np.quantile(values, [0.005, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 0.9])
    ax_path.contour(gx, gy, values, levels=np.unique(levels), cmap="viridis", linewidths=0.9)
    ax_path.plot(
        shown_path[:, 0], shown_path[:, 1], "-o", color=PALETTE[1], markersize=3, linewidth=1.2, label="path"
    )
    ax_path.plot(*path[0], "s", color=PALETTE[0], markersize=8, label="start")
    ax_path.plot(0, 0, "*", color="black", markersize=12, label="minimum")
    ax_path.set_xlim(-extent, extent)
    ax_path.set_ylim(-extent, extent)
    ax_path.set_aspect("equal")
    ax_path.set_xlabel("weight w[0]")
    ax_path.set_ylabel("weight w[1]")
    ax_path.set_title(title)
    ax_path.legend(loc="lower right", fontsize=10)
    with np.errstate(over="ignore", invalid="ignore"):
        losses = np.array([float(f(p)) if np.all(np.isfinite(p)) else np.inf for p in path])
    if ax_loss is not None:
        shown = np.where(np.isfinite(losses) & (losses > 0), losses, np.nan)
        ax_loss.semilogy(np.arange(len(path)), shown, "-o", markersize=3, color=PALETTE[1])
        ax_loss.set_xlabel("step")
        ax_loss.set_ylabel("loss E(w)")
        ax_loss.set_title("loss along the path")
    return losses


def learning_rate_explorer(f, grad_fn, w0, *, descend, max_steps=100, extent=2.2, static=False):
    """Gradient descent on a 2-D loss with a learning-rate box (0.001 to 0.316); the path is drawn.

    Parameters
    ----------
    f : callable
        ``f(w) -> float`` for w of shape (2,), the loss whose contours are drawn.
    grad_fn : callable
        ``grad_fn(w) -> ndarray`` of shape (2,).
    w0 : array_like, shape (2,)
        Starting point.
    descend : callable
        ``descend(grad_fn, w0, lr, steps) -> path`` of shape (steps + 1, 2): your
        ``gradient_descent_path`` of notebook 06 (the library's is released after 06 is due).
    max_steps : int
        Largest number of steps in the steps box.
    extent : float
        The contour panel shows ``[-extent, extent]`` on both axes.

    Returns
    -------
    Explorer (an ``ipywidgets.VBox``), see :func:`helpers.widgets.explorer`; with ``static=True`` its
    still twin at learning rate 0.1 and 30 steps (:func:`helpers.widgets.still`, no widgets).
    """
    w0 = np.asarray(w0, dtype=np.float64)
    if w0.shape != (2,):
        raise ValueError(f"expected a 2-D starting point w0 of shape (2,), got {w0.shape}")

    def draw(axes, lr, steps):
        path = descend(grad_fn, w0, lr, steps)
        losses = plot_descent_path(
            axes[0], axes[1], f, path, title=f"lr = {lr:.3g}, {steps} steps", extent=extent
        )
        final = losses[-1]
        verdict = "diverged" if not np.isfinite(final) or final > losses[0] else f"final loss {final:.3g}"
        axes[1].set_title(f"loss along the path ({verdict})")
        end = np.asarray(path[-1], dtype=float)
        outcome = (
            "the loss grows: the steps overshoot and diverge"
            if not np.isfinite(final) or final > losses[0]
            else f"the loss falls from {losses[0]:.3g} to {final:.3g}"
        )
        return (
            f"Gradient descent with learning rate {lr:.3g} for {steps} steps from w = ({w0[0]:.3g}, {w0[1]:.3g}) "
            f"ends at w = ({end[0]:.3g}, {end[1]:.3g}); {outcome}."
        )

    title = "Gradient descent and the learning rate"
    defaults = {"lr": 0.1, "steps": 30}
    if static:
        return still(draw, defaults, ncols=2, figsize=(11, 4.8), title=title)
    controls = {
        "lr": number_box("learning rate", defaults["lr"], 0.001, 0.316, 0.001),
        "steps": number_box("steps", defaults["steps"], 1, int(max_steps)),
    }
    return explorer(draw, controls, ncols=2, figsize=(11, 4.8), title=title)
