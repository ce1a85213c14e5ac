"""What the kiosk's screens and its print worker tell the app, as Textual messages.

Screens post these and the app handles them (a screen's messages bubble up to the app),
so no screen imports the app module: the screens sit below the app, and the app decides
what happens next. The worker's messages go the other way: they carry a letter's progress
back to the app, and an organiser task's result back to the screen that asked for it.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from textual.message import Message

from ..application import ConsentChoice, Letter, Outcome, Signature


class OpenCase(Message):
    """A visitor picked a case."""

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id


class OpenForm(Message):
    """A visitor chose to sign the appeal or send a postcard."""

    def __init__(self, case_id: str, kind: str) -> None:
        super().__init__()
        self.case_id, self.kind = case_id, kind


class PrintLetter(Message):
    """A visitor pressed Print on a checked letter."""

    def __init__(self, letter: Letter) -> None:
        super().__init__()
        self.letter = letter


class GoHome(Message):
    """Back to the home screen, every screen above it discarded (Done, Lock)."""


class SignAnother(Message):
    """A visitor's letter is done and they write for another case: home, their language and the name
    (and place) they signed ``letter`` with kept for their next form, until they finish."""

    def __init__(self, letter: Letter) -> None:
        super().__init__()
        self.letter = letter


class OpenOrganiser(Message):
    """The Organiser button: ask for the PIN."""


class QuitKiosk(Message):
    """The organiser's Quit kiosk: the one way out."""


class SwitchCase(Message):
    """The organiser switched a case on or off for this kiosk."""

    def __init__(self, case_id: str, enabled: bool) -> None:
        super().__init__()
        self.case_id, self.enabled = case_id, enabled


class ReloadCases(Message):
    """The organiser asked to read the cases folder again."""


class CasesReloaded(Message, bubble=False):
    """The cases folder was read again, with the problems found: sent to the screen that asked."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__()
        self.problems = problems


class Task(Enum):
    """Printer work the organiser screen asks for; it runs in the app's worker."""

    CHECK = "check"
    TEST_PRINT = "test-print"
    RETRY = "retry"
    REPRINT = "retry-interrupted"
    TALLY = "tally"
    RELEASE = "release"  # a held letter the organiser chose to print


class RunTask(Message):
    """Run ``job`` in the app's worker (printer work can take seconds); it returns the line
    to show when it is done."""

    def __init__(self, task: Task, job: Callable[[], str]) -> None:
        super().__init__()
        self.task, self.job = task, job


class TaskDone(Message, bubble=False):
    """An organiser task finished in the worker (its line, or its error): sent to the screen that asked."""

    def __init__(self, task: Task, line: str | None = None, error: str | None = None) -> None:
        super().__init__()
        self.task, self.line, self.error = task, line, error


class Recorded(Message):
    """The worker committed the letter."""

    def __init__(self, letter: Letter, signature: Signature) -> None:
        super().__init__()
        self.letter, self.signature = letter, signature


class NotRecorded(Message):
    """The worker could not commit the letter: nothing was saved."""

    def __init__(self, letter: Letter, error: str) -> None:
        super().__init__()
        self.letter, self.error = letter, error


class Printed(Message):
    """The worker is done with the letter: printed, or its job waits for a volunteer. ``outcome``
    is None when nothing was sent to the printer: the letter is held for a volunteer to decide
    (``signature.held``), or it is the letter recorded a moment ago (``signature.repeat``, a
    double press), which prints once."""

    def __init__(self, letter: Letter, signature: Signature, outcome: Outcome | None) -> None:
        super().__init__()
        self.letter, self.signature, self.outcome = letter, signature, outcome


class AskContact(Message):
    """A visitor said yes to hearing from us: ask for their address."""

    def __init__(self, letter: Letter, signature: Signature) -> None:
        super().__init__()
        self.letter, self.signature = letter, signature


class ConsentAnswered(Message):
    """A visitor answered (yes with an address, or no): record it with their letter."""

    def __init__(self, letter: Letter, signature: Signature, answer: ConsentChoice) -> None:
        super().__init__()
        self.letter, self.signature, self.answer = letter, signature, answer


class ConsentSkipped(Message):
    """A visitor left the question unanswered (Esc): nothing is recorded, the visit goes on to thanks."""

    def __init__(self, letter: Letter, signature: Signature) -> None:
        super().__init__()
        self.letter, self.signature = letter, signature


class ConsentRecorded(Message):
    """The worker committed the answer, or could not (``error``): the visit goes on to thanks."""

    def __init__(self, letter: Letter, signature: Signature, answer: ConsentChoice, error: str | None = None) -> None:
        super().__init__()
        self.letter, self.signature, self.answer, self.error = letter, signature, answer, error


class ChooseLanguage(Message):
    """A visitor chose the language of their visit."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code


class SyncNow(Message):
    """The organiser asked for a sync now (whatever the back-off says)."""


class SyncDone(Message):
    """The app's sync worker finished one sync: its report's line, or why it failed, and how
    long to wait before the next."""

    def __init__(self, line: str | None, error: str | None, wait: float, cases_taken: bool = False) -> None:
        super().__init__()
        self.line, self.error, self.wait, self.cases_taken = line, error, wait, cases_taken


class SyncShown(Message, bubble=False):
    """Sync state changed (a sync started or ended): sent to the organiser screen to draw it again."""

    def __init__(self, running: bool) -> None:
        super().__init__()
        self.running = running
