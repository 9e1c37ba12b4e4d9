r"""Thin ipywidgets explorers over :mod:`helpers.plotting`.

The pattern every explorer uses is :func:`explorer`: a drawing function plus a dict of controls.
The figure is made once; when a control changes, its axes are cleared, the drawing function runs again
with the current values, and the picture is re-shown::

    def draw(ax, lam):
        plotting.plot_penalty_lines(ax, w, L, lam=lam)

    if widgets.widgets_enabled():
        display(widgets.explorer(draw, {"lam": ipywidgets.FloatSlider(value=0.5, min=0, max=2, step=0.05)}))

Controls may also be given the short ``interact`` way: ``(lo, hi, step)`` makes a slider (an
``IntSlider`` when all three are ints), a list makes a dropdown, a bool a checkbox.

Widget cells are skipped during grading: :func:`widgets_enabled` is False when ``NBGRADER_EXECUTION``
is set, so a notebook must run and grade without them.

The file has one common section (``# --- common ---``) and then one section per notebook,
``# --- NN_name ---``, appended by that notebook's author.
"""

import os

import ipywidgets
import numpy as np
from matplotlib.figure import Figure

# --- common ---------------------------------------------------------------------------------------


def widgets_enabled():
    """True in an interactive session; False while nbgrader executes notebooks (validate, autograde)."""
    return not os.environ.get("NBGRADER_EXECUTION")


class Explorer(ipywidgets.VBox):
    """Controls above one figure that is redrawn when a control changes (made by :func:`explorer`).

    Attributes: ``figure``, ``axes``, ``controls`` (name -> widget), ``output``, ``redraw()``.
    """


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
            return ipywidgets.IntSlider(
                value=(lo + hi) // 2, min=lo, max=hi, step=step, description=name, style=style
            )
        step = spec[2] if len(spec) == 3 else (hi - lo) / 100
        return ipywidgets.FloatSlider(
            value=(lo + hi) / 2,
            min=lo,
            max=hi,
            step=step,
            description=name,
            style=style,
            readout_format=".3g",
        )
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
        are cleared before every call. Whatever it sets (titles, labels) is redone each time.
    controls : dict
        name -> ipywidgets control (or a short spec, see the module docstring). The names are the
        keyword arguments of ``plot_fn``.
    title : str, optional
        Figure title (``suptitle``), kept across redraws.

    Returns
    -------
    :class:`Explorer`, an ``ipywidgets.VBox`` (controls above the figure) with attributes ``figure``,
    ``axes``, ``controls`` (the dict of widgets), ``output`` and ``redraw()``.
    """
    widgets_by_name = {name: _control(name, spec) for name, spec in controls.items()}
    fig = Figure(figsize=figsize, layout="constrained")  # no pyplot: never shown twice by the backend
    axes = fig.subplots(nrows, ncols, squeeze=True)
    output = ipywidgets.Output()

    def values():
        return {name: w.value for name, w in widgets_by_name.items()}

    def redraw(_change=None):
        for ax in np.atleast_1d(axes).ravel():
            ax.clear()
        plot_fn(axes, **values())
        if title:
            fig.suptitle(title)
        _show(fig, output)

    box = Explorer(
        [ipywidgets.HBox(list(widgets_by_name.values()), layout={"flex_flow": "row wrap"}), output]
    )
    box.figure, box.axes, box.controls, box.output, box.redraw = fig, axes, widgets_by_name, output, redraw
    for w in widgets_by_name.values():
        w.observe(redraw, names="value")
    redraw()
    return box


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


# Notebook sections below: one per notebook, "# --- NN_name ---".


# --- 07_backprop ---------------------------------------------------------------------------------
def _backprop_example_graphs():
    """Small graphs for :func:`backward_explorer`: name -> function building the output ``Value``."""
    from helpers.graph import Value

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


def backward_explorer(graphs=None):
    """Step through the backward pass of a small computation graph, one node at a time.

    Parameters
    ----------
    graphs : dict, optional
        name -> zero-argument function returning the output ``helpers.graph.Value``; by default the
        lecture's f = (x + y) z, a sigmoid neuron and a value used three times.

    Returns
    -------
    :class:`Explorer` with controls ``graph`` (dropdown) and ``step`` (slider, 0 = seed).
    """
    from helpers import plotting
    from helpers.graph import backward_steps

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
        plotting.plot_backward_step(root, steps, min(step, len(steps) - 1), ax=ax)

    step = ipywidgets.IntSlider(
        value=0, min=0, max=len(steps_for(names[0])[1]) - 1, description="step", continuous_update=False
    )
    choice = ipywidgets.Dropdown(
        options=names, value=names[0], description="graph", layout={"width": "420px"}
    )
    box = explorer(
        draw,
        {"graph": choice, "step": step},
        figsize=(10, 4.6),
        title="Backpropagation, one node at a time (each box: data, then grad)",
    )

    def on_graph(change):
        step.max = len(steps_for(change["new"])[1]) - 1
        step.value = 0

    choice.observe(on_graph, names="value")
    return box


# --- 08_cifar10 ----------------------------------------------------------------------------------
def prediction_explorer(images, probs, y_true, classes):
    """Browse images with a classifier's predicted probabilities; optionally only its mistakes.

    Parameters
    ----------
    images : ndarray of uint8, shape (N, 32, 32, 3)
    probs : ndarray, shape (N, C), predicted probabilities
    y_true : ndarray of int, shape (N,)
    classes : sequence of str, length C

    Returns
    -------
    :class:`Explorer` with controls ``mistakes_only`` (checkbox) and ``index`` (slider).
    """
    from helpers import plotting

    probs = np.asarray(probs)
    y_true = np.asarray(y_true)
    everything = np.arange(len(y_true))
    wrong = np.flatnonzero(probs.argmax(axis=1) != y_true)

    def pool(mistakes_only):
        return wrong if mistakes_only and len(wrong) else everything

    def draw(axes, mistakes_only, index):
        chosen = pool(mistakes_only)
        i = int(chosen[min(index, len(chosen) - 1)])
        plotting.plot_prediction(images[i], probs[i], int(y_true[i]), classes, axes=axes)

    index = ipywidgets.IntSlider(
        value=0, min=0, max=len(everything) - 1, description="image", continuous_update=False
    )
    mistakes = ipywidgets.Checkbox(value=False, description="mistakes only")
    box = explorer(draw, {"mistakes_only": mistakes, "index": index}, ncols=2, figsize=(9, 3.6))

    def on_filter(change):
        index.max = len(pool(change["new"])) - 1
        index.value = 0

    mistakes.observe(on_filter, names="value")
    return box


# --- 05_regularization -----------------------------------------------------------------------------
def regularization_explorer(nets, X_train, y_train, X_val, y_val):
    """Slide through networks trained with different L2 strengths and see their decision boundaries.

    The networks are trained beforehand (the notebook does it once), so moving the slider only redraws.

    Parameters
    ----------
    nets : dict of float -> classifier
        lambda -> a trained model with ``predict(X) -> labels`` (e.g. ``helpers.models.TwoLayerNet``).
    X_train : ndarray, shape (N, 2)
    y_train : ndarray of int, shape (N,)
    X_val : ndarray, shape (M, 2)
    y_val : ndarray of int, shape (M,)

    Returns
    -------
    Explorer (an ``ipywidgets.VBox``), see :func:`explorer`.
    """
    import ipywidgets

    from helpers import plotting

    if not nets:
        raise ValueError("expected at least one trained network")
    lams = sorted(nets)

    def draw(ax, lam):
        net = nets[lam]
        plotting.plot_decision_boundary(ax, net.predict, X_train, y_train, X_extra=X_val, y_extra=y_val)
        train = float(np.mean(net.predict(X_train) == y_train))
        val = float(np.mean(net.predict(X_val) == y_val))
        ax.set_title(f"lambda = {lam:g}: training accuracy {train:.2f}, validation accuracy {val:.2f}")

    slider = ipywidgets.SelectionSlider(
        options=[(f"{lam:g}", lam) for lam in lams],
        value=lams[0],
        description="lambda",
        continuous_update=True,
    )
    return explorer(
        draw,
        {"lam": slider},
        figsize=(7.5, 5.8),
        title="L2 strength and the boundary (filled: training, hollow: validation)",
    )


# --- 06_gradients ----------------------------------------------------------------------------------
def learning_rate_explorer(f, grad_fn, w0, *, descend, max_steps=100, extent=2.2):
    """Gradient descent on a 2-D loss with a learning-rate slider (log scale); the path is drawn.

    Parameters
    ----------
    f : callable
        ``f(w) -> float`` for w of shape (2,), the loss whose contours are drawn.
    grad_fn : callable
        ``grad_fn(w) -> ndarray`` of shape (2,).
    w0 : array_like, shape (2,)
        Starting point.
    descend : callable
        ``descend(grad_fn, w0, lr, steps) -> path`` of shape (steps + 1, 2): your
        ``gradient_descent_path`` of notebook 06 (the library's is released after 06 is due).
    max_steps : int
        Largest number of steps on the steps slider.
    extent : float
        The contour panel shows ``[-extent, extent]`` on both axes.

    Returns
    -------
    Explorer (an ``ipywidgets.VBox``), see :func:`explorer`.
    """
    import ipywidgets

    from helpers import plotting

    w0 = np.asarray(w0, dtype=np.float64)
    if w0.shape != (2,):
        raise ValueError(f"expected a 2-D starting point w0 of shape (2,), got {w0.shape}")

    def draw(axes, lr, steps):
        path = descend(grad_fn, w0, lr, steps)
        losses = plotting.plot_descent_path(
            axes[0], axes[1], f, path, title=f"lr = {lr:.3g}, {steps} steps", extent=extent
        )
        final = losses[-1]
        verdict = "diverged" if not np.isfinite(final) or final > losses[0] else f"final loss {final:.3g}"
        axes[1].set_title(f"loss along the path ({verdict})")

    controls = {
        "lr": ipywidgets.FloatLogSlider(
            value=0.1, base=10, min=-3, max=-0.5, step=0.02, description="learning rate", readout_format=".3g"
        ),
        "steps": ipywidgets.IntSlider(value=30, min=1, max=int(max_steps), description="steps"),
    }
    return explorer(
        draw, controls, ncols=2, figsize=(11, 4.8), title="Gradient descent and the learning rate"
    )


# --- 03_argmin -------------------------------------------------------------------------------------
def argmin_explorer(w_values, L_values, lam_max=2.0, lam=0.0):
    r"""A lambda slider over the bar chart of $L(w) + \lambda|w|$ and the lines in lambda (03_argmin).

    Parameters
    ----------
    w_values, L_values : array_like, shape (K,)
        Candidate weights and their data losses.
    lam_max : float
        Largest lambda on the slider.
    lam : float
        Starting lambda.

    Returns
    -------
    :class:`Explorer` with the control ``lam``.
    """
    from helpers import plotting

    def draw(axes, lam):
        plotting.plot_penalized_bars(axes[0], w_values, L_values, lam=lam)
        plotting.plot_penalty_lines(axes[1], w_values, L_values, lam_max=lam_max, lam=lam)

    slider = ipywidgets.FloatSlider(
        value=float(lam), min=0.0, max=float(lam_max), step=0.01, description="lambda", readout_format=".2f"
    )
    return explorer(draw, {"lam": slider}, ncols=2, figsize=(11, 4.0))


# --- 04_losses -------------------------------------------------------------------------------------
def scores_explorer(scores, y, class_names=None, limit=10.0):
    """Sliders for the scores of one example: see its probabilities, hinge and cross-entropy (04_losses).

    Parameters
    ----------
    scores : array_like, shape (C,)
        Starting scores of one example.
    y : int
        Its correct class (a dropdown changes it).
    class_names : sequence of str, optional
    limit : float
        The sliders run from -limit to +limit.

    Returns
    -------
    :class:`Explorer` with controls ``s0 .. s{C-1}`` (the scores) and ``label``.
    """
    from helpers import plotting

    start = np.asarray(scores, dtype=float)
    if start.ndim != 1:
        raise ValueError(f"expected the scores of one example, shape (C,), got {start.shape}")
    names = list(class_names) if class_names is not None else [f"class {k}" for k in range(len(start))]
    controls = {
        f"s{k}": ipywidgets.FloatSlider(
            value=float(v), min=-limit, max=limit, step=0.1, description=f"{name} score", readout_format=".1f"
        )
        for k, (v, name) in enumerate(zip(start, names, strict=True))
    }
    controls["label"] = ipywidgets.Dropdown(
        options=[(name, k) for k, name in enumerate(names)], value=int(y), description="correct class"
    )

    def draw(axes, label, **values):
        current = np.array([values[f"s{k}"] for k in range(len(names))])
        plotting.plot_scores_and_probabilities(axes, current, label, class_names=names)

    return explorer(draw, controls, ncols=2, figsize=(10, 3.8))


# --- 01_architecture -------------------------------------------------------------------------------
def universal_approximation_explorer(f=None, *, x_range=(-3.0, 3.0), target_name="sin(x)"):
    """Sliders for a one-hidden-layer random-feature fit of a 1-D function (default sin on [-3, 3]).

    Controls: number of hidden units (1-64), activation (relu / tanh), seed of the random hidden
    weights. The panel shows the target, the fit and its mean squared error
    (``plotting.fit_random_features``, ``plotting.plot_function_fit``).

    Returns
    -------
    :class:`Explorer` with controls ``hidden``, ``activation`` and ``seed``.
    """
    from helpers import plotting

    f = np.sin if f is None else f
    x = np.linspace(x_range[0], x_range[1], 400)
    y = f(x)

    def draw(ax, hidden, activation, seed):
        fit = plotting.fit_random_features(
            x, y, hidden, activation=activation, rng=np.random.default_rng(seed)
        )
        mse = float(np.mean((fit - y) ** 2))
        title = f"{target_name} with {hidden} random {activation} units: MSE {mse:.2g}"
        plotting.plot_function_fit(ax, x, y, fit, title=title)

    controls = {
        "hidden": ipywidgets.IntSlider(
            value=4, min=1, max=64, description="hidden units", continuous_update=False
        ),
        "activation": ipywidgets.Dropdown(options=["relu", "tanh"], value="relu", description="activation"),
        "seed": ipywidgets.IntSlider(value=0, min=0, max=20, description="seed", continuous_update=False),
    }
    return explorer(draw, controls, figsize=(7.5, 4.2))


# --- 02_activations --------------------------------------------------------------------------------
def activation_explorer(functions):
    """Pick an activation and its parameter: see h(x), h'(x) and a random 1-16-16-1 network's output.

    ``functions`` maps names to ``(h, h')`` pairs: the student's functions of notebook 02 (leaky_relu
    and elu take ``alpha=``). Controls: activation (the names), alpha (used by leaky_relu and elu;
    disabled for the others), seed of the random network. Drawn by ``plotting.plot_activation_explorer``.

    Returns
    -------
    :class:`Explorer` with controls ``name``, ``alpha`` and ``seed``.
    """
    from helpers import plotting

    options = list(functions)
    name = ipywidgets.Dropdown(
        options=options,
        value="leaky_relu" if "leaky_relu" in options else options[0],
        description="activation",
    )
    alpha = ipywidgets.FloatSlider(
        value=0.1, min=0.0, max=2.0, step=0.05, description="alpha", continuous_update=False
    )
    seed = ipywidgets.IntSlider(value=0, min=0, max=20, description="net seed", continuous_update=False)

    def draw(axes, name, alpha, seed):
        plotting.plot_activation_explorer(functions, name, alpha, seed=seed, axes=axes)

    def on_name(change):
        alpha.disabled = change["new"] not in ("leaky_relu", "elu")

    name.observe(on_name, names="value")
    return explorer(draw, {"name": name, "alpha": alpha, "seed": seed}, ncols=3, figsize=(13, 3.8))
