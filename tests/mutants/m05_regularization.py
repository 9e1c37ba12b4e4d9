"""Wrong answers to notebook 05 (L2, L1, elastic net, the full loss); see tests/mutants/__init__.py."""

from tests.mutants import Mutant, Passing


def _pen(fn, penalty, dW, pre=""):
    return (
        f"def {fn}(W, lam" + (", beta" if fn == "elastic_net_penalty" else "") + "):\n"
        "    W = np.asarray(W, dtype=np.float64)\n" + pre + f"    return float({penalty}), {dW}\n"
    )


MUTANTS = [
    # l2_penalty
    Mutant(
        "l2_penalty",
        "a 1/2 in front (with its gradient lam W)",
        _pen("l2_penalty", "0.5 * lam * np.sum(W * W)", "lam * W"),
        expect=("1/2",),
    ),
    Mutant(
        "l2_penalty",
        "dW = lam W (the factor 2 forgotten)",
        _pen("l2_penalty", "lam * np.sum(W * W)", "lam * W"),
        expect=("dW",),
    ),
    Mutant(
        "l2_penalty",
        "a mean over the weights (with its gradient)",
        _pen("l2_penalty", "lam * np.mean(W * W)", "2 * lam * W / W.size"),
        expect=("np.mean",),
    ),
    Mutant(
        "l2_penalty",
        "dW built in W's own memory",
        "def l2_penalty(W, lam):\n    penalty = float(lam * np.sum(W * W))\n    dW = W\n    dW *= 2 * lam\n    return penalty, dW\n",
        expect=("in place",),
    ),
    Mutant(
        "l2_penalty",
        "a penalty per column (np.sum(..., axis=0))",
        "def l2_penalty(W, lam):\n    return lam * np.sum(W * W, axis=0), 2 * lam * W\n",
        expect=("single number",),
    ),
    # l1_penalty
    Mutant(
        "l1_penalty",
        "a mean over the weights (with its gradient)",
        _pen("l1_penalty", "lam * np.mean(np.abs(W))", "lam * np.sign(W) / W.size"),
        expect=("np.mean",),
    ),
    Mutant(
        "l1_penalty",
        "sign(0) = 1 (np.where(W >= 0, ...))",
        _pen("l1_penalty", "lam * np.sum(np.abs(W))", "np.where(W >= 0, lam, -lam)"),
        expect=("sign(0) = 0", "sign(0) = 1"),
        forbid=("bias", "margin"),
    ),
    Mutant(
        "l1_penalty",
        "dW = lam W / |W| (0/0 at W = 0)",
        _pen("l1_penalty", "lam * np.sum(np.abs(W))", "lam * W / np.abs(W)"),
        expect=("division by zero", "np.sign(W)"),
        forbid=("np.exp", "log of 0"),
    ),
    Mutant(
        "l1_penalty",
        "no absolute value",
        _pen("l1_penalty", "lam * np.sum(W)", "lam * np.ones_like(W)"),
        expect=("-W",),
    ),
    Mutant(
        "l1_penalty",
        "dW without lam",
        _pen("l1_penalty", "lam * np.sum(np.abs(W))", "np.sign(W)"),
        expect=("dW", "without lam"),
        forbid=("1/N", "mean"),
    ),
    # elastic_net_penalty
    Mutant(
        "elastic_net_penalty",
        "l2_penalty(W, beta) + l1_penalty(W, lam)",
        "def elastic_net_penalty(W, lam, beta):\n"
        "    p2, d2 = l2_penalty(W, beta)\n"
        "    p1, d1 = l1_penalty(W, lam)\n"
        "    return float(p2 + p1), d2 + d1\n",
        expect=("lambda = 0",),
    ),
    Mutant(
        "elastic_net_penalty",
        "beta forgotten",
        _pen("elastic_net_penalty", "lam * np.sum(W * W + np.abs(W))", "lam * (2 * W + np.sign(W))"),
        expect=("beta",),
    ),
    Mutant(
        "elastic_net_penalty",
        "dW of the squared term without its 2",
        _pen(
            "elastic_net_penalty", "lam * np.sum(beta * W * W + np.abs(W))", "lam * (beta * W + np.sign(W))"
        ),
        expect=("dW",),
    ),
    Mutant(
        "elastic_net_penalty",
        "lam only on the squared term",
        _pen(
            "elastic_net_penalty",
            "lam * beta * np.sum(W * W) + np.sum(np.abs(W))",
            "2 * lam * beta * W + np.sign(W)",
        ),
        expect=("lambda = 0",),
    ),
    Mutant(
        "elastic_net_penalty",
        "dW of the squared term only",
        _pen("elastic_net_penalty", "lam * np.sum(beta * W * W + np.abs(W))", "2 * lam * beta * W"),
        expect=("dW",),
    ),
    # regularized_svm_loss
    Mutant(
        "regularized_svm_loss",
        "the penalty argument ignored (always L2)",
        "def regularized_svm_loss(W, X, y, lam, penalty):\n"
        "    return float(svm_loss_per_example(X @ W, y).mean() + lam * np.sum(W * W))\n",
        expect=("penalty worth 3.0",),
    ),
    Mutant(
        "regularized_svm_loss",
        "lam * penalty(W, lam)[0] (lambda twice)",
        "def regularized_svm_loss(W, X, y, lam, penalty):\n"
        "    return float(svm_loss_per_example(X @ W, y).mean() + lam * penalty(W, lam)[0])\n",
        expect=("penalty worth 3.0", "lambda applied twice"),
        forbid=("dividing by N", "1/N", "averaging"),
    ),
    Mutant(
        "regularized_svm_loss",
        "adds the whole pair penalty(W, lam)",
        "def regularized_svm_loss(W, X, y, lam, penalty):\n    return float(svm_loss_per_example(X @ W, y).mean()) + penalty(W, lam)\n",
        expect=("tuple",),
    ),
    Mutant(
        "regularized_svm_loss",
        "its own hinge loss, summed over the batch",
        "def regularized_svm_loss(W, X, y, lam, penalty):\n"
        "    S = X @ W\n"
        "    N = S.shape[0]\n"
        "    m = np.maximum(0.0, S - S[np.arange(N), y][:, None] + 1.0)\n"
        "    m[np.arange(N), y] = 0.0\n"
        "    return float(m.sum() + penalty(W, lam)[0])\n",
        expect=("mean hinge loss",),
    ),
    Mutant(
        "regularized_svm_loss",
        "penalty(W, 1.0): its lam ignored",
        "def regularized_svm_loss(W, X, y, lam, penalty):\n"
        "    return float(svm_loss_per_example(X @ W, y).mean() + penalty(W, 1.0)[0])\n",
        common=False,
        expect=("regularized_svm_loss",),
    ),
]

PASSING = [
    Passing(
        "elastic_net_penalty",
        "built from the student's own l1 and l2 penalties",
        "def elastic_net_penalty(W, lam, beta):\n"
        "    p2, d2 = l2_penalty(W, lam * beta)\n"
        "    p1, d1 = l1_penalty(W, lam)\n"
        "    return float(p2 + p1), d2 + d1\n",
    ),
    Passing(
        "l2_penalty",
        "a loop over the entries",
        "def l2_penalty(W, lam):\n"
        "    W = np.asarray(W, dtype=np.float64)\n"
        "    total = 0.0\n"
        "    dW = np.zeros_like(W)\n"
        "    for idx in np.ndindex(W.shape):\n"
        "        total += W[idx] ** 2\n"
        "        dW[idx] = 2 * lam * W[idx]\n"
        "    return float(lam * total), dW\n",
    ),
]
