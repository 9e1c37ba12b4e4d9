"""autograder.inside.worker: the JSON-lines protocol, output budgets and kernel death (run outside a sandbox)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import nbformat
import pytest

from autograder.inside import worker
from autograder.isolate.limits import Limits, kernel_settings


def run_worker(cells, **cfg):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    kernel = kernel_settings(Limits())
    kernel.pop("uid", None)
    kernel.pop("gid", None)
    kernel["cwd"] = "/tmp"
    job = {
        "notebook": nb,
        "timeout": 20,
        "grace": 2,
        "output_limit": 1000,
        "rich_limit": 5000,
        "kernel": kernel,
        **cfg,
    }
    proc = subprocess.run([sys.executable, "-I", "-m", "autograder.inside.worker"], input=json.dumps(job), capture_output=True,
                          text=True, timeout=180)  # fmt: skip
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_size_counts_text_and_rich_data():
    assert worker._size({"text": "abc"}) == 3
    assert worker._size({"data": {"text/plain": "ab", "image/png": "xyz"}}) == 5


def test_events_per_cell_truncation_and_death():
    events = run_worker(["print('x' * 100_000)", "print('fine')", "import os; os._exit(3)", "print('never')"])
    kinds = [e["type"] for e in events]
    assert kinds == ["cell", "cell", "dead"], events
    text = "".join(o["text"] for o in events[0]["outputs"])
    assert len(text) < 1200 and "truncated by the autograder" in text
    assert events[1]["outputs"][0]["text"] == "fine\n"
    assert events[2]["index"] == 2


def test_a_notebook_budget_caps_the_output_of_all_cells_together():
    cells = [
        "print('a' * 900)",
        "print('b' * 900)",
        "print('c' * 900)",
        "print('d')",
        "import os; os._exit(0)",
    ]
    events = run_worker(cells, notebook_limit=2000)  # the last cell ends the kernel, as in the test above
    texts = ["".join(o["text"] for o in e["outputs"]) for e in events[:4]]
    assert texts[0] == "a" * 900 + "\n" and texts[1] == "b" * 900 + "\n"  # each within the per-cell 1000
    assert texts[2] == "\n... output truncated by the autograder (limit 2000 characters per notebook) ...\n"
    assert texts[3] == "d\n"  # 2 characters still fit: the truncation note is not charged


# The worker beside a real evaluator (both outside a sandbox): one budget per call, hidden checks unseen.
STUDENT = {
    # attack 8 of issue 19: a call that keeps itself alive by calling its callback every 1.5 s
    "keepalive": "import time\ndef keepalive(f, x):\n    for _ in range(6):\n        time.sleep(1.5)\n"
    "        f(x)\n    return 2 * x",
    "busy": "def busy(f, x):\n    for _ in range(200):\n        x = f(x)\n    return x",
    # attack 2: a function that prints its arguments, raises them, warns them, maps the callback out
    "shout": "def shout(x):\n    print('ARG', repr(x))\n    return x + 1",
    "boom": "def boom(x):\n    raise ValueError(f'secret {x!r}')",
    "Leak": "class Leak(Exception):\n    pass\ndef leak(x):\n    raise type(f'Leak{int(x)}', (Exception,), {})('x')",
    "warn": "import warnings\ndef warn(x):\n    warnings.warn(f'secret {x!r}')\n    return x",
    "probe": "def probe(f):\n    print('MAP', [f(v) for v in range(3)])\n    return f(0)",
    "slow": "def slow(x):\n    time.sleep(1.8)\n    return x",
}
TESTS = {
    "t_keep": "import time\nt0 = time.monotonic()\ntry:\n    keepalive(lambda v: v, 1.0)\n"
    "finally:\n    print(f'KEEPALIVE {time.monotonic() - t0:.2f}')",
    "t_busy": "assert busy(lambda v: v + 1, 0) == 200",
    "t_shout": "assert shout(1) == 2\n### BEGIN HIDDEN TESTS\nassert shout(31337) == 31338\n### END HIDDEN TESTS",
    "t_boom": "### BEGIN HIDDEN TESTS\nboom(4242)\n### END HIDDEN TESTS",
    "t_leak": "### BEGIN HIDDEN TESTS\nleak(5151)\n### END HIDDEN TESTS",
    "t_warn": "### BEGIN HIDDEN TESTS\nwarn(9898)\n### END HIDDEN TESTS",
    "t_probe": "### BEGIN HIDDEN TESTS\nassert probe(lambda v: v * 6061 + 1) == 1\n### END HIDDEN TESTS",
    "t_shout_again": "assert shout(5) == 6",
    # three calls of 1.8 s in one cell: they share its 4 s, the third is stopped
    "t_slow": "import time\nt0 = time.monotonic()\ntry:\n    for i in range(3):\n        assert slow(i) == i\n"
    "finally:\n    print(f'SLOW {i} {time.monotonic() - t0:.2f}')",
    "t_slow_again": "assert slow(7) == 7",  # the next cell has a budget of its own
}
NAMES = {"t_keep": "keepalive", "t_busy": "busy", "t_shout": "shout", "t_boom": "boom", "t_leak": "leak",
         "t_warn": "warn", "t_probe": "probe", "t_shout_again": "shout", "t_slow": "slow",
         "t_slow_again": "slow"}  # fmt: skip


def run_pair(timeout: int = 4, student=None, tests=None, names=None):
    """Grade a notebook (STUDENT's answers) against TESTS with a real evaluator; (events, verdicts, s)."""
    import os
    import threading
    import time

    from autograder.receive.testplan import split_hidden

    student, tests, names = student or STUDENT, tests or TESTS, names or NAMES
    nb = nbformat.v4.new_notebook()
    for source in student.values():
        nb.cells.append(nbformat.v4.new_code_cell(source))
    for gid in tests:
        stub = nbformat.v4.new_code_cell("# graded by the autograder's evaluator")
        stub.metadata["autograder"] = {"role": "test", "grade_id": gid}
        nb.cells.append(stub)
    nb.cells.append(nbformat.v4.new_code_cell("print('after the tests')"))
    plan = [
        {"kind": "test", "grade_id": gid, "source": src, "names": [names[gid]], "parts": split_hidden(src)}
        for gid, src in tests.items()
    ]
    to_worker_r, to_worker_w = os.pipe()
    to_eval_r, to_eval_w = os.pipe()
    evaluator = subprocess.Popen(
        [sys.executable, "-I", "-m", "autograder.inside.evaluator", str(to_eval_r), str(to_worker_w)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, pass_fds=(to_eval_r, to_worker_w), text=True,
    )  # fmt: skip
    os.close(to_eval_r)
    os.close(to_worker_w)
    evaluator.stdin.write(json.dumps({"cells": plan, "timeout": timeout}))
    evaluator.stdin.close()
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(evaluator.stdout), daemon=True)
    reader.start()
    kernel = kernel_settings(Limits())
    kernel.pop("uid", None)
    kernel.pop("gid", None)
    kernel["cwd"] = "/tmp"
    job = {"notebook": nb, "timeout": timeout, "grace": 2, "output_limit": 10_000, "rich_limit": 5000,
           "kernel": kernel, "evaluator_fds": [to_worker_r, to_eval_w]}  # fmt: skip
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-I", "-m", "autograder.inside.worker"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, pass_fds=(to_worker_r, to_eval_w))  # fmt: skip
    os.close(to_worker_r)
    os.close(to_eval_w)
    try:
        stdout, _ = proc.communicate(json.dumps(job), timeout=180)
    finally:
        proc.kill()
        evaluator.kill()
    seconds = time.monotonic() - started
    evaluator.wait(timeout=30)
    reader.join(timeout=5)
    events = [json.loads(line) for line in stdout.splitlines()]
    verdicts = {m["grade_id"]: m["outputs"] for m in map(json.loads, lines) if m.get("type") == "test"}
    return events, verdicts, seconds


@pytest.fixture(scope="module")
def pair():
    events, verdicts, seconds = run_pair()
    index = {gid: len(STUDENT) + i for i, gid in enumerate(TESTS)}
    printed = {
        gid: "".join(o.get("text", "") for e in events if e.get("index") == i for o in e["outputs"])
        for gid, i in index.items()
    }
    return {"events": events, "verdicts": verdicts, "printed": printed, "seconds": seconds}


def _text(outputs) -> str:
    return json.dumps(outputs)


def test_a_call_that_keeps_calling_its_callback_is_stopped_at_its_budget(pair):
    """Attack 8: each callback used to restart the call's timer (6 x 1.5 s passed under a 4 s timeout)."""
    verdict = pair["verdicts"]["t_keep"]
    error = next(o for o in verdict if o["output_type"] == "error")
    assert error["ename"] == "KernelLost" and "did not finish within 4 s" in error["evalue"], verdict
    held = float(re.search(r"KEEPALIVE (\d+\.\d+)", _text(verdict)).group(1))
    assert 3.9 <= held <= 4 + 1.5, held  # stopped near the budget (interrupting costs a little)
    assert not any(o.get("ename") for o in pair["verdicts"]["t_busy"])  # 200 quick callbacks pass


def test_what_the_students_code_prints_in_a_hidden_check_is_not_shown(pair):
    printed = pair["printed"]
    assert "ARG 1" in printed["t_shout"] and "31337" not in printed["t_shout"]
    assert "hidden checks of this test is not shown" in printed["t_shout"]
    assert "6061" not in printed["t_probe"] and "MAP" not in printed["t_probe"]
    assert "ARG 5" in printed["t_shout_again"] and "not shown" not in printed["t_shout_again"]
    after = next(e for e in pair["events"] if e.get("index") == len(STUDENT) + len(TESTS))
    assert "after the tests" in _text(after["outputs"])


def test_errors_and_warnings_of_a_hidden_call_carry_none_of_the_students_words(pair):
    v = pair["verdicts"]
    for gid, secret in (("t_boom", "4242"), ("t_leak", "5151"), ("t_warn", "9898")):
        text = _text(v[gid]) + pair["printed"][gid]
        assert secret not in text and "secret" not in text, (gid, text)
        assert "hidden check" in text, (gid, text)
    boom = next(o for o in v["t_boom"] if o["output_type"] == "error")  # counted and typed, never worded
    assert boom["ename"] == "HiddenChecksFailed" and "stopped with ValueError" in boom["evalue"], boom
    assert any(o.get("name") == "stderr" for o in v["t_warn"])  # a warning still fails the test


def test_the_calls_of_one_cell_share_its_budget(pair):
    verdict = pair["verdicts"]["t_slow"]
    assert "did not finish within 4 s" in _text(verdict), verdict
    i, held = re.search(r"SLOW (\d) (\d+\.\d+)", _text(verdict)).groups()
    assert i == "2" and 3.9 <= float(held) <= 4 + 1.5, (i, held)
    assert pair["verdicts"]["t_slow_again"] == []


def test_a_kernel_that_keeps_asking_after_the_interrupt_gets_one_grace_period():
    """Interrupted at its budget, it catches everything and calls again: the grace used to restart each time."""
    student = {
        "stubborn": "def stubborn(f):\n    while True:\n        try:\n            f(0)\n"
        "        except BaseException:\n            pass",
        "after": "x = 1",
    }
    tests = {"t_stubborn": "stubborn(lambda v: v)"}
    events, verdicts, seconds = run_pair(student=student, tests=tests, names={"t_stubborn": "stubborn"})
    assert "did not finish within 4 s" in _text(verdicts["t_stubborn"])
    assert any(e["type"] == "unresponsive" for e in events), events
    assert seconds < 4 + 2 + 15, seconds  # budget + one grace (2 s) + starting and ending the kernel
