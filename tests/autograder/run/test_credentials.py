"""autograder.run.credentials: ``python -m autograder cluster-credentials DIR``.

The command writes a CA and one certificate per role signed by it (keys readable by their owner
only), and a Dask config file per role that Dask itself reads into a TLS ``Security`` requiring
encryption; it never replaces existing credentials; ``--installed-at`` names the files where the
cluster will have them. That the files make a working cluster, and keep out a client without them,
is tested in test_cluster.py.
"""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("cryptography")
import yaml  # noqa: E402
from cryptography import x509  # noqa: E402

from autograder.run.credentials import ROLES  # noqa: E402
from tests.autograder import support  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]


def cli(*args: str) -> subprocess.CompletedProcess:
    return support.cli("cluster-credentials", *args, cwd=ROOT, timeout=120)


def test_the_command_writes_a_ca_three_roles_and_their_dask_configs(tmp_path):
    folder = tmp_path / "creds"
    done = cli(str(folder))
    assert done.returncode == 0, done.stderr
    for role in ROLES:
        assert f"DASK_CONFIG={folder / role}.yaml" in done.stdout
    ca = x509.load_pem_x509_certificate((folder / "ca.pem").read_bytes())
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    for role in ROLES:
        cert = x509.load_pem_x509_certificate((folder / f"{role}.pem").read_bytes())
        cert.verify_directly_issued_by(ca)  # raises if the CA did not sign it
        assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        assert stat.S_IMODE((folder / f"{role}-key.pem").stat().st_mode) == 0o600
        config = yaml.safe_load((folder / f"{role}.yaml").read_text())
        tls = config["distributed"]["comm"]["tls"]
        assert config["distributed"]["comm"]["require-encryption"] is True
        assert tls == {"ca-file": str(folder / "ca.pem"),
                       role: {"cert": str(folder / f"{role}.pem"), "key": str(folder / f"{role}-key.pem")}}  # fmt: skip
    scheduler = yaml.safe_load((folder / "scheduler.yaml").read_text())["distributed"]["scheduler"]
    assert scheduler["worker-saturation"] == 1.0 and scheduler["allowed-failures"] == 3
    assert not list(folder.glob("*ca-key*"))  # the CA's key signed the three and is gone
    # Dask reads a role's file into its Security, as `DASK_CONFIG=... dask worker` does
    probe = "from distributed.security import Security; s = Security(); print(s.require_encryption, s.tls_worker_cert)"
    seen = subprocess.run([sys.executable, "-c", probe], env={"DASK_CONFIG": str(folder / "worker.yaml")},
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert seen.stdout.split() == ["True", str(folder / "worker.pem")], seen.stderr


def test_existing_credentials_are_never_replaced(tmp_path):
    folder = tmp_path / "creds"
    assert cli(str(folder)).returncode == 0
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    again = cli(str(folder))
    assert again.returncode == 2
    assert f"{folder} already holds ca.pem" in again.stderr and "remove them" in again.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_installed_at_names_the_files_where_the_cluster_has_them(tmp_path):
    done = cli(str(tmp_path / "k8s"), "--installed-at", "/etc/nn-basics-tls")
    assert done.returncode == 0, done.stderr
    tls = yaml.safe_load((tmp_path / "k8s" / "worker.yaml").read_text())["distributed"]["comm"]["tls"]
    assert (
        tls["ca-file"] == "/etc/nn-basics-tls/ca.pem"
        and tls["worker"]["key"] == "/etc/nn-basics-tls/worker-key.pem"
    )
    relative = cli(str(tmp_path / "rel"), "--installed-at", "etc/tls")
    assert relative.returncode == 2 and "must be absolute, got 'etc/tls'" in relative.stderr
