"""Which code a run grades with: a hash of every file the sandboxes load (``version_id(course_files())``).

The journal keys each finished notebook by it (a resumed run regrades what changed) and a cluster's
workers must match the coordinator's.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COURSE_PARTS = ("autograder", "helpers", "tools", "data")  # what a worker's sandboxes load


def course_files(root: Path = ROOT) -> dict[str, str]:
    """sha256 of every file the sandboxes load (``COURSE_PARTS`` of ``root``), by relative path."""
    out = {}
    for part in COURSE_PARTS:
        for path in sorted((root / part).rglob("*")):
            rel = path.relative_to(root)
            if (
                path.is_file()
                and path.suffix != ".pyc"
                and not any(p.startswith((".", "__pycache__")) for p in rel.parts)
            ):
                out[rel.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def version_id(files: dict[str, str]) -> str:
    """A short name for a set of course files (the same files give the same name on every machine)."""
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:12]
