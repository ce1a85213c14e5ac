"""``kiosk sync``: one sync with the national office now; ``kiosk sync status``: what waits, the
conflicts, and how the last syncs went. Both read the stall's settings (``[sync]``)."""

from __future__ import annotations

import click

from ..application import Settings
from .base import EXIT_FAILED, EXIT_OK, cli, echo, outcome
from .options import settings, settings_options


def _where(stall: Settings) -> str:
    return stall.sync_url or "(no url)"


@cli.group(invoke_without_command=True)
@settings_options("database", "kiosk_id")
@click.pass_context
@outcome
def sync(ctx: click.Context) -> int:
    """Send this kiosk's letters to the national office now, and fetch the cases it publishes.

    Prints one line: rows sent and the office's answers (new, duplicate, conflicts, refused),
    rows still waiting, and the office's case set. Rows recorded under another kiosk id (merged
    here, or before this kiosk's id changed) are sent by `kiosk sync --kiosk-id OTHER` with
    OTHER's token (KIOSK_SYNC_TOKEN or the settings). Exit 1, with one line, when it failed: the
    letters not answered wait for the next sync. The settings' [sync] table names the office
    (docs/sync.md)."""
    if ctx.invoked_subcommand is not None:
        return EXIT_OK
    from ..application import open_sync  # the HTTP client only for this command
    from .progress import progress

    stall = settings()
    with progress("Sending letters") as tick:
        report = open_sync(stall).run(progress=tick)
    if report.error is not None:
        echo(f"Error: sync with {_where(stall)} failed: {report.error} (sent {report.sent} before;"
             f" {report.waiting} waiting for the next sync)", err=True)
        return EXIT_FAILED
    echo(f"Synced with {_where(stall)}: {report.line()}")
    return EXIT_OK


@sync.command("status")
@settings_options("database", "kiosk_id")
def sync_status() -> int:
    """Show the last sync, the rows waiting to be sent, and the conflicts and refusals (with each
    letter's reference and the office's reason). The token is never shown."""
    from ..application import open_sync
    from ..sync.run import waiting_elsewhere

    stall = settings()
    found = open_sync(stall).status()
    state = found.state
    echo(f"Office: {stall.sync_url or 'not set: this kiosk does not sync'}"
         f" (token {'set' if stall.sync_token else 'not set'}; personal data: {stall.sync_personal_data})")
    echo(f"Last sync: {state.get('last_success') or 'never'}"
         + (f"; last try {state['last_attempt']}" if state.get("last_attempt") != state.get("last_success")
            and state.get("last_attempt") else ""))
    if state.get("last_error"):
        echo(f"Last error: {state['last_error']}"
             + (f" (next try not before {state['backoff_until']})" if state.get("backoff_until") else ""))
    echo(f"Waiting: {found.waiting} row(s)"
         + (f"; {found.others} row(s) of other kiosks merged here or recorded under another kiosk id,"
            " left for them to send" if found.others else ""))
    for kiosk, rows in found.others_by_kiosk.items():
        echo(f"  {waiting_elsewhere(kiosk, rows)}")
    if state.get("cases_version"):
        echo(f"Cases: the office's set, version {state['cases_version']}")
    if state.get("cases_error"):
        echo(f"Cases: the office's newest set was refused, the kiosk keeps its cases: {state['cases_error']}")
    echo(f"Conflicts and refusals: {len(found.conflicts)}")
    for item in found.conflicts:
        echo(f"  {item.answer}: {item.reference}: {item.reason} ({item.at})")
    return EXIT_OK
