from __future__ import annotations

import pytest

from kiosk.cases import read_dir
from kiosk.settings import CONFIG_ENV, specs
from kiosk.store import Store
from tests.helpers import CASES, FIGURES


def pytest_addoption(parser):
    parser.addoption("--long", action="store_true", help="run the long soak and stress variants")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--long"):
        return
    skip = pytest.mark.skip(reason="long run: use --long")
    for item in items:
        if "long" in item.keywords:
            item.add_marker(skip)


def pytest_sessionfinish(session):
    """In a pytest-xdist worker: hand this worker's figures to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["figures"] = list(FIGURES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """In the pytest-xdist controller: gather the figures of a worker that finished."""
    FIGURES.extend(getattr(node, "workeroutput", {}).get("figures", []))


def pytest_terminal_summary(terminalreporter):
    """The figures the proofs reported (visitors, faults, kills, inputs, lost), after the run."""
    if FIGURES:
        terminalreporter.section("figures")
        for line in sorted(FIGURES):  # gathered from every worker, in the order they ended
            terminalreporter.write_line(line)


@pytest.fixture
def figure(request):
    """``figure("1,000 visitors, 0 lost")``: reported in the run's summary under *figures*."""

    def report(text: str) -> None:
        FIGURES.append(f"{request.node.name}: {text}")

    return report


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """No test touches the real user data or config folder, or sees a stall's KIOSK_* settings."""
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KIOSK_CONFIG_DIR", str(tmp_path / "config"))
    for var in (CONFIG_ENV, *(spec.env for spec in specs().values() if spec.env)):
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
    from tests.helpers.fake_printer import FakePrinter

    printers = []

    def make(mode="ok"):
        p = FakePrinter(mode)
        printers.append(p)
        return p

    yield make
    for p in printers:
        p.close()


# The office's PostgreSQL (kiosk hq): a cluster per worker, a database per test, the service on a port.
from tests.helpers.postgres import hq_db, hq_dsn, hq_service, postgres, start_service  # noqa: E402, F401
