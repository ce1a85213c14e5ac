"""The ``kiosk`` command line: at the stall (:mod:`.stall`), after the event (:mod:`.records`),
about people: contacts, one person's letters, purge and forget (:mod:`.people`), handwritten
letters collected at the stall (:mod:`.paper`), and the national office's commands (:mod:`.hq`,
with the ``kiosk[hq]`` extra)."""

from . import counter, hq, paper, people, records, setup, signers, stall, sync  # noqa: F401 - registers the commands
from .base import EXIT_MAYBE_PRINTED, EXIT_NOT_PRINTED, cli, main

__all__ = ["EXIT_MAYBE_PRINTED", "EXIT_NOT_PRINTED", "cli", "main"]
