"""What every visitor screen shares: Esc goes back one step."""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen


class VisitorScreen(Screen):
    BINDINGS = [Binding("escape", "go_back", "Back", show=False, id="back")]

    def action_go_back(self) -> None:
        if len(self.app.screen_stack) > 1 and self.app.screen is self:
            self.app.pop_screen()
