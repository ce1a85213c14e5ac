"""What every kiosk screen declares: how long it stays when nobody touches it, and its app, typed.

Screens never import the app module (the app imports them); the app's type reaches them
only for the type checker.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import App
from textual.binding import Binding
from textual.content import Content
from textual.screen import ModalScreen, Screen

from ...application import Language
from ..words import cell, shown

if TYPE_CHECKING:
    from ..app import KioskApp


class Idle(Enum):
    """A screen's idle policy: after how long without a key or touch it goes home."""

    NEVER = "never"      # home itself; a letter on its way to the printer
    VISITOR = "visitor"  # the settings' idle_timeout
    THANKS = "thanks"    # the settings' thanks_timeout


class OnKiosk:
    """Mixed into every kiosk screen."""

    IDLE: ClassVar[Idle] = Idle.VISITOR
    reading_seconds: float = 0.0  # added to the idle time: what the screen asks to be read takes as long
    FOR_ORGANISER: ClassVar[bool] = False  # in the stall's language, not the visitor's

    @property
    def lang(self) -> Language:
        """The language of this screen: the visitor's (their choice lasts for their visit), or the stall's."""
        return self.kiosk.stall_language if self.FOR_ORGANISER else self.kiosk.language

    def _(self, message: str) -> str:
        """``message`` in the screen's language."""
        return self.lang._(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.lang.ngettext(singular, plural, n)

    def shown(self, text: str) -> Content:
        """Words as this screen draws them (in visual order where they read from the right)."""
        return shown(text, rtl=self.lang.rtl, bidi=self.kiosk.station.settings.bidi)

    def cell(self, text: str) -> Text:
        """A table's cell as this screen draws it (rich Text, never markup; in visual order)."""
        return cell(text, rtl=self.lang.rtl, bidi=self.kiosk.station.settings.bidi)

    @property
    def idle(self) -> Idle:
        return self.IDLE

    @property
    def kiosk(self) -> KioskApp:
        """The kiosk app this screen is on."""
        return cast("KioskApp", cast(Screen[object], self).app)


class KioskScreen(OnKiosk, Screen[None]):
    pass


class KioskModal(OnKiosk, ModalScreen[bool]):
    pass


class VisitorScreen(KioskScreen):
    """A visitor screen: Esc goes back one step."""

    BINDINGS = [Binding("escape", "go_back", "Back", show=False, id="back")]

    def action_go_back(self) -> None:
        app: App[None] = self.app
        if len(app.screen_stack) > 1 and app.screen is self:
            app.pop_screen()

