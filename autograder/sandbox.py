"""Run one prepared notebook in a bubblewrap sandbox and collect its outputs.

Each (student, notebook) gets a fresh sandbox (``bwrap``, Debian package ``bubblewrap``):

* new network namespace (only a private loopback: no network), new pid/ipc/uts namespaces,
  ``--die-with-parent`` and ``--new-session``;
* a filesystem built from a whitelist, all read-only: /usr (+ the /bin, /lib symlinks), /etc, the
  Python installation, the virtualenv, the project's ``helpers`` and ``autograder`` packages and
  ``data/``. source/, release/, the gradebook, the submissions and OUT simply do not exist inside;
* a size-limited tmpfs at /tmp, the only writable place (the kernel's working folder /tmp/work);
* the grading worker (autograder.worker) keeps only CAP_SETUID/SETGID/KILL; the kernel it starts
  (autograder.kernel) runs as ``nobody`` with no capabilities, ``no_new_privs`` and rlimits
  (address space, CPU seconds, processes, file size).

The notebook reaches the worker on stdin and results come back on its private stdout, so no file
holding the hidden tests is ever written where the kernel could read it. The parent also enforces a
wall-clock cap on the whole sandbox.
"""

from __future__ import annotations

import atexit
import functools
import importlib.util
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

KERNEL_USER = "nobody"


@dataclass
class Limits:
    timeout: int = 60  # seconds per cell
    memory_mb: int = 2048  # address space of the kernel process
    output_limit: int = 200_000  # characters of printed text kept per cell
    rich_limit: int = 5_000_000  # characters of rich output (images, HTML) kept per cell
    grace: int = 10  # seconds an interrupted kernel gets to answer before it is declared stuck
    nproc: int = 256
    fsize_mb: int = 64
    tmp_mb: int = 256  # size of the writable tmpfs
    threads: int = 1  # BLAS threads in the kernel
    wall_seconds: int | None = None  # cap for the whole notebook (default: derived from timeout)


@dataclass
class Execution:
    """Outputs of one sandboxed run, keyed by cell index of the prepared notebook."""

    outputs: dict[int, dict] = field(default_factory=dict)
    status: str = "done"  # done | dead | unresponsive | killed | error
    stopped_at: int | None = None  # first cell index whose result is missing
    message: str = ""
    seconds: float = 0.0


def sandbox_available(limits: Limits | None = None) -> str | None:
    """None if sandboxed grading can run here, else the reason it cannot (tries an empty sandbox)."""
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed (apt-get install bubblewrap)"
    cmd = bwrap_command(limits or Limits(), readonly_paths())
    cmd = cmd[: cmd.index("--") + 1] + [sys.executable, "-I", "-c", "import autograder.worker"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"bubblewrap cannot start a sandbox: {err}"
    if proc.returncode != 0:
        return f"bubblewrap cannot start a sandbox (exit {proc.returncode}): {proc.stderr.strip()[-500:]}"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(KERNEL_USER)
        except KeyError:
            return f"the unprivileged user {KERNEL_USER!r} does not exist"
    return None


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]).resolve()


def readonly_paths(extra: list[Path] | None = None) -> list[Path]:
    """What the sandbox may see (read-only), besides /usr and /etc."""
    paths = [Path(sys.base_prefix).resolve(), Path(sys.prefix)]
    for name in ("helpers", "autograder"):
        d = _package_dir(name)
        if d is not None:
            paths.append(d)
            if (d.parent / "data").is_dir():
                paths.append(d.parent / "data")
    for p in extra or []:
        paths.append(Path(p))
    out: list[Path] = []
    usr = Path("/usr")
    for p in sorted({Path(os.path.abspath(p)) for p in paths}, key=lambda p: len(p.parts)):
        if not p.exists() or p == usr or usr in p.parents or any(q in p.parents for q in out):
            continue
        out.append(p)
    return out


_FONT_LOCK = threading.Lock()


def font_cache() -> Path | None:
    """matplotlib's font list, built once per grading process, or None if that cannot be done.

    Every sandbox starts with an empty MPLCONFIGDIR, where matplotlib would rebuild this list on
    import (about 0.4 s of CPU per notebook). It is built here in a private folder, with an empty
    HOME so it lists only fonts the sandbox can see too, and bound read-only into each sandbox.
    Thread-safe: concurrent callers wait for the one build.
    """
    with _FONT_LOCK:
        return _build_font_cache()


@functools.cache
def _build_font_cache() -> Path | None:
    folder = Path(tempfile.mkdtemp(prefix="autograder-fonts-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    env = {"MPLCONFIGDIR": str(folder), "HOME": str(folder), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    code = "import matplotlib.font_manager as fm; print(f'fontlist-v{fm.FontManager.__version__}.json')"
    try:
        proc = subprocess.run(
            [sys.executable, "-I", "-c", code], env=env, capture_output=True, text=True, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    path = folder / proc.stdout.strip()
    return path if proc.returncode == 0 and path.is_file() else None


def bwrap_command(
    limits: Limits,
    ro: list[Path],
    files: dict[str, Path] | None = None,
    fontlist: Path | None = None,
    *,
    module: str = "autograder.worker",
    binds: dict[Path, Path] | None = None,
    args: list[str] | None = None,
) -> list[str]:
    """bwrap argv running ``python -m module`` (the grading worker, or the evaluator) in a sandbox.

    ``binds`` maps a host folder to the path where the sandbox sees it instead of what ``ro`` shows
    there (the student's sandbox sees a stripped copy of ``helpers`` at the library's own path).
    """
    root = os.geteuid() == 0
    cmd = ["bwrap", "--die-with-parent", "--new-session"]
    cmd += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    if root:
        cmd += ["--cap-drop", "ALL"]
        for capname in ("CAP_SETUID", "CAP_SETGID", "CAP_KILL"):
            cmd += ["--cap-add", capname]
    else:
        cmd += ["--unshare-user"]
    cmd += ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for top in ("bin", "lib", "lib64", "sbin", "lib32", "libx32"):
        host = Path("/") / top
        if host.is_symlink():
            cmd += ["--symlink", os.readlink(host), f"/{top}"]
        elif host.is_dir():
            cmd += ["--ro-bind", str(host), f"/{top}"]
    # The writable tmpfs first: read-only binds below /tmp (a project cloned under /tmp, as CI may do)
    # must be mounted on top of it, not hidden by it.
    cmd += ["--proc", "/proc", "--dev", "/dev"]
    cmd += ["--size", str(limits.tmp_mb * 1024 * 1024), "--perms", "1777", "--tmpfs", "/tmp"]
    made: set[Path] = {Path("/tmp")}
    if fontlist is not None:  # the kernel's MPLCONFIGDIR stays writable; only the list is read-only
        cmd += ["--perms", "1777", "--dir", "/tmp/home", "--perms", "1777", "--dir", "/tmp/home/.matplotlib"]
        cmd += ["--ro-bind", str(fontlist), f"/tmp/home/.matplotlib/{fontlist.name}"]
    for p in ro:
        for parent in reversed(p.parents):
            if parent != Path("/") and parent not in made and not str(parent).startswith("/usr"):
                made.add(parent)
                cmd += ["--perms", "0755", "--dir", str(parent)]
        cmd += ["--ro-bind", str(p), str(p)]
    for host, inside in (binds or {}).items():
        cmd += ["--ro-bind", str(host), str(inside)]
    cmd += ["--perms", "1777", "--dir", "/tmp/work"]
    for rel, host in (files or {}).items():
        cmd += ["--ro-bind", str(host), f"/tmp/work/{rel}"]
    cmd += ["--chdir", "/", "--clearenv"]
    for key, value in _worker_env().items():
        cmd += ["--setenv", key, value]
    cmd += ["--", sys.executable, "-I", "-m", module, *(args or [])]
    return cmd


def _worker_env() -> dict[str, str]:
    return {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp/worker",
        "JUPYTER_RUNTIME_DIR": "/tmp/runtime",
        "JUPYTER_DATA_DIR": "/tmp/worker/data",
        "JUPYTER_CONFIG_DIR": "/tmp/worker/config",
        "JUPYTER_PLATFORM_DIRS": "1",
        "LANG": "C.UTF-8",
    }


def kernel_settings(limits: Limits, env_extra: dict[str, str] | None = None) -> dict:
    threads = str(limits.threads)
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp/home",
        "MPLCONFIGDIR": "/tmp/home/.matplotlib",
        "IPYTHONDIR": "/tmp/home/.ipython",
        "JUPYTER_CONFIG_DIR": "/tmp/home/.jupyter",
        "JUPYTER_DATA_DIR": "/tmp/home/.local/share/jupyter",
        "JUPYTER_RUNTIME_DIR": "/tmp/home/.runtime",
        "JUPYTER_PLATFORM_DIRS": "1",
        "XDG_CACHE_HOME": "/tmp/home/.cache",
        "XDG_CONFIG_HOME": "/tmp/home/.config",
        "NBGRADER_EXECUTION": "autograde",
        "OPENBLAS_NUM_THREADS": threads,
        "OMP_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "LANG": "C.UTF-8",
    }
    env.update(env_extra or {})
    settings = {
        "memory_mb": limits.memory_mb,
        "cpu_seconds": (limits.wall_seconds or 600) + 30,
        "nproc": limits.nproc,
        "fsize_mb": limits.fsize_mb,
        "cwd": "/tmp/work",
        "env": env,
    }
    if os.geteuid() == 0:
        user = pwd.getpwnam(KERNEL_USER)
        settings.update(uid=user.pw_uid, gid=user.pw_gid)
    return settings


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

    ``pass_fds`` and ``job_extra`` connect the worker to the evaluator (autograder.trusted);
    ``binds`` replace folders in the sandbox (see :func:`bwrap_command`).
    """
    n_code = sum(1 for c in nb.cells if c.cell_type == "code")
    wall = limits.wall_seconds or min(60 + n_code * limits.timeout, 1800)
    job = {
        "notebook": nb,
        "timeout": limits.timeout,
        "grace": limits.grace,
        "output_limit": limits.output_limit,
        "rich_limit": limits.rich_limit,
        "startup_timeout": 60,
        "kernel": kernel_settings(Limits(**{**limits.__dict__, "wall_seconds": wall}), env_extra),
        **(job_extra or {}),
    }
    cmd = bwrap_command(limits, readonly_paths(extra_ro), files, fontlist=font_cache(), binds=binds)
    result = Execution()
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
    stderr_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: stderr_chunks.append(proc.stderr.read()[-20000:]), daemon=True)
    reader.start()
    try:
        try:
            proc.stdin.write(json.dumps(job).encode())
            proc.stdin.close()
        except BrokenPipeError:
            pass
        final = None
        for line in proc.stdout:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if msg.get("type") == "cell":
                result.outputs[msg["index"]] = msg
            else:
                final = msg
                if msg.get("outputs") is not None and msg.get("index") is not None:
                    result.outputs[msg["index"]] = {**msg, "partial": True}
        proc.wait()
    finally:
        timer.cancel()
        reader.join(timeout=5)
    result.seconds = time.monotonic() - started
    err = b"".join(stderr_chunks).decode(errors="replace")
    done = {i for i, m in result.outputs.items() if not m.get("partial")}
    pending = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and i not in done]
    result.stopped_at = pending[0] if pending else None
    if final is None or final.get("type") not in ("done", "dead", "unresponsive", "error"):
        result.status = "killed" if killed.is_set() else "error"
        if killed.is_set():
            result.message = f"the notebook did not finish within {wall} s and was stopped"
        else:
            result.message = f"grading sandbox failed (exit {proc.returncode}): {err.strip()[-500:]}"
    else:
        result.status = final["type"]
        if final["type"] == "error":
            result.message = final.get("message", "")
            if err.strip():
                result.message += f" | {err.strip()[-500:]}"
    return result


def apply(nb, execution: Execution):
    """Copy the collected outputs into a copy of ``nb``."""
    out = nbformat.from_dict(nb)
    for index, msg in execution.outputs.items():
        cell = out.cells[index]
        cell.outputs = [nbformat.from_dict(o) for o in msg.get("outputs", [])]
        cell.execution_count = msg.get("execution_count")
    return out
