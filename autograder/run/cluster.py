"""Grade on a Dask cluster: ``python -m autograder grade ... --scheduler tls://HOST:8786 | local:N``.

The coordinator (``autograder.grade.grade``) alone reads the hand-ins, builds and writes the gradebook, scores
and writes feedback, grades.csv and report.json. :func:`run_jobs` sends each (student, notebook) job
to the cluster as plain data (the prepared notebook, the evaluator's plan, the few non-notebook
files of the assignment as bytes) and gets back the sandbox's plain :class:`driver.Execution`:
the class never crosses the network, and nothing but ``trusted.run`` happens on a worker.

Every worker is checked when it joins (:class:`WorkerCheck`, a Dask worker plugin, so workers that
join later are checked too): the course files it grades with (``autograder/``, ``helpers/``,
``tools/``, ``data/``: what the sandboxes load) hash to the coordinator's, its installed packages
and Python are the coordinator's, and a sandbox starts there. A worker that fails says why (the
coordinator prints it, once per worker, and the worker logs it) and leaves the cluster before it
takes a job. A worker also refuses to grade unless it runs as root (the sandboxes' own uids and
cgroups) behind TLS (:func:`transport_problems`), and the coordinator talks to no scheduler but a
``tls://`` one with the certificates of ``python -m autograder cluster-credentials``
(:func:`check_scheduler`): a Dask scheduler runs whatever its clients send.

Faults are Dask's: a worker that dies mid-job costs that job a rerun elsewhere (the coordinator
keeps one result per job, so each notebook reaches the gradebook exactly once); a job whose workers
keep dying is given up after the scheduler's ``distributed.scheduler.allowed-failures`` (3 by
default) and scored 0 with the problem ``worker_lost``.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib.metadata
import logging
import os
import platform
import shutil
import socket
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from ..isolate import bwrap, cgroups
from ..isolate.limits import Limits
from . import trusted
from .student_library import student_binds
from .version import ROOT, course_files, version_id

TOPIC = "autograder-worker-check"  # the scheduler's event topic carrying each worker's verdict
PLUGIN = "autograder-worker-check"
WAIT_FOR_WORKERS = 300  # seconds to wait for a first worker that passes the checks
# A worker that dies counts against every job it holds (Dask's allowed-failures), running or waiting
# in its queue. With a saturation of 1.0 the scheduler keeps each worker at one job per thread and
# the rest in its own queue, as long as a task group is larger than twice the cluster's threads
# (run_jobs keeps that many in flight): then only the jobs a dying worker was running are counted.
# The rest quiets Dask's periodic work (profiler, monitors, work stealing, event-loop ticks), which
# took about 10 % of a core with 2 idle workers on this machine and 1.5 % with these settings.
DASK_CONFIG = {
    "distributed.scheduler.worker-saturation": 1.0,
    "distributed.scheduler.work-stealing": False,
    "distributed.worker.profile.enabled": False,
    "distributed.worker.memory.monitor-interval": "2s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.admin.tick.interval": "1s",
}


class WorkerLost(RuntimeError):
    """The job's workers died while it ran, more often than the scheduler allows."""


def packages() -> dict[str, str]:
    """Every installed distribution's version, and Python's (the project itself is in course_files)."""
    out = {"python": platform.python_version()}
    for dist in importlib.metadata.distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if name and name != "nn-basics":
            out[name] = dist.version
    return out


def expected_state(limits: Limits) -> dict:
    """What the coordinator requires of each worker (sent once, in the worker plugin)."""
    return {"run": uuid.uuid4().hex, "course": course_files(), "packages": packages(), "limits": limits}


def _listed(names: list[str], most: int = 5) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def check_worker(
    expected: dict, files: dict[str, str] | None = None, installed: dict | None = None
) -> list[str]:
    """Why this machine must not grade for the coordinator (an empty list: it may)."""
    problems = []
    files = course_files() if files is None else files
    want = expected["course"]
    if files != want:
        changed = sorted(k for k in want if k in files and files[k] != want[k])
        missing = sorted(set(want) - set(files))
        extra = sorted(set(files) - set(want))
        parts = [f"{label}: {_listed(names)}" for label, names in
                 (("differ", changed), ("missing here", missing), ("only here", extra)) if names]  # fmt: skip
        problems.append(
            f"course version {version_id(files)} at {ROOT} is not the coordinator's {version_id(want)} "
            f"({'; '.join(parts)}): check out the same commit on this worker"
        )
    installed = packages() if installed is None else installed
    want = expected["packages"]
    if installed != want:
        diff = sorted(
            f"{name} {installed.get(name, 'missing')} (coordinator {want.get(name, 'missing')})"
            for name in set(want) | set(installed)
            if installed.get(name) != want.get(name)
        )
        problems.append(
            f"packages differ from the coordinator's: {_listed(diff)}: install requirements.lock "
            "(pip install -c requirements.lock -e '.[cluster]')"
        )
    reason = bwrap.sandbox_available(expected["limits"])
    if reason:
        problems.append(f"sandbox smoke test failed: {reason}")
    else:
        bwrap.font_cache()  # built now rather than by the first job
    return problems


NON_ROOT = (
    "this worker runs as uid {uid}, not root: its sandboxes would all run as that one user, without the uid "
    "and cgroup of their own that keep one submission from another's files and processes and cap its "
    "memory. Ask the cluster's administrator to start the workers as root (sudo env "
    "DASK_CONFIG=creds/worker.yaml .venv/bin/dask worker ..., a Slurm job run as root, or a Kubernetes "
    "pod with runAsUser: 0 and privileged: true), on machines with bubblewrap and cgroup v2 (memory, "
    "pids, cpu) or the cgroup v1 memory, pids and cpu hierarchies"
)


def transport_problems(
    euid: int, scheduler: str, listeners: list[str], require_encryption: bool
) -> list[str]:
    """Why a worker must not grade given who it runs as and how it is reached (empty: it may).

    It grades as root only: as root it runs whatever the scheduler sends, so only behind TLS
    (``scheduler`` reached at a ``tls://`` address, every one of its own ``listeners`` ``tls://``,
    and its Dask configuration requiring encryption, as ``cluster-credentials``' worker.yaml does).
    """
    if euid != 0:
        return [NON_ROOT.format(uid=euid)]
    plain = [a for a in [scheduler, *listeners] if not a.startswith("tls://")]
    if plain or not require_encryption:
        what = f"plain {', '.join(plain)}" if plain else "distributed.comm.require-encryption off"
        return [
            f"this worker runs as root on a cluster that does not require encryption ({what}): anyone who "
            "reaches its ports could run code as root here. Start the scheduler and the workers with the "
            "configuration files of python -m autograder cluster-credentials DIR (DASK_CONFIG=DIR/worker.yaml)"
        ]
    return []


try:
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # the [cluster] extra is not installed: run_jobs says so
    WorkerPlugin = object


_ACCEPTED: set[str] = set()  # on a worker: the runs whose check it passed


class WorkerCheck(WorkerPlugin):
    """Runs :func:`check_worker` on every worker, now and when it joins; a refused worker leaves.

    Dask runs a plugin's ``setup`` while the worker registers, before it takes any task, so no job
    starts on a worker before its verdict. The verdict goes to the scheduler's event log (topic
    ``TOPIC``), where the coordinator reads it; a refused worker then closes itself and its nanny
    (so it is not restarted), and ``execute`` sends back any job that reached it meanwhile.
    """

    name = PLUGIN

    def __init__(self, expected: dict):
        self.expected = expected

    async def setup(self, worker) -> None:
        run = self.expected["run"]
        loop = asyncio.get_running_loop()
        listeners = [listener.contact_address for listener in worker.listeners]
        problems = transport_problems(
            os.geteuid(), worker.scheduler.address, listeners, worker.security.require_encryption
        )
        if not problems:
            try:
                problems = await loop.run_in_executor(None, check_worker, self.expected)
            except Exception as err:  # a check that cannot run is a refusal, with the reason
                problems = [f"the check itself failed: {type(err).__name__}: {err}"]
        verdict = {"run": run, "worker": worker.address, "host": socket.gethostname()}
        log = logging.getLogger("distributed.worker")  # the worker's own log, where its operator looks
        if problems:
            log.error("refused by the autograder's start-up check: %s", "; ".join(problems))
            worker.log_event(TOPIC, {**verdict, "ok": False, "problems": problems})
            self.closing = asyncio.ensure_future(
                worker.close(nanny=True, reason="refused by the autograder's start-up check: " + problems[0])
            )
            return
        _ACCEPTED.add(run)
        for group in await loop.run_in_executor(None, cgroups.remove_stale):
            log.info("removed %s, left behind by a worker process that was killed", group)
        isolation = cgroups.isolation_report()
        worker.log_event(
            TOPIC, {**verdict, "ok": True, "nthreads": worker.state.nthreads, "isolation": isolation}
        )


# ---- on a worker ------------------------------------------------------------------------------------

_WORK: Path | None = None
_BINDS: dict[str, dict | None] = {}
_LOCK = threading.Lock()


def _binds(assignment: str, student_helpers) -> dict | None:
    """The stripped ``helpers`` for this assignment's student kernels, written once per worker process."""
    global _WORK
    with _LOCK:
        if str(ROOT) not in sys.path and (ROOT / "tools").is_dir():  # tools/strip.py of the checked course
            sys.path.append(str(ROOT))
        if assignment not in _BINDS:
            if _WORK is None:
                _WORK = Path(tempfile.mkdtemp(prefix="autograder-worker-"))
                atexit.register(shutil.rmtree, _WORK, ignore_errors=True)
            log = logging.getLogger("autograder").warning
            _BINDS[assignment] = student_binds([assignment], _WORK, student_helpers, log).get(assignment)
        return _BINDS[assignment]


def execute(payload: dict, *, run: str, limits: Limits, env_extra: dict, extra_ro: list, student_helpers):
    """One job on a worker: the two sandboxes of ``trusted.run``; returns their plain Execution."""
    if run not in _ACCEPTED:  # a refused worker, on its way out
        from distributed import Reschedule

        raise Reschedule()
    binds = _binds(payload["assignment"], student_helpers)
    folder = Path(tempfile.mkdtemp(prefix="autograder-files-"))
    try:
        files = {}
        for rel, data in payload["files"].items():
            files[rel] = folder / str(len(files))
            files[rel].write_bytes(data)
        return trusted.run(
            payload["prepared"],
            payload["evaluator_job"],
            limits,
            files=files,
            env_extra=env_extra,
            extra_ro=extra_ro,
            binds=binds,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---- on the coordinator -----------------------------------------------------------------------------


def local_cluster(n: int, allowed_failures: int = 3, security=True):
    """A LocalCluster of ``n`` one-thread worker processes, configured as DASK_CONFIG says.

    No memory limit: the sandboxes' cgroups cap memory, the nanny must not kill a worker for it.
    ``security``: True for TLS with temporary credentials only this process holds, so no other user
    of the machine can send the root-run workers code through the scheduler; or a Dask ``Security``
    (tests whose own workers join use the files of ``cluster-credentials``).
    """
    import dask
    from distributed import LocalCluster

    config = {**DASK_CONFIG, "distributed.scheduler.allowed-failures": allowed_failures}
    with dask.config.set(config):
        return LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            memory_limit=0,
            dashboard_address=None,
            security=security,
        )


TLS_HOWTO = (
    "make the cluster's credentials with python -m autograder cluster-credentials DIR, start the scheduler "
    "with DASK_CONFIG=DIR/scheduler.yaml (--protocol tls) and every worker with DASK_CONFIG=DIR/worker.yaml, "
    "and grade with DASK_CONFIG=DIR/client.yaml --scheduler tls://HOST:PORT (autograder/README.md, "
    '"Grading on a Dask cluster")'
)


def check_scheduler(scheduler: str):
    """The Dask ``Security`` to reach ``scheduler`` with (None for ``local:N``); ValueError if it must not be used.

    ``local:N`` (N >= 1) makes its own temporary credentials. Anything else must be ``tls://`` with
    the client's CA file, certificate and key configured (``distributed.comm.tls.*``, e.g.
    ``DASK_CONFIG=DIR/client.yaml``) and present: the workers run the jobs as root.
    """
    if scheduler.startswith("local:"):
        n = scheduler.removeprefix("local:")
        if not n.isdigit() or int(n) < 1:
            raise ValueError(f"--scheduler local:N needs a number of workers N >= 1, got {scheduler!r}")
        return None
    if not scheduler.startswith("tls://"):
        raise ValueError(
            f"--scheduler {scheduler!r} refused: a Dask scheduler runs whatever a connected client sends, "
            f"on workers that run as root, so the grader talks to a cluster only over TLS: {TLS_HOWTO}"
        )
    try:
        from distributed.security import Security
    except ImportError as err:
        raise ValueError(
            f"--scheduler needs the dask packages ({err}): pip install -c requirements.lock -e '.[cluster]'"
        ) from err
    security = Security()  # from the Dask configuration
    settings = {
        "distributed.comm.tls.ca-file": security.tls_ca_file,
        "distributed.comm.tls.client.cert": security.tls_client_cert,
        "distributed.comm.tls.client.key": security.tls_client_key,
    }
    unset = [k for k, v in settings.items() if not v]
    absent = [f"{k} ({v})" for k, v in settings.items() if v and not Path(v).is_file()]
    if unset or absent:
        said = "; ".join(p for p in (
            f"not configured: {', '.join(unset)}" if unset else "", f"no such file: {', '.join(absent)}" if absent else ""
        ) if p)  # fmt: skip
        raise ValueError(f"--scheduler {scheduler} needs the client's TLS certificates ({said}): {TLS_HOWTO}")
    security.require_encryption = True
    return security


def _connect(scheduler: str):
    """(client, cluster or None) for ``tls://HOST:PORT`` or ``local:N``, checked by :func:`check_scheduler`."""
    security = check_scheduler(scheduler)
    try:
        from distributed import Client
    except ImportError as err:
        raise RuntimeError(
            f"--scheduler needs the dask packages ({err}): pip install -c requirements.lock -e '.[cluster]'"
        ) from err

    if scheduler.startswith("local:"):
        cluster = local_cluster(int(scheduler.removeprefix("local:")))
        return Client(cluster), cluster
    return Client(scheduler, security=security, timeout=60), None


def _payload(job) -> dict:
    return {
        "assignment": job.assignment,
        "prepared": job.prepared,
        "evaluator_job": job.evaluator_job,
        "files": {rel: Path(path).read_bytes() for rel, path in job.files.items()},
    }


def job_key(job, run: str) -> tuple:
    """``("autograder-<run>", student, assignment, notebook)``: one Dask task group for the whole run."""
    return (f"autograder-{run}", job.student, job.assignment, job.spec.name)


class _Verdicts:
    """The workers' check results for this run, read from the scheduler's events; each printed once."""

    def __init__(self, client, run: str, log):
        self.client, self.run, self.log = client, run, log
        self.ok: dict[str, dict] = {}
        self.refused: dict[str, list[str]] = {}

    def poll(self) -> None:
        for _, msg in self.client.get_events(TOPIC):
            if not isinstance(msg, dict) or msg.get("run") != self.run:
                continue
            worker = msg["worker"]
            if msg.get("ok"):
                self.ok[worker] = {k: msg.get(k) for k in ("host", "nthreads", "isolation")}
                self.refused.pop(worker, None)
            elif worker not in self.refused:
                self.refused[worker] = msg["problems"]
                self.ok.pop(worker, None)
                self.log(
                    f"warning: worker {worker} ({msg.get('host')}) refused: " + "; ".join(msg["problems"])
                )

    def connected(self) -> dict[str, int]:
        """Every worker connected now, with its number of threads."""
        workers = self.client.scheduler_info(n_workers=-1)["workers"]
        return {address: w.get("nthreads", 1) for address, w in workers.items()}


def _wait_for_a_worker(verdicts: _Verdicts, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        verdicts.poll()
        connected = verdicts.connected()
        if set(connected) & set(verdicts.ok):
            return
        if verdicts.refused and not set(connected) - set(verdicts.refused):  # none left to wait for
            reasons = "; ".join(f"{w}: {' '.join(p)}" for w, p in sorted(verdicts.refused.items()))
            raise RuntimeError(f"every worker refused: {reasons}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"no worker passed the start-up checks within {wait:.0f} s")
        time.sleep(0.2)


def run_jobs(
    jobs,
    limits,
    env_extra,
    extra_ro,
    student_helpers,
    scheduler: str,
    log,
    score,
    info=None,
    wait=WAIT_FOR_WORKERS,
):
    """Yield ``(job, score(job, execution))``, or ``(job, exception)``, as the cluster finishes jobs.

    ``info`` (a dict) receives what the workers reported: ``{"accepted": {address: {host,
    isolation}}, "refused": {address: [reasons]}}`` (report.json's ``isolation``). Stops cleanly
    when the caller stops iterating (Ctrl+C): pending jobs are cancelled and a ``local:N`` cluster
    is shut down.
    """
    from distributed import wait as wait_for
    from distributed.scheduler import KilledWorker

    client, cluster = _connect(scheduler)
    running: dict = {}  # future -> job, on the cluster now
    try:
        expected = expected_state(limits)
        try:
            client.register_plugin(WorkerCheck(expected), name=PLUGIN)
        except Exception as err:  # e.g. a worker with an older autograder that cannot load the plugin
            log(f"warning: a worker could not run the start-up check ({type(err).__name__}: {err})")
        verdicts = _Verdicts(client, expected["run"], log)
        if info is not None:
            info.update(accepted=verdicts.ok, refused=verdicts.refused)
        _wait_for_a_worker(verdicts, wait)
        # A few more jobs on the cluster than it has threads, the rest of the class stays here: enough
        # for the scheduler to queue them itself (see DASK_CONFIG), few enough that the scheduler
        # never holds the class.
        queue, threads, checked, idle_since = list(reversed(jobs)), 1, 0.0, None
        while queue or running:
            now = time.monotonic()
            if now - checked > 2:
                verdicts.poll()
                connected = verdicts.connected()
                slots = sum(v["nthreads"] for w, v in verdicts.ok.items() if w in connected)
                threads = sum(connected.values())
                idle_since = None if slots else (idle_since or now)
                if idle_since is not None and now - idle_since > wait:
                    raise RuntimeError(
                        f"no worker that passed the checks for {wait:.0f} s, "
                        f"{len(queue) + len(running)} notebooks left"
                    )
                checked = now
            room = 2 * max(1, threads) + 2 - len(running)  # see DASK_CONFIG
            if queue and room > 0:
                batch = [queue.pop() for _ in range(min(room, len(queue)))]
                submitted = client.map(
                    execute,
                    [_payload(job) for job in batch],
                    key=[job_key(job, expected["run"]) for job in batch],
                    run=expected["run"],
                    limits=limits,
                    env_extra=env_extra,
                    extra_ro=extra_ro,
                    student_helpers=student_helpers,
                    pure=False,
                )
                running.update(zip(submitted, batch, strict=True))
            try:
                done, _ = wait_for(list(running), timeout=1, return_when="FIRST_COMPLETED")
            except TimeoutError:
                continue
            for future in done:
                job = running.pop(future)
                try:
                    yield job, score(job, future.result())
                except KilledWorker as err:
                    yield (
                        job,
                        WorkerLost(
                            f"the worker grading this notebook died {err.allowed_failures + 1} times "
                            f"(last {err.last_worker.address}); it was given up"
                        ),
                    )
                except Exception as err:
                    yield job, err
                future.release()
    finally:
        for future in running:
            future.cancel()
        try:
            client.unregister_worker_plugin(PLUGIN)
        except Exception:
            pass
        client.close()
        if cluster is not None:
            cluster.close()
