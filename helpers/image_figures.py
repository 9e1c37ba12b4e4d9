"""Images as figures: a grid of examples (04, 08), a linear classifier's weights as templates and a
two-layer network's first-layer weights, or what training changed in them (08).

All of them tile small images into one picture (:func:`_draw_montage`); images of any range are brought to
[0, 1] for display (uint8, floats in [0, 1], or each image rescaled on its own).
"""

import math

import numpy as np

from helpers.figure_style import COLORS, axes_on, new_figure, split_target, target_result


def _as_images(images, image_shape=(32, 32, 3)):
    """(n, H, W, 3) / (n, H, W) / flat (n, D) -> float images in [0, 1] for display."""
    arr = np.asarray(images)
    if arr.ndim == 2:
        arr = arr.reshape(arr.shape[0], *image_shape)
    if arr.ndim not in (3, 4):
        raise ValueError(f"expected images of shape (n, H, W, 3), (n, H, W) or (n, D), got {arr.shape}")
    if arr.dtype == np.uint8:
        return arr.astype(np.float64) / 255.0
    arr = arr.astype(np.float64)
    if arr.size and arr.min() >= 0 and arr.max() <= 1:
        return arr
    if arr.size and arr.min() >= 0 and arr.max() <= 255:
        return arr / 255.0
    return _rescale_each(arr)


def _rescale_each(arr):
    """Min-max rescale every image to [0, 1] separately (for templates and standardised data)."""
    axes = tuple(range(1, arr.ndim))
    lo = arr.min(axis=axes, keepdims=True)
    span = arr.max(axis=axes, keepdims=True) - lo
    return (arr - lo) / np.where(span > 0, span, 1.0)


def _draw_montage(ax, images, labels, ncols, *, title, row_labels):
    """Tile ``images`` (n, H, W[, 3]) into one picture on ``ax``; label rows or tiles."""
    n, h, w = images.shape[:3]
    nrows = max(1, math.ceil(n / ncols))
    gap = max(1, w // 16)
    label_space = 0 if (row_labels or labels is None) else max(gap, int(h * 0.45))
    tile_h, tile_w = h + gap + label_space, w + gap
    canvas_shape = (nrows * tile_h - gap, ncols * tile_w - gap) + images.shape[3:]
    canvas = np.ones(canvas_shape)
    for k in range(n):
        r, c = divmod(k, ncols)
        top = r * tile_h + label_space
        canvas[top : top + h, c * tile_w : c * tile_w + w] = images[k]
    ax.imshow(canvas, cmap=None if images.ndim == 4 else "gray", vmin=0, vmax=1, interpolation="nearest")
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks([])
    if row_labels:
        ax.set_yticks([r * tile_h + h / 2 for r in range(nrows)], row_labels)
        ax.tick_params(axis="y", length=0)
        ax.set_ylabel("class")
        ax.set_xlabel(f"{ncols} examples per row")
    else:
        ax.set_yticks([])
        ax.set_xlabel("label above each image" if labels is not None else f"{n} images", fontsize=10)
        if labels is not None:
            for k, text in enumerate(labels):
                r, c = divmod(k, ncols)
                ax.text(
                    c * tile_w + w / 2,
                    r * tile_h + label_space - 1,
                    str(text),
                    ha="center",
                    va="bottom",
                    fontsize=10,
                    clip_on=True,
                )
    ax.set_title(title)
    return ax


def image_grid(*args, ncols=None, class_names=None, title=None, image_shape=(32, 32, 3)):
    """A grid of small images, e.g. CIFAR-10 examples with one row per class.

    Call as ``image_grid(images, labels)`` (new figure) or ``image_grid(ax_or_fig, images, labels)``.

    Parameters
    ----------
    images : ndarray, shape (n, H, W, 3), (n, H, W) or flat (n, D)
        uint8 0..255, floats in [0, 1], or any floats (each image is then rescaled to [0, 1]).
    labels : sequence of n ints or str, optional
        Ints are looked up in ``class_names``. When every row of the grid has one label (images grouped
        by class, e.g. from ``data.class_examples``), rows are labelled; otherwise each image is.
    ncols : int, optional
        Images per row; default: one row per class when labels are grouped, else a square grid.

    Returns
    -------
    The ``Axes`` passed in, otherwise the ``Figure``.
    """
    target, rest = split_target(args)
    if not rest or len(rest) > 2:
        raise TypeError("image_grid([ax_or_fig,] images[, labels], ...)")
    images = _as_images(rest[0], image_shape)
    labels = None if len(rest) < 2 or rest[1] is None else list(rest[1])
    n = images.shape[0]
    if labels is not None:
        if len(labels) != n:
            raise ValueError(f"got {n} images but {len(labels)} labels")
        if class_names is not None:
            labels = [class_names[int(v)] if isinstance(v, int | np.integer) else v for v in labels]
    if ncols is None:
        if labels is not None and n:
            counts = [sum(1 for v in labels if v == u) for u in dict.fromkeys(labels)]
            ncols = max(counts) if len(set(counts)) == 1 else math.ceil(math.sqrt(n))
        else:
            ncols = max(1, math.ceil(math.sqrt(n)))
    ncols = max(1, min(int(ncols), max(n, 1)))
    nrows = max(1, math.ceil(n / ncols))
    row_labels = None
    if labels is not None:
        rows = [labels[r * ncols : (r + 1) * ncols] for r in range(nrows)]
        if all(len(set(map(str, row))) == 1 for row in rows):
            row_labels = [str(row[0]) for row in rows]
    if title is None:
        title = f"{n} images" + (", one row per class" if row_labels else "")
    # 32x32 images need room: a few images get up to 1.6 inches each, a wide grid at least 0.75
    cell = min(1.6, max(0.75, 6.0 / ncols))
    ax = axes_on(target, figsize=(max(3.0, cell * ncols + 1.5), cell * nrows + 0.7))
    _draw_montage(ax, images, labels, ncols, title=title, row_labels=row_labels)
    return target_result(target, ax)


def show_templates(W, class_names=None, *, target=None, title=None, image_shape=(32, 32, 3), ncols=None):
    """Show the columns of a linear classifier's weights ``W`` (D, C) as images (its class templates).

    Each column is reshaped to ``image_shape`` (a bias row, D = 3072 + 1, is dropped) and rescaled to
    [0, 1] on its own, so the colours show the pattern, not the scale. ``target`` may be an Axes or a
    Figure. Returns the Axes passed in, otherwise the Figure.
    """
    W = np.asarray(W, dtype=np.float64)
    D = math.prod(image_shape)
    if W.ndim != 2 or W.shape[0] not in (D, D + 1):
        raise ValueError(f"expected W of shape ({D}, C) (or ({D + 1}, C) with a bias row), got {W.shape}")
    templates = _rescale_each(W[:D].T.reshape(W.shape[1], *image_shape))
    C = templates.shape[0]
    labels = list(class_names) if class_names is not None else [f"class {c}" for c in range(C)]
    if len(labels) != C:
        raise ValueError(f"W has {C} columns but {len(labels)} class names")
    ncols = ncols or (5 if C == 10 else math.ceil(math.sqrt(C)))
    nrows = math.ceil(C / ncols)
    ax = axes_on(target, figsize=(1.3 * ncols + 0.6, 1.45 * nrows + 0.8))
    _draw_montage(
        ax,
        templates,
        labels,
        ncols,
        title=title or "Linear classifier templates (columns of W)",
        row_labels=None,
    )
    ax.set_xlabel("each template rescaled to its own range: bright = large positive weight", fontsize=10)
    return target_result(target, ax)


def show_first_layer(W1, n=40, *, target=None, title=None, image_shape=(32, 32, 3), ncols=10):
    """Show the first ``n`` hidden units' input weights, the columns of ``W1`` (D, H), as images.

    Each column (D = prod(image_shape) weights, one per input pixel and colour) is reshaped to
    ``image_shape`` and rescaled to [0, 1] on its own, like :func:`show_templates`: what pattern a
    hidden unit responds to, not how strongly.  ``target`` may be an Axes or a Figure.  Returns the Axes
    passed in, otherwise the Figure.
    """
    W1 = np.asarray(W1, dtype=np.float64)
    D = math.prod(image_shape)
    if W1.ndim != 2 or W1.shape[0] != D:
        raise ValueError(f"expected W1 of shape ({D}, H), got {W1.shape}")
    if not np.all(np.isfinite(W1)):
        raise ValueError("W1 holds NaN or infinite weights (did training diverge?)")
    n = min(int(n), W1.shape[1])
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    units = _rescale_each(W1[:, :n].T.reshape(n, *image_shape))
    ncols = max(1, min(int(ncols), n))
    nrows = math.ceil(n / ncols)
    ax = axes_on(target, figsize=(0.9 * ncols + 0.6, 0.9 * nrows + 0.9))
    _draw_montage(
        ax,
        units,
        None,
        ncols,
        title=title or f"First-layer weights of {n} hidden units (columns of W1)",
        row_labels=None,
    )
    ax.set_xlabel("each unit rescaled to its own range: bright = large positive weight", fontsize=10)
    return target_result(target, ax)


def unit_changes(W1, W1_init):
    """How far training moved each hidden unit's input weights, largest first.

    Parameters
    ----------
    W1, W1_init : ndarray, shape (D, H), the first-layer weights after and before training

    Returns
    -------
    order : ndarray of int, shape (H,)
        The units sorted by the norm of their change ``W1[:, j] - W1_init[:, j]``, largest first.
    share : ndarray, shape (H,)
        ``share[k]``: the fraction of the total squared change :math:`\\|W_1 - W_1^{init}\\|^2` that
        lies in the first ``k + 1`` units of ``order`` (increasing, ``share[-1] == 1``).
    """
    W1 = np.asarray(W1, dtype=np.float64)
    W1_init = np.asarray(W1_init, dtype=np.float64)
    if W1.ndim != 2 or W1.shape != W1_init.shape:
        raise ValueError(f"expected W1 and W1_init of one shape (D, H), got {W1.shape} and {W1_init.shape}")
    if not (np.all(np.isfinite(W1)) and np.all(np.isfinite(W1_init))):
        raise ValueError("W1 holds NaN or infinite weights (did training diverge?)")
    moved = np.sum((W1 - W1_init) ** 2, axis=0)
    if not np.any(moved):
        raise ValueError("W1 equals W1_init: training changed no weight")
    order = np.argsort(-moved, kind="stable")
    return order, np.cumsum(moved[order]) / moved.sum()


def show_first_layer_change(W1, W1_init, n=40, *, title=None, image_shape=(32, 32, 3), ncols=10):
    """What training added to the first layer: ``W1 - W1_init`` of the ``n`` units that changed most.

    Left, the change of each of those units (a column of ``W1 - W1_init``, D weights) as an image,
    ranked by the norm of the change, largest first, each rescaled to its own range like
    :func:`show_first_layer`.  Right, the share of the total squared change held by the first k
    ranked units (see :func:`unit_changes`), against the share if every unit changed equally.

    Returns the Figure.
    """
    W1 = np.asarray(W1, dtype=np.float64)
    D = math.prod(image_shape)
    if W1.ndim != 2 or W1.shape[0] != D:
        raise ValueError(f"expected W1 of shape ({D}, H), got {W1.shape}")
    order, share = unit_changes(W1, W1_init)
    H = W1.shape[1]
    n = min(int(n), H)
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    change = W1[:, order[:n]] - np.asarray(W1_init, dtype=np.float64)[:, order[:n]]
    units = _rescale_each(change.T.reshape(n, *image_shape))
    ncols = max(1, min(int(ncols), n))
    nrows = math.ceil(n / ncols)
    fig, (ax, ax_share) = new_figure(
        1,
        2,
        figsize=(0.9 * ncols + 4.6, max(3.2, 0.9 * nrows + 1.2)),
        gridspec_kw={"width_ratios": [0.9 * ncols, 3.2]},
    )
    _draw_montage(
        ax,
        units,
        None,
        ncols,
        title=f"The change W1 - W1_init of the {n} units that moved most",
        row_labels=None,
    )
    ax.set_xlabel("ranked by the size of the change, largest first (row by row); each rescaled", fontsize=10)
    k = np.arange(1, H + 1)
    ax_share.plot(k, share, color=COLORS["blue"], label="ranked units")
    ax_share.plot(k, k / H, color=COLORS["black"], linestyle="--", label="if all changed equally")
    ax_share.plot(
        [n], [share[n - 1]], "o", color=COLORS["orange"], label=f"first {n}: {100 * share[n - 1]:.0f}%"
    )
    ax_share.set_xlabel("number of units (largest change first)")
    ax_share.set_ylabel("share of the total squared change")
    ax_share.set_ylim(0, 1.02)
    ax_share.set_title("Where the change lies")
    ax_share.legend(loc="lower right", fontsize=10)
    fig.suptitle(title or "What training changed in the first layer")
    return fig


def neighbour_correlation(W, image_shape=(32, 32, 3)):
    """How smooth the columns of ``W`` (D, H) are as images: the correlation of horizontally adjacent pixels.

    Noise drawn independently for every weight gives about 0; natural images and smooth patterns give
    values near 1.  Returns a float.
    """
    W = np.asarray(W, dtype=np.float64)
    D = math.prod(image_shape)
    if W.ndim != 2 or W.shape[0] != D:
        raise ValueError(f"expected W of shape ({D}, H), got {W.shape}")
    images = W.T.reshape(W.shape[1], *image_shape)
    left, right = images[:, :, :-1].ravel(), images[:, :, 1:].ravel()
    return float(np.corrcoef(left, right)[0, 1])
