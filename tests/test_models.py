"""Tests for helpers.models: gradient checks, initial losses, shapes and input validation."""

import numpy as np
import pytest

from helpers.gradients import numerical_gradient, rel_error
from helpers.models import LinearSoftmax, LinearSVM, TwoLayerNet
from helpers.regularization import l2

N, D, H, C = 7, 6, 5, 4


def make_model(kind, rng, *, reg=0.0, weight_scale=0.5, dtype=np.float64):
    if kind == "two_layer":
        return TwoLayerNet(D, H, C, weight_scale=weight_scale, reg=reg, rng=rng, dtype=dtype)
    cls = {"softmax": LinearSoftmax, "svm": LinearSVM}[kind]
    return cls(D, C, weight_scale=weight_scale, reg=reg, rng=rng, dtype=dtype)


KINDS = ["softmax", "svm", "two_layer"]


@pytest.mark.parametrize("reg", [0.0, 0.7])
@pytest.mark.parametrize("kind", KINDS)
def test_gradients_match_numerical_gradients(kind, reg, rng):
    model = make_model(kind, rng, reg=reg)
    for p in model.params.values():  # non-zero biases exercise their gradients too
        p += 0.1 * rng.standard_normal(p.shape)
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, size=N)
    loss, grads = model.loss(X, y)
    assert isinstance(loss, float)
    assert set(grads) == set(model.params)
    for name, param in model.params.items():
        assert grads[name].shape == param.shape
        assert grads[name].dtype == np.float64

        def f(_, name=name):
            return model.loss(X, y)[0]

        num = numerical_gradient(f, param, h=1e-5)
        err = rel_error(grads[name], num)
        # the hinge and ReLU have kinks; random points this far from them stay smooth
        assert err < 1e-7, f"{kind} d{name}: rel error {err:.2e}"


@pytest.mark.parametrize("kind", KINDS)
def test_regularization_adds_lambda_sum_of_squared_weights(kind, rng):
    m0 = make_model(kind, np.random.default_rng(1), reg=0.0)
    m1 = make_model(kind, np.random.default_rng(1), reg=0.3)
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, size=N)
    l0, _ = m0.loss(X, y)
    l1, _ = m1.loss(X, y)
    weights = [k for k in m0.params if k.startswith("W")]
    expected = 0.3 * sum(float(np.sum(m0.params[k] ** 2)) for k in weights)
    assert l1 - l0 == pytest.approx(expected, rel=1e-12)
    # the convention of helpers.regularization.l2: penalty lambda * sum W^2, gradient 2 lambda W
    _, g0 = m0.loss(X, y)
    _, g1 = m1.loss(X, y)
    assert l1 - l0 == pytest.approx(sum(l2(m0.params[k], 0.3)[0] for k in weights), rel=1e-12)
    for k in weights:
        np.testing.assert_allclose(g1[k] - g0[k], l2(m0.params[k], 0.3)[1], rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("kind", ["softmax", "two_layer"])
def test_initial_softmax_loss_is_log_C(kind, rng):
    C10 = 10
    if kind == "two_layer":
        model = TwoLayerNet(50, 20, C10, weight_scale=1e-4, rng=rng)
    else:
        model = LinearSoftmax(50, C10, weight_scale=1e-4, rng=rng)
    X = rng.standard_normal((200, 50)).astype(np.float32)
    y = rng.integers(0, C10, size=200)
    loss, _ = model.loss(X, y)
    assert loss == pytest.approx(np.log(C10), rel=1e-3)


def test_initial_svm_loss_is_C_minus_1(rng):
    model = LinearSVM(50, 10, weight_scale=1e-6, rng=rng)
    X = rng.standard_normal((200, 50)).astype(np.float32)
    y = rng.integers(0, 10, size=200)
    loss, _ = model.loss(X, y)
    assert loss == pytest.approx(9.0, rel=1e-3)


@pytest.mark.parametrize("kind", KINDS)
def test_scores_predict_shapes_and_dtype(kind, rng):
    model = make_model(kind, rng, dtype=np.float32)
    X = rng.standard_normal((N, D))  # float64 input is converted to the model's dtype
    scores = model.loss(X)
    assert scores.shape == (N, C) and scores.dtype == np.float32
    pred = model.predict(X)
    assert pred.shape == (N,) and pred.dtype == np.int64
    np.testing.assert_array_equal(pred, scores.argmax(axis=1))
    np.testing.assert_array_equal(model.predict(X, batch_size=3), pred)
    loss, grads = model.loss(X, rng.integers(0, C, size=N))
    assert all(g.dtype == np.float32 for g in grads.values())


def test_params_layout_and_init(rng):
    model = TwoLayerNet(D, H, C, weight_scale=1e-3, rng=rng)
    shapes = {k: v.shape for k, v in model.params.items()}
    assert shapes == {"W1": (D, H), "b1": (H,), "W2": (H, C), "b2": (C,)}
    assert all(v.dtype == np.float32 for v in model.params.values())
    assert not model.params["b1"].any() and not model.params["b2"].any()
    assert model.params["W1"].std() == pytest.approx(1e-3, rel=0.5)
    he = TwoLayerNet(3072, 100, 10, weight_scale="he", rng=rng)
    assert he.params["W1"].std() == pytest.approx(np.sqrt(2 / 3072), rel=0.05)
    lin = LinearSVM(D, C, rng=rng)
    assert {k: v.shape for k, v in lin.params.items()} == {"W": (D, C), "b": (C,)}


def test_two_layer_net_matches_hand_computed_forward(rng):
    model = TwoLayerNet(2, 2, 2, rng=rng, dtype=np.float64)
    model.params.update(
        W1=np.array([[1.0, -1.0], [2.0, 0.5]]),
        b1=np.array([0.0, -1.0]),
        W2=np.array([[1.0, 0.0], [0.0, 1.0]]),
        b2=np.array([0.5, 0.0]),
    )
    X = np.array([[1.0, 1.0]])
    # hidden = relu([3, -0.5]) = [3, 0]; scores = [3.5, 0]
    np.testing.assert_allclose(model.loss(X), [[3.5, 0.0]])


def test_training_makes_progress_with_plain_gradient_steps(rng):
    X = rng.standard_normal((100, D)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    model = TwoLayerNet(D, 16, 2, weight_scale=0.1, rng=rng)
    first, _ = model.loss(X, y)
    for _ in range(200):
        loss, grads = model.loss(X, y)
        for k in model.params:
            model.params[k] -= 0.5 * grads[k]
    assert loss < 0.2 * first
    assert (model.predict(X) == y).mean() > 0.95


@pytest.mark.parametrize("kind", KINDS)
def test_bad_inputs_raise_clear_value_errors(kind, rng):
    model = make_model(kind, rng)
    with pytest.raises(ValueError, match=r"shape \(N, D\)"):
        model.loss(np.zeros(D))
    with pytest.raises(ValueError, match="flatten"):
        model.loss(np.zeros((2, 2, 3, 1)))
    with pytest.raises(ValueError, match="D = 6"):
        model.loss(np.zeros((3, D + 1)))
    with pytest.raises(ValueError, match=r"y of shape \(N,\)"):
        model.loss(np.zeros((3, D)), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="labels"):
        model.loss(np.zeros((3, D)), np.array([0, 1, C]))


def test_bad_constructor_arguments(rng):
    with pytest.raises(ValueError, match="hidden_dim"):
        TwoLayerNet(D, 0, C, rng=rng)
    with pytest.raises(ValueError, match="dtype"):
        TwoLayerNet(D, H, C, rng=rng, dtype=np.int32)
    with pytest.raises(ValueError, match="reg"):
        LinearSoftmax(D, C, reg=-1.0, rng=rng)
    with pytest.raises(TypeError, match="Generator"):
        LinearSVM(D, C, rng=0)
    with pytest.raises(ValueError, match="weight_scale"):
        TwoLayerNet(D, H, C, weight_scale="xavier", rng=rng)
