"""Notebook 07_backprop graded the way nbgrader grades it (see tests/nbtools.py).

Each ``grade`` call runs the whole notebook under ``NBGRADER_EXECUTION=autograde`` (about 10 s), so
the scenarios are batched: one run for the untouched release, one for delegation, one for wrong answers.
"""

from __future__ import annotations

from tests.nbtools import grade, read, release_path, source_path, test_cells

NAME = "07_backprop"
GRADED = {
    "add_mul_gates": ("add_gate_tests", "mul_gate_tests"),
    "max_sigmoid_gates": ("max_gate_tests", "sigmoid_gate_tests"),
    "mse_net": ("mse_net_output_tests", "mse_net_hidden_tests"),
    "softmax_net": ("softmax_net_loss_tests", "softmax_net_grad_tests"),
    "affine_gate": ("affine_forward_tests", "affine_backward_tests"),
    "relu_layer": ("relu_layer_tests",),
    "layered_net": ("layered_net_tests", "grad_check_tests"),
}
ALL_TESTS = [gid for gids in GRADED.values() for gid in gids]

OWN_GATES = """
def add_forward(x, y):
    return x + y, None


def add_backward(dout, cache):
    return dout, dout


def mul_forward(x, y):
    return x * y, (x, y)


def mul_backward(dout, cache):
    return dout * cache[1], dout * cache[0]
"""

OWN_MAX = """
def max_forward(x, y):
    return np.maximum(x, y), (x, y)


def max_backward(dout, cache):
    x, y = cache
    return dout * (x >= y), dout * (x < y)
"""

DELEGATING = {
    # add through the course's autograd Value, elementwise; multiply written by hand
    "add_mul_gates": (
        "from helpers.graph import Value\n"
        + OWN_GATES.replace(
            "return x + y, None",
            "return np.vectorize(lambda a, b: (Value(a) + Value(b)).data)(x, y), None",
        ).replace("def mul_forward(x, y):\n    return x * y, (x, y)", "")
        + "\n\ndef mul_forward(x, y):\n    out = np.vectorize(lambda a, b: (Value(a) * Value(b)).data)(x, y)\n"
        "    return out, (x, y)\n"
    ),
    # an honest max gate, but the sigmoid from helpers.activations
    "max_sigmoid_gates": (
        "from helpers.activations import sigmoid_backward as _sb, sigmoid_forward as _sf\n"
        + OWN_MAX
        + "\n\ndef sigmoid_forward(x):\n    return _sf(x)\n\n\n"
        "def sigmoid_backward(dout, cache):\n    return _sb(dout, cache)\n"
    ),
    # the network's activations from the library
    "mse_net": (
        "import helpers.activations as act\n\n\n"
        "def mse_sigmoid_loss_and_grads(params, X, T):\n"
        "    W1, b1, W2, b2 = params['W1'], params['b1'], params['W2'], params['b2']\n"
        "    A1 = X @ W1 + b1\n"
        "    Z = act.relu(A1)\n"
        "    Y = act.sigmoid(Z @ W2 + b2)\n"
        "    N = X.shape[0]\n"
        "    dA2 = 2 * (Y - T) / N * Y * (1 - Y)\n"
        "    dA1 = dA2 @ W2.T * (A1 > 0)\n"
        "    grads = {'W1': X.T @ dA1, 'b1': dA1.sum(0), 'W2': Z.T @ dA2, 'b2': dA2.sum(0)}\n"
        "    return float(np.sum((Y - T) ** 2) / N), grads\n"
    ),
    # the course's softmax loss for the top of the graph
    "softmax_net": (
        "from helpers.losses import softmax_loss\n\n\n"
        "def softmax_ce_loss_and_grads(params, X, y):\n"
        "    A1 = X @ params['W1'] + params['b1']\n"
        "    Z = np.maximum(A1, 0)\n"
        "    loss, dA2 = softmax_loss(Z @ params['W2'] + params['b2'], y)\n"
        "    dA1 = dA2 @ params['W2'].T * (A1 > 0)\n"
        "    grads = {'W1': X.T @ dA1, 'b1': dA1.sum(0), 'W2': Z.T @ dA2, 'b2': dA2.sum(0)}\n"
        "    return loss, grads\n"
    ),
    # the ReLU layer from the library's relu
    "relu_layer": (
        "from helpers.activations import relu as _relu\n\n\n"
        "def relu_forward(x):\n    return _relu(x), x\n\n\n"
        "def relu_backward(dout, cache):\n    return np.where(cache > 0, dout, 0.0)\n"
    ),
}

OWN_NET = """
def layered_net_loss(params, X, y):
    a1, cache1 = affine_forward(X, params['W1'], params['b1'])
    z, cache_relu = relu_forward(a1)
    scores, cache2 = affine_forward(z, params['W2'], params['b2'])
    loss, dscores = losses.softmax_loss(scores, y)
    dz, dW2, db2 = affine_backward(dscores, cache2)
    _, dW1, db1 = affine_backward(relu_backward(dz, cache_relu), cache1)
    return float(loss), {'W1': dW1, 'b1': db1, 'W2': dW2, 'b2': db2}
"""

WRONG = {
    # the multiply gate's gradients not swapped: dx = dout * x
    "add_mul_gates": OWN_GATES.replace(
        "dout * cache[1], dout * cache[0]", "dout * cache[0], dout * cache[1]"
    ),
    # max gate right, sigmoid backward forgets the (1 - out) factor
    "max_sigmoid_gates": (
        OWN_MAX + "\n\ndef sigmoid_forward(x):\n    out = 1 / (1 + np.exp(-x))\n    return out, out\n\n\n"
        "def sigmoid_backward(dout, cache):\n    return dout * cache\n"
    ),
    # output layer right, the ReLU mask forgotten in the hidden layer
    "mse_net": (
        "def mse_sigmoid_loss_and_grads(params, X, T):\n"
        "    W1, b1, W2, b2 = params['W1'], params['b1'], params['W2'], params['b2']\n"
        "    A1 = X @ W1 + b1\n"
        "    Z = np.maximum(A1, 0)\n"
        "    Y = 1 / (1 + np.exp(-(Z @ W2 + b2)))\n"
        "    N = X.shape[0]\n"
        "    dA2 = 2 * (Y - T) / N * Y * (1 - Y)\n"
        "    dA1 = dA2 @ W2.T\n"
        "    grads = {'W1': X.T @ dA1, 'b1': dA1.sum(0), 'W2': Z.T @ dA2, 'b2': dA2.sum(0)}\n"
        "    return float(np.sum((Y - T) ** 2) / N), grads\n"
    ),
    # right gradients, but a softmax without the max shift: overflows for large scores
    "softmax_net": (
        "def softmax_ce_loss_and_grads(params, X, y):\n"
        "    A1 = X @ params['W1'] + params['b1']\n"
        "    Z = np.maximum(A1, 0)\n"
        "    E = np.exp(Z @ params['W2'] + params['b2'])\n"
        "    P = E / E.sum(axis=1, keepdims=True)\n"
        "    N = X.shape[0]\n"
        "    loss = float(-np.mean(np.log(P[np.arange(N), y])))\n"
        "    dA2 = P.copy()\n"
        "    dA2[np.arange(N), y] -= 1\n"
        "    dA2 /= N\n"
        "    dA1 = dA2 @ params['W2'].T * (A1 > 0)\n"
        "    grads = {'W1': X.T @ dA1, 'b1': dA1.sum(0), 'W2': Z.T @ dA2, 'b2': dA2.sum(0)}\n"
        "    return loss, grads\n"
    ),
    # forward right, db the mean over the batch instead of the sum
    "affine_gate": (
        "def affine_forward(x, W, b):\n    return x @ W + b, (x, W)\n\n\n"
        "def affine_backward(dout, cache):\n    x, W = cache\n    return dout @ W.T, x.T @ dout, dout.mean(axis=0)\n"
    ),
    # the ReLU layer with slope 1 at 0
    "relu_layer": (
        "def relu_forward(x):\n    return np.maximum(x, 0.0), x\n\n\n"
        "def relu_backward(dout, cache):\n    return np.where(cache >= 0, dout, 0.0)\n"
    ),
    # the network right, its gradient check with the absolute error
    "layered_net": OWN_NET + "\n\ndef grad_check(loss_fn, params):\n"
    "    _, grads = loss_fn(params)\n"
    "    return {n: float(np.max(np.abs(grads[n] - gradients.numerical_gradient(lambda _: loss_fn(params)[0], params[n]))))\n"
    "            for n in params}\n",
}


def test_graded_cells_are_the_expected_ones():
    assert test_cells(read(source_path(NAME))) == ALL_TESTS
    assert test_cells(read(release_path(NAME))) == ALL_TESTS


def test_untouched_release_fails_every_test_cell():
    results = grade(NAME)
    assert sorted(results) == sorted(ALL_TESTS)
    for gid, result in results.items():
        assert result.score == 0, f"{gid} earns {result.score} for the untouched release"
        assert "NotImplementedError" in result.error, f"{gid}: {result.error}"


def test_delegating_to_the_library_earns_nothing():
    results = grade(NAME, DELEGATING, perfect=True)
    refused = {
        "relu_layer_tests",
        "add_gate_tests",
        "mul_gate_tests",
        "sigmoid_gate_tests",
        "mse_net_output_tests",
        "mse_net_hidden_tests",
        "softmax_net_loss_tests",
        "softmax_net_grad_tests",
    }
    for gid in refused:
        assert results[gid].score == 0, f"{gid} gives credit for delegating to the course library"
        assert "earns no credit" in results[gid].error, f"{gid}: {results[gid].error}"
    # the honest max gate in the same cell keeps its point
    assert results["max_gate_tests"].score == results["max_gate_tests"].max_score, results[
        "max_gate_tests"
    ].error


def test_wrong_answers_lose_only_their_tests():
    results = grade(NAME, WRONG, perfect=True)
    lost = {gid for gid, r in results.items() if r.score == 0}
    assert lost == {
        "mul_gate_tests",
        "sigmoid_gate_tests",
        "mse_net_hidden_tests",
        "softmax_net_loss_tests",
        "affine_backward_tests",
        "relu_layer_tests",
        "layered_net_tests",  # the network is graded with your own layers: a wrong layer shows there too
        "grad_check_tests",
    }, {g: r.error for g, r in results.items()}
    assert "ReLU'(0) = 0" in results["relu_layer_tests"].error
    assert "absolute error" in results["grad_check_tests"].error
    assert "numerical gradient" in results["mul_gate_tests"].error
    assert "numerical gradient" in results["mse_net_hidden_tests"].error
    assert "1/N" in results["affine_backward_tests"].error
    for gid in set(ALL_TESTS) - lost:
        assert results[gid].score == results[gid].max_score, f"{gid}: {results[gid].error}"
