"""Wrong answers to notebook 01 (neurons, layers, forward passes); see tests/mutants/__init__.py."""

from tests.mutants import Mutant, Passing

MUTANTS = [
    # neuron
    Mutant(
        "neuron",
        "no ReLU: returns the raw activation",
        "def neuron(x, w, w0):\n    return float(np.dot(w, x) + w0)\n",
        expect=("ReLU",),
    ),
    Mutant(
        "neuron",
        "forgets the bias",
        "def neuron(x, w, w0):\n    return max(0.0, float(np.dot(w, x)))\n",
        expect=("bias is missing",),
        forbid=("never filled",),
    ),
    Mutant(
        "neuron",
        "elementwise, no sum: returns an array",
        "def neuron(x, w, w0):\n    return np.maximum(0.0, w * x + w0)\n",
        expect=("single number",),
    ),
    Mutant(
        "neuron",
        "subtracts the bias (a threshold)",
        "def neuron(x, w, w0):\n    return max(0.0, float(np.dot(w, x)) - w0)\n",
        expect=("bias is subtracted",),
        forbid=("never filled",),
    ),
    Mutant(
        "neuron",
        "min instead of max",
        "def neuron(x, w, w0):\n    return min(0.0, float(np.dot(w, x)) + w0)\n",
        common=False,
        expect=("neuron(",),
        forbid=("never filled", "bias is missing"),
    ),
    # layer_loops
    Mutant(
        "layer_loops",
        "forgets the bias",
        "def layer_loops(X, W, b):\n"
        "    N, D = X.shape\n"
        "    A = np.zeros((N, W.shape[1]))\n"
        "    for n in range(N):\n"
        "        for j in range(W.shape[1]):\n"
        "            for i in range(D):\n"
        "                A[n, j] += X[n, i] * W[i, j]\n"
        "    return A\n",
        expect=("bias is missing",),
        forbid=("compare your formula",),
    ),
    Mutant(
        "layer_loops",
        "adds the bias inside the inner loop (D times)",
        "def layer_loops(X, W, b):\n"
        "    N, D = X.shape\n"
        "    A = np.zeros((N, W.shape[1]))\n"
        "    for n in range(N):\n"
        "        for j in range(W.shape[1]):\n"
        "            for i in range(D):\n"
        "                A[n, j] += X[n, i] * W[i, j] + b[j]\n"
        "    return A\n",
        expect=("D = 2 times",),
        forbid=("1/N", "mean"),
    ),
    Mutant(
        "layer_loops",
        "integer result array (np.zeros(..., dtype=int))",
        "def layer_loops(X, W, b):\n"
        "    N, D = X.shape\n"
        "    A = np.zeros((N, W.shape[1]), dtype=int)\n"
        "    for n in range(N):\n"
        "        for j in range(W.shape[1]):\n"
        "            A[n, j] = b[j] + sum(X[n, i] * W[i, j] for i in range(D))\n"
        "    return A\n",
        expect=("integer",),
    ),
    Mutant(
        "layer_loops",
        "weights indexed W[j, i] (transposed)",
        "def layer_loops(X, W, b):\n"
        "    N, D = X.shape\n"
        "    H = W.shape[1]\n"
        "    A = np.zeros((N, H))\n"
        "    for n in range(N):\n"
        "        for j in range(H):\n"
        "            A[n, j] = b[j] + sum(X[n, i] * W.T.ravel()[j * D + i - 1] for i in range(D))\n"
        "    return A\n",
        common=False,
        expect=("A[",),
        forbid=("1/N", "mean"),
    ),
    Mutant(
        "layer_loops",
        "off by one: range(D - 1)",
        "def layer_loops(X, W, b):\n"
        "    N, D = X.shape\n"
        "    A = np.zeros((N, W.shape[1]))\n"
        "    for n in range(N):\n"
        "        for j in range(W.shape[1]):\n"
        "            A[n, j] = b[j] + sum(X[n, i] * W[i, j] for i in range(D - 1))\n"
        "    return A\n",
        expect=("range(D - 1)",),
        forbid=("1/N", "mean"),
    ),
    # layer_vectorized
    Mutant(
        "layer_vectorized",
        "forgets the bias",
        "def layer_vectorized(X, W, b):\n    return X @ W\n",
        expect=("+ b[", "bias is missing"),
        forbid=("compare your formula",),
    ),
    Mutant(
        "layer_vectorized",
        "applies a ReLU (the layer's raw activations are asked)",
        "def layer_vectorized(X, W, b):\n    return np.maximum(0.0, X @ W + b)\n",
        expect=("ReLU",),
    ),
    Mutant(
        "layer_vectorized",
        "W @ X (operands swapped)",
        "def layer_vectorized(X, W, b):\n    return (W.T @ X.T).T[:, ::-1] + b\n",
        expect=("A[",),
    ),
    Mutant(
        "layer_vectorized",
        "bias of the first unit only",
        "def layer_vectorized(X, W, b):\n    return X @ W + b[0]\n",
        common=True,
        expect=("+ b[", "own b[j]"),
        forbid=("compare your formula",),
    ),
    Mutant(
        "layer_vectorized",
        "float16 result",
        "def layer_vectorized(X, W, b):\n    return (X @ W + b).astype(np.float16)\n",
        common=False,
        expect=("float16",),
    ),
    # forward_binary
    Mutant(
        "forward_binary",
        "no sigmoid: returns the scores",
        "def forward_binary(X, params, h=relu):\n"
        "    return h(X @ params['W1'] + params['b1']) @ params['W2'] + params['b2']\n",
        expect=("between 0 and 1",),
    ),
    Mutant(
        "forward_binary",
        "sigmoid with the wrong sign, 1 / (1 + exp(s))",
        "def forward_binary(X, params, h=relu):\n"
        "    s = h(X @ params['W1'] + params['b1']) @ params['W2'] + params['b2']\n"
        "    return 1.0 / (1.0 + np.exp(s))\n",
        expect=("XOR",),
    ),
    Mutant(
        "forward_binary",
        "no hidden nonlinearity",
        "def forward_binary(X, params, h=relu):\n"
        "    s = (X @ params['W1'] + params['b1']) @ params['W2'] + params['b2']\n"
        "    return 1.0 / (1.0 + np.exp(-s))\n",
        expect=("XOR",),
    ),
    Mutant(
        "forward_binary",
        "ignores the h argument (always ReLU)",
        "def forward_binary(X, params, h=relu):\n"
        "    s = relu(X @ params['W1'] + params['b1']) @ params['W2'] + params['b2']\n"
        "    return 1.0 / (1.0 + np.exp(-s))\n",
        common=False,
        expect=("the h passed in",),
    ),
    Mutant(
        "forward_binary",
        "forgets b2",
        "def forward_binary(X, params, h=relu):\n"
        "    s = h(X @ params['W1'] + params['b1']) @ params['W2']\n"
        "    return 1.0 / (1.0 + np.exp(-s))\n",
        expect=("b2 is missing",),
        forbid=("compare your formula",),
    ),
    # forward_multiclass
    Mutant(
        "forward_multiclass",
        "no max shift: overflows for large scores",
        "def forward_multiclass(X, params, h=relu):\n"
        "    s = h(X @ params['W1'] + params['b1']) @ params['W2'] + params['b2']\n"
        "    e = np.exp(s)\n"
        "    return e / e.sum(axis=1, keepdims=True)\n",
        expect=("max",),
    ),
    Mutant(
        "forward_multiclass",
        "normalises down the columns (axis=0)",
        "def forward_multiclass(X, params, h=relu):\n"
        "    s = h(X @ params['W1'] + params['b1']) @ params['W2'] + params['b2']\n"
        "    e = np.exp(s - s.max(axis=1, keepdims=True))\n"
        "    return e / e.sum(axis=0, keepdims=True)\n",
        expect=("row sums", "axis=0", "axis=1"),
        forbid=("compare your formula",),
    ),
    Mutant(
        "forward_multiclass",
        "sum without keepdims",
        "def forward_multiclass(X, params, h=relu):\n"
        "    s = h(X @ params['W1'] + params['b1']) @ params['W2'] + params['b2']\n"
        "    e = np.exp(s - s.max(axis=1, keepdims=True))\n"
        "    return e / e.sum(axis=1)\n",
        expect=("broadcast",),
    ),
    Mutant(
        "forward_multiclass",
        "no hidden nonlinearity",
        "def forward_multiclass(X, params, h=relu):\n"
        "    s = (X @ params['W1'] + params['b1']) @ params['W2'] + params['b2']\n"
        "    e = np.exp(s - s.max(axis=1, keepdims=True))\n"
        "    return e / e.sum(axis=1, keepdims=True)\n",
        expect=("hidden",),
    ),
    Mutant(
        "forward_multiclass",
        "sigmoid outputs (not normalised)",
        "def forward_multiclass(X, params, h=relu):\n"
        "    s = h(X @ params['W1'] + params['b1']) @ params['W2'] + params['b2']\n"
        "    return 0.5 * (1 + np.tanh(s / 2))\n",
        expect=("row sums",),
    ),
]

PASSING = [
    Passing(
        "neuron",
        "a loop over the inputs",
        "def neuron(x, w, w0):\n"
        "    a = w0\n"
        "    for i in range(len(x)):\n"
        "        a += w[i] * x[i]\n"
        "    return max(0.0, float(a))\n",
    ),
    Passing(
        "forward_multiclass",
        "log-sum-exp form",
        "def forward_multiclass(X, params, h=relu):\n"
        "    s = h(X @ params['W1'] + params['b1']) @ params['W2'] + params['b2']\n"
        "    s = s - s.max(axis=1, keepdims=True)\n"
        "    return np.exp(s - np.log(np.exp(s).sum(axis=1, keepdims=True)))\n",
    ),
]
