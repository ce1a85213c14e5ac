"""The receipt layout model: styled text blocks, rules, QR codes, images, feeds and cuts."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ..text import sanitize

if TYPE_CHECKING:
    from PIL import Image as PILImage  # the receipts' images come from Pillow, loaded where they are drawn

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Paper:
    """Printable width in dots and in characters of the printer's font A."""

    dots: int
    columns: int

    @property
    def mm(self) -> int:
        return 58 if self.dots <= 384 else 80


@dataclass(frozen=True)
class Text:
    text: str
    align: Align = "left"
    bold: bool = False
    large: bool = False

    def __post_init__(self) -> None:
        # Every text block is cleaned once, here: nothing uncleaned reaches a renderer.
        object.__setattr__(self, "text", sanitize(self.text))

    def columns(self, paper: Paper) -> int:
        return paper.columns // 2 if self.large else paper.columns

    def lines(self, paper: Paper) -> list[str]:
        """The text wrapped at the paper's column width; long words are broken, never cut off."""
        width = self.columns(paper)
        out: list[str] = []
        for para in self.text.split("\n"):
            if len(para) <= width:
                out.append(para.rstrip())  # fits: keep its spacing (rulers, indents)
                continue
            out.extend(textwrap.wrap(para, width=width, break_long_words=True, break_on_hyphens=False) or [""])
        return out


@dataclass(frozen=True)
class Rule:
    char: str = "-"


@dataclass(frozen=True)
class QR:
    data: str
    caption: str = ""


@dataclass(frozen=True)
class Image:
    image: PILImage.Image = field(compare=False)


@dataclass(frozen=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True)
class Cut:
    pass


Block = Text | Rule | QR | Image | Feed | Cut


@dataclass(frozen=True)
class Receipt:
    name: str  # a short file-name-safe name, e.g. "appeal-0042"
    blocks: tuple[Block, ...]
