"""The printer's real-time status (ESC/POS ``DLE EOT n``), asked and read by the kiosk.

A printer answers ``DLE EOT n`` with one byte when it reads the request, that is after it
has read every byte sent before it. That is what confirms a job, so an answer is taken
only when it can be nothing else:

- what is waiting to be read before a request is thrown away first: a byte already there
  (an extra byte, a late answer, a greeting) is never taken as the answer; and a printer
  that has sent more than 4 KB nobody asked for on the connection, in all, is talking to
  itself (:data:`.links.UNASKED_LIMIT`): a flood that pauses around each question, a burst
  under the limit before each one, is counted whole, and never answers;
- the answer is read with our own time limit, and must be exactly one byte whose fixed
  bits are right (bits 1 and 4 set, bits 0 and 7 clear: ``b & 0x93 == 0x12``);
- a job is confirmed by two answers in turn after its last byte (printer status, then
  paper status) and nothing more: one stray byte from a printer that stopped reading
  cannot answer both.

Before a job, the paper status must be a well-formed answer too: no answer, a malformed
one or paper out, and nothing of the job is sent.
"""

from __future__ import annotations

from ..errors import PrintError
from .links import Link

PRINTER, PAPER = 1, 4
FIXED_MASK, FIXED_BITS = 0x93, 0x12
OFFLINE = 0x08  # DLE EOT 1: offline (cover open, paper out, error)
PAPER_NEAR_END = 0x0C  # DLE EOT 4: roll near its end
PAPER_END = 0x60  # DLE EOT 4: no paper


class NoAnswer(PrintError):
    """The printer answered nothing at all to a status request (it may take data, yet never
    answer ``DLE EOT``: such a printer needs status turned off)."""


def request(n: int) -> bytes:
    return bytes((0x10, 0x04, n))


def well_formed(answer: int) -> bool:
    return answer & FIXED_MASK == FIXED_BITS


def ask(link: Link, n: int, timeout: float, what: str) -> int:
    """Send ``DLE EOT n`` and return the printer's one well-formed answer; PrintError otherwise."""
    link.write(request(n))
    reply = link.read(timeout)
    if not reply:
        raise NoAnswer(f"no answer within {timeout:g} s to the {what}")
    if len(reply) != 1:
        raise PrintError(f"the printer answered the {what} with {len(reply)} bytes, not one")
    if not well_formed(reply[0]):
        raise PrintError(f"the printer's answer to the {what} is malformed (0x{reply[0]:02x})")
    return reply[0]


def _nothing_more(link: Link, what: str) -> None:
    if extra := link.drain():
        raise PrintError(f"the printer sent {extra} byte{'s' if extra > 1 else ''} more than its answer to the {what}")


def paper_before_job(link: Link, timeout: float) -> str:
    """The paper status before a job: ``paper OK`` or ``paper running low``; PrintError
    when the printer is out of paper or gives no single well-formed answer."""
    link.drain()  # sent before we asked: not an answer
    answer = ask(link, PAPER, timeout, "paper-status request")
    _nothing_more(link, "paper-status request")
    if answer & PAPER_END:
        raise PrintError("out of paper")
    return "paper running low" if answer & PAPER_NEAR_END else "paper OK"


def confirm_job(link: Link, timeout: float) -> None:
    """After the job's last byte: PrintError unless the printer confirms it has read it all."""
    link.drain()  # anything sent during the job is not the answer to what follows it
    answer = ask(link, PRINTER, timeout, "confirmation request")
    if answer & OFFLINE:
        raise PrintError("printer went offline during the job (cover open or paper out?)")
    _nothing_more(link, "confirmation request")
    answer = ask(link, PAPER, timeout, "second confirmation request")
    _nothing_more(link, "second confirmation request")
    if answer & PAPER_END:
        raise PrintError("printer ran out of paper during the job")
