"""Adversarial: what a person or a stray file feeds the kiosk before anything is recorded.

Files named by a person (case files, printer set-ups, settings) are read only when they are
regular files of bounded size; ids are whole ids; a PIN hash cannot make the PIN prompt
crash or hang; what is printed keeps recording's limits; a QR code fits its paper or its
case is refused before any paper moves.
"""

from __future__ import annotations

import base64
import dataclasses
import os
import time

import pytest
from click.testing import CliRunner

from kiosk.application import check_cases, open_station
from kiosk.cases import load_case, read_dir
from kiosk.cli import cli
from kiosk.errors import PinError, SetupError
from kiosk.files import UnreadableFile, read_regular
from kiosk.pin import check_hash, hash_pin, verify_pin
from kiosk.printing.setups import load_setup, parse_spec
from kiosk.receipts import layouts
from kiosk.receipts.model import Paper
from kiosk.receipts.plain import render_text
from kiosk.receipts.qr import MIN_MODULE, QRTooWide, module_dots, modules
from kiosk.receipts.raster import render_png
from kiosk.settings import Settings
from kiosk.store import Signature
from kiosk.text import MESSAGE_MAX, NAME_MAX
from tests.helpers import CASES

GOOD_CASE = CASES / "lawyer-amara-osei.toml"


def _specials(folder, suffix=".toml"):
    """A FIFO, a link to /dev/zero, a folder, a dangling link and a 3 MB file, by name."""
    os.mkfifo(folder / f"fifo{suffix}")
    (folder / f"zero{suffix}").symlink_to("/dev/zero")
    (folder / f"folder{suffix}").mkdir()
    (folder / f"dangling{suffix}").symlink_to(folder / "nowhere")
    (folder / f"huge{suffix}").write_bytes(b"# " + b"x" * 3_000_000 + b"\n")
    return {
        "fifo": "a FIFO (named pipe), not a regular file",
        "zero": "a device, not a regular file",
        "folder": "a folder, not a regular file",
        "dangling": "no such file",
        "huge": "larger than",
    }


def test_read_regular_refuses_every_special_file_without_blocking(tmp_path):
    expected = _specials(tmp_path)
    started = time.monotonic()
    for stem, problem in expected.items():
        with pytest.raises(UnreadableFile) as caught:
            read_regular(tmp_path / f"{stem}.toml", 64 * 1024)
        assert str(caught.value).startswith(problem)
    assert time.monotonic() - started < 2  # a FIFO never opened, /dev/zero never read
    (tmp_path / "ok.toml").write_bytes(b"a = 1\n")
    assert read_regular(tmp_path / "ok.toml", 6) == b"a = 1\n"
    with pytest.raises(UnreadableFile, match="larger than 5 bytes"):
        read_regular(tmp_path / "ok.toml", 5)


def test_special_case_files_are_one_line_each_and_the_good_case_still_loads(tmp_path):
    expected = _specials(tmp_path)
    (tmp_path / "good.toml").write_bytes(GOOD_CASE.read_bytes())
    result = read_dir(tmp_path)
    assert list(result.cases) == ["good"]
    problems = {os.path.basename(e.source or "").removesuffix(".toml"): e.problem for e in result.errors}
    assert set(problems) == set(expected)
    for stem, problem in expected.items():
        assert problems[stem].startswith(problem), (stem, problems[stem])
    out = CliRunner().invoke(cli, ["cases", "check", str(tmp_path)])
    assert out.exit_code == 1
    assert "Traceback" not in out.output and "5 error(s)" in out.output


def test_a_case_id_is_the_whole_file_name(tmp_path):
    for name in ("amara\n", "amara\r", "amara ", "Amara", "-amara", "a" * 64):
        path = tmp_path / f"{name}.toml"
        path.write_bytes(GOOD_CASE.read_bytes())
        with pytest.raises(Exception) as caught:
            load_case(path)
        assert any(e.problem.startswith("file name") for e in caught.value.errors), name
        path.unlink()


def test_special_printer_set_up_files_are_one_line(tmp_path):
    printers = tmp_path / "printers"
    printers.mkdir()
    expected = _specials(printers)
    for stem, problem in expected.items():
        with pytest.raises(SetupError) as caught:
            parse_spec(stem, printers)
        assert caught.value.problem.startswith(problem) and caught.value.source == str(printers / f"{stem}.toml")
        with pytest.raises(SetupError):
            load_setup(printers / f"{stem}.toml")
    out = CliRunner().invoke(cli, ["printer", "list", "--printers", str(printers)])
    assert "Traceback" not in out.output


# -- the PIN hash ------------------------------------------------------------------


def _with(pin_hash: str, **fields: str) -> str:
    parts = pin_hash.split("$")
    for index, key in enumerate(("scheme", "n", "r", "p", "salt", "key")):
        parts[index] = fields.get(key, parts[index])
    return "$".join(parts)


def test_a_costly_pin_hash_is_refused_when_the_settings_are_read(tmp_path):
    good = hash_pin("2468")
    for costly in (_with(good, n=str(2**20)), _with(good, n=str(2**16), r="32"), _with(good, p="16", n=str(2**16)),
                   _with(good, key=base64.b64encode(b"k" * 5000).decode())):
        with pytest.raises(PinError):
            check_hash(costly)
        config = tmp_path / "stall.toml"
        config.write_text(f'pin_hash = "{costly}"\n', encoding="utf-8")
        out = CliRunner().invoke(cli, ["run", "--config", str(config)])
        assert out.exit_code != 0 and len(out.output.strip().splitlines()) == 1, out.output
        assert "pin_hash" in out.output and "Traceback" not in out.output


def test_verify_pin_never_raises_anything_but_a_pin_error(tmp_path):
    good = hash_pin("2468")
    assert verify_pin("2468", good) and not verify_pin("1357", good)
    mutants = [_with(good, n="3"), _with(good, n="0"), _with(good, r="0"), _with(good, salt="!!"),
               _with(good, scheme="bcrypt"), good + "$", good.replace("$", "$$", 1), "", "scrypt"]
    for mutant in mutants:
        try:
            verify_pin("2468", mutant)
        except PinError as exc:
            assert "2468" not in str(exc)


# -- what is printed -----------------------------------------------------------------


def _signature(**fields) -> Signature:
    base = {"id": "s1", "number": 1, "case_id": "lawyer-amara-osei", "kind": "appeal", "name": "Ana", "message": "",
            "created_at": "2026-07-01T10:00:00Z", "event": "Fest", "kiosk_id": "k1",
            "local_time": "2026-07-01T12:00:00"}
    return Signature(**{**base, **fields})


@pytest.mark.parametrize("kind", ["appeal", "postcard"])
def test_a_huge_stored_name_prints_within_recordings_limits(kind):
    case = load_case(GOOD_CASE)
    normal = render_text(layouts.for_signature(case, _signature(kind=kind, name="Ana", message="Hi"), "C"),
                         Paper(dots=576, columns=48))
    huge = _signature(kind=kind, name="Ŋ" * 100_000 + "\n" * 5000, message=("M" * 100 + "\n") * 10_000,
                      event="E" * 10_000)
    receipt = layouts.for_signature(case, huge, "C")
    text = render_text(receipt, Paper(dots=576, columns=48))
    allowed = (NAME_MAX + MESSAGE_MAX + 60 + 32) // 48 + 40  # every limited field, wrapped, and margin
    assert len(text.splitlines()) <= len(normal.splitlines()) + allowed
    assert text.count("Ŋ") == NAME_MAX  # the name is cut where recording would have refused it


def test_a_qr_code_is_never_shrunk_by_resampling_and_fits_its_paper():
    longest_ok = "https://example.org/" + "x" * 280  # the longest address a case may hold
    for dots in (384, 576):
        box = module_dots(longest_ok, dots)
        assert box >= MIN_MODULE and modules(longest_ok) * box <= dots
    case = dataclasses.replace(load_case(GOOD_CASE))
    case = dataclasses.replace(case, postcard=dataclasses.replace(case.postcard, url=longest_ok))
    image = render_png(layouts.for_signature(case, _signature(kind="postcard"), "C"), Paper(dots=384, columns=32))
    assert image.width == 384
    with pytest.raises(QRTooWide, match="at most"):
        module_dots(longest_ok, 128)


def test_a_case_whose_qr_code_cannot_fit_the_printers_paper_is_refused_before_paper_moves(tmp_path):
    cases = tmp_path / "cases"
    cases.mkdir()
    long_url = "https://example.org/" + "x" * 200
    text = GOOD_CASE.read_text(encoding="utf-8").replace("https://example.org/cases/amara-osei", long_url)
    (cases / "long-url.toml").write_text(text, encoding="utf-8")
    (cases / "short-url.toml").write_bytes(GOOD_CASE.read_bytes())
    assert set(check_cases(cases).cases) == {"long-url", "short-url"}  # 58 mm paper takes it
    narrow = check_cases(cases, paper_dots=128)
    assert set(narrow.cases) == {"short-url"}
    assert [(e.field, e.source) for e in narrow.errors] == [("postcard.url", str(cases / "long-url.toml"))]
    warned: list[str] = []
    settings = Settings(cases=cases, database=tmp_path / "k.db", printer=f"file:{tmp_path / 'out'}?paper=58",
                        allow_sample_cases=True)
    station = open_station(dataclasses.replace(settings), warn=warned.append)
    assert station.case("long-url") is not None  # 384 dots: it fits
    narrow_printer = tmp_path / "printers"
    narrow_printer.mkdir()
    (narrow_printer / "narrow.toml").write_text('paper = 58\ndots = 128\n[connection]\ntype = "file"\n'
                                               f'path = "{tmp_path / "out"}"\n', encoding="utf-8")
    station = open_station(dataclasses.replace(settings, printer="narrow", printers=narrow_printer),
                           warn=warned.append)
    assert station.case("long-url") is None and station.case("short-url") is not None
    assert any("long-url.toml: postcard.url:" in line for line in warned), warned


def test_an_appeal_prints_to_the_addressee_it_was_signed_for_after_the_case_file_changes():
    case = load_case(GOOD_CASE)
    signed_for = _signature(addressee_name="Minister A. Old", addressee_title="Ministry of Justice",
                            addressee_address="1 Old Street\nCapital")
    text = render_text(layouts.for_signature(case, signed_for, "C"), Paper(dots=576, columns=48))
    assert "Minister A. Old" in text and "1 Old Street" in text and "Capital" in text
    assert case.appeal.addressee.name not in text  # the case file's new addressee is not this letter's
    older = render_text(layouts.for_signature(case, _signature(), "C"), Paper(dots=576, columns=48))
    assert case.appeal.addressee.name in older  # a letter from before kiosks kept it: the case file's


def test_a_setting_that_is_not_utf8_is_one_line_naming_it(tmp_path):
    from kiosk.errors import SettingError
    from kiosk.settings import resolve

    for variable in ("KIOSK_PRINTER", "KIOSK_EVENT", "KIOSK_CAMPAIGN"):
        with pytest.raises(SettingError) as caught:
            resolve(environ={variable: os.fsdecode(b"Fest-\xff")}, use_file=False)
        assert str(caught.value) == f"{variable}: b'Fest-\\xff' is not UTF-8 text"
    odd_folder = os.fsdecode(bytes(tmp_path) + b"/cases-\xff")  # a file name need not be UTF-8
    assert str(resolve(environ={"KIOSK_CASES": odd_folder}, use_file=False).cases) == odd_folder


def test_set_pin_writes_only_a_settings_file(tmp_path):
    import hashlib

    def set_pin(path):
        return CliRunner().invoke(cli, ["set-pin", "--config", str(path)], input="2468\n2468\n")

    database = tmp_path / "k.db"
    assert CliRunner().invoke(cli, ["sign", "--db", str(database), "--case", "lawyer-amara-osei", "--name", "Ana",
                                    "--kind", "appeal", "--allow-sample-cases",
                                    "--printer", f"preview:{tmp_path / 'p'}"]).exit_code == 0
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    _specials(tmp_path)
    (tmp_path / "link.toml").symlink_to(tmp_path / "elsewhere.toml")
    (tmp_path / "db.toml").symlink_to(database)
    for name in ("k.db", "fifo.toml", "zero.toml", "folder.toml", "huge.toml", "link.toml", "db.toml"):
        result = set_pin(tmp_path / name)
        assert result.exit_code in (1, 2) and "Traceback" not in result.output, (name, result.output)
        assert str(tmp_path / name) in result.output.splitlines()[-1] and len(result.output.splitlines()) <= 3
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before
    assert not (tmp_path / "elsewhere.toml").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []
    fresh = tmp_path / "new" / "stall.toml"
    assert set_pin(fresh).exit_code == 0 and set_pin(fresh).exit_code == 0  # created, then updated
    assert fresh.stat().st_mode & 0o777 == 0o600 and check_hash(
        __import__("tomllib").loads(fresh.read_text(encoding="utf-8"))["pin_hash"])


def test_a_qr_code_too_wide_for_the_paper_fails_the_job_before_any_byte(tmp_path):
    from kiosk.errors import PrintError
    from kiosk.printing.queue import deliver

    out = tmp_path / "out.bin"
    (tmp_path / "narrow.toml").write_text(f'dots = 128\n[connection]\ntype = "file"\npath = "{out}"\n',
                                          encoding="utf-8")
    case = load_case(GOOD_CASE)
    case = dataclasses.replace(case, postcard=dataclasses.replace(case.postcard,
                                                                  url="https://example.org/" + "x" * 200))
    receipt = layouts.for_signature(case, _signature(kind="postcard"), "C")
    with pytest.raises(PrintError, match=r"QR code: .* too wide for 128-dot paper") as caught:
        deliver(receipt, load_setup(tmp_path / "narrow.toml"))
    assert not caught.value.maybe_printed and (not out.exists() or out.stat().st_size == 0)


@pytest.mark.parametrize("name", ["\u200b\u200b", "\u3164", "\u2800\u2800", "\u0301", "\u200d\ufe0f", "\u00ad"])
def test_a_name_that_prints_as_nothing_is_empty(tmp_path, name):
    result = CliRunner().invoke(cli, ["sign", "--db", str(tmp_path / "k.db"), "--case", "lawyer-amara-osei",
                                      "--kind", "appeal", "--name", name, "--allow-sample-cases",
                                      "--printer", f"preview:{tmp_path / 'p'}"])
    assert result.exit_code == 1 and result.output.strip() == "Error: --name: must not be empty", result.output
    if (tmp_path / "k.db").exists():  # nothing was recorded: the export holds its header only
        exported = CliRunner().invoke(cli, ["export", "signatures", "--db", str(tmp_path / "k.db")]).output
        assert len(exported.strip().splitlines()) == 1
