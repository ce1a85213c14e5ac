"""The rules a row must keep to enter the database, in one place: recording and merging use them.

:meth:`~kiosk.store.signatures.Signatures.record` checks a new letter with :func:`letter_kind`,
:func:`case_id`, :func:`letter_text` (``kiosk.text``'s ``validate_name`` and
``validate_message``), ``validate_event`` and ``validate_kiosk_id``. A merge checks every row
that comes from another kiosk's file with the same functions (:func:`signature_row`,
:func:`job_row`, :func:`case_row`) and stores what recording would have stored: cleaned text,
within the same limits. What recording would refuse (a 100,000-character name, an unknown
kind, a time that is not one) a merge refuses, naming the file and the row.

Each checker takes the values as read from SQLite with ``text_factory=bytes`` (so that text
that is not valid UTF-8 is seen, not silently replaced) and raises :class:`BadRow` naming
the column.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from ..case_limits import ID_PATTERN, LONG_MAX, SHORT_MAX
from ..consent import AGES, CHANNELS, CHOICES, LANGUAGE, LAWFUL_BASES, LIMITS, check_url, field_text, wording_id
from ..emails import validate_email
from ..errors import InputError
from ..i18n import LANGUAGES, check_language
from ..job_states import HOLD_REASONS, JobState
from ..signers import is_fingerprint
from ..text import clean, validate_event, validate_kiosk_id, validate_message, validate_name, validate_place
from .models import KINDS, ConsentChoice

NUMBER_MAX = 999_999_999     # a letter's running number on its kiosk (a reference prints at least 4 digits)
ATTEMPTS_MAX = 1_000_000     # print attempts of one job
PRINTER_MAX = 200            # a print job's printer name, as kept (it is only shown)
ERROR_MAX = 500              # a print job's last error, as kept (it is only shown)
_JOB_STATES = {state.value for state in JobState}


class BadRow(ValueError):
    """A value a row may not hold: ``column`` and what is wrong (never the value itself)."""

    def __init__(self, column: str, problem: str):
        super().__init__(f"{column}: {problem}")
        self.column = column
        self.problem = problem


# -- the rules recording uses ---------------------------------------------------------------


def letter_kind(kind: str) -> str:
    if kind not in KINDS:
        raise InputError(f"{kind!r} is not one of {', '.join(KINDS)}", field="kind")
    return kind


def case_id(value: str | None) -> str:
    """A case id: the name of its case file without ``.toml`` (lower-case letters, digits and '-')."""
    if not value:
        raise InputError("missing", field="case", reason="empty")
    if not ID_PATTERN.fullmatch(value):
        raise InputError(f"{value[:80]!r} is not a case id (lower-case letters, digits and '-')", field="case")
    return value


def letter_language(value: str, field: str = "language") -> str:
    """A letter's language: a code of the kiosk's languages (``kiosk.i18n.LANGUAGES``)."""
    try:
        return check_language(value)
    except ValueError as exc:
        raise InputError(str(exc), field=field) from None


def letter_text(name: str, message: str | None) -> tuple[str, str]:
    """The visitor's name and message, cleaned, within the limits every letter keeps to."""
    return validate_name(name), validate_message(message)


def letter_place(place: str | None) -> str | None:
    """The writer's town or country, cleaned, within its limit; None when none was given."""
    return validate_place(place) or None


def consent_choice(answer: ConsentChoice) -> ConsentChoice:
    """A visitor's answer as it may be recorded: a known channel and choice; with yes, a valid
    address (normalised) and, where the wording asks a minimum age, its confirmation; with
    no, no address at all. InputError naming the field if not."""
    if answer.channel not in CHANNELS:
        raise InputError(f"{answer.channel!r} is not one of {', '.join(CHANNELS)}", field="consent")
    shown = asdict(answer.wording)
    try:  # the words on screen, as a consent file gives them: what a merge checks stored wordings by
        as_kept = wording_fields(shown)
    except BadRow as exc:
        raise InputError(f"the wording's {exc.column}: {exc.problem}", field="consent") from None
    if as_kept != shown:
        raise InputError("the wording is not as its consent file gives it (its text is not cleaned)", field="consent")
    if answer.choice not in CHOICES:
        raise InputError(f"{answer.choice!r} is not one of {', '.join(CHOICES)}", field="consent")
    if answer.choice == "no":
        if answer.email is not None:
            raise InputError("an address is kept only when the visitor says yes", field="email")
        return ConsentChoice(answer.wording, "no", None, False, answer.channel)
    email = validate_email(answer.email)
    age = answer.wording.minimum_age
    if age is not None and not answer.age_confirmed:
        raise InputError(f"the visitor must confirm they are {age} or older", field="age", reason="empty")
    return ConsentChoice(answer.wording, "yes", email, _age_kept("yes", age) == 1, answer.channel)


def _age_kept(choice: str, minimum_age: int | None) -> int | None:
    """``consents.age_confirmed`` of an answer: 1 for a yes to a wording that asks a minimum age
    (recording refuses one not confirmed), else NULL."""
    return 1 if choice == "yes" and minimum_age is not None else None


# -- reading another kiosk's rows -----------------------------------------------------------


def _text(column: str, value: object, *, optional: bool = False) -> str | None:
    if value is None:
        if optional:
            return None
        raise BadRow(column, "missing")
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadRow(column, f"not valid UTF-8 text (byte {exc.start})") from None
    if isinstance(value, str):
        return value
    raise BadRow(column, f"must be text, not {_sql_kind(value)}")


def _required(column: str, value: object) -> str:
    text = _text(column, value)
    assert text is not None
    return text


def _sql_kind(value: object) -> str:
    return {int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _integer(column: str, value: object, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadRow(column, f"must be a whole number, not {'nothing' if value is None else _sql_kind(value)}")
    if not low <= value <= high:
        raise BadRow(column, f"must be from {low} to {high:,}")
    return value


def _checked(column: str, check: Any, *args: Any) -> Any:
    """``check(*args)``, its InputError as a BadRow of ``column``."""
    try:
        return check(*args)
    except InputError as exc:
        raise BadRow(column, exc.problem[:200]) from None


# The stored forms of a time (``utc_iso``, ``stall_iso``): days and hours are cut from them by position.
_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
_STALL = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d(:\d\d(\.\d{6})?)?")


def _moment(column: str, value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("no UTC offset")
        moment.astimezone(dt.UTC)  # a time next to year 1 or 9999 may not be one in UTC
    except (ValueError, OverflowError):
        raise BadRow(column, "not a time (ISO 8601 with its UTC offset)") from None
    return moment


def utc_time(column: str, value: object, *, optional: bool = False) -> str | None:
    """A stored UTC time, exactly as the kiosk writes it (``utc_iso``)."""
    text = _text(column, value, optional=optional)
    if text is None:
        return None
    _moment(column, text)
    if not _UTC.fullmatch(text):
        raise BadRow(column, "not a UTC time as the kiosk writes it (YYYY-MM-DDTHH:MM:SS.ffffffZ)")
    return text


def stall_time(column: str, value: object) -> tuple[str, dt.datetime]:
    """A stall time, exactly as the kiosk writes it (``stall_iso``): days and hours count by it."""
    text = _required(column, value)
    moment = _moment(column, text)
    if not _STALL.fullmatch(text):
        raise BadRow(column, "not a stall time as the kiosk writes it (YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM)")
    return text, moment


def _uuid(column: str, value: object, what: str) -> str:
    """A row's id: a UUID in its usual lower-case form, nothing around it; BadRow naming ``what`` if not."""
    text = _required(column, value)
    try:
        canonical = str(uuid.UUID(text)) if len(text) == 36 else None
    except ValueError:
        canonical = None
    if canonical != text:
        raise BadRow(column, f"not {what} (a UUID such as 0b5e3c1a-...)")
    return text


def signature_id(column: str, value: object) -> str:
    """A signature's id: a UUID in its usual lower-case form, nothing around it."""
    return _uuid(column, value, "a signature id")


def _case_text(column: str, value: object, limit: int, *, multiline: bool = False,
               per_line: bool = False) -> str | None:
    text = _text(column, value, optional=True)
    if text is None:
        return None
    cleaned = clean(text, multiline=multiline)
    for line in cleaned.split("\n") if per_line else [cleaned]:
        if len(line) > limit:
            raise BadRow(column, f"{len(line)} characters, at most {limit} allowed")
    return cleaned or None


def addressee(row: Mapping[str, Any]) -> tuple[str | None, str | None, str | None]:
    """An addressee as a case file holds it: name, title, address (a line each, as the case file limits them)."""
    name = _case_text("addressee_name", row["addressee_name"], SHORT_MAX)
    title = _case_text("addressee_title", row["addressee_title"], SHORT_MAX)
    address = _case_text("addressee_address", row["addressee_address"], SHORT_MAX, multiline=True, per_line=True)
    if name is None:
        return None, None, None
    return name, title, address


@dataclass(frozen=True)
class Incoming:
    """One signature from another kiosk's file, as recording would have stored it."""

    values: dict[str, Any]
    instant: dt.datetime    # the moment it was signed (its local_time)

    @property
    def id(self) -> str:
        return str(self.values["id"])

    @property
    def purged(self) -> bool:
        return self.values["purged_at"] is not None


# The same checks, for values that repeat row after row of a file (its cases, kinds, event, kiosk id):
# each value is checked once (what fails is checked, and fails, again).
_case_id, _kind, _event, _kiosk_id = (lru_cache(maxsize=1024)(check)
                                      for check in (case_id, letter_kind, validate_event, validate_kiosk_id))


def signature_row(row: Mapping[str, Any]) -> Incoming:
    """A ``signatures`` row from another file, checked as recording checks a letter; BadRow if not one."""
    sid = signature_id("id", row["id"])
    number = _integer("number", row["number"], 1, NUMBER_MAX)
    case = _checked("case_id", _case_id, _required("case_id", row["case_id"]))
    kind = _checked("kind", _kind, _required("kind", row["kind"]))
    event = _checked("event", _event, _required("event", row["event"]))
    kiosk = _checked("kiosk_id", _kiosk_id, _required("kiosk_id", row["kiosk_id"]))
    created_at = utc_time("created_at", row["created_at"])
    local_time, moment = stall_time("local_time", row["local_time"])
    if _moment("created_at", str(created_at)) != moment:
        raise BadRow("local_time", "not the same moment as created_at")
    purged_at = utc_time("purged_at", row["purged_at"], optional=True)
    name: str | None = None
    message: str | None = None
    place: str | None = None
    if purged_at is None:  # a purged letter keeps no name (nor place), whatever the file says
        name = _checked("name", validate_name, _required("name", row["name"]))
        message = _checked("message", validate_message, _text("message", row["message"], optional=True))
        place = _checked("place", letter_place, _text("place", row.get("place"), optional=True))
    a_name, a_title, a_address = addressee(row) if kind == "appeal" else (None, None, None)
    values = {
        "id": sid, "number": number, "case_id": case, "kind": kind, "name": name, "message": message,
        "created_at": created_at, "local_time": local_time, "event": event, "kiosk_id": kiosk,
        "purged_at": purged_at, "addressee_name": a_name, "addressee_title": a_title, "addressee_address": a_address,
        "language": _language_code("language", row["language"]),
        "letter_language": _language_code("letter_language", row["letter_language"]),
        "signer": signer_of(row["signer"]),
        "place": place,
    }
    return Incoming(values, moment)


def signer_of(value: object) -> str | None:
    """A letter's signer fingerprint (:mod:`kiosk.signers`) as another file holds it, or NULL."""
    text = _text("signer", value, optional=True)
    if text is not None and not is_fingerprint(text):
        raise BadRow("signer", "not a signer fingerprint (8 hex digits, a colon, 64 hex digits)")
    return text


def _language_code(column: str, value: object) -> str | None:
    """A letter's language as recording keeps it: one of the kiosk's languages, or NULL (a letter
    recorded before kiosks kept it)."""
    text = _text(column, value, optional=True)
    if text is not None and text not in LANGUAGES:
        raise BadRow(column, f"not one of the kiosk's languages ({', '.join(LANGUAGES)})")
    return text


def job_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A ``print_jobs`` row from another file; BadRow if the kiosk could not have written it."""
    status = _required("status", row["status"])
    if status not in _JOB_STATES:
        raise BadRow("status", f"not one of {', '.join(sorted(_JOB_STATES))}")
    printer = _text("printer", row["printer"], optional=True)
    error = _text("last_error", row["last_error"], optional=True)
    return {
        "signature_id": signature_id("signature_id", row["signature_id"]),
        "status": status,
        "attempts": _integer("attempts", row["attempts"], 0, ATTEMPTS_MAX),
        "printer": None if printer is None else clean(printer, PRINTER_MAX, multiline=False),
        "last_error": None if error is None else clean(error, ERROR_MAX, multiline=False),
        "created_at": utc_time("created_at", row["created_at"]),
        "updated_at": utc_time("updated_at", row["updated_at"]),
        "printed_at": utc_time("printed_at", row["printed_at"], optional=True),
        "held_reason": _one_of("held_reason", row["held_reason"], HOLD_REASONS),
        "decision": _one_of("decision", row["decision"], ("released", "rejected")),
        "decided_at": utc_time("decided_at", row["decided_at"], optional=True),
    }


def _one_of(column: str, value: object, allowed: tuple[str, ...]) -> str | None:
    text = _text(column, value, optional=True)
    if text is not None and text not in allowed:
        raise BadRow(column, f"not one of {', '.join(allowed)}")
    return text


def case_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A ``cases`` snapshot from another file, its text cleaned and held to the case files' limits."""
    a_name, a_title, a_address = addressee(row)
    return {
        "id": _checked("id", case_id, _required("id", row["id"])),
        "title": _case_text("title", row["title"], SHORT_MAX),
        "person": _case_text("person", row["person"], SHORT_MAX),
        "country": _case_text("country", row["country"], SHORT_MAX),
        "ask": _case_text("ask", row["ask"], LONG_MAX, multiline=True),
        "addressee_name": a_name,
        "addressee_title": a_title,
        "addressee_address": a_address,
        "url": _case_text("url", row["url"], LONG_MAX),
        "updated_at": utc_time("updated_at", row["updated_at"], optional=True),
    }


# -- consents from another kiosk's file -------------------------------------------------------

_HEX64 = re.compile(r"[0-9a-f]{64}")


def _wording_text(column: str, value: object) -> str:
    """A wording's text as a consent file may hold it (:func:`kiosk.consent.field_text`)."""
    text, problem = field_text(column, _required(column, value))
    if problem:
        raise BadRow(column, problem)
    return text


def wording_key(column: str, value: object) -> str:
    text = _required(column, value)
    if not _HEX64.fullmatch(text):
        raise BadRow(column, "not a wording id (64 hexadecimal digits)")
    return text


def _language(column: str, value: object) -> str:
    text = _required(column, value)
    if not LANGUAGE.fullmatch(text):
        raise BadRow(column, "not a language code (such as en, es, pt_BR)")
    return text


def wording_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """A wording's fields (:class:`~kiosk.consent.ConsentText`'s) as a consent file may hold
    them: each text cleaned and within its limit, a known lawful basis, an http(s) privacy
    address, a minimum age in range. BadRow naming the field if not. Recording checks the
    wording on screen by it, a merge every stored wording."""
    basis = _required("lawful_basis", row["lawful_basis"])
    if basis not in LAWFUL_BASES:
        raise BadRow("lawful_basis", f"not one of {', '.join(LAWFUL_BASES)}")
    url = _wording_text("privacy_url", row["privacy_url"])
    if check_url(url):
        raise BadRow("privacy_url", f"not an http(s) address of at most {LIMITS['privacy_url']} bytes")
    age = row["minimum_age"]
    if age is not None:
        age = _integer("minimum_age", age, AGES[0], AGES[-1])
    return {
        "language": _language("language", row["language"]),
        "version": _wording_text("version", row["version"]),
        "controller": _wording_text("controller", row["controller"]),
        "lawful_basis": basis,
        "privacy_url": url,
        "minimum_age": age,
        "question": _wording_text("question", row["question"]),
        "statement": _wording_text("statement", row["statement"]),
        "notice": _wording_text("notice", row["notice"]),
    }


def consent_text_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A ``consent_texts`` row from another file: each field as a consent file may hold it, and
    its id the hash of exactly those fields (a wording edited after it was shown is refused)."""
    fields = wording_fields(row)
    text_id = wording_key("id", row["id"])
    if wording_id(fields) != text_id:
        raise BadRow("id", "not the hash of its wording (the wording was changed after it was shown)")
    return {"id": text_id, **fields, "first_shown_at": utc_time("first_shown_at", row["first_shown_at"])}


def consent_row(row: Mapping[str, Any], wordings: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A ``consents`` row from another file, checked as recording checks an answer; BadRow if not one.
    ``wordings``: the file's wordings (checked rows of ``consent_texts``) by id: the answer is in
    its wording's language, and keeps an age confirmation exactly when recording would (a yes to
    a wording that asks a minimum age)."""
    channel = _required("channel", row["channel"])
    if channel not in CHANNELS:
        raise BadRow("channel", f"not one of {', '.join(CHANNELS)}")
    choice = _required("choice", row["choice"])
    if choice not in CHOICES:
        raise BadRow("choice", f"not one of {', '.join(CHOICES)}")
    purged_at = utc_time("purged_at", row["purged_at"], optional=True)
    email = _text("email", row["email"], optional=True)
    if choice == "no" and email is not None:
        raise BadRow("email", "an address with a no")
    if purged_at is not None:
        email = None  # a purged answer keeps no address, whatever the file says
    elif choice == "yes":
        email = _checked("email", validate_email, _required("email", email))
    age = row["age_confirmed"]
    if age is not None:
        age = _integer("age_confirmed", age, 1, 1)
    local_time, moment = stall_time("local_time", row["local_time"])
    created_at = utc_time("created_at", row["created_at"])
    if _moment("created_at", str(created_at)) != moment:
        raise BadRow("local_time", "not the same moment as created_at")
    text_id = wording_key("text_id", row["text_id"])
    wording = wordings.get(text_id)
    if wording is None:
        raise BadRow("text_id", "its wording is not in the file")
    language = _language("language", row["language"])
    if language != wording["language"]:
        raise BadRow("language", "not the language of its wording")
    if age != _age_kept(choice, wording["minimum_age"]):
        raise BadRow("age_confirmed", "a yes confirms the minimum age its wording asks, and nothing else keeps one")
    return {
        "id": signature_id("id", row["id"]),
        "signature_id": signature_id("signature_id", row["signature_id"]),
        "channel": channel, "choice": choice, "email": email, "text_id": text_id, "language": language,
        "age_confirmed": age, "created_at": created_at, "local_time": local_time,
        "exported_at": utc_time("exported_at", row["exported_at"], optional=True),
        "purged_at": purged_at,
    }


# -- handwritten letters ----------------------------------------------------------------------

PAPER_MAX = 100_000   # handwritten letters one entry counts (a correction changes a total by at most as many)
NOTE_MAX = 200        # characters of an entry's note: one line


def paper_count(value: object, *, low: int) -> int:
    """How many handwritten letters: a whole number from ``low`` to PAPER_MAX; InputError naming ``count``."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise InputError(f"{value!r} is not a whole number of letters", field="count")
    if not low <= value <= PAPER_MAX:
        raise InputError(f"{value:,} letters: give {low} to {PAPER_MAX:,}", field="count")
    return value


def paper_note(value: str | None) -> str:
    """The organiser's note on an entry: one clean line of at most NOTE_MAX characters ("" for none)."""
    note = clean(value or "", multiline=False)
    if len(note) > NOTE_MAX:
        raise InputError(f"{len(note)} characters, at most {NOTE_MAX} allowed", field="note", reason="too_long")
    return note


def paper_id(column: str, value: object) -> str:
    """An entry's id: a UUID in its usual lower-case form, nothing around it."""
    return _uuid(column, value, "an entry id")


def paper_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A ``paper_letters`` row from another file, checked as recording checks an entry or a
    correction (:mod:`kiosk.store.paper`); BadRow naming the column if the kiosk could not have
    written it. An entry counts 1 to PAPER_MAX letters and was entered when its stall time says; a
    correction (``corrects``: another entry's id) changes a total by -PAPER_MAX to PAPER_MAX, never
    by 0, and keeps the stall time of the entry it corrects (check it with
    :func:`paper_correction` once that entry is known)."""
    pid = paper_id("id", row["id"])
    corrects = None if row["corrects"] is None else paper_id("corrects", row["corrects"])
    if corrects == pid:
        raise BadRow("corrects", "an entry cannot correct itself")
    count = _integer("count", row["count"], 1 if corrects is None else -PAPER_MAX, PAPER_MAX)
    if count == 0:
        raise BadRow("count", "a correction changes the count (0 changes nothing)")
    note = _text("note", row["note"], optional=True)
    created_at = utc_time("created_at", row["created_at"])
    local_time, moment = stall_time("local_time", row["local_time"])
    if corrects is None and _moment("created_at", str(created_at)) != moment:
        raise BadRow("local_time", "not the same moment as created_at")
    return {
        "id": pid,
        "case_id": _checked("case_id", case_id, _required("case_id", row["case_id"])),
        "kind": _checked("kind", letter_kind, _required("kind", row["kind"])),
        "count": count,
        "corrects": corrects,
        "note": None if note is None else _checked("note", paper_note, note),
        "created_at": created_at,
        "local_time": local_time,
        "event": _checked("event", validate_event, _required("event", row["event"])),
        "kiosk_id": _checked("kiosk_id", validate_kiosk_id, _required("kiosk_id", row["kiosk_id"])),
    }


def paper_correction(correction: Mapping[str, Any], original: Mapping[str, Any]) -> None:
    """BadRow unless ``correction`` (a checked :func:`paper_row` with ``corrects``) corrects
    ``original`` as recording does: an entry that is no correction itself, with the same case,
    kind, event, kiosk and stall time (so counts by day, case and kiosk never move)."""
    if original["corrects"] is not None:
        raise BadRow("corrects", "names a correction, not an entry (a correction corrects the entry itself)")
    for column in ("case_id", "kind", "event", "kiosk_id", "local_time"):
        if correction[column] != original[column]:
            raise BadRow(column, "not the same as the entry it corrects")
