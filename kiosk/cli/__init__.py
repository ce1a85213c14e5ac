"""The ``kiosk`` command line: at the stall (:mod:`.stall`), after the event (:mod:`.records`),
and about people: contacts, one person's letters, purge and forget (:mod:`.people`)."""

from . import people, records, stall, sync  # noqa: F401 - registers the commands
from .base import EXIT_MAYBE_PRINTED, EXIT_NOT_PRINTED, cli, main

__all__ = ["EXIT_MAYBE_PRINTED", "EXIT_NOT_PRINTED", "cli", "main"]
