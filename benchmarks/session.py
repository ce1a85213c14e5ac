"""One kiosk session in a fresh process: ``python -m benchmarks.session N FOLDER [EARLY]`` signs
N letters through the app (form check, save, print to a loopback printer, consent question,
thank-you, home) and prints its resident memory after letter EARLY (default N // 10) and after
letter N, in MB, each read after a garbage collection (what the session keeps, not the garbage
of the moment), then its peak.

``KIOSK_TRACE=1`` also prints the 15 places whose memory grew most between the two (tracemalloc:
slower, for finding a leak, not for the figures)."""

from __future__ import annotations

import asyncio
import gc
import os
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


def _status(field: str) -> float | None:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return None


def rss_mb() -> float:
    """This process's resident memory now, after a garbage collection (Linux: VmRSS; elsewhere
    the peak, the best the platform tells)."""
    gc.collect()
    return _status("VmRSS") or peak_mb()


def peak_mb() -> float:
    """This process's peak resident memory. On Linux from VmHWM: ru_maxrss would also count
    the parent's memory at the moment it forked this process."""
    return _status("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def session(count: int, folder: Path, early_at: int, trace: bool = False) -> tuple[float, float]:
    printer = LoopbackPrinter("ok")
    app = build_app(Settings(event="Bench", kiosk_id="bench", cases=CASES, allow_sample_cases=True, **UNLIMITED,
                             printer=printer.spec(), database=folder / "session.db", preview=folder / "p",
                             pin_hash=hash_pin("2468")))
    station = app.station
    cases = [c.id for c in station.offered()]
    early = 0.0
    snapshot = None
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
            await pilot.pause(0)
            if i + 1 == early_at:
                early = rss_mb()
                if trace:
                    import tracemalloc

                    snapshot = tracemalloc.take_snapshot()
        late = rss_mb()
        if snapshot is not None:
            import tracemalloc

            for stat in tracemalloc.take_snapshot().compare_to(snapshot, "lineno")[:15]:
                print(stat, file=sys.stderr)
        assert station.count_today() == count
    station.close()
    printer.close()
    return early, late


if __name__ == "__main__":
    count = int(sys.argv[1])
    trace = os.environ.get("KIOSK_TRACE") == "1"
    if trace:
        import tracemalloc

        tracemalloc.start(10)
    early, late = asyncio.run(session(count, Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else count // 10,
                                      trace))
    print(f"{early:.2f} {late:.2f} {peak_mb():.1f}")
