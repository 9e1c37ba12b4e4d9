"""autograder.isolate.cgroups.remove_stale: the empty cgroups of killed worker processes, and only those.

On real cgroups where the machine has them (a group of a dead pid, one of a live pid, one of a dead
pid that still holds a process), else on plain folders standing in for them.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from autograder.isolate import cgroups


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_only_the_empty_groups_of_dead_processes_are_removed(tmp_path):
    layout = cgroups.CgroupLayout(2, {"unified": tmp_path})
    dead, alive = dead_pid(), subprocess.Popen(["sleep", "60"])
    try:
        stale = [tmp_path / f"autograder-{dead}-1", tmp_path / f"autograder-{dead}-7"]
        kept = [
            tmp_path / f"autograder-{alive.pid}-1",
            tmp_path / "autograder-worker-1",
            tmp_path / "other-1-2",
        ]
        for folder in stale + kept:
            folder.mkdir()
        (kept[0] / "x").mkdir()
        assert cgroups.remove_stale(layout) == stale
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in kept)
    finally:
        alive.kill()
        alive.wait()


def test_a_real_group_still_holding_a_process_is_left_alone():
    layout = cgroups.cgroups()
    if isinstance(layout, str):
        pytest.skip(f"no cgroups here: {layout}")
    (base,) = list(layout.bases.values())[:1]
    dead = dead_pid()
    empty, busy = base / f"autograder-{dead}-1", base / f"autograder-{dead}-2"
    empty.mkdir()
    busy.mkdir()
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        (busy / "cgroup.procs").write_text(str(sleeper.pid))
        removed = cgroups.remove_stale(layout, wait=0.2)  # other killed workers' groups may go too
        assert empty in removed and busy not in removed
        assert busy.is_dir() and not empty.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
        deadline = time.monotonic() + 10
        while busy.exists() and time.monotonic() < deadline:
            try:
                busy.rmdir()
            except OSError:
                time.sleep(0.05)
