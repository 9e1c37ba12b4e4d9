r"""A tiny scalar autograd engine and its drawing (notebook 07_backprop).

A :class:`Value` wraps one float.  Every arithmetic operation on Values builds a node of a
directed acyclic graph (DAG) that remembers its inputs and a small ``_backward`` closure that
applies the chain rule locally:

.. math::
    \frac{\partial L}{\partial x} \mathrel{+}= \frac{\partial L}{\partial \text{out}}
    \cdot \frac{\partial\,\text{out}}{\partial x}.

:meth:`Value.backward` sorts the graph topologically (iteratively, so a chain of 10,000 nodes
needs no recursion) and runs the closures from the output back to the leaves.  Gradients are
*accumulated* with ``+=``: a node used twice (``x * x``) receives both contributions.

>>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
>>> f = (x + y) * z
>>> f.backward()
>>> (f.data, x.grad, y.grad, z.grad)
(-12.0, -4.0, -4.0, 3.0)

:func:`draw_graph` draws the DAG with matplotlib (no graphviz needed) and
:func:`backward_steps` replays the backward pass one node at a time for the notebook explorer.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import NamedTuple

from helpers.exercise import answer

__all__ = ["Value", "BackwardStep", "topological_order", "backward_steps", "draw_graph"]


def _as_value(x) -> Value:
    """Wrap a plain real number (int, float, numpy scalar) as a leaf Value; pass Values through."""
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return Value(float(x))
    raise TypeError(f"cannot combine a Value with {type(x).__name__} {x!r}")


class Value:
    r"""One scalar node of a computation graph.

    Parameters
    ----------
    data : float
        The value computed in the forward pass.
    _children : tuple of Value
        The inputs of the operation that produced this node (empty for a leaf).
    _op : str
        The operation's symbol, e.g. ``"+"``, ``"*"``, ``"tanh"`` (empty for a leaf).
    label : str
        A name shown by :func:`draw_graph`.

    Attributes
    ----------
    grad : float
        :math:`\partial L / \partial \text{this node}` after :meth:`backward` on the output L.
    """

    def __init__(self, data, _children: tuple = (), _op: str = "", label: str = ""):
        if isinstance(data, Value):
            raise TypeError("Value(data) expects a number, got a Value")
        self.data = float(data)
        self.grad = 0.0
        self._backward = _noop
        self._prev = tuple(_children)
        self._op = _op
        self.label = label

    def __repr__(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.4g}, grad={self.grad:.4g})"

    # -- binary operations ------------------------------------------------------------------------
    def __add__(self, other) -> Value:
        other = _as_value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other) -> Value:
        other = _as_value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __truediv__(self, other) -> Value:
        other = _as_value(other)
        if other.data == 0.0:
            raise ZeroDivisionError("Value division by zero")
        out = Value(self.data / other.data, (self, other), "/")

        def _backward():
            self.grad += out.grad / other.data
            other.grad += -self.data / other.data**2 * out.grad

        out._backward = _backward
        return out

    def __pow__(self, other) -> Value:
        if isinstance(other, Value):
            return self._pow_value(other)
        if isinstance(other, bool) or not isinstance(other, numbers.Real):
            raise TypeError(f"exponent must be a number or a Value, got {type(other).__name__}")
        k = float(other)
        if self.data == 0.0 and k < 0:
            raise ZeroDivisionError("0 ** negative exponent")
        if self.data < 0 and not k.is_integer():
            raise ValueError(f"negative base {self.data} with non-integer exponent {k}")
        out = Value(self.data**k, (self,), f"**{other:g}")

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def _pow_value(self, other: Value) -> Value:
        # d/dy x**y = x**y log x needs x > 0
        if self.data <= 0:
            raise ValueError(
                f"a Value exponent needs a positive base (d/dy x**y = x**y log x), got {self.data}"
            )
        out = Value(self.data**other.data, (self, other), "**")

        def _backward():
            self.grad += other.data * self.data ** (other.data - 1) * out.grad
            other.grad += out.data * math.log(self.data) * out.grad

        out._backward = _backward
        return out

    def __neg__(self) -> Value:
        out = Value(-self.data, (self,), "neg")

        def _backward():
            self.grad -= out.grad

        out._backward = _backward
        return out

    def __sub__(self, other) -> Value:
        other = _as_value(other)
        out = Value(self.data - other.data, (self, other), "-")

        def _backward():
            self.grad += out.grad
            other.grad -= out.grad

        out._backward = _backward
        return out

    # numbers on the left: 2 + x, 2 * x, 2 - x, 2 / x, 2 ** x
    def __radd__(self, other) -> Value:
        return _as_value(other) + self

    def __rmul__(self, other) -> Value:
        return _as_value(other) * self

    def __rsub__(self, other) -> Value:
        return _as_value(other) - self

    def __rtruediv__(self, other) -> Value:
        return _as_value(other) / self

    def __rpow__(self, other) -> Value:
        return _as_value(other) ** self

    # -- unary functions --------------------------------------------------------------------------
    def exp(self) -> Value:
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def log(self) -> Value:
        """Natural logarithm; the input must be positive."""
        if self.data <= 0:
            raise ValueError(f"log needs a positive input, got {self.data}")
        out = Value(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data

        out._backward = _backward
        return out

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1.0 - t * t) * out.grad

        out._backward = _backward
        return out

    @answer("02_activations", "sigmoid")
    def sigmoid(self) -> Value:
        x = self.data
        if x >= 0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:  # no overflow for x = -1000
            e = math.exp(x)
            s = e / (1.0 + e)
        out = Value(s, (self,), "sigmoid")

        def _backward():
            self.grad += s * (1.0 - s) * out.grad

        out._backward = _backward
        return out

    @answer("02_activations", "relu")
    def relu(self) -> Value:
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward():
            self.grad += (self.data > 0) * out.grad

        out._backward = _backward
        return out

    # -- backpropagation --------------------------------------------------------------------------
    def backward(self) -> None:
        """Backpropagate from this node: set ``self.grad = 1`` and apply every ``_backward``.

        Grads accumulate: call :meth:`zero_grad` first to run a second backward pass from zero.
        """
        order = topological_order(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()

    def zero_grad(self) -> None:
        """Set ``grad = 0`` on every node of the graph that ends in this node."""
        for node in topological_order(self):
            node.grad = 0.0


def _noop() -> None:
    return None


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from ``root``, each after all of its inputs (root last).

    Depth-first search with an explicit stack (no recursion, so deep graphs are fine).
    """
    order: list[Value] = []
    visited: set[int] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for child in reversed(node._prev):
            if id(child) not in visited:
                stack.append((child, False))
    return order


class BackwardStep(NamedTuple):
    """One step of the backward pass: ``node`` applied its local chain rule.

    ``grads`` maps every node of the graph (by identity) to its grad after that step.
    """

    node: Value
    grads: dict


def backward_steps(root: Value) -> list[BackwardStep]:
    """Replay the backward pass from ``root`` one node at a time.

    Grads of the whole graph are first set to zero.  The first step seeds
    ``root.grad = 1``; every later step is one node, in reverse topological order, that passed
    its grad to its inputs.  Afterwards the graph holds the same grads as ``root.backward()``.

    Returns
    -------
    list of BackwardStep
        ``(node, grads)`` pairs; ``grads[node]`` for any node of the graph gives its grad right
        after that step (a dict keyed by the Value objects themselves).
    """
    order = topological_order(root)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    steps = [BackwardStep(root, {n: n.grad for n in order})]
    for node in reversed(order):
        if not node._prev:
            continue  # leaves have nothing to pass on
        node._backward()
        steps.append(BackwardStep(node, {n: n.grad for n in order}))
    return steps


# -- drawing --------------------------------------------------------------------------------------
_BOX = "#DCEEFB"  # light sky blue (Okabe-Ito family, colour-blind safe)
_OP = "#F5C77E"  # light orange
_HIGHLIGHT = "#D55E00"  # vermillion
_EDGE = "#4D4D4D"


def _layout(order: list[Value]) -> dict[int, tuple[float, float]]:
    """Positions (x, y) for value nodes: x = 2 * layer, y spread within a layer (top = 0).

    A non-leaf's layer is one more than its deepest input; a leaf sits just left of its
    first consumer.  Within a layer nodes are ordered by the mean height of their neighbours
    (inputs for operation results, consumers for leaves) to reduce crossing arrows.
    """
    depth: dict[int, int] = {}
    consumers: dict[int, list[Value]] = {id(n): [] for n in order}
    for node in order:  # inputs come first, so their depths are known
        depth[id(node)] = 1 + max((depth[id(c)] for c in node._prev), default=-1)
        for c in node._prev:
            consumers[id(c)].append(node)
    for node in order:
        if not node._prev and consumers[id(node)]:
            depth[id(node)] = min(depth[id(p)] for p in consumers[id(node)]) - 1
    layers: dict[int, list[Value]] = {}
    for node in order:
        layers.setdefault(depth[id(node)], []).append(node)

    pos: dict[int, tuple[float, float]] = {}

    def place(d: int) -> None:
        k = len(layers[d])
        for i, node in enumerate(layers[d]):
            pos[id(node)] = (2.0 * d, (k - 1) / 2.0 - i)

    def mean_y(nodes: list[Value], default: float) -> float:
        ys = [pos[id(n)][1] for n in nodes if id(n) in pos]
        return sum(ys) / len(ys) if ys else default

    for d in sorted(layers):  # forward sweep: results follow their inputs
        layers[d].sort(key=lambda n: -mean_y(list(n._prev), 0.0))
        place(d)
    for d in sorted(layers, reverse=True):  # backward sweep: leaves follow their consumers
        layers[d].sort(key=lambda n: -(mean_y(consumers[id(n)], 0.0) if not n._prev else pos[id(n)][1]))
        place(d)
    return pos


def _node_text(node: Value, grad: float) -> str:
    head = node.label if node.label else ("" if node._prev else "const")
    body = f"data {node.data:.4g}\ngrad {grad:.4g}"
    return f"{head}\n{body}" if head else body


def draw_graph(
    root: Value,
    ax=None,
    *,
    grads: dict | None = None,
    highlight: Iterable[Value] | Value | None = None,
    title: str | None = None,
):
    """Draw the computation graph that ends in ``root``, left (inputs) to right (output).

    Each value is a box with its label, data and grad; each operation is a small circle
    between its inputs and its result; arrows show the forward direction.

    Parameters
    ----------
    root : Value
        The output node.
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized to the graph is made when omitted.
    grads : dict, optional
        Grads to show instead of ``node.grad`` (e.g. a :class:`BackwardStep`'s ``grads``).
    highlight : Value or iterable of Value, optional
        Nodes drawn with a thick vermillion outline (e.g. the current backward step).
    title : str, optional
        Axes title (default ``"Computation graph"``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    from helpers.figure_style import fit_width

    order = topological_order(root)
    pos = _layout(order)
    if isinstance(highlight, Value):
        highlight = [highlight]
    marked = {id(n) for n in (highlight or ())}
    n_cols = max(x for x, _ in pos.values()) / 2.0 + 1
    n_rows = max(sum(1 for x, _ in pos.values() if x == col) for col in {x for x, _ in pos.values()})
    if ax is None:
        _, ax = plt.subplots(figsize=fit_width((max(4.0, 2.4 * n_cols), max(2.5, 1.2 * n_rows))))

    artists = {}
    for node in order:
        x, y = pos[id(node)]
        g = grads.get(node, node.grad) if grads is not None else node.grad
        hot = id(node) in marked
        artists[id(node)] = ax.text(
            x,
            y,
            _node_text(node, g),
            ha="center",
            va="center",
            fontsize=10,
            family="monospace",
            zorder=3,
            bbox={
                "boxstyle": "round,pad=0.35",
                "facecolor": _BOX,
                "edgecolor": _HIGHLIGHT if hot else _EDGE,
                "linewidth": 2.5 if hot else 0.8,
            },
        )
    arrow = {"arrowstyle": "-|>", "color": _EDGE, "linewidth": 0.8, "shrinkA": 2, "shrinkB": 2}
    for node in order:
        if not node._prev:
            continue
        x, y = pos[id(node)]
        op = ax.text(
            x - 1.0,
            y,
            node._op,
            ha="center",
            va="center",
            fontsize=10,
            zorder=3,
            bbox={"boxstyle": "circle,pad=0.3", "facecolor": _OP, "edgecolor": _EDGE, "linewidth": 0.8},
        )
        ax.annotate(
            "", xy=(0, 0.5), xycoords=artists[id(node)], xytext=(1, 0.5), textcoords=op, arrowprops=arrow
        )
        for child in dict.fromkeys(node._prev):  # x * x: one arrow
            ax.annotate(
                "", xy=(0, 0.5), xycoords=op, xytext=(1, 0.5), textcoords=artists[id(child)], arrowprops=arrow
            )

    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.9, max(xs) + 0.9)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    ax.set_axis_off()
    ax.set_title(title if title is not None else "Computation graph")
    return ax
