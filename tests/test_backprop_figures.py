"""helpers.backprop_figures (07_backprop), under Agg."""

import matplotlib.pyplot as plt
import pytest

from helpers import backprop_figures
from helpers.graph import Value, backward_steps
from tests.figure_checks import explorer_problems, made_no_widget


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


def _reuse():
    a = Value(3.0, label="a")
    b = a * a + a
    b.label = "b"
    return b


def test_describe_backward_step_tells_the_lecture_story():
    f = _lecture_graph()
    steps = backward_steps(f)
    assert len(steps) == 3
    assert backprop_figures.describe_backward_step(steps, 0) == "step 0/2: seed df/df = 1 at the output"
    assert "q.grad = -4" in backprop_figures.describe_backward_step(steps, 1)
    assert "z.grad = 3" in backprop_figures.describe_backward_step(steps, 1)
    last = backprop_figures.describe_backward_step(steps, 2)
    assert last.startswith("step 2/2: q (+) had grad -4")
    assert "x.grad = -4" in last and "y.grad = -4" in last
    with pytest.raises(ValueError, match="expected a step"):
        backprop_figures.describe_backward_step(steps, 3)


def test_describe_backward_step_names_unlabelled_nodes():
    a = Value(3.0, label="a")
    b = a * a + 1.0  # an unlabelled product and a constant
    steps = backward_steps(b)
    texts = [backprop_figures.describe_backward_step(steps, k) for k in range(len(steps))]
    assert any("(*)" in t for t in texts)
    assert any("const.grad" in t for t in texts)


def test_plot_backward_step_shows_the_grads_of_that_step():
    f = _lecture_graph()
    steps = backward_steps(f)
    fig, ax = plt.subplots()
    out = backprop_figures.plot_backward_step(f, steps, 1, ax=ax)
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
    box = backprop_figures.backward_explorer()
    graph, step = box.controls["graph"], box.controls["step"]
    assert step.max == 2  # seed + two operations in the lecture's graph
    assert box.figure._suptitle.get_text().startswith("Backpropagation")
    step.value = 2
    assert box.axes.get_title().startswith("step 2/2")
    graph.value = graph.options[2]  # b = a*a + a
    assert step.value == 0
    assert step.max == len(backward_steps(_reuse())) - 1
    assert "seed db/db" in box.axes.get_title()


def test_explorer_is_labelled_keyboard_usable_and_has_a_still_twin():
    """Issue 23: labelled keyboard controls, a sentence with numbers, the same as a still without widgets."""
    box = backprop_figures.backward_explorer()
    box.controls["step"].value = box.controls["step"].max  # the still shows the last step
    still, no_widget = made_no_widget(lambda: backprop_figures.backward_explorer(static=True))
    assert no_widget, "the still twin must not create widgets (it is shown while grading)"
    assert explorer_problems(box, still) == []
