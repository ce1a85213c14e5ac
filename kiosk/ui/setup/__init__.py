"""``kiosk setup``: the first-run assistant, a Textual app of its own (keys or touch, 80x24 and up).

It finds the printer, prints a test receipt until it comes out right, takes the PIN, the
event, this laptop's kiosk id and the cases folder, and writes the settings file through
:class:`~kiosk.application.Assistant`. Esc goes back one step; Ctrl+Q quits, and quitting
before the last step writes nothing.
"""

from __future__ import annotations

from ...application import Assistant
from .app import SetupApp, SetupResult


def run_setup(assistant: Assistant) -> SetupResult:
    """Run the assistant in the terminal; what it wrote (or nothing)."""
    result = SetupApp(assistant).run()
    return result if result is not None else SetupResult()


__all__ = ["SetupApp", "SetupResult", "run_setup"]
