"""What the volunteer has chosen so far, and the words for a printer's problem or a place not looked at."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ...application import N_, Language, PrinterChoice

if TYPE_CHECKING:
    from ...printing.detect import Found, Note


@dataclass
class Draft:
    """The settings as the steps fill them in; nothing is written until the last step."""

    cases: Path
    allow_samples: bool
    event: str = ""
    kiosk_id: str = ""
    choice: PrinterChoice | None = None
    address: str = ""  # a network printer's address as typed
    pin: str | None = None  # None: keep the file's PIN
    case_count: int = 0


PROBLEMS = {
    "denied": N_("Permission denied: this user may not use it."),
    "busy": N_("Busy: another program is using it (another kiosk, a print service). Close it, or unplug the"
               " printer and plug it in again, then press R."),
    "error": N_("Not usable now: {problem}"),
}
FIX = N_("To fix it, run these commands in a terminal (they are shown again when you quit):")
NOTES = {
    "no-pyusb": N_("pyusb is not installed, so USB printers are not listed; the others are."),
    "no-libusb": N_("libusb is not installed, so USB printers are not listed (install libusb-1.0-0); the others"
                    " are."),
    "usb-error": N_("USB devices could not be listed; the other printers are."),
    "no-pyserial": N_("pyserial is not installed, so serial ports are not listed; the others are."),
    "cups-timeout": N_("CUPS did not answer in time, so its queues are not listed."),
    "cups-error": N_("CUPS could not be asked, so its queues are not listed."),
}


def problem_text(lang: Language, found: Found) -> str:
    """Why this user cannot use the printer, in ``lang``; and, where commands fix it, that they follow."""
    words = lang._(PROBLEMS.get(found.reason or "error", PROBLEMS["error"])).format(problem=found.problem or "")
    return f"{words}\n{lang._(FIX)}" if found.commands else words


def note_text(lang: Language, note: Note) -> str:
    return lang._(NOTES[note.code]) if note.code in NOTES else note.text
