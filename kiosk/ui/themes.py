"""The kiosk's colour themes; any built-in Textual theme can be named as well."""

from __future__ import annotations

from textual.theme import BUILTIN_THEMES, Theme

KIOSK_THEMES = {
    theme.name: theme
    for theme in (
        Theme(
            name="kiosk-dark", primary="#F2C94C", secondary="#56CCF2", accent="#F2994A", warning="#F2994A",
            error="#EB5757", success="#6FCF97", foreground="#F4F4F4", background="#15171C", surface="#1E2128",
            panel="#2A2E37", dark=True,
        ),
        Theme(
            name="kiosk-light", primary="#8A5A00", secondary="#005A8C", accent="#B34700", warning="#B34700",
            error="#B00020", success="#1B6E3A", foreground="#111111", background="#FAFAF7", surface="#FFFFFF",
            panel="#ECEAE4", dark=False,
        ),
        Theme(
            name="kiosk-high-contrast", primary="#FFFF00", secondary="#00FFFF", accent="#FFFF00", warning="#FFFF00",
            error="#FF5555", success="#55FF55", foreground="#FFFFFF", background="#000000", surface="#000000",
            panel="#000000", dark=True, variables={"border": "#FFFFFF", "block-cursor-background": "#FFFF00",
                                                   "block-cursor-foreground": "#000000"},
        ),
    )
}


def theme_names() -> list[str]:
    return [*KIOSK_THEMES, *BUILTIN_THEMES]
