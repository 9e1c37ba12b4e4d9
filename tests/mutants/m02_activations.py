"""Wrong answers to notebook 02 (activation functions); see tests/mutants/__init__.py."""

from tests.mutants import Mutant, Passing

MUTANTS = [
    # sigmoid
    Mutant(
        "sigmoid",
        "the textbook formula: overflows at -1000",
        "def sigmoid(x):\n    return 1.0 / (1.0 + np.exp(-x))\n",
        expect=("RuntimeWarning", "stable formula"),
    ),
    Mutant(
        "sigmoid",
        "np.where of both branches (np.exp overflows in the branch thrown away)",
        "def sigmoid(x):\n    return np.where(x >= 0, 1.0 / (1.0 + np.exp(-x)), np.exp(x) / (1.0 + np.exp(x)))\n",
        expect=("RuntimeWarning", "np.where"),
        taught="sigmoid_warning_check",  # every value is right: only the student's kernel sees the warning
    ),
    Mutant(
        "sigmoid",
        "e^x / (1 + e^x) for every x",
        "def sigmoid(x):\n    return np.exp(x) / (1.0 + np.exp(x))\n",
        expect=("RuntimeWarning",),
    ),
    Mutant(
        "sigmoid",
        "stable but with the sign flipped, 1 / (1 + e^x)",
        "def sigmoid(x):\n"
        "    x = np.asarray(x, dtype=float)\n"
        "    e = np.exp(-np.abs(x))\n"
        "    return np.where(x >= 0, e / (1.0 + e), 1.0 / (1.0 + e))\n",
        expect=("sigmoid(2)",),
    ),
    Mutant(
        "sigmoid",
        "tanh instead of the logistic function",
        "def sigmoid(x):\n    return np.tanh(x)\n",
        common=False,
        expect=("sigmoid(0)",),
    ),
    # sigmoid_grad
    Mutant(
        "sigmoid_grad",
        "sigma(x) * (1 - x)",
        "def sigmoid_grad(x):\n    return sigmoid(x) * (1.0 - x)\n",
        expect=("sigmoid_grad(0)",),
    ),
    Mutant(
        "sigmoid_grad",
        "e^-x / (1 + e^-x)^2: overflows at -1000",
        "def sigmoid_grad(x):\n    return np.exp(-x) / (1.0 + np.exp(-x)) ** 2\n",
        expect=("RuntimeWarning",),
    ),
    Mutant(
        "sigmoid_grad",
        "the tanh derivative 1 - sigma^2",
        "def sigmoid_grad(x):\n    return 1.0 - sigmoid(x) ** 2\n",
        expect=("sigmoid_grad(0)",),
    ),
    Mutant(
        "sigmoid_grad",
        "returns sigma(x) itself",
        "def sigmoid_grad(x):\n    return sigmoid(x)\n",
        common=False,
        expect=("sigmoid_grad(0)",),
    ),
    Mutant(
        "sigmoid_grad",
        "a forward difference instead of the formula",
        "def sigmoid_grad(x):\n    return (sigmoid(x + 1e-4) - sigmoid(x)) / 1e-4\n",
        common=False,
        expect=("sigmoid_grad",),
    ),
    # relu / relu_grad
    Mutant(
        "relu",
        "relu_grad(0) = 1 (x >= 0)",
        "def relu_grad(x):\n    return (np.asarray(x) >= 0).astype(float)\n",
        expect=("relu_grad(0) = 0", "relu_grad(0) = 1"),
        forbid=("compare your formula",),
    ),
    Mutant(
        "relu",
        "relu changes x in place",
        "def relu(x):\n    x[x < 0] = 0.0\n    return x\n",
        expect=("in place",),
    ),
    Mutant(
        "relu",
        "np.max(x, 0) (a reduction) instead of np.maximum(x, 0)",
        "def relu(x):\n    return np.max(x, 0)\n",
        expect=("shape",),
    ),
    Mutant(
        "relu",
        "relu_grad returns relu(x)",
        "def relu_grad(x):\n    return np.maximum(0.0, x)\n",
        expect=("relu_grad", "returns relu(x) itself"),
        forbid=("compare your formula",),
    ),
    Mutant(
        "relu",
        "relu_grad returns the boolean mask x > 0 (the prompt asks for floats)",
        "def relu_grad(x):\n    return np.asarray(x) > 0\n",
        expect=("relu_grad", "boolean", "astype"),
    ),
    Mutant(
        "relu",
        "relu_grad changes x in place",
        "def relu_grad(x):\n    x[x <= 0] = 0.0\n    x[x > 0] = 1.0\n    return x\n",
        common=False,
        expect=("in place",),
    ),
    # leaky_relu
    Mutant(
        "leaky_relu",
        "leaky_relu_grad without alpha (a ReLU derivative)",
        "def leaky_relu_grad(x, alpha=0.1):\n    return np.where(np.asarray(x) > 0, 1.0, 0.0)\n",
        expect=("alpha",),
    ),
    Mutant(
        "leaky_relu",
        "alpha = 0.1 hard-coded, the argument ignored",
        "def leaky_relu(x, alpha=0.1):\n    x = np.asarray(x, dtype=float)\n    return np.where(x > 0, x, 0.1 * x)\n",
        expect=("alpha argument",),
    ),
    Mutant(
        "leaky_relu",
        "leaky_relu_grad(0) = 1 (x >= 0)",
        "def leaky_relu_grad(x, alpha=0.1):\n    return np.where(np.asarray(x) >= 0, 1.0, alpha)\n",
        expect=("also at 0",),
    ),
    Mutant(
        "leaky_relu",
        "branches swapped: alpha on the positive side",
        "def leaky_relu(x, alpha=0.1):\n    x = np.asarray(x, dtype=float)\n    return np.where(x > 0, alpha * x, x)\n",
        expect=("leaky_relu(x",),
    ),
    Mutant(
        "leaky_relu",
        "leaky_relu_grad with alpha hard-coded to 0.1",
        "def leaky_relu_grad(x, alpha=0.1):\n    return np.where(np.asarray(x) > 0, 1.0, 0.1)\n",
        expect=("alpha=0.3",),
    ),
    # elu
    Mutant(
        "elu",
        "np.exp of every x: overflows at 1000",
        "def elu(x, alpha=1.0):\n    x = np.asarray(x, dtype=float)\n    return np.where(x >= 0, x, alpha * (np.exp(x) - 1))\n",
        expect=("RuntimeWarning",),
        taught="elu_warning_check",  # every value is right: only the student's kernel sees the warning
    ),
    Mutant(
        "elu",
        "alpha ignored",
        "def elu(x, alpha=1.0):\n"
        "    x = np.asarray(x, dtype=float)\n"
        "    return np.where(x >= 0, x, np.expm1(np.minimum(x, 0.0)))\n",
        expect=("alpha=2",),
    ),
    Mutant(
        "elu",
        "elu_grad is the function, alpha (e^x - 1)",
        "def elu_grad(x, alpha=1.0):\n"
        "    x = np.asarray(x, dtype=float)\n"
        "    return np.where(x >= 0, 1.0, alpha * np.expm1(np.minimum(x, 0.0)))\n",
        expect=("elu_grad",),
    ),
    Mutant(
        "elu",
        "elu_grad without alpha",
        "def elu_grad(x, alpha=1.0):\n"
        "    x = np.asarray(x, dtype=float)\n"
        "    return np.where(x >= 0, 1.0, np.exp(np.minimum(x, 0.0)))\n",
        expect=("alpha=2",),
    ),
    Mutant(
        "elu",
        "elu_grad(0) = alpha (x > 0)",
        "def elu_grad(x, alpha=1.0):\n"
        "    x = np.asarray(x, dtype=float)\n"
        "    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))\n",
        expect=("elu_grad([-1, 0, 2], alpha=2)",),
    ),
    # maxout
    Mutant(
        "maxout",
        "forgets b2",
        "def maxout(X, W1, b1, W2, b2):\n    return np.maximum(X @ W1 + b1, X @ W2)\n",
        expect=("b2",),
    ),
    Mutant(
        "maxout",
        "np.max over the wrong axis of the stacked pieces",
        "def maxout(X, W1, b1, W2, b2):\n    return np.max(np.stack([X @ W1 + b1, X @ W2 + b2]), axis=1)\n",
        expect=("shape",),
    ),
    Mutant(
        "maxout",
        "a ReLU on top",
        "def maxout(X, W1, b1, W2, b2):\n    return np.maximum(0.0, np.maximum(X @ W1 + b1, X @ W2 + b2))\n",
        expect=("ReLU",),
    ),
    Mutant(
        "maxout",
        "np.minimum",
        "def maxout(X, W1, b1, W2, b2):\n    return np.minimum(X @ W1 + b1, X @ W2 + b2)\n",
        common=False,
        expect=("maxout",),
    ),
    Mutant(
        "maxout",
        "one bias for both pieces",
        "def maxout(X, W1, b1, W2, b2):\n    return np.maximum(X @ W1 + b1, X @ W2 + b1)\n",
        expect=("b2",),
    ),
]

PASSING = [
    Passing("relu", "x * (x > 0)", "def relu(x):\n    return x * (x > 0)\n"),
    Passing(
        "relu",
        "a loop over the entries",
        "def relu_grad(x):\n"
        "    out = np.zeros(np.shape(x))\n"
        "    for i in np.ndindex(out.shape):\n"
        "        out[i] = 1.0 if x[i] > 0 else 0.0\n"
        "    return out\n",
    ),
    Passing(
        "leaky_relu",
        "np.maximum(alpha x, x) for alpha < 1",
        "def leaky_relu(x, alpha=0.1):\n    return np.maximum(alpha * np.asarray(x, dtype=float), x)\n",
    ),
]

_INIT = (
    "def init_weights(fan_in, fan_out, scheme, rng):\n"
    "    if scheme == 'xavier':\n"
    "        variance = {xavier}\n"
    "    elif scheme == 'he':\n"
    "        variance = {he}\n"
    "    else:\n"
    "        {otherwise}\n"
    "    return {draw}\n"
)


def _init(
    xavier="2.0 / (fan_in + fan_out)",
    he="2.0 / fan_in",
    otherwise="raise ValueError(f\"scheme should be 'xavier' or 'he', got {scheme!r}\")",
    draw="rng.normal(0.0, np.sqrt(variance), size=(fan_in, fan_out))",
):
    return _INIT.format(xavier=xavier, he=he, otherwise=otherwise, draw=draw)


MUTANTS += [
    # init_weights
    Mutant(
        "init_weights",
        "the variance passed as rng.normal's scale (no square root)",
        _init(draw="rng.normal(0.0, variance, size=(fan_in, fan_out))"),
        expect=("standard deviation", "np.sqrt(variance)"),
    ),
    Mutant(
        "init_weights",
        "xavier as 1 / fan_in (the forward-pass argument alone)",
        _init(xavier="1.0 / fan_in"),
        expect=("'xavier'", "1 / fan_in"),
    ),
    Mutant(
        "init_weights",
        "he without the ReLU's factor 2",
        _init(he="1.0 / fan_in"),
        expect=("'he'", "factor 2"),
    ),
    Mutant(
        "init_weights",
        "he with fan_out",
        _init(he="2.0 / fan_out"),
        expect=("fan_out where fan_in belongs",),
    ),
    Mutant(
        "init_weights",
        "the two schemes swapped",
        _init(xavier="2.0 / fan_in", he="2.0 / (fan_in + fan_out)"),
        expect=("the variance of",),
    ),
    Mutant(
        "init_weights",
        "2 / fan_in + fan_out without brackets",
        _init(xavier="2.0 / fan_in + fan_out"),
        expect=("brackets",),
    ),
    Mutant(
        "init_weights",
        "shape (fan_out, fan_in)",
        _init(draw="rng.normal(0.0, np.sqrt(variance), size=(fan_out, fan_in))"),
        expect=("shape", "swapped"),
    ),
    Mutant(
        "init_weights",
        "np.random (the global generator) instead of the rng argument",
        _init(draw="np.sqrt(variance) * np.random.randn(fan_in, fan_out)"),
        expect=("same seed", "rng argument"),
    ),
    Mutant(
        "init_weights",
        "a generator of its own, the rng argument ignored",
        _init(draw="np.random.default_rng(0).normal(0.0, np.sqrt(variance), size=(fan_in, fan_out))"),
        expect=("seeds 1 and 2",),
    ),
    Mutant(
        "init_weights",
        "an unknown scheme falls back to he",
        _init(otherwise="variance = 2.0 / fan_in"),
        expect=("instead of raising ValueError",),
    ),
    Mutant(
        "init_weights",
        "a dictionary lookup: KeyError for an unknown scheme",
        "def init_weights(fan_in, fan_out, scheme, rng):\n"
        "    variance = {'xavier': 2.0 / (fan_in + fan_out), 'he': 2.0 / fan_in}[scheme]\n"
        "    return rng.normal(0.0, np.sqrt(variance), size=(fan_in, fan_out))\n",
        expect=("KeyError", "not ValueError"),
    ),
    Mutant(
        "init_weights",
        "ValueError without a message",
        _init(otherwise="raise ValueError()"),
        expect=("message should name",),
    ),
    Mutant(
        "init_weights",
        "uniform on [0, std) instead of a Gaussian around 0",
        _init(draw="np.sqrt(variance) * rng.random((fan_in, fan_out))"),
        common=False,
        expect=("centred at 0",),
    ),
    Mutant(
        "init_weights",
        "uniform on [-std, std]",
        _init(draw="rng.uniform(-np.sqrt(variance), np.sqrt(variance), size=(fan_in, fan_out))"),
        common=False,
        expect=("uniform",),
    ),
]

PASSING += [
    Passing(
        "init_weights",
        "std times rng.standard_normal, and a dict of scales checked first",
        "def init_weights(fan_in, fan_out, scheme, rng):\n"
        "    scales = {'xavier': np.sqrt(2 / (fan_in + fan_out)), 'he': np.sqrt(2 / fan_in)}\n"
        "    if scheme not in scales:\n"
        "        raise ValueError(f'unknown scheme {scheme!r}: use xavier or he')\n"
        "    return scales[scheme] * rng.standard_normal((fan_in, fan_out))\n",
    ),
]
