"""Grading clusters on Slurm (dask-jobqueue) and Kubernetes (the Dask operator), with TLS.

Both take the folder written by ``python -m autograder cluster-credentials DIR`` and the checkout
the workers run (the same commit as the coordinator's, with its ``.venv`` from ``make setup``):

* :func:`slurm_cluster`: a ``SLURMCluster`` whose scheduler runs in this process (keep it running
  while grading) and whose batch jobs start ``CHECKOUT/.venv/bin/python -m distributed.cli.dask_worker``
  with the worker's certificate and ``DASK_CONFIG=DIR/worker.yaml``;
* :func:`kube_cluster_spec`: a ``DaskCluster`` resource for the Dask operator, made with
  dask-kubernetes' ``make_cluster_spec`` and changed where the grader needs it: the image's own
  ``dask`` (``IMAGE_CHECKOUT/.venv/bin/dask scheduler`` / ``... worker``: the image has no
  ``dask-scheduler``), TLS with the credentials mounted from a Secret, root and privileged worker
  pods (bubblewrap and cgroups), and no idle timeout. The cluster outlives the Python process that
  creates it (``KubeCluster(custom_cluster_spec=spec, shutdown_on_close=False)``); it is removed on
  purpose (``kubectl delete daskcluster NAME``).

The grading itself is ``DASK_CONFIG=DIR/client.yaml python -m autograder grade ... --scheduler
tls://...`` as with any other cluster.
"""

from __future__ import annotations

from pathlib import Path

from .credentials import every_role

IMAGE_CHECKOUT = "/opt/nn-basics"  # where the grading image holds the checkout and its .venv
IMAGE_CREDENTIALS = "/etc/nn-basics-tls"  # where the pods mount the credentials' Secret


def slurm_cluster(credentials, checkout, *, cores: int = 16, memory: str = "64GB", port: int = 8786, **slurm):
    """A dask-jobqueue ``SLURMCluster`` grading from ``checkout`` with the TLS files in ``credentials``.

    One worker process per job with ``cores`` threads (one notebook each; ``--memory`` x cores must fit
    in ``memory``), no Dask memory limit (the sandboxes' cgroups cap memory). The jobs run as the
    user who submits them: the workers refuse to grade unless that is root (see autograder/README.md).
    ``slurm``: further SLURMCluster arguments (``queue``, ``walltime``, ``account``, ...).
    """
    import dask
    from dask_jobqueue import SLURMCluster

    from .cluster import DASK_CONFIG

    folder, checkout = Path(credentials).resolve(), Path(checkout).resolve()
    with dask.config.set({**DASK_CONFIG, "distributed.scheduler.allowed-failures": 3}):
        return SLURMCluster(
            cores=cores,
            processes=1,
            memory=memory,
            python=str(checkout / ".venv" / "bin" / "python"),
            job_script_prologue=[f"cd {checkout}", f"export DASK_CONFIG={folder / 'worker.yaml'}"],
            worker_extra_args=["--memory-limit", "0"],
            protocol="tls://",
            security=every_role(folder),
            scheduler_options={"port": port, "dashboard_address": None},
            **slurm,
        )


def kube_cluster_spec(name: str, image: str, n_workers: int, *, secret: str = "nn-basics-tls", threads: int = 4,
                      memory_mb: int = 2048) -> dict:  # fmt: skip
    """The operator's ``DaskCluster`` resource for grading with ``image`` (see the module's docstring).

    ``secret``: a Kubernetes Secret holding the files of ``cluster-credentials`` (``kubectl create
    secret generic nn-basics-tls --from-file=DIR``); ``threads`` notebooks at once per worker pod,
    each with up to ``memory_mb`` (the pod asks for that much per thread and 1 GB more).
    """
    from dask_kubernetes.operator import make_cluster_spec

    dask = f"{IMAGE_CHECKOUT}/.venv/bin/dask"
    spec = make_cluster_spec(name=name, image=image, n_workers=n_workers, idle_timeout=0)
    volume = {"name": "tls", "secret": {"secretName": secret, "defaultMode": 0o444}}
    mount = {"name": "tls", "mountPath": IMAGE_CREDENTIALS, "readOnly": True}
    address = f"tls://{name}-scheduler:8786"  # the operator's service for the scheduler
    pods = {"scheduler": spec["spec"]["scheduler"]["spec"], "worker": spec["spec"]["worker"]["spec"]}
    for role, pod in pods.items():
        pod["volumes"] = [volume]
        container = pod["containers"][0]
        container["volumeMounts"] = [mount]
        container["workingDir"] = IMAGE_CHECKOUT
        container["env"] = [{"name": "DASK_CONFIG", "value": f"{IMAGE_CREDENTIALS}/{role}.yaml"}]
    scheduler, worker = (pods[r]["containers"][0] for r in ("scheduler", "worker"))
    scheduler["args"] = [dask, "scheduler", "--protocol", "tls", "--host", "0.0.0.0", "--port", "8786",
                         "--no-dashboard"]  # fmt: skip
    # no dashboard (bokeh is not installed), so the probes knock at the TLS port instead
    for probe in ("readinessProbe", "livenessProbe"):
        scheduler[probe].pop("httpGet")
        scheduler[probe]["tcpSocket"] = {"port": "tcp-comm"}
    scheduler["ports"] = [p for p in scheduler["ports"] if p["name"] == "tcp-comm"]
    service = spec["spec"]["scheduler"]["service"]
    service["ports"] = [p for p in service["ports"] if p["name"] == "tcp-comm"]
    # the scheduler needs no privilege
    scheduler["securityContext"] = {
        "runAsUser": 65534,
        "runAsNonRoot": True,
        "allowPrivilegeEscalation": False,
    }
    worker["args"] = [dask, "worker", address, "--name", "$(DASK_WORKER_NAME)", "--nthreads", str(threads),
                      "--memory-limit", "0", "--no-dashboard"]  # fmt: skip
    worker.pop("ports", None)
    # root and privileged: bubblewrap's namespaces and a cgroup and uid per sandbox (the grader's checks)
    worker["securityContext"] = {"runAsUser": 0, "privileged": True}
    worker["resources"] = {"requests": {"cpu": str(threads), "memory": f"{threads * memory_mb + 1024}Mi"}}
    return spec
