"""A cgroup of its own for each sandbox: the layout this machine offers, and ``Confinement``."""

from __future__ import annotations

import errno
import functools
import itertools
import os
import pwd
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .limits import KERNEL_USER, WORKER_MB, Limits
from .uids import UID_RANGE, UIDS

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


def remove_stale(layout: CgroupLayout | str | None = None, wait: float = 10) -> list[Path]:
    """Remove the empty ``autograder-<pid>-*`` cgroups of worker processes that died (SIGKILL) here.

    A worker that starts calls it (``cluster.WorkerCheck``): only folders whose pid is no longer
    alive in this pid namespace, and only empty ones (the kernel refuses to remove a cgroup that
    holds a process); a sandbox of a worker killed moments ago is given ``wait`` seconds to die.
    Returns the folders removed.
    """
    layout = cgroups() if layout is None else layout
    if isinstance(layout, str):
        return []
    removed = []
    for base in layout.bases.values():
        for group in sorted(base.glob("autograder-*-*")):
            pid = group.name.split("-")[1]
            if not pid.isdigit() or _alive(int(pid)):
                continue
            _wait_empty(group, wait)
            try:
                group.rmdir()
                removed.append(group)
            except OSError:  # still busy, or not ours to remove: left as it is
                pass
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
            got = UIDS.acquire()
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
