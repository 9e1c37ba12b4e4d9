"""autograder.sandbox: what student code can and cannot do inside the grading sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat

from autograder import sandbox
from tests.test_autograder_support import need_sandbox

ROOT = Path(__file__).resolve().parents[1]

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
    return sandbox.run_notebook(nb, sandbox.Limits(**{"timeout": 10, "grace": 2, **limits}))


def test_command_isolates_network_pids_and_the_filesystem():
    cmd = sandbox.bwrap_command(sandbox.Limits(), sandbox.readonly_paths())
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
        assert facts["uid"] == facts["euid"] == 65534
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
    fontlist = sandbox.font_cache()
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
    assert sandbox.sandbox_available() is None
    monkeypatch.setattr(sandbox, "bwrap_command", lambda *a: ["bwrap", "--no-such-option", "--", "true"])
    assert "cannot start a sandbox" in sandbox.sandbox_available()
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    assert "not installed" in sandbox.sandbox_available()
