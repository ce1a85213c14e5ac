"""Reading files a person names: regular files only, size-bounded, never a hang.

A case file, a printer set-up, a settings file or a merge source is named by a person, or
by whoever left a file in a folder. A FIFO would block the read for ever, ``/dev/zero``
would fill the memory, a folder or a device is no file at all. :func:`read_regular` reads
only a regular file (a link to one is fine) of at most ``limit`` bytes, and
:func:`check_regular` says the same of a file another library will open (a SQLite file).

The file is looked at before it is opened (a FIFO is never opened), opened without
blocking and looked at again through the open descriptor, so a file swapped in between is
caught too; the read stops at ``limit + 1`` bytes whatever the size claimed.
Both raise :class:`UnreadableFile`, whose text says what is wrong in a few words and never
names the file: the caller names it, as the source of its own error.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

KB = 1024
MB = 1024 * KB
GB = 1024 * MB

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


class UnreadableFile(Exception):
    """Why a named file cannot be read, in a few words; the caller names the file."""


def size_text(limit: int) -> str:
    for unit, size in (("GB", GB), ("MB", MB), ("KB", KB)):
        if limit >= size:
            return f"{limit / size:g} {unit}"
    return f"{limit} bytes"


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def _check(st: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(st.st_mode):
        kind = _kind(st.st_mode)
        raise UnreadableFile(kind if kind.startswith("not") else f"{kind}, not a regular file")
    if st.st_size > limit:
        raise UnreadableFile(f"larger than {size_text(limit)}")


def _problem(exc: OSError) -> UnreadableFile:
    if isinstance(exc, FileNotFoundError):
        return UnreadableFile("no such file")
    if isinstance(exc, PermissionError):
        return UnreadableFile("permission denied")
    return UnreadableFile(f"cannot read: {exc.strerror or exc}")


def check_regular(path: Path | str, limit: int) -> None:
    """UnreadableFile unless ``path`` is (or links to) a regular file of at most ``limit`` bytes."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise _problem(exc) from None
    except ValueError:  # a NUL in the name
        raise UnreadableFile("not a valid file name") from None
    _check(st, limit)


def read_regular(path: Path | str, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; UnreadableFile otherwise."""
    check_regular(path, limit)  # a FIFO or a device is never opened
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _problem(exc) from None
    try:
        _check(os.fstat(fd), limit)  # the file opened is the file looked at
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 * MB))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        raise _problem(exc) from None
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew while being read
        raise UnreadableFile(f"larger than {size_text(limit)}")
    return data


def read_toml(path: Path | str, limit: int) -> dict[str, Any]:
    """The table of a TOML file read as :func:`read_regular` reads it; UnreadableFile naming
    what is wrong (not a regular file, too large, not UTF-8, a TOML syntax error)."""
    import tomllib  # only where a TOML file is read

    raw = read_regular(path, limit)
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise UnreadableFile(f"TOML syntax error: {exc}") from None
