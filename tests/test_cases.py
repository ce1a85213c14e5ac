import datetime as dt
import shutil
import textwrap

from click.testing import CliRunner

from kiosk.application import open_station
from kiosk.cases import read_dir
from kiosk.cli import cli
from kiosk.settings import Settings
from tests.helpers import CASES


def write(folder, name, text):
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_samples_are_valid_and_cover_the_required_cases(cases):
    assert len(cases.cases) >= 4
    assert all(c.sample for c in cases.cases.values())
    people = " ".join(c.title.lower() for c in cases.cases.values())
    for word in ("lawyer", "poem", "journalist", "river"):
        assert word in people
    # at least one addressee writes in a non-Latin script
    assert any(
        any("\u0400" <= ch <= "\u04ff" for line in c.appeal.addressee.address for ch in line)
        for c in cases.cases.values()
    )


def test_errors_name_the_file_and_the_field(tmp_path):
    src = (CASES / "lawyer-amara-osei.toml").read_text(encoding="utf-8")
    write(tmp_path, "no-title.toml", src.replace('title = "Lawyer harassed for defending her clients"\n', ""))
    write(tmp_path, "bad-url.toml", src.replace("https://example.org/cases/amara-osei", "javascript:alert(1)"))
    write(tmp_path, "bad-deadline.toml", src.replace("deadline = 2027-06-30", 'deadline = "soon"'))
    write(tmp_path, "typo.toml", src.replace("[postcard]", "[postcard]\nheadng = 'x'"))
    write(tmp_path, "body-number.toml", src.replace("closing = \"Yours sincerely,\"", "closing = 12"))
    result = read_dir(tmp_path)
    messages = [str(e) for e in result.errors]
    assert any("no-title.toml: title: missing" in m for m in messages), messages
    assert any("bad-url.toml: postcard.url:" in m and "http" in m for m in messages), messages
    assert any("bad-deadline.toml: deadline: must be a date" in m for m in messages), messages
    assert any("typo.toml: postcard.headng: unknown field" in m for m in messages), messages
    assert any("body-number.toml: appeal.closing: must be text" in m for m in messages), messages
    assert result.cases == {}


def test_toml_syntax_error_gives_its_line(tmp_path):
    write(tmp_path, "broken.toml", 'title = "ok"\nperson = "unterminated\n')
    (error,) = read_dir(tmp_path).errors
    assert "broken.toml" in str(error) and "TOML syntax error" in str(error) and "line 2" in str(error)


def test_loader_skips_a_bad_file_with_a_warning_and_keeps_the_good(tmp_path):
    shutil.copy(CASES / "lawyer-amara-osei.toml", tmp_path)
    write(tmp_path, "broken.toml", "title = [")
    warnings = []
    settings = Settings(cases=tmp_path, allow_sample_cases=True, database=tmp_path / "k.db")
    result = open_station(settings, warn=warnings.append).case_set
    assert list(result.cases) == ["lawyer-amara-osei"]
    assert len(warnings) == 1 and "broken.toml" in warnings[0]


def test_a_case_past_its_deadline_is_not_offered(cases):
    lawyer = cases.cases["lawyer-amara-osei"]
    assert lawyer in cases.offered(dt.date(2027, 6, 30))
    assert lawyer not in cases.offered(dt.date(2027, 7, 1))
    assert cases.cases["prisoner-ilya-voronin"] in cases.offered(dt.date(2099, 1, 1))  # no deadline


def test_cases_check_command(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(cli, ["cases", "check", str(CASES)])
    assert ok.exit_code == 0, ok.output
    assert "4 valid case(s), 0 error(s)" in ok.output
    write(tmp_path, "broken.toml", "title = [")
    shutil.copy(CASES / "lawyer-amara-osei.toml", tmp_path)
    bad = runner.invoke(cli, ["cases", "check", str(tmp_path)])
    assert bad.exit_code == 1
    assert "broken.toml" in bad.output and "Traceback" not in bad.output
