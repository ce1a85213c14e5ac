"""The dashboard at ``/`` in a real headless Chromium: the national count, per case and per day, kept up
to date by itself, case titles shown as text (never run as HTML), and no sideways scroll on a phone."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from playwright.sync_api import expect

from kiosk.cli import cli
from kiosk.signers import fingerprint
from tests.helpers import CASE_FILES
from tests.helpers.hq import answers, batch, paper, signature, upload

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOSTILE = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
LONG = "Amara" + "o" * 110  # one word, as wide as a title may be (120)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)", pytrace=False)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def hostile_cases(tmp_path: Path) -> Path:
    """Two case files: one titled with HTML that would run if read as HTML, one with a long unbroken word."""
    folder = tmp_path / "cases"
    folder.mkdir()
    for path, title in zip(CASE_FILES[:2], [HOSTILE, LONG], strict=True):
        text = path.read_text(encoding="utf-8")
        start = text.index('\ntitle = "') + len('\ntitle = "')
        end = text.index('"', start)
        (folder / path.name).write_text(text[:start] + title.replace('"', '\\"') + text[end:], encoding="utf-8")
    result = CliRunner().invoke(cli, ["cases", "check", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def wait_for(check, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_the_dashboard_shows_the_counts_and_refreshes_itself(hq_service, browser, tmp_path):
    folder = hostile_cases(tmp_path)
    published = CliRunner().invoke(cli, ["hq", "cases", "publish", str(folder), "--dsn", hq_service.dsn])
    assert published.exit_code == 0, published.output
    token = hq_service.token("stall-1")
    first, second = (p.stem for p in CASE_FILES[:2])
    ada = fingerprint("a campaign's signer key, for the tests", "Ada Lovelace")
    rows = [signature(case_id=first, signer=ada), signature(case_id=first),
            signature(case_id=second, local_time="2026-07-04T09:00:00.000000+02:00")]
    assert answers(upload(hq_service.url, token, batch("stall-1", rows))) == ["new"] * 3

    # the page's Content-Security-Policy switched off: the titles must be safe by how the page builds them
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(hq_service.url + "/?every=1")
    page.wait_for_function("document.getElementById('total').textContent === '3'", timeout=15_000)
    cases = page.locator("#cases li")
    assert cases.count() == 2
    assert cases.nth(0).locator(".label").text_content() == HOSTILE   # most letters first, shown as text
    assert cases.nth(0).locator(".count").text_content() == "2"
    assert cases.nth(1).locator(".label").text_content() == LONG
    days = page.locator("#days li .label").all_text_contents()
    assert days == ["2026-07-04", "2026-07-03"]                         # the latest day first
    assert page.evaluate("window.pwned") is None
    assert page.locator("#cases img, #cases script").count() == 0

    assert page.locator("#figures").text_content() == "3 signers · 0 likely duplicates · 0 on paper"

    # Ada writes again for the first case at another stall, and 1,200 handwritten letters come in
    more = [signature("stall-2", case_id=first, signer=ada, local_time="2026-07-04T10:00:00.000000+02:00"),
            paper("stall-2", second, 1200, local_time="2026-07-04T11:00:00.000000+02:00")]
    assert answers(upload(hq_service.url, hq_service.token("stall-2"), batch("stall-2", more))) == ["new"] * 2
    page.wait_for_function("document.getElementById('total').textContent === '1,204'", timeout=10_000)
    assert page.locator("#figures").text_content() == "3 signers · 1 likely duplicate · 1,200 on paper"
    assert page.locator("#cases li .count").all_text_contents() == ["1,201", "3"]
    assert errors == []
    context.close()


def test_the_dashboard_fits_a_phone(hq_service, browser, tmp_path):
    folder = hostile_cases(tmp_path)
    CliRunner().invoke(cli, ["hq", "cases", "publish", str(folder), "--dsn", hq_service.dsn])
    token = hq_service.token("stall-1")
    upload(hq_service.url, token, batch("stall-1", [signature(case_id=p.stem) for p in CASE_FILES[:2]]))
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto(hq_service.url + "/")
    expect(page.locator("#total")).to_have_text("2", timeout=15_000)
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1] == 390, width
    # nothing sticks out, and no title is cut off inside its box either
    widest = page.evaluate("Math.max(...[...document.querySelectorAll('body *')]"
                           ".map(e => e.getBoundingClientRect().right))")
    assert widest <= 390, widest
    clipped = page.evaluate("[...document.querySelectorAll('.label')].filter(e => e.scrollWidth > e.clientWidth)"
                            ".map(e => e.textContent)")
    assert clipped == []
    box = page.locator("#total").bounding_box()
    assert box is not None and box["height"] >= 40     # the national count reads across a room
    context.close()


def test_the_page_lets_only_its_own_script_run(hq_service):
    response = httpx.get(hq_service.url + "/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'sha256-" in policy and "unsafe-inline" not in policy
    assert "innerHTML" not in response.text and "http" not in response.text.split("<script>")[1].split("fetch(")[0]


def test_the_page_says_when_the_office_cannot_be_reached(hq_service, browser, postgres):
    page = browser.new_page()
    page.goto(hq_service.url + "/?every=1")
    expect(page.locator("#total")).to_have_text("0", timeout=15_000)
    postgres.stop()
    try:
        expect(page.locator("#status")).to_have_class("offline", timeout=15_000)
        expect(page.locator("#status")).to_contain_text("Cannot reach the office (HTTP 503)")
    finally:
        postgres.start()
    expect(page.locator("#status")).to_have_text(re.compile("^Updated "), timeout=20_000)
    page.close()


def test_chromium_is_where_the_tests_expect_it():
    assert shutil.which("chromium") == CHROMIUM or Path(CHROMIUM).exists()
