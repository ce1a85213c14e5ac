"""Languages: the kiosk's words in the visitor's language, dates and numbers as they write them,
and right-to-left text in the order a terminal must draw it.

The words are gettext catalogues made and compiled with Babel (``kiosk/locale/<code>/
LC_MESSAGES/kiosk.po``, compiled to ``.mo`` when the package is built; ``docs/languages.md``
says how to add a language). A :class:`Language` is one language's catalogue with its
Babel locale: ``_()`` and ``ngettext()`` translate ("1 letter" / "2 letters" / Polish's
"5 listów"), :meth:`Language.date` and :meth:`Language.number` format ("25 novembre 2026",
"1 234"), and :meth:`Language.name_of` names a language in this one.

A terminal draws characters in the order it gets them and joins no Arabic letters, so text
for a screen goes through :func:`visual`: each line shaped (arabic-reshaper) and put in
visual order (python-bidi), right to left where the language is. Stored and printed text is
never changed: only what a screen shows.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DOMAIN = "kiosk"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "es", "fr", "pl", "ar")  # the shipped catalogues, in the order the picker offers them
DEFAULT = "en"
# Babel's locale for each language's dates and numbers (English writes "25 November 2026")
_LOCALES = {"en": "en_GB"}
# Each shipped language's name in itself and its direction, as Babel says them (a test checks): the
# home screen shows them at start without loading five locales' data (about 0.06 s).
OWN_NAMES = {"en": "English", "es": "Español", "fr": "Français", "pl": "Polski", "ar": "العربية"}
DIRECTIONS = {"en": "ltr", "es": "ltr", "fr": "ltr", "pl": "ltr", "ar": "rtl"}


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it (it is translated where shown)."""
    return message


def _catalogue(code: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``code``; from its ``.po`` when the ``.mo`` was not built (a
    checkout run in place), so the words are the same either way."""
    mo = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
    po = mo.with_suffix(".po")
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as f:
            return gettext.GNUTranslations(f)
    if not po.is_file():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f, locale=code, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@dataclass(frozen=True, eq=False)
class Language:
    """One language: its words, its dates and numbers, its direction."""

    code: str

    @property
    def _translations(self) -> gettext.NullTranslations:
        return _catalogue_of(self.code)

    def _(self, message: str) -> str:
        """``message`` in this language (itself when the catalogue has no translation)."""
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form for ``n`` (English has two, Polish three, Arabic six), ``{n}`` filled in."""
        return self._translations.ngettext(singular, plural, n).replace("{n}", self.number(n))

    @property
    def locale(self) -> str:
        return _LOCALES.get(self.code, self.code)

    @property
    def rtl(self) -> bool:
        """Written right to left (Arabic)."""
        return _direction(self.code) == "rtl"

    @property
    def name(self) -> str:
        """The language's name in itself, as a picker shows it: "Français", "العربية"."""
        if self.code in OWN_NAMES:
            return OWN_NAMES[self.code]
        from babel import Locale

        name = Locale.parse(self.code).get_display_name(self.code) or self.code
        return name[:1].upper() + name[1:]

    def name_of(self, code: str) -> str:
        """The name of language ``code`` in this language, as in a sentence ("polaco" for pl, in Spanish)."""
        from babel import Locale

        return str(Locale.parse(self.locale).languages.get(code) or code)

    def date(self, day: dt.date) -> str:
        """A day as this language writes it in full: "25 November 2026", "25 novembre 2026"."""
        from babel.dates import format_date

        return format_date(day, "long", locale=self.locale)

    def number(self, n: float) -> str:
        """A number with this language's grouping: "1,234", "1 234" (a plain space: receipts print it as text)."""
        if type(n) is int and 0 <= n < 1000 and self.code in OWN_NAMES:
            return str(n)  # as Babel writes it in every shipped language (a test checks): no locale data at start
        from babel.numbers import format_decimal

        return format_decimal(n, locale=self.locale).replace("\u202f", " ").replace("\xa0", " ")


@cache
def _catalogue_of(code: str) -> gettext.NullTranslations:
    return _catalogue(code)


@cache
def _direction(code: str) -> str:
    if code in DIRECTIONS:
        return DIRECTIONS[code]
    from babel import Locale

    return str(Locale.parse(code).text_direction)


@cache
def language(code: str) -> Language:
    """The language ``code`` (one of LANGUAGES, or any Babel knows: then its words are English)."""
    return Language(code)


def check_language(code: str) -> str:
    """``code`` if the kiosk has a catalogue for it; ValueError saying which it has."""
    if code not in LANGUAGES:
        raise ValueError(f"{code!r} is not one of the kiosk's languages: {', '.join(LANGUAGES)}")
    return code


# -- right to left, for a terminal ---------------------------------------------------------------


def has_rtl(text: str) -> bool:
    """Whether ``text`` holds a right-to-left letter (Arabic, Hebrew ...)."""
    import unicodedata

    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def visual(text: str, *, rtl: bool | None = None) -> str:
    """``text`` as a terminal without bidi support must draw it: each line's Arabic letters
    joined (their presentation forms) and the line put in visual order. ``rtl``: the
    paragraph's direction (None: from its first strong letter). Text with no right-to-left
    letter in a left-to-right paragraph is returned as it is. Any text is drawn, never a crash:
    a line python-bidi's reference algorithm cannot order takes its other algorithm."""
    if not rtl and not has_rtl(text):
        return text
    import arabic_reshaper

    base = None if rtl is None else ("R" if rtl else "L")
    return "\n".join(_line(arabic_reshaper.reshape(line), base) if line else line for line in text.split("\n"))


def _line(line: str, base: str | None) -> str:
    """One line in visual order, its right-to-left brackets mirrored (rule L4). python-bidi's
    own algorithm pairs brackets as Unicode 6.3 does (rule N0) but mirrors none; its reference
    algorithm mirrors but pairs none. A line whose brackets pair up (``(fictional)``) takes the
    first, its pairs turned back (:func:`_mirrored`); a line with a bracket whose pair is on
    another line (a paragraph wrapped inside one) takes the second."""
    if all(line.count(open_) == line.count(close) for open_, close in _PAIRS.items()):
        from bidi import get_display

        return _mirrored(get_display(line, base_dir=base))
    from bidi.algorithm import get_display as reference

    try:
        return str(reference(line, base_dir=base))
    except AssertionError:  # its own check fails on some unassigned code points beside Arabic
        from bidi import get_display

        return str(get_display(line, base_dir=base))


_PAIRS = {"(": ")", "[": "]", "{": "}", "<": ">", "«": "»", "‹": "›"}
_OPENS = {close: open_ for open_, close in _PAIRS.items()}


def _mirrored(line: str) -> str:
    """A reordered line with the brackets of its right-to-left runs mirrored (rule L4): such a
    pair arrives turned round, its closing bracket first (")text("), and is turned back."""
    chars = list(line)
    for open_, close in _PAIRS.items():
        opened: list[int] = []
        stray_closes: list[int] = []  # closing brackets before any opening one: turned round
        for i, ch in enumerate(chars):
            if ch == open_:
                if stray_closes:
                    j = stray_closes.pop()
                    chars[j], chars[i] = open_, close
                else:
                    opened.append(i)
            elif ch == close:
                if opened:
                    opened.pop()
                else:
                    stray_closes.append(i)
    return "".join(chars)
