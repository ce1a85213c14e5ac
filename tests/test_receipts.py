"""Receipts of both kinds at both widths, checked by decoding the bytes a printer gets."""

import pytest

from kiosk.printing.render import render_bytes
from kiosk.printing.setups import parse_spec
from kiosk.receipts import layouts
from kiosk.receipts.plain import render_text
from kiosk.receipts.raster import render_png
from kiosk.settings import DEFAULT_CAMPAIGN as CAMPAIGN
from kiosk.store import Signature
from tests.helpers.escpos_stream import decode, read_qr

PAPER_58 = parse_spec("file:/dev/null?profile=POS-5890&paper=58")  # no native QR, no cutter
PAPER_80 = parse_spec("file:/dev/null?profile=TM-T20II&paper=80")  # native QR, cutter

NAMES = {
    "cyrillic": "Ольга Петрова",
    "arabic": "ليلى حداد",
    "emoji": "Sam ✊🏽🌍",
    "latin": "Zoë Ångström-Núñez",
}


def signature(kind, name, message="Stay strong, we are with you."):
    return Signature(
        id="00000000-0000-4000-8000-000000000001", number=42, case_id="journalist-lina-haddad", kind=kind,
        name=name, message=message, created_at="2026-07-04T10:15:00.000000Z", event="Summer Fest", kiosk_id="k1",
    )


def render(case, kind, name, setup, message="Stay strong, we are with you."):
    receipt = layouts.for_signature(case, signature(kind, name, message), CAMPAIGN)
    return receipt, decode(render_bytes(receipt, setup), setup.profile)


@pytest.mark.parametrize("setup", [PAPER_58, PAPER_80], ids=["58mm", "80mm"])
@pytest.mark.parametrize("kind", ["appeal", "postcard"])
@pytest.mark.parametrize("script", list(NAMES))
def test_receipt_prints_every_name_legibly(cases, setup, kind, script):
    case = cases.cases["journalist-lina-haddad"]
    name = NAMES[script]
    _, out = render(case, kind, name, setup)
    columns = setup.paper.columns
    # nothing runs past the paper: text lines fit the columns (double-size lines half of them)
    assert all(len(line) <= columns for line in out.lines), [line for line in out.lines if len(line) > columns]
    # nothing became '?': no character was lost to a missing code page
    assert "?" not in out.text
    if script in ("cyrillic", "latin"):
        assert name in out.text  # printed as text, from the printer's code pages
        if script == "cyrillic":
            assert any(cp in ("CP866", "CP1251", "CP855") for cp in out.codepages)
    else:
        assert name not in out.text  # drawn as a raster image instead
        assert out.images, "text the code pages lack must be drawn as an image"
        widest = max(img.width for img in out.images)
        assert widest == setup.paper.dots
    assert ("Every letter counts" in out.text) == (kind == "postcard")  # an appeal is an official letter: no motto
    assert "Ref. Summer Fest / k1 / #0042" in out.text
    if kind == "appeal":
        for line in ("H.E. Khalid Al-Mansour", "Minister of Justice", "P.O. Box 2210", "Your Excellency,",
                     "Respectfully,", "Signature"):
            assert line in out.text
        assert "Stay strong, we are with you." in out.text
        assert "_" * columns in out.text  # the line to sign by hand
    else:
        assert "Stay strong, we are with you." in out.text
    # the cutter is used where the profile has one, else the paper is fed to the tear bar
    assert out.cuts == ([1] if setup is PAPER_80 else [])


def test_appeal_text_wraps_at_the_column_width_without_losing_words(cases):
    case = cases.cases["lawyer-amara-osei"]
    for setup in (PAPER_58, PAPER_80):
        _, out = render(case, "appeal", "Ada", setup)
        flat = " ".join(out.text.split())
        for para in case.appeal.body:
            assert " ".join(para.split()) in flat


def test_a_long_unbroken_word_is_wrapped_not_cut(cases):
    case = cases.cases["lawyer-amara-osei"]
    word = "Solidarity" * 10
    _, out = render(case, "appeal", "Ada", PAPER_58, message=word)
    assert word in "".join(out.lines)
    assert all(len(line) <= 32 for line in out.lines)


def test_native_qr_where_the_profile_has_it(cases):
    case = cases.cases["journalist-lina-haddad"]
    _, out = render(case, "postcard", "Ada", PAPER_80)
    assert out.qr == ["https://example.org/cases/lina-haddad"]


def test_raster_qr_where_the_profile_has_none_decodes_to_the_url(cases):
    case = cases.cases["journalist-lina-haddad"]
    _, out = render(case, "postcard", "Ada", PAPER_58)
    assert out.qr == []  # POS-5890 must not get the native command
    found = [url for img in out.images for url in read_qr(img)]
    assert found == ["https://example.org/cases/lina-haddad"]


def test_control_bytes_in_a_name_never_reach_the_printer(cases):
    case = cases.cases["journalist-lina-haddad"]
    for kind in ("appeal", "postcard"):
        _, out = render(case, kind, "Bob\x1bi\x1bp\x00\x19\xfa", PAPER_80, message="hi\x1dV\x00\x10\x14\x01")
        # decode() raises on any stray control byte; a cut appears once, at the end only
        assert out.cuts == [1]
        assert out.events[-1] == ("cut", 1)
        assert "Bobipú" in out.text
        assert out.codepages.count(out.codepages[0]) >= 1


def test_plain_text_and_png_renderings(cases):
    case = cases.cases["prisoner-ilya-voronin"]
    for setup in (PAPER_58, PAPER_80):
        receipt = layouts.for_signature(case, signature("appeal", "Ольга"), CAMPAIGN)
        text = render_text(receipt, setup.paper)
        assert all(len(line) <= setup.paper.columns for line in text.splitlines())
        assert "Генеральная прокуратура" in text and "Ольга" in text and "Ref. Summer Fest / k1 / #0042" in text
        assert "Every letter counts" not in text and CAMPAIGN not in text  # an official letter: the letter alone
        png = render_png(receipt, setup.paper)
        assert png.width == setup.paper.dots and png.height > 800


def test_appeal_in_latin_script_is_small(cases):
    case = cases.cases["lawyer-amara-osei"]
    receipt = layouts.for_signature(case, signature("appeal", "Ada Lovelace"), CAMPAIGN)
    assert len(render_bytes(receipt, PAPER_80)) <= 2048


PAPER_80_512 = parse_spec("file:/dev/null?profile=TM-T88V")  # 512 dots, 42 columns


def test_512_dot_paper_uses_42_columns(cases):
    assert (PAPER_80_512.paper.dots, PAPER_80_512.paper.columns) == (512, 42)
    _, out = render(cases.cases["prisoner-ilya-voronin"], "appeal", "Ольга", PAPER_80_512)
    assert max(len(line) for line in out.lines) == 42
    assert all(img.width == 512 for img in out.images)


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

hostile = st.lists(
    st.one_of(
        st.characters(),  # any code point, lone surrogates included
        st.sampled_from(["\x1b", "\x1d", "\x10", "\x00", "\x7f", "\x9b", "\u202e", "\u200d", "\n",
                         "\x1bp\x00\x19\xfa", "\x1dV\x00", "[ @click=app.quit]", "\U0001f44d\U0001f3fd"]),
    ),
    max_size=40,
).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=hostile, message=hostile)
def test_hostile_visitor_text_never_puts_a_control_byte_on_the_wire(cases, name, message):
    case = cases.cases["journalist-lina-haddad"]
    for kind, setup in (("appeal", PAPER_80), ("postcard", PAPER_58)):
        _, out = render(case, kind, name or "x", setup, message=message)  # decode() raises on a stray byte
        assert out.cuts == ([1] if setup is PAPER_80 else [])
        assert all(len(line) <= setup.paper.columns for line in out.lines)
