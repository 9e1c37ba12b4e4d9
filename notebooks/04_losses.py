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
# # 04 · Loss functions: hinge, cross-entropy and triplet
#
# A classifier turns an image into **scores**, one per class. A **loss function** turns scores and the
# true label into one number that says how unhappy we are with them. Training (notebooks 06 to 08) then
# searches for the weights that make this number small. This notebook follows the lecture's running
# example: three images (a cat, a car, a frog), three classes, and one set of scores.
#
# **Learning goals.** After this notebook you can
#
# 1. store class scores of a batch as an array of shape (N, C) and read the lecture's table correctly;
# 2. compute the multiclass hinge (SVM) loss with loops and vectorized, and explain why $W$ and $2W$ can
#    have the same loss;
# 3. turn scores into softmax probabilities without overflow and compute the cross-entropy loss from
#    the scores, with the natural logarithm;
# 4. predict both losses at initialisation (a sanity check for training code);
# 5. compute the triplet loss of FaceNet.
#
# **Time:** about 50 minutes. **Total: 17 points** (13 autograded in 5 exercises, 4 for two short
# written answers).
#
# Run the cells from top to bottom. Exercises are marked **Exercise**; write your code where it says
# `YOUR CODE HERE` and run the test cell below it. Hidden tests check more cases when your work is graded.
# Implement every exercise yourself with NumPy: answers that call the course library (`helpers.losses`)
# earn no credit.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import time

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from helpers import data, figure_style, image_figures, loss_figures, losses, testing, widgets

rng = np.random.default_rng(0)
figure_style.use_course_style()

# %% [markdown]
# ## 1. From an image to class scores
#
# CIFAR-10 has 10 classes and images of $32 \times 32$ pixels with 3 colour channels, that is
# $32 \cdot 32 \cdot 3 = 3072$ numbers per image. A **linear classifier** maps them to 10 scores,
#
# $$f(\mathbf{x}, W) = W\mathbf{x}, \qquad \mathbf{x} \in \mathbb{R}^{3072},\; W \in \mathbb{R}^{10 \times 3072},
# \; f(\mathbf{x}, W) \in \mathbb{R}^{10}.$$
#
# The higher the score of a class, the more the classifier believes in that class. In code we process a
# **batch** of N images at once, stored as rows, $X$ of shape (N, D) with D = 3072, and keep the weights
# as W of shape (D, C) (the course convention, see `helpers/__init__.py`), so that
#
# $$\text{scores} = X W \quad\text{has shape (N, C)}:\ \text{row } i \text{ holds the C scores of image } i.$$

# %%
images, labels_img, _, _ = data.load_cifar10_sample()  # a small real sample shipped with the course
images, labels_img = images[:4], labels_img[:4]
image_figures.image_grid(images, labels_img, class_names=data.CLASSES, ncols=4, title="Four CIFAR-10 images")
plt.show()

# %%
X = images.reshape(4, -1) / 255.0  # (N, D) = (4, 3072): each image flattened, pixel values in [0, 1]
W = 0.001 * rng.normal(size=(X.shape[1], len(data.CLASSES)))  # (D, C): small random weights
scores = X @ W
print(f"X {X.shape} @ W {W.shape} -> scores {scores.shape}")
print("true classes:     ", [data.CLASSES[k] for k in labels_img])
print("highest scores:   ", [data.CLASSES[k] for k in scores.argmax(axis=1)])

# %% [markdown]
# With random weights the class with the highest score is a guess. Training (notebook 08) looks for a $W$
# that makes the correct class win, and for that we first need a number that says **how bad** a set of
# scores is: the loss. The rest of this notebook defines the lecture's losses on a tiny example.

# %% [markdown]
# ## 2. The lecture's scores, as an (N, C) array
#
# The lecture shows the scores of three images as a table with **one column per image** and one row per
# class:
#
# | class | cat image | car image | frog image |
# |-------|-----------|-----------|------------|
# | cat   | **3.2**   | 1.3       | 2.2        |
# | car   | 5.1       | **4.9**   | 2.5        |
# | frog  | -1.7      | 2.0       | **-3.1**   |
#
# That is the shape (C, N). We store the **transpose**, one **row per image**, shape (N, C), because
# that is what `X @ W` produces. The correct class of image $i$ is $y_i$ (cat = 0, car = 1, frog = 2), and
# its score is `scores[i, y[i]]` (bold above).

# %%
scores = np.array(losses.CAT_CAR_FROG_SCORES)  # (N, C) = (3, 3): rows are images
y = np.array(losses.CAT_CAR_FROG_LABELS)  # (N,): the correct class of each image
class_names = losses.CLASS_NAMES
print("rows = images, columns = scores of", class_names)
print(scores)
print("scores of the correct classes:", scores[np.arange(3), y])

# %% [markdown]
# ## 3. The multiclass hinge loss (SVM loss)
#
# For one example with scores $s = f(\mathbf{x}_i, W)$ and correct class $y_i$, we *want* the correct score
# to beat every other score by a margin of at least 1: $s_{y_i} \ge s_j + 1$. Each class that violates
# this adds the size of the violation:
#
# $$L_i = \sum_{j \ne y_i} \max(0,\; s_j - s_{y_i} + 1).$$
#
# The sum skips $j = y_i$ (the correct class would otherwise add $\max(0, 1) = 1$ every time). For the cat
# image: $\max(0, 5.1 - 3.2 + 1) + \max(0, -1.7 - 3.2 + 1) = 2.9 + 0 = 2.9$. The loss over the whole
# training set is the **mean**
#
# $$L = \frac{1}{N} \sum_{i=1}^{N} L_i .$$
#
# The margin 1 is a convention: we write it $\Delta$ (`margin`) in code.

# %% [markdown] nbgrader={"grade": false, "grade_id": "hinge_naive_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 1 (3 points): hinge loss with loops
#
# Write `hinge_losses_naive(scores, y, margin=1.0)` that returns the **per-example** losses $L_i$ as an
# array of shape (N,), using plain Python loops over examples and classes (the clearest version first;
# we vectorize in the next exercise).


# %% nbgrader={"grade": false, "grade_id": "hinge_naive", "locked": false, "schema_version": 3, "solution": true}
def hinge_losses_naive(scores, y, margin=1.0):
    r"""Per-example multiclass hinge loss $L_i = \sum_{j \ne y_i} \max(0, s_j - s_{y_i} + \Delta)$, with loops.

    Parameters
    ----------
    scores : ndarray, shape (N, C)
        Class scores, one row per example.
    y : ndarray of int, shape (N,)
        Correct class of each example, in 0..C-1.
    margin : float
        The margin Delta.

    Returns
    -------
    ndarray of float, shape (N,)
    """
    ### BEGIN SOLUTION
    N, C = scores.shape
    out = np.zeros(N)
    for i in range(N):
        correct = scores[i, y[i]]
        for j in range(C):
            if j == y[i]:
                continue
            out[i] += max(0.0, scores[i, j] - correct + margin)
    return out
    ### END SOLUTION


# %% [markdown]
# Try it on the lecture's table (compare with the slides):

# %%
L_i = hinge_losses_naive(scores, y)
for name, value in zip(class_names, L_i, strict=True):
    print(f"{name} image: L_i = {value:.1f}")

# %% nbgrader={"grade": true, "grade_id": "hinge_naive_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false}
# Visible tests: shape and sign on random scores, and two tables whose answer you can work out by hand.
test_rng = np.random.default_rng(1)
S = test_rng.normal(size=(6, 4))
labels = test_rng.integers(0, 4, size=6)
out = testing.check_own_work(hinge_losses_naive, S, labels)
testing.assert_shape(out, (6,), name="hinge_losses_naive(scores (6, 4), y)")
assert np.all(out >= 0), f"hinge losses are never negative (every term is max(0, ...)), got {out}"
# All scores equal: every wrong class violates the margin by exactly `margin`.
testing.assert_close(
    testing.check_own_work(hinge_losses_naive, np.zeros((2, 4)), np.array([0, 3])),
    [3.0, 3.0],
    name="hinge_losses_naive(all-zero scores (2, 4)) (does your sum skip j = y_i?)",
)
testing.assert_close(
    testing.check_own_work(hinge_losses_naive, np.zeros((2, 4)), np.array([0, 3]), margin=0.5),
    [1.5, 1.5],
    name="hinge_losses_naive(all-zero scores, margin=0.5) (do you use the margin argument?)",
)
# By hand: row 0 (correct class 0 scores 2) clips both margins 1 - 2 + 1 = 0 and 0 - 2 + 1 = -1 to 0;
# row 1 (correct class 0 scores 0) adds 1 - 0 + 1 = 2 and 2 - 0 + 1 = 3.
testing.assert_close(
    testing.check_own_work(hinge_losses_naive, np.array([[2.0, 1.0, 0.0], [0.0, 1.0, 2.0]]), np.array([0, 0])),
    [0.0, 5.0],
    name="hinge_losses_naive([[2, 1, 0], [0, 1, 2]], y = [0, 0]) (max(0, s_j - s_y + 1), summed over j != y)",
)
### BEGIN HIDDEN TESTS
_S, _y = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]), np.array([0, 1, 2])
testing.assert_close(testing.check_own_work(hinge_losses_naive, _S, _y), [2.9, 0.0, 12.9], name="hinge_losses_naive on the lecture's table of scores")


def _hinge_ref(s, t, m=1.0):
    s = np.asarray(s, dtype=float)
    marg = np.maximum(0.0, s - s[np.arange(len(t)), t][:, None] + m)
    marg[np.arange(len(t)), t] = 0.0
    return marg.sum(axis=1)


_r = np.random.default_rng(41)
for _n, _c in ((1, 2), (7, 5), (20, 10)):
    _s, _t = 3 * _r.normal(size=(_n, _c)), _r.integers(0, _c, size=_n)
    _want = _hinge_ref(_s, _t)
    testing.assert_close(testing.check_own_work(hinge_losses_naive, _s, _t), _want, name="hinge_losses_naive on other sizes (one loss per example, the true class skipped)")
    _want = _hinge_ref(_s, _t, 2.0)
    _got = testing.check_own_work(hinge_losses_naive, _s, _t, margin=2.0)
    testing.assert_close(_got, _want, name="hinge_losses_naive with another margin (use the margin passed in)")
_s = 1e3 * _r.normal(size=(5, 3))
_t = _r.integers(0, 3, size=5)
_want = _hinge_ref(_s, _t)
testing.assert_close(testing.check_own_work(hinge_losses_naive, _s, _t), _want, name="hinge_losses_naive on very large scores")
### END HIDDEN TESTS

# %% [markdown]
# The mean over the three images is $(2.9 + 0 + 12.9) / 3 = 15.8 / 3 = 5.27$. (The slide rounds it to 5.3.)

# %%
print(f"mean hinge loss = {L_i.mean():.4f}")

# %% [markdown] nbgrader={"grade": false, "grade_id": "hinge_vec_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 2 (3 points): vectorized hinge loss
#
# Loops over N = 50,000 images and C classes in Python are slow. Write `hinge_loss(scores, y, margin=1.0)`
# that returns the **mean** loss $L$ as a Python `float`, with **no Python loops**: compute all
# margins $s_j - s_{y_i} + \Delta$ as one (N, C) array, clip at 0, set the entries of the correct classes
# to 0, then sum and average.
#
# *Hint.* `scores[np.arange(N), y]` picks the correct score of every row (shape (N,)); `[:, None]` turns
# it into a column (N, 1) that broadcasts against (N, C).


# %% nbgrader={"grade": false, "grade_id": "hinge_vec", "locked": false, "schema_version": 3, "solution": true}
def hinge_loss(scores, y, margin=1.0):
    r"""Mean multiclass hinge loss $L = \frac{1}{N}\sum_i \sum_{j \ne y_i} \max(0, s_j - s_{y_i} + \Delta)$.

    Parameters
    ----------
    scores : ndarray, shape (N, C)
    y : ndarray of int, shape (N,)
    margin : float

    Returns
    -------
    float
    """
    ### BEGIN SOLUTION
    N = scores.shape[0]
    rows = np.arange(N)
    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + margin)
    margins[rows, y] = 0.0
    return float(margins.sum() / N)
    ### END SOLUTION


# %%
print(f"mean hinge loss (vectorized) = {hinge_loss(scores, y):.4f}")

# %% nbgrader={"grade": true, "grade_id": "hinge_vec_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false}
# Visible tests: one float, zero when every correct class wins by more than the margin, and the
# all-equal table.
test_rng = np.random.default_rng(2)
S = test_rng.normal(size=(8, 5))
labels = test_rng.integers(0, 5, size=8)
value = testing.check_own_work(hinge_loss, S, labels)
S_left = testing.call(hinge_loss, S, labels).args[0]  # what it left in the scores it was given
assert np.array_equal(S_left, S), (
    "hinge_loss changed the scores it was given (in place, e.g. scores -= ... or margins = scores; margins[...] = 0): "
    "compute the margins in a new array"
)
testing.assert_scalar(value, name="hinge_loss(scores (8, 5), y)")
assert value >= 0, f"the hinge loss is never negative, got {value}"
zero_loss = testing.check_own_work(hinge_loss, np.zeros((8, 5)), labels)
testing.assert_scalar(zero_loss, "hinge_loss(all-zero scores (8, 5))")
assert not np.isclose(zero_loss, 5.0), (
    "hinge_loss(all-zero scores (8, 5)) is 5.0 = C x margin: the correct class j = y_i is counted too; "
    "skip j = y_i (set the margins of the correct classes to 0)"
)
testing.assert_scalar(
    zero_loss,
    "hinge_loss(all-zero scores (8, 5)) (4 wrong classes x margin 1 per example, mean over the N = 8 examples)",
    expected=4.0,
    sizes={"N": 8, "C": 5},
)
easy = 10.0 * np.eye(5)[labels]  # correct class scores 10, all others 0
testing.assert_scalar(
    testing.check_own_work(hinge_loss, easy, labels), "hinge_loss(easy scores: each correct class wins by 10)", expected=0.0
)
### BEGIN HIDDEN TESTS
_S, _y = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]), np.array([0, 1, 2])
testing.assert_close(testing.check_own_work(hinge_loss, _S, _y), 15.8 / 3, name="hinge_loss on the lecture's table of scores (the mean over the examples)", sizes={"N": 3})


def _hinge_ref_mean(s, t, m=1.0):
    s = np.asarray(s, dtype=float)
    marg = np.maximum(0.0, s - s[np.arange(len(t)), t][:, None] + m)
    marg[np.arange(len(t)), t] = 0.0
    return marg.sum() / len(t)


_r = np.random.default_rng(42)
for _n, _c in ((1, 2), (9, 4), (500, 10)):
    _s, _t = 3 * _r.normal(size=(_n, _c)), _r.integers(0, _c, size=_n)
    _want = _hinge_ref_mean(_s, _t)
    _sizes = {"N": _n, "C": _c}
    testing.assert_close(testing.check_own_work(hinge_loss, _s, _t), _want, name="hinge_loss on other sizes (the mean over the examples)", sizes=_sizes)
    _want = _hinge_ref_mean(_s, _t, 0.1)
    _got = testing.check_own_work(hinge_loss, _s, _t, margin=0.1)
    testing.assert_close(_got, _want, name="hinge_loss with another margin (use the margin passed in)", sizes=_sizes)
_s = 1e3 * _r.normal(size=(6, 7))
_t = _r.integers(0, 7, size=6)
_want = _hinge_ref_mean(_s, _t)
_got = testing.check_own_work(hinge_loss, _s, _t)
testing.assert_true(
    np.array_equal(testing.call(hinge_loss, _s, _t).args[0], _s),
    "hinge_loss leaves the scores it is given unchanged",
    hint="hinge_loss must not modify the scores it is given (it changed them in place)",
)
testing.assert_close(_got, _want, name="hinge_loss on very large scores")
### END HIDDEN TESTS

# %% [markdown]
# ### How much faster is vectorized?
#
# Timings depend on the machine and on how many threads NumPy uses, so they are shown, never graded.

# %%
# NBVAL_IGNORE_OUTPUT
S_big = rng.normal(size=(2000, 10))
y_big = rng.integers(0, 10, size=2000)


def best_time(fn, repeats=3):
    """Shortest wall-clock time of ``repeats`` calls of ``fn()``, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


t_naive = best_time(lambda: hinge_losses_naive(S_big, y_big).mean())
t_vec = best_time(lambda: hinge_loss(S_big, y_big))
print(
    f"N = 2000, C = 10: naive {1e3 * t_naive:.1f} ms, vectorized {1e3 * t_vec:.2f} ms, "
    f"{t_naive / t_vec:.0f}x faster"
)

# %% [markdown]
# ## 4. Is $W$ unique? $W$ versus $2W$
#
# Suppose we found weights $W$ with $L = 0$: every correct score beats every other score by at least 1.
# The scores are linear in the weights, $f(\mathbf{x}, 2W) = 2\,f(\mathbf{x}, W)$, so with $2W$ every
# gap doubles and still exceeds 1. The car image already has $L_i = 0$; watch what scaling does to it (and to
# the other two images, whose losses change):

# %%
for factor in (1, 2, 10):
    per_image = hinge_losses_naive(factor * scores, y)  # scores of W x factor, your loss of exercise 1
    print(f"W x {factor:2d}: hinge losses (cat, car, frog) = {np.round(per_image, 1)}")

# %% [markdown]
# The lecture's answer to "how do we choose between $W$ and $2W$?" is **regularization**: add a penalty
# $\lambda R(W)$ that prefers some weights over others, as the penalty $\lambda |w|$ did in notebook 03,
#
# $$L(W) = \underbrace{\frac{1}{N}\sum_i L_i\big(f(\mathbf{x}_i, W), y_i\big)}_{\text{data loss}} +
# \underbrace{\lambda R(W)}_{\text{regularization}}, \qquad R(W) = \sum_{k,l} W_{k,l}^2 \ \text{(L2)}.$$
#
# With L2, $R(2W) = 4 R(W)$, so among weights with the same data loss the smaller ones win (notebook 05).

# %%
W_small = rng.normal(size=(5, 3))
print(f"R(W)  = {np.sum(W_small**2):.3f}")
print(f"R(2W) = {np.sum((2 * W_small) ** 2):.3f}")

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_w_unique", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# **Question (2 points).** Suppose $W$ gives hinge loss $L = 0$ on the training set. Is $W$ unique? How
# should we choose between $W$ and $2W$, and why does the choice matter? Two to four sentences.
#
# ### BEGIN SOLUTION
# No: scores are linear in $W$, so $cW$ for any $c > 1$ scales every gap $s_{y_i} - s_j$ by $c$; gaps that
# were at least 1 stay at least 1 and the loss stays 0 (infinitely many solutions). We choose with a
# regularization term $\lambda R(W)$, e.g. L2 $R(W) = \sum W_{kl}^2$, which expresses a preference:
# $R(2W) = 4R(W)$, so the smaller $W$ wins. It matters because the data loss alone cannot decide, and
# smaller, spread-out weights give a simpler model that tends to work better on test data.
# ### END SOLUTION

# %% [markdown]
# ## 5. Softmax: from scores to probabilities
#
# The second view reads scores as **unnormalised log probabilities**. Exponentiating makes them positive,
# dividing by their sum makes them sum to 1:
#
# $$P(Y = k \mid X = \mathbf{x}_i) = \frac{e^{s_k}}{\sum_j e^{s_j}} .$$
#
# This is the **softmax** function, the multiclass output layer of notebook 01. For the cat image:

# %%
s_cat = scores[0]
unnormalised = np.exp(s_cat)
probabilities = unnormalised / unnormalised.sum()
for name, s_k, e_k, p_k in zip(class_names, s_cat, unnormalised, probabilities, strict=True):
    print(f"{name:>4}: score {s_k:5.1f} -> exp {e_k:6.2f} -> probability {p_k:.2f}")

# %% [markdown]
# These are the slide's 24.5, 164.0, 0.18 and 0.13, 0.87, 0.00 (the frog's probability is 0.001, small but
# never exactly 0).
#
# **Overflow.** `np.exp(1000)` is `inf` in float64 (the largest float is about $1.8 \times 10^{308} =
# e^{709.8}$), and `inf / inf` is `nan`. The fix is free: subtracting any constant $c$ from all scores does
# not change the probabilities, because
#
# $$\frac{e^{s_k - c}}{\sum_j e^{s_j - c}} = \frac{e^{-c}\, e^{s_k}}{e^{-c} \sum_j e^{s_j}} = \frac{e^{s_k}}{\sum_j e^{s_j}} .$$
#
# With $c = \max_j s_j$ the largest exponent is $e^0 = 1$: nothing can overflow.

# %% [markdown] nbgrader={"grade": false, "grade_id": "softmax_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 3 (2 points): stable softmax
#
# Write `softmax_probs(scores)` that returns the softmax probabilities of every row of an (N, C) score
# array, shape (N, C), each row summing to 1. Subtract the row maximum first so that scores like
# $\pm 1000$ give no overflow, no `nan` and no warning. No Python loops.


# %% nbgrader={"grade": false, "grade_id": "softmax", "locked": false, "schema_version": 3, "solution": true}
def softmax_probs(scores):
    r"""Row-wise softmax $p_{ik} = e^{s_{ik}} / \sum_j e^{s_{ij}}$, computed stably.

    Parameters
    ----------
    scores : ndarray, shape (N, C)

    Returns
    -------
    ndarray of float, shape (N, C)
        Non-negative, each row sums to 1.
    """
    ### BEGIN SOLUTION
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=1, keepdims=True)
    ### END SOLUTION


# %%
print(np.round(softmax_probs(scores), 2))

# %% nbgrader={"grade": true, "grade_id": "softmax_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Visible tests: shape, probabilities that sum to 1, and no overflow for huge scores.
S = np.random.default_rng(3).normal(size=(5, 4))
P = testing.check_own_work(softmax_probs, S)
S_left = testing.call(softmax_probs, S).args[0]  # what it left in the scores it was given
assert np.array_equal(S_left, S), (
    "softmax_probs changed the scores it was given (in place, e.g. scores -= scores.max(...)): "
    "subtract into a new array (shifted = scores - ...)"
)
testing.assert_shape(P, (5, 4), name="softmax_probs(scores (5, 4))")
assert np.all(P >= 0), "probabilities are never negative"
assert not (np.allclose(P.sum(axis=0), 1.0) and not np.allclose(P.sum(axis=1), 1.0)), (
    "the row sums of softmax_probs(scores) are not 1, but its column sums are: the softmax was normalised down "
    "the columns (over the N examples, axis=0). Each row is one example's distribution over its C classes: "
    "sum over axis=1 with keepdims=True."
)
testing.assert_close(P.sum(axis=1), np.ones(5), name="row sums of softmax_probs(scores)")
huge = np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1000.0]])
P_huge = testing.check_own_work(softmax_probs, huge)
assert np.all(np.isfinite(P_huge)), (
    f"softmax_probs of scores +-1000 gave {P_huge}: np.exp overflowed (or every entry of a row underflowed "
    "to 0); subtract each row's own maximum first"
)
testing.assert_close(P_huge.sum(axis=1), np.ones(2), name="row sums for scores of +-1000")
### BEGIN HIDDEN TESTS
_got = testing.check_own_work(softmax_probs, np.array([[3.2, 5.1, -1.7]]))
testing.assert_close(_got, [[0.12998254, 0.86904954, 0.00096793]], rtol=1e-6, name="softmax_probs of the lecture's first example")


def _softmax_ref(s):
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


_r = np.random.default_rng(43)
for _n, _c in ((1, 2), (7, 3), (30, 10)):
    _s = 5 * _r.normal(size=(_n, _c))
    _want = _softmax_ref(_s)
    testing.assert_close(testing.check_own_work(softmax_probs, _s), _want, name="softmax_probs on other sizes (normalise each row over its classes)")
testing.assert_close(P_huge, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-12, name="softmax_probs of huge and of equal scores (subtract each row's max before np.exp)")
_s = 1e3 * _r.normal(size=(4, 6))
_want = _softmax_ref(_s)
testing.assert_close(testing.check_own_work(softmax_probs, _s), _want, atol=1e-12, name="softmax_probs on very large random scores (subtract each row's max before np.exp)")
### END HIDDEN TESTS

# %% [markdown]
# ## 6. Cross-entropy: the negative log-likelihood
#
# We want the probability of the **correct** class to be high. Maximising the log-likelihood is the same
# as minimising its negative, the **cross-entropy loss** (this is multinomial logistic regression, fitted
# by maximum likelihood):
#
# $$L_i = -\log P(Y = y_i \mid X = \mathbf{x}_i) = -\log \frac{e^{s_{y_i}}}{\sum_j e^{s_j}}
#       = -s_{y_i} + \log \sum_j e^{s_j}.$$
#
# The last form works **from the scores (logits)** directly. It never takes the log of a probability that
# rounded to 0, and with the max trick $\log\sum_j e^{s_j} = c + \log \sum_j e^{s_j - c}$,
# $c = \max_j s_j$, it never overflows (the *log-sum-exp* trick).
#
# **About the slide's number.** The slide computes $L_i = -\log(0.13) = 0.89$ for the cat image. That is the
# logarithm in **base 10**: $-\log_{10}(0.13) = 0.89$. In machine learning (and in `np.log`, PyTorch,
# TensorFlow) $\log$ means the **natural** logarithm, and the cat image's loss is $-\ln(0.13) = 2.04$. Both
# bases rank the weights the same way (they differ by the constant factor $\ln 10 \approx 2.30$), but every
# number below, and the sanity value $\ln C$ of section 7, use the natural log.

# %%
p_cat = probabilities[0]
print(f"-ln(p_cat)    = {-np.log(p_cat):.2f}   (natural log: the cross-entropy)")
print(f"-log10(p_cat) = {-np.log10(p_cat):.2f}   (base 10: the slide's number)")

# %% [markdown] nbgrader={"grade": false, "grade_id": "cross_entropy_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 4 (3 points): cross-entropy from the scores
#
# Write `cross_entropy(scores, y)` that returns the **mean** cross-entropy $\frac{1}{N}\sum_i L_i$ over the
# batch as a Python `float`, with the **natural** logarithm. Work from the scores with the log-sum-exp trick
# so that scores of $\pm 1000$ give a finite loss and no warning. No Python loops.
#
# *Check yourself.* If all C scores of an example are equal, every class has probability $1/C$ and
# $L_i = -\ln(1/C) = \ln C$.


# %% nbgrader={"grade": false, "grade_id": "cross_entropy", "locked": false, "schema_version": 3, "solution": true}
def cross_entropy(scores, y):
    r"""Mean softmax cross-entropy $\frac{1}{N}\sum_i \big(-s_{i,y_i} + \log \sum_j e^{s_{ij}}\big)$, natural log.

    Parameters
    ----------
    scores : ndarray, shape (N, C)
    y : ndarray of int, shape (N,)

    Returns
    -------
    float
    """
    ### BEGIN SOLUTION
    N = scores.shape[0]
    c = np.max(scores, axis=1, keepdims=True)
    log_sum_exp = c[:, 0] + np.log(np.sum(np.exp(scores - c), axis=1))
    return float(np.mean(log_sum_exp - scores[np.arange(N), y]))
    ### END SOLUTION


# %%
for i, name in enumerate(class_names):
    print(f"{name} image: L_i = {cross_entropy(scores[i : i + 1], y[i : i + 1]):.3f}")
print(f"mean cross-entropy = {cross_entropy(scores, y):.4f}")

# %% nbgrader={"grade": true, "grade_id": "cross_entropy_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false}
# Visible tests: one non-negative float, the all-equal check, and huge scores.
test_rng = np.random.default_rng(4)
S = test_rng.normal(size=(6, 5))
labels = test_rng.integers(0, 5, size=6)
value = testing.check_own_work(cross_entropy, S, labels)
testing.assert_scalar(value, name="cross_entropy(scores (6, 5), y)")
assert value >= 0, f"cross-entropy is never negative, got {value}"
testing.assert_scalar(
    testing.check_own_work(cross_entropy, np.zeros((6, 5)), labels),
    "cross_entropy(all-equal scores, N = 6, C = 5) (every L_i is ln 5, and so is their mean)",
    expected=np.log(5),
    sizes={"N": 6, "C": 5},
)
value = testing.check_own_work(cross_entropy, np.array([[1000.0, 0.0, -1000.0]]), np.array([2]))
assert np.isfinite(value), f"cross_entropy of scores +-1000 gave {value}: use the log-sum-exp trick"
### BEGIN HIDDEN TESTS
_S, _y = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]), np.array([0, 1, 2])
testing.assert_close(
    testing.check_own_work(cross_entropy, _S[:1], _y[:1]), 2.0403551, rtol=1e-6, name="cross_entropy of the lecture's first example"
)
testing.assert_close(
    testing.check_own_work(cross_entropy, _S, _y), 2.7586547, rtol=1e-6, name="cross_entropy of the lecture's table of scores (the mean over the examples)", sizes={"N": 3, "C": 3}
)
testing.assert_close(value, 2000.0, rtol=1e-12, name="cross_entropy of a confident wrong example with huge scores (log-sum-exp, not np.log of p)")


def _ce_ref(s, t):
    c = s.max(axis=1, keepdims=True)
    lse = c[:, 0] + np.log(np.exp(s - c).sum(axis=1))
    return np.mean(lse - s[np.arange(len(t)), t])


_r = np.random.default_rng(44)
for _n, _c in ((1, 2), (9, 4), (300, 10)):
    _s, _t = 4 * _r.normal(size=(_n, _c)), _r.integers(0, _c, size=_n)
    _want = _ce_ref(_s, _t)
    _got = testing.check_own_work(cross_entropy, _s, _t)
    testing.assert_close(_got, _want, name="cross_entropy on other sizes (the mean of -log p of the true class)", sizes={"N": _n, "C": _c})
_s, _t = 1e3 * _r.normal(size=(5, 8)), _r.integers(0, 8, size=5)
_want = _ce_ref(_s, _t)
testing.assert_close(testing.check_own_work(cross_entropy, _s, _t), _want, name="cross_entropy on very large random scores (log-sum-exp with each row's max subtracted)")
### END HIDDEN TESTS

# %% [markdown]
# ### Hinge versus cross-entropy
#
# Both losses punish a low correct score, differently. Fix the other scores of the cat image and move the
# correct (cat) score: the hinge loss reaches **exactly 0** once the cat beats every other class by the
# margin and then stops caring; the cross-entropy keeps asking for a larger gap and is never exactly 0.

# %%
fig, ax = plt.subplots(figsize=(6, 3.6))
loss_figures.plot_loss_vs_correct_score(
    ax, scores[0], y[0], class_names=class_names, hinge_losses=hinge_losses_naive, cross_entropy=cross_entropy
)
plt.show()

# %% [markdown]
# Change the three scores of one image in the explorer and watch the probabilities and both losses (it runs
# in JupyterLab; it is skipped when the notebook is graded).

# %%
# NBVAL_IGNORE_OUTPUT
# (an interactive explorer: what it outputs depends on the front end)
if widgets.widgets_enabled():
    display(
        loss_figures.scores_explorer(
            scores[0],
            y[0],
            class_names=class_names,
            hinge_losses=hinge_losses_naive,
            softmax_probs=softmax_probs,
            cross_entropy=cross_entropy,
        )
    )

# %%
# The explorer at its default setting, as a still figure with what it shows (also without widgets):
loss_figures.scores_explorer(
    scores[0],
    y[0],
    class_names=class_names,
    static=True,
    hinge_losses=hinge_losses_naive,
    softmax_probs=softmax_probs,
    cross_entropy=cross_entropy,
)

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
loss_figures.plot_scores_and_probabilities(
    axes,
    scores[0],
    y[0],
    class_names=class_names,
    hinge_losses=hinge_losses_naive,
    softmax_probs=softmax_probs,
    cross_entropy=cross_entropy,
)
plt.show()

# %% [markdown]
# ## 7. Sanity check at initialisation
#
# A network starts with small random weights, so all its scores are close to 0. Then:
#
# * **hinge:** every wrong class violates the margin by about $\Delta = 1$, so $L_i \approx (C - 1)\,\Delta$;
# * **cross-entropy:** every class gets probability about $1/C$, so $L_i \approx \ln C$.
#
# For CIFAR-10 (C = 10) that is about 9 and $\ln 10 \approx 2.30$. If the first loss printed by your
# training code is far from these, look for a bug before training for hours.

# %%
S0 = 0.001 * rng.normal(size=(500, 10))  # scores of a freshly initialised classifier
y0 = rng.integers(0, 10, size=500)
print(f"hinge at init:         {hinge_loss(S0, y0):.2f}  (C - 1 = 9)")
print(f"cross-entropy at init: {cross_entropy(S0, y0):.2f}  (ln 10 = {np.log(10):.2f})")

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_hinge_range", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# **Question (2 points).** What are the smallest and the largest possible values of the hinge loss $L_i$ of
# one example, and of the cross-entropy $L_i$? When is each bound reached (or approached)?
#
# ### BEGIN SOLUTION
# Hinge: the minimum is 0, reached exactly as soon as $s_{y_i} \ge s_j + 1$ for every $j \ne y_i$; there is
# no maximum ($+\infty$): as the correct score falls far below the others, every term grows without bound.
# Cross-entropy: the infimum is 0, approached but never reached (it needs $P(y_i) = 1$, i.e. an infinite
# gap between the correct and the other scores); the maximum is $+\infty$, approached as $P(y_i) \to 0$.
# (At initialisation they are about $C - 1$ and $\ln C$.)
# ### END SOLUTION

# %% [markdown]
# ## 8. Other losses: the triplet loss of FaceNet
#
# Losses are not limited to class scores: *anything you want (almost)*. FaceNet (Schroff et al., CVPR 2015)
# learns an **embedding** $f(\mathbf{x})$ of face images: a vector such that two photos of the same person
# are close and photos of different people are far apart. It trains on triplets: an **anchor**
# $\mathbf{x}^a$, a **positive** $\mathbf{x}^p$ (same person) and a **negative** $\mathbf{x}^n$ (someone
# else), with
#
# $$L = \sum_{i=1}^{N} \Big[\, \lVert f(\mathbf{x}^a_i) - f(\mathbf{x}^p_i) \rVert_2^2
#        - \lVert f(\mathbf{x}^a_i) - f(\mathbf{x}^n_i) \rVert_2^2 + \alpha \Big]_+ ,
# \qquad [z]_+ = \max(0, z).$$
#
# A triplet costs nothing once the negative is farther from the anchor than the positive by the margin
# $\alpha$ (in **squared** distance); otherwise it pays the violation, just like the hinge loss.

# %%
anchor = np.array([[0.0, 0.0]])
positive = np.array([[0.4, 0.3]])
negative = np.array([[0.6, -0.2]])
fig, ax = plt.subplots(figsize=(4.2, 4.2))
loss_figures.plot_triplet(ax, anchor[0], positive[0], negative[0], alpha=0.2)
plt.show()

# %% [markdown] nbgrader={"grade": false, "grade_id": "triplet_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 5 (2 points): triplet loss
#
# Write `triplet(anchor, positive, negative, alpha=0.2)` that returns the triplet loss above (the **sum**
# over the N triplets, squared Euclidean distances) as a Python `float`. The three inputs are arrays of
# embeddings of shape (N, K), one row per triplet. No Python loops.


# %% nbgrader={"grade": false, "grade_id": "triplet", "locked": false, "schema_version": 3, "solution": true}
def triplet(anchor, positive, negative, alpha=0.2):
    r"""FaceNet triplet loss $\sum_i [\,\|a_i - p_i\|^2 - \|a_i - n_i\|^2 + \alpha\,]_+$.

    Parameters
    ----------
    anchor, positive, negative : ndarray, shape (N, K)
        Embeddings, one row per triplet.
    alpha : float
        The margin.

    Returns
    -------
    float
    """
    ### BEGIN SOLUTION
    d_pos = np.sum((anchor - positive) ** 2, axis=1)
    d_neg = np.sum((anchor - negative) ** 2, axis=1)
    return float(np.sum(np.maximum(0.0, d_pos - d_neg + alpha)))
    ### END SOLUTION


# %%
print(f"triplet loss of the pictured triplet = {triplet(anchor, positive, negative):.3f}")

# %% nbgrader={"grade": true, "grade_id": "triplet_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Visible tests: one non-negative float; zero for a far negative; alpha for a triplet of equal points.
A = np.random.default_rng(5).normal(size=(4, 3))
value = testing.check_own_work(triplet, A, A + 0.1, A - 0.1)
testing.assert_scalar(value, name="triplet(anchor, positive, negative)")
assert value >= 0, f"the triplet loss is never negative, got {value}"
testing.assert_scalar(
    testing.check_own_work(triplet, A, A, A + 100.0), "triplet with a far-away negative", expected=0.0
)
testing.assert_scalar(
    testing.check_own_work(triplet, A[:1], A[:1], A[:1], alpha=0.5),
    "triplet of one anchor = positive = negative, alpha=0.5",
    expected=0.5,
)
testing.assert_scalar(
    testing.check_own_work(triplet, A, A, A),
    "triplet of 4 triplets with anchor = positive = negative (alpha = 0.2 each, summed over the N = 4 triplets)",
    expected=0.8,
    sizes={"N": 4},
)
# By hand: ||a - p||^2 = 0.4^2 + 0.3^2 = 0.25, ||a - n||^2 = 0.6^2 + 0.2^2 = 0.4, loss 0.25 - 0.4 + 0.2 = 0.05
a1, p1, n1 = np.array([[0.0, 0.0]]), np.array([[0.4, 0.3]]), np.array([[0.6, -0.2]])
testing.assert_scalar(
    testing.check_own_work(triplet, a1, p1, n1),
    "triplet for a = (0, 0), p = (0.4, 0.3), n = (0.6, -0.2) (squared distances 0.25 and 0.4)",
    expected=0.05,
)
testing.assert_scalar(
    testing.check_own_work(triplet, np.vstack([a1, a1]), np.vstack([p1, p1]), np.vstack([n1, 10 + n1])),
    "triplet of that triplet plus one with a far-away negative (clip each triplet at 0, then sum)",
    expected=0.05,
)
### BEGIN HIDDEN TESTS
_a, _p, _q = np.array([[0.0, 0.0]]), np.array([[0.4, 0.3]]), np.array([[0.6, -0.2]])
testing.assert_close(testing.check_own_work(triplet, _a, _p, _q), 0.25 - 0.4 + 0.2, name="triplet of the hand-worked example")


def _triplet_ref(a, p, n, al=0.2):
    return np.sum(np.maximum(0.0, ((a - p) ** 2).sum(axis=1) - ((a - n) ** 2).sum(axis=1) + al))


_r = np.random.default_rng(45)
for _n, _k in ((1, 2), (6, 3), (50, 16)):
    _a, _p, _q = (_r.normal(size=(_n, _k)) for _ in range(3))
    _want = _triplet_ref(_a, _p, _q)
    testing.assert_close(testing.check_own_work(triplet, _a, _p, _q), _want, name="triplet on other sizes (a sum over the examples)", sizes={"N": _n})
    _want = _triplet_ref(_a, _p, _q, 1.5)
    _got = testing.check_own_work(triplet, _a, _p, _q, alpha=1.5)
    testing.assert_close(_got, _want, name="triplet with another margin alpha (use the alpha passed in)", sizes={"N": _n})
### END HIDDEN TESTS

# %% [markdown]
# ## Summary
#
# * Scores of a batch are an (N, C) array, one row per example (the slide's table is its transpose).
# * **Hinge (SVM) loss** $L_i = \sum_{j \ne y_i} \max(0, s_j - s_{y_i} + 1)$: 2.9, 0 and 12.9 on the lecture's
#   images, mean $15.8/3 = 5.27$. It is 0 once every margin is met, so $W$ and $2W$ can both reach 0:
#   regularization $\lambda R(W)$ chooses between them.
# * **Softmax** turns scores into probabilities (0.13, 0.87, 0.00 for the cat image); subtract the row max
#   to avoid overflow.
# * **Cross-entropy** $L_i = -\ln P(y_i) = -s_{y_i} + \log\sum_j e^{s_j}$, computed from the scores:
#   2.04 for the cat image in natural log (the slide's 0.89 is $-\log_{10} 0.13$).
# * At initialisation expect about $C - 1$ (hinge) and $\ln C$ (cross-entropy).
# * Vectorized NumPy replaces loops and is much faster; the **triplet loss** shows that a loss can encode
#   any preference, here "same person close, different people far".
# * Next: notebook 05 regularizes, notebook 06 computes the gradients that let us minimise these losses.
