"""A short cut for reading a cases folder: what each good case file said, kept from the last reading.

A kiosk with 200 case files in five languages spends longer parsing and cleaning them than
Textual takes to show its first frame. The cache keeps, for each case file read whole, its
content as :mod:`kiosk.cases` checked it, keyed by the file's name and what ``stat`` says
of it (size, modification and change times, inode and device): a file that is edited,
replaced, renamed over or has its permissions changed no longer matches. A file changed in
the last few seconds is not kept (its next change might fall in the same tick of the clock).

A cache is only a short cut, never trusted: what it gives is checked again by the same
reader as a case file, so it can never offer what a fresh reading would refuse. One file per
cases folder, in ``case-cache/`` in the kiosk's data folder, 0600: one that cannot be read,
is damaged, is of another version, belongs to someone else or can be written by others is
ignored and written afresh; one that cannot be written is no problem.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

from .files import MB, UnreadableFile, read_regular
from .private import private_dir

FORMAT = "kiosk case cache 1"
CACHE_MAX = 64 * MB  # 200 case files in five languages take about 1 MB
SETTLED = 2.0  # seconds: a file changed more recently is read, not kept


def key(info: os.stat_result) -> list[int]:
    """What must be unchanged for a kept reading to stand."""
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev]


def _ours(info: os.stat_result) -> bool:
    return info.st_uid == os.geteuid() and not info.st_mode & 0o022


class CaseCache:
    """The kept readings of one cases folder: :meth:`get` one, :meth:`put` a fresh one, :meth:`save`."""

    def __init__(self, file: Path, folder: str, reader: str, entries: dict[str, Any]) -> None:
        self.file = file
        self.folder = folder
        self.reader = reader
        self._entries = entries  # file name -> {"stat": key, "case": content}
        self._used: dict[str, Any] = {}
        self._changed = False

    @classmethod
    def open(cls, cache_dir: Path, folder: Path, reader: str) -> CaseCache:
        """The cache of ``folder`` in ``cache_dir``: empty when there is none, or none to trust.
        ``reader`` names the code that checks case files: a cache kept by other code is not used."""
        where = os.path.abspath(folder)
        file = Path(cache_dir) / f"{hashlib.sha256(os.fsencode(where)).hexdigest()[:24]}.json"
        return cls(file, where, reader, _read(file, where, reader))

    def get(self, name: str, info: os.stat_result) -> dict[str, Any] | None:
        """The kept content of case file ``name`` when the file is as it was; else None."""
        entry = self._entries.get(name)
        if not isinstance(entry, dict) or entry.get("stat") != key(info) or not isinstance(entry.get("case"), dict):
            return None
        self._used[name] = entry
        case: dict[str, Any] = entry["case"]
        return case

    def put(self, name: str, info: os.stat_result, content: dict[str, Any]) -> None:
        """Keep ``content`` as what case file ``name`` (as ``info`` found it, before it was read) says."""
        now = time.time()
        if now - info.st_mtime < SETTLED or now - info.st_ctime < SETTLED:
            return
        self._used[name] = {"stat": key(info), "case": content}
        self._changed = True

    def save(self) -> None:
        """Write the readings used or made by this reading of the folder (others' are dropped),
        if anything changed; quietly nothing when the cache cannot be written."""
        if not self._changed and self._used.keys() == self._entries.keys():
            return
        text = json.dumps({"format": FORMAT, "reader": self.reader, "folder": self.folder, "files": self._used},
                          ensure_ascii=False, separators=(",", ":"))
        if len(text) > CACHE_MAX // 4:  # UTF-8 takes at most four bytes a character
            return
        try:
            private_dir(self.file.parent)
            fd, temporary = tempfile.mkstemp(dir=self.file.parent, prefix=".case-cache-")  # 0600
            try:
                with open(fd, "w", encoding="utf-8") as out:
                    out.write(text)
                os.replace(temporary, self.file)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            return  # a read-only data folder, a full disk: the next start reads the files
        self._entries, self._changed = dict(self._used), False


def _read(file: Path, folder: str, reader: str) -> dict[str, Any]:
    """The entries of the cache ``file`` for ``folder``; {} for anything not to trust."""
    try:
        info = os.lstat(file)
        if not stat.S_ISREG(info.st_mode) or not _ours(info):
            return {}
        data = json.loads(read_regular(file, CACHE_MAX).decode("utf-8"))
    except (OSError, UnreadableFile, ValueError, RecursionError):
        return {}  # none yet, unreadable, not UTF-8 or not JSON (ValueError), nested past reason
    if (not isinstance(data, dict) or data.get("format") != FORMAT or data.get("reader") != reader
            or data.get("folder") != folder or not isinstance(data.get("files"), dict)):
        return {}
    entries: dict[str, Any] = data["files"]
    return entries
