r"""Pure matplotlib figures for the notebooks (tested under the Agg backend).

Rules every function here follows: a colour-blind-safe palette (Okabe-Ito), a title on every figure,
labelled axes (with units where there are any), and a return value you can keep drawing on: the
``Axes`` you passed in, or the ``Figure`` the function made (or was given).

The file has one common section (this one, ``# --- common ---``) and then one section per notebook,
``# --- NN_name ---``, appended by that notebook's author. Nothing here computes an exercise's answer
(no confusion matrix, no accuracy): ``helpers.plotting`` is allowed inside ``testing.check_own_work``.
"""

import math
from collections.abc import Mapping

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

# --- common ---------------------------------------------------------------------------------------

#: Okabe-Ito colours (Okabe & Ito 2008), distinguishable with every common colour-vision deficiency.
COLORS = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
#: The colour cycle of :func:`use_course_style`, in this order.
PALETTE = tuple(COLORS.values())
#: Perceptually uniform, colour-blind-safe colour map for matrices and images of values.
CMAP = "viridis"

_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "figure.constrained_layout.use": True,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "figure.titlesize": 13,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 2.0,
    "image.cmap": CMAP,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
}


def use_course_style():
    """Apply the course's matplotlib defaults (sizes, grid, palette); safe under any backend.

    Returns the dict of rcParams it set.
    """
    mpl.rcParams.update(_STYLE)
    return dict(_STYLE)


def new_figure(nrows=1, ncols=1, *, title=None, figsize=None, **subplots_kw):
    """``plt.subplots`` with a figure title. Returns ``(fig, ax)`` (``ax`` an array when several)."""
    if figsize is None:
        width, height = mpl.rcParams["figure.figsize"]
        figsize = (width * (0.8 * ncols if ncols > 1 else 1), height * (0.85 * nrows if nrows > 1 else 1))
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, **subplots_kw)
    if title:
        fig.suptitle(title)
    return fig, axes


def _target(args):
    """Split a leading ``Axes``/``Figure`` off ``args``."""
    if args and isinstance(args[0], Axes | Figure):
        return args[0], args[1:]
    return None, args


def _result(target, ax):
    """What a function returns: the Axes it was given, else the figure."""
    return ax if isinstance(target, Axes) else ax.figure


def _axes_on(target, figsize):
    """One Axes to draw on: the given one, a new one on the given figure, or a new figure."""
    if isinstance(target, Axes):
        return target
    if isinstance(target, Figure):
        return target.add_subplot(1, 1, 1)
    return new_figure(figsize=figsize)[1]


def _as_images(images, image_shape=(32, 32, 3)):
    """(n, H, W, 3) / (n, H, W) / flat (n, D) -> float images in [0, 1] for display."""
    arr = np.asarray(images)
    if arr.ndim == 2:
        arr = arr.reshape(arr.shape[0], *image_shape)
    if arr.ndim not in (3, 4):
        raise ValueError(f"expected images of shape (n, H, W, 3), (n, H, W) or (n, D), got {arr.shape}")
    if arr.dtype == np.uint8:
        return arr.astype(np.float64) / 255.0
    arr = arr.astype(np.float64)
    if arr.size and arr.min() >= 0 and arr.max() <= 1:
        return arr
    if arr.size and arr.min() >= 0 and arr.max() <= 255:
        return arr / 255.0
    return _rescale_each(arr)


def _rescale_each(arr):
    """Min-max rescale every image to [0, 1] separately (for templates and standardised data)."""
    axes = tuple(range(1, arr.ndim))
    lo = arr.min(axis=axes, keepdims=True)
    span = arr.max(axis=axes, keepdims=True) - lo
    return (arr - lo) / np.where(span > 0, span, 1.0)


def _draw_montage(ax, images, labels, ncols, *, title, row_labels):
    """Tile ``images`` (n, H, W[, 3]) into one picture on ``ax``; label rows or tiles."""
    n, h, w = images.shape[:3]
    nrows = max(1, math.ceil(n / ncols))
    gap = max(1, w // 16)
    label_space = 0 if (row_labels or labels is None) else max(gap, int(h * 0.45))
    tile_h, tile_w = h + gap + label_space, w + gap
    canvas_shape = (nrows * tile_h - gap, ncols * tile_w - gap) + images.shape[3:]
    canvas = np.ones(canvas_shape)
    for k in range(n):
        r, c = divmod(k, ncols)
        top = r * tile_h + label_space
        canvas[top : top + h, c * tile_w : c * tile_w + w] = images[k]
    ax.imshow(canvas, cmap=None if images.ndim == 4 else "gray", vmin=0, vmax=1, interpolation="nearest")
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks([])
    if row_labels:
        ax.set_yticks([r * tile_h + h / 2 for r in range(nrows)], row_labels)
        ax.tick_params(axis="y", length=0)
        ax.set_ylabel("class")
        ax.set_xlabel(f"{ncols} examples per row")
    else:
        ax.set_yticks([])
        ax.set_xlabel("label above each image" if labels is not None else f"{n} images", fontsize=9)
        if labels is not None:
            for k, text in enumerate(labels):
                r, c = divmod(k, ncols)
                ax.text(
                    c * tile_w + w / 2,
                    r * tile_h + label_space - 1,
                    str(text),
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    clip_on=True,
                )
    ax.set_title(title)
    return ax


def image_grid(*args, ncols=None, class_names=None, title=None, image_shape=(32, 32, 3)):
    """A grid of small images, e.g. CIFAR-10 examples with one row per class.

    Call as ``image_grid(images, labels)`` (new figure) or ``image_grid(ax_or_fig, images, labels)``.

    Parameters
    ----------
    images : ndarray, shape (n, H, W, 3), (n, H, W) or flat (n, D)
        uint8 0..255, floats in [0, 1], or any floats (each image is then rescaled to [0, 1]).
    labels : sequence of n ints or str, optional
        Ints are looked up in ``class_names``. When every row of the grid has one label (images grouped
        by class, e.g. from ``data.class_examples``), rows are labelled; otherwise each image is.
    ncols : int, optional
        Images per row; default: one row per class when labels are grouped, else a square grid.

    Returns
    -------
    The ``Axes`` passed in, otherwise the ``Figure``.
    """
    target, rest = _target(args)
    if not rest or len(rest) > 2:
        raise TypeError("image_grid([ax_or_fig,] images[, labels], ...)")
    images = _as_images(rest[0], image_shape)
    labels = None if len(rest) < 2 or rest[1] is None else list(rest[1])
    n = images.shape[0]
    if labels is not None:
        if len(labels) != n:
            raise ValueError(f"got {n} images but {len(labels)} labels")
        if class_names is not None:
            labels = [class_names[int(v)] if isinstance(v, int | np.integer) else v for v in labels]
    if ncols is None:
        if labels is not None and n:
            counts = [sum(1 for v in labels if v == u) for u in dict.fromkeys(labels)]
            ncols = max(counts) if len(set(counts)) == 1 else math.ceil(math.sqrt(n))
        else:
            ncols = max(1, math.ceil(math.sqrt(n)))
    ncols = max(1, min(int(ncols), max(n, 1)))
    nrows = max(1, math.ceil(n / ncols))
    row_labels = None
    if labels is not None:
        rows = [labels[r * ncols : (r + 1) * ncols] for r in range(nrows)]
        if all(len(set(map(str, row))) == 1 for row in rows):
            row_labels = [str(row[0]) for row in rows]
    if title is None:
        title = f"{n} images" + (", one row per class" if row_labels else "")
    ax = _axes_on(target, figsize=(max(3.0, 0.75 * ncols + 1.5), 0.75 * nrows + 0.9))
    _draw_montage(ax, images, labels, ncols, title=title, row_labels=row_labels)
    return _result(target, ax)


def _series(history, key):
    value = history.get(key) if isinstance(history, Mapping) else getattr(history, key, None)
    return [] if value is None else list(np.asarray(value, dtype=float).ravel())


def plot_history(history, axes=None, *, title=None):
    """Loss per iteration (left) and train/validation accuracy per epoch (right).

    ``history`` is a dict with ``"loss"``, ``"train_acc"``, ``"val_acc"`` (any may be missing or
    empty) or an object with those attributes (``helpers.train.History``). ``axes`` is a pair of Axes.

    Returns the figure.
    """
    if axes is None:
        fig, axes = new_figure(1, 2)
    ax_loss, ax_acc = axes
    loss = _series(history, "loss")
    if loss:
        steps = np.arange(1, len(loss) + 1)
        ax_loss.plot(
            steps,
            loss,
            color=COLORS["blue"],
            alpha=0.35 if len(loss) > 50 else 1.0,
            linewidth=1.0,
            label="minibatch loss",
        )
        if len(loss) > 50:
            window = max(2, len(loss) // 50)
            smooth = np.convolve(loss, np.ones(window) / window, mode="valid")
            ax_loss.plot(steps[window - 1 :], smooth, color=COLORS["blue"], label=f"mean of {window}")
        ax_loss.legend()
    else:
        ax_loss.text(0.5, 0.5, "no loss recorded", ha="center", va="center", transform=ax_loss.transAxes)
    ax_loss.set_xlabel("iteration")
    ax_loss.set_ylabel("loss")
    ax_loss.set_title("Training loss")
    for key, name, color, marker in (
        ("train_acc", "train", COLORS["orange"], "o"),
        ("val_acc", "validation", COLORS["green"], "s"),
    ):
        acc = _series(history, key)
        if acc:
            ax_acc.plot(np.arange(1, len(acc) + 1), acc, color=color, marker=marker, markersize=4, label=name)
    if ax_acc.lines:
        ax_acc.legend()
    ax_acc.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy (fraction correct)")
    ax_acc.set_title("Accuracy")
    fig = ax_loss.figure
    fig.suptitle(title or "Training history")
    return fig


def plot_confusion_matrix(*args, class_names=None, normalize=False, title=None):
    """A confusion matrix with counts (or row fractions) in the cells; rows true, columns predicted.

    Call as ``plot_confusion_matrix([ax_or_fig,] y_true, y_pred, class_names)`` or with a matrix you
    computed, ``plot_confusion_matrix([ax_or_fig,] cm, class_names)``, ``cm`` of shape (C, C) with
    ``cm[i, j]`` = number of examples of class i predicted as j. ``normalize=True`` shows each row as
    fractions of its true class (the diagonal is then the per-class accuracy).

    Returns the ``Axes`` passed in, otherwise the ``Figure``.
    """
    target, rest = _target(args)
    rest = list(rest)
    if rest and np.ndim(rest[0]) == 2:
        counts = np.asarray(rest.pop(0))
        if counts.shape[0] != counts.shape[1]:
            raise ValueError(f"a confusion matrix is square (C, C), got {counts.shape}")
    elif len(rest) >= 2:
        y_true = np.asarray(rest.pop(0)).astype(np.int64).ravel()
        y_pred = np.asarray(rest.pop(0)).astype(np.int64).ravel()
        if y_true.shape != y_pred.shape:
            raise ValueError(f"y_true {y_true.shape} and y_pred {y_pred.shape} differ in length")
        names_given = class_names if class_names is not None else (rest[0] if rest else None)
        size = len(names_given) if names_given is not None else int(max(y_true.max(), y_pred.max())) + 1
        counts = np.zeros((size, size), dtype=np.int64)
        np.add.at(counts, (y_true, y_pred), 1)
    else:
        raise TypeError("plot_confusion_matrix([ax,] y_true, y_pred, class_names) or ([ax,] cm, class_names)")
    if rest:
        class_names = rest.pop(0)
    C = counts.shape[0]
    names = [str(c) for c in (class_names if class_names is not None else range(C))]
    if len(names) != C:
        raise ValueError(f"{C} classes in the matrix but {len(names)} class names")
    if normalize:
        totals = counts.sum(axis=1, keepdims=True)
        shown = counts / np.where(totals > 0, totals, 1)
        fmt, label = "{:.2f}", "fraction of the true class"
    else:
        shown, fmt, label = (
            counts,
            "{:d}" if np.issubdtype(counts.dtype, np.integer) else "{:.0f}",
            "examples",
        )
    ax = _axes_on(target, figsize=(1.0 + 0.55 * C, 0.6 + 0.5 * C))
    image = ax.imshow(shown, cmap=CMAP, vmin=0, vmax=shown.max() if shown.size and shown.max() > 0 else 1)
    ax.figure.colorbar(image, ax=ax, label=label, shrink=0.85)
    ax.grid(False)
    ax.set_xticks(range(C), names, rotation=45, ha="right")
    ax.set_yticks(range(C), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    threshold = 0.5 * (shown.max() if shown.size else 1)
    for i in range(C):
        for j in range(C):
            value = shown[i, j]
            text = fmt.format(int(value) if fmt == "{:d}" else value)
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=8 if C > 6 else 10,
                color="black" if value > threshold else "white",
            )
    total = int(counts.sum())
    correct = int(np.trace(counts))
    ax.set_title(title or f"Confusion matrix: {correct} of {total} correct")
    return _result(target, ax)


def show_templates(W, class_names=None, *, target=None, title=None, image_shape=(32, 32, 3), ncols=None):
    """Show the columns of a linear classifier's weights ``W`` (D, C) as images (its class templates).

    Each column is reshaped to ``image_shape`` (a bias row, D = 3072 + 1, is dropped) and rescaled to
    [0, 1] on its own, so the colours show the pattern, not the scale. ``target`` may be an Axes or a
    Figure. Returns the Axes passed in, otherwise the Figure.
    """
    W = np.asarray(W, dtype=np.float64)
    D = math.prod(image_shape)
    if W.ndim != 2 or W.shape[0] not in (D, D + 1):
        raise ValueError(f"expected W of shape ({D}, C) (or ({D + 1}, C) with a bias row), got {W.shape}")
    templates = _rescale_each(W[:D].T.reshape(W.shape[1], *image_shape))
    C = templates.shape[0]
    labels = list(class_names) if class_names is not None else [f"class {c}" for c in range(C)]
    if len(labels) != C:
        raise ValueError(f"W has {C} columns but {len(labels)} class names")
    ncols = ncols or (5 if C == 10 else math.ceil(math.sqrt(C)))
    nrows = math.ceil(C / ncols)
    ax = _axes_on(target, figsize=(1.3 * ncols + 0.6, 1.45 * nrows + 0.8))
    _draw_montage(
        ax,
        templates,
        labels,
        ncols,
        title=title or "Linear classifier templates (columns of W)",
        row_labels=None,
    )
    ax.set_xlabel("each template rescaled to its own range: bright = large positive weight", fontsize=9)
    return _result(target, ax)


# Notebook sections below: one per notebook, "# --- NN_name ---".


# --- 07_backprop ---------------------------------------------------------------------------------
def _node_name(node):
    """A short name for a graph node: its label, else its operation, else 'const'."""
    if node.label:
        return node.label
    return f"({node._op})" if node._op else "const"


def describe_backward_step(steps, k):
    """One-line caption for step ``k`` of ``helpers.graph.backward_steps(root)``.

    Parameters
    ----------
    steps : list of helpers.graph.BackwardStep
    k : int, 0 <= k < len(steps)

    Returns
    -------
    str, e.g. ``"step 1/2: q (+) had grad -4 and passed it on: x.grad = -4, y.grad = -4"``
    """
    if not 0 <= k < len(steps):
        raise ValueError(f"expected a step 0..{len(steps) - 1}, got {k}")
    node, grads = steps[k]
    last = len(steps) - 1
    if k == 0:
        name = _node_name(node)
        return f"step 0/{last}: seed d{name}/d{name} = 1 at the output"
    inputs = list(dict.fromkeys(node._prev))
    passed = ", ".join(f"{_node_name(c)}.grad = {grads[c]:.4g}" for c in inputs)
    return (
        f"step {k}/{last}: {_node_name(node)} ({node._op}) had grad {grads[node]:.4g} "
        f"and passed it on: {passed}"
    )


def plot_backward_step(root, steps, k, ax=None):
    """Draw the graph of ``root`` with the grads as they are right after backward step ``k``.

    The node that acted in step ``k`` and the inputs it just updated are outlined; the title
    says what happened (:func:`describe_backward_step`).

    Parameters
    ----------
    root : helpers.graph.Value
        The output node the steps were computed from.
    steps : list of helpers.graph.BackwardStep
        ``helpers.graph.backward_steps(root)``.
    k : int
        Which step to show, 0 (the seed) to ``len(steps) - 1``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    from helpers.graph import draw_graph

    title = describe_backward_step(steps, k)
    node, grads = steps[k]
    marked = [node] if k == 0 else [node, *node._prev]
    ax = draw_graph(root, ax=ax, grads=grads, highlight=marked, title=title)
    ax.title.set_fontsize(9)
    return ax


# --- 08_cifar10 ----------------------------------------------------------------------------------
def plot_confident_mistakes(images, probs, y_true, classes, *, n=14, ncols=7, title=None):
    """The ``n`` wrong predictions made with the highest probability, as an image grid.

    Parameters
    ----------
    images : ndarray of uint8, shape (N, 32, 32, 3)
    probs : ndarray, shape (N, C), predicted probabilities (rows sum to 1)
    y_true : ndarray of int, shape (N,)
    classes : sequence of str, length C
    n : int, number of mistakes shown (fewer if there are fewer mistakes)
    ncols : int

    Returns
    -------
    matplotlib.figure.Figure
        Each panel is titled "predicted (probability)" over "true: label".
    """
    images = np.asarray(images)
    probs = np.asarray(probs)
    y_true = np.asarray(y_true)
    if probs.ndim != 2 or probs.shape[0] != images.shape[0] or y_true.shape != (images.shape[0],):
        raise ValueError(
            f"expected images (N, ...), probs (N, C) and y_true (N,), got {images.shape}, {probs.shape}, "
            f"{y_true.shape}"
        )
    pred = probs.argmax(axis=1)
    wrong = np.flatnonzero(pred != y_true)
    order = wrong[np.argsort(-probs[wrong, pred[wrong]], kind="stable")][:n]
    rows = max(1, -(-len(order) // ncols))
    fig, axes = plt.subplots(rows, ncols, figsize=(1.6 * ncols, 1.95 * rows + 0.5), squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    for ax, i in zip(axes.flat, order, strict=False):
        ax.imshow(images[i], interpolation="nearest")
        ax.set_title(f"{classes[pred[i]]} ({probs[i, pred[i]]:.0%})\ntrue: {classes[y_true[i]]}", fontsize=8)
    fig.suptitle(title or "Most confident mistakes: predicted (probability) / true class")
    return fig


def plot_prediction(image, probs, true_label, classes, axes=None):
    """One image beside a bar chart of the predicted probabilities for every class.

    Parameters
    ----------
    image : ndarray of uint8, shape (32, 32, 3)
    probs : ndarray, shape (C,)
    true_label : int
    classes : sequence of str, length C
    axes : pair of matplotlib Axes, optional

    Returns
    -------
    (ax_image, ax_bars)
    """
    probs = np.asarray(probs, dtype=float)
    if probs.shape != (len(classes),):
        raise ValueError(f"expected probs of shape ({len(classes)},), got {probs.shape}")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(8, 3.2), gridspec_kw={"width_ratios": [1, 2]})
    ax_img, ax_bar = axes
    pred = int(np.argmax(probs))
    ax_img.imshow(np.asarray(image), interpolation="nearest")
    ax_img.set_axis_off()
    verdict = "correct" if pred == true_label else "wrong"
    ax_img.set_title(f"true: {classes[true_label]}\npredicted: {classes[pred]} ({verdict})")
    colours = [COLORS["orange"] if k == true_label else COLORS["blue"] for k in range(len(classes))]
    ax_bar.barh(range(len(classes)), probs, color=colours)
    ax_bar.set_yticks(range(len(classes)), classes)
    ax_bar.invert_yaxis()
    ax_bar.set_xlim(0, 1)
    ax_bar.set_xlabel("predicted probability")
    ax_bar.set_title("network output (true class highlighted)")
    return ax_img, ax_bar
