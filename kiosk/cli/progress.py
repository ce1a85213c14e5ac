"""A progress bar for the organiser's long commands (merge, exports, report, purge, sync).

The work below the command line reports how far it is through a *tick*: a callable taking
``(done, total)``, the total being ``None`` while it is not known. :func:`progress` gives the
command that tick. On a terminal (standard error is one) a bar appears once the work has
taken about a second, drawn by rich and gone when the work ends; when standard error is a
pipe or a file, or the work is quick, nothing at all is written, and rich is never imported.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..text import for_terminal
from .base import error_console, error_is_terminal

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

Tick = Callable[[int, "int | None"], None]
SHOW_AFTER = 1.0  # seconds: quicker work draws no bar
EVERY = 0.1  # seconds between two redraws of a bar that is shown


class _Bar:
    """One bar, drawn only when due: standard error is a terminal and the work has run long."""

    def __init__(self, label: str, *, show_after: float) -> None:
        self.label = for_terminal(label)  # a file name in a label is data: made safe for the terminal
        self.started = time.monotonic()
        self.show_after = show_after
        self.next_draw = 0.0
        self.drawn: Progress | None = None
        self.task: TaskID | None = None

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now < self.next_draw or now - self.started < self.show_after:
            return
        self.next_draw = now + EVERY
        if self.drawn is None:
            self._start()
        assert self.drawn is not None and self.task is not None
        self.drawn.update(self.task, completed=done, total=total)

    def _start(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        label = self.label.replace("{", "{{").replace("}", "}}")  # rich formats the column's text
        self.drawn = Progress(TextColumn(label, markup=False), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                              console=error_console(), transient=True)
        self.drawn.start()
        self.task = self.drawn.add_task("", total=None)

    def close(self) -> None:
        if self.drawn is not None:
            self.drawn.stop()


def _nothing(done: int, total: int | None) -> None:
    """The tick of a command whose standard error is no terminal: nothing to draw."""


@contextmanager
def progress(label: str, *, show_after: float = SHOW_AFTER) -> Iterator[Tick]:
    """The tick for one long piece of work labelled ``label`` (for example "Merging"):
    a bar on a terminal once the work has taken ``show_after`` seconds, nothing otherwise."""
    if not error_is_terminal():
        yield _nothing
        return
    bar = _Bar(label, show_after=show_after)
    try:
        yield bar
    finally:
        bar.close()
