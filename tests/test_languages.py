"""The catalogues: every word of the kiosk's screens and paper is in them, in every shipped
language, with its placeholders and plural forms; a built wheel carries them compiled.

Extraction is Babel's own (``pybabel extract -F babel.cfg``), run here on the source as it
is: a string marked in the code but missing from ``kiosk/locale/kiosk.pot``, or a language
that lacks a translation of it, fails.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from kiosk.i18n import LANGUAGES, language, visual
from tests.helpers import ROOT

LOCALE = ROOT / "kiosk" / "locale"
TRANSLATED = [code for code in LANGUAGES if code != "en"]  # English is the words in the code
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def extracted() -> set[str | tuple[str, str]]:
    """The messages marked in the code, as pybabel extract finds them with babel.cfg."""
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=[("kiosk/**.py", "python")], options_map={}):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def catalogue(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def ids(cat) -> set[str | tuple[str, str]]:
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in cat if m.id}


def test_every_marked_string_is_in_the_template():
    template = ids(catalogue(LOCALE / "kiosk.pot"))
    missing = extracted() - template
    assert not missing, f"run pybabel extract (docs/languages.md): not in kiosk.pot: {sorted(map(str, missing))[:10]}"
    stale = template - extracted()
    assert not stale, f"in kiosk.pot, no longer in the code: {sorted(map(str, stale))[:10]}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_language_translates_every_string(code):
    cat = catalogue(LOCALE / code / "LC_MESSAGES" / "kiosk.po")
    messages = {m.id if isinstance(m.id, str) else tuple(m.id): m for m in cat if m.id}
    missing = extracted() - set(messages)
    assert not missing, f"{code}: run pybabel update: missing {sorted(map(str, missing))[:10]}"
    problems = []
    for key, message in messages.items():
        if message.fuzzy:
            problems.append(f"fuzzy: {key}")
            continue
        forms = list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]
        if isinstance(key, tuple) and len(forms) != cat.num_plurals:
            problems.append(f"{len(forms)} plural forms, {cat.num_plurals} wanted: {key}")
        wanted = set(PLACEHOLDER.findall(key if isinstance(key, str) else key[1]))
        for form in forms:
            if not form or not form.strip():
                problems.append(f"untranslated: {key}")
            elif set(PLACEHOLDER.findall(form)) - wanted or (wanted - {"n"}) - set(PLACEHOLDER.findall(form)):
                problems.append(f"placeholders {wanted} differ: {key} -> {form}")
    assert not problems, f"{code}: {len(problems)} problem(s): " + "; ".join(problems[:8])


def test_plural_forms_follow_each_language():
    message = ("{n} letter written here today", "{n} letters written here today")
    forms = {code: [language(code).ngettext(*message, n) for n in (1, 2, 5, 22, 1234)] for code in LANGUAGES}
    assert forms["en"] == ["1 letter written here today", "2 letters written here today",
                           "5 letters written here today", "22 letters written here today",
                           "1,234 letters written here today"]
    assert len({forms["pl"][1], forms["pl"][2]}) == 2  # Polish: 2 and 5 take other forms
    assert forms["pl"][1].startswith("2 ") and "1 234" in forms["pl"][4]
    assert all(f.split()[0] == n for f, n in zip(forms["fr"], ["1", "2", "5", "22", "1"], strict=True))
    assert len(set(forms["ar"][:3])) == 3  # Arabic: one, two and few differ


# Widgets and values a screen shows: their first argument must be translated (_() or N_()).
SHOWN = {"Content", "Label", "Button", "Static", "Paragraph", "TabPane", "Text"}
WORDS = re.compile(r"[^\W\d_]{2,}")  # two letters in a row: words, not a key name or a number


def _literal_words(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and WORDS.search(node.value):
        return node.value
    if isinstance(node, ast.JoinedStr):
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str) and WORDS.search(part.value):
                return part.value
    return None


def untranslated_words(source: str) -> list[str]:
    """String literals with words given straight to a widget or a shown value, not through ``_()``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args:
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in SHOWN or name == "shown":
                words = _literal_words(node.args[0])
                if words is not None:
                    found.append(f"{name}({words!r})")
    return found


def test_every_word_on_a_screen_goes_through_the_catalogue():
    found = {path.name: untranslated_words(path.read_text(encoding="utf-8"))
             for path in sorted((ROOT / "kiosk" / "ui").rglob("*.py"))}
    assert {name: words for name, words in found.items() if words} == {}


def test_the_check_finds_an_untranslated_word():
    assert untranslated_words('Label(Content("Choose a person"))') == ["Content('Choose a person')"]
    assert untranslated_words('yield Button(self.shown(f"Done {x}"))')
    assert not untranslated_words('Label(self.shown(self._("Choose a person")))\nLabel(Content("L ›"))')


def test_a_built_wheel_carries_the_compiled_catalogues(tmp_path):
    """`pip install .` builds a wheel with the build hook (hatch_build.py): the .mo files are in it."""
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel,) = tmp_path.glob("kiosk-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for code in TRANSLATED:
        assert f"kiosk/locale/{code}/LC_MESSAGES/kiosk.mo" in names, code


# -- right to left, for a terminal -------------------------------------------------------------


def test_left_to_right_text_is_drawn_as_it_is():
    for text in ("Thank you, Ada!", "Zoë (fictional) · 1 234", "Ref. Demo / demo / #0001"):
        assert visual(text) == text


def test_arabic_is_joined_and_turned_round():
    line = visual("شكرا لك", rtl=True)
    assert all(0xFE70 <= ord(ch) <= 0xFEFF or ch == " " for ch in line)  # presentation forms: letters joined
    assert line.split() == [visual("لك", rtl=True), visual("شكرا", rtl=True)]  # the last word leftmost
    assert visual("شكرا لك، أدا!", rtl=True).startswith("!")  # the end of an Arabic sentence is at the left


def test_brackets_of_a_right_to_left_run_are_mirrored():
    assert visual("مملكة (خيالية) قاسمار").count("(") == 1
    assert "(" in visual("Lina Haddad · مملكة قاسمار (خيالية)").split("·")[1].split()[0]  # opens at its left
    # a paragraph wrapped inside brackets: each line's lone bracket still faces its words
    first = visual("الرسائل في ملف (يُستخدم", rtl=True)
    second = visual("مع kiosk export) · رمز", rtl=True)
    assert first.split()[0].endswith(")") and "(kiosk" in second


def test_english_in_an_arabic_line_keeps_its_order():
    assert "kiosk export" in visual("مع kiosk export · رمز", rtl=True)


@pytest.mark.parametrize("line", ["سلام \u0378 [on x", "[\u05c8 شكرا", "سلام \U000e01f0 (", "\u0590] مع"])
def test_any_line_is_drawn_even_one_python_bidi_cannot_order(line):
    # python-bidi's reference algorithm asserts on an unassigned code point beside Arabic
    # letters in a line with a lone bracket; a case title from a merged file may hold one
    for rtl in (None, True, False):
        drawn = visual(line, rtl=rtl)
        kept = {ch for ch in line if not "\u0600" <= ch <= "\u06ff"} - set("[]()")  # all but Arabic (shaped)
        assert set(drawn) >= kept
