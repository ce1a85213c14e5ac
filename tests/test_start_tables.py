"""What the kiosk knows at start without loading a library's data: each table agrees with the library."""

from __future__ import annotations

import pytest
import qrcode
from babel import Locale
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.i18n import DIRECTIONS, LANGUAGES, OWN_NAMES, language
from kiosk.printing import escpos_lib
from kiosk.printing.setups import parse_spec, resolve_paper
from kiosk.receipts.qr import BYTES_M, QRTooWide, check_fits, module_dots


def test_the_paper_table_is_python_escpos_database():
    database = {name: escpos_lib.profile_data(name) for name in escpos_lib.profile_names()}
    assert set(escpos_lib.MEDIA) == set(database)
    for name, data in database.items():
        media = (data.get("media", {}).get("width", {}).get("pixels"),
                 data.get("fonts", {}).get("0", {}).get("columns"))
        assert escpos_lib.MEDIA[name] == media, name


def test_another_capabilities_file_is_asked_not_the_table(monkeypatch):
    monkeypatch.setitem(escpos_lib.MEDIA, "TM-T20II", (384, 32))  # what a stale table would say
    assert resolve_paper("TM-T20II", None, None, None).dots == 384
    monkeypatch.setenv(escpos_lib.CAPABILITIES_FILE, "/somewhere/capabilities.json")
    assert resolve_paper("TM-T20II", None, None, None).dots == 576  # the database's answer
    assert not escpos_lib.is_profile("no-such-profile")


def test_a_printer_set_up_is_read_without_the_profile_database(tmp_path):
    import subprocess
    import sys

    code = ("import sys; from kiosk.printing.setups import parse_spec;"
            " s = parse_spec('tcp://127.0.0.1:9100?profile=POS-5890'); print(s.paper.dots, s.paper.columns);"
            " print('escpos.capabilities' in sys.modules, 'yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["384", "32", "False", "False"]
    with pytest.raises(Exception, match="unknown profile"):
        parse_spec("tcp://127.0.0.1:9100?profile=NoSuch")


@pytest.mark.parametrize("version", [1, 9, 10, 25, 26, 40])
def test_the_qr_capacity_table_is_qrcode(version):
    def fits(n: int) -> bool:
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
        code.add_data("~" * n)  # byte mode
        return code.best_fit() <= version

    assert fits(BYTES_M[version - 1]) and (version == 40 or not fits(BYTES_M[version - 1] + 1))


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcXYZ0123456789:/.-_?=&%é€ل")), min_size=1, max_size=900),
       st.sampled_from([128, 200, 384, 432, 512, 576, 832]))
def test_the_quick_qr_check_refuses_what_qrcode_refuses(data, paper):
    try:
        module_dots(data, paper)
        fits = True
    except QRTooWide:
        fits = False
    try:
        check_fits(data, paper)
        said = True
    except QRTooWide:
        said = False
    assert said == fits


def test_language_names_directions_and_small_numbers_are_babels():
    for code in LANGUAGES:
        name = Locale.parse(code).get_display_name(code)
        assert OWN_NAMES[code] == name[:1].upper() + name[1:]
        assert DIRECTIONS[code] == Locale.parse(code).text_direction
        lang = language(code)
        from babel.numbers import format_decimal

        assert all(lang.number(n) == format_decimal(n, locale=lang.locale) for n in (0, 1, 7, 42, 999))
    assert set(OWN_NAMES) == set(DIRECTIONS) == set(LANGUAGES)
