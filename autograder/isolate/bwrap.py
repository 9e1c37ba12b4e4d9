"""The bubblewrap command of a sandbox: its read-only file system, its tmpfs, its namespaces."""

from __future__ import annotations

import atexit
import functools
import importlib.util
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from .limits import KERNEL_USER, Limits


def sandbox_available(limits: Limits | None = None) -> str | None:
    """None if sandboxed grading can run here, else the reason it cannot (tries an empty sandbox)."""
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed (apt-get install bubblewrap)"
    cmd = bwrap_command(limits or Limits(), readonly_paths())
    cmd = cmd[: cmd.index("--") + 1] + [sys.executable, "-I", "-c", "import autograder.inside.worker"]
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


def package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]).resolve()


def readonly_paths(extra: list[Path] | None = None) -> list[Path]:
    """What the sandbox may see (read-only), besides /usr and /etc."""
    paths = [Path(sys.base_prefix).resolve(), Path(sys.prefix)]
    for name in ("helpers", "autograder"):
        d = package_dir(name)
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
    module: str = "autograder.inside.worker",
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
