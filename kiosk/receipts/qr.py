"""How big a QR code is on paper, and the one rule that makes it fit.

A QR code is printed with square modules of a whole number of dots and a quiet zone of
four modules each side (the standard asks for it; a phone needs it). :func:`module_dots`
picks the largest module (at most :data:`MAX_MODULE` dots, 0.75 mm at 8 dots/mm) that fits
the paper, and at least :data:`MIN_MODULE` dots (0.375 mm, still read by a phone at arm's
length). An address too long for that is refused with :class:`QRTooWide` when the case is
checked or loaded, and before any byte is sent: a postcard never prints without its code,
and a code is never shrunk by resampling (which blurs it past reading).
"""

from __future__ import annotations

from functools import cache, lru_cache

MAX_MODULE = 6
MIN_MODULE = 3
QUIET_ZONE = 4  # modules each side
NARROWEST_PAPER = 384  # dots: 58 mm paper, the narrowest roll a stall printer takes


class QRTooWide(ValueError):
    """The address makes a QR code wider than the paper, even at the smallest module."""


TOO_MUCH = 10**6  # modules of a code that cannot be made at all (more than version 40 holds)


@lru_cache(maxsize=256)
def modules(data: str) -> int:
    """Modules per side of the QR code for ``data`` (error correction M), quiet zone included."""
    import qrcode  # only where a QR code is measured or drawn

    code = qrcode.QRCode(border=QUIET_ZONE, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    try:
        version = int(code.best_fit())  # the size alone: no matrix is drawn
    except ValueError:  # qrcode's DataOverflowError, or "Invalid version" past 40
        return TOO_MUCH
    return 4 * version + 17 + 2 * QUIET_ZONE


# Bytes a QR code of each version (1 to 40) holds in byte mode at error correction M (ISO/IEC
# 18004, table 7; a test checks it against qrcode). Mixed modes hold as much or more.
BYTES_M = (14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504, 560, 624, 666, 711, 779,
           857, 911, 997, 1059, 1125, 1190, 1264, 1370, 1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099, 2213, 2331)
MODE_HEADERS = 8  # bytes spared for the headers of the segments qrcode may split an address into


def check_fits(data: str, paper_dots: int) -> None:
    """QRTooWide unless the code for ``data`` fits ``paper_dots`` at the smallest module: as
    :func:`module_dots` decides, without qrcode where the address is surely short enough (a case
    folder is checked at every start; qrcode and its measuring cost more than the whole check)."""
    largest = (paper_dots // MIN_MODULE - 2 * QUIET_ZONE - 17) // 4  # the largest version that fits
    if largest >= 1 and len(data.encode("utf-8")) + MODE_HEADERS <= BYTES_M[min(largest, 40) - 1]:
        return
    module_dots(data, paper_dots)


def module_dots(data: str, paper_dots: int) -> int:
    """Dots per module for ``data`` on paper ``paper_dots`` wide; QRTooWide when it cannot fit."""
    size = modules(data)
    fits = paper_dots // size
    if fits < MIN_MODULE:
        longest = longest_fitting(paper_dots)
        raise QRTooWide(f"{len(data)} characters make a QR code too wide for {paper_dots}-dot paper:"
                        f" use an address of at most {longest} characters")
    return min(MAX_MODULE, fits)


@cache
def longest_fitting(paper_dots: int) -> int:
    """The longest address (in ASCII characters) whose code fits ``paper_dots`` at the smallest module."""
    low, high = 0, 2400
    while low < high:
        mid = (low + high + 1) // 2
        if modules("h" * mid) * MIN_MODULE <= paper_dots:
            low = mid
        else:
            high = mid - 1
    return low


def screen_art(data: str) -> str:
    """The QR code for ``data`` as text for a screen: two modules a character cell (half blocks:
    ``▀`` dark above, ``▄`` dark below), a one-module quiet zone, error correction L so a short
    address stays small. Shown dark on light (the screen's style sets the colours)."""
    import qrcode

    code = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    if len(matrix) % 2:
        matrix.append([False] * len(matrix[0]))
    cells = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}
    return "\n".join("".join(cells[top, bottom] for top, bottom in zip(upper, lower, strict=True))
                     for upper, lower in zip(matrix[::2], matrix[1::2], strict=True))
