"""autograder.inside.kernel: resource limits and the drop to an unprivileged user (in a child process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SCRIPT = """
import json, os, resource, sys
from autograder.inside.kernel import apply_limits, drop_privileges
apply_limits({"memory_mb": 700, "cpu_seconds": 50, "nproc": 64, "fsize_mb": 3})
if len(sys.argv) > 1:
    drop_privileges(65534, 65534)
status = open("/proc/self/status").read()
print(json.dumps({
    "as": resource.getrlimit(resource.RLIMIT_AS), "cpu": resource.getrlimit(resource.RLIMIT_CPU),
    "nproc": resource.getrlimit(resource.RLIMIT_NPROC), "fsize": resource.getrlimit(resource.RLIMIT_FSIZE),
    "core": resource.getrlimit(resource.RLIMIT_CORE), "uid": os.getuid(), "groups": os.getgroups(),
    "nnp": [l.split()[1] for l in status.splitlines() if l.startswith("NoNewPrivs")][0],
}))
"""


def run(*args):
    out = subprocess.run([sys.executable, "-c", SCRIPT, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_limits_are_applied_soft_and_hard():
    facts = run()
    assert facts["as"] == [700 * 2**20] * 2
    assert facts["cpu"] == [50, 50] and facts["nproc"] == [64, 64]
    assert facts["fsize"] == [3 * 2**20] * 2 and facts["core"] == [0, 0]


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can switch users")
def test_privileges_are_dropped_for_good():
    facts = run("drop")
    assert facts["uid"] == 65534 and facts["groups"] == [] and facts["nnp"] == "1"
