"""The first-run assistant's app: the steps on a stack (Esc pops one), the draft they fill in, and the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.app import App
from textual.screen import Screen

from ...application import Assistant, PrinterChoice, language
from ..themes import KIOSK_THEMES, theme_names
from .draft import Draft
from .steps import DoneStep, PinStep, PrinterStep, TestStep

if TYPE_CHECKING:
    from ...application.setup import Written


@dataclass
class SetupResult:
    """What the assistant did: the file written (None: nothing), and the last fix it showed."""

    written: Written | None = None
    fix: list[str] = field(default_factory=list)


class SetupApp(App[SetupResult]):
    CSS_PATH = "../styles/setup.tcss"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, assistant: Assistant) -> None:
        super().__init__()
        self.assistant = assistant
        settings = assistant.settings
        self.lang = language(assistant.language or settings.language)
        self.draft = Draft(cases=assistant.cases_folder, allow_samples=assistant.allow_sample_cases,
                           event=assistant.event, kiosk_id=assistant.kiosk_id)
        self.scanning = False
        self.fix: list[str] = []  # the commands of the last problem shown: printed again on quitting
        for theme in KIOSK_THEMES.values():
            self.register_theme(theme)
        self.theme = settings.theme if settings.theme in theme_names() else "kiosk-dark"
        self.title = self.lang._("Kiosk set-up")

    def get_default_screen(self) -> Screen[None]:
        return PrinterStep()

    def on_mount(self) -> None:
        self.set_class(self.lang.rtl, "-rtl")

    # -- moving through the steps -------------------------------------------------------------

    def test(self, choice: PrinterChoice) -> None:
        """Print a test receipt on ``choice`` (step 2)."""
        self.draft.choice = choice
        self.push_screen(TestStep())

    def printer_ok(self) -> None:
        self.push_screen(PinStep())

    def written(self, written: Written) -> None:
        self.result = SetupResult(written, [])
        self.push_screen(DoneStep(written))

    def finish(self) -> None:
        self.exit(self.result)

    result: SetupResult | None = None

    def exit(self, result: SetupResult | None = None, return_code: int = 0, message: object = None) -> None:
        """Quit: with what was written, or nothing (and the last fix shown, to run in the terminal)."""
        if result is None:
            result = self.result or SetupResult(None, list(self.fix))
        super().exit(result, return_code, message)  # type: ignore[arg-type]
