"""Files that hold visitors' names, counts or the PIN hash: readable by their owner only.

Each is created with mode 0600 from the start (never written first and narrowed after),
and a file that already exists is narrowed before anything is written to it. Every folder
created for such files, each missing level of it and not only the last, gets mode 0700,
whatever the umask. None of these functions follows a symbolic link as the file itself,
or writes into a FIFO, a device or a folder.

:func:`replace_private` is the one way a command writes a file a person named (an
export, the report and its chart): it refuses a name that would destroy something else
(:func:`check_output`), writes a 0600 temporary file beside it, syncs it, and renames it
over the old one, so a failed write leaves the old file as it was and no temporary file.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from .errors import KioskError

FILE_MODE = 0o600
DIR_MODE = 0o700

_WRITE = os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(
    os, "O_NOCTTY", 0)
SQLITE_MAGIC = b"SQLite format 3\x00"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# The files SQLite keeps beside a database: writing over one damages the database.
SIDECARS = ("", "-wal", "-shm", "-journal")


def private_dir(path: Path) -> Path:
    """Create ``path`` if needed, every missing level with mode 0700 (whatever the umask);
    folders that already exist are left as they are."""
    path = Path(path)
    missing: list[Path] = []
    level = path
    while not level.is_dir():
        missing.append(level)
        if level.parent == level:
            break
        level = level.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, DIR_MODE)
        except FileExistsError:
            if not folder.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(folder)) from None
            continue  # made meanwhile by someone else: theirs
        os.chmod(folder, DIR_MODE)  # a umask cannot narrow it below, nor anything widen it
    return path


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _open_regular(path: Path, flags: int) -> int:
    """A descriptor on the regular file ``path`` opened with ``flags`` (mode 0600 if made),
    narrowed to 0600; OSError for a symbolic link, a FIFO, a device or a folder."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        pass
    else:
        if not stat.S_ISREG(mode):  # said in words (opening a FIFO would say "no such device")
            raise OSError(errno.EINVAL, f"{_kind(mode)}, not a regular file", str(path))
    fd = os.open(path, _WRITE | flags, FILE_MODE)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, f"{_kind(st.st_mode)}, not a regular file", str(path))
        os.fchmod(fd, FILE_MODE)  # an existing file keeps its mode on O_CREAT: narrow it
        os.set_blocking(fd, True)
    except OSError:
        os.close(fd)
        raise
    return fd


def create_private(path: Path) -> None:
    """Create an empty file readable by its owner only; FileExistsError if it is there."""
    path = Path(path)
    private_dir(path.parent)
    os.close(os.open(path, _WRITE | os.O_CREAT | os.O_EXCL, FILE_MODE))


def open_private(path: Path, mode: str = "w", **kwargs: Any) -> IO[Any]:
    """``open(path, mode)`` for writing, the file created or truncated with mode 0600.
    A symbolic link, a FIFO, a device or a folder is refused (OSError), never written through."""
    return open(_open_regular(Path(path), os.O_CREAT | os.O_TRUNC), mode, **kwargs)


def append_private(path: Path, **kwargs: Any) -> IO[Any]:
    """``open(path, "a")`` on a file readable by its owner only (a log): created 0600, an
    existing one narrowed to 0600; a symbolic link, a FIFO or a device is refused."""
    f: IO[Any] = open(_open_regular(Path(path), os.O_CREAT | os.O_APPEND), "a", **kwargs)  # noqa: SIM115
    return f


# -- files a person names: exports, the report ----------------------------------------------


def starts_with(path: Path | str, start: bytes) -> bool:
    """Whether the file at ``path`` begins with ``start`` (read without blocking; False if it cannot be read)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError):
        return False
    try:
        return os.read(fd, len(start)) == start
    except OSError:
        return False
    finally:
        os.close(fd)


def is_database_file(path: Path | str) -> bool:
    """A SQLite database, or the journal, WAL or shared-memory file SQLite keeps beside one
    (through any link): never a place for a receipt or an export."""
    real = os.path.realpath(path)
    return any(real.endswith(side) and starts_with(real.removesuffix(side) if side else real, SQLITE_MAGIC)
               for side in SIDECARS)


def _refuse(path: Path, problem: str) -> KioskError:
    return KioskError(problem, source=str(path))


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _protected(path: Path, st: os.stat_result | None, protect: Iterable[Path]) -> bool:
    """Whether ``path`` is one of the ``protect``ed databases or a file SQLite keeps beside one
    (by its inode, whatever the link that names it; by its name when it does not exist yet)."""
    where = os.path.abspath(path)
    for database in protect:
        for sidecar in SIDECARS:
            other = Path(f"{database}{sidecar}")
            if os.path.abspath(other) == where:
                return True
            try:
                if st is not None and _same_file(st, os.stat(other)):
                    return True
            except (OSError, ValueError):
                continue
    return False


def _head(path: Path, size: int) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        return os.read(fd, size)
    finally:
        os.close(fd)


def check_output(path: Path, *, suffixes: tuple[str, ...], protect: Iterable[Path] = (),
                 magic: bytes | tuple[bytes, ...] | None = None) -> None:
    """KioskError naming ``path`` unless a command may write its file there.

    The name must end in one of ``suffixes`` (``.csv``: an export never lands on a
    database, a settings or case file). An existing file is replaced only when it is a
    regular file (not a symbolic link, folder, FIFO or device), is not one of the
    ``protect``ed databases or the files SQLite keeps beside one (``-wal``, ``-shm``,
    ``-journal``; however it is linked), is not a SQLite file, and holds what an earlier
    export of the same kind holds: text (no NUL byte, UTF-8), and, with ``magic``, a file
    that starts with it (a PNG).
    """
    path = Path(path)
    name = path.name
    if not name or name in (".", ".."):
        raise _refuse(path, "not a file name")
    try:
        st: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        st = None
    except ValueError:
        raise _refuse(path, "not a valid file name") from None
    except OSError as exc:
        raise _refuse(path, f"cannot write: {exc.strerror or exc}") from None
    if _protected(path, st, protect):  # said first: the mistake a tired organiser most needs to hear
        raise _refuse(path, "that is the kiosk database (or a file SQLite keeps beside it); name a new file")
    if not name.lower().endswith(tuple(s.lower() for s in suffixes)):
        raise _refuse(path, f"the file name must end in {' or '.join(suffixes)}")
    if st is None:
        if not path.parent.is_dir():
            raise _refuse(path, f"no such folder: {path.parent}")
        return
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(path, f"{_kind(st.st_mode)}, not a file this command wrote; name a new file")
    try:
        head = _head(path, 4096)
    except OSError as exc:
        raise _refuse(path, f"cannot read what is there: {exc.strerror or exc}") from None
    if head.startswith(SQLITE_MAGIC):
        raise _refuse(path, "a SQLite database, not an export; name a new file")
    if not head:
        return
    if magic is not None:
        if not head.startswith(magic):
            raise _refuse(path, "not an earlier output of this command of the same kind (it would be lost);"
                                " name a new file")
        return
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        cut = len(head) == 4096 and exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
        text = cut  # only the last character was cut by the read
    else:
        text = True
    if not text or b"\x00" in head:
        raise _refuse(path, "not a text file this command wrote; name a new file")


def _sync_folder(folder: Path) -> None:
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextmanager
def replace_private(path: Path, *, suffixes: tuple[str, ...], protect: Iterable[Path] = (),
                    magic: bytes | tuple[bytes, ...] | None = None, binary: bool = False,
                    **kwargs: Any) -> Iterator[IO[Any]]:
    """A file to write ``path``'s new content into, put in place only when all of it is written.

    :func:`check_output` first; then a 0600 temporary file in the same folder, flushed and
    synced, renamed over ``path`` (checked again just before). Any failure removes the
    temporary file and leaves ``path`` as it was; an OSError becomes a KioskError naming
    ``path``. ``kwargs`` go to ``open`` (encoding, newline, errors).
    """
    path = Path(path)
    protect = list(protect)
    check_output(path, suffixes=suffixes, protect=protect, magic=magic)
    folder = path.parent
    import tempfile  # only a command that writes a file needs it

    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _refuse(path, f"cannot write: {exc.strerror or exc}") from None
    tmp = Path(tmp_name)
    try:
        try:
            os.fchmod(fd, FILE_MODE)
            f = open(fd, "wb" if binary else "w", **kwargs)  # noqa: SIM115 - closed below, before the rename
        except BaseException:
            os.close(fd)
            raise
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        check_output(path, suffixes=suffixes, protect=protect, magic=magic)  # nothing swapped in meanwhile
        os.replace(tmp, path)
    except OSError as exc:
        with suppress(OSError):
            tmp.unlink()
        raise _refuse(path, f"cannot write: {exc.strerror or exc}") from None
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise
    _sync_folder(folder)
