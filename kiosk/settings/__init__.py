"""A stall's settings: one schema (:mod:`.schema`), read in one place (:mod:`.resolve`), and
the settings file with its template and docs table made from it (:mod:`.files`)."""

from __future__ import annotations

from .files import markdown_table, set_pin, set_signer_key, template
from .resolve import CONFIG_ENV, demo_settings, read_file, resolve, settings_file
from .schema import DEFAULT_CAMPAIGN, DEMO_PIN, DEMO_PIN_HASH, Settings, Spec, default_kiosk_id, specs

__all__ = [
    "CONFIG_ENV", "DEFAULT_CAMPAIGN", "DEMO_PIN", "DEMO_PIN_HASH", "Settings", "Spec", "default_kiosk_id",
    "demo_settings", "markdown_table", "read_file", "resolve", "set_pin", "set_signer_key", "settings_file", "specs",
    "template",
]
