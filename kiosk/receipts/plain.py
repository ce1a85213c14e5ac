"""Plain-text rendering of a receipt, column for column as the printer lays it out."""

from __future__ import annotations

from .model import QR, Cut, Feed, Image, Paper, Receipt, Rule, Text


def _place(line: str, align: str, width: int) -> str:
    if align == "center":
        return line.center(width).rstrip()
    if align == "right":
        return line.rjust(width)
    return line


def render_text(receipt: Receipt, paper: Paper) -> str:
    out: list[str] = []
    for block in receipt.blocks:
        if isinstance(block, Text):
            width = block.columns(paper)
            for line in block.lines(paper):
                out.append(_place(line.upper() if block.large else line, block.align, width))
        elif isinstance(block, Rule):
            out.append(block.char * paper.columns)
        elif isinstance(block, QR):
            out.append(_place(f"[QR code: {block.data}]", "center", paper.columns))
            if block.caption:
                out.extend(_place(line, "center", paper.columns) for line in Text(block.caption).lines(paper))
        elif isinstance(block, Image):
            out.append(_place(f"[image {block.image.width}x{block.image.height}]", "center", paper.columns))
        elif isinstance(block, Feed):
            out.extend([""] * block.lines)
        elif isinstance(block, Cut):
            out.append(" cut ".center(paper.columns, "-"))
    return "\n".join(out) + "\n"
