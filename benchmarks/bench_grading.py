"""Autograder vs nbgrader's own serial ``nbgrader autograde``, side by side on the same class.

    python -m benchmarks.bench_grading [--students 12] [--workers 2] [--course .] [--json] [--scheduler local:2]

Builds a class of complete submissions from the course's release/ and source/ (perfect, half-done
and untouched students, in rotation), then grades it twice:

* nbgrader: a scratch nbgrader course (the course's nbgrader_config.py, its own SQLite gradebook),
  ``nbgrader generate_assignment`` for every assignment (not timed: done once at release), then
  ``nbgrader autograde`` for every assignment (timed, serial: nbgrader has no parallel mode);
* autograder: ``python -m autograder grade SUBMISSIONS --out OUT --workers N`` (timed, everything
  included: building its gradebook, intake, sandboxes, feedback HTML, grades.csv); the CPU time of
  its trusted evaluators (one per notebook, from report.json) is printed as a mean per notebook.

It reports both wall times, the speed-up ratio and whether every (student, assignment) score is
identical in the two grades.csv files. Exit status 1 if the scores differ.

``--scheduler local:2`` (or a Dask scheduler's address) adds a column: the autograder once more,
right after the first run, on that Dask cluster (LocalCluster start-up and worker checks included),
its overhead per notebook against ``--workers N`` and whether its scores are identical too.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder.demo import sampleclass as demo
from autograder.receive.course import find_assignments

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("perfect", "partial", "untouched")


def build_class(course: Path, dest: Path, students: int) -> dict[str, list[str]]:
    found = {
        a: n for a, n in find_assignments(course / "source").items() if (course / "release" / a).is_dir()
    }
    if not found:
        raise SystemExit(f"no assignment has both source/ and release/ in {course}: run make source/release")
    for a, names in found.items():
        for name in names:
            rel = nbformat.read(str(course / "release" / a / f"{name}.ipynb"), as_version=4)
            src = nbformat.read(str(course / "source" / a / f"{name}.ipynb"), as_version=4)
            variants = {
                "perfect": demo.solve(rel, src),
                "partial": demo.solve(rel, src, 0.5),
                "untouched": rel,
            }
            for k in range(students):
                path = dest / f"student{k:02d}" / a / f"{name}.ipynb"
                path.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(variants[KINDS[k % len(KINDS)]], str(path))
    return found


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{e.get('PATH', '')}"
    state = ROOT / ".state"
    for key, sub in [("JUPYTER_CONFIG_DIR", "jupyter/config"), ("JUPYTER_DATA_DIR", "jupyter/data"),
                     ("JUPYTER_RUNTIME_DIR", "jupyter/runtime"), ("IPYTHONDIR", "ipython"),
                     ("MPLCONFIGDIR", "matplotlib"), ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache")]:  # fmt: skip
        e.setdefault(key, str(state / sub))
    e.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    return e


def run_nbgrader(
    course: Path, submitted: Path, work: Path, assignments: list[str], timeout: int, meter: CpuMeter
) -> tuple[float, Path]:
    root = work / "nbgrader-course"
    root.mkdir()
    (root / "source").symlink_to(course / "source", target_is_directory=True)
    shutil.copytree(submitted, root / "submitted")
    config = (course / "nbgrader_config.py").read_text() if (course / "nbgrader_config.py").exists() else ""
    config += (
        f"\nc.CourseDirectory.root = {str(root)!r}\n"
        f"c.CourseDirectory.db_url = {'sqlite:///' + str(root / 'gradebook.db')!r}\n"
        f"c.Execute.timeout = {timeout}\n"
    )
    if "get_config()" not in config:
        config = "c = get_config()  # noqa: F821\n" + config
    (root / "nbgrader_config.py").write_text(config)
    nbgrader = [sys.executable, "-m", "nbgrader"]
    for a in assignments:
        subprocess.run(
            nbgrader + ["generate_assignment", a, "--force", "--log-level=ERROR"],
            cwd=root,
            env=env(),
            check=True,
        )
    meter.start = meter._usage()
    started = time.perf_counter()
    for a in assignments:
        subprocess.run(
            nbgrader + ["autograde", a, "--force", "--log-level=ERROR"],
            cwd=root,
            env=env(),
            check=False,
            preexec_fn=meter.join,
        )
    seconds = time.perf_counter() - started
    out = work / "nbgrader-grades.csv"
    subprocess.run(nbgrader + ["export", f"--to={out}", "--log-level=ERROR"], cwd=root, env=env(), check=True)
    return seconds, out


def run_autograder(
    course: Path, submitted: Path, work: Path, workers: int, timeout: int, meter: CpuMeter, scheduler=""
) -> tuple[float, Path]:
    out = work / ("autograder-cluster-out" if scheduler else "autograder-out")
    started = time.perf_counter()
    cmd = [sys.executable, "-m", "autograder", "grade", str(submitted), "--out", str(out), "--course", str(course),
           "--workers", str(workers), "--timeout", str(timeout), "--no-progress"]  # fmt: skip
    cmd += ["--scheduler", scheduler] if scheduler else []
    subprocess.run(cmd, env=env(), check=True, stdout=subprocess.DEVNULL, preexec_fn=meter.join)
    return time.perf_counter() - started, out / "grades.csv"


CPUACCT = Path("/sys/fs/cgroup/cpuacct")


class CpuMeter:
    """CPU time used by a process tree, through a cgroup-v1 cpuacct group when one can be made.

    Every process the benchmark starts joins the group (and so do all their descendants: kernels,
    sandboxes), so the figure does not depend on what else the shared machine is doing. Falls back
    to the children's rusage (which misses processes not waited for by their parents).
    """

    def __init__(self, name: str):
        self.group = CPUACCT / f"bench-grading-{os.getpid()}-{name}"
        try:
            self.group.mkdir()
        except OSError:
            self.group = None
        self.start = self._usage()

    def _usage(self) -> float:
        if self.group is not None:
            return int((self.group / "cpuacct.usage").read_text()) / 1e9
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    def join(self) -> None:
        """preexec_fn: move the new child into the group before it runs anything."""
        if self.group is not None:
            (self.group / "tasks").write_text(str(os.getpid()))

    def leave(self) -> None:
        """Move the calling process back to the root group."""
        if self.group is not None:
            (CPUACCT / "tasks").write_text(str(os.getpid()))

    def seconds(self) -> float:
        return self._usage() - self.start

    def close(self) -> None:
        if self.group is not None:
            try:
                self.group.rmdir()
            except OSError:
                pass


def scores(path: Path) -> dict[tuple[str, str], float]:
    return {(r["student_id"], r["assignment"]): float(r["score"]) for r in csv.DictReader(path.open())}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--students", type=int, default=12)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--timeout", type=int, default=120, help="per-cell timeout for both graders")
    p.add_argument("--course", type=Path, default=ROOT)
    p.add_argument("--assignments", nargs="*", default=None)
    p.add_argument("--json", action="store_true")
    p.add_argument("--scheduler", default="", help="also grade on this Dask cluster (e.g. local:2)")
    args = p.parse_args(argv)
    course = args.course.resolve()
    work = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        found = build_class(course, work / "submitted", args.students)
        if args.assignments:
            found = {a: n for a, n in found.items() if a in args.assignments}
            for student in (work / "submitted").iterdir():
                for a in list(student.iterdir()):
                    if a.name not in found:
                        shutil.rmtree(a)
        load0 = os.getloadavg()[0]
        ours_cpu, theirs_cpu = CpuMeter("autograder"), CpuMeter("nbgrader")
        try:
            ours, ours_csv = run_autograder(
                course, work / "submitted", work, args.workers, args.timeout, ours_cpu
            )
            c_ours = ours_cpu.seconds()
            if args.scheduler:
                dask_cpu = CpuMeter("cluster")
                try:
                    on_dask, dask_csv = run_autograder(
                        course, work / "submitted", work, args.workers, args.timeout, dask_cpu, args.scheduler
                    )
                    c_dask = dask_cpu.seconds()
                finally:
                    dask_cpu.close()
            load1 = os.getloadavg()[0]
            theirs, theirs_csv = run_nbgrader(
                course, work / "submitted", work, list(found), args.timeout, theirs_cpu
            )
            c_theirs = theirs_cpu.seconds()
        finally:
            ours_cpu.close()
            theirs_cpu.close()
        load2 = os.getloadavg()[0]
        report = json.loads((ours_csv.parent / "report.json").read_text())
        graded = [
            nb
            for s in report["students"]
            for asg in s["assignments"].values()
            for nb in asg["notebooks"]
            if nb["status"] == "graded"
        ]
        evaluator_cpu = sum(nb.get("evaluator_cpu", 0.0) for nb in graded) / max(1, len(graded))
        a, b = scores(ours_csv), scores(theirs_csv)
        keys = sorted(k for k in b if k[1] in found)
        differ = [(k, a.get(k), b[k]) for k in keys if a.get(k) != b[k]]
        result = {
            "students": args.students,
            "assignments": list(found),
            "notebooks": args.students * sum(len(n) for n in found.values()),
            "workers": args.workers,
            "nbgrader_autograde_seconds": round(theirs, 1),
            "autograder_seconds": round(ours, 1),
            "speedup": round(theirs / ours, 2),
            "autograder_cpu_seconds": round(c_ours, 1),
            "nbgrader_autograde_cpu_seconds": round(c_theirs, 1),
            "cpu_ratio": round(c_theirs / c_ours, 2) if c_ours else None,
            "evaluator_cpu_seconds_per_notebook": round(evaluator_cpu, 3),
            "load_average_start_mid_end": [round(x, 1) for x in (load0, load1, load2)],
            "identical_scores": not differ,
            "differences": differ[:20],
        }
        if args.scheduler:
            n = result["notebooks"]
            result.update(
                scheduler=args.scheduler,
                cluster_seconds=round(on_dask, 1),
                cluster_cpu_seconds=round(c_dask, 1),
                cluster_overhead_seconds_per_notebook=round((on_dask - ours) / n, 2),
                cluster_overhead_ratio=round(on_dask / ours - 1, 3),
                cluster_identical_scores=scores(dask_csv) == a,
            )
        if args.json:
            print(json.dumps(result, indent=1))
        else:
            print(
                f"class: {result['students']} students x {len(found)} assignments = {result['notebooks']} notebooks"
            )
            print(f"nbgrader autograde (serial):        {theirs:7.1f} s")
            print(f"autograder --workers {args.workers}:            {ours:7.1f} s")
            print(f"speed-up:                           {result['speedup']:7.2f}x")
            print(f"CPU seconds: autograder {c_ours:.1f}, nbgrader autograde {c_theirs:.1f}")
            print(f"of which the trusted evaluator:     {evaluator_cpu:7.2f} s per notebook (mean)")
            print(f"load average at start / between / end: {load0:.1f} / {load1:.1f} / {load2:.1f}")
            print(f"identical scores:                   {result['identical_scores']}")
            if args.scheduler:
                print(
                    f"autograder --scheduler {args.scheduler}:  {on_dask:7.1f} s (CPU {c_dask:.1f} s), "
                    f"{result['cluster_overhead_seconds_per_notebook']:+.2f} s per notebook "
                    f"({100 * result['cluster_overhead_ratio']:+.1f} %) against --workers {args.workers}, "
                    f"identical scores: {result['cluster_identical_scores']}"
                )
            for k, x, y in differ[:20]:
                print(f"  {k}: autograder {x} vs nbgrader {y}")
        return 0 if not differ and result.get("cluster_identical_scores", True) else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
