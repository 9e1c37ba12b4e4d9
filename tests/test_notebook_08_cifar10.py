"""Notebook 08_cifar10 graded the way nbgrader grades it (see tests/nbtools.py).

Under ``NBGRADER_EXECUTION`` the notebook trains on the small CIFAR-10 sample shipped in data/, so a
whole grading run takes well under a minute; the exercises themselves are graded on small random inputs.
"""

from __future__ import annotations

import re
import time

from tests.nbtools import grade, read, release_path, source_path, test_cells

NAME = "08_cifar10"
GRADED = {
    "accuracy": ("accuracy_tests",),
    "two_layer_loss": ("two_layer_loss_value_tests", "two_layer_loss_grad_tests"),
    "sgd_step": ("sgd_step_tests",),
    "minibatch_sgd": ("minibatch_sgd_tests",),
    "random_search": ("random_search_tests",),
    "confusion": ("confusion_tests",),
}
ALL_TESTS = [gid for gids in GRADED.values() for gid in gids]

OWN_LOSS = """
def two_layer_loss(params, X, y, reg):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N = X.shape[0]
    A1 = X @ W1 + b1
    Z = np.maximum(A1, 0)
    S = Z @ W2 + b2
    S = S - S.max(axis=1, keepdims=True)
    log_p = S - np.log(np.exp(S).sum(axis=1, keepdims=True))
    P = np.exp(log_p)
    loss = -np.mean(log_p[np.arange(N), y]) + reg * (np.sum(W1**2) + np.sum(W2**2))
    dS = P.copy()
    dS[np.arange(N), y] -= 1
    dS /= N
    dA1 = dS @ W2.T * (A1 > 0)
    grads = {"W1": X.T @ dA1 + 2 * reg * W1, "b1": dA1.sum(0), "W2": Z.T @ dS + 2 * reg * W2, "b2": dS.sum(0)}
    return float(loss), grads
"""

DELEGATING = {
    # the course's accuracy, through a stand-in model
    "accuracy": (
        "from helpers.train import accuracy as _library_accuracy\n\n\n"
        "class _Fixed:\n"
        "    def __init__(self, labels):\n"
        "        self.labels = labels\n\n"
        "    def predict(self, X, batch_size=None):\n"
        "        return self.labels\n\n\n"
        "def accuracy(predictions, y):\n"
        "    p = np.asarray(predictions)\n"
        "    return _library_accuracy(_Fixed(p.argmax(axis=1) if p.ndim == 2 else p), None, y)\n"
    ),
    # the course's TwoLayerNet on the student's parameter arrays
    "two_layer_loss": (
        "from helpers.models import TwoLayerNet\n\n\n"
        "def two_layer_loss(params, X, y, reg):\n"
        "    D, H = params['W1'].shape\n"
        "    net = TwoLayerNet(D, H, params['b2'].shape[0], reg=reg, rng=np.random.default_rng(0),"
        " dtype=np.float64)\n"
        "    net.params = dict(params)\n"
        "    return net.loss(X, y)\n"
    ),
    # the course's training loop with the student's own step and accuracy
    "minibatch_sgd": (
        "from helpers.train import sgd as _library_sgd\n\n\n"
        "def minibatch_sgd(params, loss_fn, predict_fn, X, y, X_val, y_val, *, epochs, batch_size, lr,"
        " lr_decay, momentum, rng, step, metric, num_train_acc=1000):\n"
        "    model = type('Model', (), {})()\n"
        "    model.params, model.loss, model.predict = params, loss_fn, predict_fn\n"
        "    h = _library_sgd(model, X, y, X_val, y_val, epochs=epochs, batch_size=batch_size, lr=lr,"
        " lr_decay=lr_decay, momentum=momentum, schedule='step', rng=rng, progress=False,"
        " train_acc_samples=num_train_acc, step=step, metric=metric)\n"
        "    return {'loss': h.loss, 'train_acc': h.train_acc, 'val_acc': h.val_acc}\n"
    ),
}

WRONG = {
    # a percentage instead of a fraction
    "accuracy": (
        "def accuracy(predictions, y):\n"
        "    p = np.asarray(predictions)\n"
        "    p = p.argmax(axis=1) if p.ndim == 2 else p\n"
        "    return float(100 * np.mean(p == y))\n"
    ),
    # the loss is right, the regularization term is missing from the gradients
    "two_layer_loss": OWN_LOSS.replace(" + 2 * reg * W1", "").replace(" + 2 * reg * W2", ""),
    # plain gradient descent: the velocity is never used
    "sgd_step": (
        "def sgd_momentum_step(params, grads, velocity, lr, momentum):\n"
        "    for name in params:\n"
        "        params[name] = params[name] - lr * grads[name]\n"
    ),
    # the same order in every epoch: shuffled once, before the loop
    "minibatch_sgd": (
        "def minibatch_sgd(params, loss_fn, predict_fn, X, y, X_val, y_val, *, epochs, batch_size, lr,"
        " lr_decay, momentum, rng, step, metric, num_train_acc=1000):\n"
        "    velocity = {k: np.zeros_like(v) for k, v in params.items()}\n"
        "    history = {'loss': [], 'train_acc': [], 'val_acc': []}\n"
        "    order = rng.permutation(len(X))\n"
        "    for epoch in range(epochs):\n"
        "        for start in range(0, len(X), batch_size):\n"
        "            b = order[start : start + batch_size]\n"
        "            loss, grads = loss_fn(X[b], y[b])\n"
        "            step(params, grads, velocity, lr * lr_decay**epoch, momentum)\n"
        "            history['loss'].append(float(loss))\n"
        "        history['train_acc'].append(metric(predict_fn(X[:num_train_acc]), y[:num_train_acc]))\n"
        "        history['val_acc'].append(metric(predict_fn(X_val), y_val))\n"
        "    return history\n"
    ),
    # uniform instead of log-uniform
    "random_search": (
        "def random_search(train_and_score, lr_range, reg_range, num_trials, rng):\n"
        "    results = []\n"
        "    for _ in range(num_trials):\n"
        "        lr, reg = rng.uniform(*lr_range), rng.uniform(*reg_range)\n"
        "        results.append((lr, reg, train_and_score(lr, reg)))\n"
        "    return sorted(results, key=lambda r: -r[2])\n"
    ),
    # rows and columns swapped
    "confusion": (
        "def confusion_matrix(y_true, y_pred, num_classes):\n"
        "    M = np.zeros((num_classes, num_classes), dtype=np.int64)\n"
        "    np.add.at(M, (y_pred, y_true), 1)\n"
        "    return M\n"
    ),
}


def test_graded_cells_are_the_expected_ones():
    assert test_cells(read(source_path(NAME))) == ALL_TESTS
    assert test_cells(read(release_path(NAME))) == ALL_TESTS


def test_source_passes_nbgrader_validate_on_the_sample_within_a_minute():
    from nbgrader.validator import Validator

    start = time.perf_counter()
    assert Validator().validate(str(source_path(NAME))) == {}
    assert time.perf_counter() - start < 60


def test_untouched_release_fails_every_test_cell():
    results = grade(NAME)
    assert sorted(results) == sorted(ALL_TESTS)
    for gid, result in results.items():
        assert result.score == 0, f"{gid} earns {result.score} for the untouched release"
        assert "NotImplementedError" in result.error, f"{gid}: {result.error}"


def test_delegating_to_the_library_earns_nothing():
    results = grade(NAME, DELEGATING, perfect=True)
    refused = {
        "accuracy_tests",
        "two_layer_loss_value_tests",
        "two_layer_loss_grad_tests",
        "minibatch_sgd_tests",
    }
    for gid in refused:
        assert results[gid].score == 0, f"{gid} gives credit for delegating to the course library"
        assert "earns no credit" in results[gid].error, f"{gid}: {results[gid].error}"
    for gid in set(ALL_TESTS) - refused:
        assert results[gid].score == results[gid].max_score, f"{gid}: {results[gid].error}"


def test_wrong_answers_lose_only_their_tests():
    results = grade(NAME, WRONG, perfect=True)
    lost = {gid for gid, r in results.items() if r.score == 0}
    assert lost == {
        "accuracy_tests",
        "two_layer_loss_grad_tests",
        "sgd_step_tests",
        "minibatch_sgd_tests",
        "random_search_tests",
        "confusion_tests",
    }, {g: r.error for g, r in results.items()}
    assert "numerical gradient" in results["two_layer_loss_grad_tests"].error
    assert "row sums" in results["confusion_tests"].error
    assert "every epoch" in results["minibatch_sgd_tests"].error
    assert "log-uniformly" in results["random_search_tests"].error
    value = results["two_layer_loss_value_tests"]
    assert value.score == value.max_score, value.error


def _outputs_text(nb) -> str:
    """Everything the executed code cells printed (streams and plain-text results)."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append(out["text"])
            elif "text/plain" in out.get("data", {}):
                parts.append(out["data"]["text/plain"])
    return "\n".join(parts)


def _prose(nb) -> str:
    """The markdown the students read, without the model answers of the written questions."""
    return "\n".join(
        c.source
        for c in nb.cells
        if c.cell_type == "markdown" and not c.metadata.get("nbgrader", {}).get("solution")
    )


def test_every_measured_percentage_in_the_prose_is_an_output_of_the_run():
    """A result quoted in the text (e.g. "54.8%") must be one the executed notebook printed, so it cannot go stale."""
    nb = read(source_path(NAME))
    printed = _outputs_text(nb)
    quoted = re.findall(r"\d+\.\d+ ?%", _prose(nb))
    stale = [q for q in quoted if q.replace(" ", "") not in printed]
    assert not stale, f"the prose quotes {stale}, which the executed notebook never printed"


def test_the_prose_claims_hold_in_the_executed_run():
    """What the markdown says about the run (in words, not numbers) checked against what the run printed."""
    nb = read(source_path(NAME))
    out = _outputs_text(nb)
    assert "data: the full CIFAR-10" in out, (
        "source/ must be built on the full CIFAR-10 (set NN_BASICS_CIFAR10)"
    )
    # learning rates: 1e-5 hardly moves, 0.01 falls, 0.3 explodes
    lr_runs = {
        lr: (float(a), float(b))
        for lr, a, b in re.findall(r"lr = (\S+) +loss: first (\S+), last ([^;]+);", out)
    }
    assert lr_runs["1e-05"][0] - lr_runs["1e-05"][1] < 0.2 * (lr_runs["0.01"][0] - lr_runs["0.01"][1])
    assert lr_runs["0.3"][1] > 10 * lr_runs["0.3"][0]
    # the search's spread is a few standard errors, at most
    spread = float(re.search(r"validation accuracy: (\S+) points", out).group(1))
    se = float(
        re.search(
            r"one standard error of the best accuracy on 1000 validation images: (\S+) points", out
        ).group(1)
    )
    assert 1.0 < se < 2.0 and spread < 4 * se
    # long runs: every run overfits, the wider one more, the stronger penalty narrows the gap
    gaps = {
        (int(h), float(r)): float(g)
        for h, r, g in re.findall(r"H = (\d+) +reg = (\S+):  last epoch .*\(gap (\S+) points\)", out)
    }
    assert len(gaps) == 4, gaps
    (small, large), (weak, strong) = sorted({h for h, _ in gaps}), sorted({r for _, r in gaps})
    assert all(g > 5 for g in gaps.values()), gaps
    assert gaps[(large, weak)] > gaps[(small, weak)], gaps
    assert gaps[(small, strong)] < gaps[(small, weak)] and gaps[(large, strong)] < gaps[(large, weak)], gaps
    # first layer: the change is smooth, the initial weights are noise, the trained W1 mostly noise
    corr = dict(re.findall(r"(initial W1|trained W1|the change W1 - W1_init) (-?\d\.\d+)", out))
    assert (
        abs(float(corr["initial W1"]))
        < 0.05
        < float(corr["trained W1"])
        < 0.3
        < float(corr["the change W1 - W1_init"])
    )
    held, even = map(float, re.search(r"hold (\d+)% of the total squared change \((\d+)% if", out).groups())
    assert even < held < 2.5 * even, (
        "the text says the units that changed most hold only a little more than their share"
    )
    # the linear classifiers are close to each other and far below the two-layer network
    test = re.search(
        r"test accuracy: linear softmax (\S+)%, linear SVM (\S+)%, two-layer network (\S+)%", out
    )
    softmax, svm, two_layer = map(float, test.groups())
    assert abs(softmax - svm) < 4 and two_layer > max(softmax, svm) + 8
