"""Receipts: a small layout model, built from a case and a signature, rendered three ways.

``layouts`` builds a :class:`~kiosk.receipts.model.Receipt`; ``plain`` renders it as text
for a screen, ``raster`` as a PNG preview, and :mod:`kiosk.printing.render` as printer bytes.
"""

from .model import QR, Cut, Feed, Image, Paper, Receipt, Rule, Text

__all__ = ["QR", "Cut", "Feed", "Image", "Paper", "Receipt", "Rule", "Text"]
