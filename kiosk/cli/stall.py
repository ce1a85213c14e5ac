"""Commands for the stall: sign, run the app, print jobs, printers and cases.

Each opens the stall's :class:`~kiosk.application.Station` from the same settings as
``kiosk run`` (``--config``, the flags, ``KIOSK_*``), calls it, and prints what it says.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..application import InputError, KioskError, PrintError, SettingError, Settings
from ..i18n import LANGUAGES
from .base import (
    EXIT_FAILED,
    EXIT_MAYBE_PRINTED,
    EXIT_NOT_PRINTED,
    EXIT_OK,
    cli,
    echo,
    log_error,
    outcome,
    warn,
)
from .groups import printer
from .options import TEXT, settings, settings_file, settings_options

if TYPE_CHECKING:
    from ..application import ConsentChoice, Station, Waiting

SHOWN_MAX = 200  # characters of a merged case id or error shown in a listing


def short(text: str, limit: int = SHOWN_MAX) -> str:
    """A value from a database, cut for a listing (a merged file may hold anything)."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def stall() -> Station:
    """The station of the command being run, from its settings."""
    from ..application import open_station

    return open_station(settings(), warn=warn)


Snapshot = dict[int, tuple[int, bool]]  # job id -> (attempts, interrupted), for the jobs waiting


def _snapshot(station: Station) -> Snapshot | None:
    """The waiting jobs as the database has them now; None when it cannot say."""
    try:
        return {item.job.id: (item.job.attempts, item.interrupted) for item in station.waiting()}
    except Exception:  # noqa: BLE001 - a database that cannot say: the caller assumes the worst
        return None


def _left_mid_print(before: Snapshot, after: Snapshot | None) -> bool:
    """Whether a fault may have stopped a job after it was claimed (its bytes may have left):
    a job tried since ``before`` (one attempt more) that is still marked printing. True when
    the database cannot say."""
    if after is None:
        return True
    return any(torn and attempts > before.get(job_id, (0, False))[0] for job_id, (attempts, torn) in after.items())


@contextmanager
def _interrupt_deferred() -> Iterator[list[int]]:
    """Hold Ctrl+C (SIGINT) until the block is done; the list it gives says whether it came.
    Recording a letter is then whole: a Ctrl+C between the commit and the answer cannot
    make a recorded letter look unrecorded."""
    came: list[int] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda signum, _frame: came.append(signum))
    except ValueError:  # not the main thread: nothing to hold
        yield came
        return
    try:
        yield came
    finally:
        signal.signal(signal.SIGINT, previous)


def _waits_untried(station: Station, signature_id: str) -> bool:
    """Whether the signature's print job is waiting and no attempt of it can be on paper
    (pending or failed, not printing); False when the database cannot say."""
    try:
        return any(item.signature.id == signature_id and not item.interrupted for item in station.waiting())
    except Exception:  # noqa: BLE001 - a database that cannot say: assume the worst
        return False


def _reason(exc: BaseException) -> str:
    """A fault as one line: a KioskError's own text; anything else by its type, logged."""
    if isinstance(exc, KioskError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}{log_error()}"


# -- signing ------------------------------------------------------------------------------


def _check_consent_options(consent: str | None, email: str | None, confirm_age: bool) -> None:
    """The answer's options, as a combination: InputError naming the option (nothing is recorded)."""
    if consent == "email" and email is None:
        raise InputError("missing: --consent email needs the visitor's address", field="email", reason="empty")
    if consent == "none" and email is not None:
        raise InputError("not with --consent none: an address is kept only when the visitor says yes"
                         " (--consent email)", field="email")
    if consent is None and email is not None:
        raise InputError("needs --consent email (the visitor said yes to hearing from us)", field="email")
    if consent == "none" and confirm_age:
        raise InputError("not with --consent none: the age is confirmed only before giving an address",
                         field="confirm_age")
    if consent is None and confirm_age:
        raise InputError("needs --consent email", field="confirm_age")


def _answer(station: Station, consent: str | None, email: str | None, confirm_age: bool,
            language: str) -> ConsentChoice | None:
    """The visitor's checked answer with the stall's current wording in their ``language``; None
    when not asked (no --consent)."""
    if consent is None:
        return None
    try:
        answer = station.answer("yes" if consent == "email" else "no", email, age_confirmed=confirm_age,
                                language=language)
    except InputError as exc:
        if exc.field == "age":  # the rule's field; on the command line it is this flag
            raise exc.at("--confirm-age") from None
        raise
    if confirm_age and answer.wording.minimum_age is None:  # never silently ignored
        raise InputError("this stall's consent wording asks no minimum age: leave --confirm-age out",
                         field="confirm_age")
    return answer


def _contact(answer: ConsentChoice | None) -> str:
    """What ``Recorded`` says of the visitor's answer."""
    if answer is None:
        return ""
    if answer.choice == "no":
        return "; contact: no"
    return f"; contact: yes ({answer.email})"


@cli.command()
@click.option("--case", "case_id", type=TEXT, required=True, help="Case id (the case file's name without .toml).")
@click.option("--name", type=TEXT, required=True, help="The visitor's name, as printed.")
@click.option("--message", type=TEXT, default="", help="The visitor's own words (optional).")
@click.option("--kind", type=click.Choice(["appeal", "postcard"]), required=True, help="Signed appeal or QR postcard.")
@click.option("--consent", type=click.Choice(["email", "none"]), default=None,
              help="The visitor's answer to \"Would you like to hear from us?\" (the wording in consent.toml in the"
                   " cases folder): email = yes, by email (give --email); none = no, thanks. Without it, no answer"
                   " is recorded.")
@click.option("--email", type=TEXT, default=None, metavar="ADDRESS",
              help="The visitor's email address, with --consent email. A likely slip in a common domain"
                   " (gmial.com) is recorded as given, with a note.")
@click.option("--confirm-age", is_flag=True,
              help="The visitor confirmed the minimum age the wording asks (with --consent email; only where it"
                   " asks one).")
@settings_options("event", "kiosk_id", "campaign", "cases", "allow_sample_cases", "printer", "printers", "preview",
                  "database", "language")
@outcome
def sign(case_id: str, name: str, message: str, kind: str, consent: str | None, email: str | None,
         confirm_age: bool) -> int:
    """Record a signature, then print it.

    With --consent, the visitor's answer to being contacted is recorded with the letter, in
    the same commit, with the wording they were shown: --consent email --email ADDRESS
    (and --confirm-age where the wording asks a minimum age) for yes, --consent none for no.

    --lang is the visitor's language (default: the stall's): a postcard prints in it, an
    appeal in the language the case's authority reads; it is recorded with the letter, and
    the consent wording is the one in it.

    \b
    Exit codes:
      0  recorded and printed
      1  nothing recorded (bad input or an unusable file; one line says which)
      2  wrong usage, nothing recorded
      3  recorded, not printed: no byte reached the printer; the print job waits
         for `kiosk jobs retry` (or, held for a volunteer, for `kiosk jobs release`)
      4  recorded; part or all of the letter may be on paper, or how printing
         ended is unknown: look, then `kiosk jobs`
    Once "Recorded" is written, the exit code is never 1.

    A letter with a word of the stall's lists in it, or over the print limit, is recorded
    and held: it prints only once a volunteer releases it (`kiosk jobs release`). The same
    letter again within 10 seconds is a double press: nothing new is recorded or printed
    ("Already recorded"), exit 0.
    """
    _check_consent_options(consent, email, confirm_age)
    station = stall()
    try:
        letter = station.letter(case_id, kind, name, message)  # every check first: nothing recorded on bad input
        answer = _answer(station, consent, email, confirm_age, letter.language)
        hint = station.email_hint(answer.email) if answer is not None and answer.email else None
        station.prepare()  # a new stall's database is made here
        with _interrupt_deferred() as interrupted:  # Ctrl+C mid-commit: recorded or not, never "maybe"
            sig = station.record(letter.case_id, letter.kind, letter.name, letter.message, consent=answer,
                                 language=letter.language)
    except BaseException:
        with suppress(Exception):
            station.close()
        raise
    if sig.repeat:  # a double press: the letter recorded a moment ago, which prints (or waits) once
        with suppress(Exception):
            station.close()
        echo(f"Already recorded: Ref. {sig.reference}  id {sig.id} (the same letter within seconds is one"
             " letter: nothing new recorded or printed)"
             + (f"; it is held for a volunteer ({_held_why(sig.held)})" if sig.held else ""))
        return EXIT_OK
    # Recorded: from here on, whatever fails, the exit code says the signature is saved.
    echo(f"Recorded {kind} for {case_id}: Ref. {sig.reference}  id {sig.id}" + _contact(answer))
    if hint:  # as on the screen, a likely slip in a common domain is pointed out; the command was explicit
        echo(f"note: --email: did you mean {hint}? (recorded as given)", err=True)
    if sig.held:
        with suppress(Exception):
            station.close()
        echo(f"Held for a volunteer ({_held_why(sig.held)}): not printed. Read it in `kiosk jobs`, then print it"
             " with `kiosk jobs release REF` or keep it from paper with `kiosk jobs reject REF`", err=True)
        return EXIT_NOT_PRINTED
    if interrupted:
        with suppress(Exception):
            station.close()
        echo("Not printed: interrupted. The signature is saved; its print job waits. Print it with:"
             " kiosk jobs retry", err=True)
        return EXIT_NOT_PRINTED
    try:
        result = station.print_signature(sig)
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - the letter is recorded: say so, never exit 1
        echo(f"Not printed: {_reason(exc)}", err=True)
        if _waits_untried(station, sig.id):  # the job was never claimed: no byte left
            echo("The signature is saved; its print job waits. Print it with: kiosk jobs retry", err=True)
            return EXIT_NOT_PRINTED
        echo(f"The signature is saved (Ref. {sig.reference}), but how printing ended is unknown: look at the"
             " printer; if the letter is not there, print it with: kiosk jobs retry --interrupted", err=True)
        return EXIT_MAYBE_PRINTED
    finally:
        with suppress(Exception):
            station.close()
    if result.printed:
        where = f" -> {result.preview}" if result.preview else ""
        echo(f"Printed on {station.setup.name}{where}")
        return EXIT_OK
    echo(f"Not printed: {result.error}", err=True)
    if result.maybe_printed:
        echo("The signature is saved. Part of the letter may be on paper: look, then reprint it with: "
             "kiosk jobs retry --interrupted", err=True)
        return EXIT_MAYBE_PRINTED
    echo("The signature is saved; its print job waits. Print it with: kiosk jobs retry", err=True)
    return EXIT_NOT_PRINTED


def _held_why(reason: str | None) -> str:
    """Why a letter is held, as the organiser reads it."""
    return {"words": "words of the stall's lists", "limit": "over the print limit"}.get(reason or "", "held")


# -- the app ------------------------------------------------------------------------------


def _run_app(stall_settings: Settings) -> None:
    """Start the kiosk app; every reason it cannot start is one line."""
    from ..ui import build_app

    app = build_app(stall_settings, warn=warn)
    try:
        app.run()
    finally:
        app.station.close()


@cli.command()
@click.option("--db", type=click.Path(path_type=Path), default=None,
              help="Demo database [default: demo.db in the user data folder].")
@click.option("--preview", type=click.Path(path_type=Path), default=None,
              help="Folder for the printed receipts [default: preview/ in the user data folder].")
@click.option("--cases", type=click.Path(path_type=Path), default=None,
              help="Try it with these case files [default: the sample cases].")
@click.option("--lang", "lang", type=TEXT, default=None, metavar="CODE",
              help=f"The language the kiosk starts in, and returns to for each visitor ({', '.join(LANGUAGES)})"
                   " [default: en].")
@click.option("--fresh", is_flag=True, help="Start with an empty database: the demo's letters so far are removed"
                                            " (only a demo's database is emptied).")
def demo(db: Path | None, preview: Path | None, cases: Path | None, lang: str | None, fresh: bool) -> None:
    """Try the kiosk with the sample cases; receipts go to a preview folder. Organiser PIN: 2468.

    The stall's settings (its file, and the KIOSK_* variables of the settings) are not read:
    a demo never writes to a stall's database."""
    from ..settings import demo_settings

    demo = demo_settings({"database": db, "preview": preview, "cases": cases, "language": lang})
    if fresh:
        from ..application import start_fresh

        start_fresh(demo)
    _run_app(demo)


@cli.command()
@settings_options("event", "kiosk_id", "campaign", "cases", "allow_sample_cases", "printer", "printers", "preview",
                  "database", "language")
def run() -> None:
    """Run the kiosk at a stall, with the settings file's cases, printer and PIN.

    A flag or KIOSK_* variable overrides the file's setting for this run."""
    _run_app(settings(require_file=True))


@cli.command("set-pin")
@settings_options()
@outcome
def set_pin_command() -> None:
    """Set the organiser PIN (4-12 digits). Only a salted scrypt hash is stored.

    Creates the settings file, with comments for every setting, if it does not exist.
    """
    from ..application import set_pin, validate_pin

    path = settings_file()

    while True:  # checked here, not in the prompt: click masks the typed value wherever the message has it
        try:
            pin = validate_pin(click.prompt("New organiser PIN", hide_input=True))
        except KioskError as exc:
            echo(f"Error: {exc.problem}", err=True)
            continue
        if click.prompt("Repeat the PIN", hide_input=True) == pin:
            break
        echo("Error: the two entries do not match.", err=True)
    created = set_pin(path, pin)
    echo(f"{'Created' if created else 'Updated'} {path}: PIN set (stored as a salted hash).")
    if created:
        echo(f"Edit the event, kiosk id and printer in it, then start with: kiosk run --config {path}")


# -- print jobs ---------------------------------------------------------------------------


@cli.group(invoke_without_command=True)
@settings_options("database", "cases")
@click.pass_context
def jobs(ctx: click.Context) -> None:
    """List print jobs that are waiting, failed or interrupted, and letters held for a volunteer
    (with their name, message and why: words of the stall's lists, or the print limit).

    A held letter prints only once released: `kiosk jobs release REF`; `kiosk jobs reject REF`
    keeps it from paper for good (it still counts as written)."""
    if ctx.invoked_subcommand is not None:
        return
    station = stall()
    try:
        waiting = station.waiting(only_reading=True)  # a listing writes nothing
        held = station.held(only_reading=True)
        flagged = {item.job.id: _flagged(station, item) for item in held if item.job.held_reason != "limit"}
    finally:
        station.close()
    if not waiting and not held:
        echo("No print jobs waiting.")
        return
    echo(f"{'job':>5}  {'status':<12} {'tries':>5}  {'reference':<32} {'case':<28} last error")
    for item in waiting:
        job, sig = item.job, item.signature
        note = job.last_error or (f"released {job.decided_at}" if job.decision == "released" else "")
        echo(f"{job.id:>5}  {item.state:<12} {job.attempts:>5}  {short(sig.reference):<32} {short(sig.case_id):<28}"
             f" {short(note)}")
    for item in held:
        job, sig = item.job, item.signature
        words = flagged.get(job.id)
        why = _held_why(job.held_reason) + (f": {', '.join(words)}" if words else "")
        echo(f"{job.id:>5}  {item.state:<12} {job.attempts:>5}  {short(sig.reference):<32} {short(sig.case_id):<28}"
             f" {short(why)}")
        echo(f"{'':>7}name: {sig.name}")
        if sig.place:
            echo(f"{'':>7}place: {sig.place}")
        if sig.message:
            echo(f"{'':>7}message: {sig.message}")
    if any(item.interrupted for item in waiting):
        echo()
        echo("Interrupted jobs may or may not be on paper: check, then `kiosk jobs retry --interrupted`.")
    if held:
        echo()
        echo("Held letters print only when a volunteer says so: `kiosk jobs release JOB` prints one,"
             " `kiosk jobs reject JOB` never prints it (it still counts as written).")


def _flagged(station: Station, item: Waiting) -> list[str]:
    """The listed words in a held letter; none when the lists cannot say (its reason is shown alone)."""
    sig = item.signature
    try:
        return station.flagged(sig.name, sig.message, sig.language or station.settings.language, sig.place)
    except Exception:  # noqa: BLE001 - a listing never fails over the word lists
        return []


@jobs.command("release")
@click.argument("ref", type=TEXT)
@settings_options("database", "cases", "allow_sample_cases", "printer", "printers", "preview", "campaign")
@outcome
def jobs_release(ref: str) -> int:
    """Print a held letter: a volunteer read it and said Print (the decision is recorded with its time).

    REF is the job number `kiosk jobs` lists (17), the reference printed on the letter
    ("Summer Fest / stall-1 / #0042"), the kiosk and number (stall-1/#42), the number
    alone where one kiosk has it (#42), or the letter's id.

    \b
    Exit codes:
      0  released and printed
      1  nothing done (no such held letter, bad settings; one line says which)
      3  released, not printed: no byte reached the printer; it waits for `kiosk jobs retry`
      4  released; part or all of it may be on paper: look, then `kiosk jobs`
    """
    station = stall()
    try:
        _ = station.setup, station.case_set  # a bad printer or cases setting: nothing released, exit 1
        item = station.letter_for(ref)
        try:
            result = station.release(item.signature.id)
        except InputError:
            raise
        except (Exception, KeyboardInterrupt) as exc:  # released: say so, never exit 1
            if _released(station, item) is None:
                raise
            echo(f"Released Ref. {item.signature.reference}; not printed: {_reason(exc)}", err=True)
            if _waits_untried(station, item.signature.id):
                echo("Its print job waits. Print it with: kiosk jobs retry", err=True)
                return EXIT_NOT_PRINTED
            echo("How printing ended is unknown: look at the printer; if the letter is not there, print it with:"
                 " kiosk jobs retry --interrupted", err=True)
            return EXIT_MAYBE_PRINTED
    finally:
        with suppress(Exception):
            station.close()
    echo(f"Released Ref. {item.signature.reference} (job {item.job.id}; held: {_held_why(item.job.held_reason)})")
    if result.printed:
        echo(f"Printed on {station.setup.name}" + (f" -> {result.preview}" if result.preview else ""))
        return EXIT_OK
    echo(f"Not printed: {result.error}", err=True)
    if result.maybe_printed:
        echo("Part of the letter may be on paper: look, then reprint it with: kiosk jobs retry --interrupted",
             err=True)
        return EXIT_MAYBE_PRINTED
    echo("Its print job waits. Print it with: kiosk jobs retry", err=True)
    return EXIT_NOT_PRINTED


def _released(station: Station, item: Waiting) -> str | None:
    """The time the letter's release was recorded; None when it was not (or the database cannot say)."""
    try:
        job = station.letter_for(item.signature.id).job
    except Exception:  # noqa: BLE001 - the database cannot say
        return None
    return job.decided_at if job.decision == "released" else None


@jobs.command("reject")
@click.argument("ref", type=TEXT)
@settings_options("database")
@outcome
def jobs_reject(ref: str) -> int:
    """Never print a held letter: a volunteer read it and said Do not print (the decision is recorded
    with its time). It still counts as written.

    REF is as for `kiosk jobs release`: the job number `kiosk jobs` lists, the reference
    printed on the letter, kiosk/#42, #42 or the letter's id. Exit 1 when it names no held
    letter (one line says why)."""
    station = stall()
    try:
        item = station.letter_for(ref)
        station.reject(item.signature.id)
    finally:
        with suppress(Exception):
            station.close()
    echo(f"Rejected Ref. {item.signature.reference} (job {item.job.id}): it will not print; it still counts as"
         " written.")
    return EXIT_OK


@jobs.command("retry")
@settings_options("database", "cases", "allow_sample_cases", "printer", "printers", "preview", "campaign")
@click.option("--interrupted", is_flag=True, help="Also reprint jobs interrupted mid-print (they may be on paper).")
@outcome
def jobs_retry(interrupted: bool) -> int:
    """Print the waiting and failed jobs.

    \b
    Exit codes:
      0  every job tried was printed (or none was waiting)
      1  nothing was tried (bad settings or an unusable file; one line says which)
      3  some jobs failed again: no byte reached the printer; they still wait
      4  some jobs may be on paper in part, or how printing ended is unknown: look,
         then `kiosk jobs`
    """
    station = stall()
    done = failed = torn = 0
    try:
        _ = station.setup, station.case_set  # a bad printer or cases setting: nothing tried, exit 1
        before = {item.job.id: (item.job.attempts, item.interrupted) for item in station.waiting()}  # or exit 1
        try:
            for item, result in station.retry_each(interrupted=interrupted):
                ref = f"job {item.job.id}  Ref. {item.signature.reference}"
                if result.printed:
                    done += 1
                    echo(f"printed  {ref}")
                elif result.skipped:
                    echo(f"skipped  {ref}: {result.error}")
                elif result.maybe_printed:
                    torn += 1
                    echo(f"interrupted {ref}: may be on paper: {result.error}", err=True)
                else:
                    failed += 1
                    echo(f"failed   {ref}: {result.error}", err=True)
        except (Exception, KeyboardInterrupt) as exc:  # jobs may have printed: say what is known
            mid_print = _left_mid_print(before, _snapshot(station))
            if not (mid_print or done or failed or torn) and isinstance(exc, KioskError):
                raise  # nothing was tried: the one-line error, exit 1
            echo(f"{done} printed, {failed} failed, {torn} interrupted; then stopped: {_reason(exc)}", err=True)
            if mid_print or torn:
                echo("A job may be on paper, whole or in part: look, then see `kiosk jobs`.", err=True)
                return EXIT_MAYBE_PRINTED
            echo("The jobs not printed still wait: `kiosk jobs retry` again.", err=True)
            return EXIT_NOT_PRINTED
        left_alone = 0 if interrupted else sum(item.interrupted for item in station.waiting())
        held = len(station.held())
    finally:
        with suppress(Exception):
            station.close()
    if done + failed + torn:
        echo(f"{done} printed, {failed} still waiting" + (f", {torn} interrupted (may be on paper)" if torn else ""))
    elif not left_alone and not held:
        echo("No print jobs waiting.")
    if left_alone:
        echo(f"Left alone: {left_alone} interrupted job{'' if left_alone == 1 else 's'}, maybe on paper. "
             "Look, then `kiosk jobs retry --interrupted`.")
    if held:
        echo(f"Held for a volunteer: {held} letter{'' if held == 1 else 's'}, printed only when released:"
             " `kiosk jobs` lists them, `kiosk jobs release JOB` prints one.")
    if torn:
        return EXIT_MAYBE_PRINTED
    return EXIT_NOT_PRINTED if failed else EXIT_OK


# -- printer ------------------------------------------------------------------------------


@printer.command("test")
@settings_options("printer", "printers", "preview", "language")
@outcome
def printer_test() -> None:
    """Print a test receipt: a width ruler, a code-page sample and a QR code (its words in the stall's language)."""
    station = stall()
    echo(f"Printer: {station.setup.describe()}")
    try:
        where = station.test_print()
    except PrintError as exc:
        raise KioskError(f"test print failed: {exc}") from None
    echo(f"Test receipt printed{f' -> {where}' if where else ''}")


@printer.command("profiles")
def printer_profiles() -> None:
    """List the python-escpos capability profiles a set-up can name."""
    from ..application import printer_profiles as profiles

    for name, width, extras in profiles():
        echo(f"{name:<16} {width:>7} dots  {extras}")


@printer.command("list")
@settings_options("printers")
def printer_list() -> int:
    """List the printer set-ups in the printers folder."""
    from ..application import printer_setups

    stall_settings = settings()
    folder = stall_settings.printers
    if not folder.is_dir():
        raise stall_settings.locate(SettingError(f"no such folder: {folder.absolute()}"), "printers")
    bad = shown = 0
    for name, described, error in printer_setups(folder):
        shown += 1
        if error is None:
            echo(f"{name:<20} {described}")
        else:
            bad += 1
            echo(f"error: {error}", err=True)
    if not shown:
        echo(f"{folder}: no printer set-ups (*.toml) in this folder")
    return EXIT_FAILED if bad else EXIT_OK


# -- cases --------------------------------------------------------------------------------


@cli.group()
def cases() -> None:
    """Check and list case files."""


@cases.command("check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@settings_options("cases")
def cases_check(directory: Path | None) -> int:
    """Validate every case file in DIRECTORY (default: the settings' cases folder), its
    consent wording (consent.toml) and the organiser's moderation words (moderation.toml)
    if it has them. Exit 1 on any error.

    What is not translated into one of the kiosk's languages (a case without a translation,
    one that leaves fields out, a preferred_language without its appeal) is a warning: the
    case's own text is shown or printed instead, and the exit code stays 0."""
    from ..application import check_cases, check_consent, check_word_lists

    folder = directory or settings().cases
    result = check_cases(folder)
    wording, consent_errors = check_consent(folder)
    word_lists, word_errors = check_word_lists(folder)
    errors = [*result.errors, *consent_errors, *word_errors]
    for error in errors:
        echo(f"error: {error}", err=True)
    warnings = result.warnings()
    for warning in warnings:
        echo(f"warning: {warning}", err=True)
    closed = [c for c in result.cases.values() if not c.is_open()]
    echo(
        f"{folder}: {len(result.cases)} valid case(s), {len(errors)} error(s)"
        + (f", {len(warnings)} translation warning(s)" if warnings else "")
        + (f", {len(closed)} past deadline (not offered): {', '.join(c.id for c in closed)}" if closed else "")
    )
    if wording is not None:
        first = next(iter(wording.texts.values()))
        echo(f"consent wording: {len(wording.texts)} language(s) ({', '.join(wording.texts)}), version {first.version}"
             + (f", minimum age {first.minimum_age}" if first.minimum_age else "")
             + ("; a sample: visitors are asked only where allow_sample_cases is on" if wording.sample else ""))
    if word_lists.path is not None:
        echo(f"moderation words: {word_lists.count} (allowed in {', '.join(word_lists.allow) or 'no language'},"
             f" flagged in {', '.join(word_lists.flag) or 'no language'})")
    return EXIT_FAILED if errors else EXIT_OK


@cases.command("list")
@settings_options("cases", "allow_sample_cases", "database")
def cases_list() -> None:
    """List the cases offered to visitors."""
    station = stall()
    try:
        offered = station.offered()
    finally:
        station.close()
    for case in offered:
        deadline = f"until {case.deadline}" if case.deadline else ""
        echo(f"{case.id:<28} {case.person:<24} {deadline}")
