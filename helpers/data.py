r"""CIFAR-10 for notebook 08_cifar10: loading, the shipped sample, preprocessing and a seeded split.

``load_cifar10(path=None)`` returns ``(X_train, y_train, X_test, y_test)`` with ``X`` uint8 of shape
``(N, 32, 32, 3)`` (N = 50,000 and 10,000) and ``y`` int64 of shape ``(N,)``, labels 0..9 in the order
of :data:`CLASSES`. Where the data comes from, first match wins:

1. ``path``, if given;
2. the environment variable ``NN_BASICS_CIFAR10``;
3. the cache folder ``data/cache/`` of the project (ignored by git); when it holds nothing, the
   official archive is downloaded there from the University of Toronto (about 163 MB, with a
   progress bar), its official MD5 is checked, and only then is it renamed into place.

Each may be the official ``cifar-10-python.tar.gz`` (read straight from the archive, nothing is
unpacked), a folder holding ``cifar-10-batches-py/``, or that batches folder itself. The pickles are
read with a restricted unpickler that only accepts what CIFAR-10 batches contain (dicts, lists, bytes,
ints and NumPy arrays), so a tampered file cannot run code. Anything corrupt, truncated or in the
wrong format raises :class:`CIFAR10Error` naming the file.

``load_cifar10_sample()`` reads the small real sample shipped in ``data/cifar-10-sample`` (1,000
training and 200 test images, all 10 classes) in the same official format; see ``data/README.md``.
"""

import hashlib
import io
import os
import pickle
import queue
import tarfile
import tempfile
import threading
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import numpy as np

__all__ = [
    "CIFAR10Error",
    "CLASSES",
    "class_examples",
    "load_cifar10",
    "load_cifar10_sample",
    "preprocess",
    "train_val_split",
]

CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")

ENV_VAR = "NN_BASICS_CIFAR10"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = PROJECT_ROOT / "data" / "cache"
SAMPLE_DIR = PROJECT_ROOT / "data" / "cifar-10-sample"
ARCHIVE_NAME = "cifar-10-python.tar.gz"
BATCHES_DIR = "cifar-10-batches-py"
URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
MD5 = "c58f30108f718f92721af3b95e74349a"  # the official archive (never applied to a user's own file)

_CHUNK = 2048  # rows per step in preprocess
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCH = "test_batch"
IMAGE_SIZE = 32 * 32 * 3


class CIFAR10Error(ValueError):
    """CIFAR-10 data that is missing, corrupt, truncated or not in the official format."""


# --------------------------------------------------------------------------------------------------
# safe unpickling of the official batch format
# --------------------------------------------------------------------------------------------------
def _latin1_encode(text, encoding="latin1"):
    if not isinstance(text, str) or encoding.lower().replace("-", "") != "latin1":
        raise pickle.UnpicklingError(f"refusing _codecs.encode with encoding {encoding!r}")
    return text.encode("latin1")


def _numpy_globals():
    try:
        from numpy._core import multiarray, numeric  # NumPy 2
    except ImportError:  # pragma: no cover - NumPy 1.x
        from numpy.core import multiarray, numeric
    reconstruct = multiarray._reconstruct
    frombuffer = numeric._frombuffer  # pickle protocol 5 arrays
    return {
        ("numpy.core.numeric", "_frombuffer"): frombuffer,
        ("numpy._core.numeric", "_frombuffer"): frombuffer,
        ("_codecs", "encode"): _latin1_encode,  # how Python 3 writes bytes in protocol 2 pickles
        ("numpy.core.multiarray", "_reconstruct"): reconstruct,
        ("numpy._core.multiarray", "_reconstruct"): reconstruct,
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
    }


class _BatchUnpickler(pickle.Unpickler):
    """Unpickler that only resolves NumPy's array reconstruction globals (and latin-1 bytes)."""

    _allowed = _numpy_globals()

    def find_class(self, module, name):
        try:
            return self._allowed[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing global {module}.{name}: a CIFAR-10 batch only holds dicts, lists, bytes and "
                "NumPy arrays"
            ) from None

    def persistent_load(self, pid):
        raise pickle.UnpicklingError("refusing persistent ids")


def _unpickle(raw, source):
    try:
        obj = _BatchUnpickler(io.BytesIO(raw), encoding="bytes").load()
    except Exception as exc:  # noqa: BLE001 - every failure becomes one clear error
        raise CIFAR10Error(
            f"{source} is not a readable CIFAR-10 pickle ({type(exc).__name__}: {exc}). "
            "The file is corrupt, truncated or in another format; download it again."
        ) from None
    if not isinstance(obj, dict):
        raise CIFAR10Error(f"{source} holds a {type(obj).__name__}, not the dict of a CIFAR-10 batch.")
    return {(k.decode("latin1") if isinstance(k, bytes) else k): v for k, v in obj.items()}


def _parse_batch(raw, source):
    """Return ``(data (n, 3072) uint8, labels (n,) int64)`` from the bytes of one batch pickle."""
    batch = _unpickle(raw, source)
    missing = [k for k in ("data", "labels") if k not in batch]
    if missing:
        raise CIFAR10Error(f"{source} has no {' or '.join(missing)} entry; keys found: {sorted(batch)}.")
    data = batch["data"]
    if (
        not isinstance(data, np.ndarray)
        or data.dtype != np.uint8
        or data.ndim != 2
        or data.shape[1] != IMAGE_SIZE
    ):
        desc = (
            f"{data.dtype} array of shape {data.shape}"
            if isinstance(data, np.ndarray)
            else type(data).__name__
        )
        raise CIFAR10Error(
            f"{source}: 'data' should be a uint8 array of shape (n, {IMAGE_SIZE}), got {desc}."
        )
    try:
        labels = np.asarray(batch["labels"], dtype=np.int64)
    except (TypeError, ValueError, OverflowError):
        raise CIFAR10Error(f"{source}: 'labels' is not a list of integers.") from None
    if labels.shape != (data.shape[0],):
        raise CIFAR10Error(
            f"{source}: {data.shape[0]} images but 'labels' has shape {labels.shape}; the file is inconsistent."
        )
    if labels.size and (labels.min() < 0 or labels.max() >= len(CLASSES)):
        raise CIFAR10Error(f"{source}: labels must lie in 0..9, found {labels.min()}..{labels.max()}.")
    return data, labels


# --------------------------------------------------------------------------------------------------
# reading archives and folders
# --------------------------------------------------------------------------------------------------
def _iter_tar(path):
    """Yield ``(name, bytes, source)`` for each wanted batch inside ``path``, in archive order.

    One sequential pass over the compressed stream; nothing is written to disk.
    """
    wanted = set(TRAIN_BATCHES) | {TEST_BATCH}
    found = set()
    try:
        with tarfile.open(path, "r:*") as archive:
            for member in archive:
                name = member.name.rsplit("/", 1)[-1]
                if name in wanted and member.isfile() and name not in found:
                    found.add(name)
                    yield name, archive.extractfile(member).read(), f"{path}:{name}"
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise CIFAR10Error(
            f"{path} is not a readable CIFAR-10 archive ({type(exc).__name__}: {exc}). Expected the "
            f"official {ARCHIVE_NAME}; the file may be truncated or corrupt: download it again."
        ) from None
    missing = sorted(wanted - found)
    if missing:
        raise CIFAR10Error(
            f"{path} is a tar archive but lacks {', '.join(missing)} (expected {BATCHES_DIR}/data_batch_1..5 "
            "and test_batch, as in the official cifar-10-python.tar.gz)."
        )


def _prefetch(iterator, depth=2):
    """Run ``iterator`` in a background thread, up to ``depth`` items ahead.

    zlib releases the GIL, so decompressing the next batch overlaps with unpickling this one.
    Exceptions of the iterator are re-raised in the caller; when the caller stops early (a bad batch),
    the thread is told to stop and the archive is closed.
    """
    items = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def put(item):
        while not stop.is_set():
            try:
                items.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        try:
            for item in iterator:
                if not put(item):
                    break
            else:
                put(done)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            put(exc)
        finally:
            iterator.close()

    worker = threading.Thread(target=produce, name="cifar10-reader", daemon=True)
    worker.start()
    try:
        while (item := items.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def _iter_folder(folder):
    missing = [name for name in (*TRAIN_BATCHES, TEST_BATCH) if not (folder / name).is_file()]
    if missing:
        raise CIFAR10Error(f"{folder} lacks {', '.join(missing)} (expected data_batch_1..5 and test_batch).")
    for name in (*TRAIN_BATCHES, TEST_BATCH):
        yield name, (folder / name).read_bytes(), str(folder / name)


def _locate(path):
    """Classify ``path``: ('tar', file) or ('folder', batches folder); None when it holds no data."""
    path = Path(path).expanduser()
    if path.is_file():
        return "tar", path
    if path.is_dir():
        if (path / BATCHES_DIR).is_dir():
            return "folder", path / BATCHES_DIR
        if (path / TRAIN_BATCHES[0]).is_file() or (path / TEST_BATCH).is_file():
            return "folder", path
        if (path / ARCHIVE_NAME).is_file():
            return "tar", path / ARCHIVE_NAME
    return None


def _load_from(kind, where):
    files = _prefetch(_iter_tar(where)) if kind == "tar" else _iter_folder(where)
    parts = {}
    for name, raw, source in files:
        parts[name] = _parse_batch(raw, source)
        del raw  # keep at most a couple of raw batches alive
    X_train = _to_images([parts[n][0] for n in TRAIN_BATCHES])
    y_train = np.concatenate([parts[n][1] for n in TRAIN_BATCHES])
    X_test = _to_images([parts[TEST_BATCH][0]])
    y_test = parts[TEST_BATCH][1]
    return X_train, y_train, X_test, y_test


def _to_images(batches):
    """(n, 3072) rows (R plane, G plane, B plane) of each batch -> one (N, 32, 32, 3) uint8 array."""
    out = np.empty((sum(len(b) for b in batches), 32, 32, 3), dtype=np.uint8)
    start = 0
    for rows in batches:
        stop = start + len(rows)
        for c in range(3):  # one channel at a time: about twice as fast as a 4-D transpose copy
            out[start:stop, :, :, c] = rows[:, c * 1024 : (c + 1) * 1024].reshape(-1, 32, 32)
        start = stop
    return out


def _where_to_put_it():
    return (
        f"Put the official {ARCHIVE_NAME} (from {URL}) into {CACHE_DIR}/, or set the environment "
        f"variable {ENV_VAR} to its path (or to a folder holding {BATCHES_DIR}/)."
    )


def load_cifar10(path=None, *, download=True):
    """Load CIFAR-10 as ``(X_train, y_train, X_test, y_test)``.

    Parameters
    ----------
    path : str or Path, optional
        ``cifar-10-python.tar.gz``, a folder holding ``cifar-10-batches-py/``, or that folder. When
        omitted, the environment variable ``NN_BASICS_CIFAR10`` and then the cache folder are used.
    download : bool
        Download the official archive into the cache folder when no data is found (default True).

    Returns
    -------
    X_train : ndarray of uint8, shape (50000, 32, 32, 3)
    y_train : ndarray of int64, shape (50000,)
    X_test : ndarray of uint8, shape (10000, 32, 32, 3)
    y_test : ndarray of int64, shape (10000,)
    """
    if path is not None:
        origin = f"path {str(path)!r}"
    elif os.environ.get(ENV_VAR, "").strip():
        path = os.environ[ENV_VAR].strip()
        origin = f"{ENV_VAR}={path!r}"
    else:
        found = _locate(CACHE_DIR)
        if found is None:
            if not download:
                raise CIFAR10Error(f"CIFAR-10 is not in the cache folder. {_where_to_put_it()}")
            found = ("tar", _download(CACHE_DIR))
        return _load_from(*found)
    found = _locate(path)
    if found is None:
        what = "does not exist" if not Path(path).expanduser().exists() else "holds no CIFAR-10 data"
        raise CIFAR10Error(
            f"CIFAR-10 {origin} {what}: expected {ARCHIVE_NAME}, a folder holding {BATCHES_DIR}/, "
            "or that folder itself."
        )
    return _load_from(*found)


def _download(cache_dir, url=None, md5=None):
    """Download the official archive into ``cache_dir`` atomically; return the final path."""
    url = url or URL
    md5 = md5 or MD5
    cache_dir = Path(cache_dir)
    target = cache_dir / ARCHIVE_NAME
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        response = urllib.request.urlopen(url, timeout=30)
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CIFAR10Error(
            f"CIFAR-10 was not found and downloading {url} failed ({reason}). {_where_to_put_it()}"
        ) from None
    from tqdm.auto import tqdm

    digest = hashlib.md5(usedforsecurity=False)
    tmp = tempfile.NamedTemporaryFile(dir=cache_dir, prefix=f".{ARCHIVE_NAME}.", suffix=".part", delete=False)
    try:
        total = int(response.headers.get("Content-Length") or 0) or None
        with response, tmp, tqdm(total=total, unit="B", unit_scale=True, desc="CIFAR-10") as bar:
            while chunk := response.read(1 << 20):
                tmp.write(chunk)
                digest.update(chunk)
                bar.update(len(chunk))
            tmp.flush()
            os.fsync(tmp.fileno())
        if digest.hexdigest() != md5:
            raise CIFAR10Error(
                f"the download from {url} is damaged (md5 {digest.hexdigest()}, expected {md5}); "
                f"nothing was saved. Try again, or: {_where_to_put_it()}"
            )
        os.replace(tmp.name, target)
    except (OSError, urllib.error.URLError) as exc:
        raise CIFAR10Error(f"downloading {url} failed ({exc}). {_where_to_put_it()}") from None
    finally:
        if os.path.exists(tmp.name):
            os.unlink(tmp.name)
    return target


def load_cifar10_sample():
    """The shipped real sample as ``(X_train, y_train, X_test, y_test)``: 1,000 + 200 images.

    Same dtypes and layout as :func:`load_cifar10`: ``X`` uint8 ``(N, 32, 32, 3)``, ``y`` int64 ``(N,)``;
    100 training and 20 test images per class.
    """
    found = _locate(SAMPLE_DIR)
    if found is None:
        raise CIFAR10Error(
            f"the CIFAR-10 sample is missing from {SAMPLE_DIR}: it ships with the course as "
            "data/cifar-10-sample/; unpack the course zip again or ask your instructor "
            "(instructors: regenerate it with data/make_sample.py)."
        )
    return _load_from(*found)


# --------------------------------------------------------------------------------------------------
# preprocessing, split, examples
# --------------------------------------------------------------------------------------------------
def _flat(X, name):
    X = np.asarray(X)
    if X.ndim < 2:
        raise ValueError(f"expected {name} of shape (N, ...), got {X.shape}")
    return X.reshape(X.shape[0], -1)


def preprocess(X_train, *others, dtype=np.float32, eps=1e-8):
    r"""Flatten images to (N, D) and standardise every feature with training statistics only.

    :math:`x' = (x - \mu) / \sigma`, with the per-feature mean :math:`\mu` and standard deviation
    :math:`\sigma` of ``X_train``; the same :math:`\mu, \sigma` are applied to every array in ``others``
    (validation, test), which never influence them.

    Parameters
    ----------
    X_train : ndarray, shape (N, 32, 32, 3) or (N, D)
    *others : ndarrays, shape (M, 32, 32, 3) or (M, D)
    dtype : float dtype of the outputs (float32 by default, the fast path of the models)

    Returns
    -------
    tuple ``(X_train_p, *others_p, stats)``: arrays of shape (N, D) and (M, D) in ``dtype``, and
    ``stats = {"mean": (D,), "std": (D,)}`` (float64).
    """
    flat = _flat(X_train, "X_train")
    n, d = flat.shape
    total = np.zeros(d)
    squares = np.zeros(d)
    for start in range(0, n, _CHUNK):  # float64 sums chunk by chunk: no (N, D) float64 temporary
        chunk = flat[start : start + _CHUNK].astype(np.float32)
        total += chunk.sum(axis=0, dtype=np.float64)
        squares += np.einsum("ij,ij->j", chunk, chunk, dtype=np.float64)
    mean = total / n
    std = np.sqrt(np.maximum(squares / n - mean**2, 0.0)) + eps
    mean_t, inv_std_t = mean.astype(dtype), (1.0 / std).astype(dtype)
    out = []
    for i, X in enumerate((X_train, *others)):
        Xf = _flat(X, "X_train" if i == 0 else f"others[{i - 1}]")
        if Xf.shape[1] != d:
            raise ValueError(f"others[{i - 1}] has {Xf.shape[1]} features per example, X_train has {d}")
        Z = np.empty(Xf.shape, dtype=dtype)
        for start in range(0, len(Xf), _CHUNK):  # chunks stay in cache: about twice as fast
            part = Z[start : start + _CHUNK]
            np.subtract(Xf[start : start + _CHUNK], mean_t, out=part, dtype=dtype)
            part *= inv_std_t
        out.append(Z)
    return (*out, {"mean": mean, "std": std})


def train_val_split(X, y, num_val, *, rng):
    """Hold out ``num_val`` random examples for validation (seeded, copies; inputs untouched).

    Parameters
    ----------
    X : ndarray, shape (N, ...)
    y : ndarray, shape (N,)
    num_val : int, 0 < num_val < N
    rng : numpy.random.Generator

    Returns
    -------
    X_train (N - num_val, ...), y_train (N - num_val,), X_val (num_val, ...), y_val (num_val,)
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} examples but y has {y.shape[0]}")
    n = X.shape[0]
    if not 0 < num_val < n:
        raise ValueError(f"num_val must be between 1 and {n - 1}, got {num_val}")
    order = rng.permutation(n)
    val, train = np.sort(order[:num_val]), np.sort(order[num_val:])
    return X[train], y[train], X[val], y[val]


def class_examples(X, y, per_class, *, rng, num_classes=10):
    """Pick ``per_class`` random examples of every class, grouped by class (for image grids).

    Returns
    -------
    images : ndarray, shape (num_classes * per_class, ...), class 0 first
    labels : ndarray of int64, shape (num_classes * per_class,)
    """
    X = np.asarray(X)
    y = np.asarray(y)
    picks = []
    for c in range(num_classes):
        idx = np.flatnonzero(y == c)
        if idx.size < per_class:
            raise ValueError(f"class {c} has only {idx.size} examples, {per_class} requested")
        picks.append(rng.choice(idx, size=per_class, replace=False))
    chosen = np.concatenate(picks)
    return X[chosen], y[chosen].astype(np.int64)
