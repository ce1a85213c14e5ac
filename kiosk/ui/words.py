"""Text on the kiosk's screens in any language: a terminal draws characters in the order it
gets them and has no bidi, so right-to-left text is wrapped first, then each line is put in
visual order with its Arabic letters joined (:func:`kiosk.application.visual`).

:func:`shown` is the one way a screen turns a line of words into what it shows (as
:class:`Content`, never markup), and :func:`cell` a table's cell; :class:`Paragraph` is text
that wraps: in a right-to-left language, or holding right-to-left letters, it wraps at its
width itself and turns each line round, aligned to the right where the language reads from
the right. Stored and printed text is never changed: only what is drawn.
"""

from __future__ import annotations

import textwrap

from rich.text import Text
from textual.content import Content
from textual.geometry import Size
from textual.widgets import Static

from ..application import has_rtl, visual


def shown(text: str, *, rtl: bool = False, bidi: bool = True) -> Content:
    """A line (or a few) of words as a screen draws them: in visual order where they read from
    the right (``rtl``: the language does), as text, never markup."""
    if bidi and (rtl or has_rtl(text)):
        text = visual(text, rtl=rtl or None)
    return Content(text)


def cell(text: str, *, rtl: bool = False, bidi: bool = True) -> Text:
    """A table's cell as a screen draws it: in visual order where it reads from the right, as
    rich :class:`Text` (a DataTable takes it as it is; a plain string would be read as markup)."""
    return Text(shown(text, rtl=rtl, bidi=bidi).plain)


class Paragraph(Static):
    """Words that wrap at the widget's width. Left-to-right text is Textual's to wrap; text in a
    right-to-left language, or holding right-to-left letters, is wrapped here first, then each
    line is turned round (and set to the right in a right-to-left language)."""

    def __init__(self, text: str = "", *, rtl: bool = False, bidi: bool = True, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.text, self.rtl, self.bidi = text, rtl, bidi
        self._set()

    @property
    def turned(self) -> bool:
        """Whether this text is wrapped and turned round here, not by Textual."""
        return self.bidi and (self.rtl or has_rtl(self.text))

    def set_text(self, text: str) -> None:
        self.text = text
        self._set()

    def _set(self) -> None:
        if self.turned:
            self.refresh(layout=True)
        else:
            self.update(Content(self.text))

    def _lines(self, width: int) -> list[str]:
        width = max(width, 1)
        lines: list[str] = []
        for paragraph in self.text.split("\n"):
            wrapped = textwrap.wrap(paragraph, width, break_long_words=True, break_on_hyphens=False) or [""]
            for line in wrapped:
                line = visual(line, rtl=self.rtl or None)
                lines.append(line.rjust(width) if self.rtl else line)
        return lines

    def render(self) -> Content:
        if not self.turned:
            return super().render()  # type: ignore[return-value]
        return Content("\n".join(self._lines(self.content_size.width or 80)))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not self.turned:
            return super().get_content_height(container, viewport, width)
        return len(self._lines(width))
