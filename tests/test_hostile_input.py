"""Hostile input through the whole path: case file, screen, store, printer.

Hypothesis writes case fields, names and messages from the worst a stranger or a careless
editor can produce: control bytes, ESC/GS/DLE printer commands, terminal escapes, Textual
and Rich markup (``[ @click=app.quit]`` included), bidi overrides, zero-width characters,
emoji, other scripts, lone surrogates and 100 KB strings.

- Case file -> cases folder -> store -> printer: the kiosk never crashes; a bad file is
  refused with one line naming it and the field; a letter is refused with a message naming
  the field and the limit; what reaches the printer decodes with no control byte and no
  bidi control from the input (tests/escpos_stream.py rejects any byte it does not know).
- Case file -> screen -> pasted name and message -> Print: the app keeps running, nothing
  on screen carries a click action or a raw control character, limits are shown in words.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import tomlkit
from hypothesis import strategies as st
from textual import events
from textual.widgets import Input, TextArea

from kiosk.cases import read_dir
from kiosk.errors import InputError
from kiosk.text import MESSAGE_MAX, NAME_MAX, clean, sanitize, validate_name
from kiosk.ui import words
from tests.helpers import CASES, explore, sizes
from tests.helpers.escpos_stream import decode
from tests.helpers.kiosk_app import make_app, make_station, screen_name

TEMPLATE = CASES / "lawyer-amara-osei.toml"
CONTROL = [chr(c) for c in [*range(0x0A), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0)]]
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
TOKENS = [
    *CONTROL, *BIDI,
    # printer commands: drawer kick, cut, code page, init, DLE DC4 pulse, status request
    "\x1bp\x00\x19\xfa", "\x1dV\x00", "\x1bt\x10", "\x1b@", "\x10\x14\x01\x00\x05", "\x10\x04\x01",
    # terminal escapes: window title, clear screen, a C1 CSI
    "\x1b]0;owned\x07", "\x1b[2J", "\x9b31m",
    # markup
    "[@click=app.quit]Quit[/]", "[ @click=app.quit]Quit[/]", "[@click=app.exit]", "[@click=screen.dismiss]x[/]",
    "[b]", "[/]", "[/b]", "[link=https://evil.example]x[/link]", "[on red]x", "$text", "\\[b]", "[", "]",
    # invisible and reordering
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u061c", "\u2028", "\u2029",
    # emoji, other scripts, combining marks, surrogates
    "👍🏽", "👨‍👩‍👧", "🏳️‍🌈", "🇺🇦", "😀", "Ольга", "ليلى حداد", "张伟", "नमस्ते", "e\u0301", "\u0301" * 5,
    "\ud800", "\udfff", "\udbff", "\t", "\r\n", "\n",
]
piece = st.one_of(st.characters(), st.sampled_from(TOKENS), st.text(max_size=8))
short_text = st.lists(piece, max_size=12).map("".join)
long_text = st.lists(piece, max_size=80).map("".join)
huge_text = st.lists(piece, min_size=1, max_size=6).map("".join).filter(bool).map(
    lambda p: (p * (100_000 // len(p) + 1))[:100_000]
)
# Mostly what fits, sometimes far too much: each path (printed, refused) is taken often.
def mix(*weighted):
    """One of the strategies, chosen with the given weights (one_of would pick each equally)."""
    choices = [strategy for weight, strategy in weighted for _ in range(weight)]
    return st.sampled_from(range(len(choices))).flatmap(lambda i: choices[i])


# A real name or word with hostile text around it, so that many letters get through to paper.
framed = st.tuples(short_text, st.sampled_from(["Ada", "Ольга", "ليلى", "张伟", "Zoë"]), short_text).map("".join)
names = mix((10, framed), (6, short_text), (2, long_text), (1, huge_text))
messages = mix((12, long_text), (1, huge_text))

# What may never appear in a printed or shown string that came from input.
FORBIDDEN = set(CONTROL) | set(BIDI) - {"\n"}
FIELDS = ("title", "person", "story", "ask", "appeal.addressee.name", "appeal.addressee.address",
          "postcard.message")


def write_case(folder: Path, values: dict[str, str]) -> Path:
    """The sample case with hostile values in its fields, written as TOML (surrogates as they are)."""
    doc = tomlkit.parse(TEMPLATE.read_text(encoding="utf-8"))
    for field, value in values.items():
        *tables, key = field.split(".")
        node = doc
        for t in tables:
            node = node[t]
        node[key] = [value, "Port Selin"] if key == "address" else value
    path = folder / "hostile-case.toml"
    path.write_bytes(tomlkit.dumps(doc).encode("utf-8", "surrogatepass"))
    return path


def case_folder(tmp: Path, values: dict[str, str]) -> tuple[Path, Path]:
    folder = tmp / "cases"
    folder.mkdir()
    (folder / "defender-tomas-quispe.toml").write_bytes((CASES / "defender-tomas-quispe.toml").read_bytes())
    return folder, write_case(folder, values)


def no_forbidden(text: str) -> bool:
    return not (set(text) & FORBIDDEN)


# Case fields: a few at a time, so that many hostile files still load; the huge one is
# plain text (a 100 KB string of control characters costs minutes to escape as TOML).
case_field = mix((8, framed), (4, short_text), (1, st.just("A very long story. " * 5300)))
case_values = st.dictionaries(st.sampled_from(FIELDS), case_field, min_size=1, max_size=3)


def check_case_errors(errors, path: Path) -> None:
    for error in errors:
        line = str(error)
        assert "\n" not in line and line.startswith(str(path)), line
        assert no_forbidden(line), repr(line)


# -- case file, store and printer ---------------------------------------------------------


def through_store_and_printer(tmp: Path, values: dict, name: str, message: str, kind: str) -> str:
    """One try; returns what became of it: 'printed', 'refused letter' or 'refused case'."""
    folder, path = case_folder(tmp, values)
    loaded = read_dir(folder)
    assert "defender-tomas-quispe" in loaded.cases  # a bad file never hides a good one
    check_case_errors(loaded.errors, path)
    case = loaded.cases.get("hostile-case")
    if case is None:
        assert loaded.errors
        case = loaded.cases["defender-tomas-quispe"]
    else:
        for text in (case.title, case.person, case.story, case.ask, case.appeal.addressee.name,
                     *case.appeal.addressee.address, case.postcard.message):
            assert no_forbidden(text)
    outcome = "printed" if case.id == "hostile-case" else "refused case"
    for profile, printer in (("TM-T20II", tmp / "t20.bin"), ("POS-5890", tmp / "pos58.bin")):
        station = make_station(tmp / profile, cases=folder, printer=f"file:{printer}?profile={profile}")
        try:
            try:
                sig = station.record(case.id, kind, name, message)
            except InputError as exc:
                assert exc.field in ("name", "message") and exc.reason in ("too_long", "empty"), exc
                return "refused letter"
            assert (sig.name, sig.message) == (clean(name, multiline=False), clean(message))
            result = station.print_signature(sig)
            assert result.printed, result.error
        finally:
            station.close()
        out = decode(printer.read_bytes(), profile)  # raises on any command it does not know
        assert no_forbidden(out.text.replace("\n", "")), repr(out.text)
        assert out.inits == 1 and out.cuts == ([1] if profile == "TM-T20II" else [])
        printer.unlink()
    return outcome


FILE_TO_PAPER = (120, 5_000)


@pytest.mark.parametrize("examples", sizes(*FILE_TO_PAPER))
def test_hostile_text_through_case_files_store_and_printer(tmp_path_factory, examples, figure):
    @explore(examples, values=case_values, name=names, message=messages, kind=st.sampled_from(["appeal", "postcard"]))
    def outcomes(values, name, message, kind):
        return through_store_and_printer(tmp_path_factory.mktemp("h"), values, name, message, kind)

    seen = {o: outcomes.count(o) for o in ("printed", "refused letter", "refused case")}
    assert all(seen.values()), seen  # every path was taken
    figure(f"{len(outcomes):,} hostile inputs (7 case fields, name, message; up to 100 KB): "
           f"{seen['printed']:,} printed on 2 printer profiles, "
           f"{seen['refused letter']:,} letters refused with a message "
           f"(empty or over a limit), "
           f"{seen['refused case']:,} case files refused with one line; 0 crashes, 0 control bytes on the wire")


# -- the screen ---------------------------------------------------------------------------


def writable_name(typed: str) -> bool:
    """Whether the kiosk takes ``typed`` as a name, by its own rule (kiosk.text.validate_name)."""
    try:
        validate_name(typed)
    except InputError:
        return False
    return True


def screen_is_clean(app) -> None:
    """Nothing on screen is a link or an action, and no raw control character reaches the terminal."""
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            meta = segment.style.meta if segment.style else {}
            assert "@click" not in meta, (segment.text, meta)
            assert not (segment.style and segment.style.link), segment.text
            assert no_forbidden(segment.text), repr(segment.text)


async def through_the_screen(tmp: Path, values: dict, name: str, message: str) -> str:
    folder, _ = case_folder(tmp, values)
    station = make_station(tmp, cases=folder)
    app = make_app(station)
    fired: list[str] = []
    app.exit = lambda *a, **k: fired.append("exit")
    outcome = "refused case"
    async with app.run_test(size=(100, 30)) as pilot:
        screen_is_clean(app)
        ids = [c.id for c in station.offered()]
        if "hostile-case" in ids:
            outcome = "printed"
        await pilot.press(str(ids.index("hostile-case") + 1 if "hostile-case" in ids else 1))
        assert screen_name(app) == "CaseScreen"
        screen_is_clean(app)
        case = app.screen.case
        for selector, text in (("#title", case.title), ("#person", f"{case.person} · {case.country}")):
            shown = app.screen.query_one(selector).render()
            # the text as it is (right-to-left text in visual order), no style from markup
            assert (str(shown), shown.spans) == (words.shown(text).plain, [])
        for selector in ("#title", "#person", "#story"):
            await pilot.click(selector)
        await pilot.press("a")
        assert screen_name(app) == "FormScreen"
        error = app.screen.query_one("#error")
        app.screen.query_one("#name", Input).post_message(events.Paste(name))  # a paste: any length, any bytes
        await pilot.pause()
        typed = app.screen.query_one("#name", Input).value
        assert len(typed) <= NAME_MAX and no_forbidden(typed)
        if len(typed) == NAME_MAX:  # the limit is said, not just enforced
            assert f"A name can be at most {NAME_MAX} characters." in str(error.render())
        await pilot.press("enter")
        app.screen.query_one("#message", TextArea).post_message(events.Paste(message))
        await pilot.pause()
        screen_is_clean(app)
        assert len(app.screen.message_text) <= MESSAGE_MAX and no_forbidden(app.screen.message_text)
        if len(sanitize(message)) > MESSAGE_MAX:
            assert f"A message can be at most {MESSAGE_MAX} characters" in str(error.render())
        await pilot.click("#print")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen_is_clean(app)
        if not writable_name(typed):  # nothing that shows (controls, unassigned code points): no name
            assert screen_name(app) == "FormScreen" and "Please type your name." in str(
                app.screen.query_one("#error").render())
            outcome = "refused letter"
        else:
            assert screen_name(app) == "ThanksScreen", screen_name(app)
            await pilot.click("#thanks-title")
        assert app.is_running and fired == []
    station.close()
    return outcome


ON_SCREEN = (20, 300)


@pytest.mark.parametrize("examples", sizes(*ON_SCREEN))
def test_hostile_text_on_screen_is_shown_as_text(tmp_path_factory, examples, figure):
    @explore(examples, values=case_values, name=names, message=messages)
    def outcomes(values, name, message):
        return asyncio.run(through_the_screen(tmp_path_factory.mktemp("s"), values, name, message))

    figure(f"{len(outcomes)} hostile cases, names and messages pasted through the screens: "
           f"{outcomes.count('printed')} signed, {outcomes.count('refused letter')} letters refused with a message, "
           f"{outcomes.count('refused case')} case files refused; 0 crashes, 0 exits, "
           f"0 links or actions on screen, 0 raw control characters on screen")


def test_the_checks_catch_what_they_look_for(tmp_path):
    """The screen and printer checks fail on the very things they look for."""
    assert not no_forbidden("a\x1bb") and not no_forbidden("\u202e") and no_forbidden("a\nb")
    with pytest.raises(AssertionError):
        decode(b"\x1b@Bob\x1bp\x00\x19\xfa", "TM-T20II")  # a drawer kick in a name

    async def markup_on_screen():
        from textual.app import App
        from textual.widgets import Label

        class Bare(App):
            def compose(self):
                yield Label("[@click=app.quit]x[/]")

        async with Bare().run_test(size=(20, 3)) as pilot:
            await pilot.pause()
            screen_is_clean(pilot.app)

    with pytest.raises(AssertionError):
        asyncio.run(markup_on_screen())
