"""The organiser's PIN prompt, with an on-screen keypad and throttled guessing."""

from __future__ import annotations

import math

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Label

from ...application import PIN_MAX
from .base import KioskModal

KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "ok"]


class PinScreen(KioskModal):
    """Dismissed with True for the right PIN, False when cancelled. Goes home when idle."""

    FOR_ORGANISER = True

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def compose(self) -> ComposeResult:
        with Vertical(id="pin-box"):
            yield Label(self.shown(self._("Organiser PIN")), classes="screen-title")
            if self.kiosk.station.demo_pin:
                yield Label(self.shown(self._("Demo PIN: {pin}").format(pin=self.kiosk.station.demo_pin)),
                            id="demo-pin")
            yield Input(password=True, restrict=r"[0-9]*", max_length=PIN_MAX, id="pin")
            yield Label(Content(""), id="pin-status")
            with Grid(id="keypad"):
                for key in KEYS:
                    label = {"clear": self._("Clear"), "ok": self._("OK")}.get(key, key)
                    yield Button(self.shown(label), id=f"key-{key}", compact=True)
            yield Button(self.shown(self._("Cancel (Esc)")), id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#pin", Input).focus()
        self.show_wait()
        self.set_interval(1.0, self.show_wait)

    def show_wait(self) -> None:
        wait = self.kiosk.pin_guard.wait()
        field = self.query_one("#pin", Input)
        status = self.query_one("#pin-status", Label)
        if wait > 0:
            status.update(self.shown(self._("Too many wrong PINs: wait {seconds} s.").format(
                seconds=self.lang.number(math.ceil(wait)))))
            if not field.disabled:
                field.disabled = True
                # focus would move on to a button, and the next Enter would press it (Cancel closed the
                # prompt): nothing is focused while the field waits
                self.set_focus(None)
        elif field.disabled:
            field.disabled = False
            status.update(Content(""))
            field.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.attempt()

    def attempt(self) -> None:
        field = self.query_one("#pin", Input)
        pin, field.value = field.value, ""
        if not pin or self.kiosk.pin_guard.wait() > 0:
            self.show_wait()
            return
        if self.kiosk.pin_guard.try_pin(pin):
            self.dismiss(True)
            return
        self.query_one("#pin-status", Label).update(self.shown(self._("Wrong PIN.")))
        self.show_wait()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        key = (event.button.id or "").removeprefix("key-")
        field = self.query_one("#pin", Input)
        if event.button.id == "cancel":
            self.action_cancel()
        elif key == "ok":
            self.attempt()
        elif key == "clear":
            field.value = ""
        elif key.isdigit() and not field.disabled and len(field.value) < PIN_MAX:
            field.value += key

    def action_cancel(self) -> None:
        self.dismiss(False)
