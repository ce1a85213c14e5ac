"""The kiosk's errors: one base class, and a subclass for each kind of thing that can fail.

Every error a person can act on is a :class:`KioskError` carrying what failed:

- ``source``: where the bad value or file came from: a settings file (``stall.toml``), an
  environment variable (``KIOSK_PRINTER``), a command-line flag (``--printer``), a case
  file, a printer set-up, a database file;
- ``field``: the setting, case field or column, when the source holds several;
- ``problem``: what is wrong, in words a volunteer can act on.

Its text is those joined by ``": "`` (``stall.toml: printer: expected tcp://HOST:PORT``),
and it is the one line the command line prints. Code never reads an error's text: it reads
the attributes, and :meth:`KioskError.at` names a source for an error raised without one.
"""

from __future__ import annotations

import copy
from typing import Literal, Self


class KioskError(Exception):
    """Something went wrong that a person can act on; ``str()`` is one line."""

    def __init__(self, problem: str, *, field: str | None = None, source: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.field = field
        self.source = source

    def __str__(self) -> str:
        return ": ".join(part for part in (self.source, self.field, self.problem) if part)

    def at(self, source: str | None, field: str | None = None) -> Self:
        """A copy that says where the bad value came from. A flag or an environment
        variable names the setting by itself, so the field is then left out."""
        located = copy.copy(self)
        located.source = source
        located.field = field
        return located


class SettingError(KioskError):
    """A stall setting that cannot be used, or a settings file that cannot be read."""


Reason = Literal["empty", "too_long", "invalid", "unknown", "closed", "sample", "off"]


class InputError(KioskError, ValueError):
    """A value typed by a visitor or given on the command line that cannot be accepted.

    ``reason`` says which rule it broke, so a screen can word it for a visitor."""

    def __init__(self, problem: str, *, field: str | None = None, source: str | None = None,
                 reason: Reason = "invalid") -> None:
        super().__init__(problem, field=field, source=source)
        self.reason: Reason = reason


class CaseError(KioskError):
    """One problem in one case file (``source`` is the file), or a folder without cases."""


class SetupError(KioskError):
    """A printer set-up (a file in the printers folder, or a quick spec) that cannot be used."""


class PrintError(KioskError):
    """A print job that did not reach paper whole, with a one-line reason.

    ``maybe_printed`` is true when the fault came after receipt bytes had left for the
    printer (a dropped connection or a missing confirmation mid-job, paper running out
    during the job): part or all of it may be on paper, so only a person who has looked
    should print it again."""

    def __init__(self, problem: str, *, maybe_printed: bool = False, source: str | None = None) -> None:
        super().__init__(problem, source=source)
        self.maybe_printed = maybe_printed


class StoreError(KioskError):
    """A database that cannot be used (``source`` is the file)."""


class PinError(KioskError):
    """A PIN, or a PIN hash, that cannot be used."""


class RecordsError(KioskError):
    """Records that cannot be reported as asked (appeals whose addressee is unknown ...)."""
