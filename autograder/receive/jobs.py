"""Prepared jobs: what the two sandboxes of each received notebook run.

A :class:`Job` is plain data, so it can travel to a cluster's worker: the repaired notebook, the
evaluator's plan for its tests (``testplan.plan``, from source/ and the gradebook, never from the
hand-in) and the assignment's non-notebook files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import testplan
from .course import CourseSpec, NotebookSpec
from .handins import Received


@dataclass
class Job:
    student: str
    assignment: str
    spec: NotebookSpec
    prepared: object
    events: list
    files: dict = field(default_factory=dict)
    evaluator_job: dict = field(default_factory=dict)


def assignment_files(course_root: Path, assignment: str) -> dict[str, Path]:
    """Non-notebook files of source/<assignment> (nbgrader copies them beside the notebook too)."""
    folder = course_root / "source" / assignment
    files = {}
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if (
            path.is_file()
            and path.suffix != ".ipynb"
            and not any(
                p.startswith(".") or p in ("__pycache__", ".ipynb_checkpoints", "feedback") for p in rel.parts
            )
        ):
            files[str(rel)] = path
    return files


def evaluator_plans(course: CourseSpec, course_root: Path) -> dict:
    """What the trusted evaluator runs for each notebook, from source/ and the gradebook's tests."""
    out = {}
    for assignment, notebooks in course.assignments.items():
        for name, spec in notebooks.items():
            path = course_root / "source" / assignment / f"{name}.ipynb"
            source_nb = nbformat.read(str(path), as_version=4)
            tests = {c.grade_id: c.source for c in spec.tests}
            out[(assignment, name)] = testplan.plan(source_nb, tests)
    return out


def prepare_jobs(received: Received, course_root: Path) -> list[Job]:
    """One job per received notebook, in the order they were received."""
    plans = evaluator_plans(received.course, course_root)
    files = {a: assignment_files(course_root, a) for a in {h.assignment for h in received.handins}}
    return [
        Job(h.student, h.assignment, h.spec, h.prepared, h.events, files[h.assignment],
            plans[(h.assignment, h.spec.name)])
        for h in received.handins
    ]  # fmt: skip
