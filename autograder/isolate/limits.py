"""What a sandbox may use: the ``Limits`` of a grading run, and the settings its kernel starts with.

``kernel_settings`` is what autograder.inside.kernel applies before the student's code runs (rlimits,
an environment of its own under /tmp, the uid it runs as).
"""

from __future__ import annotations

import os
import pwd
import sys
from dataclasses import dataclass
from pathlib import Path

KERNEL_USER = "nobody"  # only where no uid of UID_RANGE is free (a message says so)
WORKER_MB = 256  # the cgroup's memory beyond --memory: bwrap and the grading worker


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
