"""helpers.activation_figures (02_activations), under Agg.

Every figure has a title and labelled axes, coinciding curves stay visible, and the explorer redraws
(and disables alpha for activations without one) when a control moves.
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes

from helpers import activation_figures, activations, widgets
from tests.figure_checks import explorer_problems, labelled, made_no_widget


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_plot_activations_two_labelled_panels():
    gallery = {name: activations.ACTIVATIONS[name] for name in ("sigmoid", "relu")}
    fig = activation_figures.plot_activations(gallery, title="Gallery")
    assert fig._suptitle.get_text() == "Gallery"
    ax_f, ax_d = fig.axes[:2]
    assert labelled(ax_f) and labelled(ax_d)
    x = ax_d.lines[0].get_xdata()
    np.testing.assert_allclose(ax_d.lines[0].get_ydata(), activations.sigmoid_grad(x))
    assert ax_f.lines[0].get_color() == ax_d.lines[0].get_color()


def test_plot_activations_keeps_coinciding_curves_visible():
    # relu, leaky_relu and elu are the same line for x > 0: dashes and widths must tell them apart
    gallery = {name: activations.ACTIVATIONS[name] for name in ("relu", "leaky_relu", "elu")}
    fig = activation_figures.plot_activations(gallery, title="Gallery")
    lines = fig.axes[0].lines
    assert len({str(line.get_linestyle()) for line in lines}) == 3
    widths = [line.get_linewidth() for line in lines]
    assert widths == sorted(widths, reverse=True)  # later, narrower curves are drawn on top


def test_plot_gradient_norms_log_scale():
    fig = activation_figures.plot_gradient_norms({"sigmoid": [1e-6, 1e-3, 1.0]}, title="Norms")
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and labelled(ax)
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])


def test_random_network_output_shape_and_determinism():
    x = np.linspace(-3, 3, 50)
    a = activation_figures.random_network_output(x, np.tanh, rng=np.random.default_rng(0))
    b = activation_figures.random_network_output(x, np.tanh, rng=np.random.default_rng(0))
    assert a.shape == (50,)
    np.testing.assert_array_equal(a, b)


def test_plot_activation_explorer_panels_and_alpha():
    fig = activation_figures.plot_activation_explorer(activations.ACTIVATIONS, "leaky_relu", 0.3, seed=0)
    axes = fig.axes
    assert len(axes) == 3 and all(labelled(ax) for ax in axes)
    assert "alpha=0.3" in axes[0].get_title()
    x = axes[0].lines[0].get_xdata()
    np.testing.assert_allclose(axes[0].lines[0].get_ydata(), activations.leaky_relu(x, 0.3))
    np.testing.assert_allclose(axes[1].lines[0].get_ydata(), activations.leaky_relu_grad(x, 0.3))
    with pytest.raises(ValueError, match="expected one of"):
        activation_figures.plot_activation_explorer(activations.ACTIVATIONS, "swish")


def test_plot_random_network_outputs_one_line_per_activation():
    fig, ax = plt.subplots()
    functions = {"relu": activations.relu, "elu": activations.ACTIVATIONS["elu"]}
    assert activation_figures.plot_random_network_outputs(functions, title="Net", ax=ax) is ax
    assert len(ax.lines) == 2 and labelled(ax)
    assert isinstance(ax, Axes)


def test_activation_explorer_redraws_and_disables_alpha():
    box = activation_figures.activation_explorer(activations.ACTIVATIONS)
    assert isinstance(box, widgets.Explorer) and len(box.axes) == 3
    assert "leaky_relu" in box.axes[0].get_title()
    box.controls["name"].value = "sigmoid"
    assert box.controls["alpha"].disabled
    assert box.axes[0].get_title() == "Function: sigmoid"
    box.controls["name"].value = "elu"
    box.controls["alpha"].value = 2.0
    assert not box.controls["alpha"].disabled
    assert "alpha=2" in box.axes[1].get_title()
    assert all(len(ax.lines) == 3 for ax in box.axes)  # curve + two zero lines, not stacked


def test_plot_activation_stds_one_labelled_log_panel_per_activation():
    stds = {
        "tanh": {"too small": [0.4, 0.2, 0.1], "Xavier": [0.6, 0.5, 0.4]},
        "ReLU": {"He": [0.8, 0.8, 0.9], "too large": [1.6, 3.3, 7.0]},
    }
    fig = activation_figures.plot_activation_stds(stds, title="Init")
    assert fig._suptitle.get_text() == "Init" and len(fig.axes) == 2
    for ax, panel in zip(fig.axes, ("tanh", "ReLU"), strict=True):
        assert labelled(ax) and ax.get_title() == panel and ax.get_yscale() == "log"
        assert [line.get_label() for line in ax.lines] == list(stds[panel])
        np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(fig.axes[1].lines[1].get_ydata(), [1.6, 3.3, 7.0])
    with pytest.raises(ValueError, match="one per panel"):
        activation_figures.plot_activation_stds(stds, title="Init", axes=[fig.axes[0]])


def test_explorer_is_labelled_keyboard_usable_and_has_a_still_twin():
    """Issue 23: labelled keyboard controls, a sentence with numbers, the same as a still without widgets."""
    box = activation_figures.activation_explorer(activations.ACTIVATIONS)
    still, no_widget = made_no_widget(
        lambda: activation_figures.activation_explorer(activations.ACTIVATIONS, static=True)
    )
    assert no_widget, "the still twin must not create widgets (it is shown while grading)"
    assert explorer_problems(box, still) == []
