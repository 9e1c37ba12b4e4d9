"""Command line: ``python -m autograder grade|export|collect|feedback|report|demo|cluster-credentials``.

``grade`` grades (into an existing OUT: replaces only what it grades, ``--student``/``--assignment``
select); ``feedback OUT`` renders the feedback pages and the class report again with the manual
grades of the gradebook; ``report OUT`` writes OUT/class-report.html again; ``export OUT`` writes the grades for an LMS;
``collect DOWNLOAD DEST`` unpacks the students' submit.py zips into nbgrader's submitted/.

Exit status: 0 when every hand-in was graded (problems included, they are in report.json),
2 when the grader itself could not run (the reason is printed).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .errors import GraderError
from .grade import grade, graded_course, normalise_db_url
from .isolate.limits import Limits
from .receive.course import load_course_config
from .receive.intake import printable
from .results import classreport, export, history, late, lms, manual, roster


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
        help="grade on a Dask cluster: its scheduler's TLS address (tls://HOST:8786, with "
        "DASK_CONFIG=DIR/client.yaml of cluster-credentials) or local:N (N worker processes here); "
        "needs the [cluster] extra. Replaces --workers",
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
    g.add_argument(
        "--extensions",
        type=Path,
        default=None,
        help="CSV student_id,assignment,due of extended due dates (default: c.Autograder.extensions_file)",
    )
    e = sub.add_parser("export", help="grades for Canvas, Moodle, or nbgrader's CSV, from a graded OUT")
    e.add_argument("out", type=Path, help="the --out folder of a grading run")
    e.add_argument("--format", choices=lms.FORMATS, required=True, help="canvas | moodle | csv")
    e.add_argument("--roster", type=Path, default=None, help="the class roster CSV (autograder/README.md)")
    e.add_argument(
        "--to",
        type=Path,
        default=None,
        help="the file to write (default: OUT/canvas-grades.csv, OUT/moodle-grades.csv, OUT/grades.csv)",
    )
    e.add_argument("--db", default=None, help="gradebook database URL (default: sqlite OUT/gradebook.db)")
    e.add_argument("--missing", choices=("blank", "zero"), default="blank",
                   help="no submission: a blank cell (the LMS keeps its grade, default) or 0")  # fmt: skip
    e.add_argument("--allow-unlisted", action="store_true",
                   help="leave graded students missing from the roster out (with a warning) instead of failing")  # fmt: skip
    e.add_argument("--feedback-url", default=None,
                   help="moodle: add feedback columns, BASE/<student>/<assignment>/<nb>.html")  # fmt: skip
    for name, what in (
        ("feedback", "render the feedback pages and the class report again with the manual grades"),
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
    c = sub.add_parser(
        "cluster-credentials",
        help="write a CA, scheduler, worker and client TLS certificates and a Dask config file per role",
    )
    c.add_argument(
        "dir", type=Path, help="folder for them (created; existing credentials are never replaced)"
    )
    c.add_argument(
        "--installed-at",
        default=None,
        help="the folder's absolute path on the cluster's machines, as the config files name it (default: DIR)",
    )
    c = sub.add_parser(
        "collect", help="the students' submit.py zips, as the LMS returns them, into submitted/"
    )
    c.add_argument(
        "download", type=Path, help="the LMS's download: a folder or .zip holding the students' zips"
    )
    c.add_argument("dest", type=Path, help="nbgrader's submitted/ folder to fill")
    c.add_argument("--replace", action="store_true", help="take a changed hand-in (the old one is kept)")
    c.add_argument("--course", type=Path, default=None, help="course root holding source/ (default: here)")
    return parser.parse_args(argv)


def export_command(args) -> int:
    """``python -m autograder export``: 0 and the file's path, or 2 and every problem found."""
    try:
        roster_found = roster.load(args.roster) if args.roster else None
        written, notes = lms.export_grades(
            args.out,
            args.format,
            to=args.to,
            roster=roster_found,
            db_url=normalise_db_url(args.db) if args.db else None,
            missing=args.missing,
            allow_unlisted=args.allow_unlisted,
            feedback_url=args.feedback_url,
        )
    except roster.RosterError as err:
        print(f"autograder: cannot export: {printable(err)}", file=sys.stderr)
        return 2
    for note in notes:
        print(f"warning: {printable(note)}", file=sys.stderr)
    print(f"{args.format} grades written to {printable(shown_path(written))}")
    return 0


def write_cluster_credentials(folder: Path, installed_at: str | None) -> int:
    from .run.credentials import write_credentials

    try:
        configs = write_credentials(folder, installed_at)
    except (OSError, ImportError, ValueError) as err:
        print(f"autograder: cannot write credentials: {printable(err)}", file=sys.stderr)
        return 2
    for role, path in configs.items():
        print(f"{role:>9}: DASK_CONFIG={printable(shown_path(path))}")
    print("The client's key (client-key.pem) belongs on the coordinator only; workers need ca.pem, worker*.")
    return 0


def collect(args) -> int:
    """``python -m autograder collect DOWNLOAD DEST``: what was copied, left and not taken."""
    from .receive.collect import collect_zips
    from .receive.course import find_assignments
    from .receive.intake import IntakeError

    course = (args.course or default_course_root()).resolve()
    try:
        done = collect_zips(args.download, args.dest, set(find_assignments(course / "source")), args.replace)
    except IntakeError as err:
        print(f"autograder: cannot collect: {printable(err)}", file=sys.stderr)
        return 2
    for what, keys in (("copied", done.copied), ("replaced", done.replaced), ("unchanged", done.unchanged)):
        for key in keys:
            print(f"{what}: {key}")
    for problem in done.problems:
        print(f"not taken: {printable(problem)}")
    print(
        f"{len(done.copied)} copied, {len(done.replaced)} replaced, {len(done.unchanged)} unchanged, "
        f"{len(done.problems)} problems; grade with: python -m autograder grade {printable(args.dest)} --out OUT"
    )
    return 0


def after_grading(command: str, out: Path, course_root: Path, db: str | None) -> int:
    """``feedback OUT`` and ``report OUT``: pages made again from what OUT holds."""
    try:
        course = graded_course(out, course_root, db)
        if command == "feedback":
            n = manual.rerender(out, course, policy=late.policy_from_config(load_course_config(course_root)))
            print(f"{n} feedback pages written in {printable(shown_path(Path(out) / 'feedback'))}")
            path = classreport.write(out, course)  # its written answers graded now too
            print(f"class report written: {printable(shown_path(path))}")
        else:
            path = classreport.write(out, course)
            print(f"class report written: {printable(shown_path(path))}")
    except GraderError as err:
        print(f"autograder: cannot {command}: {printable(err)}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.command == "export":
        return export_command(args)
    if args.command == "cluster-credentials":
        return write_cluster_credentials(args.dir, args.installed_at)
    if args.command == "collect":
        return collect(args)
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
            extensions=getattr(args, "extensions", None),
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
