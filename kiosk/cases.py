"""Cases: the people at risk the stall writes for, one TOML file each in ``cases/``.

A case file holds what the stall shows (title, person, country, story, ask, an optional
deadline and tags), the appeal letter (addressee, salutation, body, closing) and the
postcard (heading, suggested message, URL for the QR code). The case id is the file name
without ``.toml``. ``docs/cases.md`` is the organisers' guide.

**Languages.** Those fields are the case's *base text*, in its ``language`` (English unless
the file says). ``[translations.<code>]`` gives the shown text in another of the kiosk's
languages (title, country, story, ask and ``[translations.<code>.postcard]`` heading and
message), each field optional: :meth:`Case.shown_in` falls back field by field to the base.
``[appeal.translations.<code>]`` gives the appeal's salutation, body and closing in another
language, all three: :meth:`Case.appeal_text` takes them as a set, or the base. The appeal
prints in :attr:`Case.letter_language`: the authority's ``preferred_language`` where the
case has the appeal in it, else the base language. :func:`translation_warnings` says what
is not translated (``kiosk cases check`` prints it; it is never an error).

:func:`read_dir` reads a folder: the good cases, and every problem of the bad files, each a
:class:`~kiosk.errors.CaseError` naming the file, the field and what is wrong. A bad file
never stops the others.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .case_cache import CaseCache
from .case_limits import ID_PATTERN as ID_PATTERN  # the rules a stored case row keeps too
from .case_limits import LONG_MAX as LONG_MAX
from .case_limits import SHORT_MAX as SHORT_MAX
from .consent import CONSENT_FILE
from .errors import CaseError, KioskError
from .files import KB, UnreadableFile, read_toml
from .i18n import DEFAULT, LANGUAGES, check_language, language
from .moderation import MODERATION_FILE
from .text import all_clean, clean

# A case file is a few KB of text; anything larger is not one (and is never read whole).
CASE_FILE_MAX = 256 * KB

# Longest accepted value per kind of field, in characters after cleaning (SHORT_MAX, LONG_MAX above).
ASK_MAX = 1000
PARAGRAPH_MAX = 2000
PARAGRAPHS_MAX = 12
POSTCARD_MESSAGE_MAX = 300

# The text a visitor is shown, as a translation may give it: (field, dotted key in the
# translation's table, limit, multiline).
SHOWN_FIELDS = (
    ("title", "title", SHORT_MAX, False),
    ("country", "country", SHORT_MAX, False),
    ("story", "story", LONG_MAX, True),
    ("ask", "ask", ASK_MAX, True),
    ("heading", "postcard.heading", SHORT_MAX, False),
    ("message", "postcard.message", POSTCARD_MESSAGE_MAX, True),
)


@dataclass(frozen=True)
class Addressee:
    name: str
    title: str
    address: tuple[str, ...]


@dataclass(frozen=True)
class AppealText:
    """The words of an appeal in one language (the addressee is the same in every language)."""

    language: str
    salutation: str
    body: tuple[str, ...]
    closing: str


@dataclass(frozen=True)
class Appeal:
    addressee: Addressee
    salutation: str
    body: tuple[str, ...]
    closing: str
    translations: tuple[AppealText, ...] = ()  # [appeal.translations.<code>], by code

    def translation(self, code: str) -> AppealText | None:
        return next((t for t in self.translations if t.language == code), None)


@dataclass(frozen=True)
class Shown:
    """What a visitor reads of a case, in one language: a translation, or the base text; in a
    translation, a field left out is "" (:meth:`Case.shown_in` fills it from the base)."""

    title: str = ""
    country: str = ""
    story: str = ""
    ask: str = ""
    heading: str = ""  # the postcard's
    message: str = ""  # the postcard's suggested message

    def missing(self) -> list[str]:
        """The fields this translation leaves out, as the case file names them."""
        return [key for name, key, _, _ in SHOWN_FIELDS if not getattr(self, name)]


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
    language: str = DEFAULT  # the language of the base text (the fields above)
    preferred_language: str | None = None  # the language the authority reads: the appeal prints in it
    translations: tuple[tuple[str, Shown], ...] = ()  # [translations.<code>], by code

    def is_open(self, today: dt.date | None = None) -> bool:
        """A case is offered until the end of its deadline day."""
        if self.deadline is None:
            return True
        return (today or dt.date.today()) <= self.deadline

    def translation(self, code: str) -> Shown | None:
        """The case file's translation into ``code`` as given (fields left out are ""); None if it has none."""
        return next((shown for lang, shown in self.translations if lang == code), None)

    @property
    def base(self) -> Shown:
        """The base text, in :attr:`language`."""
        return Shown(self.title, self.country, self.story, self.ask, self.postcard.heading, self.postcard.message)

    def shown_in(self, code: str) -> Shown:
        """What a visitor reading ``code`` is shown: each field in their language where the case
        has it, else the base text's."""
        own = self.translation(code) if code != self.language else None
        if own is None:
            return self.base
        base = self.base
        return Shown(**{name: getattr(own, name) or getattr(base, name) for name, _, _, _ in SHOWN_FIELDS})

    def appeal_text(self, code: str) -> AppealText:
        """The appeal's salutation, body and closing in ``code`` (all three: a translation is never
        mixed with the base), else the base's, in :attr:`language` (``.language`` says which)."""
        if code != self.language:
            translated = self.appeal.translation(code)
            if translated is not None:
                return translated
        return AppealText(self.language, self.appeal.salutation, self.appeal.body, self.appeal.closing)

    @property
    def letter_language(self) -> str:
        """The language the appeal prints in: ``preferred_language`` where the case has the appeal
        in it (a translation, or the base), else the base text's language."""
        return self.appeal_text(self.preferred_language or self.language).language

    def letter_language_for(self, kind: str, visitor: str) -> str:
        """The language a letter of ``kind`` prints in, for a visitor reading ``visitor``: an
        appeal in :attr:`letter_language`, a postcard in the visitor's."""
        return self.letter_language if kind == "appeal" else visitor


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

    def warnings(self, languages: tuple[str, ...] = LANGUAGES) -> list[CaseError]:
        """What the good cases lack in the kiosk's ``languages`` (:func:`translation_warnings`), by case id."""
        return [w for cid in sorted(self.cases) for w in translation_warnings(self.cases[cid], languages)]


class _Kept:
    """The cleaning of text a cache kept, already cleaned: each text is taken as it is, and
    :meth:`all_clean` then says whether every one is what :func:`~kiosk.text.clean` leaves."""

    def __init__(self) -> None:
        self.texts: dict[bool, list[str]] = {True: [], False: []}

    def __call__(self, text: str, limit: int | None = None, *, multiline: bool = True) -> str:
        self.texts[multiline].append(text)
        return text

    def all_clean(self) -> bool:
        return all(all_clean(texts, multiline=multiline) for multiline, texts in self.texts.items())


@lru_cache(maxsize=4096)
def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(dotted.split("."))


class _Reader:
    """Collects every problem in one file instead of stopping at the first."""

    def __init__(self, path: Path, data: dict[str, Any], clean: Callable[..., str] = clean):
        self.path = path
        self.data = data
        self.clean = clean
        self.errors: list[CaseError] = []

    def _get(self, dotted: str) -> Any:
        node = self.data
        for part in _parts(dotted):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def error(self, dotted: str, problem: str) -> None:
        self.errors.append(case_error(self.path, dotted, problem))

    def text(self, dotted: str, *, limit: int = SHORT_MAX, required: bool = True, multiline: bool = False,
             blank: bool = True) -> str:
        """The text at ``dotted``, cleaned; "" when missing (an error if ``required``). ``blank``:
        an optional field may be given empty (a translation's field may not: leave it out)."""
        value = self._get(dotted)
        if value is None:
            if required:
                self.error(dotted, "missing")
            return ""
        if not isinstance(value, str):
            self.error(dotted, f"must be text, not {_kind(value)}")
            return ""
        cleaned = self.clean(value, multiline=multiline)
        if (required or not blank) and not cleaned:
            self.error(dotted, "must not be empty" if required else "must not be empty (leave the field out instead)")
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
        items = tuple(self.clean(v) for v in value)
        if required and not any(items):
            self.error(dotted, "must not be empty")
        if len(items) > max_items:
            self.error(dotted, f"{len(items)} entries, at most {max_items} allowed")
        for i, item in enumerate(items, 1):
            if len(item) > limit:
                self.error(dotted, f"entry {i}: {len(item)} characters, at most {limit} allowed")
        return tuple(i for i in items if i)

    def table(self, dotted: str, *, required: bool = True) -> bool:
        """Whether ``dotted`` is a table (an error if it is something else, or missing and ``required``)."""
        value = self._get(dotted)
        if value is None:
            if required:
                self.error(dotted, "missing table")
            return False
        if not isinstance(value, dict):
            self.error(dotted, f"must be a table, not {_kind(value)}")
            return False
        return True

    def language(self, dotted: str) -> str | None:
        """A code of the kiosk's languages at ``dotted``; None when missing or wrong (an error then)."""
        value = self._get(dotted)
        if value is None:
            return None
        if not isinstance(value, str):
            self.error(dotted, f"must be text, not {_kind(value)}")
            return None
        try:
            return check_language(value)
        except ValueError as exc:
            self.error(dotted, str(exc))
            return None

    def languages(self, dotted: str, base: str) -> list[str]:
        """The codes of the table at ``dotted`` (a table of languages), each checked to be one of
        the kiosk's languages and not the base text's own; an error for each that is not."""
        if not self.table(dotted, required=False):
            return []
        codes = []
        for code in self._get(dotted):
            where = f"{dotted}.{code}"
            try:
                check_language(code)
            except ValueError as exc:
                self.error(where, str(exc))
                continue
            if code == base:
                self.error(where, f"{code!r} is the language of the case's own text (language = {base!r}):"
                                  " write it in the fields themselves")
                continue
            if self.table(where):
                codes.append(code)
        return codes

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
    "": {"title", "person", "country", "story", "ask", "deadline", "tags", "sample", "appeal", "postcard", "language",
         "preferred_language", "translations"},
    "appeal": {"addressee", "salutation", "body", "closing", "translations"},
    "appeal.addressee": {"name", "title", "address"},
    "postcard": {"heading", "message", "url"},
}
_TRANSLATION_KEYS = {"title", "country", "story", "ask", "postcard"}
_POSTCARD_TRANSLATION_KEYS = {"heading", "message"}
_APPEAL_KEYS = {"salutation", "body", "closing"}


def _kind(value: object) -> str:
    return {str: "text", int: "a number", float: "a number", bool: "true/false", list: "a list", dict: "a table"}.get(
        type(value), type(value).__name__
    )


def load_case(path: Path) -> Case:
    """Read and validate one case file. Raises CaseErrorGroup with every problem found."""
    path = Path(path)
    try:
        data = read_toml(path, CASE_FILE_MAX)
    except UnreadableFile as exc:
        raise CaseErrorGroup([case_error(path, None, str(exc))]) from None
    return _check(path, data)


def _check(path: Path, data: dict[str, Any], clean: Callable[..., str] = clean) -> Case:
    """The case in ``data``, the table of case file ``path``, checked and its text cleaned
    with ``clean``; CaseErrorGroup with every problem found."""
    case_id = path.stem
    r = _Reader(path, data, clean)
    if not ID_PATTERN.fullmatch(case_id):
        r.errors.append(
            case_error(path, None, f"file name {case_id!r} is not a valid case id (lower-case letters, digits and '-')")
        )
    base_language = r.language("language") or DEFAULT
    preferred = r.language("preferred_language")
    shown_codes = r.languages("translations", base_language)
    appeal_codes = r.languages("appeal.translations", base_language) if isinstance(data.get("appeal"), dict) else []
    allowed = dict(_ALLOWED)
    for code in shown_codes:
        allowed[f"translations.{code}"] = _TRANSLATION_KEYS
        allowed[f"translations.{code}.postcard"] = _POSTCARD_TRANSLATION_KEYS
    for code in appeal_codes:
        allowed[f"appeal.translations.{code}"] = _APPEAL_KEYS
    r.unknown_keys(allowed)
    title = r.text("title")
    person = r.text("person")
    country = r.text("country")
    story = r.text("story", limit=LONG_MAX, multiline=True)
    ask = r.text("ask", limit=ASK_MAX, multiline=True)

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
        body=r.text_list("appeal.body", limit=PARAGRAPH_MAX, max_items=PARAGRAPHS_MAX),
        closing=r.text("appeal.closing"),
        translations=tuple(_appeal_translation(r, code) for code in appeal_codes),
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
        message=r.text("postcard.message", limit=POSTCARD_MESSAGE_MAX, multiline=True),
        url=url,
    )
    translations = tuple((code, _translation(r, code)) for code in shown_codes)
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
        language=base_language,
        preferred_language=preferred,
        translations=translations,
    )


def _translation(r: _Reader, code: str) -> Shown:
    """``[translations.<code>]``: each shown field optional, with the base field's limit."""
    where = f"translations.{code}"
    r.table(f"{where}.postcard", required=False)
    fields = {name: r.text(f"{where}.{key}", limit=limit, multiline=multiline, required=False, blank=False)
              for name, key, limit, multiline in SHOWN_FIELDS}
    return Shown(**fields)


def _appeal_translation(r: _Reader, code: str) -> AppealText:
    """``[appeal.translations.<code>]``: salutation, body and closing, all three (a letter is never
    half in one language), with the base's limits."""
    where = f"appeal.translations.{code}"
    return AppealText(
        language=code,
        salutation=r.text(f"{where}.salutation"),
        body=r.text_list(f"{where}.body", limit=PARAGRAPH_MAX, max_items=PARAGRAPHS_MAX),
        closing=r.text(f"{where}.closing"),
    )


def translation_warnings(case: Case, languages: tuple[str, ...] = LANGUAGES) -> list[CaseError]:
    """What of ``case`` is not in each of the kiosk's ``languages`` (never an error: the base text is
    shown, or printed, instead), each naming the file and the field: a language without a
    translation, a translation that leaves fields out, a ``preferred_language`` without its appeal."""
    where = case.path or Path(f"{case.id}.toml")
    english = language("en")
    base = english.name_of(case.language)
    warnings = []
    for code in languages:
        if code == case.language:
            continue
        shown = case.translation(code)
        if shown is None:
            warnings.append(case_error(where, f"translations.{code}",
                                       f"missing: visitors reading {english.name_of(code)} see the case in {base}"))
        elif shown.missing():
            warnings.append(case_error(where, f"translations.{code}",
                                       f"no {', '.join(shown.missing())}: shown in {base}"))
    preferred = case.preferred_language
    if preferred is not None and case.letter_language != preferred:
        warnings.append(case_error(where, "preferred_language", f"{preferred!r} but no"
                                   f" [appeal.translations.{preferred}]: the appeal prints in {base}"))
    return warnings


class CaseErrorGroup(KioskError):
    """All problems of one file."""

    def __init__(self, errors: list[CaseError]):
        super().__init__(f"{len(errors)} problem(s)", source=errors[0].source if errors else None)
        self.errors = errors


def read_dir(directory: Path, cache: Path | None = None) -> CaseSet:
    """Read every ``*.toml`` in ``directory``; good cases and all problems, never raising.
    ``cache``: a folder where what the good files said is kept for the next reading
    (:mod:`kiosk.case_cache`); it is only a short cut, and gives what reading them gives."""
    directory = Path(directory)
    if not directory.is_dir():
        return CaseSet({}, [case_error(directory, None, "no such folder")])
    kept = CaseCache.open(cache, directory, _reader_version()) if cache is not None else None
    cases: dict[str, Case] = {}
    errors: list[CaseError] = []
    for path in sorted(directory.glob("*.toml")):
        if path.name in (CONSENT_FILE, MODERATION_FILE):  # the consent wording, the organiser's words: no cases
            continue
        try:
            case = load_case(path) if kept is None else _load_kept(path, kept)
        except CaseErrorGroup as group:
            errors.extend(group.errors)
            continue
        cases[case.id] = case
    if kept is not None:
        kept.save()
    if not cases and not errors:
        errors.append(case_error(directory, None, "no case files (*.toml) in this folder"))
    return CaseSet(cases, errors)


# -- the cache: what a good case file said, checked again as a case file when it is used -----------


def _reader_version() -> str:
    """The code that checks case files (this module, and the cleaning of text) as it is on disk:
    a cache kept by another version of it is not used."""
    from . import text

    return ";".join(f"{info.st_size}:{info.st_mtime_ns}" for info in map(os.stat, (__file__, text.__file__)))


def _load_kept(path: Path, kept: CaseCache) -> Case:
    """:func:`load_case`, through the cache: the kept reading when the file is as it was and the
    reading passes every check a case file passes (its text already clean); else the file read."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return load_case(path)  # says what is wrong
    if not stat.S_ISREG(info.st_mode) or info.st_size > CASE_FILE_MAX:
        return load_case(path)
    content = kept.get(path.name, info)
    if content is not None:
        case = _from_kept(path, content)
        if case is not None:
            return case
    case = load_case(path)  # read after the look, so a change meanwhile is never kept as this look's
    kept.put(path.name, info, kept_content(case))
    return case


def _from_kept(path: Path, content: dict[str, Any]) -> Case | None:
    """The case a cache kept for ``path``, checked as a case file; None if it fails a check."""
    data = dict(content)
    if isinstance(data.get("deadline"), str):  # JSON has no dates
        try:
            data["deadline"] = dt.date.fromisoformat(data["deadline"])
        except ValueError:
            return None
    cleaning = _Kept()
    try:
        case = _check(path, data, cleaning)
    except CaseErrorGroup:
        return None
    except Exception:  # noqa: BLE001 - whatever a damaged cache holds, the file is read instead
        return None
    return case if cleaning.all_clean() else None


def kept_content(case: Case) -> dict[str, Any]:
    """``case`` as the table of a case file that says exactly it (its text as cleaned), in JSON's terms."""
    def shown(t: Shown) -> dict[str, Any]:
        table: dict[str, Any] = {k: getattr(t, k) for k in ("title", "country", "story", "ask") if getattr(t, k)}
        postcard = {k: getattr(t, k) for k in ("heading", "message") if getattr(t, k)}
        if postcard:
            table["postcard"] = postcard
        return table

    appeal = case.appeal
    content: dict[str, Any] = {
        "title": case.title, "person": case.person, "country": case.country, "story": case.story, "ask": case.ask,
        "tags": list(case.tags), "sample": case.sample, "language": case.language,
        "appeal": {
            "addressee": {"name": appeal.addressee.name, "title": appeal.addressee.title,
                          "address": list(appeal.addressee.address)},
            "salutation": appeal.salutation, "body": list(appeal.body), "closing": appeal.closing,
        },
        "postcard": {"heading": case.postcard.heading, "message": case.postcard.message, "url": case.postcard.url},
    }
    if appeal.translations:
        content["appeal"]["translations"] = {
            t.language: {"salutation": t.salutation, "body": list(t.body), "closing": t.closing}
            for t in appeal.translations}
    if case.translations:
        content["translations"] = {code: shown(t) for code, t in case.translations}
    if case.deadline is not None:
        content["deadline"] = case.deadline.isoformat()
    if case.preferred_language is not None:
        content["preferred_language"] = case.preferred_language
    return content
