"""Open nbgrader's formgrader on a folder the autograder graded, to grade the written answers by hand.

    python -m tools.formgrade GRADED [--db URL] [JupyterLab options ...]    (make formgrade GRADED=...)

nbgrader 0.9 has no ``nbgrader formgrader`` command: the formgrader is a JupyterLab extension and
works on the nbgrader course folder of the server it runs in. The autograder's output folder (its
``--out``) is almost one: it holds ``gradebook.db`` and ``autograded/<student>/<assignment>/``. This
tool adds what is missing, without touching the grades:

* ``GRADED/source``: a link to the course's ``source/`` (the formgrader reads the assignments there);
* ``GRADED/nbgrader_config.py``: the course's settings, with the course root and the gradebook
  pointed at ``GRADED`` (or the ``--db`` URL, e.g. the PostgreSQL gradebook the autograder used);

then starts JupyterLab in ``GRADED`` on the formgrader's manual-grading page
(``/formgrader/gradebook``). Written answers wait there marked "needs manual grade"; afterwards
``nbgrader export`` and ``nbgrader generate_feedback``, run in ``GRADED``, use the same settings.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARK = "# Written by tools/formgrade.py"
START_PAGE = "/formgrader/gradebook"


def config_text(graded: Path, db_url: str) -> str:
    """nbgrader_config.py for ``graded``: the course's settings, this folder as root, ``db_url``."""
    return (
        f"{MARK}: nbgrader on a graded folder (formgrader, export, generate_feedback).\n"
        "c = get_config()  # noqa: F821\n"
        f"load_subconfig({str(ROOT / 'nbgrader_config.py')!r})  # noqa: F821 (the course's settings)\n"
        f"c.CourseDirectory.root = {str(graded)!r}\n"
        f"c.CourseDirectory.db_url = {db_url!r}\n"
    )


def prepare(graded: Path, db_url: str | None = None) -> Path:
    """Make ``graded`` an nbgrader course folder; return its nbgrader_config.py.

    Refuses a folder the autograder did not write, and never replaces a ``source`` or
    ``nbgrader_config.py`` it did not write itself.
    """
    graded = graded.resolve()
    if not (graded / "autograded").is_dir():
        raise SystemExit(
            f"{graded} has no autograded/ folder: expected the --out folder of "
            "`python -m autograder grade SUBMISSIONS --out GRADED`"
        )
    if db_url is None:
        if not (graded / "gradebook.db").is_file():
            raise SystemExit(f"{graded} has no gradebook.db: give the gradebook's URL with --db")
        db_url = f"sqlite:///{graded / 'gradebook.db'}"
    source = graded / "source"
    if not source.exists() and not source.is_symlink():
        source.symlink_to(ROOT / "source", target_is_directory=True)
    elif source.resolve() != (ROOT / "source").resolve():
        raise SystemExit(f"{source} exists and is not the course's source/ ({ROOT / 'source'})")
    config = graded / "nbgrader_config.py"
    if config.exists() and not config.read_text().startswith(MARK):
        raise SystemExit(f"{config} exists and was not written by tools/formgrade.py: not replacing it")
    config.write_text(config_text(graded, db_url))
    return config


def lab_command(graded: Path, extra: list[str]) -> list[str]:
    """The JupyterLab command line that serves ``graded`` and opens the manual-grading page."""
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={graded.resolve()}",
        f"--LabApp.default_url={START_PAGE}",  # what `jupyter lab` opens (LabApp overrides ServerApp's)
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command + extra


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("graded", type=Path, help="the autograder's --out folder")
    parser.add_argument("--db", help="gradebook URL (default: sqlite GRADED/gradebook.db)")
    args, extra = parser.parse_known_args(argv)
    prepare(args.graded, args.db)
    command = lab_command(args.graded, extra)
    print(
        f"formgrader on {args.graded.resolve()}: JupyterLab opens {START_PAGE} (Ctrl+C stops it)", flush=True
    )
    os.chdir(args.graded)  # nbgrader reads nbgrader_config.py from the folder it runs in
    os.execv(command[0], command)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
