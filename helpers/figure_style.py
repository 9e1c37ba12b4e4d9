r"""The course's figure style, shared by every ``*_figures`` module: palette, sizes, alt text.

Rules every figure function of the course follows (``tests/figure_checks.py`` checks them on every figure
the figure tests draw): a colour-blind-safe palette (Okabe-Ito) for everything coloured and ``viridis`` for
colour-mapped values; meaning never carried by colour alone (series differ in line style or marker too,
bars of different meaning in hatching); text of at least 10 pt and figures at most ``MAX_WIDTH_IN`` wide,
so the notebook shows them unscaled; a title on every figure, labelled axes (with units where there are
any), alt text that says what the figure shows with its key numbers; and a return value you can keep
drawing on:
the ``Axes`` you passed in, or the ``Figure`` the function made (or was given). :func:`split_target`,
:func:`axes_on` and :func:`target_result` implement that last rule for the figure modules.

The setup cell of every notebook calls :func:`use_course_style`; from then on IPython shows each figure as
an ``<img>`` with alt text (:func:`figure_alt_text`, or :func:`set_alt` for an explicit one).

Nothing in the figure modules computes an exercise's answer: they are allowed inside
``testing.check_own_work``.
"""

import html
import re

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

#: Okabe-Ito colours (Okabe & Ito 2008, "Color Universal Design"): eight colours chosen to stay
#: distinguishable with protanopia, deuteranopia and tritanopia, and printable; the palette matplotlib's
#: and ggplot's colour-blind guides recommend for categorical data. Blue and vermillion (and orange
#: and blue) also differ in lightness, so the first pairs stay apart in greyscale.
COLORS = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
#: The colour cycle of :func:`use_course_style`, in this order.
PALETTE = tuple(COLORS.values())
#: Dash patterns that go with PALETTE where curves may coincide (readable in greyscale too).
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1)), (0, (1, 1)))
#: Perceptually uniform, colour-blind-safe colour map for matrices and images of values.
CMAP = "viridis"
#: Widest figure, in inches at the notebook's 100 dpi: 1000 px fit a cell's output in a 1280-px-wide
#: JupyterLab window, so the browser never scales a figure (and its 10-pt text) down.
MAX_WIDTH_IN = 10.0
#: Smallest text size in a figure, in points.
MIN_FONT_PT = 10

_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "figure.constrained_layout.use": True,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "figure.titlesize": 13,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 2.0,
    "image.cmap": CMAP,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
}


def use_course_style():
    """Apply the course's matplotlib defaults (sizes, grid, palette); safe under any backend.

    In IPython it also shows every figure with alt text (see :func:`enable_alt_text`). Returns None, so a
    setup cell that ends with the call shows nothing.
    """
    mpl.rcParams.update(_STYLE)
    enable_alt_text()


def fit_width(figsize):
    """``figsize`` scaled down (aspect kept) to at most :data:`MAX_WIDTH_IN` wide."""
    width, height = figsize
    if width <= MAX_WIDTH_IN:
        return (width, height)
    return (MAX_WIDTH_IN, height * MAX_WIDTH_IN / width)


def new_figure(nrows=1, ncols=1, *, title=None, figsize=None, **subplots_kw):
    """``plt.subplots`` with a figure title. Returns ``(fig, ax)`` (``ax`` an array when several).

    A ``figsize`` wider than :data:`MAX_WIDTH_IN` is scaled down to it (:func:`fit_width`).
    """
    if figsize is not None:
        figsize = fit_width(figsize)
    if figsize is None:
        width, height = mpl.rcParams["figure.figsize"]
        figsize = (
            min(MAX_WIDTH_IN, width * (0.8 * ncols if ncols > 1 else 1)),
            height * (0.85 * nrows if nrows > 1 else 1),
        )
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, **subplots_kw)
    if title:
        fig.suptitle(title)
    return fig, axes


# Where a figure function draws: functions take an optional leading Axes or Figure (or ``ax=``) and
# return the Axes they were given, else the figure.


def split_target(args):
    """Split a leading ``Axes``/``Figure`` off ``args``."""
    if args and isinstance(args[0], Axes | Figure):
        return args[0], args[1:]
    return None, args


def target_result(target, ax):
    """What a function returns: the Axes it was given, else the figure."""
    return ax if isinstance(target, Axes) else ax.figure


def axes_on(target, figsize):
    """One Axes to draw on: the given one, a new one on the given figure, or a new figure."""
    if isinstance(target, Axes):
        return target
    if isinstance(target, Figure):
        return target.add_subplot(1, 1, 1)
    return new_figure(figsize=figsize)[1]


# Alt text for figures.  nbconvert's HTML export (nbgrader feedback) and screen readers need an
# ``alt`` on every image, and neither JupyterLab nor nbconvert ever takes it from output metadata.
# use_course_style() therefore makes IPython display a Figure as ``text/html``:
# ``<img src="data:image/png;base64,..." alt="...">``, and no separate ``image/png``.  JupyterLab
# (trusted or not, inside widget outputs too) and nbconvert's HTML both prefer ``text/html`` over
# ``image/png``, so the PNG would only double the notebook's size; one PNG is rendered per figure.
_MATH_COMMAND = re.compile(r"\\([A-Za-z]+)")
_ALT_MAX_CHARS = 600


def _plain(text):
    """Label text without mathtext markup: ``$\\sigma(x)$`` -> ``sigma(x)``."""
    text = _MATH_COMMAND.sub(r"\1", text.replace("$", ""))
    for mark in "{}\\":
        text = text.replace(mark, "")
    return " ".join(text.split())


def set_alt(fig, text):
    """Give ``fig`` an explicit alt text (what the picture shows, for someone who cannot see it).

    ``None`` removes it (the alt text is then made from the titles again).
    """
    fig._alt_text = None if text is None else str(text)
    return fig


def _num(value):
    return f"{value:.3g}"


def _panel_numbers(ax):
    """The key numbers of one panel: each labelled curve's first and last value, else the axis ranges.

    Example: ``"training 2.3 to 0.41; validation 2.3 to 0.52"``, or ``"x 0 to 10, y -1 to 1"``.
    """
    if not ax.axison:
        return ""
    series = []
    for line in ax.lines:
        label = line.get_label()
        if not label or label.startswith("_"):
            continue
        y = np.asarray(line.get_ydata(), dtype=float).ravel()
        y = y[np.isfinite(y)]
        if y.size == 0:
            continue
        text = _plain(label)
        series.append(
            f"{text} {_num(y[0])}"
            if y.size == 1 or y[0] == y[-1]
            else f"{text} {_num(y[0])} to {_num(y[-1])}"
        )
    if series:
        return "; ".join(series[:6])
    images = [im for im in ax.images if np.ndim(im.get_array()) == 2]
    if images:
        values = np.asarray(images[0].get_array(), dtype=float)
        if values.size and np.isfinite(values).any():
            return f"values {_num(np.nanmin(values))} to {_num(np.nanmax(values))}"
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    return f"x {_num(x0)} to {_num(x1)}, y {_num(y0)} to {_num(y1)}"


def figure_alt_text(fig):
    """The alt text of ``fig``: ``fig._alt_text`` if set, else its titles, axis labels and key numbers.

    Each panel is ``"title: y label against x label (numbers)"``, the numbers being every labelled
    curve's first and last value (or the range of the axes, or of an image's values). Example:
    ``"Activations: h(x) against input x (relu 0 to 4; tanh -0.999 to 0.999)"``.
    """
    explicit = getattr(fig, "_alt_text", None)
    if explicit:
        return str(explicit)[:_ALT_MAX_CHARS]
    parts = []
    suptitle = fig.get_suptitle()
    if suptitle.strip():
        parts.append(_plain(suptitle))
    panels = [ax for ax in fig.axes if ax.get_visible() and not hasattr(ax, "_colorbar")]
    for ax in panels:
        title = next((t for t in (ax.get_title(loc) for loc in ("center", "left", "right")) if t.strip()), "")
        xlabel, ylabel = _plain(ax.get_xlabel()), _plain(ax.get_ylabel())
        if xlabel and ylabel:
            axes_text = f"{ylabel} against {xlabel}"
        else:
            axes_text = xlabel or ylabel
        part = ": ".join(p for p in (_plain(title), axes_text) if p)
        numbers = _panel_numbers(ax) if part else ""
        if part:
            parts.append(f"{part} ({numbers})" if numbers else part)
    text = ". ".join(parts)
    if not text:
        text = f"Figure with {len(panels)} panel{'s' if len(panels) != 1 else ''} (no title)"
    return text[:_ALT_MAX_CHARS]


def figure_html(fig):
    """``<img>`` tag with the figure as an inline PNG and its alt text (None for an empty figure).

    A figure wider than :data:`MAX_WIDTH_IN` (a notebook's own ``plt.subplots(figsize=(15, 7))``) is
    scaled down to it first, so the browser never shrinks it and its text below 10 pt.
    """
    from IPython.core.pylabtools import print_figure

    fig.set_size_inches(fit_width(tuple(fig.get_size_inches())))

    data = print_figure(fig, "png", bbox_inches="tight", base64=True)
    if not data:
        return None
    alt = html.escape(figure_alt_text(fig), quote=True)
    return f'<img src="data:image/png;base64,{data}" alt="{alt}">'


def _figure_mimebundle(fig):
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        # matplotlib-inline (re)registers its PNG printer whenever the backend is (re)selected.
        shell.display_formatter.formatters["image/png"].pop(Figure, None)
    tag = figure_html(fig)
    return {"text/html": tag} if tag else {}


def enable_alt_text():
    """Display figures as ``<img alt=...>`` in IPython (called by :func:`use_course_style`).

    A mimebundle printer is used because matplotlib-inline clears every per-format Figure printer
    when it selects its formats, but leaves mimebundle printers alone.  Returns False outside IPython.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    shell.display_formatter.mimebundle_formatter.for_type(Figure, _figure_mimebundle)
    return True
