"""`kiosk demo`, `kiosk run` and `kiosk set-pin`, as a user runs them.

The app itself runs headless here, driven by an auto-pilot, through the same command code.
"""

from __future__ import annotations

import os
import stat

import pytest
from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.pin import verify_pin
from kiosk.settings import DEMO_PIN, resolve
from kiosk.store import Store
from tests.helpers import CASES
from tests.helpers.kiosk_app import screen_name, screen_text


def run(*args, input=None, env=None):
    return CliRunner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False)


@pytest.fixture
def drive(monkeypatch):
    """Run the kiosk app headless with ``script(pilot)``, then leave through the organiser screen."""
    from kiosk.ui.app import KioskApp

    original = KioskApp.run
    seen = {}

    def use(script):
        def headless_run(self, **kwargs):
            async def auto_pilot(pilot):
                seen["app"] = pilot.app
                await pilot.pause()
                await script(pilot)
                await pilot.press("f12", *seen.get("pin", DEMO_PIN), "enter")
                assert screen_name(pilot.app) == "OrganiserScreen"
                await pilot.click("#quit")
                await pilot.pause()
                await pilot.click("#confirm-do")  # Quit the kiosk? Quit kiosk

            return original(self, headless=True, size=(100, 30), auto_pilot=auto_pilot)

        monkeypatch.setattr(KioskApp, "run", headless_run)
        return seen

    return use


def test_demo_starts_the_app_with_the_sample_cases_and_preview_printer(tmp_path, drive):
    async def script(pilot):
        app = pilot.app
        shown = screen_text(app)
        assert "Letters for Freedom" in shown and "0 letters written here today" in shown
        assert str(tmp_path / "prev") in "".join(shown.split())  # however the line wraps the folder's name
        assert f"organiser PIN {DEMO_PIN}" in " ".join(shown.split())
        await pilot.press("enter", "a", *"Ada", "tab", "tab", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen_name(app) == "ConsentScreen"  # the demo's sample wording asks
        await pilot.press("n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen_name(app) == "ThanksScreen"
        await pilot.press("enter")

    seen = drive(script)
    result = run("demo", "--db", str(tmp_path / "demo.db"), "--preview", str(tmp_path / "prev"))
    assert result.exit_code == 0, result.output
    assert seen["app"].return_code == 0
    assert sorted(p.suffix for p in (tmp_path / "prev").iterdir()) == [".png", ".txt"]
    with Store(tmp_path / "demo.db") as store:
        (row,) = store.export_rows()
        assert store.consent_for(row["id"]).choice == "no"
    assert (row["name"], row["event"], row["kiosk_id"], row["print_status"]) == ("Ada", "Demo", "demo", "printed")


def test_demo_uses_the_user_data_folder_by_default(tmp_path, drive):
    async def script(pilot):
        assert str(tmp_path / "data" / "preview") in screen_text(pilot.app)

    drive(script)
    assert run("demo").exit_code == 0
    assert (tmp_path / "data" / "demo.db").exists()


def test_set_pin_creates_a_commented_settings_file_with_only_a_hash(tmp_path):
    config = tmp_path / "stall" / "kiosk.toml"
    result = run("set-pin", "--config", str(config), input="4711\n4711\n")
    assert result.exit_code == 0, result.output
    assert "Created" in result.output and "kiosk run --config" in result.output
    text = config.read_text(encoding="utf-8")
    assert "4711" not in text and "# The kiosk's settings" in text
    assert stat.S_IMODE(os.stat(config).st_mode) == 0o600
    assert verify_pin("4711", resolve(config=config).pin_hash)
    assert not verify_pin("4712", resolve(config=config).pin_hash)


def test_set_pin_keeps_the_organisers_settings_and_comments(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('# our stall\nevent = "Fest"  # the big one\nkiosk_id = "tent-2"\n', encoding="utf-8")
    assert run("set-pin", "--config", str(config), input="1234\n1234\n").exit_code == 0
    first = resolve(config=config).pin_hash
    assert run("set-pin", "--config", str(config), input="5678\n5678\n").exit_code == 0
    text = config.read_text(encoding="utf-8")
    assert '# our stall\nevent = "Fest"  # the big one\nkiosk_id = "tent-2"\n' in text
    assert text.count("pin_hash") == 1 and resolve(config=config).pin_hash != first
    assert verify_pin("5678", resolve(config=config).pin_hash)


@pytest.mark.parametrize("typed, problem", [("12a4\n", "digits only"), ("123\n", "3 digits, use 4 to 12"),
                                            ("1234\n4321\n", "do not match")])
def test_set_pin_refuses_bad_pins(tmp_path, typed, problem):
    config = tmp_path / "kiosk.toml"
    result = run("set-pin", "--config", str(config), input=typed)
    assert result.exit_code != 0 and problem in result.output.lower()
    assert not config.exists()


def test_run_refuses_to_start_without_a_pin(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('event = "Fest"\n', encoding="utf-8")
    result = run("run", "--config", str(config))
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: {config}: no organiser PIN set; set one first with: "
                                     f"kiosk set-pin --config {config}")


@pytest.mark.parametrize("content, message", [
    ('theme = "neon"\n', "theme: unknown theme 'neon'"),
    ("idle_timeout = 1\n", "idle_timeout: 1 seconds; use 5 to 3600"),
    ('kiosk_id = "../x"\n', "kiosk_id: '../x'"),
    ('colour = "red"\n', "colour: unknown setting"),
    ('pin_hash = "1234"\n', "pin_hash: not a PIN hash"),
    ("event = \n", "not valid TOML"),
])
def test_run_reports_bad_settings_in_one_line(tmp_path, content, message):
    config = tmp_path / "kiosk.toml"
    run("set-pin", "--config", str(config), input="4711\n4711\n")
    pin_line = "" if content.startswith("pin_hash") else f'pin_hash = "{resolve(config=config).pin_hash}"\n'
    config.write_text(pin_line + content, encoding="utf-8")
    result = run("run", "--config", str(config))
    assert result.exit_code == 1, result.output
    (line,) = result.output.strip().splitlines()
    assert message in line and str(config) in line


def test_run_reports_a_missing_settings_file(tmp_path):
    result = run("run", "--config", str(tmp_path / "nope.toml"))
    assert result.exit_code == 1 and "no such settings file" in result.output and "kiosk set-pin" in result.output


def test_run_starts_the_kiosk_from_its_settings(tmp_path, drive):
    config = tmp_path / "kiosk.toml"
    run("set-pin", "--config", str(config), input="4711\n4711\n")
    (tmp_path / "cases").mkdir()
    for name in ("lawyer-amara-osei.toml", "defender-tomas-quispe.toml"):  # the stall's own cases: not samples
        text = (CASES / name).read_text(encoding="utf-8").replace("sample = true\n", "")
        (tmp_path / "cases" / name).write_text(text, encoding="utf-8")
    (tmp_path / "cases" / "broken.toml").write_text("title = [", encoding="utf-8")
    text = config.read_text(encoding="utf-8")
    for old, new in (('event = "My event"', 'event = "Riverside Fest"'),
                     ('theme = "kiosk-dark"', 'theme = "kiosk-high-contrast"'),
                     ('campaign = "Letters for Freedom"', 'campaign = "Write for Rights"'),
                     ('# cases = "cases"', 'cases = "cases"'),
                     ('# database = "kiosk.db"', 'database = "data/stall.db"')):
        assert old in text
        text = text.replace(old, new)
    config.write_text(text, encoding="utf-8")

    async def script(pilot):
        app = pilot.app
        shown = screen_text(app)
        assert "Write for Rights" in shown and "Amara Osei" in shown and "Tomás Quispe" in shown
        assert app.theme == "kiosk-high-contrast" and app.station.settings.event == "Riverside Fest"
        assert "organiser PIN" not in shown

    seen = drive(script)
    seen["pin"] = "4711"
    result = run("run", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "warning: skipped:" in result.output and "broken.toml" in result.output
    assert (tmp_path / "data" / "stall.db").exists()
