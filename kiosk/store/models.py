"""What the store hands out: signatures, print jobs, selections and results, as plain values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..consent import ConsentText
from ..job_states import JobState

KINDS = ("appeal", "postcard")

# What a count can be grouped by: the SQL of its key and the columns it fills.
GROUPS = {
    "case": ("s.case_id", ("case_id", "case_title")),
    "kind": ("s.kind", ("kind",)),
    "event": ("s.event", ("event",)),
    "kiosk": ("s.kiosk_id", ("kiosk_id",)),
    "day": ("substr(s.local_time, 1, 10)", ("day",)),
    "hour": ("substr(s.local_time, 1, 10) || ' ' || substr(s.local_time, 12, 2) || ':00'", ("hour",)),
    # the visitor's language; "" for letters recorded before kiosks kept it (schema 0006)
    "language": ("COALESCE(s.language, '')", ("language",)),
}


COUNT_COLUMNS = ("count", "paper", "duplicates", "signers")
"""The figures of every count (kiosk.store.counts): letters written (typed and handwritten), of them
on paper, typed letters that are likely duplicates, and signers (typed letters less those)."""


def group_columns(by: list[str]) -> list[str]:
    """The columns a count grouped by ``by`` has, COUNT_COLUMNS last."""
    return [column for group in by for column in GROUPS[group][1]] + list(COUNT_COLUMNS)


@dataclass(frozen=True)
class Signature:
    id: str
    number: int
    case_id: str
    kind: str
    name: str
    message: str
    created_at: str
    event: str
    kiosk_id: str
    local_time: str = ""
    purged_at: str | None = None
    # An appeal's addressee as recorded with it (what its letter is printed and delivered to);
    # None for postcards and for letters recorded before kiosks kept it.
    addressee_name: str | None = None
    addressee_title: str | None = None
    addressee_address: str | None = None
    # The visitor's language (their screens and message), and the one the receipt prints in
    # (an appeal's letter language, a postcard's the visitor's); None for letters recorded
    # before kiosks kept them: they print in the case's base text.
    language: str | None = None
    letter_language: str | None = None
    # Its writer's keyed fingerprint (kiosk.signers); None without a signer key, or a name.
    signer: str | None = None
    # The writer's town or country, printed under an appeal's signature (schema 0009); None when not
    # given, and once purged (it goes with the name).
    place: str | None = None
    # How recording went (not read back from the file): ``held``, why its job waits for a volunteer
    # (job_states.HOLD_REASONS); ``repeat``, it is an earlier letter recorded again by a double press.
    held: str | None = field(default=None, compare=False)
    repeat: bool = field(default=False, compare=False)

    @property
    def reference(self) -> str:
        return reference(self.event, self.kiosk_id, self.number)

    @property
    def created(self) -> dt.datetime:
        """When it was signed (UTC). A time that is none (a row an older merge let in) reads as 1970, never a crash."""
        try:
            moment = dt.datetime.fromisoformat(str(self.created_at).replace("Z", "+00:00"))
        except ValueError:
            return _NO_TIME
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)

    @property
    def stall_time(self) -> dt.datetime:
        """The time on the stall's clock when it was signed."""
        try:
            if self.local_time:
                return dt.datetime.fromisoformat(str(self.local_time))
            return self.created.astimezone()
        except (ValueError, OverflowError):
            return self.created


_NO_TIME = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def reference(event: str, kiosk_id: str, number: object) -> str:
    """A letter's reference, as printed on it: ``Summer Fest / stall-1 / #0042``. A number that
    is not one (a row an older merge let in) is shown as it is, never a crash."""
    shown = f"{number:04d}" if isinstance(number, int) else str(number)
    return f"{event} / {kiosk_id} / #{shown}"


@dataclass(frozen=True)
class Job:
    id: int
    signature_id: str
    status: JobState
    attempts: int
    printer: str | None
    last_error: str | None
    updated_at: str
    held_reason: str | None = None    # why it was recorded held (job_states.HOLD_REASONS); None: it was not
    decision: str | None = None       # a volunteer's decision on it held: released, rejected
    decided_at: str | None = None     # UTC: when they decided


@dataclass(frozen=True)
class Scope:
    """Which signatures a count, export or purge covers. Days are the stall's: ``since`` and
    ``until`` are included, ``before`` is not (``purge --before``). Any date is fine, the
    calendar's first and last days included."""

    event: str | None = None
    kiosk_id: str | None = None
    case_id: str | None = None
    kind: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    before: dt.date | None = None

    def where(self) -> tuple[str, list[object]]:
        terms: list[str] = []
        params: list[object] = []
        for term, value in (("s.event = ?", self.event), ("s.kiosk_id = ?", self.kiosk_id),
                            ("s.case_id = ?", self.case_id), ("s.kind = ?", self.kind)):
            if value is not None:
                terms.append(term)
                params.append(value)
        if self.since is not None:
            terms.append("s.local_time >= ?")
            params.append(self.since.isoformat())
        if self.until is not None and self.until < dt.date.max:  # the calendar's last day: no day after it
            terms.append("s.local_time < ?")
            params.append((self.until + dt.timedelta(days=1)).isoformat())
        if self.before is not None:
            terms.append("s.local_time < ?")
            params.append(self.before.isoformat())
        return (" WHERE " + " AND ".join(terms) if terms else ""), params

    @classmethod
    def day(cls, day: dt.date, *, event: str | None = None, kiosk_id: str | None = None) -> Scope:
        return cls(event=event, kiosk_id=kiosk_id, since=day, until=day)


# Whose personal data a purge removes, besides "everyone in the scope" (none named):
PURGE_GROUPS = (
    "declined",            # letters whose writer said no to being contacted
    "contacts_exported",   # letters whose writer said yes, once a contacts export (-o FILE) wrote their address
)


@dataclass(frozen=True)
class PurgeResult:
    signatures: int          # names and messages removed now
    cancelled_jobs: int      # letters that had not printed and now never will
    addresses: int = 0       # email addresses removed now
    cleaned: bool = True     # the file was vacuumed and its journal emptied (False: another program held it)
    notes: int = 0           # organisers' notes on handwritten letters removed now (a purge of everyone's data)


@dataclass(frozen=True)
class PurgePreview:
    signatures: int          # signatures whose names and messages would go
    unprinted: int           # of them, letters not printed yet (they would be cancelled)
    purged_before: int       # in the selection, purged already
    addresses: int = 0       # email addresses that would go
    unexported: int = 0      # of them, addresses no contacts export has written yet
    exports_noted: int = 0   # answers in the whole file a contacts export to a file has written
    traces: bool = False     # the file may still hold what an earlier purge or forget removed
    notes: int = 0           # organisers' notes on handwritten letters that would go (everyone's data only)

    @property
    def nothing(self) -> bool:
        """Nothing to remove: no letter selected holds a name or an address, no entry a note."""
        return not self.signatures and not self.addresses and not self.notes


@dataclass(frozen=True)
class ConsentChoice:
    """A visitor's answer to "Would you like to hear from us?", as they gave it."""

    wording: ConsentText           # exactly what was on screen
    choice: str                    # "yes" or "no"
    email: str | None = None       # with yes: the address; never with no
    age_confirmed: bool = False    # with yes, where the wording asks a minimum age: confirmed
    channel: str = "email"


@dataclass(frozen=True)
class Consent:
    """A recorded answer."""

    id: str
    signature_id: str
    channel: str
    choice: str
    email: str | None
    text_id: str
    language: str
    age_confirmed: bool
    created_at: str
    local_time: str


@dataclass(frozen=True)
class Contacts:
    """The contacts export: one row per address and channel, and every consent it stands for."""

    rows: list[dict[str, Any]]
    consent_ids: list[str]


@dataclass(frozen=True)
class ForgetPreview:
    """What ``forget`` would remove for one address."""

    letters: tuple[str, ...]       # references of the letters given with the address
    addresses: int                 # consents holding the address
    unprinted: int                 # of the letters, not printed yet (they would be cancelled)
    same_name: tuple[str, ...]     # other letters, given without any address, that carry the same name


@dataclass(frozen=True)
class ForgetResult:
    letters: int                   # letters whose name and message were removed
    addresses: int                 # email addresses removed
    cancelled_jobs: int
    cleaned: bool = True           # the file was vacuumed and its journal emptied (False: another program held it)


@dataclass(frozen=True)
class Conflict:
    """A signature, or an answer to being contacted, whose id (or, for an answer, letter and
    channel) is already in the target with other content: the copy already there is kept."""

    id: str
    reference: str      # the reference of the copy kept (for an answer: of its letter here)
    columns: tuple[str, ...]  # what differs


@dataclass(frozen=True)
class MergeResult:
    source: Path
    signatures: int   # in the source
    added: int        # new to the target
    conflicting: int = 0                      # same id as a signature here, other content: the one here kept
    conflicts: tuple[Conflict, ...] = ()      # the first of them (up to 100)
    sharing: int = 0                          # added letters whose reference another letter already has
    shared_references: tuple[str, ...] = ()   # the first of those references (up to 100)
    consents: int = 0                         # answers to "may we contact you" in the source
    consents_added: int = 0                   # of them, new here
    consents_conflicting: int = 0             # of them, here already with other content: the one here kept
    consent_conflicts: tuple[Conflict, ...] = ()  # the first of them (up to 100)
    paper: int = 0                            # handwritten letters' entries and corrections in the source
    paper_added: int = 0                      # of them, new here
    paper_conflicting: int = 0                # of them, here already with other content: the one here kept
    paper_conflicts: tuple[Conflict, ...] = ()  # the first of them (up to 100)

    @property
    def already(self) -> int:
        """The source's signatures that were here already, the same in every column compared."""
        return self.signatures - self.added - self.conflicting


@dataclass(frozen=True)
class AppealRow:
    """One signed appeal, for a delivery list."""

    id: str
    case_id: str
    reference: str
    local_time: str
    name: str | None
    message: str | None
    purged: bool
    print_status: str
    addressee_name: str | None = None     # the addressee the letter was signed and printed for;
    addressee_title: str | None = None    # None for letters made before kiosks kept it
    addressee_address: str | None = None


def utc_iso(moment: dt.datetime) -> str:
    """The stored form of a time: UTC, ISO 8601, microseconds, ``Z``."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utc_now() -> str:
    return utc_iso(dt.datetime.now(dt.UTC))


def stall_iso(moment: dt.datetime) -> str:
    """The stall's wall-clock time with its UTC offset, as stored in ``local_time``."""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.isoformat(timespec="microseconds")
