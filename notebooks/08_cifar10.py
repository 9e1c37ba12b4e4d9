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
# # 08 · Hands-on: classifying CIFAR-10
#
# **Time:** about 2 hours (the training runs take about 2 minutes) · **Points:** 19 points in total
# (15 autograded, 4 graded by hand)
#
# This is the lecture's hands-on exercise: everything from notebooks 01 to 07 on real data. CIFAR-10 has
# 50,000 training and 10,000 test images of $32 \times 32 \times 3$ pixels in 10 classes. We train two
# linear classifiers, with the hinge (SVM) and the softmax loss of notebooks 04 and 06, and the lecture's
# two-layer network with stochastic gradient descent in a loop you write, tune them on a validation split
# and measure the result **once** on the test set.
#
# **After this notebook you can**
#
# 1. load and look at a real data set, and preprocess it with statistics from the training split only;
# 2. write a training pipeline yourself: accuracy, the two-layer network's loss and gradients with L2
#    regularization, an SGD-with-momentum step, the minibatch SGD loop (shuffling, epochs, learning-rate
#    decay, a history of the loss and the accuracies) and a confusion matrix;
# 3. diagnose training from loss curves (learning rate too small or too large, bad initialisation);
# 4. tune hyperparameters on validation data with a coarse grid and a random search, notice a best value
#    at the edge of the range searched, tell a real difference from the noise of a validation set (its
#    standard error), choose the regularization and the hidden size on long runs and stop early, and
#    evaluate on the test set once, the honest way;
# 5. read the results: loss and accuracy curves, linear templates, first-layer weights, a confusion
#    matrix, confident mistakes.
#
# | exercise | what | points |
# |---|---|---|
# | 1 | accuracy | 2 |
# | Q1 | why training statistics only, why the test set once (written) | 2 |
# | 2 | two-layer network: loss and gradients with L2 | 4 |
# | 3 | one SGD step with momentum | 2 |
# | 4 | the minibatch SGD loop | 3 |
# | 5 | random search of the learning rate and the regularization strength | 2 |
# | 6 | confusion matrix | 2 |
# | Q2 | reading the results (written) | 2 |
#
# The exercises are graded on small inputs, so grading is fast. When this notebook is graded it runs on
# the small CIFAR-10 sample shipped with the course (1,000 training images) instead of the full data.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import os
import time

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from helpers import (
    data,
    figure_style,
    gradients,
    image_figures,
    losses,
    models,
    regularization,
    testing,
    train,
    training_figures,
    widgets,
)

rng = np.random.default_rng(0)
figure_style.use_course_style()
GRADING = bool(os.environ.get("NBGRADER_EXECUTION"))  # set while nbgrader validates or grades

# %% [markdown]
# ## 1. The data
#
# `data.load_cifar10()` finds the full data set through the environment variable `NN_BASICS_CIFAR10`
# (or in `data/cache/`, downloading the official archive there when it is missing and the network is
# available). If it cannot, the cell below tells you how to get it and continues with the small real
# sample that ships with the course, so that everything still runs.

# %%
def load_data():
    """(X_train, y_train, X_test, y_test, which) with which = "full" or "sample"."""
    if GRADING:
        return (*data.load_cifar10_sample(), "sample")
    try:
        return (*data.load_cifar10(), "full")
    except data.CIFAR10Error as err:
        print("The full CIFAR-10 is not available here:")
        print(" ", err)
        print(
            "To get it: download cifar-10-python.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html\n"
            "and set the environment variable NN_BASICS_CIFAR10 to its path (or put it into data/cache/).\n"
            "Continuing with the small sample shipped with the course: the numbers below will be lower."
        )
        return (*data.load_cifar10_sample(), "sample")


X_train_all, y_train_all, X_test_raw, y_test, which = load_data()
FULL = which == "full"
print(f"data: {'the full CIFAR-10' if FULL else 'the small sample shipped with the course'}")
print("training images", X_train_all.shape, X_train_all.dtype, " labels", y_train_all.shape, y_train_all.dtype)
print("test images    ", X_test_raw.shape, " labels", y_test.shape)
print("images per class (train):", np.bincount(y_train_all, minlength=10).tolist())

# %% [markdown]
# Every image is a $32 \times 32 \times 3$ array of integers 0 to 255 (red, green, blue). Seven random
# training images of every class:

# %%
examples, example_labels = data.class_examples(X_train_all, y_train_all, 7, rng=np.random.default_rng(1))
fig = image_figures.image_grid(examples, [data.CLASSES[c] for c in example_labels], ncols=7, title="CIFAR-10: seven training images per class")
plt.show()

# %% [markdown]
# ## 2. Validation split and preprocessing
#
# We need three disjoint sets:
#
# * **training** data to fit the weights;
# * **validation** data to choose the hyperparameters (learning rate, regularization, hidden size,
#   number of epochs; an **epoch** is one pass of training over all training images), as the lecture
#   says: "when in doubt, use a validation set";
# * **test** data to report the final accuracy, used **once**, at the very end.
#
# Then we standardise every pixel feature, $x' = (x - \mu)/\sigma$, with the mean $\mu$ and the standard
# deviation $\sigma$ computed on the **training split only**, and apply the same $\mu, \sigma$ to the
# validation and test images. The images are flattened into rows of $D = 3072$ numbers.

# %%
num_val = 1000 if FULL else 100
X_tr_img, y_tr, X_val_img, y_val = data.train_val_split(X_train_all, y_train_all, num_val, rng=np.random.default_rng(2))
X_tr, X_val, X_test, stats = data.preprocess(X_tr_img, X_val_img, X_test_raw)
print(f"train {X_tr.shape}, validation {X_val.shape}, test {X_test.shape}, dtype {X_tr.dtype}")
print(f"after preprocessing: training mean {round(float(X_tr.mean()), 3) + 0.0:.3f}, std {X_tr.std():.3f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(7, 3.2))
axes[0].imshow(stats["mean"].reshape(32, 32, 3).astype(np.uint8))
axes[0].set_title("mean training image")
std_map = axes[1].imshow(stats["std"].reshape(32, 32, 3).mean(axis=2), cmap=figure_style.CMAP)
axes[1].set_title("per-pixel std (mean of R, G, B)")
fig.colorbar(std_map, ax=axes[1], shrink=0.8, label="std (pixel values 0-255)")
for ax in axes:
    ax.set_xlabel("x (pixels)")
    ax.set_ylabel("y (pixels)")
    ax.grid(False)  # grid lines would hide pixels
fig.suptitle("The statistics used to standardise every split (training split only)")
plt.show()

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_train_stats", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### Question 1 (2 points, graded by hand)
#
# (a) Why do we compute the normalisation statistics $\mu$ and $\sigma$ on the training split only, and
# not on all the images? (b) Why may we look at the test accuracy only once, at the end, rather than
# after every change we try? Answer in two to four sentences.
#
# ### BEGIN SOLUTION
# (a) The validation and test images stand for new data the model has never seen; if their pixels
# influence the preprocessing, information about them leaks into the model and the measured accuracy is
# optimistic. At deployment time we only have the training statistics, so we must use those.
# (b) Every decision made by looking at a data set fits the model a little to that set. If we tuned on
# the test set, the test accuracy would become a (biased) training signal and no longer estimate the
# accuracy on new data. Choices are made on the validation split; the test set is touched once to report
# an unbiased number.
# ### END SOLUTION

# %% [markdown]
# ## 3. Measuring: accuracy
#
# A classifier outputs a score for every class; its prediction is the class with the highest score,
# $\hat y_n = \arg\max_k s_{nk}$. The accuracy is the fraction of examples with $\hat y_n = y_n$. Guessing
# at random gives about 10% on CIFAR-10.

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex1_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 1: accuracy (2 points)
#
# Write `accuracy(predictions, y)`. `predictions` is either an array of scores of shape `(N, C)` (then
# the predicted class of a row is the index of its largest score) or an array of predicted labels of
# shape `(N,)`. Return the fraction of correct predictions as a Python `float` between 0 and 1. No
# loops over examples.

# %% nbgrader={"grade": false, "grade_id": "accuracy", "locked": false, "schema_version": 3, "solution": true}
def accuracy(predictions, y):
    """Fraction of correct predictions.

    Parameters
    ----------
    predictions : ndarray, shape (N, C) of scores, or shape (N,) of predicted labels
    y : ndarray of int, shape (N,), the true labels

    Returns
    -------
    float in [0, 1]
    """
    ### BEGIN SOLUTION
    predictions = np.asarray(predictions)
    if predictions.ndim == 2:
        predictions = np.argmax(predictions, axis=1)
    return float(np.mean(predictions == np.asarray(y)))
    ### END SOLUTION


# %% [markdown]
# Try it: a classifier that always says "cat" gets about one image in ten right.

# %%
always_cat = np.full(y_val.shape, data.CLASSES.index("cat"))
print(f"always 'cat': validation accuracy {accuracy(always_cat, y_val):.3f}")

# %% nbgrader={"grade": true, "grade_id": "accuracy_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
OWN = ("helpers.models", "helpers.losses", "helpers.train", "helpers.network", "helpers.gradients")
_rng = np.random.default_rng(80)
_y = _rng.integers(0, 5, size=40)
_acc = testing.check_own_work(accuracy, _y.copy(), _y, forbidden=OWN)
testing.assert_scalar(_acc, "accuracy(y, y)")
assert isinstance(_acc, float), f"accuracy should return a Python float, got {type(_acc).__name__}: use float(...)"
testing.assert_close(_acc, 1.0, name="accuracy of perfect predictions (a fraction, not a count or a percentage)", sizes={"N": 40})
_scores = _rng.normal(size=(40, 5))
_acc_scores = testing.check_own_work(accuracy, _scores, _y, forbidden=OWN)
_acc_labels = testing.check_own_work(accuracy, _scores.argmax(axis=1), _y, forbidden=OWN)
testing.assert_close(_acc_scores, _acc_labels, name="accuracy(scores, y) compared with accuracy(labels, y)")
testing.assert_close(
    testing.check_own_work(accuracy, np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]]), np.array([1, 1, 1, 1]), forbidden=OWN),
    0.5,
    name="accuracy(scores (4, 2), y = [1, 1, 1, 1]) (the largest score of rows 0 and 2 is class 1: 2 of 4 right)",
)
assert 0.0 <= _acc_scores <= 1.0, f"accuracy must lie between 0 and 1, got {_acc_scores}"
### BEGIN HIDDEN TESTS
_y = np.array([0, 1, 2, 3, 1, 0, 2, 2])
_pred = np.array([0, 1, 1, 3, 0, 0, 2, 1])
testing.assert_close(testing.check_own_work(accuracy, _pred, _y, forbidden=OWN), 5 / 8, name="accuracy of predicted labels (the fraction that match y)")
_scores = np.eye(4)[_pred] * 3.0 - 1.0
testing.assert_close(testing.check_own_work(accuracy, _scores, _y, forbidden=OWN), 5 / 8, name="accuracy of a score matrix (the argmax of each row is the prediction)")
testing.assert_close(testing.check_own_work(accuracy, (_y + 1) % 4, _y, forbidden=OWN), 0.0, name="accuracy, all wrong")
### END HIDDEN TESTS


# %% [markdown]
# ## 4. The two-layer network: loss and gradients
#
# The lecture's network for $C$ classes: $A_1 = X W_1 + b_1$, $Z = \max(0, A_1)$, scores
# $S = Z W_2 + b_2$, softmax probabilities $p_{nk} = e^{s_{nk}} / \sum_c e^{s_{nc}}$ and the loss
#
# $$L = \underbrace{-\frac{1}{N}\sum_{n=1}^N \log p_{n, y_n}}_{\text{data loss}}
#   + \underbrace{\lambda \Big(\sum W_1^2 + \sum W_2^2\Big)}_{\text{regularization}} ,$$
#
# with the course's convention $\lambda \sum W^2$ (no $\frac12$; biases are not regularized). You wrote
# its backward pass without regularization in notebook 07; the penalty adds $2\lambda W$ to the gradient
# of each weight matrix.

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex2_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 2: the network's loss and gradients (4 points)
#
# Write `two_layer_loss(params, X, y, reg)` returning `(loss, grads)` with `grads` a dict with the keys and
# shapes of `params`. Vectorised (no loop over examples), numerically stable softmax (subtract the row
# maximum). It must work for float32 and float64 inputs. Use NumPy only: not `helpers.models`,
# `helpers.losses` or `helpers.regularization`. The loss is worth 1 point, the gradients 3 points.

# %% nbgrader={"grade": false, "grade_id": "two_layer_loss", "locked": false, "schema_version": 3, "solution": true}
def two_layer_loss(params, X, y, reg):
    """Affine - ReLU - affine - softmax cross-entropy, plus reg * (sum W1**2 + sum W2**2).

    Parameters
    ----------
    params : dict with W1 (D, H), b1 (H,), W2 (H, C), b2 (C,)
    X : ndarray, shape (N, D)
    y : ndarray of int, shape (N,)
    reg : float, the L2 strength lambda

    Returns
    -------
    loss : float
    grads : dict with W1 (D, H), b1 (H,), W2 (H, C), b2 (C,)
    """
    ### BEGIN SOLUTION
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N = X.shape[0]
    A1 = X @ W1 + b1
    Z = np.maximum(A1, 0)
    S = Z @ W2 + b2
    S = S - S.max(axis=1, keepdims=True)
    log_p = S - np.log(np.exp(S).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(N), y].mean() + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))

    dS = np.exp(log_p)
    dS[np.arange(N), y] -= 1
    dS /= N
    dZ = dS @ W2.T
    dA1 = dZ * (A1 > 0)
    grads = {
        "W1": X.T @ dA1 + 2 * reg * W1,
        "b1": dA1.sum(axis=0),
        "W2": Z.T @ dS + 2 * reg * W2,
        "b2": dS.sum(axis=0),
    }
    return float(loss), grads
    ### END SOLUTION


# %% [markdown]
# Check it before trusting it: the loss of a network with tiny weights should be close to $\log 10 \approx
# 2.303$ (all classes equally likely), and the gradients must match numerical ones. A gradient check on
# 3072-dimensional inputs would take long, so we use a small random problem in float64.

# %%
def small_problem(N=6, D=7, H=5, C=4, seed=0):
    g = np.random.default_rng(seed)
    params = {"W1": g.normal(scale=0.5, size=(D, H)), "b1": g.normal(scale=0.1, size=H),
              "W2": g.normal(scale=0.5, size=(H, C)), "b2": g.normal(scale=0.1, size=C)}
    return params, g.normal(size=(N, D)), g.integers(0, C, size=N)


tiny_net = {"W1": 1e-4 * rng.standard_normal((3072, 50)), "b1": np.zeros(50), "W2": 1e-4 * rng.standard_normal((50, 10)), "b2": np.zeros(10)}
loss0, _ = two_layer_loss(tiny_net, X_tr[:100].astype(np.float64), y_tr[:100], reg=0.0)
print(f"loss with tiny weights: {loss0:.4f} (log 10 = {np.log(10):.4f})")

p_small, X_small, y_small = small_problem()
_, grads_small = two_layer_loss(p_small, X_small, y_small, reg=0.1)
for name in p_small:
    num = gradients.numerical_gradient(lambda _: two_layer_loss(p_small, X_small, y_small, 0.1)[0], p_small[name])
    print(f"d{name}: relative error below 1e-7: {gradients.rel_error(grads_small[name], num) < 1e-7}")

# %% nbgrader={"grade": true, "grade_id": "two_layer_loss_value_tests", "locked": true, "points": 1, "schema_version": 3, "solution": false}
OWN = ("helpers.models", "helpers.losses", "helpers.regularization", "helpers.train", "helpers.network", "helpers.gradients")


def _problem(N, D, H, C, seed, scale=0.5):
    g = np.random.default_rng(seed)
    p = {"W1": g.normal(scale=scale, size=(D, H)), "b1": g.normal(scale=min(scale, 0.1), size=H),
         "W2": g.normal(scale=scale, size=(H, C)), "b2": g.normal(scale=min(scale, 0.1), size=C)}
    return p, g.normal(size=(N, D)), g.integers(0, C, size=N)


_p, _X, _y = _problem(9, 6, 5, 4, seed=801, scale=1e-4)
_loss, _ = testing.check_own_work(two_layer_loss, _p, _X, _y, 0.0, forbidden=OWN)
testing.assert_scalar(_loss, "loss")
testing.assert_close(_loss, np.log(4), name="loss with tiny weights and reg=0 (about log C)", rtol=1e-3, sizes={"N": 9, "C": 4})
_p, _X, _y = _problem(9, 6, 5, 4, seed=802)
_loss_0, _ = testing.check_own_work(two_layer_loss, _p, _X, _y, 0.0, forbidden=OWN)
_loss_r, _ = testing.check_own_work(two_layer_loss, _p, _X, _y, 0.3, forbidden=OWN)
testing.assert_close(_loss_r - _loss_0, 0.3 * (np.sum(_p["W1"] ** 2) + np.sum(_p["W2"] ** 2)),
                     name="loss(reg=0.3) - loss(reg=0): the L2 penalty on W1 and W2 (no 1/2, biases excluded)")
_loss_big, _ = testing.check_own_work(two_layer_loss, {_k: 300.0 * _v for _k, _v in _p.items()}, _X, _y, 0.0, forbidden=OWN)
if not np.isfinite(_loss_big):
    # scores all near 1000: np.exp overflows unless the row max is subtracted, and no probability is near 0
    with np.errstate(all="ignore"):
        _loss_far, _ = two_layer_loss(dict(_p, W2=1e-3 * _p["W2"], b2=_p["b2"] + 1000.0), _X, _y, 0.0)
    assert not np.isfinite(_loss_far), (
        f"loss with large, far apart scores is {_loss_big}, although scores all near 1000 work (so the row max is subtracted): "
        "a probability rounds to 0 and np.log(0) = -inf. Take the log-probabilities from the shifted scores, "
        "log p = S - log(sum(exp(S))) (log-sum-exp), instead of np.log of the probabilities")
    raise AssertionError(f"loss with large scores is {_loss_big}: subtract the row max before np.exp (it overflows for scores near 1000)")
### BEGIN HIDDEN TESTS
_p, _X, _y = _problem(12, 5, 6, 3, seed=803)
_loss, _ = testing.check_own_work(two_layer_loss, _p, _X, _y, 0.05, forbidden=OWN)
_S = np.maximum(_X @ _p["W1"] + _p["b1"], 0) @ _p["W2"] + _p["b2"]
_S = _S - _S.max(axis=1, keepdims=True)
_expected = -np.mean(_S[np.arange(12), _y] - np.log(np.exp(_S).sum(axis=1)))
_expected += 0.05 * (np.sum(_p["W1"] ** 2) + np.sum(_p["W2"] ** 2))
testing.assert_scalar(_loss, "two_layer_loss on another problem (the mean cross-entropy plus reg times the squared weights)", expected=_expected)
# large scores: stable softmax, finite loss
_big = {_k: 200.0 * _v for _k, _v in _p.items()}
_loss, _ = testing.check_own_work(two_layer_loss, _big, _X, _y, 0.0, forbidden=OWN)
testing.assert_true(
    np.isfinite(_loss),
    "two_layer_loss stays finite for large scores",
    hint="loss with large scores is not finite: subtract the row max before np.exp, and take log p from the shifted scores (log-sum-exp), not np.log of p",
)
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "two_layer_loss_grad_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false}
_p, _X, _y = _problem(8, 6, 5, 4, seed=804)
_loss, _grads = testing.check_own_work(two_layer_loss, _p, _X, _y, 0.1, forbidden=OWN)
assert isinstance(_grads, dict), f"grads should be a dict with keys W1, b1, W2, b2, got {type(_grads).__name__}"
# from the output layer back: a mistake in dS shows at W2 first, not at W1
for _name in ("W2", "b2", "W1", "b1"):
    assert _name in _grads, f"grads has no key {_name!r} (keys: {sorted(_grads)})"
    testing.assert_shape(_grads[_name], _p[_name].shape, name=f"grads[{_name!r}]")
    _num = gradients.numerical_gradient(lambda _: two_layer_loss(_p, _X, _y, 0.1)[0], _p[_name])
    testing.assert_grad_close(_grads[_name], _num, name=f"grads[{_name!r}] (reg=0.1)", threshold=1e-6)
# float32 inputs work and keep a float32-sized result
_p32 = {_k: _v.astype(np.float32) for _k, _v in _p.items()}
_loss32, _grads32 = testing.check_own_work(two_layer_loss, _p32, _X.astype(np.float32), _y, 0.1, forbidden=OWN)
testing.assert_close(_loss32, _loss, name="loss for float32 inputs", rtol=1e-4)
### BEGIN HIDDEN TESTS
def _ref_loss(p, X, y, reg):
    S = np.maximum(X @ p["W1"] + p["b1"], 0) @ p["W2"] + p["b2"]
    S = S - S.max(axis=1, keepdims=True)
    data_loss = -np.mean(S[np.arange(len(y)), y] - np.log(np.exp(S).sum(axis=1)))
    return float(data_loss + reg * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2)))


_p, _X, _y = _problem(10, 4, 7, 3, seed=805)
_PARAM_WORDS = {"W1": "the first layer's weights", "b1": "the first layer's bias", "W2": "the second layer's weights", "b2": "the second layer's bias"}
for _reg in (0.02, 0.0):
    _loss, _grads = testing.check_own_work(two_layer_loss, _p, _X, _y, _reg, forbidden=OWN)
    for _name in ("W2", "b2", "W1", "b1"):
        _num = gradients.numerical_gradient(lambda _, r=_reg: _ref_loss(_p, _X, _y, r), _p[_name])
        testing.assert_grad_close(_grads[_name], _num, name=f"the gradient of {_PARAM_WORDS[_name]} " + ("with the penalty (twice reg times W)" if _reg else "without the penalty"), threshold=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# ## 5. The training step: SGD with momentum
#
# Plain gradient descent, $w \leftarrow w - \eta \nabla L$, zig-zags in narrow valleys of the loss.
# **Momentum** keeps a running velocity $v$ (one array per parameter, starting at zero) that remembers
# the previous steps:
#
# $$v \leftarrow \mu\, v - \eta\, \nabla L, \qquad w \leftarrow w + v,$$
#
# with the momentum $\mu \in [0, 1)$ (typically 0.9) and the learning rate $\eta$. With $\mu = 0$ it is the
# lecture's update rule. *Stochastic* gradient descent computes $\nabla L$ on a random minibatch of a few
# hundred images instead of all 49,000: a noisy but cheap estimate.

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex3_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 3: one SGD step with momentum (2 points)
#
# Write `sgd_momentum_step(params, grads, velocity, lr, momentum)`. For every name in `params`, update
# `velocity[name]` and then `params[name]` by the two formulas above. Change the dicts `params` and
# `velocity` (update the arrays in place or store new arrays under the same keys); return nothing.

# %% nbgrader={"grade": false, "grade_id": "sgd_step", "locked": false, "schema_version": 3, "solution": true}
def sgd_momentum_step(params, grads, velocity, lr, momentum):
    """One SGD-with-momentum update of every parameter.

    Parameters
    ----------
    params : dict name -> ndarray, updated
    grads : dict name -> ndarray, same shapes (the gradient of the loss)
    velocity : dict name -> ndarray, same shapes, updated (start with zeros)
    lr : float, the learning rate
    momentum : float in [0, 1)

    Returns
    -------
    None
    """
    ### BEGIN SOLUTION
    for name in params:
        velocity[name] = momentum * velocity[name] - lr * grads[name]
        params[name] = params[name] + velocity[name]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "sgd_step_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
OWN_STEP = ("helpers.train", "helpers.models", "helpers.gradients")
_rng = np.random.default_rng(806)
_p = {"W": _rng.normal(size=(3, 4)), "b": _rng.normal(size=4)}
_g = {"W": _rng.normal(size=(3, 4)), "b": _rng.normal(size=4)}
_v = {"W": np.zeros((3, 4)), "b": np.zeros(4)}
_ret = testing.check_own_work(sgd_momentum_step, _p, _g, _v, 0.1, 0.0, forbidden=OWN_STEP)
assert _ret is None, "sgd_momentum_step should change the dicts and return None"
# what your step left in params and velocity (it updates copies: the test's own dicts never change)
_p_after, _, _v_after, _, _ = testing.call(sgd_momentum_step, _p, _g, _v, 0.1, 0.0).args
for _k in _p:
    testing.assert_close(_p_after[_k], _p[_k] - 0.1 * _g[_k], name=f"params[{_k!r}] after one step with momentum=0 (plain gradient descent)")
    testing.assert_shape(_v_after[_k], _p[_k].shape, name=f"velocity[{_k!r}]")
# one step with momentum 0.9 from velocity 0.5: v = 0.9 * 0.5 - 0.1 * 2 = 0.25, then w = 1 + 0.25
_p1, _, _v1, _, _ = testing.call(sgd_momentum_step, {"w": np.array([1.0])}, {"w": np.array([2.0])}, {"w": np.array([0.5])}, 0.1, 0.9).args
testing.assert_close(_v1["w"], [0.25], name="velocity['w'] after a step from v = 0.5 with momentum 0.9, lr 0.1, grad 2 (v = momentum v - lr grad)")
testing.assert_close(_p1["w"], [1.25], name="params['w'] after that step from w = 1 (w + v, with the new v)")
### BEGIN HIDDEN TESTS
_p = {"W": np.array([[1.0, -2.0]]), "b": np.array([0.5])}
_v = {"W": np.array([[0.2, 0.0]]), "b": np.array([-0.1])}
_g = {"W": np.array([[1.0, 3.0]]), "b": np.array([2.0])}
_p, _, _v, _, _ = testing.call(sgd_momentum_step, _p, _g, _v, 0.5, 0.9).args
testing.assert_close(_v["W"], [[0.18 - 0.5, -1.5]], name="velocity['W'] after one step (momentum times velocity, minus lr times the gradient)")
testing.assert_close(_v["b"], [-0.09 - 1.0], name="velocity['b'] after one step (momentum times velocity, minus lr times the gradient)")
testing.assert_close(_p["W"], [[1.0 + 0.18 - 0.5, -2.0 - 1.5]], name="params['W'] after one step (params plus the new velocity)")
testing.assert_close(_p["b"], [0.5 - 1.09], name="params['b'] after one step (params plus the new velocity)")
_p, _, _v, _, _ = testing.call(sgd_momentum_step, _p, _g, _v, 0.5, 0.9).args
testing.assert_close(_v["W"], [[0.9 * (0.18 - 0.5) - 0.5, 0.9 * -1.5 - 1.5]], name="velocity['W'] after a second step (the velocity carries over from step to step)")
testing.assert_close(_p["W"], [[1.0 + 0.18 - 0.5 + 0.9 * (0.18 - 0.5) - 0.5, -2.0 - 1.5 + 0.9 * -1.5 - 1.5]], name="params['W'] after a second step (params plus the new velocity)")
### END HIDDEN TESTS


# %% [markdown]
# ## 6. The training loop
#
# Now the pieces go together. Minibatch SGD repeats one **iteration** again and again: take a minibatch
# of $B$ training images, compute the loss and its gradients on it, and update the weights. One
# **epoch** is one pass over the whole training set: the $N$ training images are put into a new random
# order and cut into $\lceil N / B \rceil$ minibatches of $B$ consecutive images of that order (the last
# minibatch is smaller when $B$ does not divide $N$), so that every image is used exactly once per epoch.
# A new order every epoch keeps the minibatches from repeating; drawing it from the notebook's `rng`
# keeps every run reproducible. With $N = 49{,}000$ and $B = 200$ an epoch is 245 iterations.
#
# Small steps help at the end of training, when the weights are close to a minimum and the noise of the
# minibatch gradients would otherwise keep them jumping around. A simple schedule **decays** the
# learning rate once per epoch: $\eta_e = \eta \cdot \gamma^{e}$ in epoch $e = 0, 1, 2, \dots$ with a
# decay factor $\gamma$ such as 0.95 ($\gamma = 1$: a constant learning rate).
#
# While it trains, the loop keeps a **history**: the minibatch loss of every iteration (noisy, but it
# shows whether training works at all), and after every epoch the accuracy on training and on
# validation images (the gap between the two shows overfitting).

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex4_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 4: the minibatch SGD loop (3 points)
#
# Write `minibatch_sgd(params, loss_fn, predict_fn, X, y, X_val, y_val, ...)`. The loop knows nothing about
# the model: `params` is its dict of weight arrays, `loss_fn(X, y)` returns `(loss, grads)` for a minibatch,
# and `predict_fn(X)` returns the predicted labels (for a model of the course: `model.params`, `model.loss`,
# `model.predict`). The update rule and the measure come in as arguments too, `step` and `metric`: you will
# pass your `sgd_momentum_step` and `accuracy`. Your loop
#
# 1. creates the velocity once, before the first epoch: a dict of zero arrays shaped like `params`;
# 2. in every epoch `e = 0, 1, ..., epochs - 1`: uses the learning rate `lr * lr_decay**e`, shuffles with
#    `order = rng.permutation(N)` and walks through `order` in minibatches of `batch_size` indices; for each
#    minibatch computes `loss_fn` on those rows of `X` and `y`, updates with
#    `step(params, grads, velocity, lr_e, momentum)`, and appends the loss (a float) to `history["loss"]`;
# 3. after every epoch appends `metric` of `predict_fn` on the first `num_train_acc` training rows to
#    `history["train_acc"]` (the rows are in random order already: a cheap sample) and on the whole
#    validation set to `history["val_acc"]`.
#
# Return `history`, a dict with the three lists. Use only the `rng` you are given, and not
# `helpers.train` (the course's loop is released after this notebook is due).

# %% nbgrader={"grade": false, "grade_id": "minibatch_sgd", "locked": false, "schema_version": 3, "solution": true}
def minibatch_sgd(params, loss_fn, predict_fn, X, y, X_val, y_val, *, epochs, batch_size, lr, lr_decay, momentum, rng, step, metric, num_train_acc=1000):
    """Train a model's ``params`` in place with minibatch SGD with momentum and return the history.

    Parameters
    ----------
    params : dict name -> ndarray, the model's weights (updated in place by ``step``)
    loss_fn : callable, ``loss_fn(X, y) -> (loss, grads)`` with grads shaped like params
    predict_fn : callable, ``predict_fn(X) -> (N,)`` predicted labels
    X : ndarray, shape (N, D); y : ndarray of int, shape (N,), the training data
    X_val : ndarray, shape (M, D); y_val : ndarray of int, shape (M,), the validation data
    epochs : int, passes over the training data
    batch_size : int, B
    lr : float, the learning rate of the first epoch
    lr_decay : float, the learning rate is multiplied by it after every epoch (1.0: constant)
    momentum : float in [0, 1)
    rng : numpy.random.Generator, the order of the training examples
    step : callable, ``step(params, grads, velocity, lr, momentum)`` updates params and velocity in place
    metric : callable, ``metric(predictions, y) -> float``
    num_train_acc : int, the training accuracy is measured on the first num_train_acc rows

    Returns
    -------
    history : dict with "loss" (one float per iteration), "train_acc" and "val_acc" (one float per epoch)
    """
    ### BEGIN SOLUTION
    N = X.shape[0]
    velocity = {name: np.zeros_like(value) for name, value in params.items()}
    history = {"loss": [], "train_acc": [], "val_acc": []}
    for epoch in range(epochs):
        lr_epoch = lr * lr_decay**epoch
        order = rng.permutation(N)  # a new order of the rows in every epoch
        for start in range(0, N, batch_size):
            batch = order[start : start + batch_size]
            loss, grads = loss_fn(X[batch], y[batch])
            step(params, grads, velocity, lr_epoch, momentum)
            history["loss"].append(float(loss))
        history["train_acc"].append(metric(predict_fn(X[:num_train_acc]), y[:num_train_acc]))
        history["val_acc"].append(metric(predict_fn(X_val), y_val))
    return history
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "minibatch_sgd_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false}
class _Probe:
    """A stand-in model: rows of X are (row id, when it becomes right, label); records every minibatch."""

    def __init__(self):
        self.params = {"w": np.zeros(2), "b": np.ones(3)}
        self.batches, self.aligned = [], []

    def loss(self, X, y):
        self.batches.append(X[:, 0].astype(int))
        self.aligned.append(bool(np.array_equal(np.asarray(y), X[:, 2].astype(int))))
        return float(len(self.batches)), {"w": np.ones(2), "b": np.full(3, 2.0)}

    def predict(self, X):
        right = X[:, 1] <= len(self.batches)  # a row becomes right after that many iterations
        return np.where(right, X[:, 2], 1 - X[:, 2]).astype(int)


class _Steps:
    """A stand-in for sgd_momentum_step: records how it is called, takes a plain step lr * grad, and
    adds 1 to the velocity (which then counts the steps it has seen: one velocity for the whole run)."""

    def __init__(self):
        self.calls = []

    def __call__(self, params, grads, velocity, lr, momentum):
        self.calls.append((lr, momentum, {k: np.array(v, copy=True) for k, v in velocity.items()}))
        for name in params:
            params[name] = params[name] - lr * grads[name]
        for name in velocity:
            velocity[name] += 1.0


def _probe_data(N, seed):
    g = np.random.default_rng(seed)
    labels = g.integers(0, 2, size=N)
    return np.column_stack([np.arange(N), g.integers(1, 12, size=N), labels]).astype(float), labels


def _fraction(predictions, y):
    return float(np.mean(np.asarray(predictions) == np.asarray(y)))


def _run_loop(X, y, X_v, y_v, **kwargs):
    """Your minibatch_sgd on a _Probe, with stand-ins for sgd_momentum_step and accuracy (so a mistake
    in exercise 1 or 3 costs no points here); returns (history, probe, steps)."""
    spare, spare_steps = _Probe(), _Steps()  # your loop once more, watched for calls into the course library
    testing.check_own_work(minibatch_sgd, spare.params, spare.loss, spare.predict, X, y, X_v, y_v, step=spare_steps,
                           metric=_fraction, forbidden=("helpers.train",), **kwargs)
    probe, steps = _Probe(), _Steps()
    run = testing.call(minibatch_sgd, probe.params, probe.loss, probe.predict, X, y, X_v, y_v, step=steps, metric=_fraction, **kwargs)
    probe.params = run.args[0]  # the weights as your loop left them (updated in place by the steps)
    probe.data_after = run.args[3:5]  # X and y as your loop left them
    return (run.value, probe, steps)


def _check_loop(N, B, epochs, lr, lr_decay, momentum, num_train_acc, seed):
    X, y = _probe_data(N, seed)
    X_v, y_v = _probe_data(7, seed + 1)
    kwargs = dict(epochs=epochs, batch_size=B, lr=lr, lr_decay=lr_decay, momentum=momentum, num_train_acc=num_train_acc)
    history, probe, steps = _run_loop(X, y, X_v, y_v, rng=np.random.default_rng(seed), **kwargs)
    testing.assert_true(np.array_equal(probe.data_after[0], X) and np.array_equal(probe.data_after[1], y), "minibatch_sgd leaves X and y as they are",
                        hint="minibatch_sgd changed X or y: shuffle indices (order = rng.permutation(N)) and leave the data as it is")
    testing.assert_true(isinstance(history, dict), "minibatch_sgd returns the history dict", hint=f"minibatch_sgd should return the history dict, got {type(history).__name__}")
    for key in ("loss", "train_acc", "val_acc"):
        testing.assert_true(key in history, "the history has the keys loss, train_acc and val_acc", hint=f"history has no key {key!r} (keys: {sorted(history)})")
    iters = -(-N // B)  # ceil(N / B)
    sizes = [len(b) for b in probe.batches]
    expected_sizes = ([B] * (N // B) + ([N % B] if N % B else [])) * epochs
    testing.assert_equal(sizes, expected_sizes, name="the minibatch sizes: ceil(N / B) per epoch, the last one smaller when B does not divide N (range keeps it)")
    testing.assert_true(all(probe.aligned), "X and y match in every minibatch",
                        hint="y and X do not match in a minibatch: index both with the same rows, X[batch] and y[batch]")
    epochs_seen = [np.concatenate(probe.batches[e * iters : (e + 1) * iters]) for e in range(epochs)]
    for rows in epochs_seen:
        testing.assert_equal(np.sort(rows), np.arange(N), name="the rows used in each epoch (every training row exactly once per epoch)")
    testing.assert_true(not np.array_equal(epochs_seen[0], np.arange(N)), "the rows are shuffled",
                        hint="the rows come in their original order: shuffle with order = rng.permutation(N) and take the minibatches from order")
    if epochs > 1:
        testing.assert_true(not np.array_equal(epochs_seen[0], epochs_seen[1]), "every epoch draws a new order of the rows",
                            hint="every epoch uses the same order: draw a new order = rng.permutation(N) at the start of every epoch")
    _, probe_again, _ = _run_loop(X, y, X_v, y_v, rng=np.random.default_rng(seed), **kwargs)
    same = np.array_equal(np.concatenate(probe_again.batches), np.concatenate(probe.batches))
    testing.assert_true(same, "the same rng gives the same order of the rows (use the rng you are given)",
                        hint="use the rng you are given (order = rng.permutation(N)), not np.random: the same rng must give the same order")
    testing.assert_close(history["loss"], np.arange(1.0, epochs * iters + 1), name="history['loss'] (one loss per iteration, in order, over all epochs)")
    testing.assert_true(steps.calls, "minibatch_sgd updates the weights with the step it is given",
                        hint="step was never called: update the weights with step(params, grads, velocity, lr_e, momentum), the update rule you are given")
    testing.assert_close([c[0] for c in steps.calls], [lr * lr_decay**e for e in range(epochs) for _ in range(iters)],
                         name="the learning rate of each step (lr times lr_decay to the power e in epoch e, the same for every step of an epoch)")
    testing.assert_close([c[1] for c in steps.calls], [momentum] * len(steps.calls), name="the momentum passed to step")
    first = steps.calls[0][2]
    testing.assert_true(sorted(first) == sorted(probe.params), "the velocity has the keys of params",
                        hint=f"the velocity should have the keys of params {sorted(probe.params)}, got {sorted(first)}")
    for k, v in first.items():
        testing.assert_close(v, np.zeros_like(probe.params[k]), name="the velocity at the first step (zeros shaped like each parameter)")
    for i, (_, _, velocity) in enumerate(steps.calls):
        testing.assert_true(all(np.all(v == i) for v in velocity.values()), "one velocity carried from step to step", hint=(
            f"the velocity at step {i} has lost what the earlier steps put in it: create it once, before the first "
            "epoch, and pass that same dict to every step (it carries the momentum from step to step)"))
    total = sum(c[0] for c in steps.calls)
    testing.assert_close(probe.params["w"], -total * np.ones(2), name="the weights after training (params updated in place by the steps)")
    calls = [(e + 1) * iters for e in range(epochs)]
    n_sub = min(N, num_train_acc)
    testing.assert_close(history["train_acc"], [float(np.mean(X[:n_sub, 1] <= c)) for c in calls],
                         name="history['train_acc'] (accuracy after each epoch on the first num_train_acc training rows)")
    testing.assert_close(history["val_acc"], [float(np.mean(X_v[:, 1] <= c)) for c in calls], name="history['val_acc'] (accuracy after each epoch on the whole validation set)")


_check_loop(N=23, B=5, epochs=3, lr=0.5, lr_decay=0.5, momentum=0.0, num_train_acc=10, seed=808)
### BEGIN HIDDEN TESTS
_check_loop(N=12, B=4, epochs=4, lr=0.1, lr_decay=0.9, momentum=0.9, num_train_acc=1000, seed=809)
_check_loop(N=9, B=20, epochs=2, lr=1.0, lr_decay=1.0, momentum=0.5, num_train_acc=3, seed=810)
_check_loop(N=31, B=8, epochs=5, lr=0.03, lr_decay=0.8, momentum=0.99, num_train_acc=31, seed=811)
### END HIDDEN TESTS


# %% [markdown]
# Try it on the simplest models of the lecture, **linear classifiers**: scores $s = x W + b$ with $W$ of
# shape $(D, C)$. Notebook 04 gave two losses for such scores, the multiclass hinge (SVM) loss and the
# softmax cross-entropy, and notebook 06 their gradients: each loss gives $\partial L / \partial s$, an
# $(N, C)$ array, and the chain rule through $S = XW + b$ turns it into
# $\partial L / \partial W = X^\top \, \partial L / \partial S$ (plus $2 \lambda W$ from the penalty) and
# $\partial L / \partial b$ = the column sums of $\partial L / \partial S$. Those notebooks are due, so we
# use the course library's answers to them: `losses.svm_loss(scores, y)` is 04's `hinge_loss` and
# `losses.softmax_loss(scores, y)` its cross-entropy, each returning the mean loss and
# $\partial L / \partial s$, and `regularization.l2(W, reg)` is 05's penalty $\lambda \sum W^2$ with its
# gradient $2 \lambda W$. `linear_classifier` puts them together into what your loop needs.
#
# The hinge loss gets a ten times smaller learning rate: its $\partial L / \partial s$ holds $1/N$ for
# every violated margin (at the start nearly all $C - 1 = 9$ of them) and minus their count at the true
# class, while the softmax's entries are probabilities divided by $N$, so the hinge's gradient starts
# about ten times larger. Ten epochs on all training images take a few seconds for each.

# %%
def linear_classifier(data_loss, reg, seed=3):
    """A linear classifier s = X W + b trained on data_loss (04) plus reg * sum(W**2) (05): (params, loss_fn, predict_fn)."""
    g = np.random.default_rng(seed)
    params = {"W": (1e-3 * g.standard_normal((3072, 10))).astype(np.float32), "b": np.zeros(10, dtype=np.float32)}

    def loss_fn(X, y):
        scores = X @ params["W"] + params["b"]
        loss, dscores = data_loss(scores, y)  # 04: the mean data loss and dL/dscores, (N, C)
        penalty, dpenalty = regularization.l2(params["W"], reg)  # 05: reg * sum(W**2) and 2 reg W
        return loss + penalty, {"W": X.T @ dscores + dpenalty, "b": dscores.sum(axis=0)}  # 06: the chain rule

    def predict_fn(X):
        return np.argmax(X @ params["W"] + params["b"], axis=1)

    return params, loss_fn, predict_fn


trained, histories, seconds = {}, {}, {}
for name, data_loss, lr in (("softmax", losses.softmax_loss, 1e-3), ("SVM", losses.svm_loss, 1e-4)):
    params, loss_fn, predict_fn = trained[name] = linear_classifier(data_loss, reg=1e-3)
    start = time.perf_counter()
    histories[name] = minibatch_sgd(params, loss_fn, predict_fn, X_tr, y_tr, X_val, y_val, epochs=10, batch_size=200, lr=lr,
                                           lr_decay=0.95, momentum=0.9, rng=np.random.default_rng(4), step=sgd_momentum_step, metric=accuracy)
    seconds[name] = time.perf_counter() - start
    print(f"linear {name} (lr = {lr:g}): {len(histories[name]['loss'])} iterations in {seconds[name]:.1f} s, "
          "validation accuracy after each epoch:")
    print("  " + " ".join(f"{100 * a:.1f}%" for a in histories[name]["val_acc"]))
linear_models, linear_histories, linear_seconds = trained, histories, seconds  # only once both are trained

# %%
fig = training_figures.plot_history(linear_histories["softmax"], title="Linear softmax classifier on CIFAR-10, trained by your loop")
plt.show()

# %% [markdown]
# How do the two losses compare? Both models have the same scores and the same number of weights; only
# the loss, and so the gradient that trains them, differs.

# %%
val_acc = {name: accuracy(model[2](X_val), y_val) for name, model in linear_models.items()}
difference = val_acc["softmax"] - val_acc["SVM"]
standard_error = training_figures.accuracy_standard_error(val_acc["softmax"], len(y_val))
print(f"validation accuracy: softmax {100 * val_acc['softmax']:.1f}%, SVM {100 * val_acc['SVM']:.1f}% "
      f"(difference {100 * difference:+.1f} points, {abs(difference) / standard_error:.1f} times the standard error of one accuracy)")
print(f"training time: softmax {linear_seconds['softmax']:.1f} s, SVM {linear_seconds['SVM']:.1f} s")
svm_W, svm_b = linear_models["SVM"][0]["W"], linear_models["SVM"][0]["b"]
satisfied = float(np.mean(losses.svm_loss_per_example(X_tr[:1000] @ svm_W + svm_b, y_tr[:1000]) == 0))
print(f"training images with zero hinge loss (every margin met, no gradient): {100 * satisfied:.1f}%")

# %% [markdown]
# The two losses reach similar validation accuracy, and a difference of a standard error or two is noise.
# Their cost per iteration is about the same, as both are dominated by the products with $X$ (measured
# times also depend on what else the computer is doing at the moment). They differ in
# what they ask for: the hinge loss is satisfied once the correct score beats every other by the margin,
# so the images that meet all their margins (the last line above) drop out of its gradient, while the
# softmax loss always asks for a little more probability for the correct class, so every image keeps
# pulling. The softmax also gives probabilities, which the rest of this notebook uses.
#
# Each column of $W$ is a **template**: the score of class $k$ is the dot product of the image with column
# $k$. Reshaped to $32 \times 32 \times 3$ and rescaled to the visible range, the templates show what each
# class "looks like" to a linear classifier: one blurry average over all its images.

# %%
fig, axes = plt.subplots(1, 2, figsize=(14, 4.2))
for ax, name in zip(axes, linear_models, strict=True):
    image_figures.show_templates(linear_models[name][0]["W"], data.CLASSES, target=ax, title=f"Linear {name}: templates (columns of W)")
fig.suptitle("Learned linear templates")
plt.show()


# %% [markdown]
# ### Your two-layer network, your loop
#
# `models.TwoLayerNet(..., loss_fn=two_layer_loss)` is the network of section 4 with **your**
# `two_layer_loss`; `weight_scale="he"` draws the initial weights with standard deviation
# $\sqrt{2 / \text{fan-in}}$ (notebook 02 derives it). Your loop trains it exactly as it trained the linear
# classifier. To see what the learning rate does we train it three times for two epochs on
# 5,000 training images, with a too small, a reasonable and a too large learning rate, and compare the
# loss curves.

# %%
n_small = 5_000 if FULL else len(X_tr)


def short_run(lr=1e-2, reg=1e-3, weight_scale="he", hidden=100, epochs=2, n=n_small, seed=5):
    """Train a small two-layer net with your loop on the first n training images; (net, history)."""
    net = models.TwoLayerNet(3072, hidden, 10, weight_scale=weight_scale, reg=reg, rng=np.random.default_rng(seed), loss_fn=two_layer_loss)
    history = minibatch_sgd(net.params, net.loss, net.predict, X_tr[:n], y_tr[:n], X_val, y_val, epochs=epochs, batch_size=200,
                            lr=lr, lr_decay=0.95, momentum=0.9, rng=np.random.default_rng(seed + 1), step=sgd_momentum_step, metric=accuracy)
    return net, history


lr_runs = {}
with np.errstate(over="ignore", invalid="ignore"):  # a too large step may overflow: that is the point
    for lr in (1e-5, 1e-2, 3e-1):
        _, lr_runs[f"lr = {lr:g}"] = short_run(lr=lr)
for label, history in lr_runs.items():
    print(f"{label:<10} loss: first {history['loss'][0]:.3g}, last {history['loss'][-1]:.3g};  validation accuracy {100 * history['val_acc'][-1]:.1f}%")

fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
training_figures.plot_loss_curves(lr_runs, axes[0], title="All three, log scale: 0.3 explodes", log_y=True)
finite = {label: h for label, h in lr_runs.items() if max(h["loss"]) < 2 * h["loss"][0]}  # the runs that did not blow up
training_figures.plot_loss_curves(finite, axes[1], title="The runs that stay finite, linear scale")
fig.suptitle("The same network, three learning rates")
plt.show()

# %% [markdown]
# Read the curves as a diagnosis. On the left, a log scale is needed to fit the run with lr = 0.3 at all:
# **too large**, its steps overshoot the valley the loss lies in, the loss explodes instead of falling and
# the network ends no better than guessing (a still larger step overflows to `inf` or `nan`). On that scale
# the other two runs look like one flat line, so the right panel shows only them, on a linear scale. **Too
# small** (1e-5): the loss stays near its starting value (the He-scaled random weights give confident
# random scores, a little worse than the uniform guess $\log 10 \approx 2.3$; the printout above gives
# both ends of each run); the network learns, but so slowly that the run is wasted. **About right**
# (0.01): the loss falls quickly at first and then more slowly, while its minibatch noise stays visible. A
# loss that falls, but only linearly and slowly, asks for a larger learning rate; one that explodes, or
# falls first and then rises, for a smaller one.
#
# ### Initialisation matters too
#
# Two more short runs with the same learning rate 0.01, but a different initial scale of the weights:
# all zeros, and a standard deviation of 1, about 40 times the He scale $\sqrt{2/3072} \approx 0.026$.

# %%
init_runs = {}
with np.errstate(over="ignore", invalid="ignore"):
    for label, scale in (("He init", "he"), ("all zeros", 0.0), ("std 1", 1.0)):
        init_net, init_runs[label] = short_run(weight_scale=scale)
        print(f"{label:<9}: validation accuracy after each epoch " + " ".join(f"{100 * a:.1f}%" for a in init_runs[label]["val_acc"])
              + f";  W1 changed: {bool(np.any(init_net.params['W1']))}")

fig = training_figures.plot_loss_curves(init_runs, title="The same network, three initial weight scales", log_y=True)
plt.show()

# %% [markdown]
# **All zeros** never breaks the symmetry between the hidden units (notebook 07): every unit computes the
# same output and receives the same gradient, so they stay identical forever; with ReLU and zero weights
# that output and both weight gradients are exactly 0, so only the output bias learns and the network
# predicts one class, about 10% right. **Too large** weights make the scores huge: the softmax is
# saturated, the loss starts enormous and its gradients are huge and erratic, so the first steps throw the
# weights around instead of improving them. He initialisation (notebook 02) keeps the variance of the
# activations about the same from layer to layer, so training starts where the gradient is informative.

# %% [markdown]
# ## 7. Tuning on the validation split
#
# Learning rate and regularization strength are *hyperparameters*: the gradient does not set them. We try
# combinations with short runs and keep the one with the best **validation** accuracy; the test set plays
# no part. A first, **coarse** search covers a wide range: learning rates a factor of 10 apart, since
# only the order of magnitude matters at first.

# %%
n_tune = 10_000 if FULL else len(X_tr)
LRS, REGS = (1e-4, 1e-3, 1e-2, 1e-1), (1e-4, 1e-2)


def val_accuracy(lr, reg, hidden=200, epochs=3, seed=6):
    """Validation accuracy of a two-layer net trained with (lr, reg) on the first n_tune training images."""
    net, _ = short_run(lr=lr, reg=reg, hidden=hidden, epochs=epochs, n=n_tune, seed=seed)
    return accuracy(net.predict(X_val), y_val)


grid_results = {}
with np.errstate(over="ignore", invalid="ignore"):  # lr = 0.1 may diverge
    for lr in LRS:
        for reg in REGS:
            grid_results[(lr, reg)] = val_accuracy(lr, reg)
            print(f"lr = {lr:<6g} reg = {reg:<6g} validation accuracy {100 * grid_results[(lr, reg)]:.1f}%")
grid_lr, grid_reg = max(grid_results, key=grid_results.get)
for name, best, tried in (("lr", grid_lr, LRS), ("reg", grid_reg, REGS)):
    where = "at the EDGE of" if best in (min(tried), max(tried)) else "inside"
    print(f"best {name} = {best:g}: {where} the values tried {tried}")
reg_effect = max(abs(grid_results[(lr, REGS[0])] - grid_results[(lr, REGS[1])]) for lr in LRS if lr <= grid_lr)
print(f"changing reg from {REGS[0]:g} to {REGS[1]:g} moves the validation accuracy by at most {100 * reg_effect:.1f} points "
      f"at the learning rates up to the best one")

# %% [markdown]
# **Look where the best value lies.** If it is the smallest or the largest value tried, the true best may
# lie beyond the grid: widen the grid on that side and search again before narrowing down. Had we tried
# only lr = 0.001, 0.003 and 0.01 and found the best at 0.01, the largest value, we could not tell whether
# 0.03 or 0.1 is better still; the grid above spans a factor of 1,000. For the
# regularization strength an edge is less alarming when the accuracies barely differ (the last line
# above says by how much): short runs on 10,000 images hardly overfit, so the penalty matters little yet.
# We come back to it with long runs below.
#
# The **fine** search then samples around the best coarse value. Random values beat a finer grid (Bergstra
# and Bengio, 2012): with 9 grid points over two hyperparameters you try only 3 values of each, with 9
# random points 9 different values of each, and usually only one of the two matters much. A learning rate
# is drawn **log-uniformly**, $\eta = 10^u$ with $u$ uniform between $\log_{10}$ of the bounds, so that
# 0.001 to 0.01 gets as many trials as 0.01 to 0.1.

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex5_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 5: random search (2 points)
#
# Write `random_search(train_and_score, lr_range, reg_range, num_trials, rng)`. For each of `num_trials`
# trials draw a learning rate log-uniformly from `lr_range = (low, high)` and, independently, a
# regularization strength log-uniformly from `reg_range`, with the `rng` you are given; call
# `train_and_score(lr, reg)` once per trial (it returns the validation accuracy). Return the list of
# `(lr, reg, score)` tuples of all trials, sorted **best first** (highest score first).

# %% nbgrader={"grade": false, "grade_id": "random_search", "locked": false, "schema_version": 3, "solution": true}
def random_search(train_and_score, lr_range, reg_range, num_trials, rng):
    """Random search over the learning rate and the L2 strength, both log-uniform.

    Parameters
    ----------
    train_and_score : callable, ``train_and_score(lr, reg) -> float`` (higher is better)
    lr_range, reg_range : (low, high) with 0 < low < high
    num_trials : int
    rng : numpy.random.Generator

    Returns
    -------
    results : list of num_trials tuples (lr, reg, score), highest score first
    """
    ### BEGIN SOLUTION
    results = []
    for _ in range(num_trials):
        lr = 10 ** rng.uniform(np.log10(lr_range[0]), np.log10(lr_range[1]))
        reg = 10 ** rng.uniform(np.log10(reg_range[0]), np.log10(reg_range[1]))
        results.append((lr, reg, train_and_score(lr, reg)))
    return sorted(results, key=lambda r: r[2], reverse=True)
    ### END SOLUTION


# %% [markdown]
# Try it around the best coarse values: learning rates from a third to three times `grid_lr`,
# regularization strengths from a tenth to ten times `grid_reg`.

# %%
with np.errstate(over="ignore", invalid="ignore"):
    search = random_search(val_accuracy, (grid_lr / 3, grid_lr * 3), (grid_reg / 10, grid_reg * 10), num_trials=6, rng=np.random.default_rng(7))
for lr, reg, score in search:
    print(f"lr = {lr:.2e} reg = {reg:.2e} validation accuracy {100 * score:.1f}%")
best_lr, best_reg, _ = search[0]
print(f"best: lr = {best_lr:.2e}, reg = {best_reg:.2e}")

# %% nbgrader={"grade": true, "grade_id": "random_search_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
def _check_search(lr_range, reg_range, num_trials, seed):
    calls = []

    def _score(lr, reg):  # a made-up validation accuracy, best at lr = 1e-2, reg = 1e-3
        calls.append((lr, reg))
        return float(1.0 - 0.1 * (np.log10(lr) + 2) ** 2 - 0.05 * (np.log10(reg) + 3) ** 2)

    results = testing.check_own_work(random_search, _score, lr_range, reg_range, num_trials, np.random.default_rng(seed), forbidden=("helpers",))
    testing.assert_true(isinstance(results, list | tuple), "random_search returns a list of (lr, reg, score) tuples",
                        hint=f"random_search should return a list of (lr, reg, score) tuples, got {type(results).__name__}")
    testing.assert_equal(len(calls), num_trials, name="the number of calls of train_and_score (once per trial)")
    testing.assert_equal(len(results), num_trials, name="the number of results (one (lr, reg, score) tuple per trial)")
    for r in results:
        testing.assert_true(len(r) == 3, "each result is a tuple (lr, reg, score)", hint=f"each result should be a tuple (lr, reg, score), got {r!r}")
    lrs, regs, scores = (np.array([float(r[k]) for r in results]) for k in range(3))
    testing.assert_true(np.all((lrs >= lr_range[0]) & (lrs <= lr_range[1])), "every learning rate lies in lr_range",
                        hint=f"learning rates outside lr_range {lr_range}: {lrs[(lrs < lr_range[0]) | (lrs > lr_range[1])][:3]} (draw u between log10(low) and log10(high), then lr = 10**u)")
    testing.assert_true(np.all((regs >= reg_range[0]) & (regs <= reg_range[1])), "every regularization strength lies in reg_range",
                        hint=f"regularization strengths outside reg_range {reg_range}: {regs[(regs < reg_range[0]) | (regs > reg_range[1])][:3]}")
    testing.assert_close(sorted(zip(lrs, regs, strict=True)), sorted(calls), name="the (lr, reg) of the results compared with the calls of train_and_score (the values tried)")
    testing.assert_close(scores, [_score(a, b) for a, b in zip(lrs, regs, strict=True)], name="each score compared with train_and_score(lr, reg) of its own lr and reg")
    testing.assert_close(scores, np.sort(scores)[::-1], name="the order of the scores (best first: sorted by score, highest first)")
    if num_trials >= 200:
        for name, values, (low, high) in (("lr", lrs, lr_range), ("reg", regs, reg_range)):
            below = float(np.mean(values < np.sqrt(low * high)))
            testing.assert_true(0.4 < below < 0.6, "about half the values lie below the middle of the log range (draw log-uniformly)", hint=(
                f"{100 * below:.0f}% of the {name} values lie below the middle of the log range sqrt(low * high) = {np.sqrt(low * high):.3g}, "
                "about 50% were expected: draw log-uniformly, 10**rng.uniform(log10(low), log10(high)), not rng.uniform(low, high)"))
        corr = float(np.corrcoef(np.log(lrs), np.log(regs))[0, 1])
        testing.assert_true(abs(corr) < 0.3, "lr and reg are drawn independently",
                            hint=f"lr and reg are correlated (correlation of their logs {corr:.2f}): draw a separate random number for each")
    again = random_search(lambda lr, reg: 0.0, lr_range, reg_range, num_trials, np.random.default_rng(seed))
    testing.assert_close(sorted(float(r[0]) for r in again), np.sort(lrs), name="the learning rates of a second search with the same rng (draw from the rng you are given, not np.random)")


_check_search((1e-4, 1e-1), (1e-5, 1e-1), num_trials=400, seed=812)
### BEGIN HIDDEN TESTS
_check_search((3e-3, 3e-2), (1e-4, 1e-2), num_trials=300, seed=813)
_check_search((0.5, 2.0), (1e-6, 1e-3), num_trials=1, seed=814)
_check_search((1e-5, 1e-3), (0.01, 0.1), num_trials=7, seed=815)
### END HIDDEN TESTS

# %% [markdown]
# ### How precise is a validation accuracy?
#
# Every validation image is either right or wrong, so an accuracy $p$ measured on $n$ images is a
# binomial count divided by $n$: run again on other images of the same kind, it would scatter with a
# **standard error** of $\sqrt{p(1-p)/n}$. On $n = 1{,}000$ images and $p$ near 0.4 that is about 1.5
# percentage points, and two runs that differ by less than about two standard errors cannot be told
# apart. Compare that with how far apart the trials of the search are:

# %%
search_scores = np.array([score for _, _, score in search])
search_se = training_figures.accuracy_standard_error(search_scores[0], len(y_val))
close = int(np.sum(search_scores >= search_scores[0] - 2 * search_se))
print(f"the {len(search)} trials span {100 * search_scores.min():.1f}% to {100 * search_scores.max():.1f}% "
      f"validation accuracy: {100 * (search_scores.max() - search_scores.min()):.1f} points")
print(f"one standard error of the best accuracy on {len(y_val)} validation images: {100 * search_se:.1f} points")
print(f"trials within two standard errors of the best: {close} of {len(search)}")
fig = training_figures.plot_search(search, len(y_val), title="Random search: each trial with one standard error")
plt.show()

# %% [markdown]
# When the whole spread of the search is a few standard errors, as the lines above show, the search has
# found a good **region** of learning rates, not a winner: the order of its trials is partly luck of the
# 1,000 validation images. (More validation images would shrink the error bars, as $1/\sqrt{n}$, at the
# price of fewer training images.) We keep its learning rate, a safe choice inside that region. Its
# regularization strength we do not trust: runs of 3 epochs on 10,000 images hardly overfit, so the
# penalty barely changed them. Regularization, and the number of hidden units, show their effect only
# in runs long enough to overfit, so we choose them there.
#
# ### Long runs: hidden units, regularization and early stopping
#
# We now train on all training images for several epochs, with your loop and your pieces, for two
# hidden sizes and two regularization strengths: the search's and one ten times stronger. Each run calls
# your loop once per epoch so that it can keep a copy of the weights after the epoch with the best
# validation accuracy: **early stopping**, which gives back the weights from before validation accuracy
# started to fall, if it did; if the best epoch is the last one, validation accuracy was still rising and
# more epochs might help a little, at their cost in time. (One `velocity` dict is kept across the calls by a small wrapper of your
# step, so the run is the same as one call of the loop for all epochs.) On the full data this cell takes
# about a minute on two CPU cores.

# %%
EPOCHS = 8 if FULL else 4
HIDDEN_SIZES = (100, 400) if FULL else (50, 100)
LONG_REGS = (best_reg, 10 * best_reg)


def long_run(hidden, reg, seed=8):
    """Train a two-layer net with your loop on all training images for EPOCHS epochs, one call per epoch.

    Returns (net with the weights of its best validation epoch, history of all epochs, best epoch, initial W1).
    """
    net = models.TwoLayerNet(3072, hidden, 10, weight_scale="he", reg=reg, rng=np.random.default_rng(seed), loss_fn=two_layer_loss)
    W1_init = net.params["W1"].copy()
    velocity = {name: np.zeros_like(value) for name, value in net.params.items()}  # one velocity for all epochs

    def step(params, grads, _, lr, momentum):
        sgd_momentum_step(params, grads, velocity, lr, momentum)

    order_rng = np.random.default_rng(seed + 1)
    history, best_epoch, best_params = {"loss": [], "train_acc": [], "val_acc": []}, 0, None
    for epoch in range(EPOCHS):
        h = minibatch_sgd(net.params, net.loss, net.predict, X_tr, y_tr, X_val, y_val, epochs=1, batch_size=200, lr=best_lr * 0.8**epoch,
                          lr_decay=1.0, momentum=0.9, rng=order_rng, step=step, metric=accuracy)
        for key in history:
            history[key] += h[key]
        if best_params is None or history["val_acc"][-1] > history["val_acc"][best_epoch]:
            best_epoch, best_params = epoch, {name: value.copy() for name, value in net.params.items()}
    net.params = best_params  # early stopping: back to the best validation epoch
    return net, history, best_epoch, W1_init


long_runs = {}
for hidden in HIDDEN_SIZES:
    for reg in LONG_REGS:
        net, history, best_epoch, _ = long_runs[(hidden, reg)] = long_run(hidden, reg)
        print(f"H = {hidden:<3} reg = {reg:.1e}:  last epoch train {100 * history['train_acc'][-1]:.1f}%, validation "
              f"{100 * history['val_acc'][-1]:.1f}% (gap {100 * (history['train_acc'][-1] - history['val_acc'][-1]):.1f} points);  "
              f"best validation {100 * history['val_acc'][best_epoch]:.1f}% after epoch {best_epoch + 1}")
HIDDEN, final_reg = max(long_runs, key=lambda k: long_runs[k][1]["val_acc"][long_runs[k][2]])
final_net, final_history, final_epoch, W1_init = long_runs[(HIDDEN, final_reg)]
print(f"chosen: H = {HIDDEN}, reg = {final_reg:.1e}, the weights after epoch {final_epoch + 1}: "
      f"validation accuracy {100 * accuracy(final_net.predict(X_val), y_val):.1f}%")

fig = training_figures.plot_accuracy_runs({f"H = {h}, reg = {r:.1e}": run[1] for (h, r), run in long_runs.items()},
                                          title=f"Long runs on all training images ({EPOCHS} epochs)")
plt.show()

# %% [markdown]
# Dashed lines are training accuracy, solid lines validation accuracy. In every long run the training
# accuracy climbs above the validation accuracy, and the gap grows with the epochs: the network starts
# to **overfit**, fitting details of its training images that do not carry over to new ones; the wider
# network, with more weights to fit them with, overfits more. The ten times stronger penalty narrows the
# gap (the printout gives each gap); whether it also raises the validation accuracy is what the choice
# above decides, keeping in mind that differences below two standard errors are noise. Two answers to
# overfitting are built in: $\lambda$ and $H$ are chosen on these long runs, where overfitting happens,
# and each run keeps the weights of its best validation epoch, so that training longer than useful costs
# time but no accuracy. Because we picked the best of four runs and of their epochs on the same 1,000
# validation images, the chosen validation accuracy is a little optimistic: one more reason for the test
# set.

# %%
fig = training_figures.plot_history(final_history, title=f"The chosen run: {HIDDEN} hidden units, reg = {final_reg:.1e}, {EPOCHS} epochs")
plt.show()

# %% [markdown]
# What did the hidden units learn? Each column of $W_1$ holds one unit's weights on the 3072 input values,
# so it can be shown as a $32 \times 32$ colour image. Shown directly, the trained columns look like noise:
# they started as He-initialised random numbers, and training moved them only part of the way (the first
# line below says how far). So we show what training **added**, $W_1 - W_1^{\text{init}}$, for the units
# whose weights changed most.

# %%
W1_final = final_net.params["W1"]
order, share = image_figures.unit_changes(W1_final, W1_init)
n_shown = min(40, HIDDEN)
print(f"training moved W1 by {100 * np.linalg.norm(W1_final - W1_init) / np.linalg.norm(W1_init):.0f}% of the norm of its initial value")
print("correlation of neighbouring pixels: "
      + ", ".join(f"{name} {image_figures.neighbour_correlation(W):.2f}" for name, W in
                  (("initial W1", W1_init), ("trained W1", W1_final), ("the change W1 - W1_init", W1_final - W1_init))))
print(f"the {n_shown} units that changed most hold {100 * share[n_shown - 1]:.0f}% of the total squared change "
      f"({100 * n_shown / HIDDEN:.0f}% if every unit changed equally)")
fig = image_figures.show_first_layer_change(W1_final, W1_init, n=n_shown)
plt.show()

# %% [markdown]
# The change is a picture, not noise: neighbouring pixels of the change are strongly correlated, as in
# natural images, while those of the random initial weights are not, and the trained $W_1$, initial noise
# plus change, lies in between, much closer to the noise. The changes are mostly colour blobs near the
# centre of the image, where the objects usually are, and horizontal bands, like a horizon or the edge of
# the ground, with some noise left from the minibatch gradients. The curve on the right
# shows how the change is spread over the units: the units that changed most hold only a little more than
# their share, so no small group of units does the work; every unit learned a little. With more epochs
# or a stronger penalty, which shrinks the initial noise, the trained weights themselves would show these
# patterns more clearly.


# %% [markdown]
# ## 8. The test set, once
#
# All choices are made. Now, and only now, we measure both models on the 10,000 test images.

# %%
test_scores = final_net.loss(X_test)
test_acc = accuracy(test_scores, y_test)
linear_test_acc = {name: accuracy(model[2](X_test), y_test) for name, model in linear_models.items()}
print(f"test accuracy: linear softmax {100 * linear_test_acc['softmax']:.1f}%, linear SVM {100 * linear_test_acc['SVM']:.1f}%, "
      f"two-layer network {100 * test_acc:.1f}%")

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex6_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 6: confusion matrix (2 points)
#
# Write `confusion_matrix(y_true, y_pred, num_classes)`: an integer array `M` of shape
# `(num_classes, num_classes)` where `M[i, j]` counts the examples of true class `i` predicted as class `j`.
# The diagonal holds the correct predictions. Hint: `np.add.at` or `np.bincount` avoid a Python loop, but a
# loop is fine too.

# %% nbgrader={"grade": false, "grade_id": "confusion", "locked": false, "schema_version": 3, "solution": true}
def confusion_matrix(y_true, y_pred, num_classes):
    """Counts of (true class, predicted class) pairs.

    Parameters
    ----------
    y_true : ndarray of int, shape (N,)
    y_pred : ndarray of int, shape (N,)
    num_classes : int, C

    Returns
    -------
    M : ndarray of int, shape (C, C); M[i, j] = number of examples with y_true == i and y_pred == j
    """
    ### BEGIN SOLUTION
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    flat = np.bincount(y_true * num_classes + y_pred, minlength=num_classes * num_classes)
    return flat.reshape(num_classes, num_classes)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "confusion_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false}
_rng = np.random.default_rng(807)
_yt = _rng.integers(0, 4, size=50)
_yp = _rng.integers(0, 4, size=50)
_M = testing.check_own_work(confusion_matrix, _yt, _yp, 4, forbidden=("helpers",))
testing.assert_shape(_M, (4, 4), name="confusion_matrix(y_true, y_pred, 4)")
testing.assert_dtype(_M, np.integer, name="confusion_matrix(y_true, y_pred, 4)")
testing.assert_equal(
    int(np.sum(_M)),
    50,
    name="the sum of all counts (one count per example; M[y_true, y_pred] += 1 counts a repeated pair only once: use np.add.at or a loop)",
)
testing.assert_equal(np.asarray(_M).sum(axis=1), np.bincount(_yt, minlength=4), name="row sums (examples per true class)")
testing.assert_equal(int(np.trace(_M)), int(np.sum(_yt == _yp)), name="the diagonal sum (correct predictions)")
testing.assert_shape(
    testing.check_own_work(confusion_matrix, np.array([0, 1]), np.array([1, 1]), 3, forbidden=("helpers",)),
    (3, 3),
    name="confusion_matrix([0, 1], [1, 1], 3) (num_classes = 3 rows and columns, even when class 2 never occurs)",
)
### BEGIN HIDDEN TESTS
_M = testing.check_own_work(confusion_matrix, np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 0, 2, 2]), 3, forbidden=("helpers",))
testing.assert_equal(np.asarray(_M), np.array([[1, 1, 0], [0, 1, 0], [1, 0, 2]]), name="confusion_matrix on a small example")
_M = testing.check_own_work(confusion_matrix, np.array([1, 1]), np.array([1, 1]), 5, forbidden=("helpers",))
testing.assert_shape(_M, (5, 5), name="confusion_matrix with classes that never occur")
testing.assert_equal(int(np.asarray(_M)[1, 1]), 2, name="the diagonal count of a class always predicted right (M[true, predicted] counts every pair)")
### END HIDDEN TESTS

# %% [markdown]
# Rows are the true classes, columns the predictions; each row is normalised to sum to 1, so the diagonal
# is the accuracy per class.

# %%
test_pred = np.argmax(test_scores, axis=1)
cm = confusion_matrix(y_test, test_pred, 10)
fig = training_figures.plot_confusion_matrix(cm, data.CLASSES, normalize=True, title=f"Two-layer network, test set: {100 * test_acc:.1f}% accuracy")
plt.show()
off_diagonal = cm - np.diag(np.diag(cm))
i, j = np.unravel_index(np.argmax(off_diagonal), cm.shape)
print(f"most frequent confusion: {data.CLASSES[i]} predicted as {data.CLASSES[j]} ({off_diagonal[i, j]} test images)")

# %% [markdown]
# ### The most confident mistakes
#
# The test images the network got wrong with the highest predicted probability for the wrong class.
# Looking at mistakes tells you more than any single accuracy number.

# %%
test_probs = np.exp(test_scores - test_scores.max(axis=1, keepdims=True))
test_probs /= test_probs.sum(axis=1, keepdims=True)
fig = training_figures.plot_confident_mistakes(X_test_raw, test_probs, y_test, data.CLASSES, n=14)
plt.show()

# %% [markdown]
# ### Explorer: browse the test predictions
#
# Move through the test images (optionally only the mistakes) and see the network's probabilities for
# every class.

# %%
# NBVAL_IGNORE_OUTPUT
# (an interactive explorer: what it outputs depends on the front end)
if widgets.widgets_enabled():
    display(training_figures.prediction_explorer(X_test_raw, test_probs, y_test, data.CLASSES))

# %%
# The explorer at its default setting, as a still figure with what it shows (also without widgets):
training_figures.prediction_explorer(X_test_raw, test_probs, y_test, data.CLASSES, static=True)

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_results", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### Question 2 (2 points, graded by hand)
#
# Look at the linear templates, the first-layer weights, the confusion matrix and the confident mistakes.
# (a) Which pair of classes
# does the two-layer network confuse most, and what do those images have in common? (b) Why can a linear
# classifier, with one template per class, not do as well as the two-layer network? Answer in two to four
# sentences.
#
# ### BEGIN SOLUTION
# (a) Typically cat and dog (also automobile/truck, bird/deer/airplane): they share colours, shapes and
# backgrounds at 32 by 32 pixels, and the confident mistakes often have an unusual pose, a cluttered
# background or a colour typical of the other class. (b) A linear classifier scores an image by one dot
# product per class, so each class gets a single template, an average over all the poses, colours and
# backgrounds of its images. The figure shows just that: noisy colour blobs with at most a rough layout
# (a green blob in the middle for frog, blue along the lower edge for ship), no recognisable object. One
# template cannot represent "a horse facing left OR right" or "a red OR a blue car". The hidden layer of
# the two-layer network learns many templates and combines them nonlinearly (ReLU then a weighted sum),
# which handles such variations.
# ### END SOLUTION

# %% [markdown]
# ## Summary
#
# * Split the data into **training, validation and test**; compute preprocessing statistics on the
#   training split only; tune on validation; touch the test set **once**.
# * A **linear** classifier learns one template per class; with the hinge (SVM) or the softmax loss it
#   reaches about the same accuracy on CIFAR-10, far below the two-layer network (the test cell prints all
#   three).
# * **Minibatch SGD** visits the training images in a new random order every **epoch**, one minibatch per
#   iteration; the learning rate decays from epoch to epoch, and the history of the loss and the
#   accuracies shows whether training works. The loss, its gradient by backpropagation, the update step
#   and the loop are all you wrote in notebooks 04 to 08.
# * The loss curve diagnoses the **learning rate** (flat: too small; rising or erratic: too large) and the
#   **initialisation** (all zeros never breaks the symmetry; too large saturates the softmax).
# * Tune on the validation split, **coarse to fine**, random values on a log scale, and check that the best
#   value is not at the edge of the range you searched. A validation accuracy on $n$ images is uncertain
#   by $\sqrt{p(1-p)/n}$, about 1.5 points on 1,000 images: differences below about two standard errors
#   are noise. Short runs choose the learning rate; the regularization and the network's size matter only
#   in runs long enough to overfit, so choose them there, and keep the weights of the best validation
#   epoch (early stopping).
# * The lecture's **two-layer network**, trained by your loop, clearly beats the linear classifiers on the
#   full data (the test cell prints all three). `python -m helpers.train --model two_layer` adds randomly
#   flipped training images (and averages each test image's prediction with its mirror image's), a
#   cosine schedule, larger minibatches and more epochs; benchmarks/README.md gives what it reaches.
# * Always **look** at the results: curves show under- or over-fitting, the confusion matrix which classes
#   are hard, the confident mistakes what the network gets wrong.
#
# From here on the course continues with regularization in practice (dropout, batch normalization) and
# convolutional networks, which respect the two-dimensional structure that we threw away by flattening
# the images.
