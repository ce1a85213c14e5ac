"""Responsiveness while the printer hangs: key-to-screen latency on the organiser screen
while a test print waits on a printer that never reads, against the same keys with an
idle printer. Each key switches tabs; its latency runs from the key entering the app's
queue to the new tab being active (what the next frame shows)."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from textual import events
from textual.widgets import TabbedContent
from textual.widgets._tabbed_content import ContentTabs

from kiosk.pin import hash_pin
from kiosk.settings import Settings
from kiosk.ui import build_app

from .common import CASES, Row, median
from .loopback import LoopbackPrinter

TARGET = 1.2
PIN = "2468"

# A benchmark is a load, not a visitor pressing Print forty times: no print limit.
UNLIMITED = {"print_burst": 1000, "print_rate": 100000.0}


async def _latencies(folder: Path, mode: str, keys: int) -> list[float]:
    printer = LoopbackPrinter(mode)
    settings = Settings(event="Bench", kiosk_id="bench", cases=CASES, allow_sample_cases=True, **UNLIMITED,
                        printer=printer.spec(timeout=120), database=folder / f"{mode}.db", preview=folder / "p",
                        pin_hash=hash_pin(PIN))
    app = build_app(settings)
    station = app.station
    out = []
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f12", *PIN, "enter")
        if mode == "never_reads":
            await pilot.click("#test-print")  # the worker now waits on the printer
        await pilot.pause()
        tabs = app.screen.query_one(TabbedContent)
        app.screen.query_one(ContentTabs).focus()
        await pilot.pause()
        for i in range(keys):
            before = tabs.active
            start = time.perf_counter()
            app.post_message(events.Key("right" if i % 2 == 0 else "left", None))
            while tabs.active == before:
                await asyncio.sleep(0)
            out.append(time.perf_counter() - start)
            await asyncio.sleep(0.005)  # a person's pace: the app is idle between keys
        hung = [w for w in app.workers if w.is_running]
        assert (mode == "never_reads") == bool(hung), "the printer should hang only in the hung run"
    station.close()
    printer.close()
    return out


def responsiveness(keys: int) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        idle = asyncio.run(_latencies(Path(tmp), "ok", keys))
        hung = asyncio.run(_latencies(Path(tmp), "never_reads", keys))
    i, h = median(idle), median(hung)
    return [Row(f"Key to screen, organiser tabs, printer hung vs idle (median of {keys})",
                f"{h * 1000:.2f} ms vs {i * 1000:.2f} ms = x{h / i:.2f}", f"<= x{TARGET}", h / i <= TARGET)]
