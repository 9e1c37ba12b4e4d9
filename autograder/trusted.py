"""Grade one notebook with two sandboxes: the student's kernel, and the trusted evaluator.

``plan(source_nb)`` decides what the evaluator runs (from source/, never from the hand-in):

* every graded test cell, with its hidden part;
* the statements of the instructor's other cells (locked and ordinary cells, never solution cells)
  that define a name the tests need, directly or through another such statement; an import keeps
  only the names needed. So it skips what only draws or explores (figures, widgets, timing loops),
  which keeps it cheap;
* for each of these, the names of the notebook's solution cells it uses: the evaluator binds each to
  a proxy of the student's function (or to a plain copy of the student's value) right before.

``run(prepared, evaluator_job, limits, ...)`` starts the evaluator's sandbox, then the student's
(autograder.sandbox.run_notebook, with the test cells replaced by empty stubs: the student's
process never receives a test's source), connects them by two pipes, and merges the results:
a test cell's outputs are the evaluator's (they decide the score) followed by what the student's
code printed during it (shown, never deciding); a test the evaluator did not report scores 0.
"""

from __future__ import annotations

import ast
import copy
import json
import os
import subprocess
import threading
import time
from pathlib import Path

import nbformat

from . import sandbox, sanitize
from .course import cell_kind

STUB_SOURCE = "# graded by the autograder's evaluator"


def _names(node, ctx) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}


def _defined(stmt) -> set[str]:
    """Names a top-level statement binds or changes (``x[...] = `` and ``x.a = `` change ``x``)."""
    out = set()
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {stmt.name}
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        return {(a.asname or a.name).split(".")[0] for a in stmt.names}
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            out.add(node.id)
        elif isinstance(node, ast.Subscript | ast.Attribute) and isinstance(node.ctx, ast.Store | ast.Del):
            base = node.value
            while isinstance(base, ast.Subscript | ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name):
                out.add(base.id)
    return out


def _used(node) -> set[str]:
    """Names a statement or cell reads that it does not bind itself (its free names, roughly)."""
    bound = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            bound.add(n.id)
        elif isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(n.name)
        elif isinstance(n, ast.arg):
            bound.add(n.arg)
        elif isinstance(n, ast.Import | ast.ImportFrom):
            bound |= {(a.asname or a.name).split(".")[0] for a in n.names}
    return _names(node, ast.Load) - bound


def _solution_names(tree) -> set[str]:
    out = set()
    for stmt in tree.body:
        if not isinstance(stmt, ast.Import | ast.ImportFrom):
            out |= _defined(stmt)
    return out


def _parse(source: str):
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


def plan(source_nb, test_sources: dict[str, str] | None = None) -> dict:
    """The evaluator's job for one notebook of source/ (see the module docstring).

    ``test_sources`` (grade_id -> source, from the gradebook) overrides the test cells' text.
    """
    cells = []
    for cell in source_nb.cells:
        if cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader") or {}
        kind = cell_kind(meta) if meta else None
        if kind == "test":
            source = (test_sources or {}).get(meta["grade_id"], cell.source)
        else:
            source = cell.source
        cells.append((kind, meta.get("grade_id"), source, _parse(source)))
    solution = set()
    for kind, _, _, tree in cells:
        if kind in ("answer", "manual") and tree is not None:
            solution |= _solution_names(tree)
    for kind, _, _, tree in cells:
        if kind not in ("answer", "manual") and tree is not None:
            for stmt in tree.body:
                solution -= _defined(stmt)

    needed: set[str] = set()
    picked: list[tuple] = []
    for kind, gid, source, tree in reversed(cells):
        if kind in ("answer", "manual", "task"):
            continue
        if kind == "test":
            picked.append(("test", gid, source, _used(tree) if tree is not None else set()))
            if tree is not None:
                needed |= _used(tree)
            continue
        if tree is None:
            continue
        keep = []
        for stmt in reversed(tree.body):
            defines = _defined(stmt) & needed
            if not defines:
                continue
            if isinstance(stmt, ast.Import | ast.ImportFrom):
                stmt = copy.deepcopy(stmt)
                stmt.names = [a for a in stmt.names if (a.asname or a.name).split(".")[0] in needed]
            keep.append(stmt)
            needed |= _used(stmt)
        if keep:
            body = ast.Module(body=list(reversed(keep)), type_ignores=[])
            picked.append(("setup", gid, ast.unparse(body), _used(body)))
    out, seen_names = [], set()
    for kind, gid, source, used in reversed(picked):
        seen_names |= used & solution
        entry = {"kind": kind, "source": source, "names": sorted(seen_names)}
        if kind == "test":
            entry["grade_id"] = gid
        else:
            entry["label"] = gid or "setup"
        out.append(entry)
    return {"cells": out, "solution_names": sorted(solution)}


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


def _evaluator_limits(limits: sandbox.Limits, env_extra: dict | None, uid=None, gid=None) -> dict:
    settings = sandbox.kernel_settings(limits, env_extra, uid, gid)
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

    def __init__(self, job: dict, limits: sandbox.Limits, extra_ro, env_extra):
        self.confined = sandbox.Confinement(limits).__enter__()
        self.to_worker_r, self.to_worker_w = os.pipe()
        self.from_worker_r, self.from_worker_w = os.pipe()
        fds = (self.from_worker_r, self.to_worker_w)
        cmd = self.confined.command(
            sandbox.bwrap_command(
                limits,
                sandbox.readonly_paths(extra_ro),
                fontlist=sandbox.font_cache(),
                module="autograder.evaluator",
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
            "env": sandbox.kernel_settings(limits)["env"],
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
        for line in sandbox._bounded_lines(self.proc.stdout, sandbox.RESULT_LINE_MAX):
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
    limits: sandbox.Limits,
    *,
    files: dict[str, Path] | None = None,
    extra_ro: list[Path] | None = None,
    env_extra: dict[str, str] | None = None,
    binds: dict[Path, Path] | None = None,
) -> sandbox.Execution:
    """Execute ``prepared`` with its tests in the evaluator; outputs keyed by ``prepared``'s cells."""
    evaluator = EvaluatorProcess(evaluator_job, limits, extra_ro, env_extra)
    fds = evaluator.worker_fds()
    try:
        execution = sandbox.run_notebook(
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
