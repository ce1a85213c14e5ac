"""One kiosk session in a fresh process: ``python -m benchmarks.session N FOLDER`` signs N
letters through the app (form check, save, print to a loopback printer, thank-you, home)
and prints its peak resident memory in MB, and after the first 10 letters."""

from __future__ import annotations

import asyncio
import resource
import sys
from pathlib import Path

from kiosk.application import Letter
from kiosk.pin import hash_pin
from kiosk.settings import Settings
from kiosk.ui import build_app

from .common import CASES
from .loopback import LoopbackPrinter

# A benchmark is a load, not a visitor pressing Print forty times: no print limit.
UNLIMITED = {"print_burst": 1000, "print_rate": 100000.0}


def peak_mb() -> float:
    """This process's peak resident memory. On Linux from VmHWM: ru_maxrss would also count
    the parent's memory at the moment it forked this process."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def session(count: int, folder: Path) -> tuple[float, float]:
    printer = LoopbackPrinter("ok")
    app = build_app(Settings(event="Bench", kiosk_id="bench", cases=CASES, allow_sample_cases=True, **UNLIMITED,
                             printer=printer.spec(), database=folder / "session.db", preview=folder / "p",
                             pin_hash=hash_pin("2468")))
    station = app.station
    cases = [c.id for c in station.offered()]
    early = 0.0
    async with app.run_test(size=(100, 30)) as pilot:
        for i in range(count):
            app.open_case(cases[i % len(cases)])
            kind = "appeal" if i % 2 else "postcard"
            app.open_form(cases[i % len(cases)], kind)
            await pilot.pause(0)
            assert app.start_print(Letter(cases[i % len(cases)], kind, f"Visitor {i}", "Stay strong. " * (i % 8)))
            await app.workers.wait_for_complete()
            await pilot.pause(0)
            assert type(app.screen).__name__ == "ConsentScreen", type(app.screen).__name__
            await pilot.press("n")  # "Would you like to hear from us?": No, thanks
            await app.workers.wait_for_complete()
            await pilot.pause(0)
            assert type(app.screen).__name__ == "ThanksScreen", type(app.screen).__name__
            app.go_home()
            if i == 9:
                early = peak_mb()
        assert station.count_today() == count
    station.close()
    printer.close()
    return early, peak_mb()


if __name__ == "__main__":
    early, peak = asyncio.run(session(int(sys.argv[1]), Path(sys.argv[2])))
    print(f"{early:.1f} {peak:.1f}")
