"""The kiosk lock: an app with no way out but the organiser screen.

:class:`LockedApp` inherits no bindings (no ctrl+q, ctrl+c quit), has no command palette,
and every built-in action that could quit, suspend, screenshot, switch screens or change
the look is a no-op, so even a ``[@click=app.quit]`` that slipped through would do
nothing. The only way out is :meth:`LockedApp.leave`, which the organiser screen reaches
behind the PIN.
"""

from __future__ import annotations

from textual.app import App


class LockedApp(App[None], inherit_bindings=False):
    ENABLE_COMMAND_PALETTE = False

    def leave(self) -> None:
        """The one way out."""
        self.exit()

    def copy_to_clipboard(self, text: str) -> None:
        """Nothing a visitor typed is kept for the next one: no app clipboard to paste it from
        (Ctrl+V in a field), and nothing sent to the terminal's clipboard (OSC 52)."""

    async def action_quit(self) -> None:
        self.bell()

    def action_help_quit(self) -> None:
        pass

    def action_suspend_process(self) -> None:
        pass

    def action_command_palette(self) -> None:
        pass

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        pass

    def action_change_theme(self) -> None:
        pass

    def action_toggle_dark(self) -> None:
        pass

    def action_show_help_panel(self) -> None:
        pass

    async def action_simulate_key(self, key: str) -> None:
        pass

    async def action_push_screen(self, screen: str) -> None:
        pass

    async def action_switch_screen(self, screen: str) -> None:
        pass

    async def action_switch_mode(self, mode: str) -> None:
        pass

    async def action_pop_screen(self) -> None:
        pass

    async def action_back(self) -> None:
        pass

    async def action_add_class(self, selector: str, class_name: str) -> None:
        pass

    async def action_remove_class(self, selector: str, class_name: str) -> None:
        pass

    async def action_toggle_class(self, selector: str, class_name: str) -> None:
        pass
