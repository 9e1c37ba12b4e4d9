"""helpers.gradient_figures (06_gradients), under Agg."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import gradient_figures, gradients
from tests.figure_checks import explorer_problems, made_no_widget


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_fd_errors_plots_every_series_log_log():
    hs = np.logspace(-8, 0, 9)
    errors = {"forward, float64": hs, "centred, float32": np.where(hs > 1e-4, hs**2, 0.0)}
    fig, ax = plt.subplots()
    gradient_figures.plot_fd_errors(ax, hs, errors)
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert labels[:2] == list(errors) and len(labels) == 4
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert ax.get_lines()[1].get_linestyle() == "--"  # float32 dashed
    with pytest.raises(ValueError):
        gradient_figures.plot_fd_errors(ax, hs, {"forward, float64": hs[:3]})


def test_gradient_cost_plot():
    fig, ax = plt.subplots()
    gradient_figures.plot_gradient_cost(ax, [10, 100], [0.01, 0.1], [0.001, 0.001])
    assert len(ax.get_lines()) == 2 and ax.get_title() and ax.get_ylabel().endswith("(ms)")


def test_descent_path_returns_losses_and_survives_divergence():
    A = np.diag([1.0, 10.0])
    path = np.array([[1.0, 1.0], [0.5, -2.0], [np.inf, np.nan]])
    fig, (a, b) = plt.subplots(1, 2)
    losses = gradient_figures.plot_descent_path(a, b, lambda w: 0.5 * w @ A @ w, path, title="diverging")
    np.testing.assert_allclose(losses[:2], [5.5, 20.125])
    assert losses[2] == np.inf
    assert a.get_title() == "diverging" and b.get_yscale() == "log"
    with pytest.raises(ValueError):
        gradient_figures.plot_descent_path(a, None, lambda w: 0.0, np.zeros((3, 3)))


def test_learning_rate_explorer_draws_converging_and_diverging_runs():
    A = np.array([[5.5, 4.5], [4.5, 5.5]])
    box = gradient_figures.learning_rate_explorer(
        lambda w: 0.5 * w @ A @ w, lambda w: A @ w, [-1.5, 0.5], descend=gradients.gradient_descent
    )
    ax_path, ax_loss = box.axes
    assert "final loss" in ax_loss.get_title()
    box.controls["lr"].value = 10**-0.5  # beyond 2 / 10: diverges
    box.controls["steps"].value = 100
    assert "diverged" in ax_loss.get_title()
    assert ax_path.get_title().startswith("lr = 0.316")
    with pytest.raises(ValueError):
        gradient_figures.learning_rate_explorer(
            lambda w: 0.0, lambda w: w, [0.0, 0.0, 0.0], descend=gradients.gradient_descent
        )


def test_explorer_is_labelled_keyboard_usable_and_has_a_still_twin():
    """Issue 23: labelled keyboard controls, a sentence with numbers, the same as a still without widgets."""
    A = np.array([[5.5, 4.5], [4.5, 5.5]])
    box = gradient_figures.learning_rate_explorer(
        lambda w: 0.5 * w @ A @ w, lambda w: A @ w, [-1.5, 0.5], descend=gradients.gradient_descent
    )
    still, no_widget = made_no_widget(
        lambda: gradient_figures.learning_rate_explorer(
            lambda w: 0.5 * w @ A @ w,
            lambda w: A @ w,
            [-1.5, 0.5],
            descend=gradients.gradient_descent,
            static=True,
        )
    )
    assert no_widget, "the still twin must not create widgets (it is shown while grading)"
    assert explorer_problems(box, still) == []
