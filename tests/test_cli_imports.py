"""Each command loads only what it uses (issue 19: the command line starts like a ten-line script).

Every command below runs as a real process (the ``kiosk`` entry point, its output piped, as
an organiser's script runs it) and reports the modules it had loaded when it ended. The heavy
ones (the app, the printing code, the office's server, what only one feature needs) and the
other commands' code must not be among them. Like harlequin's import-hygiene test: a module
imported at the top of a command file "just in case" fails here.

And the command tree ``kiosk`` builds lazily is the whole one: every command a module
registers is named in its group's ``lazy`` map (else ``kiosk`` itself could not find it).
"""

from __future__ import annotations

import os
import subprocess
import sys

import click
import pytest

from tests.helpers.records_data import fill

RUN = """\
import sys
from kiosk.cli import main
sys.argv = ["kiosk", *sys.argv[1:]]
try:
    main()
finally:
    with open({out!r}, "w", encoding="utf-8") as f:
        f.write("\\n".join(sorted(sys.modules)))
"""

# Never loaded by a command that neither draws a screen, prints, serves the office, nor writes settings.
HEAVY = ("textual", "rich", "PIL", "escpos", "qrcode", "psycopg", "psycopg_pool", "starlette", "uvicorn",
         "httpx", "babel", "tomlkit", "kiosk.ui", "kiosk.printing.queue", "kiosk.hq", "kiosk.reports.chart")
# The modules of the other commands: a command loads its own.
OTHERS = ("kiosk.cli.stall", "kiosk.cli.hq", "kiosk.cli.counter", "kiosk.cli.setup", "kiosk.cli.paper",
          "kiosk.cli.signers", "kiosk.cli.sync", "kiosk.cli.people", "kiosk.cli.records", "kiosk.cli.outputs")
EXPORTS = ("kiosk.cli.records", "kiosk.cli.outputs")
AFTER = ("sqlite_utils", "kiosk.printing", "kiosk.receipts", "kiosk.application.station")  # not after the event

COMMANDS = {  # the command, what it may load of HEAVY and OTHERS, and what else it must not load
    "--help": (OTHERS, HEAVY + AFTER + ("sqlite3", "kiosk.store", "kiosk.cases", "kiosk.consent",
                                        "kiosk.application.records", "kiosk.reports")),
    "export counts": (EXPORTS, HEAVY + AFTER + ("kiosk.reports",)),
    "export signatures": (EXPORTS, HEAVY + AFTER + ("kiosk.reports",)),
    "report": ((*EXPORTS, "rich", "babel"), HEAVY + AFTER),
    "merge": (EXPORTS, (*HEAVY, "kiosk.printing", "kiosk.receipts", "kiosk.reports")),
    "jobs": (("kiosk.cli.stall",), (*HEAVY, "kiosk.reports")),
    "sync status": (("kiosk.cli.sync",), (*HEAVY, "kiosk.reports")),
}


def _forbidden(command: str) -> list[str]:
    allowed, never = COMMANDS[command]
    return [m for m in (*never, *OTHERS) if m not in allowed]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """The modules each command of COMMANDS had loaded at its end, the commands run side by side."""
    tmp = tmp_path_factory.mktemp("imports")
    db, source = fill(tmp / "kiosk.db"), fill(tmp / "other.db")
    args = {
        "--help": ["--help"],
        "export counts": ["export", "counts", "--db", str(db)],
        "export signatures": ["export", "signatures", "--db", str(db)],
        "report": ["report", "--db", str(db)],
        "merge": ["merge", str(source), "--db", str(db)],
        "jobs": ["jobs", "--db", str(db)],
        "sync status": ["sync", "status", "--db", str(db)],
    }
    env = {**os.environ, "KIOSK_DATA_DIR": str(tmp / "data"), "KIOSK_CONFIG_DIR": str(tmp / "config"),
           "COLUMNS": "100"}
    started = {}
    for command, argv in args.items():
        out = tmp / f"{command.replace(' ', '-')}.modules"
        started[command] = (out, subprocess.Popen([sys.executable, "-c", RUN.format(out=str(out)), *argv], env=env,
                                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    found = {}
    for command, (out, process) in started.items():
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, f"{command}: {stderr[-2000:]}"
        found[command] = set(out.read_text(encoding="utf-8").splitlines())
    return found


def _under(modules: set[str], name: str) -> list[str]:
    return sorted(m for m in modules if m == name or m.startswith(name + "."))


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_command_loads_only_what_it_uses(loaded, command):
    modules = loaded[command]
    assert "kiosk.cli.base" in modules  # it ran as the kiosk
    extra = {name: _under(modules, name) for name in _forbidden(command) if _under(modules, name)}
    assert extra == {}, f"kiosk {command} loads what it does not use"


def test_help_lists_every_command_without_loading_the_store(loaded):
    """`kiosk --help` shows every command's short help, from the command modules alone."""
    assert {"kiosk.cli.stall", "kiosk.cli.records", "kiosk.cli.hq"} <= loaded["--help"]


def _paths(group: click.Group, ctx: click.Context, prefix: tuple[str, ...] = ()):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"kiosk {' '.join((*prefix, name))}: named, but no module registers it"
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _paths(command, click.Context(command, parent=ctx, info_name=name), (*prefix, name))


def test_every_registered_command_is_named_in_its_group():
    """A command a module registers on a group that does not name it in ``lazy`` would be
    found by tests (once its module is loaded) and not by `kiosk`: each group names exactly
    the commands registered on it, and each in the module that registers it."""
    from kiosk.cli import cli

    for path, command in list(_paths(cli, click.Context(cli))):
        if isinstance(command, click.Group):
            _check_group(path, command)
    _check_group((), cli)


def _check_group(path, group):
    own = group.callback.__module__ if group.callback else None
    lazy = group.lazy or {name: own.removeprefix("kiosk.cli.") for name in group.commands}  # its own module's
    assert sorted(group.commands) == sorted(lazy), path
    for name, module in lazy.items():
        registered = group.commands[name]
        where = registered.callback.__module__ if registered.callback else None
        assert where == f"kiosk.cli.{module}", (path, name, where)
