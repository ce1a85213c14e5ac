"""The organiser's own words: ``moderation.toml`` in the cases folder.

Per language of the kiosk, words to allow (the campaign's own vocabulary that a list
flags: a place, a surname, a method of torture) and words to flag (what the lists miss)::

    [en]
    allow = ["bastinado", "Cumming"]
    flag = ["scumbag"]

    [es]
    flag = ["malnacido"]

English words apply to every visitor's letter (visitors type English in any language);
another language's to its visitors. A word both allowed and flagged is flagged.

The file is read as the consent wording is (:mod:`kiosk.consent`): a regular file, at most
:data:`MODERATION_FILE_MAX`; each bad entry is one problem naming the file and the field, and
is left out; the rest is used. A file that cannot be read at all adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CaseError
from ..files import KB, UnreadableFile, read_toml
from ..i18n import LANGUAGES
from ..text import visible
from .matching import folded

MODERATION_FILE = "moderation.toml"  # in the cases folder; never a case
MODERATION_FILE_MAX = 256 * KB
ENTRY_MAX = 60  # characters of one word or phrase
ENTRIES_MAX = 2000  # words in one list
KEYS = ("allow", "flag")


@dataclass(frozen=True)
class WordLists:
    """The organiser's words per language code: ``allow`` and ``flag``, folded (:func:`folded`)."""

    allow: Mapping[str, frozenset[str]] = field(default_factory=dict)
    flag: Mapping[str, frozenset[str]] = field(default_factory=dict)
    path: Path | None = field(default=None, compare=False)

    def allowed(self, languages: Iterable[str]) -> frozenset[str]:
        return frozenset().union(*(self.allow.get(code, frozenset()) for code in languages))

    def flagged(self, languages: Iterable[str]) -> frozenset[str]:
        return frozenset().union(*(self.flag.get(code, frozenset()) for code in languages))

    @property
    def count(self) -> int:
        """How many words the file gives, allowed and flagged."""
        return sum(len(words) for words in (*self.allow.values(), *self.flag.values()))


NO_LISTS = WordLists()


def _error(path: Path, fieldname: str | None, problem: str) -> CaseError:
    return CaseError(problem, field=fieldname, source=str(path))


def _kind(value: object) -> str:
    return {str: "text", int: "a number", float: "a number", bool: "true/false", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


def _entries(path: Path, where: str, value: object, problems: list[CaseError]) -> frozenset[str]:
    """The good entries of one list; a problem for each bad one (left out)."""
    if not isinstance(value, list):
        problems.append(_error(path, where, f"must be a list of words, not {_kind(value)}"))
        return frozenset()
    words: set[str] = set()
    for number, entry in enumerate(value, start=1):
        if number > ENTRIES_MAX:
            problems.append(_error(path, where, f"more than {ENTRIES_MAX} words: the rest are left out"))
            break
        if not isinstance(entry, str):
            problems.append(_error(path, where, f"entry {number}: must be text, not {_kind(entry)}"))
            continue
        word = folded(entry)
        if not visible(word):
            problems.append(_error(path, where, f"entry {number}: empty"))
        elif len(word) > ENTRY_MAX:
            problems.append(_error(path, where, f"entry {number}: {len(word)} characters, at most {ENTRY_MAX}"))
        else:
            words.add(word)
    return frozenset(words)


def parse_word_lists(path: Path, data: Mapping[str, Any]) -> tuple[WordLists, list[CaseError]]:
    """The words of a moderation file's table, and a problem for each thing left out."""
    problems: list[CaseError] = []
    allow: dict[str, frozenset[str]] = {}
    flag: dict[str, frozenset[str]] = {}
    for language, table in data.items():
        if language not in LANGUAGES:
            problems.append(_error(path, language, f"not a language of the kiosk (one of: {', '.join(LANGUAGES)})"))
            continue
        if not isinstance(table, dict):
            problems.append(_error(path, language, f"must be a table ([{language}] with allow and flag),"
                                                   f" not {_kind(table)}"))
            continue
        for key in table:
            if key not in KEYS:
                problems.append(_error(path, f"{language}.{key}", f"unknown field (expected: {', '.join(KEYS)})"))
        allowed = _entries(path, f"{language}.allow", table.get("allow", []), problems)
        flagged = _entries(path, f"{language}.flag", table.get("flag", []), problems)
        for word in sorted(allowed & flagged):
            problems.append(_error(path, f"{language}.allow", f"{word!r} is flagged too: it is flagged"))
        if allowed - flagged:
            allow[language] = allowed - flagged
        if flagged:
            flag[language] = flagged
    return WordLists(allow, flag, path), problems


def read_word_lists(folder: Path) -> tuple[WordLists, list[CaseError]]:
    """The organiser's words of a cases folder, and every problem of its file; no words when it
    has no ``moderation.toml`` or the file cannot be read."""
    path = Path(folder) / MODERATION_FILE
    if not path.exists() and not path.is_symlink():
        return NO_LISTS, []
    try:
        data = read_toml(path, MODERATION_FILE_MAX)
    except UnreadableFile as exc:
        return NO_LISTS, [_error(path, None, f"{exc} (only the kiosk's own word lists are used)")]
    return parse_word_lists(path, data)
