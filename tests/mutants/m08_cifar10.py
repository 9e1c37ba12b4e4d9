"""Wrong answers to notebook 08 (accuracy, the two-layer net, SGD with momentum, the minibatch SGD loop,
random search, confusion matrix).

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
        "the row max subtracted, then np.log of the probabilities: log(0) for far apart scores",
        _loss(data="-np.log(np.exp(log_p)[np.arange(N), y]).mean()"),
        expect=("log-sum-exp", "np.log(0)"),
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


def _loop(
    velocity="    velocity = {name: np.zeros_like(value) for name, value in params.items()}\n",
    lr_epoch="lr * lr_decay**epoch",
    order="rng.permutation(N)",
    starts="range(0, N, batch_size)",
    batch="order[start : start + batch_size]",
    data="X[batch], y[batch]",
    record="history['loss'].append(float(loss))",
    train_rows="X[:num_train_acc], y[:num_train_acc]",
    per_epoch="",
):
    return (
        "def minibatch_sgd(params, loss_fn, predict_fn, X, y, X_val, y_val, *, epochs, batch_size, lr, lr_decay,"
        " momentum, rng, step, metric, num_train_acc=1000):\n"
        "    N = X.shape[0]\n"
        f"{velocity}"
        "    history = {'loss': [], 'train_acc': [], 'val_acc': []}\n"
        "    for epoch in range(epochs):\n"
        f"{per_epoch}"
        f"        lr_epoch = {lr_epoch}\n"
        f"        order = {order}\n"
        f"        for start in {starts}:\n"
        f"            batch = {batch}\n"
        f"            loss, grads = loss_fn({data})\n"
        "            step(params, grads, velocity, lr_epoch, momentum)\n"
        f"            {record}\n"
        f"        history['train_acc'].append(metric(predict_fn({train_rows.split(', ')[0]}),"
        f" {train_rows.split(', ')[1]}))\n"
        "        history['val_acc'].append(metric(predict_fn(X_val), y_val))\n"
        "    return history\n"
    )


_SEARCH = (
    "def random_search(train_and_score, lr_range, reg_range, num_trials, rng):\n"
    "    results = []\n"
    "    for _ in range({trials}):\n"
    "        lr = {lr}\n"
    "        reg = {reg}\n"
    "        results.append((lr, reg, {score}))\n"
    "    return {ret}\n"
)


def _search(
    trials="num_trials",
    lr="10 ** rng.uniform(np.log10(lr_range[0]), np.log10(lr_range[1]))",
    reg="10 ** rng.uniform(np.log10(reg_range[0]), np.log10(reg_range[1]))",
    score="train_and_score(lr, reg)",
    ret="sorted(results, key=lambda r: r[2], reverse=True)",
):
    return _SEARCH.format(trials=trials, lr=lr, reg=reg, score=score, ret=ret)


MUTANTS += [
    # minibatch_sgd
    Mutant(
        "minibatch_sgd",
        "no shuffling: the rows in their original order",
        _loop(order="np.arange(N)"),
        expect=("rng.permutation",),
    ),
    Mutant(
        "minibatch_sgd",
        "one order for all epochs (shuffled once, before the loop)",
        _loop(order="order if epoch else rng.permutation(N)"),
        expect=("every epoch",),
    ),
    Mutant(
        "minibatch_sgd",
        "np.random.permutation instead of the rng given",
        _loop(order="np.random.permutation(N)"),
        expect=("rng",),
    ),
    Mutant(
        "minibatch_sgd",
        "drops the last, smaller minibatch",
        _loop(starts="range(0, N - batch_size + 1, batch_size)"),
        expect=("the last one smaller",),
    ),
    Mutant(
        "minibatch_sgd",
        "contiguous minibatches of X, shuffled labels (X[start:end] with y[batch])",
        _loop(data="X[start : start + batch_size], y[batch]"),
        expect=("X[batch] and y[batch]",),
    ),
    Mutant(
        "minibatch_sgd",
        "the learning rate decays every iteration",
        _loop(lr_epoch="lr", record="history['loss'].append(float(loss)); lr_epoch *= lr_decay"),
        expect=("same for every step of an epoch",),
    ),
    Mutant(
        "minibatch_sgd",
        "decay already in the first epoch (lr * lr_decay**(epoch + 1))",
        _loop(lr_epoch="lr * lr_decay ** (epoch + 1)"),
        expect=("learning rate of each step",),
    ),
    Mutant(
        "minibatch_sgd",
        "the velocity reset every epoch",
        _loop(
            velocity="",
            per_epoch="        velocity = {name: np.zeros_like(value) for name, value in params.items()}\n",
        ),
        expect=("create it once",),
    ),
    Mutant(
        "minibatch_sgd",
        "one loss per epoch (the mean), not per iteration",
        _loop(
            record="history.setdefault('_epoch', []).append(float(loss))",
            per_epoch="        history['loss'].append(float(np.mean(history.pop('_epoch')))) if history.get('_epoch') else None\n",
        ),
        expect=("one loss per iteration",),
    ),
    Mutant(
        "minibatch_sgd",
        "training accuracy on all training rows (num_train_acc ignored)",
        _loop(train_rows="X, y"),
        expect=("first num_train_acc",),
    ),
    Mutant(
        "minibatch_sgd",
        "shuffles X and y in place",
        _loop(order="np.arange(N); _p = rng.permutation(N); X[:] = X[_p]; y[:] = y[_p]"),
        expect=("changed X or y",),
    ),
    Mutant(
        "minibatch_sgd",
        "updates with sgd_momentum_step itself, not the step it is given",
        _loop().replace("            step(params,", "            sgd_momentum_step(params,"),
        expect=("step was never called",),
    ),
    # random_search
    Mutant(
        "random_search",
        "uniform, not log-uniform",
        _search(lr="rng.uniform(lr_range[0], lr_range[1])", reg="rng.uniform(reg_range[0], reg_range[1])"),
        expect=("log-uniformly",),
    ),
    Mutant(
        "random_search",
        "the bounds used as exponents (10 ** rng.uniform(low, high))",
        _search(
            lr="10 ** rng.uniform(lr_range[0], lr_range[1])",
            reg="10 ** rng.uniform(reg_range[0], reg_range[1])",
        ),
        expect=("outside lr_range",),
    ),
    Mutant(
        "random_search",
        "one random number for both lr and reg",
        _search(
            lr="10 ** ((u := rng.uniform()) * np.log10(lr_range[1] / lr_range[0]) + np.log10(lr_range[0]))",
            reg="10 ** (u * np.log10(reg_range[1] / reg_range[0]) + np.log10(reg_range[0]))",
        ),
        expect=("correlated",),
    ),
    Mutant(
        "random_search",
        "np.random instead of the rng given",
        _search(
            lr="10 ** np.random.uniform(np.log10(lr_range[0]), np.log10(lr_range[1]))",
            reg="10 ** np.random.uniform(np.log10(reg_range[0]), np.log10(reg_range[1]))",
        ),
        expect=("rng you are given",),
    ),
    Mutant(
        "random_search",
        "sorted worst first",
        _search(ret="sorted(results, key=lambda r: r[2])"),
        expect=("best first",),
    ),
    Mutant("random_search", "in the order tried, not sorted", _search(ret="results"), expect=("best first",)),
    Mutant(
        "random_search",
        "only the best trial",
        _search(ret="[max(results, key=lambda r: r[2])]"),
        expect=("number of results",),
    ),
    Mutant(
        "random_search", "one trial too few", _search(trials="num_trials - 1"), expect=("number of calls",)
    ),
    Mutant(
        "random_search",
        "natural log bounds with 10 ** (a narrower, shifted range)",
        _search(
            lr="10 ** rng.uniform(np.log(lr_range[0]), np.log(lr_range[1]))",
            reg="10 ** rng.uniform(np.log(reg_range[0]), np.log(reg_range[1]))",
        ),
        common=False,
        expect=("outside lr_range",),
    ),
]

PASSING += [
    Passing(
        "minibatch_sgd",
        "the velocity built in a loop, in float64",
        _loop(
            velocity="    velocity = {}\n    for name in params:\n"
            "        velocity[name] = np.zeros(params[name].shape)\n",
            starts="range(0, N, batch_size) if N else []",
        ),
    ),
    Passing(
        "random_search",
        "natural logs and np.exp; all draws at once",
        (
            "def random_search(train_and_score, lr_range, reg_range, num_trials, rng):\n"
            "    lrs = np.exp(rng.uniform(np.log(lr_range[0]), np.log(lr_range[1]), size=num_trials))\n"
            "    regs = np.exp(rng.uniform(np.log(reg_range[0]), np.log(reg_range[1]), size=num_trials))\n"
            "    results = [(float(a), float(b), train_and_score(a, b)) for a, b in zip(lrs, regs)]\n"
            "    results.sort(key=lambda r: -r[2])\n"
            "    return results\n"
        ),
    ),
]
