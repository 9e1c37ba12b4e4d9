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
    assert isinstance(box.controls["n"], ipywidgets.BoundedIntText) and box.controls["n"].value == 5
    assert isinstance(box.controls["scale"], ipywidgets.BoundedFloatText)
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


# --- issue 23: a sentence, a caption, and a still twin ---------------------------------------------
def _line(ax, slope):
    x = np.linspace(0.0, 2.0, 5)
    ax.plot(x, slope * x, label="y = slope x")
    ax.set(title=f"slope {slope:g}", xlabel="x", ylabel="y")
    return f"The line rises from 0 to {2 * slope:g}."


def test_explorer_shows_the_sentence_under_the_figure_and_in_its_alt_text():
    from helpers import figure_style

    box = widgets.explorer(_line, {"slope": widgets.number_box("slope", 1.0, 0.0, 3.0, 0.5)})
    assert box.children[2] is box.caption
    assert (
        box.sentence == "The line rises from 0 to 2."
        and box.caption.value == "<p>The line rises from 0 to 2.</p>"
    )
    assert figure_style.figure_alt_text(box.figure) == (
        "The line rises from 0 to 2. slope 1: y against x (y = slope x 0 to 2)"
    )
    box.controls["slope"].value = 2.5
    assert box.caption.value == "<p>The line rises from 0 to 5.</p>"
    assert figure_style.figure_alt_text(box.figure).startswith("The line rises from 0 to 5. slope 2.5")


def test_still_draws_the_default_setting_without_widgets():
    from tests.figure_checks import made_no_widget

    still, none_made = made_no_widget(lambda: widgets.still(_line, {"slope": 1.5}, title="A line"))
    assert none_made
    assert still.sentence == "The line rises from 0 to 3."
    assert still.figure.get_suptitle() == "A line"
    bundle = still._repr_mimebundle_()
    assert bundle["text/plain"] == "The line rises from 0 to 3."
    page = bundle["text/html"]
    assert page.startswith('<img src="data:image/png;base64,') and page.endswith(
        "<p>The line rises from 0 to 3.</p>"
    )
    assert 'alt="The line rises from 0 to 3. A line. slope 1.5: y against x (y = slope x 0 to 3)"' in page
    _, none_made = made_no_widget(lambda: widgets.explorer(_line, {"slope": (0.0, 3.0)}))
    assert not none_made  # the check sees widgets when there are some


def test_widgets_are_not_shown_while_grading_but_stills_are(monkeypatch):
    """The notebooks show each explorer's still twin in a cell of its own, outside `widgets_enabled()`."""
    from tests.nbtools import NAMES, ROOT

    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert not widgets.widgets_enabled()
    for name in NAMES:
        text = (ROOT / "notebooks" / f"{name}.py").read_text()
        cells = text.split("\n# %%")
        explorers = [c for c in cells if "widgets.widgets_enabled()" in c and "_explorer(" in c]
        stills = [c for c in cells if "static=True" in c and "widgets_enabled" not in c]
        assert explorers, f"{name}: no explorer"
        assert len(stills) == len(explorers), (
            f"{name}: {len(explorers)} explorers but {len(stills)} still twins"
        )


def test_number_box_is_a_labelled_native_control():
    """No ipywidgets slider: its handle has no accessible name; a number box is an <input> with a label."""
    whole = widgets.number_box("seed", 0, 0, 20)
    assert isinstance(whole, ipywidgets.BoundedIntText)
    assert (whole.description, whole.min, whole.max, whole.step) == ("seed", 0, 20, 1)
    assert whole.continuous_update and whole.style.description_width == "initial"
    real = widgets.number_box("learning rate", 0.1, 0.001, 0.316, 0.001)
    assert isinstance(real, ipywidgets.BoundedFloatText) and real.value == 0.1
