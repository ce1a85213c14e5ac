"""Cleaning of visitor and organiser text before it is stored, shown or printed.

Every string that reaches a printer passes through :func:`clean`: it is NFC-normalised,
stripped of control characters (C0 except newline, DEL, C1), of bidirectional override
and isolate controls, of lone surrogates and of non-characters, and limited in length.
A name such as ``"Bob\\x1bi\\x1bp\\x00"`` becomes ``"Bobip"``: plain text, never a cut,
a drawer kick or a code-page switch.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from .errors import InputError

# Limits for what a visitor types. Checked with a clear message by validate_*; clean()
# truncates as a last line of defence for anything else.
NAME_MAX = 80
MESSAGE_MAX = 500
EVENT_MAX = 60
PLACE_MAX = 60  # a signer's town or country, printed under an appeal's signature
KIOSK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")

# C0 controls except LF, DEL, C1 controls.
_CONTROL = "".join(chr(c) for c in [*range(0x0A), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0)])
# Bidi embeddings/overrides/isolates (they can reorder a printed line), the line and
# paragraph separators, and the byte-order mark.
_FORMAT = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029\ufeff"
_DROP = re.compile(f"[{re.escape(_CONTROL)}{_FORMAT}\ufdd0-\ufdef\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def sanitize(text: str) -> str:
    """Return ``text`` safe for a printer and a screen, its spacing kept.

    Tabs and CR are turned into spaces/newlines first, so that a pasted message keeps its
    shape; then it is NFC-normalised and control and format characters are removed.
    """
    # Lone surrogates cannot be encoded anywhere: drop them before anything else.
    text = _SURROGATE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    # Controls go before normalising: "A\b" + an accent becomes "Á" once, so that cleaning twice
    # (on recording, again in the store or on a merge) gives what cleaning once gave.
    return unicodedata.normalize("NFC", _DROP.sub("", text))


def clean(text: str, limit: int | None = None, *, multiline: bool = True) -> str:
    """:func:`sanitize`, then tidy: runs of spaces folded, lines trimmed, length limited."""
    text = sanitize(text)
    if not multiline:
        text = text.replace("\n", " ")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines).strip("\n")
    text = re.sub(r"\n{3,}", "\n\n", text)
    if limit is not None and len(text) > limit:
        text = text[:limit].rstrip()
    return text


# What clean() never leaves: what sanitize() drops or turns, and any white space but " " and "\n".
_NOT_CLEAN = re.compile(
    f"[{re.escape(_CONTROL)}{_FORMAT}\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_EDGES = frozenset(" \n")


def all_clean(texts: list[str], *, multiline: bool = True) -> bool:
    """Whether each of ``texts`` is already what :func:`clean` makes of it (``clean(t, multiline=...)
    == t``), checked in a few passes over them all rather than cleaning each: for text cleaned
    before, as a cache keeps it. Never True for text clean() would change; it may be False for a
    rare clean text (one with an Ogham space mark), which is then cleaned the slow way."""
    if any(t[:1] in _EDGES or t[-1:] in _EDGES for t in texts):
        return False  # clean() trims each text, and each of its lines
    if not multiline and any("\n" in t for t in texts):
        return False
    joined = "\n".join(t for t in texts if t)  # "\n" neither joins with, nor reorders, what is either side
    return (not any(bad in joined for bad in ("  ", " \n", "\n ", "\n\n\n"))
            and _NOT_CLEAN.search(joined) is None and unicodedata.is_normalized("NFC", joined))


def too_long(field: str, length: int, limit: int) -> InputError:
    return InputError(f"{length} characters, at most {limit} allowed", field=field, reason="too_long")


# Letters that print as nothing: Hangul and halfwidth fillers, the blank braille pattern.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def visible(text: str) -> bool:
    """Whether ``text`` shows anything on paper: a letter, digit, punctuation or symbol that is
    not a blank filler (zero-width and format characters, spaces and lone marks show nothing)."""
    return any(unicodedata.category(ch)[0] in "LNPS" and ch not in _BLANK_LETTERS for ch in text)


# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt): characters a program shows
# as nothing at all when it cannot handle them (soft hyphen, joiners and zero-width spaces, bidi
# marks, variation selectors, Hangul fillers, tags ...). The one list: addresses refuse them,
# and an address field drops them as they are typed (kiosk.emails).
_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff]"
)


def without_ignorables(text: str) -> str:
    """``text`` without Unicode's default-ignorable code points: what remains is what shows."""
    return _IGNORABLE.sub("", text)


def _one_line(value: str, field: str, limit: int) -> str:
    cleaned = clean(value, multiline=False)
    if not visible(cleaned):  # a name of zero-width spaces would print a blank signature
        raise InputError("must not be empty", field=field, reason="empty")
    if len(cleaned) > limit:
        raise too_long(field, len(cleaned), limit)
    return cleaned


def validate_name(name: str) -> str:
    """Clean a visitor's name; InputError when it is empty or too long."""
    return _one_line(name, "name", NAME_MAX)


def validate_place(place: str | None) -> str:
    """Clean a signer's town or country (optional: "" when none); InputError when too long."""
    cleaned = clean(place or "", multiline=False)
    if not visible(cleaned):
        return ""
    if len(cleaned) > PLACE_MAX:
        raise too_long("place", len(cleaned), PLACE_MAX)
    return cleaned


def name_key(name: str) -> str:
    """How two names are compared (one person's letters): Unicode NFKC, case folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", clean(name or "", multiline=False)).casefold().split())


def validate_message(message: str | None) -> str:
    """Clean a visitor's message (may be empty); InputError when too long."""
    cleaned = clean(message or "")
    if len(cleaned) > MESSAGE_MAX:
        raise too_long("message", len(cleaned), MESSAGE_MAX)
    return cleaned


def validate_event(event: str) -> str:
    """An event name: one clean line, 1 to EVENT_MAX characters."""
    return _one_line(event, "event", EVENT_MAX)


def validate_kiosk_id(kiosk_id: str) -> str:
    """A kiosk id: letters, digits, '.', '_' and '-', up to 32; it names files and references."""
    if not KIOSK_ID.fullmatch(kiosk_id or ""):
        raise InputError(f"{kiosk_id!r} must be 1-32 letters, digits, '.', '_' or '-'", field="kiosk_id")
    return kiosk_id


def reflow(text: str) -> str:
    """Paragraphs for a screen: lines broken for a file's readability are joined again."""
    return "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip())


# -- text leaving the kiosk: to a terminal, to a spreadsheet ------------------------------

# Characters a terminal acts on or that change how a line reads, besides the controls
# (category Cc) and lone surrogates: bidi marks, embeddings, overrides and isolates, the
# line and paragraph separators, invisible separators and interlinear annotations.
_TERMINAL_FORMAT = frozenset(
    "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2028\u2029\u2060\u2061\u2062\u2063\u2064"
    "\u2066\u2067\u2068\u2069\u206a\u206b\u206c\u206d\u206e\u206f\ufeff\ufff9\ufffa\ufffb"
)


_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _visible(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (a file name, an argument): the byte itself
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_TERMINAL_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff" + "".join(sorted(_TERMINAL_FORMAT)) + "]"
)


def for_terminal(text: str, *, lines: bool = False) -> str:
    """``text`` safe to write to a terminal: the one place any data or file name is made so.

    Every character a terminal acts on, or that changes how a line reads, is shown as a
    visible escape instead: C0 controls (ESC, BEL, BS, CR ...), DEL and C1 controls as
    ``\\x1b``, ``\\x9b``; bidi overrides, isolates and marks, line and paragraph separators
    and invisible separators as ``\\u202e``; a byte that was not UTF-8 (a lone surrogate
    from a file name or an argument) as ``\\xff``. So an escape sequence, an OSC 52
    clipboard write, a backspace or a CR that would rewrite the line arrives as plain,
    visible text, and no word is silently joined to another. CR, newlines and tabs are
    shown as ``\\r``, ``\\n`` and ``\\t``; ``lines`` keeps newlines and tabs (a
    multi-line export). A backslash in the data is shown as it is.
    Everything else, accents, other scripts and emoji included, is left as it is.
    """
    def escape(match: re.Match[str]) -> str:
        ch = match.group()
        if lines and ch in "\n\t":
            return ch
        return _visible(ch)

    return _TERMINAL_UNSAFE.sub(escape, text)


# A spreadsheet reads a cell that starts with one of these as a formula (or, for tab and
# CR, may shift it into one): the ASCII ones (OWASP), and their full-width and small forms,
# which some spreadsheet programs fold to ASCII, and the minus sign.
_FORMULA_START = frozenset("=+-@\t\r\n" "\uff1d\uff0b\uff0d\uff20" "\ufe66\ufe62\ufe63\ufe6b" "\u2212")


def readable(value: object) -> object:
    """A value from a database as text an export can always write: bytes (a BLOB where text
    belongs) decoded as UTF-8, lone surrogates and bytes that are not UTF-8 as U+FFFD.
    Numbers and None are left as they are."""
    if isinstance(value, bytes | bytearray | memoryview):
        value = bytes(value).decode("utf-8", "replace")
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    return value


_FORMULA_SIGNS = re.escape("".join(sorted(_FORMULA_START - {"\t", "\r", "\n"})))
_AFTER_SEPARATOR = re.compile("([;|\t][\\s\"\u200b-\u200f\u2060\ufeff]*)([" + _FORMULA_SIGNS + "])")


def _skippable(ch: str) -> bool:
    """Characters a spreadsheet may skip before it looks for a formula: spaces, controls, format."""
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs")


def for_spreadsheet(value: object) -> object:
    """A CSV cell that a spreadsheet program shows as text, never runs: the one place CSV
    text is neutralised.

    Text whose first character is ``=``, ``+``, ``-``, ``@``, tab, CR or LF, or a
    full-width or small form of ``=``, ``+``, ``-``, ``@`` (``＝``, ``＋``, ``－``, ``＠``,
    ``﹦``, ``﹢``, ``﹣``, ``﹫``) or the minus sign ``−``, or that starts with spaces,
    controls or invisible format characters followed by one of them, gets a single quote
    in front (``'=HYPERLINK(...)``): the spreadsheet shows it as text, quote included;
    so does such a character after a ``;``, ``|`` or tab inside the text (a spreadsheet
    set to split there starts a cell in it, quotes or not; a comma is safe inside the
    quotes every text cell gets).
    Numbers (counts, running numbers) are not text and stay numbers; other text is
    unchanged. Text is :func:`readable` first, so one bad name never stops an export, and
    a CR in it becomes a newline: the CSV writer then quotes the cell, so a CR can neither
    end the row early nor start a cell of its own.
    """
    value = readable(value)
    if not isinstance(value, str) or not value:
        return value
    first = next((ch for ch in value if not _skippable(ch)), "")
    if value[0] in _FORMULA_START or first in _FORMULA_START:
        value = "'" + value
    # A spreadsheet set to split on ";" (or tabs, "|") starts a cell inside this text, quotes
    # or not: a formula after such a separator gets its quote too ("Ada;'=HYPERLINK(...)").
    value = _AFTER_SEPARATOR.sub(lambda m: m.group(1) + "'" + m.group(2), value)
    return value.replace("\r\n", "\n").replace("\r", "\n")


# What sends rows the long way through for_spreadsheet: a text cell that starts with anything but a
# letter, digit or _ (each cell follows a NUL when they are joined), or a ;, |, tab or CR anywhere.
_CARE_AT_START = re.compile("\x00[^\\w\x00]")
_CARE_INSIDE = (";", "|", "\t", "\r")
_NUMBERS = frozenset({int, float, type(None)})
_TEXTS = frozenset({str, type(None)})


def _plain(rows: list[Sequence[object]]) -> bool:
    """Whether for_spreadsheet leaves every cell of ``rows`` alone: True never wrongly (False may
    be, for a cell it would leave alone after all). A column at a time, in C: its text joined."""
    texts = []
    try:
        for column in zip(*rows, strict=True):
            try:
                texts.append("\x00".join(column))  # a TypeError: not all text
            except TypeError:
                kinds = set(map(type, column))
                if kinds <= _NUMBERS:
                    continue  # numbers and empty cells stay as they are
                if not kinds <= _TEXTS:
                    return False  # bytes, booleans, text mixed with numbers: cell by cell
                texts.append("\x00".join(cell for cell in column if cell))
    except ValueError:  # rows of different lengths
        return False
    joined = "\x00" + "\x00".join(texts)
    if _CARE_AT_START.search(joined) is not None or any(sign in joined for sign in _CARE_INSIDE):
        return False
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: readable() makes it U+FFFD
        return False
    return True


def for_spreadsheet_rows(rows: list[Sequence[object]]) -> list[Sequence[object]]:
    """``[[for_spreadsheet(v) for v in row] for row in rows]``, checked in a few passes over all the
    rows at once: when for_spreadsheet would leave every cell alone (names, ids, times: most rows),
    the rows are returned as they are; otherwise each row is checked so, and changed cell by cell if
    need be. So an export of a million letters neutralises formulas without a call per cell."""
    if _plain(rows):
        return rows
    return [row if _plain([row]) else [for_spreadsheet(v) for v in row] for row in rows]
