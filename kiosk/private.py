"""Files that hold visitors' names, counts or the PIN hash: readable by their owner only.

Each is created with mode 0600 from the start (never written first and narrowed after),
and a file that already exists is narrowed before anything is written to it. New folders
for such files are created with mode 0700.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) if needed; a new last folder gets mode 0700."""
    path = Path(path)
    if not path.is_dir():
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    return path


def create_private(path: Path) -> None:
    """Create an empty file readable by its owner only; FileExistsError if it is there."""
    path = Path(path)
    private_dir(path.parent)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))


def open_private(path: Path, mode: str = "w", **kwargs: Any) -> IO[Any]:
    """``open(path, mode)`` for writing, the file created or truncated with mode 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # an existing file keeps its mode on O_CREAT: narrow it
    except OSError:
        os.close(fd)
        raise
    return open(fd, mode, **kwargs)
