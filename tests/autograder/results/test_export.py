"""autograder.results.export: gradebook rows, nbgrader's CSV, report.json, summary; and PostgreSQL for real.

The PostgreSQL test starts its own server (Debian's postgresql package: initdb + pg_ctl on a temporary
folder, loopback port, run as the ``postgres`` user since initdb refuses root). It is skipped when
PostgreSQL is not installed, except under CI=true where it must run.
"""

from __future__ import annotations

import csv
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograder.grade import grade, normalise_db_url
from autograder.isolate.limits import Limits
from autograder.results import export
from autograder.results.scoring import CellResult, NotebookResult
from tests.autograder.support import IN_CI, make_course, make_spec, need_sandbox, perfect, release, write


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return make_course(tmp_path_factory)


@pytest.fixture(scope="module")
def course_spec(course, tmp_path_factory):
    return make_spec(course, tmp_path_factory)


def results():
    a1 = NotebookResult("ada", "a1_squares", "a1_squares", 6.0)
    a1.cells = [
        CellResult("square_tests", "test", 2.0, 2.0, "passed"),
        CellResult("cube_tests", "test", 3.0, 0.0, "failed", "AssertionError"),
        CellResult("why", "manual", 1.0, None, "manual"),
    ]
    a1.problems = [{"kind": "timeout", "detail": "the cell did not finish within 5 s"}]
    a2 = NotebookResult("bob", "a2_double", "a2_double", 1.0)
    a2.cells = [CellResult("double_tests", "test", 1.0, 1.0, "passed")]
    return [a1, a2]


def test_results_land_in_the_gradebook_and_nbgraders_csv(course_spec, tmp_path):
    export.save_to_gradebook(
        course_spec.db_url, course_spec.course_id, results(), {("ada", "a1_squares"): None}
    )
    export.export_csv(course_spec.db_url, course_spec.course_id, tmp_path / "grades.csv")
    rows = list(csv.DictReader((tmp_path / "grades.csv").open()))
    assert list(rows[0]) == [*export.CSV_COLUMNS, "problems"]
    by = {(r["student_id"], r["assignment"]): r for r in rows}
    assert len(rows) == 4  # 2 students x 2 assignments, as nbgrader exports
    assert float(by[("ada", "a1_squares")]["score"]) == 2.0
    assert float(by[("ada", "a1_squares")]["max_score"]) == 6.0
    assert float(by[("bob", "a2_double")]["score"]) == 1.0
    assert float(by[("bob", "a1_squares")]["score"]) == 0.0

    from nbgrader.api import Gradebook

    with Gradebook(course_spec.db_url, course_spec.course_id) as gb:
        why = gb.find_grade("why", "a1_squares", "a1_squares", "ada")
        assert why.auto_score is None and why.needs_manual_grade
        assert gb.find_grade("square_tests", "a1_squares", "a1_squares", "ada").auto_score == 2.0


def test_a_student_with_nothing_placed_gets_zero_rows_and_a_reason_in_the_report(
    course, tmp_path_factory, tmp_path
):
    spec = make_spec(course, tmp_path_factory)
    export.save_to_gradebook(spec.db_url, spec.course_id, results(), {})
    export.record_students(spec.db_url, spec.course_id, ["zoe", "zoe"])
    export.export_csv(spec.db_url, spec.course_id, tmp_path / "grades.csv")
    zoe = [r for r in csv.DictReader((tmp_path / "grades.csv").open()) if r["student_id"] == "zoe"]
    assert sorted((r["assignment"], r["score"], r["timestamp"]) for r in zoe) == [
        ("a1_squares", "0.0", ""),
        ("a2_double", "0.0", ""),
    ]
    problem = {"student": "zoe", "kind": "unplaced", "detail": "zoe/x.ipynb matches no notebook"}
    report = export.write_report(tmp_path / "report.json", results(), [], {}, [problem])
    assert [s["student_id"] for s in report["students"]] == ["ada", "bob", "zoe"]
    zoe_entry = report["students"][2]
    assert zoe_entry["problems"] == [{"kind": "unplaced", "detail": "zoe/x.ipynb matches no notebook"}]
    assert (zoe_entry["score"], zoe_entry["assignments"]) == (0.0, {})
    assert report["students"][0]["problems"] == []
    # grades.csv's last column gives the reason: the student's own problem, or the hand-in's
    export.export_csv(spec.db_url, spec.course_id, tmp_path / "grades.csv", export.problem_notes(report))
    rows = {
        (r["student_id"], r["assignment"]): r["problems"]
        for r in csv.DictReader((tmp_path / "grades.csv").open())
    }
    assert (
        rows[("zoe", "a1_squares")]
        == rows[("zoe", "a2_double")]
        == "unplaced: zoe/x.ipynb matches no notebook"
    )
    assert (
        rows[("ada", "a1_squares")].startswith("timeout: ") and rows[("ada", "a2_double")] == "not handed in"
    )


def test_csv_fields_are_quoted_so_no_row_can_be_forged(course_spec, tmp_path):
    """nbgrader's exporter joins fields unquoted; a comma or newline in a name forged rows and columns."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins.export import CsvExportPlugin

    export.save_to_gradebook(course_spec.db_url, course_spec.course_id, results(), {})
    theirs, ours = tmp_path / "nbgrader.csv", tmp_path / "grades.csv"
    with Gradebook(course_spec.db_url, course_spec.course_id) as gb:
        plugin = CsvExportPlugin()
        plugin.to = str(theirs)
        plugin.export(gb)
    report = export.write_report(tmp_path / "report.json", results(), [], {})
    export.export_csv(course_spec.db_url, course_spec.course_id, ours, export.problem_notes(report))
    # nbgrader's format byte for byte when nothing needs quoting, each line with the problems field after it
    pairs = list(zip(ours.read_text().splitlines(), theirs.read_text().splitlines(), strict=True))
    assert all(o.startswith(t + ",") for o, t in pairs) and pairs[0][0].endswith(",problems")
    assert [r[:-1] for r in csv.reader(ours.open(newline=""))] == list(csv.reader(theirs.open(newline="")))
    with Gradebook(course_spec.db_url, course_spec.course_id) as gb:
        gb.update_or_create_student("ada", last_name="Lovelace,,,,,,,,99\nmallory", first_name='"x"')
    export.export_csv(course_spec.db_url, course_spec.course_id, ours)
    rows = list(csv.reader(ours.open(newline="")))
    assert all(len(r) == len(export.CSV_COLUMNS) + 1 for r in rows) and len(rows) == 1 + 4
    ada = [dict(zip([*export.CSV_COLUMNS, "problems"], r, strict=True)) for r in rows if r[3] == "ada"]
    assert {r["last_name"] for r in ada} == {"Lovelace,,,,,,,,99\nmallory"} and ada[0]["first_name"] == '"x"'


def test_report_and_summary_list_every_problem(tmp_path):
    report = export.write_report(tmp_path / "report.json", results(), ["x: ignored"], {"workers": 2})
    assert json.loads((tmp_path / "report.json").read_text()) == report
    ada = next(s for s in report["students"] if s["student_id"] == "ada")
    nb = ada["assignments"]["a1_squares"]["notebooks"][0]
    assert nb["score"] == 2.0 and nb["max_score"] == 6.0 and nb["problems"][0]["kind"] == "timeout"
    table = export.summary_table(results())
    assert "ada" in table and "2 / 6" in table and "timeout" in table


# --- PostgreSQL ------------------------------------------------------------------------------------


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    bindir = _pg_bin()
    if bindir is None:
        message = "PostgreSQL is not installed (apt-get install postgresql)"
        if IN_CI:
            pytest.fail(message + "; CI=true, so the PostgreSQL test must run", pytrace=False)
        pytest.skip(message)
    user = "postgres"
    try:
        pw = pwd.getpwnam(user)
    except KeyError:
        pw = pwd.getpwnam("nobody")
        user = "nobody"
    base = Path(tempfile.mkdtemp(prefix="ag-pg-"))
    os.chmod(base, 0o755)
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        os.chown(base, pw.pw_uid, pw.pw_gid)
        os.chown(sock, pw.pw_uid, pw.pw_gid)
        as_user = ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--clear-groups", "--"]
    else:
        as_user = []
    env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", "HOME": str(base)}
    port = _free_port()
    run = dict(check=True, env=env, cwd=base, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    subprocess.run(
        as_user + [str(bindir / "initdb"), "-D", str(data), "-U", "grader", "--auth=trust", "-E", "UTF8"],
        **run,
    )
    opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        as_user
        + [str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(base / "log"), "-w", "start"],
        **run,
    )
    try:
        import psycopg2

        for _ in range(50):
            try:
                conn = psycopg2.connect(host="127.0.0.1", port=port, user="grader", dbname="postgres")
                break
            except psycopg2.OperationalError:
                time.sleep(0.2)
        conn.autocommit = True
        conn.cursor().execute("CREATE DATABASE gradebook")
        conn.close()
        yield f"postgresql://grader@127.0.0.1:{port}/gradebook"
    finally:
        subprocess.run(
            as_user + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            **{**run, "check": False},
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.postgres
def test_grading_into_a_real_postgresql_gradebook(course, postgres_url, tmp_path):
    need_sandbox()
    folder = tmp_path / "submitted"
    write(folder, "ada", "a2_double", perfect(course, "a2_double"))
    write(folder, "bob", "a2_double", release(course, "a2_double"))
    limits = Limits(timeout=10)
    out = tmp_path / "out"
    grade(folder, out, course_root=course, workers=2, limits=limits, db_url=postgres_url, progress=False)
    first = (out / "grades.csv").read_text()
    assert not (out / "gradebook.db").exists()
    rows = {(r["student_id"], r["assignment"]): float(r["score"]) for r in csv.DictReader(first.splitlines())}
    assert rows[("ada", "a2_double")] == 1.0 and rows[("bob", "a2_double")] == 0.0

    from nbgrader.api import Gradebook

    with Gradebook(normalise_db_url(postgres_url), "sample-course") as gb:
        assert sorted(s.id for s in gb.students) == ["ada", "bob"]
        assert gb.find_submission("a2_double", "ada").score == 1.0
    # a second grader (or a second run) against the same database gives the same grades
    grade(
        folder,
        tmp_path / "out2",
        course_root=course,
        workers=1,
        limits=limits,
        db_url=postgres_url,
        progress=False,
    )
    assert (tmp_path / "out2" / "grades.csv").read_text() == first


def _fresh_database(url: str, name: str) -> str:
    """A new empty database on the test server; its URL."""
    import psycopg2

    server = url.rsplit("/", 1)[0]
    host, port = server.split("@", 1)[1].split(":")
    conn = psycopg2.connect(host=host, port=int(port), user="grader", dbname="postgres")
    conn.autocommit = True
    conn.cursor().execute(f"CREATE DATABASE {name}")
    conn.close()
    return f"{server}/{name}"


def _grade_halves_at_once(course: Path, url: str, tmp_path: Path) -> None:
    """Two graders started together on halves of a class, one database; check both and the database."""
    halves = {"first": ("ada", "bob"), "second": ("cy", "dee")}
    procs = {}
    for half, (good, blank) in halves.items():
        write(tmp_path / half, good, "a2_double", perfect(course, "a2_double"))
        write(tmp_path / half, blank, "a2_double", release(course, "a2_double"))
    for half in halves:  # started together, not one after the other
        cmd = [sys.executable, "-m", "autograder", "grade", str(tmp_path / half), "--out", str(tmp_path / f"out-{half}"),
               "--course", str(course), "--db", url, "--workers", "1", "--timeout", "10", "--no-progress"]  # fmt: skip
        procs[half] = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for half, proc in procs.items():
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, f"{half}: {err[-2000:]}"
        rows = {r["student_id"]: float(r["score"]) for r in csv.DictReader((tmp_path / f"out-{half}" / "grades.csv").open())}  # fmt: skip
        good, blank = halves[half]
        assert rows[good] == 1.0 and rows[blank] == 0.0

    from nbgrader.api import Gradebook

    with Gradebook(normalise_db_url(url), "sample-course") as gb:
        assert sorted(s.id for s in gb.students) == ["ada", "bob", "cy", "dee"]
        assert [gb.find_submission("a2_double", s).score for s in ("ada", "bob", "cy", "dee")] == [
            1.0,
            0.0,
            1.0,
            0.0,
        ]


@pytest.mark.postgres
def test_two_graders_at_once_share_one_postgresql_gradebook(course, postgres_url, tmp_path):
    # a large course: two graders (two teaching assistants, two machines) start on halves of the
    # class at the same moment, against one empty gradebook; both finish and every grade is in it
    need_sandbox()
    _grade_halves_at_once(course, _fresh_database(postgres_url, "concurrent"), tmp_path)


def test_two_graders_at_once_share_one_sqlite_gradebook(course, tmp_path):
    need_sandbox()
    _grade_halves_at_once(course, f"sqlite:///{tmp_path / 'shared' / 'gradebook.db'}", tmp_path)
