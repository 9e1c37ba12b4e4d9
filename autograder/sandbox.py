"""Run one prepared notebook in a bubblewrap sandbox and collect its outputs.

Each (student, notebook) gets a fresh sandbox (``bwrap``, Debian package ``bubblewrap``):

* new network namespace (only a private loopback: no network), new pid/ipc/uts namespaces,
  ``--die-with-parent`` and ``--new-session``;
* a filesystem built from a whitelist, all read-only: /usr (+ the /bin, /lib symlinks), /etc, the
  Python installation, the virtualenv, the project's ``helpers`` and ``autograder`` packages and
  ``data/``. source/, release/, the gradebook, the submissions and OUT simply do not exist inside;
* a size-limited tmpfs at /tmp, the only writable place (the kernel's working folder /tmp/work);
* the grading worker (autograder.worker) keeps only CAP_SETUID/SETGID/KILL; the kernel it starts
  (autograder.kernel) runs as a uid of its own (one of ``UID_RANGE``, never shared by two sandboxes
  at once) with no capabilities, ``no_new_privs`` and rlimits (address space, CPU seconds,
  processes, file size);
* the whole sandbox (bwrap, worker, kernel and anything they fork) runs in a cgroup of its own
  (``Confinement``): memory of the whole process tree, a process count and a CPU weight, killed as a
  whole at the end. cgroup v2 when the machine delegates its controllers, else the v1 ``memory``,
  ``pids`` and ``cpu`` hierarchies; where neither can be used, ``cgroup_layout`` says why and
  grading goes on with per-process limits only (``isolation_notice`` says what that means).

The notebook reaches the worker on stdin and results come back on its private stdout, so no file
holding the hidden tests is ever written where the kernel could read it. The parent also enforces a
wall-clock cap on the whole sandbox.
"""

from __future__ import annotations

import atexit
import collections
import errno
import fcntl
import functools
import importlib.util
import itertools
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import sanitize

KERNEL_USER = "nobody"  # only where no uid of UID_RANGE is free (a message says so)
# One uid per sandbox running at once, none of them in /etc/passwd: a kernel cannot signal, ptrace or
# share an RLIMIT_NPROC count with another student's kernel. Far above the distributions' ranges
# (system < 1000, users < 60000, nobody 65534) and the usual /etc/subuid blocks (100000 + 65536 n).
UID_RANGE = range(1_900_000, 1_901_000)
WORKER_MB = 256  # the cgroup's memory beyond --memory: bwrap and the grading worker
STDERR_TAIL = 20_000  # bytes of the sandbox's stderr kept (the rest is read and dropped)
RESULT_LINE_MAX = 64 * 1024 * 1024  # bytes of one result line from the worker (budgets keep it far below)


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
    notebook_limit: int = (
        10_000_000  # characters of output (text and rich) kept per notebook (10x 08_cifar10)
    )
    cpu_weight: int = 100  # cgroup v2 cpu.weight of each sandbox (v1: cpu.shares 1024), the default


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


# ---- per-sandbox resources: a uid of its own and a cgroup of its own --------------------------------

CONTROLLERS = ("memory", "pids", "cpu")


@dataclass(frozen=True)
class CgroupLayout:
    """Where this process may create sandbox cgroups: v2 (one folder) or v1 (one per controller)."""

    version: int
    bases: dict[str, Path]  # v2: {"unified": folder}; v1: {"memory": folder, "pids": ..., "cpu": ...}


def _mounts(text: str) -> list[tuple[str, str, set[str]]]:
    """(mount point, file system type, options) of /proc/self/mounts."""
    out = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 4:
            point = fields[1].replace("\\040", " ")
            out.append((point, fields[2], set(fields[3].split(","))))
    return out


def _own_groups(text: str) -> dict[str, str]:
    """Controller (v1) or "" (v2) -> this process's cgroup path, from /proc/self/cgroup."""
    groups = {}
    for line in text.splitlines():
        _, controllers, path = line.split(":", 2)
        for name in controllers.split(",") if controllers else [""]:
            groups[name] = path
    return groups


def cgroup_layout(
    mounts: str | None = None, self_cgroup: str | None = None, euid: int | None = None
) -> CgroupLayout | str:
    """The cgroup layout sandboxes can use here, or the reason none can (arguments fake a machine)."""
    mounts = Path("/proc/self/mounts").read_text() if mounts is None else mounts
    self_cgroup = Path("/proc/self/cgroup").read_text() if self_cgroup is None else self_cgroup
    euid = os.geteuid() if euid is None else euid
    if euid != 0:
        return "the grader does not run as root, so it cannot create cgroups"
    table, own = _mounts(mounts), _own_groups(self_cgroup)
    reasons = []
    for point, fstype, _ in table:
        if fstype != "cgroup2" or "" not in own:
            continue
        base = Path(point) / own[""].lstrip("/")
        try:
            available = set((base / "cgroup.controllers").read_text().split())
            enabled = set((base / "cgroup.subtree_control").read_text().split())
        except OSError as err:
            reasons.append(f"cgroup v2 at {point}: {err.strerror}")
            continue
        missing = [c for c in CONTROLLERS if c not in available]
        if missing:
            reasons.append(f"cgroup v2 at {point} has no {', '.join(missing)} controller")
            continue
        if not set(CONTROLLERS) <= enabled:
            try:
                (base / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in CONTROLLERS))
            except OSError as err:
                reasons.append(
                    f"cgroup v2 at {base}: cannot enable {', '.join(CONTROLLERS)} ({err.strerror})"
                )
                continue
        return CgroupLayout(2, {"unified": base})
    bases, missing = {}, []
    for name in CONTROLLERS:
        point = next((p for p, fstype, opts in table if fstype == "cgroup" and name in opts), None)
        if point is None or name not in own:
            missing.append(name)
            continue
        base = Path(point) / own[name].lstrip("/")
        if not (base / "cgroup.procs").is_file() or not os.access(base, os.W_OK):
            missing.append(f"{name} (not writable)")
            continue
        bases[name] = base
    if not missing:
        return CgroupLayout(1, bases)
    reasons.append(f"cgroup v1 lacks {', '.join(missing)}")
    return "; ".join(reasons) or "no cgroup file system is mounted"


@functools.cache
def cgroups() -> CgroupLayout | str:
    """This machine's layout (or the reason there is none), found once per grading process."""
    return cgroup_layout()


def isolation_notice(layout: CgroupLayout | str | None = None) -> str | None:
    """None when each sandbox gets its own cgroup, else a plain statement of what is missing."""
    layout = cgroups() if layout is None else layout
    if isinstance(layout, CgroupLayout):
        return None
    return (
        f"no per-sandbox cgroups ({layout}). Grading goes on, but --memory then limits each process "
        "of a submission separately (one that forks can use that much per child), the process cap "
        "counts per uid instead of per sandbox, CPU is not shared fairly between sandboxes, and a "
        "process that escapes its sandbox's process tree is not killed at the end. Run the grader "
        "as root on a machine with the cgroup v1 memory, pids and cpu hierarchies or cgroup v2 "
        "with those controllers delegated."
    )


def isolation_report(layout: CgroupLayout | str | None = None) -> dict:
    """What separates the sandboxes on this machine (report.json's ``isolation``)."""
    layout = cgroups() if layout is None else layout
    if isinstance(layout, CgroupLayout):
        kind = f"v{layout.version}: " + ", ".join(f"{k} {v}" for k, v in layout.bases.items())
    else:
        kind = f"none ({layout})"
    uids = (
        f"one of {UID_RANGE.start}-{UID_RANGE.stop - 1} per sandbox"
        if os.geteuid() == 0
        else "the grader's own"
    )
    return {"cgroups": kind, "kernel_uid": uids}


class _UidPool:
    """Hands out uids of UID_RANGE, one per live sandbox, across every grader on this machine.

    A uid is taken by locking ``<tmp>/autograder-uids/<uid>`` (flock, released when the sandbox ends
    or the grader dies) and only if no account and no running process uses it.
    """

    def __init__(self, uids: range = UID_RANGE):
        self.uids = uids
        self.folder = Path(tempfile.gettempdir()) / "autograder-uids"
        self.next = 0
        self.lock = threading.Lock()

    def _in_use(self, uid: int) -> bool:
        try:
            pwd.getpwuid(uid)
            return True
        except KeyError:
            pass
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    if entry.stat().st_uid == uid:
                        return True
                except OSError:
                    pass
        return False

    def acquire(self) -> tuple[int, int] | None:
        """(uid, lock fd), or None when every uid of the range is taken."""
        self.folder.mkdir(mode=0o700, exist_ok=True)
        st = os.lstat(self.folder)
        if not os.path.isdir(self.folder) or os.path.islink(self.folder) or st.st_uid != os.geteuid():
            return None
        with self.lock:
            for step in range(len(self.uids)):
                uid = self.uids[(self.next + step) % len(self.uids)]
                fd = os.open(self.folder / str(uid), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    os.close(fd)
                    continue
                if self._in_use(uid):
                    os.close(fd)
                    continue
                self.next = (self.next + step + 1) % len(self.uids)
                return uid, fd
        return None


_UIDS = _UidPool()
_GROUP_COUNT = itertools.count(1)
_GROUP_LOCK = threading.Lock()


class Confinement:
    """One sandbox's own uid and cgroup: the API every sandboxed process (kernel, evaluator) uses.

    ``with Confinement(limits) as c:`` allocates them; ``c.command(cmd)`` wraps a command so that it
    starts inside the cgroup (before it can fork); ``c.uid``/``c.gid`` are what the sandboxed code
    runs as; on exit every process of the cgroup is killed, the peak memory is kept in
    ``c.peak_mb`` and ``c.oom_kills``, and the uid is released.
    """

    def __init__(self, limits: Limits, layout: CgroupLayout | str | None = None):
        self.limits = limits
        self.layout = cgroups() if layout is None else layout
        self.groups: dict[str, Path] = {}
        self.uid = self.gid = None
        self._uid_fd = None
        self.peak_mb: float | None = None
        self.oom_kills = 0

    def __enter__(self) -> Confinement:
        if os.geteuid() == 0:
            got = _UIDS.acquire()
            if got is not None:
                self.uid, self._uid_fd = got
                self.gid = self.uid
            else:  # the whole range busy (a thousand sandboxes at once): the old shared user
                user = pwd.getpwnam(KERNEL_USER)
                self.uid, self.gid = user.pw_uid, user.pw_gid
        if isinstance(self.layout, CgroupLayout):
            try:
                self._create()
            except OSError:
                self.__exit__(None, None, None)  # removes what was made, releases the uid
                raise
        return self

    def _create(self) -> None:
        with _GROUP_LOCK:
            name = f"autograder-{os.getpid()}-{next(_GROUP_COUNT)}"
        memory = (self.limits.memory_mb + WORKER_MB) * 1024 * 1024
        for key, base in self.layout.bases.items():
            group = base / name
            group.mkdir()
            self.groups[key] = group
        if self.layout.version == 2:
            g = self.groups["unified"]
            (g / "memory.max").write_text(str(memory))
            _write_if_present(g / "memory.swap.max", "0")
            (g / "pids.max").write_text(str(self.limits.nproc))
            (g / "cpu.weight").write_text(str(self.limits.cpu_weight))
        else:
            (self.groups["memory"] / "memory.limit_in_bytes").write_text(str(memory))
            _write_if_present(self.groups["memory"] / "memory.memsw.limit_in_bytes", str(memory))
            (self.groups["pids"] / "pids.max").write_text(str(self.limits.nproc))
            (self.groups["cpu"] / "cpu.shares").write_text(str(self.limits.cpu_weight * 1024 // 100))

    def command(self, cmd: list[str]) -> list[str]:
        """``cmd`` started through a shell that first moves itself into every cgroup of this sandbox."""
        if not self.groups:
            return cmd
        procs = [str(g / "cgroup.procs") for g in self.groups.values()]
        script = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; exec "$@"'
        return ["/bin/sh", "-c", script, "sh", str(len(procs)), *procs, *cmd]

    def kill(self) -> None:
        """SIGKILL every process of the cgroup, new forks included (stops when it is empty)."""
        if not self.groups:
            return
        if self.layout.version == 2:
            g = self.groups["unified"]
            if _write_if_present(g / "cgroup.kill", "1"):
                _wait_empty(g)
                return
            _write_if_present(g / "pids.max", "0")
        else:
            _write_if_present(self.groups["pids"] / "pids.max", "0")  # no new process from here on
        group = self.groups.get("pids", self.groups.get("unified"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            pids = _read_pids(group)
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.02)

    def _measure(self) -> None:
        g = self.groups.get("memory", self.groups.get("unified"))
        if g is None:
            return
        peak = _read_int(g / ("memory.peak" if self.layout.version == 2 else "memory.max_usage_in_bytes"))
        self.peak_mb = None if peak is None else round(peak / 2**20, 1)
        events = g / ("memory.events" if self.layout.version == 2 else "memory.oom_control")
        try:
            for line in events.read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    self.oom_kills = int(value)
        except (OSError, ValueError):
            pass

    def _remove(self) -> None:
        for group in self.groups.values():
            for _ in range(100):
                try:
                    group.rmdir()
                    break
                except OSError as err:
                    if err.errno != errno.EBUSY:  # only exiting processes are worth waiting for
                        break
                    time.sleep(0.05)
        self.groups = {}

    def __exit__(self, *exc) -> None:
        try:
            self.kill()
            self._measure()
            self._remove()
        finally:
            if self._uid_fd is not None:
                os.close(self._uid_fd)
                self._uid_fd = None


def _write_if_present(path: Path, value: str) -> bool:
    try:
        path.write_text(value)
        return True
    except OSError:
        return False


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _read_pids(group: Path) -> list[int]:
    try:
        return [int(x) for x in (group / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return []


def _wait_empty(group: Path, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while _read_pids(group) and time.monotonic() < deadline:
        time.sleep(0.02)


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


def kernel_settings(
    limits: Limits, env_extra: dict[str, str] | None = None, uid: int | None = None, gid: int | None = None
) -> dict:
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
        if uid is None:
            user = pwd.getpwnam(KERNEL_USER)
            uid, gid = user.pw_uid, user.pw_gid
        settings.update(uid=uid, gid=gid)
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
            bwrap_command(limits, readonly_paths(extra_ro), files, fontlist=font_cache(), binds=binds)
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
        for line in _bounded_lines(proc.stdout, RESULT_LINE_MAX):
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


def _bounded_lines(stream, limit: int):
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
