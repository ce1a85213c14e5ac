"""The ``kiosk`` command line: at the stall (:mod:`.stall`) and after the event (:mod:`.records`)."""

from . import records, stall  # noqa: F401 - registers the commands
from .base import EXIT_MAYBE_PRINTED, EXIT_NOT_PRINTED, cli, main

__all__ = ["EXIT_MAYBE_PRINTED", "EXIT_NOT_PRINTED", "cli", "main"]
