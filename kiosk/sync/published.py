"""The case set the office publishes: checked as the kiosk checks its own case files, then put in
place whole (``hq-cases/`` beside the kiosk's database) or not at all.

A set is taken only when every file in it is a plain ``<case id>.toml`` within the size limits
and reads without a single problem (the checks of ``kiosk cases check``); a broken set is
refused with its first problem, and the kiosk goes on offering the cases it has.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cases import CASE_FILE_MAX, CaseSet
from ..consent import CONSENT_FILE
from ..moderation import MODERATION_FILE

FOLDER = "hq-cases"
FILES_MAX = 500
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,99}\.toml", re.ASCII)


@dataclass(frozen=True)
class Published:
    """What the office published, as read from its answer."""

    version: int
    hash: str
    files: dict[str, str]


def folder_for(database: Path) -> Path:
    """Where a kiosk keeps the office's case set: ``hq-cases/`` beside its database."""
    return Path(database).absolute().parent / FOLDER


def parse(answer: dict[str, Any]) -> Published:
    """The office's answer as a case set; ValueError naming the first thing wrong with it."""
    version, digest, files = answer.get("version"), answer.get("hash"), answer.get("files")
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ValueError("its version is not a whole number")
    if not isinstance(digest, str) or len(digest) > 200:
        raise ValueError("its hash is not text")
    if not isinstance(files, dict):
        raise ValueError("its files are not an object of file names and their text")
    if len(files) > FILES_MAX:
        raise ValueError(f"it has {len(files)} files; at most {FILES_MAX} are taken")
    for name, text in files.items():
        if not _NAME.fullmatch(name) or name in (CONSENT_FILE, MODERATION_FILE):
            raise ValueError(f"{str(name)[:60]!r} is not a case file name (<case id>.toml: lower-case letters,"
                             " digits and '-')")
        if not isinstance(text, str) or len(text.encode("utf-8", "surrogatepass")) > CASE_FILE_MAX:
            raise ValueError(f"{name}: not text of at most {CASE_FILE_MAX // 1024} KB")
    if version > 0 and not files:
        raise ValueError("it has no case files")
    return Published(version, digest, dict(files))


def install(published: Published, folder: Path, read: Callable[[Path], CaseSet]) -> int:
    """Write ``published`` into ``folder`` whole, after ``read`` (the kiosk's case checks) found no
    problem in it; returns the cases in it. ValueError with the first problem when it is broken:
    ``folder`` is then left as it was."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{folder.name}-new-", dir=folder.parent))
    try:
        for name, text in published.files.items():
            with open(fresh / name, "x", encoding="utf-8", newline="") as f:
                f.write(text)
        found = read(fresh)
        if found.errors:
            raise ValueError(f"{len(found.errors)} problem(s), the first: {_relative(found.errors[0], fresh)}")
        if not found.cases:
            raise ValueError("no case this kiosk may offer (no usable case files; sample cases count only"
                             " where allow_sample_cases is on)")
        old = folder.parent / f".{folder.name}-old"
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        fresh.rename(folder)
        shutil.rmtree(old, ignore_errors=True)
        return len(found.cases)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


def _relative(error: object, fresh: Path) -> str:
    """A problem of the fresh set, naming its file by name rather than by the temporary folder."""
    return str(error).replace(str(fresh) + "/", "")
