"""Run one prepared notebook in a sandbox and collect its outputs; every read of them is bounded."""

from __future__ import annotations

import collections
import json
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import bwrap, sanitize
from .cgroups import Confinement
from .limits import WORKER_MB, Limits, kernel_settings

STDERR_TAIL = 20_000  # bytes of the sandbox's stderr kept (the rest is read and dropped)
RESULT_LINE_MAX = 64 * 1024 * 1024  # bytes of one result line from the worker (budgets keep it far below)


@dataclass
class Execution:
    """Outputs of one sandboxed run, keyed by cell index of the prepared notebook."""

    outputs: dict[int, dict] = field(default_factory=dict)
    status: str = "done"  # done | dead | unresponsive | killed | error
    stopped_at: int | None = None  # first cell index whose result is missing
    message: str = ""
    seconds: float = 0.0
    peak_mb: float | None = None  # peak memory of the whole sandbox (from its cgroup), if known
    oom_kills: int = 0  # processes the sandbox's cgroup memory cap killed


def run_notebook(
    nb,
    limits: Limits,
    *,
    files: dict[str, Path] | None = None,
    extra_ro: list[Path] | None = None,
    env_extra: dict[str, str] | None = None,
    pass_fds: tuple[int, ...] = (),
    job_extra: dict | None = None,
    binds: dict[Path, Path] | None = None,
) -> Execution:
    """Execute ``nb`` (already prepared) in a fresh sandbox.

    ``pass_fds`` and ``job_extra`` connect the worker to the evaluator (autograder.run.trusted);
    ``binds`` replace folders in the sandbox (see :func:`bwrap_command`).
    """
    n_code = sum(1 for c in nb.cells if c.cell_type == "code")
    wall = limits.wall_seconds or min(60 + n_code * limits.timeout, 1800)
    result = Execution()
    with Confinement(limits) as confined:
        job = {
            "notebook": nb,
            "timeout": limits.timeout,
            "grace": limits.grace,
            "output_limit": limits.output_limit,
            "rich_limit": limits.rich_limit,
            "notebook_limit": limits.notebook_limit,
            "startup_timeout": 60,
            "kernel": kernel_settings(
                Limits(**{**limits.__dict__, "wall_seconds": wall}), env_extra, confined.uid, confined.gid
            ),
            **(job_extra or {}),
        }
        cmd = confined.command(
            bwrap.bwrap_command(
                limits, bwrap.readonly_paths(extra_ro), files, fontlist=bwrap.font_cache(), binds=binds
            )
        )
        final, err, killed, returncode = _drive(cmd, job, wall, result, pass_fds)
    result.peak_mb, result.oom_kills = confined.peak_mb, confined.oom_kills
    done = {i for i, m in result.outputs.items() if not m.get("partial")}
    pending = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and i not in done]
    result.stopped_at = pending[0] if pending else None
    if final is None or final.get("type") not in ("done", "dead", "unresponsive", "error"):
        result.status = "killed" if killed else "error"
        if killed:
            result.message = f"the notebook did not finish within {wall} s and was stopped"
        else:
            result.message = f"grading sandbox failed (exit {returncode}): {err.strip()[-500:]}"
    else:
        result.status = final["type"]
        if final["type"] == "error":
            result.message = final.get("message", "")
            if err.strip():
                result.message += f" | {err.strip()[-500:]}"
    if result.oom_kills and result.status != "done":
        result.message = (
            result.message + " " if result.message else ""
        ) + f"(the sandbox reached its memory cap of {limits.memory_mb + WORKER_MB} MB for all its processes)"
    return result


def _drive(
    cmd: list[str], job: dict, wall: float, result: Execution, pass_fds: tuple[int, ...] = ()
) -> tuple[dict | None, str, bool, int]:
    """Start the sandbox, send the job, collect result lines; every read is bounded.

    ``pass_fds`` are handed to the sandbox and closed here once it holds them.

    Returns (final message, tail of stderr, killed at the wall-clock cap, exit status).
    """
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=pass_fds
        )
    finally:
        for fd in pass_fds:  # the sandbox holds them now
            os.close(fd)
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        proc.kill()

    timer = threading.Timer(wall, kill)
    timer.start()
    tail: collections.deque[bytes] = collections.deque()
    reader = threading.Thread(target=_keep_tail, args=(proc.stderr, tail, STDERR_TAIL), daemon=True)
    reader.start()
    final = None
    try:
        try:
            proc.stdin.write(json.dumps(job).encode())
            proc.stdin.close()
        except BrokenPipeError:
            pass
        for line in bounded_lines(proc.stdout, RESULT_LINE_MAX):
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if not isinstance(msg, dict):
                continue
            if isinstance(msg.get("outputs"), list):  # inert before anything else reads them
                msg["outputs"] = sanitize.clean_outputs(msg["outputs"])
            if msg.get("type") == "cell":
                result.outputs[msg["index"]] = msg
            else:
                final = msg
                if msg.get("outputs") is not None and msg.get("index") is not None:
                    result.outputs[msg["index"]] = {**msg, "partial": True}
        proc.wait()
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(timeout=5)
    result.seconds = time.monotonic() - started
    err = b"".join(tail)[-STDERR_TAIL:].decode(errors="replace")
    return final, err, killed.is_set(), proc.returncode


def _keep_tail(stream, tail: collections.deque, limit: int) -> None:
    """Read ``stream`` to its end in 64 KB chunks, keeping only its last ``limit`` bytes."""
    kept = 0
    while chunk := stream.read1(65536):
        tail.append(chunk)
        kept += len(chunk)
        while kept - len(tail[0]) >= limit:
            kept -= len(tail.popleft())


def bounded_lines(stream, limit: int):
    """Lines of ``stream``, each at most ``limit`` bytes (a longer line is skipped, not kept)."""
    while True:
        line = stream.readline(limit)
        if not line:
            return
        if line.endswith(b"\n"):
            yield line
            continue
        while line and not line.endswith(b"\n"):  # skip the rest of an over-long line
            line = stream.readline(limit)


def apply(nb, execution: Execution):
    """Copy the collected outputs into a copy of ``nb``."""
    import nbformat

    out = nbformat.from_dict(nb)
    for index, msg in execution.outputs.items():
        cell = out.cells[index]
        cell.outputs = [nbformat.from_dict(o) for o in msg.get("outputs", [])]
        cell.execution_count = msg.get("execution_count")
    return out
