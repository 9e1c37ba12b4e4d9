"""autograder.run.cluster: grading on a Dask cluster (``--scheduler``), on the sample course, in real sandboxes.

* the demo class (autograder.demo on the sample course) graded by a LocalCluster of 2 worker
  processes gets exactly the scores, cell verdicts, problems and grades.csv of ``--workers 2``;
* a worker process killed (SIGKILL) while it holds a job costs nothing: the job runs again on a
  worker the nanny restarts and every notebook is in the gradebook once; a job whose worker is
  killed every time it runs (as a job that crashed its worker would) is given up after the
  scheduler's allowed-failures and scored 0 with the problem ``worker_lost``;
* a worker whose course files differ is refused with the reason, never gets a job (its resource
  stays 0), and with only such workers the grader stops (exit 2) with the reasons;
* Ctrl+C (SIGINT to the coordinator) stops the run cleanly: exit 130, the notebooks graded so far
  kept in OUT/journal.jsonl, no grades.csv; the rerun grades only the rest;
* check_worker names every difference (files, packages);
* no plaintext: the grader refuses a ``tcp://`` scheduler and a ``tls://`` one without the client's
  certificates, saying how to set up TLS; a root worker on an unencrypted cluster refuses and logs
  why; a worker that is not root refuses with what to ask the administrator for;
* the README's one-machine TLS recipe, command for command (scheduler and two workers as separate
  processes), keeps out clients without its certificates and grades the demo class with one worker
  killed mid-run exactly as the thread pool does; the restarted worker removes the killed one's
  empty cgroups.

The clusters here speak TLS with the files of ``cluster-credentials`` (the ``creds`` fixture).
"""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import pytest

from tests.autograder.support import IN_CI, cli, make_course, need_sandbox, perfect, write

try:
    import dask
    from distributed import Client
    from distributed.security import Security
except ImportError:  # `make setup` installs the [cluster] extra: CI must run these tests
    if IN_CI:
        raise
    pytest.skip("the [cluster] extra (dask, distributed) is not installed", allow_module_level=True)

from autograder.demo import sampleclass as demo  # noqa: E402
from autograder.grade import GraderError, grade  # noqa: E402
from autograder.isolate import cgroups  # noqa: E402
from autograder.isolate.limits import Limits  # noqa: E402
from autograder.run import cluster, credentials, version  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
LIMITS = Limits(timeout=5, grace=3, memory_mb=2048)


@pytest.fixture(scope="module")
def creds(tmp_path_factory) -> Path:
    """The files of ``python -m autograder cluster-credentials`` for this module's clusters."""
    folder = tmp_path_factory.mktemp("creds")
    credentials.write_credentials(folder)
    return folder


@pytest.fixture
def as_client(creds):
    """This process configured as the coordinator (what ``DASK_CONFIG=creds/client.yaml`` does)."""
    with dask.config.set(credentials.role_settings(creds, "client")):
        yield creds


def local_cluster(creds: Path, n: int, allowed_failures: int = 3):
    """What --scheduler local:N starts, with the credentials of ``creds``: grade() and outside workers
    (``DASK_CONFIG=creds/worker.yaml``) connect to it by address."""
    lc = cluster.local_cluster(n, allowed_failures, security=credentials.every_role(creds))
    return lc, Client(lc)


def notebooks(out: Path) -> dict:
    """(student, assignment, notebook) -> what was graded, from report.json (duplicates fail)."""
    report = json.loads((out / "report.json").read_text())
    seen = {}
    for s in report["students"]:
        for a, asg in s["assignments"].items():
            for nb in asg["notebooks"]:
                key = (s["student_id"], a, nb["notebook"])
                assert key not in seen, f"{key} graded twice"
                seen[key] = nb
    return seen


def verdicts(out: Path) -> dict:
    return {
        key: (
            nb["score"],
            nb["max_score"],
            nb["status"],
            [(c["grade_id"], c["status"], c["score"], c["reason"]) for c in nb["cells"]],
            sorted(p["kind"] for p in nb["problems"]),
        )
        for key, nb in notebooks(out).items()
    }


def csv_rows(out: Path) -> list[dict]:
    return sorted(
        csv.DictReader((out / "grades.csv").open()), key=lambda r: (r["student_id"], r["assignment"])
    )


def gradebook_rows(out: Path) -> list[tuple]:
    with sqlite3.connect(out / "gradebook.db") as db:
        return db.execute(
            "select s.student_id, nb.name from submitted_notebook n "
            "join submitted_assignment s on n.assignment_id = s.id join notebook nb on n.notebook_id = nb.id"
        ).fetchall()


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    need_sandbox()
    return make_course(tmp_path_factory)


def test_local_cluster_grades_the_demo_class_like_the_thread_pool(course, tmp_path):
    folder = demo.build_class(course, tmp_path / "class")
    pool, dask_out = tmp_path / "pool", tmp_path / "dask"
    # the same verdicts also under load: the cell's budget runs from each call's start to its answer, so a
    # slow machine must not turn a quick failure into a timeout on one side only (seen in CI at --timeout 5)
    limits = Limits(timeout=15, grace=3, memory_mb=2048)
    grade(folder, pool, course_root=course, workers=2, limits=limits, progress=False)
    grade(folder, dask_out, course_root=course, scheduler="local:2", limits=limits, progress=False)
    ours, theirs = verdicts(dask_out), verdicts(pool)
    assert ours == theirs
    assert len(ours) == 18 and {k[0] for k in ours} >= {"perfect", "crasher", "tidy", "snoop", "broken"}
    assert ours[("perfect", "a1_squares", "a1_squares")][0] == 5.0  # the manual point waits for a person
    assert csv_rows(dask_out) == csv_rows(pool)
    assert sorted(gradebook_rows(dask_out)) == sorted(gradebook_rows(pool))
    report = json.loads((dask_out / "report.json").read_text())
    assert report["scheduler"] == "local:2" and len(report["isolation"]["accepted"]) == 2
    for nb in ("a1_squares", "a2_double"):  # feedback is written by the coordinator, as without Dask
        assert (dask_out / "feedback" / "perfect" / nb / f"{nb}.html").is_file()
    assert not (dask_out / "journal.jsonl").exists()


def test_killed_workers_cost_nothing_and_a_job_that_keeps_killing_them_is_given_up(
    course, as_client, tmp_path
):
    folder = tmp_path / "class"
    for student in ("s1", "s2", "s3", "s4"):
        for a in ("a1_squares", "a2_double"):
            write(folder, student, a, perfect(course, a))
    poison = perfect(course, "a1_squares")
    # slow enough that it cannot finish while the test waits for a killed worker to leave (as it did
    # once under CI's load): each try lasts until the test kills its worker
    poison.cells[:0] = [nbformat.v4.new_code_cell("import time\ntime.sleep(4)") for _ in range(6)]
    write(folder, "poison", "a1_squares", poison)
    lc, client = local_cluster(as_client, 2, allowed_failures=2)
    out, logs, done = tmp_path / "out", [], []
    try:
        run = threading.Thread(
            target=lambda: done.append(
                grade(
                    folder,
                    out,
                    course_root=course,
                    scheduler=lc.scheduler_address,
                    limits=LIMITS,
                    progress=False,
                    log=logs.append,
                )  # fmt: skip
            )
        )
        run.start()
        killed: list[str] = []  # the jobs whose worker was killed, in order
        pids: list[int] = []
        deadline = time.monotonic() + 400
        while run.is_alive() and time.monotonic() < deadline:
            for worker, keys in client.processing().items():
                victim = next((k for k in keys if k[1] == "poison"), None)
                if victim is None and not any(k[1] != "poison" for k in killed):
                    victim = next(iter(keys), None)  # one innocent job: killed once
                if victim is None:
                    continue
                time.sleep(1)  # let its sandboxes start
                if victim not in client.processing().get(worker, ()):
                    break
                pid = client.run(os.getpid, workers=[worker])[worker]
                os.kill(pid, signal.SIGKILL)
                killed.append(victim)
                pids.append(pid)
                while worker in client.scheduler_info(n_workers=-1)["workers"]:
                    time.sleep(0.1)
                break
            time.sleep(0.2)
        run.join(timeout=60)
    finally:
        client.close()
        lc.close()
    assert done, f"grading did not finish; log: {logs}"
    jobs = ["/".join(k[1:]) for k in killed]  # keys: ("autograder-<run>", student, assignment, notebook)
    innocent = [j for j in jobs if not j.startswith("poison/")]
    assert len(innocent) == 1, jobs
    assert jobs.count("poison/a1_squares/a1_squares") == 3, jobs  # allowed-failures 2, +1
    graded = notebooks(out)
    assert len(graded) == 9
    for (student, a, _), r in graded.items():
        if student == "poison":
            assert r["status"] == "worker_lost" and r["score"] == 0
            assert "died 3 times" in r["problems"][0]["detail"]
        else:  # the innocent job killed once included
            assert r["score"] == {"a1_squares": 5.0, "a2_double": 1.0}[a] and not r["problems"], (
                student,
                a,
                r,
            )
    rows = gradebook_rows(out)
    assert len(rows) == len(set(rows)) == 9  # each notebook once in the gradebook
    assert sandbox_groups_left(pids) == []  # nothing of a killed worker's sandboxes lives on


def sandbox_groups_left(pids: list[int]) -> list[Path]:
    """The cgroups of sandboxes started by worker processes ``pids`` (killed: they could not remove them).

    Each must be empty (bwrap dies with its worker, its pid namespace with it); they are removed
    here. Returns the groups that still held a process after 10 s.
    """
    layout = cgroups.cgroups()
    if isinstance(layout, str):
        return []
    busy = []
    for base in layout.bases.values():
        for pid in pids:
            for group in base.glob(f"autograder-{pid}-*"):
                deadline = time.monotonic() + 10
                while cgroups._read_pids(group) and time.monotonic() < deadline:
                    time.sleep(0.1)
                if cgroups._read_pids(group):
                    busy.append(group)
                else:
                    group.rmdir()
    return busy


def _other_checkout(dest: Path) -> Path:
    """A copy of the course files the sandboxes load, with one library file changed."""
    for part in version.COURSE_PARTS:
        shutil.copytree(ROOT / part, dest / part, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    with (dest / "helpers" / "activations.py").open("a") as f:
        f.write("\n# a local change on this worker\n")
    return dest


def test_a_worker_with_other_course_files_is_refused_and_its_log_says_why(course, as_client, tmp_path):
    folder = tmp_path / "class"
    for a in ("a1_squares", "a2_double"):
        write(folder, "ada", a, perfect(course, a))
    other = _other_checkout(tmp_path / "other")
    lc, client = local_cluster(as_client, 0)
    worker_logs = []

    def other_worker():
        worker_logs.append(tmp_path / f"worker{len(worker_logs)}.log")
        return subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", lc.scheduler_address, "--nthreads", "1",
             "--no-nanny", "--no-dashboard"],
            cwd=other, env={**os.environ, "PYTHONPATH": str(other), "DASK_CONFIG": str(as_client / "worker.yaml")},
            stdout=subprocess.DEVNULL, stderr=worker_logs[-1].open("w"),
        )  # fmt: skip

    workers = [other_worker()]
    try:
        client.wait_for_workers(1, timeout=120)
        with pytest.raises(GraderError, match=r"every worker refused: .*helpers/activations\.py"):
            grade(folder, tmp_path / "out1", course_root=course, scheduler=lc.scheduler_address,
                  limits=LIMITS, progress=False, log=lambda m: None)  # fmt: skip
        assert workers[0].wait(timeout=60) is not None  # it left the cluster by itself
        workers.append(other_worker())
        client.wait_for_workers(1, timeout=120)
        (address,) = client.scheduler_info(n_workers=-1)["workers"]
        lc.scale(1)
        client.wait_for_workers(2, timeout=120)
        logs = []
        grade(folder, tmp_path / "out2", course_root=course, scheduler=lc.scheduler_address, limits=LIMITS,
              progress=False, log=logs.append)  # fmt: skip
        assert workers[1].wait(timeout=60) is not None
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
                w.wait()
        client.close()
        lc.close()
    refusals = [line for line in logs if "refused" in line]
    assert len(refusals) == 1 and address in refusals[0], logs
    assert "course version" in refusals[0] and "differ: helpers/activations.py" in refusals[0]
    assert "packages differ" not in refusals[0]  # the same virtualenv
    # the venv's editable install points at this checkout, so the copy's own sandbox cannot even
    # import its autograder (python -I ignores PYTHONPATH): the smoke test says so too
    assert "sandbox smoke test failed" in refusals[0] and "No module named 'autograder'" in refusals[0]
    for log in worker_logs:  # the refused worker's own log says why, for the operator of that machine
        own = log.read_text()
        assert "refused by the autograder's start-up check: course version" in own, own[-3000:]
        assert "differ: helpers/activations.py" in own
    report = json.loads((tmp_path / "out2" / "report.json").read_text())
    assert list(report["isolation"]["refused"]) == [address]
    assert address not in report["isolation"]["accepted"] and len(report["isolation"]["accepted"]) == 1
    assert [nb["score"] for nb in notebooks(tmp_path / "out2").values()] == [5.0, 1.0]


def test_ctrl_c_stops_cleanly_and_the_rerun_grades_what_is_left(course, tmp_path):
    folder = tmp_path / "class"
    for student in ("s1", "s2", "s3"):
        for a in ("a1_squares", "a2_double"):
            write(folder, student, a, perfect(course, a))
    out = tmp_path / "out"
    args = ["grade", str(folder), "--out", str(out), "--course", str(course), "--scheduler", "local:2",
            "--timeout", "5", "--no-progress"]  # fmt: skip
    first = subprocess.Popen(
        [sys.executable, "-m", "autograder", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    journal = out / "journal.jsonl"
    deadline = time.monotonic() + 300
    while first.poll() is None and time.monotonic() < deadline:
        if journal.is_file() and len(journal.read_text().splitlines()) >= 2:
            break
        time.sleep(0.1)
    first.send_signal(signal.SIGINT)
    _, err = first.communicate(timeout=120)
    assert first.returncode == 130, err[-3000:]
    kept = len(journal.read_text().splitlines())
    assert 2 <= kept < 6
    assert f"interrupted: {kept} of 6 notebooks graded" in err
    assert not (out / "grades.csv").exists() and not (out / "report.json").exists()
    stamps = {p: p.stat().st_mtime_ns for p in (out / "autograded").rglob("*.ipynb")}
    assert len(stamps) >= kept
    again = cli(*args, cwd=ROOT, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"resuming: {kept} notebooks already graded" in again.stderr
    regraded = [p for p, t in stamps.items() if p.stat().st_mtime_ns != t]
    assert len(stamps) - len(regraded) >= kept  # the journal's notebooks were not graded again
    graded = notebooks(out)
    assert len(graded) == 6 and all(nb["score"] == {"a1_squares": 5.0, "a2_double": 1.0}[a]
                                    for (_, a, _), nb in graded.items())  # fmt: skip
    assert len(csv_rows(out)) == 6 and not journal.exists()


def test_check_worker_names_every_difference(course):
    expected = cluster.expected_state(LIMITS)
    assert cluster.check_worker(expected) == []  # this machine is its own coordinator
    files = dict(expected["course"])
    files["helpers/losses.py"] = "0" * 64
    del files["autograder/grade.py"]
    files["helpers/extra.py"] = "1" * 64
    installed = {**expected["packages"], "numpy": "1.26.0"}
    del installed["nbgrader"]
    problems = cluster.check_worker(expected, files=files, installed=installed)
    assert len(problems) == 2, problems
    assert "differ: helpers/losses.py" in problems[0] and "missing here: autograder/grade.py" in problems[0]
    assert "only here: helpers/extra.py" in problems[0]
    assert version.version_id(files) in problems[0] and version.version_id(expected["course"]) in problems[0]
    assert f"numpy 1.26.0 (coordinator {expected['packages']['numpy']})" in problems[1]
    assert "nbgrader missing" in problems[1]


def test_local_cluster_talks_tls_with_this_process_only():
    lc = cluster.local_cluster(1)
    try:
        assert lc.scheduler_address.startswith("tls://127.0.0.1:")
        with Client(lc) as ours:  # the cluster's temporary credentials
            assert ours.submit(sum, [1, 2]).result() == 3
        with pytest.raises((TypeError, OSError)):  # no credentials: no connection
            Client(lc.scheduler_address, timeout=5)
    finally:
        lc.close()


def test_bad_scheduler_is_a_clear_error(course, tmp_path):
    folder = tmp_path / "class"
    write(folder, "ada", "a2_double", perfect(course, "a2_double"))
    with pytest.raises(GraderError, match="local:N needs a number of workers"):
        grade(folder, tmp_path / "out", course_root=course, scheduler="local:zero", progress=False)


# ---- no plaintext, no open door -------------------------------------------------------------------


def test_a_plain_or_certificate_less_scheduler_is_refused_before_grading(course, creds, tmp_path):
    folder = tmp_path / "class"
    write(folder, "ada", "a2_double", perfect(course, "a2_double"))
    with pytest.raises(
        GraderError, match=r"'tcp://127\.0\.0\.1:8786' refused: .* only over TLS: .*cluster-credentials"
    ):
        grade(folder, tmp_path / "out", course_root=course, scheduler="tcp://127.0.0.1:8786", progress=False)
    with dask.config.set({"distributed.comm.tls.client.cert": None, "distributed.comm.tls.client.key": None,
                          "distributed.comm.tls.ca-file": None}):  # fmt: skip
        with pytest.raises(GraderError, match=r"needs the client's TLS certificates \(not configured: "
                           r"distributed\.comm\.tls\.ca-file, .*client\.cert, .*client\.key\)"):  # fmt: skip
            grade(
                folder, tmp_path / "out", course_root=course, scheduler="tls://127.0.0.1:8786", progress=False
            )
    gone = credentials.role_settings(tmp_path / "nowhere", "client")
    with dask.config.set(gone), pytest.raises(GraderError, match=r"no such file: .*nowhere/ca\.pem"):
        grade(folder, tmp_path / "out", course_root=course, scheduler="tls://127.0.0.1:8786", progress=False)
    assert not (tmp_path / "out").exists()  # refused before anything was written
    # the command line says the same, with exit 2
    done = cli("grade", folder, "--out", tmp_path / "o", "--course", course, "--scheduler", "tcp://grader01:8786",
               cwd=ROOT, timeout=300)  # fmt: skip
    assert (
        done.returncode == 2 and "only over TLS" in done.stderr and "cluster-credentials DIR" in done.stderr
    )


def outside_worker(address: str, log: Path, env: dict, user: list[str] = ()) -> subprocess.Popen:
    """A ``dask worker`` process of its own (``user``: e.g. setpriv to run it as another user)."""
    return subprocess.Popen(
        [*user, sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny",
         "--no-dashboard"],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=log.open("w"),
    )  # fmt: skip


def refusal(client, run: str, seconds: float = 120) -> list[str]:
    """The problems of the first worker that refused in ``run`` (from the scheduler's events)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for _, msg in client.get_events(cluster.TOPIC):
            if msg.get("run") == run and not msg.get("ok"):
                return msg["problems"]
        time.sleep(0.2)
    raise AssertionError("no worker refused")


def check_one_outside_worker(lc, client, env: dict, tmp_path: Path, user: list[str] = ()) -> tuple[list, str]:
    """Register the start-up check, start one outside worker; (its problems, its own log) once it left."""
    expected = cluster.expected_state(LIMITS)
    client.register_plugin(cluster.WorkerCheck(expected), name=cluster.PLUGIN)
    log = tmp_path / "worker.log"
    worker = outside_worker(lc.scheduler_address, log, env, user)
    try:
        problems = refusal(client, expected["run"])
        assert worker.wait(timeout=60) is not None  # it left by itself
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    return problems, log.read_text()


def test_a_root_worker_on_an_unencrypted_cluster_refuses_and_logs_why(tmp_path):
    lc = cluster.local_cluster(0, security=None)  # plain tcp, as the old README had it
    client = Client(lc)
    try:
        assert lc.scheduler_address.startswith("tcp://")
        problems, log = check_one_outside_worker(
            lc, client, {"DASK_CONFIG": str(tmp_path / "none")}, tmp_path
        )
    finally:
        client.close()
        lc.close()
    assert len(problems) == 1 and problems[0].startswith(
        f"this worker runs as root on a cluster that does not require encryption (plain {lc.scheduler_address}, tcp://"
    ), problems
    assert "cluster-credentials DIR" in problems[0]
    assert "refused by the autograder's start-up check: this worker runs as root on a cluster" in log


def test_a_worker_that_is_not_root_refuses_and_says_what_to_ask_for(creds, tmp_path):
    if shutil.which("setpriv") is None or os.geteuid() != 0:
        pytest.skip("needs root and setpriv (util-linux) to start a worker as the user nobody")
    readable = Path(tempfile.mkdtemp(prefix="autograder-creds-"))  # nobody can read it, not pytest's tmp_path
    try:
        readable.chmod(0o755)
        credentials.write_credentials(readable)
        for key in readable.glob("*-key.pem"):
            key.chmod(0o644)
        lc, client = local_cluster(creds, 0)
        try:
            nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
            # the worker's own credentials are another CA's copy: it must reach this cluster, so use ours
            for name in ("ca.pem", "worker.pem", "worker-key.pem"):
                (readable / name).write_bytes((creds / name).read_bytes())
            env = {"DASK_CONFIG": str(readable / "worker.yaml"), "HOME": str(readable)}
            problems, log = check_one_outside_worker(lc, client, env, tmp_path, nobody)
        finally:
            client.close()
            lc.close()
    finally:
        shutil.rmtree(readable, ignore_errors=True)
    assert len(problems) == 1 and problems[0].startswith("this worker runs as uid 65534, not root"), problems
    assert "Ask the cluster's administrator to start the workers as root" in problems[0]
    assert "refused by the autograder's start-up check: this worker runs as uid 65534, not root" in log


# ---- the README's one-machine recipe, command for command -----------------------------------------


def readme_recipe() -> list[str]:
    """The lines of autograder/README.md's one-machine TLS recipe (the sh block that makes ``creds/``)."""
    text = (ROOT / "autograder" / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    (block,) = [b for b in blocks if "cluster-credentials creds/" in b]
    return [line.strip() for line in block.splitlines() if line.strip()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sandbox_groups(layout, pid: int) -> list[Path]:
    return [g for base in layout.bases.values() for g in base.glob(f"autograder-{pid}-*")]


def refused(attempt) -> bool:
    try:
        attempt()
    except (OSError, ssl.SSLError, TypeError):
        return True
    return False


def test_the_readme_one_machine_recipe_grades_the_demo_class_with_a_killed_worker(course, tmp_path):
    lines = readme_recipe()
    assert [ln.split()[-1] == "&" for ln in lines] == [False, True, True, True, False, False], lines
    port = str(free_port())
    run = tmp_path / "run"  # the recipe's working folder: a checkout's .venv, the class in submitted/
    run.mkdir()
    (run / ".venv").symlink_to(ROOT / ".venv")
    demo.build_class(course, run / "submitted", assignments=["a1_squares"])
    background: list[subprocess.Popen] = []
    logs: list[Path] = []
    grading = None

    def command(line: str):
        words = [w.replace("8786", port) for w in shlex.split(line)]
        env = dict(os.environ)
        env.pop("DASK_CONFIG", None)
        while "=" in words[0]:
            name, _, value = words.pop(0).partition("=")
            env[name] = value
        return words, env

    try:
        for line in lines[:4]:  # credentials, the scheduler, two workers
            words, env = command(line)
            if words[-1] != "&":
                subprocess.run(words, cwd=run, env=env, check=True, capture_output=True, timeout=300)
                continue
            logs.append(run / f"process{len(logs)}.log")
            background.append(subprocess.Popen(words[:-1], cwd=run, env=env, stdout=subprocess.DEVNULL,
                                               stderr=logs[-1].open("w")))  # fmt: skip
        address = f"tls://127.0.0.1:{port}"
        creds = run / "creds"
        ours = Security(tls_ca_file=str(creds / "ca.pem"), tls_client_cert=str(creds / "client.pem"),
                        tls_client_key=str(creds / "client-key.pem"), require_encryption=True)  # fmt: skip
        watcher = Client(address, security=ours, timeout=120)
        watcher.wait_for_workers(2, timeout=300)
        # a client without a certificate, with another CA's, or in plain TCP is refused by the cluster itself
        context = ssl.create_default_context(cafile=str(creds / "ca.pem"))
        context.check_hostname = False

        def no_certificate():
            with socket.create_connection(("127.0.0.1", int(port)), timeout=10) as raw:
                with context.wrap_socket(raw) as tls:
                    if tls.recv(1) == b"":
                        raise ConnectionResetError("closed by the scheduler")

        other = credentials.every_role(credentials.write_credentials(run / "other")["client"].parent)
        assert refused(no_certificate)
        assert refused(lambda: Client(address, security=other, timeout=10))
        assert refused(lambda: Client(f"tcp://127.0.0.1:{port}", timeout=10))
        words, env = command(lines[4])
        words += ["--course", str(course), "--timeout", "15", "--no-progress"]
        grading = subprocess.Popen(
            words, cwd=run, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        killed, layout = None, cgroups.cgroups()
        deadline = time.monotonic() + 300
        while killed is None and grading.poll() is None and time.monotonic() < deadline:
            busy = [w for w, keys in watcher.processing().items() if keys]
            if busy:
                pid = watcher.run(os.getpid, workers=busy[:1])[busy[0]]
                while (
                    not (isinstance(layout, str) or sandbox_groups(layout, pid))
                    and grading.poll() is None
                    and time.monotonic() < deadline
                ):
                    time.sleep(0.1)  # until its sandboxes have started
                time.sleep(0.5)
                if grading.poll() is None:  # mid-run, or the test says it saw no job
                    os.kill(pid, signal.SIGKILL)
                    killed = pid
            time.sleep(0.2)
        out, err = grading.communicate(timeout=600)
        assert grading.returncode == 0, err[-3000:]
        assert killed is not None, "no job was seen on a worker"
        watcher.close()
        words, _ = command(lines[5])
        assert words == ["kill", "%1", "%2", "%3"]
        for process in background:
            process.terminate()
        for process in background:
            assert process.wait(timeout=60) is not None
    finally:
        for process in background + ([grading] if grading else []):
            if process.poll() is None:
                process.kill()
                process.wait()
    pool = tmp_path / "pool"
    grade(run / "submitted", pool, course_root=course, workers=2, limits=Limits(timeout=15, grace=3, memory_mb=2048),
          progress=False)  # fmt: skip
    ours_now, theirs = verdicts(run / "grading"), verdicts(pool)
    assert ours_now == theirs and len(ours_now) == 9
    assert csv_rows(run / "grading") == csv_rows(pool)
    report = json.loads((run / "grading" / "report.json").read_text())
    assert (
        report["scheduler"] == address and len(report["isolation"]["accepted"]) >= 2
    )  # the restarted one too
    if not isinstance(layout, str):  # the restarted worker removed the killed one's empty cgroups
        assert sandbox_groups(layout, killed) == []
        worker_logs = "".join(log.read_text() for log in logs[1:])
        assert (
            f"autograder-{killed}-" in worker_logs
            and "left behind by a worker process that was killed" in worker_logs
        )


def test_transport_problems_name_what_is_not_encrypted():
    assert cluster.transport_problems(0, "tls://10.0.0.1:8786", ["tls://10.0.0.7:4000"], True) == []
    (off,) = cluster.transport_problems(0, "tls://10.0.0.1:8786", ["tls://10.0.0.7:4000"], False)
    assert "(distributed.comm.require-encryption off)" in off
    (plain,) = cluster.transport_problems(0, "tls://10.0.0.1:8786", ["tcp://10.0.0.7:4000"], True)
    assert "(plain tcp://10.0.0.7:4000)" in plain
    (user,) = cluster.transport_problems(1000, "tls://10.0.0.1:8786", ["tls://10.0.0.7:4000"], True)
    assert user.startswith("this worker runs as uid 1000, not root")
    assert cluster.check_scheduler("local:2") is None
