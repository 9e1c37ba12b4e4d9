"""Grade a class: intake -> prepare -> sandboxed execution (parallel) -> scores -> outputs.

``grade(submissions, out, ...)`` is what ``python -m autograder grade`` runs. OUT receives::

    grades.csv                                   nbgrader's export format, one row per student x assignment
    report.json                                  per student and notebook: score, max, every problem met
    feedback/<student>/<assignment>/<nb>.html    redacted feedback (no hidden tests)
    autograded/<student>/<assignment>/<nb>.ipynb executed notebooks, for the instructor (formgrader)
    gradebook.db                                 unless --db points at another database

The gradebook is built from ``course_root/source`` with nbgrader's GenerateAssignment; every
notebook is prepared in the parent (tests restored from the gradebook), executed in its own
sandbox, scored with nbgrader's rule, and only then written to the gradebook in one session.
"""

from __future__ import annotations

import html
import resource
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import cluster, dblock, export, feedback, intake, journal, repair, sandbox, sanitize, scoring, trusted
from .course import CourseSpec, build_gradebook, find_assignments


class GraderError(RuntimeError):
    """The grader itself cannot run (exit code 2, with this reason)."""


@dataclass
class Job:
    student: str
    assignment: str
    spec: object
    prepared: object
    events: list
    files: dict = field(default_factory=dict)
    evaluator_job: dict = field(default_factory=dict)


@dataclass
class Outcome:
    results: list
    warnings: list
    report: dict
    spec: CourseSpec
    seconds: float


def normalise_db_url(url: str) -> str:
    """``postgresql://...`` means psycopg 3 to SQLAlchemy 2; use psycopg2 when only that is installed."""
    import importlib.util

    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix) and importlib.util.find_spec("psycopg") is None:
            if importlib.util.find_spec("psycopg2") is not None:
                return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def _assignment_files(course_root: Path, assignment: str) -> dict[str, Path]:
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


def evaluator_jobs(course: CourseSpec, course_root: Path) -> dict:
    """What the trusted evaluator runs for each notebook, from source/ and the gradebook's tests."""
    out = {}
    for assignment, notebooks in course.assignments.items():
        for name, spec in notebooks.items():
            path = course_root / "source" / assignment / f"{name}.ipynb"
            source_nb = nbformat.read(str(path), as_version=4)
            tests = {c.grade_id: c.source for c in spec.tests}
            out[(assignment, name)] = trusted.plan(source_nb, tests)
    return out


def plan(course: CourseSpec, received: intake.Intake, course_root: Path):
    """Split hand-ins into jobs to execute and results already known (missing, malformed...)."""
    jobs, known = [], []
    evaluator = evaluator_jobs(course, course_root)
    for sub in received.submissions:
        notebooks = course.assignments.get(sub.assignment, {})
        files = _assignment_files(course_root, sub.assignment)
        for name, spec in sorted(notebooks.items()):
            path = sub.notebooks.get(name)
            if path is None:
                known.append(
                    scoring.zero_result(
                        sub.student, sub.assignment, spec, "missing", f"{name}.ipynb was not handed in"
                    )
                )
                continue
            try:
                nb = repair.read_notebook(path.read_bytes())
            except repair.NotANotebook as err:
                known.append(
                    scoring.zero_result(
                        sub.student, sub.assignment, spec, "malformed", f"{name}.ipynb: {err}"
                    )
                )
                continue
            own = repair.fingerprint(nb, spec)
            best = max(
                (
                    (repair.fingerprint(nb, other), f"{a}/{n}")
                    for a, nbs in course.assignments.items()
                    for n, other in nbs.items()
                    if other is not spec
                ),
                default=(0, ""),
            )
            if own == 0 or best[0] > own:
                hint = f" (it looks like {best[1]})" if best[0] > own else ""
                known.append(
                    scoring.zero_result(
                        sub.student,
                        sub.assignment,
                        spec,
                        "other_notebook",
                        f"{name}.ipynb holds none of this notebook's exercises{hint}",
                    )
                )
                continue
            prepared, events = repair.prepare(nb, spec)
            jobs.append(
                Job(
                    sub.student,
                    sub.assignment,
                    spec,
                    prepared,
                    events,
                    files,
                    evaluator[(sub.assignment, name)],
                )
            )
        for w in sub.warnings:
            received.warnings.append(w)
    return jobs, known


def stripped_helpers(assignment: str, dest: Path) -> Path | None:
    """The ``helpers`` package for the student's kernel: the library without this assignment's answers.

    The answers of every later notebook are stubbed too (nothing of them is due when this one is
    graded, and some compute this one's exercises under another name). Written by ``tools/strip.py``
    (``write_stripped_helpers``); None when that tool is not there.
    """
    try:
        from tools.strip import all_marks, write_stripped_helpers
    except ImportError:
        return None
    later = {nb for m in all_marks() for nb in m.notebooks if nb[:2] > assignment[:2]}
    write_stripped_helpers(dest, [assignment, *sorted(later)])
    return dest / "helpers"


def _student_binds(assignments, work: Path, student_helpers, log) -> dict:
    """Per assignment, the folder bound over ``helpers/`` in the student's sandbox (item 2 of issue 10)."""
    import compileall

    real = sandbox._package_dir("helpers")
    binds, unstripped = {}, []
    for assignment in assignments if real is not None else []:
        folder = student_helpers(assignment, work / "student-helpers" / assignment)
        if folder is None:
            unstripped.append(assignment)
            continue
        compileall.compile_dir(str(folder), quiet=1)
        binds[assignment] = {Path(folder): real}
    if unstripped:
        log(
            "warning: no stripped helpers library for the student's kernel (tools/strip.py missing): "
            f"in {', '.join(unstripped)}, a student's code can still call the library's answers"
        )
    return binds


def run_job(
    job: Job, limits: sandbox.Limits, env_extra: dict, extra_ro: list, binds: dict | None = None
) -> tuple:
    execution = trusted.run(
        job.prepared,
        job.evaluator_job,
        limits,
        files=job.files,
        env_extra=env_extra,
        extra_ro=extra_ro,
        binds=(binds or {}).get(job.assignment),
    )
    return score_job(job, execution, limits)


def score_job(job: Job, execution: sandbox.Execution, limits: sandbox.Limits) -> tuple:
    """(result, executed notebook) from a job's execution (here, or on a cluster's worker)."""
    result, executed = scoring.score_notebook(job.student, job.assignment, job.spec, job.prepared, execution)
    result.evaluator_cpu = getattr(execution, "evaluator_cpu", 0.0)
    if getattr(execution, "evaluator_problem", ""):
        result.problems.append({"kind": "evaluator", "detail": execution.evaluator_problem[:2000]})
    result.problems = [dict(e.as_dict(), kind=e.kind) for e in job.events] + result.problems
    if execution.oom_kills and execution.status == "done":  # children killed, the kernel went on
        cap = limits.memory_mb + sandbox.WORKER_MB
        detail = f"{execution.oom_kills} processes killed at the sandbox's memory cap ({cap} MB for all its processes)"
        result.problems.append({"kind": "memory", "detail": detail})
    return result, executed


def _run_local(jobs, workers: int, limits, env_extra, extra_ro, binds):
    """Yield ``(job, (result, executed))`` or ``(job, exception)`` as the thread pool finishes jobs."""
    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        futures = {pool.submit(run_job, job, limits, env_extra, extra_ro, binds): job for job in jobs}
        for future in as_completed(futures):
            try:
                yield futures[future], future.result()
            except Exception as err:
                yield futures[future], err
    finally:  # on Ctrl+C: nothing new starts, the sandboxes running now finish and are cleaned up
        pool.shutdown(wait=True, cancel_futures=True)


def _write_notebook_outputs(out: Path, result, executed, spec) -> None:
    rel = Path(result.student) / result.assignment
    if executed is not None:
        executed = sanitize.clean_notebook(executed)  # formgrader shows it in the instructor's Jupyter
        (out / "autograded" / rel).mkdir(parents=True, exist_ok=True)
        nbformat.write(executed, str(out / "autograded" / rel / f"{result.notebook}.ipynb"))
        safe = feedback.redact(executed, spec, result)
        page = feedback.render_html(safe, result)
    else:
        reasons = "".join(f"<li>{html.escape(p['detail'])}</li>" for p in result.problems)
        page = (
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(result.notebook)}"
            f"</title></head><body><h1>{html.escape(result.notebook)} (Score: 0 / {result.max_score:g})"
            f"</h1><p>This notebook could not be graded:</p><ul>{reasons}</ul></body></html>"
        )
    (out / "feedback" / rel).mkdir(parents=True, exist_ok=True)
    (out / "feedback" / rel / f"{result.notebook}.html").write_text(page, encoding="utf-8")


def grade(
    submissions: Path | str,
    out: Path | str,
    *,
    course_root: Path | str,
    workers: int = 1,
    scheduler: str | None = None,
    limits: sandbox.Limits | None = None,
    db_url: str | None = None,
    progress: bool = True,
    env_extra: dict | None = None,
    extra_ro: list | None = None,
    log=None,
    student_helpers=stripped_helpers,
) -> Outcome:
    started = time.monotonic()
    log = log or (lambda msg: print(msg, file=sys.stderr))
    course_root, out = Path(course_root).resolve(), Path(out).resolve()
    submissions = Path(submissions).resolve()
    limits = limits or sandbox.Limits()
    if not scheduler:  # with a cluster, its workers run the sandboxes (and check them when they join)
        reason = sandbox.sandbox_available(limits)
        if reason:
            raise GraderError(reason)
        notice = sandbox.isolation_notice()
        if notice:
            log(f"warning: {notice}")
        # built while the gradebook is (both take about a second of one core); the first job waits for it
        threading.Thread(target=sandbox.font_cache, daemon=True).start()
    if not find_assignments(course_root / "source"):
        raise GraderError(f"no assignments in {course_root / 'source'}: build source/ first (make source)")
    if not submissions.exists():
        raise GraderError(f"{submissions} does not exist")
    if out == submissions or submissions in out.parents:
        raise GraderError("OUT must not be inside SUBMISSIONS (SUBMISSIONS is never modified)")
    out.mkdir(parents=True, exist_ok=True)
    done = journal.Journal(out)  # what an interrupted run already graded into this OUT
    if done.resuming:
        log(f"resuming: {len(done.done)} notebooks already graded by an interrupted run ({done.path})")
    else:
        for sub in ("feedback", "autograded"):
            shutil.rmtree(out / sub, ignore_errors=True)
    shared = bool(db_url)  # a database given by the user may be shared with other graders
    db_url = normalise_db_url(db_url) if db_url else _sqlite_url(out / "gradebook.db")

    def writing():
        return dblock.gradebook_lock(db_url) if shared else nullcontext()

    work = Path(tempfile.mkdtemp(prefix="autograder-"))
    try:
        names = find_assignments(course_root / "source")
        try:
            received = intake.collect(submissions, names, work / "submitted")
        except intake.IntakeError as err:
            raise GraderError(str(err)) from err
        # record only the assignments handed in (each costs a GenerateAssignment pass)
        wanted = sorted({s.assignment for s in received.submissions}) or sorted(names)
        try:
            with writing():
                course = build_gradebook(course_root, db_url, work, assignments=wanted)
        except Exception as err:
            raise GraderError(f"could not build the gradebook from {course_root / 'source'}: {err}") from err
        gradebook_seconds = time.monotonic() - started
        jobs, results = plan(course, received, course_root)
        known = list(results)
        course_version = cluster.version_id(cluster.course_files())
        digests = {id(job): journal.job_digest(job, limits, course_version) for job in jobs}
        bar = _progress(len(jobs) + len(results), progress)
        for r in results:
            _write_notebook_outputs(out, r, None, None)
            bar.update(1)
        todo = []
        for job in jobs:
            earlier = done.finished(job, digests[id(job)])
            if earlier is None:
                todo.append(job)
            else:
                results.append(earlier)
                bar.update(1)
        workers_seen: dict = {}
        if scheduler:  # the workers strip the helpers library themselves
            runner = cluster.run_jobs(
                todo, limits, env_extra or {}, extra_ro or [], student_helpers, scheduler, log,
                score=lambda job, execution: score_job(job, execution, limits), info=workers_seen,
            )  # fmt: skip
        else:
            binds = _student_binds(sorted({j.assignment for j in todo}), work, student_helpers, log)
            runner = _run_local(todo, workers, limits, env_extra or {}, extra_ro or [], binds)
        try:
            for job, graded in runner:
                if isinstance(graded, cluster.WorkerLost):
                    result = scoring.zero_result(
                        job.student, job.assignment, job.spec, "worker_lost", str(graded)
                    )
                    executed = None
                elif isinstance(graded, Exception):  # a grader bug on one notebook must not stop the class
                    result = scoring.zero_result(
                        job.student,
                        job.assignment,
                        job.spec,
                        "error",
                        f"grader error: {type(graded).__name__}: {graded}",
                    )
                    executed = None
                else:
                    result, executed = graded
                results.append(result)  # the executed notebook is written below and then dropped
                try:
                    _write_notebook_outputs(out, result, executed, job.spec)
                except Exception as err:
                    result.problems.append({"kind": "feedback", "detail": f"feedback failed: {err}"})
                done.record(result, digests[id(job)])
                bar.set_postfix_str(
                    f"{result.student}/{result.notebook} {result.score:g}/{result.max_score:g}"
                )
                bar.update(1)
        except KeyboardInterrupt:
            runner.close()  # pending jobs cancelled, a local cluster shut down
            bar.close()
            log(
                f"interrupted: {len(results)} of {len(jobs) + len(known)} notebooks graded, kept in "
                f"{done.path}; run the same command again to grade the rest (the gradebook, grades.csv "
                "and report.json are written when every notebook is graded)"
            )
            raise
        except (RuntimeError, OSError, ValueError) as err:
            if scheduler:  # the cluster could not be used (not reachable, no worker passed its checks)
                raise GraderError(f"cluster {scheduler}: {err}") from err
            raise
        finally:
            runner.close()
            done.close()
        bar.close()
        timestamps = {(s.student, s.assignment): s.timestamp for s in received.submissions}
        unreadable = {(s.student, s.assignment): s.problems for s in received.submissions}
        for r in results:  # files of the hand-in that intake could not even write
            r.problems[:0] = unreadable.get((r.student, r.assignment), [])
        with writing():
            export.save_to_gradebook(db_url, course.course_id, results, timestamps)
            export.export_csv(db_url, course.course_id, out / "grades.csv")
        seconds = time.monotonic() - started
        meta = {
            "course_id": course.course_id,
            "assignments": {a: sorted(n) for a, n in course.assignments.items()},
            "workers": workers,
            "scheduler": scheduler,
            "limits": limits.__dict__,
            "seconds": round(seconds, 1),
            "gradebook_seconds": round(gradebook_seconds, 1),
            "isolation": workers_seen if scheduler else sandbox.isolation_report(),
            "grader_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        report = export.write_report(out / "report.json", results, received.warnings, meta)
        done.remove()
        for w in received.warnings:
            log(f"warning: {intake.printable(w)}")
        return Outcome(results, received.warnings, report, course, seconds)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(
        total=total, unit="nb", desc="grading", disable=not enabled, file=sys.stderr, dynamic_ncols=True
    )
