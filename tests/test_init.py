"""helpers.init (02_activations): Xavier/He weights and the size of the activations through a deep net."""

import numpy as np
import pytest

from helpers import init


@pytest.mark.parametrize(
    ("fan_in", "fan_out", "scheme", "variance"),
    [
        (400, 100, "xavier", 2 / 500),
        (400, 100, "he", 2 / 400),
        (50, 700, "xavier", 2 / 750),
        (50, 700, "he", 2 / 50),
    ],
)
def test_init_weights_has_the_scheme_variance(fan_in, fan_out, scheme, variance):
    W = init.init_weights(fan_in, fan_out, scheme, np.random.default_rng(0))
    assert W.shape == (fan_in, fan_out) and W.dtype == np.float64
    # 35,000-40,000 draws: the sample std is within 0.4% (one sigma) of the true one
    np.testing.assert_allclose(W.std(), np.sqrt(variance), rtol=0.02)
    assert abs(W.mean()) < 0.02 * np.sqrt(variance)


def test_init_weights_is_one_gaussian_draw_from_the_rng():
    W = init.init_weights(3, 2, "he", np.random.default_rng(5))
    want = np.sqrt(2 / 3) * np.random.default_rng(5).standard_normal((3, 2))
    np.testing.assert_allclose(W, want, rtol=1e-12)
    other = init.init_weights(3, 2, "he", np.random.default_rng(6))
    assert not np.allclose(W, other)


@pytest.mark.parametrize("scheme", ["glorot", "He", "", None, "relu"])
def test_init_weights_unknown_scheme_is_a_clear_error(scheme):
    with pytest.raises(ValueError, match=r"one of \['xavier', 'he'\], got"):
        init.init_weights(3, 2, scheme, np.random.default_rng(0))


@pytest.mark.parametrize(("fan_in", "fan_out"), [(0, 3), (3, -1), (2.5, 3), (True, 3), ("3", 3)])
def test_init_weights_bad_fans(fan_in, fan_out):
    with pytest.raises(ValueError, match="positive integer"):
        init.init_weights(fan_in, fan_out, "xavier", np.random.default_rng(0))


def test_init_weights_needs_a_generator():
    with pytest.raises(TypeError, match="Generator"):
        init.init_weights(3, 2, "xavier", 0)


def test_layer_stds_of_a_linear_net_by_hand():
    # identity activation, W = 2 I then 3 I: the std of x doubles, then triples
    x = np.array([[1.0, -1.0], [3.0, -3.0]])
    stds = init.layer_stds(x, [2 * np.eye(2), 3 * np.eye(2)], lambda a: a)
    np.testing.assert_allclose(stds, [2 * x.std(), 6 * x.std()])


def test_layer_stds_xavier_and_he_keep_the_size_a_factor_two_does_not():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((500, 256))

    def stds(scheme, gain, activation):
        r = np.random.default_rng(1)
        weights = [gain * init.init_weights(256, 256, scheme, r) for _ in range(10)]
        return init.layer_stds(x, weights, activation)

    relu = lambda a: np.maximum(a, 0.0)  # noqa: E731
    he = stds("he", 1.0, relu)
    assert 0.6 < he.min() and he.max() < 1.4  # He: the ReLU net keeps its scale over 10 layers
    # the ReLU is 1-homogeneous: twice the weights, twice the activations, once per layer
    np.testing.assert_allclose(stds("he", 2.0, relu), he * 2.0 ** np.arange(1, 11), rtol=1e-10)
    tanh_small, tanh_xavier = stds("xavier", 0.5, np.tanh), stds("xavier", 1.0, np.tanh)
    assert tanh_small[-1] < 1e-2 < 0.1 < tanh_xavier[-1]


def test_layer_stds_checks_shapes():
    with pytest.raises(ValueError, match=r"shape \(N, D\)"):
        init.layer_stds(np.ones(3), [np.eye(3)], np.tanh)
    with pytest.raises(ValueError, match=r"weights\[1\] of shape \(4, fan_out\)"):
        init.layer_stds(np.ones((2, 3)), [np.ones((3, 4)), np.ones((3, 4))], np.tanh)
