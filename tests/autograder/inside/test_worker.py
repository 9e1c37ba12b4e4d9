"""autograder.inside.worker: the JSON-lines protocol, output budgets and kernel death (run outside a sandbox)."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat

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
