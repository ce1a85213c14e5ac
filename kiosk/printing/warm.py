"""The printing code loaded and run once before the first letter needs it, sending nothing.

The kiosk starts without the printing code (python-escpos, the ESC/POS renderer, Pillow's
drawing and its fonts, the QR code maker): the first frame does not need it. The first letter
of a fresh kiosk would then pay for loading it, several percent of its paper time. The app
calls :func:`warm` in a thread of its own once its first frame is on screen: it lays out an
appeal and a postcard of a case the stall offers and renders them as its printer would be
sent them (ESC/POS bytes, or the preview printer's picture), and a line of a script the
printer's code pages lack; nothing reaches a printer, a file or the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from ..cases import Case
from ..receipts import layouts
from ..receipts.model import QR
from ..receipts.qr import module_dots
from ..store import Signature
from .setups import Setup

NAME = "Ada Lovelace ليلى"  # a name the code pages lack too: the raster drawing and its fonts


def warm(setup: Setup, case: Case, campaign: str, privacy_url: str | None = None) -> None:
    """Render an appeal and a postcard for ``case`` as ``setup`` prints them, sending nothing."""
    from ..receipts.raster import render_png
    from . import devices, queue  # noqa: F401 - the code a job goes through

    now = dt.datetime.now(dt.UTC)
    letter = Signature(id="warm-up", number=1, case_id=case.id, kind="appeal", name=NAME,
                       message="You are not alone.", created_at=now.isoformat(), event="warm-up",
                       kiosk_id="warm-up", local_time=now.astimezone().isoformat())
    for kind in ("appeal", "postcard"):
        receipt = layouts.for_signature(case, replace(letter, kind=kind), campaign, privacy_url)
        for block in receipt.blocks:
            if isinstance(block, QR):
                module_dots(block.data, setup.paper.dots)
        if setup.is_preview:
            render_png(receipt, setup.paper)
        else:
            from .render import render_bytes

            render_bytes(receipt, setup)
    if setup.type == "usb":
        from .escpos_lib import printers  # python-escpos's printer classes find a USB printer

        _ = printers.Usb
