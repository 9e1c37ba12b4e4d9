"""helpers.figure_style: the palette and sizes, new_figure, and alt text on every figure shown
(also in nbconvert's HTML export and in every built course notebook).
"""

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex

from helpers import figure_style
from tests.nbtools import NAMES, source_path


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_backend_is_agg():
    assert mpl.get_backend().lower() == "agg"


def test_palette_is_okabe_ito_and_style_uses_it():
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}
    assert set(figure_style.PALETTE) == okabe_ito and len(figure_style.PALETTE) == 8
    with mpl.rc_context():
        assert figure_style.use_course_style() is None  # a setup cell ending with it prints nothing
        assert mpl.rcParams["axes.grid"] is True and mpl.rcParams["font.size"] == 11
        cycle = [to_hex(c["color"]).upper() for c in mpl.rcParams["axes.prop_cycle"]]
        assert cycle == [c.upper() for c in figure_style.PALETTE]
        assert mpl.get_backend().lower() == "agg"  # the style never switches backends
        fig, ax = figure_style.new_figure(title="x")
        (line,) = ax.plot([0, 1], [0, 1])
        assert to_hex(line.get_color()).upper() == figure_style.PALETTE[0].upper()


def test_new_figure_titles_and_shapes():
    fig, ax = figure_style.new_figure(title="One")
    assert isinstance(ax, Axes) and fig._suptitle.get_text() == "One"
    fig, axes = figure_style.new_figure(2, 3, title="Grid")
    assert axes.shape == (2, 3)


def test_figures_are_never_wider_than_the_notebook_shows_unscaled():
    """Wider figures would be shrunk by the browser, and their 10-pt text with them."""
    assert figure_style.MAX_WIDTH_IN == 10.0 and figure_style.MIN_FONT_PT == 10
    assert figure_style.fit_width((13.0, 3.9)) == (10.0, 3.0)
    assert figure_style.fit_width((6.4, 4.0)) == (6.4, 4.0)
    fig, _ = figure_style.new_figure(1, 3, title="Three panels")
    assert fig.get_figwidth() == 10.0
    fig, _ = figure_style.new_figure(title="Wide", figsize=(20, 4))
    assert tuple(fig.get_size_inches()) == (10.0, 2.0)


def test_the_figure_checks_catch_what_they_should():
    """tests/figure_checks.py, which conftest runs on every figure of the figure tests, is not vacuous."""
    from tests.figure_checks import accessibility_problems

    with mpl.rc_context(figure_style._STYLE):
        fig, ax = figure_style.new_figure(title="Good")
        ax.plot([0, 1], [0, 1], color=figure_style.COLORS["blue"], label="a")
        ax.plot([0, 1], [1, 0], color=figure_style.COLORS["orange"], ls="--", label="b")
        ax.set(xlabel="x", ylabel="y")
        ax.legend()
        assert accessibility_problems(fig) == []

        fig, ax = plt.subplots(figsize=(12, 3))
        ax.plot([0, 1], [0, 1], color="red", label="a")
        ax.plot([0, 1], [1, 0], color=figure_style.COLORS["orange"], label="b")
        ax.imshow([[0, 1]], cmap="jet")
        ax.text(0, 0, "tiny", fontsize=8)
        ax.legend()
        problems = " | ".join(accessibility_problems(fig))
        for expected in (
            "12 in wide",
            "has colour",
            "'jet'",
            "'tiny' is 8 pt",
            "differ by colour alone",
            "no title",
        ):
            assert expected in problems, (expected, problems)
        ax.set_title("Lines")
        assert "no number" not in " | ".join(accessibility_problems(fig))  # axis ranges are numbers
        figure_style.set_alt(fig, "Two lines crossing")
        assert "holds no number" in " | ".join(accessibility_problems(fig))
        assert "holds no number" not in " | ".join(accessibility_problems(fig, data=False))


def test_alt_text_from_titles_and_labels():
    fig, axes = figure_style.new_figure(1, 2, title="The activations")
    axes[0].set(title=r"$\sigma(x)$", xlabel="input x", ylabel="h(x)")
    axes[1].set(title="Derivatives", xlabel="input x")
    fig.colorbar(axes[1].imshow([[0, 1]]), ax=axes[1], label="value")  # colour bars are not panels
    assert figure_style.figure_alt_text(fig) == (
        "The activations. sigma(x): h(x) against input x (x 0 to 1, y 0 to 1). Derivatives: input x (values 0 to 1)"
    )


def test_alt_text_holds_the_key_numbers_of_each_curve():
    """A data figure's alt text says what it shows: each labelled curve's first and last value."""
    fig, ax = figure_style.new_figure(title="Training")
    ax.plot([1, 2, 3], [2.302, 1.1, 0.4123], label="training loss")
    ax.plot([1, 2, 3], [2.31, 1.4, float("nan")], label=r"validation $\lambda$")
    ax.plot([1, 3], [0.5, 0.5], label="_hidden helper line")
    ax.set(title="Loss", xlabel="epoch", ylabel="loss")
    assert figure_style.figure_alt_text(fig) == (
        "Training. Loss: loss against epoch (training loss 2.3 to 0.412; validation lambda 2.31 to 1.4)"
    )
    fig, ax = figure_style.new_figure()
    ax.set_axis_off()  # a diagram or a picture: no axis ranges
    ax.set_title("A diagram")
    assert figure_style.figure_alt_text(fig) == "A diagram"


def test_alt_text_explicit_and_fallback():
    fig, _ = figure_style.new_figure()
    assert figure_style.figure_alt_text(fig) == "Figure with 1 panel (no title)"
    assert figure_style.set_alt(fig, 'A "quoted" <b>description</b>') is fig
    assert figure_style.figure_alt_text(fig) == 'A "quoted" <b>description</b>'
    tag = figure_style.figure_html(fig)
    assert tag.startswith('<img src="data:image/png;base64,iVBOR')
    assert tag.endswith('alt="A &quot;quoted&quot; &lt;b&gt;description&lt;/b&gt;">')


def test_figure_html_scales_a_wide_figure_down_to_the_notebook_width():
    import base64
    import struct

    fig, ax = plt.subplots(figsize=(15, 6))
    ax.plot([0, 1])
    ax.set_title("Wide")
    tag = figure_style.figure_html(fig)
    png = base64.b64decode(tag.split("base64,")[1].split('"')[0])
    width, height = struct.unpack(">II", png[16:24])
    assert tuple(fig.get_size_inches()) == (10.0, 4.0)
    assert width <= 10.0 * fig.dpi, (width, height)


def test_enable_alt_text_outside_ipython_is_a_no_op():
    assert figure_style.enable_alt_text() is False


ALT_NOTEBOOK = [
    "from helpers import figure_style\nimport matplotlib.pyplot as plt\nfigure_style.use_course_style()",
    "fig, ax = plt.subplots()\nax.plot([1, 2, 3])\nax.set(title='Loss', xlabel='epoch', ylabel='loss')\nplt.show()",
    "fig, ax = figure_style.new_figure(title='Shown twice')\nfigure_style.set_alt(fig, 'A line going up')\ndisplay(fig)\nfig",
    "%matplotlib inline\nfig, ax = plt.subplots()\nax.set_title('After the backend is selected again')",
    "import ipywidgets\nout = ipywidgets.Output()\nwith out:\n    plt.plot([0, 1]); plt.title('In a widget'); plt.show()\nout",
]


def test_html_export_of_a_course_notebook_has_no_image_without_alt(tmp_path, monkeypatch):
    """The feedback nbgrader writes is nbconvert's HTML: every figure in it carries its alt text."""
    import logging

    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel uses matplotlib-inline, as in Jupyter
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in ALT_NOTEBOOK])
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for c in nb.cells for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    figures = [o for o in outputs if "text/html" in o.get("data", {}) and "<img" in o.data["text/html"]]
    assert len(figures) >= 4  # plt.show, display(fig), fig as the cell's value, after %matplotlib inline
    assert all(' alt="' in o.data["text/html"] for o in figures)
    assert not [o for o in outputs if "image/png" in o.get("data", {})], "one PNG per figure, inside <img>"
    exporter = HTMLExporter()
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    exporter.log.addHandler(handler)
    try:
        body, _ = exporter.from_notebook_node(nb)
    finally:
        exporter.log.removeHandler(handler)
    assert not [r for r in records if "Alternative text is missing" in r.getMessage()]
    assert "No description has been provided" not in body
    assert 'alt="A line going up"' in body
    for alt in ("Loss: loss against epoch (x ", "After the backend is selected again (x 0 to 1, y 0 to 1)"):
        assert f'alt="{alt}' in body


@pytest.mark.parametrize("name", NAMES)
def test_every_figure_of_the_course_has_a_title_and_alt_text(name):
    """The instructor notebooks as built: each image carries alt text with a number, each figure a title,
    and no figure is so wide that JupyterLab scales it (and its text) down."""
    import base64
    import json
    import re
    import struct

    path = source_path(name)
    if not path.exists():
        pytest.skip(f"{name} is not built yet")
    problems = []
    for index, cell in enumerate(json.loads(path.read_text())["cells"]):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/png" in data:
                problems.append(
                    f"cell {index}: a PNG without alt text (figure_style.use_course_style() not called?)"
                )
            page = "".join(data.get("text/html", ""))
            for tag in re.findall(r"<img [^>]*>", page):
                alt = re.search(r'alt="([^"]*)"', tag)
                if alt is None:
                    problems.append(f"cell {index}: an image without alt text")
                elif alt.group(1).startswith("Figure with"):
                    problems.append(f"cell {index}: a figure without a title (alt: {alt.group(1)!r})")
                elif not re.search(r"[0-9]", alt.group(1)):
                    problems.append(f"cell {index}: alt text without a number: {alt.group(1)[:80]!r}")
                png = re.search(r"base64,([A-Za-z0-9+/=]+)", tag)
                if png:
                    width = struct.unpack(">I", base64.b64decode(png.group(1)[:64])[16:20])[0]
                    # bbox_inches="tight" may add a legend placed below the axes: 10 % slack
                    if width > 1.1 * figure_style.MAX_WIDTH_IN * 100:
                        problems.append(
                            f"cell {index}: a figure {width} px wide (the notebook scales it down)"
                        )
    assert not problems, f"{name}: {problems}"


@pytest.mark.parametrize("name", NAMES)
def test_the_setup_cell_of_every_course_notebook_shows_nothing(name):
    """Applying the style prints no dict of rcParams (03 and 04 once showed 20 lines of it)."""
    import json

    path = source_path(name)
    if not path.exists():
        pytest.skip(f"{name} is not built yet")
    cells = json.loads(path.read_text())["cells"]
    setup = [c for c in cells if "figure_style.use_course_style()" in "".join(c["source"])]
    assert len(setup) == 1, f"{name}: expected one setup cell applying the course style"
    assert setup[0]["outputs"] == [], f"{name}: the setup cell shows {setup[0]['outputs']}"


def test_every_figures_module_may_draw_inside_check_own_work():
    """A student's function may draw with any figures module; only the library's answers are refused."""
    from pathlib import Path

    import helpers
    from helpers import activations, testing

    found = {f"helpers.{p.stem}" for p in Path(helpers.__file__).parent.glob("*_figures.py")}
    assert len(found) >= 9
    assert found | {"helpers.figure_style", "helpers.widgets"} <= set(testing.DISPLAY_MODULES)

    def draws(x):
        figure_style.new_figure(title="my own figure")
        return x * 2

    def delegates(x):
        return activations.relu(x)

    assert testing.check_own_work(draws, 3.0) == 6.0
    with pytest.raises(AssertionError, match="course library"):
        testing.check_own_work(delegates, 3.0)
