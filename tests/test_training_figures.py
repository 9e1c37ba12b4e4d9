"""helpers.training_figures (08_cifar10): training curves, confusion matrix, mistakes, predictions."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import figure_style, training_figures
from tests.figure_checks import explorer_problems, made_no_widget


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


class HistoryObject:
    def __init__(self):
        self.loss = list(np.linspace(2.3, 1.0, 120))
        self.train_acc = [0.3, 0.4, 0.5]
        self.val_acc = [0.28, 0.35, 0.41]


CLASSES = ("airplane", "automobile", "bird", "cat")


def _predictions(rng, n=12):
    images = rng.integers(0, 256, size=(n, 32, 32, 3), dtype=np.uint8)
    logits = rng.normal(size=(n, len(CLASSES))) * 3
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    y = rng.integers(0, len(CLASSES), size=n)
    return images, probs, y


@pytest.mark.parametrize("as_dict", [True, False])
def test_plot_history_duck_typed(as_dict):
    h = HistoryObject()
    history = vars(h) if as_dict else h
    fig = training_figures.plot_history(history, title="Run 1")
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
    fig, axes = figure_style.new_figure(1, 2)
    out = training_figures.plot_history({"loss": [1.0, 0.5]}, axes)
    assert out is fig
    assert len(axes[0].lines) == 1 and len(axes[1].lines) == 0
    fig = training_figures.plot_history({"train_acc": [0.1]})
    assert fig.axes[0].texts[0].get_text() == "no loss recorded"


def test_plot_loss_curves_one_line_per_run_and_diverged_runs_cut():
    runs = {
        "lr = 1e-05": {"loss": [2.3, 2.29, 2.29]},
        "lr = 0.01": HistoryObject(),
        "lr = 1": [2.3, 40.0, np.inf, np.nan],
    }
    fig = training_figures.plot_loss_curves(runs, title="Three learning rates", log_y=True)
    (ax,) = fig.axes
    assert ax.get_title() == "Three learning rates" and ax.get_yscale() == "log"
    assert ax.get_xlabel() == "iteration" and "log scale" in ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["lr = 1e-05", "lr = 0.01", "lr = 1 (not finite from iteration 3)"]
    lines = ax.get_lines()
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(lines[1].get_ydata(), HistoryObject().loss)
    np.testing.assert_allclose(lines[2].get_ydata(), [2.3, 40.0])  # cut before the first inf
    assert lines[0].get_color() != lines[1].get_color()
    _, ax2 = figure_style.new_figure()
    assert training_figures.plot_loss_curves({"a": [1.0, 0.5]}, ax2) is ax2.figure
    assert ax2.get_yscale() == "linear"
    with pytest.raises(ValueError, match="empty"):
        training_figures.plot_loss_curves({})


def test_plot_confusion_matrix_from_labels():
    y_true = np.array([0, 0, 1, 1, 1, 2])
    y_pred = np.array([0, 1, 1, 1, 2, 2])
    fig, ax = figure_style.new_figure()
    out = training_figures.plot_confusion_matrix(ax, y_true, y_pred, ["cat", "car", "frog"])
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
    fig = training_figures.plot_confusion_matrix(cm, ["a", "b"], normalize=True, title="Test set")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.images[0].get_array(), [[0.8, 0.2], [0.1, 0.9]])
    assert [t.get_text() for t in ax.texts] == ["0.80", "0.20", "0.10", "0.90"]
    assert ax.get_title() == "Test set"
    assert fig.axes[1].get_ylabel() == "fraction of the true class"  # colour bar
    with pytest.raises(ValueError, match="class names"):
        training_figures.plot_confusion_matrix(cm, ["a", "b", "c"])


def test_confident_mistakes_are_sorted_wrong_predictions(rng):
    images, probs, y = _predictions(rng)
    pred = probs.argmax(axis=1)
    wrong = np.flatnonzero(pred != y)
    assert len(wrong) >= 3
    fig = training_figures.plot_confident_mistakes(images, probs, y, CLASSES, n=3, ncols=3)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titles) == 3
    best = wrong[np.argsort(-probs[wrong, pred[wrong]])][:3]
    for title, i in zip(titles, best, strict=True):
        assert title.startswith(CLASSES[pred[i]]) and f"true: {CLASSES[y[i]]}" in title
    assert fig.get_suptitle()


def test_confident_mistakes_with_no_mistakes_and_bad_shapes(rng):
    images, probs, _ = _predictions(rng)
    fig = training_figures.plot_confident_mistakes(images, probs, probs.argmax(axis=1), CLASSES)
    assert not [ax for ax in fig.axes if ax.get_title()]
    with pytest.raises(ValueError, match="expected images"):
        training_figures.plot_confident_mistakes(images, probs[:3], probs.argmax(axis=1), CLASSES)


def test_plot_prediction_highlights_the_true_class(rng):
    images, probs, y = _predictions(rng, n=1)
    ax_img, ax_bar = training_figures.plot_prediction(images[0], probs[0], int(y[0]), CLASSES)
    assert f"true: {CLASSES[y[0]]}" in ax_img.get_title()
    assert ax_bar.get_xlabel() == "predicted probability"
    bars = ax_bar.patches
    assert len(bars) == len(CLASSES)
    colours = {tuple(b.get_facecolor()) for b in bars}
    assert len(colours) == 2
    assert np.allclose([b.get_width() for b in bars], probs[0])
    with pytest.raises(ValueError, match="expected probs"):
        training_figures.plot_prediction(images[0], probs[0][:2], 0, CLASSES)


def test_prediction_explorer_filters_mistakes(rng):
    images, probs, y = _predictions(rng)
    wrong = np.flatnonzero(probs.argmax(axis=1) != y)
    box = training_figures.prediction_explorer(images, probs, y, CLASSES)
    index, mistakes = box.controls["index"], box.controls["mistakes_only"]
    assert index.max == len(y) - 1
    mistakes.value = True
    assert index.max == len(wrong) - 1
    assert "wrong" in box.axes[0].get_title()


def test_explorer_is_labelled_keyboard_usable_and_has_a_still_twin(rng):
    """Issue 23: labelled keyboard controls, a sentence with numbers, the same as a still without widgets."""
    images, probs, y = _predictions(rng)
    box = training_figures.prediction_explorer(images, probs, y, CLASSES)
    still, no_widget = made_no_widget(
        lambda: training_figures.prediction_explorer(images, probs, y, CLASSES, static=True)
    )
    assert no_widget, "the still twin must not create widgets (it is shown while grading)"
    assert explorer_problems(box, still) == []


def test_accuracy_standard_error_is_the_binomial_one():
    assert training_figures.accuracy_standard_error(0.5, 1000) == pytest.approx(np.sqrt(0.25 / 1000))
    np.testing.assert_allclose(
        training_figures.accuracy_standard_error(np.array([0.0, 0.1]), 100), [0.0, 0.03]
    )
    with pytest.raises(ValueError, match="fraction"):
        training_figures.accuracy_standard_error(42.0, 1000)
    with pytest.raises(ValueError, match="positive"):
        training_figures.accuracy_standard_error(0.5, 0)


def test_plot_search_error_bars_of_one_standard_error():
    results = [(1e-2, 1e-3, 0.42), (3e-3, 1e-4, 0.40), (2e-2, 1e-2, 0.30)]
    fig = training_figures.plot_search(results, 1000)
    ax_lr, ax_reg = fig.axes[:2]
    assert ax_lr.get_xscale() == "log" and ax_reg.get_xscale() == "log"
    assert "learning rate" in ax_lr.get_xlabel() and "regularization" in ax_reg.get_xlabel()
    assert "1000" in ax_lr.get_ylabel()
    bars = ax_lr.containers[0]  # the ErrorbarContainer: (points, caps, bar lines)
    segments = bars.lines[2][0].get_segments()
    np.testing.assert_allclose(
        [s[1, 1] - s[0, 1] for s in segments],
        2 * np.sqrt([0.42 * 0.58, 0.4 * 0.6, 0.3 * 0.7]) / np.sqrt(1000),
    )
    band = ax_lr.patches[0].get_extents()
    assert band.height > 0
    with pytest.raises(ValueError, match="tuples"):
        training_figures.plot_search([], 1000)


def test_plot_accuracy_runs_one_colour_per_run_train_dashed():
    runs = {"a": {"train_acc": [0.5, 0.7], "val_acc": [0.4, 0.5]}, "b": HistoryObject()}
    fig = training_figures.plot_accuracy_runs(runs, title="Runs")
    (ax,) = fig.axes
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["a: train", "a: validation"]
    lines = ax.get_lines()
    assert lines[0].get_color() == lines[1].get_color() != lines[2].get_color()
    assert lines[0].get_linestyle() == "--" and lines[1].get_linestyle() == "-"
    np.testing.assert_allclose(lines[0].get_ydata(), [0.5, 0.7])
    with pytest.raises(ValueError, match="empty"):
        training_figures.plot_accuracy_runs({})
