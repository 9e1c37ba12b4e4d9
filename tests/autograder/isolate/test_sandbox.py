"""autograder.isolate (limits, uids, cgroups, bwrap, driver): what student code can and cannot do inside the grading sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest

from autograder.isolate import bwrap, cgroups, driver
from autograder.isolate.limits import WORKER_MB, Limits
from autograder.isolate.uids import UID_RANGE
from tests.autograder.support import IN_CI, need_sandbox

ROOT = Path(__file__).resolve().parents[3]

PROBE = r"""
import json, os, resource, socket
facts = {"uid": os.getuid(), "euid": os.geteuid(), "cwd": os.getcwd()}
facts["caps"] = [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0]
facts["nnp"] = [l.split()[1] for l in open("/proc/self/status") if l.startswith("NoNewPrivs")][0]
facts["as_mb"] = resource.getrlimit(resource.RLIMIT_AS)[0] // 2**20
facts["project"] = sorted(os.listdir(PROJECT)) if os.path.isdir(PROJECT) else None
facts["env"] = os.environ.get("NBGRADER_EXECUTION")
for name, path in [("gradebook", PROJECT + "/gradebook.db"), ("source", PROJECT + "/source"),
                   ("release", PROJECT + "/release"), ("root_home", "/root/.bashrc")]:
    facts[name] = os.path.exists(path)
for name, path in [("write_project", PROJECT + "/x.txt"), ("write_usr", "/usr/x.txt"), ("write_etc", "/etc/x")]:
    try:
        open(path, "w").write("x"); facts[name] = "written"
    except OSError as err:
        facts[name] = type(err).__name__
open("/tmp/work/mine.txt", "w").write("ok")
facts["scratch"] = open("/tmp/work/mine.txt").read()
try:
    socket.create_connection(("127.0.0.1", 5432), timeout=1); facts["net"] = "connected"
except OSError as err:
    facts["net"] = type(err).__name__
try:
    socket.getaddrinfo("pypi.org", 443); facts["dns"] = "resolved"
except OSError as err:
    facts["dns"] = type(err).__name__
print(json.dumps(facts))
"""


def run(cells, **limits):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    return driver.run_notebook(nb, Limits(**{"timeout": 10, "grace": 2, **limits}))


def test_command_isolates_network_pids_and_the_filesystem():
    cmd = bwrap.bwrap_command(Limits(), bwrap.readonly_paths())
    for flag in ("--unshare-net", "--unshare-pid", "--die-with-parent", "--new-session", "--clearenv"):
        assert flag in cmd
    bound = {cmd[i + 2] for i, a in enumerate(cmd) if a == "--ro-bind"}
    assert str(ROOT / "helpers") in bound
    for secret in ("source", "release", "gradebook.db", "submitted", "autograded", "feedback"):
        assert str(ROOT / secret) not in bound
    assert "/" not in bound  # a whitelist, never the whole filesystem


def test_kernel_runs_unprivileged_read_only_offline_with_limits():
    need_sandbox()
    ex = run([f"PROJECT = {str(ROOT)!r}", PROBE], memory_mb=1536)
    assert ex.status == "done", ex.message
    text = "".join(o.get("text", "") for o in ex.outputs[1]["outputs"])
    facts = json.loads(text.strip().splitlines()[-1])
    if os.geteuid() == 0:
        assert facts["uid"] == facts["euid"] and facts["uid"] in UID_RANGE
    assert facts["caps"] == "0000000000000000" and facts["nnp"] == "1"
    assert facts["as_mb"] == 1536
    assert facts["env"] == "autograde"
    assert set(facts["project"]) <= {".venv", "helpers", "autograder", "data"}
    assert not any(facts[k] for k in ("gradebook", "source", "release", "root_home"))
    assert all(facts[k] != "written" for k in ("write_project", "write_usr", "write_etc"))
    assert facts["scratch"] == "ok"
    assert facts["net"] != "connected" and facts["dns"] != "resolved"


def test_kernel_death_and_stuck_kernels_are_reported_per_cell():
    need_sandbox()
    ex = run(["x = 1", "import os; os._exit(1)", "y = 2"])
    assert ex.status == "dead" and ex.stopped_at == 1 and 0 in ex.outputs
    ex = run(["import time\nwhile True:\n    try:\n        time.sleep(0.2)\n    except KeyboardInterrupt:\n        pass",
              "y = 2"], timeout=2)  # fmt: skip
    assert ex.status == "unresponsive" and 1 not in ex.outputs


def test_wall_clock_cap_stops_the_whole_sandbox():
    need_sandbox()
    ex = run(["import time; time.sleep(30)"], timeout=60, wall_seconds=8)
    assert ex.status == "killed" and "did not finish within 8 s" in ex.message


def test_matplotlib_reads_the_prebuilt_font_list_and_cannot_change_it():
    need_sandbox()
    fontlist = bwrap.font_cache()
    assert fontlist is not None and fontlist.name.startswith("fontlist-v")
    ex = run([
        "import json, os, matplotlib\n"
        "d = matplotlib.get_cachedir()\n"
        "facts = {'dir': d, 'before': sorted(os.listdir(d))}\n"
        "import matplotlib.pyplot as plt\n"
        "facts['fonts'] = len(matplotlib.font_manager.fontManager.ttflist)\n"
        "open(os.path.join(d, 'mine.txt'), 'w').write('x')  # the folder itself stays writable\n"
        "try:\n"
        "    open(os.path.join(d, facts['before'][0]), 'w').write('{}'); facts['list'] = 'written'\n"
        "except OSError as err:\n"
        "    facts['list'] = type(err).__name__\n"
        "print(json.dumps(facts))"
    ])  # fmt: skip
    assert ex.status == "done", ex.message
    streams = {o.get("name"): o.get("text", "") for o in ex.outputs[0]["outputs"]}
    facts = json.loads(streams["stdout"].strip().splitlines()[-1])
    assert facts["dir"] == "/tmp/home/.matplotlib" and facts["before"] == [fontlist.name]
    assert facts["fonts"] > 0 and facts["list"] != "written"
    assert "font" not in streams.get("stderr", "")  # no rebuild, no "could not save the font cache"


def test_grading_processes_skip_the_slow_iri_grammar_and_still_validate_notebooks():
    # every grading process (the parent and each sandbox's worker) imports the autograder package first
    code = (
        "import sys, autograder, nbclient, nbformat\n"
        "nb = nbformat.reads(nbformat.writes(nbformat.v4.new_notebook()), as_version=4)\n"
        "nbformat.validate(nb); print(sys.modules['rfc3987_syntax'] is None)"
    )
    proc = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "True"


def test_missing_or_broken_bubblewrap_is_a_clear_reason(monkeypatch):
    need_sandbox()
    assert bwrap.sandbox_available() is None
    monkeypatch.setattr(bwrap, "bwrap_command", lambda *a: ["bwrap", "--no-such-option", "--", "true"])
    assert "cannot start a sandbox" in bwrap.sandbox_available()
    monkeypatch.setattr(bwrap.shutil, "which", lambda name: None)
    assert "not installed" in bwrap.sandbox_available()


# ---- per-sandbox uid and cgroup (issue 10, item 3) ---------------------------------------------------

V1_MOUNTS = """\
cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0
cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0
cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0
cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
"""


def fake_machine(tmp_path, *, v1: bool, v2_controllers: str):
    """A /proc/self/mounts, /proc/self/cgroup and cgroup tree under tmp_path."""
    mounts = V1_MOUNTS.replace("/sys/fs/cgroup", str(tmp_path)) if v1 else ""
    mounts += f"cgroup2 {tmp_path}/unified cgroup2 rw 0 0\n"
    own = "4:memory:/job\n2:cpu:/\n1:pids:/\n0::/grader\n"
    for name in ("memory/job", "cpu", "pids") if v1 else ():
        (tmp_path / name).mkdir(parents=True)
        (tmp_path / name / "cgroup.procs").write_text("")
    (tmp_path / "unified" / "grader").mkdir(parents=True)
    (tmp_path / "unified" / "grader" / "cgroup.controllers").write_text(v2_controllers)
    (tmp_path / "unified" / "grader" / "cgroup.subtree_control").write_text("")
    return mounts, own


def test_cgroup_layout_prefers_v2_with_controllers_then_v1(tmp_path):
    mounts, own = fake_machine(tmp_path / "a", v1=True, v2_controllers="cpu io memory pids")
    layout = cgroups.cgroup_layout(mounts, own, euid=0)
    assert layout == cgroups.CgroupLayout(2, {"unified": tmp_path / "a" / "unified" / "grader"})
    assert (
        tmp_path / "a" / "unified" / "grader" / "cgroup.subtree_control"
    ).read_text() == "+memory +pids +cpu"
    mounts, own = fake_machine(tmp_path / "b", v1=True, v2_controllers="")  # this machine's layout
    layout = cgroups.cgroup_layout(mounts, own, euid=0)
    b = tmp_path / "b"
    assert layout == cgroups.CgroupLayout(
        1, {"memory": b / "memory/job", "pids": b / "pids", "cpu": b / "cpu"}
    )
    assert cgroups.isolation_notice(layout) is None


def test_without_usable_cgroups_the_grader_says_so_and_what_it_means(tmp_path):
    mounts, own = fake_machine(tmp_path, v1=False, v2_controllers="cpu io")
    reason = cgroups.cgroup_layout(mounts, own, euid=0)
    assert (
        reason
        == f"cgroup v2 at {tmp_path}/unified has no memory, pids controller; cgroup v1 lacks memory, pids, cpu"
    )
    notice = cgroups.isolation_notice(reason)
    assert notice.startswith(
        f"no per-sandbox cgroups ({reason}). Grading goes on, but --memory then limits each process"
    )
    assert "counts per uid" in notice and "not killed at the end" in notice
    assert (
        cgroups.cgroup_layout(mounts, own, euid=1000)
        == "the grader does not run as root, so it cannot create cgroups"
    )
    assert cgroups.isolation_report(reason)["cgroups"] == f"none ({reason})"


def test_confinement_writes_every_limit_and_wraps_the_command(tmp_path):
    mounts, own = fake_machine(tmp_path, v1=True, v2_controllers="")
    layout = cgroups.cgroup_layout(mounts, own, euid=0)
    limits = Limits(memory_mb=1000, nproc=77, cpu_weight=50)
    with cgroups.Confinement(limits, layout) as c:
        memory, pids, cpu = (c.groups[k] for k in ("memory", "pids", "cpu"))
        assert memory.parent == tmp_path / "memory/job"
        assert (memory / "memory.limit_in_bytes").read_text() == str((1000 + WORKER_MB) * 2**20)
        assert (pids / "pids.max").read_text() == "77"
        assert (cpu / "cpu.shares").read_text() == "512"
        cmd = c.command(["bwrap", "x"])
        assert cmd[:3] == ["/bin/sh", "-c", cmd[2]] and cmd[4] == "3" and cmd[-2:] == ["bwrap", "x"]
        for f in (memory, cpu):  # a fake tree: remove the files a kernel would not let us write
            for child in f.iterdir():
                child.unlink()
    assert not memory.exists() and not cpu.exists()
    assert (pids / "pids.max").read_text() == "0"  # killing starts by forbidding any new process


def test_each_sandbox_has_its_own_uid_and_cgroup_and_forked_children_share_one_memory_cap():
    """Attack 21 at the sandbox level: nine children of 700 MB each under --memory 1536."""
    need_sandbox()
    if not isinstance(cgroups.cgroups(), cgroups.CgroupLayout) or os.geteuid() != 0:
        if IN_CI:
            pytest.fail(f"CI=true: per-sandbox cgroups must work: {cgroups.cgroups()}")
        pytest.skip(f"no per-sandbox cgroups here: {cgroups.cgroups()}")
    fork = (
        "import os, time\nkids = []\n"
        "for i in range(9):\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        try:\n"
        "            b = bytearray(700 * 2**20)\n"
        "            b[::4096] = b'x' * len(b[::4096])\n"
        "            time.sleep(3)\n"
        "        finally:\n"
        "            os._exit(0)\n"
        "    kids.append(pid)\n"
        "print(sorted(os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) for p in kids))\n"
        "print(os.getuid())"
    )
    results = {}

    def one(name):
        results[name] = run(["x = 1", fork, "print('alive')"], memory_mb=1536, timeout=90)

    threads = [threading.Thread(target=one, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cap = 1536 + WORKER_MB
    uids = set()
    for ex in results.values():
        assert ex.status == "done", ex.message
        streams = {o.get("name"): o.get("text", "") for o in ex.outputs[1]["outputs"]}
        assert "stdout" in streams, ex.outputs[1]["outputs"]
        codes, ident = streams["stdout"].split("\n")[:2]
        print(f"sandbox peak {ex.peak_mb} MB (cap {cap} MB), {ex.oom_kills} children killed: {codes}")
        assert ex.peak_mb <= cap and ex.oom_kills >= 5  # 9 x 700 MB does not fit in one cap
        assert codes.count("-9") == ex.oom_kills and "alive" in ex.outputs[2]["outputs"][0]["text"]
        uids.add(int(ident.split()[0]))
    assert len(uids) == 2 and uids <= set(UID_RANGE)  # never the same uid at once
    for base in cgroups.cgroups().bases.values():  # every process killed, every group removed
        assert not list(base.glob(f"autograder-{os.getpid()}-*"))


def test_stderr_and_result_lines_are_read_with_bounded_memory():
    import io

    tail = __import__("collections").deque()
    driver._keep_tail(io.BufferedReader(io.BytesIO(b"E" * 5_000_000 + b"END")), tail, 20_000)
    kept = b"".join(tail)
    assert kept.endswith(b"END") and 20_000 <= len(kept) < 20_000 + 65536
    lines = list(driver.bounded_lines(io.BytesIO(b"a\n" + b"x" * 1000 + b"\nb\n"), 100))
    assert lines == [b"a\n", b"b\n"]
