"""One way to write an output file: whole or not at all, and on disk when it returns.

The bytes go to a temporary file in the same folder, are flushed and fsynced, and the
file is renamed over the target (atomic on POSIX); the folder is fsynced too, so the
rename survives a crash. A reader never sees half a file, and a failed write leaves
the old file as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` (text is UTF-8) to ``path`` atomically and durably."""
    raw = data.encode("utf-8") if isinstance(data, str) else data

    def fill(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())

    write_atomic_with(path, fill)


def write_atomic_with(path: Path, fill: Callable[[Path], None]) -> None:
    """Like :func:`write_atomic` for writers that need a file name (``fill(tmp)``
    writes the whole file at ``tmp``; it is fsynced here before the rename)."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        fill(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):  # some file systems cannot open a folder
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
