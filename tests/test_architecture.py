import subprocess
import sys

DOMAIN = ["kiosk.cases", "kiosk.store", "kiosk.text", "kiosk.receipts.layouts", "kiosk.receipts.raster",
          "kiosk.receipts.plain", "kiosk.printing.queue", "kiosk.printing.render", "kiosk.printing.devices",
          "kiosk.station", "kiosk.config", "kiosk.pin", "kiosk.cli", "kiosk.schema", "kiosk.merge",
          "kiosk.reports.summary", "kiosk.reports.letters", "kiosk.reports.terminal", "kiosk.reports.markdown",
          "kiosk.reports.chart"]


def test_the_ui_reaches_the_domain_only_through_the_station():
    """Screens may use the domain's data types and text rules, but not the store or printers."""
    import re
    from pathlib import Path

    ui = Path(__file__).resolve().parent.parent / "kiosk" / "ui"
    for path in ui.rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"\s*from \.\.+(\w+(?:\.\w+)*) import", line)
            if match and not match.group(1).startswith(("station", "text", "cases", "config", "pin", "app", "store",
                                                        "printing.queue")):
                raise AssertionError(f"{path.name}: {line.strip()}")


def test_domain_never_imports_textual():
    code = "import sys\n" + "".join(f"import {m}\n" for m in DOMAIN) + "print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_importing_the_printing_code_leaves_logging_alone():
    code = "import logging, kiosk.printing.render\nprint(len(logging.getLogger().handlers))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"
