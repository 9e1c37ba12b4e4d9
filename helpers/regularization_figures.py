"""Figures for 05_regularization: decision boundaries, penalty contours, training against validation.

The explorer switches between networks trained with different L2 strengths and shows their boundaries.
"""

import ipywidgets
import numpy as np
from matplotlib.colors import ListedColormap

from helpers.figure_style import PALETTE
from helpers.widgets import explorer, still


def plot_decision_boundary(ax, predict, X, y, *, resolution=200, padding=0.3, X_extra=None, y_extra=None):
    """Fill the plane with the class ``predict`` assigns and scatter the labelled points on top.

    Parameters
    ----------
    ax : matplotlib Axes
    predict : callable
        ``predict(P) -> labels`` for points ``P`` of shape (M, 2); int labels of shape (M,).
    X : ndarray, shape (N, 2)
        Points drawn as filled markers, one marker shape and colour per class.
    y : ndarray of int, shape (N,)
    resolution : int
        Grid points per axis.
    padding : float
        Margin around the data, in data units.
    X_extra, y_extra : ndarray, optional
        More points (e.g. a validation set), drawn small and hollow.

    Returns
    -------
    ax : the same Axes
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"expected X of shape (N, 2), got {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"expected y of shape ({X.shape[0]},), got {y.shape}")
    points = X if X_extra is None else np.vstack([X, np.asarray(X_extra, dtype=np.float64)])
    lo = points.min(axis=0) - padding
    hi = points.max(axis=0) + padding
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    labels = np.asarray(predict(grid)).reshape(gx.shape)
    n_classes = int(max(labels.max(), y.max(), -1 if y_extra is None else np.max(y_extra))) + 1
    colours = [PALETTE[k % len(PALETTE)] for k in range(n_classes)]
    ax.contourf(
        gx, gy, labels, levels=np.arange(n_classes + 1) - 0.5, cmap=ListedColormap(colours), alpha=0.25
    )
    if np.unique(labels).size > 1:
        ax.contour(gx, gy, labels, levels=np.arange(n_classes) + 0.5, colors="0.3", linewidths=0.8)
    markers = "os^Dv<>P*X"
    for k in range(n_classes):
        if X_extra is not None and y_extra is not None:
            sel = np.asarray(y_extra) == k
            ax.scatter(
                *np.asarray(X_extra)[sel].T,
                s=10,
                facecolors="none",
                edgecolors=colours[k],
                marker=markers[k % len(markers)],
                linewidths=0.7,
                alpha=0.7,
            )
        sel = y == k
        ax.scatter(
            *X[sel].T,
            s=36,
            color=colours[k],
            edgecolors="black",
            linewidths=0.6,
            marker=markers[k % len(markers)],
            label=f"class {k}",
        )
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("feature 1")
    ax.set_ylabel("feature 2")
    if not ax.get_title():
        ax.set_title("decision boundary")
    return ax


def plot_penalty_contours(ax, penalty, *, x=(1.0, 1.0), title="penalty", extent=1.6, resolution=161):
    r"""Contours of a penalty :math:`R(w)` over 2-D weights, with the line :math:`w^\top x = 1`.

    The weights on the line that minimise the penalty (the regularized choice; a whole segment when
    there is a tie) are drawn thick.

    Parameters
    ----------
    ax : matplotlib Axes
    penalty : callable
        ``penalty(w) -> float`` for one weight vector w of shape (2,).
    x : pair of float
        The input; the line of weights with score 1 is ``w[0] x[0] + w[1] x[1] = 1`` (x[1] != 0).
    title : str
    extent : float
        The plot shows ``[-extent, extent]`` on both axes.
    resolution : int

    Returns
    -------
    ax : the same Axes
    """
    x = np.asarray(x, dtype=np.float64)
    if x.shape != (2,) or x[1] == 0:
        raise ValueError(f"expected x of shape (2,) with x[1] != 0, got {x}")
    grid = np.linspace(-extent, extent, resolution)
    gx, gy = np.meshgrid(grid, grid)
    values = np.array([penalty(np.array([a, b])) for a, b in zip(gx.ravel(), gy.ravel(), strict=True)])
    values = values.reshape(gx.shape)
    cs = ax.contour(gx, gy, values, levels=8, cmap="viridis", linewidths=1.0)
    ax.clabel(cs, fontsize=10, fmt="%.2g")
    w1 = np.linspace(-extent, extent, 1601)
    w2 = (1.0 - x[0] * w1) / x[1]
    ax.plot(w1, w2, linestyle="--", color="0.2", linewidth=1.2, label=f"w . x = 1, x = [{x[0]:g}, {x[1]:g}]")
    on_line = np.array([penalty(np.array([a, b])) for a, b in zip(w1, w2, strict=True)])
    best = on_line <= on_line.min() + 1e-9 * max(1.0, abs(on_line.min()))
    ax.plot(
        w1[best], w2[best], color=PALETTE[1], linewidth=4, solid_capstyle="round", label="smallest penalty"
    )
    if best.sum() == 1:
        ax.plot(w1[best], w2[best], "o", color=PALETTE[1], markersize=8)
    ax.axhline(0, color="0.7", linewidth=0.6)
    ax.axvline(0, color="0.7", linewidth=0.6)
    ax.set_xlim(-extent, extent)
    ax.set_ylim(-extent, extent)
    ax.set_aspect("equal")
    ax.set_xlabel("weight w[0]")
    ax.set_ylabel("weight w[1]")
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize=10)
    return ax


def plot_train_val_curves(ax, values, train, val, *, xlabel="hyperparameter", ylabel="accuracy"):
    """Training and validation scores against a hyperparameter such as lambda (log x axis).

    A value of 0 is allowed: the axis is linear below the smallest positive value (symlog).

    Parameters
    ----------
    ax : matplotlib Axes
    values : sequence of float >= 0, length K
    train, val : sequence of float, length K
    xlabel, ylabel : str

    Returns
    -------
    ax : the same Axes
    """
    values = np.asarray(values, dtype=np.float64)
    train = np.asarray(train, dtype=np.float64)
    val = np.asarray(val, dtype=np.float64)
    if not (values.shape == train.shape == val.shape) or values.ndim != 1:
        raise ValueError(
            f"expected three 1-D sequences of one length, got {values.shape}, {train.shape}, {val.shape}"
        )
    ax.plot(values, train, marker="o", color=PALETTE[0], label="training")
    ax.plot(values, val, marker="s", color=PALETTE[1], label="validation")
    best = int(np.argmax(val))
    ax.plot(
        values[best],
        val[best],
        marker="*",
        markersize=16,
        color=PALETTE[1],
        markeredgecolor="black",
        linestyle="none",
        label=f"best validation ({values[best]:g})",
    )
    positive = values[values > 0]
    if positive.size:
        ax.set_xscale("symlog", linthresh=float(positive.min()))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(f"training versus validation {ylabel}")
    ax.legend()
    return ax


def regularization_explorer(nets, X_train, y_train, X_val, y_val, *, static=False):
    """Slide through networks trained with different L2 strengths and see their decision boundaries.

    The networks are trained beforehand (the notebook does it once), so choosing another lambda only redraws.

    Parameters
    ----------
    nets : dict of float -> classifier
        lambda -> a trained model with ``predict(X) -> labels`` (e.g. ``helpers.models.TwoLayerNet``).
    X_train : ndarray, shape (N, 2)
    y_train : ndarray of int, shape (N,)
    X_val : ndarray, shape (M, 2)
    y_val : ndarray of int, shape (M,)

    Returns
    -------
    Explorer (an ``ipywidgets.VBox``), see :func:`helpers.widgets.explorer`; with ``static=True`` its
    still twin at the smallest lambda (:func:`helpers.widgets.still`, no widgets).
    """
    if not nets:
        raise ValueError("expected at least one trained network")
    lams = sorted(nets)
    title = "L2 strength and the boundary (filled: training, hollow: validation)"

    def accuracies(lam):
        net = nets[lam]
        return float(np.mean(net.predict(X_train) == y_train)), float(np.mean(net.predict(X_val) == y_val))

    def draw(ax, lam):
        net = nets[lam]
        plot_decision_boundary(ax, net.predict, X_train, y_train, X_extra=X_val, y_extra=y_val)
        train, val = accuracies(lam)
        ax.set_title(f"lambda = {lam:g}: training accuracy {train:.2f}, validation accuracy {val:.2f}")
        best = max(lams, key=lambda v: accuracies(v)[1])
        return (
            f"With lambda = {lam:g} the network classifies {train:.0%} of the training points and {val:.0%} "
            f"of the validation points correctly. Of the strengths {', '.join(f'{v:g}' for v in lams)}, "
            f"lambda = {best:g} does best on validation ({accuracies(best)[1]:.0%})."
        )

    if static:
        return still(draw, {"lam": lams[0]}, figsize=(7.5, 5.8), title=title)

    choice = ipywidgets.Dropdown(
        options=[(f"{lam:g}", lam) for lam in lams],
        value=lams[0],
        description="lambda",
        style={"description_width": "initial"},
    )
    return explorer(
        draw,
        {"lam": choice},
        figsize=(7.5, 5.8),
        title=title,
    )
