"""Commands about people: who said yes to hearing from us, what the file holds about one
person, and removing personal data (``purge``, ``forget``).

They open the database as :class:`~kiosk.application.Records` and write through
:mod:`.outputs`, as every export does (owner-only files, inert formulas, a terminal-safe
standard output); the one-line errors and exit codes are :mod:`.base`'s.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..application import InputError, KioskError
from ..text import for_spreadsheet
from .base import EXIT_FAILED, EXIT_OK, cli, echo, outcome, warn
from .groups import export
from .options import DATE, TEXT, settings, settings_options
from .outputs import check_target, filters, format_option, output_option, records, to_stdout, write_rows

if TYPE_CHECKING:
    from ..application import Records


@export.command("contacts")
@filters
@format_option
@output_option
@settings_options("database")
def export_contacts(event: str | None, since: dt.date | None, until: dt.date | None, kiosk_id: str | None,
                    fmt: str, output: Path | None) -> None:
    """The people who said yes to hearing from us, for a CRM: a row per address and channel.

    Each row has the address, the name, the consent wording's id and version, the language,
    the time, event, kiosk and the case(s) written for. Nobody who said no, or was not asked,
    is in it. With -o FILE the export is noted in the database, so `kiosk purge
    --contacts-exported` can remove these people's data later; written to standard output,
    nothing is noted. In CSV, text a spreadsheet would run as a formula gets a ' in front."""
    from ..application import CONTACT_COLUMNS

    check_target(output, fmt, list(CONTACT_COLUMNS))
    with records() as db:
        contacts = db.contacts(db.scope(event=event, since=since, until=until, kiosk_id=kiosk_id))
    # Read whole (and checked unchanged) before the file is written; noted only once it is.
    write_rows(contacts.rows, list(CONTACT_COLUMNS), fmt, output)
    if fmt == "csv":
        _note_neutralised([str(row["email"]) for row in contacts.rows])
    if to_stdout(output):
        return
    noted = "; nothing to note" if not contacts.rows else "; noted as exported"
    if contacts.rows:
        try:
            with records() as db:
                db.note_exported(contacts)
        except KioskError as exc:  # a write-protected stick: the file is written all the same
            noted = "; not noted as exported"
            warn(f"the export could not be noted in the database, so `kiosk purge --contacts-exported` will not"
                 f" remove these contacts: {exc}")
    echo(f"{len(contacts.rows)} contact(s) -> {output}{noted}", err=True)


@export.command("person")
@click.option("--email", type=TEXT, required=True, metavar="ADDRESS",
              help="The person's address, in any case (ADA@Example.org finds ada@example.org), its domain as"
                   " Unicode or IDNA (xn--...).")
@format_option
@output_option
@settings_options("database")
def export_person(email: str, fmt: str, output: Path | None) -> None:
    """What the file holds about one person, to answer "What do you hold about me?".

    A row for each letter given with ADDRESS (found as `kiosk forget` finds them), then for
    each other letter that carries the same name without any address (column found: "given
    with the address" or "same name, no address"): the letter (reference, case, kind, name,
    message, times, event, kiosk, print status, purged_at) and its answer to being contacted
    (choice, email, channel, language, wording, lawful basis, answered_at, exported_at).
    Nothing is changed or noted. An address found nowhere gives only the header (CSV) or []
    (JSON), and says so on stderr."""
    from ..application import PERSON_COLUMNS

    _check_address(email)
    check_target(output, fmt, list(PERSON_COLUMNS))
    with records() as db:
        rows = db.person(email)
    write_rows(rows, list(PERSON_COLUMNS), fmt, output)
    if fmt == "csv":
        _note_neutralised([str(row["email"]) for row in rows if row["email"]])
    if not rows:
        echo(f"Nothing found: no letter in {db.path} was given with {email}.", err=True)
    elif not to_stdout(output):
        echo(f"{len({row['signature_id'] for row in rows})} letter(s) found for {email} -> {output}", err=True)


def _check_address(email: str) -> None:
    """The address a person's request names (``forget``, ``export person``): it must not be empty."""
    if not email.strip():
        raise InputError("must not be empty: give the person's address", field="email", reason="empty")


def _note_neutralised(addresses: list[str]) -> None:
    """A valid address may begin with =, + or - (``=cmd@example.com``): the CSV writer puts a '
    in front, as for every cell a spreadsheet would run, and a CRM importing the file would
    take the ' as part of the address. Say so, once, and where they are exact."""
    changed = [address for address in addresses if for_spreadsheet(address) != address]
    if not changed:
        return
    inside = any(for_spreadsheet(address) != "'" + address for address in changed)  # "a|=b@example.org"
    echo(f"note: {len(changed)} address(es) begin with =, +, - or @{' (or hold one after a |)' if inside else ''}:"
         " in CSV they have a ' in front so no spreadsheet runs them; --format json has them exactly", err=True)


# -- purge and forget ----------------------------------------------------------------------


def _answers(counts: dict[str, int]) -> str:
    """What is kept of the answers to being contacted, for the line that says what stays."""
    yes, no = counts.get("yes", 0), counts.get("no", 0)
    return f", and {yes + no} answer(s) to being contacted ({yes} yes, {no} no)" if yes + no else ""


def _files_of_their_own() -> None:
    """Say what a purge cannot reach: exports written earlier and the preview printer's receipts."""
    echo("Note: exports written earlier (a contacts export too) are files of their own: delete them yourself.")
    folder = settings().preview
    if folder.is_dir() and any(folder.iterdir()):
        echo(f"Note: receipts saved by the preview printer are files, not in the database: {folder}")


def _not_cleaned(path: Path, then: str = "") -> None:
    """What is true when a removal was committed but another program kept the file from being cleaned."""
    warn(f"another program has {path} open (a running kiosk, a database viewer?), so the file was not vacuumed:"
         " what was removed is gone from its tables, and overwritten in the pages this command wrote, but older"
         " copies of those pages, which that program may still be reading, stay in the file or its journal until"
         f" it closes the file.{then}")


def _ask(question: str, yes: bool) -> bool:
    """``yes``, or the organiser's answer; no answer (end of input, Ctrl+C) is no."""
    try:
        return yes or click.confirm(question)
    except click.Abort:
        echo()
        return False


def _nothing_to_purge(db: Records, what: str, *, purged_before: int, traces: bool, unnoted: bool,
                      others: bool = False) -> int:
    """A purge whose selection holds no name and no address: one line, nothing asked, exit 0.
    ``unnoted``: --contacts-exported, and no contacts export to a file was ever noted (``others``:
    with other groups, whose letters hold nothing either). The file is vacuumed only when it may
    still hold what an earlier purge removed (``traces``: that purge's clean-up was kept from
    finishing), so a purge run again keeps its warning's word."""
    why = "no letter selected holds a name, a message or an email address"
    if purged_before:
        why += f" ({purged_before} purged before)"
    if unnoted:
        noted = ("no contacts export has been noted: only `kiosk export contacts -o FILE` notes one;"
                 " to standard output it is not")
        why = f"{why}, and {noted}" if others else noted
    cleaned = db.clean() if traces else None
    echo(f"{db.path}: nothing to remove ({what}): {why}."
         + (" File vacuumed and journal emptied: what an earlier purge removed is gone from it too." if cleaned
            else " Nothing was changed."))
    if cleaned is False:
        _not_cleaned(db.path)
    return EXIT_OK


@cli.command()
@click.option("--personal-data", is_flag=True,
              help="Everyone's: remove the names, messages and email addresses of every letter selected.")
@click.option("--declined", is_flag=True,
              help="Of the visitors who said no to hearing from us (right after the event, once every letter has"
                   " printed).")
@click.option("--contacts-exported", is_flag=True,
              help="Of the visitors who said yes, once `kiosk export contacts -o FILE` has written them.")
@click.option("--before", type=DATE, default=None, metavar="DATE",
              help="Only letters signed before this day (YYYY-MM-DD).")
@click.option("--event", type=TEXT, default=None, help="Only this event.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@settings_options("database", "preview")
@outcome
def purge(personal_data: bool, declined: bool, contacts_exported: bool, before: dt.date | None, event: str | None,
          yes: bool) -> int:
    """Remove names, messages and email addresses for good; every count stays as it was.

    Say whose (one or more): --personal-data (everyone), --declined (said no to hearing
    from us), --contacts-exported (said yes, and a contacts export to a file wrote them).
    --before and --event narrow it. Every letter and every answer (yes, no) is kept, so
    every count. The file is vacuumed and its journal emptied, so nothing removed can be
    read back from it. Letters not printed yet are cancelled (there is no name left to print).
    A selection with nothing to remove (no name, no address) says so and asks nothing.
    """
    if not (personal_data or declined or contacts_exported):
        raise click.UsageError("say whose data to purge: --personal-data, --declined or --contacts-exported")
    groups = () if personal_data else tuple(
        group for group, asked in (("declined", declined), ("contacts_exported", contacts_exported)) if asked)
    whose = "everyone" if personal_data else " or ".join(
        {"declined": "visitors who said no", "contacts_exported": "contacts exported"}[g] for g in groups)
    day = before
    with records() as db:
        scope = db.purge_scope(before=day, event=event)
        preview = db.purge_preview(scope, groups)
        what = ", ".join(p for p in (whose, f"event {event!r}" if event else "", f"signed before {day}" if day else "")
                         if p)
        if preview.nothing:
            unnoted = "contacts_exported" in groups and not preview.exports_noted
            return _nothing_to_purge(db, what, purged_before=preview.purged_before, traces=preview.traces,
                                     unnoted=unnoted, others=len(groups) > 1)
        echo(f"{db.path}: {preview.signatures} signature(s) with names and messages ({what}),"
             f" {preview.addresses} email address(es)"
             + (f", {preview.notes} note(s) on handwritten letters" if preview.notes else "")
             + f"; {preview.purged_before} purged before.")
        if preview.unexported:
            n = preview.unexported
            warn(f"{n} of these addresses {'is a contact' if n == 1 else 'are contacts'} not exported yet:"
                 " `kiosk export contacts -o FILE` first, or they are lost.")
        if preview.unprinted:
            echo(f"{preview.unprinted} of them have not been printed yet; they will be cancelled and never print"
                 " (to print them first: kiosk jobs retry, then purge).")
        if not _ask("Remove these names, messages and addresses for good? Counts are kept", yes):
            echo("Nothing was changed.", err=True)
            return EXIT_FAILED
        total, answers = db.total(), db.consent_counts(db.scope())
        from .progress import progress

        with progress(f"Removing personal data from {db.path}") as tick:
            result = db.purge(scope, groups, progress=tick)
    echo(f"Removed names and messages of {result.signatures} signature(s)"
         + (f" and {result.addresses} email address(es)" if result.addresses else "")
         + (f", {result.notes} note(s) on handwritten letters" if result.notes else "")
         + (f"; cancelled {result.cancelled_jobs} unprinted letter(s)" if result.cancelled_jobs else "")
         + (". File vacuumed and journal emptied" if result.cleaned else "")
         + f". Still {total} signature(s) counted{_answers(answers)}.")
    if not result.cleaned:  # removed all the same (exit 0): a purge run again cleans the file
        _not_cleaned(db.path, " To clean it now, close that program and run this purge again.")
    _files_of_their_own()
    return EXIT_OK


@cli.command()
@click.option("--email", type=TEXT, required=True, metavar="ADDRESS",
              help="The person's address, in any case (ADA@Example.org finds ada@example.org), its domain as"
                   " Unicode or IDNA (xn--...).")
@click.option("--also-same-name", is_flag=True,
              help="Also remove other letters that carry the same name, given without the address.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@settings_options("database", "preview")
@outcome
def forget(email: str, also_same_name: bool, yes: bool) -> int:
    """Erase one person's data: the name, message and email address of every letter given with ADDRESS.

    Shows what it will remove first and asks (unless --yes). Letters that carry the same
    name but were given without the address are listed, and removed only with
    --also-same-name. Every letter and answer is kept, so every count; letters not printed
    yet are cancelled. The file is vacuumed and its journal emptied.
    """
    _check_address(email)
    with records() as db:
        preview = db.forget_preview(email, same_name=also_same_name)
        if not preview.letters and not preview.addresses:
            echo(f"No letter in {db.path} was given with that address; nothing was changed.")
            return EXIT_OK
        names = db.names_given_with(email)
        refs = [*preview.letters, *(preview.same_name if also_same_name else ())]
        echo(f"{db.path}: {len(preview.letters)} letter(s) given with {email}"
             + (f": {', '.join(f'Ref. {r}' for r in preview.letters)}" if preview.letters else "")
             + f"; {preview.addresses} email address(es).")
        if names:
            echo(f"The name(s) on them: {', '.join(f'“{n}”' for n in names)}.")
        if preview.same_name:
            shown = ", ".join(f"Ref. {r}" for r in preview.same_name)
            echo(f"{len(preview.same_name)} other letter(s) carry the same name, given without this address: {shown}"
                 + (" (removed too: --also-same-name)." if also_same_name else
                    " (kept; add --also-same-name to remove them too)."))
        if preview.unprinted:
            echo(f"{preview.unprinted} of them have not been printed yet; they will be cancelled and never print.")
        if not _ask("Remove this person's names, messages and address for good? Counts are kept", yes):
            echo("Nothing was changed.", err=True)
            return EXIT_FAILED
        result = db.forget(email, same_name=also_same_name)
    cancelled = result.cancelled_jobs
    echo(f"Removed the name and message of {result.letters} letter(s)"
         + (f" ({', '.join(f'Ref. {r}' for r in refs)})" if refs else "")
         + f", {result.addresses} email address(es)"
         + (f"; cancelled {cancelled} unprinted letter{'' if cancelled == 1 else 's'}" if cancelled else "")
         + ". Counts are kept." + (" File vacuumed and journal emptied." if result.cleaned else ""))
    if not result.cleaned:  # removed all the same (exit 0); run again, forget finds nothing and cleans nothing
        _not_cleaned(db.path)
    _files_of_their_own()
    return EXIT_OK


__all__ = ["export_contacts", "export_person", "forget", "purge"]
