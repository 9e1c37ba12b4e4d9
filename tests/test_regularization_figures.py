"""helpers.regularization_figures (05_regularization), under Agg."""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import regularization_figures
from tests.figure_checks import explorer_problems, made_no_widget


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


class _Nearest:
    """A stand-in classifier: the class of the nearest of a few centres."""

    def __init__(self, centres):
        self.centres = np.asarray(centres, dtype=np.float64)

    def predict(self, X):
        d = ((np.asarray(X)[:, None, :] - self.centres[None]) ** 2).sum(axis=-1)
        return d.argmin(axis=1)


def _blobs(rng, n=10):
    centres = np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0]])
    X = np.concatenate([c + 0.3 * rng.standard_normal((n, 2)) for c in centres])
    return X, np.repeat(np.arange(3), n), centres


def _smallest(ax):
    (line,) = [ln for ln in ax.get_lines() if ln.get_label() == "smallest penalty"]
    return np.column_stack(line.get_data())


def test_decision_boundary_fills_plane_and_scatters_points(rng):
    X, y, centres = _blobs(rng)
    fig, ax = plt.subplots()
    out = regularization_figures.plot_decision_boundary(
        ax, _Nearest(centres).predict, X, y, X_extra=X[:5], y_extra=y[:5]
    )
    assert out is ax
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    # 3 classes of training points + 3 of extra points
    assert len(ax.collections) >= 6
    lo, hi = ax.get_xlim()
    assert lo < X[:, 0].min() and hi > X[:, 0].max()


def test_decision_boundary_with_one_predicted_class_draws_without_warnings(rng):
    X, y, _ = _blobs(rng)
    fig, ax = plt.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        regularization_figures.plot_decision_boundary(ax, lambda P: np.zeros(len(P), dtype=int), X, y)


def test_decision_boundary_rejects_bad_shapes(rng):
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        regularization_figures.plot_decision_boundary(
            ax, lambda P: P[:, 0] > 0, rng.standard_normal((5, 3)), np.zeros(5)
        )
    with pytest.raises(ValueError, match="y of shape"):
        regularization_figures.plot_decision_boundary(
            ax, lambda P: P[:, 0] > 0, rng.standard_normal((5, 2)), np.zeros(4)
        )


def test_penalty_contours_mark_l2_point_and_l1_tie():
    fig, (a, b, c) = plt.subplots(1, 3)
    regularization_figures.plot_penalty_contours(a, lambda w: float(np.sum(w**2)), x=(1.0, 1.0), title="L2")
    regularization_figures.plot_penalty_contours(
        b, lambda w: float(np.sum(np.abs(w))), x=(1.0, 1.0), title="L1"
    )
    regularization_figures.plot_penalty_contours(
        c, lambda w: float(np.sum(np.abs(w))), x=(1.0, 2.0), title="L1 tilted"
    )
    np.testing.assert_allclose(_smallest(a), [[0.5, 0.5]], atol=2e-3)  # L2 spreads the weights
    tie = _smallest(b)  # L1 ties along the whole segment from (0, 1) to (1, 0)
    np.testing.assert_allclose(tie.min(axis=0), [0.0, 0.0], atol=2e-3)
    np.testing.assert_allclose(tie.max(axis=0), [1.0, 1.0], atol=2e-3)
    np.testing.assert_allclose(_smallest(c), [[0.0, 0.5]], atol=2e-3)  # L1 picks a sparse corner
    assert [ax.get_title() for ax in (a, b, c)] == ["L2", "L1", "L1 tilted"]
    with pytest.raises(ValueError):
        regularization_figures.plot_penalty_contours(a, lambda w: 0.0, x=(1.0, 0.0))


def test_train_val_curves_symlog_with_zero_and_best_marker():
    fig, ax = plt.subplots()
    regularization_figures.plot_train_val_curves(
        ax, [0.0, 1e-3, 1e-2], [1.0, 0.9, 0.6], [0.6, 0.8, 0.5], xlabel="lambda"
    )
    assert ax.get_xscale() == "symlog"
    assert ax.get_xlabel() == "lambda" and ax.get_title()
    (best,) = [ln for ln in ax.get_lines() if ln.get_label().startswith("best")]
    assert best.get_xdata()[0] == 1e-3 and best.get_ydata()[0] == 0.8
    with pytest.raises(ValueError):
        regularization_figures.plot_train_val_curves(ax, [0.0, 1.0], [1.0], [1.0, 2.0])


def test_regularization_explorer_switches_networks(rng):
    X, y, centres = _blobs(rng)
    nets = {0.0: _Nearest(centres), 0.1: _Nearest(centres[::-1])}
    box = regularization_figures.regularization_explorer(nets, X, y, X, y)
    slider = box.controls["lam"]
    assert [value for _, value in slider.options] == [0.0, 0.1]
    assert "training accuracy 1.00" in box.axes.get_title()
    slider.value = 0.1
    assert box.axes.get_title().startswith("lambda = 0.1")
    with pytest.raises(ValueError):
        regularization_figures.regularization_explorer({}, X, y, X, y)


def test_explorer_is_labelled_keyboard_usable_and_has_a_still_twin(rng):
    """Issue 23: labelled keyboard controls, a sentence with numbers, the same as a still without widgets."""
    X, y, centres = _blobs(rng)
    nets = {0.0: _Nearest(centres), 0.1: _Nearest(centres[::-1])}
    box = regularization_figures.regularization_explorer(nets, X, y, X, y)
    still, no_widget = made_no_widget(
        lambda: regularization_figures.regularization_explorer(nets, X, y, X, y, static=True)
    )
    assert no_widget, "the still twin must not create widgets (it is shown while grading)"
    assert explorer_problems(box, still) == []
