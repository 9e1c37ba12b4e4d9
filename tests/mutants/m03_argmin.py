"""Wrong answers to notebook 03 (argmin, penalties, searches); see tests/mutants/__init__.py."""

from tests.mutants import Mutant, Passing

_SWITCH_HEAD = (
    "def lambda_switch(w_values, L_values):\n"
    "    w = np.asarray(w_values, dtype=float)\n"
    "    a = np.abs(w)\n"
    "    L = np.asarray(L_values, dtype=float)\n"
    "    k0 = np.argmin(L)\n"
)

_SEARCH = (
    "def local_search(loss_fn, w0, step, max_steps=1000):\n"
    "    path = [float(w0)]\n"
    "    w = float(w0)\n"
    "    current = loss_fn(w)\n"
    "    for _ in range({steps}):\n"
    "        left, right = w - step, w + step\n"
    "        loss_left, loss_right = loss_fn(left), loss_fn(right)\n"
    "        if {go_left}:\n"
    "            w, current = left, loss_left\n"
    "        elif {go_right}:\n"
    "            w, current = right, loss_right\n"
    "        else:\n"
    "            break\n"
    "        path.append(w)\n"
    "    return {ret}\n"
)


def _search(
    steps="max_steps",
    go_left="loss_left <= loss_right and loss_left < current",
    go_right="loss_right < loss_left and loss_right < current",
    ret="np.array(path, dtype=float)",
):
    return _SEARCH.format(steps=steps, go_left=go_left, go_right=go_right, ret=ret)


MUTANTS = [
    # penalized_loss
    Mutant(
        "penalized_loss",
        "lam * w without the absolute value",
        "def penalized_loss(w_values, L_values, lam=1.0):\n"
        "    return np.asarray(L_values, dtype=float) + lam * np.asarray(w_values, dtype=float)\n",
        expect=("|w|",),
    ),
    Mutant(
        "penalized_loss",
        "a squared penalty lam * w^2",
        "def penalized_loss(w_values, L_values, lam=1.0):\n"
        "    return np.asarray(L_values, dtype=float) + lam * np.asarray(w_values, dtype=float) ** 2\n",
        expect=("|w|",),
    ),
    Mutant(
        "penalized_loss",
        "adds into L_values in place",
        "def penalized_loss(w_values, L_values, lam=1.0):\n"
        "    L_values += lam * np.abs(w_values)\n"
        "    return L_values\n",
        expect=("must not modify",),
    ),
    Mutant(
        "penalized_loss",
        "lam ignored (always 1)",
        "def penalized_loss(w_values, L_values, lam=1.0):\n"
        "    return np.asarray(L_values, dtype=float) + np.abs(np.asarray(w_values, dtype=float))\n",
        expect=("lam=0.0",),
    ),
    Mutant(
        "penalized_loss",
        "a Python list comprehension",
        "def penalized_loss(w_values, L_values, lam=1.0):\n"
        "    return [L_values[i] + lam * abs(w_values[i]) for i in range(len(w_values))]\n",
        expect=("NumPy array",),
    ),
    # argmin_w
    Mutant(
        "argmin_w",
        "returns the index (an int)",
        "def argmin_w(w_values, losses):\n    return int(np.argmin(losses))\n",
        expect=("position",),
    ),
    Mutant(
        "argmin_w",
        "returns the smallest loss, not its weight",
        "def argmin_w(w_values, losses):\n    return float(np.min(losses))\n",
        expect=("smallest",),
    ),
    Mutant(
        "argmin_w",
        "argmax",
        "def argmin_w(w_values, losses):\n    return float(np.asarray(w_values)[np.argmax(losses)])\n",
        expect=("argmin_w([10, 20, 30]",),
    ),
    Mutant(
        "argmin_w",
        "an array of all best weights",
        "def argmin_w(w_values, losses):\n"
        "    losses = np.asarray(losses)\n"
        "    return np.asarray(w_values, dtype=float)[losses == losses.min()]\n",
        expect=("Python float",),
    ),
    Mutant(
        "argmin_w",
        "the last of tied weights",
        "def argmin_w(w_values, losses):\n"
        "    losses = np.asarray(losses)\n"
        "    return float(np.asarray(w_values)[len(losses) - 1 - np.argmin(losses[::-1])])\n",
        common=False,
        expect=("first of the tied",),
    ),
    # lambda_switch
    Mutant(
        "lambda_switch",
        "the crossing of the flatter candidate with the lowest loss",
        _SWITCH_HEAD + "    flat = np.flatnonzero(a < a[k0])\n"
        "    if flat.size == 0:\n"
        "        return float(np.inf)\n"
        "    k = flat[np.argmin(L[flat])]\n"
        "    return float((L[k] - L[k0]) / (a[k0] - a[k]))\n",
        common=False,
        expect=("crosses late", "earliest crossing"),
        forbid=("1/2", "derivative"),
    ),
    Mutant(
        "lambda_switch",
        "w instead of |w|",
        "def lambda_switch(w_values, L_values):\n"
        "    a = np.asarray(w_values, dtype=float)\n"
        "    L = np.asarray(L_values, dtype=float)\n"
        "    k0 = np.argmin(L)\n"
        "    flat = a < a[k0]\n"
        "    if not flat.any():\n"
        "        return float(np.inf)\n"
        "    return float(np.min((L[flat] - L[k0]) / (a[k0] - a[flat])))\n",
        expect=("|w|", "np.abs(w)"),
        forbid=("overflow", "np.exp", "log of 0"),
    ),
    Mutant(
        "lambda_switch",
        "the last crossing (max instead of min)",
        _SWITCH_HEAD + "    flat = a < a[k0]\n"
        "    if not flat.any():\n"
        "        return float(np.inf)\n"
        "    return float(np.max((L[flat] - L[k0]) / (a[k0] - a[flat])))\n",
        expect=("earlier crossing",),
    ),
    Mutant(
        "lambda_switch",
        "every candidate, not only the flatter ones",
        _SWITCH_HEAD + "    other = np.arange(len(L)) != k0\n"
        "    return float(np.min((L[other] - L[k0]) / (a[k0] - a[other])))\n",
        expect=("flatter",),
    ),
    Mutant(
        "lambda_switch",
        "0 instead of np.inf when the optimum never changes",
        _SWITCH_HEAD + "    flat = a < a[k0]\n"
        "    if not flat.any():\n"
        "        return 0.0\n"
        "    return float(np.min((L[flat] - L[k0]) / (a[k0] - a[flat])))\n",
        common=False,
        expect=("the optimum never changes",),
    ),
    Mutant(
        "lambda_switch",
        "a grid over lambda",
        "def lambda_switch(w_values, L_values):\n"
        "    w = np.asarray(w_values, dtype=float)\n"
        "    L = np.asarray(L_values, dtype=float)\n"
        "    best = np.argmin(L)\n"
        "    for lam in np.linspace(0.0, 10.0, 10001):\n"
        "        if np.argmin(L + lam * np.abs(w)) != best:\n"
        "            return float(lam)\n"
        "    return float(np.inf)\n",
        common=False,
        expect=("lambda_switch",),
    ),
    # grid_argmin
    Mutant(
        "grid_argmin",
        "np.arange: hi left out, other points",
        "def grid_argmin(loss_fn, lo, hi, num):\n"
        "    grid = np.arange(lo, hi, (hi - lo) / num)\n"
        "    losses = loss_fn(grid)\n"
        "    k = int(np.argmin(losses))\n"
        "    return float(grid[k]), float(losses[k])\n",
        expect=("grid",),
    ),
    Mutant(
        "grid_argmin",
        "returns the index as w_best",
        "def grid_argmin(loss_fn, lo, hi, num):\n"
        "    grid = np.linspace(lo, hi, num)\n"
        "    losses = loss_fn(grid)\n"
        "    k = int(np.argmin(losses))\n"
        "    return float(k), float(losses[k])\n",
        expect=("outside the grid",),
    ),
    Mutant(
        "grid_argmin",
        "num - 1 points",
        "def grid_argmin(loss_fn, lo, hi, num):\n"
        "    grid = np.linspace(lo, hi, num - 1)\n"
        "    losses = loss_fn(grid)\n"
        "    k = int(np.argmin(losses))\n"
        "    return float(grid[k]), float(losses[k])\n",
        expect=("grid",),
    ),
    Mutant(
        "grid_argmin",
        "returns (loss_best, w_best)",
        "def grid_argmin(loss_fn, lo, hi, num):\n"
        "    grid = np.linspace(lo, hi, num)\n"
        "    losses = loss_fn(grid)\n"
        "    k = int(np.argmin(losses))\n"
        "    return float(losses[k]), float(grid[k])\n",
        expect=("loss_best",),
    ),
    Mutant(
        "grid_argmin",
        "argmax",
        "def grid_argmin(loss_fn, lo, hi, num):\n"
        "    grid = np.linspace(lo, hi, num)\n"
        "    losses = loss_fn(grid)\n"
        "    k = int(np.argmax(losses))\n"
        "    return float(grid[k]), float(losses[k])\n",
        common=False,
        expect=("grid_argmin",),
    ),
    # local_search
    Mutant(
        "local_search",
        "the path leaves out w0",
        _search().replace("path = [float(w0)]", "path = []"),
        expect=("include w0",),
    ),
    Mutant(
        "local_search",
        "returns a list",
        _search(ret="path"),
        expect=("ndarray",),
    ),
    Mutant(
        "local_search",
        "moves when a neighbour is as low (<=)",
        _search(
            go_left="loss_left <= loss_right and loss_left <= current",
            go_right="loss_right < loss_left and loss_right <= current",
        ),
        common=False,
        expect=("strictly lower",),
    ),
    Mutant(
        "local_search",
        "a tie goes right",
        _search(
            go_left="loss_left < loss_right and loss_left < current",
            go_right="loss_right <= loss_left and loss_right < current",
        ),
        common=False,
        expect=("went right",),
        forbid=("sign is flipped", "ascent"),
    ),
    Mutant(
        "local_search",
        "max_steps + 1 moves",
        _search(steps="max_steps + 1"),
        common=False,
        expect=("max_steps",),
    ),
    Mutant(
        "local_search",
        "only ever walks left",
        _search(go_left="loss_left < current", go_right="False"),
        common=False,
        expect=("walks right",),
    ),
]

PASSING = [
    Passing(
        "penalized_loss",
        "a loop filling a float array",
        "def penalized_loss(w_values, L_values, lam=1.0):\n"
        "    out = np.zeros(len(w_values))\n"
        "    for i in range(len(w_values)):\n"
        "        out[i] = L_values[i] + lam * abs(w_values[i])\n"
        "    return out\n",
    ),
    Passing(
        "lambda_switch",
        "a loop over the candidates",
        "def lambda_switch(w_values, L_values):\n"
        "    k0 = int(np.argmin(L_values))\n"
        "    best = np.inf\n"
        "    for k in range(len(w_values)):\n"
        "        if abs(w_values[k]) < abs(w_values[k0]):\n"
        "            lam = (L_values[k] - L_values[k0]) / (abs(w_values[k0]) - abs(w_values[k]))\n"
        "            best = min(best, lam)\n"
        "    return float(best)\n",
    ),
]
