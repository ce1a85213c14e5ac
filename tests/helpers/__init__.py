"""What the tests share besides fixtures: paths, the proofs' sizes and the Hypothesis helper.

The other modules here: ``kiosk_app`` (a station and an app for Pilot tests),
``escpos_stream`` (decoding printer bytes), ``fake_printer`` (network printers on
loopback), ``records_data`` (a database with known letters), ``signing_loop`` (a kiosk
process to kill).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
CASES = ROOT / "cases"
CASE_FILES = sorted(p for p in CASES.glob("*.toml") if p.name != "consent.toml")  # the cases, not their wording

FIGURES: list[str] = []


def sizes(default: int, long: int) -> list:
    """Parametrize values for a proof: ``default`` in every run, ``long`` with ``--long``.
    README's *Guarantees* table states both (tests/test_readme_figures.py checks it)."""
    return [default, pytest.param(long, marks=pytest.mark.long)]


def explore(examples: int, **strategies):
    """Run the decorated function on ``examples`` Hypothesis examples; the name it decorates
    becomes the list of what it returned, one entry per example tried."""
    from hypothesis import HealthCheck, given, settings

    def decorate(fn):
        results = []

        @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(**strategies)
        def run(**drawn):
            results.append(fn(**drawn))

        run()
        return results

    return decorate


def on_disk(path: Path) -> bytes:
    """Every byte of a database file and the files SQLite keeps beside it (what a purge must leave clean)."""
    out = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            out += Path(f"{path}{suffix}").read_bytes()
    return out
