"""Resume an interrupted run: ``OUT/journal.jsonl`` keeps every notebook graded so far.

A run appends one line per notebook as soon as it is graded (its feedback and executed notebook
are written at the same moment). A run stopped before the end (Ctrl+C, a lost coordinator) leaves
the journal behind; the next run with the same OUT takes from it every notebook whose job is
unchanged (same hand-in after repair, same tests and evaluator plan, same files, limits and course
files: one digest) and grades only the others. The gradebook, grades.csv and report.json are
written only by a run that got every notebook, which then deletes the journal (so a run after a
complete one grades everything again, as before).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ..results.scoring import CellResult, NotebookResult

NAME = "journal.jsonl"


def job_digest(job, limits, course_version: str) -> str:
    """Everything a notebook's grade depends on, hashed (a change regrades that notebook)."""
    files = {rel: hashlib.sha256(Path(p).read_bytes()).hexdigest() for rel, p in sorted(job.files.items())}
    text = json.dumps(
        [
            job.prepared,
            job.evaluator_job,
            files,
            limits.__dict__,
            course_version,
            [e.as_dict() for e in job.events],
        ],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _key(student: str, assignment: str, notebook: str) -> str:
    return json.dumps([student, assignment, notebook])


def _result(d: dict) -> NotebookResult:
    return NotebookResult(
        d["student"],
        d["assignment"],
        d["notebook"],
        d["max_score"],
        cells=[CellResult(**c) for c in d["cells"]],
        problems=d["problems"],
        status=d["status"],
        seconds=d["seconds"],
        evaluator_cpu=d["evaluator_cpu"],
    )


class Journal:
    """``OUT/journal.jsonl``: read at start (what an interrupted run finished), appended per notebook."""

    def __init__(self, out: Path):
        self.path = Path(out) / NAME
        self.done: dict[str, tuple[str, NotebookResult]] = {}
        if self.path.is_file():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:  # a line cut short by a crash is skipped: that notebook is graded again
                    entry = json.loads(line)
                    result = _result(entry["result"])
                except (ValueError, KeyError, TypeError):
                    continue
                self.done[_key(result.student, result.assignment, result.notebook)] = (
                    entry["digest"],
                    result,
                )
        self._file = None

    @property
    def resuming(self) -> bool:
        return bool(self.done)

    def finished(self, job, digest: str) -> NotebookResult | None:
        """The result an earlier run recorded for exactly this job, if any."""
        got = self.done.get(_key(job.student, job.assignment, job.spec.name))
        return got[1] if got is not None and got[0] == digest else None

    def record(self, result: NotebookResult, digest: str) -> None:
        if self._file is None:
            self._file = self.path.open("a", encoding="utf-8")
        entry = {"digest": digest, "result": {**result.as_dict(), "student": result.student,
                                              "assignment": result.assignment}}  # fmt: skip
        self._file.write(json.dumps(entry) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def remove(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)
