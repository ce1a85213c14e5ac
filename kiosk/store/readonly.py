"""Opening a kiosk file only to read it: nothing is written beside it, nothing waits for ever.

Merge sources, and the database of a command that only reads it (exports, the report), are
opened with this. The file must be a regular file of at most :data:`READ_MAX` bytes
(:func:`kiosk.files.check_regular`: a FIFO or a link to ``/dev/zero`` is refused before
SQLite sees it). Then, by what lies beside it:

- its ``-wal`` and ``-shm`` both there: a kiosk may be writing to it now, so it is opened
  ``mode=ro``, reading through the kiosk's own shared index (this creates nothing: both
  files exist);
- no ``-wal``, or an empty one: everything is in the file itself, which is opened
  ``mode=ro&immutable=1``: SQLite neither locks it nor creates a ``-wal`` or ``-shm``, so it
  reads from a write-protected stick or a folder the reader cannot write. If the file
  changes while it is read (a kiosk started on it meanwhile), :meth:`ReadOnlyFile.changed`
  says so and the reader refuses what it read;
- a ``-wal`` with letters in it but no ``-shm`` (a stick pulled from a kiosk that was not
  closed), or a ``-shm`` SQLite cannot use: nobody is writing to it, and the latest letters
  are only in the ``-wal``. The file and its ``-wal`` are copied into a private temporary
  folder and read there, so those letters are read too and nothing is written beside the
  source.

Reading takes one snapshot (a read transaction), so every figure of one command comes from
the same moment.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from pathlib import Path

from ..files import GB, MB, UnreadableFile, check_regular, size_text

READ_MAX = 2 * GB  # the largest kiosk file read: about ten million letters


def text(data: bytes) -> str:
    """SQLite text as str; bytes that are not UTF-8 (from another program) read as U+FFFD, never an error."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace")


def sibling(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _uri(path: Path, query: str) -> str:
    return f"{path.as_uri()}?{query}"


def _stamp(path: Path) -> tuple[int, int, int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def check_journals(path: Path, limit: int) -> None:
    """UnreadableFile if a ``-wal`` or ``-shm`` beside ``path`` is not a regular file (SQLite would block on a FIFO)."""
    for suffix in ("-wal", "-shm"):
        journal = sibling(path, suffix)
        if os.path.lexists(journal):
            try:
                check_regular(journal, limit)
            except UnreadableFile as exc:
                raise UnreadableFile(f"its {suffix} file: {exc}") from None


def copy_regular(source: Path, target: Path, limit: int) -> None:
    """Copy a regular file of at most ``limit`` bytes into a new private file; UnreadableFile otherwise."""
    check_regular(source, limit)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(source, flags)
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            raise UnreadableFile("changed while it was read")
        out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            copied = 0
            while chunk := os.read(fd, 4 * MB):
                copied += len(chunk)
                if copied > limit:
                    raise UnreadableFile(f"larger than {size_text(limit)}")
                os.write(out, chunk)
        finally:
            os.close(out)
    except OSError as exc:
        raise UnreadableFile(f"cannot copy: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


class ReadOnlyFile:
    """A kiosk file open for reading only (see the module's text). ``conn`` reads one snapshot.

    Raises UnreadableFile (not a regular file, too large) or sqlite3.Error; the caller names the file."""

    def __init__(self, path: Path | str, *, limit: int | None = None):
        self.path = Path(path)
        limit = READ_MAX if limit is None else limit
        self._temp: Path | None = None
        self._stamp: tuple[int, int, int, int] | None = None
        check_regular(self.path, limit)
        self._real = real = self.path.resolve()
        wal, shm = sibling(real, "-wal"), sibling(real, "-shm")
        check_journals(real, limit)
        conn = None
        try:
            if wal.exists() and shm.exists():
                with contextlib.suppress(sqlite3.Error):
                    conn = self._open(_uri(real, "mode=ro"))
            if conn is None and (not wal.exists() or wal.stat().st_size == 0):
                self._stamp = _stamp(real)
                conn = self._open(_uri(real, "mode=ro&immutable=1"))
            if conn is None:
                conn = self._open_copy(real, wal, limit)
        except BaseException:
            self._remove_copy()
            raise
        self.conn = conn

    @staticmethod
    def _open(uri: str, *, as_uri: bool = True) -> sqlite3.Connection:
        conn = sqlite3.connect(uri, uri=as_uri, timeout=5)
        conn.text_factory = text
        try:
            conn.execute("BEGIN")
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # takes the read snapshot
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    def _open_copy(self, real: Path, wal: Path, limit: int) -> sqlite3.Connection:
        import tempfile  # only a file that cannot be read in place is copied

        self._temp = Path(tempfile.mkdtemp(prefix="kiosk-read-"))
        copy = self._temp / "kiosk.db"
        copy_regular(real, copy, limit)
        copy_regular(wal, sibling(copy, "-wal"), limit)
        return self._open(str(copy), as_uri=False)

    def changed(self) -> bool:
        """Whether the file was written while it was read (only asked of a file read as immutable)."""
        if self._stamp is None:
            return False
        try:
            return _stamp(self._real) != self._stamp
        except OSError:
            return True

    def backup_to(self, target: Path) -> None:
        """Copy what was read into the database file ``target`` (SQLite's backup: whole pages, WAL included)."""
        dst = sqlite3.connect(target)
        try:
            dst.execute("PRAGMA synchronous=OFF")  # a private copy, removed once read: no crash to survive
            self.conn.backup(dst)
        finally:
            dst.close()

    def _remove_copy(self) -> None:
        if self._temp is not None:
            import shutil

            shutil.rmtree(self._temp, ignore_errors=True)
            self._temp = None

    def close(self) -> None:
        self.conn.close()
        self._remove_copy()
