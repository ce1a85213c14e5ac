import subprocess
import sys

DOMAIN = ["kiosk.cases", "kiosk.store", "kiosk.text", "kiosk.receipts.layouts", "kiosk.receipts.raster",
          "kiosk.receipts.plain", "kiosk.printing.queue", "kiosk.printing.render", "kiosk.printing.devices",
          "kiosk.cli"]


def test_domain_never_imports_textual():
    code = "import sys\n" + "".join(f"import {m}\n" for m in DOMAIN) + "print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_importing_the_printing_code_leaves_logging_alone():
    code = "import logging, kiosk.printing.render\nprint(len(logging.getLogger().handlers))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"
