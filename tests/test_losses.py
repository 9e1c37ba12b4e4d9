"""Tests for helpers.losses: lecture values, naive vs vectorized, numerical gradients, stability, errors."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from helpers import losses
from helpers.gradients import numerical_gradient, rel_error
from helpers.losses import (
    CAT_CAR_FROG_LABELS,
    CAT_CAR_FROG_SCORES,
    CLASS_NAMES,
    log_softmax,
    softmax,
    softmax_loss,
    softmax_loss_naive,
    softmax_loss_per_example,
    svm_loss,
    svm_loss_naive,
    svm_loss_per_example,
    triplet_loss,
)

S, Y = CAT_CAR_FROG_SCORES, CAT_CAR_FROG_LABELS


def random_problem(seed, N=7, C=5, scale=3.0):
    rng = np.random.default_rng(seed)
    return scale * rng.standard_normal((N, C)), rng.integers(0, C, size=N)


# --- the lecture's table ---------------------------------------------------------------------------


def test_lecture_table_layout():
    assert CLASS_NAMES == ("cat", "car", "frog")
    assert S.shape == (3, 3) and S.dtype == np.float64
    assert_allclose(S[:, 0], [3.2, 1.3, 2.2])  # the slide's "cat" row: cat score of each image
    assert_allclose(S[0], [3.2, 5.1, -1.7])  # the cat image's scores (the slide's first column)
    assert Y.tolist() == [0, 1, 2]
    with pytest.raises(ValueError):
        S[0, 0] = 0.0  # read-only, so a notebook cannot corrupt it


def test_hinge_losses_of_lecture():
    per = svm_loss_per_example(S, Y)
    assert per.shape == (3,)
    assert_allclose(per, [2.9, 0.0, 12.9], atol=1e-12)
    loss, dscores = svm_loss(S, Y)
    assert loss == pytest.approx(15.8 / 3, abs=1e-12)
    assert round(loss, 2) == 5.27 and round(loss, 1) == 5.3  # issue text and slide rounding
    # cat image: car violates (2.9 > 0), frog does not; car image: none; frog image: both.
    assert_allclose(dscores, np.array([[-1, 1, 0], [0, 0, 0], [1, 1, -2]]) / 3)


def test_hinge_hand_computed_margin():
    # margin 0: cat image max(0, 5.1 - 3.2) = 1.9; car image 0; frog image 5.3 + 5.6 = 10.9
    assert_allclose(svm_loss_per_example(S, Y, margin=0.0), [1.9, 0.0, 10.9], atol=1e-12)
    # margin 5: cat 6.9 + 0.1 = 7.0; car (1.3-4.9+5)=1.4, (2.0-4.9+5)=2.1 -> 3.5; frog 10.3 + 10.6
    assert_allclose(svm_loss_per_example(S, Y, margin=5.0), [7.0, 3.5, 20.9], atol=1e-12)


def test_cross_entropy_of_lecture():
    per = softmax_loss_per_example(S, Y)
    assert per.shape == (3,)
    assert round(per[0], 2) == 2.04 and round(per[0], 4) == 2.0404
    assert round(per[1], 3) == 0.079
    assert round(per[2], 3) == 6.156
    loss, _ = softmax_loss(S, Y)
    assert loss == pytest.approx(per.mean(), rel=1e-15)
    assert loss == pytest.approx((2.0403551 + 0.0791318 + 6.1564772) / 3, abs=1e-6)


def test_softmax_probabilities_of_cat_image():
    p = softmax(S[0])
    assert p.shape == (3,)
    assert_allclose(np.round(p, 2), [0.13, 0.87, 0.00])
    e = np.exp(S[0])  # the slide's "exp" column, to the digits it shows
    assert [round(e[0], 1), round(e[1], 1), round(e[2], 2)] == [24.5, 164.0, 0.18]
    # The slide's -log(0.13) = 0.89 is a base-10 logarithm; the natural log gives 2.04.
    assert round(-math.log10(0.13), 2) == 0.89
    assert round(-math.log(0.13), 2) == 2.04
    assert round(-np.log(p[0]), 2) == 2.04


# --- softmax / log_softmax -------------------------------------------------------------------------


def test_softmax_rows_sum_to_one_and_shapes():
    scores, _ = random_problem(0)
    p = softmax(scores)
    assert p.shape == scores.shape
    assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    assert_allclose(log_softmax(scores), np.log(p), rtol=1e-12, atol=1e-12)
    assert_allclose(softmax(scores + 100.0), p, rtol=1e-12)  # shift invariance


def test_softmax_extreme_inputs_no_warning_no_nan():
    big = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]])
    p = softmax(big)
    assert np.all(np.isfinite(p))
    assert_allclose(p, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-15)
    lp = log_softmax(big)
    assert lp[0, 1] == pytest.approx(-2000.0)  # finite, not -inf
    loss, d = softmax_loss(big, np.array([1, 2]))
    assert loss == pytest.approx((2000.0 + math.log(3)) / 2)
    assert np.all(np.isfinite(d))
    loss, d = svm_loss(big, np.array([1, 2]))
    assert loss == pytest.approx((2001.0 + 1001.0 + 2.0) / 2)


# --- naive vs vectorized ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(("N", "C"), [(1, 2), (7, 5), (40, 10)])
def test_naive_twins_agree(seed, N, C):
    scores, y = random_problem(seed, N, C)
    for fast, slow in ((svm_loss, svm_loss_naive), (softmax_loss, softmax_loss_naive)):
        loss, d = fast(scores, y)
        loss_n, d_n = slow(scores, y)
        assert isinstance(loss, float) and isinstance(loss_n, float)
        assert loss == pytest.approx(loss_n, rel=1e-7)
        assert d.shape == d_n.shape == (N, C)
        assert_allclose(d, d_n, rtol=1e-7, atol=1e-15)


def test_svm_naive_with_other_margin():
    scores, y = random_problem(3, 9, 4)
    loss, d = svm_loss(scores, y, margin=2.5)
    loss_n, d_n = svm_loss_naive(scores, y, margin=2.5)
    assert loss == pytest.approx(loss_n, rel=1e-7)
    assert_allclose(d, d_n, rtol=1e-7)
    assert loss == pytest.approx(svm_loss_per_example(scores, y, 2.5).mean(), rel=1e-12)


# --- gradients -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "N", "C"), [(0, 4, 3), (1, 6, 10), (2, 1, 2)])
def test_softmax_loss_gradient_numerically(seed, N, C):
    scores, y = random_problem(seed, N, C, scale=1.0)
    _, d = softmax_loss(scores, y)
    num = numerical_gradient(lambda s: softmax_loss(s, y)[0], scores)
    assert rel_error(d, num) < 1e-7


def test_svm_loss_gradient_numerically_away_from_kinks():
    scores, y = random_problem(4, 6, 5)
    per = scores - scores[np.arange(6), y][:, None] + 1.0
    assert np.min(np.abs(per)) > 1e-3  # no margin within h of a kink
    _, d = svm_loss(scores, y)
    num = numerical_gradient(lambda s: svm_loss(s, y)[0], scores)
    assert rel_error(d, num) < 1e-7


def test_gradients_sum_to_zero_per_row():
    scores, y = random_problem(5, 8, 6)
    for fn in (svm_loss, softmax_loss):
        _, d = fn(scores, y)
        assert_allclose(d.sum(axis=1), 0.0, atol=1e-15)


# --- dtype -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [svm_loss, softmax_loss])
def test_float32_stays_float32(fn):
    scores, y = random_problem(6, 20, 10)
    loss32, d32 = fn(scores.astype(np.float32), y)
    loss64, d64 = fn(scores, y)
    assert d32.dtype == np.float32
    assert isinstance(loss32, float)
    assert loss32 == pytest.approx(loss64, rel=1e-5)
    assert_allclose(d32, d64, rtol=1e-4, atol=1e-6)


def test_integer_scores_become_float64():
    loss, d = softmax_loss(np.array([[1, 2, 3]]), [2])
    assert d.dtype == np.float64
    assert loss == pytest.approx(math.log(math.exp(1) + math.exp(2) + math.exp(3)) - 3)


def test_inputs_not_modified():
    scores, y = random_problem(7)
    s0, y0 = scores.copy(), y.copy()
    for fn in (svm_loss, softmax_loss, svm_loss_naive, softmax_loss_naive):
        fn(scores, y)
    assert_allclose(scores, s0)
    assert np.array_equal(y, y0)


# --- triplet ---------------------------------------------------------------------------------------


def test_triplet_hand_computed():
    a = np.array([[0.0, 0.0], [0.0, 0.0]])
    p = np.array([[1.0, 0.0], [0.1, 0.0]])
    n = np.array([[0.0, 0.5], [3.0, 0.0]])
    # triplet 0: 1 - 0.25 + 0.2 = 0.95 (active); triplet 1: 0.01 - 9 + 0.2 < 0 (inactive)
    loss, (da, dp, dn) = triplet_loss(a, p, n)
    assert loss == pytest.approx(0.95)
    assert_allclose(da, [[-2.0, 1.0], [0.0, 0.0]])  # 2 (n - p)
    assert_allclose(dp, [[2.0, 0.0], [0.0, 0.0]])  # -2 (a - p)
    assert_allclose(dn, [[0.0, -1.0], [0.0, 0.0]])  # 2 (a - n)
    loss_mean, grads_mean = triplet_loss(a, p, n, reduction="mean")
    assert loss_mean == pytest.approx(0.95 / 2)
    assert_allclose(grads_mean[0], da / 2)
    assert triplet_loss(a, p, n, alpha=0.0)[0] == pytest.approx(0.75)


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_triplet_gradient_numerically(reduction):
    rng = np.random.default_rng(11)
    a, p, n = (rng.standard_normal((5, 4)) for _ in range(3))
    loss, grads = triplet_loss(a, p, n, alpha=1.0, reduction=reduction)
    assert loss > 0
    for k, x in enumerate((a, p, n)):
        num = numerical_gradient(lambda _: triplet_loss(a, p, n, alpha=1.0, reduction=reduction)[0], x)
        assert rel_error(grads[k], num) < 1e-7


# --- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [svm_loss, softmax_loss, svm_loss_naive, softmax_loss_naive])
def test_bad_input_messages(fn):
    with pytest.raises(ValueError, match=r"shape \(N, C\).*got shape \(3,\)"):
        fn(np.zeros(3), np.array([0]))
    with pytest.raises(ValueError, match=r"y of shape \(N,\) = \(3,\).*got \(2,\)"):
        fn(S, np.array([0, 1]))
    with pytest.raises(ValueError, match=r"labels y in 0\.\.2 .*got values in 0\.\.3"):
        fn(S, np.array([0, 1, 3]))
    with pytest.raises(ValueError, match=r"got values in -1\.\.2"):
        fn(S, np.array([-1, 1, 2]))
    with pytest.raises(ValueError, match="integer class labels, got dtype float64"):
        fn(S, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match="real-valued scores"):
        fn(np.array([["a", "b"]]), np.array([0]))


def test_bad_triplet_and_softmax_input():
    a = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"negative of shape \(2, 3\) like anchor, got \(2, 4\)"):
        triplet_loss(a, a, np.zeros((2, 4)))
    with pytest.raises(ValueError, match="reduction"):
        triplet_loss(a, a, a, reduction="max")
    with pytest.raises(ValueError, match=r"anchor of shape \(N, D\)"):
        triplet_loss(np.zeros(3), np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"\(N, C\) or \(C,\)"):
        softmax(np.zeros((2, 2, 2)))


def test_module_documents_its_notebook():
    assert "04_losses" in losses.__doc__
