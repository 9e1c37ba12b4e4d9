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
# # 02 · Activation functions
#
# Notebook 01 showed that the nonlinearity $h$ between two layers is what makes a network more than a
# linear model. The lecture lists six choices: **sigmoid, tanh, ReLU, leaky ReLU, ELU and maxout**. They
# all bend a straight line, but they bend it differently, and that difference decides whether a deep
# network can be trained at all. Training (notebooks 06 and 07) needs the *derivative* $h'(a)$ of
# every activation, so you implement each function together with its derivative.
#
# **Learning goals.** After this notebook you can
#
# 1. implement the six activations of the lecture and their derivatives in NumPy;
# 2. write a sigmoid that does not overflow, and explain the trick;
# 3. explain *saturation* and why it makes gradients vanish in deep sigmoid networks;
# 4. explain *dead ReLUs* and how leaky ReLU, ELU and maxout avoid them;
# 5. show that maxout contains ReLU and leaky ReLU as special cases;
# 6. derive the Xavier and He scales of the initial weights, and show what smaller or larger ones do
#    to the activations of a deep network.
#
# **Time:** about 85 minutes. **Total: 17 points**, 13 autograded (seven exercises) and 4 for two
# short written answer.
#
# Run the cells from top to bottom. Cells marked *Exercise* are yours; the cell after each one tests
# your answer (the visible checks are a subset of the checks used for grading). Use NumPy only: the
# course library has these functions too, but answers that call it earn no credit.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import warnings

import numpy as np
from IPython.display import display

from helpers import activation_figures, figure_style, init, testing, widgets
from helpers import activations as lib

rng = np.random.default_rng(0)
figure_style.use_course_style()
np.set_printoptions(precision=4, suppress=True)

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_sigmoid", "locked": true, "schema_version": 3, "solution": false}
# ## 1. Sigmoid
#
# $$\sigma(x) = \frac{1}{1 + e^{-x}}$$
#
# squashes any number into $(0, 1)$, which reads as a probability, and was the classic choice for hidden
# units because it looks like a neuron's firing rate: 0 far below the threshold, 1 far above it.
#
# Its derivative has a neat form. With $u = 1 + e^{-x}$,
#
# $$\sigma'(x) = \frac{e^{-x}}{(1 + e^{-x})^2} = \frac{1}{1 + e^{-x}} \cdot \frac{e^{-x}}{1 + e^{-x}}
#   = \sigma(x)\,\bigl(1 - \sigma(x)\bigr),$$
#
# the same formula the lecture uses for $dy_k/da_k$ in backpropagation. Its largest value is
# $\sigma'(0) = \tfrac12 \cdot \tfrac12 = \tfrac14$.
#
# ### Overflow
#
# Written literally, the formula breaks for large negative $x$: $e^{-x} = e^{1000}$ does not fit in a
# float64 (the largest is about $1.8 \times 10^{308} \approx e^{709.8}$). NumPy returns `inf` and emits
# a `RuntimeWarning`; the final answer $1/\infty = 0$ happens to be right, but the warning goes to
# stderr (and nbgrader scores a test cell with stderr output as failed). Here is the overflow, caught
# as an error so we can print it:

# %% nbgrader={"grade": false, "grade_id": "overflow_demo", "locked": true, "schema_version": 3, "solution": false}
def sigmoid_naive(x):
    return 1.0 / (1.0 + np.exp(-x))


with np.errstate(over="raise"):
    try:
        sigmoid_naive(np.array([-1000.0]))
    except FloatingPointError as err:
        print("sigmoid_naive(-1000):", type(err).__name__, "-", err)

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_stable_sigmoid", "locked": true, "schema_version": 3, "solution": false}
# The cure is to never call `exp` on a large positive number. For $x < 0$ multiply numerator and
# denominator by $e^{x}$:
#
# $$\sigma(x) = \frac{1}{1 + e^{-x}} = \frac{e^{x}}{e^{x} + 1} \qquad (x < 0).$$
#
# Now the exponent is negative in both branches: use $\frac{1}{1 + e^{-x}}$ for $x \ge 0$ and
# $\frac{e^{x}}{1 + e^{x}}$ for $x < 0$. A compact way is to compute $e = e^{-|x|}$ once (always
# $\le 1$) and choose with `np.where(x >= 0, 1 / (1 + e), e / (1 + e))`.
#
# Careful with `np.where(cond, A, B)`: NumPy computes **both** `A` and `B` for every element before
# choosing, so `np.where(x >= 0, 1 / (1 + np.exp(-x)), ...)` still overflows for $x = -1000$.

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_ex_sigmoid", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 1: an overflow-safe sigmoid (2 points)
#
# Write `sigmoid(x)` for an array `x` of any shape, returning an array of the same shape. It must give
# `0.0` and `1.0` (no `nan`) for $x = \mp 1000$ **without any warning**.

# %% nbgrader={"grade": false, "grade_id": "sigmoid", "locked": false, "schema_version": 3, "solution": true}
def sigmoid(x):
    """Overflow-safe logistic sigmoid 1 / (1 + exp(-x)).

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    out : ndarray, same shape as x, values in [0, 1]
    """
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "try_sigmoid", "locked": true, "schema_version": 3, "solution": false}
print(sigmoid(np.array([-1000.0, -2.0, 0.0, 2.0, 1000.0])))

# %% nbgrader={"grade": true, "grade_id": "sigmoid_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Visible checks: shape, sigma(0) = 1/2, symmetry sigma(-x) = 1 - sigma(x), and the values far out.
x_test = np.linspace(-6, 6, 13).reshape(13, 1)
out = testing.check_own_work(sigmoid, x_test)
testing.assert_shape(out, (13, 1), name="sigmoid(x) for x of shape (13, 1)")
testing.assert_close(out[6, 0], 0.5, name="sigmoid(0)")
testing.assert_close(out[8, 0], 1.0 / (1.0 + np.exp(-2.0)), name="sigmoid(2) = 1 / (1 + e^-2)")
testing.assert_close(out + out[::-1], np.ones((13, 1)), name="sigmoid(x) + sigmoid(-x) (should be 1)")
# Values only: whether your sigmoid warns is checked (for you, ungraded) in the cell after this one.
# sigmoid(-720) = e^-720 / (1 + e^-720) is about 2e-313: tiny, and still not 0 in float64.
x_far = np.array([-1000.0, -720.0, 1000.0])
with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)
    out = testing.check_own_work(sigmoid, x_far)
    naive = 1.0 / (1.0 + np.exp(-x_far))
    ratio = np.exp(x_far) / (1.0 + np.exp(x_far))
testing.assert_close(
    out,
    [0.0, np.exp(-720.0), 1.0],
    rtol=1e-6,
    atol=0.0,
    name="sigmoid([-1000, -720, 1000]) (sigmoid(-720) is e^-720, about 2e-313, not 0)",
    mistakes={
        "1 / (1 + np.exp(-x)) for every x: np.exp(720) overflows to inf (a RuntimeWarning) and 1 / inf is 0; "
        "use the stable formula above": naive,
        "e^x / (1 + e^x) for every x: np.exp(1000) overflows (a RuntimeWarning) and inf / inf is nan; "
        "use the stable formula above": ratio,
    },
)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(11)
for _shape in ((7,), (3, 4), (2, 3, 5)):
    _x = _rng.normal(scale=8.0, size=_shape)
    _out = testing.check_own_work(sigmoid, _x)
    testing.assert_close(
        _out, np.exp(-np.logaddexp(0.0, -_x)), name="sigmoid of random inputs of any shape, elementwise"
    )
_x = np.array([-1e3, -745.0, -710.0, -40.0, -1e-9, 0.0, 1e-9, 40.0, 710.0, 1e3])
with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)
    _out = testing.check_own_work(sigmoid, _x)
_want = np.exp(-np.logaddexp(0.0, -_x))  # reference written here, independent of the library
testing.assert_close(
    _out, _want, rtol=1e-9, atol=0.0, name="sigmoid keeps its relative accuracy far out in both tails"
)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_sigmoid_warning_check", "locked": true, "schema_version": 3, "solution": false}
# A warning is something only your own kernel can see: the grader calls your function in a separate
# process and judges the values it returns, so the next check is for you and is not graded. It turns
# NumPy's overflow warnings on even if `np.seterr` turned them off, and fails if your `sigmoid` warns at
# $x = \mp 1000$.

# %% nbgrader={"grade": false, "grade_id": "sigmoid_warning_check", "locked": true, "schema_version": 3, "solution": false}
testing.assert_no_warning(
    sigmoid,
    np.array([-1000.0, 1000.0]),
    name="sigmoid([-1000, 1000])",
    hint="np.exp of a large positive number; see the stable formula above "
    "(and remember np.where computes both branches).",
)
print("sigmoid([-1000, 1000]) runs without a warning.")

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_ex_sigmoid_grad", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 2: the sigmoid's derivative (1 point)
#
# Write `sigmoid_grad(x)` $= \sigma(x)(1 - \sigma(x))$, elementwise, using your `sigmoid` (so it is
# overflow-safe too).

# %% nbgrader={"grade": false, "grade_id": "sigmoid_grad", "locked": false, "schema_version": 3, "solution": true}
def sigmoid_grad(x):
    """Derivative of the sigmoid, sigma(x) * (1 - sigma(x)), elementwise; same shape as x."""
    ### BEGIN SOLUTION
    s = sigmoid(x)
    return s * (1.0 - s)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "sigmoid_grad_tests", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Visible checks: shape, the maximum 1/4 at 0, agreement with a centred difference, and the values far out.
x_test = np.linspace(-5, 5, 11)
g = testing.check_own_work(sigmoid_grad, x_test)
testing.assert_shape(g, (11,), name="sigmoid_grad(x)")
testing.assert_close(g[5], 0.25, name="sigmoid_grad(0)")
h = 1e-5
# sigmoid(v) = (1 + tanh(v / 2)) / 2: a centred difference independent of your sigmoid
numeric = (np.tanh((x_test + h) / 2) - np.tanh((x_test - h) / 2)) / (4 * h)
testing.assert_close(g, numeric, rtol=1e-6, atol=1e-10, name="sigmoid_grad vs centred difference")
x_far = np.array([-1000.0, 1000.0])
with warnings.catch_warnings():  # values only; the warning check follows, ungraded
    warnings.simplefilter("ignore", RuntimeWarning)
    g = testing.check_own_work(sigmoid_grad, x_far)
    naive = np.exp(-x_far) / (1.0 + np.exp(-x_far)) ** 2
testing.assert_close(
    g,
    [0.0, 0.0],
    atol=1e-12,
    name="sigmoid_grad([-1000, 1000])",
    mistakes={
        "e^-x / (1 + e^-x)^2: np.exp(1000) overflows (a RuntimeWarning) and inf / inf is nan; "
        "write the derivative through your stable sigmoid": naive,
    },
)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(12)
_x = _rng.normal(scale=5.0, size=(4, 6))
_g = testing.check_own_work(sigmoid_grad, _x)
_s = np.exp(-np.logaddexp(0.0, -_x))
testing.assert_close(_g, _s * (1.0 - _s), name="sigmoid_grad of random inputs, elementwise")
with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)
    _g = testing.check_own_work(sigmoid_grad, np.array([-1000.0, 1000.0]))
testing.assert_close(_g, np.zeros(2), atol=0.0, name="sigmoid_grad vanishes far out in both tails")
### END HIDDEN TESTS

# %% nbgrader={"grade": false, "grade_id": "sigmoid_grad_warning_check", "locked": true, "schema_version": 3, "solution": false}
# Ungraded, for you (see the sigmoid's warning check): no RuntimeWarning at x = -1000, 1000.
testing.assert_no_warning(
    sigmoid_grad,
    np.array([-1000.0, 1000.0]),
    name="sigmoid_grad([-1000, 1000])",
    hint="np.exp of a large number; write the derivative through your stable sigmoid.",
)
print("sigmoid_grad([-1000, 1000]) runs without a warning.")

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_tanh", "locked": true, "schema_version": 3, "solution": false}
# ## 2. tanh
#
# $$\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\sigma(2x) - 1, \qquad \tanh'(x) = 1 - \tanh^2(x).$$
#
# tanh is a sigmoid stretched to $(-1, 1)$. Being *zero-centred* (outputs of both signs, $\tanh(0) = 0$)
# helps the next layer, and its slope at 0 is 1 instead of $\tfrac14$. NumPy's `np.tanh` is already
# stable, so there is no exercise here; the cell checks the identity with your sigmoid.

# %% nbgrader={"grade": false, "grade_id": "tanh_demo", "locked": true, "schema_version": 3, "solution": false}
x_demo = np.linspace(-4, 4, 9)
print("tanh(x)           :", np.tanh(x_demo))
print("2 sigmoid(2x) - 1 :", 2 * sigmoid(2 * x_demo) - 1)
print("tanh'(0) =", lib.tanh_grad(0.0), "   sigmoid'(0) =", sigmoid_grad(0.0))

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_saturation", "locked": true, "schema_version": 3, "solution": false}
# ## 3. Saturation and vanishing gradients
#
# For large $|x|$ both the sigmoid and tanh are flat: they **saturate**, and their derivative is
# almost 0 ($\sigma'(10) \approx 4.5 \times 10^{-5}$). During backpropagation (notebook 07) the gradient
# that reaches layer $l$ is a product of one factor $h'(a)$ per layer above it (times the weights):
#
# $$\frac{\partial L}{\partial a^{(1)}} \;\propto\; h'(a^{(1)})\, h'(a^{(2)}) \cdots h'(a^{(L)}).$$
#
# With the sigmoid every activation factor is at most $\tfrac14$, so over 10 layers these factors alone
# multiply the gradient by at most $4^{-10} \approx 10^{-6}$, even before any unit saturates. Only the
# weights, which multiply in too, could make up for it; weights of the usual size do not, so the first
# layers barely learn: the gradient **vanishes**. The experiment below sends a gradient backwards through a
# deep random network (64 units per layer, weights scaled by $1/\sqrt{64}$, and by $\sqrt{2/64}$ for the
# ReLU, which zeroes half of its inputs: section 10 derives both) and records how large the gradient is
# at each layer.

# %% nbgrader={"grade": false, "grade_id": "vanishing_demo", "locked": true, "schema_version": 3, "solution": false}
# your sigmoid, the library's tanh, and ReLU (your exercise below) written out for this demo
DEMO_ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (lib.tanh, lib.tanh_grad),
    "relu": (lambda a: np.maximum(a, 0.0), lambda a: (a > 0).astype(float)),
}


def gradient_norms(name, depth=10, width=64, n=32, seed=0):
    """Norm of dL/da at each layer of a random deep net, from the top layer (index depth-1) down."""
    r = np.random.default_rng(seed)
    f, df = DEMO_ACTIVATIONS[name]
    gain = np.sqrt(2.0) if name == "relu" else 1.0  # ReLU zeroes half its inputs: make up for it
    weights = [gain * r.normal(size=(width, width)) / np.sqrt(width) for _ in range(depth)]
    z, pre = r.normal(size=(n, width)), []
    for W in weights:  # forward pass, remember the raw activations a
        a = z @ W
        pre.append(a)
        z = f(a)
    grad_z, norms = r.normal(size=(n, width)), np.zeros(depth)
    for layer in reversed(range(depth)):  # backward pass
        grad_a = grad_z * df(pre[layer])
        norms[layer] = np.linalg.norm(grad_a) / np.sqrt(n)
        grad_z = grad_a @ weights[layer].T
    return norms


norms = {name: gradient_norms(name) for name in ("sigmoid", "tanh", "relu")}
for name, values in norms.items():
    print(f"{name:8s} gradient size at the top layer {values[-1]:.2e}, at the first layer {values[0]:.2e}")
fig = activation_figures.plot_gradient_norms(norms, title="Gradient size per layer, 10-layer random network")

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_relu", "locked": true, "schema_version": 3, "solution": false}
# ## 4. ReLU
#
# $$\mathrm{ReLU}(x) = \max(0, x), \qquad \mathrm{ReLU}'(x) = \begin{cases} 1 & x > 0 \\ 0 & x < 0 \end{cases}$$
#
# The ReLU does not saturate for $x > 0$: its derivative there is exactly 1, so gradients pass through
# active units undiminished (the flat ReLU curve in the plot above). It is also the cheapest function
# on the list, and it makes many units exactly 0 (a *sparse* representation). That is why it is the
# default in modern networks.
#
# At $x = 0$ the ReLU has a kink and no derivative. Any value in $[0, 1]$ is a valid *subgradient*; we
# use the convention $\mathrm{ReLU}'(0) = 0$ (as most libraries do), and so does notebook 07's ReLU layer.
# (Notebook 07 also builds a ReLU from a max gate whose ties go to the first input; that one has slope 1 at
# 0, and a centred difference at 0 gives 0.5. Inputs exactly at 0 are rare, so training barely notices.)

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_ex_relu", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 3: ReLU and its derivative (2 points)
#
# Write `relu(x)` and `relu_grad(x)` for arrays of any shape (same shape out, floats). Use
# `relu_grad(0) = 0`.

# %% nbgrader={"grade": false, "grade_id": "relu", "locked": false, "schema_version": 3, "solution": true}
def relu(x):
    """max(0, x), elementwise; same shape as x."""
    ### BEGIN SOLUTION
    return np.maximum(0.0, x)
    ### END SOLUTION


def relu_grad(x):
    """Derivative of ReLU: 1.0 where x > 0, else 0.0 (also at 0); same shape as x."""
    ### BEGIN SOLUTION
    return (np.asarray(x) > 0).astype(float)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "relu_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Visible checks: a few values, shapes, and the convention at 0.
x_test = np.array([[-2.0, -0.5, 0.0], [0.5, 3.0, -1e3]])
out = testing.check_own_work(relu, x_test)
g = testing.check_own_work(relu_grad, x_test)
# what each function left in its input x (it gets a copy: the test's own x_test never changes)
x_left = [testing.call(f, x_test).args[0] for f in (relu, relu_grad)]
assert all(np.array_equal(x, x_test) for x in x_left), (
    "relu or relu_grad changed its input x in place (e.g. x[x < 0] = 0): build a new array instead"
)
testing.assert_shape(out, (2, 3), name="relu(x)")
testing.assert_close(out, [[0.0, 0.0, 0.0], [0.5, 3.0, 0.0]], name="relu(x)")
testing.assert_shape(g, (2, 3), name="relu_grad(x)")
testing.assert_dtype(g, np.floating, name="relu_grad(x)")
testing.assert_close(
    g,
    [[0.0, 0.0, 0.0], [1.0, 1.0, 0.0]],
    name="relu_grad(x) (with relu_grad(0) = 0)",
    mistakes={
        "relu_grad(0) = 1 (x >= 0): this course uses relu_grad(0) = 0, the slope is 1 only where x > 0.": [
            [0.0, 0.0, 1.0],
            [1.0, 1.0, 0.0],
        ],
        "relu_grad returns relu(x) itself: the derivative is 1 where x > 0 and 0 elsewhere.": [
            [0.0, 0.0, 0.0],
            [0.5, 3.0, 0.0],
        ],
    },
)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(13)
for _shape in ((9,), (4, 5), (2, 2, 3)):
    _x = _rng.normal(scale=3.0, size=_shape)
    _out, _g = testing.check_own_work(relu, _x), testing.check_own_work(relu_grad, _x)
    testing.assert_close(_out, np.where(_x > 0, _x, 0.0), name="relu on inputs of other shapes (elementwise: negatives become zero)")
    testing.assert_close(_g, np.where(_x > 0, 1.0, 0.0), name="relu_grad on inputs of other shapes (one where x is positive, zero elsewhere)")
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_dead", "locked": true, "schema_version": 3, "solution": false}
# ### Dead ReLUs
#
# The ReLU's strength has a flip side. A unit whose raw activation is negative for **every** input
# outputs 0 everywhere *and* has derivative 0 everywhere, so no gradient ever reaches its weights:
# gradient descent can never revive it. Such a unit is *dead*. It happens, for example, after one
# large update pushes a bias far below zero. The demo below takes a layer of 100 ReLU units on 500
# random inputs and shifts all biases down: the fraction of units that never fire grows quickly, and
# those units would receive exactly zero gradient.

# %% nbgrader={"grade": false, "grade_id": "dead_demo", "locked": true, "schema_version": 3, "solution": false}
X_data = rng.normal(size=(500, 20))
W_layer = rng.normal(size=(20, 100)) / np.sqrt(20)
for shift in (0.0, -1.0, -2.0, -3.0, -4.0):
    A_layer = X_data @ W_layer + shift
    dead = np.all(relu_grad(A_layer) == 0, axis=0)  # no input makes the unit fire
    print(f"bias {shift:+.0f}: {dead.mean():5.0%} of the units are dead (zero gradient on all 500 inputs)")

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_leaky", "locked": true, "schema_version": 3, "solution": false}
# ## 5. Leaky ReLU
#
# The lecture's leaky ReLU keeps a small slope for negative inputs:
#
# $$\mathrm{LeakyReLU}(x) = \max(0.1x,\; x) = \begin{cases} x & x > 0 \\ 0.1\,x & x \le 0 \end{cases},
#   \qquad \mathrm{LeakyReLU}'(x) = \begin{cases} 1 & x > 0 \\ 0.1 & x \le 0 \end{cases}$$
#
# A unit that is "off" still passes a tenth of the gradient, so it can come back to life. The slope
# 0.1 is the lecture's; we write it as a parameter $\alpha$ (other common values are 0.01 and 0.2).
# For $0 \le \alpha \le 1$ the two forms agree; we use the second one (it also makes sense for
# $\alpha > 1$), with the derivative $\alpha$ at $x = 0$.

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_ex_leaky", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 4: leaky ReLU and its derivative (2 points)
#
# Write `leaky_relu(x, alpha=0.1)` and `leaky_relu_grad(x, alpha=0.1)` as defined above (`x` for
# $x > 0$, $\alpha x$ otherwise; derivative 1 for $x > 0$, $\alpha$ otherwise).

# %% nbgrader={"grade": false, "grade_id": "leaky_relu", "locked": false, "schema_version": 3, "solution": true}
def leaky_relu(x, alpha=0.1):
    """x where x > 0, alpha * x elsewhere; same shape as x."""
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, alpha * x)
    ### END SOLUTION


def leaky_relu_grad(x, alpha=0.1):
    """1.0 where x > 0, alpha elsewhere (also at 0); same shape as x."""
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, 1.0, alpha)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "leaky_relu_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Visible checks: the lecture's alpha = 0.1 on a few values, and the derivative's shape.
x_test = np.array([-10.0, -1.0, 2.0, 5.0])
out = testing.check_own_work(leaky_relu, x_test)
testing.assert_close(out, [-1.0, -0.1, 2.0, 5.0], name="leaky_relu(x) with the default alpha = 0.1")
g = testing.check_own_work(leaky_relu_grad, x_test)
testing.assert_shape(g, (4,), name="leaky_relu_grad(x)")
testing.assert_close(g, [0.1, 0.1, 1.0, 1.0], name="leaky_relu_grad([-10, -1, 2, 5]) (alpha for x <= 0, 1 above)")
testing.assert_close(
    testing.check_own_work(leaky_relu, x_test, alpha=0.3), [-3.0, -0.3, 2.0, 5.0], name="leaky_relu(x, alpha=0.3) (do you use the alpha argument?)"
)
testing.assert_close(
    testing.check_own_work(leaky_relu_grad, np.array([-1.0, 0.0, 1.0]), alpha=0.3),
    [0.3, 0.3, 1.0],
    name="leaky_relu_grad([-1, 0, 1], alpha=0.3) (alpha also at 0)",
)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(14)
for _alpha in (0.1, 0.01, 0.3):
    _x = _rng.normal(scale=3.0, size=(5, 4))
    _out = testing.check_own_work(leaky_relu, _x, alpha=_alpha)
    _g = testing.check_own_work(leaky_relu_grad, _x, alpha=_alpha)
    testing.assert_close(_out, np.where(_x > 0, _x, _alpha * _x), name="leaky_relu with other slopes alpha (use the alpha passed in)")
    testing.assert_close(_g, np.where(_x > 0, 1.0, _alpha), name="leaky_relu_grad with other slopes alpha (alpha for negative inputs, one for positive)")
_g = testing.check_own_work(leaky_relu_grad, np.array([-10.0, -1.0, 0.0, 2.0]))
testing.assert_close(_g, [0.1, 0.1, 0.1, 1.0], name="leaky_relu_grad with the default alpha, at zero too (the slope at zero is alpha)")
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_elu", "locked": true, "schema_version": 3, "solution": false}
# ## 6. ELU
#
# The exponential linear unit replaces the negative half by a smooth curve that levels off at
# $-\alpha$:
#
# $$\mathrm{ELU}(x) = \begin{cases} x & x \ge 0 \\ \alpha\,(e^{x} - 1) & x < 0 \end{cases}, \qquad
#   \mathrm{ELU}'(x) = \begin{cases} 1 & x \ge 0 \\ \alpha\, e^{x} & x < 0 \end{cases}$$
#
# Negative outputs push the mean activation towards zero (like tanh), there is a gradient for $x < 0$
# (no dead units), and with $\alpha = 1$ the function is smooth at 0. The price is an `exp`, and the
# same trap as before: `np.where(x >= 0, x, alpha * (np.exp(x) - 1))` evaluates `np.exp(1000)` for
# $x = 1000$ and warns, even though that value is thrown away. Clip the argument first:
# `np.exp(np.minimum(x, 0))` (or `np.expm1`, which is also more precise for small $|x|$).

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_ex_elu", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 5: ELU and its derivative (2 points)
#
# Write `elu(x, alpha=1.0)` and `elu_grad(x, alpha=1.0)` as defined above (derivative 1 at $x = 0$),
# with no warning for $|x|$ up to 1000.

# %% nbgrader={"grade": false, "grade_id": "elu", "locked": false, "schema_version": 3, "solution": true}
def elu(x, alpha=1.0):
    """x where x >= 0, alpha * (exp(x) - 1) elsewhere; same shape as x."""
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    return np.where(x >= 0, x, alpha * np.expm1(np.minimum(x, 0.0)))
    ### END SOLUTION


def elu_grad(x, alpha=1.0):
    """1.0 where x >= 0, alpha * exp(x) elsewhere; same shape as x."""
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    return np.where(x >= 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "elu_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Visible checks: identity for x >= 0, the limit -alpha, a centred difference, and the values at +-1000.
x_test = np.array([-2.0, -0.5, 0.5, 3.0])
out = testing.check_own_work(elu, x_test)
testing.assert_shape(out, (4,), name="elu(x)")
testing.assert_close(out[2:], [0.5, 3.0], name="elu(x) for x >= 0")
h = 1e-5
numeric = (elu(x_test + h) - elu(x_test - h)) / (2 * h)
g = testing.check_own_work(elu_grad, x_test)
testing.assert_close(g, numeric, rtol=1e-6, atol=1e-10, name="elu_grad vs centred difference")
testing.assert_close(
    testing.check_own_work(elu_grad, np.array([-1.0, 0.0, 2.0]), alpha=2.0),
    [2.0 * np.exp(-1.0), 1.0, 1.0],
    name="elu_grad([-1, 0, 2], alpha=2) (alpha e^x below 0, 1 from 0 on)",
)
with warnings.catch_warnings():  # values only; whether they warn is checked (ungraded) after this cell
    warnings.simplefilter("ignore", RuntimeWarning)
    out = testing.check_own_work(elu, np.array([-1000.0, 1000.0]), alpha=2.0)
    g = testing.check_own_work(elu_grad, np.array([-1000.0, 1000.0]), alpha=2.0)
testing.assert_close(out, [-2.0, 1000.0], name="elu([-1000, 1000], alpha=2)")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(15)
for _alpha in (1.0, 0.5, 2.0):
    _x = _rng.normal(scale=3.0, size=(3, 7))
    _out = testing.check_own_work(elu, _x, alpha=_alpha)
    _g = testing.check_own_work(elu_grad, _x, alpha=_alpha)
    _neg = np.minimum(_x, 0.0)
    testing.assert_close(
        _out, np.where(_x >= 0, _x, _alpha * np.expm1(_neg)), name="elu of random inputs for several alphas"
    )
    testing.assert_close(
        _g, np.where(_x >= 0, 1.0, _alpha * np.exp(_neg)), name="elu_grad of random inputs for several alphas"
    )
testing.assert_close(g, [0.0, 1.0], atol=1e-12, name="elu_grad far out in both tails")
_g = testing.check_own_work(elu_grad, np.array([0.0]))
testing.assert_close(_g, [1.0], name="elu_grad at the origin takes the right-hand slope")
### END HIDDEN TESTS

# %% nbgrader={"grade": false, "grade_id": "elu_warning_check", "locked": true, "schema_version": 3, "solution": false}
# Ungraded, for you: np.where computes both branches, so elu and elu_grad must not warn at x = -1000, 1000
# (only your own kernel can see a warning; the grader judges the values above).
for _fn in (elu, elu_grad):
    testing.assert_no_warning(
        _fn,
        np.array([-1000.0, 1000.0]),
        alpha=2.0,
        name=f"{_fn.__name__}([-1000, 1000], alpha=2)",
        hint="np.exp(1000) in the branch np.where throws away; use np.exp(np.minimum(x, 0)).",
    )
print("elu and elu_grad at x = -1000, 1000 run without a warning.")

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_gallery", "locked": true, "schema_version": 3, "solution": false}
# ## 7. All of them side by side
#
# Functions on the left, derivatives on the right (your functions from the exercises above, and the
# library's tanh). Look for: where each derivative is zero or tiny (saturation, dead zone), where
# it is 1 (gradient passes unchanged), and where the function jumps in slope (kinks at 0).

# %% nbgrader={"grade": false, "grade_id": "gallery", "locked": true, "schema_version": 3, "solution": false}
gallery = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (lib.tanh, lib.tanh_grad),
    "relu": (relu, relu_grad),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
    "elu": (elu, elu_grad),
}
fig = activation_figures.plot_activations(gallery, title="The activations of the lecture and their derivatives")

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_maxout", "locked": true, "schema_version": 3, "solution": false}
# ## 8. Maxout
#
# Maxout is different: it is not a fixed function of one number but the maximum of **two linear
# functions of the input, each with its own learned weights**:
#
# $$\mathrm{maxout}(\mathbf{x}) = \max\left(\mathbf{w}_1^T \mathbf{x} + b_1,\; \mathbf{w}_2^T \mathbf{x} + b_2\right).$$
#
# A layer of $H$ maxout units on a batch `X (N, D)` has two weight matrices `W1, W2 (D, H)` and two
# bias vectors `b1, b2 (H,)`, and computes `max(X @ W1 + b1, X @ W2 + b2)` elementwise, shape `(N, H)`.
# It doubles the parameters, but it contains the ReLU family as special cases. For one input
# ($D = H = 1$) with $w_1 = 1, b_1 = 0$:
#
# * $w_2 = 0, b_2 = 0$: $\max(x, 0)$ is the ReLU;
# * $w_2 = 0.1, b_2 = 0$: $\max(x, 0.1x)$ is the lecture's leaky ReLU.
#
# In general, $\mathbf{w}_2 = 0, b_2 = 0$ gives the ReLU of $\mathbf{w}_1^T \mathbf{x} + b_1$, and the leaky
# ReLU of it needs the whole second piece scaled: $\mathbf{w}_2 = 0.1\,\mathbf{w}_1$ *and* $b_2 = 0.1\,b_1$.
#
# Because both pieces are linear, maxout never saturates and never dies completely (one piece always
# passes the gradient). Its derivative with respect to $x$ is $\mathbf{w}$ of whichever piece wins.

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_ex_maxout", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 6: a maxout layer (2 points)
#
# Write `maxout(X, W1, b1, W2, b2)` returning the `(N, H)` array
# $\max(XW_1 + b_1, XW_2 + b_2)$ (elementwise maximum: `np.maximum`, not `np.max`).

# %% nbgrader={"grade": false, "grade_id": "maxout", "locked": false, "schema_version": 3, "solution": true}
def maxout(X, W1, b1, W2, b2):
    """Maxout layer with two pieces.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    W1, W2 : ndarray, shape (D, H)
    b1, b2 : ndarray, shape (H,)

    Returns
    -------
    out : ndarray, shape (N, H)
        Elementwise max(X @ W1 + b1, X @ W2 + b2).
    """
    ### BEGIN SOLUTION
    return np.maximum(X @ W1 + b1, X @ W2 + b2)
    ### END SOLUTION


# %% [markdown] nbgrader={"grade": false, "grade_id": "md_try_maxout", "locked": true, "schema_version": 3, "solution": false}
# Try it: with the weights from the list above, maxout reproduces the ReLU and the leaky ReLU on a
# column of inputs.

# %% nbgrader={"grade": false, "grade_id": "try_maxout", "locked": true, "schema_version": 3, "solution": false}
x_col = np.linspace(-2, 2, 5).reshape(5, 1)  # N = 5 examples, D = 1
one, zero = np.ones((1, 1)), np.zeros(1)
as_relu = maxout(x_col, one, zero, np.zeros((1, 1)), zero)
as_leaky = maxout(x_col, one, zero, 0.1 * one, zero)
print("x             :", x_col.ravel())
print("maxout (ReLU) :", as_relu.ravel(), " ReLU:", relu(x_col).ravel())
print("maxout (leaky):", as_leaky.ravel(), " leaky ReLU:", leaky_relu(x_col).ravel())

# %% nbgrader={"grade": true, "grade_id": "maxout_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Visible checks: shape, and maxout with w2 = b2 = 0 is max(0, x W1 + b1) on a random batch.
_r = np.random.default_rng(5)
X_test, W_test, b_test = _r.normal(size=(6, 3)), _r.normal(size=(3, 4)), _r.normal(size=4)
out = testing.check_own_work(maxout, X_test, W_test, b_test, np.zeros((3, 4)), np.zeros(4))
testing.assert_shape(out, (6, 4), name="maxout(X (6, 3), W (3, 4), ...)")
testing.assert_close(out, np.maximum(0.0, X_test @ W_test + b_test), name="maxout with W2 = 0, b2 = 0 (a ReLU layer)")
out = testing.check_own_work(maxout, X_test, W_test, b_test, W_test, b_test - 1.0)
testing.assert_close(out, X_test @ W_test + b_test, name="maxout with W2 = W1, b2 = b1 - 1 (the first piece, negative values too)")
out = testing.check_own_work(maxout, X_test, W_test, b_test - 1.0, W_test, b_test)
testing.assert_close(out, X_test @ W_test + b_test, name="maxout with W2 = W1, b2 = b1 + 1 (the second piece, with its bias b2)")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(16)
for _N, _D, _H in ((1, 1, 1), (5, 4, 3), (20, 7, 9)):
    _args = (
        _rng.normal(size=(_N, _D)),
        _rng.normal(size=(_D, _H)),
        _rng.normal(size=_H),
        _rng.normal(size=(_D, _H)),
        _rng.normal(size=_H),
    )
    _out = testing.check_own_work(maxout, *_args)
    testing.assert_shape(_out, (_N, _H), name="maxout output shape on other sizes (one row per example, one column per unit)")
    _want = np.maximum(_args[0] @ _args[1] + _args[2], _args[0] @ _args[3] + _args[4])
    testing.assert_close(_out, _want, name="maxout on other sizes (the elementwise max of the two affine maps)")
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_explorer", "locked": true, "schema_version": 3, "solution": false}
# ## 9. Explore
#
# Pick an activation and its parameter ($\alpha$ for leaky ReLU and ELU). The explorer shows the
# function, its derivative, and the output of a small random network (1 input, two hidden layers of 16
# units with this activation, 1 output) over $x \in [-3, 3]$. Notice how the network's output inherits
# the character of its activation: smooth and flat at the ends for sigmoid/tanh, piecewise linear with
# kinks for the ReLU family. (The explorer does not run while grading.)

# %% nbgrader={"grade": false, "grade_id": "explorer", "locked": true, "schema_version": 3, "solution": false}
# NBVAL_IGNORE_OUTPUT
# (an interactive explorer: what it outputs depends on the front end)
if widgets.widgets_enabled():
    display(activation_figures.activation_explorer(gallery))

# %% nbgrader={"grade": false, "grade_id": "explorer_still", "locked": true, "schema_version": 3, "solution": false}
# The explorer at its default setting, as a still figure with what it shows (also without widgets):
activation_figures.activation_explorer(gallery, static=True)

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_same_net", "locked": true, "schema_version": 3, "solution": false}
# The same random network (same weights) with each of the five activations, for comparison:

# %% nbgrader={"grade": false, "grade_id": "same_net", "locked": true, "schema_version": 3, "solution": false}
fig = activation_figures.plot_random_network_outputs(gallery, seed=0, title="Output of the same random 1-16-16-1 network")

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_q_choice", "locked": true, "schema_version": 3, "solution": false}
# ### Question (2 points, graded by hand)
#
# You are about to train a network with 20 hidden layers. Which activation would you choose for the
# hidden layers, and why? In three to six sentences, use the words *saturation* (or vanishing
# gradient) and *dead unit*, and say what your choice costs.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_choice", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# Not sigmoid: its derivative is at most $1/4$ and almost 0 where it saturates, so the gradient, a
# product of 20 such factors, vanishes and the first layers barely learn (the experiment above: sigmoid
# gradients shrink by orders of magnitude, ReLU's do not); tanh is better ($\tanh' \le 1$, zero-centred)
# but saturates too. A ReLU (the usual default)
# passes the gradient unchanged through active units and is cheap, but a unit whose input is negative
# for every example is dead: zero output, zero gradient, never recovers (e.g. after a large update or
# a bad initialisation/learning rate). Leaky ReLU or ELU keep a small gradient for $x < 0$ and avoid
# dead units (ELU is smoother and zero-centred but costs an exp); maxout avoids both problems but
# doubles the parameters. A good answer picks ReLU (with care for the learning rate and
# initialisation) or leaky ReLU/ELU, and names the trade-off.
# ### END SOLUTION

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_init", "locked": true, "schema_version": 3, "solution": false}
# ## 10. Initialisation: how large should the first weights be?
#
# Section 3 scaled its random weights by $1/\sqrt{64}$, and by $\sqrt{2/64}$ for the ReLU, without saying
# why. Here is why. A unit adds up $n$ products, one per input, where $n$ is the unit's **fan-in**:
# $a_j = \sum_{i=1}^{n} w_{ij} z_i$. Draw the weights independently, with mean 0 and independent of the
# inputs $z_i$; then the $n$ terms are uncorrelated and their variances add up:
#
# $$\operatorname{Var}(a_j) = \sum_{i=1}^{n} \operatorname{Var}(w_{ij} z_i)
#   = n \,\operatorname{Var}(w)\; \mathbb{E}\big[z^2\big].$$
#
# Each layer multiplies the size of the signal by the same factor, so over 10 layers a factor of 2 becomes
# $2^{10} \approx 1000$ and a factor of $\tfrac12$ becomes $10^{-3}$. The factor must be 1:
#
# * **tanh** is the identity near 0, so $\mathbb{E}[z^2] \approx \operatorname{Var}(a)$ of the layer below,
#   and the size stays put when $n \operatorname{Var}(w) = 1$, i.e. $\operatorname{Var}(w) = 1/\text{fan-in}$.
#   The backward pass (notebook 07) multiplies the gradient by $W^\top$, a sum over the unit's
#   **fan-out**, and asks for $1/\text{fan-out}$. Glorot and Bengio (2010) take the compromise
#   $$\operatorname{Var}(w) = \frac{2}{\text{fan-in} + \text{fan-out}} \qquad\text{(Xavier or Glorot initialisation),}$$
#   which is $1/n$ when a layer has $n$ inputs and $n$ outputs: section 3's $1/\sqrt{64}$.
# * **ReLU** zeroes the negative half of a symmetric $a$, so $\mathbb{E}[z^2] = \tfrac12 \operatorname{Var}(a)$:
#   with Xavier's scale every layer would halve the variance. He et al. (2015) double the weights'
#   variance to make up for it,
#   $$\operatorname{Var}(w) = \frac{2}{\text{fan-in}} \qquad\text{(He initialisation):}$$
#   section 3's gain $\sqrt 2$.

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_q_relu_half", "locked": true, "schema_version": 3, "solution": false}
# ### Question (2 points, graded by hand): where He's factor 2 comes from
#
# Derive the ReLU line above yourself. Let $a$ be symmetric around 0: its density satisfies
# $p(-a) = p(a)$, as it does for $a_j = \sum_i w_{ij} z_i$ when the weights are drawn from a Gaussian
# with mean 0, independently of the inputs. (a) Show that
# $\mathbb{E}\big[\mathrm{ReLU}(a)^2\big] = \tfrac12 \operatorname{Var}(a)$. (b) Conclude which
# $\operatorname{Var}(w)$ keeps $\operatorname{Var}(a)$ the same from one ReLU layer to the next. A few lines
# of math (LaTeX between dollar signs, or plain text) are enough.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_relu_half", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# (a) $\mathrm{ReLU}(a)^2$ is $a^2$ for $a > 0$ and 0 otherwise, so
# $\mathbb{E}[\mathrm{ReLU}(a)^2] = \int_0^\infty a^2 p(a)\,da$. Substituting $a \to -a$ and using
# $p(-a) = p(a)$, $\int_{-\infty}^0 a^2 p(a)\,da = \int_0^\infty a^2 p(a)\,da$: the two halves of
# $\mathbb{E}[a^2] = \int_{-\infty}^\infty a^2 p(a)\,da$ are equal, so
# $\mathbb{E}[\mathrm{ReLU}(a)^2] = \tfrac12 \mathbb{E}[a^2]$. A symmetric $a$ has mean 0, so
# $\mathbb{E}[a^2] = \operatorname{Var}(a)$, which gives $\tfrac12 \operatorname{Var}(a)$.
#
# (b) With $z = \mathrm{ReLU}(a)$ from the layer below, the next layer has
# $\operatorname{Var}(a') = n \operatorname{Var}(w)\, \mathbb{E}[z^2] = \tfrac{n}{2} \operatorname{Var}(w) \operatorname{Var}(a)$.
# It equals $\operatorname{Var}(a)$ when $\operatorname{Var}(w) = 2/n = 2/\text{fan-in}$: He's scale. (Note
# that $\mathbb{E}[z^2]$, not $\operatorname{Var}(z)$, enters: $z \ge 0$ does not have mean 0, but the
# weights do, so the terms $w_{ij} z_i$ have mean 0 and variance $\operatorname{Var}(w)\,\mathbb{E}[z^2]$.)
# ### END SOLUTION

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_ex_init", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 7: Xavier and He weights (2 points)
#
# Write `init_weights(fan_in, fan_out, scheme, rng)` returning a weight matrix of shape `(fan_in, fan_out)`
# (the course's layout: `z @ W` maps `fan_in` inputs to `fan_out` units) drawn from a Gaussian with mean 0
# and
#
# * variance $2/(\text{fan\_in} + \text{fan\_out})$ for `scheme="xavier"`,
# * variance $2/\text{fan\_in}$ for `scheme="he"`.
#
# Draw from the generator you are given, `rng.normal(0.0, std, size=(fan_in, fan_out))`: its second
# argument is the **standard deviation**, the square root of the variance. For any other `scheme`, raise
# a `ValueError` whose message names the two schemes you accept: a typo such as `"Xavier "` must not
# quietly give some other scale.

# %% nbgrader={"grade": false, "grade_id": "init_weights", "locked": false, "schema_version": 3, "solution": true}
def init_weights(fan_in, fan_out, scheme, rng):
    """Gaussian initial weights with mean 0 and the variance of the scheme.

    Parameters
    ----------
    fan_in, fan_out : int
        Inputs and outputs of the layer.
    scheme : str
        "xavier" (variance 2 / (fan_in + fan_out)) or "he" (variance 2 / fan_in).
    rng : numpy.random.Generator

    Returns
    -------
    W : ndarray, shape (fan_in, fan_out)
    """
    ### BEGIN SOLUTION
    if scheme == "xavier":
        variance = 2.0 / (fan_in + fan_out)
    elif scheme == "he":
        variance = 2.0 / fan_in
    else:
        raise ValueError(f"scheme should be 'xavier' or 'he', got {scheme!r}")
    return rng.normal(0.0, np.sqrt(variance), size=(fan_in, fan_out))
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "try_init", "locked": true, "schema_version": 3, "solution": false}
W_try = init_weights(256, 128, "xavier", rng)
print(f"shape {W_try.shape}, mean {W_try.mean():+.4f}, std {W_try.std():.4f}; Xavier's sqrt(2 / 384) = {np.sqrt(2 / 384):.4f}")

# %% nbgrader={"grade": true, "grade_id": "init_weights_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Visible checks: shape, mean 0 and the standard deviation of each scheme (on 40,000 draws, which pin the
# std to within 0.4%), that the weights come from the rng argument, and the ValueError.
def _init_hint(std, fan_in, fan_out, scheme):
    """The likely mistake when a measured std matches a usual wrong scale (None when none matches)."""
    var = {"xavier": 2 / (fan_in + fan_out), "he": 2 / fan_in}
    other = "he" if scheme == "xavier" else "xavier"
    suspects = [
        (var[scheme], "the variance used as the standard deviation: rng.normal's scale is np.sqrt(variance)."),
        (np.sqrt(var[other]), f"the variance of {other!r}: xavier is 2 / (fan_in + fan_out), he is 2 / fan_in."),
        (np.sqrt(var[scheme] / 2), "half the variance: the factor 2 in the numerator is missing."),
        (np.sqrt(1.0 / fan_in), "variance 1 / fan_in: the forward-pass argument alone; use the formula above."),
        (np.sqrt(2.0 / fan_out), "fan_out where fan_in belongs: he is 2 / fan_in."),
        (np.sqrt(2.0 / fan_in + fan_out), "2 / fan_in + fan_out: the brackets are missing, 2 / (fan_in + fan_out)."),
        (np.sqrt(2.0) / fan_in, "np.sqrt(2) / fan_in: the square root must cover the whole variance."),
        (np.sqrt(var[scheme] / 3), "a uniform draw on [-std, std] has a std of std / sqrt(3): draw from rng.normal."),
        (1.0, "standard normal weights: the scale of the scheme is missing."),
    ]
    for value, hint in suspects:
        if abs(std / value - 1) < 0.03:
            return hint
    return None


for _scheme, _want in (("xavier", np.sqrt(2 / 500)), ("he", np.sqrt(2 / 400))):
    W_test = testing.check_own_work(init_weights, 400, 100, _scheme, np.random.default_rng(0))
    testing.assert_shape(W_test, (400, 100), name=f"init_weights(400, 100, {_scheme!r}, rng)")
    testing.assert_close(
        W_test.mean(), 0.0, atol=0.05 * W_test.std(), name=f"mean of init_weights(400, 100, {_scheme!r}, rng)",
        hint="the weights should be centred at 0: rng.normal(0.0, std, ...), not rng.random (uniform on [0, 1))."
    )
    testing.assert_close(
        W_test.std(), _want, rtol=0.03, name=f"standard deviation of init_weights(400, 100, {_scheme!r}, rng)",
        hint=_init_hint(W_test.std(), 400, 100, _scheme),
    )
W_a, W_b, W_c = (testing.check_own_work(init_weights, 3, 2, "he", np.random.default_rng(s)) for s in (1, 1, 2))
assert np.array_equal(W_a, W_b), (
    "init_weights(3, 2, 'he', rng) gave different weights for two generators with the same seed.\n"
    "  likely mistake: drawing from np.random instead of the rng argument (rng.normal)."
)
assert not np.allclose(W_a, W_c), (
    "init_weights(3, 2, 'he', rng) gave the same weights for the seeds 1 and 2.\n"
    "  likely mistake: a generator of your own (np.random.default_rng(0)) instead of the rng argument."
)
try:
    testing.check_own_work(init_weights, 3, 2, "glorot", np.random.default_rng(0))
except ValueError as err:
    assert "xavier" in str(err).lower(), (
        f"init_weights(3, 2, 'glorot', rng) raises ValueError({str(err)!r}): good, but the message should "
        "name the schemes it accepts ('xavier' and 'he')."
    )
except Exception as err:  # any other error is the mistake to explain
    raise AssertionError(
        f"init_weights(3, 2, 'glorot', rng) raises {type(err).__name__}, not ValueError.\n"
        "  likely mistake: a dictionary lookup (KeyError) or an assert; check the scheme first and "
        "raise ValueError(...) naming 'xavier' and 'he'."
    ) from None
else:
    raise AssertionError(
        "init_weights(3, 2, 'glorot', rng) returns weights instead of raising ValueError.\n"
        "  likely mistake: an else branch that falls back to one of the schemes; raise ValueError there."
    )
### BEGIN HIDDEN TESTS
for _fan_in, _fan_out, _seed in ((1000, 50, 21), (64, 625, 22)):
    for _scheme in ("xavier", "he"):
        _want = np.sqrt(2 / (_fan_in + _fan_out)) if _scheme == "xavier" else np.sqrt(2 / _fan_in)
        _W = testing.check_own_work(init_weights, _fan_in, _fan_out, _scheme, np.random.default_rng(_seed))
        testing.assert_shape(_W, (_fan_in, _fan_out), name="init_weights shape on other sizes (fan_in rows, fan_out columns)")
        testing.assert_dtype(_W, np.floating, name="init_weights returns floats")
        testing.assert_close(_W.mean(), 0.0, atol=0.05 * _W.std(), name="the mean of the initial weights on other sizes (centred on zero)")
        testing.assert_close(
            _W.std(), _want, rtol=0.03,
            name=(
                "the spread of the initial weights for the scheme that averages fan-in and fan-out" if _scheme == "xavier"
                else "the spread of the initial weights for the scheme that uses fan-in only"
            ),
            hint=_init_hint(_W.std(), _fan_in, _fan_out, _scheme),
        )
for _bad in ("relu", "", "lecun"):
    try:
        testing.check_own_work(init_weights, 4, 4, _bad, np.random.default_rng(0))
        _raised = False
    except ValueError:
        _raised = True
    testing.assert_true(
        _raised, "init_weights raises ValueError for an unknown scheme", hint=f"init_weights(4, 4, {_bad!r}, rng) returned instead of raising ValueError"
    )
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_init_demo", "locked": true, "schema_version": 3, "solution": false}
# Now the experiment, with your `init_weights`: a network of 10 layers of 256 units (no biases) gets 500
# standard-normal inputs, and `init.layer_stds` records the standard deviation of the activations after
# each layer. The tanh net uses Xavier's scale and the ReLU net He's, each also halved (too small) and
# doubled (too large).

# %% nbgrader={"grade": false, "grade_id": "init_demo", "locked": true, "schema_version": 3, "solution": false}
def deep_weights(scheme, gain, depth=10, width=256, seed=1):
    """`depth` square weight matrices: gain x your init_weights."""
    r = np.random.default_rng(seed)
    return [gain * init_weights(width, width, scheme, r) for _ in range(depth)]


X_deep = rng.normal(size=(500, 256))
init_stds = {}
for panel, h, scheme in (("tanh", np.tanh, "xavier"), ("ReLU", relu, "he")):
    name = {"xavier": "Xavier", "he": "He"}[scheme]
    init_stds[panel] = {
        label: init.layer_stds(X_deep, deep_weights(scheme, gain), h)
        for label, gain in ((f"too small (1/2 x {name})", 0.5), (name, 1.0), (f"too large (2 x {name})", 2.0))
    }
    for label, values in init_stds[panel].items():
        print(f"{panel:4s} {label:22s}: std after layer 1 {values[0]:9.4f}, after layer 10 {values[-1]:9.4f}")
for gain in (1.0, 2.0):  # how saturated is the tanh net at the top?
    z_deep = X_deep
    for W in deep_weights("xavier", gain):
        z_deep = np.tanh(z_deep @ W)
    print(
        f"tanh, {gain:g} x Xavier, layer 10: {np.mean(np.abs(z_deep) > 0.9):4.0%} of the units have |z| > 0.9,"
        f" mean slope tanh'(a) = 1 - z^2 = {np.mean(1 - z_deep**2):.2f}"
    )
fig = activation_figures.plot_activation_stds(init_stds, title="Size of the activations through 10 layers")

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_init_read", "locked": true, "schema_version": 3, "solution": false}
# With He's scale the ReLU net keeps its activations at the size of its inputs for all 10 layers; half
# of it shrinks them by 2 per layer ($2^{-10} \approx 10^{-3}$ at the top), twice it blows them up by the
# same factor. tanh's slope is below 1 away from 0, so even with Xavier's scale its activations shrink,
# but slowly; half the scale shrinks them like the ReLU's. Twice the scale keeps them large, but that is
# the size of a *saturating* net: at layer 10 about a third of its units have $|z| > 0.9$, and the
# average slope $\tanh'(a)$ is about 0.47 instead of 0.95, so each such layer roughly halves the gradient
# that passes back (section 3). Either way, a deep net that starts too small or too large barely
# learns. Notebook 08 starts its two-layer network with He's scale (`weight_scale="he"`), and notebook 07
# shows why the weights must be random in the first place.
#
# **And the sigmoid?** Xavier's derivation assumed an activation that is the identity near 0, as tanh is
# (slope 1 at 0). The sigmoid is not: its slope at 0 is $\sigma'(0) = \tfrac14$, and its outputs sit
# around 0.5, not 0. The backward pass multiplies the gradient by $h'(a)$ at every layer, so with
# Xavier's scale a sigmoid net loses about a factor 4 per layer on the way back. The cell below sends a
# standard-normal gradient back through the same 10-layer, 256-unit nets with your Xavier weights.

# %% nbgrader={"grade": false, "grade_id": "init_backward", "locked": true, "schema_version": 3, "solution": false}
def backward_stds(h, h_grad, weights, X, seed=2):
    """Std of the gradient reaching each layer's input, from a standard-normal gradient at the top."""
    z, slopes = X, []
    for W in weights:
        a = z @ W
        slopes.append(h_grad(a))
        z = h(a)
    grad, stds = np.random.default_rng(seed).normal(size=z.shape), []
    for W, slope in zip(weights[::-1], slopes[::-1], strict=True):
        grad = (grad * slope) @ W.T
        stds.append(grad.std())
    return np.array(stds)


for label, h, h_grad in (
    ("tanh", np.tanh, lambda a: 1 - np.tanh(a) ** 2),
    ("sigmoid", sigmoid, sigmoid_grad),
):
    back = backward_stds(h, h_grad, deep_weights("xavier", 1.0), X_deep)
    per_layer = (back[-1] / back[0]) ** (1 / 9)
    print(
        f"{label:7s} with Xavier: gradient std after 1 layer back {back[0]:.3g}, after 10 {back[-1]:.2g}; "
        f"factor per layer {per_layer:.2f} (1/{1 / per_layer:.1f})"
    )

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_init_sigmoid", "locked": true, "schema_version": 3, "solution": false}
# With tanh the gradient loses about 13% per layer (0.26 of it is left after 10 layers); with the sigmoid
# it shrinks about 4.3 times per layer, to $5 \cdot 10^{-7}$ after 10. Xavier's scale is made for tanh; a
# sigmoid would need weights about 4 times larger to make up for its slope, and its outputs around 0.5
# still shift every layer's input. That is one more reason hidden layers use tanh or the ReLU family, and
# the sigmoid is kept for outputs that are probabilities.

# %% [markdown] nbgrader={"grade": false, "grade_id": "summary", "locked": true, "schema_version": 3, "solution": false}
# ## Summary
#
# | activation | formula | derivative | watch out for |
# |---|---|---|---|
# | sigmoid | $1/(1+e^{-x})$ | $\sigma(1-\sigma) \le \tfrac14$ | saturation, vanishing gradients, overflow if written naively |
# | tanh | $\tanh x$ | $1 - \tanh^2 x \le 1$ | saturation (zero-centred, better than sigmoid) |
# | ReLU | $\max(0, x)$ | $1$ or $0$ | dead units |
# | leaky ReLU | $\max(0.1x, x)$ | $1$ or $0.1$ | the slope is one more hyperparameter |
# | ELU | $x$ or $\alpha(e^x - 1)$ | $1$ or $\alpha e^x$ | cost of exp; `np.where` evaluates both branches |
# | maxout | $\max(w_1^Tx + b_1, w_2^Tx + b_2)$ | $w$ of the winning piece | twice the parameters |
#
# * Write numerically safe code: never `exp` a large positive number (sigmoid, ELU), and remember that
#   `np.where` computes both branches.
# * Saturating activations multiply gradients by small factors layer after layer; non-saturating ones
#   (the ReLU family, maxout) keep them alive, at the risk of dead units for the plain ReLU.
# * Maxout generalises ReLU ($w_2 = b_2 = 0$) and leaky ReLU ($w_2 = 0.1\,w_1$ and $b_2 = 0.1\,b_1$).
# * A unit sums fan-in products, so $\operatorname{Var}(a) = \text{fan-in} \cdot \operatorname{Var}(w) \cdot \mathbb{E}[z^2]$:
#   Xavier's $\operatorname{Var}(w) = 2/(\text{fan-in} + \text{fan-out})$ (tanh; not the sigmoid, whose slope
#   $\tfrac14$ at 0 shrinks the gradient about 4 times per layer with it) and He's
#   $2/\text{fan-in}$ (ReLU, which halves $\mathbb{E}[z^2]$) keep the activations' size from layer to layer;
#   a constant factor too small or too large is multiplied once per layer.
#
# **Next:** notebook 03 asks how to find good weights at all: loss functions and their minimum.
