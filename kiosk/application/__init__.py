"""The application layer: the use cases the kiosk app and the command line call.

:class:`Station` is one kiosk at one stall (built by :func:`open_station` from the resolved
settings); :class:`Records` is a kiosk database after the event (opened by
:func:`open_records`). The app and the command line reach the rest of the kiosk only
through this package: what they need to show (cases, signatures, outcomes, limits) is
named here.

Each name is imported when it is first used, so a command loads only the code it needs
(``kiosk jobs`` never loads the printing code; ``kiosk export`` never loads the station).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..cases import Case
    from ..consent import ConsentText
    from ..emails import EMAIL_MAX, tidy_address
    from ..errors import InputError, KioskError, PrintError, SettingError
    from ..i18n import LANGUAGES, N_, Language, has_rtl, language, visual
    from ..pin import PIN_MAX, validate_pin
    from ..printing.queue import Outcome
    from ..receipts.qr import screen_art
    from ..settings import Settings, set_pin, set_signer_key
    from ..signers import key_id, new_key
    from ..store import (
        CONTACT_COLUMNS,
        EXPORT_COLUMNS,
        GROUPS,
        PERSON_COLUMNS,
        PURGE_GROUPS,
        ConsentChoice,
        PaperEntry,
        Signature,
        check_groups,
        group_columns,
        wide_columns,
        wide_groups,
        widen,
    )
    from ..text import MESSAGE_MAX, NAME_MAX, PLACE_MAX, reflow, sanitize
    from .demo import start_fresh
    from .folders import check_cases, check_consent, check_word_lists, printer_profiles, printer_setups
    from .records import Records, open_records
    from .setup import Assistant, PrinterChoice, detect_printers, detected_record, open_assistant
    from .station import Letter, Station, Waiting, open_station
    from .sync import Sync, open_sync

_WHERE = {  # each name, and the module that holds it
    "kiosk.cases": ["Case"],
    "kiosk.consent": ["ConsentText"],
    "kiosk.emails": ["EMAIL_MAX", "tidy_address"],
    "kiosk.errors": ["InputError", "KioskError", "PrintError", "SettingError"],
    "kiosk.i18n": ["LANGUAGES", "N_", "Language", "has_rtl", "language", "visual"],
    "kiosk.pin": ["PIN_MAX", "validate_pin"],
    "kiosk.printing.queue": ["Outcome"],
    "kiosk.settings": ["Settings", "set_pin", "set_signer_key"],
    "kiosk.signers": ["key_id", "new_key"],
    "kiosk.receipts.qr": ["screen_art"],
    "kiosk.store": ["CONTACT_COLUMNS", "EXPORT_COLUMNS", "GROUPS", "PERSON_COLUMNS", "PURGE_GROUPS", "ConsentChoice",
                    "PaperEntry", "Signature", "check_groups", "group_columns", "wide_columns", "wide_groups",
                    "widen"],
    "kiosk.text": ["MESSAGE_MAX", "NAME_MAX", "PLACE_MAX", "reflow", "sanitize"],
    "kiosk.application.folders": ["check_cases", "check_consent", "check_word_lists", "printer_profiles",
                                  "printer_setups"],
    "kiosk.application.demo": ["start_fresh"],
    "kiosk.application.records": ["Records", "open_records"],
    "kiosk.application.setup": ["Assistant", "PrinterChoice", "detect_printers", "detected_record", "open_assistant"],
    "kiosk.application.station": ["Letter", "Station", "Waiting", "open_station"],
    "kiosk.application.sync": ["Sync", "open_sync"],
}
_MODULE = {name: module for module, names in _WHERE.items() for name in names}

__all__ = [  # what _WHERE names (tests/test_architecture.py checks the two agree)
    "CONTACT_COLUMNS",
    "EMAIL_MAX",
    "EXPORT_COLUMNS",
    "GROUPS",
    "LANGUAGES",
    "MESSAGE_MAX",
    "NAME_MAX",
    "N_",
    "PERSON_COLUMNS",
    "PIN_MAX",
    "PLACE_MAX",
    "PURGE_GROUPS",
    "Assistant",
    "Case",
    "ConsentChoice",
    "ConsentText",
    "InputError",
    "KioskError",
    "Language",
    "Letter",
    "Outcome",
    "PaperEntry",
    "PrintError",
    "PrinterChoice",
    "Records",
    "SettingError",
    "Settings",
    "Signature",
    "Station",
    "Sync",
    "Waiting",
    "check_cases",
    "check_consent",
    "check_groups",
    "check_word_lists",
    "detect_printers",
    "detected_record",
    "group_columns",
    "has_rtl",
    "key_id",
    "language",
    "new_key",
    "open_assistant",
    "open_records",
    "open_station",
    "open_sync",
    "printer_profiles",
    "printer_setups",
    "reflow",
    "sanitize",
    "screen_art",
    "set_pin",
    "set_signer_key",
    "start_fresh",
    "tidy_address",
    "validate_pin",
    "visual",
    "wide_columns",
    "wide_groups",
    "widen",
]


def __getattr__(name: str) -> Any:
    if name not in _MODULE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_MODULE[name]), name)
    globals()[name] = value
    return value
