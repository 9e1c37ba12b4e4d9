"""Tests for helpers.graph: the scalar autograd Value, backward_steps and draw_graph."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from helpers.graph import Value, backward_steps, draw_graph, topological_order  # noqa: E402


def num_grad(f, x: float, h: float = 1e-6) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


def test_lecture_example_f_equals_x_plus_y_times_z():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.backward()
    assert q.data == 3.0
    assert f.data == -12.0
    assert z.grad == 3.0  # df/dz = q
    assert q.grad == -4.0  # df/dq = z
    assert x.grad == -4.0 and y.grad == -4.0


# (name, function of one Value, function of one float, a point)
UNARY = [
    ("add", lambda v: v + 2.5, lambda t: t + 2.5, 0.7),
    ("radd", lambda v: 2.5 + v, lambda t: 2.5 + t, 0.7),
    ("mul", lambda v: v * -3.0, lambda t: t * -3.0, 0.7),
    ("rmul", lambda v: -3.0 * v, lambda t: -3.0 * t, 0.7),
    ("sub", lambda v: v - 4.0, lambda t: t - 4.0, 0.7),
    ("rsub", lambda v: 4.0 - v, lambda t: 4.0 - t, 0.7),
    ("div", lambda v: v / 3.0, lambda t: t / 3.0, 0.7),
    ("rdiv", lambda v: 3.0 / v, lambda t: 3.0 / t, 0.7),
    ("neg", lambda v: -v, lambda t: -t, 0.7),
    ("pow2", lambda v: v**2, lambda t: t**2, -1.3),
    ("pow3", lambda v: v**3, lambda t: t**3, -1.3),
    ("pow_half", lambda v: v**0.5, lambda t: t**0.5, 1.7),
    ("pow_neg", lambda v: v**-1.5, lambda t: t**-1.5, 1.7),
    ("rpow", lambda v: 2.0**v, lambda t: 2.0**t, 0.3),
    ("exp", lambda v: v.exp(), math.exp, 0.4),
    ("log", lambda v: v.log(), math.log, 2.2),
    ("tanh", lambda v: v.tanh(), math.tanh, 0.4),
    ("sigmoid", lambda v: v.sigmoid(), lambda t: 1 / (1 + math.exp(-t)), -0.8),
    ("relu_pos", lambda v: v.relu(), lambda t: max(t, 0.0), 0.9),
    ("relu_neg", lambda v: v.relu(), lambda t: max(t, 0.0), -0.9),
]


@pytest.mark.parametrize("name,fv,ff,x0", UNARY, ids=[u[0] for u in UNARY])
def test_every_op_matches_numerical_gradient(name, fv, ff, x0):
    x = Value(x0)
    out = fv(x)
    out.backward()
    assert out.data == pytest.approx(ff(x0), rel=1e-12)
    assert x.grad == pytest.approx(num_grad(ff, x0), rel=1e-6, abs=1e-9)


BINARY = [
    ("add", lambda a, b: a + b),
    ("mul", lambda a, b: a * b),
    ("sub", lambda a, b: a - b),
    ("div", lambda a, b: a / b),
    ("pow", lambda a, b: a**b),
]


@pytest.mark.parametrize("name,f", BINARY, ids=[b[0] for b in BINARY])
def test_binary_ops_on_two_values(name, f):
    a0, b0 = 1.7, -0.6
    a, b = Value(a0), Value(b0)
    out = f(a, b)
    out.backward()
    assert out.data == pytest.approx(f(a0, b0), rel=1e-12)
    assert a.grad == pytest.approx(num_grad(lambda t: f(t, b0), a0), rel=1e-6)
    assert b.grad == pytest.approx(num_grad(lambda t: f(a0, t), b0), rel=1e-6)


def test_composite_expression_matches_numerical_gradient():
    def f(t, s):
        return (((t * s).tanh() + 1) ** 2 / (s.exp() if isinstance(s, Value) else math.exp(s))) - t

    def g(t, s):
        return ((math.tanh(t * s) + 1) ** 2) / math.exp(s) - t

    a, b = Value(0.3), Value(-1.1)
    out = f(a, b)
    out.backward()
    assert out.data == pytest.approx(g(0.3, -1.1), rel=1e-12)
    assert a.grad == pytest.approx(num_grad(lambda t: g(t, -1.1), 0.3), rel=1e-6)
    assert b.grad == pytest.approx(num_grad(lambda s: g(0.3, s), -1.1), rel=1e-6)


def test_reused_node_accumulates_gradients():
    x = Value(3.0)
    y = x * x  # dy/dx = 2x
    y.backward()
    assert x.grad == 6.0
    a = Value(2.0)
    b = a + a + a * 4.0  # db/da = 1 + 1 + 4
    b.backward()
    assert a.grad == 6.0


def test_backward_twice_accumulates_and_zero_grad_resets():
    x = Value(2.0)
    y = x * 3.0
    y.backward()
    y.backward()
    assert x.grad == 6.0
    y.zero_grad()
    assert x.grad == 0.0 and y.grad == 0.0
    y.backward()
    assert x.grad == 3.0


def test_deep_chain_needs_no_recursion():
    x = Value(1.0)
    y = x
    for _ in range(10_000):
        y = y * 1.0 + 0.0001
    y.backward()
    assert x.grad == pytest.approx(1.0)
    assert y.data == pytest.approx(2.0)
    assert len(topological_order(y)) > 10_000


def test_topological_order_puts_inputs_first():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    order = topological_order(d)
    idx = {id(n): i for i, n in enumerate(order)}
    for n in order:
        for child in n._prev:
            assert idx[id(child)] < idx[id(n)]
    assert order[-1] is d
    assert len(order) == 4


def test_bad_inputs_fail_loudly():
    with pytest.raises(ValueError, match="positive"):
        Value(-1.0).log()
    with pytest.raises(ValueError, match="positive base"):
        Value(-2.0) ** Value(2.0)
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / 0
    with pytest.raises(TypeError):
        Value(1.0) + "2"


def test_sigmoid_and_tanh_are_stable_for_large_inputs():
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(1000.0).tanh().data == 1.0


def test_backward_steps_replays_the_backward_pass():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    f = q * z
    steps = backward_steps(f)
    # seed, then the two operation nodes: * (f) then + (q)
    assert [s.node for s in steps] == [f, f, q]
    node, grads = steps[0]
    assert grads[f] == 1.0 and grads[x] == 0.0
    assert steps[1].grads[q] == -4.0 and steps[1].grads[z] == 3.0 and steps[1].grads[x] == 0.0
    assert steps[2].grads[x] == -4.0 and steps[2].grads[y] == -4.0
    # afterwards the graph holds the backward() grads, even when called twice
    backward_steps(f)
    assert (x.grad, y.grad, z.grad, q.grad, f.grad) == (-4.0, -4.0, 3.0, -4.0, 1.0)


def test_draw_graph_under_agg():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    f.backward()
    ax = draw_graph(f)
    texts = [t.get_text() for t in ax.texts]
    assert ax.get_title() == "Computation graph"
    assert "+" in texts and "*" in texts
    joined = "\n".join(texts)
    for expected in (
        "x\ndata -2\ngrad -4",
        "q\ndata 3\ngrad -4",
        "z\ndata -4\ngrad 3",
        "f\ndata -12\ngrad 1",
    ):
        assert expected in joined
    ax.figure.canvas.draw()  # arrows anchored on the boxes render
    plt.close(ax.figure)


def test_draw_graph_on_given_axes_with_step_grads_and_highlight():
    a = Value(2.0, label="a")
    b = (a * a).tanh()
    steps = backward_steps(b)
    fig, ax = plt.subplots()
    out = draw_graph(b, ax, grads=steps[0].grads, highlight=steps[0].node, title="step 0")
    assert out is ax
    assert ax.get_title() == "step 0"
    assert any("a\ndata 2\ngrad 0" in t.get_text() for t in ax.texts)
    fig.canvas.draw()
    plt.close(fig)
