"""The groups whose commands live in several modules: ``kiosk export`` (the exports of
:mod:`.records` and :mod:`.people`) and ``kiosk printer`` (:mod:`.stall`'s, the tally slip
of :mod:`.records`, ``detect`` of :mod:`.setup`).

Each names the module of each of its commands, loaded only when that command is asked
for (see :class:`~kiosk.cli.base.KioskGroup`): ``kiosk export counts`` loads the exports,
not the printers.
"""

from __future__ import annotations

from .base import cli


@cli.group(lazy={"contacts": "people", "counts": "records", "letters": "records", "person": "people",
                 "signatures": "records"})
def export() -> None:
    """Export counts, signatures, the lists of appeals to deliver, contacts and one person's letters."""


@cli.group(lazy={"detect": "setup", "list": "stall", "profiles": "stall", "tally": "records", "test": "stall"})
def printer() -> None:
    """Check printers and their set-ups."""


__all__ = ["export", "printer"]
