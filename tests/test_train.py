"""Tests for helpers.train: schedules, flips, SGD on toy problems, and the CLI on tiny data."""

import json
import math
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers.models import LinearSoftmax, LinearSVM, TwoLayerNet, two_layer_loss
from helpers.train import (
    RECIPES,
    History,
    gradient_step,
    learning_rate,
    main,
    momentum_step,
    predict_flip_average,
    random_flip,
    sgd,
)

PROJECT_ROOT = Path(__file__).resolve().parents[1]


# -- schedules ------------------------------------------------------------------------------------
def test_constant_schedule():
    assert [learning_rate("constant", 0.1, e, 10) for e in (0, 3.5, 9)] == [0.1, 0.1, 0.1]


def test_step_schedule_decays_once_per_epoch():
    assert learning_rate("step", 1.0, 0, 10, 0.5) == 1.0
    assert learning_rate("step", 1.0, 0.99, 10, 0.5) == 1.0
    assert learning_rate("step", 1.0, 1, 10, 0.5) == 0.5
    assert learning_rate("step", 1.0, 3.2, 10, 0.5) == 0.125


def test_cosine_schedule_from_lr_to_zero():
    assert learning_rate("cosine", 0.2, 0, 10) == pytest.approx(0.2)
    assert learning_rate("cosine", 0.2, 5, 10) == pytest.approx(0.1)
    assert learning_rate("cosine", 0.2, 10, 10) == pytest.approx(0.0, abs=1e-15)
    assert learning_rate("cosine", 0.2, 2.5, 10) == pytest.approx(0.1 * (1 + math.cos(math.pi / 4)))
    values = [learning_rate("cosine", 1.0, e, 8) for e in np.linspace(0, 8, 33)]
    assert all(a >= b for a, b in zip(values, values[1:], strict=False))


def test_unknown_schedule_raises():
    with pytest.raises(ValueError, match="schedule"):
        learning_rate("linear", 0.1, 0, 10)


# -- flips ----------------------------------------------------------------------------------------
def test_random_flip_mirrors_rows_in_place(rng):
    images = rng.integers(0, 255, size=(64, 4, 5, 3)).astype(np.float32)
    X = images.reshape(64, -1).copy()
    out = random_flip(X, (4, 5, 3), rng=rng)
    assert out is X
    flipped = X.reshape(64, 4, 5, 3)
    same = np.all(flipped == images, axis=(1, 2, 3))
    mirrored = np.all(flipped == images[:, :, ::-1], axis=(1, 2, 3))
    assert np.all(same | mirrored)
    assert 10 < mirrored.sum() < 54  # about half


def test_random_flip_chw_layout(rng):
    images = rng.integers(0, 255, size=(40, 3, 4, 5)).astype(np.float32)  # (N, C, H, W)
    X = images.reshape(40, -1).copy()
    random_flip(X, (3, 4, 5), rng=rng, layout="CHW")
    out = X.reshape(40, 3, 4, 5)
    mirrored = np.all(out == images[..., ::-1], axis=(1, 2, 3))
    assert np.all(np.all(out == images, axis=(1, 2, 3)) | mirrored)
    assert 5 < mirrored.sum() < 35
    with pytest.raises(ValueError, match="layout"):
        random_flip(X, (3, 4, 5), rng=rng, layout="NHWC")


@pytest.mark.parametrize("layout,shape", [("HWC", (4, 5, 3)), ("CHW", (3, 4, 5))])
def test_flip_tail_flips_a_binomial_tail_in_place(layout, shape, rng):
    from helpers.train import _flip_tail

    N = 400
    images = rng.standard_normal((N, *shape)).astype(np.float32)
    X = images.reshape(N, -1).copy()
    _flip_tail(X, shape, layout, rng=rng)
    out = X.reshape(N, *shape)
    axis = 2 if layout == "HWC" else 3
    same = np.all(out == images, axis=(1, 2, 3))
    mirrored = np.all(out == np.flip(images, axis=axis), axis=(1, 2, 3))
    k = int(mirrored.sum())
    assert 150 < k < 250
    assert same[: N - k].all() and mirrored[N - k :].all()  # the tail is flipped, the rest untouched


# -- SGD ------------------------------------------------------------------------------------------
def blobs(rng, n=300, d=8, c=3):
    centres = 3.0 * rng.standard_normal((c, d))
    y = rng.integers(0, c, size=n)
    X = (centres[y] + rng.standard_normal((n, d))).astype(np.float32)
    return X, y


@pytest.mark.parametrize("schedule", ["cosine", "step", "constant"])
def test_sgd_decreases_loss_on_toy_problem(schedule, rng):
    X, y = blobs(rng)
    model = TwoLayerNet(8, 16, 3, weight_scale=0.1, reg=1e-4, rng=rng)
    history = sgd(
        model, X[:240], y[:240], X[240:], y[240:], epochs=8, batch_size=32, lr=0.05, schedule=schedule,
        lr_decay=0.8, rng=rng, progress=False,
    )  # fmt: skip
    assert isinstance(history, History)
    iters = math.ceil(240 / 32)
    assert len(history.loss) == 8 * iters
    assert np.mean(history.loss[-iters:]) < 0.3 * np.mean(history.loss[:iters])
    assert len(history.train_acc) == len(history.val_acc) == len(history.lr) == 8
    assert history.val_acc[-1] > 0.9
    assert history.lr[0] == pytest.approx(0.05)
    assert history.lr == pytest.approx([learning_rate(schedule, 0.05, e, 8, 0.8) for e in range(8)])
    assert history.seconds > 0 and len(history.epoch_seconds) == 8
    assert not history.diverged


@pytest.mark.parametrize("cls", [LinearSoftmax, LinearSVM])
def test_sgd_trains_linear_models(cls, rng):
    X, y = blobs(rng)
    model = cls(8, 3, weight_scale=0.01, reg=1e-3, rng=rng)
    history = sgd(model, X, y, epochs=5, batch_size=50, lr=0.01, rng=rng, progress=False)
    assert history.val_acc == []
    assert history.train_acc[-1] > 0.9


def test_sgd_is_reproducible_and_leaves_data_untouched():
    X, y = blobs(np.random.default_rng(3), n=96, d=12)
    X_copy = X.copy()

    def run():
        rng = np.random.default_rng(7)
        model = TwoLayerNet(12, 6, 3, weight_scale=0.1, rng=rng)
        sgd(model, X, y, epochs=2, batch_size=20, lr=0.05, flip=True, image_shape=(2, 2, 3), rng=rng,
            progress=False)  # fmt: skip
        return model.params

    a, b = run(), run()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    np.testing.assert_array_equal(X, X_copy)


def test_sgd_momentum_zero_is_plain_gradient_descent(rng):
    X, y = blobs(rng, n=40)
    model = LinearSoftmax(8, 3, weight_scale=0.1, rng=np.random.default_rng(1), dtype=np.float64)
    expected = {k: v.copy() for k, v in model.params.items()}
    _, grads = model.loss(X, y)
    for k in expected:
        expected[k] -= 0.1 * grads[k]
    sgd(model, X, y, epochs=1, batch_size=40, lr=0.1, momentum=0.0, schedule="constant", rng=rng,
        progress=False)  # fmt: skip
    for k in expected:
        np.testing.assert_allclose(model.params[k], expected[k], rtol=1e-12)


class OnlyTheContract:
    """A model that offers only params and loss(X, y): sgd must use its generic momentum path."""

    def __init__(self, model):
        self.params = model.params
        self.loss = model.loss
        self.predict = model.predict


@pytest.mark.parametrize("kind", ["two_layer", "softmax"])
def test_fast_momentum_path_matches_the_textbook_update(kind):
    X, y = blobs(np.random.default_rng(5), n=90, d=8)

    def make():
        r = np.random.default_rng(11)
        if kind == "two_layer":
            return TwoLayerNet(8, 10, 3, weight_scale=0.3, reg=0.05, rng=r, dtype=np.float64)
        return LinearSoftmax(8, 3, weight_scale=0.3, reg=0.05, rng=r, dtype=np.float64)

    fast, slow = make(), make()
    originals = {k: id(v) for k, v in fast.params.items()}
    kwargs = dict(epochs=3, batch_size=20, lr=0.1, momentum=0.9, schedule="cosine", progress=False)
    h_fast = sgd(fast, X, y, X, y, rng=np.random.default_rng(1), **kwargs)
    h_slow = sgd(OnlyTheContract(slow), X, y, X, y, rng=np.random.default_rng(1), **kwargs)
    np.testing.assert_allclose(h_fast.loss, h_slow.loss, rtol=1e-10)
    for k in fast.params:
        np.testing.assert_allclose(fast.params[k], slow.params[k], rtol=1e-9, atol=1e-12)
        assert id(fast.params[k]) == originals[k]  # trained in place, same arrays as before


def student_step(params, grads, velocity, lr, momentum):
    """The exercise's answer as a student writes it (new arrays under the same keys)."""
    for name in params:
        velocity[name] = momentum * velocity[name] - lr * grads[name]
        params[name] = params[name] + velocity[name]


def student_loss(params, X, y, reg):
    calls.append(len(X))
    return two_layer_loss(params, X, y, reg)


calls: list[int] = []


@pytest.mark.parametrize("kind", ["two_layer", "softmax"])
def test_sgd_with_the_students_step_loss_and_metric_matches_the_library(kind):
    """train.sgd(step=, metric=) and TwoLayerNet(loss_fn=): the student's pieces give the same training."""
    X, y = blobs(np.random.default_rng(5), n=90, d=8)

    def make(**extra):
        r = np.random.default_rng(11)
        if kind == "two_layer":
            return TwoLayerNet(8, 10, 3, weight_scale=0.3, reg=0.05, rng=r, dtype=np.float64, **extra)
        return LinearSoftmax(8, 3, weight_scale=0.3, reg=0.05, rng=r, dtype=np.float64)

    metric_calls = []

    def metric(predictions, labels):
        metric_calls.append(len(labels))
        return float(np.mean(predictions == labels))

    calls.clear()
    library, own = make(), make(**({"loss_fn": student_loss} if kind == "two_layer" else {}))
    kwargs = dict(epochs=3, batch_size=20, lr=0.1, momentum=0.9, schedule="cosine", progress=False)
    h_lib = sgd(library, X, y, X, y, rng=np.random.default_rng(1), **kwargs)
    h_own = sgd(own, X, y, X, y, rng=np.random.default_rng(1), step=student_step, metric=metric, **kwargs)
    np.testing.assert_allclose(h_own.loss, h_lib.loss, rtol=1e-10)
    for k in library.params:
        np.testing.assert_allclose(own.params[k], library.params[k], rtol=1e-9, atol=1e-12)
    assert h_own.val_acc == h_lib.val_acc and len(metric_calls) == 6  # train and validation, 3 epochs
    if kind == "two_layer":
        assert len(calls) == 15  # 5 minibatches a epoch: the student's loss ran every step


@pytest.mark.parametrize("kind", ["two_layer", "softmax"])
def test_sgd_is_the_reference_answer_to_notebook_08s_minibatch_sgd(kind):
    """The notebook's minibatch_sgd and train.sgd(schedule="step") compute the same history and weights."""
    from tests.nbtools import solution

    def fraction(predictions, labels):
        return float(np.mean(np.asarray(predictions) == np.asarray(labels)))

    namespace = {"np": np}
    exec(solution("08_cifar10", "minibatch_sgd"), namespace)
    X, y = blobs(np.random.default_rng(6), n=95, d=8)  # 5 minibatches of 20, the last of 15

    def make():
        r = np.random.default_rng(12)
        if kind == "two_layer":
            return TwoLayerNet(
                8, 10, 3, weight_scale=0.3, reg=0.05, rng=r, dtype=np.float64, loss_fn=student_loss
            )
        return LinearSoftmax(8, 3, weight_scale=0.3, reg=0.05, rng=r, dtype=np.float64)

    library, own = make(), make()
    settings = dict(epochs=3, batch_size=20, lr=0.1, lr_decay=0.7, momentum=0.9)
    h_lib = sgd(
        library,
        X,
        y,
        X[:30],
        y[:30],
        rng=np.random.default_rng(2),
        schedule="step",
        progress=False,
        train_acc_samples=40,
        step=student_step,
        metric=fraction,
        **settings,
    )
    h_own = namespace["minibatch_sgd"](
        own.params,
        own.loss,
        own.predict,
        X,
        y,
        X[:30],
        y[:30],
        rng=np.random.default_rng(2),
        step=student_step,
        metric=fraction,
        num_train_acc=40,
        **settings,
    )
    assert set(h_own) == {"loss", "train_acc", "val_acc"}
    assert len(h_own["loss"]) == 15 and h_lib.lr == pytest.approx([0.1, 0.07, 0.049])
    np.testing.assert_allclose(h_own["loss"], h_lib.loss, rtol=1e-10)
    assert h_own["train_acc"] == h_lib.train_acc and h_own["val_acc"] == h_lib.val_acc
    for k in library.params:
        np.testing.assert_allclose(own.params[k], library.params[k], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("layout", ["HWC", "CHW"])
def test_predict_flip_average_averages_the_probabilities_of_each_image_and_its_mirror(layout, rng):
    shape = (2, 3, 3) if layout == "HWC" else (3, 2, 3)  # height 2 and width 3, 3 channels
    net = LinearSoftmax(18, 4, weight_scale=1.0, rng=rng, dtype=np.float64)
    X = rng.standard_normal((7, 18))
    X0 = X.copy()
    width = 1 if layout == "HWC" else 2
    mirrored = np.flip(X.reshape(7, *shape), axis=1 + width).reshape(7, 18)

    def probs(rows):
        s = rows @ net.params["W"] + net.params["b"]
        e = np.exp(s - s.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    expected = np.argmax(probs(X) + probs(mirrored), axis=1)
    np.testing.assert_array_equal(predict_flip_average(net, X, shape, layout=layout, batch_size=3), expected)
    np.testing.assert_array_equal(X, X0)  # the caller's images are not flipped
    # a flip-symmetric image gets the plain prediction
    sym = (X.reshape(7, *shape) + np.flip(X.reshape(7, *shape), axis=1 + width)).reshape(7, 18)
    np.testing.assert_array_equal(predict_flip_average(net, sym, shape, layout=layout), net.predict(sym))
    with pytest.raises(ValueError, match="expected X of shape"):
        predict_flip_average(net, X[:, :9], shape, layout=layout)


def test_momentum_step_is_the_textbook_update_and_gradient_step_has_no_momentum():
    params, grads = {"w": np.array([1.0, -2.0])}, {"w": np.array([0.5, 1.0])}
    velocity = {"w": np.array([0.2, 0.0])}
    momentum_step(params, {"w": grads["w"].copy()}, velocity, 0.1, 0.9)
    np.testing.assert_allclose(velocity["w"], [0.9 * 0.2 - 0.05, -0.1])
    np.testing.assert_allclose(params["w"], [1.0 + 0.13, -2.1])
    gradient_step(params, {"w": grads["w"].copy()}, {}, 0.1, 0.0)
    np.testing.assert_allclose(params["w"], [1.13 - 0.05, -2.2])
    with pytest.raises(ValueError, match="has no momentum"):
        gradient_step(params, grads, {}, 0.1, 0.9)


def test_a_predict_only_two_layer_net_refuses_to_train():
    net = TwoLayerNet(3, 4, 2, rng=np.random.default_rng(0), dtype=np.float64, loss_fn=None)
    X = np.ones((5, 3))
    assert net.predict(X).shape == (5,)
    with pytest.raises(ValueError, match="no loss_fn"):
        net.loss(X, np.zeros(5, dtype=int))


def test_sgd_stops_when_the_loss_diverges(rng):
    X, y = blobs(rng)
    X *= 1e3
    model = TwoLayerNet(8, 16, 3, weight_scale=1.0, rng=rng)
    with np.errstate(all="ignore"):
        history = sgd(model, X, y, epochs=20, batch_size=30, lr=1e6, rng=rng, progress=False)
    assert history.diverged
    assert len(history.train_acc) < 20


def test_sgd_rejects_bad_arguments(rng):
    X, y = blobs(rng, n=20)
    model = LinearSoftmax(8, 3, rng=rng)
    with pytest.raises(ValueError, match="epochs"):
        sgd(model, X, y, epochs=0, rng=rng, progress=False)
    with pytest.raises(ValueError, match="schedule"):
        sgd(model, X, y, epochs=1, schedule="linear", rng=rng, progress=False)
    with pytest.raises(ValueError, match="features"):
        sgd(model, X[:, :5], y, epochs=1, rng=rng, progress=False)
    with pytest.raises(ValueError, match="flip"):
        sgd(model, X, y, epochs=1, flip=True, rng=rng, progress=False)
    with pytest.raises(ValueError, match="both"):
        sgd(model, X, y, X, epochs=1, rng=rng, progress=False)
    with pytest.raises(TypeError, match="Generator"):
        sgd(model, X, y, epochs=1, rng=0, progress=False)


# -- CLI ------------------------------------------------------------------------------------------
def write_tiny_cifar(root, rng, n_train=500, n_test=100):
    """A learnable tiny CIFAR-10 in the official folder format: each class has its own colour."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    colours = rng.integers(0, 256, size=(10, 3))

    def batch(n):
        y = rng.integers(0, 10, size=n)
        images = np.clip(colours[y][:, None, None, :] + rng.normal(0, 40, size=(n, 32, 32, 3)), 0, 255)
        data = images.astype(np.uint8).transpose(0, 3, 1, 2).reshape(n, -1)  # R plane, G plane, B plane
        return {b"data": data, b"labels": [int(v) for v in y]}

    per = n_train // 5
    for i in range(1, 6):
        (folder / f"data_batch_{i}").write_bytes(pickle.dumps(batch(per), protocol=2))
    (folder / "test_batch").write_bytes(pickle.dumps(batch(n_test), protocol=2))
    return root


@pytest.fixture
def tiny_cifar(tmp_path, rng):
    return write_tiny_cifar(tmp_path / "tiny", rng)


@pytest.mark.parametrize("model", ["softmax", "svm", "two_layer"])
def test_cli_json_on_tiny_data(model, tiny_cifar, capsys):
    args = ["--model", model, "--data", str(tiny_cifar), "--epochs", "3", "--batch-size", "50", "--val-size",
            "100", "--seed", "3", "--json", "--quiet"]  # fmt: skip
    if model == "two_layer":
        args += ["--hidden", "20"]
    result = main(args)
    out = capsys.readouterr().out.strip().splitlines()
    printed = json.loads(out[-1])
    assert printed == result
    for key in ("model", "test_accuracy", "val_accuracy", "train_seconds", "epochs", "seed", "hidden", "lr",
                "reg", "batch_size"):  # fmt: skip
        assert key in printed
    assert printed["model"] == model
    assert printed["epochs"] == 3 and printed["seed"] == 3 and printed["batch_size"] == 50
    assert printed["hidden"] == (20 if model == "two_layer" else None)
    assert printed["lr"] == RECIPES[model]["lr"] and printed["reg"] == RECIPES[model]["reg"]
    assert printed["n_train"] == 400 and printed["n_val"] == 100 and printed["n_test"] == 100
    assert 0.0 <= printed["test_accuracy"] <= 1.0 and 0.0 <= printed["val_accuracy"] <= 1.0
    assert printed["test_accuracy"] > 0.5  # colours are easy; chance is 0.1
    assert printed["train_seconds"] >= 0


def test_cli_as_a_module_prints_json_last(tiny_cifar):
    proc = subprocess.run(
        [sys.executable, "-m", "helpers.train", "--model", "softmax", "--data", str(tiny_cifar), "--epochs", "2",
         "--val-size", "50", "--lr", "0.002", "--reg", "0.01", "--json"],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120, check=True,
    )  # fmt: skip
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["model"] == "softmax" and result["epochs"] == 2
    assert result["lr"] == 0.002 and result["reg"] == 0.01 and result["seed"] == 0


def test_cli_rejects_unknown_model(tiny_cifar):
    with pytest.raises(SystemExit):
        main(["--model", "cnn", "--data", str(tiny_cifar)])


@pytest.mark.slow
@pytest.mark.cifar
def test_softmax_reference_recipe_on_full_cifar10(cifar10_path, capsys):
    """The cheap reference recipe on the real data (a few seconds): the issue asks >= 39%."""
    result = main(["--model", "softmax", "--data", str(cifar10_path), "--json", "--quiet"])
    assert result["n_train"] == 49_000 and result["n_test"] == 10_000
    assert result["test_accuracy"] >= 0.39, result
