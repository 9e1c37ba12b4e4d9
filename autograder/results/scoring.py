"""Score an executed notebook with nbgrader's own rule, plus what nbgrader cannot see.

A test cell earns its points when it ran without an error and without stderr output, partial
credit when it returns a number (``nbgrader.utils.determine_grade``). On top of that:

* a test that never ran (the kernel died, stopped responding after a timeout, or the notebook hit
  its wall-clock cap) scores 0 with that reason;
* manually graded answers follow nbgrader: unchanged -> 0 ("No response"), else left for a grader.

Printed text never matters: only errors do.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

import nbformat
from nbgrader import utils

from ..isolate.driver import Execution, apply
from ..isolate.limits import WORKER_MB, Limits
from ..receive.course import NotebookSpec

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

STOP_REASONS = {
    "dead": "the kernel died (os._exit, sys.exit in a subprocess, a crash or the memory cap)",
    "unresponsive": "a cell timed out and the kernel did not respond to the interrupt",
    "killed": "the notebook exceeded its total time limit",
    "error": "the grading sandbox failed",
}


@dataclass
class CellResult:
    grade_id: str
    kind: str
    points: float
    score: float | None
    status: str  # passed | failed | partial | not_run | manual | no_response
    reason: str = ""


@dataclass
class NotebookResult:
    student: str
    assignment: str
    notebook: str
    max_score: float
    cells: list[CellResult] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    status: str = "graded"  # graded | missing | malformed | other_notebook | error
    seconds: float = 0.0
    evaluator_cpu: float = 0.0  # CPU seconds of the trusted evaluator (autograder.inside.evaluator)

    @property
    def score(self) -> float:
        return float(sum(c.score or 0 for c in self.cells))

    def as_dict(self) -> dict:
        return {
            "notebook": self.notebook,
            "status": self.status,
            "score": self.score,
            "max_score": self.max_score,
            "seconds": round(self.seconds, 2),
            "evaluator_cpu": round(self.evaluator_cpu, 2),
            "cells": [asdict(c) for c in self.cells],
            "problems": self.problems,
        }


def zero_result(student, assignment, spec: NotebookSpec, status: str, reason: str) -> NotebookResult:
    """Every graded cell 0 (used for missing, malformed and foreign notebooks)."""
    res = NotebookResult(student, assignment, spec.name, spec.max_score, status=status)
    for c in spec.cells:
        if c.kind in ("test", "manual", "task"):
            res.cells.append(CellResult(c.grade_id, c.kind, float(c.points or 0), 0.0, "not_run", reason))
    res.problems.append({"kind": status, "detail": reason})
    return res


def error_summary(output: dict) -> str:
    return f"{output.get('ename', 'Error')}: {ANSI.sub('', str(output.get('evalue', '')))}".strip()


def score_notebook(
    student: str,
    assignment: str,
    spec: NotebookSpec,
    instrumented,
    execution: Execution,
) -> tuple[NotebookResult, nbformat.NotebookNode]:
    """Return the result and the executed notebook (grader cells removed)."""
    res = NotebookResult(student, assignment, spec.name, spec.max_score, seconds=execution.seconds)
    executed = apply(instrumented, execution)
    stop = execution.stopped_at
    stop_reason = STOP_REASONS.get(execution.status, "")
    if execution.status != "done":
        detail = stop_reason + (f": {execution.message}" if execution.message else "")
        res.problems.append({"kind": execution.status, "detail": detail, "cell": _label(executed, stop)})
    by_id = spec.by_id()
    for index, cell in enumerate(executed.cells):
        ran = index in execution.outputs and not execution.outputs[index].get("partial")
        outputs = cell.get("outputs", []) if cell.cell_type == "code" else []
        meta = cell.get("metadata", {}).get("nbgrader") or {}
        label = meta.get("grade_id") or f"cell {index}"
        for o in outputs:
            if o.get("output_type") == "error" and o.get("ename") == "CellTimeoutError":
                res.problems.append({"kind": "timeout", "detail": o.get("evalue", ""), "cell": label})
            elif o.get("output_type") == "error" and o.get("ename") == "SystemExit":
                res.problems.append({"kind": "exit", "detail": "sys.exit() was called", "cell": label})
            elif o.get("output_type") == "error" and o.get("ename") == "MemoryError":
                res.problems.append(
                    {"kind": "memory", "detail": "MemoryError (memory cap reached)", "cell": label}
                )
            elif o.get("output_type") == "stream" and "output truncated by the autograder" in o.get(
                "text", ""
            ):
                res.problems.append({"kind": "output_truncated", "detail": "output truncated", "cell": label})
        spec_cell = by_id.get(meta.get("grade_id"))
        if spec_cell is None or spec_cell.kind not in ("test", "manual", "task"):
            continue
        points = float(spec_cell.points or 0)
        if spec_cell.kind in ("manual", "task"):
            score, _ = utils.determine_grade(cell) if spec_cell.kind == "manual" else (None, points)
            status = "no_response" if score == 0 else "manual"
            res.cells.append(
                CellResult(
                    spec_cell.grade_id,
                    spec_cell.kind,
                    points,
                    score,
                    status,
                    "no response" if score == 0 else "needs manual grading",
                )
            )
            continue
        if not ran:
            partial = execution.outputs.get(index, {}).get("partial")
            where = "while running this test" if partial or index == stop else "before this test ran"
            res.cells.append(
                CellResult(
                    spec_cell.grade_id,
                    "test",
                    points,
                    0.0,
                    "not_run",
                    f"{stop_reason or 'not executed'} ({where})",
                )
            )
            continue
        score, _ = utils.determine_grade(cell)
        score = float(score or 0)
        errors = [o for o in outputs if o.get("output_type") == "error"]
        stderr = [o for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"]
        if errors:
            reason = error_summary(errors[0])
        elif stderr:
            reason = "the test wrote to stderr (a warning counts as a failure)"
        else:
            reason = ""
        status = "passed" if score >= points else ("failed" if score == 0 else "partial")
        res.cells.append(CellResult(spec_cell.grade_id, "test", points, score, status, reason))
    seen = {c.grade_id for c in res.cells}
    for c in spec.cells:
        if c.kind in ("manual", "task") and c.grade_id not in seen:
            res.cells.append(
                CellResult(c.grade_id, c.kind, float(c.points or 0), 0.0, "not_run", "answer cell deleted")
            )
    return res, executed


def _label(nb, index: int | None) -> str | None:
    if index is None or index >= len(nb.cells):
        return None
    cell = nb.cells[index]
    meta = cell.get("metadata", {}).get("nbgrader") or {}
    return meta.get("grade_id") or f"cell {index}"


def zero_results(unreadable) -> list[NotebookResult]:
    """The one place hand-ins that cannot run are scored: 0, with the reason (``receive.handins.Unreadable``)."""
    return [zero_result(u.student, u.assignment, u.spec, u.kind, u.detail) for u in unreadable]


def score_job(job, execution: Execution, limits: Limits) -> tuple:
    """(result, executed notebook) from a job's execution (here, or on a cluster's worker)."""
    result, executed = score_notebook(job.student, job.assignment, job.spec, job.prepared, execution)
    result.evaluator_cpu = getattr(execution, "evaluator_cpu", 0.0)
    if getattr(execution, "evaluator_problem", ""):
        result.problems.append({"kind": "evaluator", "detail": execution.evaluator_problem[:2000]})
    result.problems = [dict(e.as_dict(), kind=e.kind) for e in job.events] + result.problems
    if execution.oom_kills and execution.status == "done":  # children killed, the kernel went on
        cap = limits.memory_mb + WORKER_MB
        detail = f"{execution.oom_kills} processes killed at the sandbox's memory cap ({cap} MB for all its processes)"
        result.problems.append({"kind": "memory", "detail": detail})
    return result, executed
