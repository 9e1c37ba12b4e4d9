"""Naive (loop) vs vectorized losses: same values, different speed.

Times ``svm_loss_naive`` against ``svm_loss`` and ``softmax_loss_naive`` against ``softmax_loss``
(loss and gradient) on random scores, checks that each pair agrees (rtol 1e-7) and prints the
speedups side by side.  Run with::

    python -m benchmarks.bench_losses [--N 500] [--C 10] [--seed 0]

:func:`main` returns the results as a dict, so ``benchmarks/run.py`` can collect them.  Timings
depend on the machine and its BLAS threads; they are shown, never asserted.
"""

import argparse
import time

import numpy as np

from helpers.losses import softmax_loss, softmax_loss_naive, svm_loss, svm_loss_naive

PAIRS = {
    "svm_loss": (svm_loss_naive, svm_loss),
    "softmax_loss": (softmax_loss_naive, softmax_loss),
}


def best_time(fn, *args, repeat=5, min_seconds=0.05):
    """Best wall-clock seconds per call over ``repeat`` rounds (each round loops for >= min_seconds)."""
    fn(*args)  # warm up
    best = float("inf")
    for _ in range(repeat):
        calls, start = 0, time.perf_counter()
        while True:
            fn(*args)
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_seconds:
                break
        best = min(best, elapsed / calls)
    return best


def main(N=500, C=10, seed=0, repeat=5):
    """Time each naive/vectorized loss pair on random (N, C) float64 scores.

    Parameters
    ----------
    N, C : int
        Examples and classes.
    seed : int
        Seed of the ``numpy.random.default_rng`` that draws the scores and labels.
    repeat : int
        Timing rounds; the best round is reported.

    Returns
    -------
    results : dict
        ``{"N": N, "C": C, "seed": seed, "losses": {name: {"naive_s", "vectorized_s", "speedup",
        "max_rel_diff"}}}`` with seconds per call and the largest relative difference between the
        two loss values and gradients.
    """
    rng = np.random.default_rng(seed)
    scores = rng.standard_normal((N, C))
    y = rng.integers(0, C, size=N)
    results = {"N": N, "C": C, "seed": seed, "losses": {}}
    for name, (naive, fast) in PAIRS.items():
        loss_n, d_n = naive(scores, y)
        loss_v, d_v = fast(scores, y)
        np.testing.assert_allclose(loss_v, loss_n, rtol=1e-7)
        np.testing.assert_allclose(d_v, d_n, rtol=1e-7, atol=1e-15)
        diff = max(
            abs(loss_v - loss_n) / max(abs(loss_n), 1e-300),
            float(np.max(np.abs(d_v - d_n) / np.maximum(np.abs(d_n), 1e-300))),
        )
        t_naive = best_time(naive, scores, y, repeat=repeat)
        t_fast = best_time(fast, scores, y, repeat=repeat)
        results["losses"][name] = {
            "naive_s": t_naive,
            "vectorized_s": t_fast,
            "speedup": t_naive / t_fast,
            "max_rel_diff": diff,
        }
    return results


def format_results(results):
    """The results of :func:`main` as a small text table."""
    lines = [
        f"naive vs vectorized losses, scores ({results['N']}, {results['C']}) float64, seed {results['seed']}",
        f"{'loss':<14}{'naive ms':>10}{'vectorized ms':>15}{'speedup':>10}{'max rel diff':>14}",
    ]
    for name, r in results["losses"].items():
        lines.append(
            f"{name:<14}{1e3 * r['naive_s']:>10.2f}{1e3 * r['vectorized_s']:>15.3f}"
            f"{r['speedup']:>9.0f}x{r['max_rel_diff']:>14.1e}"
        )
    return "\n".join(lines)


def _cli(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--N", type=int, default=500)
    parser.add_argument("--C", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(format_results(main(N=args.N, C=args.C, seed=args.seed)))


if __name__ == "__main__":
    _cli()
