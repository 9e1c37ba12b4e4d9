"""Execute the prepared jobs (here or on a cluster) and hand on one result per notebook.

``execute(...)`` is the pipeline's third stage. Notebooks an interrupted run already graded into the
same OUT come from its journal; the rest run in sandboxes, on ``--workers`` threads or on a Dask
cluster. Each result's pages are written (``on_result``) and journalled as soon as it is scored, so
the executed notebook is dropped at once and Ctrl+C loses nothing already graded. A job the grader
could not run (a grader bug on one notebook, a worker lost again and again) scores 0 with the reason:
it never stops the class.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GraderError
from ..isolate import cgroups
from ..isolate.limits import Limits
from ..results import scoring
from . import cluster, journal, local
from .student_library import student_binds
from .version import course_files, version_id


@dataclass
class Executed:
    results: list  # scoring.NotebookResult, one per notebook
    isolation: dict = field(default_factory=dict)  # report.json's "isolation"


@dataclass
class Runner:
    """Where and how the jobs run (the grade command's options)."""

    limits: Limits
    workers: int = 1
    scheduler: str | None = None
    env_extra: dict = field(default_factory=dict)
    extra_ro: list = field(default_factory=list)
    student_helpers: Callable | None = None
    progress: bool = True


def execute(jobs, known: list, runner: Runner, done: journal.Journal, work: Path, log, on_result) -> Executed:
    """Results of ``known`` (already scored) and of every job; ``on_result(result, executed, spec)`` each."""
    limits = runner.limits
    course_version = version_id(course_files())
    digests = {id(job): journal.job_digest(job, limits, course_version) for job in jobs}
    bar = _progress(len(jobs) + len(known), runner.progress)
    results = []
    for r in known:
        on_result(r, None, None)
        results.append(r)
        bar.update(1)
    todo = []
    for job in jobs:
        earlier = done.finished(job, digests[id(job)])
        if earlier is None:
            todo.append(job)
        else:
            results.append(earlier)
            bar.update(1)
    isolation: dict = {}

    def score(job, execution):
        return scoring.score_job(job, execution, limits)

    if runner.scheduler:  # the workers strip the helpers library themselves
        running = cluster.run_jobs(
            todo, limits, runner.env_extra, runner.extra_ro, runner.student_helpers, runner.scheduler, log,
            score=score, info=isolation,
        )  # fmt: skip
    else:
        binds = student_binds(sorted({j.assignment for j in todo}), work, runner.student_helpers, log)
        running = local.run_jobs(
            todo, runner.workers, limits, runner.env_extra, runner.extra_ro, binds, score
        )
    try:
        for job, graded in running:
            result, executed = _outcome(job, graded)
            results.append(result)  # the executed notebook is written now and then dropped
            try:
                on_result(result, executed, job.spec)
            except Exception as err:
                result.problems.append({"kind": "feedback", "detail": f"feedback failed: {err}"})
            done.record(result, digests[id(job)])
            bar.set_postfix_str(f"{result.student}/{result.notebook} {result.score:g}/{result.max_score:g}")
            bar.update(1)
    except KeyboardInterrupt:
        running.close()  # pending jobs cancelled, a local cluster shut down
        bar.close()
        log(
            f"interrupted: {len(results)} of {len(jobs) + len(known)} notebooks graded, kept in "
            f"{done.path}; run the same command again to grade the rest (the gradebook, grades.csv "
            "and report.json are written when every notebook is graded)"
        )
        raise
    except (RuntimeError, OSError, ValueError) as err:
        if runner.scheduler:  # the cluster could not be used (not reachable, no worker passed its checks)
            raise GraderError(f"cluster {runner.scheduler}: {err}") from err
        raise
    finally:
        running.close()
        done.close()
    bar.close()
    return Executed(results, isolation if runner.scheduler else cgroups.isolation_report())


def _outcome(job, graded) -> tuple:
    """(result, executed notebook or None) from what a runner yielded for ``job``."""
    if isinstance(graded, cluster.WorkerLost):
        return scoring.zero_result(job.student, job.assignment, job.spec, "worker_lost", str(graded)), None
    if isinstance(graded, Exception):  # a grader bug on one notebook must not stop the class
        reason = f"grader error: {type(graded).__name__}: {graded}"
        return scoring.zero_result(job.student, job.assignment, job.spec, "error", reason), None
    return graded


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(
        total=total, unit="nb", desc="grading", disable=not enabled, file=sys.stderr, dynamic_ncols=True
    )
