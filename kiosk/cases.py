"""Cases: the people at risk the stall writes for, one TOML file each in ``cases/``.

A case file holds what the stall shows (title, person, country, story, ask, an optional
deadline and tags), the appeal letter (addressee, salutation, body, closing) and the
postcard (heading, suggested message, URL for the QR code). The case id is the file name
without ``.toml``. ``docs/cases.md`` is the organisers' guide.

:func:`read_dir` reads a folder: the good cases, and every problem of the bad files, each a
:class:`~kiosk.errors.CaseError` naming the file, the field and what is wrong. A bad file
never stops the others.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .consent import CONSENT_FILE
from .errors import CaseError, KioskError
from .files import KB, UnreadableFile, read_toml
from .text import clean

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")  # whole id: always fullmatch()

# A case file is a few KB of text; anything larger is not one (and is never read whole).
CASE_FILE_MAX = 256 * KB

# Longest accepted value per kind of field, in characters after cleaning.
SHORT_MAX = 120
LONG_MAX = 4000


@dataclass(frozen=True)
class Addressee:
    name: str
    title: str
    address: tuple[str, ...]


@dataclass(frozen=True)
class Appeal:
    addressee: Addressee
    salutation: str
    body: tuple[str, ...]
    closing: str


@dataclass(frozen=True)
class Postcard:
    heading: str
    message: str
    url: str


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    person: str
    country: str
    story: str
    ask: str
    appeal: Appeal
    postcard: Postcard
    deadline: dt.date | None = None
    tags: tuple[str, ...] = ()
    sample: bool = False
    path: Path | None = field(default=None, compare=False)

    def is_open(self, today: dt.date | None = None) -> bool:
        """A case is offered until the end of its deadline day."""
        if self.deadline is None:
            return True
        return (today or dt.date.today()) <= self.deadline


def case_error(path: Path | str, field: str | None, problem: str) -> CaseError:
    return CaseError(problem, field=field, source=str(path))


@dataclass
class CaseSet:
    """The result of reading a folder: the good cases and the problems found."""

    cases: dict[str, Case]
    errors: list[CaseError]

    def offered(self, today: dt.date | None = None) -> list[Case]:
        """Cases shown to visitors: those whose deadline has not passed, by title."""
        return sorted((c for c in self.cases.values() if c.is_open(today)), key=lambda c: c.title.casefold())


class _Reader:
    """Collects every problem in one file instead of stopping at the first."""

    def __init__(self, path: Path, data: dict[str, Any]):
        self.path = path
        self.data = data
        self.errors: list[CaseError] = []

    def _get(self, dotted: str) -> Any:
        node = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def error(self, dotted: str, problem: str) -> None:
        self.errors.append(case_error(self.path, dotted, problem))

    def text(self, dotted: str, *, limit: int = SHORT_MAX, required: bool = True, multiline: bool = False) -> str:
        value = self._get(dotted)
        if value is None:
            if required:
                self.error(dotted, "missing")
            return ""
        if not isinstance(value, str):
            self.error(dotted, f"must be text, not {_kind(value)}")
            return ""
        cleaned = clean(value, multiline=multiline)
        if required and not cleaned:
            self.error(dotted, "must not be empty")
        elif len(cleaned) > limit:
            self.error(dotted, f"{len(cleaned)} characters, at most {limit} allowed")
        return cleaned

    def text_list(self, dotted: str, *, limit: int, required: bool = True, max_items: int = 20) -> tuple[str, ...]:
        value = self._get(dotted)
        if value is None:
            if required:
                self.error(dotted, "missing")
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(dotted, "must be a list of text")
            return ()
        items = tuple(clean(v) for v in value)
        if required and not any(items):
            self.error(dotted, "must not be empty")
        if len(items) > max_items:
            self.error(dotted, f"{len(items)} entries, at most {max_items} allowed")
        for i, item in enumerate(items, 1):
            if len(item) > limit:
                self.error(dotted, f"entry {i}: {len(item)} characters, at most {limit} allowed")
        return tuple(i for i in items if i)

    def table(self, dotted: str) -> None:
        value = self._get(dotted)
        if value is None:
            self.error(dotted, "missing table")
        elif not isinstance(value, dict):
            self.error(dotted, f"must be a table, not {_kind(value)}")

    def unknown_keys(self, allowed: dict[str, set[str]]) -> None:
        for prefix, keys in allowed.items():
            node = self._get(prefix) if prefix else self.data
            if not isinstance(node, dict):
                continue
            for key in node:
                if key not in keys:
                    name = f"{prefix}.{key}" if prefix else key
                    self.error(name, f"unknown field (expected one of: {', '.join(sorted(keys))})")


_ALLOWED = {
    "": {"title", "person", "country", "story", "ask", "deadline", "tags", "sample", "appeal", "postcard"},
    "appeal": {"addressee", "salutation", "body", "closing"},
    "appeal.addressee": {"name", "title", "address"},
    "postcard": {"heading", "message", "url"},
}


def _kind(value: object) -> str:
    return {str: "text", int: "a number", float: "a number", bool: "true/false", list: "a list", dict: "a table"}.get(
        type(value), type(value).__name__
    )


def load_case(path: Path) -> Case:
    """Read and validate one case file. Raises CaseErrorGroup with every problem found."""
    path = Path(path)
    case_id = path.stem
    try:
        data = read_toml(path, CASE_FILE_MAX)
    except UnreadableFile as exc:
        raise CaseErrorGroup([case_error(path, None, str(exc))]) from None

    r = _Reader(path, data)
    if not ID_PATTERN.fullmatch(case_id):
        r.errors.append(
            case_error(path, None, f"file name {case_id!r} is not a valid case id (lower-case letters, digits and '-')")
        )
    r.unknown_keys(_ALLOWED)
    title = r.text("title")
    person = r.text("person")
    country = r.text("country")
    story = r.text("story", limit=LONG_MAX, multiline=True)
    ask = r.text("ask", limit=1000, multiline=True)

    deadline = data.get("deadline")
    if deadline is not None:
        if isinstance(deadline, dt.datetime):
            deadline = deadline.date()
        elif not isinstance(deadline, dt.date):
            r.error("deadline", f"must be a date such as 2027-03-31, not {_kind(deadline)}")
            deadline = None
    tags = r.text_list("tags", limit=40, required=False)
    sample = data.get("sample", False)
    if not isinstance(sample, bool):
        r.error("sample", "must be true or false")
        sample = False

    r.table("appeal")
    r.table("appeal.addressee")
    addressee = Addressee(
        name=r.text("appeal.addressee.name"),
        title=r.text("appeal.addressee.title", required=False),
        address=r.text_list("appeal.addressee.address", limit=SHORT_MAX, max_items=8),
    )
    appeal = Appeal(
        addressee=addressee,
        salutation=r.text("appeal.salutation"),
        body=r.text_list("appeal.body", limit=2000, max_items=12),
        closing=r.text("appeal.closing"),
    )
    r.table("postcard")
    url = r.text("postcard.url", limit=300)
    if url:
        try:
            parsed = urlparse(url)
        except ValueError:  # "http://[::1/x" (an IPv6 host not closed): a bad address, not a crash
            parsed = urlparse("")
        if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in url:
            r.error("postcard.url", f"{url!r} is not an http(s) address")
    postcard = Postcard(
        heading=r.text("postcard.heading"),
        message=r.text("postcard.message", limit=300, multiline=True),
        url=url,
    )
    if r.errors:
        raise CaseErrorGroup(r.errors)
    return Case(
        id=case_id,
        title=title,
        person=person,
        country=country,
        story=story,
        ask=ask,
        appeal=appeal,
        postcard=postcard,
        deadline=deadline,
        tags=tags,
        sample=sample,
        path=path,
    )


class CaseErrorGroup(KioskError):
    """All problems of one file."""

    def __init__(self, errors: list[CaseError]):
        super().__init__(f"{len(errors)} problem(s)", source=errors[0].source if errors else None)
        self.errors = errors


def read_dir(directory: Path) -> CaseSet:
    """Read every ``*.toml`` in ``directory``; good cases and all problems, never raising."""
    directory = Path(directory)
    if not directory.is_dir():
        return CaseSet({}, [case_error(directory, None, "no such folder")])
    cases: dict[str, Case] = {}
    errors: list[CaseError] = []
    for path in sorted(directory.glob("*.toml")):
        if path.name == CONSENT_FILE:  # the consent wording (kiosk.consent), not a case
            continue
        try:
            case = load_case(path)
        except CaseErrorGroup as group:
            errors.extend(group.errors)
            continue
        cases[case.id] = case
    if not cases and not errors:
        errors.append(case_error(directory, None, "no case files (*.toml) in this folder"))
    return CaseSet(cases, errors)
