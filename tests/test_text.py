import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.errors import InputError
from kiosk.text import MESSAGE_MAX, NAME_MAX, clean, validate_message, validate_name


def test_control_bytes_in_a_name_become_plain_text():
    assert clean("Bob\x1bi\x1bp\x00\x19\xfa") == "Bobipú"


def test_c1_del_and_bidi_overrides_are_removed_but_newlines_kept():
    assert clean("a\x7fb\x85c\x9b\u202ed\ne") == "abcd\ne"


def test_nfc_normalisation():
    assert clean("Zoe\u0301") == "Zoé"
    assert unicodedata.is_normalized("NFC", clean("A\u030a"))


def test_lone_surrogates_are_dropped():
    assert clean("a\ud800b\udfffc") == "abc"


def test_name_limits_have_clear_messages():
    with pytest.raises(InputError, match="name: must not be empty"):
        validate_name(" \x1b\x00 ")
    with pytest.raises(InputError, match=f"at most {NAME_MAX}"):
        validate_name("x" * (NAME_MAX + 1))
    with pytest.raises(InputError, match=f"at most {MESSAGE_MAX}"):
        validate_message("y" * (MESSAGE_MAX + 1))
    assert validate_name("  Ada \n Lovelace ") == "Ada Lovelace"


@given(st.text())
def test_clean_never_leaves_a_control_character(s):
    out = clean(s)
    for ch in out:
        assert ch == "\n" or not (ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0), repr(ch)
        assert not "\ud800" <= ch <= "\udfff"
    assert unicodedata.is_normalized("NFC", out)


def test_cleaning_twice_gives_what_cleaning_once_gave():
    """Recording cleans, and the store (and a merge) clean again: the letter must not change."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from kiosk.text import clean

    for text in ("A\x08\u0301\u0301\u0301", "e\x1b\u0301", "\u202ea\u0308", "x\r\u0327c"):
        assert clean(clean(text)) == clean(text), repr(text)

    @settings(max_examples=300, deadline=None, database=None)
    @given(st.text(alphabet=st.sampled_from("aAe\x08\x1b\x00\u0301\u0308\u0327\u202e\r\n\t \u200b"), max_size=20))
    def idempotent(text):
        assert clean(clean(text)) == clean(text)

    idempotent()
