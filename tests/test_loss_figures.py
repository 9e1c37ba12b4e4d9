"""helpers.loss_figures (04_losses), under Agg.

Every figure has a title and labelled axes, the losses in the titles are the lecture's, and the explorer
reacts to its sliders (built and poked without a front end).
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import loss_figures, losses
from tests.figure_checks import explorer_problems, labelled, made_no_widget


def test_loss_vs_correct_score(ax):
    loss_figures.plot_loss_vs_correct_score(
        ax, losses.CAT_CAR_FROG_SCORES[0], 0, class_names=losses.CLASS_NAMES
    )
    assert labelled(ax), "figure without a title or axis labels"
    hinge = next(line for line in ax.get_lines() if line.get_label().startswith("hinge"))
    s, value = hinge.get_data()
    assert value.min() == 0.0 and np.all(value >= 0)
    with pytest.raises(ValueError, match="label"):
        loss_figures.plot_loss_vs_correct_score(ax, [1.0, 2.0], 2)


def test_scores_and_probabilities_titles_hold_the_lecture_losses():
    fig, axes = plt.subplots(1, 2)
    loss_figures.plot_scores_and_probabilities(
        axes, losses.CAT_CAR_FROG_SCORES[0], 0, class_names=losses.CLASS_NAMES
    )
    for ax in axes:
        assert labelled(ax), "figure without a title or axis labels"
    assert axes[0].get_title().endswith("2.90")
    assert axes[1].get_title().endswith("2.04")
    plt.close(fig)


def test_scores_and_probabilities_extreme_scores_no_warning():
    fig, axes = plt.subplots(1, 2)
    loss_figures.plot_scores_and_probabilities(axes, [1000.0, -1000.0, 0.0], 1)
    assert axes[1].get_title().endswith("2000.00")
    plt.close(fig)


def test_triplet(ax):
    loss_figures.plot_triplet(ax, [0.0, 0.0], [0.4, 0.3], [0.6, -0.2], alpha=0.2)
    assert labelled(ax), "figure without a title or axis labels"
    assert ax.get_title() == r"Triplet: [0.25 - 0.40 + 0.2]$_+$", "without a triplet function: no value"
    ax.clear()
    own = lambda a, p, n, alpha: losses.triplet_loss(a, p, n, alpha)[0]  # noqa: E731
    loss_figures.plot_triplet(ax, [0.0, 0.0], [0.4, 0.3], [0.6, -0.2], alpha=0.2, triplet=own)
    assert ax.get_title().endswith("= 0.05")
    with pytest.raises(ValueError, match="2-D points"):
        loss_figures.plot_triplet(ax, [0.0, 0.0, 0.0], [0.4, 0.3, 0], [0.6, -0.2, 0])


def test_scores_explorer_builds_and_reacts():
    box = loss_figures.scores_explorer(losses.CAT_CAR_FROG_SCORES[0], 0, class_names=losses.CLASS_NAMES)
    assert [box.controls[f"s{k}"].value for k in range(3)] == [3.2, 5.1, -1.7]
    assert box.axes[1].get_title().endswith("2.04")
    box.controls["s0"].value = 8.0  # cat now wins by more than the margin
    assert box.axes[0].get_title().endswith("0.00")
    box.controls["label"].value = 2
    assert box.axes[0].get_title().endswith(f"{(8.0 + 1.7 + 1) + (5.1 + 1.7 + 1):.2f}")
    with pytest.raises(ValueError, match="one example"):
        loss_figures.scores_explorer(losses.CAT_CAR_FROG_SCORES, 0)


def test_explorer_is_labelled_keyboard_usable_and_has_a_still_twin():
    """Issue 23: labelled keyboard controls, a sentence with numbers, the same as a still without widgets."""
    box = loss_figures.scores_explorer(losses.CAT_CAR_FROG_SCORES[0], 0, class_names=losses.CLASS_NAMES)
    still, no_widget = made_no_widget(
        lambda: loss_figures.scores_explorer(
            losses.CAT_CAR_FROG_SCORES[0], 0, class_names=losses.CLASS_NAMES, static=True
        )
    )
    assert no_widget, "the still twin must not create widgets (it is shown while grading)"
    assert explorer_problems(box, still) == []


def test_figures_draw_the_losses_of_the_functions_passed_in():
    """One answer, one place: the module computes no loss itself, it calls the functions given (04's own)."""
    calls = []

    def hinge(scores, y, margin=1.0):
        calls.append("hinge")
        return np.full(len(y), 7.0)

    def probs(scores):
        calls.append("probs")
        return np.full(scores.shape, 1.0 / scores.shape[1])

    def ce(scores, y):
        calls.append("ce")
        return 0.5

    fig, axes = plt.subplots(1, 2)
    loss_figures.plot_scores_and_probabilities(
        axes, [3.2, 5.1, -1.7], 0, hinge_losses=hinge, softmax_probs=probs, cross_entropy=ce
    )
    assert axes[0].get_title().endswith("7.00") and axes[1].get_title().endswith("0.50")
    assert [p.get_height() for p in axes[1].patches] == pytest.approx([1 / 3] * 3)
    plt.close(fig)
    fig, ax = plt.subplots()
    loss_figures.plot_loss_vs_correct_score(ax, [3.2, 5.1, -1.7], 0, hinge_losses=hinge, cross_entropy=ce)
    hinge_line = next(line for line in ax.get_lines() if line.get_label().startswith("hinge"))
    assert set(hinge_line.get_ydata()) == {7.0}
    assert set(calls) == {"hinge", "probs", "ce"}
    plt.close(fig)
