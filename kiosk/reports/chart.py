"""The letters-per-hour chart as a PNG, drawn with Pillow: one stacked bar per hour, a colour
per day, whole-number ticks, a title, axis names and, for more than one day, a legend.

Event names and kiosk ids in the title are data: they are cleaned of control characters and
cut to a line, and drawn as plain text (nothing in a name is read as markup or mathematics).
Every word is set by the receipts' text drawing (:func:`kiosk.receipts.raster.text_image`):
Noto fonts with per-character fallback, Arabic joined and right-to-left text ordered by
Pillow's layout engine, in the language the chart is given (the stall's).
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

from ..i18n import DEFAULT, Language, language
from ..text import clean
from .summary import Summary, letters
from .tables import day_label, hour_span

if TYPE_CHECKING:
    from PIL import Image

TITLE_MAX = 120
SLOT = 84  # pixels an hour takes on the x axis
PLOT_HEIGHT = 320
LEFT, RIGHT, GAP = 96, 32, 12
TICKS = 5  # about this many steps on the y axis
INK, GRID, BACKGROUND = (34, 34, 34), (222, 222, 222), (255, 255, 255)
# one colour a day (a colour-blind-safe palette: Okabe and Ito), repeated after eight days
COLOURS = [(0, 114, 178), (230, 159, 0), (0, 158, 115), (204, 121, 167), (86, 180, 233), (213, 94, 0),
           (240, 228, 66), (0, 0, 0)]


def step_for(top: int) -> int:
    """A round step (1, 2 or 5 times a power of ten) giving about TICKS whole-number steps up to ``top``."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if top / (step * factor) <= TICKS:
                return step * factor
        step *= 10


def _text(words: str, width: int, *, bold: bool = False, align: str = "center") -> Image.Image:
    """``words`` set ``width`` pixels wide (wrapped when longer) as a mask: 255 where ink goes."""
    from PIL import ImageOps

    from ..receipts.raster import text_image

    return ImageOps.invert(text_image(words, max(width, 1), bold=bold, align=align).convert("L"))


def _fitted(mask: Image.Image) -> Image.Image:
    """A text mask cut to its ink (a little room kept after it), so a legend's names sit close."""
    box = mask.getbbox() or (0, 0, 0, 0)
    return mask.crop((box[0], 0, min(mask.width, box[2] + 16), mask.height))


def _rows(widths: list[int], room: int) -> list[list[int]]:
    """The indexes of ``widths`` in lines no wider than ``room`` (an item wider than a line has one of its own)."""
    rows: list[list[int]] = []
    used = room
    for i, wide in enumerate(widths):
        if used + wide > room:
            rows.append([])
            used = 0
        rows[-1].append(i)
        used += wide
    return rows


def _ink(canvas: Image.Image, mask: Image.Image, x: int, y: int, colour: tuple[int, int, int] = INK) -> None:
    canvas.paste(colour, (x, y, x + mask.width, y + mask.height), mask)


def draw_png(summary: Summary, out: IO[bytes], lang: Language | None = None) -> None:
    """Draw the chart as a PNG into ``out`` (the command writes it to its file), in ``lang``."""
    from PIL import Image, ImageDraw

    lang = lang or language(DEFAULT)
    days = sorted(summary.hours)
    every = {h: n for per_day in summary.hours.values() for h, n in per_day.items()}
    hours = [h for h, _ in hour_span(every, at_least=8)]
    totals = [sum(summary.hours[day].get(h, 0) for day in days) for h in hours]
    step = step_for(max(totals, default=0) or 1)
    top = max(step, -(-max(totals, default=0) // step) * step)
    width = LEFT + SLOT * max(len(hours), 8) + RIGHT

    title = clean(lang._("Letters per hour: {selection}").format(selection=summary.describe_scope(lang)), TITLE_MAX,
                  multiline=False)
    head = _text(f"{title} ({letters(lang, summary.total)})", width, bold=True)
    x_name = _text(lang._("Hour (stall's clock)"), width - LEFT, align="center")
    y_name = _text(lang._("Letters"), PLOT_HEIGHT).rotate(90, expand=True)
    keys = [(COLOURS[i % len(COLOURS)], _fitted(_text(day_label(day, lang, year=False), width - LEFT, align="left")))
            for i, day in enumerate(days)] if len(days) > 1 else []
    key_rows = _rows([36 + key.width for _, key in keys], width - LEFT - RIGHT)
    hour_labels = [_text(h, SLOT) for h in hours]
    label_height = max((m.height for m in hour_labels), default=0)
    key_height = max((m.height for _, m in keys), default=0)
    plot_top = head.height + GAP
    plot_bottom = plot_top + PLOT_HEIGHT
    height = plot_bottom + label_height + x_name.height + (key_height * len(key_rows) + GAP if keys else 0) + GAP

    canvas = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    _ink(canvas, head, 0, 0)
    _ink(canvas, y_name, 0, plot_top)
    scale = PLOT_HEIGHT / top
    for value in range(0, top + 1, step):  # grid lines and their figures
        y = round(plot_bottom - value * scale)
        draw.line([(LEFT, y), (width - RIGHT, y)], fill=GRID if value else INK, width=1)
        figure = _text(lang.number(value), LEFT - y_name.width - 4, align="right")
        _ink(canvas, figure, y_name.width, max(0, y - figure.height // 2))
    for i, hour in enumerate(hours):  # the bars, days stacked in date order from the bottom
        left = LEFT + i * SLOT + SLOT * 15 // 100
        right = LEFT + (i + 1) * SLOT - SLOT * 15 // 100
        bottom = 0
        for d, day in enumerate(days):
            count = summary.hours[day].get(hour, 0)
            if count:
                y0, y1 = plot_bottom - round((bottom + count) * scale), plot_bottom - round(bottom * scale)
                draw.rectangle([left, y0, right, y1 - 1], fill=COLOURS[d % len(COLOURS)])
            bottom += count
        _ink(canvas, hour_labels[i], LEFT + i * SLOT, plot_bottom + 2)
    _ink(canvas, x_name, LEFT, plot_bottom + label_height)
    y = plot_bottom + label_height + x_name.height + GAP // 2
    for row in key_rows:  # the legend: a square of the day's colour, then its name, lines as needed
        x = LEFT
        for colour, key in (keys[i] for i in row):
            draw.rectangle([x + 4, y + key.height // 2 - 8, x + 20, y + key.height // 2 + 8], fill=colour)
            _ink(canvas, key, x + 24, y)
            x += 36 + key.width
        y += key_height
    canvas.save(out, format="PNG", optimize=False)
