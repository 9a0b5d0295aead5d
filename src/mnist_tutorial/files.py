"""Writing a file so that an interruption never leaves half of it (bottom layer).

Every file the course writes (saved models and their records, the MNIST cache, notebooks,
the seed envelope, environment.yml) is written to a temporary file beside its destination
and renamed into place only when complete: a crash, a full disk or Ctrl+C leaves the old
file or none, never a truncated one. One function, `atomic_path`, does it for everyone.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside `path` (with the same suffix, for writers that insist on one,
    such as Keras' `.keras`), to write to inside the `with` block. When the block ends without
    an error, the file replaces `path`, readable by all (0644) as any plain file; otherwise it
    is removed and `path` is left as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=f".tmp{path.suffix}"
    )
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write `text` (UTF-8) to `path` through `atomic_path`; returns `path`."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)
