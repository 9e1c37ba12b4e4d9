"""Wrong answers to notebook 08 (accuracy, the two-layer net, SGD with momentum, confusion matrix).

See tests/mutants/__init__.py. The mutation test runs 08 with NBGRADER_EXECUTION set, so it trains on the
shipped sample only.
"""

from tests.mutants import Mutant, Passing

_LOSS = (
    "def two_layer_loss(params, X, y, reg):\n"
    "    W1, b1, W2, b2 = params['W1'], params['b1'], params['W2'], params['b2']\n"
    "    N = X.shape[0]\n"
    "    A1 = X @ W1 + b1\n"
    "    Z = np.maximum(A1, 0)\n"
    "    S = Z @ W2 + b2\n"
    "    S = {shift}\n"
    "    log_p = S - np.log(np.exp(S).sum(axis=1, keepdims=True))\n"
    "    loss = {data} + {penalty}\n"
    "    dS = np.exp(log_p)\n"
    "    dS[np.arange(N), y] -= 1\n"
    "    {scale}\n"
    "    dA1 = (dS @ W2.T) * {mask}\n"
    "    grads = {{'W1': X.T @ dA1 + {dreg} * W1, 'b1': {db1}, 'W2': Z.T @ dS + {dreg} * W2, 'b2': dS.sum(axis=0)}}\n"
    "    return float(loss), grads\n"
)


def _loss(
    shift="S - S.max(axis=1, keepdims=True)",
    data="-log_p[np.arange(N), y].mean()",
    penalty="reg * (np.sum(W1 * W1) + np.sum(W2 * W2))",
    scale="dS /= N",
    mask="(A1 > 0)",
    dreg="2 * reg",
    db1="dA1.sum(axis=0)",
):
    return _LOSS.format(shift=shift, data=data, penalty=penalty, scale=scale, mask=mask, dreg=dreg, db1=db1)


_STEP = "def sgd_momentum_step(params, grads, velocity, lr, momentum):\n    for name in params:\n{body}"

_CONFUSION = "def confusion_matrix(y_true, y_pred, num_classes):\n"

MUTANTS = [
    # accuracy
    Mutant(
        "accuracy",
        "no argmax: compares the scores with the labels",
        "def accuracy(predictions, y):\n    return float(np.mean(np.asarray(predictions) == np.asarray(y)))\n",
        expect=("broadcast",),
    ),
    Mutant(
        "accuracy",
        "a count, not a fraction",
        "def accuracy(predictions, y):\n"
        "    p = np.asarray(predictions)\n"
        "    if p.ndim == 2:\n"
        "        p = p.argmax(axis=1)\n"
        "    return float(np.sum(p == y))\n",
        expect=("1/N",),
    ),
    Mutant(
        "accuracy",
        "a percentage",
        "def accuracy(predictions, y):\n"
        "    p = np.asarray(predictions)\n"
        "    if p.ndim == 2:\n"
        "        p = p.argmax(axis=1)\n"
        "    return float(100 * np.mean(p == y))\n",
        expect=("100 times",),
    ),
    Mutant(
        "accuracy",
        "argmax even of predicted labels",
        "def accuracy(predictions, y):\n"
        "    return float(np.mean(np.argmax(predictions, axis=-1) == np.asarray(y)))\n",
        expect=("perfect predictions",),
    ),
    Mutant(
        "accuracy",
        "argmax down the columns (axis=0)",
        "def accuracy(predictions, y):\n"
        "    p = np.asarray(predictions)\n"
        "    if p.ndim == 2:\n"
        "        p = p.argmax(axis=0)\n"
        "    return float(np.mean(p == y))\n",
        expect=("broadcast",),
    ),
    Mutant(
        "accuracy",
        "the error rate",
        "def accuracy(predictions, y):\n"
        "    p = np.asarray(predictions)\n"
        "    if p.ndim == 2:\n"
        "        p = p.argmax(axis=1)\n"
        "    return float(np.mean(p != y))\n",
        common=False,
        expect=("perfect predictions",),
    ),
    # two_layer_loss
    Mutant(
        "two_layer_loss",
        "a 1/2 in the L2 penalty (with its gradient)",
        _loss(penalty="0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))", dreg="reg"),
        expect=("no 1/2",),
    ),
    Mutant(
        "two_layer_loss",
        "the biases regularised too",
        _loss(penalty="reg * (np.sum(W1 * W1) + np.sum(W2 * W2) + np.sum(b1 * b1) + np.sum(b2 * b2))"),
        expect=("biases excluded",),
    ),
    Mutant(
        "two_layer_loss",
        "the regularisation gradient reg W (no 2)",
        _loss(dreg="reg"),
        expect=("grads['W2']",),
    ),
    Mutant(
        "two_layer_loss",
        "no max shift: overflows",
        _loss(shift="S"),
        expect=("row max",),
    ),
    Mutant(
        "two_layer_loss",
        "loss and gradients summed over the batch",
        _loss(data="-log_p[np.arange(N), y].sum()", scale="pass"),
        expect=("1/N",),
    ),
    Mutant(
        "two_layer_loss",
        "no ReLU mask in dA1",
        _loss(mask="1.0"),
        expect=("grads['W1']",),
    ),
    Mutant(
        "two_layer_loss",
        "the regularisation gradient added to b1 as well",
        _loss(db1="dA1.sum(axis=0) + 2 * reg * b1"),
        common=False,
        expect=("grads['b1']",),
    ),
    # sgd_momentum_step
    Mutant(
        "sgd_step",
        "params updated with the old velocity, before it is updated",
        _STEP.format(
            body="        params[name] = params[name] + velocity[name]\n"
            "        velocity[name] = momentum * velocity[name] - lr * grads[name]\n"
        ),
        expect=("momentum=0",),
    ),
    Mutant(
        "sgd_step",
        "the other sign convention (v = momentum v + lr g; w -= v)",
        _STEP.format(
            body="        velocity[name] = momentum * velocity[name] + lr * grads[name]\n"
            "        params[name] = params[name] - velocity[name]\n"
        ),
        expect=("velocity['w']",),
    ),
    Mutant(
        "sgd_step",
        "momentum ignored",
        _STEP.format(
            body="        velocity[name] = -lr * grads[name]\n        params[name] = params[name] + velocity[name]\n"
        ),
        expect=("momentum 0.9",),
    ),
    Mutant(
        "sgd_step",
        "rebinds local names: the dicts never change",
        "def sgd_momentum_step(params, grads, velocity, lr, momentum):\n"
        "    for name, w in params.items():\n"
        "        v = momentum * velocity[name] - lr * grads[name]\n"
        "        w = w + v\n",
        expect=("params['W']",),
    ),
    Mutant(
        "sgd_step",
        "returns new dicts",
        "def sgd_momentum_step(params, grads, velocity, lr, momentum):\n"
        "    v = {k: momentum * velocity[k] - lr * grads[k] for k in params}\n"
        "    return {k: params[k] + v[k] for k in params}, v\n",
        expect=("return None",),
    ),
    Mutant(
        "sgd_step",
        "velocity updated, but the weights take a plain gradient step",
        _STEP.format(
            body="        velocity[name] = momentum * velocity[name] - lr * grads[name]\n"
            "        params[name] = params[name] - lr * grads[name]\n"
        ),
        expect=("params['w']",),
    ),
    # confusion_matrix
    Mutant(
        "confusion",
        "transposed: M[pred, true]",
        _CONFUSION + "    M = np.zeros((num_classes, num_classes), dtype=int)\n"
        "    np.add.at(M, (y_pred, y_true), 1)\n"
        "    return M\n",
        expect=("row sums",),
    ),
    Mutant(
        "confusion",
        "a float matrix",
        _CONFUSION + "    M = np.zeros((num_classes, num_classes))\n"
        "    np.add.at(M, (y_true, y_pred), 1)\n"
        "    return M\n",
        expect=("wrong dtype",),
    ),
    Mutant(
        "confusion",
        "M[y_true, y_pred] += 1 (repeated pairs counted once)",
        _CONFUSION + "    M = np.zeros((num_classes, num_classes), dtype=int)\n"
        "    M[y_true, y_pred] += 1\n"
        "    return M\n",
        expect=("np.add.at",),
    ),
    Mutant(
        "confusion",
        "size from the largest label, not num_classes",
        _CONFUSION + "    C = int(max(np.max(y_true), np.max(y_pred))) + 1\n"
        "    M = np.zeros((C, C), dtype=int)\n"
        "    np.add.at(M, (y_true, y_pred), 1)\n"
        "    return M\n",
        expect=("never occurs",),
    ),
    Mutant(
        "confusion",
        "np.bincount without minlength",
        _CONFUSION
        + "    return np.bincount(np.asarray(y_true) * num_classes + np.asarray(y_pred)).reshape(num_classes, num_classes)\n",
        common=False,
        expect=("reshape",),
    ),
]

PASSING = [
    Passing(
        "confusion",
        "a loop over the examples",
        _CONFUSION + "    M = np.zeros((num_classes, num_classes), dtype=np.int64)\n"
        "    for t, p in zip(y_true, y_pred):\n"
        "        M[t, p] += 1\n"
        "    return M\n",
    ),
    Passing(
        "sgd_step",
        "updates the arrays in place",
        _STEP.format(
            body="        velocity[name] *= momentum\n"
            "        velocity[name] -= lr * grads[name]\n"
            "        params[name] += velocity[name]\n"
        ),
    ),
    Passing(
        "two_layer_loss",
        "keeps float32 inputs in float32",
        _loss().replace("    N = X.shape[0]\n", "    N = X.shape[0]\n    reg = X.dtype.type(reg)\n"),
    ),
]
