"""Rendering a receipt to ESC/POS bytes with python-escpos.

The receipt is rendered into python-escpos's ``Dummy`` printer with the set-up's capability
profile; the bytes are then sent to the real device in one piece (see ``devices``).

- Text the profile's code pages can encode is sent as text (python-escpos picks the code
  page); text they cannot (Arabic, CJK, emoji, ...), or right-to-left text that a printer
  would print backwards and unshaped, is drawn with Pillow and sent as a raster image.
- QR codes use the printer's native command when the profile has one, else a raster image.
- Paper is cut where the profile has a cutter, otherwise fed to the tear bar.
"""

from __future__ import annotations

import unicodedata
from functools import cache, lru_cache
from typing import Any

from ..receipts.model import QR, Cut, Feed, Image, Receipt, Rule, Text
from ..receipts.qr import module_dots
from ..receipts.raster import centered, qr_image, text_image
from .escpos_lib import Encoder, get_profile, printers, profile_for
from .setups import Setup


@cache
def _encoder(profile: str) -> Encoder:
    return Encoder(get_profile(profile).get_code_pages())


@lru_cache(maxsize=65536)
def _char_ok(profile: str, ch: str) -> bool:
    if ord(ch) < 128:
        return ch == "\n" or ch.isprintable()
    if unicodedata.bidirectional(ch) in ("R", "AL", "AN") or unicodedata.combining(ch):
        return False
    encoder = _encoder(profile)
    for encoding in encoder.codepages:
        try:
            if encoder.can_encode(encoding, ch):
                return True
        except (KeyError, ValueError):
            continue  # a code page python-escpos lists but cannot map
    return False


def printable_as_text(profile: str, text: str) -> bool:
    """True when the printer can print ``text`` from its own code pages, as it reads."""
    return all(_char_ok(profile, ch) for ch in text)


def new_printer(setup: Setup) -> Any:
    """A python-escpos Dummy printer with the set-up's profile and paper width."""
    p = printers.Dummy(profile=setup.profile)
    p.profile = profile_for(setup.profile, setup.paper.dots)
    return p


class _Style:
    """Sends a style command only when the style changes (INIT leaves left, normal, not bold)."""

    def __init__(self, p: Any) -> None:
        self.p = p
        self.align, self.bold, self.large = "left", False, False

    def __call__(self, align: str = "left", bold: bool = False, large: bool = False) -> None:
        changes: dict[str, str | bool] = {}
        if align != self.align:
            changes["align"] = align
        if bold != self.bold:
            changes["bold"] = bold
        if large != self.large:
            changes.update(double_width=large, double_height=large, normal_textsize=not large)
        if changes:
            self.p.set(**changes)
        self.align, self.bold, self.large = align, bold, large


def render_bytes(receipt: Receipt, setup: Setup) -> bytes:
    paper = setup.paper
    p = new_printer(setup)
    p.hw("INIT")
    p.magic.encoding = None  # after INIT the printer is back on its default code page: re-send ours
    style = _Style(p)

    def text(block: Text) -> None:
        if printable_as_text(setup.profile, block.text):
            style(block.align, block.bold, block.large)
            for line in block.lines(paper):
                p.textln(line)
        else:
            p.image(text_image(block.text, paper.dots, bold=block.bold, large=block.large, align=block.align))

    for block in receipt.blocks:
        if isinstance(block, Text):
            text(block)
        elif isinstance(block, Rule):
            style()
            p.textln(block.char * paper.columns)
        elif isinstance(block, QR):
            if setup.native_qr:
                style("center")
                p.qr(block.data, native=True, size=module_dots(block.data, paper.dots))
                p.ln()
            else:
                p.image(centered(qr_image(block.data, box=module_dots(block.data, paper.dots)), paper.dots))
            if block.caption:
                text(Text(block.caption, align="center"))
        elif isinstance(block, Image):
            p.image(centered(block.image, paper.dots))
        elif isinstance(block, Feed):
            p.ln(block.lines)
        elif isinstance(block, Cut):
            if setup.cutter:
                p.cut(mode=setup.cutter)
            else:
                p.ln(4)  # no cutter: feed the paper past the tear bar
    output: bytes = p.output
    return output
