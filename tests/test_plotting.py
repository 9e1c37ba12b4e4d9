"""Tests for the common section of helpers.plotting (Agg backend, real values).

Notebook authors append tests for their own sections below the common part (or in test_plotting_NN.py).
"""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from helpers import data, plotting
from tests.nbtools import NAMES, source_path


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- common ---------------------------------------------------------------------------------------


def test_backend_is_agg():
    assert mpl.get_backend().lower() == "agg"


def test_palette_is_okabe_ito_and_style_uses_it():
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}
    assert set(plotting.PALETTE) == okabe_ito and len(plotting.PALETTE) == 8
    with mpl.rc_context():
        applied = plotting.use_course_style()
        assert mpl.rcParams["axes.grid"] is True
        cycle = [to_hex(c["color"]).upper() for c in mpl.rcParams["axes.prop_cycle"]]
        assert cycle == [c.upper() for c in plotting.PALETTE]
        assert applied["font.size"] == mpl.rcParams["font.size"]
        assert mpl.get_backend().lower() == "agg"  # the style never switches backends
        fig, ax = plotting.new_figure(title="x")
        (line,) = ax.plot([0, 1], [0, 1])
        assert to_hex(line.get_color()).upper() == plotting.PALETTE[0].upper()


def test_new_figure_titles_and_shapes():
    fig, ax = plotting.new_figure(title="One")
    assert isinstance(ax, Axes) and fig._suptitle.get_text() == "One"
    fig, axes = plotting.new_figure(2, 3, title="Grid")
    assert axes.shape == (2, 3)


def test_image_grid_one_row_per_class():
    X, y, _, _ = data.load_cifar10_sample()
    images, labels = data.class_examples(X, y, 4, rng=np.random.default_rng(0))
    fig = plotting.image_grid(images, [data.CLASSES[c] for c in labels], title="Examples")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert ax.get_title() == "Examples"
    assert [t.get_text() for t in ax.get_yticklabels()] == list(data.CLASSES)
    assert ax.get_ylabel() == "class" and ax.get_xlabel()
    shown = ax.images[0].get_array()
    assert shown.shape[2] == 3
    # the top-left tile is the first image, scaled to [0, 1]
    np.testing.assert_allclose(shown[:32, :32], images[0] / 255.0)
    assert shown.shape[0] > 10 * 32 and shown.shape[1] >= 4 * 32


def test_image_grid_on_given_axes_with_int_labels_and_flat_images():
    X, y, _, _ = data.load_cifar10_sample()
    fig, ax = plotting.new_figure()
    out = plotting.image_grid(ax, X[:6].reshape(6, -1), y[:6], class_names=data.CLASSES, ncols=3)
    assert out is ax
    texts = [t.get_text() for t in ax.texts]
    assert texts == [data.CLASSES[c] for c in y[:6]]
    assert ax.get_title() == "6 images"
    fig2 = plt.figure()
    assert plotting.image_grid(fig2, X[:4]) is fig2 and len(fig2.axes) == 1
    # a short strip gets bigger tiles than a wide grid
    few = plotting.image_grid(X[:4], ncols=4).get_size_inches()
    many = plotting.image_grid(X[:40], ncols=10).get_size_inches()
    assert few[0] / 4 > many[0] / 10 and few[1] > 1.8
    with pytest.raises(ValueError, match="labels"):
        plotting.image_grid(X[:3], [0, 1])


def test_image_grid_rescales_standardised_images(rng):
    Z = rng.standard_normal((4, 32, 32, 3)) * 3
    fig = plotting.image_grid(Z)
    shown = fig.axes[0].images[0].get_array()
    assert shown.min() >= 0 and shown.max() <= 1


class HistoryObject:
    def __init__(self):
        self.loss = list(np.linspace(2.3, 1.0, 120))
        self.train_acc = [0.3, 0.4, 0.5]
        self.val_acc = [0.28, 0.35, 0.41]


@pytest.mark.parametrize("as_dict", [True, False])
def test_plot_history_duck_typed(as_dict):
    h = HistoryObject()
    history = vars(h) if as_dict else h
    fig = plotting.plot_history(history, title="Run 1")
    ax_loss, ax_acc = fig.axes
    assert fig._suptitle.get_text() == "Run 1"
    assert ax_loss.get_xlabel() == "iteration" and ax_loss.get_ylabel() == "loss"
    assert ax_acc.get_xlabel() == "epoch" and "accuracy" in ax_acc.get_ylabel()
    np.testing.assert_allclose(ax_loss.lines[0].get_ydata(), h.loss)
    assert len(ax_loss.lines) == 2  # raw and smoothed (more than 50 iterations)
    labels = [line.get_label() for line in ax_acc.lines]
    assert labels == ["train", "validation"]
    np.testing.assert_allclose(ax_acc.lines[1].get_ydata(), h.val_acc)
    np.testing.assert_array_equal(ax_acc.lines[0].get_xdata(), [1, 2, 3])


def test_plot_history_partial_and_given_axes():
    fig, axes = plotting.new_figure(1, 2)
    out = plotting.plot_history({"loss": [1.0, 0.5]}, axes)
    assert out is fig
    assert len(axes[0].lines) == 1 and len(axes[1].lines) == 0
    fig = plotting.plot_history({"train_acc": [0.1]})
    assert fig.axes[0].texts[0].get_text() == "no loss recorded"


def test_plot_confusion_matrix_from_labels():
    y_true = np.array([0, 0, 1, 1, 1, 2])
    y_pred = np.array([0, 1, 1, 1, 2, 2])
    fig, ax = plotting.new_figure()
    out = plotting.plot_confusion_matrix(ax, y_true, y_pred, ["cat", "car", "frog"])
    assert out is ax
    expected = np.array([[1, 1, 0], [0, 2, 1], [0, 0, 1]])
    np.testing.assert_array_equal(ax.images[0].get_array(), expected)
    cells = [t.get_text() for t in ax.texts]
    assert cells == [str(v) for v in expected.ravel()]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cat", "car", "frog"]
    assert ax.get_title() == "Confusion matrix: 4 of 6 correct"


def test_plot_confusion_matrix_from_counts_normalized():
    cm = np.array([[8, 2], [1, 9]])
    fig = plotting.plot_confusion_matrix(cm, ["a", "b"], normalize=True, title="Test set")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.images[0].get_array(), [[0.8, 0.2], [0.1, 0.9]])
    assert [t.get_text() for t in ax.texts] == ["0.80", "0.20", "0.10", "0.90"]
    assert ax.get_title() == "Test set"
    assert fig.axes[1].get_ylabel() == "fraction of the true class"  # colour bar
    with pytest.raises(ValueError, match="class names"):
        plotting.plot_confusion_matrix(cm, ["a", "b", "c"])


def test_show_templates(rng):
    W = rng.standard_normal((3072, 10))
    fig = plotting.show_templates(W, data.CLASSES)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == list(data.CLASSES)
    assert ax.get_title() and ax.get_xlabel()
    shown = ax.images[0].get_array()
    first = W[:, 0].reshape(32, 32, 3)
    first = (first - first.min()) / (first.max() - first.min())
    # the first tile sits below a strip of label space, in the first 32 columns
    tops = [t for t in range(shown.shape[0] - 31) if np.allclose(shown[t : t + 32, :32], first, atol=1e-12)]
    assert len(tops) == 1 and 0 < tops[0] < 32
    # a bias row is dropped, an axes target is honoured
    fig2, ax2 = plotting.new_figure()
    assert plotting.show_templates(np.vstack([W, np.ones((1, 10))]), target=ax2) is ax2
    with pytest.raises(ValueError, match="shape"):
        plotting.show_templates(np.zeros((100, 10)))


# --- alt text (issue 6: figures shown with alt text) ---------------------------------------------


def test_alt_text_from_titles_and_labels():
    fig, axes = plotting.new_figure(1, 2, title="The activations")
    axes[0].set(title=r"$\sigma(x)$", xlabel="input x", ylabel="h(x)")
    axes[1].set(title="Derivatives", xlabel="input x")
    fig.colorbar(axes[1].imshow([[0, 1]]), ax=axes[1], label="value")  # colour bars are not panels
    assert plotting.figure_alt_text(fig) == (
        "The activations. sigma(x): h(x) against input x. Derivatives: input x"
    )


def test_alt_text_explicit_and_fallback():
    fig, _ = plotting.new_figure()
    assert plotting.figure_alt_text(fig) == "Figure with 1 panel (no title)"
    assert plotting.set_alt(fig, 'A "quoted" <b>description</b>') is fig
    assert plotting.figure_alt_text(fig) == 'A "quoted" <b>description</b>'
    tag = plotting.figure_html(fig)
    assert tag.startswith('<img src="data:image/png;base64,iVBOR')
    assert tag.endswith('alt="A &quot;quoted&quot; &lt;b&gt;description&lt;/b&gt;">')


def test_enable_alt_text_outside_ipython_is_a_no_op():
    assert plotting.enable_alt_text() is False


ALT_NOTEBOOK = [
    "from helpers import plotting\nimport matplotlib.pyplot as plt\nplotting.use_course_style()",
    "fig, ax = plt.subplots()\nax.plot([1, 2, 3])\nax.set(title='Loss', xlabel='epoch', ylabel='loss')\nplt.show()",
    "fig, ax = plotting.new_figure(title='Shown twice')\nplotting.set_alt(fig, 'A line going up')\ndisplay(fig)\nfig",
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
    for alt in ("Loss: loss against epoch", "A line going up", "After the backend is selected again"):
        assert f'alt="{alt}"' in body


@pytest.mark.parametrize("name", NAMES)
def test_every_figure_of_the_course_has_a_title_and_alt_text(name):
    """The instructor notebooks as built: each image carries alt text, each figure a title."""
    import json
    import re

    path = source_path(name)
    if not path.exists():
        pytest.skip(f"{name} is not built yet")
    problems = []
    for index, cell in enumerate(json.loads(path.read_text())["cells"]):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/png" in data:
                problems.append(
                    f"cell {index}: a PNG without alt text (plotting.use_course_style() not called?)"
                )
            page = "".join(data.get("text/html", ""))
            for tag in re.findall(r"<img [^>]*>", page):
                alt = re.search(r'alt="([^"]*)"', tag)
                if alt is None:
                    problems.append(f"cell {index}: an image without alt text")
                elif alt.group(1).startswith("Figure with"):
                    problems.append(f"cell {index}: a figure without a title (alt: {alt.group(1)!r})")
    assert not problems, f"{name}: {problems}"


# Notebook sections below: one per notebook, "# --- NN_name ---".
