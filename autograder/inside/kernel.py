"""Kernel launcher used inside the sandbox: limits, then drop to an unprivileged user, then ipykernel.

Started by jupyter_client from the grading kernel spec that autograder.inside.worker writes::

    python -I -m autograder.inside.kernel '<limits json>' <connection_file>

It makes the connection file readable for the kernel user, applies the resource limits
(address space = memory cap, CPU seconds, processes, file size, open files, no core dumps), switches
to the unprivileged uid/gid with no supplementary groups and ``no_new_privs`` (so nothing can regain
privileges), and replaces itself with ``python -m ipykernel_launcher -f <connection_file>``.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import sys

PR_SET_NO_NEW_PRIVS = 38


def apply_limits(limits: dict) -> None:
    def cap(which: int, value: int | None) -> None:
        if value is None:
            return
        soft, hard = resource.getrlimit(which)
        value = int(value)
        new_hard = value if hard == resource.RLIM_INFINITY else min(hard, value)
        resource.setrlimit(which, (min(value, new_hard), new_hard))

    mb = 1024 * 1024
    if limits.get("memory_mb"):
        cap(resource.RLIMIT_AS, limits["memory_mb"] * mb)
    if limits.get("cpu_seconds"):
        cap(resource.RLIMIT_CPU, limits["cpu_seconds"])
    if limits.get("nproc"):
        cap(resource.RLIMIT_NPROC, limits["nproc"])
    if limits.get("fsize_mb"):
        cap(resource.RLIMIT_FSIZE, limits["fsize_mb"] * mb)
    cap(resource.RLIMIT_NOFILE, limits.get("nofile", 1024))
    cap(resource.RLIMIT_CORE, 0)


def drop_privileges(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if os.getuid() != uid or os.geteuid() != uid:
        raise OSError("could not drop privileges")


def main(argv: list[str]) -> None:
    limits = json.loads(argv[0])
    connection_file = argv[1]
    uid, gid = limits.get("uid"), limits.get("gid")
    if uid is not None and os.geteuid() == 0:
        os.chmod(connection_file, 0o644)
        os.chmod(os.path.dirname(connection_file), 0o755)
    apply_limits(limits)
    if uid is not None and os.geteuid() == 0:
        drop_privileges(int(uid), int(gid))
    os.chdir(limits.get("cwd", "/tmp"))
    env = dict(limits.get("env", {}))
    args = [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file]
    args += ["--HistoryManager.hist_file=:memory:", "--HistoryManager.enabled=False"]
    os.execve(sys.executable, args, env)


if __name__ == "__main__":
    main(sys.argv[1:])
