"""A letter as an organiser names it on the command line (``kiosk jobs release REF``).

REF is any of:

- the job number ``kiosk jobs`` lists in its first column: ``17``;
- the reference printed on the letter and shown by ``kiosk sign``: ``Summer Fest / stall-1 / #0042``
  (``Ref.`` before it is fine);
- the kiosk and the letter's number: ``stall-1/#42``, ``stall-1/42``, ``stall-1 #42``;
- the letter's number alone, where one kiosk's letters have it: ``#42``;
- the letter's id (a UUID, as ``kiosk sign`` prints it).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from ..errors import InputError

REF_MAX = 200  # characters of a REF read
_NUMBERED = re.compile(r"(?:(?P<head>.*?)\s*(?:/\s*|\s+))?#\s*(?P<number>\d{1,9})"  # [event / ][kiosk/ ]#42
                       r"|(?P<head2>.+?)\s*/\s*(?P<number2>\d{1,9})")  # [event / ]kiosk/42
_JOB = re.compile(r"\d{1,18}")


@dataclass(frozen=True)
class LetterRef:
    """What a REF names: a job, a letter's id, or a letter by its number (on a kiosk, at an event)."""

    text: str
    job_id: int | None = None
    signature_id: str | None = None
    number: int | None = None
    kiosk_id: str | None = None
    event: str | None = None

    @property
    def shown(self) -> str:
        """The REF as typed, cut for a line."""
        return self.text if len(self.text) <= 60 else self.text[:59] + "…"


def parse_ref(ref: str) -> LetterRef:
    """The REF an organiser typed; InputError naming ``letter`` when it is none of the forms."""
    text = " ".join(ref.split())[:REF_MAX]
    bare = re.sub(r"^ref\.?\s*", "", text, flags=re.IGNORECASE)
    if _JOB.fullmatch(bare):
        return LetterRef(text, job_id=int(bare))
    try:
        return LetterRef(text, signature_id=str(uuid.UUID(bare)))
    except ValueError:
        pass
    found = _NUMBERED.fullmatch(bare)
    if found is None:
        raise InputError(f"{LetterRef(text).shown!r} names no letter: give the job number `kiosk jobs` lists (17),"
                         " the reference (Event / kiosk / #0042), kiosk/#42 or the letter's id", field="letter")
    head = found.group("head") if found.group("number") else found.group("head2")
    number = int(found.group("number") or found.group("number2"))
    if not head:
        return LetterRef(text, number=number)
    event, _, kiosk_id = head.rpartition("/")
    return LetterRef(text, number=number, kiosk_id=kiosk_id.strip() or None, event=event.strip() or None)
