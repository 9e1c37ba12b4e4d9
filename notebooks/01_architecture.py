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
# # 01 · The architecture of a neural network
#
# A neural network is a function built from very simple parts: *neurons* that take a weighted sum of
# their inputs and pass it through a nonlinearity. In this notebook you build one from scratch, first a
# single neuron, then a layer, then the two-layer network of the lecture, and you see why stacking
# layers (with a nonlinearity between them) makes the model more powerful.
#
# **Learning goals.** After this notebook you can
#
# 1. write the lecture's two-layer network as formulas and as NumPy code, with the biases handled as
#    the extra inputs $x_0 = 1$ and $z_0 = 1$;
# 2. compute a layer both with explicit loops and as one matrix product, and say why the second is
#    the one we use;
# 3. run the full forward pass with a sigmoid output (binary) and a softmax output (multiclass);
# 4. explain why a network without nonlinearity collapses to a linear model, and what depth buys.
#
# **Time:** about 60 minutes. **Total: 12 points**, 10 autograded (five exercises, 2 each) and 2
# for one short written answer.
#
# Run the cells from top to bottom. Cells marked *Exercise* are yours; the cell after each one
# tests your answer (the visible checks are a subset of the checks used for grading).

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import numpy as np
from IPython.display import display

from helpers import figure_style, network_figures, testing, widgets

rng = np.random.default_rng(0)
figure_style.use_course_style()
np.set_printoptions(precision=4, suppress=True)

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_neuron", "locked": true, "schema_version": 3, "solution": false}
# ## 1. One neuron
#
# The lecture's inspiration is the nerve cell. A biological neuron collects signals from many other
# neurons through its *dendrites*; each connection (synapse) is stronger or weaker; the cell body adds
# up what arrives and, if the total is over a threshold, the neuron *fires* a signal along its *axon*
# to the next neurons.
#
# The artificial neuron keeps exactly this recipe and nothing else:
#
# | biological neuron | artificial neuron |
# |---|---|
# | inputs from other neurons | numbers $x_1, \dots, x_D$ |
# | strength of each synapse | weights $w_1, \dots, w_D$ |
# | the cell body adds up | raw activation $a = \sum_{i=1}^D w_i x_i + w_0$ |
# | fires above a threshold | output $z = h(a)$, a nonlinearity |
#
# The bias $w_0$ moves the threshold. With the ReLU nonlinearity $h(a) = \max(0, a)$ of the lecture
# the neuron is silent ($z = 0$) while $a \le 0$ and "fires" with strength $a$ above it.
#
# (The analogy stops here: real neurons spike in time, adapt, and are far more varied. The useful
# part for us is *weighted sum, then a nonlinearity*.)
#
# **Why layers? Hubel and Wiesel.** The lecture's next slide (it spells the name "Weisel") shows the
# experiments of David Hubel and Torsten Wiesel (around 1959-1962, Nobel prize 1981) on the visual
# cortex of cats. They found *simple cells* that fire for an edge of one orientation at one place in the
# visual field, and *complex cells* that fire for that orientation anywhere in a small region, built on
# the simple cells' outputs. Vision is processed in a hierarchy: each stage combines the outputs of the
# stage before into a more complex, more invariant feature. A multi-layer network copies this idea: the
# first layer's units respond to simple patterns of the input, later layers combine them (notebook 08
# shows what the first layer of a network trained on CIFAR-10 responds to).

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_ex_neuron", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 1: a single neuron (2 points)
#
# Write `neuron(x, w, w0)` that returns the output $z = \max\left(0, \sum_{i=1}^D w_i x_i + w_0\right)$ of
# one ReLU neuron, as a single Python or NumPy float.
#
# * `x`: inputs, shape `(D,)`; `w`: weights, shape `(D,)`; `w0`: the bias, a number.
# * Use NumPy (`np.dot` or `x @ w`, `max`), not the course library: the test checks that the work
#   is yours.

# %% nbgrader={"grade": false, "grade_id": "neuron", "locked": false, "schema_version": 3, "solution": true}
def neuron(x, w, w0):
    """Output of one ReLU neuron.

    Parameters
    ----------
    x : ndarray, shape (D,)
        Inputs.
    w : ndarray, shape (D,)
        One weight per input.
    w0 : float
        Bias.

    Returns
    -------
    z : float
        max(0, sum_i w_i x_i + w0).
    """
    ### BEGIN SOLUTION
    a = float(np.dot(w, x)) + float(w0)
    return max(0.0, a)
    ### END SOLUTION


# %% [markdown] nbgrader={"grade": false, "grade_id": "md_try_neuron", "locked": true, "schema_version": 3, "solution": false}
# Try it: with inputs $x = (1, 2)$ and weights $w = (0.5, -1)$ the weighted sum is $0.5 - 2 = -1.5$.
# A bias of $w_0 = 2$ lifts it over the threshold; a bias of $w_0 = 1$ does not.

# %% nbgrader={"grade": false, "grade_id": "try_neuron", "locked": true, "schema_version": 3, "solution": false}
x = np.array([1.0, 2.0])
w = np.array([0.5, -1.0])
print("bias 2 ->", neuron(x, w, 2.0))
print("bias 1 ->", neuron(x, w, 1.0))

# %% nbgrader={"grade": true, "grade_id": "neuron_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Visible checks: one number out, silent below the threshold, linear above it.
z = testing.check_own_work(neuron, np.array([1.0, 2.0]), np.array([0.5, -1.0]), 2.0)
testing.assert_scalar(z, name="neuron(x, w, 2.0)")
testing.assert_close(
    testing.check_own_work(neuron, np.array([1.0, 2.0]), np.array([1.0, 0.5]), 0.5),
    2.5,
    name="neuron([1, 2], [1, 0.5], 0.5) (w . x = 2 plus the bias w0 = 0.5)",
    mistakes={
        "the bias is missing: 2.0 is w . x alone; add w0.": 2.0,
        "the bias is subtracted: 1.5 is w . x - w0; the activation is w . x + w0.": 1.5,
    },
)
testing.assert_close(
    z,
    0.5,
    name="neuron([1, 2], [0.5, -1], 2.0) (w . x = -1.5 plus the bias w0 = 2.0)",
    mistakes={"the bias is missing (max(0, w . x) = 0) or subtracted: the activation is w . x + w0.": 0.0},
)
z = testing.check_own_work(neuron, np.array([1.0, 2.0]), np.array([0.5, -1.0]), 1.0)
testing.assert_close(z, 0.0, name="neuron([1, 2], [0.5, -1], 1.0) (below the threshold)")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(101)
for _D in (1, 3, 7):
    for _ in range(5):
        _x, _w, _b = _rng.normal(size=_D), _rng.normal(size=_D), float(_rng.normal())
        _z = testing.check_own_work(neuron, _x, _w, _b)
        testing.assert_scalar(_z, name="neuron returns one number for inputs of other lengths")
        testing.assert_close(_z, max(0.0, float(_x @ _w) + _b), name="neuron on inputs of other lengths (the ReLU of w . x + b)")
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_bias", "locked": true, "schema_version": 3, "solution": false}
# ### The bias as a weight: $x_0 = 1$
#
# The lecture writes the bias as one more weight, $w_0$, attached to an extra input that is always one,
# $x_0 = 1$. Then the raw activation is a single sum from $i = 0$:
#
# $$a = \sum_{i=1}^D w_i x_i + w_0 = \sum_{i=0}^D w_i x_i \qquad \text{with } x_0 = 1.$$
#
# Nothing changes in the result; it only makes the formulas (and the pictures) uniform: *every* number
# the network learns is the weight of a link. The check below prepends the 1 and the bias and
# compares.

# %% nbgrader={"grade": false, "grade_id": "bias_trick", "locked": true, "schema_version": 3, "solution": false}
w0 = 2.0
x_aug = np.concatenate([[1.0], x])  # (x0, x1, ..., xD) with x0 = 1
w_aug = np.concatenate([[w0], w])  # (w0, w1, ..., wD)
print("sum with a separate bias:", w @ x + w0)
print("one sum from i = 0      :", w_aug @ x_aug)

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_layer", "locked": true, "schema_version": 3, "solution": false}
# ## 2. A layer of neurons
#
# A layer is $H$ neurons that all see the same inputs, each with its own weights. The lecture numbers
# them $j = 1, \dots, M$ and writes the first layer's weights $w^{(1)}_{ji}$ (to hidden unit $j$
# from input $i$):
#
# $$a_j = \sum_{i=1}^D w^{(1)}_{ji}\, x_i + w^{(1)}_{j0}, \qquad z_j = h(a_j), \qquad j = 1, \dots, M.$$
#
# In code we process a whole batch of $N$ examples at once and store the weights as a matrix
# `W` of shape `(D, H)` (here $H = M$ hidden units), so that column `j` holds the weights of unit
# `j`: `W[i, j]` is the lecture's $w^{(1)}_{ji}$. The biases form a vector `b` of shape `(H,)`.
# For the batch `X` of shape `(N, D)` (one example per row), the raw activations are
#
# $$A_{nj} = \sum_{i=1}^{D} X_{ni} W_{ij} + b_j, \qquad A = XW + b \;\text{ of shape } (N, H).$$
#
# The second form is a single matrix product (plus `b` broadcast to every row). You will write the
# first form with loops, then the second, and compare them.

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_ex_layer_loops", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 2: a layer with loops (2 points)
#
# Write `layer_loops(X, W, b)` that returns the raw activations `A` of shape `(N, H)` with explicit
# Python loops over the examples `n`, the units `j` and the inputs `i`, exactly as the sum above.
# No nonlinearity here: the layer returns $a$, not $h(a)$. Start from `A = np.zeros((N, H))`.

# %% nbgrader={"grade": false, "grade_id": "layer_loops", "locked": false, "schema_version": 3, "solution": true}
def layer_loops(X, W, b):
    """Raw activations of one fully connected layer, with loops.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    W : ndarray, shape (D, H)
        W[i, j] is the weight from input i to unit j.
    b : ndarray, shape (H,)

    Returns
    -------
    A : ndarray, shape (N, H)
        A[n, j] = sum_i X[n, i] * W[i, j] + b[j].
    """
    ### BEGIN SOLUTION
    N, D = X.shape
    H = W.shape[1]
    A = np.zeros((N, H), dtype=np.result_type(X, W, b, 1.0))
    for n in range(N):
        for j in range(H):
            total = b[j]
            for i in range(D):
                total += X[n, i] * W[i, j]
            A[n, j] = total
    return A
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "try_layer_loops", "locked": true, "schema_version": 3, "solution": false}
X_small = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]])  # N = 3 examples, D = 2 inputs
W_small = np.array([[0.5, -1.0, 2.0], [-1.0, 0.0, 1.0]])  # D = 2, H = 3 units
b_small = np.array([2.0, 0.0, -1.0])
print(layer_loops(X_small, W_small, b_small))

# %% nbgrader={"grade": true, "grade_id": "layer_loops_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Visible checks: shape, and unit 0 of example 0 is the neuron of exercise 1 before its ReLU.
A = testing.check_own_work(layer_loops, X_small, W_small, b_small)
testing.assert_shape(A, (3, 3), name="layer_loops(X_small, W_small, b_small)")
testing.assert_close(
    A[2, 2],
    5.5,
    name="A[2, 2] (X[2] . W[:, 2] = 3 x 2 + 0.5 x 1 = 6.5 plus the bias b[2] = -1)",
    mistakes={
        "the bias is missing: 6.5 is X[2] . W[:, 2] alone; add b[j] once per unit.": 6.5,
        "the bias is added D = 2 times (inside the loop over i): add b[j] once, outside it.": 4.5,
        "the last input is left out (range(D - 1)?): 5.0 is 3 x 2 - 1 without 0.5 x 1.": 5.0,
    },
)
testing.assert_close(
    A[0, 0],
    0.5,
    name="A[0, 0] (X[0] . W[:, 0] = -1.5 plus the bias b[0] = 2)",
    mistakes={"the bias is missing: -1.5 is X[0] . W[:, 0] alone; add b[j].": -1.5},
)
testing.assert_close(A[:, 1], -X_small[:, 0], name="A[:, 1] (unit 1 has weights (-1, 0), bias 0)")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(202)
for _N, _D, _H in ((1, 1, 1), (4, 3, 5), (6, 2, 1)):
    _X, _W, _b = _rng.normal(size=(_N, _D)), _rng.normal(size=(_D, _H)), _rng.normal(size=_H)
    _A = testing.check_own_work(layer_loops, _X, _W, _b)
    testing.assert_shape(_A, (_N, _H), name="layer_loops output shape on other sizes (one row per example, one column per unit)")
    testing.assert_close(_A, _X @ _W + _b, name="layer_loops on other sizes (each unit adds its own bias once)")
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_ex_layer_vec", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 3: the same layer, vectorized (2 points)
#
# Write `layer_vectorized(X, W, b)` with **no Python loop**: one matrix product and one addition
# (NumPy broadcasts `b` of shape `(H,)` over the `N` rows). It must agree with `layer_loops`.

# %% nbgrader={"grade": false, "grade_id": "layer_vectorized", "locked": false, "schema_version": 3, "solution": true}
def layer_vectorized(X, W, b):
    """Raw activations of one fully connected layer, as a matrix product.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    W : ndarray, shape (D, H)
    b : ndarray, shape (H,)

    Returns
    -------
    A : ndarray, shape (N, H)
        The same numbers as layer_loops, without a Python loop.
    """
    ### BEGIN SOLUTION
    return X @ W + b
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "layer_vectorized_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Visible checks: same shape and values as the loop version on a random batch.
_r = np.random.default_rng(7)
_X, _W, _b = _r.normal(size=(5, 4)), _r.normal(size=(4, 3)), _r.normal(size=3)
A = testing.check_own_work(layer_vectorized, _X, _W, _b)
testing.assert_shape(A, (5, 3), name="layer_vectorized on N=5, D=4, H=3")
for n, j in ((0, 0), (4, 2), (2, 1)):
    expected = sum(_X[n, i] * _W[i, j] for i in range(4)) + _b[j]
    # what two typical mistakes give here, so that the message can name them
    _mistakes = {f"the bias is missing: this is X[{n}] . W[:, {j}] alone; add b (shape (H,)).": expected - _b[j]}
    if j:
        _mistakes[f"unit {j} got the bias b[0] of unit 0: each unit j has its own b[j]; add the vector b."] = (
            expected - _b[j] + _b[0]
        )
    testing.assert_close(A[n, j], expected, name=f"A[{n}, {j}] = sum_i X[{n}, i] W[i, {j}] + b[{j}]", mistakes=_mistakes)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(303)
for _N, _D, _H in ((1, 1, 1), (7, 3, 2), (300, 64, 50)):
    _X, _W, _b = _rng.normal(size=(_N, _D)), _rng.normal(size=(_D, _H)), _rng.normal(size=_H)
    _A = testing.check_own_work(layer_vectorized, _X, _W, _b)
    testing.assert_shape(_A, (_N, _H), name="layer_vectorized output shape on other sizes, a large batch too")
    testing.assert_close(_A, _X @ _W + _b, name="layer_vectorized on other sizes, a large batch too (X @ W + b)")
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_timing", "locked": true, "schema_version": 3, "solution": false}
# Both compute the same numbers, but not at the same speed. A CIFAR-10 image has $D = 3072$ inputs;
# the loops run $N \cdot H \cdot D$ Python steps, while the matrix product hands the whole job to an
# optimised linear-algebra library (BLAS). The timing below is shown, never graded: it depends on
# the machine.

# %% nbgrader={"grade": false, "grade_id": "timing", "locked": true, "schema_version": 3, "solution": false}
# NBVAL_IGNORE_OUTPUT
import time

X_big, W_big, b_big = rng.normal(size=(20, 300)), rng.normal(size=(300, 20)), rng.normal(size=20)
start = time.perf_counter()
A_loops = layer_loops(X_big, W_big, b_big)
t_loops = time.perf_counter() - start
start = time.perf_counter()
A_vec = layer_vectorized(X_big, W_big, b_big)
t_vec = time.perf_counter() - start
print(f"loops: {t_loops * 1e3:.1f} ms, vectorized: {t_vec * 1e3:.3f} ms, speed-up {t_loops / t_vec:.0f}x")
print("same result:", np.allclose(A_loops, A_vec))

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_two_layer", "locked": true, "schema_version": 3, "solution": false}
# ## 3. The two-layer network of the lecture
#
# Two layers in a row make the network of the lecture (Bishop's Figure 5.1). With the biases drawn as
# links from the extra nodes $x_0 = 1$ and $z_0 = 1$:
#
# $$\text{hidden layer:}\quad a_j = \sum_{i=1}^D w^{(1)}_{ji} x_i + w^{(1)}_{j0}, \qquad z_j = h(a_j), \qquad j = 1..M$$
#
# $$\text{output layer:}\quad a_k = \sum_{j=1}^M w^{(2)}_{kj} z_j + w^{(2)}_{k0}, \qquad k = 1..K$$
#
# and the outputs turn the raw scores $a_k$ into probabilities:
#
# $$\text{binary:}\quad y_k = \sigma(a_k) = \frac{1}{1 + e^{-a_k}}, \qquad
#   \text{multiclass:}\quad y_k = \frac{e^{a_k}}{\sum_{k'=1}^K e^{a_{k'}}}\;\text{(softmax)}.$$
#
# (The slide writes the softmax's sum with the index $j$; since $j$ already numbers the hidden units, we
# write $k'$ for the output units.)
#
# **Counting layers.** The lecture's slide labels the hidden layer's formula "Layer 2" and the output's
# "Layer 3 (final)": it counts the inputs as layer 1, the way the network diagram draws three columns of
# nodes. The superscripts count the other way: $w^{(1)}$ are the weights *into* the hidden layer,
# $w^{(2)}$ those into the output. This course counts as the superscripts and as Bishop's "two-layer
# network" do: a layer is one set of weights (plus its nonlinearity), so slide layer 2 = our layer 1
# (`W1`, `b1`, the hidden layer) and slide layer 3 = our layer 2 (`W2`, `b2`, the output layer). The
# inputs are not a layer of their own: nothing is computed there.
#
# Written as one formula, the binary network is
#
# $$y_k(\mathbf{x}, \mathbf{w}) = \sigma\left(\sum_{j=1}^M w^{(2)}_{kj}\,
#   h\left(\sum_{i=1}^D w^{(1)}_{ji} x_i + w^{(1)}_{j0}\right) + w^{(2)}_{k0}\right).$$
#
# In code the parameters are a dict: `W1 (D, H)`, `b1 (H,)`, `W2 (H, C)`, `b2 (C,)`, with $H = M$
# hidden units and $C = K$ outputs. Here is a network with given weights: it computes XOR, the
# function that is 1 when exactly one of two inputs is 1. The picture draws every weight as a
# link (orange positive, blue negative, thicker is larger) and the biases as links from $x_0$ and $z_0$.

# %% nbgrader={"grade": false, "grade_id": "xor_params", "locked": true, "schema_version": 3, "solution": false}
xor_params = {
    "W1": np.array([[1.0, 1.0], [1.0, 1.0]]),  # (D=2, H=2)
    "b1": np.array([0.0, -1.0]),  # (H,)
    "W2": np.array([[10.0], [-20.0]]),  # (H=2, C=1)
    "b2": np.array([-5.0]),  # (C,)
}
X_xor = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
fig = network_figures.plot_network(xor_params, title="A 2-2-1 network that computes XOR (ReLU hidden units)")

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_relu_given", "locked": true, "schema_version": 3, "solution": false}
# The nonlinearity $h$ is a parameter of the forward pass. Notebook 02 is all about the choices; here
# we use the ReLU of the lecture, given below (you may pass any other elementwise function, such as
# `np.tanh`).

# %% nbgrader={"grade": false, "grade_id": "relu_given", "locked": true, "schema_version": 3, "solution": false}
def relu(a):
    """ReLU, max(0, a), elementwise."""
    return np.maximum(0.0, a)


# %% [markdown] nbgrader={"grade": false, "grade_id": "md_ex_binary", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 4: the forward pass with a sigmoid output (2 points)
#
# Write `forward_binary(X, params, h=relu)` that returns the outputs $y$ of shape `(N, C)`: hidden
# layer, nonlinearity `h`, output layer, then the sigmoid $\sigma(a) = 1/(1 + e^{-a})$ elementwise.
# You may call your `layer_vectorized`. (A sigmoid that is safe for very large $|a|$ is part of
# notebook 02; the tests here use moderate values.)

# %% nbgrader={"grade": false, "grade_id": "forward_binary", "locked": false, "schema_version": 3, "solution": true}
def forward_binary(X, params, h=relu):
    """Two-layer network with sigmoid outputs.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    params : dict
        W1 (D, H), b1 (H,), W2 (H, C), b2 (C,).
    h : callable
        Elementwise nonlinearity of the hidden layer.

    Returns
    -------
    y : ndarray, shape (N, C)
        sigmoid(h(X W1 + b1) W2 + b2), each entry in (0, 1).
    """
    ### BEGIN SOLUTION
    Z = h(X @ params["W1"] + params["b1"])
    scores = Z @ params["W2"] + params["b2"]
    return 1.0 / (1.0 + np.exp(-scores))
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "try_binary", "locked": true, "schema_version": 3, "solution": false}
y_xor = forward_binary(X_xor, xor_params)
for x_row, y_row in zip(X_xor, y_xor, strict=True):
    print(f"x = {x_row} -> y = {y_row[0]:.4f}")

# %% nbgrader={"grade": true, "grade_id": "forward_binary_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Visible checks: shape, probabilities, XOR rounded.
y = testing.check_own_work(forward_binary, X_xor, xor_params)
testing.assert_shape(y, (4, 1), name="forward_binary(X_xor, xor_params)")
assert np.all((y > 0) & (y < 1)), f"sigmoid outputs must lie strictly between 0 and 1, got {y.ravel()}"
testing.assert_equal((y[:, 0] > 0.5).astype(int), np.array([0, 1, 1, 0]), name="XOR predictions (y > 0.5)")
# the output scores Z W2 + b2 of the four inputs are -5, 5, 5, -5
testing.assert_close(
    y[:, 0],
    1.0 / (1.0 + np.exp([5.0, -5.0, -5.0, 5.0])),
    name="y = sigmoid(Z W2 + b2) on XOR (scores -5, 5, 5, -5)",
    mistakes={"b2 is missing: these are the sigmoids of Z W2 alone (0, 10, 10, 0); add b2 = -5.": 1.0
    / (1.0 + np.exp([0.0, -10.0, -10.0, 0.0]))},
)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(404)


def _ref_binary(X, p, h):
    s = h(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
    return 1.0 / (1.0 + np.exp(-s))


_y = testing.check_own_work(forward_binary, X_xor, xor_params)
testing.assert_close(_y, _ref_binary(X_xor, xor_params, relu), name="forward_binary on the XOR network (the sigmoid of the output score)")
for _N, _D, _H, _C in ((1, 3, 4, 1), (6, 5, 7, 2)):
    _p = {
        "W1": _rng.normal(size=(_D, _H)),
        "b1": _rng.normal(size=_H),
        "W2": _rng.normal(size=(_H, _C)),
        "b2": _rng.normal(size=_C),
    }
    _X = _rng.normal(size=(_N, _D))
    for _h in (relu, np.tanh):
        _y = testing.check_own_work(forward_binary, _X, _p, h=_h)
        testing.assert_close(_y, _ref_binary(_X, _p, _h), name="forward_binary with another activation h and other sizes (use the h passed in)")
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_multiclass", "locked": true, "schema_version": 3, "solution": false}
# ### Softmax for $K$ classes
#
# For a multiclass problem the $K$ outputs must be probabilities *of one distribution*: positive and
# summing to 1. The softmax does that: exponentiate (everything becomes positive), then divide by
# the sum (everything adds up to 1).
#
# One practical detail: $e^{1000}$ overflows to `inf` in floating point, and `inf/inf` is `nan`.
# Since the softmax does not change when the same constant is subtracted from every score,
#
# $$\frac{e^{a_k - c}}{\sum_{k'} e^{a_{k'} - c}} = \frac{e^{-c}\,e^{a_k}}{e^{-c}\sum_{k'} e^{a_{k'}}}
#   = \frac{e^{a_k}}{\sum_{k'} e^{a_{k'}}},$$
#
# we take $c = \max_k a_k$: then every exponent is $\le 0$, the largest term is $e^0 = 1$, and
# nothing overflows.

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_ex_multiclass", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 5: the forward pass with a softmax output (2 points)
#
# Write `forward_multiclass(X, params, h=relu)` that returns the class probabilities of shape
# `(N, C)`: each row is the softmax of that example's scores. Subtract each row's maximum score
# before `np.exp` (use `keepdims=True` so the shapes broadcast). The tests feed scores in the
# thousands.

# %% nbgrader={"grade": false, "grade_id": "forward_multiclass", "locked": false, "schema_version": 3, "solution": true}
def forward_multiclass(X, params, h=relu):
    """Two-layer network with softmax outputs.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    params : dict
        W1 (D, H), b1 (H,), W2 (H, C), b2 (C,).
    h : callable
        Elementwise nonlinearity of the hidden layer.

    Returns
    -------
    probs : ndarray, shape (N, C)
        Row n is softmax(h(X[n] W1 + b1) W2 + b2); every row sums to 1.
    """
    ### BEGIN SOLUTION
    Z = h(X @ params["W1"] + params["b1"])
    scores = Z @ params["W2"] + params["b2"]
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)
    ### END SOLUTION


# %% [markdown] nbgrader={"grade": false, "grade_id": "md_try_multiclass", "locked": true, "schema_version": 3, "solution": false}
# Try it on a small random network: $D = 4$ inputs, $H = 5$ hidden units, $C = 3$ classes, two
# examples. Each row of probabilities sums to 1, and the predicted class is the row's largest entry.

# %% nbgrader={"grade": false, "grade_id": "try_multiclass", "locked": true, "schema_version": 3, "solution": false}
demo_params = {
    "W1": rng.normal(size=(4, 5)),
    "b1": np.zeros(5),
    "W2": rng.normal(size=(5, 3)),
    "b2": np.zeros(3),
}
X_demo = rng.normal(size=(2, 4))
probs = forward_multiclass(X_demo, demo_params)
print("probabilities:\n", probs)
print("row sums:", probs.sum(axis=1))
print("predicted classes:", probs.argmax(axis=1))

# %% nbgrader={"grade": true, "grade_id": "forward_multiclass_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Visible checks: shape, rows sum to 1, and no overflow when the scores are in the thousands.
probs = testing.check_own_work(forward_multiclass, X_demo, demo_params)
testing.assert_shape(probs, (2, 3), name="forward_multiclass(X_demo, demo_params)")
assert not (np.allclose(probs.sum(axis=0), 1.0) and not np.allclose(probs.sum(axis=1), 1.0)), (
    "the row sums of the probabilities are not 1, but the column sums are: the softmax was normalised down the "
    "columns (over the N examples, axis=0). Each row is one example's distribution over its C classes: sum over "
    "axis=1 with keepdims=True."
)
testing.assert_close(probs.sum(axis=1), np.ones(2), name="row sums of the probabilities")
# one example by hand: hidden activations relu([1, -1]) = [1, 0], scores [0, ln 2, ln 3], probabilities 1/6, 2/6, 3/6
hand_params = {"W1": np.eye(2), "b1": np.zeros(2), "W2": np.array([[0.0, np.log(2), np.log(3)], [1.0, 0.0, 0.0]]), "b2": np.zeros(3)}
testing.assert_close(
    testing.check_own_work(forward_multiclass, np.array([[1.0, -1.0]]), hand_params),
    [[1 / 6, 2 / 6, 3 / 6]],
    name="forward_multiclass on x = [1, -1] (hidden h([1, -1]) = [1, 0], scores 0, ln 2, ln 3)",
)
big_params = dict(demo_params, W2=1000.0 * demo_params["W2"])
probs_big = testing.check_own_work(forward_multiclass, X_demo, big_params)
assert np.all(np.isfinite(probs_big)), (
    "forward_multiclass returns nan/inf for large scores: subtract each row's max score before np.exp"
)
testing.assert_close(probs_big.sum(axis=1), np.ones(2), name="row sums with scores in the thousands")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(505)


def _ref_multiclass(X, p, h):
    s = h(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
    s = s - s.max(axis=1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=1, keepdims=True)


for _N, _D, _H, _C, _scale in ((1, 2, 3, 2, 1.0), (8, 5, 6, 4, 1.0), (5, 3, 4, 10, 500.0)):
    _p = {
        "W1": _rng.normal(size=(_D, _H)),
        "b1": _rng.normal(size=_H),
        "W2": _scale * _rng.normal(size=(_H, _C)),
        "b2": _rng.normal(size=_C),
    }
    _X = _rng.normal(size=(_N, _D))
    for _h in (relu, np.tanh):
        _probs = testing.check_own_work(forward_multiclass, _X, _p, h=_h)
        _want = _ref_multiclass(_X, _p, _h)
        testing.assert_close(_probs, _want, name=(
            "forward_multiclass on huge scores (subtract each row's max before np.exp)" if _scale > 1
            else "forward_multiclass with another activation h and other sizes (use the h passed in)"
        ))
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_feedforward", "locked": true, "schema_version": 3, "solution": false}
# ## 4. Feed-forward: layers in a cascade
#
# The lecture's animation sends an input through the network one layer at a time: multiply by the
# first weights, compute the intermediate "predictions" $z$ of the hidden layer, multiply by the next
# weights, and so on until the output. Each layer has its own weights; the output of one layer is
# the input of the next; nothing flows backwards (that is what *feed-forward* means). A deeper network
# is a longer composition,
#
# $$f(\mathbf{x}) = f^{(L)}\Big(\cdots f^{(2)}\big(f^{(1)}(\mathbf{x})\big)\Big), \qquad
#   f^{(l)}(\mathbf{z}) = h\big(\mathbf{z} W_l + \mathbf{b}_l\big).$$
#
# ### Why the nonlinearity matters
#
# Take the nonlinearity away ($h(a) = a$) and stack two layers:
# $(X W_1 + b_1) W_2 + b_2 = X (W_1 W_2) + (b_1 W_2 + b_2)$, which is *one* linear layer with weights
# $W_1 W_2$. The check below confirms it numerically. With the ReLU in between, no single matrix
# reproduces the network: on XOR above, no linear classifier can separate the four points, yet the
# 2-2-1 network does.

# %% nbgrader={"grade": false, "grade_id": "linear_collapse", "locked": true, "schema_version": 3, "solution": false}
W1, b1 = rng.normal(size=(3, 4)), rng.normal(size=4)
W2, b2 = rng.normal(size=(4, 2)), rng.normal(size=2)
X3 = rng.normal(size=(5, 3))
two_linear_layers = (X3 @ W1 + b1) @ W2 + b2
one_layer = X3 @ (W1 @ W2) + (b1 @ W2 + b2)
print("two linear layers == one linear layer:", np.allclose(two_linear_layers, one_layer))
with_relu = relu(X3 @ W1 + b1) @ W2 + b2
print("with a ReLU in between, still equal?  ", np.allclose(with_relu, one_layer))

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_universal", "locked": true, "schema_version": 3, "solution": false}
# ## 5. How powerful is one hidden layer?
#
# The lecture states that a network with one hidden layer can approximate any continuous function
# (on a bounded region) to arbitrary accuracy, *given sufficiently many hidden units*. You can watch
# it happen. Below, the hidden layer has $H$ units with **random** weights and biases (ReLU or tanh),
# and only the output weights are fitted, by least squares, to $\sin(x)$ on $[-3, 3]$. Each ReLU unit
# adds one kink to a piecewise-linear curve; with more units the curve hugs the target more closely.

# %% nbgrader={"grade": false, "grade_id": "universal_demo", "locked": true, "schema_version": 3, "solution": false}
x_grid = np.linspace(-3, 3, 200)
for H in (1, 2, 4, 8, 16, 32):
    fit = network_figures.fit_random_features(x_grid, np.sin(x_grid), H, activation="relu", rng=np.random.default_rng(0))
    print(f"H = {H:2d} hidden units: mean squared error {np.mean((fit - np.sin(x_grid)) ** 2):.5f}")
fig = network_figures.plot_universal_approximation(np.sin, hidden_units=(2, 4, 8, 32), activation="relu", seed=0)

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_universal_widget", "locked": true, "schema_version": 3, "solution": false}
# **Explore.** Choose the number of hidden units, switch between ReLU and tanh, and
# change the random seed. Which activation needs fewer units for the sine? What happens with very
# few units? (The explorer does not run while grading.)

# %% nbgrader={"grade": false, "grade_id": "universal_widget", "locked": true, "schema_version": 3, "solution": false}
# NBVAL_IGNORE_OUTPUT
# (an interactive explorer: what it outputs depends on the front end)
if widgets.widgets_enabled():
    display(network_figures.universal_approximation_explorer())

# %% nbgrader={"grade": false, "grade_id": "universal_widget_still", "locked": true, "schema_version": 3, "solution": false}
# The explorer at its default setting, as a still figure with what it shows (also without widgets):
network_figures.universal_approximation_explorer(static=True)

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_depth", "locked": true, "schema_version": 3, "solution": false}
# ## 6. Depth = power (usually)
#
# "Sufficiently many" units can be *a lot*. Depth often gets the same power with far fewer units.
# A classic example: the "tent" $t(x) = 2\,\mathrm{ReLU}(x) - 4\,\mathrm{ReLU}(x - 0.5)$ is a layer of
# just two ReLU units; on $[0, 1]$ it goes up and down once: two straight pieces, from $(0, 0)$ up to
# $(0.5, 1)$ and back down to $(1, 0)$. Now feed its output into another copy of itself, and that into a
# third: a network of 3 layers with 2 units each, $t(t(t(x)))$.
#
# **Predict before you run.** How many straight (linear) pieces does $t(t(t(x)))$ have on $[0, 1]$?
# Write your guess into `my_guess` in the next cell (a number, not graded), then run the cell after it,
# which counts the pieces for depths 1 to 5. Hint: follow $t(t(x))$ while $x$ goes from 0 to 0.5 and
# $t(x)$ goes from 0 to 1 once.

# %% nbgrader={"grade": false, "grade_id": "depth_guess", "locked": false, "schema_version": 3, "solution": false}
my_guess = None  # your prediction: the number of linear pieces of t(t(t(x))) on [0, 1]


# %% nbgrader={"grade": false, "grade_id": "depth_demo", "locked": true, "schema_version": 3, "solution": false}
def tent(x):
    """One layer of two ReLU units: up on [0, 0.5], down on [0.5, 1]."""
    return 2 * relu(x) - 4 * relu(x - 0.5)


x01 = np.linspace(0, 1, 4097)  # dyadic grid: the kinks fall on grid points
curves = {}
y = x01
for depth in range(1, 6):
    y = tent(y)
    curves[f"{depth} layer{'s' if depth > 1 else ''} ({2 * depth} units)"] = y
    slopes = np.sign(np.diff(y))
    pieces = 1 + np.count_nonzero(slopes[1:] != slopes[:-1])
    print(f"depth {depth}: {2 * depth:2d} ReLU units -> {pieces:2d} linear pieces (one hidden layer: >= {pieces - 1} units)")
    if depth == 3:
        pieces_at_3 = pieces
print(f"your guess for depth 3: {my_guess}; counted: {pieces_at_3}")
fig = network_figures.plot_curves(
    x01,
    {k: v for k, v in curves.items() if k[0] in "123"},
    title="Composing the tent map: each layer doubles the number of pieces",
    xlabel="input x",
    ylabel="network output",
)

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_depth_answer", "locked": true, "schema_version": 3, "solution": false}
# Each layer doubles the number of pieces: while $x$ runs through one piece of the network below it, the
# value fed into the next tent runs from 0 to 1 (or from 1 to 0) once, and the tent turns that into an up
# and a down. So $L$ layers of 2 units give $2^L$ pieces (8 at depth 3, 32 at depth 5, as counted above).
# A single hidden layer of $M$ ReLU units has at most $M + 1$ pieces (one kink per unit), so it would need
# $2^L - 1$ units to draw the same zig-zag: 31 units for what 5 layers do with 10.

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_q_depth", "locked": true, "schema_version": 3, "solution": false}
# ### Question (2 points, graded by hand)
#
# In three to six sentences: (a) why is a network of several layers *without* a nonlinearity still
# only a linear model, and (b) what does adding depth (with nonlinearities) buy, according to the
# lecture's "depth = power" and the tent example above? Mention one reason why "usually" is in the
# lecture's slogan.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_depth", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# (a) Each layer without nonlinearity is an affine map $z \mapsto zW + b$, and a composition of
# affine maps is affine: $(XW_1 + b_1)W_2 + b_2 = X(W_1W_2) + (b_1W_2 + b_2)$. However many layers,
# the network equals one linear layer, so its decision boundaries are hyperplanes (it cannot solve
# XOR). (b) With a nonlinearity between layers, each layer can fold and re-use the features of the
# previous one, so the number of linear pieces (and the complexity of the function) can grow
# exponentially with depth, while it only grows linearly with the width of one hidden layer: the
# 5-layer tent network has 32 pieces with 10 units, a shallow net needs 31 units. Deep networks thus
# represent many useful functions with far fewer parameters. "Usually": a deeper network is harder
# to train (vanishing/exploding gradients, more hyperparameters, risk of overfitting with little data),
# and for some functions extra depth brings nothing.
# ### END SOLUTION

# %% [markdown] nbgrader={"grade": false, "grade_id": "summary", "locked": true, "schema_version": 3, "solution": false}
# ## Summary
#
# * A neuron computes a weighted sum of its inputs plus a bias, $a = \sum_i w_i x_i + w_0$, and passes
#   it through a nonlinearity, $z = h(a)$. Writing the bias as the weight of an input $x_0 = 1$ makes
#   every parameter the weight of a link.
# * A layer is many neurons at once: $A = XW + b$ with `X (N, D)`, `W (D, H)`, `b (H,)`. The
#   vectorized form gives the same numbers as the loops, much faster.
# * The lecture's two-layer network: hidden layer, nonlinearity $h$, output layer, then a sigmoid
#   (binary) or a softmax (multiclass, with the row maximum subtracted for stability).
# * Without nonlinearities, layers collapse into one linear map. With them, one hidden layer can
#   approximate any continuous function given enough units, and depth often buys the same power with
#   exponentially fewer units.
# * A layer here is one set of weights: the lecture's "Layer 2" and "Layer 3" (inputs counted as layer
#   1) are our hidden layer (`W1`) and output layer (`W2`).
#
# **What training will take (the lecture's "comments on the training algorithm").** The weights are
# learned by gradient descent (notebooks 06-08). Expect this: training is not guaranteed to reach zero
# training error, and can stop in a local minimum or oscillate, yet on real data large networks do reach
# low error, and local minima are rarely the problem for deep networks. It can take thousands of
# *epochs* (one epoch = every training example seen once) and hours or days on big data. The learning
# rate, the number of hidden units and the number of layers are hard to set in advance: try candidates
# and keep what does best on a *validation set*, data held out from training (notebook 08 does this).
# Neural networks fell out of fashion in the 1990s and early 2000s, when other methods (such as support
# vector machines) did as well with less tuning; they came back with much more data, faster hardware
# and better training of deep networks (ReLU, dropout, good initialisation).
#
# **Next:** notebook 02 looks at the nonlinearities themselves: sigmoid, tanh, ReLU, leaky ReLU, ELU
# and maxout, their derivatives, and why the choice matters for training.
