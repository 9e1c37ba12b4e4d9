# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] nbgrader={"grade": false, "grade_id": "intro", "locked": true, "schema_version": 3, "solution": false}
# # 07 · Backpropagation
#
# **Time:** about 115 minutes · **Points:** 25 points in total (20 autograded, 5 graded by hand)
#
# Gradient descent needs $\partial L / \partial w$ for *every* weight of the network, and the loss
# depends on the weights of the lower layers only indirectly. Backpropagation is the chain rule,
# organised so that one backward sweep through the network gives all of these derivatives at once.
#
# **After this notebook you can**
#
# 1. write a function as a *computation graph* and compute every node's value (forward pass) and
#    gradient (backward pass), as the lecture does for $f = (x + y)\,z$;
# 2. explain backpropagation with *local* gradients: downstream = local $\times$ upstream;
# 3. implement the forward and backward pass of the add, multiply, max and sigmoid gates;
# 4. write the backward pass of the lecture's two-layer network, first with squared error and a sigmoid
#    output (the slide's $\frac{dL}{dw_{kj}} = \frac{dL}{dy_k}\frac{dy_k}{da_k}\frac{da_k}{dw_{kj}}$),
#    then with softmax cross-entropy, and check it against numerical gradients;
# 5. write the affine and ReLU layers as forward/backward pairs with a cache, compose the network from
#    your layers and gradient-check it (CS231n's pattern);
# 6. explain why all-zero or all-equal initial weights never break the symmetry between hidden units.
#
# | exercise | what | points |
# |---|---|---|
# | 1 | add and multiply gates | 2 |
# | 2 | max and sigmoid gates | 3 |
# | Q1 | why a max gate routes the gradient (written) | 2 |
# | 3 | two-layer network, squared error + sigmoid: backward pass | 4 |
# | 4 | two-layer network, softmax cross-entropy: backward pass | 3 |
# | 5 | the affine layer: forward and backward with a cache | 3 |
# | 6 | the ReLU layer: forward and backward with a cache | 2 |
# | 7 | a network from your layers, and its gradient check | 3 |
# | Q2 | why random weights: symmetry (written) | 1 |
# | Q3 | why backwards? (written) | 2 |

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from helpers import backprop_figures, figure_style, gradients, graph, losses, testing, widgets
from helpers.graph import Value

rng = np.random.default_rng(0)
figure_style.use_course_style()

# %% [markdown]
# ## 1. Where we are: a gradient for every weight
#
# Training moves each weight against its gradient,
#
# $$w_{kj} \leftarrow w_{kj} - \eta\,\frac{\partial L}{\partial w_{kj}} \;\text{(output layer)},\qquad
#   w_{ji} \leftarrow w_{ji} - \eta\,\frac{\partial L}{\partial w_{ji}} \;\text{(hidden layer)}.$$
#
# The loss does not contain $w_{kj}$ directly. In the lecture's two-layer network the path from an
# output weight to the loss is $w_{kj} \to a_k \to y_k \to L$, so by the **chain rule**
#
# $$\frac{\partial L}{\partial w_{kj}} = \frac{\partial L}{\partial y_k}\,\frac{\partial y_k}{\partial a_k}\,
#   \frac{\partial a_k}{\partial w_{kj}}, \qquad
#   \frac{\partial L}{\partial w_{ji}} = \frac{\partial L}{\partial z_j}\,\frac{\partial z_j}{\partial a_j}\,
#   \frac{\partial a_j}{\partial w_{ji}}.$$
#
# The second line is harder: a hidden unit $z_j$ feeds *every* output, so $\partial L/\partial z_j$ needs
# the chain rule once more, summed over all outputs. Doing this by hand for each weight gets out of hand
# quickly. A **computation graph** keeps the book-keeping for us.

# %% [markdown]
# ## 2. A computation graph: $f(x, y, z) = (x + y)\,z$
#
# Break the function into elementary operations, one node each: $q = x + y$ and $f = q\,z$.
# Take the lecture's values $x = -2$, $y = 5$, $z = -4$.
#
# * **Forward pass** (inputs to output): $q = 3$, $f = -12$.
# * **Backward pass** (output to inputs): start from $\partial f/\partial f = 1$ and, at each node,
#   multiply the gradient arriving from above by the node's own *local* derivative:
#
# $$\frac{\partial q}{\partial x} = 1,\quad \frac{\partial q}{\partial y} = 1,\qquad
#   \frac{\partial f}{\partial q} = z,\quad \frac{\partial f}{\partial z} = q,\qquad
#   \frac{\partial f}{\partial x} = \frac{\partial f}{\partial q}\,\frac{\partial q}{\partial x},\quad
#   \frac{\partial f}{\partial y} = \frac{\partial f}{\partial q}\,\frac{\partial q}{\partial y}.$$
#
# `helpers.graph.Value` is a tiny automatic-differentiation engine: each arithmetic operation on
# `Value`s records a node, and `f.backward()` runs the backward pass.

# %%
x = Value(-2.0, label="x")
y = Value(5.0, label="y")
z = Value(-4.0, label="z")
q = x + y
q.label = "q"
f = q * z
f.label = "f"
f.backward()

print(f"forward:  q = {q.data:g}, f = {f.data:g}")
print(f"backward: df/df = {f.grad:g}, df/dz = {z.grad:g}, df/dq = {q.grad:g}, df/dx = {x.grad:g}, df/dy = {y.grad:g}")

# %% [markdown]
# Each box shows a value's `data` (forward) and `grad` (backward); the orange circles are the operations.

# %%
fig, ax = plt.subplots(figsize=(7, 3.2))
graph.draw_graph(f, ax=ax, title="f = (x + y) z at x = -2, y = 5, z = -4: values and gradients")
plt.show()

# %% [markdown]
# Read the gradients as sensitivities: $\partial f/\partial z = 3$ says that raising $z$ by a small
# $\varepsilon$ raises $f$ by about $3\varepsilon$; $\partial f/\partial x = -4$ says that raising $x$
# *lowers* $f$ by about $4\varepsilon$. Check one of them numerically, the way the lecture defines a
# derivative:

# %%
eps = 1e-6
f_plus = (-2.0 + eps + 5.0) * -4.0
f_base = (-2.0 + 5.0) * -4.0
print(f"(f(x + eps) - f(x)) / eps = {(f_plus - f_base) / eps:.4f}   (backprop said {x.grad:g})")

# %% [markdown]
# ## 3. Local gradients and the chain rule
#
# Every node only needs to know its own little function. During the backward pass a node with output
# $o$ and input $u$ receives the **upstream gradient** $\partial L/\partial o$ and passes on the
# **downstream gradient**
#
# $$\underbrace{\frac{\partial L}{\partial u}}_{\text{downstream}}
#   = \underbrace{\frac{\partial o}{\partial u}}_{\text{local}}\;
#     \underbrace{\frac{\partial L}{\partial o}}_{\text{upstream}} .$$
#
# The same backward pass, written out with plain numbers (no `Value`), one line per node, from the output
# back:

# %%
x_, y_, z_ = -2.0, 5.0, -4.0
# forward pass: remember every intermediate value
q_ = x_ + y_
f_ = q_ * z_
# backward pass: upstream gradient times local gradient, output first
df_df = 1.0
df_dq = z_ * df_df  # local gradient of f = q z with respect to q is z
df_dz = q_ * df_df  # ... with respect to z is q
df_dx = 1.0 * df_dq  # local gradient of q = x + y with respect to x is 1
df_dy = 1.0 * df_dq
print(f"df/dq = {df_dq:g}, df/dz = {df_dz:g}, df/dx = {df_dx:g}, df/dy = {df_dy:g}")

# %% [markdown]
# Two facts make this work for any graph:
#
# * the backward pass needs the values of the forward pass ($\partial f/\partial q = z$ needs $z$), so the
#   forward pass keeps them in a **cache**;
# * when a value feeds several nodes, the gradients coming back along the branches **add up** (the
#   multivariate chain rule). `Value` accumulates with `+=` for exactly this reason:

# %%
a = Value(3.0, label="a")
b = a * a + a  # a is used three times
b.label = "b"
b.backward()
print(f"b = a*a + a at a = 3: b = {b.data:g}, db/da = {a.grad:g}  (2a + 1 = {2 * 3 + 1})")

# %% [markdown]
# ### Explorer: step through a backward pass
#
# Pick a graph and change the step: each step is one node applying its local chain rule. The node that
# just acted and the inputs it updated are outlined in red-orange, and the title says what was passed on.
# All grads start at 0; step 0 seeds the output with 1.

# %%
# NBVAL_IGNORE_OUTPUT
# (an interactive explorer: what it outputs depends on the front end)
if widgets.widgets_enabled():
    display(backprop_figures.backward_explorer())

# %%
# The explorer at its default setting, as a still figure with what it shows (also without widgets):
backprop_figures.backward_explorer(static=True)

# %% [markdown]
# The same replay without widgets: every step of the lecture's example, as a static figure.

# %%
steps = graph.backward_steps(f)
fig, axes = plt.subplots(len(steps), 1, figsize=(7.5, 2.9 * len(steps)))
for k, ax in enumerate(axes):
    backprop_figures.plot_backward_step(f, steps, k, ax=ax)
fig.suptitle("The backward pass of f = (x + y) z, one node at a time")
plt.show()

# %% [markdown]
# ## 4. Gates: forward and backward
#
# Real libraries are written as *gates* (layers) with two functions each, as in the CS231n course:
#
# ```python
# out, cache = gate_forward(inputs)   # compute the output, remember what backward will need
# dx, ... = gate_backward(dout, cache)  # dout = dL/dout (upstream) -> dL/dinput (downstream)
# ```
#
# Your gates must work on plain floats **and** on NumPy arrays of the same shape (elementwise), since
# layers apply them to whole batches. The local derivatives:
#
# | gate | forward | local gradients |
# |---|---|---|
# | add | $o = x + y$ | $\partial o/\partial x = 1,\ \partial o/\partial y = 1$ |
# | multiply | $o = x\,y$ | $\partial o/\partial x = y,\ \partial o/\partial y = x$ |
# | max | $o = \max(x, y)$ | $1$ for the larger input, $0$ for the other |
# | sigmoid | $o = \sigma(x) = \frac{1}{1 + e^{-x}}$ | $\partial o/\partial x = \sigma(x)\,(1 - \sigma(x))$ |

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex1_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 1: add and multiply gates (2 points)
#
# Implement `add_forward`, `add_backward`, `mul_forward` and `mul_backward`. Each `*_backward` returns
# the pair `(dx, dy)` = (downstream gradient for `x`, for `y`), each of the shape of `dout`.
# Use NumPy only (no `helpers.graph`).

# %% nbgrader={"grade": false, "grade_id": "add_mul_gates", "locked": false, "schema_version": 3, "solution": true}
def add_forward(x, y):
    """Add gate, forward: out = x + y.

    Parameters
    ----------
    x, y : float or ndarray, same shape
    Returns
    -------
    out : float or ndarray, shape of x
    cache : what add_backward needs (may be None)
    """
    ### BEGIN SOLUTION
    return x + y, None
    ### END SOLUTION


def add_backward(dout, cache):
    """Add gate, backward.

    Parameters
    ----------
    dout : float or ndarray, shape of out (upstream gradient dL/dout)
    cache : from add_forward
    Returns
    -------
    dx, dy : float or ndarray, shape of dout (dL/dx, dL/dy)
    """
    ### BEGIN SOLUTION
    return 1.0 * dout, 1.0 * dout
    ### END SOLUTION


def mul_forward(x, y):
    """Multiply gate, forward: out = x * y (elementwise).

    Returns
    -------
    out : float or ndarray, shape of x
    cache : what mul_backward needs
    """
    ### BEGIN SOLUTION
    return x * y, (x, y)
    ### END SOLUTION


def mul_backward(dout, cache):
    """Multiply gate, backward: returns (dL/dx, dL/dy), each of the shape of dout."""
    ### BEGIN SOLUTION
    x, y = cache
    return dout * y, dout * x
    ### END SOLUTION


# %% [markdown]
# Try it: rebuild the lecture's $f = (x + y)\,z$ from your gates. You should see the numbers of section 2.

# %%
q_out, q_cache = add_forward(-2.0, 5.0)
f_out, f_cache = mul_forward(q_out, -4.0)
dq, dz = mul_backward(1.0, f_cache)
dx, dy = add_backward(dq, q_cache)
print(f"f = {f_out:g}; df/dx = {dx:g}, df/dy = {dy:g}, df/dz = {dz:g}")

# %% nbgrader={"grade": true, "grade_id": "add_gate_tests", "locked": true, "points": 1, "schema_version": 3, "solution": false}
GATE_FORBIDDEN = ("helpers.graph", "helpers.activations", "helpers.network", "helpers.models")
_rng = np.random.default_rng(70)
_x, _y, _dout = _rng.normal(size=(3, 4, 5))
_out, _cache = testing.check_own_work(add_forward, _x, _y, forbidden=GATE_FORBIDDEN)
testing.assert_close(_out, _x + _y, name="add_forward(x, y)[0]")
_dx, _dy = testing.check_own_work(add_backward, _dout, _cache, forbidden=GATE_FORBIDDEN)
_num_dx = gradients.numerical_gradient_array(lambda v: add_forward(v, _y)[0], _x.copy(), _dout)
_num_dy = gradients.numerical_gradient_array(lambda v: add_forward(_x, v)[0], _y.copy(), _dout)
testing.assert_grad_close(_dx, _num_dx, name="dx of the add gate")
testing.assert_grad_close(_dy, _num_dy, name="dy of the add gate")
### BEGIN HIDDEN TESTS
_out, _cache = testing.check_own_work(add_forward, 1.5, -4.0, forbidden=GATE_FORBIDDEN)
testing.assert_scalar(_out, "the output of add_forward for two numbers", expected=-2.5)
_dx, _dy = testing.check_own_work(add_backward, 2.5, _cache, forbidden=GATE_FORBIDDEN)
testing.assert_close(_dx, 2.5, name="add_backward's dx for numbers (the upstream gradient passes through)")
testing.assert_close(_dy, 2.5, name="add_backward's dy for numbers (the upstream gradient passes through)")
_x, _y, _dout = _rng.normal(size=(3, 2, 7))
_out, _cache = testing.check_own_work(add_forward, _x, _y, forbidden=GATE_FORBIDDEN)
_dx, _dy = testing.check_own_work(add_backward, _dout, _cache, forbidden=GATE_FORBIDDEN)
testing.assert_close(_dx, _dout, name="dx of the add gate")
testing.assert_close(_dy, _dout, name="dy of the add gate")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "mul_gate_tests", "locked": true, "points": 1, "schema_version": 3, "solution": false}
GATE_FORBIDDEN = ("helpers.graph", "helpers.activations", "helpers.network", "helpers.models")
_rng = np.random.default_rng(71)
_x, _y, _dout = _rng.normal(size=(3, 4, 5))
_out, _cache = testing.check_own_work(mul_forward, _x, _y, forbidden=GATE_FORBIDDEN)
testing.assert_close(_out, _x * _y, name="mul_forward(x, y)[0]")
_dx, _dy = testing.check_own_work(mul_backward, _dout, _cache, forbidden=GATE_FORBIDDEN)
_num_dx = gradients.numerical_gradient_array(lambda v: mul_forward(v, _y)[0], _x.copy(), _dout)
_num_dy = gradients.numerical_gradient_array(lambda v: mul_forward(_x, v)[0], _y.copy(), _dout)
testing.assert_grad_close(_dx, _num_dx, name="dx of the multiply gate")
testing.assert_grad_close(_dy, _num_dy, name="dy of the multiply gate")
### BEGIN HIDDEN TESTS
_out, _cache = testing.check_own_work(mul_forward, 1.5, -4.0, forbidden=GATE_FORBIDDEN)
testing.assert_scalar(_out, "the output of mul_forward for two numbers", expected=-6.0)
_dx, _dy = testing.check_own_work(mul_backward, 2.0, _cache, forbidden=GATE_FORBIDDEN)
testing.assert_close(_dx, -8.0, name="mul_backward's dx for numbers (dout times the other input y)")
testing.assert_close(_dy, 3.0, name="mul_backward's dy for numbers (dout times the other input x)")
_x, _y, _dout = _rng.normal(size=(3, 6, 2))
_out, _cache = testing.check_own_work(mul_forward, _x, _y, forbidden=GATE_FORBIDDEN)
_dx, _dy = testing.check_own_work(mul_backward, _dout, _cache, forbidden=GATE_FORBIDDEN)
testing.assert_close(_dx, _dout * _y, name="dx of the multiply gate")
testing.assert_close(_dy, _dout * _x, name="dy of the multiply gate")
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex2_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 2: max and sigmoid gates (3 points)
#
# * `max_forward(x, y)` returns the elementwise maximum; `max_backward(dout, cache)` returns `(dx, dy)`.
#   Where `x == y` (a tie) send the whole gradient to `x`, so that `dx + dy == dout` everywhere: the
#   gradient is *routed*, never copied.
# * `sigmoid_forward(x)` returns $\sigma(x)$; `sigmoid_backward(dout, cache)` returns `dx`. Express the
#   local gradient through the *output* $\sigma(x)$ that you cached, the slide's
#   $\sigma(a)(1 - \sigma(a))$. Inputs stay within $|x| \le 30$ here; no warnings may be printed.
#
# Use NumPy only (no `helpers.activations`, no `helpers.graph`).

# %% nbgrader={"grade": false, "grade_id": "max_sigmoid_gates", "locked": false, "schema_version": 3, "solution": true}
def max_forward(x, y):
    """Max gate, forward: out = max(x, y) elementwise.

    Parameters
    ----------
    x, y : float or ndarray, same shape
    Returns
    -------
    out : float or ndarray, shape of x
    cache : what max_backward needs
    """
    ### BEGIN SOLUTION
    return np.maximum(x, y), (x, y)
    ### END SOLUTION


def max_backward(dout, cache):
    """Max gate, backward: (dL/dx, dL/dy), each of the shape of dout; ties go to x."""
    ### BEGIN SOLUTION
    x, y = cache
    x_wins = np.greater_equal(x, y)
    return dout * x_wins, dout * np.logical_not(x_wins)
    ### END SOLUTION


def sigmoid_forward(x):
    """Sigmoid gate, forward: out = 1 / (1 + exp(-x)) elementwise.

    Returns
    -------
    out : float or ndarray, shape of x
    cache : what sigmoid_backward needs
    """
    ### BEGIN SOLUTION
    out = 1.0 / (1.0 + np.exp(-x))
    return out, out
    ### END SOLUTION


def sigmoid_backward(dout, cache):
    """Sigmoid gate, backward: dL/dx, shape of dout."""
    ### BEGIN SOLUTION
    out = cache
    return dout * out * (1.0 - out)
    ### END SOLUTION


# %% [markdown]
# Try it: a max gate with $x = 2$, $y = -1$ and upstream gradient $5$, and the sigmoid at $0$.

# %%
m_out, m_cache = max_forward(2.0, -1.0)
m_dx, m_dy = max_backward(5.0, m_cache)
print(f"max gate: out = {m_out:g}, dx = {m_dx:g}, dy = {m_dy:g}")
s_out, s_cache = sigmoid_forward(0.0)
print(f"sigmoid gate: out = {s_out:g}, dx = {sigmoid_backward(1.0, s_cache):g}")

# %% nbgrader={"grade": true, "grade_id": "max_gate_tests", "locked": true, "points": 1, "schema_version": 3, "solution": false}
GATE_FORBIDDEN = ("helpers.graph", "helpers.activations", "helpers.network", "helpers.models")
_rng = np.random.default_rng(72)
_x, _y, _dout = _rng.normal(size=(3, 4, 5))
_out, _cache = testing.check_own_work(max_forward, _x, _y, forbidden=GATE_FORBIDDEN)
testing.assert_close(_out, np.where(_x > _y, _x, _y), name="max_forward(x, y)[0]")
_dx, _dy = testing.check_own_work(max_backward, _dout, _cache, forbidden=GATE_FORBIDDEN)
_num_dx = gradients.numerical_gradient_array(lambda v: max_forward(v, _y)[0], _x.copy(), _dout)
_num_dy = gradients.numerical_gradient_array(lambda v: max_forward(_x, v)[0], _y.copy(), _dout)
testing.assert_grad_close(_dx, _num_dx, name="dx of the max gate")
testing.assert_grad_close(_dy, _num_dy, name="dy of the max gate")
# a tie: the gradient is routed to x only, never copied to both inputs
_tie = np.array([1.0, -2.0])
_out, _cache = testing.check_own_work(max_forward, _tie, _tie.copy(), forbidden=GATE_FORBIDDEN)
_dx, _dy = testing.check_own_work(max_backward, np.array([3.0, 4.0]), _cache, forbidden=GATE_FORBIDDEN)
testing.assert_close(
    _dx,
    [3.0, 4.0],
    name="dx at a tie (ties go to x: all of dout)",
    mistakes={"at a tie the gradient went to y: ties go to x (x >= y), so dx gets all of dout.": [0.0, 0.0]},
)
testing.assert_close(
    _dy,
    [0.0, 0.0],
    name="dy at a tie (x takes all of dout, y gets 0)",
    mistakes={
        "at a tie dout was copied to both inputs: the max gate routes it to one input (x), so dx + dy = dout.": [
            3.0,
            4.0,
        ]
    },
)
testing.assert_close(np.asarray(_dx) + np.asarray(_dy), [3.0, 4.0], name="dx + dy at a tie")
### BEGIN HIDDEN TESTS
_out, _cache = testing.check_own_work(max_forward, -1.0, 2.5, forbidden=GATE_FORBIDDEN)
testing.assert_scalar(_out, "the output of max_forward for two numbers", expected=2.5)
_dx, _dy = testing.check_own_work(max_backward, 4.0, _cache, forbidden=GATE_FORBIDDEN)
testing.assert_close(_dx, 0.0, name="max_backward's dx when x is the smaller input (it gets no gradient)")
testing.assert_close(_dy, 4.0, name="max_backward's dy when y is the larger input (it gets all of dout)")
_x = np.array([[1.0, 5.0, -3.0], [2.0, 2.0, 0.0]])
_y = np.array([[4.0, 1.0, -3.0], [-1.0, 7.0, 0.5]])
_dout = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
_out, _cache = testing.check_own_work(max_forward, _x, _y, forbidden=GATE_FORBIDDEN)
_dx, _dy = testing.check_own_work(max_backward, _dout, _cache, forbidden=GATE_FORBIDDEN)
testing.assert_close(_dx, [[0.0, 2.0, 3.0], [4.0, 0.0, 0.0]], name="dx of the max gate (with a tie)")
testing.assert_close(_dy, [[1.0, 0.0, 0.0], [0.0, 5.0, 6.0]], name="dy of the max gate (with a tie)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "sigmoid_gate_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
GATE_FORBIDDEN = ("helpers.graph", "helpers.activations", "helpers.network", "helpers.models")
_rng = np.random.default_rng(73)
_x = _rng.normal(scale=3.0, size=(4, 5))
_dout = _rng.normal(size=(4, 5))
_out, _cache = testing.check_own_work(sigmoid_forward, _x, forbidden=GATE_FORBIDDEN)
testing.assert_shape(_out, (4, 5), name="sigmoid_forward(x)[0]")
assert np.all((_out > 0) & (_out < 1)), "sigmoid outputs must lie strictly between 0 and 1"
testing.assert_close(_out, 1.0 - sigmoid_forward(-_x)[0], name="sigmoid(x) compared with 1 - sigmoid(-x)")
testing.assert_close(
    sigmoid_forward(np.array([0.0, 2.0]))[0], [0.5, 1.0 / (1.0 + np.exp(-2.0))], name="sigmoid_forward([0, 2])[0] (1 / (1 + e^-x))"
)
_dx = testing.check_own_work(sigmoid_backward, _dout, _cache, forbidden=GATE_FORBIDDEN)
_num_dx = gradients.numerical_gradient_array(lambda v: sigmoid_forward(v)[0], _x.copy(), _dout)
testing.assert_grad_close(_dx, _num_dx, name="dx of the sigmoid gate")
### BEGIN HIDDEN TESTS
_out, _cache = testing.check_own_work(sigmoid_forward, 2.0, forbidden=GATE_FORBIDDEN)
testing.assert_scalar(_out, "the output of sigmoid_forward for one number", expected=0.8807970779778823)
_dx = testing.check_own_work(sigmoid_backward, 3.0, _cache, forbidden=GATE_FORBIDDEN)
testing.assert_close(_dx, 3.0 * 0.8807970779778823 * (1 - 0.8807970779778823), name="sigmoid_backward for one number (dout times s times one minus s)")
_x = np.linspace(-30.0, 30.0, 13).reshape(13, 1)
_out, _cache = testing.check_own_work(sigmoid_forward, _x, forbidden=GATE_FORBIDDEN)
testing.assert_close(_out, 0.5 * (1.0 + np.tanh(_x / 2.0)), name="sigmoid_forward far into both tails (no overflow, no loss of accuracy)", rtol=1e-9, atol=1e-15)
_dx = testing.check_own_work(sigmoid_backward, np.ones_like(_x), _cache, forbidden=GATE_FORBIDDEN)
testing.assert_close(_dx, 0.25 * (1.0 - np.tanh(_x / 2.0) ** 2), name="sigmoid_backward far into both tails", rtol=1e-6, atol=1e-14)
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Patterns in the backward flow
#
# The local gradients give each gate a recognisable behaviour:
#
# * **add distributes**: it hands the upstream gradient unchanged to every input;
# * **multiply swaps**: each input receives the upstream gradient times the *other* input (big inputs
#   make big gradients for their partner);
# * **max routes**: the whole upstream gradient goes to the input that won, nothing to the other;
# * **sigmoid shrinks**: its local gradient $\sigma(1 - \sigma)$ is at most $\tfrac14$, and close to 0
#   when the unit saturates, which is why deep stacks of sigmoids learn slowly.
#
# A single sigmoid neuron, $o = \sigma(w_1 x_1 + w_2 x_2 + b)$, shows the gates working together. Here it
# is as a `Value` graph (the explorer above has it too):

# %%
w1, x1 = Value(1.5, label="w1"), Value(1.0, label="x1")
w2, x2 = Value(-2.0, label="w2"), Value(0.5, label="x2")
bias = Value(0.5, label="b")
act = w1 * x1 + w2 * x2 + bias
act.label = "a"
neuron = act.sigmoid()
neuron.label = "o"
neuron.backward()
print(f"a = {act.data:.4f}, o = sigmoid(a) = {neuron.data:.4f}, do/da = o(1 - o) = {act.grad:.4f}")
print(f"do/dw1 = {w1.grad:.4f}, do/dw2 = {w2.grad:.4f}, do/db = {bias.grad:.4f}, do/dx1 = {x1.grad:.4f}")
fig, ax = plt.subplots(figsize=(11, 4))
graph.draw_graph(neuron, ax=ax, title="A sigmoid neuron o = sigmoid(w1 x1 + w2 x2 + b) after backward()")
plt.show()

# %% [markdown]
# Each weight's gradient is the local gradient of its multiply gate (its input $x_i$) times the gradient
# arriving at $a$: $\partial o/\partial w_i = x_i\,\sigma(a)(1 - \sigma(a))$. This is the slide's
# $\frac{da_k}{dw_{kj}} = z_j$ in miniature.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_max_routing", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### Question 1 (2 points, graded by hand)
#
# Why does a max gate send the whole upstream gradient to one input and nothing to the other? What does
# this mean for a ReLU unit, $\max(0, a)$, whose input $a$ is negative for every training example?
# Answer in two to four sentences in this cell.
#
# ### BEGIN SOLUTION
# Locally, $\max(x, y)$ *is* the larger input: nudging the larger one by $\varepsilon$ moves the output
# by $\varepsilon$ (local gradient 1), while nudging the smaller one (by less than the gap) does not
# change the output at all (local gradient 0). So the chain rule multiplies the upstream gradient by 1
# for the winner and by 0 for the loser. A ReLU is a max gate against the constant 0: when $a < 0$ it
# passes no gradient back, so the weights feeding that unit get no update from that example. If $a < 0$
# for every example the unit is "dead": it never changes again.
# ### END SOLUTION

# %% [markdown]
# ## 6. Backpropagation in the two-layer network
#
# Now the lecture's network, for a batch of $N$ examples (rows of `X`). With the course's layout
# (`W1` of shape $(D, H)$, so `W1[i, j]` is the slide's $w^{(1)}_{ji}$):
#
# $$A_1 = X W_1 + b_1,\quad Z = \mathrm{ReLU}(A_1),\quad A_2 = Z W_2 + b_2,\quad Y = \sigma(A_2),\qquad
#   L = \frac{1}{N}\sum_{n=1}^N \sum_{k=1}^C \big(y_{nk} - t_{nk}\big)^2 .$$
#
# $T$ holds the targets $t_{nk} \in \{0, 1\}$ (the slide's $y_k'$), one column per output unit.
# Backward, one factor of the slide's chain at a time:
#
# 1. $\dfrac{\partial L}{\partial y_{nk}} = \dfrac{2}{N}(y_{nk} - t_{nk})$ (the slide's $2(y_k - y_k')$,
#    with $\frac1N$ from the mean);
# 2. $\dfrac{\partial L}{\partial a_{nk}} = \dfrac{\partial L}{\partial y_{nk}}\; y_{nk}(1 - y_{nk})$
#    (the sigmoid gate);
# 3. $\dfrac{\partial L}{\partial w_{kj}} = \sum_n \dfrac{\partial L}{\partial a_{nk}}\, z_{nj}$, i.e.
#    `dW2 = Z.T @ dA2`, and `db2 = dA2.sum(axis=0)` (the bias sees the input $z_0 = 1$);
# 4. the hidden layer: $\dfrac{\partial L}{\partial z_{nj}} = \sum_k \dfrac{\partial L}{\partial a_{nk}}\,
#    w_{kj}$ (`dZ = dA2 @ W2.T`: every output sends error back to the hidden unit, and they add up), then
#    the ReLU gate routes it, $\dfrac{\partial L}{\partial a_{nj}} = \dfrac{\partial L}{\partial z_{nj}}\,
#    [a_{nj} > 0]$, and `dW1 = X.T @ dA1`, `db1 = dA1.sum(axis=0)`.
#
# Every gradient has the shape of its variable: `dW1` like `W1`, `db2` like `b2`. That is a useful check
# on the order of the factors of each matrix product.

# %%
def make_problem(N, D, H, C, seed):
    """A small random problem: params dict (W1, b1, W2, b2), inputs X (N, D), 0/1 targets T (N, C), labels y (N,)."""
    g = np.random.default_rng(seed)
    params = {
        "W1": g.normal(scale=0.5, size=(D, H)),
        "b1": g.normal(scale=0.1, size=H),
        "W2": g.normal(scale=0.5, size=(H, C)),
        "b2": g.normal(scale=0.1, size=C),
    }
    X = g.normal(size=(N, D))
    y = g.integers(0, C, size=N)
    T = np.eye(C)[y]
    return params, X, T, y


params, X_small, T_small, y_small = make_problem(N=5, D=4, H=6, C=3, seed=7)
print({name: value.shape for name, value in params.items()}, "X", X_small.shape, "T", T_small.shape)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex3_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 3: backward pass with squared error and sigmoid outputs (4 points)
#
# Implement `mse_sigmoid_loss_and_grads(params, X, T)`: the forward pass above (keep the intermediate
# arrays), the loss $L$, and the backward pass returning a dict `grads` with keys `"W1", "b1", "W2",
# "b2"`. Vectorise over the batch (no loop over examples). Do not use `helpers.models`,
# `helpers.network`, `helpers.activations`, `helpers.losses` or `helpers.gradients`: a numerical gradient
# is what we check you *against*. The output-layer gradients (`W2`, `b2`) and the hidden-layer gradients
# (`W1`, `b1`) are graded separately (2 points each).

# %% nbgrader={"grade": false, "grade_id": "mse_net", "locked": false, "schema_version": 3, "solution": true}
def mse_sigmoid_loss_and_grads(params, X, T):
    """Two-layer net (ReLU hidden, sigmoid outputs) with mean squared error, and its gradients.

    Parameters
    ----------
    params : dict with W1 (D, H), b1 (H,), W2 (H, C), b2 (C,)
    X : ndarray, shape (N, D)
    T : ndarray, shape (N, C), targets in {0, 1}

    Returns
    -------
    loss : float, (1/N) * sum over n and k of (y_nk - t_nk)**2
    grads : dict with W1 (D, H), b1 (H,), W2 (H, C), b2 (C,)
    """
    ### BEGIN SOLUTION
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N = X.shape[0]
    A1 = X @ W1 + b1
    Z = np.maximum(A1, 0.0)
    A2 = Z @ W2 + b2
    Y = 1.0 / (1.0 + np.exp(-A2))
    loss = float(np.sum((Y - T) ** 2) / N)

    dY = 2.0 * (Y - T) / N
    dA2 = dY * Y * (1.0 - Y)
    dZ = dA2 @ W2.T  # every output sends its error back to the hidden units
    dA1 = dZ * (A1 > 0)
    grads = {"W1": X.T @ dA1, "b1": dA1.sum(axis=0), "W2": Z.T @ dA2, "b2": dA2.sum(axis=0)}
    return loss, grads
    ### END SOLUTION


# %% [markdown]
# Try it on the small problem, then compare with the numerical gradient. `numerical_gradient` nudges one
# entry of the weight array at a time (in place) and re-evaluates the loss, so the `lambda` can ignore its
# argument: the loss reads the nudged array through `params`.

# %%
loss, grads = mse_sigmoid_loss_and_grads(params, X_small, T_small)
print(f"loss = {loss:.6f}")
for name in ("W1", "b1", "W2", "b2"):
    num = gradients.numerical_gradient(lambda _: mse_sigmoid_loss_and_grads(params, X_small, T_small)[0], params[name])
    ok = gradients.rel_error(grads[name], num) < 1e-7
    print(f"d{name}: shape {grads[name].shape}, matches the numerical gradient: {ok}")

# %% nbgrader={"grade": true, "grade_id": "mse_net_output_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
NET_FORBIDDEN = ("helpers.models", "helpers.network", "helpers.activations", "helpers.losses", "helpers.gradients", "helpers.graph")
# the parameters in words, for the names of the checks (a hidden check's name holds no digit)
_PARAM_WORDS = {"W1": "the first layer's weights", "b1": "the first layer's bias", "W2": "the second layer's weights", "b2": "the second layer's bias"}


def _net_problem(N, D, H, C, seed):
    g = np.random.default_rng(seed)
    p = {"W1": g.normal(scale=0.5, size=(D, H)), "b1": g.normal(scale=0.1, size=H),
         "W2": g.normal(scale=0.5, size=(H, C)), "b2": g.normal(scale=0.1, size=C)}
    X = g.normal(size=(N, D))
    y = g.integers(0, C, size=N)
    return p, X, np.eye(C)[y], y


# all weights and biases 0: every output is sigmoid(0) = 1/2, so each of the N x C squared errors is 1/4 and
# the loss (1/N) sum_n sum_k (y_nk - t_nk)^2 is C / 4
_p, _X, _T, _ = _net_problem(6, 5, 7, 3, seed=301)
_zero = {_k: np.zeros_like(_v) for _k, _v in _p.items()}
_loss0, _ = testing.check_own_work(mse_sigmoid_loss_and_grads, _zero, _X, _T, forbidden=NET_FORBIDDEN)
testing.assert_scalar(
    _loss0, "loss with all parameters 0 (C = 3 outputs of 1/2, each off by 1/2: (1/N) x N x 3 x 1/4)", expected=0.75, sizes={"N": 6, "C": 3}
)
_loss, _grads = testing.check_own_work(mse_sigmoid_loss_and_grads, _p, _X, _T, forbidden=NET_FORBIDDEN)
testing.assert_scalar(_loss, "loss")
assert isinstance(_grads, dict), f"grads should be a dict with keys W1, b1, W2, b2, got {type(_grads).__name__}"
for _name in ("W2", "b2"):
    assert _name in _grads, f"grads has no key {_name!r} (keys: {sorted(_grads)})"
    testing.assert_shape(_grads[_name], _p[_name].shape, name=f"grads[{_name!r}]")
    _num = gradients.numerical_gradient(lambda _: mse_sigmoid_loss_and_grads(_p, _X, _T)[0], _p[_name])
    testing.assert_grad_close(_grads[_name], _num, name=f"grads[{_name!r}]")
### BEGIN HIDDEN TESTS
def _ref_mse(p, X, T):
    Y = 1.0 / (1.0 + np.exp(-(np.maximum(X @ p["W1"] + p["b1"], 0) @ p["W2"] + p["b2"])))
    return float(np.sum((Y - T) ** 2) / X.shape[0])


_p, _X, _T, _ = _net_problem(9, 3, 4, 2, seed=302)
_loss, _grads = testing.check_own_work(mse_sigmoid_loss_and_grads, _p, _X, _T, forbidden=NET_FORBIDDEN)
testing.assert_scalar(_loss, "the loss of mse_sigmoid_loss_and_grads on another problem (the squared errors summed, divided by N)", expected=_ref_mse(_p, _X, _T))
for _name in ("W2", "b2"):
    _num = gradients.numerical_gradient(lambda _: _ref_mse(_p, _X, _T), _p[_name])
    testing.assert_grad_close(_grads[_name], _num, name=f"the gradient of {_PARAM_WORDS[_name]} on another problem")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "mse_net_hidden_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
_p, _X, _T, _ = _net_problem(6, 5, 7, 3, seed=303)
_loss, _grads = testing.check_own_work(mse_sigmoid_loss_and_grads, _p, _X, _T, forbidden=NET_FORBIDDEN)
assert isinstance(_grads, dict), f"grads should be a dict with keys W1, b1, W2, b2, got {type(_grads).__name__}"
for _name in ("W1", "b1"):
    assert _name in _grads, f"grads has no key {_name!r} (keys: {sorted(_grads)})"
    testing.assert_shape(_grads[_name], _p[_name].shape, name=f"grads[{_name!r}]")
    _num = gradients.numerical_gradient(lambda _: mse_sigmoid_loss_and_grads(_p, _X, _T)[0], _p[_name])
    testing.assert_grad_close(_grads[_name], _num, name=f"grads[{_name!r}]", threshold=1e-6)
### BEGIN HIDDEN TESTS
def _ref_mse(p, X, T):
    Y = 1.0 / (1.0 + np.exp(-(np.maximum(X @ p["W1"] + p["b1"], 0) @ p["W2"] + p["b2"])))
    return float(np.sum((Y - T) ** 2) / X.shape[0])


_p, _X, _T, _ = _net_problem(11, 2, 8, 4, seed=304)
_loss, _grads = testing.check_own_work(mse_sigmoid_loss_and_grads, _p, _X, _T, forbidden=NET_FORBIDDEN)
for _name in ("W1", "b1"):
    _num = gradients.numerical_gradient(lambda _: _ref_mse(_p, _X, _T), _p[_name])
    testing.assert_grad_close(_grads[_name], _num, name=f"the gradient of {_PARAM_WORDS[_name]} on another problem", threshold=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# ### The slide's formula for one weight
#
# The matrix products hide the slide's three factors; here they are for one output weight $w_{kj}$ and
# one example, computed separately. Their product is exactly what `Z.T @ dA2` adds up over the batch.

# %%
p1, X1, T1, _ = make_problem(N=1, D=4, H=6, C=3, seed=7)
a_hidden = X1 @ p1["W1"] + p1["b1"]
z_hidden = np.maximum(a_hidden, 0.0)
a_out = z_hidden @ p1["W2"] + p1["b2"]
y_out = 1.0 / (1.0 + np.exp(-a_out))
j = int(np.argmax(z_hidden[0]))  # a hidden unit that is active
k = 0
dL_dy = 2.0 * (y_out[0, k] - T1[0, k])
dy_da = y_out[0, k] * (1.0 - y_out[0, k])
da_dw = z_hidden[0, j]
print(f"k = {k}, j = {j}: dL/dy_k = {dL_dy:.4f}, dy_k/da_k = {dy_da:.4f}, da_k/dw_kj = z_j = {da_dw:.4f}")
print(f"dL/dw_kj = product = {dL_dy * dy_da * da_dw:.6f}")


def one_example_loss(_):
    y1 = 1.0 / (1.0 + np.exp(-(np.maximum(X1 @ p1["W1"] + p1["b1"], 0.0) @ p1["W2"] + p1["b2"])))
    return float(np.sum((y1 - T1) ** 2))


num_W2 = gradients.numerical_gradient(one_example_loss, p1["W2"])
print(f"numerical dL/dw_kj         = {num_W2[j, k]:.6f}   (W2[j, k] is the slide's w_kj)")

# %% [markdown]
# ## 7. Softmax cross-entropy at the output
#
# For classification the lecture uses softmax outputs and the cross-entropy loss,
# $p_{nk} = \frac{e^{a_{nk}}}{\sum_c e^{a_{nc}}}$ and $L = -\frac1N \sum_n \log p_{n, y_n}$.
# Only the top of the graph changes. Softmax and log combine into a famously simple gradient
# with respect to the scores:
#
# $$\frac{\partial L}{\partial a_{nk}} = \frac{1}{N}\big(p_{nk} - [k = y_n]\big),$$
#
# "predicted probability minus the one-hot target". Everything below $A_2$ (the `dW2`, `db2`, `dZ`, ReLU,
# `dW1`, `db1` lines) is the same as in exercise 3: backpropagation is modular.
#
# For stability compute the softmax from `A2 - A2.max(axis=1, keepdims=True)`: it gives the same
# probabilities and never overflows.

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex4_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 4: backward pass with softmax cross-entropy (3 points)
#
# Implement `softmax_ce_loss_and_grads(params, X, y)` for the same network with softmax outputs and the
# mean cross-entropy (natural log), where `y` holds integer labels of shape `(N,)`. Return `(loss, grads)`
# as in exercise 3. The loss value is worth 1 point, the gradients 2 points. Do not use the course
# library's models, losses or gradients.

# %% nbgrader={"grade": false, "grade_id": "softmax_net", "locked": false, "schema_version": 3, "solution": true}
def softmax_ce_loss_and_grads(params, X, y):
    """Two-layer net (ReLU hidden, softmax outputs) with mean cross-entropy, and its gradients.

    Parameters
    ----------
    params : dict with W1 (D, H), b1 (H,), W2 (H, C), b2 (C,)
    X : ndarray, shape (N, D)
    y : ndarray of int, shape (N,), labels in 0..C-1

    Returns
    -------
    loss : float, -(1/N) * sum_n log p[n, y_n]
    grads : dict with W1 (D, H), b1 (H,), W2 (H, C), b2 (C,)
    """
    ### BEGIN SOLUTION
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N = X.shape[0]
    A1 = X @ W1 + b1
    Z = np.maximum(A1, 0.0)
    A2 = Z @ W2 + b2
    shifted = A2 - A2.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_p[np.arange(N), y].mean())

    dA2 = np.exp(log_p)
    dA2[np.arange(N), y] -= 1.0
    dA2 /= N
    dZ = dA2 @ W2.T  # every output sends its error back to the hidden units
    dA1 = dZ * (A1 > 0)
    grads = {"W1": X.T @ dA1, "b1": dA1.sum(axis=0), "W2": Z.T @ dA2, "b2": dA2.sum(axis=0)}
    return loss, grads
    ### END SOLUTION


# %% [markdown]
# Try it. With small random weights the scores are nearly equal, so the loss should be close to
# $\log C$ (here $C = 3$, $\log 3 \approx 1.10$): a useful sanity check before any training.

# %%
tiny = {name: value * (0.01 if name.startswith("W") else 0.0) for name, value in params.items()}
loss0, _ = softmax_ce_loss_and_grads(tiny, X_small, y_small)
print(f"loss with tiny weights = {loss0:.4f}, log C = {np.log(3):.4f}")
loss, grads = softmax_ce_loss_and_grads(params, X_small, y_small)
for name in ("W1", "b1", "W2", "b2"):
    num = gradients.numerical_gradient(lambda _: softmax_ce_loss_and_grads(params, X_small, y_small)[0], params[name])
    print(f"d{name}: matches the numerical gradient: {gradients.rel_error(grads[name], num) < 1e-7}")

# %% nbgrader={"grade": true, "grade_id": "softmax_net_loss_tests", "locked": true, "points": 1, "schema_version": 3, "solution": false}
_p, _X, _, _y = _net_problem(8, 5, 6, 4, seed=401)
_tiny = {_k: _v * 1e-4 for _k, _v in _p.items()}
_loss, _ = testing.check_own_work(softmax_ce_loss_and_grads, _tiny, _X, _y, forbidden=NET_FORBIDDEN)
testing.assert_scalar(_loss, "loss with tiny weights")
testing.assert_close(
    _loss, np.log(4), name="loss with tiny weights (4 classes: nearly uniform, so about log 4)", rtol=1e-3, sizes={"N": 8, "C": 4}
)
# large scores must not overflow (no NaN, no warning)
_big = {_k: _v * 300.0 for _k, _v in _p.items()}
_loss, _ = testing.check_own_work(softmax_ce_loss_and_grads, _big, _X, _y, forbidden=NET_FORBIDDEN)
assert np.isfinite(_loss), f"loss with large weights should be finite, got {_loss}: subtract the row max before np.exp"
### BEGIN HIDDEN TESTS
_p, _X, _, _y = _net_problem(7, 3, 5, 3, seed=402)
_loss, _ = testing.check_own_work(softmax_ce_loss_and_grads, _p, _X, _y, forbidden=NET_FORBIDDEN)
_A2 = np.maximum(_X @ _p["W1"] + _p["b1"], 0) @ _p["W2"] + _p["b2"]
_A2 = _A2 - _A2.max(axis=1, keepdims=True)
_expected = -np.mean(_A2[np.arange(7), _y] - np.log(np.exp(_A2).sum(axis=1)))
testing.assert_scalar(_loss, "the loss of softmax_ce_loss_and_grads on another problem (the mean cross-entropy)", expected=_expected)
_loss, _ = testing.check_own_work(softmax_ce_loss_and_grads, {_k: _v * 300.0 for _k, _v in _p.items()}, _X, _y, forbidden=NET_FORBIDDEN)
_A2 = np.maximum(_X @ (300 * _p["W1"]) + 300 * _p["b1"], 0) @ (300 * _p["W2"]) + 300 * _p["b2"]
_A2 = _A2 - _A2.max(axis=1, keepdims=True)
_expected = -np.mean(_A2[np.arange(7), _y] - np.log(np.exp(_A2).sum(axis=1)))
testing.assert_scalar(_loss, "the loss of softmax_ce_loss_and_grads with large weights (subtract each row's max before np.exp)", expected=_expected)
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "softmax_net_grad_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
_p, _X, _, _y = _net_problem(8, 5, 6, 4, seed=403)
_loss, _grads = testing.check_own_work(softmax_ce_loss_and_grads, _p, _X, _y, forbidden=NET_FORBIDDEN)
assert isinstance(_grads, dict), f"grads should be a dict with keys W1, b1, W2, b2, got {type(_grads).__name__}"
# from the output layer back: a mistake in dA2 shows at W2 first, not at W1
for _name in ("W2", "b2", "W1", "b1"):
    assert _name in _grads, f"grads has no key {_name!r} (keys: {sorted(_grads)})"
    testing.assert_shape(_grads[_name], _p[_name].shape, name=f"grads[{_name!r}]")
    _num = gradients.numerical_gradient(lambda _: softmax_ce_loss_and_grads(_p, _X, _y)[0], _p[_name])
    testing.assert_grad_close(_grads[_name], _num, name=f"grads[{_name!r}]", threshold=1e-6)
### BEGIN HIDDEN TESTS
def _ref_ce(p, X, y):
    S = np.maximum(X @ p["W1"] + p["b1"], 0) @ p["W2"] + p["b2"]
    S = S - S.max(axis=1, keepdims=True)
    return float(-np.mean(S[np.arange(len(y)), y] - np.log(np.exp(S).sum(axis=1))))


_p, _X, _, _y = _net_problem(10, 3, 9, 5, seed=404)
_loss, _grads = testing.check_own_work(softmax_ce_loss_and_grads, _p, _X, _y, forbidden=NET_FORBIDDEN)
for _name in ("W2", "b2", "W1", "b1"):
    _num = gradients.numerical_gradient(lambda _: _ref_ce(_p, _X, _y), _p[_name])
    testing.assert_grad_close(_grads[_name], _num, name=f"the gradient of {_PARAM_WORDS[_name]} on another problem", threshold=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# ## 8. Layers as gates: the affine layer
#
# Exercises 3 and 4 wrote the whole network as one function. Larger networks are built from *layers*,
# each a gate with a forward and a backward pass, like the add and multiply gates of section 3. The
# affine (fully connected) layer computes `out = x @ W + b` for a batch: $x$ of shape $(N, D)$, $W$ of
# shape $(D, H)$, $b$ of shape $(H,)$, out of shape $(N, H)$. Its forward pass keeps in a *cache* what its
# backward pass needs; given the upstream gradient `dout` $= \partial L/\partial\,\text{out}$, shape
# $(N, H)$, the backward pass returns
#
# $$\frac{\partial L}{\partial x} = \texttt{dout}\;W^\top,\qquad
#   \frac{\partial L}{\partial W} = x^\top\,\texttt{dout},\qquad
#   \frac{\partial L}{\partial b} = \sum_{n=1}^N \texttt{dout}_{n,:},$$
#
# the same three products as `dZ`, `dW2` and `db2` of section 6. The bias is added to every row, so its
# gradient *sums* the rows (a sum, not a mean: the $\frac1N$ of the loss is already inside `dout`).

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex5_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 5: the affine layer, forward and backward (3 points)
#
# Implement `affine_forward(x, W, b)`, returning `(out, cache)`, and `affine_backward(dout, cache)`,
# returning `(dx, dW, db)`, each gradient of the shape of its variable. Do not change `x`, `W` or `b`.
# The forward pass is worth 1 point, the backward pass 2 points. Check the shapes: a matrix product in the
# wrong order either fails or gives a gradient of the wrong shape.

# %% nbgrader={"grade": false, "grade_id": "affine_gate", "locked": false, "schema_version": 3, "solution": true}
def affine_forward(x, W, b):
    """Affine layer, forward: out = x @ W + b.

    Parameters
    ----------
    x : ndarray, shape (N, D)
    W : ndarray, shape (D, H)
    b : ndarray, shape (H,)

    Returns
    -------
    out : ndarray, shape (N, H)
    cache : what affine_backward needs
    """
    ### BEGIN SOLUTION
    return x @ W + b, (x, W)
    ### END SOLUTION


def affine_backward(dout, cache):
    """Affine layer, backward: (dx, dW, db) of shapes (N, D), (D, H), (H,) from dout of shape (N, H)."""
    ### BEGIN SOLUTION
    x, W = cache
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)
    ### END SOLUTION


# %% [markdown]
# Try it on a batch of two examples small enough to check by hand: the first row of `out` is
# $(1 \cdot 1 + 2 \cdot 2 + 0.5,\; 1 \cdot 0 + 2 \cdot 1 - 1,\; -1 + 0 + 2) = (5.5, 1, 1)$.

# %%
x_hand = np.array([[1.0, 2.0], [3.0, -1.0]])
W_hand = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
b_hand = np.array([0.5, -1.0, 2.0])
out_hand, cache_hand = affine_forward(x_hand, W_hand, b_hand)
dx_hand, dW_hand, db_hand = affine_backward(np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]]), cache_hand)
print("out =", out_hand.tolist())
print("dx =", dx_hand.tolist(), " dW =", dW_hand.tolist(), " db =", db_hand.tolist())

# %% nbgrader={"grade": true, "grade_id": "affine_forward_tests", "locked": true, "points": 1, "schema_version": 3, "solution": false}
LAYER_FORBIDDEN = ("helpers.models", "helpers.network", "helpers.graph", "helpers.activations")
_x = np.array([[1.0, 2.0], [3.0, -1.0]])
_W = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
_b = np.array([0.5, -1.0, 2.0])
_out, _ = testing.check_own_work(affine_forward, _x, _W, _b, forbidden=LAYER_FORBIDDEN)
testing.assert_shape(_out, (2, 3), name="affine_forward(x, W, b)[0] for x (2, 2), W (2, 3)")
# a forgotten bias is the usual slip: name it rather than only showing numbers
assert not np.allclose(_out, _x @ _W), "affine_forward returns x @ W: the bias b is missing (out = x @ W + b)"
testing.assert_close(_out, [[5.5, 1.0, 1.0], [1.5, -2.0, -1.0]], name="affine_forward(x, W, b)[0] (worked by hand)")
### BEGIN HIDDEN TESTS
_g = np.random.default_rng(501)
_x, _W, _b = _g.normal(size=(1, 7)), _g.normal(size=(7, 2)), _g.normal(size=2)
_x0 = _x.copy()
_out, _ = testing.check_own_work(affine_forward, _x, _W, _b, forbidden=LAYER_FORBIDDEN)
testing.assert_close(_out, _x0 @ _W + _b, name="affine_forward for a single example (keep the batch axis)")
testing.assert_equal(_x, _x0, name="x after affine_forward (the layer must not change its input)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "affine_backward_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
LAYER_FORBIDDEN = ("helpers.models", "helpers.network", "helpers.graph", "helpers.activations")
_x = np.array([[1.0, 2.0], [3.0, -1.0]])
_W = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
_b = np.array([0.5, -1.0, 2.0])
_dout = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
_, _cache = testing.check_own_work(affine_forward, _x, _W, _b, forbidden=LAYER_FORBIDDEN)
_dx, _dW, _db = testing.check_own_work(affine_backward, _dout, _cache, forbidden=LAYER_FORBIDDEN)
# shapes first: a product in the wrong order shows here as a swapped shape
testing.assert_shape(_dx, _x.shape, name="dx (the shape of x)")
testing.assert_shape(_dW, _W.shape, name="dW (the shape of W)")
testing.assert_shape(_db, _b.shape, name="db (the shape of b)")
testing.assert_close(_dx, [[2.0, 2.0], [2.0, 5.0]], name="dx = dout @ W.T (worked by hand)")
testing.assert_close(_dW, [[7.0, 3.0, -1.0], [0.0, -1.0, -2.0]], name="dW = x.T @ dout (worked by hand)")
testing.assert_close(_db, [3.0, 1.0, -1.0], name="db = dout summed over the N = 2 rows (worked by hand)", sizes={"N": 2})
# and against centred differences on a random batch, where no hand-picked number can hide a mistake
_g = np.random.default_rng(502)
_x, _W, _b, _dout = _g.normal(size=(4, 5)), _g.normal(size=(5, 3)), _g.normal(size=3), _g.normal(size=(4, 3))
_, _cache = testing.check_own_work(affine_forward, _x, _W, _b, forbidden=LAYER_FORBIDDEN)
_dx, _dW, _db = testing.check_own_work(affine_backward, _dout, _cache, forbidden=LAYER_FORBIDDEN)
_num_dx = gradients.numerical_gradient_array(lambda v: _x @ _W + _b, _x, _dout)
_num_dW = gradients.numerical_gradient_array(lambda v: _x @ _W + _b, _W, _dout)
_num_db = gradients.numerical_gradient_array(lambda v: _x @ _W + _b, _b, _dout)
testing.assert_grad_close(_dx, _num_dx, name="dx of the affine layer (numerical check)")
testing.assert_grad_close(_dW, _num_dW, name="dW of the affine layer (numerical check)")
testing.assert_grad_close(_db, _num_db, name="db of the affine layer (numerical check)")
### BEGIN HIDDEN TESTS
for _N, _D, _H, _seed in ((1, 6, 2, 503), (9, 2, 7, 504)):
    _g = np.random.default_rng(_seed)
    _x, _W, _b, _dout = _g.normal(size=(_N, _D)), _g.normal(size=(_D, _H)), _g.normal(size=_H), _g.normal(size=(_N, _H))
    _x0, _W0, _dout0 = _x.copy(), _W.copy(), _dout.copy()
    _, _cache = testing.check_own_work(affine_forward, _x, _W, _b, forbidden=LAYER_FORBIDDEN)
    _dx, _dW, _db = testing.check_own_work(affine_backward, _dout, _cache, forbidden=LAYER_FORBIDDEN)
    testing.assert_close(_dx, _dout0 @ _W0.T, name="affine_backward's dx on other sizes (dout times W transposed)")
    testing.assert_close(_dW, _x0.T @ _dout0, name="affine_backward's dW on other sizes (x transposed times dout)")
    testing.assert_close(_db, _dout0.sum(axis=0), name="affine_backward's db on other sizes (dout summed over the examples)", sizes={"N": _N})
    testing.assert_equal(_x, _x0, name="x after the affine layer (the layer must not change its input)")
    testing.assert_equal(_dout, _dout0, name="dout after affine_backward (the layer must not change it)")
### END HIDDEN TESTS

# %% [markdown]
# ## 9. The ReLU layer, and a network built from layers
#
# The max gate of exercise 2 against the constant 0 *is* a ReLU, but a network's ReLU is better written as
# a layer of its own, in the same pattern as the affine layer: `out, cache = relu_forward(x)` and
# `dx = relu_backward(dout, cache)`. (This is how CS231n's assignments build every network: a library of
# layers, each a forward/backward pair with a cache, and a loss at the top.)
#
# **What is ReLU'(0)?** The ReLU has a kink at 0: its slope is 0 to the left and 1 to the right, and any
# value in between is a valid *subgradient*. Notebook 02 fixed `relu_grad(0) = 0`; the max gate of
# exercise 2 sends a tie to `x`, so `max(a, 0)` built from it has slope **1** at $a = 0$. Both are
# correct, they only differ where an input is exactly 0 (which random real inputs almost never are). The
# ReLU layer below follows notebook 02: slope 0 at 0, so a unit whose input is exactly 0 passes no
# gradient back. The end of this section measures where the two conventions differ.

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex6_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 6: the ReLU layer, forward and backward (2 points)
#
# Implement `relu_forward(x)`, returning `(out, cache)` with `out = max(0, x)` elementwise (floats, the
# shape of `x`), and `relu_backward(dout, cache)`, returning `dx`: `dout` where `x > 0` and 0 elsewhere,
# **0 at x = 0** as in notebook 02. Do not change `x` or `dout`. Use NumPy only (no `helpers.activations`,
# no max gate).

# %% nbgrader={"grade": false, "grade_id": "relu_layer", "locked": false, "schema_version": 3, "solution": true}
def relu_forward(x):
    """ReLU layer, forward: out = max(0, x) elementwise.

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    out : ndarray, shape of x, float
    cache : what relu_backward needs
    """
    ### BEGIN SOLUTION
    return np.maximum(x, 0.0), x
    ### END SOLUTION


def relu_backward(dout, cache):
    """ReLU layer, backward: dx of the shape of dout, 0 where x <= 0 (ReLU'(0) = 0)."""
    ### BEGIN SOLUTION
    x = cache
    return np.where(x > 0, dout, 0.0)
    ### END SOLUTION


# %% [markdown]
# Try it: the inputs $-1, 0, 2$ with upstream gradient $5, 6, 7$ give outputs $0, 0, 2$ and gradients
# $0, 0, 7$ (the input 0 passes nothing back).

# %%
r_out, r_cache = relu_forward(np.array([-1.0, 0.0, 2.0]))
print("out =", r_out.tolist(), " dx =", relu_backward(np.array([5.0, 6.0, 7.0]), r_cache).tolist())

# %% nbgrader={"grade": true, "grade_id": "relu_layer_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
LAYER_FORBIDDEN = ("helpers.models", "helpers.network", "helpers.graph", "helpers.activations")
_x = np.array([[-1.0, 0.0, 2.0], [3.0, -0.5, 0.0]])
_dout = np.array([[5.0, 6.0, 7.0], [1.0, 2.0, 3.0]])
_out, _cache = testing.check_own_work(relu_forward, _x, forbidden=LAYER_FORBIDDEN)
testing.assert_shape(_out, (2, 3), name="relu_forward(x)[0]")
testing.assert_dtype(_out, np.floating, name="relu_forward(x)[0]")
testing.assert_close(_out, [[0.0, 0.0, 2.0], [3.0, 0.0, 0.0]], name="relu_forward(x)[0] (worked by hand)")
_dx = testing.check_own_work(relu_backward, _dout, _cache, forbidden=LAYER_FORBIDDEN)
testing.assert_shape(_dx, (2, 3), name="relu_backward(dout, cache)")
testing.assert_dtype(_dx, np.floating, name="relu_backward(dout, cache)")
testing.assert_close(
    _dx,
    [[0.0, 0.0, 7.0], [1.0, 0.0, 0.0]],
    name="relu_backward(dout, cache) (dout where x > 0, and 0 at x = 0)",
    mistakes={
        "the slope at x = 0 is 1 here (x >= 0): this layer uses ReLU'(0) = 0, as notebook 02 does (x > 0).": [
            [0.0, 6.0, 7.0],
            [1.0, 0.0, 3.0],
        ],
        "the local gradient without dout: multiply the mask by the upstream gradient dout.": [
            [0.0, 0.0, 1.0],
            [1.0, 0.0, 0.0],
        ],
    },
)
# what each layer left in its inputs (they get copies: the test's own _x and _dout never change)
_x_left = testing.call(relu_forward, _x).args[0]
_dout_left = testing.call(relu_backward, _dout, testing.call(relu_forward, _x).value[1]).args[0]
assert np.array_equal(_x_left, _x) and np.array_equal(_dout_left, _dout), (
    "relu_forward or relu_backward changed its input in place (e.g. x[x < 0] = 0): build new arrays"
)
# against centred differences where no input is at the kink
_g = np.random.default_rng(601)
_x, _dout = _g.normal(size=(4, 5)), _g.normal(size=(4, 5))
_, _cache = testing.check_own_work(relu_forward, _x, forbidden=LAYER_FORBIDDEN)
_dx = testing.check_own_work(relu_backward, _dout, _cache, forbidden=LAYER_FORBIDDEN)
testing.assert_grad_close(
    _dx, gradients.numerical_gradient_array(lambda v: np.maximum(v, 0.0), _x, _dout), name="dx of the ReLU layer"
)
### BEGIN HIDDEN TESTS
for _shape, _seed in (((7,), 602), ((3, 2, 4), 603)):
    _g = np.random.default_rng(_seed)
    _x, _dout = _g.normal(size=_shape), _g.normal(size=_shape)
    _x.flat[::3] = 0.0
    _x0 = _x.copy()
    _out, _cache = testing.check_own_work(relu_forward, _x, forbidden=LAYER_FORBIDDEN)
    _dx = testing.check_own_work(relu_backward, _dout, _cache, forbidden=LAYER_FORBIDDEN)
    testing.assert_close(_out, np.maximum(_x0, 0.0), name="relu_forward on another shape")
    testing.assert_close(_dx, np.where(_x0 > 0, _dout, 0.0), name="relu_backward on another shape, with inputs at zero (no gradient passes there)")
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex7_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 7: a network from your layers, and its gradient check (3 points)
#
# (a) Write `layered_net_loss(params, X, y)` for the two-layer network of exercise 4, affine - ReLU -
# affine - softmax cross-entropy, built **only from your layers**: `affine_forward`, `relu_forward`,
# `affine_forward`, then the course's `losses.softmax_loss(scores, y)` (notebook 04; it returns the mean
# loss and $\partial L/\partial\,\text{scores}$), and back down through `affine_backward`, `relu_backward`,
# `affine_backward`, each taking the gradient its upper neighbour returned. Return
# `(loss, grads)` with `grads` a dict of `W1, b1, W2, b2`. (2 points)
#
# (b) Write `grad_check(loss_fn, params)`: for every name in `params`, the relative error between the
# analytic gradient `loss_fn(params)[1][name]` and the numerical gradient of `loss_fn(params)[0]` with
# respect to `params[name]`. Use `gradients.numerical_gradient(f, x)` (your notebook 06, centred
# differences, which changes `x` in place and restores it) and `gradients.rel_error(a, b)`. Return a dict
# `{name: relative error}`. (1 point)

# %% nbgrader={"grade": false, "grade_id": "layered_net", "locked": false, "schema_version": 3, "solution": true}
def layered_net_loss(params, X, y):
    """Loss and gradients of affine - ReLU - affine - softmax, composed from the layers above.

    Parameters
    ----------
    params : dict
        W1 (D, H), b1 (H,), W2 (H, C), b2 (C,).
    X : ndarray, shape (N, D)
    y : ndarray of int, shape (N,)

    Returns
    -------
    loss : float
    grads : dict
        W1, b1, W2, b2, each of the shape of its parameter.
    """
    ### BEGIN SOLUTION
    a1, cache1 = affine_forward(X, params["W1"], params["b1"])
    z, cache_relu = relu_forward(a1)
    scores, cache2 = affine_forward(z, params["W2"], params["b2"])
    loss, dscores = losses.softmax_loss(scores, y)
    dz, dW2, db2 = affine_backward(dscores, cache2)
    da1 = relu_backward(dz, cache_relu)
    _, dW1, db1 = affine_backward(da1, cache1)
    return float(loss), {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
    ### END SOLUTION


def grad_check(loss_fn, params):
    """Relative error of every analytic gradient of ``loss_fn`` against centred differences.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(params)`` returns ``(loss, grads)``, grads a dict with the keys of params.
    params : dict of ndarray

    Returns
    -------
    dict
        ``{name: rel_error(analytic, numerical)}`` for every name in params.
    """
    ### BEGIN SOLUTION
    _, grads = loss_fn(params)
    errors = {}
    for name in params:
        numerical = gradients.numerical_gradient(lambda _: loss_fn(params)[0], params[name])
        errors[name] = gradients.rel_error(grads[name], numerical)
    return errors
    ### END SOLUTION


# %% [markdown]
# Try it on the small problem of exercise 4: the loss and the gradients agree with your
# `softmax_ce_loss_and_grads`, and every relative error is far below $10^{-7}$.

# %%
loss_layers, grads_layers = layered_net_loss(params, X_small, y_small)
loss_ex4, grads_ex4 = softmax_ce_loss_and_grads(params, X_small, y_small)
print(f"loss from layers {loss_layers:.6f}, from exercise 4 {loss_ex4:.6f}")
for name, err in grad_check(lambda p: layered_net_loss(p, X_small, y_small), params).items():
    print(f"d{name}: relative error {err:.1e}; equal to exercise 4: {np.allclose(grads_layers[name], grads_ex4[name])}")

# %% nbgrader={"grade": true, "grade_id": "layered_net_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
NET_FORBIDDEN = ("helpers.models", "helpers.network", "helpers.graph", "helpers.activations")


def _reference_loss(p, X, y):
    """The network's loss, forward only, for the test."""
    scores = np.maximum(X @ p["W1"] + p["b1"], 0.0) @ p["W2"] + p["b2"]
    return losses.softmax_loss(scores, y)[0]


def _assembled(p, X, y):
    """layered_net_loss(p, X, y) with your own layers (the grader calls it on copies)."""
    return testing.check_own_work(layered_net_loss, p, X, y, forbidden=NET_FORBIDDEN)


_p, _X, _T, _y = make_problem(N=6, D=3, H=5, C=4, seed=71)
_out = _assembled(_p, _X, _y)
assert isinstance(_out, tuple) and len(_out) == 2, "layered_net_loss must return a pair (loss, grads)"
_loss, _grads = _out
testing.assert_scalar(_loss, "loss of layered_net_loss", expected=_reference_loss(_p, _X, _y))
assert isinstance(_grads, dict) and set(_grads) == {"W1", "b1", "W2", "b2"}, (
    f"grads should be a dict with the keys W1, b1, W2, b2, got {sorted(_grads) if isinstance(_grads, dict) else type(_grads).__name__}"
)
for _name in ("W2", "b2", "W1", "b1"):
    testing.assert_shape(_grads[_name], _p[_name].shape, name=f"grads['{_name}']")
    testing.assert_close(
        _grads[_name],
        gradients.numerical_gradient(lambda _: _reference_loss(_p, _X, _y), _p[_name]),
        rtol=1e-5,
        atol=1e-8,
        name=f"grads['{_name}'] (against centred differences of the loss)",
    )
### BEGIN HIDDEN TESTS
for _N, _D, _H, _C, _seed in ((1, 2, 3, 2, 72), (9, 4, 7, 3, 73)):
    _p, _X, _T, _y = make_problem(N=_N, D=_D, H=_H, C=_C, seed=_seed)
    _loss, _grads = _assembled(_p, _X, _y)
    testing.assert_scalar(_loss, "loss of layered_net_loss on another problem", expected=_reference_loss(_p, _X, _y))
    for _name in ("W2", "b2", "W1", "b1"):
        testing.assert_close(
            _grads[_name],
            gradients.numerical_gradient(lambda _, p=_p, X=_X, y=_y: _reference_loss(p, X, y), _p[_name]),
            rtol=1e-5,
            atol=1e-8,
            name=f"the gradient of {_PARAM_WORDS[_name]} on another problem",
        )
### END HIDDEN TESTS

# %% [markdown]
# **A check that is not graded.** The graded tests above judge your network by its values. Whether it is
# built from *your layers* (`affine_forward` and `affine_backward` twice, `relu_forward` and
# `relu_backward` once) only your own kernel can see, so it is checked here, for you, and not graded:
# your four layers are swapped for stand-ins that count their calls.

# %% nbgrader={"grade": false, "grade_id": "layered_net_calls_check", "locked": true, "schema_version": 3, "solution": false}
_STAND_INS = {
    "affine_forward": lambda x, W, b: (x @ W + b, (x, W, b)),
    "affine_backward": lambda d, c: tuple(
        gradients.numerical_gradient_array(lambda _: c[0] @ c[1] + c[2], v, d) for v in c
    ),
    "relu_forward": lambda x: (np.maximum(x, 0.0), x.copy()),
    "relu_backward": lambda d, x: gradients.numerical_gradient_array(lambda v: np.maximum(v, 0.0), x, d),
}
_EXPECTED_CALLS = {"affine_forward": 2, "affine_backward": 2, "relu_forward": 1, "relu_backward": 1}
_calls = dict.fromkeys(_STAND_INS, 0)


def _counted(name):
    def layer(*args):
        _calls[name] += 1
        return _STAND_INS[name](*args)

    return layer


_yours = {name: globals()[name] for name in _STAND_INS}
globals().update({name: _counted(name) for name in _STAND_INS})
try:
    _p, _X, _T, _y = make_problem(N=6, D=3, H=5, C=4, seed=71)
    layered_net_loss(_p, _X, _y)
finally:
    globals().update(_yours)
assert _calls == _EXPECTED_CALLS, (
    f"layered_net_loss should be built from your layers, calling them {_EXPECTED_CALLS}; it called {_calls}"
)
print("layered_net_loss is built from your layers:", _calls)

# %% nbgrader={"grade": true, "grade_id": "grad_check_tests", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# grad_check works for any loss_fn; it is tested on a quadratic whose gradients are known exactly
_g = np.random.default_rng(74)
_q = {"W": _g.normal(size=(3, 4)), "b": _g.normal(size=4)}
_A, _c = _g.uniform(0.5, 2.0, size=(3, 4)), _g.normal(size=4)


def _right(p):
    """sum(A W^2) + c . b + sum(b^2) / 2, with its exact gradients."""
    loss = np.sum(_A * p["W"] ** 2) + _c @ p["b"] + 0.5 * np.sum(p["b"] ** 2)
    return float(loss), {"W": 2 * _A * p["W"], "b": _c + p["b"]}


_gW = _right(_q)[1]["W"]
_k = np.unravel_index(np.argmax(np.abs(_gW)), _gW.shape)  # the largest entry of W's gradient


def _wrong(p):
    """One entry of W's gradient doubled, b's gradient missing: grad_check must see both, nothing else."""
    loss, grads = _right(p)
    dW = grads["W"].copy()
    dW[_k] *= 2
    return loss, {"W": dW, "b": np.zeros_like(grads["b"])}


_errors = testing.check_own_work(grad_check, _right, _q, forbidden=("helpers.models", "helpers.network"))
assert isinstance(_errors, dict) and set(_errors) == set(_q), (
    f"grad_check should return a dict with one relative error per parameter ({sorted(_q)}), got {_errors!r}"
)
_q_left = testing.call(grad_check, _right, _q).args[1]  # what grad_check left in params (it gets a copy)
for _name in _q:
    assert np.array_equal(_q_left[_name], _q[_name]), f"grad_check changed params['{_name}']: restore it"
    testing.assert_scalar(_errors[_name], f"grad_check(...)['{_name}']")
    assert _errors[_name] < 1e-7, f"grad_check of right gradients gives {_errors[_name]:.1e} for {_name}: expect < 1e-7"
_errors = testing.check_own_work(grad_check, _wrong, _q, forbidden=("helpers.models", "helpers.network"))
testing.assert_close(
    _errors["W"],
    1 / 3,
    rtol=1e-4,
    name="grad_check's relative error when one entry g of W's gradient is doubled (the largest over the entries, "
    "|2g - g| / (|2g| + |g|) = 1/3)",
    mistakes={
        "the absolute error |a - n|: use the relative error |a - n| / max(1e-8, |a| + |n|) (gradients.rel_error).": abs(
            _gW[_k]
        ),
        "the mean over the entries: the relative error of a gradient is its largest entry's (as rel_error gives it).": 1
        / 3
        / _gW.size,
    },
)
testing.assert_close(_errors["b"], 1.0, rtol=1e-6, name="grad_check's relative error for an all-zero gradient of b")
### BEGIN HIDDEN TESTS
_r = {"u": _g.normal(size=5), "v": _g.normal(size=(2, 2)), "s": _g.normal(size=1)}
_hidden_errors = testing.check_own_work(
    grad_check,
    lambda p: (float(np.sum(p["u"] ** 3) + np.sum(p["v"] * p["s"])), {"u": 3 * p["u"] ** 2, "v": p["s"] * np.ones((2, 2)), "s": np.sum(p["v"], keepdims=True)[0]}),
    _r,
    forbidden=("helpers.models", "helpers.network"),
)
testing.assert_true(
    set(_hidden_errors) == {"u", "v", "s"},
    "grad_check gives one relative error per parameter, for any parameter names",
    hint="grad_check should give one relative error per parameter",
)
testing.assert_true(
    max(_hidden_errors.values()) < 1e-7,
    "grad_check of right gradients on another function gives tiny relative errors",
    hint="grad_check of right gradients on another function should stay below 1e-7",
)
_hidden_errors = testing.check_own_work(
    grad_check,
    lambda p: (_right(p)[0], {"W": -_right(p)[1]["W"], "b": _right(p)[1]["b"]}),
    _q,
    forbidden=("helpers.models", "helpers.network"),
)
testing.assert_close(_hidden_errors["W"], 1.0, rtol=1e-6, name="grad_check's relative error for a gradient of the wrong sign")
testing.assert_true(
    _hidden_errors["b"] < 1e-7,
    "grad_check of a right gradient beside a wrong one gives a tiny relative error (one error per parameter)",
    hint="grad_check of a right gradient should stay below 1e-7",
)
### END HIDDEN TESTS

# %% [markdown]
# **Where the two ReLU conventions differ.** Feed inputs that land exactly on the kink: with all-zero
# weights, every hidden input $a_1$ is 0. The cell compares, at $a = 0$, your ReLU layer (slope 0), the max
# gate of exercise 2 against 0 (ties go to the input: slope 1), and the centred difference, which
# averages the two one-sided slopes.

# %%
kink = np.zeros(4)
_, kink_cache = relu_forward(kink)
_, kink_max_cache = max_forward(kink, np.zeros_like(kink))
slope_layer = relu_backward(np.ones(4), kink_cache)
slope_max_gate = max_backward(np.ones(4), kink_max_cache)[0]
slope_centred = gradients.numerical_gradient_array(lambda v: np.maximum(v, 0.0), kink.copy(), np.ones(4))
print(f"slope at a = 0: ReLU layer {slope_layer[0]:g}, max gate {slope_max_gate[0]:g}, centred difference {slope_centred[0]:g}")
print(f"a random input is exactly 0 with probability 0: {np.count_nonzero(rng.normal(size=10**6) == 0)} of 10^6 draws")

# %% [markdown]
# The layer gives 0, the max gate 1 and the centred difference 0.5: at the kink a gradient check cannot
# agree with either convention, which is why the checks above avoid inputs at 0. Not one of a million
# random draws is exactly 0, so for trained networks the convention does not matter. It matters for
# special starts such as all-zero weights (below): there the ReLU layer passes no gradient to `W1`.

# %% [markdown]
# ### Why the weights start random: symmetry
#
# Every network in this notebook starts from random weights. Why not from zero, or from one tidy constant?
# Start every weight of `W1` at the same value and every weight of `W2` at another. Then every hidden unit
# computes the same $a_j$ for an example, so the same $z_j$; every output weighs them equally, so
# `dZ = dA2 @ W2.T` sends each hidden unit the same error, and `dW1 = X.T @ dA1` has equal columns (and
# `dW2 = Z.T @ dA2` equal rows). The update keeps the units equal, and so does the next one: after any
# number of steps the $H$ hidden units are **one unit copied $H$ times**. All zeros is the extreme case:
# $A_1 = 0$, so $Z = 0$ and the ReLU's slope is 0, and neither `W1` nor `W2` gets any gradient at all;
# only the output bias learns. The cell trains the network composed from your layers (exercise 7) with
# plain gradient descent from three starts; the rows of `W1.T` are the hidden units' weights.

# %%
def train_from(start, steps=200, lr=0.5):
    """Gradient descent on a small problem from the initial parameters `start`; returns (loss, params)."""
    p = {name: value.copy() for name, value in start.items()}
    for _ in range(steps):
        loss, grads = layered_net_loss(p, X_sym, y_sym)
        for name in p:
            p[name] -= lr * grads[name]
    return layered_net_loss(p, X_sym, y_sym)[0], p


_, X_sym, _, y_sym = make_problem(N=60, D=4, H=5, C=3, seed=11)
D_sym, H_sym, C_sym = 4, 5, 3
g_sym = np.random.default_rng(12)
starts = {
    "all zero": {"W1": np.zeros((D_sym, H_sym)), "W2": np.zeros((H_sym, C_sym))},
    "all equal (0.3)": {"W1": np.full((D_sym, H_sym), 0.3), "W2": np.full((H_sym, C_sym), 0.3)},
    "random (He scale)": {
        "W1": g_sym.normal(scale=np.sqrt(2 / D_sym), size=(D_sym, H_sym)),
        "W2": g_sym.normal(scale=np.sqrt(2 / H_sym), size=(H_sym, C_sym)),
    },
}
for label, start in starts.items():
    start.update(b1=np.zeros(H_sym), b2=np.zeros(C_sym))
    loss_sym, p_sym = train_from(start)
    distinct = len({tuple(np.round(unit, 8)) for unit in np.vstack([p_sym["W1"], p_sym["b1"]]).T})
    print(
        f"{label:18s}: loss {loss_sym:.3f} after 200 steps, max |W1| = {np.abs(p_sym['W1']).max():.3f}, "
        f"distinct hidden units: {distinct} of {H_sym}"
    )

# %% [markdown]
# From zero nothing but the output bias moves: `W1` is still 0, and the loss only falls to 1.089, the
# entropy of the labels (30%, 40%, 30%), which predicting the class frequencies for every input gets.
# From a constant the weights do change, but the five hidden units stay one. Random weights give five
# different units and a much lower loss. Random numbers *break the
# symmetry*; notebook 02 (section 10) says how large they should be.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_symmetry", "locked": false, "points": 1, "schema_version": 3, "solution": true}
# ### Question 2 (1 point, graded by hand)
#
# Suppose `W1` starts random but `W2` starts at all zeros (biases 0). Is the symmetry broken? Say what the
# first gradient step changes and what the second one changes, in two to four sentences. (You can try it
# in the cell above.)
#
# ### BEGIN SOLUTION
# Yes. The hidden units already differ, because the columns of `W1` differ, so their outputs $Z$ differ.
# At the first step `dZ = dA2 @ W2.T` is 0, so `W1` and `b1` get no gradient, but `dW2 = Z.T @ dA2` is not
# 0 and its rows differ (one per hidden unit), so after one step the rows of `W2` differ. From the second
# step on every hidden unit receives its own error through its own row of `W2`, and all weights learn.
# (Only one layer needs random weights to break the symmetry; starting the last layer at 0 is common.)
# ### END SOLUTION

# %% [markdown]
# ## 10. Why backwards?
#
# Count the work. For a network with $P$ weights, a numerical gradient needs $2P$ forward passes (two per
# weight). The backward pass costs about twice as much as *one* forward pass (two matrix products per layer
# where the forward pass has one: one for the weights' gradient, one to pass the gradient down), and gives
# all $P$ derivatives at once. The figure compares both on the network above as the hidden
# layer grows: the number of loss evaluations is exact; the time is measured and depends on the machine.

# %%
# NBVAL_IGNORE_OUTPUT
import time

sizes = [4, 8, 16, 32, 64]
n_weights, t_backprop, t_numeric = [], [], []
for hidden in sizes:
    p_h, X_h, _, y_h = make_problem(N=20, D=10, H=hidden, C=3, seed=1)
    n_weights.append(sum(v.size for v in p_h.values()))
    repeats = []
    for _ in range(20):  # the fastest of 20 runs: single timings of tiny functions are noisy
        start = time.perf_counter()
        softmax_ce_loss_and_grads(p_h, X_h, y_h)
        repeats.append(time.perf_counter() - start)
    t_backprop.append(min(repeats))
    start = time.perf_counter()
    for name in p_h:
        gradients.numerical_gradient(lambda _, p=p_h, X=X_h, y=y_h: softmax_ce_loss_and_grads(p, X, y)[0], p_h[name])
    t_numeric.append(time.perf_counter() - start)

fig, ax = plt.subplots(figsize=(6, 3.8))
ax.loglog(n_weights, t_numeric, "o-", label="numerical gradient (2P loss evaluations)")
ax.loglog(n_weights, t_backprop, "s-", label="backpropagation (1 forward + 1 backward)")
ax.set_xlabel("number of weights P")
ax.set_ylabel("time for the full gradient (s)")
ax.set_title("Cost of one gradient: backprop versus finite differences")
ax.legend()
plt.show()
for P, tb, tn in zip(n_weights, t_backprop, t_numeric, strict=True):
    print(f"P = {P:5d}: backprop {1e3 * tb:7.3f} ms, numerical {1e3 * tn:8.1f} ms  (x{tn / tb:,.0f})")

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_backward_order", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### Question 3 (2 points, graded by hand)
#
# The lecture computes the gradients from the loss *backwards* to the inputs: "first calculate the error of
# the output units ... next calculate the error for hidden units based on the errors on the output units it
# feeds into". Why go in this direction? Why not start at the weights of the first layer and go forward?
# Answer in two to four sentences.
#
# ### BEGIN SOLUTION
# The loss is one number but there are very many weights. Going backwards, each node's gradient
# $\partial L/\partial(\text{node})$ is computed once and then reused by everything below it (every weight
# of a layer shares the upstream gradient of that layer's outputs), so one backward sweep, about twice the
# cost of a forward pass, gives the derivative with respect to every weight. A hidden unit's error
# $\partial L/\partial z_j$ is a sum over all outputs it feeds, so it can only be formed after the output
# errors are known. Going forward from a weight only gives the derivative with respect to that one weight
# (or input) per sweep, so we would need one sweep per weight, like the numerical gradient.
# ### END SOLUTION

# %% [markdown]
# ## Summary
#
# * A **computation graph** breaks a function into elementary operations; the forward pass computes and
#   caches every value, the backward pass starts from $\partial L/\partial L = 1$ and walks back.
# * At every node, **downstream gradient = local gradient $\times$ upstream gradient**; where a value
#   feeds several nodes, the gradients **add**. For $f = (x + y)z$ at $(-2, 5, -4)$: $q = 3$, $f = -12$,
#   $\partial f/\partial z = 3$, $\partial f/\partial q = -4$, $\partial f/\partial x = \partial f/\partial y = -4$.
# * Gates have characteristic flows: add **distributes**, multiply **swaps**, max **routes**, sigmoid
#   **shrinks** (by at most $\tfrac14$).
# * In the two-layer network the slide's chain
#   $\frac{dL}{dw_{kj}} = \frac{dL}{dy_k}\frac{dy_k}{da_k}\frac{da_k}{dw_{kj}}$ becomes a few matrix
#   products: `dW2 = Z.T @ dA2`, `dZ = dA2 @ W2.T`, `dW1 = X.T @ dA1`; changing the loss only changes
#   `dA2` (softmax cross-entropy: $p - \text{one-hot}$).
# * A **layer is a gate** with a cache: the affine layer's backward pass is `dx = dout @ W.T`,
#   `dW = x.T @ dout`, `db = dout.sum(axis=0)`; the ReLU layer's is `dout` where $x > 0$ (ReLU'(0) = 0, as
#   in notebook 02; the max gate's ties give 1, the centred difference 0.5: at the kink all are subgradients).
#   A network is its layers called forward, then backward, and `grad_check` compares every gradient with
#   centred differences.
# * Start from **random** weights: with all-equal (or all-zero) weights every hidden unit gets the same
#   gradient and the units stay copies of one another forever; from zero, a ReLU layer gets no gradient at all.
# * Always check an analytic gradient against a **numerical** one on a small problem.
# * Backpropagation gives all gradients for about twice the cost of one forward pass: that is what makes
#   training networks with millions of weights possible.
#
# **Next:** notebook 08 puts the pieces together and trains these networks on the real CIFAR-10.
