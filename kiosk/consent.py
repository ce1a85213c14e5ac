"""The consent wording: what a visitor is asked after their letter, written by the organisation.

``consent.toml`` in the cases folder holds it (``docs/consent.md`` is the organisers'
guide): who keeps the data (the controller), the full privacy notice's address, the lawful
basis the organisation chose, a version label, an optional minimum age, and per language
the question, the statement a visitor agrees to with *Yes*, and the short privacy notice.

What one visitor was shown is one :class:`ConsentText`: one language's wording with the
file's details. Its :attr:`~ConsentText.id` is the SHA-256 of exactly that (a canonical
JSON of every field), so the database keeps each wording once, and a consent points at
the very words that were on screen: a changed comma is another id.

:func:`read_consent` reads the file of a cases folder; every problem is a
:class:`~kiosk.errors.CaseError` naming the file and the field, like a case file's. A
folder without the file asks nobody (the kiosk then records no consents).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .errors import CaseError
from .files import KB, UnreadableFile, read_toml
from .text import clean, visible

CONSENT_FILE = "consent.toml"  # in the cases folder; never a case
CONSENT_FILE_MAX = 64 * KB
CHANNELS = ("email",)
CHOICES = ("yes", "no")
# The lawful bases an organisation may name (its data protection officer chooses):
# consent (GDPR art. 6(1)(a)), or a charity's soft opt-in (UK Data (Use and Access) Act 2025 s.114).
LAWFUL_BASES = ("consent", "charity_soft_opt_in")
LANGUAGE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?")  # a language code: en, es, pt_BR (whole: fullmatch)
AGES = range(13, 22)  # a minimum age an organisation may ask visitors to confirm

# Longest accepted value per field, in characters after cleaning.
LIMITS = {"version": 40, "controller": 120, "privacy_url": 50, "question": 200, "statement": 400, "notice": 600}
_TOP = {"sample", "version", "controller", "privacy_url", "lawful_basis", "minimum_age", "text"}
_TEXT = ("question", "statement", "notice")
_MULTILINE = ("statement", "notice")  # the fields that keep their line breaks


@dataclass(frozen=True)
class ConsentText:
    """One language's consent wording, exactly as a visitor is shown it."""

    language: str
    version: str
    controller: str
    lawful_basis: str
    privacy_url: str
    minimum_age: int | None
    question: str
    statement: str
    notice: str

    @property
    def id(self) -> str:
        """SHA-256 (hex) of the wording's canonical form: every field, sorted, UTF-8 JSON."""
        return wording_id(asdict(self))


def wording_id(fields: dict[str, Any]) -> str:
    """The id of a wording given as its fields (a row of another kiosk's file is checked against it)."""
    import hashlib
    import json

    canonical = json.dumps({k: fields[k] for k in sorted(ConsentText.__dataclass_fields__)},
                           ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ConsentWording:
    """The consent file: the same details for every language, and each language's texts."""

    texts: dict[str, ConsentText]
    sample: bool = False
    path: Path | None = field(default=None, compare=False)
    problems: tuple[CaseError, ...] = field(default=(), compare=False)  # languages left out, and why

    def for_language(self, language: str) -> ConsentText:
        """The wording in ``language``; else English; else the file's first language."""
        return self.texts.get(language) or self.texts.get("en") or next(iter(self.texts.values()))

    @property
    def privacy_url(self) -> str:
        return next(iter(self.texts.values())).privacy_url


def _error(path: Path, fieldname: str | None, problem: str) -> CaseError:
    return CaseError(problem, field=fieldname, source=str(path))


def _kind(value: object) -> str:
    return {str: "text", int: "a number", float: "a number", bool: "true/false", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


def check_url(url: str) -> str | None:
    """Why ``url`` cannot be the privacy notice's address, or None. It is shown as a QR code on
    a screen of 80x24, so it must fit one of version 3 (at most 50 bytes: use a short link)."""
    try:
        parsed = urlparse(url)
    except ValueError:  # "http://[::1/x": urlparse refuses it (an IPv6 host not closed)
        parsed = None
    if (parsed is None or parsed.scheme not in ("http", "https") or not parsed.netloc
            or any(ch.isspace() for ch in url)):
        return f"{url[:80]!r} is not an http(s) address"
    size = len(url.encode("utf-8"))
    if size > LIMITS["privacy_url"]:
        return f"{size} bytes, at most {LIMITS['privacy_url']}: it is a QR code on screen (use a short link)"
    return None


def field_text(key: str, value: str) -> tuple[str, str | None]:
    """A text field of a wording (``version`` ... ``notice``) as it is kept and shown: cleaned
    (line breaks kept in the statement and the notice); and why it cannot be one, or None.
    The one rule for a consent file and for another kiosk's stored wording."""
    cleaned = clean(value, multiline=key in _MULTILINE)
    if not visible(cleaned):  # zero-width characters, fillers: a question that shows nothing
        return cleaned, "must not be empty"
    if len(cleaned) > LIMITS[key]:
        return cleaned, f"{len(cleaned)} characters, at most {LIMITS[key]} allowed"
    return cleaned, None


def parse_consent(path: Path, data: dict[str, Any]) -> ConsentWording:
    """The wording in ``data`` (the file's table). A language whose texts are wrong is left out
    (its problems are kept in :attr:`ConsentWording.problems`: a missing translation never stops
    the others being asked); ConsentErrors with every problem when the file's own details are
    wrong or no language is left."""
    errors: list[CaseError] = []

    def text(table: dict[str, Any], key: str, where: str, found: list[CaseError]) -> str:
        value = table.get(key)
        if value is None:
            found.append(_error(path, where, "missing"))
            return ""
        if not isinstance(value, str):
            found.append(_error(path, where, f"must be text, not {_kind(value)}"))
            return ""
        cleaned, problem = field_text(key, value)
        if problem:
            found.append(_error(path, where, problem))
        return cleaned

    for key in data:
        if key not in _TOP:
            errors.append(_error(path, key, f"unknown field (expected one of: {', '.join(sorted(_TOP))})"))
    sample = data.get("sample", False)
    if not isinstance(sample, bool):
        errors.append(_error(path, "sample", "must be true or false"))
        sample = False
    version = text(data, "version", "version", errors)
    controller = text(data, "controller", "controller", errors)
    url = data.get("privacy_url")
    if url is None:
        errors.append(_error(path, "privacy_url", "missing"))
    elif not isinstance(url, str):
        errors.append(_error(path, "privacy_url", f"must be text, not {_kind(url)}"))
    else:  # its own rule (bytes, not characters: a QR code): one line for one problem
        url = clean(url, multiline=False)
        if problem := check_url(url):
            errors.append(_error(path, "privacy_url", problem))
    basis = data.get("lawful_basis")
    if basis is None:
        errors.append(_error(path, "lawful_basis", f"missing (one of: {', '.join(LAWFUL_BASES)})"))
    elif basis not in LAWFUL_BASES:
        errors.append(_error(path, "lawful_basis", f"{str(basis)[:40]!r} is not one of {', '.join(LAWFUL_BASES)}"))
    age = data.get("minimum_age")
    if age is not None and (not isinstance(age, int) or isinstance(age, bool) or age not in AGES):
        errors.append(_error(path, "minimum_age", f"must be a whole number from {AGES[0]} to {AGES[-1]}"))
        age = None
    languages = data.get("text")
    texts: dict[str, ConsentText] = {}
    left_out: list[CaseError] = []  # a language's own problems: that language is left out
    if languages is None:
        errors.append(_error(path, "text", "missing: give the wording per language ([text.en] ...)"))
    elif not isinstance(languages, dict):
        errors.append(_error(path, "text", f"must be a table of languages, not {_kind(languages)}"))
    else:
        for language, table in languages.items():
            where = f"text.{language}"
            if not LANGUAGE.fullmatch(language):
                left_out.append(_error(path, where, "not a language code (such as en, es, pt_BR)"))
                continue
            if not isinstance(table, dict):
                left_out.append(_error(path, where, f"must be a table, not {_kind(table)}"))
                continue
            found: list[CaseError] = []
            for key in table:
                if key not in _TEXT:
                    found.append(_error(path, f"{where}.{key}", f"unknown field (expected one of: {', '.join(_TEXT)})"))
            question, statement, notice = (text(table, key, f"{where}.{key}", found) for key in _TEXT)
            if found:
                left_out += found
                continue
            texts[language] = ConsentText(language, version, controller, str(basis), str(url), age, question,
                                          statement, notice)
        if not texts:
            errors.append(_error(path, "text", "no language to ask in: give at least [text.en], complete"))
    if errors:
        raise ConsentErrors(errors + left_out)
    return ConsentWording(texts, sample, path, tuple(left_out))


class ConsentErrors(Exception):
    """Every problem of a consent file."""

    def __init__(self, errors: list[CaseError]) -> None:
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors


def load_consent(path: Path) -> ConsentWording:
    """Read and check a consent file; ConsentErrors with every problem found."""
    path = Path(path)
    try:
        data = read_toml(path, CONSENT_FILE_MAX)
    except UnreadableFile as exc:
        raise ConsentErrors([_error(path, None, str(exc))]) from None
    return parse_consent(path, data)


def read_consent(folder: Path) -> tuple[ConsentWording | None, list[CaseError]]:
    """The consent wording of a cases folder and its problems: None when it has none, or when
    it is broken (no language left to ask in); a wording with problems when a language of it
    was left out."""
    path = Path(folder) / CONSENT_FILE
    if not path.exists() and not path.is_symlink():
        return None, []
    try:
        wording = load_consent(path)
    except ConsentErrors as group:
        return None, group.errors
    return wording, list(wording.problems)
