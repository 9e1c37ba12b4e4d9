"""Wrong answers to notebook 06 (numerical gradients, gradients of the losses, gradient descent).

See tests/mutants/__init__.py.
"""

from tests.mutants import Mutant, Passing

_NUMGRAD = (
    "def numerical_gradient(f, x, h=1e-5):\n"
    "    grad = np.zeros(x.shape, dtype=np.float64)\n"
    "    for idx in np.ndindex(x.shape):\n"
    "        old = x[idx]\n"
    "{body}"
    "    return grad\n"
)


def _numgrad(body):
    return _NUMGRAD.format(body=body)


_CENTRED = (
    "        x[idx] = old + h\n"
    "        f_plus = float(f(x))\n"
    "        x[idx] = old - h\n"
    "        f_minus = float(f(x))\n"
    "        x[idx] = old\n"
    "        grad[idx] = (f_plus - f_minus) / (2 * h)\n"
)

_SVM = (
    "def svm_loss_grad_W(W, X, y, reg):\n"
    "    N = X.shape[0]\n"
    "    scores = X @ W\n"
    "    rows = np.arange(N)\n"
    "    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + 1.0)\n"
    "    {zero}\n"
    "    loss = {loss}\n"
    "    dscores = (margins {cmp} 0).astype(np.float64)\n"
    "    dscores[rows, y] = -dscores.sum(axis=1)\n"
    "    dW = {dW}\n"
    "    return float(loss), dW\n"
)


def _svm(
    zero="margins[rows, y] = 0.0",
    loss="margins.sum() / N + reg * np.sum(W * W)",
    cmp=">",
    dW="X.T @ dscores / N + 2 * reg * W",
):
    return _SVM.format(zero=zero, loss=loss, cmp=cmp, dW=dW)


_SOFTMAX = (
    "def softmax_loss_grad_W(W, X, y, reg):\n"
    "    N = X.shape[0]\n"
    "    scores = X @ W\n"
    "    shifted = {shifted}\n"
    "    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))\n"
    "    rows = np.arange(N)\n"
    "    loss = {loss}\n"
    "    dscores = np.exp(log_probs)\n"
    "    {minus_one}\n"
    "    dW = {dW}\n"
    "    return float(loss), dW\n"
)


def _softmax(
    shifted="scores - scores.max(axis=1, keepdims=True)",
    loss="-log_probs[rows, y].mean() + reg * np.sum(W * W)",
    minus_one="dscores[rows, y] -= 1.0",
    dW="X.T @ dscores / N + 2 * reg * W",
):
    return _SOFTMAX.format(shifted=shifted, loss=loss, minus_one=minus_one, dW=dW)


_GD = (
    "def gradient_descent_path(grad_fn, w0, lr, steps):\n"
    "    w = {start}\n"
    "    path = [{first}]\n"
    "    for _ in range({steps}):\n"
    "        {update}\n"
    "        path.append({append})\n"
    "    return np.array(path)\n"
)


def _gd(
    start="np.array(w0, dtype=np.float64)",
    first="w.copy()",
    steps="steps",
    update="w = w - lr * grad_fn(w)",
    append="w.copy()",
):
    return _GD.format(start=start, first=first, steps=steps, update=update, append=append)


MUTANTS = [
    # numerical_gradient
    Mutant(
        "numerical_gradient",
        "a forward difference",
        _numgrad(
            "        f0 = float(f(x))\n"
            "        x[idx] = old + h\n"
            "        f_plus = float(f(x))\n"
            "        x[idx] = old\n"
            "        grad[idx] = (f_plus - f0) / h\n"
        ),
        expect=("centred difference", "a forward difference"),
        forbid=("analytic", "(yours)", "constant"),
    ),
    Mutant(
        "numerical_gradient",
        "x is not restored",
        _numgrad(
            "        x[idx] = old + h\n"
            "        f_plus = float(f(x))\n"
            "        x[idx] = old - h\n"
            "        f_minus = float(f(x))\n"
            "        grad[idx] = (f_plus - f_minus) / (2 * h)\n"
        ),
        expect=("restore",),
    ),
    Mutant(
        "numerical_gradient",
        "divides by h instead of 2h",
        _numgrad(_CENTRED.replace("(2 * h)", "h")),
        expect=("= 2",),
    ),
    Mutant(
        "numerical_gradient",
        "perturbs a copy of x (f that reads x through a closure sees no change)",
        "def numerical_gradient(f, x, h=1e-5):\n"
        "    grad = np.zeros(x.shape, dtype=np.float64)\n"
        "    for idx in np.ndindex(x.shape):\n"
        "        xp, xm = x.copy(), x.copy()\n"
        "        xp[idx] += h\n"
        "        xm[idx] -= h\n"
        "        grad[idx] = (float(f(xp)) - float(f(xm))) / (2 * h)\n"
        "    return grad\n",
        expect=("closure",),
        taught="numerical_gradient_closure_check",
    ),
    Mutant(
        "numerical_gradient",
        "h = 1e-5 hard-coded",
        _numgrad(_CENTRED.replace("h", "1e-5").replace("1e-5) / (2 * 1e-5)", "1e-5) / (2 * 1e-5)")),
        common=False,
        expect=("h passed in",),
        forbid=("forward difference",),
    ),
    Mutant(
        "numerical_gradient",
        "a loop over the first axis only (whole rows perturbed)",
        "def numerical_gradient(f, x, h=1e-5):\n"
        "    grad = np.zeros(x.shape, dtype=np.float64)\n"
        "    for i in range(len(x)):\n"
        "        old = x[i].copy()\n"
        "        x[i] = old + h\n"
        "        f_plus = float(f(x))\n"
        "        x[i] = old - h\n"
        "        f_minus = float(f(x))\n"
        "        x[i] = old\n"
        "        grad[i] = (f_plus - f_minus) / (2 * h)\n"
        "    return grad\n",
        expect=("numerical_gradient",),
    ),
    # svm_loss_grad_W
    Mutant(
        "svm_loss_grad_W",
        "dW without the 1/N",
        _svm(dW="X.T @ dscores + 2 * reg * W"),
        expect=("dW", "missing 1/N"),
        forbid=("compare your formula",),
    ),
    Mutant(
        "svm_loss_grad_W",
        "the regularisation gradient reg W (no 2)",
        _svm(dW="X.T @ dscores / N + reg * W"),
        expect=("dW", "1/2"),
        forbid=("compare your formula",),
    ),
    Mutant(
        "svm_loss_grad_W",
        "the correct classes' margins counted in the loss",
        _svm(zero="pass", loss="margins.sum() / N + reg * np.sum(W * W)"),
        expect=("loss",),
    ),
    Mutant(
        "svm_loss_grad_W",
        "the loss without the regularisation",
        _svm(loss="margins.sum() / N"),
        expect=("loss",),
    ),
    Mutant(
        "svm_loss_grad_W",
        "dscores.T @ X (transposed)",
        _svm(dW="dscores.T @ X / N + 2 * reg * W.T"),
        expect=("shape",),
    ),
    Mutant(
        "svm_loss_grad_W",
        "margins >= 0 at the kink (every class counts)",
        _svm(cmp=">="),
        expect=("dW",),
    ),
    # softmax_loss_grad_W
    Mutant(
        "softmax_loss_grad_W",
        "no max shift: overflows",
        _softmax(shifted="scores"),
        expect=("subtract each row's maximum",),
    ),
    Mutant(
        "softmax_loss_grad_W",
        "dW without the 1/N",
        _softmax(dW="X.T @ dscores + 2 * reg * W"),
        expect=("dW", "missing 1/N"),
        forbid=("compare your formula",),
    ),
    Mutant(
        "softmax_loss_grad_W",
        "no -1 at the correct class",
        _softmax(minus_one="pass"),
        expect=("dW", "the -1 at the correct class"),
        forbid=("compare your formula",),
    ),
    Mutant(
        "softmax_loss_grad_W",
        "loss summed over the batch",
        _softmax(loss="-log_probs[rows, y].sum() + reg * np.sum(W * W)", dW="X.T @ dscores + 2 * reg * W"),
        expect=("loss", "missing 1/N"),
    ),
    Mutant(
        "softmax_loss_grad_W",
        "the regularisation gradient reg W (no 2)",
        _softmax(dW="X.T @ dscores / N + reg * W"),
        expect=("dW", "1/2"),
        forbid=("compare your formula",),
    ),
    # gradient_descent_path
    Mutant(
        "gradient_descent_path",
        "updates the caller's w0 in place",
        _gd(start="w0", update="w -= lr * grad_fn(w)"),
        expect=("must not modify",),
    ),
    Mutant(
        "gradient_descent_path",
        "appends the same array each time",
        _gd(start="np.array(w0, dtype=np.float64)", first="w", update="w -= lr * grad_fn(w)", append="w"),
        expect=("path[0]",),
    ),
    Mutant(
        "gradient_descent_path",
        "gradient ascent (+)",
        _gd(update="w = w + lr * grad_fn(w)"),
        expect=("lower the loss",),
    ),
    Mutant(
        "gradient_descent_path",
        "the path leaves out w0",
        _gd().replace("path = [w.copy()]", "path = []"),
        expect=("steps + 1",),
    ),
    Mutant(
        "gradient_descent_path",
        "the gradient at w0 for every step",
        _gd(update="w = w - lr * grad_fn(np.asarray(w0, dtype=float))"),
        expect=("lower the loss",),
    ),
    Mutant(
        "gradient_descent_path",
        "lr ignored",
        _gd(update="w = w - grad_fn(w)"),
        common=False,
        expect=("lower the loss",),
    ),
]

PASSING = [
    Passing(
        "numerical_gradient",
        "np.nditer with multi_index",
        "def numerical_gradient(f, x, h=1e-5):\n"
        "    grad = np.zeros_like(x, dtype=np.float64)\n"
        "    it = np.nditer(x, flags=['multi_index'])\n"
        "    while not it.finished:\n"
        "        i = it.multi_index\n"
        "        old = x[i]\n"
        "        x[i] = old + h\n"
        "        fp = f(x)\n"
        "        x[i] = old - h\n"
        "        fm = f(x)\n"
        "        x[i] = old\n"
        "        grad[i] = (fp - fm) / (2 * h)\n"
        "        it.iternext()\n"
        "    return grad\n",
    ),
    Passing(
        "svm_loss_grad_W",
        "loops over examples and classes",
        "def svm_loss_grad_W(W, X, y, reg):\n"
        "    N, C = X.shape[0], W.shape[1]\n"
        "    loss = 0.0\n"
        "    dW = np.zeros_like(W)\n"
        "    for i in range(N):\n"
        "        s = X[i] @ W\n"
        "        for j in range(C):\n"
        "            if j == y[i]:\n"
        "                continue\n"
        "            m = s[j] - s[y[i]] + 1.0\n"
        "            if m > 0:\n"
        "                loss += m\n"
        "                dW[:, j] += X[i]\n"
        "                dW[:, y[i]] -= X[i]\n"
        "    return float(loss / N + reg * np.sum(W * W)), dW / N + 2 * reg * W\n",
    ),
]
