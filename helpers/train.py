r"""Minibatch SGD with momentum and a learning-rate schedule, and a CLI (notebook 08_cifar10).

:func:`sgd` trains any model of :mod:`helpers.models` (anything with ``params`` and
``loss(X, y) -> (loss, grads)``) with the momentum update of the lecture

.. math:: v \leftarrow \mu v - \eta_t \nabla_W L, \qquad W \leftarrow W + v,

where the learning rate :math:`\eta_t` follows :func:`learning_rate` (constant, step decay per
epoch, or cosine).  It records a :class:`History` and shows a progress bar (``tqdm.auto``: a
widget in notebooks, text in terminals).  It is the reference answer to notebook 08's
``minibatch_sgd`` exercise (with ``schedule="step"`` and no flips it computes the same history), so
the student bundle and the grader ship a stub of it until 08 is due.

The command line trains on CIFAR-10 with the reference recipes of :data:`RECIPES`::

    python -m helpers.train --model two_layer --json
    python -m helpers.train --model softmax --epochs 5 --data path/to/cifar-10-python.tar.gz

Statistics for preprocessing come from the training split only; ``--val-size`` examples of the
training set are held out for validation, and the test set is evaluated once, at the end.  A recipe
trained with random flips predicts each test image from its softmax probabilities averaged with its
mirror image's (:func:`predict_flip_average`; ``--no-tta`` turns it off, and the JSON reports both).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from helpers.exercise import answer
from helpers.losses import softmax

__all__ = [
    "History",
    "RECIPES",
    "SCHEDULES",
    "accuracy",
    "fraction_correct",
    "gradient_step",
    "learning_rate",
    "main",
    "momentum_step",
    "predict_flip_average",
    "random_flip",
    "sgd",
]

SCHEDULES = ("cosine", "step", "constant")


@dataclass
class History:
    """What happened during :func:`sgd`.

    Attributes
    ----------
    loss : list of float
        Minibatch loss (data loss + L2 penalty) of every iteration.
    train_acc, val_acc : list of float
        Accuracy after every epoch: on the first ``train_acc_samples`` rows of the training set
        (a random sample when the rows are in random order, as after ``data.train_val_split``),
        and on the whole validation set.
    lr : list of float
        Learning rate at the start of every epoch.
    seconds : float
        Wall-clock time of the whole run (training and per-epoch evaluation).
    epoch_seconds : list of float
        Wall-clock time of every epoch.
    step_seconds : list of float
        Wall-clock time of every iteration (gather, flip, forward, backward, update).
    diverged : bool
        True when the loss became NaN or infinite and training stopped early.
    """

    loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    seconds: float = 0.0
    epoch_seconds: list[float] = field(default_factory=list)
    step_seconds: list[float] = field(default_factory=list)
    diverged: bool = False


def learning_rate(schedule: str, lr: float, epoch: float, epochs: int, lr_decay: float = 0.95) -> float:
    r"""The learning rate after ``epoch`` epochs (may be fractional: iteration / iterations per epoch).

    * ``"constant"``: :math:`\eta`.
    * ``"step"``: :math:`\eta \cdot \text{lr\_decay}^{\lfloor \text{epoch} \rfloor}` (decays once per epoch).
    * ``"cosine"``: :math:`\tfrac{\eta}{2}\,(1 + \cos(\pi \cdot \text{epoch} / \text{epochs}))`,
      from :math:`\eta` down to 0 at the end of training.
    """
    if schedule == "constant":
        return float(lr)
    if schedule == "step":
        return float(lr) * float(lr_decay) ** math.floor(epoch)
    if schedule == "cosine":
        return 0.5 * float(lr) * (1.0 + math.cos(math.pi * min(epoch, epochs) / epochs))
    raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")


@answer("08_cifar10", "accuracy")
def accuracy(model, X, y, *, batch_size: int = 10_000) -> float:
    """Fraction of rows of X (N, D) whose predicted class equals y (N,)."""
    return fraction_correct(model.predict(X, batch_size=batch_size), y)


@answer("08_cifar10", "accuracy")
def fraction_correct(predictions, y) -> float:
    """Fraction of predicted labels (N,) equal to the labels y (N,)."""
    return float(np.mean(np.asarray(predictions) == np.asarray(y)))


LAYOUTS = ("HWC", "CHW")


def _width_axis(layout: str) -> int:
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    return 2 if layout == "HWC" else 3  # axis of the (N, *image_shape) view


def random_flip(X, image_shape, *, rng, p: float = 0.5, layout: str = "HWC"):
    """Mirror a random subset (each image with probability ``p``) of the images in X left-right, in place.

    Parameters
    ----------
    X : ndarray, shape (N, D)
        Flattened images, ``D = prod(image_shape)``; modified in place.
    image_shape : tuple
        (height, width, channels) for ``layout="HWC"`` (CIFAR-10 as loaded: (32, 32, 3)), or
        (channels, height, width) for ``layout="CHW"``.
    rng : numpy.random.Generator

    Returns
    -------
    X : the same array.
    """
    N = X.shape[0]
    images = X.reshape(N, *image_shape)  # a view: X is C-contiguous
    mask = rng.random(N) < p
    images[mask] = np.flip(images[mask], axis=_width_axis(layout))
    return X


def _flip_tail(X, image_shape, layout, *, rng, p=0.5):
    """Like :func:`random_flip` for rows already in random order: flip a Binomial(N, p) tail.

    The rows of a minibatch come from a random permutation, so flipping the last k of them,
    k ~ Binomial(N, p), flips every image with probability p as well, and a contiguous block
    flips without fancy-indexing copies.
    """
    N = X.shape[0]
    k = int(rng.binomial(N, p))
    if k:
        tail = X[N - k :].reshape(k, *image_shape)
        tail[...] = np.flip(tail, axis=_width_axis(layout))  # numpy buffers the overlapping copy


def predict_flip_average(model, X, image_shape, *, layout: str = "HWC", batch_size: int = 10_000):
    """Predicted class of every image, from its softmax probabilities averaged with its mirror image's.

    Test-time augmentation for a model trained with random flips: a mirrored image is as likely as
    the original, so the mean of the two predictions is a slightly better estimate than either.

    Parameters
    ----------
    model : a model of :mod:`helpers.models` (``loss(X)`` returns scores (N, C))
    X : ndarray, shape (N, D), flattened images of ``image_shape``; not modified
    image_shape : tuple, (height, width, channels) for ``layout="HWC"``, (channels, height, width) for "CHW"

    Returns
    -------
    y_pred : ndarray of int64, shape (N,)
    """
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != math.prod(image_shape):
        raise ValueError(
            f"expected X of shape (N, {math.prod(image_shape)}) for images {image_shape}, got {X.shape}"
        )
    axis = _width_axis(layout)
    out = np.empty(X.shape[0], dtype=np.int64)
    for start in range(0, X.shape[0], batch_size):
        part = X[start : start + batch_size]
        mirrored = np.ascontiguousarray(np.flip(part.reshape(len(part), *image_shape), axis=axis))
        probs = 0.0
        for rows in (part, mirrored.reshape(len(part), -1)):
            probs = probs + softmax(np.asarray(model.loss(rows), dtype=np.float64))  # 04's answer, not a copy
        out[start : start + batch_size] = np.argmax(probs, axis=1)
    return out


@answer("08_cifar10", "sgd_momentum_step")
def momentum_step(params, grads, velocity, lr, momentum):
    """One SGD-with-momentum update of every parameter: ``v = mu v - lr g; w += v`` (in place).

    Parameters
    ----------
    params, grads, velocity : dict name -> ndarray, same shapes; params and velocity are updated
    lr : float, the learning rate
    momentum : float in [0, 1)
    """
    for k, p in params.items():
        v, g = velocity[k], grads[k]
        v *= momentum
        g *= lr  # grads are fresh arrays: scale them in place
        v -= g
        p += v


@answer("06_gradients", "gradient_descent_path")
def gradient_step(params, grads, velocity, lr, momentum):
    """Plain gradient descent on every parameter, ``w -= lr * g`` (notebook 06's update); no velocity.

    Same signature as :func:`momentum_step`, for :func:`sgd` with ``momentum=0``.
    """
    if momentum:
        raise ValueError(f"gradient_step has no momentum: use momentum=0 (got {momentum!r}) or momentum_step")
    for k, p in params.items():
        g = grads[k]
        g *= lr
        p -= g


class _Stepper:
    """Any model with ``params`` and ``loss(X, y)``, updated by ``step(params, grads, velocity, lr, mu)``."""

    def __init__(self, model, momentum, step):
        self.model = model
        self.momentum = momentum
        self.step_fn = step
        self.velocity = {k: np.zeros_like(p) for k, p in model.params.items()}

    def step(self, X, y, lr) -> float:
        loss, grads = self.model.loss(X, y)
        if math.isfinite(loss):
            self.step_fn(self.model.params, grads, self.velocity, lr, self.momentum)
        return loss

    def finish(self) -> None:
        pass


class _HeavyBall:
    r"""The same momentum update with fewer passes over memory, for the models of helpers.models.

    With :math:`v_t = w_t - w_{t-1}`, momentum SGD on the loss plus :math:`\lambda \sum W^2` is

    .. math:: w_{t+1} = (1 + \mu - 2\eta_t\lambda)\, w_t - \mu\, w_{t-1} - \eta_t \nabla L_{data}(w_t),

    the same numbers as ``v = mu v - lr g; w += v`` (up to float rounding).  Two buffers per
    parameter hold :math:`w_t` and a multiple of :math:`w_{t-1}` and swap roles every step: 4
    in-place passes per parameter instead of 7, no temporaries, and the learning rate is folded
    into dscores (N, C) inside the model rather than applied to dW1 (D, H).  ``finish()``
    puts the final values back into the caller's original arrays.
    """

    def __init__(self, model, momentum):
        self.model = model
        self.momentum = momentum
        self.originals = dict(model.params)
        self.prev = {k: p.copy() for k, p in model.params.items()}  # w_{-1} = w_0: v_0 = 0
        self.prev_scale = dict.fromkeys(model.params, 1.0)  # prev[k] = prev_scale[k] * w_{t-1}
        self.decay = set(model.weight_names) if model.reg else set()

    @answer("08_cifar10", "sgd_momentum_step")
    def step(self, X, y, lr) -> float:
        model, mu = self.model, self.momentum
        params = model.params
        loss, grads = model._backprop(X, y, lr)  # grads are lr * dL_data/dw
        loss += model.penalty()
        if not math.isfinite(loss):
            return loss
        for k, g in grads.items():
            cur, old = params[k], self.prev[k]
            a = 1.0 + mu - (2.0 * lr * model.reg if k in self.decay else 0.0)
            if a == 0.0:
                raise ValueError(f"lr * reg = {lr * model.reg} is too large: the L2 step removes all of {k}")
            old *= -mu / self.prev_scale[k]  # -mu w_{t-1}
            old -= g
            cur *= a
            old += cur  # w_{t+1}
            params[k], self.prev[k], self.prev_scale[k] = old, cur, a
        return loss

    def finish(self) -> None:
        params = self.model.params
        for k, original in self.originals.items():
            if params[k] is not original:
                original[...] = params[k]
                params[k] = original


# The library's momentum_step has a fused form for the models of helpers.models (same numbers).
momentum_step.fused = _HeavyBall


def _check_data(model, X, y, name):
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"expected {name} of shape (N, D), got {X.shape} (flatten images first)")
    D = model.params[next(iter(model.params))].shape[0]
    if X.shape[1] != D:
        raise ValueError(f"{name} has D = {X.shape[1]} features, the model expects {D}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"expected labels of shape ({X.shape[0]},) for {name}, got {y.shape}")
    return np.asarray(X, dtype=getattr(model, "dtype", X.dtype)), y


@answer("08_cifar10", "minibatch_sgd")
def sgd(
    model,
    X_train,
    y_train,
    X_val=None,
    y_val=None,
    *,
    epochs: int = 10,
    batch_size: int = 200,
    lr: float = 1e-3,
    momentum: float = 0.9,
    schedule: str = "cosine",
    lr_decay: float = 0.95,
    flip: bool = False,
    image_shape: tuple[int, int, int] = (32, 32, 3),
    layout: str = "HWC",
    rng: np.random.Generator,
    progress: bool = True,
    verbose: bool = False,
    train_acc_samples: int = 1000,
    step=momentum_step,
    metric=fraction_correct,
) -> History:
    """Train ``model`` in place with minibatch SGD + momentum; return its :class:`History`.

    Parameters
    ----------
    model : a model of :mod:`helpers.models`
        Its ``params`` are updated in place.
    X_train : ndarray, shape (N, D); y_train : ndarray of int, shape (N,)
        Converted once to the model's dtype (float32 for the fast path) if needed.
    X_val : ndarray, shape (M, D); y_val : ndarray of int, shape (M,); optional
    epochs : int
        Passes over the training set; every epoch visits the examples in a new random order.
    batch_size : int
        B; the last minibatch of an epoch is smaller when B does not divide N.
    lr : float
        Base learning rate :math:`\\eta`.
    momentum : float in [0, 1)
        :math:`\\mu`; 0 gives plain SGD.
    schedule : "cosine", "step" or "constant"
        See :func:`learning_rate`; cosine and constant are applied every iteration, step per epoch.
    lr_decay : float
        Factor per epoch of the step schedule.
    flip : bool
        Mirror a random half of every minibatch left-right (data augmentation for images whose
        flattened layout is ``image_shape``, e.g. CIFAR-10's (32, 32, 3)).  Never changes X_train.
    image_shape : tuple
        Shape of one image, ``prod(image_shape) == D``; (32, 32, 3) by default.
    layout : "HWC" or "CHW"
        Whether image_shape is (height, width, channels) or (channels, height, width).  CHW flips
        about 4x faster (contiguous rows of 32 values instead of 3).
    rng : numpy.random.Generator
        Shuffling (one ``rng.permutation(N)`` per epoch) and flips.
    progress : bool
        Show a tqdm progress bar.
    verbose : bool
        Print one line per epoch.
    train_acc_samples : int
        ``train_acc`` is measured on the first ``min(N, train_acc_samples)`` training rows (0: none).
    step : callable, default :func:`momentum_step`
        ``step(params, grads, velocity, lr, momentum)`` updates params (and velocity) in place or
        under the same keys: your ``sgd_momentum_step`` of notebook 08, or :func:`gradient_step`
        (with ``momentum=0``).  The library's default runs a fused form for :mod:`helpers.models`.
    metric : callable, default :func:`fraction_correct`
        ``metric(predictions, y) -> float``, the accuracy recorded after every epoch: your
        ``accuracy`` of notebook 08.

    Returns
    -------
    History
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {rng!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, int | np.integer) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if not (lr > 0 and math.isfinite(lr)):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")
    X_train, y_train = _check_data(model, X_train, y_train, "X_train")
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    if X_val is not None:
        X_val, y_val = _check_data(model, X_val, y_val, "X_val")
    N, D = X_train.shape
    if flip and math.prod(image_shape) != D:
        raise ValueError(f"flip=True needs image_shape with prod = D = {D}, got {image_shape}")
    _width_axis(layout)
    from tqdm.auto import tqdm

    batch_size = min(int(batch_size), N)
    iters = math.ceil(N / batch_size)
    fused = getattr(step, "fused", None)
    library = getattr(model, "library_loss", True)  # TwoLayerNet with your loss_fn: False
    fast = (
        fused is not None
        and library
        and all(hasattr(model, a) for a in ("_backprop", "penalty", "weight_names", "reg"))
    )
    optimizer = fused(model, momentum) if fast else _Stepper(model, momentum, step)
    buffer = np.empty((batch_size, D), dtype=X_train.dtype)  # minibatch gathered here, no allocation
    n_sub = min(N, train_acc_samples)
    X_sub, y_sub = X_train[:n_sub], y_train[:n_sub]  # views: the first rows, as notebook 08's loop does

    history = History()
    start = time.perf_counter()
    bar = tqdm(total=epochs * iters, desc="training", unit="it", disable=not progress, leave=progress)
    try:
        for epoch in range(epochs):
            epoch_start = time.perf_counter()
            history.lr.append(learning_rate(schedule, lr, epoch, epochs, lr_decay))
            order = rng.permutation(N)
            for it in range(iters):
                tick = time.perf_counter()
                idx = order[it * batch_size : (it + 1) * batch_size]
                xb = buffer[: len(idx)]
                np.take(X_train, idx, axis=0, out=xb, mode="clip")  # indices are valid; clip avoids a copy
                if flip:
                    _flip_tail(xb, image_shape, layout, rng=rng)
                step = learning_rate(schedule, lr, epoch + it / iters, epochs, lr_decay)
                loss = optimizer.step(xb, y_train[idx], step)
                history.loss.append(loss)
                history.step_seconds.append(time.perf_counter() - tick)
                if not math.isfinite(loss):
                    history.diverged = True
                    break
                bar.update(1)
            if history.diverged:
                if verbose:
                    bar.write(f"epoch {epoch + 1}: loss is {loss}; stopping (try a smaller learning rate)")
                break
            if n_sub:
                history.train_acc.append(float(metric(model.predict(X_sub), y_sub)))
            if X_val is not None:
                history.val_acc.append(float(metric(model.predict(X_val), y_val)))
            history.epoch_seconds.append(time.perf_counter() - epoch_start)
            summary = {"loss": f"{np.mean(history.loss[-iters:]):.3f}"}
            if history.train_acc:
                summary["train"] = f"{history.train_acc[-1]:.3f}"
            if history.val_acc:
                summary["val"] = f"{history.val_acc[-1]:.3f}"
            bar.set_postfix(summary, refresh=False)
            if verbose:
                text = ", ".join(f"{k} {v}" for k, v in summary.items())
                bar.write(f"epoch {epoch + 1}/{epochs}: lr {history.lr[-1]:.3g}, {text}")
    finally:
        optimizer.finish()
        bar.close()
    history.seconds = time.perf_counter() - start
    return history


# -- command line ---------------------------------------------------------------------------------
#: Reference recipes: the CLI defaults for each model (full CIFAR-10, these 2 cores).
RECIPES = {
    "two_layer": {
        "hidden": 500,
        "epochs": 40,
        "batch_size": 400,
        "lr": 0.03,
        "reg": 1e-3,
        "weight_scale": "he",
        "flip": True,
        "tta": True,
    },
    "softmax": {
        "hidden": None,
        "epochs": 10,
        "batch_size": 200,
        "lr": 1e-3,
        "reg": 1e-3,
        "weight_scale": 1e-3,
        "flip": True,
    },
    "svm": {
        "hidden": None,
        "epochs": 10,
        "batch_size": 200,
        "lr": 1e-4,
        "reg": 1e-3,
        "weight_scale": 1e-3,
        "flip": True,
    },
}


def build_model(name: str, input_dim: int, num_classes: int, *, hidden, weight_scale, reg, rng):
    """The model called ``name`` ("softmax", "svm" or "two_layer") in float32."""
    from helpers.models import LinearSoftmax, LinearSVM, TwoLayerNet

    if name == "two_layer":
        return TwoLayerNet(input_dim, hidden, num_classes, weight_scale=weight_scale, reg=reg, rng=rng)
    cls = {"softmax": LinearSoftmax, "svm": LinearSVM}[name]
    return cls(input_dim, num_classes, weight_scale=weight_scale, reg=reg, rng=rng)


def _to_chw(X, hwc):
    """(N, H*W*C) rows in HWC order -> (N, C*H*W) rows in CHW order (a new contiguous array)."""
    return np.ascontiguousarray(X.reshape(len(X), *hwc).transpose(0, 3, 1, 2)).reshape(len(X), -1)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m helpers.train",
        description="Train a classifier on CIFAR-10 with minibatch SGD (momentum, cosine schedule). "
        "Defaults are the reference recipe of each model.",
    )
    p.add_argument("--model", choices=sorted(RECIPES), default="two_layer")
    p.add_argument("--hidden", type=int, help="hidden units H (two_layer only; default 500)")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--lr", type=float, help="base learning rate")
    p.add_argument("--reg", type=float, help="L2 strength lambda (penalty lambda * sum W^2)")
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--schedule", choices=SCHEDULES, default="cosine")
    p.add_argument("--no-flip", action="store_true", help="no random horizontal flips")
    p.add_argument(
        "--no-tta",
        action="store_true",
        help="test predictions from the images alone, not averaged with their mirror images",
    )
    p.add_argument("--val-size", type=int, default=1000, help="training examples held out (default 1000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--data",
        help="cifar-10-python.tar.gz or a folder holding cifar-10-batches-py/ "
        "(default: $NN_BASICS_CIFAR10, then data/cache/)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def main(argv=None) -> dict:
    """Run the command line; return the result dictionary it prints with ``--json``."""
    from helpers.data import load_cifar10, preprocess, train_val_split

    args = _parser().parse_args(argv)
    recipe = dict(RECIPES[args.model])
    for key in ("hidden", "epochs", "batch_size", "lr", "reg"):
        if getattr(args, key) is not None:
            recipe[key] = getattr(args, key)
    if args.model != "two_layer":
        recipe["hidden"] = None
    flip = recipe["flip"] and not args.no_flip
    tta = flip and recipe.get("tta", False) and not args.no_tta
    rng = np.random.default_rng(args.seed)

    X_all, y_all, X_test, y_test = load_cifar10(args.data)
    X_tr, y_tr, X_val, y_val = train_val_split(X_all, y_all, args.val_size, rng=rng)
    X_tr, X_val, X_test, _ = preprocess(X_tr, X_val, X_test)
    # channels first for every split alike: the MLP does not care about the order of the features,
    # and flips of (3, 32, 32) images are about 4x cheaper than of (32, 32, 3) ones
    height, width, channels = X_all.shape[1:]
    image_shape = (channels, height, width)
    X_tr, X_val, X_test = (_to_chw(X, (height, width, channels)) for X in (X_tr, X_val, X_test))
    del X_all
    model = build_model(
        args.model,
        X_tr.shape[1],
        int(max(y_all.max(), y_test.max())) + 1,
        hidden=recipe["hidden"],
        weight_scale=recipe["weight_scale"],
        reg=recipe["reg"],
        rng=rng,
    )
    say = sys.stdout.write
    say(
        f"{args.model}: {len(X_tr)} train / {len(X_val)} val / {len(X_test)} test, "
        f"hidden={recipe['hidden']}, epochs={recipe['epochs']}, batch={recipe['batch_size']}, "
        f"lr={recipe['lr']:g}, reg={recipe['reg']:g}, flip={flip}, tta={tta}, seed={args.seed}\n"
    )
    history = sgd(
        model,
        X_tr,
        y_tr,
        X_val,
        y_val,
        epochs=recipe["epochs"],
        batch_size=recipe["batch_size"],
        lr=recipe["lr"],
        momentum=args.momentum,
        schedule=args.schedule,
        flip=flip,
        image_shape=image_shape,
        layout="CHW",
        rng=rng,
        progress=not args.quiet,
        verbose=not args.json,
    )
    plain = accuracy(model, X_test, y_test)
    averaged = (
        fraction_correct(predict_flip_average(model, X_test, image_shape, layout="CHW"), y_test)
        if tta
        else plain
    )
    result = {
        "model": args.model,
        "test_accuracy": averaged,
        "test_accuracy_no_tta": plain,
        "tta": tta,
        "val_accuracy": history.val_acc[-1] if history.val_acc else float("nan"),
        "train_accuracy": history.train_acc[-1] if history.train_acc else float("nan"),
        "train_seconds": round(history.seconds, 2),
        "epochs": recipe["epochs"],
        "seed": args.seed,
        "hidden": recipe["hidden"],
        "lr": recipe["lr"],
        "reg": recipe["reg"],
        "batch_size": recipe["batch_size"],
        "momentum": args.momentum,
        "schedule": args.schedule,
        "flip": flip,
        "n_train": len(X_tr),
        "n_val": len(X_val),
        "n_test": len(X_test),
        "diverged": history.diverged,
    }
    say(
        f"test accuracy {result['test_accuracy']:.4f}, val accuracy {result['val_accuracy']:.4f}, "
        f"training {result['train_seconds']:.1f} s\n"
    )
    if args.json:
        say(json.dumps(result) + "\n")
    sys.stdout.flush()
    return result


if __name__ == "__main__":
    main()
