"""TLS credentials for a grading cluster: ``python -m autograder cluster-credentials DIR``.

:func:`write_credentials` writes into DIR (which must not hold them already: nothing is overwritten)

* ``ca.pem``: a certificate authority made for this cluster; its private key is used once, to sign
  the three certificates below, and never written (new roles mean running the command again);
* ``scheduler.pem`` / ``scheduler-key.pem``, ``worker.pem`` / ``worker-key.pem``,
  ``client.pem`` / ``client-key.pem``: one certificate and key per Dask role (keys mode 0600);
* ``scheduler.yaml``, ``worker.yaml``, ``client.yaml``: a Dask configuration file per role
  (``DASK_CONFIG=DIR/worker.yaml dask worker ...``) naming the CA and that role's certificate by
  absolute path, with ``distributed.comm.require-encryption: true`` and the role's settings of
  ``cluster.DASK_CONFIG`` (the scheduler's queueing, the workers' quiet monitors).

Dask checks every peer's certificate against the CA (not its host name), so whoever holds a role's
key and ``ca.pem`` may act in that role: the client's key belongs on the coordinator only.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

ROLES = ("scheduler", "worker", "client")
VALID_DAYS = 365


def role_settings(folder: Path | str, role: str) -> dict:
    """The Dask settings of ``role`` for the credentials in ``folder``, as dotted keys (``dask.config.set``).

    ``folder``: where the files are on the machines of that role (an absolute path).
    """
    from .cluster import DASK_CONFIG

    folder = Path(folder)
    settings = {  # the scheduler's own keys to the scheduler, the rest to the workers
        k: v for k, v in DASK_CONFIG.items()
        if role != "client" and k.startswith("distributed.scheduler.") == (role == "scheduler")
    }  # fmt: skip
    if role == "scheduler":
        settings["distributed.scheduler.allowed-failures"] = 3
    return {
        **settings,
        "distributed.comm.require-encryption": True,
        "distributed.comm.tls.ca-file": str(folder / "ca.pem"),
        f"distributed.comm.tls.{role}.cert": str(folder / f"{role}.pem"),
        f"distributed.comm.tls.{role}.key": str(folder / f"{role}-key.pem"),
    }


def every_role(folder: Path | str):
    """A Dask ``Security`` holding every role's files of ``folder`` (a scheduler and workers started here).

    FileNotFoundError names the missing files.
    """
    from distributed.security import Security

    folder = Path(folder).resolve()
    files = {"tls_ca_file": str(folder / "ca.pem")}
    for role in ROLES:
        files[f"tls_{role}_cert"] = str(folder / f"{role}.pem")
        files[f"tls_{role}_key"] = str(folder / f"{role}-key.pem")
    missing = [p for p in files.values() if not Path(p).is_file()]
    if missing:
        raise FileNotFoundError(
            f"no such file: {', '.join(missing)}: write them with python -m autograder cluster-credentials {folder}"
        )
    return Security(require_encryption=True, **files)


def _nested(settings: dict) -> dict:
    out: dict = {}
    for key, value in settings.items():
        *parents, leaf = key.split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out


def _name(common: str):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "nn-basics grading"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _certificate(subject, public_key, issuer, signing_key, ca: bool, now):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtendedKeyUsageOID

    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))  # clocks a little behind still accept it
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                key_encipherment=False,
                content_commitment=False,
                data_encipherment=False,
                key_agreement=not ca,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
    )
    if not ca:  # every role both connects and (scheduler, worker) listens
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        ).add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()), critical=False
        )
    return builder.sign(signing_key, hashes.SHA256())


def _write(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)  # never over an existing file
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def write_credentials(folder: Path | str, installed_at: str | None = None) -> dict[str, Path]:
    """Write the CA, the three roles' certificates and keys and their Dask config files into ``folder``.

    ``installed_at``: the folder's absolute path on the machines that will use it, as the config
    files name it (default: ``folder``'s own; e.g. where a Kubernetes Secret is mounted).
    Returns ``{role: ROLE.yaml}``. Raises FileExistsError naming the files when ``folder`` already
    holds any of them (a cluster's credentials are replaced only on purpose, by removing them).
    """
    import yaml
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    folder = Path(folder).resolve()
    if installed_at is not None and not Path(installed_at).is_absolute():
        raise ValueError(f"the credentials' path on the cluster must be absolute, got {installed_at!r}")
    there = Path(installed_at) if installed_at else folder
    names = ["ca.pem"] + [f"{r}{suffix}" for r in ROLES for suffix in (".pem", "-key.pem", ".yaml")]
    folder.mkdir(parents=True, exist_ok=True)
    present = [n for n in names if (folder / n).exists()]
    if present:
        raise FileExistsError(
            f"{folder} already holds {', '.join(present)}: remove them to make new credentials "
            "(every machine of the cluster then needs the new ones)"
        )
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("nn-basics grading CA")
    ca_cert = _certificate(ca_name, ca_key.public_key(), ca_name, ca_key, True, now)
    _write(folder / "ca.pem", ca_cert.public_bytes(serialization.Encoding.PEM), 0o644)
    configs = {}
    for role in ROLES:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(_name(f"nn-basics {role}"), key.public_key(), ca_name, ca_key, False, now)
        pem_key = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        _write(folder / f"{role}-key.pem", pem_key, 0o600)
        _write(folder / f"{role}.pem", cert.public_bytes(serialization.Encoding.PEM), 0o644)
        configs[role] = folder / f"{role}.yaml"
        text = f"# Dask configuration of the grading cluster's {role}: DASK_CONFIG={configs[role]}\n"
        _write(
            configs[role],
            (text + yaml.safe_dump(_nested(role_settings(there, role)), sort_keys=False)).encode(),
            0o644,
        )
    return configs
