"""Training throughput: one epoch of TwoLayerNet SGD in NumPy vs PyTorch vs the GEMM limit.

    .venv/bin/python -m benchmarks.bench_train            # human-readable
    .venv/bin/python -m benchmarks.bench_train --json     # one JSON object as the last line

Measured side by side in one run, on the same random float32 data (N = 50,000, D = 3072):

* the machine's float32 GEMM rate (NumPy's BLAS, square matrices, best of several);
* one epoch of :class:`helpers.models.TwoLayerNet` (H = 100, C = 10) trained by
  :func:`helpers.train.sgd` (batch 200, momentum 0.9, L2, a new random order every epoch);
* the two large products of the epoch alone, at the training shapes on one cached minibatch (a
  floor for any NumPy epoch on this BLAS);
* the same network, batch, loss and optimizer in PyTorch (``torch.optim.SGD`` with momentum and
  the L2 gradient on the weights), if torch is installed.  torch is not a dependency of the
  course: ``.venv/bin/pip install torch==2.13.0`` (a CPU build) to include it.

An epoch costs 4 N D H + 6 N H C floating-point operations (about 61.7 GFLOP), so the GEMM limit
is that count divided by the GEMM rate.  NumPy epochs, floor runs and PyTorch epochs alternate
and the best of ``--repeats`` is kept for each, so a burst of load from other processes does not
favour any of them.
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import json
import os
import platform
import time

import numpy as np

N, D, H, C = 50_000, 3072, 100, 10
BATCH, LR, MOMENTUM, REG = 200, 1e-3, 0.9, 1e-4


def epoch_flops(n=N, d=D, h=H, c=C) -> float:
    """Floating-point operations of one SGD epoch: forward 2ND H + 2NHC, backward 2NDH + 4NHC."""
    return 4.0 * n * d * h + 6.0 * n * h * c


def gemm_rate(n: int = 2048, repeats: int = 7) -> float:
    """Best float32 GEMM rate of NumPy's BLAS on (n, n) @ (n, n), in GFLOP/s."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    out = np.empty((n, n), dtype=np.float32)
    np.matmul(a, b, out=out)
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        np.matmul(a, b, out=out)
        best = min(best, time.perf_counter() - t)
    return 2.0 * n**3 / best / 1e9


def blas_info() -> dict:
    """Which BLAS library and kernel NumPy uses (threadpoolctl if present, else OpenBLAS itself)."""
    info = {
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
    }
    try:
        from threadpoolctl import threadpool_info

        for entry in threadpool_info():
            if entry.get("user_api") == "blas":
                info.update(
                    library=entry.get("internal_api"),
                    version=entry.get("version"),
                    kernel=entry.get("architecture"),
                    threads=entry.get("num_threads"),
                    source="threadpoolctl",
                )
                return info
    except ImportError:
        pass
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__) + ".libs", "*openblas*"))
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in ("scipy_openblas_", "openblas_", ""):
            for suffix in ("64_", ""):
                core = getattr(lib, f"{prefix}get_corename{suffix}", None)
                if core is None:
                    continue
                core.restype = ctypes.c_char_p
                threads = getattr(lib, f"{prefix}get_num_threads{suffix}", None)
                info.update(library="openblas", kernel=core().decode(), source="openblas_get_corename")
                if threads is not None:
                    info["threads"] = int(threads())
                return info
    info["library"] = "unknown (install threadpoolctl to see it)"
    return info


def make_data(seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, D), dtype=np.float32)
    y = rng.integers(0, C, size=N)
    return X, y


def numpy_epochs(X, y, repeats: int, seed: int = 0):
    """A generator: each ``next()`` trains one more epoch and yields its seconds."""
    from helpers.models import TwoLayerNet
    from helpers.train import sgd

    rng = np.random.default_rng(seed)
    model = TwoLayerNet(D, H, C, weight_scale=1e-2, reg=REG, rng=rng)
    # warm-up: a few steps so BLAS threads and allocations are ready
    sgd(model, X[:2000], y[:2000], epochs=1, batch_size=BATCH, lr=LR, momentum=MOMENTUM,
        schedule="constant", rng=rng, progress=False, train_acc_samples=0)  # fmt: skip
    for _ in range(repeats):
        history = sgd(model, X, y, epochs=1, batch_size=BATCH, lr=LR, momentum=MOMENTUM,
                      schedule="constant", rng=rng, progress=False, train_acc_samples=0)  # fmt: skip
        yield history.seconds, history.step_seconds


def _timed(epoch, *, warm_up, full, repeats):
    """Run ``epoch(warm_up)`` once, then yield (seconds, step seconds) of ``epoch(full)`` ``repeats`` times."""
    epoch(warm_up)
    for _ in range(repeats):
        t = time.perf_counter()
        steps = epoch(full)
        yield time.perf_counter() - t, steps


def gemm_floor_epochs(X, repeats: int, seed: int = 0):
    """Only the two large products of an epoch, at the training shapes, on one cached minibatch.

    ``xb @ W1`` (B, D) x (D, H) and ``xb.T @ dhidden`` (D, B) x (B, H), ``out=`` preallocated,
    N / B times: no gather, no softmax, no update. No NumPy epoch with this BLAS can be faster, so
    this floor divided by the GEMM limit shows how much of the 1.25x budget the BLAS itself uses
    on these skinny shapes. Yields (seconds, step seconds) like the epochs.
    """
    rng = np.random.default_rng(seed)
    xb = np.ascontiguousarray(X[:BATCH])
    W1 = (1e-2 * rng.standard_normal((D, H))).astype(np.float32)
    dhidden = rng.standard_normal((BATCH, H), dtype=np.float32)
    hidden, dW1 = np.empty((BATCH, H), np.float32), np.empty((D, H), np.float32)
    n_steps = -(-N // BATCH)

    def epoch(steps_count):
        steps = []
        for _ in range(steps_count):
            tick = time.perf_counter()
            np.matmul(xb, W1, out=hidden)
            np.matmul(xb.T, dhidden, out=dW1)
            steps.append(time.perf_counter() - tick)
        return steps

    yield from _timed(epoch, warm_up=10, full=n_steps, repeats=repeats)


def torch_epochs(X, y, repeats: int, seed: int = 0):
    """The same epoch in PyTorch: Linear-ReLU-Linear, cross-entropy, SGD with momentum and L2."""
    import torch

    torch.manual_seed(seed)
    Xt = torch.from_numpy(X)  # shares memory, float32
    yt = torch.from_numpy(y)
    net = torch.nn.Sequential(torch.nn.Linear(D, H), torch.nn.ReLU(), torch.nn.Linear(H, C))
    weights = [net[0].weight, net[2].weight]
    biases = [net[0].bias, net[2].bias]
    # L2 penalty reg * sum W^2 has gradient 2 reg W: weight_decay = 2 reg, on the weights only
    opt = torch.optim.SGD(
        [{"params": weights, "weight_decay": 2 * REG}, {"params": biases, "weight_decay": 0.0}],
        lr=LR,
        momentum=MOMENTUM,
    )
    loss_fn = torch.nn.CrossEntropyLoss()

    def epoch(n):
        steps = []
        order = torch.randperm(n)
        for start in range(0, n, BATCH):
            tick = time.perf_counter()
            idx = order[start : start + BATCH]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            steps.append(time.perf_counter() - tick)
        return steps

    yield from _timed(epoch, warm_up=2000, full=N, repeats=repeats)


def torch_status() -> tuple[bool, str]:
    try:
        import torch
    except ImportError:
        return False, (
            "PyTorch is not installed, so only NumPy is measured. It is not a course dependency; to compare, "
            "run `.venv/bin/pip install torch==2.13.0` (the CPU build) and run this benchmark again."
        )
    return True, f"torch {torch.__version__}, {torch.get_num_threads()} threads"


def run(repeats: int = 3, with_torch: bool = True) -> dict:
    """Measure everything; return the numbers as a dict."""
    have_torch, torch_note = torch_status() if with_torch else (False, "torch skipped (--no-torch)")
    rate = gemm_rate()
    flops = epoch_flops()
    X, y = make_data()
    runs = {"numpy": numpy_epochs(X, y, repeats), "floor": gemm_floor_epochs(X, repeats)}
    if have_torch:
        runs["torch"] = torch_epochs(X, y, repeats)
    times: dict[str, list[float]] = {k: [] for k in runs}
    medians: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(repeats):  # alternate: numpy epoch, torch epoch, numpy epoch, ...
        for name, gen in runs.items():
            seconds, step_seconds = next(gen)
            times[name].append(seconds)
            medians[name].append(float(np.median(step_seconds)))
    rate = max(rate, gemm_rate())  # once more after the epochs, keep the better
    limit = flops / (rate * 1e9)
    n_steps = -(-N // BATCH)

    def median_epoch(name):
        # contention-robust: n_steps x the median step of the best epoch (bursts of load from
        # other processes slow some steps down; the median ignores them if they hit fewer than half)
        return min(medians[name]) * n_steps

    result = {
        "benchmark": "train_epoch",
        "shape": {"N": N, "D": D, "H": H, "C": C, "batch": BATCH},
        "gemm_gflops": round(rate, 1),
        "epoch_gflop": round(flops / 1e9, 2),
        "gemm_limit_seconds": round(limit, 4),
        "numpy_seconds": round(min(times["numpy"]), 4),
        "numpy_all_seconds": [round(t, 4) for t in times["numpy"]],
        "numpy_median_step_epoch_seconds": round(median_epoch("numpy"), 4),
        "numpy_vs_gemm_limit": round(min(times["numpy"]) / limit, 3),
        "numpy_median_vs_gemm_limit": round(median_epoch("numpy") / limit, 3),
        "gemm_floor_seconds": round(min(times["floor"]), 4),
        "gemm_floor_vs_gemm_limit": round(min(times["floor"]) / limit, 3),
        "numpy_vs_gemm_floor": round(min(times["numpy"]) / min(times["floor"]), 3),
        "torch_seconds": None,
        "numpy_vs_torch": None,
        "torch": torch_note,
        "blas": blas_info(),
        "numpy_version": np.__version__,
        "cpu_count": os.cpu_count(),
        "load_average": [round(v, 2) for v in os.getloadavg()],
        "machine": platform.machine(),
    }
    if have_torch:
        result["torch_seconds"] = round(min(times["torch"]), 4)
        result["torch_all_seconds"] = [round(t, 4) for t in times["torch"]]
        result["torch_median_step_epoch_seconds"] = round(median_epoch("torch"), 4)
        result["numpy_vs_torch"] = round(min(times["numpy"]) / min(times["torch"]), 3)
        result["numpy_median_vs_torch_median"] = round(median_epoch("numpy") / median_epoch("torch"), 3)
    return result


def report(result: dict) -> str:
    blas = result["blas"]
    lines = [
        f"TwoLayerNet SGD epoch: N={N} D={D} H={H} C={C}, batch {BATCH}, momentum {MOMENTUM}, float32",
        f"  BLAS: {blas.get('library')} kernel {blas.get('kernel')}, threads {blas.get('threads')} "
        f"(OPENBLAS_CORETYPE={blas.get('OPENBLAS_CORETYPE')}); load average {result['load_average']}",
        f"  float32 GEMM rate        {result['gemm_gflops']:8.1f} GFLOP/s",
        f"  GEMM limit ({result['epoch_gflop']:.1f} GFLOP) {result['gemm_limit_seconds']:8.3f} s",
        f"  NumPy epoch (best)       {result['numpy_seconds']:8.3f} s   "
        f"= {result['numpy_vs_gemm_limit']:.2f} x GEMM limit (target <= 1.25)",
        f"  the 2 large products alone {result['gemm_floor_seconds']:6.3f} s   "
        f"= {result['gemm_floor_vs_gemm_limit']:.2f} x GEMM limit (this BLAS on the training shapes; "
        f"NumPy epoch = {result['numpy_vs_gemm_floor']:.2f} x this floor)",
    ]
    if result["torch_seconds"] is not None:
        lines.append(
            f"  PyTorch epoch (best)     {result['torch_seconds']:8.3f} s   "
            f"numpy/torch = {result['numpy_vs_torch']:.2f} (target <= 1.0)"
        )
    lines.append(
        f"  median step x steps:     NumPy {result['numpy_median_step_epoch_seconds']:.3f} s "
        f"(= {result['numpy_median_vs_gemm_limit']:.2f} x GEMM limit)"
        + (
            f", PyTorch {result['torch_median_step_epoch_seconds']:.3f} s "
            f"(numpy/torch = {result['numpy_median_vs_torch_median']:.2f})"
            if result["torch_seconds"] is not None
            else ""
        )
    )
    lines.append(f"  {result['torch']}")
    return "\n".join(lines)


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_train", description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3, help="epochs per implementation (best is kept)")
    p.add_argument("--no-torch", action="store_true", help="measure NumPy only")
    p.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    args = p.parse_args(argv)
    result = run(args.repeats, with_torch=not args.no_torch)
    print(report(result))
    if args.json:
        print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
