"""autograder.results.dblock: graders sharing a gradebook take turns for the phases that write it.

Two graders started together on one PostgreSQL database and on one SQLite file are graded for real
in tests/autograder/results/test_export.py; here, the lock itself.
"""

from __future__ import annotations

import threading
import time

from autograder.results.dblock import gradebook_lock


def _overlap(url: str) -> list[tuple[str, float]]:
    """Two threads each hold the lock for 0.3 s; the (event, time) log, in order."""
    log, ready = [], threading.Barrier(2)

    def hold(name):
        ready.wait()
        with gradebook_lock(url):
            log.append((f"{name} in", time.monotonic()))
            time.sleep(0.3)
            log.append((f"{name} out", time.monotonic()))

    threads = [threading.Thread(target=hold, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return log


def test_sqlite_file_lock_lets_one_writer_in_at_a_time(tmp_path):
    log = _overlap(f"sqlite:///{tmp_path / 'gb' / 'gradebook.db'}")
    events = [e for e, _ in log]
    assert [e.split()[1] for e in events] == ["in", "out", "in", "out"]  # never two inside
    assert events[0].split()[0] == events[1].split()[0]
    assert log[2][1] >= log[1][1]
    assert (tmp_path / "gb" / "gradebook.db.lock").exists()


def test_other_databases_are_not_locked():
    log = _overlap("sqlite:///:memory:")
    assert [e.split()[1] for e, _ in log][:2] == ["in", "in"]  # both inside at once
