"""Regenerate the shipped CIFAR-10 sample (data/cifar-10-sample) from the full archive, deterministically.

    NN_BASICS_CIFAR10=/path/to/cifar-10-python.tar.gz .venv/bin/python data/make_sample.py
    .venv/bin/python data/make_sample.py /path/to/cifar-10-python.tar.gz

Draws, with ``numpy.random.default_rng(SEED)``, 100 training images per class (1,000; written as
``data_batch_1`` .. ``data_batch_5`` with 20 per class each) and 20 test images per class (200;
``test_batch``), plus ``batches.meta``, in the official pickle format: protocol 2 with Python-2-style
byte strings, a dict with ``batch_label``, ``labels`` (list of int), ``data`` (uint8 (n, 3072): R plane,
G plane, B plane) and ``filenames``. ``indices.json`` records where every row comes from in the full
data, so a test can check the sample against it. Running it twice gives byte-identical files.
"""

import io
import json
import os
import pickle
import struct
import sys
import tarfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers.data import _BatchUnpickler, _numpy_globals  # noqa: E402

SEED = 2009
TRAIN_PER_CLASS = 100
TEST_PER_CLASS = 20
NUM_TRAIN_BATCHES = 5
OUT = ROOT / "data" / "cifar-10-sample"
BATCHES = OUT / "cifar-10-batches-py"
_RECONSTRUCT = _numpy_globals()[("numpy.core.multiarray", "_reconstruct")]


class _OfficialStylePickler(pickle._Pickler):
    """Protocol 2 as the official files: bytes as BINSTRING, arrays via numpy.core.multiarray."""

    dispatch = pickle._Pickler.dispatch.copy()

    def save_bytes(self, obj):
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + obj)
        self.memoize(obj)

    dispatch[bytes] = save_bytes

    def save_global(self, obj, name=None):
        if obj is _RECONSTRUCT:  # the name NumPy 1.x and 2.x both resolve
            self.write(pickle.GLOBAL + b"numpy.core.multiarray\n_reconstruct\n")
            self.memoize(obj)
            return
        super().save_global(obj, name)


def dumps(obj):
    buffer = io.BytesIO()
    _OfficialStylePickler(buffer, protocol=2).dump(obj)
    return buffer.getvalue()


def read_full(path):
    """Raw batch dicts (bytes keys) of the full archive or batches folder, read with the safe unpickler."""
    path = Path(path)
    raw = {}
    if path.is_file():
        with tarfile.open(path, "r:*") as archive:
            for member in archive:
                if member.isfile():
                    raw[member.name.rsplit("/", 1)[-1]] = archive.extractfile(member).read()
    else:
        folder = path / "cifar-10-batches-py" if (path / "cifar-10-batches-py").is_dir() else path
        raw = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    return {name: _BatchUnpickler(io.BytesIO(b), encoding="bytes").load() for name, b in raw.items()}


def merge(batches):
    data = np.concatenate([b[b"data"] for b in batches])
    labels = np.concatenate([np.asarray(b[b"labels"], dtype=np.int64) for b in batches])
    filenames = [f for b in batches for f in b[b"filenames"]]
    return data, labels, filenames


def batch(label, data, labels, filenames, rows):
    return {
        b"batch_label": label.encode(),
        b"labels": [int(labels[i]) for i in rows],
        b"data": np.ascontiguousarray(data[rows]),
        b"filenames": [bytes(filenames[i]) for i in rows],
    }


def main(source):
    full = read_full(source)
    rng = np.random.default_rng(SEED)
    train_data, train_labels, train_names = merge([full[f"data_batch_{i}"] for i in range(1, 6)])
    test_data, test_labels, test_names = merge([full["test_batch"]])
    num_classes = len(full["batches.meta"][b"label_names"])

    groups = [[] for _ in range(NUM_TRAIN_BATCHES)]
    for c in range(num_classes):
        chosen = rng.choice(np.flatnonzero(train_labels == c), size=TRAIN_PER_CLASS, replace=False)
        for k, part in enumerate(np.split(chosen, NUM_TRAIN_BATCHES)):
            groups[k].extend(int(i) for i in part)
    train_rows = [sorted(g) for g in groups]
    test_rows = sorted(
        int(i)
        for c in range(num_classes)
        for i in rng.choice(np.flatnonzero(test_labels == c), size=TEST_PER_CLASS, replace=False)
    )

    BATCHES.mkdir(parents=True, exist_ok=True)
    files = {}
    for k, rows in enumerate(train_rows, start=1):
        label = f"training batch {k} of {NUM_TRAIN_BATCHES} (nn-basics sample)"
        files[f"data_batch_{k}"] = batch(label, train_data, train_labels, train_names, rows)
    files["test_batch"] = batch(
        "testing batch 1 of 1 (nn-basics sample)", test_data, test_labels, test_names, test_rows
    )
    meta = dict(full["batches.meta"])
    meta[b"num_cases_per_batch"] = len(train_rows[0])
    files["batches.meta"] = meta
    for name, obj in files.items():
        (BATCHES / name).write_bytes(dumps(obj))
    index = {
        "seed": SEED,
        "source": os.path.basename(str(source)),
        "train_per_class": TRAIN_PER_CLASS,
        "test_per_class": TEST_PER_CLASS,
        "train_indices": [i for rows in train_rows for i in rows],
        "test_indices": test_rows,
    }
    (OUT / "indices.json").write_text(json.dumps(index, indent=None) + "\n")
    print(f"wrote {sum(map(len, train_rows))} training and {len(test_rows)} test images to {BATCHES}")


if __name__ == "__main__":
    src = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("NN_BASICS_CIFAR10")
    if not src:
        sys.exit("usage: make_sample.py /path/to/cifar-10-python.tar.gz  (or set NN_BASICS_CIFAR10)")
    main(src)
