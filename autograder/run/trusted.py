"""Grade one notebook with two sandboxes: the student's kernel, and the trusted evaluator.

``run(prepared, evaluator_job, limits, ...)`` starts the evaluator's sandbox (its plan comes from
``receive.testplan``), then the student's (``isolate.driver.run_notebook``, with the test cells
replaced by empty stubs: the student's process never receives a test's source), connects them by two
pipes, and merges the results: a test cell's outputs are the evaluator's (they decide the score)
followed by what the student's code printed during it (shown, never deciding); a test the evaluator
did not report scores 0.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import threading
import time
from pathlib import Path

import nbformat

from ..isolate import bwrap, driver, sanitize
from ..isolate.cgroups import Confinement
from ..isolate.limits import Limits, kernel_settings
from ..receive.course import cell_kind

STUB_SOURCE = "# graded by the autograder's evaluator"


def is_test(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader") or {}
    return cell.get("cell_type") == "code" and cell_kind(meta) == "test"


def stub_tests(nb):
    """A copy of ``nb`` for the student's sandbox: every test cell's source removed."""
    out = nbformat.from_dict(copy.deepcopy(nb))
    for cell in out.cells:
        if is_test(cell):
            cell.source = STUB_SOURCE
            cell.outputs = []
            cell.metadata["autograder"] = {"role": "test", "grade_id": cell.metadata["nbgrader"]["grade_id"]}
    return out


def _evaluator_limits(limits: Limits, env_extra: dict | None, uid=None, gid=None) -> dict:
    settings = kernel_settings(limits, env_extra, uid, gid)
    settings.pop("cwd", None)
    # RLIMIT_NPROC counts every process of the uid on the host: kernels that fork could starve the
    # evaluator of threads; it never forks, so it keeps the grader's limit
    settings.pop("nproc", None)
    return settings


class EvaluatorProcess:
    """The evaluator's sandbox, with a uid and cgroup of its own, reading its reports in a thread.

    Its reports carry what the student's functions returned (plain data, capped in size), so they
    are read in bounded lines like the student's sandbox's.
    """

    def __init__(self, job: dict, limits: Limits, extra_ro, env_extra):
        self.confined = Confinement(limits).__enter__()
        self.to_worker_r, self.to_worker_w = os.pipe()
        self.from_worker_r, self.from_worker_w = os.pipe()
        fds = (self.from_worker_r, self.to_worker_w)
        cmd = self.confined.command(
            bwrap.bwrap_command(
                limits,
                bwrap.readonly_paths(extra_ro),
                fontlist=bwrap.font_cache(),
                module="autograder.inside.evaluator",
                args=[str(fd) for fd in fds],
            )
        )
        self.started = time.monotonic()
        try:
            self.proc = subprocess.Popen(
                cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, pass_fds=fds
            )
        except BaseException:
            self.confined.__exit__(None, None, None)
            raise
        finally:
            for fd in fds:
                os.close(fd)
        self.results: dict[str, list] = {}
        self.final: dict | None = None
        job = {
            **job,
            "limits": _evaluator_limits(limits, env_extra, self.confined.uid, self.confined.gid),
            "env": kernel_settings(limits)["env"],
            "timeout": limits.timeout,  # the student's calls of one cell share it, callbacks included
        }
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        try:
            self.proc.stdin.write(json.dumps(job).encode())
            self.proc.stdin.close()
        except BrokenPipeError:
            pass

    def worker_fds(self) -> tuple[int, int]:
        """The worker's ends: it reads what the evaluator writes, and writes what it reads."""
        return self.to_worker_r, self.from_worker_w

    def _read(self) -> None:
        for line in driver.bounded_lines(self.proc.stdout, driver.RESULT_LINE_MAX):
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if not isinstance(msg, dict):
                continue
            if msg.get("type") == "test" and isinstance(msg.get("grade_id"), str):
                self.results[msg["grade_id"]] = msg.get("outputs") or []
            else:
                self.final = msg

    def finish(self, timeout: float = 10) -> None:
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        finally:
            self.confined.__exit__(None, None, None)  # every process of its cgroup killed, uid released
        self.reader.join(timeout=5)
        self.seconds = time.monotonic() - self.started


def run(
    prepared,
    evaluator_job: dict,
    limits: Limits,
    *,
    files: dict[str, Path] | None = None,
    extra_ro: list[Path] | None = None,
    env_extra: dict[str, str] | None = None,
    binds: dict[Path, Path] | None = None,
) -> driver.Execution:
    """Execute ``prepared`` with its tests in the evaluator; outputs keyed by ``prepared``'s cells."""
    evaluator = EvaluatorProcess(evaluator_job, limits, extra_ro, env_extra)
    fds = evaluator.worker_fds()
    try:
        execution = driver.run_notebook(
            stub_tests(prepared),
            limits,
            files=files,
            extra_ro=extra_ro,
            env_extra=env_extra,
            pass_fds=fds,
            job_extra={"evaluator_fds": list(fds)},
            binds=binds,
        )
    finally:
        evaluator.finish()
    problem = ""
    if evaluator.final is None or evaluator.final.get("type") != "done":
        problem = (evaluator.final or {}).get("message") or "the evaluator stopped without a report"
    for index, cell in enumerate(prepared.cells):
        msg = execution.outputs.get(index)
        if msg is None or not is_test(cell):
            continue
        gid = cell.metadata["nbgrader"]["grade_id"]
        verdict = evaluator.results.get(gid)
        if verdict is None:
            reason = f"the evaluator did not report this test ({problem or 'no result'})"
            verdict = [{"output_type": "error", "ename": "GraderError", "evalue": reason,
                        "traceback": [f"GraderError: {reason}"]}]  # fmt: skip
        verdict = sanitize.clean_outputs(list(verdict))  # inert, like the student's outputs
        execution.outputs[index] = {**msg, "outputs": verdict + list(msg.get("outputs") or [])}
    execution.evaluator_cpu = float((evaluator.final or {}).get("cpu_seconds") or 0.0)
    execution.evaluator_problem = problem
    return execution
