r"""Pure matplotlib figures for the notebooks (tested under the Agg backend).

Rules every function here follows: a colour-blind-safe palette (Okabe-Ito), a title on every figure,
labelled axes (with units where there are any), and a return value you can keep drawing on: the
``Axes`` you passed in, or the ``Figure`` the function made (or was given).

The file has one common section (this one, ``# --- common ---``) and then one section per notebook,
``# --- NN_name ---``, appended by that notebook's author. Nothing here computes an exercise's answer
(no confusion matrix, no accuracy): ``helpers.plotting`` is allowed inside ``testing.check_own_work``.
"""

import html
import math
import re
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
#: Dash patterns that go with PALETTE where curves may coincide (readable in greyscale too).
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1)), (0, (1, 1)))
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

    In IPython it also shows every figure with alt text (see :func:`enable_alt_text`).
    Returns the dict of rcParams it set.
    """
    mpl.rcParams.update(_STYLE)
    enable_alt_text()
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
    # 32x32 images need room: a few images get up to 1.6 inches each, a wide grid at least 0.75
    cell = min(1.6, max(0.75, 6.0 / ncols))
    ax = _axes_on(target, figsize=(max(3.0, cell * ncols + 1.5), cell * nrows + 0.7))
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


# Alt text for figures.  nbconvert's HTML export (nbgrader feedback) and screen readers need an
# ``alt`` on every image, and neither JupyterLab nor nbconvert ever takes it from output metadata.
# use_course_style() therefore makes IPython display a Figure as ``text/html``:
# ``<img src="data:image/png;base64,..." alt="...">``, and no separate ``image/png``.  JupyterLab
# (trusted or not, inside widget outputs too) and nbconvert's HTML both prefer ``text/html`` over
# ``image/png``, so the PNG would only double the notebook's size; one PNG is rendered per figure.
_MATH_COMMAND = re.compile(r"\\([A-Za-z]+)")
_ALT_MAX_CHARS = 600


def _plain(text):
    """Label text without mathtext markup: ``$\\sigma(x)$`` -> ``sigma(x)``."""
    text = _MATH_COMMAND.sub(r"\1", text.replace("$", ""))
    for mark in "{}\\":
        text = text.replace(mark, "")
    return " ".join(text.split())


def set_alt(fig, text):
    """Give ``fig`` an explicit alt text (what the picture shows, for someone who cannot see it)."""
    fig._alt_text = str(text)
    return fig


def figure_alt_text(fig):
    """The alt text of ``fig``: ``fig._alt_text`` if set, else its titles and axis labels.

    Example: ``"Activations: h(x) against input x. Derivatives: h'(x) against input x"``.
    """
    explicit = getattr(fig, "_alt_text", None)
    if explicit:
        return str(explicit)[:_ALT_MAX_CHARS]
    parts = []
    suptitle = fig.get_suptitle()
    if suptitle.strip():
        parts.append(_plain(suptitle))
    panels = [ax for ax in fig.axes if ax.get_visible() and not hasattr(ax, "_colorbar")]
    for ax in panels:
        title = next((t for t in (ax.get_title(loc) for loc in ("center", "left", "right")) if t.strip()), "")
        xlabel, ylabel = _plain(ax.get_xlabel()), _plain(ax.get_ylabel())
        if xlabel and ylabel:
            axes_text = f"{ylabel} against {xlabel}"
        else:
            axes_text = xlabel or ylabel
        part = ": ".join(p for p in (_plain(title), axes_text) if p)
        if part:
            parts.append(part)
    text = ". ".join(parts)
    if not text:
        text = f"Figure with {len(panels)} panel{'s' if len(panels) != 1 else ''} (no title)"
    return text[:_ALT_MAX_CHARS]


def figure_html(fig):
    """``<img>`` tag with the figure as an inline PNG and its alt text (None for an empty figure)."""
    from IPython.core.pylabtools import print_figure

    data = print_figure(fig, "png", bbox_inches="tight", base64=True)
    if not data:
        return None
    alt = html.escape(figure_alt_text(fig), quote=True)
    return f'<img src="data:image/png;base64,{data}" alt="{alt}">'


def _figure_mimebundle(fig):
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        # matplotlib-inline (re)registers its PNG printer whenever the backend is (re)selected.
        shell.display_formatter.formatters["image/png"].pop(Figure, None)
    tag = figure_html(fig)
    return {"text/html": tag} if tag else {}


def enable_alt_text():
    """Display figures as ``<img alt=...>`` in IPython (called by :func:`use_course_style`).

    A mimebundle printer is used because matplotlib-inline clears every per-format Figure printer
    when it selects its formats, but leaves mimebundle printers alone.  Returns False outside IPython.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    shell.display_formatter.mimebundle_formatter.for_type(Figure, _figure_mimebundle)
    return True


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


# --- 05_regularization -----------------------------------------------------------------------------
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
    from matplotlib.colors import ListedColormap

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
    ax.clabel(cs, fontsize=7, fmt="%.2g")
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
    ax.legend(loc="lower left", fontsize=8)
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


# --- 06_gradients ----------------------------------------------------------------------------------
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
    ax.legend(fontsize=8)
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
    ax_path.legend(loc="lower right", fontsize=8)
    with np.errstate(over="ignore", invalid="ignore"):
        losses = np.array([float(f(p)) if np.all(np.isfinite(p)) else np.inf for p in path])
    if ax_loss is not None:
        shown = np.where(np.isfinite(losses) & (losses > 0), losses, np.nan)
        ax_loss.semilogy(np.arange(len(path)), shown, "-o", markersize=3, color=PALETTE[1])
        ax_loss.set_xlabel("step")
        ax_loss.set_ylabel("loss E(w)")
        ax_loss.set_title("loss along the path")
    return losses


# --- 03_argmin -------------------------------------------------------------------------------------
_BLUE, _ORANGE, _GREEN, _VERMILLION, _SKY, _PURPLE = (
    COLORS[k] for k in ("blue", "orange", "green", "vermillion", "sky", "purple")
)


def plot_penalized_bars(ax, w_values, L_values, lam=0.0):
    r"""Bar chart of the penalised loss $L(w) + \lambda |w|$ of a few candidate weights (03_argmin).

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
    ax.bar(x, penalty, bottom=L, color=_ORANGE, label=rf"penalty $\lambda|w|$, $\lambda$ = {lam:.2f}")
    ax.bar(x[best], total[best], fill=False, edgecolor="black", linewidth=2.0)
    for xi, t in zip(x, total, strict=True):
        ax.annotate(
            f"{t:.2f}",
            (xi, t),
            ha="center",
            va="bottom",
            fontsize=9,
            xytext=(0, 2),
            textcoords="offset points",
        )
    ax.set_xticks(x, [f"w = {v:g}" for v in w])
    ax.set_xlabel("candidate weight w")
    ax.set_ylabel(r"$\hat L(w) = L(w) + \lambda |w|$")
    ax.set_ylim(0, 1.3 * max(float(total.max()), 1e-9))
    ax.set_title(rf"Penalised loss, $\lambda$ = {lam:.2f}: argmin is w = {w[best]:g}")
    ax.legend(loc="upper left", fontsize=8)
    return ax


def plot_penalty_lines(ax, w_values, L_values, lam_max=2.0, lam=None):
    r"""Each candidate's penalised loss as a line in $\lambda$, with the lower envelope (03_argmin).

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
    ax.legend(fontsize=8, loc="upper left")
    return ax


def plot_grid_search(ax, loss_fn, lo, hi, num=21):
    """A one-weight loss curve with the ``num`` grid points of a grid search and the best one (03_argmin).

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
    ax.legend(fontsize=8)
    return ax


def plot_search_paths(ax, loss_fn, paths, lo, hi):
    """Paths of an iterative search drawn on a one-weight loss curve (03_argmin).

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
    for k, path in enumerate(paths):
        path = np.asarray(path, dtype=float)
        color = colors[k % len(colors)]
        values = np.asarray(loss_fn(path), dtype=float)
        ax.plot(path, values, ".", color=color, markersize=5)
        ax.plot(path[0], values[0], "o", color=color, markersize=8, fillstyle="none")
        ax.plot(
            path[-1],
            values[-1],
            "X",
            color=color,
            markersize=11,
            label=f"start {path[0]:.2f} -> stop {path[-1]:.2f} ({len(path) - 1} moves)",
        )
    ax.set_xlabel("weight w")
    ax.set_ylabel("loss L(w)")
    ax.set_title("Iterative local search: downhill until no neighbour is lower")
    ax.legend(fontsize=8)
    return ax


# --- 04_losses -------------------------------------------------------------------------------------
def _one_example(scores, y):
    s = np.asarray(scores, dtype=float)
    if s.ndim != 1:
        raise ValueError(f"expected the scores of one example, shape (C,), got {s.shape}")
    y = int(y)
    if not 0 <= y < s.shape[0]:
        raise ValueError(f"expected a label in 0..{s.shape[0] - 1}, got {y}")
    return s, y


def _hinge_and_ce(s, y, margin=1.0):
    """Hinge and cross-entropy loss of one example (natural log, stable)."""
    hinge = float(np.sum(np.maximum(0.0, np.delete(s, y) - s[y] + margin)))
    c = float(np.max(s))
    ce = float(c + np.log(np.sum(np.exp(s - c))) - s[y])
    return hinge, ce


def plot_loss_vs_correct_score(ax, scores, y, class_names=None, span=(-6.0, 10.0), margin=1.0):
    r"""Hinge and cross-entropy of one example as its correct-class score varies (04_losses).

    The other scores stay fixed; the current correct score is marked.

    Parameters
    ----------
    ax : matplotlib Axes
    scores : array_like, shape (C,)
        Scores of one example.
    y : int
        Its correct class.
    class_names : sequence of str, optional
    span : (float, float)
        Range of the correct-class score.
    margin : float

    Returns
    -------
    ax
    """
    s, y = _one_example(scores, y)
    name = class_names[y] if class_names is not None else f"class {y}"
    grid = np.linspace(span[0], span[1], 401)
    hinge, ce = np.empty_like(grid), np.empty_like(grid)
    for k, value in enumerate(grid):
        trial = s.copy()
        trial[y] = value
        hinge[k], ce[k] = _hinge_and_ce(trial, y, margin)
    ax.plot(grid, hinge, color=_BLUE, label="hinge (SVM) loss")
    ax.plot(grid, ce, color=_VERMILLION, linestyle="--", label="cross-entropy (natural log)")
    h0, c0 = _hinge_and_ce(s, y, margin)
    ax.plot([s[y], s[y]], [h0, c0], "o", color="black", markersize=5)
    ax.axvline(s[y], color=COLORS["black"], linewidth=1.0, alpha=0.6, label=f"current score {s[y]:g}")
    ax.axvline(
        np.max(np.delete(s, y)) + margin, color=_GREEN, linestyle=":", label="best other score + margin"
    )
    ax.set_ylim(bottom=-0.3)
    ax.set_xlabel(f"score of the correct class ({name})")
    ax.set_ylabel("loss $L_i$")
    ax.set_title(f"Moving the correct score of the {name} example")
    ax.legend(fontsize=8)
    return ax


def plot_scores_and_probabilities(axes, scores, y, class_names=None, margin=1.0):
    """Scores (left) and softmax probabilities (right) of one example, losses in the titles (04_losses).

    Parameters
    ----------
    axes : sequence of two matplotlib Axes
    scores : array_like, shape (C,)
    y : int
        Correct class, highlighted.
    class_names : sequence of str, optional
    margin : float
        Hinge margin; the line "correct score - margin" shows which wrong scores are penalised.

    Returns
    -------
    axes
    """
    s, y = _one_example(scores, y)
    names = list(class_names) if class_names is not None else [f"class {k}" for k in range(len(s))]
    x = np.arange(len(s))
    colors = [_VERMILLION if k == y else _BLUE for k in range(len(s))]
    hinge, ce = _hinge_and_ce(s, y, margin)
    e = np.exp(s - s.max())
    p = e / e.sum()
    ax_s, ax_p = axes[0], axes[1]
    ax_s.bar(x, s, color=colors)
    ax_s.axhline(0.0, color="black", linewidth=0.8)
    ax_s.axhline(s[y] - margin, color=_GREEN, linestyle=":", label="correct score - margin")
    for xi, v in zip(x, s, strict=True):
        ax_s.annotate(f"{v:.1f}", (xi, v), ha="center", va="bottom" if v >= 0 else "top", fontsize=9)
    ax_s.set_xticks(x, names)
    ax_s.set_xlabel("class (correct class in vermilion)")
    ax_s.set_ylabel("score $s_j$")
    low, high = min(float(s.min()), s[y] - margin, 0.0), max(float(s.max()), 0.0)
    ax_s.set_ylim(low - 0.15 * (high - low) - 0.5, high + 0.3 * (high - low) + 0.5)
    ax_s.set_title(f"Scores: hinge loss = {hinge:.2f}")
    ax_s.legend(fontsize=8, loc="upper left")
    ax_p.bar(x, p, color=colors)
    for xi, v in zip(x, p, strict=True):
        ax_p.annotate(f"{v:.2f}", (xi, v), ha="center", va="bottom", fontsize=9)
    ax_p.set_ylim(0.0, 1.12)
    ax_p.set_xticks(x, names)
    ax_p.set_xlabel("class")
    ax_p.set_ylabel("softmax probability")
    ax_p.set_title(f"Probabilities: cross-entropy = {ce:.2f}")
    return axes


def plot_triplet(ax, anchor, positive, negative, alpha=0.2):
    r"""Anchor, positive and negative embeddings in 2-D with their squared distances (04_losses).

    Parameters
    ----------
    ax : matplotlib Axes
    anchor, positive, negative : array_like, shape (2,)
    alpha : float
        Triplet margin, shown in the title with the loss.

    Returns
    -------
    ax
    """
    a, p, n = (np.asarray(v, dtype=float) for v in (anchor, positive, negative))
    if not a.shape == p.shape == n.shape == (2,):
        raise ValueError(f"expected three 2-D points of shape (2,), got {a.shape}, {p.shape}, {n.shape}")
    d_ap, d_an = float(np.sum((a - p) ** 2)), float(np.sum((a - n) ** 2))
    loss = max(0.0, d_ap - d_an + alpha)
    for point, color, marker, label in (
        (a, COLORS["black"], "o", "anchor"),
        (p, _GREEN, "s", "positive (same person)"),
        (n, _VERMILLION, "^", "negative (someone else)"),
    ):
        ax.plot(*point, marker, color=color, markersize=12, label=label, linestyle="none")
    ax.plot(*zip(a, p, strict=True), color=_GREEN)
    ax.plot(*zip(a, n, strict=True), color=_VERMILLION, linestyle="--")
    ax.annotate(
        f"$d^2$ = {d_ap:.2f}",
        (a + p) / 2,
        xytext=(-4, 6),
        textcoords="offset points",
        ha="right",
        color=_GREEN,
    )
    ax.annotate(
        f"$d^2$ = {d_an:.2f}",
        (a + n) / 2,
        xytext=(0, -16),
        textcoords="offset points",
        ha="center",
        color=_VERMILLION,
    )
    pts = np.stack([a, p, n])
    centre, half = pts.mean(axis=0), 0.75 * float(np.ptp(pts, axis=0).max()) + 0.1
    ax.set_xlim(centre[0] - half, centre[0] + half)
    ax.set_ylim(centre[1] - half, centre[1] + half)
    ax.set_aspect("equal")
    ax.set_xlabel("embedding dimension 1")
    ax.set_ylabel("embedding dimension 2")
    ax.set_title(rf"Triplet: [{d_ap:.2f} - {d_an:.2f} + {alpha:g}]$_+$ = {loss:.2f}")
    ax.legend(fontsize=8, loc="upper left")
    return ax


# --- 01_architecture -------------------------------------------------------------------------------
# The lecture's network drawn with its weights (Bishop's Figure 5.1), random-feature fits for the
# "one hidden layer approximates anything" demo, and a plain labelled line plot.

_WEIGHT_POSITIVE = COLORS["orange"]
_WEIGHT_NEGATIVE = COLORS["blue"]


def plot_network(params, ax=None, *, title=None, annotate=None, input_names=None, output_names=None):
    r"""Draw the two-layer network of the lecture with its weights.

    Nodes ``x0..xD`` (inputs; ``x0 = 1`` is the grey bias node), ``z0..zH`` (hidden units;
    ``z0 = 1``) and ``y1..yC`` (outputs), left to right.  Every weight is a link: orange when
    positive, blue when negative, thicker when larger; the biases ``b1``, ``b2`` are the links from
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
    from matplotlib.lines import Line2D

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
    ax = _axes_on(target, figsize=(7.0, 1.6 + 0.9 * max(D + 1, H + 1, C)))

    def column(count):
        return np.linspace(1, -1, count) * (count - 1) / 2 if count > 1 else np.zeros(1)

    xs = (0.0, 1.0, 2.0)
    y_in, y_hid, y_out = column(D + 1), column(H + 1), column(C)
    scale = max(float(np.abs(a).max(initial=0.0)) for a in (W1, b1, W2, b2)) or 1.0

    def link(x0, y0, x1, y1, w, frac):
        colour = _WEIGHT_POSITIVE if w >= 0 else _WEIGHT_NEGATIVE
        ax.plot([x0, x1], [y0, y1], color=colour, lw=0.6 + 3.4 * abs(w) / scale, zorder=1, alpha=0.9)
        if annotate:
            ax.text(
                x0 + frac * (x1 - x0),
                y0 + frac * (y1 - y0),
                f"{w:.3g}",
                fontsize=8,
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
        Line2D([], [], color=_WEIGHT_NEGATIVE, lw=2.5, label="negative weight"),
    ]
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, -0.08), ncol=2, frameon=False)
    if target is None:  # our own figure: describe the links for readers who cannot see them
        links = [f"x{i + 1} to z{j + 1}: {W1[i, j]:.3g}" for j in range(H) for i in range(D)]
        links += [f"bias of z{j + 1}: {b1[j]:.3g}" for j in range(H)]
        links += [f"z{j + 1} to y{k + 1}: {W2[j, k]:.3g}" for k in range(C) for j in range(H)]
        links += [f"bias of y{k + 1}: {b2[k]:.3g}" for k in range(C)]
        summary = f"{ax.get_title()}. Network diagram, inputs left, hidden units middle, outputs right"
        set_alt(ax.figure, summary + (". Weights: " + "; ".join(links) if annotate else ""))
    return _result(target, ax)


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
    ax.legend(loc="best", fontsize=8)
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
    ax = _axes_on(target, figsize=(7.5, 4.2))
    for label, y in curves.items():
        ax.plot(x, y, lw=1.6, label=label)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=min(len(curves), 4), fontsize=9)
    return _result(target, ax)


# --- 02_activations --------------------------------------------------------------------------------
# Activations and their derivatives side by side, gradient size per layer, and the output of a small
# random network for a chosen activation (the panels of widgets.activation_explorer).


def _activation_pair(functions, name, alpha=None):
    """(function, derivative) of ``functions[name]``, with ``alpha`` bound when given."""
    import functools

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
        ax.legend(loc="upper left", fontsize=9)
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
    ax = _axes_on(target, figsize=(7.5, 4.2))
    for label, values in norms.items():
        values = np.asarray(values, dtype=float)
        ax.semilogy(np.arange(1, values.size + 1), values, marker="o", label=label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("layer (1 = first; the gradient flows from the last layer down)")
    ax.set_ylabel("gradient size (RMS of dL/da)")
    ax.set_title(title)
    ax.legend(loc="best")
    return _result(target, ax)


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
    ax = _axes_on(target, figsize=(7.5, 4.2))
    x = np.linspace(-3, 3, 401)
    for name, h in functions.items():
        f = h[0] if isinstance(h, tuple) else h
        ax.plot(x, random_network_output(x, f, rng=np.random.default_rng(seed)), label=name)
    ax.set_xlabel("input x")
    ax.set_ylabel("network output")
    ax.set_title(title)
    ax.legend(loc="best", fontsize=9)
    return _result(target, ax)
