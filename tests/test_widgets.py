"""Tests for the common section of helpers.widgets: explorers under the Agg backend.

Notebook authors append tests for their own explorers below the common part.
"""

import ipywidgets
import numpy as np
import pytest

from helpers import widgets

# --- common ---------------------------------------------------------------------------------------


def test_widgets_enabled_follows_nbgrader(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert widgets.widgets_enabled() is True
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert widgets.widgets_enabled() is False


def test_explorer_redraws_when_a_slider_moves():
    x = np.linspace(-2.0, 2.0, 41)
    calls = []

    def draw(ax, slope):
        calls.append(slope)
        ax.plot(x, slope * x)
        ax.set_title(f"slope {slope}")
        ax.set_xlabel("x")
        ax.set_ylabel("y")

    slider = ipywidgets.FloatSlider(value=1.0, min=0.0, max=3.0, step=0.5)
    box = widgets.explorer(draw, {"slope": slider}, title="A line")
    assert isinstance(box, ipywidgets.VBox) and isinstance(box, widgets.Explorer)
    assert box.figure._suptitle.get_text() == "A line"
    np.testing.assert_allclose(box.axes.lines[0].get_ydata(), x)
    slider.value = 2.5
    assert calls == [1.0, 2.5]
    assert len(box.axes.lines) == 1  # cleared, not stacked
    np.testing.assert_allclose(box.axes.lines[0].get_ydata(), 2.5 * x)
    assert box.axes.get_title() == "slope 2.5"
    assert slider.description == "slope"
    assert box.children[1] is box.output


def test_explorer_short_specs_and_several_axes():
    seen = {}

    def draw(axes, n, scale, kind, log):
        seen.update(n=n, scale=scale, kind=kind, log=log)
        for ax in axes:
            ax.plot(np.arange(n) * scale)

    box = widgets.explorer(
        draw, {"n": (1, 9), "scale": (0.0, 1.0, 0.1), "kind": ["a", "b"], "log": False}, ncols=2
    )
    assert isinstance(box.controls["n"], ipywidgets.IntSlider) and box.controls["n"].value == 5
    assert isinstance(box.controls["scale"], ipywidgets.FloatSlider)
    assert isinstance(box.controls["kind"], ipywidgets.Dropdown)
    assert isinstance(box.controls["log"], ipywidgets.Checkbox)
    assert box.axes.shape == (2,)
    assert seen == {"n": 5, "scale": 0.5, "kind": "a", "log": False}
    box.controls["n"].value = 8
    assert [len(ax.lines[0].get_ydata()) for ax in box.axes] == [8, 8]
    with pytest.raises(TypeError, match="control 'bad'"):
        widgets.explorer(draw, {"bad": "text"})


# Notebook sections below: one per notebook, "# --- NN_name ---".


# --- issue 6: explorers as students see them ------------------------------------------------------
def test_explorer_controls_show_their_whole_label():
    import ipywidgets

    given = ipywidgets.FloatSlider(value=0.1, min=0.0, max=1.0, description="learning rate")
    box = widgets.explorer(
        lambda ax, lr, steps: ax.set_title(f"{lr} {steps}"), {"lr": given, "steps": (1, 50)}
    )
    assert all(w.style.description_width == "initial" for w in box.controls.values())
    kept = ipywidgets.IntSlider(description="seed", style={"description_width": "40px"})
    widgets.explorer(lambda ax, seed: None, {"seed": kept})
    assert kept.style.description_width == "40px"
