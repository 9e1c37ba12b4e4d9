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
# **Time:** about 90 minutes (the full training runs take about 2 minutes) · **Points:** 14 points in total
# (10 autograded, 4 graded by hand)
#
# This is the lecture's hands-on exercise: everything from notebooks 01 to 07 on real data. CIFAR-10 has
# 50,000 training and 10,000 test images of $32 \times 32 \times 3$ pixels in 10 classes. We train a
# linear softmax classifier and the lecture's two-layer network with stochastic gradient descent, tune
# them on a validation split and measure the result **once** on the test set.
#
# **After this notebook you can**
#
# 1. load and look at a real data set, and preprocess it with statistics from the training split only;
# 2. write the pieces of a training pipeline yourself: accuracy, the two-layer network's loss and
#    gradients with L2 regularization, an SGD-with-momentum step and a confusion matrix;
# 3. train, tune on validation data and evaluate on the test set once, the honest way;
# 4. read the results: loss and accuracy curves, linear templates, a confusion matrix, confident mistakes.
#
# | exercise | what | points |
# |---|---|---|
# | 1 | accuracy | 2 |
# | Q1 | why training statistics only, why the test set once (written) | 2 |
# | 2 | two-layer network: loss and gradients with L2 | 4 |
# | 3 | one SGD step with momentum | 2 |
# | 4 | confusion matrix | 2 |
# | Q2 | reading the results (written) | 2 |
#
# The exercises are graded on small inputs, so grading is fast. When this notebook is graded it runs on
# the small CIFAR-10 sample shipped with the course (1,000 training images) instead of the full data.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import os

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from helpers import data, gradients, models, plotting, testing, train, widgets

rng = np.random.default_rng(0)
_ = plotting.use_course_style()
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
fig = plotting.image_grid(examples, [data.CLASSES[c] for c in example_labels], ncols=7, title="CIFAR-10: seven training images per class")
plt.show()

# %% [markdown]
# ## 2. Validation split and preprocessing
#
# We need three disjoint sets:
#
# * **training** data to fit the weights;
# * **validation** data to choose the hyperparameters (learning rate, regularization, hidden size,
#   number of epochs), as the lecture says: "when in doubt, use a validation set";
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
std_map = axes[1].imshow(stats["std"].reshape(32, 32, 3).mean(axis=2), cmap=plotting.CMAP)
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
testing.assert_close(_acc, 1.0, name="accuracy of perfect predictions")
_scores = _rng.normal(size=(40, 5))
_acc_scores = testing.check_own_work(accuracy, _scores, _y, forbidden=OWN)
_acc_labels = testing.check_own_work(accuracy, _scores.argmax(axis=1), _y, forbidden=OWN)
testing.assert_close(_acc_scores, _acc_labels, name="accuracy(scores, y) compared with accuracy(labels, y)")
assert 0.0 <= _acc_scores <= 1.0, f"accuracy must lie between 0 and 1, got {_acc_scores}"
### BEGIN HIDDEN TESTS
_y = np.array([0, 1, 2, 3, 1, 0, 2, 2])
_pred = np.array([0, 1, 1, 3, 0, 0, 2, 1])
testing.assert_close(testing.check_own_work(accuracy, _pred, _y, forbidden=OWN), 5 / 8, name="accuracy(labels, y)")
_scores = np.eye(4)[_pred] * 3.0 - 1.0
testing.assert_close(testing.check_own_work(accuracy, _scores, _y, forbidden=OWN), 5 / 8, name="accuracy(scores, y)")
testing.assert_close(testing.check_own_work(accuracy, (_y + 1) % 4, _y, forbidden=OWN), 0.0, name="accuracy, all wrong")
### END HIDDEN TESTS

# %% [markdown]
# ## 4. A linear classifier
#
# The simplest model of the lecture: scores $s = x W + b$ with $W$ of shape $(D, C)$, trained with the
# softmax cross-entropy loss plus L2 regularization $\lambda \sum W^2$ by minibatch SGD.
# `helpers.train.sgd` runs the loop (shuffle, cut the data into minibatches, compute loss and gradient,
# update, record the loss and your `accuracy`). The update here is notebook 06's plain step
# $w \leftarrow w - \eta \nabla L$ (`train.gradient_step`); section 6 adds momentum.

# %%
EPOCHS_LINEAR = 10 if FULL else 10
linear = models.LinearSoftmax(3072, 10, weight_scale=1e-3, reg=1e-3, rng=np.random.default_rng(3))
linear_history = train.sgd(
    linear, X_tr, y_tr, X_val, y_val,
    epochs=EPOCHS_LINEAR, batch_size=200, lr=1e-2, momentum=0.0, rng=np.random.default_rng(4), progress=False,
    step=train.gradient_step, metric=accuracy,
)
print(f"linear softmax: validation accuracy {100 * accuracy(linear.predict(X_val), y_val):.1f}%")

# %%
fig = plotting.plot_history(linear_history, title="Linear softmax classifier on CIFAR-10")
plt.show()

# %% [markdown]
# Each column of $W$ is a **template**: the score of class $k$ is the dot product of the image with column
# $k$. Reshaped to $32 \times 32 \times 3$ and rescaled to the visible range, the templates show what each
# class "looks like" to a linear classifier: one blurry average over all its images.

# %%
fig = plotting.show_templates(linear.params["W"], data.CLASSES, title="Learned linear templates (columns of W)")
plt.show()

# %% [markdown]
# ## 5. The two-layer network: loss and gradients
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
testing.assert_close(_loss, np.log(4), name="loss with tiny weights and reg=0 (about log C)", rtol=1e-3)
_p, _X, _y = _problem(9, 6, 5, 4, seed=802)
_loss_0, _ = testing.check_own_work(two_layer_loss, _p, _X, _y, 0.0, forbidden=OWN)
_loss_r, _ = testing.check_own_work(two_layer_loss, _p, _X, _y, 0.3, forbidden=OWN)
testing.assert_close(_loss_r - _loss_0, 0.3 * (np.sum(_p["W1"] ** 2) + np.sum(_p["W2"] ** 2)),
                     name="loss(reg=0.3) - loss(reg=0): the L2 penalty on W1 and W2 (no 1/2, biases excluded)")
### BEGIN HIDDEN TESTS
_p, _X, _y = _problem(12, 5, 6, 3, seed=803)
_loss, _ = testing.check_own_work(two_layer_loss, _p, _X, _y, 0.05, forbidden=OWN)
_S = np.maximum(_X @ _p["W1"] + _p["b1"], 0) @ _p["W2"] + _p["b2"]
_S = _S - _S.max(axis=1, keepdims=True)
_expected = -np.mean(_S[np.arange(12), _y] - np.log(np.exp(_S).sum(axis=1)))
_expected += 0.05 * (np.sum(_p["W1"] ** 2) + np.sum(_p["W2"] ** 2))
testing.assert_scalar(_loss, "loss", expected=_expected)
# large scores: stable softmax, finite loss
_big = {_k: 200.0 * _v for _k, _v in _p.items()}
_loss, _ = testing.check_own_work(two_layer_loss, _big, _X, _y, 0.0, forbidden=OWN)
assert np.isfinite(_loss), "loss with large scores is not finite: subtract the row max before np.exp"
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "two_layer_loss_grad_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false}
_p, _X, _y = _problem(8, 6, 5, 4, seed=804)
_loss, _grads = testing.check_own_work(two_layer_loss, _p, _X, _y, 0.1, forbidden=OWN)
assert isinstance(_grads, dict), f"grads should be a dict with keys W1, b1, W2, b2, got {type(_grads).__name__}"
for _name in ("W1", "b1", "W2", "b2"):
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
for _reg in (0.02, 0.0):
    _loss, _grads = testing.check_own_work(two_layer_loss, _p, _X, _y, _reg, forbidden=OWN)
    for _name in ("W1", "b1", "W2", "b2"):
        _num = gradients.numerical_gradient(lambda _, r=_reg: _ref_loss(_p, _X, _y, r), _p[_name])
        testing.assert_grad_close(_grads[_name], _num, name=f"grads[{_name!r}] (reg={_reg})", threshold=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# ## 6. The training step: SGD with momentum
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
_p0 = {_k: _x.copy() for _k, _x in _p.items()}
_ret = testing.check_own_work(sgd_momentum_step, _p, _g, _v, 0.1, 0.0, forbidden=OWN_STEP)
assert _ret is None, "sgd_momentum_step should change the dicts and return None"
for _k in _p:
    testing.assert_close(_p[_k], _p0[_k] - 0.1 * _g[_k], name=f"params[{_k!r}] after one step with momentum=0 (plain gradient descent)")
    testing.assert_shape(_v[_k], _p0[_k].shape, name=f"velocity[{_k!r}]")
### BEGIN HIDDEN TESTS
_p = {"W": np.array([[1.0, -2.0]]), "b": np.array([0.5])}
_v = {"W": np.array([[0.2, 0.0]]), "b": np.array([-0.1])}
_g = {"W": np.array([[1.0, 3.0]]), "b": np.array([2.0])}
testing.check_own_work(sgd_momentum_step, _p, _g, _v, 0.5, 0.9, forbidden=OWN_STEP)
testing.assert_close(_v["W"], [[0.18 - 0.5, -1.5]], name="velocity['W'] after one step")
testing.assert_close(_v["b"], [-0.09 - 1.0], name="velocity['b'] after one step")
testing.assert_close(_p["W"], [[1.0 + 0.18 - 0.5, -2.0 - 1.5]], name="params['W'] after one step")
testing.assert_close(_p["b"], [0.5 - 1.09], name="params['b'] after one step")
testing.check_own_work(sgd_momentum_step, _p, _g, _v, 0.5, 0.9, forbidden=OWN_STEP)
testing.assert_close(_v["W"], [[0.9 * (0.18 - 0.5) - 0.5, 0.9 * -1.5 - 1.5]], name="velocity['W'] after two steps")
testing.assert_close(_p["W"], [[1.0 + 0.18 - 0.5 + 0.9 * (0.18 - 0.5) - 0.5, -2.0 - 1.5 + 0.9 * -1.5 - 1.5]], name="params['W'] after two steps")
### END HIDDEN TESTS

# %% [markdown]
# ### Your own network, your own training loop
#
# Put your pieces together: a short run of minibatch SGD on a subset of the training images, with your
# `two_layer_loss`, your `sgd_momentum_step` and your `accuracy`. A few seconds of training should already
# beat the linear classifier's first epochs.

# %%
def train_own(X, y, X_val, y_val, hidden=100, epochs=5, batch_size=200, lr=1e-2, momentum=0.9, reg=1e-3, seed=5):
    """Minibatch SGD with your pieces; returns (params, losses per step, validation accuracy per epoch)."""
    g = np.random.default_rng(seed)
    D, C = X.shape[1], 10
    params = {"W1": (np.sqrt(2.0 / D) * g.standard_normal((D, hidden))).astype(np.float32),
              "b1": np.zeros(hidden, np.float32),
              "W2": (np.sqrt(2.0 / hidden) * g.standard_normal((hidden, C))).astype(np.float32),
              "b2": np.zeros(C, np.float32)}
    velocity = {name: np.zeros_like(value) for name, value in params.items()}
    losses, val_accs = [], []
    for _epoch in range(epochs):
        order = g.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start : start + batch_size]
            loss, grads = two_layer_loss(params, X[batch], y[batch], reg)
            sgd_momentum_step(params, grads, velocity, lr, momentum)
            losses.append(loss)
        hidden_val = np.maximum(X_val @ params["W1"] + params["b1"], 0)
        val_accs.append(accuracy(hidden_val @ params["W2"] + params["b2"], y_val))
    return params, np.array(losses), np.array(val_accs)


n_own = 10_000 if FULL else len(X_tr)
own_params, own_losses, own_val = train_own(X_tr[:n_own], y_tr[:n_own], X_val, y_val)
print("validation accuracy after each epoch:", " ".join(f"{100 * a:.1f}%" for a in own_val))

# %%
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(own_losses, lw=0.8)
ax.set_xlabel("SGD step (minibatch of 200)")
ax.set_ylabel("training loss (minibatch)")
ax.set_title(f"Your two-layer net on {n_own:,} training images")
plt.show()

# %% [markdown]
# ## 7. Tuning on the validation split
#
# Learning rate and regularization strength are *hyperparameters*: the gradient does not set them. We try
# a few combinations with short runs and keep the one with the best **validation** accuracy. From here on
# we use the course library's `models.TwoLayerNet` and `train.sgd` with your pieces (`loss_fn=two_layer_loss`,
# `step=sgd_momentum_step`, `metric=accuracy`), in float32, with a learning-rate schedule and random
# horizontal flips of the training images.

# %%
n_tune = 10_000 if FULL else len(X_tr)
grid = [(lr, reg) for lr in (0.001, 0.003, 0.01) for reg in (1e-4, 1e-3)]
results = {}
for lr, reg in grid:
    net = models.TwoLayerNet(3072, 200, 10, weight_scale="he", reg=reg, rng=np.random.default_rng(6), loss_fn=two_layer_loss)
    train.sgd(net, X_tr[:n_tune], y_tr[:n_tune], X_val, y_val, epochs=3, batch_size=200, lr=lr, momentum=0.9, rng=np.random.default_rng(7), progress=False,
              step=sgd_momentum_step, metric=accuracy)
    results[(lr, reg)] = accuracy(net.predict(X_val), y_val)
    print(f"lr = {lr:<5g} reg = {reg:<6g} validation accuracy {100 * results[(lr, reg)]:.1f}%")
best_lr, best_reg = max(results, key=results.get)
print(f"best: lr = {best_lr:g}, reg = {best_reg:g}")

# %% [markdown]
# ### The long run
#
# With the chosen hyperparameters we train a wider network (500 hidden units) on all training images.
# A cosine schedule lowers the learning rate smoothly to zero, and random horizontal flips (a mirrored cat
# is still a cat) make the training set effectively larger. On the full data this cell takes about
# a minute on two CPU cores. (`python -m helpers.train --model two_layer` runs the same recipe for 25
# epochs and gets a few points more.)

# %%
EPOCHS = 15 if FULL else 5
HIDDEN = 500 if FULL else 100
final_net = models.TwoLayerNet(3072, HIDDEN, 10, weight_scale="he", reg=best_reg, rng=np.random.default_rng(8), loss_fn=two_layer_loss)
final_history = train.sgd(
    final_net, X_tr, y_tr, X_val, y_val,
    epochs=EPOCHS, batch_size=200, lr=best_lr, momentum=0.9, schedule="cosine", flip=True,
    rng=np.random.default_rng(9), progress=False, step=sgd_momentum_step, metric=accuracy,
)
print(f"two-layer net: training accuracy {100 * accuracy(final_net.predict(X_tr), y_tr):.1f}%, "
      f"validation accuracy {100 * accuracy(final_net.predict(X_val), y_val):.1f}%")

# %%
fig = plotting.plot_history(final_history, title=f"Two-layer network ({HIDDEN} hidden units, {EPOCHS} epochs) on CIFAR-10")
plt.show()

# %% [markdown]
# ## 8. The test set, once
#
# All choices are made. Now, and only now, we measure both models on the 10,000 test images.

# %%
test_scores = final_net.loss(X_test)
test_acc = accuracy(test_scores, y_test)
linear_test_acc = accuracy(linear.predict(X_test), y_test)
print(f"test accuracy: linear softmax {100 * linear_test_acc:.1f}%, two-layer network {100 * test_acc:.1f}%")

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex4_prompt", "locked": true, "schema_version": 3, "solution": false}
# ### Exercise 4: confusion matrix (2 points)
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
testing.assert_equal(int(np.sum(_M)), 50, name="the sum of all counts (one count per example)")
testing.assert_equal(np.asarray(_M).sum(axis=1), np.bincount(_yt, minlength=4), name="row sums (examples per true class)")
testing.assert_equal(int(np.trace(_M)), int(np.sum(_yt == _yp)), name="the diagonal sum (correct predictions)")
### BEGIN HIDDEN TESTS
_M = testing.check_own_work(confusion_matrix, np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 0, 2, 2]), 3, forbidden=("helpers",))
testing.assert_equal(np.asarray(_M), np.array([[1, 1, 0], [0, 1, 0], [1, 0, 2]]), name="confusion_matrix on a small example")
_M = testing.check_own_work(confusion_matrix, np.array([1, 1]), np.array([1, 1]), 5, forbidden=("helpers",))
testing.assert_shape(_M, (5, 5), name="confusion_matrix with classes that never occur")
testing.assert_equal(int(np.asarray(_M)[1, 1]), 2, name="M[1, 1]")
### END HIDDEN TESTS

# %% [markdown]
# Rows are the true classes, columns the predictions; each row is normalised to sum to 1, so the diagonal
# is the accuracy per class.

# %%
test_pred = np.argmax(test_scores, axis=1)
cm = confusion_matrix(y_test, test_pred, 10)
fig = plotting.plot_confusion_matrix(cm, data.CLASSES, normalize=True, title=f"Two-layer network, test set: {100 * test_acc:.1f}% accuracy")
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
fig = plotting.plot_confident_mistakes(X_test_raw, test_probs, y_test, data.CLASSES, n=14)
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
    display(widgets.prediction_explorer(X_test_raw, test_probs, y_test, data.CLASSES))

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_results", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### Question 2 (2 points, graded by hand)
#
# Look at the linear templates, the confusion matrix and the confident mistakes. (a) Which pair of classes
# does the two-layer network confuse most, and what do those images have in common? (b) Why can a linear
# classifier, with one template per class, not do as well as the two-layer network? Answer in two to four
# sentences.
#
# ### BEGIN SOLUTION
# (a) Typically cat and dog (also automobile/truck, bird/deer/airplane): they share colours, shapes and
# backgrounds at 32 by 32 pixels, and the confident mistakes often have an unusual pose, a cluttered
# background or a colour typical of the other class. (b) A linear classifier scores an image by one dot
# product per class, so each class gets a single blurred average template (the horse template has a head on
# both sides, the car template is red); it cannot represent "a horse facing left OR right" or "a red OR a
# blue car". The hidden layer of the two-layer network learns many templates and combines them
# nonlinearly (ReLU then a weighted sum), which handles such variations.
# ### END SOLUTION

# %% [markdown]
# ## Summary
#
# * Split the data into **training, validation and test**; compute preprocessing statistics on the
#   training split only; tune on validation; touch the test set **once**.
# * A **linear** classifier learns one template per class; on CIFAR-10 it reaches about 40% accuracy.
# * The lecture's **two-layer network**, trained with minibatch **SGD with momentum**, a learning-rate
#   schedule and flipped images, reaches well over 50% on the full data in about a minute on
#   two CPU cores: the loss, its gradient by backpropagation and the update step are all you wrote in
#   notebooks 04 to 08.
# * Always **look** at the results: curves show under- or over-fitting, the confusion matrix which classes
#   are hard, the confident mistakes what the network gets wrong.
#
# From here on the course continues with regularization in practice (dropout, batch normalization) and
# convolutional networks, which respect the two-dimensional structure that we threw away by flattening
# the images.
