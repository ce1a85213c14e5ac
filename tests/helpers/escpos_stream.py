"""Decoding an ESC/POS byte stream back into what the printer would put on paper.

Used by the tests to check what reaches a printer: text runs decoded with the code page
the stream selected (``ESC t n``), native QR payloads (``GS ( k``), raster images
(``GS v 0``), cuts (``GS V``). Any control byte the decoder does not know is an error:
this is how the tests prove that no stray ESC/GS/DLE from visitor text reaches a printer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

from kiosk.printing.escpos_lib import Encoder, profile_data

ESC, GS, DLE, LF = 0x1B, 0x1D, 0x10, 0x0A

# ESC commands with one parameter byte, and those with none.
_ESC_ONE = {ord(c) for c in "!EaM-G{tJd3V"}
_ESC_NONE = {ord("@"), ord("2")}
_GS_ONE = {ord(c) for c in "!BbL"}


class StreamError(AssertionError):
    pass


@dataclass
class Decoded:
    text: str = ""
    qr: list[str] = field(default_factory=list)
    images: list[Image.Image] = field(default_factory=list)
    cuts: list[int] = field(default_factory=list)
    codepages: list[str] = field(default_factory=list)
    inits: int = 0
    status_requests: int = 0
    events: list[tuple] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def _table(profile: str, n: int) -> tuple[str, list[str]]:
    name = profile_data(profile)["codePages"].get(str(n))
    if name is None or name == "Unknown":
        raise StreamError(f"code page {n} is not in profile {profile}")
    return name, Encoder._get_codepage_char_list(name)


def decode(data: bytes, profile: str) -> Decoded:
    out = Decoded()
    i = 0
    table = _table(profile, 0)[1]
    text: list[str] = []

    def need(count: int) -> bytes:
        if i + count > len(data):
            raise StreamError(f"truncated command at byte {i}")
        return data[i : i + count]

    while i < len(data):
        b = data[i]
        if b == LF:
            text.append("\n")
            i += 1
        elif b == ESC:
            cmd = need(2)[1]
            if cmd in _ESC_NONE:
                if cmd == ord("@"):
                    out.inits += 1
                    table = _table(profile, 0)[1]
                i += 2
            elif cmd in _ESC_ONE:
                arg = need(3)[2]
                if cmd == ord("t"):
                    name, table = _table(profile, arg)
                    out.codepages.append(name)
                elif cmd == ord("d"):
                    text.append("\n" * arg)
                i += 3
            else:
                raise StreamError(f"unknown ESC command 0x{cmd:02x} at byte {i}")
        elif b == GS:
            cmd = need(2)[1]
            if cmd in _GS_ONE:
                i += 3
            elif cmd == ord("V"):
                mode = need(3)[2]
                out.cuts.append(mode)
                out.events.append(("cut", mode))
                i += 3 + (1 if mode in (65, 66) else 0)
            elif cmd == ord("(") and need(3)[2] == ord("k"):
                pl, ph = need(5)[3], need(5)[4]
                length = pl + ph * 256
                body = need(5 + length)[5:]
                cn, fn = body[0], body[1]
                if cn == ord("1") and fn == 80:
                    out.qr.append(body[3:].decode("utf-8"))
                    out.events.append(("qr", out.qr[-1]))
                i += 5 + length
            elif cmd == ord("v") and need(3)[2] == ord("0"):
                head = need(8)
                xb = head[4] + head[5] * 256
                h = head[6] + head[7] * 256
                raster = need(8 + xb * h)[8:]
                img = Image.frombytes("1", (xb * 8, h), bytes(255 - v for v in raster))
                out.images.append(img)
                out.events.append(("image", img))
                i += 8 + xb * h
            else:
                raise StreamError(f"unknown GS command 0x{cmd:02x} at byte {i}")
        elif b == DLE:
            cmd = need(3)
            if cmd[1] != 0x04:
                raise StreamError(f"unknown DLE command at byte {i}")
            out.status_requests += 1
            i += 3
        elif b < 0x20 or b == 0x7F:
            raise StreamError(f"stray control byte 0x{b:02x} at byte {i}")
        else:
            start = i
            while i < len(data) and data[i] >= 0x20 and data[i] != 0x7F:
                i += 1
            run = "".join(chr(c) if c < 128 else table[c - 128] for c in data[start:i])
            text.append(run)
            out.events.append(("text", run))
    out.text = "".join(text)
    return out


def read_qr(img: Image.Image) -> list[str]:
    """Decode QR codes in a raster image (with a quiet zone added around it)."""
    import zxingcpp

    framed = Image.new("L", (img.width + 80, img.height + 80), 255)
    framed.paste(img.convert("L"), (40, 40))
    return [r.text for r in zxingcpp.read_barcodes(framed)]
