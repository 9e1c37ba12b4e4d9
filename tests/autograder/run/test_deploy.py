"""autograder.run.deploy: the Slurm and Kubernetes set-ups of autograder/README.md, built by the libraries.

* Slurm: the README's ``slurm_cluster(...)`` call, made with its own arguments, renders a job script
  (dask-jobqueue's ``job_script``) with the checkout's interpreter, the prologue (the checkout, the
  worker's DASK_CONFIG), the worker's TLS files, tls:// and no Dask memory limit; and where Slurm is
  installed, a one-node Slurm of the test's own (munged, slurmctld, slurmd on 127.0.0.1) grades the
  demo class through ``slurm_cluster`` with the thread pool's scores.
* Kubernetes: ``kube_cluster_spec`` (dask-kubernetes' ``make_cluster_spec``, changed) has commands
  that exist here and accept their options (each run with ``--help``, the checkout standing in for
  the image's /opt/nn-basics), TLS from the Secret, the security context, no idle timeout; the
  README's code passes it to ``KubeCluster`` with ``shutdown_on_close=False`` (the keep-alive).
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.autograder.support import IN_CI, make_course, need_sandbox

dask_jobqueue = pytest.importorskip("dask_jobqueue")
operator = pytest.importorskip("dask_kubernetes.operator")
import dask  # noqa: E402

from autograder.demo import sampleclass as demo  # noqa: E402
from autograder.grade import grade  # noqa: E402
from autograder.isolate.limits import Limits  # noqa: E402
from autograder.run import credentials, deploy  # noqa: E402
from tests.autograder.run.test_cluster import csv_rows, verdicts  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
README = (ROOT / "autograder" / "README.md").read_text()


def readme_python(marker: str) -> str:
    """The README's python code block containing ``marker``, dedented."""
    blocks = [b for b in re.findall(r"```python\n(.*?)```", README, flags=re.S) if marker in b]
    assert len(blocks) == 1, marker
    return "\n".join(line[3:] if line.startswith("   ") else line for line in blocks[0].splitlines())


@pytest.fixture(scope="module")
def creds(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("creds")
    credentials.write_credentials(folder)
    return folder


def test_the_readme_slurm_cluster_renders_a_tls_job_script_from_the_checkout(creds):
    (call,) = [n for n in ast.walk(ast.parse(readme_python("slurm_cluster("))) if isinstance(n, ast.Call)
               and getattr(n.func, "id", "") == "slurm_cluster"]  # fmt: skip
    assert [ast.literal_eval(a) for a in call.args] == ["/shared/creds", "/shared/nn-basics"]
    options = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    cluster = deploy.slurm_cluster(creds, ROOT, port=0, **options)  # the README's call, here
    try:
        script = cluster.job_script()
        address = cluster.scheduler_address
    finally:
        cluster.close()
    assert address.startswith("tls://")
    lines = script.splitlines()
    assert (
        "#SBATCH -p compute" in lines
        and "#SBATCH --cpus-per-task=16" in lines
        and "#SBATCH -t 02:00:00" in lines
    )
    assert lines[-3:-1] == [f"cd {ROOT}", f"export DASK_CONFIG={creds}/worker.yaml"]  # the prologue
    python = ROOT / ".venv" / "bin" / "python"
    assert lines[-1].startswith(f"{python} -m distributed.cli.dask_worker {address} ") and python.is_file()
    worker = lines[-1].split()
    assert worker[worker.index("--tls-ca-file") + 1] == f"{creds}/ca.pem"
    assert worker[worker.index("--tls-cert") + 1] == f"{creds}/worker.pem"
    assert worker[worker.index("--tls-key") + 1] == f"{creds}/worker-key.pem"
    assert worker[len(worker) - 1 - worker[::-1].index("--memory-limit") + 1] == "0"  # the last one counts
    assert worker[worker.index("--nthreads") + 1] == "16" and "--nanny" in worker


def test_a_missing_credential_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no such file: .*/ca\.pem.*cluster-credentials"):
        deploy.slurm_cluster(tmp_path, ROOT, port=0)


# ---- a one-node Slurm of the test's own ------------------------------------------------------------

SLURM_DAEMONS = ("munged", "slurmctld", "slurmd", "sbatch")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def slurm(tmp_path, monkeypatch):
    """munged, slurmctld and slurmd on 127.0.0.1 with a private configuration; SLURM_CONF set here."""
    missing = [d for d in SLURM_DAEMONS if shutil.which(d) is None]
    if missing:
        message = f"Slurm is not installed (no {', '.join(missing)}): apt-get install slurmctld slurmd slurm-client munge"
        if IN_CI:
            pytest.fail(message + " (CI=true: .ci/run installs it)", pytrace=False)
        pytest.skip(message)
    if os.geteuid() != 0:
        pytest.skip("a private slurmd runs jobs as root only when started by root")
    home = tmp_path / "slurm"
    for sub in ("state", "spool", "logs"):
        (home / sub).mkdir(parents=True)
    key = home / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o600)
    sock = home / "munge.sock"
    conf = home / "slurm.conf"
    conf.write_text(f"""ClusterName=nnbasics
SlurmctldHost={socket.gethostname().split(".")[0]}(127.0.0.1)
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
AuthType=auth/munge
AuthInfo=socket={sock}
StateSaveLocation={home}/state
SlurmdSpoolDir={home}/spool
SlurmctldPidFile={home}/slurmctld.pid
SlurmdPidFile={home}/slurmd.pid
SlurmctldLogFile={home}/slurmctld.log
SlurmdLogFile={home}/slurmd.log
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=grader NodeAddr=127.0.0.1 CPUs={os.cpu_count()} RealMemory=4000 State=UNKNOWN
PartitionName=grading Nodes=grader Default=YES MaxTime=INFINITE State=UP
""")
    monkeypatch.setenv("SLURM_CONF", str(conf))
    daemons = []  # in the foreground, so that they are ours to stop
    try:
        for cmd in (["munged", "--foreground", "--force", f"--key-file={key}", f"--socket={sock}",
                     f"--pid-file={home}/munged.pid", f"--log-file={home}/munged.log", f"--seed-file={home}/munged.seed"],
                    ["slurmctld", "-D"], ["slurmd", "-D", "-N", "grader"]):  # fmt: skip
            daemons.append(
                subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=(home / f"{cmd[0]}.err").open("w"))
            )
            time.sleep(1)
        deadline = time.monotonic() + 120
        state = ""
        while time.monotonic() < deadline:
            state = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True).stdout.strip()
            if state == "idle":
                break
            time.sleep(0.5)
        logs = "".join(
            (home / f).read_text()[-1500:] for f in ("slurmctld.log", "slurmd.log") if (home / f).exists()
        )
        assert state == "idle", f"the one-node Slurm did not come up: {state!r}; {logs}"
        yield home
    finally:
        subprocess.run(["scancel", "--user=root"], capture_output=True)
        for daemon in reversed(daemons):
            daemon.terminate()
            try:
                daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()


def test_a_one_node_slurm_grades_the_demo_class_like_the_thread_pool(
    slurm, creds, tmp_path_factory, tmp_path
):
    need_sandbox()
    course = make_course(tmp_path_factory)
    folder = demo.build_class(course, tmp_path / "class", assignments=["a1_squares"])
    limits = Limits(timeout=15, grace=3, memory_mb=2048)
    cluster = deploy.slurm_cluster(creds, ROOT, cores=1, memory="2GB", walltime="00:20:00", queue="grading",
                                   port=0, log_directory=str(slurm / "logs"))  # fmt: skip
    try:
        cluster.scale(jobs=2)
        with dask.config.set(credentials.role_settings(creds, "client")):
            grade(folder, tmp_path / "slurm", course_root=course, scheduler=cluster.scheduler_address, limits=limits,
                  progress=False)  # fmt: skip
    finally:
        cluster.close()
    grade(folder, tmp_path / "pool", course_root=course, workers=2, limits=limits, progress=False)
    assert (
        verdicts(tmp_path / "slurm") == verdicts(tmp_path / "pool") and len(verdicts(tmp_path / "pool")) == 9
    )
    assert csv_rows(tmp_path / "slurm") == csv_rows(tmp_path / "pool")
    report = json.loads((tmp_path / "slurm" / "report.json").read_text())
    assert report["isolation"]["accepted"] and not report["isolation"]["refused"]
    jobs = list((slurm / "logs").glob("*.err")) + list((slurm / "logs").glob("*.out"))
    assert jobs and any("Starting Worker plugin autograder-worker-check" in j.read_text() for j in jobs)


# ---- Kubernetes --------------------------------------------------------------------------------


def in_this_checkout(args: list[str]) -> list[str]:
    """A container's command with the image's checkout replaced by this one, the operator's variables filled."""
    return [a.replace(deploy.IMAGE_CHECKOUT, str(ROOT)).replace("$(DASK_WORKER_NAME)", "w0") for a in args]


def test_the_kubernetes_spec_runs_commands_of_the_image_as_root_behind_tls():
    spec = deploy.kube_cluster_spec("grading", "registry.example.org/nn-basics-grader:abc", 20, threads=4)
    assert spec["kind"] == "DaskCluster" and spec["spec"]["idleTimeout"] == 0
    assert spec["spec"]["worker"]["replicas"] == 20
    pods = {role: spec["spec"][role]["spec"] for role in ("scheduler", "worker")}
    for role, pod in pods.items():
        (container,) = pod["containers"]
        assert container["image"] == "registry.example.org/nn-basics-grader:abc"
        assert container["args"][:2] == [f"{deploy.IMAGE_CHECKOUT}/.venv/bin/dask", role]
        assert container["env"] == [
            {"name": "DASK_CONFIG", "value": f"{deploy.IMAGE_CREDENTIALS}/{role}.yaml"}
        ]
        assert container["volumeMounts"] == [
            {"name": "tls", "mountPath": deploy.IMAGE_CREDENTIALS, "readOnly": True}
        ]
        assert pod["volumes"][0]["secret"]["secretName"] == "nn-basics-tls"
        # the command exists here and takes these options (an unknown option fails before --help)
        done = subprocess.run([*in_this_checkout(container["args"]), "--help"], capture_output=True, text=True,
                              timeout=120)  # fmt: skip
        assert done.returncode == 0 and f"Usage: dask {role}" in done.stdout, done.stderr[-2000:]
    worker, scheduler = pods["worker"]["containers"][0], pods["scheduler"]["containers"][0]
    assert worker["args"][2] == "tls://grading-scheduler:8786"
    assert (
        worker["args"][worker["args"].index("--nthreads") + 1] == "4" and "--memory-limit" in worker["args"]
    )
    assert worker["securityContext"] == {"runAsUser": 0, "privileged": True}
    assert worker["resources"]["requests"] == {"cpu": "4", "memory": f"{4 * 2048 + 1024}Mi"}
    assert scheduler["securityContext"]["runAsNonRoot"] and scheduler["args"][2:4] == ["--protocol", "tls"]
    assert (
        scheduler["readinessProbe"]["tcpSocket"] == {"port": "tcp-comm"}
        and "httpGet" not in scheduler["livenessProbe"]
    )
    assert [p["name"] for p in spec["spec"]["scheduler"]["service"]["ports"]] == ["tcp-comm"]


def test_the_readme_keeps_the_kubernetes_cluster_alive(monkeypatch):
    made = []

    class Recorder:
        def __init__(self, **kwargs):
            made.append(kwargs)

    assert "shutdown_on_close" in inspect.signature(operator.KubeCluster.__init__).parameters
    monkeypatch.setattr(operator, "KubeCluster", Recorder)
    exec(compile(readme_python("kube_cluster_spec("), "README.md", "exec"), {})
    (kwargs,) = made
    assert kwargs["shutdown_on_close"] is False
    assert kwargs["custom_cluster_spec"] == deploy.kube_cluster_spec(
        "grading", "registry.example.org/nn-basics-grader:<commit>", n_workers=20, threads=4
    )
