"""Checks shared by the tests of the ``*_figures`` modules.

:func:`accessibility_problems` is what every figure the course draws must pass (issue 23): Okabe-Ito
colours (or greys) for everything coloured and a colour-blind-safe map for every colour-mapped image,
no two legend entries that differ by colour alone, text of at least 10 pt, a width the notebook shows
without scaling it down, and alt text that names what the figure shows (with numbers for data figures).
``tests/conftest.py`` runs it on every figure a ``test_*_figures`` module makes.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import Collection
from matplotlib.colors import to_rgba
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from helpers import figure_style

#: Smallest text in a figure, in points, at the figure's own size (shown 1:1 at 100 dpi).
MIN_FONT_PT = figure_style.MIN_FONT_PT
#: Widest figure in inches (see figure_style.MAX_WIDTH_IN).
MAX_WIDTH_IN = figure_style.MAX_WIDTH_IN
#: Colour maps that stay readable with every common colour-vision deficiency (perceptually uniform,
#: or ColorBrewer's colour-blind-safe diverging maps), and greys.
SAFE_CMAPS = {
    name + suffix
    for name in (
        "viridis",
        "cividis",
        "magma",
        "inferno",
        "plasma",
        "gray",
        "Greys",
        "binary",
        "RdBu",
        "PuOr",
    )
    for suffix in ("", "_r")
}


def labelled(ax) -> bool:
    """True when ``ax`` has a title and both axis labels (what the alt text of a figure is made from)."""
    return bool(ax.get_title()) and bool(ax.get_xlabel()) and bool(ax.get_ylabel())


def _allowed_colour(colour) -> bool:
    """Okabe-Ito, a grey (black and white included), or fully transparent."""
    r, g, b, a = to_rgba(colour)
    if a == 0 or (abs(r - g) < 1e-6 and abs(g - b) < 1e-6):
        return True
    palette = [to_rgba(c)[:3] for c in figure_style.PALETTE]
    return any(np.allclose((r, g, b), p, atol=1.5 / 255) for p in palette)


def _colours_of(artist) -> list:
    if isinstance(artist, Line2D):
        if artist.get_linestyle() in ("None", "none", " ", "") and artist.get_marker() in (
            None,
            "None",
            "none",
            "",
        ):
            return []
        out = [artist.get_color()]
        if artist.get_marker() not in (None, "None", "none", ""):
            out += [artist.get_markerfacecolor(), artist.get_markeredgecolor()]
        return out
    if isinstance(artist, Patch):
        return [artist.get_facecolor(), artist.get_edgecolor()]
    if isinstance(artist, Collection):
        if artist.get_array() is not None:  # colour-mapped (contours, scatter by value): checked by map
            return []
        return list(artist.get_facecolors()) + list(artist.get_edgecolors())
    return []


def _legend_key(handle) -> tuple:
    """What a legend entry shows besides its colour: line style, marker, hatch, marker shape."""
    if isinstance(handle, Line2D):
        style = handle.get_linestyle() if handle.get_linestyle() not in ("None", " ", "") else "none"
        return ("line", style, str(handle.get_marker()), handle.get_linewidth() >= 3.0)
    if isinstance(handle, Patch):
        return ("patch", handle.get_hatch() or "", handle.get_fill())
    if isinstance(handle, Collection):
        paths = handle.get_paths()
        shape = tuple(np.round(paths[0].vertices, 2).ravel()) if paths else ()
        return ("collection", shape, str(handle.get_linestyle()))
    return (type(handle).__name__,)


def accessibility_problems(fig, *, data: bool = True) -> list[str]:
    """What keeps ``fig`` from meeting the course's figure rules; [] when it meets them.

    ``data``: the figure shows data, so its alt text must hold a number (a diagram's need not).
    """
    problems = []
    for text in fig.findobj(Text):
        if text.get_visible() and text.get_text().strip() and text.get_fontsize() < MIN_FONT_PT - 1e-9:
            problems.append(
                f"text {text.get_text()[:40]!r} is {text.get_fontsize():g} pt (< {MIN_FONT_PT:g})"
            )
    width = fig.get_figwidth()
    if width > MAX_WIDTH_IN + 1e-9:
        problems.append(
            f"figure is {width:g} in wide (> {MAX_WIDTH_IN:g}): the notebook would shrink its text"
        )
    for ax in fig.axes:
        for artist in [*ax.lines, *ax.patches, *ax.collections]:
            if not artist.get_visible():
                continue
            for colour in _colours_of(artist):
                if isinstance(colour, str) and colour in ("none", "None"):
                    continue
                if not _allowed_colour(colour):
                    problems.append(f"{type(artist).__name__} in {ax.get_title()[:30]!r} has colour {colour}")
                    break
        for mapped in [*ax.images, *ax.collections]:
            if isinstance(mapped, AxesImage) and np.ndim(mapped.get_array()) == 3:
                continue  # an RGB(A) picture: its colours are the data, not a code
            if getattr(mapped, "get_array", lambda: None)() is None:
                continue
            cmap = mapped.get_cmap()
            name = cmap.name
            listed = getattr(cmap, "colors", None)
            if listed is not None and all(_allowed_colour(c) for c in listed):
                continue  # a few palette colours, one per class
            if name not in SAFE_CMAPS:
                problems.append(f"colour map {name!r} in {ax.get_title()[:30]!r} is not colour-blind-safe")
        legend = ax.get_legend()
        if legend is not None:
            keys = {}
            for handle, label in zip(legend.legend_handles, legend.get_texts(), strict=False):
                if handle is None:
                    continue
                keys.setdefault(_legend_key(handle), []).append(label.get_text())
            for labels in keys.values():
                if len(labels) > 1:
                    problems.append(f"legend entries {labels} differ by colour alone")
    alt = figure_style.figure_alt_text(fig)
    if alt.startswith("Figure with"):
        problems.append(f"no title to make alt text from: {alt!r}")
    elif data and not any(ch.isdigit() for ch in alt):
        problems.append(f"alt text of a data figure holds no number: {alt!r}")
    return problems


#: Controls that are native form elements (a keyboard types into them or steps them with the arrow keys)
#: whose ``description`` becomes their ``<label for=...>``, which a screen reader reads. Not sliders: their
#: noUiSlider handle has no accessible name (ipywidgets issue 2650).
KEYBOARD_CONTROLS = ("BoundedIntText", "BoundedFloatText", "Dropdown", "Checkbox")


def explorer_problems(box, still) -> list[str]:
    """What keeps an explorer and its still twin from being usable without sight or mouse; [] if nothing.

    ``box`` is the explorer at its default setting, ``still`` the same factory called with ``static=True``
    (that it made no widget is checked by :func:`made_no_widget`).
    """
    problems = []
    for name, control in box.controls.items():
        if not str(control.description).strip():
            problems.append(f"control {name!r} has no description for a screen reader")
        if type(control).__name__ not in KEYBOARD_CONTROLS:
            problems.append(f"control {name!r} is a {type(control).__name__}, not a keyboard control")
    sentence = box.sentence
    if not sentence or not any(ch.isdigit() for ch in sentence):
        problems.append(f"the explorer's sentence says no number: {sentence!r}")
    if sentence and sentence not in box.caption.value.replace("&#x27;", "'").replace("&quot;", '"'):
        problems.append("the sentence is not shown under the figure")
    if sentence and sentence not in figure_style.figure_alt_text(box.figure):
        problems.append("the sentence is not in the figure's alt text")
    if still.sentence != sentence:
        problems.append(f"the still twin says {still.sentence!r}, the explorer {sentence!r}")
    bundle = still._repr_mimebundle_()
    page = bundle.get("text/html", "")
    if "<img " not in page or ' alt="' not in page or "<p>" not in page:
        problems.append(f"the still twin shows no figure with alt text and sentence: {page[:80]!r}")
    data = any(ax.axison for ax in still.figure.axes)
    problems += [f"still figure: {p}" for p in accessibility_problems(still.figure, data=data)]
    return problems


def made_no_widget(factory):
    """Call ``factory()``; return (result, True when it created no ipywidgets widget)."""
    import ipywidgets

    made = []
    original = ipywidgets.Widget.__init__

    def counting_init(self, *args, **kwargs):
        made.append(type(self).__name__)
        original(self, *args, **kwargs)

    ipywidgets.Widget.__init__ = counting_init
    try:
        result = factory()
    finally:
        ipywidgets.Widget.__init__ = original
    return result, not made
