"""The ``kiosk`` command line: at the stall (:mod:`.stall`), after the event (:mod:`.records`),
about people: contacts, one person's letters, purge and forget (:mod:`.people`), handwritten
letters collected at the stall (:mod:`.paper`), and the national office's commands (:mod:`.hq`,
with the ``kiosk[hq]`` extra).

A command's module is imported only when that command runs (or ``--help`` lists it): each
group names the module of each of its commands (:class:`~.base.KioskGroup`), and the command
modules import at their top only click and the light option code, the rest inside the
commands (tests/test_cli_imports.py lists what each command loads)."""

from .base import EXIT_MAYBE_PRINTED, EXIT_NOT_PRINTED, cli, main

__all__ = ["EXIT_MAYBE_PRINTED", "EXIT_NOT_PRINTED", "cli", "main"]
