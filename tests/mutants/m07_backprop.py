"""Wrong answers to notebook 07 (gates and backpropagation); see tests/mutants/__init__.py."""

from tests.mutants import Mutant, Passing

_MSE = (
    "def mse_sigmoid_loss_and_grads(params, X, T):\n"
    "    W1, b1, W2, b2 = params['W1'], params['b1'], params['W2'], params['b2']\n"
    "    N, C = X.shape[0], W2.shape[1]\n"
    "    A1 = X @ W1 + b1\n"
    "    Z = np.maximum(A1, 0.0)\n"
    "    A2 = Z @ W2 + b2\n"
    "    Y = 1.0 / (1.0 + np.exp(-A2))\n"
    "    loss = {loss}\n"
    "    dY = {dY}\n"
    "    dA2 = {dA2}\n"
    "    dZ = {dZ}\n"
    "    dA1 = {dA1}\n"
    "    grads = {{'W1': X.T @ dA1, 'b1': dA1.sum(axis=0), 'W2': Z.T @ dA2, 'b2': {b2}}}\n"
    "    return loss, grads\n"
)


def _mse(
    loss="float(np.sum((Y - T) ** 2) / N)",
    dY="2.0 * (Y - T) / N",
    dA2="dY * Y * (1.0 - Y)",
    dZ="dA2 @ W2.T",
    dA1="dZ * (A1 > 0)",
    b2="dA2.sum(axis=0)",
):
    return _MSE.format(loss=loss, dY=dY, dA2=dA2, dZ=dZ, dA1=dA1, b2=b2)


_CE = (
    "def softmax_ce_loss_and_grads(params, X, y):\n"
    "    W1, b1, W2, b2 = params['W1'], params['b1'], params['W2'], params['b2']\n"
    "    N = X.shape[0]\n"
    "    A1 = X @ W1 + b1\n"
    "    Z = np.maximum(A1, 0.0)\n"
    "    A2 = Z @ W2 + b2\n"
    "    shifted = {shifted}\n"
    "    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))\n"
    "    loss = {loss}\n"
    "    dA2 = np.exp(log_p)\n"
    "    {minus_one}\n"
    "    {scale}\n"
    "    dZ = dA2 @ W2.T\n"
    "    dA1 = dZ * (A1 > 0)\n"
    "    grads = {{'W1': X.T @ dA1, 'b1': {b1}, 'W2': Z.T @ dA2, 'b2': dA2.sum(axis=0)}}\n"
    "    return loss, grads\n"
)


def _ce(
    shifted="A2 - A2.max(axis=1, keepdims=True)",
    loss="float(-log_p[np.arange(N), y].mean())",
    minus_one="dA2[np.arange(N), y] -= 1.0",
    scale="dA2 /= N",
    b1="dA1.sum(axis=0)",
):
    return _CE.format(shifted=shifted, loss=loss, minus_one=minus_one, scale=scale, b1=b1)


_NET = (
    "def layered_net_loss(params, X, y):\n"
    "    a1, cache1 = affine_forward(X, params['W1'], params['b1'])\n"
    "    z, cache_relu = {relu_fwd}\n"
    "    scores, cache2 = affine_forward(z, params['W2'], params['b2'])\n"
    "    loss, dscores = losses.softmax_loss(scores, y)\n"
    "    dz, dW2, db2 = affine_backward(dscores, cache2)\n"
    "    da1 = {relu_bwd}\n"
    "    _, dW1, db1 = affine_backward(da1, {cache1})\n"
    "    return float(loss), {{'W1': dW1, 'b1': {db1}, 'W2': dW2, 'b2': db2}}\n"
)


def _net(relu_fwd="relu_forward(a1)", relu_bwd="relu_backward(dz, cache_relu)", cache1="cache1", db1="db1"):
    return _NET.format(relu_fwd=relu_fwd, relu_bwd=relu_bwd, cache1=cache1, db1=db1)


_CHECK = (
    "def grad_check(loss_fn, params):\n"
    "    _, grads = loss_fn(params)\n"
    "    errors = {{}}\n"
    "    for name in params:\n"
    "        numerical = gradients.numerical_gradient(lambda _: loss_fn(params)[0], params[{which}])\n"
    "        errors[name] = {error}\n"
    "    return {ret}\n"
)


def _check(which="name", error="gradients.rel_error(grads[name], numerical)", ret="errors"):
    return _CHECK.format(which=which, error=error, ret=ret)


MUTANTS = [
    # add gate
    Mutant(
        "add_mul_gates",
        "add_backward returns the local gradients (1, 1), not times dout",
        "def add_backward(dout, cache):\n    return np.ones_like(dout), np.ones_like(dout)\n",
        expect=("dx of the add gate",),
    ),
    Mutant(
        "add_mul_gates",
        "add_backward sends the gradient to x only",
        "def add_backward(dout, cache):\n    return 1.0 * dout, 0.0 * dout\n",
        expect=("dy of the add gate",),
    ),
    Mutant(
        "add_mul_gates",
        "add_forward returns no cache",
        "def add_forward(x, y):\n    return x + y\n",
        expect=("unpack",),
    ),
    Mutant(
        "add_mul_gates",
        "add_backward doubles dout (it counts both inputs)",
        "def add_backward(dout, cache):\n    return 2.0 * dout, 2.0 * dout\n",
        expect=("2",),
    ),
    # multiply gate
    Mutant(
        "add_mul_gates",
        "mul_backward swaps the inputs (dout * x for dx)",
        "def mul_backward(dout, cache):\n    x, y = cache\n    return dout * x, dout * y\n",
        expect=("dx of the multiply gate",),
    ),
    Mutant(
        "add_mul_gates",
        "mul_backward without dout",
        "def mul_backward(dout, cache):\n    x, y = cache\n    return y * np.ones_like(dout), x * np.ones_like(dout)\n",
        expect=("dx of the multiply gate",),
    ),
    Mutant(
        "add_mul_gates",
        "mul_backward sums dout (a number, not an array)",
        "def mul_backward(dout, cache):\n    x, y = cache\n    return np.sum(dout * y), np.sum(dout * x)\n",
        expect=("shape",),
    ),
    Mutant(
        "add_mul_gates",
        "mul_forward caches x twice",
        "def mul_forward(x, y):\n    return x * y, (x, x)\n",
        common=True,
        expect=("dx of the multiply gate",),
    ),
    # max gate
    Mutant(
        "max_sigmoid_gates",
        "max_backward copies dout to both inputs at a tie",
        "def max_backward(dout, cache):\n    x, y = cache\n    return dout * (x >= y), dout * (y >= x)\n",
        expect=("at a tie", "copied to both inputs"),
        forbid=("1/2", "factor"),
    ),
    Mutant(
        "max_sigmoid_gates",
        "ties go to y",
        "def max_backward(dout, cache):\n    x, y = cache\n    return dout * (x > y), dout * (x <= y)\n",
        expect=("ties go to x", "went to y"),
        forbid=("never filled", "never accumulated"),
    ),
    Mutant(
        "max_sigmoid_gates",
        "max_backward returns the masks, not times dout",
        "def max_backward(dout, cache):\n    x, y = cache\n    return (x >= y) * 1.0, (x < y) * 1.0\n",
        expect=("dx of the max gate",),
    ),
    Mutant(
        "max_sigmoid_gates",
        "np.max(x, y) instead of np.maximum",
        "def max_forward(x, y):\n    return np.max(x, y), (x, y)\n",
        expect=("TypeError",),
    ),
    # sigmoid gate
    Mutant(
        "max_sigmoid_gates",
        "caches the input x and uses it as sigma(x)",
        "def sigmoid_forward(x):\n    return 1.0 / (1.0 + np.exp(-x)), x\n",
        expect=("dx of the sigmoid gate",),
    ),
    Mutant(
        "max_sigmoid_gates",
        "sigmoid_backward without dout",
        "def sigmoid_backward(dout, cache):\n    return cache * (1.0 - cache) * np.ones_like(dout)\n",
        expect=("dx of the sigmoid gate",),
    ),
    Mutant(
        "max_sigmoid_gates",
        "1 / (1 + e^x) with a matching backward",
        "def sigmoid_forward(x):\n"
        "    out = 1.0 / (1.0 + np.exp(x))\n"
        "    return out, out\n"
        "def sigmoid_backward(dout, cache):\n"
        "    return -dout * cache * (1.0 - cache)\n",
        expect=("sigmoid_forward([0, 2])",),
    ),
    Mutant(
        "max_sigmoid_gates",
        "sigmoid_backward treats the cached output as the input",
        "def sigmoid_backward(dout, cache):\n    s = 1.0 / (1.0 + np.exp(-cache))\n    return dout * s * (1.0 - s)\n",
        expect=("dx of the sigmoid gate",),
    ),
    # mse net
    Mutant(
        "mse_net",
        "np.mean over all N x C squared errors (with matching gradients)",
        _mse(loss="float(np.mean((Y - T) ** 2))", dY="2.0 * (Y - T) / (N * C)"),
        expect=("1/C",),
    ),
    Mutant(
        "mse_net",
        "dA2 without the sigmoid's derivative",
        _mse(dA2="dY"),
        expect=("grads['W2']",),
    ),
    Mutant(
        "mse_net",
        "dZ = dA2 @ W2 (no transpose)",
        _mse(dZ="dA2 @ W2"),
        expect=("matmul",),
    ),
    Mutant(
        "mse_net",
        "no ReLU mask in dA1",
        _mse(dA1="dZ"),
        expect=("grads['W1']",),
    ),
    Mutant(
        "mse_net",
        "the 2 of the squared error forgotten in dY",
        _mse(dY="(Y - T) / N"),
        expect=("1/2",),
    ),
    Mutant(
        "mse_net",
        "the sigmoid's derivative averaged over the batch (wrong broadcasting)",
        _mse(dA2="dY * (Y * (1.0 - Y)).mean(axis=0)"),
        expect=("grads['W2']",),
    ),
    Mutant(
        "mse_net",
        "b2 summed over the wrong axis",
        _mse(b2="dA2.sum(axis=1)"),
        expect=("shape",),
    ),
    # softmax net
    Mutant(
        "softmax_net",
        "loss and gradients summed over the batch (no 1/N)",
        _ce(loss="float(-log_p[np.arange(N), y].sum())", scale="pass"),
        expect=("1/N",),
    ),
    Mutant(
        "softmax_net",
        "no max shift: overflows",
        _ce(shifted="A2"),
        expect=("row max",),
    ),
    Mutant(
        "softmax_net",
        "no -1 at the correct class",
        _ce(minus_one="pass"),
        expect=("grads['W2']",),
    ),
    Mutant(
        "softmax_net",
        "dA2 without the 1/N (the loss has it)",
        _ce(scale="pass"),
        expect=("grads['W2']",),
    ),
    Mutant(
        "softmax_net",
        "np.log10 in the loss",
        _ce(loss="float(-np.mean(log_p[np.arange(N), y]) / np.log(10))"),
        expect=("np.log10",),
    ),
    Mutant(
        "softmax_net",
        "b1 summed over the wrong axis",
        _ce(b1="dA1.sum(axis=1)"),
        expect=("shape",),
    ),
    # affine layer
    Mutant(
        "affine_gate",
        "affine_forward forgets the bias",
        "def affine_forward(x, W, b):\n    return x @ W, (x, W)\n",
        expect=("bias b is missing",),
    ),
    Mutant(
        "affine_gate",
        "affine_forward uses W transposed",
        "def affine_forward(x, W, b):\n    return x @ W.T + b, (x, W)\n",
        expect=("matmul",),
    ),
    Mutant(
        "affine_gate",
        "dW = dout.T @ x, the transpose of the gradient",
        "def affine_backward(dout, cache):\n    x, W = cache\n    return dout @ W.T, dout.T @ x, dout.sum(axis=0)\n",
        expect=("dW", "transposed"),
    ),
    Mutant(
        "affine_gate",
        "dx = dout @ W instead of dout @ W.T",
        "def affine_backward(dout, cache):\n    x, W = cache\n    return dout @ W, x.T @ dout, dout.sum(axis=0)\n",
        expect=("matmul",),
    ),
    Mutant(
        "affine_gate",
        "db is the mean over the batch, not the sum",
        "def affine_backward(dout, cache):\n    x, W = cache\n    return dout @ W.T, x.T @ dout, dout.mean(axis=0)\n",
        expect=("db", "1/N"),
    ),
    Mutant(
        "affine_gate",
        "db summed over the wrong axis",
        "def affine_backward(dout, cache):\n    x, W = cache\n    return dout @ W.T, x.T @ dout, dout.sum(axis=1)\n",
        expect=("db", "shape"),
    ),
    # relu layer
    Mutant(
        "relu_layer",
        "relu_backward with slope 1 at 0 (x >= 0)",
        "def relu_backward(dout, cache):\n    return np.where(cache >= 0, dout, 0.0)\n",
        expect=("ReLU'(0) = 0", "slope at x = 0 is 1"),
        forbid=("compare your formula",),
    ),
    Mutant(
        "relu_layer",
        "relu_backward returns the mask, not times dout",
        "def relu_backward(dout, cache):\n    return (cache > 0).astype(float)\n",
        expect=("without dout",),
        forbid=("compare your formula",),
    ),
    Mutant(
        "relu_layer",
        "relu_forward zeroes x in place",
        "def relu_forward(x):\n    x[x < 0] = 0.0\n    return x, x\n",
        expect=("in place",),
    ),
    Mutant(
        "relu_layer",
        "relu_backward masks by dout > 0 instead of x > 0",
        "def relu_backward(dout, cache):\n    return np.where(dout > 0, dout, 0.0)\n",
        expect=("relu_backward",),
    ),
    Mutant(
        "relu_layer",
        "relu_backward returns a boolean mask times dout as ints",
        "def relu_backward(dout, cache):\n    return (dout * (cache > 0)).astype(int)\n",
        common=False,
        expect=("relu_backward",),
    ),
    # layered net
    Mutant(
        "layered_net",
        "no ReLU in the backward pass (da1 = dz)",
        _net(relu_bwd="dz"),
        expect=("grads['W1']",),
    ),
    Mutant(
        "layered_net",
        "no ReLU in the forward pass",
        _net(relu_fwd="(a1, a1)", relu_bwd="dz"),
        expect=("loss of layered_net_loss",),
    ),
    Mutant(
        "layered_net",
        "dW1 transposed (a stray .T)",
        _net().replace("{'W1': dW1,", "{'W1': dW1.T,"),
        expect=("grads['W1']",),
    ),
    Mutant(
        "layered_net",
        "b1's gradient is the mean over the batch",
        _net(db1="db1 / X.shape[0]"),
        expect=("grads['b1']",),
    ),
    Mutant(
        "layered_net",
        "the max gate with ties to x as the ReLU (slope 1 at 0)",
        _net(
            relu_fwd="max_forward(a1, np.zeros_like(a1))",
            relu_bwd="max_backward(dz, cache_relu)[0]",
        ),
        common=False,
        expect=("built from your layers",),
        taught="layered_net_calls_check",
    ),
    # grad check
    Mutant(
        "layered_net",
        "the absolute error instead of the relative one",
        _check(error="float(np.max(np.abs(grads[name] - numerical)))"),
        expect=("grad_check", "the absolute error"),
        forbid=("compare your formula",),
    ),
    Mutant(
        "layered_net",
        "the numerical gradient of the first parameter for every name",
        _check(which="next(iter(params))").replace(
            "gradients.rel_error(grads[name], numerical)",
            "gradients.rel_error(grads[name], numerical) if numerical.shape == grads[name].shape else 1.0",
        ),
        expect=("grad_check",),
    ),
    Mutant(
        "layered_net",
        "one number, the worst error, instead of a dict",
        _check(ret="max(errors.values())"),
        expect=("dict",),
    ),
    Mutant(
        "layered_net",
        "the mean relative error over the entries",
        _check(
            error="float(np.mean(np.abs(grads[name] - numerical) / np.maximum(1e-8, np.abs(grads[name]) + np.abs(numerical))))"
        ),
        expect=("grad_check", "the mean over the entries"),
        forbid=("compare your formula",),
    ),
]

PASSING = [
    Passing(
        "mse_net",
        "a loop over the examples for the gradients",
        "def mse_sigmoid_loss_and_grads(params, X, T):\n"
        "    W1, b1, W2, b2 = params['W1'], params['b1'], params['W2'], params['b2']\n"
        "    N = X.shape[0]\n"
        "    grads = {k: np.zeros_like(v, dtype=float) for k, v in params.items()}\n"
        "    loss = 0.0\n"
        "    for n in range(N):\n"
        "        a1 = X[n] @ W1 + b1\n"
        "        z = np.maximum(a1, 0.0)\n"
        "        yv = 1.0 / (1.0 + np.exp(-(z @ W2 + b2)))\n"
        "        loss += np.sum((yv - T[n]) ** 2) / N\n"
        "        da2 = 2.0 * (yv - T[n]) / N * yv * (1.0 - yv)\n"
        "        da1 = (W2 @ da2) * (a1 > 0)\n"
        "        grads['W2'] += np.outer(z, da2)\n"
        "        grads['b2'] += da2\n"
        "        grads['W1'] += np.outer(X[n], da1)\n"
        "        grads['b1'] += da1\n"
        "    return float(loss), grads\n",
    ),
    Passing(
        "max_sigmoid_gates",
        "np.where for the routing",
        "def max_backward(dout, cache):\n"
        "    x, y = cache\n"
        "    return np.where(x >= y, dout, 0.0), np.where(x >= y, 0.0, dout)\n",
    ),
    Passing(
        "relu_layer",
        "caches the output and masks by out > 0",
        "def relu_forward(x):\n"
        "    out = np.maximum(x, 0.0)\n"
        "    return out, out\n"
        "\n"
        "def relu_backward(dout, cache):\n"
        "    return dout * (cache > 0)\n",
    ),
    Passing(
        "layered_net",
        "numerical gradient of a copy handed to loss_fn through a new dict",
        "def grad_check(loss_fn, params):\n"
        "    _, grads = loss_fn(params)\n"
        "    out = {}\n"
        "    for name, value in params.items():\n"
        "        def f(v, name=name):\n"
        "            return loss_fn(dict(params, **{name: v}))[0]\n"
        "        out[name] = gradients.rel_error(grads[name], gradients.numerical_gradient(f, value.copy()))\n"
        "    return out\n",
    ),
]
