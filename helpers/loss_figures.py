"""Figures for 04_losses: hinge and cross-entropy of one example, its scores and probabilities, a triplet.

The explorer has one number box per score of an example and shows its probabilities and both losses.

Every loss and probability drawn here comes from a function passed in with the contract of 04's
exercise of the same name (``hinge_losses``, ``softmax_probs``, ``cross_entropy``, ``triplet``):
04's notebook passes the student's own functions. The defaults call the library's answers
(:mod:`helpers.losses`), which are stubs in the student's library while 04 is open: this module
never computes a loss itself (one answer, one place).
"""

import ipywidgets
import numpy as np

from helpers import losses
from helpers.figure_style import COLORS
from helpers.widgets import explorer, number_box, still

_BLUE, _GREEN, _VERMILLION = (COLORS[k] for k in ("blue", "green", "vermillion"))


def _one_example(scores, y):
    s = np.asarray(scores, dtype=float)
    if s.ndim != 1:
        raise ValueError(f"expected the scores of one example, shape (C,), got {s.shape}")
    y = int(y)
    if not 0 <= y < s.shape[0]:
        raise ValueError(f"expected a label in 0..{s.shape[0] - 1}, got {y}")
    return s, y


def library_cross_entropy(scores, y):
    """04's ``cross_entropy`` contract (the mean over the N rows) from the library's answer."""
    return float(np.mean(losses.softmax_loss_per_example(scores, y)))


def _hinge_and_ce(s, y, margin, hinge_losses, cross_entropy):
    """Hinge and cross-entropy of one example ``s`` (C,) with label ``y``, by the functions given."""
    scores, labels = s[None, :], np.array([y])
    return float(np.asarray(hinge_losses(scores, labels, margin))[0]), float(cross_entropy(scores, labels))


def plot_loss_vs_correct_score(
    ax,
    scores,
    y,
    class_names=None,
    span=(-6.0, 10.0),
    margin=1.0,
    *,
    hinge_losses=losses.svm_loss_per_example,
    cross_entropy=library_cross_entropy,
):
    r"""Hinge and cross-entropy of one example as its correct-class score varies.

    The other scores stay fixed; the current correct score is marked. The losses come from
    ``hinge_losses(scores (N, C), y (N,), margin) -> (N,)`` and ``cross_entropy(scores, y) -> float``
    (04's exercises: pass your own).

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
        hinge[k], ce[k] = _hinge_and_ce(trial, y, margin, hinge_losses, cross_entropy)
    ax.plot(grid, hinge, color=_BLUE, label="hinge (SVM) loss")
    ax.plot(grid, ce, color=_VERMILLION, linestyle="--", label="cross-entropy (natural log)")
    h0, c0 = _hinge_and_ce(s, y, margin, hinge_losses, cross_entropy)
    ax.plot([s[y], s[y]], [h0, c0], "o", color="black", markersize=5)
    ax.axvline(
        s[y], color=COLORS["black"], linestyle="-.", linewidth=1.0, alpha=0.6, label=f"current score {s[y]:g}"
    )
    ax.axvline(
        np.max(np.delete(s, y)) + margin, color=_GREEN, linestyle=":", label="best other score + margin"
    )
    ax.set_ylim(bottom=-0.3)
    ax.set_xlabel(f"score of the correct class ({name})")
    ax.set_ylabel("loss $L_i$")
    ax.set_title(f"Moving the correct score of the {name} example")
    ax.legend(fontsize=10)
    return ax


def plot_scores_and_probabilities(
    axes,
    scores,
    y,
    class_names=None,
    margin=1.0,
    *,
    hinge_losses=losses.svm_loss_per_example,
    softmax_probs=losses.softmax,
    cross_entropy=library_cross_entropy,
):
    """Scores (left) and softmax probabilities (right) of one example, losses in the titles.

    The probabilities come from ``softmax_probs(scores (N, C)) -> (N, C)``, the losses as in
    :func:`plot_loss_vs_correct_score` (04's exercises: pass your own).

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
    hatches = ["//" if k == y else "" for k in range(len(s))]  # not by colour alone
    names = [f"{n}\n(correct)" if k == y else n for k, n in enumerate(names)]
    hinge, ce = _hinge_and_ce(s, y, margin, hinge_losses, cross_entropy)
    p = np.asarray(softmax_probs(s[None, :]), dtype=float)[0]
    ax_s, ax_p = axes[0], axes[1]
    ax_s.bar(x, s, color=colors, hatch=hatches)
    ax_s.axhline(0.0, color="black", linewidth=0.8)
    ax_s.axhline(s[y] - margin, color=_GREEN, linestyle=":", label="correct score - margin")
    for xi, v in zip(x, s, strict=True):
        ax_s.annotate(f"{v:.1f}", (xi, v), ha="center", va="bottom" if v >= 0 else "top", fontsize=10)
    ax_s.set_xticks(x, names)
    ax_s.set_xlabel("class (correct class hatched, in vermilion)")
    ax_s.set_ylabel("score $s_j$")
    low, high = min(float(s.min()), s[y] - margin, 0.0), max(float(s.max()), 0.0)
    ax_s.set_ylim(low - 0.15 * (high - low) - 0.5, high + 0.3 * (high - low) + 0.5)
    ax_s.set_title(f"Scores: hinge loss = {hinge:.2f}")
    ax_s.legend(fontsize=10, loc="upper left")
    ax_p.bar(x, p, color=colors, hatch=hatches)
    for xi, v in zip(x, p, strict=True):
        ax_p.annotate(f"{v:.2f}", (xi, v), ha="center", va="bottom", fontsize=10)
    ax_p.set_ylim(0.0, 1.12)
    ax_p.set_xticks(x, names)
    ax_p.set_xlabel("class")
    ax_p.set_ylabel("softmax probability")
    ax_p.set_title(f"Probabilities: cross-entropy = {ce:.2f}")
    return axes


def plot_triplet(ax, anchor, positive, negative, alpha=0.2, *, triplet=None):
    r"""Anchor, positive and negative embeddings in 2-D with their squared distances.

    The title shows the loss's bracket with these numbers; its value only when ``triplet``
    (``triplet(anchor (1, 2), positive, negative, alpha) -> float``, 04's exercise) is given.

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
    bracket = rf"Triplet: [{d_ap:.2f} - {d_an:.2f} + {alpha:g}]$_+$"
    if triplet is not None:
        bracket += f" = {float(triplet(a[None, :], p[None, :], n[None, :], alpha)):.2f}"
    ax.set_title(bracket)
    ax.legend(fontsize=10, loc="upper left")
    return ax


def scores_explorer(
    scores,
    y,
    class_names=None,
    limit=10.0,
    *,
    static=False,
    hinge_losses=losses.svm_loss_per_example,
    softmax_probs=losses.softmax,
    cross_entropy=library_cross_entropy,
):
    """Number boxes for the scores of one example: see its probabilities, hinge and cross-entropy.

    The losses and probabilities come from the functions given, as in
    :func:`plot_scores_and_probabilities` (04's exercises: pass your own).

    Parameters
    ----------
    scores : array_like, shape (C,)
        Starting scores of one example.
    y : int
        Its correct class (a dropdown changes it).
    class_names : sequence of str, optional
    limit : float
        The score boxes run from -limit to +limit.

    Returns
    -------
    :class:`helpers.widgets.Explorer` with controls ``s0 .. s{C-1}`` (the scores) and ``label``; with
    ``static=True`` its still twin at the starting scores (:func:`helpers.widgets.still`, no widgets).
    """
    start = np.asarray(scores, dtype=float)
    if start.ndim != 1:
        raise ValueError(f"expected the scores of one example, shape (C,), got {start.shape}")
    names = list(class_names) if class_names is not None else [f"class {k}" for k in range(len(start))]

    def draw(axes, label, **values):
        current = np.array([values[f"s{k}"] for k in range(len(names))])
        plot_scores_and_probabilities(
            axes,
            current,
            label,
            class_names=names,
            hinge_losses=hinge_losses,
            softmax_probs=softmax_probs,
            cross_entropy=cross_entropy,
        )
        hinge, ce = _hinge_and_ce(current, label, 1.0, hinge_losses, cross_entropy)
        probs = np.asarray(softmax_probs(current[None, :]), dtype=float)[0]
        each = ", ".join(f"{n} {s:.1f} (p = {p:.2f})" for n, s, p in zip(names, current, probs, strict=True))
        return (
            f"Scores and probabilities: {each}. The correct class is {names[label]}: hinge loss {hinge:.2f}, "
            f"cross-entropy {ce:.2f}."
        )

    defaults = {"label": int(y), **{f"s{k}": float(v) for k, v in enumerate(start)}}
    if static:
        return still(draw, defaults, ncols=2, figsize=(10, 3.8))
    controls = {
        f"s{k}": number_box(f"{name} score", float(v), -float(limit), float(limit), 0.1)
        for k, (v, name) in enumerate(zip(start, names, strict=True))
    }
    controls["label"] = ipywidgets.Dropdown(
        options=[(name, k) for k, name in enumerate(names)], value=int(y), description="correct class"
    )

    return explorer(draw, controls, ncols=2, figsize=(10, 3.8))
