"""The command line, run as a user runs it: exit codes, one-line errors, exports."""

import csv
import io
import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from kiosk.cli import cli
from tests.helpers import CASES
from tests.helpers.escpos_stream import decode, read_qr
from tests.helpers.fake_printer import refusing_port


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "k.db")


def sign(db, tmp_path, name="Ada", kind="appeal", case="lawyer-amara-osei", printer=None, event="Fest"):
    return run("sign", "--case", case, "--name", name, "--kind", kind, "--db", db, "--cases", str(CASES),
               "--allow-sample-cases", "--event", event, "--kiosk-id", "k1",
               "--printer", printer or f"preview:{tmp_path / 'preview'}")


def test_sign_records_then_prints(db, tmp_path):
    result = sign(db, tmp_path)
    assert result.exit_code == 0, result.output
    assert "Ref. Fest / k1 / #0001" in result.output and "Printed on" in result.output
    assert (tmp_path / "preview" / "k1-0001-appeal.png").exists()
    text = (tmp_path / "preview" / "k1-0001-appeal.txt").read_text(encoding="utf-8")
    assert "Ada" in text and "Every letter counts" not in text  # an appeal is an official letter: no motto


def test_sign_to_a_file_printer_writes_decodable_bytes(db, tmp_path):
    out = tmp_path / "lp0"
    result = sign(db, tmp_path, kind="postcard", printer=f"file:{out}?profile=POS-5890&paper=58")
    assert result.exit_code == 0, result.output
    decoded = decode(out.read_bytes(), "POS-5890")
    assert "Ada" in decoded.text
    assert [u for img in decoded.images for u in read_qr(img)] == ["https://example.org/cases/amara-osei"]


def test_recorded_but_not_printed_exits_3_and_the_job_waits(db, tmp_path):
    down = f"tcp://127.0.0.1:{refusing_port()}?timeout=1"
    result = sign(db, tmp_path, printer=down)
    assert result.exit_code == 3
    assert "Recorded appeal" in result.output and "connection refused" in result.output
    jobs = run("jobs", "--db", db)
    assert "failed" in jobs.output and "connection refused" in jobs.output
    retry = run("jobs", "retry", "--db", db, "--cases", str(CASES), "--allow-sample-cases",
                "--printer", f"preview:{tmp_path / 'p2'}")
    assert retry.exit_code == 0 and "1 printed, 0 still waiting" in retry.output
    assert run("jobs", "--db", db).output.strip() == "No print jobs waiting."
    sigs = json.loads(run("export", "signatures", "--format", "json", "--db", db).output)
    assert [s["print_status"] for s in sigs] == ["printed"]


def test_a_torn_job_is_left_for_a_look_and_reprinted_only_when_asked(db, tmp_path, fake_printer):
    printer = fake_printer("drop")
    result = sign(db, tmp_path, printer=printer.spec + "?timeout=2")
    assert result.exit_code == 4  # recorded, maybe on paper
    assert "may be on paper: look, then reprint it with: kiosk jobs retry --interrupted" in result.output
    printer.mode = "ok"
    retry = ["jobs", "retry", "--db", db, "--cases", str(CASES), "--allow-sample-cases",
             "--printer", printer.spec + "?timeout=2"]
    plain = run(*retry)
    assert plain.exit_code == 0 and "printed" not in plain.output
    assert "Left alone: 1 interrupted job, maybe on paper." in plain.output
    asked = run(*retry, "--interrupted")
    assert asked.exit_code == 0 and "1 printed, 0 still waiting" in asked.output
    assert run("jobs", "--db", db).output.strip() == "No print jobs waiting."


@pytest.mark.parametrize(
    "args, message",
    [
        (["sign", "--case", "nope", "--name", "Ada", "--kind", "appeal"], "--case: unknown case 'nope'"),
        (["sign", "--case", "lawyer-amara-osei", "--name", " \x1b ", "--kind", "appeal"], "name: must not be empty"),
        (["sign", "--case", "lawyer-amara-osei", "--name", "Ada", "--kind", "appeal", "--printer", "laser"],
         "--printer: unknown printer 'laser'"),
        (["sign", "--case", "lawyer-amara-osei", "--name", "A" * 81, "--kind", "appeal"], "name: 81 characters"),
        (["sign", "--case", "lawyer-amara-osei", "--name", "Ada", "--kind", "appeal", "--kiosk-id", "../x"],
         "--kiosk-id: '../x' must be"),
        (["export", "counts", "--db", "/nonexistent/k.db"], "/nonexistent/k.db: no such database"),
        (["jobs", "--db", "/nonexistent/k.db"], "no such database"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(tmp_path, args, message):
    result = run(*args, "--cases", str(CASES), "--allow-sample-cases") if args[0] == "sign" else run(*args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) == 1
    assert not (tmp_path / "data" / "kiosk.db").exists() or args[0] != "sign"


def test_a_foreign_database_is_refused_in_one_line(tmp_path):
    path = tmp_path / "photos.db"
    path.write_bytes(b"\x89PNG not sqlite" * 100)
    before = path.read_bytes()
    result = run("export", "signatures", "--db", str(path))
    assert result.exit_code == 1 and "not a kiosk database" in result.output
    assert path.read_bytes() == before


def test_export_counts_and_signatures(db, tmp_path):
    for case, kind, event in [("lawyer-amara-osei", "appeal", "Fest"), ("lawyer-amara-osei", "postcard", "Fest"),
                              ("prisoner-ilya-voronin", "appeal", "Fair")]:
        assert sign(db, tmp_path, case=case, kind=kind, event=event, name="Zoë, \"quoted\"").exit_code == 0
    rows = list(csv.DictReader(io.StringIO(run("export", "counts", "--db", db).output)))
    assert [(r["case_id"], r["count"]) for r in rows] == [("lawyer-amara-osei", "2"), ("prisoner-ilya-voronin", "1")]
    assert rows[0]["case_title"] == "Lawyer harassed for defending her clients"
    by_event = json.loads(run("export", "counts", "--by", "event", "--format", "json", "--db", db).output)
    assert by_event == [{"event": "Fair", "count": 1, "paper": 0, "duplicates": 0, "signers": 1},
                        {"event": "Fest", "count": 2, "paper": 0, "duplicates": 0, "signers": 2}]
    (day,) = json.loads(run("export", "counts", "--by", "day", "--format", "json", "--db", db).output)
    assert day["count"] == 3
    (hour,) = json.loads(run("export", "counts", "--by", "hour", "--format", "json", "--db", db).output)
    assert hour["count"] == 3 and hour["hour"].endswith(":00") and hour["hour"][:10] == day["day"]
    sigs = list(csv.DictReader(io.StringIO(run("export", "signatures", "--db", db).output)))
    assert len(sigs) == 3
    assert set(sigs[0]) >= {
        "id", "case_id", "kind", "name", "message", "created_at", "event", "kiosk_id", "print_status",
    }
    assert {s["name"] for s in sigs} == {"Zoë, \"quoted\""}
    assert {s["print_status"] for s in sigs} == {"printed"}


def test_printer_test_receipt(tmp_path):
    out = tmp_path / "test.bin"
    result = run("printer", "test", "--printer", f"file:{out}")
    assert result.exit_code == 0, result.output
    decoded = decode(out.read_bytes(), "TM-T20II")
    ruler = "".join(str(i % 10) for i in range(1, 49))
    assert ruler in decoded.text
    assert "Привет, мир!" in decoded.text and "Καλημέρα" in decoded.text and "àéîõü" in decoded.text
    assert decoded.qr == ["https://example.org/kiosk-printer-test"]
    assert decoded.images  # the raster sample line
    assert decoded.cuts == [1]


def test_printer_test_failure_is_one_line():
    result = run("printer", "test", "--printer", f"tcp://127.0.0.1:{refusing_port()}?timeout=1")
    assert result.exit_code == 1 and "test print failed" in result.output and "connection refused" in result.output



def _commands(group, prefix=()):
    """Every command path, as `kiosk` finds them (each group loads its commands' modules when asked)."""
    for name in group.list_commands(click.Context(group)):
        command = group.get_command(click.Context(group), name)
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


@pytest.mark.parametrize("path", list(_commands(cli)), ids=" ".join)
def test_every_command_has_help(path):
    result = run(*path, "--help")
    assert result.exit_code == 0 and "Usage:" in result.output


def test_every_command_is_in_the_docs():
    from tests.helpers import ROOT

    docs = (ROOT / "README.md").read_text(encoding="utf-8") + "".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))
    groups = {path for path in _commands(cli) if isinstance(_command(path), click.Group)}
    missing = [" ".join(path) for path in _commands(cli)
               if path not in groups and f"kiosk {' '.join(path)}" not in docs]
    assert missing == []


def _command(path):
    command = cli
    for name in path:
        command = command.get_command(click.Context(command), name)
    return command


def test_python_m_kiosk_and_no_escpos_noise_on_stdout(tmp_path):
    out = subprocess.run([sys.executable, "-m", "kiosk", "printer", "test",
                          "--printer", f"file:{tmp_path / 'x.bin'}?profile=POS-5890"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    assert out.stdout.splitlines()[0].startswith("Printer: ") and len(out.stdout.splitlines()) == 2
