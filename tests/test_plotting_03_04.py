"""Figures and explorers of notebooks 03_argmin and 04_losses (helpers.plotting / helpers.widgets sections).

Pure matplotlib under Agg: every figure has a title and labelled axes, and the numbers the notebooks
rely on (argmin, losses in titles) are right.  The explorers are built and poked without a front end.
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import losses, plotting, widgets

W_TOY = np.array([1.0, 2.0, 3.0])
L_TOY = np.array([2.0, 5.0, 0.5])


def smooth(w):
    return (
        0.4 * (np.asarray(w, dtype=float) - 2.8) ** 2 - np.cos(np.pi * (np.asarray(w, dtype=float) - 1)) + 2
    )


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def labelled(ax):
    assert ax.get_title(), "figure without a title"
    assert ax.get_xlabel() and ax.get_ylabel(), "axes without labels"


@pytest.mark.parametrize(("lam", "best"), [(0.0, "3"), (1.0, "1"), (0.74, "3"), (0.76, "1")])
def test_penalized_bars_title_names_the_argmin(ax, lam, best):
    plotting.plot_penalized_bars(ax, W_TOY, L_TOY, lam=lam)
    labelled(ax)
    assert ax.get_title().endswith(f"argmin is w = {best}")
    assert len(ax.patches) == 2 * 3 + 1  # data loss, penalty, outline of the winner


def test_penalized_bars_rejects_mismatched_shapes(ax):
    with pytest.raises(ValueError, match="same shape"):
        plotting.plot_penalized_bars(ax, W_TOY, L_TOY[:2])


def test_penalty_lines_envelope_is_the_minimum(ax):
    plotting.plot_penalty_lines(ax, W_TOY, L_TOY, lam_max=2.0, lam=0.5)
    labelled(ax)
    lines = ax.get_lines()
    envelope = next(line for line in lines if line.get_label().startswith("lowest"))
    lam, value = envelope.get_data()
    np.testing.assert_allclose(value, np.minimum(np.minimum(2 + lam, 5 + 2 * lam), 0.5 + 3 * lam))


def test_grid_search_and_paths(ax):
    plotting.plot_grid_search(ax, smooth, 0.0, 4.0, num=21)
    labelled(ax)
    assert any("w = 3.00" in line.get_label() for line in ax.get_lines())
    fig, ax2 = plt.subplots()
    plotting.plot_search_paths(ax2, smooth, [np.array([0.2, 0.25]), np.array([3.8])], lo=0.0, hi=4.0)
    labelled(ax2)
    plt.close(fig)


def test_loss_vs_correct_score(ax):
    plotting.plot_loss_vs_correct_score(ax, losses.CAT_CAR_FROG_SCORES[0], 0, class_names=losses.CLASS_NAMES)
    labelled(ax)
    hinge = next(line for line in ax.get_lines() if line.get_label().startswith("hinge"))
    s, value = hinge.get_data()
    assert value.min() == 0.0 and np.all(value >= 0)
    with pytest.raises(ValueError, match="label"):
        plotting.plot_loss_vs_correct_score(ax, [1.0, 2.0], 2)


def test_scores_and_probabilities_titles_hold_the_lecture_losses():
    fig, axes = plt.subplots(1, 2)
    plotting.plot_scores_and_probabilities(
        axes, losses.CAT_CAR_FROG_SCORES[0], 0, class_names=losses.CLASS_NAMES
    )
    for ax in axes:
        labelled(ax)
    assert axes[0].get_title().endswith("2.90")
    assert axes[1].get_title().endswith("2.04")
    plt.close(fig)


def test_scores_and_probabilities_extreme_scores_no_warning():
    fig, axes = plt.subplots(1, 2)
    plotting.plot_scores_and_probabilities(axes, [1000.0, -1000.0, 0.0], 1)
    assert axes[1].get_title().endswith("2000.00")
    plt.close(fig)


def test_triplet(ax):
    plotting.plot_triplet(ax, [0.0, 0.0], [0.4, 0.3], [0.6, -0.2], alpha=0.2)
    labelled(ax)
    assert ax.get_title().endswith("= 0.05")
    with pytest.raises(ValueError, match="2-D points"):
        plotting.plot_triplet(ax, [0.0, 0.0, 0.0], [0.4, 0.3, 0], [0.6, -0.2, 0])


def test_argmin_explorer_redraws_on_slider_change():
    box = widgets.argmin_explorer(W_TOY, L_TOY, lam_max=2.0)
    bars = box.axes[0]
    assert bars.get_title().endswith("argmin is w = 3")
    box.controls["lam"].value = 1.0
    assert bars.get_title().endswith("argmin is w = 1")
    assert box.controls["lam"].max == 2.0


def test_scores_explorer_builds_and_reacts():
    box = widgets.scores_explorer(losses.CAT_CAR_FROG_SCORES[0], 0, class_names=losses.CLASS_NAMES)
    assert [box.controls[f"s{k}"].value for k in range(3)] == [3.2, 5.1, -1.7]
    assert box.axes[1].get_title().endswith("2.04")
    box.controls["s0"].value = 8.0  # cat now wins by more than the margin
    assert box.axes[0].get_title().endswith("0.00")
    box.controls["label"].value = 2
    assert box.axes[0].get_title().endswith(f"{(8.0 + 1.7 + 1) + (5.1 + 1.7 + 1):.2f}")
    with pytest.raises(ValueError, match="one example"):
        widgets.scores_explorer(losses.CAT_CAR_FROG_SCORES, 0)
