"""The application layer: the use cases the kiosk app and the command line call.

:class:`Station` is one kiosk at one stall (built by :func:`open_station` from the resolved
settings); :class:`Records` is a kiosk database after the event (opened by
:func:`open_records`). The app and the command line reach the rest of the kiosk only
through this package: what they need to show (cases, signatures, outcomes, limits) is
named here.
"""

from __future__ import annotations

from ..cases import Case
from ..errors import InputError, KioskError, PrintError, SettingError
from ..pin import PIN_MAX, validate_pin
from ..printing.queue import Outcome
from ..settings import Settings, set_pin
from ..store import EXPORT_COLUMNS, GROUPS, Signature, check_groups, group_columns
from ..text import MESSAGE_MAX, NAME_MAX, reflow, sanitize
from .folders import check_cases, printer_profiles, printer_setups
from .records import Records, open_records
from .station import Letter, Station, Waiting, open_station

__all__ = [
    "EXPORT_COLUMNS",
    "GROUPS",
    "MESSAGE_MAX",
    "NAME_MAX",
    "PIN_MAX",
    "Case",
    "InputError",
    "KioskError",
    "Letter",
    "Outcome",
    "PrintError",
    "Records",
    "SettingError",
    "Settings",
    "Signature",
    "Station",
    "Waiting",
    "check_cases",
    "check_groups",
    "group_columns",
    "open_records",
    "open_station",
    "printer_profiles",
    "printer_setups",
    "reflow",
    "sanitize",
    "set_pin",
    "validate_pin",
]
