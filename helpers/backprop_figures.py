"""Figures for 07_backprop: the backward pass through a small computation graph, one node at a time.

Each step is drawn with ``helpers.graph.draw_graph`` and captioned; the explorer steps through it.
"""

import ipywidgets

from helpers.graph import Value, backward_steps, draw_graph
from helpers.widgets import explorer, number_box, still


def _node_name(node):
    """A short name for a graph node: its label, else its operation, else 'const'."""
    if node.label:
        return node.label
    return f"({node._op})" if node._op else "const"


def describe_backward_step(steps, k):
    """One-line caption for step ``k`` of ``helpers.graph.backward_steps(root)``.

    Parameters
    ----------
    steps : list of helpers.graph.BackwardStep
    k : int, 0 <= k < len(steps)

    Returns
    -------
    str, e.g. ``"step 1/2: q (+) had grad -4 and passed it on: x.grad = -4, y.grad = -4"``
    """
    if not 0 <= k < len(steps):
        raise ValueError(f"expected a step 0..{len(steps) - 1}, got {k}")
    node, grads = steps[k]
    last = len(steps) - 1
    if k == 0:
        name = _node_name(node)
        return f"step 0/{last}: seed d{name}/d{name} = 1 at the output"
    inputs = list(dict.fromkeys(node._prev))
    passed = ", ".join(f"{_node_name(c)}.grad = {grads[c]:.4g}" for c in inputs)
    return (
        f"step {k}/{last}: {_node_name(node)} ({node._op}) had grad {grads[node]:.4g} "
        f"and passed it on: {passed}"
    )


def plot_backward_step(root, steps, k, ax=None):
    """Draw the graph of ``root`` with the grads as they are right after backward step ``k``.

    The node that acted in step ``k`` and the inputs it just updated are outlined; the title
    says what happened (:func:`describe_backward_step`).

    Parameters
    ----------
    root : helpers.graph.Value
        The output node the steps were computed from.
    steps : list of helpers.graph.BackwardStep
        ``helpers.graph.backward_steps(root)``.
    k : int
        Which step to show, 0 (the seed) to ``len(steps) - 1``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    title = describe_backward_step(steps, k)
    node, grads = steps[k]
    marked = [node] if k == 0 else [node, *node._prev]
    ax = draw_graph(root, ax=ax, grads=grads, highlight=marked, title=title)
    ax.title.set_fontsize(10)
    return ax


def _backprop_example_graphs():
    """Small graphs for :func:`backward_explorer`: name -> function building the output ``Value``."""

    def lecture():
        x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
        q = x + y
        q.label = "q"
        f = q * z
        f.label = "f"
        return f

    def neuron():
        w1, x1 = Value(1.5, label="w1"), Value(1.0, label="x1")
        w2, x2 = Value(-2.0, label="w2"), Value(0.5, label="x2")
        a = w1 * x1 + w2 * x2 + Value(0.5, label="b")
        a.label = "a"
        o = a.sigmoid()
        o.label = "o"
        return o

    def reuse():
        a = Value(3.0, label="a")
        b = a * a + a
        b.label = "b"
        return b

    return {
        "f = (x + y) z (lecture)": lecture,
        "sigmoid neuron o = sigmoid(w1 x1 + w2 x2 + b)": neuron,
        "b = a*a + a (a used three times)": reuse,
    }


def backward_explorer(graphs=None, *, static=False):
    """Step through the backward pass of a small computation graph, one node at a time.

    Parameters
    ----------
    graphs : dict, optional
        name -> zero-argument function returning the output ``helpers.graph.Value``; by default the
        lecture's f = (x + y) z, a sigmoid neuron and a value used three times.

    Returns
    -------
    :class:`helpers.widgets.Explorer` with controls ``graph`` (dropdown) and ``step`` (number box, 0 = seed);
    with ``static=True`` its still twin: the first graph after its last step (:func:`helpers.widgets.still`,
    no widgets), the grads every input ends with.
    """
    graphs = graphs or _backprop_example_graphs()
    names = list(graphs)
    built = {}

    def steps_for(name):
        if name not in built:
            root = graphs[name]()
            built[name] = (root, backward_steps(root))
        return built[name]

    def draw(ax, graph, step):
        root, steps = steps_for(graph)
        k = min(step, len(steps) - 1)
        plot_backward_step(root, steps, k, ax=ax)
        final = steps[-1][1]
        leaves = [n for n in final if not n._prev]
        grads = ", ".join(f"{_node_name(n)}.grad = {final[n]:.4g}" for n in leaves)
        return f"Graph {graph}, {describe_backward_step(steps, k)}. After the last step: {grads}."

    title = "Backpropagation, one node at a time (each box: data, then grad)"
    if static:
        return still(
            draw, {"graph": names[0], "step": len(steps_for(names[0])[1]) - 1}, figsize=(10, 4.6), title=title
        )
    step = number_box("step", 0, 0, len(steps_for(names[0])[1]) - 1)
    choice = ipywidgets.Dropdown(
        options=names, value=names[0], description="graph", layout={"width": "420px"}
    )
    box = explorer(
        draw,
        {"graph": choice, "step": step},
        figsize=(10, 4.6),
        title=title,
    )

    def on_graph(change):
        step.max = len(steps_for(change["new"])[1]) - 1
        step.value = 0

    choice.observe(on_graph, names="value")
    return box
