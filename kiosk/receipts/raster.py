"""Drawing receipts with Pillow: text in any script, and the PNG preview.

Text is set in Noto fonts with per-character fallback (Latin/Cyrillic/Greek, then Arabic,
Hebrew, the Indic and South-East Asian scripts, symbols, monochrome emoji, and CJK). Pillow's
raqm layout shapes Arabic and orders right-to-left text. Images are 1-bit, as wide as the
paper in dots, ready for a thermal printer.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont, features

from .model import QR, Cut, Feed, Paper, Receipt, Rule, Text
from .model import Image as ImageBlock
from .qr import MAX_MODULE, QUIET_ZONE, module_dots

FONT_PX = 24  # font A on a 203 dpi printer is 12x24 dots
LARGE_PX = 44
LINE_GAP = 1.55  # line height, in font sizes: room for Arabic and Devanagari marks
BASELINE = 1.12  # baseline below the top of a line, in font sizes
MARGIN = 4


@lru_cache(maxsize=1)
def _font_files() -> tuple[tuple[Path, int], ...]:
    import manimgx_fonts
    import manimgx_fonts_cjk

    base = Path(manimgx_fonts.__file__).parent
    names = [
        "NotoSans[wght].ttf",
        "NotoSansArabic[wght].ttf",
        "NotoSansHebrew[wght].ttf",
        "NotoSansArmenian[wght].ttf",
        "NotoSansGeorgian[wght].ttf",
        "NotoSansEthiopic[wght].ttf",
        "NotoSansDevanagari[wght].ttf",
        "NotoSansBengali[wght].ttf",
        "NotoSansGurmukhi[wght].ttf",
        "NotoSansGujarati[wght].ttf",
        "NotoSansOriya[wght].ttf",
        "NotoSansTamil[wght].ttf",
        "NotoSansTelugu[wght].ttf",
        "NotoSansKannada[wght].ttf",
        "NotoSansMalayalam[wght].ttf",
        "NotoSansSinhala[wght].ttf",
        "NotoSansThai[wght].ttf",
        "NotoSansLao[wght].ttf",
        "NotoSansKhmer[wght].ttf",
        "NotoSansMyanmar[wght].ttf",
        "NotoSansSymbols[wght].ttf",
        "NotoEmoji[wght].ttf",
    ]
    files = [(base / n, 0) for n in names if (base / n).exists()]
    # Noto Sans CJK: index 2 of the collection is the Simplified Chinese face.
    files.append((Path(manimgx_fonts_cjk.__file__).parent / "NotoSansCJK-VF.otf.ttc", 2))
    return tuple(files)


@cache
def _cmap(index: int) -> frozenset[int]:
    from fontTools.ttLib import TTCollection, TTFont

    path, number = _font_files()[index]
    if path.suffix == ".ttc":
        font = TTCollection(str(path), lazy=True).fonts[number]
    else:
        font = TTFont(str(path), lazy=True)
    return frozenset(font.getBestCmap())


@cache
def _font(index: int, px: int, bold: bool) -> ImageFont.FreeTypeFont:
    path, number = _font_files()[index]
    engine = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    font = ImageFont.truetype(str(path), px, index=number, layout_engine=engine)
    try:
        axes = font.get_variation_axes()
    except OSError:
        return font  # not a variable font: use it as it is
    values: list[float] = []
    for axis in axes:
        low, high, default = (float(axis[k] or 0) for k in ("minimum", "maximum", "default"))
        weight = axis.get("name") in (b"Weight", "Weight")
        values.append(max(low, min(high, 700 if bold else 400)) if weight else default)
    font.set_variation_by_axes(values)
    return font


def _joins(ch: str) -> bool:
    """Characters that belong to the run before them (marks, joiners, variation selectors)."""
    return unicodedata.category(ch) in ("Mn", "Me", "Mc", "Cf") or "\ufe00" <= ch <= "\ufe0f"


def font_runs(text: str) -> list[tuple[int, str]]:
    """Split text into runs, each drawn in the first font of the chain that has its glyphs.

    Marks, joiners and variation selectors stay with the run before them; spaces, digits
    and punctuation stay in the current font when it has them, so runs stay long.
    """
    runs: list[tuple[int, str]] = []
    count = len(_font_files())
    for ch in text:
        if runs:
            current, run = runs[-1]
            if _joins(ch) or (not ch.isalpha() and ord(ch) in _cmap(current)):
                runs[-1] = (current, run + ch)
                continue
        pick = _pick(ord(ch), count)
        if runs and runs[-1][0] == pick:
            runs[-1] = (pick, runs[-1][1] + ch)
        else:
            runs.append((pick, ch))
    return runs


@lru_cache(maxsize=4096)
def _pick(cp: int, count: int) -> int:
    for i in range(count):
        if cp in _cmap(i):
            return i
    return 0  # nothing has it: Noto Sans draws its missing-glyph box, never a '?'


def is_rtl(text: str) -> bool:
    """True when the first strongly directional character is right-to-left."""
    for ch in text:
        d = unicodedata.bidirectional(ch)
        if d in ("R", "AL"):
            return True
        if d == "L":
            return False
    return False


@dataclass(frozen=True)
class _Style:
    px: int
    bold: bool


def _run_width(index: int, run: str, style: _Style, direction: str | None) -> float:
    return _font(index, style.px, style.bold).getlength(run, direction=direction) if run else 0.0


def _line_width(line: str, style: _Style) -> float:
    direction = "rtl" if is_rtl(line) else "ltr"
    return sum(_run_width(i, run, style, direction) for i, run in font_runs(line))


def _wrap(paragraph: str, width: float, style: _Style) -> list[str]:
    words = paragraph.split(" ")
    lines: list[str] = []
    line = ""
    for word in words:
        candidate = f"{line} {word}" if line else word
        if _line_width(candidate, style) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        # A word wider than the paper is broken between characters, never cut off.
        for ch in word:
            if line and _line_width(line + ch, style) > width:
                lines.append(line)
                line = ""
            line += ch
    lines.append(line)
    return lines


def text_image(text: str, width: int, *, bold: bool = False, large: bool = False, align: str = "left") -> Image.Image:
    """Draw text, wrapped to ``width`` dots, as a 1-bit image ``width`` dots wide."""
    style = _Style(LARGE_PX if large else FONT_PX, bold)
    usable = width - 2 * MARGIN
    lines: list[tuple[str, bool]] = []
    for para in text.split("\n"):
        rtl = is_rtl(para)  # the paragraph's first strong character sets its direction
        lines.extend((line, rtl) for line in _wrap(para, usable, style))
    line_h = int(style.px * LINE_GAP)
    img = Image.new("L", (width, max(1, line_h * len(lines))), 255)
    draw = ImageDraw.Draw(img)
    for row, (line, rtl) in enumerate(lines):
        direction = "rtl" if rtl else "ltr"
        runs = font_runs(line)
        total = sum(_run_width(i, r, style, direction) for i, r in runs)
        where = align
        if rtl and align == "left":
            where = "right"  # a right-to-left paragraph starts at the right edge
        x = {"left": MARGIN, "center": (width - total) / 2, "right": width - MARGIN - total}[where]
        y = row * line_h + int(style.px * BASELINE)
        for i, run in reversed(runs) if rtl else runs:
            font = _font(i, style.px, style.bold)
            draw.text((x, y), run, font=font, fill=0, direction=direction, anchor="ls")
            x += _run_width(i, run, style, direction)
    return img.point(lambda v: 0 if v < 160 else 255, mode="1")


def qr_image(data: str, box: int = MAX_MODULE) -> Image.Image:
    """A QR code as a 1-bit image, with the quiet zone the standard asks for."""
    code = qrcode.QRCode(box_size=box, border=QUIET_ZONE, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    return code.make_image().get_image().convert("1")


def centered(img: Image.Image, width: int) -> Image.Image:
    """Place an image in the middle of a paper-wide white strip (shrinking it if too wide)."""
    if img.width > width:
        img = img.resize((width, max(1, img.height * width // img.width)))
    strip = Image.new("1", (width, img.height), 1)
    strip.paste(img.convert("1"), ((width - img.width) // 2, 0))
    return strip


def render_png(receipt: Receipt, paper: Paper) -> Image.Image:
    """The whole receipt as the paper would show it, for a preview."""
    parts: list[Image.Image] = []
    line_h = int(FONT_PX * LINE_GAP)
    for block in receipt.blocks:
        if isinstance(block, Text):
            parts.append(text_image(block.text, paper.dots, bold=block.bold, large=block.large, align=block.align))
        elif isinstance(block, Rule):
            strip = Image.new("1", (paper.dots, line_h), 1)
            d = ImageDraw.Draw(strip)
            if block.char == "_":
                d.line([(MARGIN, line_h - 3), (paper.dots - MARGIN, line_h - 3)], fill=0, width=2)
            else:
                for x in range(MARGIN, paper.dots - MARGIN, 12):
                    d.line([(x, line_h // 2), (x + 7, line_h // 2)], fill=0, width=2)
            parts.append(strip)
        elif isinstance(block, QR):
            parts.append(centered(qr_image(block.data, box=module_dots(block.data, paper.dots)), paper.dots))
            if block.caption:
                parts.append(text_image(block.caption, paper.dots, align="center"))
        elif isinstance(block, ImageBlock):
            parts.append(centered(block.image, paper.dots))
        elif isinstance(block, Feed):
            parts.append(Image.new("1", (paper.dots, line_h * block.lines), 1))
        elif isinstance(block, Cut):
            strip = Image.new("1", (paper.dots, line_h), 1)
            d = ImageDraw.Draw(strip)
            for x in range(0, paper.dots, 8):
                d.point([(x, line_h // 2), (x + 1, line_h // 2)], fill=0)
            parts.append(strip)
    height = sum(p.height for p in parts) + 2 * MARGIN
    page = Image.new("1", (paper.dots, height), 1)
    y = MARGIN
    for part in parts:
        page.paste(part, (0, y))
        y += part.height
    return page
