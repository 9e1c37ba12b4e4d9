"""The 07_backprop and 08_cifar10 sections of helpers.plotting and helpers.widgets."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import plotting, widgets
from helpers.graph import Value, backward_steps

CLASSES = ("airplane", "automobile", "bird", "cat")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _lecture_graph():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return f


# --- 07_backprop ---------------------------------------------------------------------------------
def test_describe_backward_step_tells_the_lecture_story():
    f = _lecture_graph()
    steps = backward_steps(f)
    assert len(steps) == 3
    assert plotting.describe_backward_step(steps, 0) == "step 0/2: seed df/df = 1 at the output"
    assert "q.grad = -4" in plotting.describe_backward_step(steps, 1)
    assert "z.grad = 3" in plotting.describe_backward_step(steps, 1)
    last = plotting.describe_backward_step(steps, 2)
    assert last.startswith("step 2/2: q (+) had grad -4")
    assert "x.grad = -4" in last and "y.grad = -4" in last
    with pytest.raises(ValueError, match="expected a step"):
        plotting.describe_backward_step(steps, 3)


def test_describe_backward_step_names_unlabelled_nodes():
    a = Value(3.0, label="a")
    b = a * a + 1.0  # an unlabelled product and a constant
    steps = backward_steps(b)
    texts = [plotting.describe_backward_step(steps, k) for k in range(len(steps))]
    assert any("(*)" in t for t in texts)
    assert any("const.grad" in t for t in texts)


def test_plot_backward_step_shows_the_grads_of_that_step():
    f = _lecture_graph()
    steps = backward_steps(f)
    fig, ax = plt.subplots()
    out = plotting.plot_backward_step(f, steps, 1, ax=ax)
    assert out is ax
    assert ax.get_title().startswith("step 1/2")
    texts = [t.get_text() for t in ax.texts]
    x_box = next(t for t in texts if t.startswith("x\n"))
    q_box = next(t for t in texts if t.startswith("q\n"))
    assert "grad 0" in x_box  # x has not been reached yet in step 1
    assert "grad -4" in q_box
    # the graph itself is left as backward() leaves it
    assert f.grad == 1.0


def test_backward_explorer_steps_and_switches_graphs():
    box = widgets.backward_explorer()
    graph, step = box.controls["graph"], box.controls["step"]
    assert step.max == 2  # seed + two operations in the lecture's graph
    assert box.figure._suptitle.get_text().startswith("Backpropagation")
    step.value = 2
    assert box.axes.get_title().startswith("step 2/2")
    graph.value = graph.options[2]  # b = a*a + a
    assert step.value == 0
    assert step.max == len(backward_steps(_reuse())) - 1
    assert "seed db/db" in box.axes.get_title()


def _reuse():
    a = Value(3.0, label="a")
    b = a * a + a
    b.label = "b"
    return b


# --- 08_cifar10 ----------------------------------------------------------------------------------
def _predictions(rng, n=12):
    images = rng.integers(0, 256, size=(n, 32, 32, 3), dtype=np.uint8)
    logits = rng.normal(size=(n, len(CLASSES))) * 3
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    y = rng.integers(0, len(CLASSES), size=n)
    return images, probs, y


def test_confident_mistakes_are_sorted_wrong_predictions(rng):
    images, probs, y = _predictions(rng)
    pred = probs.argmax(axis=1)
    wrong = np.flatnonzero(pred != y)
    assert len(wrong) >= 3
    fig = plotting.plot_confident_mistakes(images, probs, y, CLASSES, n=3, ncols=3)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titles) == 3
    best = wrong[np.argsort(-probs[wrong, pred[wrong]])][:3]
    for title, i in zip(titles, best, strict=True):
        assert title.startswith(CLASSES[pred[i]]) and f"true: {CLASSES[y[i]]}" in title
    assert fig.get_suptitle()


def test_confident_mistakes_with_no_mistakes_and_bad_shapes(rng):
    images, probs, _ = _predictions(rng)
    fig = plotting.plot_confident_mistakes(images, probs, probs.argmax(axis=1), CLASSES)
    assert not [ax for ax in fig.axes if ax.get_title()]
    with pytest.raises(ValueError, match="expected images"):
        plotting.plot_confident_mistakes(images, probs[:3], probs.argmax(axis=1), CLASSES)


def test_plot_prediction_highlights_the_true_class(rng):
    images, probs, y = _predictions(rng, n=1)
    ax_img, ax_bar = plotting.plot_prediction(images[0], probs[0], int(y[0]), CLASSES)
    assert f"true: {CLASSES[y[0]]}" in ax_img.get_title()
    assert ax_bar.get_xlabel() == "predicted probability"
    bars = ax_bar.patches
    assert len(bars) == len(CLASSES)
    colours = {tuple(b.get_facecolor()) for b in bars}
    assert len(colours) == 2
    assert np.allclose([b.get_width() for b in bars], probs[0])
    with pytest.raises(ValueError, match="expected probs"):
        plotting.plot_prediction(images[0], probs[0][:2], 0, CLASSES)


def test_prediction_explorer_filters_mistakes(rng):
    images, probs, y = _predictions(rng)
    wrong = np.flatnonzero(probs.argmax(axis=1) != y)
    box = widgets.prediction_explorer(images, probs, y, CLASSES)
    index, mistakes = box.controls["index"], box.controls["mistakes_only"]
    assert index.max == len(y) - 1
    mistakes.value = True
    assert index.max == len(wrong) - 1
    assert "wrong" in box.axes[0].get_title()
