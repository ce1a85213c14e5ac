"""The [sync] settings: read from a [sync] table, each bad value one line naming sync.<key>, the
token a secret (never in repr, refused in a file others may read), plain http only nearby."""

from __future__ import annotations

import pytest

from kiosk.errors import SettingError
from kiosk.settings import resolve


def config(tmp_path, text: str, mode: int = 0o600):
    path = tmp_path / "stall.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def problem(tmp_path, text: str, mode: int = 0o600, environ=None) -> str:
    with pytest.raises(SettingError) as caught:
        resolve(config=config(tmp_path, text, mode), environ=environ or {})
    return str(caught.value)


def test_a_sync_table_is_read_into_the_sync_settings(tmp_path):
    settings = resolve(config=config(tmp_path, 'event = "Fest"\n[sync]\nurl = "https://hq.example.org/"\n'
                                               'token = "s3cret-token"\ninterval = 30\npersonal_data = "none"\n'),
                       environ={})
    assert (settings.sync_url, settings.sync_token, settings.sync_interval, settings.sync_personal_data) == (
        "https://hq.example.org", "s3cret-token", 30.0, "none")
    assert "s3cret-token" not in repr(settings)
    assert resolve(environ={}, use_file=False).sync_personal_data == "consented"


def test_the_environment_overrides_the_file(tmp_path):
    settings = resolve(config=config(tmp_path, '[sync]\nurl = "https://hq.example.org"\n'), environ={
        "KIOSK_SYNC_URL": "http://192.168.1.20:8000", "KIOSK_SYNC_TOKEN": "t", "KIOSK_SYNC_INTERVAL": "5",
        "KIOSK_SYNC_PERSONAL_DATA": "all"})
    assert (settings.sync_url, settings.sync_token, settings.sync_interval, settings.sync_personal_data) == (
        "http://192.168.1.20:8000", "t", 5.0, "all")


@pytest.mark.parametrize(("text", "line"), [
    ('[sync]\nuri = "https://x.org"\n', "stall.toml: sync.uri: unknown setting (known in [sync]: url, token,"
                                        " interval, personal_data)"),
    ('sync_url = "https://x.org"\n', "; write it as sync.url"),
    ('sync = "https://x.org"\n', "stall.toml: sync: should be a table ([sync]) of url, token, interval,"
                                 " personal_data"),
    ('[sync]\ninterval = 1\n', "stall.toml: sync.interval: 1 seconds; use 5 to 86400"),
    ('[sync]\npersonal_data = "some"\n', "stall.toml: sync.personal_data: 'some' is not one of none, consented, all"),
    ('[sync]\nurl = "ftp://hq.example.org"\n', "stall.toml: sync.url: 'ftp://hq.example.org' is not an http(s)"),
    ('[sync]\nurl = "http://hq.example.org"\n', "stall.toml: sync.url: plain http to hq.example.org would send"),
    ('[sync]\nurl = "http://8.8.8.8"\n', "plain http to 8.8.8.8 would send the token"),
    ('[sync]\nurl = "https://me:pw@hq.example.org"\n', "sync.url: must not hold a user name or password"),
    ('[sync]\ntoken = "two words"\n', "stall.toml: sync.token: must be 1 to 512 printable ASCII"),
])
def test_each_bad_sync_setting_is_one_line_naming_it(tmp_path, text, line):
    assert line in problem(tmp_path, text)


@pytest.mark.parametrize("url", ["http://localhost:8000", "http://127.0.0.1:8000", "http://[::1]:8000",
                                 "http://10.0.0.5", "https://hq.example.org/base"])
def test_plain_http_is_allowed_nearby_and_https_anywhere(tmp_path, url):
    assert resolve(config=config(tmp_path, f'[sync]\nurl = "{url}"\n'), environ={}).sync_url == url


def test_a_settings_file_with_the_token_must_be_readable_by_its_owner_only(tmp_path):
    line = problem(tmp_path, '[sync]\ntoken = "s3cret"\n', mode=0o644)
    assert line == f"{tmp_path / 'stall.toml'}: sync.token: holds a secret but others may read it:" \
                   f" chmod 600 {tmp_path / 'stall.toml'}"
    assert "s3cret" not in line
    # the token in the environment: the file is no secret
    assert resolve(config=config(tmp_path, 'event = "X"\n', 0o644), environ={"KIOSK_SYNC_TOKEN": "t"}).sync_token


def test_set_pin_keeps_a_sync_table(tmp_path):
    from kiosk.settings import set_pin

    path = config(tmp_path, 'event = "X"\n\n[sync]\nurl = "https://hq.example.org"\ntoken = "t0k"\n')
    set_pin(path, "4711")
    settings = resolve(config=path, environ={})
    assert settings.pin_hash and settings.sync_token == "t0k" and settings.sync_url == "https://hq.example.org"
    assert path.stat().st_mode & 0o077 == 0
