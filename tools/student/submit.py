"""Check a notebook and pack it for handing in (shipped as submit.py at the top of the bundle).

    python3 submit.py 04_losses              (Windows: py submit.py 04_losses; "04" works too)
    python3 submit.py 04_losses --student ID (the first time, or to change the saved id)

1. Runs ``04_losses/04_losses.ipynb`` from a fresh start in the course's environment (.venv), the way
   the grader does (``NBGRADER_EXECUTION`` set: explorers and long runs skipped; 120 s per cell, at
   most ``--timeout`` seconds in all). The notebook file itself is not changed.
2. Says, in plain words (one line each, no colour), which visible checks pass and which fail with
   their message, which exercises are not written yet and which written answers are still empty.
3. Writes ``submit/04_losses.zip`` holding ``<student id>/04_losses/04_losses.ipynb``: nbgrader's
   submitted layout, which the instructor's autograder takes as it is (one zip or many, see
   ``python -m autograder collect``). Your student id is asked once and kept in ``student-id.txt``.

Failing checks do not stop the zip: you may hand in unfinished work. Hidden tests check more when
your work is graded. Runs on whatever Python starts it, then continues in .venv's (no syntax newer
than Python 3.6 before that).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, ".venv")
ID_FILE = os.path.join(HERE, "student-id.txt")
# The autograder's rule for a student id (autograder/receive/intake.py, STUDENT_ID; a test keeps them equal)
STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}\Z")
STUDENT_ID_RULE = "letters, digits and . _ @ + -, starting with a letter or digit, at most 64 characters"
CELL_TIMEOUT = 120  # the grader's per-cell limit (nbgrader_config.py here says the same)
MESSAGE_CHARS = 400
NOT_WRITTEN = re.compile(r"Exercise (\w+) is not written yet")  # the message of an untouched answer


def venv_python():
    if os.name == "nt":
        return os.path.join(VENV, "Scripts", "python.exe")
    return os.path.join(VENV, "bin", "python")


def in_course_environment():
    """Continue in .venv's Python when this is another one (returns only when no switch is needed)."""
    here = os.path.realpath(sys.prefix)
    if os.path.exists(venv_python()) and here != os.path.realpath(VENV):
        sys.exit(subprocess.call([venv_python(), os.path.abspath(__file__)] + sys.argv[1:]))
    try:
        import nbclient  # noqa: F401
    except ImportError:
        sys.exit("The course's environment is not set up yet: run `python3 install.py` in this folder first.")


def find_notebook(wanted):
    """(assignment, path) for a name like 04_losses or a number like 04; SystemExit saying what exists."""
    names = sorted(
        d
        for d in os.listdir(HERE)
        if re.match(r"\d\d_", d) and os.path.isfile(os.path.join(HERE, d, d + ".ipynb"))
    )
    chosen = [n for n in names if n == wanted or n[:2] == wanted[:2] and wanted.isdigit()]
    if len(chosen) != 1:
        raise SystemExit(
            "No notebook {!r} in this folder. Give one of: {} (for example `python3 submit.py {}`).".format(
                wanted, ", ".join(names) or "(none found)", names[0] if names else "04_losses"
            )
        )
    return chosen[0], os.path.join(HERE, chosen[0], chosen[0] + ".ipynb")


def student_id(given):
    """The id given (then saved), else the saved one, else asked for once."""
    if given is None and os.path.isfile(ID_FILE):
        with open(ID_FILE, encoding="utf-8") as fh:
            given = fh.read().strip()
    if given is None:
        print("Your student id, exactly as your instructor gave it (asked once, kept in student-id.txt):")
        try:
            given = input("> ").strip()
        except EOFError:
            raise SystemExit(
                "No student id given: run `python3 submit.py NOTEBOOK --student YOUR_ID`."
            ) from None
    if not STUDENT_ID.match(given):
        raise SystemExit(f"{given!r} is not a valid student id ({STUDENT_ID_RULE}).")
    with open(ID_FILE, "w", encoding="utf-8") as fh:
        fh.write(given + "\n")
    return given


def run_notebook(path, total_timeout):
    """The notebook executed from a fresh kernel, as the grader runs it; and why it stopped early, if it did."""
    import nbformat
    from nbclient import NotebookClient

    folder = tempfile.mkdtemp(prefix="submit-")

    class Client(NotebookClient):
        def create_kernel_manager(self):
            """Local sockets where there are any: ipykernel then has no TCP warning to print (as
            nbgrader_config.py); at an absolute path, since the kernel runs in the notebook's folder."""
            km = super().create_kernel_manager()
            if os.name != "nt":
                km.transport, km.ip = "ipc", os.path.join(folder, "kernel")
            return km

    nb = nbformat.read(path, as_version=4)
    os.environ["NBGRADER_EXECUTION"] = "validate"  # what nbgrader's Validate sets: explorers are skipped
    client = Client(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        allow_errors=True,  # every check runs, as in grading
        resources={"metadata": {"path": os.path.dirname(path)}},
    )
    stopped = []

    def stop():
        stopped.append(f"the notebook took longer than {total_timeout} seconds in all, so it was stopped")
        km = client.km
        if km is not None and km.has_kernel:
            km.shutdown_kernel(now=True)

    timer = threading.Timer(total_timeout, stop)
    timer.start()
    try:
        client.execute()
    except Exception as err:  # a dead kernel, a cell over its time limit
        if not stopped:
            stopped.append(f"the run stopped early: {first_line(str(err)) or type(err).__name__}")
    finally:
        timer.cancel()
        shutil.rmtree(folder, ignore_errors=True)
    return nb, (stopped[0] if stopped else "")


def first_line(text):
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text).strip()
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= MESSAGE_CHARS else line[: MESSAGE_CHARS - 3] + "..."


def cell_error(cell):
    """The cell's error as one plain line, or "" when it ran cleanly."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return first_line("{}: {}".format(out.get("ename", "Error"), out.get("evalue", "")))
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            return "it wrote a warning or an error (a graded check must print none): " + first_line(
                out.get("text", "")
            )
    return ""


def points_text(points):
    return "{:g} point{}".format(points, "" if points == 1 else "s")


def report(nb, name, stopped):
    """The lines that say what passes and what does not; and whether every visible check passes."""
    checks, todo, unanswered = [], [], []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader") or {}
        gid = meta.get("grade_id", "")
        if meta.get("grade") and not meta.get("solution") and cell.cell_type == "code":
            points = float(meta.get("points") or 0)
            error = cell_error(cell)
            ran = cell.get("execution_count") is not None
            checks.append(
                (gid, points, "passes" if ran and not error else "fails", error or ("" if ran else "not run"))
            )
            todo += [n for n in NOT_WRITTEN.findall(error) if n not in todo]
        elif meta.get("solution") and meta.get("grade") and "YOUR ANSWER HERE" in cell.source:
            unanswered.append(gid)
    passing = [c for c in checks if c[2] == "passes"]
    lines = [
        f"Visible checks of {name}: {len(passing)} of {len(checks)} pass ({points_text(sum(c[1] for c in passing))} of {points_text(sum(c[1] for c in checks))}; hidden tests check more when it is graded)."
    ]
    for gid, points, verdict, why in checks:
        lines.append(
            "- {}, {}: {}.{}".format(
                gid, points_text(points), verdict, " " + why if verdict == "fails" else ""
            )
        )
    if todo:
        lines.append("Not written yet: {}.".format(", ".join(todo)))
    if unanswered:
        lines.append(
            "Written answers still empty (graded by your instructor): {}.".format(", ".join(unanswered))
        )
    if stopped:
        lines.append(f"Note: {stopped}; the grader would stop it too.")
    return lines, len(passing) == len(checks) and not stopped


def write_zip(path, name, student):
    """``submit/<name>.zip`` with ``<student>/<name>/<name>.ipynb``, the notebook as saved on disk."""
    folder = os.path.join(HERE, "submit")
    os.makedirs(folder, exist_ok=True)
    target = os.path.join(folder, name + ".zip")
    part = target + ".part"
    with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(path, f"{student}/{name}/{name}.ipynb")
    os.replace(part, target)
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", help="the notebook to hand in: its name (04_losses) or number (04)")
    parser.add_argument("--student", help="your student id (asked once, then kept in student-id.txt)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds for the whole run (default 600)")
    args = parser.parse_args(argv)
    name, path = find_notebook(args.notebook)
    student = student_id(args.student)
    print(
        f"Running {os.path.relpath(path, HERE)} from a fresh start, as the grader does (save it in JupyterLab first)...",
        flush=True,
    )
    nb, stopped = run_notebook(path, args.timeout)
    lines, complete = report(nb, name, stopped)
    print("\n".join(lines))
    target = write_zip(path, name, student)
    print(
        f"Wrote {os.path.relpath(target, HERE)} for student {student}: hand in this file as your instructor asks."
    )
    if not complete:
        print("You may hand it in as it is, or fix what fails, save, and run this command again.")
    return 0


if __name__ == "__main__":
    in_course_environment()
    sys.exit(main())
