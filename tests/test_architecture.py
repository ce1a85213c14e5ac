"""The walls between the kiosk's layers hold, and each check can fail.

Three kinds of check, because each sees what the others cannot:

- import-linter's contracts (``pyproject.toml``) read the static import graph, deferred
  imports inside functions included: the layers, the domain without Textual or click, the
  UI and the commands only through the application layer, no loops.
- A headless import of every domain module, in a fresh interpreter, proves that deferred
  imports really defer: the static graph cannot tell a deferred import from a module-level
  one.
- SQL lives in the store: no SQL text, no sqlite3 and no ``execute`` outside ``kiosk/store``
  (and the office's PostgreSQL in ``kiosk/hq/store.py`` and its schema, :data:`HQ_SQL`).
- The command line writes to the terminal only through ``kiosk/cli/base.py`` (where text is
  made safe for a terminal): no ``click.echo``, ``print`` or ``sys.stdout`` elsewhere in ``kiosk/cli``.

Each check is also run on a copy of the package with a fault put in, and must catch it.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

KIOSK = ROOT / "kiosk"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


# -- import contracts -------------------------------------------------------------------------


def lint_imports(root: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    """lint-imports on the package found in ``root``, with the project's contracts (or only ``contracts``)."""
    only = [arg for contract in contracts for arg in ("--contract", contract)]
    return subprocess.run([str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache", *only],
                          cwd=root, capture_output=True, text=True, env={"PYTHONPATH": str(root), "PATH": ""},
                          timeout=120)


def test_the_import_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def copy_with(tmp_path: Path, module: str, addition: str) -> Path:
    """A copy of the package with ``addition`` appended to ``module`` (a path in kiosk/, made if missing)."""
    shutil.copytree(KIOSK, tmp_path / "kiosk", ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "kiosk" / module
    before = target.read_text(encoding="utf-8") if target.exists() else ""
    target.write_text(before + "\n\n" + addition + "\n", encoding="utf-8")
    return tmp_path


FAULTS = {  # a fault put into a copy of the package: (module, what is added, the contract that must catch it)
    # what the old wall test missed: a deferred Textual import in the store ...
    "deferred textual in the store": ("store/counts.py", "def _label():\n    from textual.widgets import Label\n"
                                                         "    return Label", "headless-domain"),
    # ... and an absolute import of the printing code in a screen
    "a screen reaches the printer": ("ui/screens/home.py", "import kiosk.printing.devices  # noqa",
                                     "ui-through-application"),
    "a screen imports the app": ("ui/screens/thanks.py", "def _app():\n    from ..app import KioskApp\n"
                                                         "    return KioskApp", "ui-layers"),
    "the store imports upwards": ("store/jobs.py", "def _queue():\n    from ..printing import queue\n"
                                                   "    return queue", "layers"),
    "a module in no layer": ("exports.py", "", "layers"),
    "click in the domain": ("cases.py", "import click  # noqa", "headless-domain"),
    "a command reads the store itself": ("cli/records.py", "from ..store import Store  # noqa",
                                         "cli-through-application"),
    "the command line loads the app at start": ("cli/records.py", "from ..ui import build_app  # noqa",
                                                "cli-without-tui"),
    "a loop": ("store/models.py", "def _store():\n    from . import signatures\n    return signatures", "no-loops"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_the_contracts_catch_each_fault(tmp_path, fault):
    module, addition, contract = FAULTS[fault]
    result = lint_imports(copy_with(tmp_path, module, addition), contract)
    assert result.returncode != 0 and "BROKEN" in result.stdout, result.stdout[-3000:] + result.stderr[-2000:]


def test_a_stale_exception_fails(tmp_path):
    """The one allowed deferred import of the app, moved elsewhere, leaves its exception unused: an error."""
    root = copy_with(tmp_path, "cli/stall.py", "")
    stall = root / "kiosk" / "cli" / "stall.py"
    stall.write_text(stall.read_text(encoding="utf-8").replace("from ..ui import build_app", "build_app = None"),
                     encoding="utf-8")
    result = lint_imports(root, "cli-without-tui")
    assert result.returncode != 0 and "kiosk.cli.stall -> kiosk.ui" in result.stdout + result.stderr


# -- deferred imports really defer ------------------------------------------------------------


def domain_modules(root: Path = KIOSK) -> list[str]:
    """Every module of the package but the app (kiosk.ui) and ``python -m kiosk``."""
    names = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if "ui" in parts[1:2] or parts[-1] == "__main__":
            continue
        names.append(".".join(parts))
    return names


HEADLESS_CHECK = """
import importlib, sys
forbidden = {forbidden!r}
for name in {modules!r}:
    importlib.import_module(name)
    loaded = sorted(m for m in forbidden if m in sys.modules)
    if loaded:
        print(name, "loads", ", ".join(loaded))
        raise SystemExit(1)
print("ok")
"""


def headless_imports(root: Path, modules: list[str], forbidden: list[str]) -> subprocess.CompletedProcess[str]:
    code = HEADLESS_CHECK.format(forbidden=forbidden, modules=modules)
    return subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(root), "PATH": "", "KIOSK_DATA_DIR": str(root / "data")})


MIGRATIONS = "kiosk.store.schema"  # sqlite-utils, loaded only to migrate a file, brings click for its own CLI


def test_no_domain_module_loads_textual_or_click():
    """Imported one after another in one fresh interpreter: the first that loads either is named."""
    modules = [m for m in domain_modules() if not m.startswith("kiosk.cli") and m != MIGRATIONS]
    result = headless_imports(ROOT, modules, ["textual", "click"])
    assert result.stdout.strip() == "ok", result.stdout + result.stderr[-2000:]
    result = headless_imports(ROOT, [*modules, MIGRATIONS], ["textual"])
    assert result.stdout.strip() == "ok", result.stdout + result.stderr[-2000:]


def test_the_command_line_loads_no_textual():
    """Every command but `kiosk run` and `kiosk demo` runs without Textual (its deferral is checked here)."""
    modules = [m for m in domain_modules() if m.startswith("kiosk.cli")]
    result = headless_imports(ROOT, modules, ["textual"])
    assert result.stdout.strip() == "ok", result.stdout + result.stderr[-2000:]


def test_a_deferred_import_that_does_not_defer_is_caught(tmp_path):
    root = copy_with(tmp_path, "store/counts.py", "from textual.widgets import Label  # noqa")
    result = headless_imports(root, ["kiosk.errors", "kiosk.store.counts"], ["textual"])
    assert result.stdout.strip() == "kiosk.store.counts loads textual", result.stdout + result.stderr


def test_importing_the_printing_code_leaves_logging_alone():
    code = "import logging, kiosk.printing.render\nprint(len(logging.getLogger().handlers))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


# -- SQL lives in the store ----------------------------------------------------------------------

SQL = re.compile(
    r"\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+(OR\s+\w+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b"
    r"|\b(CREATE|DROP)\s+(TEMP\s+)?(TABLE|INDEX|VIEW|TRIGGER)\b|\bALTER\s+TABLE\b|\bPRAGMA\s+\w+|\bATTACH\s+DATABASE\b"
    r"|\bBEGIN\s+(IMMEDIATE|EXCLUSIVE|DEFERRED)\b|^\s*(VACUUM|COMMIT|ROLLBACK)\b"
)


HQ_SQL = {("hq", "store.py"), ("hq", "schema.py")}  # the office's side keeps its SQL in these two


def sql_outside_the_store(root: Path) -> list[str]:
    """Each place outside ``kiosk/store`` (and :data:`HQ_SQL`) that writes SQL, imports a SQLite module or
    executes a statement."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if "store" in path.relative_to(root).parts[:1] or path.relative_to(root).parts in HQ_SQL:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(root.parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                found.append(f"{where}:{node.lineno}: SQL {node.value[:40]!r}")
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if any(n.split(".")[0] in ("sqlite3", "sqlite_utils", "apsw") for n in names):
                    found.append(f"{where}:{node.lineno}: imports {', '.join(names)}")
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr in ("execute", "executemany", "executescript")):
                found.append(f"{where}:{node.lineno}: .{node.func.attr}()")
    return found


def test_sql_lives_in_the_store():
    assert sql_outside_the_store(KIOSK) == []


@pytest.mark.parametrize("addition", [
    'NEXT = "SELECT COALESCE(MAX(number), 0) + 1 FROM signatures WHERE kiosk_id = ?"',
    "import sqlite3  # noqa",
    "def _n(db):\n    return db.execute('x')",
    'ROWS = f"UPDATE print_jobs SET status = {1}"',
])
def test_sql_outside_the_store_is_caught(tmp_path, addition):
    root = copy_with(tmp_path, "application/station.py", addition)
    assert len(sql_outside_the_store(root / "kiosk")) == 1


def test_sql_in_the_offices_service_is_caught(tmp_path):
    root = copy_with(tmp_path, "hq/service.py", 'GONE = "DELETE FROM tokens WHERE kiosk_id = %s"')
    found = sql_outside_the_store(root / "kiosk")
    assert len(found) == 1 and found[0].startswith("kiosk/hq/service.py:"), found


# -- the command line writes through one place --------------------------------------------------

WRITERS = {"echo", "secho", "echo_via_pager", "print", "get_text_stream", "get_binary_stream", "Console", "exit"}


def direct_output(root: Path) -> list[str]:
    """Each place in ``kiosk/cli`` outside ``base.py`` that writes to the terminal itself
    (``click.echo``, ``print``, ``sys.stdout``, a rich ``Console``) or exits with its own code
    (``sys.exit``): base.echo makes every line safe for a terminal, and base's group keeps the
    exit code honest when output is lost."""
    found = []
    for path in sorted((root / "cli").rglob("*.py")):
        if path.name == "base.py":
            continue
        where = path.relative_to(root.parent)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if node.value.id == "sys" and node.attr in ("stdout", "stderr", "exit", "__stdout__", "__stderr__"):
                    found.append(f"{where}:{node.lineno}: sys.{node.attr}")
                elif node.value.id in ("click", "rich", "console") and node.attr in WRITERS:
                    found.append(f"{where}:{node.lineno}: {node.value.id}.{node.attr}")
            elif isinstance(node, ast.Name) and node.id == "print" and isinstance(node.ctx, ast.Load):
                found.append(f"{where}:{node.lineno}: print")
            elif isinstance(node, ast.ImportFrom) and node.module in ("click", "sys", "rich.console", "builtins"):
                names = [a.name for a in node.names if a.name in WRITERS | {"stdout", "stderr"}]
                if names:
                    found.append(f"{where}:{node.lineno}: from {node.module} import {', '.join(names)}")
    return found


def test_the_command_line_writes_only_through_base():
    assert direct_output(KIOSK) == []


@pytest.mark.parametrize("addition", [
    "def _f():\n    click.echo('x')",
    "def _f():\n    print('x')",
    "def _f():\n    sys.stdout.write('x')",
    "def _f():\n    click.secho('x', err=True)",
    "from click import echo as say  # noqa",
    "def _f():\n    from rich.console import Console\n    return Console",
    "def _f():\n    sys.exit(3)",
])
def test_writing_around_base_is_caught(tmp_path, addition):
    root = copy_with(tmp_path, "cli/records.py", addition)
    assert len(direct_output(root / "kiosk")) == 1


# -- errors are read by their attributes, never by their text -------------------------------------

TEXT_READS = {"partition", "rpartition", "split", "startswith", "endswith", "replace", "find", "index", "removeprefix"}


def exception_text_reads(root: Path) -> list[str]:
    """Each place that takes apart the text of an exception it caught (``str(exc).partition``,
    ``"locked" in str(exc)``): an error's field and problem are attributes to read instead."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for handler in ast.walk(tree):
            if not isinstance(handler, ast.ExceptHandler) or not handler.name:
                continue

            def is_text(node: ast.AST, name: str = handler.name) -> bool:
                return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str"
                        and len(node.args) == 1 and isinstance(node.args[0], ast.Name) and node.args[0].id == name)

            for node in (n for stmt in handler.body for n in ast.walk(stmt)):
                read = (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in TEXT_READS and is_text(node.func.value))
                compared = isinstance(node, ast.Compare) and any(is_text(c) for c in (node.left, *node.comparators))
                if read or compared:
                    found.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    return found


def test_no_code_reads_an_exceptions_text():
    assert exception_text_reads(KIOSK) == []


@pytest.mark.parametrize("addition", [
    "def _f():\n    try:\n        pass\n    except ValueError as exc:\n"
    "        field, _, problem = str(exc).partition(': ')",
    "def _f():\n    try:\n        pass\n    except OSError as err:\n        return 'locked' in str(err)",
])
def test_reading_an_exceptions_text_is_caught(tmp_path, addition):
    root = copy_with(tmp_path, "ui/screens/form.py", addition)
    assert len(exception_text_reads(root / "kiosk")) == 1


def test_the_application_layer_names_what_it_loads():
    """kiosk.application loads each name on first use: every name it offers resolves, and the
    list it publishes is the list it knows."""
    import kiosk.application as application

    assert sorted(application.__all__) == sorted(application._MODULE)
    for name in application.__all__:
        assert getattr(application, name) is not None, name


def test_a_command_loads_only_what_it_uses(tmp_path):
    """`kiosk jobs` and the exports never load the printing code (python-escpos, Pillow) or the app."""
    code = ("import sys\nfrom kiosk.cli import cli\n"
            "cli.main(['jobs', '--db', sys.argv[1]], standalone_mode=False)\n"
            "cli.main(['export', 'counts', '--db', sys.argv[1]], standalone_mode=False)\n"
            "heavy = ('escpos', 'PIL', 'textual', 'kiosk.printing.queue', 'kiosk.ui')\n"
            "print(sorted(m for m in heavy if m in sys.modules))")
    from tests.helpers.records_data import fill

    db = fill(tmp_path / "k.db")
    out = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True, timeout=120,
                         env={"PATH": "", "KIOSK_DATA_DIR": str(tmp_path / "data"), "KIOSK_CONFIG_DIR": str(tmp_path)})
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr[-2000:]
