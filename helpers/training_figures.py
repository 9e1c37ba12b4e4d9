"""Figures for 08_cifar10: what training did and what the trained classifier gets right and wrong.

Loss and accuracy curves (of one run, or of several runs side by side), a random search's trials with
their standard errors, the confusion matrix, the most confident mistakes and one prediction beside its
probabilities; the explorer browses the predictions (or only the mistakes).
"""

from collections.abc import Mapping

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator, NullFormatter

from helpers.figure_style import (
    CMAP,
    COLORS,
    LINESTYLES,
    PALETTE,
    axes_on,
    fit_width,
    new_figure,
    split_target,
    target_result,
)
from helpers.widgets import explorer, number_box, still


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
            ax_loss.plot(
                steps[window - 1 :],
                smooth,
                color=COLORS["blue"],
                linewidth=3.0,
                label=f"mean of {window} (thick)",
            )
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


def plot_loss_curves(histories, ax=None, *, title=None, log_y=False):
    """The minibatch loss per iteration of several runs on one Axes, e.g. three learning rates.

    ``histories`` maps a label (``"lr = 0.1"``) to a history (dict or ``helpers.train.History``) or
    to a sequence of losses.  Non-finite losses (a run that diverged) are not drawn; the legend says
    where such a run stopped.  ``log_y`` puts the loss on a log scale.  Returns the figure.
    """
    if not histories:
        raise ValueError("histories is empty: give at least one {label: history}")
    if ax is None:
        _, ax = new_figure()
    for k, (label, history) in enumerate(histories.items()):
        if isinstance(history, Mapping) or hasattr(history, "loss"):
            loss = np.asarray(_series(history, "loss"), dtype=float)
        else:
            loss = np.asarray(history, dtype=float).ravel()
        steps = np.arange(1, len(loss) + 1)
        bad = np.flatnonzero(~np.isfinite(loss))
        text = str(label)
        if bad.size:
            text += f" (not finite from iteration {bad[0] + 1})"
            loss, steps = loss[: bad[0]], steps[: bad[0]]
        ax.plot(
            steps,
            loss,
            color=PALETTE[k % len(PALETTE)],
            linestyle=LINESTYLES[k % len(LINESTYLES)],
            linewidth=1.2,
            label=text,
        )
    if log_y:
        ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("training loss (minibatch)" + (", log scale" if log_y else ""))
    ax.set_title(title or "Training loss")
    ax.legend()
    return ax.figure


def plot_accuracy_runs(histories, ax=None, *, title=None):
    """Training (dashed) and validation (solid) accuracy per epoch of several runs, one colour per run.

    ``histories`` maps a label to a history (dict or ``helpers.train.History``) with ``"train_acc"``
    and ``"val_acc"``.  The gap between a run's two lines is its overfitting.  Returns the figure.
    """
    if not histories:
        raise ValueError("histories is empty: give at least one {label: history}")
    if ax is None:
        _, ax = new_figure()
    markers = ("o", "s", "^", "D", "v", "P")  # a marker per run too: runs never differ by colour alone
    for k, (label, history) in enumerate(histories.items()):
        color, marker = PALETTE[k % len(PALETTE)], markers[k % len(markers)]
        for key, style, name in (("train_acc", "--", "train"), ("val_acc", "-", "validation")):
            acc = _series(history, key)
            if acc:
                epochs = np.arange(1, len(acc) + 1)
                ax.plot(
                    epochs,
                    acc,
                    color=color,
                    linestyle=style,
                    marker=marker,
                    markersize=4 if key == "val_acc" else 3,
                    markerfacecolor=color if key == "val_acc" else "white",
                    label=f"{label}: {name}",
                )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy (fraction correct)")
    ax.set_title(title or "Accuracy of several runs")
    ax.legend(fontsize=10, ncols=2)
    return ax.figure


def accuracy_standard_error(accuracy, n):
    r"""The standard error of an accuracy measured on ``n`` examples, :math:`\sqrt{p (1 - p) / n}`.

    Each example is right with probability p, independently, so the number right is binomial: on
    n = 1,000 validation images an accuracy near 0.5 is uncertain by about 0.016 (1.6 points).
    """
    p = np.asarray(accuracy, dtype=float)
    if np.any((p < 0) | (p > 1)):
        raise ValueError(f"an accuracy is a fraction in [0, 1], got {accuracy}")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a positive number of examples, got {n!r}")
    return np.sqrt(p * (1 - p) / n)


def plot_search(
    results, num_val, axes=None, *, names=("learning rate", "regularization strength"), title=None
):
    """The trials of a random search with error bars of one standard error, against each hyperparameter.

    Parameters
    ----------
    results : sequence of (a, b, score) tuples, e.g. (lr, reg, validation accuracy)
    num_val : int, the number of validation examples each score was measured on
    axes : pair of Axes, optional
    names : the names of a and b (the x-axes, both on a log scale)

    Returns the figure.  The shaded band is the best score minus two standard errors: trials above
    it cannot be told apart from the best one on this validation set.
    """
    results = [tuple(map(float, r)) for r in results]
    if not results or any(len(r) != 3 for r in results):
        raise ValueError("results should be a non-empty list of (a, b, score) tuples")
    a, b, score = (np.array(col) for col in zip(*results, strict=True))
    se = accuracy_standard_error(score, num_val)
    best = int(np.argmax(score))
    if axes is None:
        fig, axes = new_figure(1, 2, sharey=True)
    for ax, x, name in zip(axes, (a, b), names, strict=True):
        ax.axhspan(
            score[best] - 2 * se[best],
            score[best],
            color=COLORS["sky"],
            alpha=0.25,
            label="within 2 standard errors of the best",
        )
        ax.errorbar(
            x, score, yerr=se, fmt="o", color=COLORS["blue"], capsize=3, label="trial, +-1 standard error"
        )
        ax.plot(x[best], score[best], "*", color=COLORS["orange"], markersize=12, label="best trial")
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())  # labels at 2, 3, ..., 9 x 10^k would overlap
        ax.set_xlabel(f"{name} (log scale)")
        ax.set_title(f"validation accuracy against the {name}")
    axes[0].set_ylabel(f"validation accuracy ({num_val} images)")
    axes[0].legend(fontsize=10, loc="lower left")
    fig = axes[0].figure
    fig.suptitle(title or "Random search: each trial with its standard error")
    return fig


def plot_confusion_matrix(*args, class_names=None, normalize=False, title=None):
    """A confusion matrix with counts (or row fractions) in the cells; rows true, columns predicted.

    Call as ``plot_confusion_matrix([ax_or_fig,] y_true, y_pred, class_names)`` or with a matrix you
    computed, ``plot_confusion_matrix([ax_or_fig,] cm, class_names)``, ``cm`` of shape (C, C) with
    ``cm[i, j]`` = number of examples of class i predicted as j. ``normalize=True`` shows each row as
    fractions of its true class (the diagonal is then the per-class accuracy).

    Returns the ``Axes`` passed in, otherwise the ``Figure``.
    """
    target, rest = split_target(args)
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
    ax = axes_on(target, figsize=(1.0 + 0.55 * C, 0.6 + 0.5 * C))
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
                fontsize=10 if C > 6 else 10,
                color="black" if value > threshold else "white",
            )
    total = int(counts.sum())
    correct = int(np.trace(counts))
    ax.set_title(title or f"Confusion matrix: {correct} of {total} correct")
    return target_result(target, ax)


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
    fig, axes = plt.subplots(rows, ncols, figsize=fit_width((1.6 * ncols, 1.95 * rows + 0.5)), squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    for ax, i in zip(axes.flat, order, strict=False):
        ax.imshow(images[i], interpolation="nearest")
        ax.set_title(f"{classes[pred[i]]} ({probs[i, pred[i]]:.0%})\ntrue: {classes[y_true[i]]}", fontsize=10)
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
    bars = ax_bar.barh(range(len(classes)), probs, color=colours)
    bars[true_label].set_hatch("//")  # the true class is hatched and named, not only coloured
    ax_bar.set_yticks(
        range(len(classes)), [f"{c} (true)" if k == true_label else c for k, c in enumerate(classes)]
    )
    ax_bar.invert_yaxis()
    ax_bar.set_xlim(0, 1)
    ax_bar.set_xlabel("predicted probability")
    ax_bar.set_title(f"network output: {classes[pred]} {probs[pred]:.0%} (true class hatched)")
    return ax_img, ax_bar


def prediction_explorer(images, probs, y_true, classes, *, static=False):
    """Browse images with a classifier's predicted probabilities; optionally only its mistakes.

    Parameters
    ----------
    images : ndarray of uint8, shape (N, 32, 32, 3)
    probs : ndarray, shape (N, C), predicted probabilities
    y_true : ndarray of int, shape (N,)
    classes : sequence of str, length C

    Returns
    -------
    :class:`helpers.widgets.Explorer` with controls ``mistakes_only`` (checkbox) and ``index`` (number box);
    with ``static=True`` its still twin: the first image (:func:`helpers.widgets.still`, no widgets).
    """
    probs = np.asarray(probs)
    y_true = np.asarray(y_true)
    everything = np.arange(len(y_true))
    wrong = np.flatnonzero(probs.argmax(axis=1) != y_true)

    def pool(mistakes_only):
        return wrong if mistakes_only and len(wrong) else everything

    def draw(axes, mistakes_only, index):
        chosen = pool(mistakes_only)
        i = int(chosen[min(index, len(chosen) - 1)])
        plot_prediction(images[i], probs[i], int(y_true[i]), classes, axes=axes)
        pred, true = int(np.argmax(probs[i])), int(y_true[i])
        top = np.argsort(-probs[i], kind="stable")[:3]
        ranked = ", ".join(f"{classes[k]} {probs[i, k]:.0%}" for k in top)
        verdict = "correct" if pred == true else "wrong"
        return (
            f"Image {i}: a {classes[true]}, predicted {classes[pred]} ({verdict}). The three most likely "
            f"classes: {ranked}; the true class gets {probs[i, true]:.0%}. The classifier is wrong on "
            f"{len(wrong)} of the {len(y_true)} images."
        )

    if static:
        return still(draw, {"mistakes_only": False, "index": 0}, ncols=2, figsize=(9, 3.6))

    index = number_box("image", 0, 0, len(everything) - 1)
    mistakes = ipywidgets.Checkbox(value=False, description="mistakes only")
    box = explorer(draw, {"mistakes_only": mistakes, "index": index}, ncols=2, figsize=(9, 3.6))

    def on_filter(change):
        index.max = len(pool(change["new"])) - 1
        index.value = 0

    mistakes.observe(on_filter, names="value")
    return box
