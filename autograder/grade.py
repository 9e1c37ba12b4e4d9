"""Grade a class: the pipeline, one stage per call, each handing a small value on to the next.

``grade(submissions, out, ...)`` is what ``python -m autograder grade`` runs::

    receive   SUBMISSIONS -> Received      intake (zip-safe copy), the gradebook from source/, every
                                           notebook repaired (HandIn) or said unreadable (Unreadable)
    prepare   Received    -> [Job]         what each notebook's two sandboxes run (plain data)
    execute   [Job]       -> Executed      sandboxes here or on a cluster; each notebook's pages written
                                           and journalled as it finishes (unreadable ones scored 0 first)
    record    Executed    -> gradebook, grades.csv
    report    Executed    -> report.json (merged with the previous one), changes.json,
                             class-report.html, returned as an Outcome

OUT receives::

    grades.csv                                   nbgrader's export format, one row per student x assignment
    report.json                                  per student and notebook: score, max, every problem met
    feedback/<student>/<assignment>/<nb>.html    redacted feedback (no hidden tests)
    autograded/<student>/<assignment>/<nb>.ipynb executed notebooks, for the instructor (formgrader)
    submitted/<student>/<assignment>/<nb>.ipynb  the notebooks graded, as handed in (formgrader counts them)
    gradebook.db                                 unless --db points at another database
    changes.json                                 every score changed since the last grading, and why
    class-report.html                            the class at a glance (results/classreport.py)

A run into an existing OUT replaces exactly the hand-ins it grades (``students``/``assignments``
select them); every other student's pages and report entries stay (``results/history.py``).
"""

from __future__ import annotations

import importlib.util
import json
import resource
import shutil
import sys
import tempfile
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from .errors import GraderError
from .isolate import bwrap, cgroups
from .isolate.limits import Limits
from .receive.course import CARRIED, CourseSpec, find_assignments, load_course_config, load_spec, save_carried
from .receive.handins import Received, receive
from .receive.intake import printable
from .receive.jobs import prepare_jobs
from .results import classreport, dblock, export, history, late, manual, scoring
from .results.pages import write_notebook_outputs
from .results.submitted import write_submitted
from .run import journal
from .run.cluster import check_scheduler
from .run.execute import Executed, Runner, execute
from .run.student_library import stripped_helpers

__all__ = ["GraderError", "Outcome", "grade", "graded_course", "normalise_db_url"]


@dataclass
class Outcome:
    results: list
    warnings: list
    report: dict
    spec: CourseSpec
    seconds: float
    changes: list = field(default_factory=list)  # results.history.changes: scores that moved


def grade(
    submissions: Path | str,
    out: Path | str,
    *,
    course_root: Path | str,
    workers: int = 1,
    scheduler: str | None = None,
    limits: Limits | None = None,
    db_url: str | None = None,
    progress: bool = True,
    env_extra: dict | None = None,
    extra_ro: list | None = None,
    log=None,
    student_helpers=stripped_helpers,
    extensions: Path | str | None = None,
    students: list[str] | None = None,
    assignments: list[str] | None = None,
) -> Outcome:
    """Grade the hand-ins in ``submissions`` (only those of ``students`` and ``assignments`` when
    given) into ``out``, keeping whatever ``out`` holds of the others."""
    started = time.monotonic()
    log = log or (lambda msg: print(msg, file=sys.stderr))
    course_root, out, submissions = (
        Path(course_root).resolve(),
        Path(out).resolve(),
        Path(submissions).resolve(),
    )
    runner = Runner(
        limits or Limits(), workers, scheduler, env_extra or {}, extra_ro or [], student_helpers, progress
    )
    check_can_grade(submissions, out, course_root, runner, log)
    select = selection(course_root, students, assignments)
    done = open_journal(out, log)
    shared = bool(db_url)  # a database given by the user may be shared with other graders
    db_url = normalise_db_url(db_url) if db_url else f"sqlite:///{(out / 'gradebook.db').resolve()}"
    writing = partial(dblock.gradebook_lock, db_url) if shared else nullcontext
    work = Path(tempfile.mkdtemp(prefix="autograder-"))
    try:
        received = receive(submissions, course_root, work, db_url, writing, select, out / CARRIED)
        lateness = assess_lateness(received, course_root, db_url, writing, extensions)
        jobs = prepare_jobs(received, course_root)
        known = scoring.zero_results(received.unreadable)
        pages = partial(write_notebook_outputs, out, lateness=lateness)
        executed = execute(jobs, known, runner, done, work, log, pages)
        record_scores(received, executed, db_url, writing, lateness)
        saved = {(r.student, r.assignment) for r in executed.results}
        left = {k: v for k, v in received.course.carried.items() if k[:2] not in saved}
        save_carried(out / CARRIED, left)  # what this run put back is in the gradebook now
        if not overlaps(out / "submitted", submissions):  # grading OUT/submitted itself: it is the copy
            write_submitted(out, received.files, db_url, received.course.course_id)  # formgrader's counts
        previous = history.load_report(out / "report.json")
        report = write_report(out, received, executed, runner, started)
        report = history.merge(report, previous)
        (out / "report.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
        with writing():  # from the gradebook, with each row's problems from the report
            export.export_csv(
                db_url, received.course.course_id, out / "grades.csv", export.problem_notes(report)
            )
        changed = history.changes(previous, report)
        history.write_changes(out / history.NAME, changed)
        graded = {(r.student, r.assignment, r.notebook) for r in executed.results}
        policy = late.policy_from_config(load_course_config(course_root))
        manual.rerender(
            out, received.course, graded, only_hand_graded=True, policy=policy
        )  # a person's grades stay
        classreport.write(out, received.course)
        done.remove()
        for w in received.warnings:
            log(f"warning: {printable(w)}")
        outcome = Outcome(executed.results, received.warnings, report, received.course, report["seconds"])
        outcome.changes = changed
        return outcome
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check_can_grade(submissions: Path, out: Path, course_root: Path, runner: Runner, log) -> None:
    """Raise GraderError with the reason when this run cannot start; warn about weaker isolation."""
    if runner.scheduler:  # a cluster's workers run the sandboxes (and check them when they join)
        try:
            check_scheduler(runner.scheduler)
        except ValueError as err:
            raise GraderError(str(err)) from err
    else:
        reason = bwrap.sandbox_available(runner.limits)
        if reason:
            raise GraderError(reason)
        notice = cgroups.isolation_notice()
        if notice:
            log(f"warning: {notice}")
        # built while the gradebook is (both take about a second of one core); the first job waits for it
        threading.Thread(target=bwrap.font_cache, daemon=True).start()
    if not find_assignments(course_root / "source"):
        raise GraderError(f"no assignments in {course_root / 'source'}: build source/ first (make source)")
    if not submissions.exists():
        raise GraderError(f"{submissions} does not exist")
    if out == submissions or submissions in out.parents:
        raise GraderError("OUT must not be inside SUBMISSIONS (SUBMISSIONS is never modified)")


def overlaps(a: Path, b: Path) -> bool:
    """Whether one of the folders ``a`` and ``b`` is, or lies inside, the other."""
    a, b = a.resolve(), b.resolve()
    return a == b or a in b.parents or b in a.parents


def selection(course_root: Path, students: list[str] | None, assignments: list[str] | None):
    """``select(student, assignment)`` for ``receive``, or None for everything; unknown names fail."""
    if not students and not assignments:
        return None
    known = find_assignments(course_root / "source")
    unknown = sorted(set(assignments or []) - set(known))
    if unknown:
        raise GraderError(
            f"unknown assignment {', '.join(unknown)}: expected one of {', '.join(sorted(known))}"
        )
    return lambda student, assignment: (
        (not students or student in students) and (not assignments or assignment in assignments)
    )


def open_journal(out: Path, log) -> journal.Journal:
    """OUT's journal: what an interrupted run already graded. Pages of earlier runs stay: each
    notebook graded now overwrites its own two files, the others are kept (a regrade loses nothing)."""
    out.mkdir(parents=True, exist_ok=True)
    done = journal.Journal(out)
    if done.resuming:
        log(f"resuming: {len(done.done)} notebooks already graded by an interrupted run ({done.path})")
    return done


def assess_lateness(received: Received, course_root: Path, db_url: str, writing, extensions) -> dict:
    """Each hand-in against its due date and the course's late policy (``results/late.py``)."""
    try:
        with writing():
            lateness, _, notes = late.from_course(
                course_root,
                db_url,
                received.course.course_id,
                received.timestamps,
                Path(extensions) if extensions else None,
            )
    except late.LatePolicyError as err:
        raise GraderError(f"late policy: {err}") from err
    received.warnings.extend(notes)
    return lateness


def record_scores(
    received: Received, executed: Executed, db_url: str, writing, lateness: dict | None = None
) -> None:
    """Every result into the gradebook in one session (grades.csv is written from it after report.json)."""
    for r in executed.results:  # files of the hand-in that intake could not even write
        r.problems[:0] = received.intake_problems.get((r.student, r.assignment), [])
    with writing():
        export.save_to_gradebook(
            db_url,
            received.course.course_id,
            executed.results,
            received.timestamps,
            lateness,
            received.course.carried,
        )
        export.record_students(db_url, received.course.course_id, [u["student"] for u in received.unplaced])


def write_report(out: Path, received: Received, executed: Executed, runner: Runner, started: float) -> dict:
    """report.json: every result and problem, and how this run was made."""
    course = received.course
    meta = {
        "course_id": course.course_id,
        "assignments": {a: sorted(n) for a, n in course.assignments.items()},
        "workers": runner.workers,
        "scheduler": runner.scheduler,
        "limits": runner.limits.__dict__,
        "seconds": round(time.monotonic() - started, 1),
        "gradebook_seconds": round(received.gradebook_seconds, 1),
        "isolation": executed.isolation,
        "grader_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    report = export.write_report(
        out / "report.json", executed.results, received.warnings, meta, received.unplaced
    )
    specs = {(a, n): spec for a, nbs in course.assignments.items() for n, spec in nbs.items()}
    history.annotate(report, specs, received.handin_hashes)
    return report


def graded_course(out: Path | str, course_root: Path | str, db_url: str | None = None) -> CourseSpec:
    """The course as graded into ``out`` (for ``feedback`` and ``report``): its gradebook read back."""
    out, course_root = Path(out).resolve(), Path(course_root).resolve()
    report = history.load_report(out / "report.json")
    if not report["students"] or "course_id" not in report:
        raise GraderError(f"{out} holds no graded class (no report.json): grade into it first")
    db_url = normalise_db_url(db_url) if db_url else f"sqlite:///{out / 'gradebook.db'}"
    if not db_url.startswith("sqlite:///") or Path(db_url[len("sqlite:///") :]).is_file():
        assignments = sorted({a for _, a, _ in history.notebook_entries(report)})
        return load_spec(db_url, report["course_id"], course_root / "source", assignments)
    raise GraderError(f"no gradebook at {db_url[len('sqlite:///') :]}: give the one used with --db")


def normalise_db_url(url: str) -> str:
    """``postgresql://...`` means psycopg 3 to SQLAlchemy 2; use psycopg2 when only that is installed."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix) and importlib.util.find_spec("psycopg") is None:
            if importlib.util.find_spec("psycopg2") is not None:
                return "postgresql+psycopg2://" + url[len(prefix) :]
    return url
