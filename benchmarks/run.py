"""Run every benchmark and print a summary table (``make bench``).

    .venv/bin/python -m benchmarks.run                 # all of it (about 4 minutes on 2 cores)
    .venv/bin/python -m benchmarks.run --no-accuracy   # speed only (about 30 s)

1. ``benchmarks.bench_losses``: naive vs vectorized losses (if present).
2. ``benchmarks.bench_train``: GEMM rate, NumPy vs PyTorch TwoLayerNet epoch.
3. Accuracy on the full CIFAR-10, when ``NN_BASICS_CIFAR10`` is set (or ``--data`` is given):
   ``python -m helpers.train --model two_layer --json`` and ``--model softmax --json``, the
   reference recipes, each in its own process.

``--json PATH`` also writes every result to PATH.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"two_layer": 0.60, "softmax": 0.39}  # issue 13 item 7: 60% within 90 s of training
MAX_TRAIN_SECONDS = {"two_layer": 90.0}


def run_losses() -> dict | None:
    try:
        mod = importlib.import_module("benchmarks.bench_losses")
    except ImportError:
        return None
    results = mod.main()
    if hasattr(mod, "format_results"):
        print(mod.format_results(results))
    return results


def run_accuracy(model: str, data: str | None, seed: int) -> dict:
    cmd = [sys.executable, "-m", "helpers.train", "--model", model, "--seed", str(seed), "--json", "--quiet"]
    if data:
        cmd += ["--data", data]
    print("$", " ".join(["python", *cmd[1:]]), flush=True)
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        print(proc.stdout + proc.stderr, file=sys.stderr)
        return {"model": model, "error": f"exit code {proc.returncode}", "wall_seconds": wall}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = round(wall, 1)
    return result


def summary(results: dict) -> str:
    rows = [("measure", "value", "target", "ok")]
    train = results.get("train")
    if train:
        rows.append(("float32 GEMM rate", f"{train['gemm_gflops']:.0f} GFLOP/s", "", ""))
        rows.append(("GEMM limit per epoch", f"{train['gemm_limit_seconds']:.3f} s", "", ""))
        rows.append(("NumPy epoch (H=100, B=200)", f"{train['numpy_seconds']:.3f} s", "", ""))
        floor = train["gemm_floor_vs_gemm_limit"]
        rows.append(("2 large products alone / GEMM limit", f"{floor:.2f}", "", ""))
        ratio = train["numpy_vs_gemm_limit"]
        rows.append(("NumPy / GEMM limit", f"{ratio:.2f}", "<= 1.25", "yes" if ratio <= 1.25 else "NO"))
        if train.get("torch_seconds") is not None:
            rows.append(("PyTorch epoch", f"{train['torch_seconds']:.3f} s", "", ""))
            ratio = train["numpy_vs_torch"]
            rows.append(("NumPy / PyTorch", f"{ratio:.2f}", "<= 1.0", "yes" if ratio <= 1.0 else "NO"))
        else:
            rows.append(("PyTorch epoch", "not installed", "", ""))
    losses = results.get("losses")
    if losses:
        for name, r in losses.get("losses", {}).items():
            rows.append(
                (
                    f"{name}: vectorized speedup",
                    f"{r['speedup']:.0f}x",
                    "> 1",
                    "yes" if r["speedup"] > 1 else "NO",
                )
            )
    for model, acc in results.get("accuracy", {}).items():
        if "error" in acc:
            rows.append((f"{model} test accuracy", acc["error"], "", "NO"))
            continue
        target = TARGETS.get(model)
        ok = target is None or acc["test_accuracy"] >= target
        limit = MAX_TRAIN_SECONDS.get(model)
        rows.append(
            (f"{model} test accuracy (seed {acc['seed']})", f"{100 * acc['test_accuracy']:.1f}%",
             f">= {100 * target:.0f}%" if target else "", "yes" if ok else "NO")
        )  # fmt: skip
        ok_time = limit is None or acc["train_seconds"] <= limit
        rows.append(
            (f"{model} training time", f"{acc['train_seconds']:.1f} s", f"<= {limit:.0f} s" if limit else "",
             ("yes" if ok_time else "NO") if limit else "")
        )  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    p.add_argument("--no-accuracy", action="store_true", help="skip the full CIFAR-10 training runs")
    p.add_argument("--no-torch", action="store_true", help="NumPy only in the throughput benchmark")
    p.add_argument("--repeats", type=int, default=3, help="epochs per implementation in bench_train")
    p.add_argument("--data", help="CIFAR-10 location (default: $NN_BASICS_CIFAR10)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", metavar="PATH", help="also write all results to PATH")
    args = p.parse_args(argv)

    from benchmarks import bench_train

    results: dict = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    print("== losses")
    results["losses"] = run_losses()
    print("\n== training throughput")
    results["train"] = bench_train.run(args.repeats, with_torch=not args.no_torch)
    print(bench_train.report(results["train"]))
    data = args.data or os.environ.get("NN_BASICS_CIFAR10", "").strip() or None
    results["accuracy"] = {}
    if args.no_accuracy:
        print("\n== accuracy: skipped (--no-accuracy)")
    elif data is None:
        print("\n== accuracy: skipped (set NN_BASICS_CIFAR10 to the full CIFAR-10 archive, or pass --data)")
    else:
        print("\n== accuracy on the full CIFAR-10")
        for model in ("two_layer", "softmax"):
            results["accuracy"][model] = run_accuracy(model, data if args.data else None, args.seed)
    print("\n== summary\n" + summary(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
