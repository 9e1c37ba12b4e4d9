"""helpers.network_figures (01_architecture), under Agg.

The network picture has one link per weight coloured by sign, the random-feature fits are deterministic
and improve with more hidden units, every figure has a title and labelled axes, and the explorer redraws
when a control moves.
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from helpers import figure_style, network_figures, widgets
from tests.figure_checks import explorer_problems, labelled, made_no_widget

XOR = {
    "W1": np.array([[1.0, 1.0], [1.0, 1.0]]),
    "b1": np.array([0.0, -1.0]),
    "W2": np.array([[10.0], [-20.0]]),
    "b2": np.array([-5.0]),
}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_plot_network_draws_one_link_per_weight_coloured_by_sign():
    fig = network_figures.plot_network(XOR, title="XOR")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_title() == "XOR"
    links = [line for line in ax.lines if len(line.get_xdata()) == 2]
    assert len(links) == (2 + 1) * 2 + (2 + 1) * 1  # biases included
    colours = [to_hex(line.get_color()).upper() for line in links]
    weights = [0.0, 1.0, 1.0, -1.0, 1.0, 1.0, -5.0, 10.0, -20.0]  # drawing order: b1[j], W1[:, j]; b2, W2
    expected = [figure_style.COLORS["orange" if w >= 0 else "blue"].upper() for w in weights]
    assert colours == expected
    widths = [line.get_linewidth() for line in links]
    assert widths[-1] == max(widths)  # |-20| is the largest weight
    texts = {t.get_text() for t in ax.texts}
    assert {"$x_0{=}1$", "$z_0{=}1$", "$x_{1}$", "$x_{2}$", "$z_{2}$", "$y_{1}$", "-20", "10"} <= texts


def test_plot_network_on_given_axes_and_without_annotations_when_large(rng):
    fig, ax = plt.subplots()
    params = {
        "W1": rng.normal(size=(5, 6)),
        "b1": rng.normal(size=6),
        "W2": rng.normal(size=(6, 3)),
        "b2": rng.normal(size=3),
    }
    assert network_figures.plot_network(params, ax) is ax
    assert ax.get_title() == "Two-layer network: 5 inputs, 6 hidden units, 3 outputs"
    assert not any(t.get_text().startswith(("-", "0", "1", "2")) for t in ax.texts)


def test_plot_network_rejects_bad_shapes():
    bad = dict(XOR, b1=np.zeros(3))
    with pytest.raises(ValueError, match="b1"):
        network_figures.plot_network(bad)


def test_fit_random_features_is_deterministic_nested_and_improves():
    x = np.linspace(-3, 3, 200)
    y = np.sin(x)
    errors = []
    for hidden in (1, 2, 4, 8, 16, 32):
        fit = network_figures.fit_random_features(
            x, y, hidden, activation="relu", rng=np.random.default_rng(0)
        )
        again = network_figures.fit_random_features(
            x, y, hidden, activation="relu", rng=np.random.default_rng(0)
        )
        np.testing.assert_array_equal(fit, again)
        errors.append(float(np.mean((fit - y) ** 2)))
    assert all(b <= a + 1e-12 for a, b in zip(errors, errors[1:], strict=False))
    assert errors[-1] < 1e-3 < errors[0]
    fit = network_figures.fit_random_features(x, y, 32, activation="tanh", rng=np.random.default_rng(0))
    assert np.mean((fit - y) ** 2) < 1e-6


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"hidden": 0}, "hidden"), ({"hidden": 3, "activation": "sigmoid"}, "activation")],
)
def test_fit_random_features_rejects_bad_input(kwargs, match):
    x = np.linspace(0, 1, 5)
    hidden = kwargs.pop("hidden")
    with pytest.raises(ValueError, match=match):
        network_figures.fit_random_features(x, x, hidden, rng=np.random.default_rng(0), **kwargs)


def test_plot_universal_approximation_titles_every_panel():
    fig = network_figures.plot_universal_approximation(
        np.sin, hidden_units=(2, 32), activation="tanh", seed=1
    )
    assert len(fig.axes) == 2
    assert fig._suptitle.get_text()
    for ax, hidden in zip(fig.axes, (2, 32), strict=True):
        assert labelled(ax)
        assert ax.get_title().startswith(f"H = {hidden} tanh units")
        assert len(ax.lines) == 2


def test_plot_curves_labels_and_legend():
    x = np.linspace(0, 1, 11)
    fig = network_figures.plot_curves(x, {"a": x, "b": 1 - x}, title="T", xlabel="x", ylabel="y")
    ax = fig.axes[0]
    assert labelled(ax)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]


def test_universal_approximation_explorer_redraws():
    box = network_figures.universal_approximation_explorer()
    assert isinstance(box, widgets.Explorer)
    first = box.axes.lines[1].get_ydata().copy()
    box.controls["hidden"].value = 32
    assert "32 random relu units" in box.axes.get_title()
    assert len(box.axes.lines) == 2
    assert not np.allclose(first, box.axes.lines[1].get_ydata())
    box.controls["activation"].value = "tanh"
    assert "tanh" in box.axes.get_title() and labelled(box.axes)


def test_plot_network_alt_text_lists_the_weights():
    text = figure_style.figure_alt_text(network_figures.plot_network(XOR, title="XOR net"))
    assert text.startswith("XOR net. Network diagram")
    assert "z2 to y1: -20" in text and "bias of z2: -1" in text


def test_explorer_is_labelled_keyboard_usable_and_has_a_still_twin():
    """Issue 23: labelled keyboard controls, a sentence with numbers, the same as a still without widgets."""
    box = network_figures.universal_approximation_explorer()
    still, no_widget = made_no_widget(lambda: network_figures.universal_approximation_explorer(static=True))
    assert no_widget, "the still twin must not create widgets (it is shown while grading)"
    assert explorer_problems(box, still) == []
