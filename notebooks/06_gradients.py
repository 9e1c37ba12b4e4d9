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
# # 06 · Gradients: numerical, analytic, and walking downhill
#
# To train a network we change its weights so that the loss decreases as fast as possible. The
# direction of fastest increase is the **gradient** $\nabla_W L$, the vector of partial derivatives
# $\partial L / \partial W_{k,l}$; gradient descent steps the other way.
#
# **Learning goals.** After this notebook you can
# 1. compute a gradient numerically, one coordinate at a time, as in the lecture's "W + h" walk;
# 2. explain why the centred difference beats the forward difference, and why $h$ must not be too small
#    (in float32 even less so);
# 3. derive the analytic gradients of the hinge and softmax losses with respect to $W$ (softmax:
#    "probabilities minus one-hot") and implement them;
# 4. check an analytic gradient against a numerical one and read the relative error;
# 5. run gradient descent and recognise a learning rate that is too small, about right, too large, or
#    diverging.
#
# **Time:** about 65 minutes. **Total: 17 points** (11 autograded in four exercises, 6 for three short
# written answers).
#
# Run the cells from top to bottom. Exercises say *YOUR CODE HERE*; each is followed by a test cell
# you can run (more, hidden tests run when your notebook is graded).

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from helpers import figure_style, gradient_figures, testing, widgets
from helpers.gradients import grad_check_sparse, rel_error
from helpers.losses import softmax_loss_per_example, svm_loss_per_example

figure_style.use_course_style()
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. The lecture's walk: nudge one weight, watch the loss
#
# In one dimension the derivative is a limit,
#
# $$\frac{df(x)}{dx} = \lim_{h \to 0} \frac{f(x+h) - f(x)}{h}.$$
#
# The lecture applies it to a weight vector: add $h = 0.0001$ to the first weight, recompute the loss,
# and read off the slope $(1.25322 - 1.25347)/0.0001 = -2.5$; then the second weight, and so on. The
# slide's numbers are an **illustration**: its $W$ and data are not given, so we cannot reproduce them.
# We do the same procedure on a real classifier instead: a linear SVM on the lecture's 4-pixel,
# 3-class setting, with $N = 20$ random examples, scores `X @ W` with `W` of shape $(4, 3)$ (12 weights),
# and the full loss of the slide "This is silly", data loss plus an L2 penalty (the slide writes the
# penalty without a $\lambda$, which means $\lambda = 1$; we use a milder $\lambda = 0.1$),
#
# $$L(W) = \frac1N \sum_{i=1}^N \sum_{j \ne y_i} \max(0, s_j - s_{y_i} + 1) + \lambda \sum_{k,l} W_{k,l}^2,
# \qquad s = x_i^\top W, \quad \lambda = 0.1.$$

# %%
N_walk, D_walk, C_walk, lam_walk = 20, 4, 3, 0.1
X_walk = rng.normal(size=(N_walk, D_walk))
y_walk = rng.integers(0, C_walk, size=N_walk)
W_walk = np.round(rng.normal(scale=0.5, size=(D_walk, C_walk)), 2)  # two decimals, like the slide


def full_loss(W):
    """Mean hinge loss of X_walk @ W plus lam_walk * sum(W**2)."""
    return svm_loss_per_example(X_walk @ W, y_walk).mean() + lam_walk * np.sum(W**2)


h = 1e-4
loss_0 = full_loss(W_walk)
print("current W (first 9 of 12 entries):", W_walk.ravel()[:9])
print(f"loss {loss_0:.8f}")
slopes = []
for k in range(3):
    W_h = W_walk.copy()
    W_h.flat[k] += h  # W + h in dimension k only
    loss_h = full_loss(W_h)
    slopes.append((loss_h - loss_0) / h)
    print(f"W + h (dim {k + 1}): loss {loss_h:.8f}  ->  dW[{k}] = ({loss_h:.8f} - {loss_0:.8f}) / {h} = {slopes[-1]:.4f}")

# %% [markdown]
# Each slope costs one extra evaluation of the loss over the *whole* data set. Our 12 weights need 13
# evaluations; a CIFAR-10 linear classifier has $3072 \times 10 = 30{,}720$ weights, a small two-layer
# network millions. That is why the lecture calls this *silly*: the loss is a known formula in $W$, so
# calculus gives the whole gradient at once. Numerically computed gradients remain invaluable for one
# job: **checking** the calculus.
#
# Also note that the slope is only an approximation: we divided by a finite $h$, not a limit. How good
# it is depends on the formula and on $h$, as section 2 shows.

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex_numgrad_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 1 (3 points): a numerical gradient
#
# Write `numerical_gradient(f, x, h=1e-5)` that returns the gradient of the scalar function `f` at the
# array `x` (any shape, float64) by **centred differences**, one coordinate at a time:
#
# $$\frac{\partial f}{\partial x_k} \approx \frac{f(x + h e_k) - f(x - h e_k)}{2h},$$
#
# where $e_k$ is the $k$-th unit vector. Requirements:
# * change `x` **in place** (set the entry to `old + h`, evaluate, `old - h`, evaluate) and **restore** the
#   exact old value afterwards, so that `f` may also read `x` through a closure (as in
#   `lambda _: loss(W)` with `x = W`);
# * return a new float64 array of the same shape as `x`;
# * `np.ndindex(x.shape)` (or `np.nditer`) visits every index of an array of any shape.
#
# The course library has its own version; calling it earns no credit.

# %% nbgrader={"grade": false, "grade_id": "numerical_gradient", "locked": false, "schema_version": 3, "solution": true}
def numerical_gradient(f, x, h=1e-5):
    r"""Centred-difference gradient of a scalar function.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``.
    x : ndarray, any shape, float64
        Perturbed in place one entry at a time and restored exactly.
    h : float
        Step size.

    Returns
    -------
    grad : ndarray, same shape as x, float64
    """
    ### BEGIN SOLUTION
    grad = np.zeros(x.shape, dtype=np.float64)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        f_plus = float(f(x))
        x[idx] = old - h
        f_minus = float(f(x))
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad
    ### END SOLUTION


# %% [markdown]
# Try it on the walk above: the first three entries should be close to the slopes we read off (close,
# not equal: those were forward differences with $h = 10^{-4}$).

# %%
dW_numerical = numerical_gradient(full_loss, W_walk)
print("numerical gradient, first 9 entries:", np.round(dW_numerical.ravel()[:9], 4))
print("slopes from the walk:               ", np.round(slopes, 4))

# %% nbgrader={"grade": true, "grade_id": "numerical_gradient_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false}
_t = np.random.default_rng(61)
_x = _t.normal(size=(3, 4))
_g = testing.check_own_work(numerical_gradient, lambda v: np.sum(np.sin(v) * v**2), _x, forbidden=("helpers",))
testing.assert_shape(_g, _x.shape, "numerical_gradient(f, x)")
testing.assert_dtype(_g, np.float64, "numerical_gradient(f, x)")
# what your function left in x (it gets a copy: the test's own _x never changes)
_x_after = testing.call(numerical_gradient, lambda v: np.sum(np.sin(v) * v**2), _x).args[1]
assert np.array_equal(_x_after, _x), "numerical_gradient must restore every entry of x to its old value"
# centred, not forward: for sum(x^3) with h = 1e-3 the centred difference is 3x^2 + h^2 exactly, the
# forward difference (f(x+h) - f(x)) / h is 3x^2 + 3xh + h^2 (off by about 3 x h = 3e-3)
_x3 = _t.normal(size=5)
_g3 = testing.check_own_work(numerical_gradient, lambda v: np.sum(v**3), _x3, 1e-3, forbidden=("helpers",))
testing.assert_close(
    _g3,
    3 * _x3**2 + 1e-6,
    rtol=1e-6,
    atol=1e-9,
    name="numerical_gradient of sum(x^3) with h = 1e-3 (the centred difference is 3x^2 + h^2)",
    mistakes={
        "a forward difference (f(x+h) - f(x)) / h: it is off by about 3 x h here; use the centred difference "
        "(f(x+h) - f(x-h)) / (2h).": 3 * _x3**2 + 3 * _x3 * 1e-3 + 1e-6,
        "the h passed in is ignored (a fixed step such as 1e-5): use the argument h.": 3 * _x3**2 + 1e-10,
    },
)
# compare with the derivative that calculus gives: d/dv sin(v) v^2 = cos(v) v^2 + 2 v sin(v)
testing.assert_close(
    _g,
    np.cos(_x) * _x**2 + 2 * _x * np.sin(_x),
    rtol=1e-6,
    atol=1e-8,
    name="numerical_gradient of sum(sin(x) x^2) against the calculus derivative cos(x) x^2 + 2x sin(x)",
)
### BEGIN HIDDEN TESTS
# the step h is the one passed in: for x^3, the centred difference is exactly 3x^2 + h^2
_x = np.array([0.5, -1.0, 2.0])
_g = testing.check_own_work(numerical_gradient, lambda v: float(np.sum(v**3)), _x, 0.1, forbidden=("helpers",))
testing.assert_close(_g, 3 * _x**2 + 0.01, name="centred differences of a cubic with a large step (do you use the h passed in?)", rtol=1e-9)
_x = np.array([2.0])
_g = testing.check_own_work(numerical_gradient, lambda v: float(np.exp(v[0])), _x, forbidden=("helpers",))
testing.assert_close(_g, np.exp(_x), name="the numerical gradient of exp with the default step (centred differences, not one-sided)", rtol=1e-8)
### END HIDDEN TESTS

# %% [markdown]
# **A check that is not graded.** Later cells call `numerical_gradient(lambda _: loss(W), W)`: the
# function ignores its argument and reads `W` itself, so your code must perturb `x` itself, in place
# (`x[i] += h`), not a copy of it. Only your own kernel can see this (the grader calls your function on
# copies), so it is checked here, for you, and not graded:

# %% nbgrader={"grade": false, "grade_id": "numerical_gradient_closure_check", "locked": true, "schema_version": 3, "solution": false}
_V = np.random.default_rng(62).normal(size=(2, 3))
_g = numerical_gradient(lambda _: float(np.sum(_V**2)), _V)
assert np.allclose(_g, 2 * _V, rtol=1e-6, atol=1e-8), (
    "numerical_gradient gave the wrong gradient for a function that reads x through a closure: perturb x "
    "itself, in place (x[i] += h; f(x); x[i] = old), not a copy of it"
)
print("numerical_gradient works with a function that reads x through a closure.")

# %% [markdown]
# ## 2. Forward or centred difference, and how small should $h$ be?
#
# Taylor's formula explains the difference between the two formulas:
#
# $$f(x \pm h) = f(x) \pm h f'(x) + \tfrac{h^2}{2} f''(x) \pm \tfrac{h^3}{6} f'''(x) + \dots$$
#
# * forward: $\frac{f(x+h) - f(x)}{h} = f'(x) + \tfrac{h}{2} f''(x) + \dots$, error of order $h$;
# * centred: $\frac{f(x+h) - f(x-h)}{2h} = f'(x) + \tfrac{h^2}{6} f'''(x) + \dots$, error of order $h^2$
#   (the even terms cancel).
#
# So smaller $h$ is better? Only up to a point. A computer stores about 16 significant digits in float64
# and 7 in float32 (machine epsilon $\varepsilon \approx 2.2\times10^{-16}$ and $1.2\times10^{-7}$).
# $f(x+h)$ and $f(x)$ agree in most of their digits, and subtracting them loses those digits: a
# rounding error of about $\varepsilon |f| / h$, which *grows* as $h$ shrinks. The best $h$ balances
# the two errors. Let us measure it for $f = \sin$ at $x = 1$, where the true derivative is $\cos 1$:

# %%
hs = np.logspace(-15, 0, 61)
errors = {}
for dtype in (np.float64, np.float32):
    x0 = dtype(1.0)
    hh = hs.astype(dtype)
    exact = np.cos(np.float64(1.0))
    forward = (np.sin(x0 + hh) - np.sin(x0)) / hh
    centred = (np.sin(x0 + hh) - np.sin(x0 - hh)) / (2 * hh)
    name = np.dtype(dtype).name
    errors[f"forward, {name}"] = np.abs(forward.astype(np.float64) - exact)
    errors[f"centred, {name}"] = np.abs(centred.astype(np.float64) - exact)

for label, err in errors.items():
    best = int(np.argmin(err))
    print(f"{label:<17}: best h = {hs[best]:.0e}, smallest error = {err[best]:.1e}")

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.8))
gradient_figures.plot_fd_errors(ax, hs, errors)
plt.show()

# %% [markdown]
# Read the plot from right to left. At large $h$ the **truncation** error dominates: the forward lines
# fall with slope 1 (error $\propto h$), the centred lines with slope 2 ($\propto h^2$). At small $h$ the
# **rounding** error $\varepsilon/h$ takes over and the error climbs again with slope $-1$; in float32
# it takes over at a much larger $h$, and for $h$ below about $10^{-7}$, $1 + h$ rounds to exactly 1 in
# float32, so the estimate is 0 and the error is the whole derivative. In float64 the centred difference
# does best for $h$ between about $10^{-6}$ and $10^{-5}$: its error there is around $10^{-11}$, and at a
# few lucky $h$, such as the best one printed above, the rounding errors happen to cancel and it is smaller
# still. Hence the default `h=1e-5` and the rule: **gradient checks in float64, centred differences**.

# %% [markdown]
# ## 3. Analytic gradients of the two losses with respect to $W$
#
# For a linear classifier the scores of a batch are $S = XW$, shape $(N, C)$, with $X$ of shape $(N, D)$
# and $W$ of shape $(D, C)$. Because $S_{ij} = \sum_d X_{id} W_{dj}$, the chain rule gives the gradient
# with respect to $W$ from the gradient with respect to the scores:
#
# $$\frac{\partial L}{\partial W_{dj}} = \sum_i \frac{\partial L}{\partial S_{ij}} X_{id}
# \qquad\Longleftrightarrow\qquad \nabla_W L = X^\top\, \nabla_S L \quad (D \times N \cdot N \times C).$$
#
# So all we need is $\partial L / \partial S$, one number per score.
#
# **Hinge loss** $L = \frac1N\sum_i\sum_{j\ne y_i}\max(0, S_{ij} - S_{iy_i} + 1)$. Each active term
# (margin $> 0$) is linear in the scores with slope $+1$ for $S_{ij}$ and $-1$ for $S_{iy_i}$; inactive
# terms contribute nothing. Hence, for example $i$:
#
# $$\frac{\partial L}{\partial S_{ij}} = \frac1N\,\mathbb 1[S_{ij} - S_{iy_i} + 1 > 0] \quad (j \ne y_i), \qquad
# \frac{\partial L}{\partial S_{iy_i}} = -\frac1N \sum_{j \ne y_i} \mathbb 1[S_{ij} - S_{iy_i} + 1 > 0].$$
#
# **Softmax cross-entropy** $L = \frac1N\sum_i -\log p_{iy_i}$ with $p_{ij} = e^{S_{ij}}/\sum_c e^{S_{ic}}$.
# Its derivative is the famous "probabilities minus one-hot":
#
# $$\frac{\partial L}{\partial S_{ij}} = \frac1N\big(p_{ij} - \mathbb 1[j = y_i]\big).$$
#
# **L2 penalty** $\lambda\sum W^2$ adds $2\lambda W$ (notebook 05).

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_softmax_gradient", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### Question A (2 points, graded by hand)
#
# Derive "probabilities minus one-hot" yourself, for one example with scores $s_1, \dots, s_C$, correct
# class $y$ and loss $L = -\log p_y$, $p_j = e^{s_j}/\sum_c e^{s_c}$: show that
# $\partial L/\partial s_j = p_j - [j = y]$. Hint: first write $L = -s_y + \log\sum_c e^{s_c}$, then
# differentiate the two terms separately. A few lines of math are enough.
#
# ### BEGIN SOLUTION
# $L = -\log \frac{e^{s_y}}{\sum_c e^{s_c}} = -s_y + \log\sum_c e^{s_c}$. The first term depends on
# $s_j$ only when $j = y$: $\partial(-s_y)/\partial s_j = -[j = y]$. For the second, the chain rule through
# the log gives $\frac{1}{\sum_c e^{s_c}}\cdot e^{s_j} = p_j$. Together
# $\partial L/\partial s_j = p_j - [j = y]$: the probabilities minus the one-hot target. For the mean over
# $N$ examples each example's loss carries the factor $\frac1N$, hence $\frac1N(p_{ij} - [j = y_i])$.
# ### END SOLUTION

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex_svm_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 2 (3 points): the hinge loss and its gradient with respect to $W$
#
# Write `svm_loss_grad_W(W, X, y, reg)` returning `(loss, dW)`: the full loss
# $\frac1N\sum_i\sum_{j\ne y_i}\max(0, S_{ij} - S_{iy_i} + 1) + \text{reg}\sum W^2$ with $S = XW$ (a
# `float`) and its gradient with respect to `W` (shape $(D, C)$). Vectorise it: build the $(N, C)$ array
# of $\partial L/\partial S$ first, then multiply by $X^\top$. Use NumPy only (no `helpers.losses`,
# `helpers.models`, `helpers.gradients` or `helpers.regularization` inside your function).

# %% nbgrader={"grade": false, "grade_id": "svm_loss_grad_W", "locked": false, "schema_version": 3, "solution": true}
def svm_loss_grad_W(W, X, y, reg):
    r"""Multiclass hinge loss of ``X @ W`` plus ``reg * sum(W**2)``, and its gradient.

    Parameters
    ----------
    W : ndarray, shape (D, C)
    X : ndarray, shape (N, D)
    y : ndarray of int, shape (N,)
    reg : float

    Returns
    -------
    loss : float
    dW : ndarray, shape (D, C)
    """
    ### BEGIN SOLUTION
    N = X.shape[0]
    scores = X @ W
    rows = np.arange(N)
    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + 1.0)
    margins[rows, y] = 0.0
    loss = margins.sum() / N + reg * np.sum(W * W)
    dscores = (margins > 0).astype(np.float64)
    dscores[rows, y] = -dscores.sum(axis=1)
    dW = X.T @ dscores / N + 2 * reg * W
    return float(loss), dW
    ### END SOLUTION


# %%
loss_svm, dW_svm = svm_loss_grad_W(W_walk, X_walk, y_walk, lam_walk)
print(f"loss {loss_svm:.8f} (the walk gave {loss_0:.8f})")
print("analytic dW, first 9 entries: ", np.round(dW_svm.ravel()[:9], 4))
print(f"relative error analytic vs numerical: {rel_error(dW_svm, dW_numerical):.1e}")

# %% nbgrader={"grade": true, "grade_id": "svm_loss_grad_W_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false}
_LIBRARY = ("helpers.losses", "helpers.models", "helpers.gradients", "helpers.regularization")
# A worked example first. With X = [[1, 0], [1, 2]] and the W below, S = X W = [[1, 0, 0.5], [1.5, 2, 0]],
# labels [0, 1]: example 0 violates the margin of class 2 (0.5 - 1 + 1 = 0.5), example 1 that of class 0
# (1.5 - 2 + 1 = 0.5), so L = (0.5 + 0.5) / 2 = 0.5, dL/dS = [[-1, 0, 1], [1, -1, 0]] / 2 and
# dW = X^T dL/dS = [[0, -0.5, 0.5], [1, -1, 0]].
_X = np.array([[1.0, 0.0], [1.0, 2.0]])
_y = np.array([0, 1])
_W = np.array([[1.0, 0.0, 0.5], [0.25, 1.0, -0.25]])
_out = testing.check_own_work(svm_loss_grad_W, _W, _X, _y, 0.0, forbidden=_LIBRARY)
assert isinstance(_out, tuple) and len(_out) == 2, "svm_loss_grad_W must return a pair (loss, dW)"
_loss, _dW = _out
testing.assert_scalar(
    _loss,
    "loss of the worked example (reg = 0)",
    expected=0.5,
    mistakes={"the hinge loss is summed over the N = 2 examples: the mean is asked (a missing 1/N).": 1.0},
)
testing.assert_close(
    _dW,
    [[0.0, -0.5, 0.5], [1.0, -1.0, 0.0]],
    rtol=1e-6,
    atol=1e-10,
    sizes={"N": 2},
    name="dW of the worked example (reg = 0)",
    mistakes={"X was used where X^T belongs: dW = X^T dL/dS, shape (D, C).": [[-0.5, 0.0, 0.5], [0.5, -1.0, 0.5]]},
)
# Random data: the data loss against notebook 04's per-example hinge losses, then the regularisation
# part of the gradient, dW(reg) - dW(0) = 2 reg W
_t = np.random.default_rng(62)
_X = _t.normal(size=(8, 5))
_y = _t.integers(0, 4, size=8)
_W = _t.normal(scale=0.5, size=(5, 4))
_loss, _dW = testing.check_own_work(svm_loss_grad_W, _W, _X, _y, 0.05, forbidden=_LIBRARY)
testing.assert_scalar(
    _loss,
    "loss",
    expected=svm_loss_per_example(_X @ _W, _y).mean() + 0.05 * np.sum(_W**2),
    mistakes={"the hinge loss is summed over the N = 8 examples: the mean is asked (a missing 1/N).": 8
    * svm_loss_per_example(_X @ _W, _y).mean()
    + 0.05 * np.sum(_W**2)},
)
testing.assert_shape(_dW, _W.shape, "dW")
_dW0 = svm_loss_grad_W(_W, _X, _y, 0.0)[1]
testing.assert_close(_dW - _dW0, 2 * 0.05 * _W, rtol=1e-6, atol=1e-10, name="dW(reg = 0.05) - dW(reg = 0), the gradient of reg * sum(W^2)")
### BEGIN HIDDEN TESTS
from helpers.losses import svm_loss  # the reference (notebook 04's loss and its scores gradient)

for _n, _d, _c, _reg in [(30, 7, 10, 0.0), (1, 3, 2, 1.0), (12, 2, 3, 0.3)]:
    _X = _t.normal(size=(_n, _d))
    _y = _t.integers(0, _c, size=_n)
    _W = _t.normal(size=(_d, _c))
    _loss, _dW = testing.check_own_work(svm_loss_grad_W, _W, _X, _y, _reg, forbidden=_LIBRARY)
    _ref_loss, _ds = svm_loss(_X @ _W, _y)
    testing.assert_scalar(_loss, "the loss of svm_loss_grad_W on other sizes (the SVM loss plus reg times the sum of squares)", expected=_ref_loss + _reg * np.sum(_W**2))
    testing.assert_close(_dW, _X.T @ _ds + 2 * _reg * _W, name="dW of svm_loss_grad_W on other sizes (X.T @ dscores plus twice reg times W)", rtol=1e-6, atol=1e-10)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex_softmax_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 3 (3 points): the softmax loss and its gradient with respect to $W$
#
# Write `softmax_loss_grad_W(W, X, y, reg)` returning `(loss, dW)` for the mean cross-entropy of the
# scores $S = XW$ (natural log) plus `reg * sum(W**2)`. Make it numerically stable: subtract each row's
# maximum score before `np.exp` (it does not change the probabilities) and work from the log-probabilities
# $\log p_{ij} = S_{ij} - \max_c S_{ic} - \log\sum_c e^{S_{ic} - \max_c S_{ic}}$.

# %% nbgrader={"grade": false, "grade_id": "softmax_loss_grad_W", "locked": false, "schema_version": 3, "solution": true}
def softmax_loss_grad_W(W, X, y, reg):
    r"""Softmax cross-entropy of ``X @ W`` plus ``reg * sum(W**2)``, and its gradient.

    Parameters
    ----------
    W : ndarray, shape (D, C)
    X : ndarray, shape (N, D)
    y : ndarray of int, shape (N,)
    reg : float

    Returns
    -------
    loss : float
    dW : ndarray, shape (D, C)
    """
    ### BEGIN SOLUTION
    N = X.shape[0]
    scores = X @ W
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(N)
    loss = -log_probs[rows, y].mean() + reg * np.sum(W * W)
    dscores = np.exp(log_probs)
    dscores[rows, y] -= 1.0
    dW = X.T @ dscores / N + 2 * reg * W
    return float(loss), dW
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "softmax_loss_grad_W_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false}
_LIBRARY = ("helpers.losses", "helpers.models", "helpers.gradients", "helpers.regularization")
# A worked example first. With X = [[1, 0], [1, 2]] and the W below, S = X W = [[0, ln 2, ln 3], [0, 0, 0]]:
# probabilities [1/6, 2/6, 3/6] and [1/3, 1/3, 1/3]; with labels [2, 0] the losses are ln 2 and ln 3
# (mean ln 6 / 2), dL/dS = (p - onehot) / 2 = [[1/12, 1/6, -1/4], [-1/3, 1/6, 1/6]] and
# dW = X^T dL/dS = [[-1/4, 1/3, -1/12], [-2/3, 1/3, 1/3]].
_X = np.array([[1.0, 0.0], [1.0, 2.0]])
_y = np.array([2, 0])
_W = np.array([[0.0, np.log(2), np.log(3)], [0.0, -np.log(2) / 2, -np.log(3) / 2]])
_out = testing.check_own_work(softmax_loss_grad_W, _W, _X, _y, 0.0, forbidden=_LIBRARY)
assert isinstance(_out, tuple) and len(_out) == 2, "softmax_loss_grad_W must return a pair (loss, dW)"
_loss, _dW = _out
testing.assert_scalar(
    _loss,
    "loss of the worked example (reg = 0)",
    expected=np.log(6) / 2,
    mistakes={"the cross-entropy is summed over the N = 2 examples: the mean is asked (a missing 1/N).": np.log(6)},
)
_ref0 = np.array([[-1 / 4, 1 / 3, -1 / 12], [-2 / 3, 1 / 3, 1 / 3]])
testing.assert_close(
    _dW,
    _ref0,
    rtol=1e-6,
    atol=1e-10,
    sizes={"N": 2},
    name="dW of the worked example (reg = 0)",
    mistakes={
        "the -1 at the correct class is missing: dL/dS = p - 1[j = y_i], so subtract 1 from p at each "
        "example's label (dscores[rows, y] -= 1) before the product with X^T.": _ref0 + _X.T @ np.eye(3)[_y] / 2,
    },
)
# Random data: the data loss against notebook 04's per-example cross-entropies, then the regularisation
# part of the gradient, dW(reg) - dW(0) = 2 reg W
_t = np.random.default_rng(63)
_X = _t.normal(size=(9, 6))
_y = _t.integers(0, 3, size=9)
_W = _t.normal(scale=0.5, size=(6, 3))
_loss, _dW = testing.check_own_work(softmax_loss_grad_W, _W, _X, _y, 0.1, forbidden=_LIBRARY)
testing.assert_scalar(
    _loss,
    "loss",
    expected=softmax_loss_per_example(_X @ _W, _y).mean() + 0.1 * np.sum(_W**2),
    mistakes={"the cross-entropy is summed over the N = 9 examples: the mean is asked (a missing 1/N).": 9
    * softmax_loss_per_example(_X @ _W, _y).mean()
    + 0.1 * np.sum(_W**2)},
)
testing.assert_shape(_dW, _W.shape, "dW")
_dW0 = softmax_loss_grad_W(_W, _X, _y, 0.0)[1]
testing.assert_close(_dW - _dW0, 2 * 0.1 * _W, rtol=1e-6, atol=1e-10, name="dW(reg = 0.1) - dW(reg = 0), the gradient of reg * sum(W^2)")
# stability: huge scores must not overflow (no NaN, no RuntimeWarning)
_big_loss, _big_dW = softmax_loss_grad_W(1000 * _W, _X, _y, 0.0)
assert np.isfinite(_big_loss) and np.all(np.isfinite(_big_dW)), (
    "softmax_loss_grad_W overflows for large scores: subtract each row's maximum before np.exp"
)
### BEGIN HIDDEN TESTS
from helpers.losses import softmax_loss  # the reference (notebook 04's loss and its scores gradient)

for _n, _d, _c, _reg in [(40, 10, 10, 0.0), (1, 2, 5, 0.5), (15, 3, 2, 0.01)]:
    _X = _t.normal(size=(_n, _d))
    _y = _t.integers(0, _c, size=_n)
    _W = _t.normal(size=(_d, _c))
    _loss, _dW = testing.check_own_work(softmax_loss_grad_W, _W, _X, _y, _reg, forbidden=_LIBRARY)
    _ref_loss, _ds = softmax_loss(_X @ _W, _y)
    testing.assert_scalar(_loss, "the loss of softmax_loss_grad_W on other sizes (cross-entropy plus reg times the sum of squares)", expected=_ref_loss + _reg * np.sum(_W**2))
    testing.assert_close(_dW, _X.T @ _ds + 2 * _reg * _W, name="dW of softmax_loss_grad_W on other sizes (X.T @ dscores plus twice reg times W)", rtol=1e-6, atol=1e-10)
_loss, _dW = testing.check_own_work(softmax_loss_grad_W, 500 * _W, _X, _y, 0.0, forbidden=_LIBRARY)
_ref_loss, _ds = softmax_loss(_X @ (500 * _W), _y)
testing.assert_scalar(_loss, "the loss of softmax_loss_grad_W for huge scores (subtract each row's max before np.exp)", expected=_ref_loss, rtol=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Gradient checking
#
# Your analytic gradients passed the test cells because those compared them with a numerical gradient.
# That comparison is called a **gradient check** and it is how every backward pass is debugged. Two
# practical points:
#
# * Compare with the **relative error** $\max_k \frac{|a_k - n_k|}{\max(10^{-8}, |a_k| + |n_k|)}$, not the
#   absolute one: a difference of $10^{-4}$ is tiny for a gradient of size 100 and huge for one of size
#   $10^{-4}$.
# * Rough thresholds (float64, centred differences, $h = 10^{-5}$): below $10^{-7}$ good; $10^{-7}$ to
#   $10^{-4}$ suspicious unless the function has **kinks** (the hinge, ReLU); above $10^{-2}$ the
#   gradient is almost certainly wrong.
#
# On large weight matrices we check a few random coordinates only (`grad_check_sparse`, with your
# `numerical_gradient` along each chosen coordinate). Here is the
# softmax gradient on a CIFAR-sized linear classifier ($D = 3072$, $C = 10$), next to two classic bugs:
# forgetting the $\frac1N$ and forgetting the regularization gradient.

# %%
X_big = rng.normal(size=(50, 3072))
y_big = rng.integers(0, 10, size=50)
W_big = rng.normal(scale=1e-3, size=(3072, 10))
reg_big = 0.5
_, dW_big = softmax_loss_grad_W(W_big, X_big, y_big, reg_big)
candidates = {
    "your gradient": dW_big,
    "bug: forgot the 1/N": (dW_big - 2 * reg_big * W_big) * 50 + 2 * reg_big * W_big,
    "bug: forgot 2*reg*W": dW_big - 2 * reg_big * W_big,
}
for label, grad in candidates.items():
    errs = grad_check_sparse(
        lambda W: softmax_loss_grad_W(W, X_big, y_big, reg_big)[0], W_big, grad, num_checks=8,
        rng=np.random.default_rng(6), numerical_gradient=numerical_gradient,
    )
    print(f"{label:<22} largest relative error {errs.max():.1e}")

# %% [markdown]
# ## 5. The cost of numerical gradients
#
# A numerical gradient needs two loss evaluations **per weight**; the analytic one costs about as much
# as *one* loss evaluation (one extra matrix product). The timings below grow the number of weights
# $D \times C$ of a linear SVM; your machine's numbers will differ, the slopes will not.

# %%
# NBVAL_IGNORE_OUTPUT
sizes = [8, 32, 128, 512]
num_weights, t_numeric, t_analytic = [], [], []
X_time = rng.normal(size=(100, max(sizes)))
y_time = rng.integers(0, 10, size=100)
for D in sizes:  # with your svm_loss_grad_W: its loss for the numerical gradient, its dW for the analytic one
    W = rng.normal(scale=1e-2, size=(D, 10))
    X = X_time[:, :D]
    svm_loss_grad_W(W, X, y_time, 0.0)  # warm-up
    start = time.perf_counter()
    numerical_gradient(lambda W_, X=X: svm_loss_grad_W(W_, X, y_time, 0.0)[0], W)
    t_numeric.append(time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(100):
        svm_loss_grad_W(W, X, y_time, 0.0)
    t_analytic.append((time.perf_counter() - start) / 100)
    num_weights.append(W.size)
    print(f"{W.size:>5} weights: numerical {t_numeric[-1] * 1e3:8.2f} ms, analytic {t_analytic[-1] * 1e3:6.3f} ms")

fig, ax = plt.subplots(figsize=(6.5, 4.2))
gradient_figures.plot_gradient_cost(ax, num_weights, t_numeric, t_analytic)
plt.show()

# %% [markdown]
# The numerical cost grows linearly with the number of weights (twice the weights, twice the time), the
# analytic cost stays nearly flat here. Extrapolate to the 30,720 weights of a CIFAR-10 linear
# classifier, or the 1.5 million of a small two-layer net, and multiply by thousands of training steps.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_numerical_only_to_check", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### Question B (2 points, graded by hand)
#
# The numerical gradient is simple and needs no calculus. Give two reasons why we train with the
# analytic gradient and use the numerical one only to **check** it.
#
# ### BEGIN SOLUTION
# 1. Cost: it needs two evaluations of the full loss per weight, so one gradient of a network with
#    millions of weights costs millions of forward passes; the analytic gradient (backpropagation) costs
#    about one forward plus one backward pass, whatever the number of weights.
# 2. Accuracy: it is an approximation, with a truncation error ($\propto h^2$) and a rounding error
#    ($\propto \varepsilon/h$); it needs float64 and a good $h$, and it is wrong near kinks (ReLU,
#    hinge). The analytic gradient is exact up to rounding.
#
# It is still ideal for checking because it is easy to get right and independent of the calculus being
# checked (a few random coordinates suffice).
# ### END SOLUTION

# %% [markdown]
# ## 6. Gradient descent and the learning rate
#
# The lecture's update moves against the gradient with a step size $\eta$, the **learning rate**:
#
# $$w^{(\tau+1)} = w^{(\tau)} - \eta\, \nabla E\big(w^{(\tau)}\big).$$
#
# To *see* what $\eta$ does we use a loss with just two weights, an elongated bowl
# $E(w) = \tfrac12 w^\top A w$ whose valley is tilted, with $\nabla E(w) = Aw$. Its curvature is 10 across
# the valley and 1 along it (the eigenvalues of $A$).

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex_gd_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 4 (2 points): gradient descent
#
# Write `gradient_descent_path(grad_fn, w0, lr, steps)` that starts at `w0`, applies the update above
# `steps` times and returns the whole path: an array of shape `(steps + 1,) + w0.shape`, where
# `path[0]` is `w0` and `path[t]` the weights after `t` updates. Do not modify the caller's `w0`.

# %% nbgrader={"grade": false, "grade_id": "gradient_descent_path", "locked": false, "schema_version": 3, "solution": true}
def gradient_descent_path(grad_fn, w0, lr, steps):
    r"""Plain gradient descent from ``w0``; returns every point visited.

    Parameters
    ----------
    grad_fn : callable
        ``grad_fn(w) -> ndarray`` with the shape of w.
    w0 : ndarray, any shape
    lr : float
        Learning rate eta > 0.
    steps : int
        Number of updates >= 0.

    Returns
    -------
    path : ndarray, shape (steps + 1,) + w0.shape, float64
    """
    ### BEGIN SOLUTION
    w = np.array(w0, dtype=np.float64)
    path = [w.copy()]
    for _ in range(steps):
        w = w - lr * grad_fn(w)
        path.append(w.copy())
    return np.array(path)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "gradient_descent_path_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
_t = np.random.default_rng(64)
_A = np.array([[3.0, 1.0], [1.0, 2.0]])
_w0 = np.array([1.0, -2.0])
_path = testing.check_own_work(gradient_descent_path, lambda w: _A @ w, _w0, 0.1, 25, forbidden=("helpers",))
_w0_after = testing.call(gradient_descent_path, lambda w: _A @ w, _w0, 0.1, 25).args[1]
assert np.array_equal(_w0_after, _w0), "gradient_descent_path must not modify the caller's w0 (copy it first)"
testing.assert_shape(_path, (26, 2), "path (steps + 1 points of 2 weights)")
testing.assert_close(_path[0], _w0, name="path[0] (the starting point; a path of copies, not the same array appended each time)")
_E = np.array([0.5 * p @ _A @ p for p in _path])
assert np.all(np.diff(_E) < 0), "with a small learning rate every step should lower the loss 0.5 w^T A w"
testing.assert_shape(gradient_descent_path(lambda w: 2 * w, np.ones((2, 3)), 0.1, 4), (5, 2, 3), "path for a (2, 3) w0")
testing.assert_close(
    gradient_descent_path(lambda w: 2 * w, np.array([1.0]), 0.25, 2),
    [[1.0], [0.5], [0.25]],
    name="path for grad(w) = 2w from w0 = 1 with lr = 0.25 (w - 0.25 * 2w halves w at each step)",
)
### BEGIN HIDDEN TESTS
_w0 = _t.normal(size=3)
_B = np.diag([1.0, 4.0, 9.0])
_lr = 0.05
_path = testing.check_own_work(gradient_descent_path, lambda w: _B @ w, _w0, _lr, 7, forbidden=("helpers",))
_expected = np.array([np.diag((1 - _lr * np.diag(_B)) ** t) @ _w0 for t in range(8)])
testing.assert_close(_path, _expected, name="gradient_descent_path on a diagonal quadratic (the start first, then one row per step)", rtol=1e-10)
_path = testing.check_own_work(gradient_descent_path, lambda w: w, _w0, 0.5, 0, forbidden=("helpers",))
testing.assert_close(_path, _w0[None, :], name="gradient_descent_path with no steps (the start alone, as one row)")
### END HIDDEN TESTS

# %% [markdown]
# Four learning rates on the tilted bowl, 30 steps each from the same start. The plot shows the contours
# of $E$ with the path (left) and the loss along it (right).

# %%
A_bowl = np.array([[5.5, 4.5], [4.5, 5.5]])  # eigenvalues 10 (across the valley) and 1 (along it)
w_start = np.array([-1.5, 0.5])


def bowl(w):
    return 0.5 * w @ A_bowl @ w


LEARNING_RATES = {"too small": 0.01, "about right": 0.1, "too large": 0.195, "diverging": 0.21}
fig, axes = plt.subplots(2, 4, figsize=(15, 7), sharey="row")
for col, (label, lr) in enumerate(LEARNING_RATES.items()):
    path = gradient_descent_path(lambda w: A_bowl @ w, w_start, lr, 30)
    gradient_figures.plot_descent_path(axes[0, col], axes[1, col], bowl, path, title=f"lr = {lr} ({label})")
    print(f"lr = {lr:<5} ({label:<11}): loss {bowl(path[0]):.3f} -> {bowl(path[-1]):.3g} after 30 steps")

# %% [markdown]
# * **Too small** (0.01): every step goes downhill, but after 30 steps we have barely moved along the
#   shallow direction.
# * **About right** (0.1): fast progress in both directions.
# * **Too large** (0.195): across the steep direction each step overshoots the valley floor and lands on the
#   other side; the zig-zag only slowly dies out.
# * **Diverging** (0.21): the overshoot grows every step and the loss explodes.
#
# Where exactly is the border between "too large" and "diverging"? That is Question C below.
#
# ### Explorer
#
# Change the learning rate and the number of steps and watch the path.

# %%
# NBVAL_IGNORE_OUTPUT
# (an interactive explorer: what it outputs depends on the front end)
if widgets.widgets_enabled():
    display(gradient_figures.learning_rate_explorer(bowl, lambda w: A_bowl @ w, w_start, descend=gradient_descent_path))

# %%
# The explorer at its default setting, as a still figure with what it shows (also without widgets):
gradient_figures.learning_rate_explorer(bowl, lambda w: A_bowl @ w, w_start, descend=gradient_descent_path, static=True)

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_learning_rate", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### Question C (2 points, graded by hand)
#
# (a) Use the explorer to find, to two digits, the learning rate from which on gradient descent
# diverges on this bowl. (b) Explain that number from the curvature. Hint: along the steep direction
# the bowl is a parabola $E(u) = \tfrac12 \kappa u^2$ with $\kappa = 10$; write down what one update does to
# $u$ and ask when $|u|$ grows.
#
# ### BEGIN SOLUTION
# (a) About 0.20: at 0.19 the path still zig-zags into the minimum, at 0.21 it flies off.
#
# (b) Along the steep direction $\nabla E = \kappa u$, so one update gives
# $u \leftarrow u - \eta\kappa u = (1 - \eta\kappa)\,u$. The distance shrinks only while $|1 - \eta\kappa| < 1$,
# i.e. $0 < \eta < 2/\kappa = 2/10 = 0.2$. For $0.1 < \eta < 0.2$ the factor lies between $-1$ and $0$:
# each step overshoots to the other side of the valley (the zig-zag) but lands closer. For $\eta > 0.2$
# it overshoots further than it started, the zig-zag grows and the loss explodes. The largest curvature
# sets the largest usable learning rate, and the shallow direction ($\kappa = 1$, factor $1 - \eta$) is
# then slow. (The best constant rate here is $2/(1 + 10) \approx 0.18$: good learning rates are often
# not far below the ones that diverge.)
# ### END SOLUTION

# %% [markdown]
# ### Looking ahead: momentum
#
# On the tilted bowl the steep direction caps $\eta$ and the shallow one then crawls. **Momentum** (the
# "heavy ball", notebook 08) keeps a velocity $v$, a running sum of past steps:
#
# $$v \leftarrow \mu v - \eta \nabla E(w), \qquad w \leftarrow w + v, \qquad 0 \le \mu < 1.$$
#
# Across the valley the gradient flips sign every step, so those contributions to $v$ cancel and the
# zig-zag dies out; along the valley it keeps pointing the same way, so they add up and the ball speeds
# up (up to a factor $1/(1-\mu)$).
#
# To see this we need a zig-zag first. At $\eta = 0.1$ there is none: the steep direction's factor is
# $1 - 0.1 \cdot 10 = 0$, so plain descent reaches the valley floor in one step. Take $\eta = 0.19$, close to
# the border of Question C: the factor is $1 - 0.19 \cdot 10 = -0.9$, each step jumps across the valley
# and lands only 10% closer, while the shallow direction shrinks by $1 - 0.19 = 0.81$ per step.
#
# **Predict before you run.** After 30 plain steps at $\eta = 0.19$, what fraction of its starting
# distance from the valley floor is left in the steep direction, $|u_{30}| / |u_0|$? Work it out from the
# factor above and write it into `my_prediction` (not graded); the next cell measures it.

# %%
my_prediction = None  # your prediction of |u_30| / |u_0| for plain descent at lr = 0.19

# %%
lr, mu = 0.19, 0.5
plain = gradient_descent_path(lambda w: A_bowl @ w, w_start, lr, 30)
w, v = w_start.copy(), np.zeros_like(w_start)
heavy = [w]
for _ in range(30):
    v = mu * v - lr * (A_bowl @ w)  # the velocity remembers past steps
    w = w + v
    heavy.append(w)
heavy = np.array(heavy)
steep = np.array([1.0, 1.0]) / np.sqrt(2)  # the eigenvector of curvature 10: across the valley
u_plain, u_heavy = plain @ steep, heavy @ steep
flips = int(np.count_nonzero(np.diff(np.sign(u_plain)) != 0))
print(f"your prediction: {my_prediction}; measured |u_30| / |u_0| = {abs(u_plain[-1] / u_plain[0]):.3f} (0.9^30 = {0.9**30:.3f})")
print(f"plain descent crosses the valley floor in {flips} of 30 steps")
print(f"plain gradient descent: loss {bowl(plain[-1]):.2e} after 30 steps, |u_30| = {abs(u_plain[-1]):.1e}")
print(f"momentum mu = {mu}:      loss {bowl(heavy[-1]):.2e} after 30 steps, |u_30| = {abs(u_heavy[-1]):.1e}")
fig, axes = plt.subplots(2, 2, figsize=(9, 7), sharey="row")
gradient_figures.plot_descent_path(axes[0, 0], axes[1, 0], bowl, plain, title=f"plain, lr = {lr}")
gradient_figures.plot_descent_path(axes[0, 1], axes[1, 1], bowl, heavy, title=f"momentum {mu}, lr = {lr}")

# %% [markdown]
# Plain descent crosses the valley floor at every one of its 30 steps, and after them $0.9^{30} \approx
# 0.042$ of the steep distance is still left ($|u_{30}| = 3.0 \cdot 10^{-2}$): the zig-zag dies slowly,
# and the loss is still $4.5 \cdot 10^{-3}$. With momentum 0.5 the velocity's flips cancel: the steep
# distance falls to $3.1 \cdot 10^{-5}$ and the loss to $4.8 \cdot 10^{-9}$, six orders of magnitude lower,
# at the same learning rate and the same cost per step. (More is not better: with $\mu = 0.9$ at this
# $\eta$ the ball overshoots along the valley too and ends at a loss of about $0.1$, worse than plain
# descent: the typical $\mu = 0.9$ of notebook 08 needs its learning rate chosen together with it.)

# %% [markdown]
# ## Summary
#
# * The gradient is the vector of partial derivatives. A numerical gradient nudges one weight at a time
#   (the lecture's walk); the centred difference has error $O(h^2)$ against $O(h)$ for the forward one,
#   and rounding sets a floor, so $h \approx 10^{-5}$ in float64.
# * The analytic gradient of a linear classifier is $X^\top\,\partial L/\partial S$ (+ $2\lambda W$): for the
#   hinge, indicator of active margins; for softmax, probabilities minus one-hot (divided by $N$).
# * Always gradient-check analytic code with the relative error; train with the analytic gradient,
#   which costs one pass instead of two per weight.
# * Gradient descent $w \leftarrow w - \eta\nabla E$: too small is slow, too large zig-zags, and
#   beyond a border set by the steepest curvature it diverges.
# * Next (notebook 07): computing analytic gradients of whole networks automatically, by backpropagation
#   through a computation graph.
