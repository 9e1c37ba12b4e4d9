"""helpers.argmin_figures (03_argmin), under Agg.

Every figure has a title and labelled axes, the argmin the notebook relies on is right, and the explorer
redraws when the slider moves (built and poked without a front end).
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import argmin_figures
from tests.figure_checks import explorer_problems, labelled, made_no_widget

W_TOY = np.array([1.0, 2.0, 3.0])


L_TOY = np.array([2.0, 5.0, 0.5])


def smooth(w):
    return (
        0.4 * (np.asarray(w, dtype=float) - 2.8) ** 2 - np.cos(np.pi * (np.asarray(w, dtype=float) - 1)) + 2
    )


@pytest.mark.parametrize(("lam", "best"), [(0.0, "3"), (1.0, "1"), (0.74, "3"), (0.76, "1")])
def test_penalized_bars_title_names_the_argmin(ax, lam, best):
    argmin_figures.plot_penalized_bars(ax, W_TOY, L_TOY, lam=lam)
    assert labelled(ax), "figure without a title or axis labels"
    assert ax.get_title().endswith(f"argmin is w = {best}")
    assert len(ax.patches) == 2 * 3 + 1  # data loss, penalty, outline of the winner


def test_penalized_bars_rejects_mismatched_shapes(ax):
    with pytest.raises(ValueError, match="same shape"):
        argmin_figures.plot_penalized_bars(ax, W_TOY, L_TOY[:2])


def test_penalty_lines_envelope_is_the_minimum(ax):
    argmin_figures.plot_penalty_lines(ax, W_TOY, L_TOY, lam_max=2.0, lam=0.5)
    assert labelled(ax), "figure without a title or axis labels"
    lines = ax.get_lines()
    envelope = next(line for line in lines if line.get_label().startswith("lowest"))
    lam, value = envelope.get_data()
    np.testing.assert_allclose(value, np.minimum(np.minimum(2 + lam, 5 + 2 * lam), 0.5 + 3 * lam))


def test_grid_search_and_paths(ax):
    argmin_figures.plot_grid_search(ax, smooth, 0.0, 4.0, num=21)
    assert labelled(ax), "figure without a title or axis labels"
    assert any("w = 3.00" in line.get_label() for line in ax.get_lines())
    fig, ax2 = plt.subplots()
    argmin_figures.plot_search_paths(ax2, smooth, [np.array([0.2, 0.25]), np.array([3.8])], lo=0.0, hi=4.0)
    assert labelled(ax2), "figure without a title or axis labels"
    plt.close(fig)


def test_argmin_explorer_redraws_on_slider_change():
    box = argmin_figures.argmin_explorer(W_TOY, L_TOY, lam_max=2.0)
    bars = box.axes[0]
    assert bars.get_title().endswith("argmin is w = 3")
    box.controls["lam"].value = 1.0
    assert bars.get_title().endswith("argmin is w = 1")
    assert box.controls["lam"].max == 2.0


def test_explorer_is_labelled_keyboard_usable_and_has_a_still_twin():
    """Issue 23: labelled keyboard controls, a sentence with numbers, the same as a still without widgets."""
    box = argmin_figures.argmin_explorer(W_TOY, L_TOY, lam_max=2.0)
    still, no_widget = made_no_widget(
        lambda: argmin_figures.argmin_explorer(W_TOY, L_TOY, lam_max=2.0, static=True)
    )
    assert no_widget, "the still twin must not create widgets (it is shown while grading)"
    assert explorer_problems(box, still) == []
