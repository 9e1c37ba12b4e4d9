"""Command line: ``python -m autograder grade SUBMISSIONS --out OUT``, ``demo``, ``feedback OUT``, ``report OUT``.

``grade`` grades (into an existing OUT: replaces only what it grades, ``--student``/``--assignment``
select); ``feedback OUT`` renders the feedback pages again with the manual grades of the gradebook;
``report OUT`` writes OUT/class-report.html again.

Exit status: 0 when every hand-in was graded (problems included, they are in report.json),
2 when the grader itself could not run (the reason is printed).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .errors import GraderError
from .grade import grade, graded_course
from .isolate.limits import Limits
from .receive.intake import printable
from .results import classreport, export, history, manual


def default_course_root() -> Path:
    cwd = Path.cwd()
    if (cwd / "source").is_dir():
        return cwd
    return Path(__file__).resolve().parents[1]


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--course", type=Path, default=None, help="course root holding source/ (default: here)")
    p.add_argument(
        "--workers", type=int, default=min(2, os.cpu_count() or 1), help="notebooks graded at once"
    )
    p.add_argument(
        "--scheduler",
        default=None,
        help="grade on a Dask cluster: its scheduler's address (tcp://HOST:8786) or local:N "
        "(N worker processes here); needs the [cluster] extra. Replaces --workers",
    )
    p.add_argument(
        "--timeout", type=int, default=120, help="seconds per cell (default 120, as nbgrader_config.py)"
    )
    p.add_argument(
        "--memory", type=int, default=2048, help="memory cap per notebook kernel in MB (default 2048)"
    )
    p.add_argument(
        "--db",
        default=None,
        help="gradebook database URL (default: sqlite OUT/gradebook.db), "
        "e.g. postgresql://user:pass@host/dbname",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="grade a folder or .zip of hand-ins")
    g.add_argument("submissions", type=Path, help="<student>/<assignment>/<notebook>.ipynb folder or .zip")
    g.add_argument("--out", type=Path, required=True, help="where grades.csv, report.json, feedback/ go")
    g.add_argument(
        "--student",
        action="append",
        default=None,
        metavar="ID",
        help="grade only this student's hand-ins (repeatable); the others in OUT stay",
    )
    g.add_argument("--assignment", action="append", default=None, metavar="NAME",
                   help="grade only this assignment (repeatable); the others in OUT stay")  # fmt: skip
    _common(g)
    for name, what in (
        ("feedback", "render every feedback page again with the manual grades and comments of the gradebook"),
        ("report", f"write OUT/{classreport.NAME} again from OUT/report.json"),
    ):
        r = sub.add_parser(name, help=what)
        r.add_argument("out", type=Path, help="a folder graded by `grade --out`")
        r.add_argument(
            "--course", type=Path, default=None, help="course root holding source/ (default: here)"
        )
        r.add_argument(
            "--db", default=None, help="the gradebook URL given to `grade --db` (default OUT/gradebook.db)"
        )
    d = sub.add_parser("demo", help="build a sample class from release/ and source/ and grade it")
    d.add_argument("--out", type=Path, default=Path("artifacts/grade-demo"), help="output folder")
    d.add_argument("--assignments", nargs="*", default=None, help="only these assignments")
    _common(d)
    d.set_defaults(timeout=30)
    return parser.parse_args(argv)


def after_grading(command: str, out: Path, course_root: Path, db: str | None) -> int:
    """``feedback OUT`` and ``report OUT``: pages made again from what OUT holds."""
    try:
        course = graded_course(out, course_root, db)
        if command == "feedback":
            n = manual.rerender(out, course)
            print(f"{n} feedback pages written in {printable(shown_path(Path(out) / 'feedback'))}")
        else:
            path = classreport.write(out, course)
            print(f"class report written: {printable(shown_path(path))}")
    except GraderError as err:
        print(f"autograder: cannot {command}: {printable(err)}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    course = (args.course or default_course_root()).resolve()
    if args.command in ("feedback", "report"):
        return after_grading(args.command, args.out, course, args.db)
    limits = Limits(timeout=args.timeout, memory_mb=args.memory)
    try:
        if args.command == "demo":
            from .demo.sampleclass import build_class

            submissions = args.out / "submitted"
            build_class(course, submissions, assignments=args.assignments)
            out = args.out / "graded"
        else:
            submissions, out = args.submissions, args.out
        outcome = grade(
            submissions,
            out,
            course_root=course,
            workers=args.workers,
            scheduler=args.scheduler,
            limits=limits,
            db_url=args.db,
            progress=not args.no_progress,
            students=getattr(args, "student", None),
            assignments=getattr(args, "assignment", None),
        )
    except GraderError as err:
        print(f"autograder: cannot grade: {printable(err)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # grade() said what was kept; a rerun grades the rest
        return 130
    print(export.summary_table(outcome.results))
    total = len(outcome.results)
    flagged = sum(1 for r in outcome.results if r.problems)
    print(
        f"\n{total} notebooks graded in {outcome.seconds:.1f} s, {flagged} with problems (see report.json)."
    )
    print("\n" + history.changes_table(outcome.changes))
    print(f"grades.csv, report.json, {classreport.NAME} and feedback/ are in {printable(shown_path(out))}")
    return 0


def shown_path(path) -> Path:
    """``path`` relative to the working folder when it is inside it (shorter to read), else absolute."""
    path = Path(path).resolve()
    try:
        return path.relative_to(Path.cwd().resolve())
    except ValueError:
        return path


if __name__ == "__main__":
    sys.exit(main())
