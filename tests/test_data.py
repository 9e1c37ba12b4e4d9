"""Tests for helpers.data: loaders (archive, folder, sample), safety, errors, download, preprocessing."""

import gzip
import hashlib
import io
import json
import os
import pickle
import tarfile
import time

import numpy as np
import pytest

from helpers import data

SAMPLE_BATCHES = data.SAMPLE_DIR / "cifar-10-batches-py"


# --------------------------------------------------------------------------------------------------
# small synthetic archives in the official layout
# --------------------------------------------------------------------------------------------------
def fake_batch(n, seed, label="batch"):
    rng = np.random.default_rng(seed)
    return {
        b"batch_label": label.encode(),
        b"labels": [int(v) for v in rng.integers(0, 10, n)],
        b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
        b"filenames": [f"img_{i}.png".encode() for i in range(n)],
    }


def fake_files(n=4):
    files = {f"data_batch_{i}": pickle.dumps(fake_batch(n, i), protocol=2) for i in range(1, 6)}
    files["test_batch"] = pickle.dumps(fake_batch(n, 9), protocol=2)
    files["batches.meta"] = pickle.dumps({b"label_names": [c.encode() for c in data.CLASSES]}, protocol=2)
    return files


def write_tar(path, files, prefix="cifar-10-batches-py/"):
    with tarfile.open(path, "w:gz") as archive:
        for name, raw in files.items():
            info = tarfile.TarInfo(prefix + name)
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))
    return path


def write_folder(folder, files):
    folder.mkdir(parents=True)
    for name, raw in files.items():
        (folder / name).write_bytes(raw)
    return folder


@pytest.fixture
def no_env(monkeypatch, tmp_path):
    """No NN_BASICS_CIFAR10, and an empty private cache folder."""
    monkeypatch.delenv(data.ENV_VAR, raising=False)
    monkeypatch.setattr(data, "CACHE_DIR", tmp_path / "cache")
    return tmp_path / "cache"


# --------------------------------------------------------------------------------------------------
# the shipped sample
# --------------------------------------------------------------------------------------------------
def test_sample_shapes_dtypes_and_classes(sample_path):
    assert sample_path == data.SAMPLE_DIR
    X_train, y_train, X_test, y_test = data.load_cifar10_sample()
    assert X_train.shape == (1000, 32, 32, 3) and X_train.dtype == np.uint8
    assert X_test.shape == (200, 32, 32, 3) and X_test.dtype == np.uint8
    assert y_train.shape == (1000,) and y_train.dtype == np.int64
    assert y_test.shape == (200,) and y_test.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y_train, minlength=10), np.full(10, 100))
    np.testing.assert_array_equal(np.bincount(y_test, minlength=10), np.full(10, 20))
    assert X_train.flags.c_contiguous
    assert 50 < X_train.mean() < 200 and X_train.std() > 30  # real photos, not zeros or noise


def test_sample_is_in_the_official_format(sample_path):
    folder = sample_path / "cifar-10-batches-py"
    for k in range(1, 6):
        with open(folder / f"data_batch_{k}", "rb") as f:
            batch = pickle.load(f, encoding="bytes")
        assert set(batch) == {b"batch_label", b"labels", b"data", b"filenames"}
        assert batch[b"data"].dtype == np.uint8 and batch[b"data"].shape == (200, 3072)
        assert isinstance(batch[b"labels"], list) and isinstance(batch[b"labels"][0], int)
        assert np.bincount(batch[b"labels"], minlength=10).tolist() == [20] * 10
        assert isinstance(batch[b"filenames"][0], bytes)
    with open(folder / "batches.meta", "rb") as f:
        meta = pickle.load(f, encoding="latin1")  # the other documented way gives str keys
    assert [name.decode() if isinstance(name, bytes) else name for name in meta["label_names"]] == list(
        data.CLASSES
    )
    assert meta["num_vis"] == 3072


def test_sample_matches_the_loader_layout(sample_path):
    # the first row of data_batch_1 is image 0: R plane first, so pixel (0, 0) is (data[0], data[1024], data[2048])
    with open(sample_path / "cifar-10-batches-py" / "data_batch_1", "rb") as f:
        raw = pickle.load(f, encoding="bytes")[b"data"]
    X_train = data.load_cifar10_sample()[0]
    assert tuple(X_train[0, 0, 0]) == (raw[0, 0], raw[0, 1024], raw[0, 2048])
    assert tuple(X_train[0, 5, 7]) == (
        raw[0, 5 * 32 + 7],
        raw[0, 1024 + 5 * 32 + 7],
        raw[0, 2048 + 5 * 32 + 7],
    )


@pytest.mark.cifar
@pytest.mark.slow
def test_full_archive_counts_and_sample_provenance(cifar10_path):
    start = time.process_time()  # CPU time of this process: wall time depends on the machine's load
    X_train, y_train, X_test, y_test = data.load_cifar10(cifar10_path)
    seconds = time.process_time() - start
    assert X_train.shape == (50000, 32, 32, 3) and X_train.dtype == np.uint8
    assert X_test.shape == (10000, 32, 32, 3) and X_test.dtype == np.uint8
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y_train, minlength=10), np.full(10, 5000))
    np.testing.assert_array_equal(np.bincount(y_test, minlength=10), np.full(10, 1000))
    assert seconds < 15, f"loading the full archive took {seconds:.1f} s of CPU time (about 2 s expected)"

    index = json.loads((data.SAMPLE_DIR / "indices.json").read_text())
    Xs, ys, Xs_test, ys_test = data.load_cifar10_sample()
    np.testing.assert_array_equal(Xs, X_train[index["train_indices"]])
    np.testing.assert_array_equal(ys, y_train[index["train_indices"]])
    np.testing.assert_array_equal(Xs_test, X_test[index["test_indices"]])
    np.testing.assert_array_equal(ys_test, y_test[index["test_indices"]])


# --------------------------------------------------------------------------------------------------
# archives and folders
# --------------------------------------------------------------------------------------------------
def test_reads_tar_folder_and_batches_folder_alike(tmp_path):
    files = fake_files()
    from_tar = data.load_cifar10(write_tar(tmp_path / "c.tar.gz", files))
    write_folder(tmp_path / "root" / "cifar-10-batches-py", files)
    from_root = data.load_cifar10(tmp_path / "root")
    from_batches = data.load_cifar10(str(tmp_path / "root" / "cifar-10-batches-py"))
    for a, b, c in zip(from_tar, from_root, from_batches, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    X_train, y_train, X_test, y_test = from_tar
    assert X_train.shape == (20, 32, 32, 3) and y_train.shape == (20,) and X_test.shape == (4, 32, 32, 3)
    expected = pickle.loads(files["data_batch_1"])
    np.testing.assert_array_equal(X_train[0].transpose(2, 0, 1).ravel(), expected[b"data"][0])
    assert y_train[:4].tolist() == expected[b"labels"]


def test_no_md5_on_a_local_file(tmp_path, monkeypatch):
    path = write_tar(tmp_path / "cifar-10-python.tar.gz", fake_files())
    monkeypatch.setattr(data, "_download", lambda *a, **k: pytest.fail("must not download"))
    assert data.load_cifar10(path)[0].shape[0] == 20


def test_env_var_then_cache(tmp_path, monkeypatch, no_env):
    path = write_tar(tmp_path / "x.tar.gz", fake_files(3))
    monkeypatch.setenv(data.ENV_VAR, str(path))
    assert data.load_cifar10()[0].shape[0] == 15
    monkeypatch.delenv(data.ENV_VAR)
    write_tar(no_env.parent / "tmp.tar.gz", fake_files(2))
    no_env.mkdir()
    os.replace(no_env.parent / "tmp.tar.gz", no_env / "cifar-10-python.tar.gz")
    assert data.load_cifar10()[0].shape[0] == 10


def test_missing_path_and_bad_env_var(tmp_path, monkeypatch):
    with pytest.raises(data.CIFAR10Error, match="does not exist"):
        data.load_cifar10(tmp_path / "nope.tar.gz")
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path / "nope"))
    with pytest.raises(data.CIFAR10Error, match="NN_BASICS_CIFAR10"):
        data.load_cifar10()
    (tmp_path / "empty").mkdir()
    with pytest.raises(data.CIFAR10Error, match="holds no CIFAR-10 data"):
        data.load_cifar10(tmp_path / "empty")


def assert_clear_error(path, *fragments):
    with pytest.raises(data.CIFAR10Error) as info:
        data.load_cifar10(path)
    text = str(info.value)
    assert str(path) in text, text
    for fragment in fragments:
        assert fragment in text, text
    exc = info.value  # no pickle or tarfile traceback attached
    assert exc.__cause__ is None and (exc.__context__ is None or exc.__suppress_context__)
    assert isinstance(info.value, ValueError)
    return text


def test_truncated_tar(tmp_path):
    good = write_tar(tmp_path / "good.tar.gz", fake_files(50)).read_bytes()
    bad = tmp_path / "truncated.tar.gz"
    bad.write_bytes(good[: len(good) // 2])
    assert_clear_error(bad, "not a readable CIFAR-10 archive", "truncated")


def test_not_a_tar(tmp_path):
    path = tmp_path / "cifar-10-python.tar.gz"
    path.write_bytes(b"<html>404 not found</html>" * 10)
    assert_clear_error(path, "not a readable CIFAR-10 archive")
    gz = tmp_path / "plain.gz"
    gz.write_bytes(gzip.compress(b"just text, no tar here" * 100))
    assert_clear_error(gz, "not a readable CIFAR-10 archive")


def test_tar_missing_batches(tmp_path):
    files = fake_files()
    del files["data_batch_3"], files["test_batch"]
    assert_clear_error(write_tar(tmp_path / "partial.tar.gz", files), "lacks data_batch_3, test_batch")
    folder = write_folder(tmp_path / "cifar-10-batches-py", files)
    assert_clear_error(folder, "lacks data_batch_3, test_batch")


def test_wrong_shapes_and_contents(tmp_path):
    cases = {
        "wrong width": ({**fake_batch(4, 1), b"data": np.zeros((4, 3000), np.uint8)}, "shape (n, 3072)"),
        "float data": ({**fake_batch(4, 1), b"data": np.zeros((4, 3072))}, "uint8"),
        "label count": ({**fake_batch(4, 1), b"labels": [1, 2]}, "4 images but 'labels' has shape (2,)"),
        "label range": ({**fake_batch(4, 1), b"labels": [0, 1, 2, 10]}, "0..9"),
        "no data": ({b"labels": [1]}, "no data entry"),
        "not a dict": ([1, 2, 3], "not the dict of a CIFAR-10 batch"),
    }
    for i, (name, (obj, fragment)) in enumerate(cases.items()):
        files = fake_files()
        files["data_batch_2"] = pickle.dumps(obj, protocol=2)
        path = write_tar(tmp_path / f"case{i}.tar.gz", files)
        text = assert_clear_error(path, fragment)
        assert "data_batch_2" in text, name


def test_garbage_pickle_in_folder(tmp_path):
    files = fake_files()
    files["test_batch"] = files["test_batch"][:100]  # truncated pickle
    folder = write_folder(tmp_path / "cifar-10-batches-py", files)
    text = assert_clear_error(folder / "..", "not a readable CIFAR-10 pickle")
    assert "test_batch" in text


class Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned > pwned.txt",))


def test_malicious_pickle_is_refused_without_running_code(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    files = fake_files()
    files["data_batch_1"] = pickle.dumps({b"data": Exploit(), b"labels": [0]}, protocol=2)
    path = write_tar(tmp_path / "evil.tar.gz", files)
    text = assert_clear_error(path, "refusing global", "system")
    assert not (tmp_path / "pwned.txt").exists()
    assert "data_batch_1" in text


def test_the_restricted_unpickler_reads_numpy_1_and_2_array_pickles():
    arr = np.arange(12, dtype=np.uint8).reshape(3, 4)
    for protocol in (2, 4, 5):
        raw = pickle.dumps({b"data": arr, b"labels": [0, 1, 2]}, protocol=protocol)
        out = data._unpickle(raw, "x")
        np.testing.assert_array_equal(out["data"], arr)
    raw = (SAMPLE_BATCHES / "test_batch").read_bytes()  # numpy.core.multiarray spelling, as official
    assert b"numpy.core.multiarray" in raw
    assert data._unpickle(raw, "x")["data"].shape == (200, 3072)


# --------------------------------------------------------------------------------------------------
# download into the cache (file:// URLs stand in for the network)
# --------------------------------------------------------------------------------------------------
def test_download_verifies_md5_and_renames_atomically(tmp_path, monkeypatch, no_env):
    archive = write_tar(tmp_path / "served.tar.gz", fake_files(3))
    md5 = hashlib.md5(archive.read_bytes()).hexdigest()
    monkeypatch.setattr(data, "URL", archive.as_uri())
    monkeypatch.setattr(data, "MD5", md5)
    X_train = data.load_cifar10()[0]
    assert X_train.shape == (15, 32, 32, 3)
    assert sorted(p.name for p in no_env.iterdir()) == ["cifar-10-python.tar.gz"]
    # a second call reads the cache and does not download again
    monkeypatch.setattr(data, "URL", (tmp_path / "gone.tar.gz").as_uri())
    assert data.load_cifar10()[0].shape == (15, 32, 32, 3)


def test_download_with_wrong_md5_leaves_no_file(tmp_path, monkeypatch, no_env):
    archive = write_tar(tmp_path / "served.tar.gz", fake_files(3))
    monkeypatch.setattr(data, "URL", archive.as_uri())
    with pytest.raises(data.CIFAR10Error, match="damaged") as info:
        data.load_cifar10()
    assert str(no_env) in str(info.value)
    assert list(no_env.iterdir()) == []  # no half-written or unverified cache


def test_offline_message_says_where_to_put_the_file(tmp_path, monkeypatch, no_env):
    monkeypatch.setattr(data, "URL", (tmp_path / "unreachable.tar.gz").as_uri())
    with pytest.raises(data.CIFAR10Error) as info:
        data.load_cifar10()
    text = str(info.value)
    assert str(no_env) in text and "NN_BASICS_CIFAR10" in text and "cifar-10-python.tar.gz" in text
    with pytest.raises(data.CIFAR10Error, match="not in the cache folder"):
        data.load_cifar10(download=False)


# --------------------------------------------------------------------------------------------------
# preprocessing, split, examples
# --------------------------------------------------------------------------------------------------
def test_preprocess_uses_training_statistics_only(rng):
    X_train = rng.integers(0, 256, (50, 4, 4, 3), dtype=np.uint8)
    X_test = rng.integers(0, 256, (7, 4, 4, 3), dtype=np.uint8)
    before = X_train.copy()
    Z_train, Z_test, stats = data.preprocess(X_train, X_test)
    assert Z_train.shape == (50, 48) and Z_test.shape == (7, 48)
    assert Z_train.dtype == np.float32 and Z_test.dtype == np.float32
    flat = X_train.reshape(50, -1).astype(np.float64)
    np.testing.assert_allclose(stats["mean"], flat.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(stats["std"], flat.std(axis=0), rtol=1e-9)
    np.testing.assert_allclose(Z_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(Z_train.std(axis=0), 1, atol=1e-5)
    expected_test = (X_test.reshape(7, -1) - flat.mean(axis=0)) / flat.std(axis=0)
    np.testing.assert_allclose(Z_test, expected_test, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(X_train, before)
    # the test split does not change the statistics
    _, _, stats2 = data.preprocess(X_train, X_test * 0)
    np.testing.assert_array_equal(stats["mean"], stats2["mean"])


def test_preprocess_dtype_and_errors(rng):
    X = rng.integers(0, 256, (10, 6), dtype=np.uint8)
    Z, stats = data.preprocess(X, dtype=np.float64)
    assert Z.dtype == np.float64 and stats["std"].shape == (6,)
    constant = np.full((5, 3), 7, dtype=np.uint8)
    Zc, _ = data.preprocess(constant)  # zero variance: no division warning, no NaN
    assert np.all(np.isfinite(Zc)) and np.all(Zc == 0)
    with pytest.raises(ValueError, match="features"):
        data.preprocess(X, np.zeros((2, 5)))
    with pytest.raises(ValueError, match="shape"):
        data.preprocess(np.zeros(5))


def test_train_val_split_is_seeded_and_leaves_inputs_alone():
    X = np.arange(40).reshape(20, 2)
    y = np.arange(20)
    X_copy, y_copy = X.copy(), y.copy()
    a = data.train_val_split(X, y, 5, rng=np.random.default_rng(3))
    b = data.train_val_split(X, y, 5, rng=np.random.default_rng(3))
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    X_tr, y_tr, X_val, y_val = a
    assert X_tr.shape == (15, 2) and X_val.shape == (5, 2) and y_val.shape == (5,)
    assert sorted(np.concatenate([y_tr, y_val]).tolist()) == list(range(20))
    np.testing.assert_array_equal(X_val[:, 0], 2 * y_val)  # rows stay paired with their labels
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)
    c = data.train_val_split(X, y, 5, rng=np.random.default_rng(4))
    assert not np.array_equal(a[3], c[3])
    with pytest.raises(ValueError, match="num_val"):
        data.train_val_split(X, y, 20, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="examples"):
        data.train_val_split(X, y[:3], 1, rng=np.random.default_rng(0))


def test_class_examples(rng):
    X_train, y_train, _, _ = data.load_cifar10_sample()
    images, labels = data.class_examples(X_train, y_train, 3, rng=rng)
    assert images.shape == (30, 32, 32, 3) and labels.dtype == np.int64
    assert labels.tolist() == [c for c in range(10) for _ in range(3)]
    for img, lab in zip(images, labels, strict=True):
        matches = np.flatnonzero((X_train == img).all(axis=(1, 2, 3)))
        assert matches.size >= 1 and y_train[matches[0]] == lab
    with pytest.raises(ValueError, match="only 100"):
        data.class_examples(X_train, y_train, 101, rng=rng)


def test_classes():
    assert data.CLASSES[0] == "airplane" and data.CLASSES[-1] == "truck" and len(data.CLASSES) == 10
