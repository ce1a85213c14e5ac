"""One kiosk at one stall: what the app and the stall's commands ask of it.

The kiosk app and the commands ``kiosk sign``, ``jobs``, ``jobs retry``, ``printer test``,
``printer tally`` and ``cases list`` call the same methods here, on a Station built by
:func:`open_station` from the resolved settings. So they see the same database, printer,
cases, kiosk id, event and campaign, and follow the same rules.

A station reads its cases folder, printer set-up and database when first needed (``kiosk
jobs`` needs no printer); :meth:`Station.prepare` reads all three at once, as the app does
at start. Methods marked *any thread* open their own database connection and may run in
a worker thread; the others use the connection of the thread that first needed one (the
app's). Printing is serialised: one job at a time reaches the printer.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import locations
from ..cases import Case, CaseSet, read_dir
from ..consent import CONSENT_FILE, ConsentText, ConsentWording, read_consent
from ..emails import typo_hint, validate_email
from ..errors import CaseError, InputError, KioskError, SettingError
from ..i18n import check_language
from ..job_states import HELD, WAITING, JobState, Transition, claim_for
from ..moderation import WordLists, check, read_word_lists
from ..pin import PinGuard
from ..print_limit import DOUBLE_PRESS, PrintLimit
from ..receipts.qr import NARROWEST_PAPER
from ..settings import DEMO_PIN, Settings
from ..signers import fingerprint
from ..store import KINDS, Consent, ConsentChoice, Job, Scope, Signature, Store, stall_iso, utc_iso
from ..text import validate_message, validate_name, validate_place
from .folders import office_cases, read_cases
from .letter_refs import parse_ref
from .paper import PaperDesk
from .records import checked_scope

if TYPE_CHECKING:
    from ..printing.queue import Outcome
    from ..printing.setups import Setup
    from ..reports.summary import Tally
    from .sync import Sync

# The printing code (set-ups, receipts, devices; python-escpos and Pillow behind them) is
# imported by the methods that print or lay out a receipt: a command that only lists jobs
# or cases never loads it, and the app loads it when prepare() reads the printer set-up.


@dataclass(frozen=True)
class Letter:
    """What a visitor asked to print, checked; ``language``: the visitor's (the screens and their
    message were in it): the postcard prints in it, and it is recorded with the letter; ``place``:
    the town or country they gave (an appeal's, where the stall asks), printed under their name."""

    case_id: str
    kind: str
    name: str
    message: str
    language: str = "en"
    place: str = ""


@dataclass(frozen=True)
class Waiting:
    """A print job that needs a volunteer, with what it prints."""

    job: Job
    signature: Signature

    @property
    def state(self) -> str:
        return self.job.status.label

    @property
    def interrupted(self) -> bool:
        """It may be on paper: printed again only after a look."""
        return self.job.status is JobState.PRINTING


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


class Station(PaperDesk):
    def __init__(self, settings: Settings, *, clock: Callable[[], dt.datetime] | None = None,
                 warn: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self.clock = clock or _now
        self._warn = warn
        self._print_lock = threading.Lock()
        self._load_lock = threading.RLock()  # the set-up and cases are read once, whichever thread asks first
        self._setup: Setup | None = None
        self._case_set: CaseSet | None = None
        self._samples: dict[str, Case] = {}
        self._consent: ConsentWording | None = None
        self._word_lists: WordLists | None = None  # the organiser's moderation.toml, read with the cases
        self.problems: list[str] = []  # what the last reading of the cases folder skipped, and why
        self._store: Store | None = None

    def prepare(self) -> Station:
        """Read the printer set-up, the cases and the database (made if it is new) now:
        every reason the kiosk cannot start is raised here, as one KioskError naming its
        source. Letters are recorded only into a database that exists: one that vanishes
        while the kiosk runs is reported, never silently started again at #0001."""
        _ = self.setup, self.case_set
        if self.setup.is_preview:  # a preview folder that cannot be made is said before any letter is recorded
            from ..printing.devices import check

            check(self.setup)
        self._db(create=True)
        return self

    def warm_up(self) -> None:
        """*Any thread.* Load the printing code and render a letter of an offered case once,
        sending nothing (:mod:`kiosk.printing.warm`), and build the word lists' matchers of each
        language (the stall's first): the app calls it once its first frame is up, so that a
        fresh kiosk's first letter reaches the printer as fast as the next."""
        from ..i18n import LANGUAGES
        from ..printing.warm import warm

        for code in dict.fromkeys((self.settings.language, *LANGUAGES)):  # the word lists' matchers, built once
            self.hold_reason("Ada Lovelace", "You are not alone.", code)
        cases = sorted(self.case_set.cases.values(), key=lambda c: c.id)
        if cases:  # last: the matchers' hundreds of patterns would push the printing's out of re's cache
            warm(self.setup, cases[0], self.settings.campaign, self.privacy_url)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # -- what the station is made of ----------------------------------------------

    @property
    def setup(self) -> Setup:
        """The printer set-up the settings name (the preview printer when none)."""
        from ..printing.setups import parse_spec, preview_setup

        with self._load_lock:
            if self._setup is None:
                if not self.settings.printer:
                    self._setup = preview_setup(self.settings.preview)
                else:
                    try:
                        self._setup = parse_spec(self.settings.printer, self.settings.printers)
                    except KioskError as exc:
                        raise self.settings.locate(exc, "printer") from None
            return self._setup

    @property
    def case_set(self) -> CaseSet:
        """The cases this kiosk can offer; CaseError when the folder has none."""
        with self._load_lock:
            if self._case_set is None:
                if not self.settings.cases.is_dir() and self._published_cases() is None:
                    problem = f"no such folder: {self.settings.cases.absolute()}"
                    raise self.settings.locate(SettingError(problem), "cases")
                for error in self.reload_cases():
                    if self._warn:
                        self._warn(f"skipped: {error}")
            assert self._case_set is not None
            if not self._case_set.cases:
                raise self._no_cases()
            return self._case_set

    def _no_cases(self) -> KioskError:
        folder = str(self.settings.cases)
        if self._samples:
            return CaseError(
                "only sample cases here (about people who do not exist); point `cases` at your campaign's case files,"
                " or set allow_sample_cases = true to try the kiosk with them", source=folder)
        return CaseError("no usable case files", source=folder)

    def _db(self, *, create: bool) -> Store:
        """This thread's connection (the thread that first needed one)."""
        if self._store is None:
            self._store = Store(self.settings.database, create=create)
        return self._store

    def _connect(self, *, create: bool = False) -> Store:
        """*Any thread.* A connection of its own, to close after use."""
        return Store(self.settings.database, create=create)

    # -- cases ---------------------------------------------------------------------

    def reload_cases(self) -> list[str]:
        """Read the cases folder again; returns its problems (bad files are skipped).
        Sample cases are left out too unless the settings allow them. The consent wording
        (``consent.toml``) is read again with them: a broken or sample one asks nobody; and so
        are the organiser's words for moderation (``moderation.toml``, :mod:`kiosk.moderation`)."""
        published = self._published_cases()
        fresh = published if published is not None else read_cases(self.settings.cases, self._paper_dots(),
                                                                   locations.case_cache_dir())
        problems = [str(e) for e in fresh.errors]
        samples = {}
        if not self.settings.allow_sample_cases:
            samples = {cid: case for cid, case in fresh.cases.items() if case.sample}
            for cid in samples:
                del fresh.cases[cid]
            if samples and fresh.cases:
                problems.append(f"{self.settings.cases}: {len(samples)} sample case(s) left out"
                                f" ({', '.join(sorted(samples))}): allow_sample_cases is off")
        if fresh.cases:  # a folder of samples alone is refused as a whole (_no_cases): its wording is no news
            problems += self._reload_consent()
        problems += self._reload_word_lists()
        self.problems = problems  # the last reading's, for the organiser screen
        if fresh.cases or self._case_set is None or not self._case_set.cases:
            self._case_set, self._samples = fresh, samples
            if not fresh.cases:
                self._consent = None
        return problems

    def _published_cases(self) -> CaseSet | None:
        """The office's case set, where this kiosk syncs and has one that reads whole (it replaces
        the cases folder's cases; the consent wording stays the folder's); else None."""
        if not self.settings.sync_url:
            return None
        folder = self.sync().cases_folder
        if not folder.is_dir():
            return None
        found = self._read_office_cases(folder)
        return found if found.cases and not found.errors else None

    def _read_office_cases(self, folder: Path) -> CaseSet:
        """An office's case set as this stall reads it: the checks of its own case files (for its
        printer's paper), and its sample policy: with allow_sample_cases off a sample case is no
        case here, so a set of samples alone offers nothing, is refused by a sync (the kiosk keeps
        its cases) and is never preferred to the cases folder."""
        return office_cases(folder, self.settings.allow_sample_cases, self._paper_dots(),
                            locations.case_cache_dir())

    @property
    def cases_source(self) -> Path:
        """The folder the cases on offer were read from: the office's set, or the cases folder."""
        published = self.sync().cases_folder
        if self._case_set is not None and any(c.path is not None and c.path.parent == published
                                              for c in self._case_set.cases.values()):
            return published
        return self.settings.cases

    def sync(self) -> Sync:
        """Sync with the national office (:mod:`kiosk.application.sync`), checking the office's case
        sets as this station checks its own case files (for its printer's paper, with its sample
        policy: :meth:`_read_office_cases`)."""
        from .sync import Sync

        return Sync(self.settings, self._read_office_cases)

    def _reload_consent(self) -> list[str]:
        wording, errors = read_consent(self.settings.cases)
        if wording is None:
            problems = [f"{e} (visitors are not asked whether we may contact them)" for e in errors]
        else:  # a language left out: its visitors are shown the English (or first) wording
            problems = [f"{e} (this language left out: its visitors see {wording.for_language('').language})"
                        for e in errors]
        if wording is not None and wording.sample and not self.settings.allow_sample_cases:
            problems.append(f"{wording.path}: a sample wording (a made-up organisation): visitors are not asked"
                            " whether we may contact them; allow_sample_cases is off")
            wording = None
        with self._load_lock:
            self._consent = wording
        return problems

    def _reload_word_lists(self) -> list[str]:
        lists, errors = read_word_lists(self.settings.cases)
        with self._load_lock:
            self._word_lists = lists
        return [str(e) for e in errors]

    @property
    def word_lists(self) -> WordLists:
        """The organiser's words for moderation (``moderation.toml`` in the cases folder), as last read
        with the cases (:meth:`reload_cases`)."""
        with self._load_lock:
            if self._word_lists is None:
                self._reload_word_lists()
            assert self._word_lists is not None
            return self._word_lists

    def _paper_dots(self) -> int:
        """The printer's paper width, for checking what cases print; the narrowest roll
        when the printer set-up cannot be read (that problem is told where it is used)."""
        try:
            return self.setup.paper.dots
        except KioskError:
            return NARROWEST_PAPER

    def today(self) -> dt.date:
        return self.clock().date()

    def all_cases(self) -> list[Case]:
        return sorted(self.case_set.cases.values(), key=lambda c: c.title.casefold())

    def _disabled(self) -> set[str]:
        if self._store is None and not self.settings.database.exists():
            return set()  # a kiosk that never wrote a letter switched nothing off
        return self._db(create=False).disabled_cases()

    def offered(self) -> list[Case]:
        """The cases visitors can pick: open, and not switched off on this kiosk."""
        disabled = self._disabled()
        return [c for c in self.case_set.offered(self.today()) if c.id not in disabled]

    def is_enabled(self, case_id: str) -> bool:
        return case_id not in self._disabled()

    def set_enabled(self, case_id: str, enabled: bool) -> None:
        self._db(create=False).set_case_enabled(case_id, enabled)

    def case(self, case_id: str) -> Case | None:
        """A case visitors may write for (closed or switched off, perhaps); None if there is none."""
        return self.case_set.cases.get(case_id)

    def _printable(self, case_id: str) -> Case | None:
        """The case of a letter already recorded: a sample case too (it was allowed then)."""
        return self.case_set.cases.get(case_id) or self._samples.get(case_id)

    def offered_case(self, case_id: str) -> Case:
        """The case ``case_id`` if visitors can write for it now; InputError saying why not."""
        case = self.case(case_id)
        if case is None:
            if case_id in self._samples:
                raise InputError(f"{case_id!r} is a sample case (about a person who does not exist);"
                                 " allow_sample_cases is off", field="case", reason="sample")
            known = ", ".join(sorted(self.case_set.cases))
            raise InputError(f"unknown case {case_id!r} (known: {known})", field="case", reason="unknown")
        if not case.is_open(self.today()):
            raise InputError(f"case {case_id!r} closed on {case.deadline}", field="case", reason="closed")
        if case_id in self._disabled():
            raise InputError(f"case {case_id!r} is switched off on this kiosk", field="case", reason="off")
        return case

    # -- counts --------------------------------------------------------------------

    def today_scope(self) -> Scope:
        """This kiosk's letters today (the stall's day): the home counter, the organiser's
        chart and the tally slip all count exactly these."""
        return Scope.day(self.today(), kiosk_id=self.settings.kiosk_id)

    def count_today(self) -> int:
        """This kiosk's letters today, typed and handwritten (the tally slip's total)."""
        return self._db(create=False).figures(self.today_scope())["count"]

    def figures_today(self) -> dict[str, int]:
        """This kiosk's four figures today (count, paper, duplicates, signers: kiosk.store.COUNT_COLUMNS)."""
        return self._db(create=False).figures(self.today_scope())

    def counts_today(self) -> dict[str, int]:
        return {row["case_id"]: row["count"] for row in self._db(create=False).counts("case", self.today_scope())}

    # -- the visitor's letter --------------------------------------------------------

    def next_number(self) -> int:
        """The number the next letter on this kiosk will most likely get."""
        return self._db(create=False).next_number(self.settings.kiosk_id)

    def preview(self, case: Case, kind: str, name: str, message: str, number: int = 0, *,
                language: str | None = None, place: str = "") -> str:
        """The receipt as it will print, as text, for what the visitor reading ``language`` (the
        stall's when not given) has typed so far: an appeal in the case's letter language, a
        postcard in the visitor's."""
        from ..i18n import language as language_of
        from ..receipts import layouts
        from ..receipts.plain import render_text

        visitor = self._language(language)
        now = self.clock()
        sig = Signature(
            id="", number=number, case_id=case.id, kind=kind,
            name=name.strip() or language_of(visitor)._("Your name"), message=message,
            created_at=utc_iso(now), event=self.settings.event, kiosk_id=self.settings.kiosk_id,
            local_time=stall_iso(now), language=visitor, letter_language=case.letter_language_for(kind, visitor),
            place=place.strip() or None,
        )
        return render_text(layouts.for_signature(case, sig, self.settings.campaign, self.privacy_url),
                           self.setup.paper)

    @staticmethod
    def check_form(name: str, message: str) -> tuple[str, str]:
        """The cleaned name and message, or InputError naming the field."""
        return validate_name(name), validate_message(message)

    @staticmethod
    def check_place(place: str) -> str:
        """The cleaned town or country ("" when none), or InputError naming ``place``."""
        return validate_place(place)

    def _language(self, code: str | None) -> str:
        """A visitor's language: ``code`` if it is one of the kiosk's (InputError naming ``language``
        if not), the stall's when None."""
        if code is None:
            return self.settings.language
        try:
            return check_language(code)
        except ValueError as exc:
            raise InputError(str(exc), field="language") from None

    def letter(self, case_id: str, kind: str, name: str, message: str, *, language: str | None = None) -> Letter:
        """A letter checked in full before anything is recorded: its kind, name and message,
        its case on offer, the visitor's language (the stall's when not given) and the printer
        set-up. InputError (or the setting's error) if not."""
        if kind not in KINDS:
            raise InputError(f"{kind!r} is not one of {', '.join(KINDS)}", field="kind")
        name, message = self.check_form(name, message)
        visitor = self._language(language)
        self.offered_case(case_id)
        _ = self.setup
        return Letter(case_id, kind, name, message, visitor)

    def record(self, case_id: str, kind: str, name: str, message: str,
               consent: ConsentChoice | None = None, *, language: str | None = None, place: str = "") -> Signature:
        """*Any thread.* Commit the signature and its pending print job (and ``consent``, the
        visitor's answer to being contacted, in the same commit). ``language``: the visitor's
        (the stall's when not given), recorded with the letter with the language it prints in
        (an appeal in the case's letter language, a postcard in the visitor's). ``place``: the town or
        country an appeal's writer gave (a postcard keeps none)."""
        name, message = self.check_form(name, message)
        place = self.check_place(place) if kind == "appeal" else ""
        visitor = self._language(language)
        case = self.case(case_id)
        if case is None:
            raise InputError(f"unknown case {case_id!r}", field="case", reason="unknown")
        email = consent.email if consent is not None and consent.choice == "yes" else None
        with self._connect() as store:
            return store.record(case=case, kind=kind, name=name, message=message, event=self.settings.event,
                                kiosk_id=self.settings.kiosk_id, at=self.clock(), consent=consent,
                                language=visitor, signer=fingerprint(self.settings.signer_key, name, email),
                                hold=self.hold_reason(name, message, visitor, place), limit=self.print_limit,
                                double_press=DOUBLE_PRESS, place=place or None)

    @property
    def print_limit(self) -> PrintLimit:
        return PrintLimit(burst=self.settings.print_burst, rate=self.settings.print_rate)

    def hold_reason(self, name: str, message: str, language: str, place: str | None = None) -> str | None:
        """Why a letter with this name and message must wait for a volunteer before it prints
        (``words``: a word of the stall's lists, :mod:`kiosk.moderation`); None: it may print.
        Lists that cannot be searched hold it too: a volunteer reads it, and nothing is lost."""
        try:
            return "words" if self.flagged(name, message, language, place) else None
        except Exception:  # noqa: BLE001 - a fault of the lists must never lose the letter, nor print it unread
            return "words"

    def flagged(self, name: str, message: str, language: str, place: str | None = None) -> list[str]:
        """The words of the stall's lists found in a letter's name, place (checked as a name is) and
        message, for a visitor reading ``language``: what made it held (for the volunteer who decides);
        empty: none."""
        return check(f"{name} {place}" if place else name, message, language, self.word_lists)

    def print_signature(self, sig: Signature, *, interrupted: bool = False) -> Outcome:
        """*Any thread.* Print a recorded signature's job; the job records the outcome.
        An interrupted job (maybe on paper) is printed only when ``interrupted`` says so."""
        from ..printing.queue import print_signature

        with self._print_lock, self._connect() as store:
            return print_signature(store, sig, self._printable(sig.case_id), self.setup, self.settings.campaign,
                                   move=claim_for(interrupted), privacy_url=self.privacy_url)

    # -- consent to be contacted -------------------------------------------------------

    def consent_status(self) -> str:
        """Whom the kiosk asks whether we may contact them, in a line for the organiser."""
        wording = self.consent_wording()
        if wording is None:
            return f"Nobody is asked whether we may contact them: {self._why_nobody_is_asked()}."
        text = next(iter(wording.texts.values()))
        age = f", minimum age {text.minimum_age}" if text.minimum_age is not None else ""
        return (f"Visitors are asked whether we may contact them: {text.controller}, version {text.version},"
                f" in {', '.join(wording.texts)}{age}.")

    def consent_wording(self) -> ConsentWording | None:
        """The organisation's consent wording (``consent.toml`` in the cases folder); None when
        there is none (or it is broken, or a sample where samples are off): nobody is asked."""
        _ = self.case_set
        return self._consent

    def consent_text(self, language: str = "en") -> ConsentText | None:
        """The wording a visitor reading ``language`` is shown (English, else the file's first, when
        it has none in theirs); None when nobody is asked."""
        wording = self.consent_wording()
        return wording.for_language(language) if wording is not None else None

    @property
    def privacy_url(self) -> str | None:
        """The full privacy notice's address: shown as a QR code, and printed on every receipt."""
        wording = self.consent_wording()
        return wording.privacy_url if wording is not None else None

    @staticmethod
    def check_email(address: str) -> str:
        """The address as it is kept (normalised); InputError naming ``email`` if it is not one."""
        return validate_email(address)

    @staticmethod
    def email_hint(address: str) -> str | None:
        """The address with the common domain the visitor probably meant (``gmial.com``), or None."""
        return typo_hint(address)

    def answer(self, choice: str, email: str | None = None, *, age_confirmed: bool = False,
               shown: ConsentText | None = None, language: str = "en") -> ConsentChoice:
        """A visitor's answer to the wording they were ``shown`` (the screen keeps it: a reload of
        the cases meanwhile never records other words than theirs), or to this stall's wording in
        ``language``. InputError when nobody is asked here or the answer breaks a rule (a bad
        address, an age not confirmed ...)."""
        from ..store.rows import consent_choice

        text = shown or self.consent_text(language)
        if text is None:
            raise InputError(self._why_nobody_is_asked(), field="consent", reason="unknown")
        return consent_choice(ConsentChoice(text, choice, email, age_confirmed))

    def _why_nobody_is_asked(self) -> str:
        path = self.settings.cases / CONSENT_FILE
        wording, errors = read_consent(self.settings.cases)
        if wording is not None and wording.sample and not self.settings.allow_sample_cases:
            return f"{path} is a sample wording (a made-up organisation) and allow_sample_cases is off"
        if wording is None and errors:
            return f"{path} has {len(errors)} problem(s): see kiosk cases check"
        return f"no consent wording: put {path} in the cases folder (docs/consent.md)"

    def record_consent(self, signature_id: str, answer: ConsentChoice) -> Consent:
        """*Any thread.* Commit a visitor's answer for their recorded letter (asked once)."""
        with self._connect() as store:
            signer = None
            if answer.choice == "yes" and answer.email and self.settings.signer_key:
                sig = store.signature(signature_id)
                signer = fingerprint(self.settings.signer_key, sig.name, answer.email) if sig is not None else None
            return store.record_consent(signature_id, answer, at=self.clock(), signer=signer)

    # -- print jobs ------------------------------------------------------------------

    def waiting(self, *, only_reading: bool = False) -> list[Waiting]:
        """Jobs that are pending, failed or interrupted, oldest first. ``only_reading``: the
        database is opened read-only (a listing from a write-protected stick works too)."""
        return self._listed(WAITING, only_reading)

    def held(self, *, only_reading: bool = False) -> list[Waiting]:
        """Letters held for a volunteer, oldest first: words of the stall's lists in them, or over
        the print limit (``job.held_reason`` says which). Nothing prints them until :meth:`release`."""
        return self._listed(HELD, only_reading)

    def _listed(self, states: tuple[JobState, ...], only_reading: bool) -> list[Waiting]:
        if only_reading:
            with Store(self.settings.database, create=False, readonly=True) as reader:
                return self._jobs_in(reader, states)
        return self._jobs_in(self._db(create=False), states)

    @staticmethod
    def _jobs_in(store: Store, states: tuple[JobState, ...]) -> list[Waiting]:
        out = []
        for job in store.jobs(states):
            sig = store.signature(job.signature_id)
            if sig is not None:
                out.append(Waiting(job, sig))
        return out

    def letter_for(self, ref: str) -> Waiting:
        """*Any thread.* The letter, with its print job, that an organiser's ``ref`` names (the job
        number ``kiosk jobs`` lists, the printed reference, ``kiosk/#42``, ``#42`` or the letter's
        id: :mod:`kiosk.application.letter_refs`); InputError naming ``letter`` when it names
        none, or more than one."""
        wanted = parse_ref(ref)
        with self._connect() as store:
            if wanted.job_id is not None:
                job = store.job(wanted.job_id)
                jobs = [job] if job is not None else []
            elif wanted.signature_id is not None:
                job = store.job_for(wanted.signature_id)
                jobs = [job] if job is not None else []
            else:
                assert wanted.number is not None
                jobs = store.jobs_numbered(wanted.number, kiosk_id=wanted.kiosk_id, event=wanted.event)
            found = [Waiting(job, sig) for job in jobs if (sig := store.signature(job.signature_id)) is not None]
        if not found:
            raise InputError(f"no letter {wanted.shown!r} in {self.settings.database}", field="letter")
        if len(found) > 1:
            refs = ", ".join(item.signature.reference for item in found[:5]) + (", ..." if len(found) > 5 else "")
            raise InputError(f"{wanted.shown!r} names {len(found)} letters ({refs}): give the kiosk too, as"
                             " kiosk/#42, or the job number `kiosk jobs` lists", field="letter")
        return found[0]

    def release(self, signature_id: str) -> Outcome:
        """*Any thread.* A volunteer read a held letter and said Print: the decision is recorded with
        its time (the letter waits like any other from then on), then it is printed as
        :meth:`print_signature` prints. InputError naming the letter if it is not held."""
        sig = self._decide(signature_id, Transition.RELEASE)
        return self.print_signature(sig)

    def reject(self, signature_id: str) -> bool:
        """*Any thread.* A volunteer read a held letter and said Do not print: the decision is recorded
        with its time, and nothing ever prints it (it still counts as written). True once done;
        InputError naming the letter if it is not held."""
        self._decide(signature_id, Transition.REJECT)
        return True

    def _decide(self, signature_id: str, move: Transition) -> Signature:
        with self._connect() as store:
            sig = store.signature(signature_id)
            job = store.job_for(signature_id) if sig is not None else None
            if sig is None or job is None:
                raise InputError(f"no letter {signature_id!r} with a print job here", field="letter")
            if job.status is not JobState.HELD or not store.decide(signature_id, move):
                current = store.job_for(signature_id)
                state = current.status.label if current is not None else "gone"
                raise InputError(f"Ref. {sig.reference} is not held (its print job is {state}): nothing to decide",
                                 field="letter")
        return sig

    def retry_each(self, *, interrupted: bool = False) -> Iterator[tuple[Waiting, Outcome]]:
        """*Any thread.* Print every waiting job, oldest first, yielding each as it finishes.
        Interrupted jobs (maybe on paper) only when ``interrupted`` says so."""
        from ..printing.queue import retry_jobs

        cases = {**self._samples, **self.case_set.cases}
        setup = self.setup
        with self._connect() as store:
            for job, sig, outcome in retry_jobs(store, cases, setup, self.settings.campaign, interrupted=interrupted,
                                                lock=self._print_lock, privacy_url=self.privacy_url):
                yield Waiting(job, sig), outcome

    def retry(self, *, interrupted: bool = False) -> tuple[int, list[str]]:
        """*Any thread.* Print every waiting job; returns (printed, errors)."""
        printed, errors = 0, []
        for item, outcome in self.retry_each(interrupted=interrupted):
            if outcome.printed:
                printed += 1
            elif not outcome.skipped:  # another run printing it is no error of this one
                errors.append(f"Ref. {item.signature.reference}: {outcome.error}")
        return printed, errors

    def retry_failed(self, *, stop: Callable[[], bool] = lambda: False) -> tuple[int, list[str]]:
        """*Any thread.* Print the failed jobs again, oldest first, each under the print lock (the
        printer answers again); ``stop`` is asked before each. Only failed ones: no byte of them
        left. Never a pending one (a visitor's letter on its way to the printer belongs to its own
        worker), an interrupted one (it may be on paper: a person looks first), or a held one (a
        volunteer decides). A job claimed meanwhile by another run is left to it. Returns
        (printed, errors)."""
        from ..printing.queue import print_signature

        printed, errors = 0, []
        with self._connect() as store:
            for job in store.jobs((JobState.FAILED,)):
                if stop():
                    break
                sig = store.signature(job.signature_id)
                if sig is None:
                    continue
                with self._print_lock:
                    outcome = print_signature(store, sig, self._printable(sig.case_id), self.setup,
                                              self.settings.campaign, move=Transition.CLAIM,
                                              privacy_url=self.privacy_url)
                if outcome.printed:
                    printed += 1
                elif not outcome.skipped:
                    errors.append(f"Ref. {sig.reference}: {outcome.error}")
        return printed, errors

    # -- the printer -----------------------------------------------------------------

    def printer_status(self) -> str:
        """*Any thread.* The printer's state in a few words; raises PrintError."""
        from ..printing.devices import check

        with self._print_lock:
            return check(self.setup)

    def printer_problem(self) -> str | None:
        """*Any thread.* What is wrong with the printer, in a line, or None when it answers (checked
        under the print lock: never while a letter prints). The kiosk's own watch, not the organiser's
        Check printer (:meth:`printer_status`)."""
        from ..printing.devices import check

        try:
            with self._print_lock:
                check(self.setup)
        except KioskError as exc:
            return str(exc)
        return None

    def test_print(self) -> Path | None:
        """*Any thread.* Print the test receipt, in the stall's language; raises PrintError."""
        from ..i18n import language
        from ..printing.queue import deliver
        from ..receipts import layouts

        receipt = layouts.printer_test(self.setup.describe(), self.setup.paper.columns, when=self.clock(),
                                       lang=language(self.settings.language))
        with self._print_lock:
            return deliver(receipt, self.setup)

    def print_tally(self, day: dt.date | None = None, *, event: str | None = None,
                    kiosk_id: str | None = None) -> tuple[Tally, Path | None]:
        """*Any thread.* Print a day's tally slip (default today, all kiosks in the database):
        letters per case and per hour. An event or kiosk the database never saw is an
        InputError. Returns the tally and the preview file; raises PrintError."""
        with self._connect() as store:
            checked_scope(store, event=event, kiosk_id=kiosk_id)
        return self._print_tally(day or self.today(), event=event, kiosk_id=kiosk_id)

    def print_todays_tally(self) -> tuple[Tally, Path | None]:
        """*Any thread.* This kiosk's tally slip for today: the letters the home screen counts."""
        return self._print_tally(self.today(), event=None, kiosk_id=self.settings.kiosk_id)

    def _print_tally(self, day: dt.date, *, event: str | None, kiosk_id: str | None) -> tuple[Tally, Path | None]:
        """The tally slip, in the stall's language."""
        from ..i18n import language
        from ..printing.queue import deliver
        from ..reports.slip import tally_receipt
        from ..reports.summary import tally

        setup = self.setup
        with self._connect() as store:
            slip = tally(store, day, event=event, kiosk_id=kiosk_id, case_files=self._case_files(),
                         now=self.clock())
        with self._print_lock:
            return slip, deliver(tally_receipt(slip, setup.paper.columns, language(self.settings.language)), setup)

    def _case_files(self) -> dict[str, Case]:
        """Cases to fill in what older databases lack; none is fine."""
        if self._case_set is not None:
            return {**self._samples, **self._case_set.cases}
        return read_dir(self.settings.cases).cases if self.settings.cases.is_dir() else {}

    # -- the organiser ---------------------------------------------------------------

    def pin_guard(self, clock: Callable[[], float]) -> PinGuard:
        """The organiser PIN check, throttled on ``clock``; SettingError when no PIN is set."""
        if not self.settings.pin_hash:
            path = self.settings.path
            raise SettingError(f"no organiser PIN set; set one first with: kiosk set-pin --config"
                               f" {path or locations.config_file()}", source=str(path) if path else None)
        return PinGuard(self.settings.pin_hash, clock=clock)

    @property
    def demo_pin(self) -> str | None:
        """The PIN to show on screen: the demo's, which is public; None at a real stall."""
        return DEMO_PIN if self.settings.demo else None

    @property
    def preview_folder(self) -> Path | None:
        """Where receipts go when the preview printer is used."""
        return Path(self.setup.options["dir"]) if self.setup.is_preview else None


def open_station(settings: Settings, *, clock: Callable[[], dt.datetime] | None = None,
                 warn: Callable[[str], None] | None = None) -> Station:
    """The one way a station is built: from resolved settings. ``clock`` is the stall's
    clock (now), ``warn`` hears each case file skipped."""
    return Station(settings, clock=clock, warn=warn)
