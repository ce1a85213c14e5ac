from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.cases import read_dir
from kiosk.store import Store

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "cases"


def pytest_addoption(parser):
    parser.addoption("--long", action="store_true", help="run the long soak and stress variants")


_FIGURES: list[str] = []


def sizes(default: int, long: int) -> list:
    """Parametrize values for a proof: ``default`` in every run, ``long`` with ``--long``.
    README's *Guarantees* table states both (tests/test_readme_figures.py checks it)."""
    return [default, pytest.param(long, marks=pytest.mark.long)]


def pytest_collection_modifyitems(config, items):
    if config.getoption("--long"):
        return
    skip = pytest.mark.skip(reason="long run: use --long")
    for item in items:
        if "long" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    """The figures the proofs reported (visitors, faults, kills, inputs, lost), after the run."""
    if _FIGURES:
        terminalreporter.section("figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)


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


@pytest.fixture
def figure(request):
    """``figure("1,000 visitors, 0 lost")``: reported in the run's summary under *figures*."""

    def report(text: str) -> None:
        _FIGURES.append(f"{request.node.name}: {text}")

    return report


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """No test touches the real user data folder."""
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "data"))
    for var in ("KIOSK_DB", "KIOSK_PRINTER", "KIOSK_CASES", "KIOSK_EVENT", "KIOSK_ID"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="session")
def cases():
    result = read_dir(CASES)
    assert not result.errors
    return result


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "kiosk.db")
    yield s
    s.close()


@pytest.fixture
def fake_printer():
    from tests.fake_printer import FakePrinter

    printers = []

    def make(mode="ok"):
        p = FakePrinter(mode)
        printers.append(p)
        return p

    yield make
    for p in printers:
        p.close()
