"""Build hook: compile the gettext catalogues (kiosk/locale/*/LC_MESSAGES/kiosk.po) into .mo
files with Babel, so that every wheel (and an editable install) carries them."""

from __future__ import annotations

from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompileCatalogues(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in sorted(Path(self.root, "kiosk", "locale").glob("*/LC_MESSAGES/kiosk.po")):
            with po.open("rb") as f:
                catalog = read_po(f, locale=po.parent.parent.name, domain="kiosk")
            with po.with_suffix(".mo").open("wb") as f:
                write_mo(f, catalog)
