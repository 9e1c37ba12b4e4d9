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
# # 03 · Finding the best weights: argmin, penalties and search
#
# The lecture's section **Goals** asks: *how do we train deep networks?* This notebook answers with the
# lecture's smallest possible example, a single weight that can take three values, and grows it step by
# step into the idea behind all of training: **minimise a loss by searching, because no formula gives
# the weights**.
#
# **Learning goals.** After this notebook you can
#
# 1. read $\operatorname{argmin}_w L(w)$ and tell the *minimiser* $w^\star$ from the *minimum* $L(w^\star)$;
# 2. add a penalty $\lambda |w|$ to a loss and predict how it moves the optimum, including the exact
#    $\lambda$ at which the optimum switches;
# 3. find the minimiser of a continuous loss on a grid, and explain why grids stop working with many weights;
# 4. explain why a neural network has no closed-form solution for its weights, and write a first
#    iterative search.
#
# **Time:** about 40 minutes. **Total: 16 points** (12 autograded in 5 exercises, 4 for two short
# written answers).
#
# Run the cells from top to bottom. Exercises are marked **Exercise**; write your code where it says
# `YOUR CODE HERE` and run the test cell below it. Hidden tests check more cases when your work is graded.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from helpers import argmin_figures, figure_style, testing, widgets

rng = np.random.default_rng(0)
figure_style.use_course_style()

# %% [markdown]
# ## 1. The goal: minimise a loss
#
# The lecture's goals for training, in one place:
#
# * There is **no closed-form solution** for the weights of a neural network: we cannot write the
#   problem as a linear system $\mathbf{A}\mathbf{w} = \mathbf{b}$ and solve it for $\mathbf{w}$.
# * Instead we **iteratively** look for a set of weights whose outputs match the desired outputs.
# * "Match" is measured by a **loss function** $L(\mathbf{w})$, a function of the weights: small when
#   the outputs are good. Training means
#
# $$\mathbf{w}^\star = \operatorname*{argmin}_{\mathbf{w}} L(\mathbf{w}).$$
#
# To see what this means without any network at all, the lecture simplifies: one layer of weights, no
# activation, and then even simpler, **a single scalar weight** $w$.
#
# ## 2. The toy example: three candidate weights
#
# Suppose $w$ can only take the values $1, 2, 3$ and the loss is
#
# $$L(1) = 2, \qquad L(2) = 5, \qquad L(3) = 0.5 .$$
#
# $\operatorname{argmin}_w L(w)$ is the **value of $w$** with the smallest loss. Beware of two
# confusions: the argmin is not the smallest loss itself (that is $\min_w L(w)$), and it is not the
# position of $w$ in a list (which is what `np.argmin` returns).

# %%
w_toy = np.array([1.0, 2.0, 3.0])
L_toy = np.array([2.0, 5.0, 0.5])

best = np.argmin(L_toy)  # an index into the arrays, not a weight
print(f"np.argmin(L_toy) = {best}  (an index)")
print(f"optimal w        = {w_toy[best]:g}  (the argmin)")
print(f"its loss         = {L_toy[best]:g}  (the min)")

# %%
fig, ax = plt.subplots(figsize=(5, 3.2))
argmin_figures.plot_penalized_bars(ax, w_toy, L_toy, lam=0.0)
plt.show()

# %% [markdown]
# ## 3. Adding a penalty
#
# The lecture then changes the loss to
#
# $$\hat L(w) = L(w) + \lVert w \rVert ,$$
#
# where for a scalar $\lVert w \rVert = |w|$. The extra term does not care about the data at all: it only
# says "prefer small weights". We will meet it again as **regularization** (notebook 05). The slide
# works out $\hat L(1) = 2 + 1 = 3$ and leaves $\hat L(2)$ and $\hat L(3)$ to you.
#
# To study how much the penalty matters we give it a strength $\lambda \ge 0$:
#
# $$\hat L_\lambda(w) = L(w) + \lambda\,|w| .$$
#
# The slide's $\hat L$ is $\lambda = 1$; $\lambda = 0$ gives back the plain loss.

# %% [markdown] nbgrader={"grade": false, "grade_id": "penalized_loss_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 1 (2 points): the penalised loss
#
# Write `penalized_loss(w_values, L_values, lam)` that returns the array
# $\hat L_\lambda(w) = L(w) + \lambda |w|$ for every candidate weight. Work on whole arrays (no loop is
# needed), return floats, and do not modify the input arrays. Weights may be negative: the penalty uses
# the absolute value.


# %% nbgrader={"grade": false, "grade_id": "penalized_loss", "locked": false, "schema_version": 3, "solution": true}
def penalized_loss(w_values, L_values, lam=1.0):
    r"""The penalised loss $\hat L_\lambda(w) = L(w) + \lambda |w|$ of each candidate weight.

    Parameters
    ----------
    w_values : array_like, shape (K,)
        The K candidate weights.
    L_values : array_like, shape (K,)
        The data loss L(w) of each candidate.
    lam : float
        Penalty strength lambda >= 0.

    Returns
    -------
    ndarray of float, shape (K,)
    """
    ### BEGIN SOLUTION
    w_values = np.asarray(w_values, dtype=float)
    L_values = np.asarray(L_values, dtype=float)
    return L_values + lam * np.abs(w_values)
    ### END SOLUTION


# %% [markdown]
# Try it: the slide's $\hat L$ is $\lambda = 1$.

# %%
L_hat_toy = penalized_loss(w_toy, L_toy, lam=1.0)
for w, value in zip(w_toy, L_hat_toy, strict=True):
    print(f"L_hat({w:g}) = {value:g}")

# %% nbgrader={"grade": true, "grade_id": "penalized_loss_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Visible tests: the inputs left alone (checked first), shape, type, lambda = 0 and a negative weight.
out = testing.check_own_work(penalized_loss, w_toy, L_toy, lam=1.0)
w_in, L_in = testing.call(penalized_loss, w_toy, L_toy, lam=1.0).args  # what it left in its inputs
assert np.array_equal(w_in, w_toy) and np.array_equal(L_in, L_toy), (
    "penalized_loss changed its input arrays in place (e.g. L_values += ...): it must not modify its inputs; "
    "build a new array"
)
testing.assert_shape(out, (3,), name="penalized_loss(w_toy, L_toy, lam=1.0)")
assert np.issubdtype(np.asarray(out).dtype, np.floating), "penalized_loss should return an array of floats"
testing.assert_close(
    testing.check_own_work(penalized_loss, w_toy, L_toy, lam=0.0),
    L_toy,
    name="penalized_loss(w_toy, L_toy, lam=0.0) (no penalty: expect L_values back)",
)
testing.assert_close(
    testing.check_own_work(penalized_loss, np.array([-1.0, 2.0]), np.array([0.5, 0.5]), lam=2.0),
    [2.5, 4.5],
    name="penalized_loss([-1, 2], [0.5, 0.5], lam=2) (L + lam |w|: the weight -1 costs 2 |-1| = 2)",
)
### BEGIN HIDDEN TESTS
_got = testing.check_own_work(penalized_loss, [1.0, 2.0, 3.0], [2.0, 5.0, 0.5], lam=1.0)
testing.assert_close(_got, [3.0, 7.0, 3.5], name="penalized_loss of the toy table (each entry L + lam |w|)")
_got = testing.check_own_work(penalized_loss, [-2, 0, 1.5], [1.0, 4.0, 0.0], lam=0.5)
testing.assert_close(_got, [2.0, 4.0, 0.75], name="penalized_loss with negative weights and another lam (the penalty uses |w|)")
_r = np.random.default_rng(31)
_w, _L = _r.normal(size=7), _r.uniform(0, 5, size=7)
testing.assert_close(
    testing.check_own_work(penalized_loss, _w, _L, lam=0.3), _L + 0.3 * np.abs(_w), name="penalized_loss on random weights (use the lam passed in)"
)
testing.assert_close(
    testing.check_own_work(penalized_loss, [1, 2, 3], [2, 5, 1], 2),
    [4.0, 9.0, 7.0],
    name="penalized_loss of Python lists of ints, lam passed by position (convert with np.asarray)",
)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "argmin_w_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 2 (2 points): the argmin, as a weight
#
# Write `argmin_w(w_values, losses)` that returns the **weight** (an element of `w_values`, as a Python
# `float`) whose loss is smallest. If several weights share the smallest loss, return the first of them.


# %% nbgrader={"grade": false, "grade_id": "argmin_w", "locked": false, "schema_version": 3, "solution": true}
def argmin_w(w_values, losses):
    r"""The candidate weight with the smallest loss, $\operatorname{argmin}_w L(w)$.

    Parameters
    ----------
    w_values : array_like, shape (K,)
        The candidate weights.
    losses : array_like, shape (K,)
        The loss of each candidate.

    Returns
    -------
    float
        The element of ``w_values`` with the smallest loss (the first one on ties).
    """
    ### BEGIN SOLUTION
    w_values = np.asarray(w_values, dtype=float)
    return float(w_values[np.argmin(np.asarray(losses, dtype=float))])
    ### END SOLUTION


# %% [markdown]
# Try it on the plain loss and on the slide's penalised loss:

# %%
print(f"argmin_w L(w)     = {argmin_w(w_toy, L_toy):g}")
print(f"argmin_w L_hat(w) = {argmin_w(w_toy, penalized_loss(w_toy, L_toy, lam=1.0)):g}")

# %% nbgrader={"grade": true, "grade_id": "argmin_w_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Visible tests on a made-up table (not the lecture's): a weight comes back, not an index.
got = testing.check_own_work(argmin_w, [10.0, 20.0, 30.0], [3.0, 0.5, 2.0])
assert not (isinstance(got, int | float | np.number) and got == 1), (
    "argmin_w returned 1: that is the position of the best weight, return the weight w_values[i]"
)
assert isinstance(got, float), f"argmin_w should return a Python float, got {type(got).__name__}: use float(...)"
testing.assert_equal(
    got, 20.0, name="argmin_w([10, 20, 30], [3, 0.5, 2]) (the weight whose loss is smallest)"
)
assert testing.check_own_work(argmin_w, w_toy, L_toy) in set(w_toy), (
    "argmin_w must return one of the w_values"
)
### BEGIN HIDDEN TESTS
testing.assert_equal(testing.check_own_work(argmin_w, [1.0, 2.0, 3.0], [2.0, 5.0, 0.5]), 3.0, name="argmin_w on the toy table (the weight of the lowest loss, not its index)")
testing.assert_equal(testing.check_own_work(argmin_w, [1.0, 2.0, 3.0], [3.0, 7.0, 3.5]), 1.0, name="argmin_w on the penalised toy table (the weight of the lowest loss, not the loss)")
testing.assert_equal(
    testing.check_own_work(argmin_w, [5.0, -1.0, 2.0, 7.0], [0.5, 0.25, 0.25, 9.0]),
    -1.0,
    name="argmin_w with a tie in the loss (return the first of the tied weights)",
)
_r = np.random.default_rng(32)
_w, _L = _r.normal(size=11), _r.uniform(size=11)
testing.assert_equal(testing.check_own_work(argmin_w, _w, _L), float(_w[np.argmin(_L)]), name="argmin_w on random weights (w_values at the argmin of L_values)")
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_penalty", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# **Question (2 points).** With the penalty, what is the optimal $w$ now, and why does the penalty
# change it? Answer in two or three sentences, with the numbers.
#
# ### BEGIN SOLUTION
# With $\hat L(w) = L(w) + |w|$ the values are $\hat L(1) = 3$, $\hat L(2) = 7$, $\hat L(3) = 3.5$, so the
# optimum moves from $w = 3$ to $w = 1$. The penalty adds more to large weights: $w = 3$ pays 3 while
# $w = 1$ pays only 1, and this difference of 2 is larger than the data-loss advantage of $w = 3$
# ($2 - 0.5 = 1.5$). The penalty trades a slightly worse fit for a smaller weight.
# ### END SOLUTION

# %% [markdown]
# ## 4. How strong must the penalty be?
#
# For a fixed candidate $w$, the penalised loss $\hat L_\lambda(w) = L(w) + \lambda |w|$ is a **straight
# line in $\lambda$**: it starts at $L(w)$ when $\lambda = 0$ and climbs with slope $|w|$. The optimum for a
# given $\lambda$ is whichever line is lowest there. Large weights have steep lines, so as $\lambda$ grows
# the optimum can only move towards smaller $|w|$.
#
# Change $\lambda$ in the explorer below (it runs in JupyterLab; it is skipped when the notebook is graded),
# then look at the lines in the figure after it.

# %%
# NBVAL_IGNORE_OUTPUT
# (an interactive explorer: what it outputs depends on the front end)
if widgets.widgets_enabled():
    display(argmin_figures.argmin_explorer(w_toy, L_toy, lam_max=2.0))

# %%
# The explorer at its default setting, as a still figure with what it shows (also without widgets):
argmin_figures.argmin_explorer(w_toy, L_toy, lam_max=2.0, static=True)

# %%
fig, ax = plt.subplots(figsize=(6, 3.6))
argmin_figures.plot_penalty_lines(ax, w_toy, L_toy, lam_max=2.0)
plt.show()

# %% [markdown] nbgrader={"grade": false, "grade_id": "lambda_switch_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 3 (3 points): where the optimum switches
#
# Write `lambda_switch(w_values, L_values)` that returns, **exactly** (no grid over $\lambda$), the smallest
# $\lambda > 0$ at which the optimal weight of $\hat L_\lambda$ changes away from the optimum at
# $\lambda = 0$. If no $\lambda$ ever changes it, return `np.inf`.
#
# *Hint.* Let $w_0$ be the optimum at $\lambda = 0$. A candidate $w$ can only overtake $w_0$ if its line is
# flatter, $|w| < |w_0|$; the two lines cross where $L(w) + \lambda|w| = L(w_0) + \lambda|w_0|$. The first
# crossing wins. (You may assume the optimum at $\lambda = 0$ is unique.)


# %% nbgrader={"grade": false, "grade_id": "lambda_switch", "locked": false, "schema_version": 3, "solution": true}
def lambda_switch(w_values, L_values):
    r"""The smallest $\lambda > 0$ at which $\operatorname{argmin}_w L(w) + \lambda|w|$ changes.

    Parameters
    ----------
    w_values : array_like, shape (K,)
        The candidate weights.
    L_values : array_like, shape (K,)
        The data loss of each candidate; its minimum is unique.

    Returns
    -------
    float
        The switching strength, or ``np.inf`` when the optimum never changes.
    """
    ### BEGIN SOLUTION
    w_abs = np.abs(np.asarray(w_values, dtype=float))
    L_values = np.asarray(L_values, dtype=float)
    k0 = np.argmin(L_values)
    flatter = w_abs < w_abs[k0]
    if not np.any(flatter):
        return float(np.inf)
    crossings = (L_values[flatter] - L_values[k0]) / (w_abs[k0] - w_abs[flatter])
    return float(np.min(crossings))
    ### END SOLUTION


# %%
lam_star = lambda_switch(w_toy, L_toy)
print(f"the optimum switches at lambda = {lam_star:g}")
for lam in (lam_star - 0.01, lam_star + 0.01):
    print(f"  lambda = {lam:.2f}: optimal w = {argmin_w(w_toy, penalized_loss(w_toy, L_toy, lam)):g}")

# %% nbgrader={"grade": true, "grade_id": "lambda_switch_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false}
# Visible tests: a positive float at which the optimum of the toy table really changes.
lam_s = testing.check_own_work(lambda_switch, w_toy, L_toy)
assert isinstance(lam_s, float), f"lambda_switch should return a Python float, got {type(lam_s).__name__}"
assert 0 < lam_s < np.inf, f"the toy table's optimum does switch, so expect 0 < lambda < inf, got {lam_s}"


def _optimum(lam, w=w_toy, L=L_toy):
    return w[np.argmin(L + lam * np.abs(w))]


assert _optimum(lam_s * 0.999) == _optimum(0.0), (
    f"just below lambda = {lam_s:g} the optimum should still be the one at lambda = 0, but it has changed "
    "already: is there an earlier crossing?"
)
assert _optimum(lam_s * 1.001) != _optimum(0.0), (
    f"just above lambda = {lam_s:g} the optimum should have changed, but it has not: check your crossing"
)
testing.assert_close(
    testing.check_own_work(lambda_switch, [-3.0, 1.0, 2.0, 5.0], [0.0, 2.0, 4.0, 1.0]),
    1.0,
    rtol=1e-9,
    name="lambda_switch([-3, 1, 2, 5], [0, 2, 4, 1]) (the penalty uses |w|: 1 and 2 are flatter than -3, 5 is not)",
    mistakes={
        "inf: no candidate counted as flatter than w = -3. Compared by w itself, every other weight is larger "
        "than -3; the penalty is lam |w|, so compare the absolute values np.abs(w).": np.inf,
    },
)
### BEGIN HIDDEN TESTS
testing.assert_close(
    testing.check_own_work(lambda_switch, [1.0, 2.0, 3.0], [2.0, 5.0, 0.5]), 0.75, rtol=1e-9, name="lambda_switch on the toy table"
)
# another table: w = 4 is best at 0, overtaken first by w = 2 at lambda = 0.5 (w = 1 crosses at 2/3)
testing.assert_close(
    testing.check_own_work(lambda_switch, [1, 2, 4], [3.0, 2.0, 1.0]), 0.5, rtol=1e-9, name="lambda_switch with two flatter candidates (the first crossing wins)"
)
# the first crossing is not the one of the flatter candidate with the lowest loss: w = 3 (loss 1) crosses
# at 1.0, w = 1 (loss 1.5) already at 0.5
testing.assert_close(
    testing.check_own_work(lambda_switch, [4.0, 3.0, 1.0], [0.0, 1.0, 1.5]),
    0.5,
    rtol=1e-9,
    name="lambda_switch when the flatter candidate of lowest loss crosses late (is it the earliest crossing of them all?)",
)
testing.assert_close(
    testing.check_own_work(lambda_switch, [2.0, -0.5, 1.0], [1.0, 4.0, 2.5]),
    1.5,
    rtol=1e-9,
    name="lambda_switch with a negative weight (compare |w|, not w)",
)
# the optimum already has the smallest |w|: never switches
testing.assert_equal(
    testing.check_own_work(lambda_switch, [0.5, 2, 3], [0.0, 1.0, 2.0]),
    np.inf,
    name="lambda_switch when the optimum has the smallest |w| already (no flatter candidate: the optimum never changes)",
)
_r = np.random.default_rng(33)
for _ in range(5):
    _w, _L = _r.normal(size=6), _r.uniform(size=6)
    _got = testing.check_own_work(lambda_switch, _w, _L)
    _k0 = np.argmin(_L)
    _f = np.abs(_w) < np.abs(_w[_k0])
    _want = np.min((_L[_f] - _L[_k0]) / (np.abs(_w[_k0]) - np.abs(_w[_f]))) if _f.any() else np.inf
    testing.assert_close(_got, _want, rtol=1e-9, name="lambda_switch on random tables (the smallest crossing over all flatter candidates)")
### END HIDDEN TESTS

# %% [markdown]
# Look again at the lines: the line of $w = 2$ starts highest *and* is steeper than the line of $w = 1$,
# so it lies above that line for every $\lambda \ge 0$. **$w = 2$ never wins**, whatever the penalty. A quick
# scan over many $\lambda$ confirms which weights ever win:

# %%
lams = np.linspace(0.0, 5.0, 501)
winners = sorted({argmin_w(w_toy, penalized_loss(w_toy, L_toy, lam)) for lam in lams})
print(f"weights that win for some lambda in [0, 5]: {winners}")

# %% [markdown]
# ## 5. A continuous weight: search on a grid
#
# Real weights are real numbers, not three candidates. Here is a made-up smooth loss of one weight with
# two valleys (a *local* minimum on the left, the *global* one on the right):
#
# $$L(w) = 0.4\,(w - 2.8)^2 - \cos\big(\pi (w - 1)\big) + 2 .$$
#
# The simplest way to find its argmin is to try many values of $w$ on a grid and keep the best. The
# function below accepts a whole array of weights at once.


# %%
def smooth_loss(w):
    """A made-up one-weight loss with two valleys on [0, 4]; works on scalars and arrays."""
    w = np.asarray(w, dtype=float)
    return 0.4 * (w - 2.8) ** 2 - np.cos(np.pi * (w - 1.0)) + 2.0


# %% [markdown] nbgrader={"grade": false, "grade_id": "grid_argmin_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 4 (2 points): grid search
#
# Write `grid_argmin(loss_fn, lo, hi, num)` that evaluates `loss_fn` on `num` evenly spaced weights from
# `lo` to `hi` (both included; `np.linspace`) and returns the pair `(w_best, loss_best)` as two Python
# floats. `loss_fn` takes an array of weights and returns the array of their losses.


# %% nbgrader={"grade": false, "grade_id": "grid_argmin", "locked": false, "schema_version": 3, "solution": true}
def grid_argmin(loss_fn, lo, hi, num):
    r"""Minimise a one-weight loss by trying ``num`` evenly spaced weights in ``[lo, hi]``.

    Parameters
    ----------
    loss_fn : callable
        Maps an ndarray of weights, shape (num,), to their losses, shape (num,).
    lo, hi : float
        The ends of the grid (both included).
    num : int
        Number of grid points.

    Returns
    -------
    (float, float)
        ``(w_best, loss_best)``: the best grid weight and its loss.
    """
    ### BEGIN SOLUTION
    grid = np.linspace(lo, hi, num)
    losses = np.asarray(loss_fn(grid), dtype=float)
    k = int(np.argmin(losses))
    return float(grid[k]), float(losses[k])
    ### END SOLUTION


# %%
w_best, L_best = grid_argmin(smooth_loss, 0.0, 4.0, 401)
print(f"grid search: w* = {w_best:.2f}, L(w*) = {L_best:.4f}")

fig, ax = plt.subplots(figsize=(6, 3.6))
argmin_figures.plot_grid_search(ax, smooth_loss, 0.0, 4.0, num=21)
plt.show()

# %% nbgrader={"grade": true, "grade_id": "grid_argmin_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Visible tests: two floats, a weight inside [lo, hi] whose loss is the one returned.
res = testing.check_own_work(grid_argmin, smooth_loss, 0.0, 4.0, 41)
assert isinstance(res, tuple) and len(res) == 2, "grid_argmin should return a pair (w_best, loss_best)"
w_b, l_b = res
assert isinstance(w_b, float) and isinstance(l_b, float), "both w_best and loss_best should be Python floats"
assert 0.0 <= w_b <= 4.0, f"w_best = {w_b} is outside the grid [0, 4]"
testing.assert_close(l_b, float(smooth_loss(w_b)), name="loss_best (it should be loss_fn(w_best))")
assert np.any(np.isclose(np.linspace(0.0, 4.0, 41), w_b)), "w_best should be one of the grid points"
res = testing.check_own_work(grid_argmin, lambda w: (w - 1.2) ** 2, 0.0, 4.0, 3)
testing.assert_close(
    np.array(res, dtype=float),
    [2.0, 0.64],
    name="grid_argmin((w - 1.2)^2, 0, 4, 3) on the grid 0, 2, 4 (expect (w_best, loss_best) = (2, 0.64))",
)
### BEGIN HIDDEN TESTS


def _smooth(w):
    return (
        0.4 * (np.asarray(w, dtype=float) - 2.8) ** 2
        - np.cos(np.pi * (np.asarray(w, dtype=float) - 1.0))
        + 2.0
    )


_w, _l = testing.check_own_work(grid_argmin, _smooth, 0.0, 4.0, 401)
testing.assert_close(_w, 2.98, atol=1e-9, name="w_best of a loss with two valleys (the grid point of lowest loss, not the first dip)")
_w, _l = testing.check_own_work(grid_argmin, lambda w: (w - 1.234) ** 2, -5.0, 5.0, 1001)
testing.assert_close(_w, 1.23, atol=1e-9, name="w_best of a shifted parabola on a fine grid (np.linspace from lo to hi, both ends included)")
testing.assert_close(_l, 0.004**2, atol=1e-12, name="loss_best of a shifted parabola on a fine grid (the loss at w_best)")
_w, _l = testing.check_own_work(grid_argmin, lambda w: np.abs(w + 2.0), -3.0, 1.0, 5)
testing.assert_close(np.array([_w, _l]), [-2.0, 0.0], name="grid_argmin of an absolute-value loss on a coarse grid")
# ends are included
_w, _l = testing.check_own_work(grid_argmin, lambda w: -w, 0.0, 1.0, 3)
testing.assert_close(np.array([_w, _l]), [1.0, -1.0], name="grid_argmin of a decreasing loss (is the end hi on the grid?)")
### END HIDDEN TESTS

# %% [markdown]
# The penalty works on continuous weights too. Add $\lambda |w|$ to the smooth loss and redo the grid
# search for several strengths: the optimal weight slides towards zero, and at some $\lambda$ it jumps
# from the right valley to the left one (the same switch as in the toy example).

# %%
for lam in (0.0, 0.25, 0.5, 1.0, 2.0):
    w_lam, _ = grid_argmin(lambda w, lam=lam: smooth_loss(w) + lam * np.abs(w), 0.0, 4.0, 401)
    print(f"lambda = {lam:4.2f}: optimal w = {w_lam:.2f}")

# %% [markdown]
# ## 6. Why not a formula, and why not a grid?
#
# **Sometimes there is a formula.** A linear model with squared error, $L(\mathbf{w}) =
# \lVert X\mathbf{w} - \mathbf{y} \rVert^2$, has a gradient that is *linear* in $\mathbf{w}$; setting it to
# zero gives the linear system $X^\top X\,\mathbf{w} = X^\top \mathbf{y}$, exactly the slide's
# $\mathbf{A}\mathbf{w} = \mathbf{b}$, solved in one shot:

# %%
X_ls = rng.normal(size=(50, 3))
w_true = np.array([1.5, -2.0, 0.5])
y_ls = X_ls @ w_true + 0.1 * rng.normal(size=50)
w_closed = np.linalg.solve(X_ls.T @ X_ls, X_ls.T @ y_ls)
print("closed-form w:", np.round(w_closed, 3), " (true w:", w_true, ")")

# %% [markdown]
# **A neural network has no such formula.** Its outputs pass through nonlinear activations
# ($\max(0, a)$, $\sigma(a)$) and its losses contain $\max$, $\exp$ and $\log$ (notebook 04). Setting the
# gradient to zero gives a system of *nonlinear* equations in thousands or millions of unknowns, with many
# solutions (minima, maxima, saddle points), which no algebra solves.
#
# **And a grid is hopeless.** A grid with 100 values per weight needs $100^P$ loss evaluations for $P$
# weights. Even at a billion evaluations per second:

# %%
seconds_per_year = 3600 * 24 * 365
for P in (1, 2, 5, 10, 30730):
    log10_seconds = 2 * P - 9  # 100**P evaluations at 10**9 per second
    log10_years = log10_seconds - np.log10(seconds_per_year)
    if log10_years < 0:
        duration = f"{10.0**log10_seconds:.2g} seconds"
    elif log10_years < 100:
        duration = f"{10.0**log10_years:.2g} years"
    else:
        duration = f"10^{log10_years:.0f} years"
    print(f"P = {P:>5} weights: 10^{2 * P} evaluations, {duration}")

# %% [markdown]
# ($P = 30{,}730$ is the size of the linear CIFAR-10 classifier that notebook 08 trains: $3072 \times 10$
# weights plus 10 biases; notebook 04's classifier has no biases.) So we **search iteratively**: start
# somewhere, look at the loss *nearby*, take a step downhill, repeat. Notebook 06 makes the step smart
# with the gradient; here is the idea with no calculus.

# %% [markdown] nbgrader={"grade": false, "grade_id": "local_search_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 5 (3 points): a first iterative search
#
# Write `local_search(loss_fn, w0, step, max_steps=1000)`. Starting at `w0`, repeat: compare the loss at
# the current weight $w$ with the losses at its two neighbours $w - \text{step}$ and $w + \text{step}$; if a
# neighbour is **strictly** lower, move to the lower neighbour (to $w - \text{step}$ if both are equally
# low); otherwise stop. Take at most `max_steps` moves. Return the path of visited weights, **including**
# `w0`, as a float ndarray of shape (T + 1,) for T moves. Compute each new weight as
# `w - step` or `w + step` from the current one. Here `loss_fn` is called with one float at a time.


# %% nbgrader={"grade": false, "grade_id": "local_search", "locked": false, "schema_version": 3, "solution": true}
def local_search(loss_fn, w0, step, max_steps=1000):
    r"""Walk downhill in steps of fixed size until no neighbour is lower.

    Parameters
    ----------
    loss_fn : callable
        Maps one float weight to its float loss.
    w0 : float
        Starting weight.
    step : float
        Step size (> 0).
    max_steps : int
        Largest number of moves.

    Returns
    -------
    ndarray of float, shape (T + 1,)
        The visited weights, ``path[0] == w0``; T <= max_steps moves.
    """
    ### BEGIN SOLUTION
    path = [float(w0)]
    w = float(w0)
    current = loss_fn(w)
    for _ in range(max_steps):
        left, right = w - step, w + step
        loss_left, loss_right = loss_fn(left), loss_fn(right)
        if loss_left <= loss_right and loss_left < current:
            w, current = left, loss_left
        elif loss_right < loss_left and loss_right < current:
            w, current = right, loss_right
        else:
            break
        path.append(w)
    return np.array(path, dtype=float)
    ### END SOLUTION


# %%
starts = [0.2, 3.8]
paths = [local_search(smooth_loss, w0, step=0.05) for w0 in starts]
for w0, path in zip(starts, paths, strict=True):
    print(
        f"start {w0:.1f}: {len(path) - 1:2d} moves, stops at w = {path[-1]:.2f}, L = {smooth_loss(path[-1]):.4f}"
    )

fig, ax = plt.subplots(figsize=(6, 3.6))
argmin_figures.plot_search_paths(ax, smooth_loss, paths, lo=0.0, hi=4.0)
plt.show()

# %% nbgrader={"grade": true, "grade_id": "local_search_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false}
# Visible tests: the shape of a path and the rules of a move.
p = testing.check_own_work(local_search, smooth_loss, 3.8, 0.05)
assert isinstance(p, np.ndarray) and p.ndim == 1, (
    f"local_search should return a 1-D ndarray of weights, got {type(p).__name__}: use np.array(path)"
)
assert p[0] == 3.8, f"the path must start at w0 = 3.8 (include w0), got {p[0]}"
testing.assert_close(
    np.abs(np.diff(p)), np.full(len(p) - 1, 0.05), name="the sizes of the moves (each one step)"
)
losses_p = np.array([smooth_loss(w) for w in p])
assert np.all(np.diff(losses_p) < 0), "every move must lower the loss strictly"
last = p[-1]
assert smooth_loss(last - 0.05) >= smooth_loss(last) <= smooth_loss(last + 0.05), (
    "the search stopped although a neighbour of the last weight is lower"
)
### BEGIN HIDDEN TESTS


def _smooth(w):
    return (
        0.4 * (np.asarray(w, dtype=float) - 2.8) ** 2
        - np.cos(np.pi * (np.asarray(w, dtype=float) - 1.0))
        + 2.0
    )


_p = testing.check_own_work(local_search, lambda w: (w - 1.0) ** 2, 0.0, 0.25)
testing.assert_close(_p, [0.0, 0.25, 0.5, 0.75, 1.0], name="local_search towards a minimum on the right (walks right, the start first)")
_p = testing.check_own_work(local_search, lambda w: (w - 1.0) ** 2, 3.0, 0.5)
testing.assert_close(_p, [3.0, 2.5, 2.0, 1.5, 1.0], name="local_search towards a minimum on the left (walks left, stops at the minimum)")
_p = testing.check_own_work(local_search, lambda w: -w, 0.0, 1.0, max_steps=7)
testing.assert_shape(_p, (8,), name="the path length of local_search on an unbounded loss (at most max_steps moves, plus the start)")
testing.assert_close(_p, np.arange(8.0), name="local_search on an unbounded loss (one step of size step per move)")
# a tie between both neighbours goes left
_p = testing.check_own_work(local_search, lambda w: -abs(w), 0.0, 1.0, max_steps=2)
testing.assert_close(
    _p,
    [0.0, -1.0, -2.0],
    name="local_search at a tie between both neighbours (a tie goes left)",
    mistakes={"the first step went right: at a tie between both neighbours, go left.": [0.0, 1.0, 2.0]},
)
# already at a minimum: no move
_p = testing.check_own_work(local_search, lambda w: w**2, 0.0, 0.1)
testing.assert_close(_p, [0.0], name="local_search started at the minimum (no move: the path is the start alone)")
# a flat loss: no neighbour is strictly lower, so no move
_p = testing.check_own_work(local_search, lambda w: 1.0, 0.5, 0.1, max_steps=5)
testing.assert_shape(_p, (1,), name="local_search on a constant loss (move only when strictly lower)")
# a local minimum traps the search from the left
_p = testing.check_own_work(local_search, _smooth, 0.2, 0.05)
testing.assert_close(_p[-1], 1.15, atol=1e-9, name="the last weight of local_search on a loss with two valleys (a local minimum traps it)")
### END HIDDEN TESTS

# %% [markdown]
# Started on the right, the search finds the global valley; started on the left, it gets stuck in the local
# one. This is the price of searching nearby only, and the lecture's comment on training: *not guaranteed
# to converge to the best solution, may stop in a local optimum*. In practice, for large networks, the
# local minima found are usually good enough.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_closed_form", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# **Question (2 points).** Why can't we just solve for the weights of a neural network in closed form, as
# we did for least squares? And why don't we use a grid search instead? Two to four sentences.
#
# ### BEGIN SOLUTION
# For least squares the gradient is linear in $\mathbf{w}$, so "gradient = 0" is a linear system
# $\mathbf{A}\mathbf{w} = \mathbf{b}$. In a network the outputs pass through nonlinear activations and the
# loss contains max/exp/log, so "gradient = 0" is a large nonlinear system with many solutions and no
# algebraic formula. A grid needs $k^P$ evaluations for $P$ weights ($100^{30730}$ for a linear CIFAR-10
# classifier), which is astronomically many; so we search iteratively, improving the current weights with
# information from their neighbourhood (the gradient).
# ### END SOLUTION

# %% [markdown]
# ## Summary
#
# * Training means $\mathbf{w}^\star = \operatorname{argmin}_{\mathbf{w}} L(\mathbf{w})$: the argmin is a
#   weight, the min is a loss.
# * In the lecture's toy example the optimum is $w = 3$, and the penalty $|w|$ moves it to a smaller weight.
#   With a strength $\lambda$, each candidate is a line $L(w) + \lambda |w|$ in $\lambda$; the optimum
#   switches where the lowest lines cross, and a candidate whose line is higher *and* steeper than another
#   (here $w = 2$) never wins.
# * A penalty pulls the optimum towards small weights (regularization, notebook 05).
# * One continuous weight can be searched on a grid, but $P$ weights need $k^P$ evaluations.
# * Neural networks have no closed-form solution, so we search iteratively: step downhill from where we
#   are. Local search can stop in a local minimum; notebook 06 replaces "try both neighbours" by the
#   gradient.
