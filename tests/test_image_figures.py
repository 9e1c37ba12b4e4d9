"""helpers.image_figures: image grids (real CIFAR-10 sample) and linear templates, under Agg."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import data, figure_style, image_figures


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_image_grid_one_row_per_class():
    X, y, _, _ = data.load_cifar10_sample()
    images, labels = data.class_examples(X, y, 4, rng=np.random.default_rng(0))
    fig = image_figures.image_grid(images, [data.CLASSES[c] for c in labels], title="Examples")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert ax.get_title() == "Examples"
    assert [t.get_text() for t in ax.get_yticklabels()] == list(data.CLASSES)
    assert ax.get_ylabel() == "class" and ax.get_xlabel()
    shown = ax.images[0].get_array()
    assert shown.shape[2] == 3
    # the top-left tile is the first image, scaled to [0, 1]
    np.testing.assert_allclose(shown[:32, :32], images[0] / 255.0)
    assert shown.shape[0] > 10 * 32 and shown.shape[1] >= 4 * 32


def test_image_grid_on_given_axes_with_int_labels_and_flat_images():
    X, y, _, _ = data.load_cifar10_sample()
    fig, ax = figure_style.new_figure()
    out = image_figures.image_grid(ax, X[:6].reshape(6, -1), y[:6], class_names=data.CLASSES, ncols=3)
    assert out is ax
    texts = [t.get_text() for t in ax.texts]
    assert texts == [data.CLASSES[c] for c in y[:6]]
    assert ax.get_title() == "6 images"
    fig2 = plt.figure()
    assert image_figures.image_grid(fig2, X[:4]) is fig2 and len(fig2.axes) == 1
    # a short strip gets bigger tiles than a wide grid
    few = image_figures.image_grid(X[:4], ncols=4).get_size_inches()
    many = image_figures.image_grid(X[:40], ncols=10).get_size_inches()
    assert few[0] / 4 > many[0] / 10 and few[1] > 1.8
    with pytest.raises(ValueError, match="labels"):
        image_figures.image_grid(X[:3], [0, 1])


def test_image_grid_rescales_standardised_images(rng):
    Z = rng.standard_normal((4, 32, 32, 3)) * 3
    fig = image_figures.image_grid(Z)
    shown = fig.axes[0].images[0].get_array()
    assert shown.min() >= 0 and shown.max() <= 1


def test_show_templates(rng):
    W = rng.standard_normal((3072, 10))
    fig = image_figures.show_templates(W, data.CLASSES)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == list(data.CLASSES)
    assert ax.get_title() and ax.get_xlabel()
    shown = ax.images[0].get_array()
    first = W[:, 0].reshape(32, 32, 3)
    first = (first - first.min()) / (first.max() - first.min())
    # the first tile sits below a strip of label space, in the first 32 columns
    tops = [t for t in range(shown.shape[0] - 31) if np.allclose(shown[t : t + 32, :32], first, atol=1e-12)]
    assert len(tops) == 1 and 0 < tops[0] < 32
    # a bias row is dropped, an axes target is honoured
    fig2, ax2 = figure_style.new_figure()
    assert image_figures.show_templates(np.vstack([W, np.ones((1, 10))]), target=ax2) is ax2
    with pytest.raises(ValueError, match="shape"):
        image_figures.show_templates(np.zeros((100, 10)))


def test_show_first_layer_tiles_the_first_units(rng):
    W1 = rng.standard_normal((3072, 50))
    fig = image_figures.show_first_layer(W1, n=12, ncols=4)
    (ax,) = fig.axes
    assert "12 hidden units" in ax.get_title() and ax.get_xlabel()
    shown = ax.images[0].get_array()
    gap = 2  # 32 // 16
    assert shown.shape == (3 * 32 + 2 * gap, 4 * 32 + 3 * gap, 3)
    for k in (0, 5, 11):
        r, c = divmod(k, 4)
        unit = W1[:, k].reshape(32, 32, 3)
        unit = (unit - unit.min()) / (unit.max() - unit.min())
        tile = shown[r * (32 + gap) : r * (32 + gap) + 32, c * (32 + gap) : c * (32 + gap) + 32]
        np.testing.assert_allclose(tile, unit, atol=1e-12)
    # more units asked than there are, an axes target, bad shapes and diverged weights
    fig2, ax2 = figure_style.new_figure()
    assert image_figures.show_first_layer(W1[:, :3], n=40, target=ax2) is ax2
    assert "3 hidden units" in ax2.get_title()
    with pytest.raises(ValueError, match="shape"):
        image_figures.show_first_layer(np.zeros((100, 5)))
    with pytest.raises(ValueError, match="diverge"):
        image_figures.show_first_layer(np.full((3072, 2), np.nan))


def test_unit_changes_ranks_units_by_how_far_they_moved(rng):
    W1_init = rng.standard_normal((20, 5))
    steps = np.array([0.0, 3.0, 1.0, 0.0, 2.0])  # unit j moves by steps[j] along one coordinate
    W1 = W1_init.copy()
    W1[7] += steps
    order, share = image_figures.unit_changes(W1, W1_init)
    np.testing.assert_array_equal(order[:3], [1, 4, 2])
    np.testing.assert_allclose(share, np.cumsum([9.0, 4.0, 1.0, 0.0, 0.0]) / 14.0)
    with pytest.raises(ValueError, match="no weight"):
        image_figures.unit_changes(W1_init, W1_init)
    with pytest.raises(ValueError, match="shape"):
        image_figures.unit_changes(W1, W1_init[:, :4])
    with pytest.raises(ValueError, match="diverge"):
        image_figures.unit_changes(np.full((20, 5), np.inf), W1_init)


def test_show_first_layer_change_shows_the_change_of_the_units_that_moved_most(rng):
    W1_init = rng.standard_normal((3072, 30))
    change = rng.standard_normal((3072, 30)) * np.linspace(0.1, 3.0, 30)  # unit 29 moves most
    fig = image_figures.show_first_layer_change(W1_init + change, W1_init, n=12, ncols=4)
    ax, ax_share = fig.axes
    assert "12 units" in ax.get_title() and ax.get_xlabel()
    shown = ax.images[0].get_array()
    gap = 2
    assert shown.shape == (3 * 32 + 2 * gap, 4 * 32 + 3 * gap, 3)
    first = change[:, 29].reshape(32, 32, 3)
    first = (first - first.min()) / (first.max() - first.min())
    np.testing.assert_allclose(shown[:32, :32], first, atol=1e-9)
    curve = ax_share.get_lines()[0]
    np.testing.assert_allclose(curve.get_ydata(), image_figures.unit_changes(W1_init + change, W1_init)[1])
    assert curve.get_ydata()[-1] == pytest.approx(1.0)
    assert any("first 12" in t.get_text() for t in ax_share.get_legend().get_texts())
    with pytest.raises(ValueError, match="shape"):
        image_figures.show_first_layer_change(np.zeros((100, 5)), np.ones((100, 5)))


def test_neighbour_correlation_tells_smooth_images_from_noise(rng):
    noise = rng.standard_normal((3072, 50))
    assert abs(image_figures.neighbour_correlation(noise)) < 0.05
    x = np.linspace(0, 2 * np.pi, 32)
    smooth = np.broadcast_to(np.sin(x)[None, :, None], (32, 32, 3)).reshape(3072, 1) * np.ones((1, 4))
    assert image_figures.neighbour_correlation(smooth + 0.01 * rng.standard_normal((3072, 4))) > 0.9
    with pytest.raises(ValueError, match="shape"):
        image_figures.neighbour_correlation(np.zeros((100, 3)))
