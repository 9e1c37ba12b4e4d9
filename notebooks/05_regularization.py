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
# # 05 · Regularization: choosing between weights that fit equally well
#
# The lecture found that the hinge loss cannot tell $W$ from $2W$: if one has zero loss, so does
# the other. It then added a second term to the loss that expresses a **preference over weights**:
#
# $$L(W) = \underbrace{\frac{1}{N}\sum_{i=1}^N L_i\big(f(x_i, W), y_i\big)}_{\text{data loss}}
#          \;+\; \underbrace{\lambda\, R(W)}_{\text{regularization}}$$
#
# **Learning goals.** After this notebook you can
# 1. explain why the data loss alone does not pin down $W$, and what $\lambda R(W)$ adds;
# 2. implement the L2, L1 and elastic-net penalties **and their gradients**;
# 3. say which weights L2 and L1 prefer, on the lecture's example $x = [1,1,1,1]$;
# 4. see overfitting on a small 2-D data set and watch regularization smooth the decision boundary;
# 5. choose $\lambda$ with a validation set, not with the training set.
#
# **Time:** about 45 minutes. **Total: 12 points** (8 autograded in four exercises, 4 for two short
# written answers).
#
# Run the cells from top to bottom. Exercises say *YOUR CODE HERE*; each is followed by a test cell
# you can run to check your work (there are more, hidden tests when your notebook is graded).

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from helpers import figure_style, regularization_figures, testing, widgets
from helpers.losses import svm_loss_per_example
from helpers.models import TwoLayerNet

figure_style.use_course_style()
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. A loss of zero does not single out one $W$
#
# Take a tiny linear classifier with scores $s = f(x, W)$. We store a batch as rows, so the scores of
# $N$ examples are the $(N, C)$ array `X @ W` with `W` of shape $(D, C)$ (the slides write $Wx$ for one
# column vector $x$; it is the same computation transposed). Here $N = 3$ images of $D = 4$ pixels and
# $C = 3$ classes, as in the lecture's 4-pixel example, with a $W$ that classifies all three
# correctly **with a margin of at least 1**:

# %%
X_tiny = np.array(
    [
        [1.0, 0.5, 0.0, 0.2],
        [0.1, 1.0, 0.4, 0.0],
        [0.0, 0.2, 0.6, 1.0],
    ]
)
y_tiny = np.array([0, 1, 2])
W_tiny = np.array(
    [
        [2.0, 0.0, -0.5],
        [0.0, 2.0, 0.0],
        [0.0, 0.5, 0.5],
        [0.0, -1.0, 2.0],
    ]
)
scores = X_tiny @ W_tiny
print("scores (rows = images, columns = classes):")
print(np.round(scores, 2))
for name, W in [("W", W_tiny), ("2W", 2 * W_tiny)]:
    loss = svm_loss_per_example(X_tiny @ W, y_tiny).mean()
    print(f"mean hinge loss with {name:>2}: {loss:.4f}")

# %% [markdown]
# Both are zero. Multiplying $W$ by 2 multiplies every score, and so every *difference* of scores, by 2:
# a margin $s_{y_i} - s_j \ge 1$ becomes $\ge 2$, so every term $\max(0, s_j - s_{y_i} + 1)$ stays 0.
# The same holds for $3W$, $10W$, ...: the data loss has a whole ray of minimisers and no opinion about
# which one to pick. The regularizer breaks this tie. With the **L2 penalty**
# $R(W) = \sum_k\sum_l W_{k,l}^2$, doubling $W$ multiplies $R$ by 4:

# %%
lam = 0.1
for name, W in [("0", 0 * W_tiny), ("W/2", W_tiny / 2), ("W", W_tiny), ("2W", 2 * W_tiny)]:
    data_loss = svm_loss_per_example(X_tiny @ W, y_tiny).mean()
    reg = lam * np.sum(W**2)
    print(f"{name:>3}: data loss {data_loss:.4f} + lambda*R(W) {reg:.4f} = total {data_loss + reg:.4f}")

# %% [markdown]
# So the full loss prefers $W$ to $2W$: among weights that fit the training data equally well it picks
# the *smaller* ones. It does not push all the way to $W = 0$ either: there every margin is violated and
# the data loss is $C - 1 = 2$. In between, $W/2$ pays a little data loss (its margins shrink below 1)
# but saves more penalty, so here its total is even lower than that of $W$. The full loss balances the
# two terms; with $\lambda = 0.1$ its minimum along this line lies between $0$ and $W$.
#
# $\lambda$, the **regularization strength**, is a hyperparameter: you choose it, not gradient descent.
# The slides' summary: the data loss says *model predictions should match the training data*; the
# regularizer says *don't do too well on the training data*.
#
# ## 2. Three penalties and their gradients
#
# The lecture lists three simple choices of $R(W)$ (sums run over every entry of $W$):
#
# | name | penalty $R(W)$ | gradient $\partial\,\lambda R / \partial W_{k,l}$ |
# |---|---|---|
# | L2 | $\sum_{k,l} W_{k,l}^2$ | $2\lambda W_{k,l}$ |
# | L1 | $\sum_{k,l} \lvert W_{k,l}\rvert$ | $\lambda\,\operatorname{sign}(W_{k,l})$ |
# | elastic net | $\sum_{k,l} \beta W_{k,l}^2 + \lvert W_{k,l}\rvert$ | $\lambda\,(2\beta W_{k,l} + \operatorname{sign}(W_{k,l}))$ |
#
# We use the lecture's convention $\lambda \sum W^2$, **without** the factor $\tfrac12$ some books put in
# front (that factor only rescales $\lambda$; it cancels the 2 in the gradient). $|w|$ has a kink at
# $w = 0$ where the derivative does not exist; the usual choice, and ours, is the *subgradient*
# $\operatorname{sign}(0) = 0$.
#
# The lecture also lists more complex regularizers (dropout, batch normalization, stochastic depth);
# they act on the network rather than on a formula in $W$ and come later in the course.
#
# We need the gradients because in notebook 06 we minimise the full loss by gradient descent: the
# gradient of the total loss is the data-loss gradient plus $\lambda\,\nabla R(W)$.

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex_l2_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 1 (2 points): the L2 penalty
#
# Write `l2_penalty(W, lam)` returning the pair `(penalty, dW)`: the number $\lambda\sum_{k,l}W_{k,l}^2$
# as a Python `float`, and its gradient with respect to `W`, an array of the same shape as `W`.
# `W` may have any shape (a matrix, a vector). Use NumPy only: the course library has its own version,
# and calling it earns no credit.

# %% nbgrader={"grade": false, "grade_id": "l2_penalty", "locked": false, "schema_version": 3, "solution": true}
def l2_penalty(W, lam):
    r"""L2 penalty :math:`\lambda \sum W^2` and its gradient.

    Parameters
    ----------
    W : ndarray, any shape
        Weights.
    lam : float
        Regularization strength lambda >= 0.

    Returns
    -------
    penalty : float
    dW : ndarray, same shape as W
    """
    ### BEGIN SOLUTION
    W = np.asarray(W, dtype=np.float64)
    penalty = float(lam * np.sum(W * W))
    dW = 2.0 * lam * W
    return penalty, dW
    ### END SOLUTION


# %% [markdown]
# Try it on the two weight matrices of section 1:

# %%
for name, W in [("W", W_tiny), ("2W", 2 * W_tiny)]:
    penalty, dW = l2_penalty(W, 0.1)
    print(f"L2 penalty of {name:>2} with lambda=0.1: {penalty:.4f}")

# %% nbgrader={"grade": true, "grade_id": "l2_penalty_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
_t = np.random.default_rng(51)
_W = _t.normal(size=(4, 3))
_out = testing.check_own_work(l2_penalty, _W, 0.3, forbidden=("helpers.regularization",))
assert np.array_equal(testing.call(l2_penalty, _W, 0.3).args[0], _W), "l2_penalty changed W in place (e.g. dW = W; dW *= ...): return a new array"
assert isinstance(_out, tuple) and len(_out) == 2, "l2_penalty must return a pair (penalty, dW)"
_p, _dW = _out
testing.assert_scalar(_p, "penalty")
testing.assert_shape(_dW, _W.shape, "dW")
# properties, not values: no penalty without weights or without lambda, and R(2W) = 4 R(W)
testing.assert_close(l2_penalty(np.zeros((2, 5)), 0.3)[0], 0.0, name="penalty of an all-zero W")
testing.assert_close(l2_penalty(_W, 0.0)[0], 0.0, name="penalty with lambda = 0")
testing.assert_close(l2_penalty(2 * _W, 0.3)[0], 4 * _p, name="penalty of 2W (should be 4x that of W)")
# dW must be the gradient of the penalty: its slope along a random direction V is sum(dW * V)
_V, _e = np.random.default_rng(510).normal(size=_W.shape), 1e-6
_slope = (l2_penalty(_W + _e * _V, 0.3)[0] - l2_penalty(_W - _e * _V, 0.3)[0]) / (2 * _e)
testing.assert_close(np.sum(_dW * _V), _slope, rtol=1e-5, name="sum(dW * V), the slope of the penalty along V")
# values worked by hand: sum W^2 = 1 + 4 + 0 + 9 = 14
_p, _dW = l2_penalty(np.array([[1.0, -2.0], [0.0, 3.0]]), 0.5)
testing.assert_scalar(_p, "l2_penalty([[1, -2], [0, 3]], lam=0.5) (lam * sum W^2 = 0.5 * 14, a sum, no 1/2)", expected=7.0, sizes={"W.size": 4})
testing.assert_close(_dW, [[1.0, -2.0], [0.0, 3.0]], name="dW of l2_penalty([[1, -2], [0, 3]], lam=0.5) (2 lam W)", sizes={"W.size": 4})
### BEGIN HIDDEN TESTS
for _shape, _lam in [((7,), 0.05), ((3, 6), 2.5), ((2, 3, 4), 1e-3)]:
    _W = _t.normal(size=_shape)
    _p, _dW = testing.check_own_work(l2_penalty, _W, _lam, forbidden=("helpers.regularization",))
    testing.assert_scalar(_p, "the penalty of weights of any shape (lam times the sum of squares)", expected=_lam * np.sum(_W**2))
    testing.assert_close(_dW, 2 * _lam * _W, name="the gradient of the penalty of weights of any shape (twice lam times W)")
_p, _ = testing.check_own_work(l2_penalty, np.array([1.0, 0, 0, 0]), 1.0, forbidden=("helpers.regularization",))
testing.assert_scalar(_p, "the squared penalty of a one-hot weight vector", expected=1.0)
_p, _ = testing.check_own_work(l2_penalty, np.full(4, 0.25), 1.0, forbidden=("helpers.regularization",))
testing.assert_scalar(_p, "the squared penalty of evenly spread weights (squares, not absolute values)", expected=0.25)
### END HIDDEN TESTS

# %% [markdown]
# ### L2 is weight decay
#
# Gradient descent with learning rate $\eta$ on the regularized loss $L(W) + \lambda\sum W^2$ takes the step
#
# $$W \leftarrow W - \eta\,(\nabla L + 2\lambda W) \;=\; (1 - 2\eta\lambda)\,W - \eta\,\nabla L.$$
#
# So the L2 term does one simple thing each step: before the usual data-loss step it shrinks every weight
# by the same factor $1 - 2\eta\lambda$, a little below 1. This is why L2 regularization is also called
# **weight decay**: a weight that the data do not keep pushing up decays geometrically towards 0. The two
# updates are the same thing written twice; here they are side by side on a small least-squares loss
# $L(w) = \tfrac1N \lVert Xw - y\rVert^2$, using your `l2_penalty` for the first:

# %%
rng_ls = np.random.default_rng(5)  # its own generator: `rng` feeds the data sets further down
X_ls, y_ls = rng_ls.normal(size=(20, 3)), rng_ls.normal(size=20)
eta, lam = 0.05, 0.1
w_reg = w_decay = rng_ls.normal(size=3)
for _ in range(10):
    grad_data = 2 / len(y_ls) * X_ls.T @ (X_ls @ w_reg - y_ls)
    w_reg = w_reg - eta * (grad_data + l2_penalty(w_reg, lam)[1])  # descend on L + lam * R
    grad_data = 2 / len(y_ls) * X_ls.T @ (X_ls @ w_decay - y_ls)
    w_decay = (1 - 2 * eta * lam) * w_decay - eta * grad_data  # shrink, then the data-loss step
diff = np.max(np.abs(w_reg - w_decay))
print(f"shrink factor 1 - 2*eta*lam = {1 - 2 * eta * lam}")
print(f"weights after 10 steps: {np.round(w_reg, 6)}")
print(f"max |difference| below 1e-12 (only rounding, about 1e-16): {diff < 1e-12}")

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex_l1_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 2 (2 points): the L1 penalty
#
# Write `l1_penalty(W, lam)` returning `(penalty, dW)` with penalty $\lambda\sum_{k,l}\lvert W_{k,l}\rvert$
# (a `float`) and its (sub)gradient, using $\operatorname{sign}(0) = 0$ at the kink.

# %% nbgrader={"grade": false, "grade_id": "l1_penalty", "locked": false, "schema_version": 3, "solution": true}
def l1_penalty(W, lam):
    r"""L1 penalty :math:`\lambda \sum |W|` and its subgradient (0 where W == 0).

    Parameters
    ----------
    W : ndarray, any shape
    lam : float

    Returns
    -------
    penalty : float
    dW : ndarray, same shape as W
    """
    ### BEGIN SOLUTION
    W = np.asarray(W, dtype=np.float64)
    penalty = float(lam * np.sum(np.abs(W)))
    dW = lam * np.sign(W)
    return penalty, dW
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "l1_penalty_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
_t = np.random.default_rng(52)
_W = _t.normal(size=(3, 5))
_out = testing.check_own_work(l1_penalty, _W, 0.2, forbidden=("helpers.regularization",))
assert np.array_equal(testing.call(l1_penalty, _W, 0.2).args[0], _W), "l1_penalty changed W in place: return a new array"
assert isinstance(_out, tuple) and len(_out) == 2, "l1_penalty must return a pair (penalty, dW)"
_p, _dW = _out
testing.assert_scalar(_p, "penalty")
testing.assert_shape(_dW, _W.shape, "dW")
testing.assert_close(l1_penalty(2 * _W, 0.2)[0], 2 * _p, name="penalty of 2W (should be 2x that of W)")
testing.assert_close(l1_penalty(-_W, 0.2)[0], _p, name="penalty of -W (should equal that of W)")
# no entry of W is near 0 here, so the slope along a random direction V is sum(dW * V)
_V, _e = np.random.default_rng(520).normal(size=_W.shape), 1e-6
_slope = (l1_penalty(_W + _e * _V, 0.2)[0] - l1_penalty(_W - _e * _V, 0.2)[0]) / (2 * _e)
testing.assert_close(
    np.sum(_dW * _V),
    _slope,
    rtol=1e-5,
    name="sum(dW * V), the slope of the penalty along V",
    mistakes={"dW without lam: the slope is 1/lam = 5 times too large; dW = lam sign(W).": _slope / 0.2},
)
_, _dz = l1_penalty(np.zeros(3), 0.2)
testing.assert_close(
    _dz,
    np.zeros(3),
    name="subgradient at W = 0 (use sign(0) = 0)",
    mistakes={
        "sign(0) = 1 (e.g. np.where(W >= 0, lam, -lam)): at W = 0 use 0, as np.sign(0) does.": np.full(3, 0.2),
        "0/0 = NaN at W = 0: W / |W| is a division by zero there; use np.sign(W).": np.full(3, np.nan),
    },
)
# values worked by hand: sum |W| = 1 + 2 + 0 + 3 = 6
_p, _dW = l1_penalty(np.array([[1.0, -2.0], [0.0, 3.0]]), 0.5)
testing.assert_scalar(_p, "l1_penalty([[1, -2], [0, 3]], lam=0.5) (lam * sum |W| = 0.5 * 6, a sum)", expected=3.0, sizes={"W.size": 4})
testing.assert_close(_dW, [[0.5, -0.5], [0.0, 0.5]], name="dW of l1_penalty([[1, -2], [0, 3]], lam=0.5) (lam sign(W))", sizes={"W.size": 4})
### BEGIN HIDDEN TESTS
for _shape, _lam in [((9,), 0.7), ((4, 2), 3.0)]:
    _W = _t.normal(size=_shape)
    _W.flat[0] = 0.0
    _p, _dW = testing.check_own_work(l1_penalty, _W, _lam, forbidden=("helpers.regularization",))
    testing.assert_scalar(_p, "the penalty of weights of any shape (lam times the sum of absolute values)", expected=_lam * np.sum(np.abs(_W)))
    testing.assert_close(_dW, _lam * np.sign(_W), name="the gradient of the absolute-value penalty, a weight at zero too (lam times np.sign(W))")
_p1, _ = testing.check_own_work(l1_penalty, np.array([1.0, 0, 0, 0]), 1.0, forbidden=("helpers.regularization",))
_p2, _ = testing.check_own_work(l1_penalty, np.full(4, 0.25), 1.0, forbidden=("helpers.regularization",))
testing.assert_scalar(_p1, "the absolute-value penalty of a one-hot weight vector", expected=1.0)
testing.assert_scalar(_p2, "the absolute-value penalty of evenly spread weights (absolute values, not squares)", expected=1.0)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex_elastic_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 3 (2 points): elastic net
#
# The elastic net mixes the two: $\lambda\sum_{k,l}\big(\beta W_{k,l}^2 + \lvert W_{k,l}\rvert\big)$.
# Write `elastic_net_penalty(W, lam, beta)` returning `(penalty, dW)`. You may call your own
# `l1_penalty` and `l2_penalty` (think about which $\lambda$ to pass to each).

# %% nbgrader={"grade": false, "grade_id": "elastic_net_penalty", "locked": false, "schema_version": 3, "solution": true}
def elastic_net_penalty(W, lam, beta):
    r"""Elastic-net penalty :math:`\lambda \sum (\beta W^2 + |W|)` and its (sub)gradient.

    Parameters
    ----------
    W : ndarray, any shape
    lam : float
        Overall strength lambda >= 0.
    beta : float
        Weight of the squared term relative to the absolute term, beta >= 0.

    Returns
    -------
    penalty : float
    dW : ndarray, same shape as W
    """
    ### BEGIN SOLUTION
    W = np.asarray(W, dtype=np.float64)
    penalty = float(lam * np.sum(beta * W * W + np.abs(W)))
    dW = lam * (2.0 * beta * W + np.sign(W))
    return penalty, dW
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "elastic_net_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
_t = np.random.default_rng(53)
_W = _t.normal(size=(5, 2))
_out = testing.check_own_work(elastic_net_penalty, _W, 0.4, 0.5, forbidden=("helpers.regularization",))
assert isinstance(_out, tuple) and len(_out) == 2, "elastic_net_penalty must return a pair (penalty, dW)"
_p, _dW = _out
testing.assert_scalar(_p, "penalty")
testing.assert_shape(_dW, _W.shape, "dW")
# properties: with beta = 0 only the |W| part is left, which doubles when W doubles
_p0 = elastic_net_penalty(_W, 0.4, 0.0)[0]
testing.assert_close(elastic_net_penalty(2 * _W, 0.4, 0.0)[0], 2 * _p0, name="penalty of 2W with beta = 0")
testing.assert_close(elastic_net_penalty(_W, 0.0, 0.5)[0], 0.0, name="penalty with lambda = 0")
_V, _e = np.random.default_rng(530).normal(size=_W.shape), 1e-6  # slope along V: sum(dW * V)
_slope = (elastic_net_penalty(_W + _e * _V, 0.4, 0.5)[0] - elastic_net_penalty(_W - _e * _V, 0.4, 0.5)[0]) / (2 * _e)
testing.assert_close(np.sum(_dW * _V), _slope, rtol=1e-5, name="sum(dW * V), the slope of the penalty along V")
# values worked by hand: sum W^2 = 14, sum |W| = 6
_p, _dW = elastic_net_penalty(np.array([[1.0, -2.0], [0.0, 3.0]]), 0.5, 0.25)
testing.assert_scalar(
    _p, "elastic_net_penalty([[1, -2], [0, 3]], lam=0.5, beta=0.25) (lam (beta sum W^2 + sum |W|) = 0.5 (3.5 + 6))", expected=4.75
)
testing.assert_close(
    _dW, [[0.75, -1.0], [0.0, 1.25]], name="dW of elastic_net_penalty([[1, -2], [0, 3]], lam=0.5, beta=0.25) (lam (2 beta W + sign W))"
)
### BEGIN HIDDEN TESTS
for _shape, _lam, _beta in [((6,), 0.1, 2.0), ((3, 4), 1.5, 0.25), ((2, 2, 2), 0.0, 1.0)]:
    _W = _t.normal(size=_shape)
    _W.flat[-1] = 0.0
    _p, _dW = testing.check_own_work(elastic_net_penalty, _W, _lam, _beta, forbidden=("helpers.regularization",))
    testing.assert_scalar(_p, "the elastic-net penalty of weights of any shape, lam zero too (use lam and beta as given)", expected=_lam * np.sum(_beta * _W**2 + np.abs(_W)))
    testing.assert_close(_dW, _lam * (2 * _beta * _W + np.sign(_W)), name="the gradient of the elastic-net penalty, a weight at zero too")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. What each penalty prefers: the lecture's example
#
# The lecture's example has one input $x = [1, 1, 1, 1]$ and two weight vectors
#
# $$w_1 = [1, 0, 0, 0], \qquad w_2 = [0.25, 0.25, 0.25, 0.25], \qquad w_1^\top x = w_2^\top x = 1.$$
#
# Both give the same score, so any data loss is the same for both. Only the regularizer can choose:

# %%
x = np.array([1.0, 1.0, 1.0, 1.0])
w1 = np.array([1.0, 0.0, 0.0, 0.0])
w2 = np.array([0.25, 0.25, 0.25, 0.25])
print(f"scores: w1.x = {w1 @ x:.2f}, w2.x = {w2 @ x:.2f}")
for name, penalty in [("L2", l2_penalty), ("L1", l1_penalty)]:
    print(f"{name}: R(w1) = {penalty(w1, 1.0)[0]:.4f}, R(w2) = {penalty(w2, 1.0)[0]:.4f}")
print(f"elastic net (beta=1): R(w1) = {elastic_net_penalty(w1, 1.0, 1.0)[0]:.4f}, "
      f"R(w2) = {elastic_net_penalty(w2, 1.0, 1.0)[0]:.4f}")

# %% [markdown]
# **L2 prefers $w_2$** ($0.25 < 1$): it likes to *spread out* the weights, so the decision uses all
# four pixels a little rather than one pixel a lot. **L1 ties** ($1 = 1$) on this example; in general
# L1 prefers *sparse* weights (many exact zeros). The elastic net sits in between and, thanks to its L2
# part, also prefers $w_2$.
#
# The picture below shows the same thing in two dimensions. Every point on the dashed line has the same
# score $w^\top x = 1$ for $x = [1, 1]$ (left and middle) or $x = [1, 2]$ (right). The contours are the
# penalty; the regularized choice is where the line touches the smallest contour. L2's circles touch
# the line at one point with both weights equal; L1's diamonds touch it along a whole edge when
# $x = [1, 1]$ (a tie, as in the lecture) and at a corner, a *sparse* $w$ with one weight exactly 0,
# as soon as the two inputs differ.

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 4.2))
regularization_figures.plot_penalty_contours(axes[0], lambda w: l2_penalty(w, 1.0)[0], x=(1.0, 1.0), title="L2, x = [1, 1]")
regularization_figures.plot_penalty_contours(axes[1], lambda w: l1_penalty(w, 1.0)[0], x=(1.0, 1.0), title="L1, x = [1, 1]")
regularization_figures.plot_penalty_contours(axes[2], lambda w: l1_penalty(w, 1.0)[0], x=(1.0, 2.0), title="L1, x = [1, 2]")
fig.suptitle("The smallest penalty among the weights that score w·x = 1 (dashed line)")
plt.show()

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex_regloss_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 4 (2 points): the full loss
#
# Write `regularized_svm_loss(W, X, y, lam, penalty)` returning the **full loss** as a `float`:
# the mean multiclass hinge loss of the scores `X @ W` plus `penalty(W, lam)[0]`, where `penalty` is a
# function with the contract of your penalties (for example your `l2_penalty`). For the data loss you
# may use `helpers.losses.svm_loss_per_example` (imported above: the hinge loss $L_i$ of each example,
# your `hinge_losses_naive` of notebook 04; the data loss is their mean);
# for the penalty use the `penalty` argument, not the library's `helpers.regularization`.

# %% nbgrader={"grade": false, "grade_id": "regularized_svm_loss", "locked": false, "schema_version": 3, "solution": true}
def regularized_svm_loss(W, X, y, lam, penalty):
    r"""Full loss :math:`\frac1N\sum_i L_i + \lambda R(W)` of a linear SVM with scores ``X @ W``.

    Parameters
    ----------
    W : ndarray, shape (D, C)
    X : ndarray, shape (N, D)
    y : ndarray, shape (N,), int labels in [0, C)
    lam : float
    penalty : callable
        ``penalty(W, lam) -> (value, dW)``, e.g. ``l2_penalty``.

    Returns
    -------
    loss : float
    """
    ### BEGIN SOLUTION
    data_loss = svm_loss_per_example(X @ W, y).mean()
    return float(data_loss + penalty(W, lam)[0])
    ### END SOLUTION


# %%
for lam_try in [0.0, 0.1, 1.0]:
    total = regularized_svm_loss(2 * W_tiny, X_tiny, y_tiny, lam_try, l2_penalty)
    print(f"lambda = {lam_try:<4}: full loss of 2W = {total:.4f}")

# %% nbgrader={"grade": true, "grade_id": "regularized_svm_loss_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
_t = np.random.default_rng(54)
_X = _t.normal(size=(6, 4))
_y = _t.integers(0, 3, size=6)
_W = _t.normal(size=(4, 3))


def _const_penalty(W, lam):
    """A stand-in penalty worth exactly 3.0, to test that the penalty is added."""
    return 3.0, np.zeros_like(W)


_l = testing.check_own_work(regularized_svm_loss, _W, _X, _y, 0.1, _const_penalty, forbidden=("helpers.regularization",))
testing.assert_scalar(_l, "regularized_svm_loss")
_data = svm_loss_per_example(_X @ _W, _y).mean()
_l0 = regularized_svm_loss(_W, _X, _y, 0.0, lambda W, lam: (0.0, np.zeros_like(W)))
testing.assert_close(_l0, _data, name="full loss with a zero penalty (should be the mean hinge loss of X @ W)", sizes={"N": 6})
testing.assert_close(
    _l - _data,
    3.0,
    name="full loss minus data loss with a penalty worth 3.0 (add penalty(W, lam)[0] as it is)",
    mistakes={
        "lambda applied twice: penalty(W, lam) already holds lam (here got = lam x 3.0 with lam = 0.1); "
        "add penalty(W, lam)[0] without multiplying by lam again.": 0.1 * 3.0,
    },
)
### BEGIN HIDDEN TESTS
for _n, _d, _c, _lam in [(10, 5, 4, 0.05), (3, 2, 2, 1.3)]:
    _X = _t.normal(size=(_n, _d))
    _y = _t.integers(0, _c, size=_n)
    _W = _t.normal(size=(_d, _c))
    _total = testing.check_own_work(
        regularized_svm_loss, _W, _X, _y, _lam, lambda W, lam: (float(lam * np.sum(W**2)), 2 * lam * W),
        forbidden=("helpers.regularization",),
    )
    testing.assert_scalar(_total, "regularized_svm_loss on other sizes (the SVM data loss plus the penalty of the penalty_fn passed in)", expected=svm_loss_per_example(_X @ _W, _y).mean() + _lam * np.sum(_W**2))
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_w_vs_2w", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### Question A (2 points, graded by hand)
#
# Both $W$ and $2W$ of section 1 have zero hinge loss. (a) Which one does the L2-regularized loss
# prefer, and why? (b) On the lecture's example, L2 prefers $w_2 = [0.25, 0.25, 0.25, 0.25]$ over
# $w_1 = [1, 0, 0, 0]$. Why might spreading the weights over all inputs make a classifier work better on
# new images? Two or three sentences each.
#
# ### BEGIN SOLUTION
# (a) $W$: the data loss is 0 for both, and the L2 penalty of $2W$ is 4 times that of $W$
# ($\lambda\sum(2W)^2 = 4\lambda\sum W^2$), so the full loss is smaller for $W$. Regularization picks the
# smallest weights that still fit the data; without it the loss could not choose (and scaling $W$ up
# further would never be penalised).
#
# (b) $w_2$ bases its score on all four inputs a little; $w_1$ bets everything on one pixel. If that pixel
# is noisy, or differs in a new image, $w_1$'s score changes a lot while $w_2$ averages the noise out.
# Small, spread weights give a smoother, "simpler" function that depends less on any single input, so it
# generalises better (the lecture: make the model simple so it works on test data).
# ### END SOLUTION

# %% [markdown]
# ### L1 in training: weights that are exactly 0
#
# The contours show L1's preference for corners; training shows it as weights that are exactly 0. Here is
# a linear classifier (scores $XW$, your penalties) on made-up data with $D = 20$ inputs of
# which only the first 3 carry information about the $C = 3$ classes; the other 17 are noise. We train $W$
# three ways, 1,000 steps of $\eta = 0.05$ from the same small random start, with $\lambda = 0.05$. Its data
# loss is the squared error to the one-hot targets $T$, $\frac{1}{2N}\lVert XW - T \rVert^2$, whose gradient
# $\frac1N X^\top (XW - T)$ needs no calculus of notebook 06 (the hinge loss's gradient is an exercise there):
#
# * **L2** by gradient descent on the data loss plus your `l2_penalty`;
# * **L1 by subgradient descent**: the same, with your `l1_penalty`'s $\lambda\,\mathrm{sign}(W)$;
# * **L1 by proximal steps**: a gradient step on the data loss alone, then the L1 term's exact
#   minimisation over a step of length $\eta$, the *soft threshold*: every weight moves $\eta\lambda$ towards 0
#   and stops **at** 0 instead of crossing it,
#   $W \leftarrow \mathrm{sign}(V)\max(|V| - \eta\lambda, 0)$ with $V = W - \eta\nabla L_\text{data}$.
#
# A subgradient step jumps over 0 (from $+0.001$ to $-0.004$ and back) and almost never lands on it; the
# soft threshold keeps at 0 every weight whose data gradient is too weak to pull it away.

# %%
rng_l1 = np.random.default_rng(7)  # its own generator: `rng` feeds the data sets further down
D_l1, C_l1 = 20, 3
W_true = np.zeros((D_l1, C_l1))
W_true[:3] = 2.0 * rng_l1.normal(size=(3, C_l1))  # only inputs 0, 1, 2 matter
X_l1 = rng_l1.normal(size=(150, D_l1))
y_l1 = np.argmax(X_l1 @ W_true + 0.5 * rng_l1.normal(size=(150, C_l1)), axis=1)
X_l1_val = rng_l1.normal(size=(1000, D_l1))
y_l1_val = np.argmax(X_l1_val @ W_true + 0.5 * rng_l1.normal(size=(1000, C_l1)), axis=1)


T_l1 = np.eye(C_l1)[y_l1]  # one-hot targets (150, 3)


def data_grad(W):
    """Gradient of the squared error ||X_l1 @ W - T_l1||^2 / (2N) with respect to W."""
    return X_l1.T @ (X_l1 @ W - T_l1) / len(X_l1)


eta_l1, lam_l1 = 0.05, 0.05
W_start = rng_l1.normal(scale=0.01, size=(D_l1, C_l1))
W_l2, W_sub, W_prox = W_start.copy(), W_start.copy(), W_start.copy()
for _ in range(1000):
    W_l2 = W_l2 - eta_l1 * (data_grad(W_l2) + l2_penalty(W_l2, lam_l1)[1])
    W_sub = W_sub - eta_l1 * (data_grad(W_sub) + l1_penalty(W_sub, lam_l1)[1])
    V = W_prox - eta_l1 * data_grad(W_prox)
    W_prox = np.sign(V) * np.maximum(np.abs(V) - eta_l1 * lam_l1, 0.0)  # the soft threshold
for label, W in (("L2, gradient descent", W_l2), ("L1, subgradient descent", W_sub), ("L1, proximal steps", W_prox)):
    noise_rows = int(np.sum(np.all(W[3:] == 0, axis=1)))
    print(
        f"{label:24s}: {np.sum(W == 0):2d} of {W.size} weights exactly 0, {np.sum(np.abs(W) < 1e-3):2d} below 1e-3; "
        f"noise inputs switched off: {noise_rows:2d} of 17; validation accuracy "
        f"{np.mean(np.argmax(X_l1_val @ W, axis=1) == y_l1_val):.3f}"
    )
print("W after the proximal L1 training (rows = inputs 0..19):")
print(np.round(W_prox, 3) + 0.0)  # + 0.0 prints -0.0 as 0.0

# %% [markdown]
# The proximal L1 training ends with 43 of the 60 weights exactly 0 and switches 9 of the 17 noise inputs
# off completely (whole rows of 0): the classifier has *selected* its inputs. Its largest weights sit in
# the rows of the informative inputs 0 and 2; input 1 keeps small ones, like the few noise inputs left on.
# The same L1 penalty trained by subgradient steps has no exact zero at all (23 weights below $10^{-3}$
# that keep flipping sign), and L2 shrinks every weight but zeroes none. L2 also has the lowest validation
# accuracy here, 0.733 against 0.783 and 0.782 for the two L1 runs: with 17 noise inputs and only 150
# examples, spreading the weights over all inputs costs accuracy. This is what "L1 prefers sparse weights"
# means in practice, and why L1 is trained with proximal steps.

# %% [markdown]
# ## 4. Overfitting made visible
#
# Why prefer small weights at all? The lecture's answer: *regularization pushes against fitting the
# data too well, so we don't fit noise in the data.* To see it, we need a model flexible enough to fit
# noise: a two-layer network (`helpers.models.TwoLayerNet`, 100 ReLU hidden units) on a small,
# noisy 2-D data set of three interleaved spiral arms. With only 2 input features we can draw the whole
# decision function.
#
# The data are split once: 60 training points to fit the weights, and 600 validation points from the
# same distribution that the training never sees; they stand in for "new images".

# %%
def make_spirals(n_per_class, rng, *, n_classes=3, noise=0.15):
    """Noisy spiral arms in 2-D: X of shape (n_per_class * n_classes, 2), int labels y."""
    radius = rng.uniform(0.1, 1.0, size=(n_classes, n_per_class))
    angle = 2 * np.pi * np.arange(n_classes)[:, None] / n_classes + 1.4 * np.pi * radius
    X = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=-1).reshape(-1, 2)
    X = X + rng.normal(0.0, noise, size=X.shape)
    y = np.repeat(np.arange(n_classes), n_per_class)
    return X, y


X_train, y_train = make_spirals(20, rng, noise=0.2)
X_val, y_val = make_spirals(200, rng, noise=0.2)
print(f"train {X_train.shape}, validation {X_val.shape}, classes {np.bincount(y_train)}")

# %% [markdown]
# Training every weight of a network needs backpropagation (notebooks 07 and 08). Here the hidden layer
# keeps its random weights $W_1, b_1$ and only the output layer is fitted: with the hidden outputs $Z$
# (60, 100) and one-hot targets $T$ (60, 3), the squared error plus the L2 penalty,
# $\lVert Z W_2 + b_2 - T \rVert^2 + \lambda \sum W_2^2$, is minimised in closed form, notebook 03's
# normal equations with $\lambda I$ added: $W_2 = (Z^\top Z + \lambda I)^{-1} Z^\top T$ (with a column of
# ones for $b_2$, not penalised). This is **ridge regression** (least squares with an L2 penalty), not the
# hinge or softmax loss of this notebook: it has a closed-form solution, so each $\lambda$ costs one linear
# solve instead of a training run; the L1 example above trained by gradient steps, and
# notebook 08 trains whole networks with cross-entropy by gradient descent. The L2 penalty's effect is the
# same. A hundred random ReLU units are flexible enough to fit the 60 noisy points exactly. One network per value of $\lambda$; the results are kept so the explorer below can
# switch between them instantly.

# %%
LAMBDAS = [0.0, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0]


def fit_on_spirals(lam, *, hidden=100, seed=0):
    """A 2-100-3 TwoLayerNet: random fixed hidden layer, output layer fitted to (X_train, y_train) with L2 strength lam."""
    g = np.random.default_rng(seed)
    net = TwoLayerNet(2, hidden, 3, weight_scale=2.0, rng=g, dtype=np.float64, loss_fn=None)
    net.params["b1"] = g.uniform(-2.0, 2.0, size=hidden)  # spread the units' kinks over the plane
    Z = np.maximum(X_train @ net.params["W1"] + net.params["b1"], 0.0)  # hidden outputs (N, H)
    Z1 = np.hstack([Z, np.ones((len(Z), 1))])  # a column of ones for b2
    T = np.eye(3)[y_train]  # one-hot targets (N, C)
    penalty = lam * np.eye(hidden + 1)
    penalty[-1, -1] = 0.0  # the bias b2 is not penalised
    W = np.linalg.lstsq(Z1.T @ Z1 + penalty, Z1.T @ T, rcond=None)[0]  # (H + 1, C)
    net.params["W2"], net.params["b2"] = W[:-1], W[-1]
    return net


def accuracy(net, X, y):
    return float(np.mean(net.predict(X) == y))


nets = {lam: fit_on_spirals(lam) for lam in LAMBDAS}
train_acc = [accuracy(nets[lam], X_train, y_train) for lam in LAMBDAS]
val_acc = [accuracy(nets[lam], X_val, y_val) for lam in LAMBDAS]
for lam, tr, va in zip(LAMBDAS, train_acc, val_acc, strict=True):
    print(f"lambda = {lam:<7g} train accuracy {tr:.3f}   validation accuracy {va:.3f}")

# %% [markdown]
# Three of the decision boundaries, side by side. Filled colours show the predicted class everywhere in
# the plane; dots are the training points.

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 4.2))
for ax, lam in zip(axes, [0.0, 1.0, 100.0], strict=True):
    regularization_figures.plot_decision_boundary(ax, nets[lam].predict, X_train, y_train)
    ax.set_title(f"lambda = {lam:g}: train {accuracy(nets[lam], X_train, y_train):.2f}, "
                 f"val {accuracy(nets[lam], X_val, y_val):.2f}")

# %% [markdown]
# Without regularization the network reaches 100% training accuracy by bending its boundary around
# individual noisy points: it has **memorised the training set**, including its noise, and does worse
# on the validation points. A moderate $\lambda$ keeps the weights small, the function smooth, and the
# validation accuracy goes *up* although the training accuracy goes down. Too much $\lambda$ and the
# network can no longer follow the spirals at all (**underfitting**): both accuracies drop.
#
# The curves of training and validation accuracy against $\lambda$ show the whole story at once:

# %%
fig, ax = plt.subplots(figsize=(6.5, 4))
regularization_figures.plot_train_val_curves(ax, LAMBDAS, train_acc, val_acc, xlabel="regularization strength lambda")
best = LAMBDAS[int(np.argmax(val_acc))]
print(f"best lambda on the validation set: {best:g}")

# %% [markdown]
# ### Explorer
#
# Pick each of the trained values of $\lambda$ and watch the boundary smooth out; the panel
# also shows the validation points and both accuracies. (Explorers run in a live notebook; they are
# skipped when the notebook is graded.)

# %%
# NBVAL_IGNORE_OUTPUT
# (an interactive explorer: what it outputs depends on the front end)
if widgets.widgets_enabled():
    display(regularization_figures.regularization_explorer(nets, X_train, y_train, X_val, y_val))

# %%
# The explorer at its default setting, as a still figure with what it shows (also without widgets):
regularization_figures.regularization_explorer(nets, X_train, y_train, X_val, y_val, static=True)

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_choose_lambda", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### Question B (2 points, graded by hand)
#
# (a) Why can't we choose $\lambda$ by minimising the *training* loss, or by maximising the training
# accuracy? (b) Describe what happens to the decision boundary, the training accuracy and the validation
# accuracy as $\lambda$ goes from 0 to large values, and name the two failure modes at the two ends.
#
# ### BEGIN SOLUTION
# (a) On the training set, $\lambda = 0$ always wins: the penalty only ever adds to the training loss and
# only holds the fit back, so the training criterion would always switch regularization off. $\lambda$
# is a hyperparameter that trades fit against simplicity, and only data the weights were not fitted on
# (a validation set) can tell whether that trade helps on new data.
#
# (b) At $\lambda = 0$ the boundary is wiggly and wraps around single noisy points: training accuracy is
# (near) 100%, validation lower: **overfitting**. As $\lambda$ grows the boundary smooths, training
# accuracy falls, validation accuracy first rises to a maximum. For large $\lambda$ the weights are forced
# towards 0, the boundary becomes nearly straight and cannot follow the spirals: both accuracies drop,
# **underfitting**. We pick $\lambda$ near the validation maximum.
# ### END SOLUTION

# %% [markdown]
# ## Summary
#
# * The data loss alone often has many minimisers ($W$, $2W$, ...). The full loss
#   $L(W) = \frac1N\sum_i L_i + \lambda R(W)$ adds a preference over weights.
# * L2, $\sum W^2$ (gradient $2\lambda W$), prefers small, spread-out weights: $w_2$ over $w_1$ in the
#   lecture's example (0.25 versus 1). L1, $\sum|W|$ (subgradient $\lambda\,\mathrm{sign}\,W$), ties there
#   and in general prefers sparse weights: trained with proximal steps (the soft threshold) it sets most
#   weights of the noise inputs exactly to 0. The elastic net mixes the two.
# * Regularization trades training fit for simplicity. On a noisy data set a flexible network overfits
#   at $\lambda = 0$ and underfits at large $\lambda$; the validation set, never the training set, picks
#   $\lambda$.
# * Next (notebook 06): how to compute the gradient of the full loss, numerically and analytically, and
#   how to walk downhill with it.
