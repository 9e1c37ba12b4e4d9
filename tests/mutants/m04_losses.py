"""Wrong answers to notebook 04 (hinge, softmax, cross-entropy, triplet losses); see tests/mutants/__init__.py."""

from tests.mutants import Mutant, Passing


def _naive(body):
    return (
        "def hinge_losses_naive(scores, y, margin=1.0):\n"
        "    N, C = scores.shape\n"
        "    out = np.zeros(N)\n"
        "    for i in range(N):\n"
        "        for j in range(C):\n" + body + "    return out\n"
    )


_HINGE = (
    "def hinge_loss(scores, y, margin=1.0):\n"
    "    N, C = scores.shape\n"
    "    rows = np.arange(N)\n"
    "    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + {margin})\n"
    "    {zero}\n"
    "    return {ret}\n"
)


def _hinge(margin="margin", zero="margins[rows, y] = 0.0", ret="float(margins.sum() / N)"):
    return _HINGE.format(margin=margin, zero=zero, ret=ret)


_CE_HEAD = (
    "def cross_entropy(scores, y):\n"
    "    N, C = scores.shape\n"
    "    shifted = scores - scores.max(axis=1, keepdims=True)\n"
    "    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))\n"
)

_TRIPLET = (
    "def triplet(anchor, positive, negative, alpha=0.2):\n"
    "    d_pos = {d_pos}\n"
    "    d_neg = {d_neg}\n"
    "    return float({ret})\n"
)


def _triplet(
    d_pos="np.sum((anchor - positive) ** 2, axis=1)",
    d_neg="np.sum((anchor - negative) ** 2, axis=1)",
    ret="np.sum(np.maximum(0.0, d_pos - d_neg + alpha))",
):
    return _TRIPLET.format(d_pos=d_pos, d_neg=d_neg, ret=ret)


MUTANTS = [
    # hinge_losses_naive
    Mutant(
        "hinge_naive",
        "does not skip j = y_i",
        _naive("            out[i] += max(0.0, scores[i, j] - scores[i, y[i]] + margin)\n"),
        expect=("skip j = y_i",),
    ),
    Mutant(
        "hinge_naive",
        "margin 1 hard-coded",
        _naive(
            "            if j != y[i]:\n"
            "                out[i] += max(0.0, scores[i, j] - scores[i, y[i]] + 1.0)\n"
        ),
        expect=("margin argument",),
    ),
    Mutant(
        "hinge_naive",
        "no clipping at 0",
        _naive(
            "            if j != y[i]:\n                out[i] += scores[i, j] - scores[i, y[i]] + margin\n"
        ),
        expect=("max(0",),
    ),
    Mutant(
        "hinge_naive",
        "s_y - s_j instead of s_j - s_y",
        _naive(
            "            if j != y[i]:\n"
            "                out[i] += max(0.0, scores[i, y[i]] - scores[i, j] + margin)\n"
        ),
        expect=("hinge_losses_naive([[2, 1, 0]",),
    ),
    Mutant(
        "hinge_naive",
        "returns the mean, not one loss per example",
        "def hinge_losses_naive(scores, y, margin=1.0):\n"
        "    N, C = scores.shape\n"
        "    total = 0.0\n"
        "    for i in range(N):\n"
        "        for j in range(C):\n"
        "            if j != y[i]:\n"
        "                total += max(0.0, scores[i, j] - scores[i, y[i]] + margin)\n"
        "    return total / N\n",
        expect=("shape",),
    ),
    # hinge_loss (vectorised)
    Mutant(
        "hinge_vec",
        "the correct classes are not zeroed (j = y_i counted)",
        _hinge(zero="pass"),
        expect=("skip j = y_i",),
    ),
    Mutant(
        "hinge_vec",
        "sum over the batch, no 1/N",
        _hinge(ret="float(margins.sum())"),
        expect=("1/N",),
    ),
    Mutant(
        "hinge_vec",
        "np.mean over all N x C entries",
        _hinge(ret="float(np.mean(margins))"),
        expect=("1/C",),
    ),
    Mutant(
        "hinge_vec",
        "zeroes the correct classes in the caller's scores (in place)",
        "def hinge_loss(scores, y, margin=1.0):\n"
        "    N = scores.shape[0]\n"
        "    rows = np.arange(N)\n"
        "    scores -= scores[rows, y][:, None] - margin\n"
        "    np.maximum(scores, 0.0, out=scores)\n"
        "    scores[rows, y] = 0.0\n"
        "    return float(scores.sum() / N)\n",
        expect=("in place",),
    ),
    Mutant(
        "hinge_vec",
        "per-example losses, no reduction",
        _hinge(ret="margins.sum(axis=1)"),
        expect=("single number",),
    ),
    Mutant(
        "hinge_vec",
        "margin 1 hard-coded",
        _hinge(margin="1.0"),
        common=False,
        expect=("the margin passed in",),
    ),
    # softmax_probs
    Mutant(
        "softmax",
        "no max shift: overflows",
        "def softmax_probs(scores):\n    e = np.exp(scores)\n    return e / np.sum(e, axis=1, keepdims=True)\n",
        expect=("row's own maximum",),
    ),
    Mutant(
        "softmax",
        "the global max instead of each row's",
        "def softmax_probs(scores):\n"
        "    e = np.exp(scores - np.max(scores))\n"
        "    return e / np.sum(e, axis=1, keepdims=True)\n",
        expect=("row's own maximum",),
    ),
    Mutant(
        "softmax",
        "normalises the columns (axis=0)",
        "def softmax_probs(scores):\n"
        "    e = np.exp(scores - np.max(scores, axis=1, keepdims=True))\n"
        "    return e / np.sum(e, axis=0, keepdims=True)\n",
        expect=("row sums", "axis=0", "axis=1"),
        forbid=("compare your formula",),
    ),
    Mutant(
        "softmax",
        "sum without keepdims",
        "def softmax_probs(scores):\n"
        "    e = np.exp(scores - np.max(scores, axis=1, keepdims=True))\n"
        "    return e / np.sum(e, axis=1)\n",
        expect=("broadcast",),
    ),
    Mutant(
        "softmax",
        "shifts the caller's scores in place",
        "def softmax_probs(scores):\n"
        "    scores -= np.max(scores, axis=1, keepdims=True)\n"
        "    e = np.exp(scores)\n"
        "    return e / np.sum(e, axis=1, keepdims=True)\n",
        expect=("in place",),
    ),
    # cross_entropy
    Mutant(
        "cross_entropy",
        "np.log10",
        "def cross_entropy(scores, y):\n"
        "    N = scores.shape[0]\n"
        "    shifted = scores - scores.max(axis=1, keepdims=True)\n"
        "    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)\n"
        "    return float(-np.mean(np.log10(p[np.arange(N), y])))\n",
        expect=("np.log10",),
    ),
    Mutant(
        "cross_entropy",
        "sum over the batch, no 1/N",
        _CE_HEAD + "    return float(-np.sum(log_p[np.arange(N), y]))\n",
        expect=("1/N",),
    ),
    Mutant(
        "cross_entropy",
        "np.mean over all N x C entries of the one-hot product",
        _CE_HEAD + "    return float(-np.mean(np.eye(C)[y] * log_p))\n",
        expect=("1/C",),
    ),
    Mutant(
        "cross_entropy",
        "no log-sum-exp: probabilities first, then the log",
        "def cross_entropy(scores, y):\n"
        "    N = scores.shape[0]\n"
        "    e = np.exp(scores)\n"
        "    p = e / e.sum(axis=1, keepdims=True)\n"
        "    return float(-np.mean(np.log(p[np.arange(N), y])))\n",
        expect=("log-sum-exp",),
    ),
    Mutant(
        "cross_entropy",
        "stable softmax, then log of a probability that underflows to 0",
        "def cross_entropy(scores, y):\n"
        "    N = scores.shape[0]\n"
        "    e = np.exp(scores - scores.max(axis=1, keepdims=True))\n"
        "    p = e / e.sum(axis=1, keepdims=True)\n"
        "    return float(-np.mean(np.log(p[np.arange(N), y])))\n",
        expect=("log-sum-exp",),
    ),
    Mutant(
        "cross_entropy",
        "the minus sign forgotten",
        _CE_HEAD + "    return float(np.mean(log_p[np.arange(N), y]))\n",
        expect=("never negative",),
    ),
    # triplet
    Mutant(
        "triplet",
        "mean over the triplets instead of the sum",
        _triplet(ret="np.mean(np.maximum(0.0, d_pos - d_neg + alpha))"),
        expect=("1/N",),
    ),
    Mutant(
        "triplet",
        "plain (not squared) distances",
        _triplet(
            d_pos="np.linalg.norm(anchor - positive, axis=1)",
            d_neg="np.linalg.norm(anchor - negative, axis=1)",
        ),
        expect=("squared",),
    ),
    Mutant(
        "triplet",
        "clips after summing over the triplets",
        _triplet(ret="max(0.0, np.sum(d_pos - d_neg + alpha))"),
        expect=("clip each triplet",),
    ),
    Mutant(
        "triplet",
        "no clipping",
        _triplet(ret="np.sum(d_pos - d_neg + alpha)"),
        expect=("far-away negative",),
    ),
    Mutant(
        "triplet",
        "distances summed down the batch (axis=0)",
        _triplet(
            d_pos="np.sum((anchor - positive) ** 2, axis=0)",
            d_neg="np.sum((anchor - negative) ** 2, axis=0)",
        ),
        expect=("triplet",),
    ),
    Mutant(
        "triplet",
        "alpha = 0.2 hard-coded",
        _triplet(ret="np.sum(np.maximum(0.0, d_pos - d_neg + 0.2))"),
        expect=("alpha=0.5",),
    ),
]

PASSING = [
    Passing(
        "hinge_naive",
        "an inner loop that adds and then subtracts the correct class",
        "def hinge_losses_naive(scores, y, margin=1.0):\n"
        "    N, C = scores.shape\n"
        "    out = np.zeros(N)\n"
        "    for i in range(N):\n"
        "        for j in range(C):\n"
        "            out[i] += max(0.0, scores[i, j] - scores[i, y[i]] + margin)\n"
        "        out[i] -= margin\n"
        "    return out\n",
    ),
    Passing(
        "cross_entropy",
        "scipy-free logaddexp.reduce",
        "def cross_entropy(scores, y):\n"
        "    N = scores.shape[0]\n"
        "    lse = np.logaddexp.reduce(scores, axis=1)\n"
        "    return float(np.mean(lse - scores[np.arange(N), y]))\n",
    ),
    Passing(
        "triplet",
        "float32 embeddings",
        "def triplet(anchor, positive, negative, alpha=0.2):\n"
        "    a, p, n = (np.asarray(v, dtype=np.float64) for v in (anchor, positive, negative))\n"
        "    d = np.einsum('ij,ij->i', a - p, a - p) - np.einsum('ij,ij->i', a - n, a - n)\n"
        "    return float(np.clip(d + alpha, 0.0, None).sum())\n",
    ),
]
