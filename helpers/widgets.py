r"""Thin ipywidgets explorers: controls wired to a drawing function of a figures module.

The pattern every explorer uses is :func:`explorer`: a drawing function plus a dict of controls.
The figure is made once; when a control changes, its axes are cleared, the drawing function runs again
with the current values, and the picture is re-shown::

    def draw(ax, lam):
        argmin_figures.plot_penalty_lines(ax, w, L, lam=lam)

    if widgets.widgets_enabled():
        display(widgets.explorer(draw, {"lam": widgets.number_box("lambda", 0.5, 0.0, 2.0, 0.05)}))

Controls may also be given the short ``interact`` way: ``(lo, hi, step)`` makes a number box (a
``BoundedIntText`` when all three are ints, else a ``BoundedFloatText``), a list makes a dropdown, a bool a
checkbox.

Widget cells are skipped during grading: :func:`widgets_enabled` is False when ``NBGRADER_EXECUTION``
is set, so a notebook must run and grade without them.

Accessibility (issue 23). Explorers use only controls that are native form elements: number boxes
(``BoundedIntText``, ``BoundedFloatText``: type a value, or step it with the arrow keys), dropdowns and
checkboxes. Their ``description`` becomes a ``<label for=...>`` of the element, which a screen reader
reads. ipywidgets' sliders are not used: their handle (a noUiSlider ``div role="slider"``) gets no
accessible name from the description (ipywidgets issue 2650; axe: aria-input-field-name, serious). A drawing function may return one sentence that says what the
figure shows at the current values, with its numbers; it becomes part of the figure's alt text and is
shown as text under the figure (``box.caption``). And each explorer has a still twin, :func:`still`:
the same drawing at the default values with that sentence, no widget at all, which the notebook shows
next to the explorer (also while grading), so a student who cannot use the widget loses nothing::

    def draw(ax, lam):
        argmin_figures.plot_penalty_lines(ax, w, L, lam=lam)
        return f"At lambda = {lam:.2f} the lowest line is w = ..."

    widgets.still(draw, {"lam": 0.5})  # a figure and its sentence

Each notebook's own explorers live in its figures module, beside the figures they redraw
(``argmin_figures.argmin_explorer``, ``gradient_figures.learning_rate_explorer``, ...).
"""

import html
import os

import ipywidgets
import numpy as np
from matplotlib.figure import Figure

from helpers import figure_style


def widgets_enabled():
    """True in an interactive session; False while nbgrader executes notebooks (validate, autograde)."""
    return not os.environ.get("NBGRADER_EXECUTION")


class Explorer(ipywidgets.VBox):
    """Controls above one figure that is redrawn when a control changes (made by :func:`explorer`).

    Attributes: ``figure``, ``axes``, ``controls`` (name -> widget), ``output``, ``redraw()``.
    """


def number_box(description, value, lo, hi, step=1, **kwargs):
    """A labelled number box from ``lo`` to ``hi``: type a value or step it with the arrow keys.

    A ``BoundedIntText`` when ``value``, ``lo``, ``hi`` and ``step`` are ints, else a ``BoundedFloatText``;
    it redraws on every change (``continuous_update``).
    """
    whole = all(isinstance(v, int) and not isinstance(v, bool) for v in (value, lo, hi, step))
    cls = ipywidgets.BoundedIntText if whole else ipywidgets.BoundedFloatText
    kwargs.setdefault("style", {"description_width": "initial"})
    kwargs.setdefault("layout", {"width": "auto"})
    return cls(
        value=value, min=lo, max=hi, step=step, description=description, continuous_update=True, **kwargs
    )


def _control(name, spec):
    """A widget from a widget or a short spec: (lo, hi[, step]), a list of options, or a bool."""
    if isinstance(spec, ipywidgets.ValueWidget):
        if not spec.description:
            spec.description = name
        style = getattr(spec, "style", None)
        if style is not None and hasattr(style, "description_width") and not style.description_width:
            style.description_width = "initial"  # the whole label ("learning rate", not "learning r...")
        return spec
    style = {"description_width": "initial"}
    if isinstance(spec, bool):
        return ipywidgets.Checkbox(value=spec, description=name, style=style)
    if isinstance(spec, tuple) and len(spec) in (2, 3):
        lo, hi = spec[0], spec[1]
        if all(isinstance(v, int) and not isinstance(v, bool) for v in spec):
            step = spec[2] if len(spec) == 3 else 1
            return number_box(name, (lo + hi) // 2, lo, hi, step, style=style)
        step = spec[2] if len(spec) == 3 else (hi - lo) / 100
        return number_box(name, (lo + hi) / 2, lo, hi, step, style=style)
    if isinstance(spec, list) and spec:
        return ipywidgets.Dropdown(options=spec, value=spec[0], description=name, style=style)
    raise TypeError(
        f"control {name!r}: give an ipywidgets control, (lo, hi[, step]), a list or a bool, not {spec!r}"
    )


def explorer(plot_fn, controls, *, nrows=1, ncols=1, figsize=None, title=None):
    """Wire controls to a drawing function; returns an ``ipywidgets.VBox`` to ``display``.

    Parameters
    ----------
    plot_fn : callable
        ``plot_fn(ax, **values)`` draws on ``ax`` (an array of Axes when ``nrows * ncols > 1``); the axes
        are cleared before every call. Whatever it sets (titles, labels) is redone each time. It may
        return a sentence saying what the figure shows, with its numbers (see the module docstring).
    controls : dict
        name -> ipywidgets control (or a short spec, see the module docstring). The names are the
        keyword arguments of ``plot_fn``.
    title : str, optional
        Figure title (``suptitle``), kept across redraws.

    Returns
    -------
    :class:`Explorer`, an ``ipywidgets.VBox`` (controls above the figure, the sentence ``plot_fn``
    returned below it) with attributes ``figure``, ``axes``, ``controls`` (the dict of widgets),
    ``output``, ``caption`` (an ``ipywidgets.HTML``), ``sentence`` and ``redraw()``.
    """
    widgets_by_name = {name: _control(name, spec) for name, spec in controls.items()}
    fig, axes = _new_figure(nrows, ncols, figsize)
    output = ipywidgets.Output()
    caption = ipywidgets.HTML(value="")  # the sentence, as text under the figure

    def values():
        return {name: w.value for name, w in widgets_by_name.items()}

    def redraw(_change=None):
        box.sentence = _draw(fig, axes, plot_fn, values(), title)
        caption.value = f"<p>{html.escape(box.sentence)}</p>" if box.sentence else ""
        _show(fig, output)

    box = Explorer(
        [ipywidgets.HBox(list(widgets_by_name.values()), layout={"flex_flow": "row wrap"}), output, caption]
    )
    box.figure, box.axes, box.controls, box.output, box.redraw = fig, axes, widgets_by_name, output, redraw
    box.caption, box.sentence = caption, ""
    for w in widgets_by_name.values():
        w.observe(redraw, names="value")
    redraw()
    return box


def _new_figure(nrows, ncols, figsize):
    if figsize is not None:
        figsize = figure_style.fit_width(figsize)
    fig = Figure(figsize=figsize, layout="constrained")  # no pyplot: never shown twice by the backend
    return fig, fig.subplots(nrows, ncols, squeeze=True)


def _draw(fig, axes, plot_fn, values, title):
    """Clear, draw, title; the alt text becomes the returned sentence, then the titles and numbers."""
    for ax in np.atleast_1d(axes).ravel():
        ax.clear()
    sentence = plot_fn(axes, **values)
    sentence = str(sentence).strip() if sentence else ""
    if title:
        fig.suptitle(title)
    figure_style.set_alt(fig, None)
    base = figure_style.figure_alt_text(fig)
    figure_style.set_alt(
        fig, f"{sentence} {base}" if sentence else base
    )  # the sentence first: alt is cut at 600
    return sentence


class Still:
    """An explorer's figure at one setting and its sentence, without widgets (made by :func:`still`).

    Shown in a notebook as the figure (``<img>`` with alt text) followed by the sentence as text.
    Attributes: ``figure``, ``axes``, ``sentence``.
    """

    def __init__(self, figure, axes, sentence):
        self.figure, self.axes, self.sentence = figure, axes, sentence

    def _repr_mimebundle_(self, include=None, exclude=None):
        tag = figure_style.figure_html(self.figure) or ""
        text = f"<p>{html.escape(self.sentence)}</p>" if self.sentence else ""
        return {
            "text/html": tag + text,
            "text/plain": self.sentence or figure_style.figure_alt_text(self.figure),
        }


def still(plot_fn, values, *, nrows=1, ncols=1, figsize=None, title=None):
    """The static twin of :func:`explorer`: ``plot_fn`` drawn once at ``values``, no widget made.

    Parameters
    ----------
    plot_fn : callable
        The explorer's drawing function, ``plot_fn(ax, **values)``; the sentence it returns is shown
        under the figure.
    values : dict
        name -> value, the explorer's default setting.
    nrows, ncols, figsize, title
        As for :func:`explorer`.

    Returns
    -------
    :class:`Still` (display it, or end a cell with it).
    """
    fig, axes = _new_figure(nrows, ncols, figsize)
    return Still(fig, axes, _draw(fig, axes, plot_fn, dict(values), title))


def _show(fig, output):
    """Replace the Output's content with the figure (only inside IPython; tests run without it)."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover
        return
    if get_ipython() is None:
        return
    with output:
        output.clear_output(wait=True)
        display(fig)
