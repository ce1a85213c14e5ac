"""One settings schema: read in one place, shared by every command at the stall, each bad
value reported where it came from."""

from __future__ import annotations

import os
import tomllib

import pytest
from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.settings import Settings, default_kiosk_id, markdown_table, resolve, specs, template
from kiosk.store import Store
from tests.helpers import CASES, ROOT
from tests.helpers.escpos_stream import decode
from tests.helpers.fake_printer import refusing_port

CASE = "lawyer-amara-osei"


def run(*args, env=None, input=None):
    return CliRunner().invoke(cli, list(args), env=env, input=input, catch_exceptions=False)


def stall_cases(folder):
    """A stall's own case files: the samples without their ``sample = true``."""
    folder.mkdir()
    for path in CASES.glob("*.toml"):
        (folder / path.name).write_text(path.read_text(encoding="utf-8").replace("sample = true\n", ""),
                                        encoding="utf-8")
    return folder


@pytest.fixture
def stall(tmp_path):
    """A stall's settings file, naming its database, printer, cases, kiosk id, event and campaign.
    The printer writes to a file, so what reached it can be decoded."""
    stall_cases(tmp_path / "our-cases")
    config = tmp_path / "stall" / "stall.toml"
    config.parent.mkdir()
    config.write_text(
        'campaign = "Write for Rights"\nevent = "Riverside Fest"\nkiosk_id = "tent-7"\ncases = "../our-cases"\n'
        f'database = "stall.db"\nprinter = "file:{tmp_path / "lp0"}"\n', encoding="utf-8")
    return config


# -- a value set only in the settings file reaches the stall commands ---------------------------


def test_a_value_set_only_in_the_settings_file_reaches_sign_jobs_and_printer_test(tmp_path, stall):
    signed = run("sign", "--config", str(stall), "--case", CASE, "--name", "Ada", "--kind", "postcard")
    assert signed.exit_code == 0, signed.output
    assert "Ref. Riverside Fest / tent-7 / #0001" in signed.output
    paper = decode((tmp_path / "lp0").read_bytes(), "TM-T20II")  # a postcard carries the campaign's name
    assert "Write for Rights" in paper.text and "Ada" in paper.text and "Riverside Fest" in paper.text
    database = stall.parent / "stall.db"  # relative to the settings file
    with Store(database) as store:
        assert [s.kiosk_id for s in store.signatures()] == ["tent-7"]

    down = f"tcp://127.0.0.1:{refusing_port()}?timeout=1"  # a flag wins over the file
    failed = run("sign", "--config", str(stall), "--case", CASE, "--name", "Bo", "--kind", "postcard",
                 "--printer", down)
    assert failed.exit_code == 3, failed.output
    jobs = run("jobs", "--config", str(stall))
    assert jobs.exit_code == 0 and "Riverside Fest / tent-7 / #0002" in jobs.output and "failed" in jobs.output
    assert run("jobs", env={"KIOSK_CONFIG": str(stall)}).output == jobs.output  # the variable names the file too
    assert not (tmp_path / "data" / "kiosk.db").exists()  # the default database was never touched

    (tmp_path / "lp0").unlink()
    tested = run("printer", "test", "--config", str(stall))
    assert tested.exit_code == 0, tested.output
    assert "Printer test" in decode((tmp_path / "lp0").read_bytes(), "TM-T20II").text

    retried = run("jobs", "retry", "--config", str(stall))
    assert retried.exit_code == 0 and "1 printed, 0 still waiting" in retried.output
    counts = run("export", "counts", "--config", str(stall), "--by", "kiosk")
    assert counts.output.splitlines()[1:] == ['"tent-7",2,0,0,2']
    listed = run("cases", "list", "--config", str(stall))
    assert CASE in listed.output and len(listed.output.splitlines()) == 4


def test_the_default_settings_file_is_read_by_every_command(tmp_path, stall):
    default = tmp_path / "config" / "kiosk.toml"  # the user config folder of the tests (KIOSK_CONFIG_DIR)
    default.parent.mkdir()
    default.write_text(stall.read_text(encoding="utf-8").replace('"../our-cases"', f'"{tmp_path / "our-cases"}"')
                       .replace('"stall.db"', f'"{stall.parent / "stall.db"}"'), encoding="utf-8")
    assert run("sign", "--case", CASE, "--name", "Ada", "--kind", "appeal").exit_code == 0
    assert run("jobs").output.strip() == "No print jobs waiting."
    assert run("export", "counts", "--by", "event").output.splitlines()[1:] == ['"Riverside Fest",1,0,0,1']


def test_a_settings_file_named_but_missing_is_an_error_the_default_one_is_not(tmp_path):
    missing = tmp_path / "nope.toml"
    result = run("jobs", "--config", str(missing))
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: {missing}: no such settings file (create one with: "
                                     f"kiosk set-pin --config {missing})")
    assert f"Error: {missing}: no such settings file" in run("jobs", env={"KIOSK_CONFIG": str(missing)}).output
    assert "no such database" in run("jobs").output  # no default settings file: the defaults


# -- precedence --------------------------------------------------------------------------------


def test_a_flag_beats_the_environment_which_beats_the_file_which_beats_the_default(tmp_path):
    config = tmp_path / "stall.toml"
    config.write_text('event = "From the file"\nidle_timeout = 30\n', encoding="utf-8")
    assert Settings().event == "Kiosk"
    only_file = resolve(config=config, environ={})
    assert (only_file.event, only_file.origin("event")) == ("From the file", str(config))
    env = {"KIOSK_EVENT": "From the environment", "KIOSK_IDLE_TIMEOUT": "45"}
    with_env = resolve(config=config, environ=env)
    assert (with_env.event, with_env.origin("event"), with_env.idle_timeout) == (
        "From the environment", "KIOSK_EVENT", 45,
    )
    with_flag = resolve({"event": "From the flag"}, config=config, environ=env)
    assert (with_flag.event, with_flag.origin("event")) == ("From the flag", "--event")
    assert with_flag.origin("campaign") is None and with_flag.campaign == Settings().campaign


def test_paths_in_the_file_are_relative_to_it_and_on_the_command_line_to_the_working_folder(tmp_path, monkeypatch):
    config = tmp_path / "stall" / "stall.toml"
    config.parent.mkdir()
    config.write_text('database = "data/k.db"\ncases = "~/cases"\n', encoding="utf-8")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    settings = resolve(config=config, environ={})
    assert settings.database == tmp_path / "stall" / "data" / "k.db"
    assert settings.cases == tmp_path / "home" / "cases"
    assert resolve({"database": "here.db"}, config=config, environ={}).database == tmp_path / "here.db"


def test_one_default_kiosk_id_for_the_app_and_the_commands(tmp_path):
    config = tmp_path / "stall.toml"
    config.write_text('event = "Fest"\n', encoding="utf-8")
    host = default_kiosk_id()
    assert Settings().kiosk_id == host and resolve(config=config, require_file=True).kiosk_id == host  # kiosk run
    stall_cases(tmp_path / "cases")
    signed = run("sign", "--config", str(config), "--cases", str(tmp_path / "cases"), "--case", CASE, "--name", "Ada",
                 "--kind", "appeal", "--printer", f"preview:{tmp_path / 'p'}")
    assert f"Ref. Fest / {host} / #0001" in signed.output


# -- each error names its source ------------------------------------------------------------------


def sign_with(folder, *, file="", env=None, flags=()):
    """``kiosk sign`` at a stall whose settings are ``file``, ``env`` and ``flags``: its one line of error."""
    folder.mkdir(exist_ok=True)
    config = folder / "stall.toml"
    config.write_text(f'cases = "{stall_cases(folder / "cases")}"\n' + file, encoding="utf-8")
    result = run("sign", "--config", str(config), "--case", CASE, "--name", "Ada", "--kind", "appeal", *flags, env=env)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 1 and len(lines) == 1, result.output
    assert not list(folder.rglob("*.db")) and not (folder.parent / "data").exists()  # nothing recorded
    return lines[0], config


@pytest.mark.parametrize("setting, value, problem", [
    ("printer", "tcp://", "expected tcp://HOST:PORT"),
    ("printer", "laser", "unknown printer 'laser' (use a set-up name, file:PATH"),
    ("printer", "usb:zz:01", "vendor id 'zz' is not a hexadecimal number"),
    ("kiosk_id", "../x", "'../x' must be 1-32 letters, digits, '.', '_' or '-'"),
    ("event", "E" * 61, "61 characters, at most 60 allowed"),
    ("campaign", "x" * 61, "must be 1 to 60 characters"),
])
def test_each_bad_value_is_reported_where_it_came_from(tmp_path, setting, value, problem):
    spec = specs()[setting]
    line, config = sign_with(tmp_path / "file", file=f'{setting} = "{value}"\n')
    assert line.startswith(f"Error: {config}: {setting}: {problem}"), line
    line, _ = sign_with(tmp_path / "env", env={spec.env: value})
    assert line.startswith(f"Error: {spec.env}: {problem}"), line
    line, _ = sign_with(tmp_path / "flag", flags=(spec.flag, value))
    assert line.startswith(f"Error: {spec.flag}: {problem}"), line


def test_a_yes_or_no_setting_takes_words_from_the_environment_and_only_true_or_false_from_the_file(tmp_path):
    line, config = sign_with(tmp_path / "file", file='allow_sample_cases = "yes"\n')
    assert line == f"Error: {config}: allow_sample_cases: 'yes' should be true or false"
    line, _ = sign_with(tmp_path / "env", env={"KIOSK_ALLOW_SAMPLE_CASES": "maybe"})
    assert line == "Error: KIOSK_ALLOW_SAMPLE_CASES: 'maybe' should be true or false"
    assert resolve(environ={"KIOSK_ALLOW_SAMPLE_CASES": "yes"}, use_file=False).allow_sample_cases is True


@pytest.mark.parametrize("text, problem", [
    ("idle_timeout = 1\n", "idle_timeout: 1 seconds; use 5 to 3600"),
    ('idle_timeout = "60"\n', "idle_timeout: '60' should be a number"),
    ("colour = \"red\"\n", "colour: unknown setting (known: campaign, event"),
    ("event = \n", "not valid TOML"),
    ('pin_hash = "1234"\n', "pin_hash: not a PIN hash written by `kiosk set-pin`"),
])
def test_a_bad_settings_file_names_itself_and_the_field(tmp_path, text, problem):
    config = tmp_path / "stall.toml"
    config.write_text(text, encoding="utf-8")
    for command in (["jobs"], ["run"], ["export", "counts"]):
        result = run(*command, "--config", str(config))
        assert result.exit_code == 1 and result.output.startswith(f"Error: {config}: {problem}"), result.output


def test_a_bad_number_in_the_environment_names_the_variable(tmp_path):
    result = run("jobs", env={"KIOSK_THANKS_TIMEOUT": "soon"})
    assert result.output.strip() == "Error: KIOSK_THANKS_TIMEOUT: 'soon' should be a number"


def test_a_settings_file_that_is_not_text_or_not_a_file(tmp_path):
    binary = tmp_path / "stall.toml"
    binary.write_bytes(b"event = \"\xff\"\n")
    assert run("jobs", "--config", str(binary)).output.strip() == f"Error: {binary}: not UTF-8 text (byte 9)"
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    by_variable = run("jobs", env={"KIOSK_CONFIG": str(folder)}).output.strip()
    assert by_variable == f"Error: {folder}: a folder, not a regular file"
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)  # would hang a reader
    named_pipe = run("jobs", "--config", str(fifo)).output.strip()
    assert named_pipe == f"Error: {fifo}: a FIFO (named pipe), not a regular file"
    huge = tmp_path / "huge.toml"
    huge.write_text("# " + "x" * 300_000 + "\n", encoding="utf-8")
    too_big = run("jobs", "--config", str(huge)).output.strip()
    assert too_big == f"Error: {huge}: larger than 256 KB"
    zero = tmp_path / "zero.toml"
    zero.symlink_to("/dev/zero")  # would fill the memory
    assert run("jobs", "--config", str(zero)).output.strip() == f"Error: {zero}: a device, not a regular file"
    wrong = run("jobs", "--config", str(folder))  # a folder given as --config: a file it cannot use
    assert wrong.exit_code == 1 and wrong.output.strip() == f"Error: {folder}: a folder, not a regular file"


def test_a_bad_printer_set_up_file_names_the_file_not_the_setting(tmp_path):
    (tmp_path / "printers").mkdir()
    (tmp_path / "printers" / "till.toml").write_text('[connection]\ntype = "network"\nport = 9100\n', encoding="utf-8")
    line, _ = sign_with(tmp_path, file=f'printers = "{tmp_path / "printers"}"\nprinter = "till"\n')
    assert line == (f"Error: {tmp_path / 'printers' / 'till.toml'}: "
                    "connection.host: missing (needed for a network printer)")


# -- the template and the docs are the schema ---------------------------------------------------


def test_the_docs_table_is_made_from_the_schema():
    docs = (ROOT / "docs" / "kiosk.md").read_text(encoding="utf-8")
    table = docs.split("<!-- settings:", 1)[1].split("-->", 1)[1].split("<!-- /settings -->", 1)[0]
    assert table.strip() == markdown_table().strip(), "docs/kiosk.md: paste kiosk.settings.markdown_table() in"


def test_the_template_explains_every_setting_and_reads_back_as_the_defaults(tmp_path):
    text = template("stall.toml")
    for name, spec in specs().items():
        assert spec.key(name).rsplit(".", 1)[-1] in text, name  # a setting of [sync] by its key there
        if spec.section:
            assert f"# [{spec.section}]" in text, name
        if spec.template:
            assert spec.template in text
    config = tmp_path / "stall.toml"
    config.write_text(text, encoding="utf-8")
    assert set(tomllib.loads(text)) == {"campaign", "event", "idle_timeout", "thanks_timeout", "theme", "language"}
    assert resolve(config=config, environ={}) == Settings(event="My event")


# -- sample cases ----------------------------------------------------------------------------------


def test_a_stall_with_only_the_sample_cases_does_not_start(tmp_path):
    config = tmp_path / "stall.toml"
    run("set-pin", "--config", str(config), input="4711\n4711\n")
    with config.open("a", encoding="utf-8") as f:
        f.write(f'cases = "{CASES}"\n')
    result = run("run", "--config", str(config))
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {CASES}: only sample cases here (about people who do not exist); point `cases` at your campaign's"
        " case files, or set allow_sample_cases = true to try the kiosk with them")
    signed = run("sign", "--config", str(config), "--case", CASE, "--name", "Ada", "--kind", "appeal")
    assert signed.exit_code == 1 and "only sample cases here" in signed.output


def test_sample_cases_are_left_out_beside_real_ones_unless_allowed(tmp_path):
    cases = tmp_path / "cases"
    cases.mkdir()
    for path in CASES.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        (cases / path.name).write_text(text if path.stem == CASE else text.replace("sample = true\n", ""),
                                       encoding="utf-8")
    listed = run("cases", "list", "--cases", str(cases))
    assert CASE not in listed.stdout and len(listed.stdout.splitlines()) == 3
    assert "1 sample case(s) left out (lawyer-amara-osei): allow_sample_cases is off" in listed.stderr
    signed = run("sign", "--cases", str(cases), "--case", CASE, "--name", "Ada", "--kind", "appeal")
    assert signed.output.splitlines()[-1] == (f"Error: --case: '{CASE}' is a sample case (about a person who does not"
                                              " exist); allow_sample_cases is off")
    allowed = run("cases", "list", "--cases", str(cases), "--allow-sample-cases")
    assert CASE in allowed.stdout and allowed.stderr == ""


def test_the_settings_file_variable_takes_a_home_folder_and_blank_means_unset(tmp_path, monkeypatch, stall):
    monkeypatch.setenv("HOME", str(tmp_path))
    home_relative = "~/" + str(stall.relative_to(tmp_path))
    assert resolve(environ={"KIOSK_CONFIG": home_relative}).kiosk_id == "tent-7"
    assert resolve(environ={"KIOSK_CONFIG": "  "}).path is None  # no default file in the tests' config folder


def test_a_flag_can_turn_off_what_the_file_turns_on(tmp_path):
    config = tmp_path / "stall.toml"
    config.write_text("allow_sample_cases = true\n", encoding="utf-8")
    assert resolve(config=config, environ={}).allow_sample_cases is True
    assert resolve({"allow_sample_cases": False}, config=config, environ={}).allow_sample_cases is False
    listed = run("cases", "list", "--config", str(config), "--cases", str(CASES), "--no-allow-sample-cases")
    assert listed.exit_code == 1 and "only sample cases here" in listed.output


def test_space_around_an_id_or_name_is_dropped(tmp_path):
    assert resolve({"kiosk_id": " k1 "}, environ={"KIOSK_EVENT": "Fest\n"}, use_file=False).kiosk_id == "k1"
    assert resolve(environ={"KIOSK_ID": "k2\n", "KIOSK_EVENT": " Fest "}, use_file=False).event == "Fest"


def test_help_shows_each_settings_default_and_variable():
    help_text = " ".join(run("sign", "--help").output.split())
    for name in ("campaign", "event", "kiosk_id", "printer", "database"):
        spec = specs()[name]
        assert spec.flag in help_text and f"env {spec.env}" in help_text
    assert "default: Letters for Freedom]" in help_text and "default: Kiosk]" in help_text
    assert "default: the host name]" in help_text and "--no-allow-sample-cases" in help_text


def test_a_missing_cases_folder_or_an_empty_quick_spec_names_the_setting(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.toml").write_text('cases = "nocases"\n', encoding="utf-8")
    result = run("cases", "list", "--config", "bad.toml")
    assert result.output.strip() == f"Error: bad.toml: cases: no such folder: {tmp_path / 'nocases'}"
    for spec in ("file:", "preview:", "serial:", "cups: "):
        line, _ = sign_with(tmp_path / spec.strip(":"), env={"KIOSK_PRINTER": spec})
        assert line.startswith(f"Error: KIOSK_PRINTER: {spec.strip()!r} names no "), line


def test_kiosk_run_takes_the_settings_flags_too(tmp_path):
    config = tmp_path / "stall.toml"
    run("set-pin", "--config", str(config), input="4711\n4711\n")
    stall_cases(tmp_path / "cases")
    result = run("run", "--config", str(config), "--cases", str(tmp_path / "cases"), "--printer", "tcp://")
    assert result.output.strip() == "Error: --printer: expected tcp://HOST:PORT"
