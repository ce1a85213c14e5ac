"""``kiosk counter``: the counter facing the crowd, on a monitor or TV beside the kiosk (docs/counter.md)."""

from __future__ import annotations

import click

from .base import cli
from .options import settings, settings_options

GOAL_MAX = 10_000_000


@cli.command()
@click.option("--goal", type=click.IntRange(1, GOAL_MAX), default=None, metavar="N",
              help="Show progress towards N letters today (optional).")
@click.option("--all-kiosks", is_flag=True,
              help="Count every kiosk's letters in the database today, not only this kiosk id's (a file that"
                   " kiosks are merged into).")
@settings_options("database", "kiosk_id", "event", "language")
def counter(goal: int | None, all_kiosks: bool) -> None:
    """Show today's letters in large digits, for a screen facing the crowd.

    It reads the kiosk's database only for reading while the kiosk writes to it (start it
    before or after the kiosk: it waits for the database, and keeps counting when the kiosk
    restarts): today's letters (typed and handwritten; this kiosk id's, or every kiosk's
    with --all-kiosks), a bar for each case, progress towards --goal, and the national total
    when the stall syncs with an office ([sync] url). In the stall's language.

    q, Ctrl+C or Ctrl+Q quits it: it is not the locked kiosk.
    """
    from ..application.counter import open_counter
    from ..ui.counter import build_counter

    counter = open_counter(settings(), all_kiosks=all_kiosks)
    counter.check()  # a file that is not a kiosk's database is one line now, not a counter waiting for ever
    build_counter(counter, goal=goal).run()
