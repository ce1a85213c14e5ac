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

from .errors import InputError

# Limits for what a visitor types. Checked with a clear message by validate_*; clean()
# truncates as a last line of defence for anything else.
NAME_MAX = 80
MESSAGE_MAX = 500
EVENT_MAX = 60
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
    text = unicodedata.normalize("NFC", text)
    return _DROP.sub("", text)


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


def too_long(field: str, length: int, limit: int) -> InputError:
    return InputError(f"{length} characters, at most {limit} allowed", field=field, reason="too_long")


def _one_line(value: str, field: str, limit: int) -> str:
    cleaned = clean(value, multiline=False)
    if not cleaned:
        raise InputError("must not be empty", field=field, reason="empty")
    if len(cleaned) > limit:
        raise too_long(field, len(cleaned), limit)
    return cleaned


def validate_name(name: str) -> str:
    """Clean a visitor's name; InputError when it is empty or too long."""
    return _one_line(name, "name", NAME_MAX)


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
