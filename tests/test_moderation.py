"""Moderation's word lists: the campaign's own words pass in every language, abuse is found however
it is disguised, names are names, and the organiser's file is read like every other file a person names."""

import os
import subprocess
import sys
import time
import tomllib

import pytest
from click.testing import CliRunner

from kiosk.cases import read_dir
from kiosk.cli import cli
from kiosk.i18n import LANGUAGES
from kiosk.moderation import MODERATION_FILE, check, read_word_lists
from kiosk.moderation.organiser import MODERATION_FILE_MAX
from kiosk.moderation.vocabulary import LIST_OF
from tests.helpers import CASES, ROOT

SAMPLE_FILES = sorted(CASES.glob("*.toml"))  # the cases, and the consent wording visitors read


def texts(value):
    """Every piece of text in a TOML value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from texts(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts(item)


def sample_texts():
    for path in SAMPLE_FILES:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for text in texts(data):
            if text.strip():
                yield path.name, text


def test_the_shipped_languages_have_lists():
    assert set(LIST_OF) == set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sample_cases_own_words_pass_in_every_language(language):
    """Every text of every sample case (story, ask, appeal, postcard, translations, addressee) and
    of the consent wording, as a message and as a name, written by a visitor of each language."""
    found = {}
    for name, text in sample_texts():
        words = check(text[:80], text[:500], language)
        if words:
            found[(name, text[:60])] = words
    assert found == {}


CAMPAIGN_SENTENCES = {
    "en": "Stop the torture and rape of prisoners. End the death penalty: no more executions, no date rape, "
          "no sexual violence in detention.",
    "es": "Detengan la tortura y la violación de presos. El asesinato de defensores debe investigarse; "
          "abolir la pena de muerte.",
    "fr": "Mettez fin à la torture et au viol des prisonniers. Le meurtre du journaliste doit être élucidé ; "
          "sa veuve attend.",
    "pl": "Zakończcie tortury i gwałt na więźniach. Zabójstwo obrońcy musi zostać wyjaśnione; kara śmierci.",
    "ar": "أوقفوا التعذيب و اغتصاب السجناء. عقوبة الإعدام جريمة، وشعر إيليا ليس جريمة، وهو محروم من العلاج.",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_campaign_vocabulary_passes_though_the_lists_hold_it(language):
    """The lists themselves flag these appeals (so the allow-list is what lets them through; the
    Polish list holds none of them today, and the allow-list keeps it so if it ever does)."""
    from glin_profanity import Filter

    sentence = CAMPAIGN_SENTENCES[language]
    bare = Filter({"languages": sorted({LIST_OF[language], "english"}), "detect_leetspeak": True})
    if language != "pl":
        assert bare.check_profanity(sentence)["contains_profanity"], "the lists no longer flag it: pick another"
    assert check("Ada", sentence, language) == []
    assert check("Ada", CAMPAIGN_SENTENCES["en"], language) == []  # English, typed at any language


ABUSE = {
    "en": ["fuck you minister", "f u c k you", "f.u.c.k you", "F-U-C-K", "fu\u200bck", "f\u00adu\u00adck",
           "ｆｕｃｋ", "𝐟𝐮𝐜𝐤", "Ⓕⓤⓒⓚ", "🅵🆄🅲🅺", "fu\u0441k", "fuuuuuck", "f*ck", "sh1t", "$hit", "b1tch",
           "f~u~c~k", "f+u+c+k", "fuckfuckfuck", "fuckyou", "you are a cunt", "c u n t", "dick head",
           "f\u2800uck", "f\u0336u\u0336c\u0336k\u0336", "ꜰᴜᴄᴋ", "ƒυ¢κ", "🇫🇺🇨🇰", "cunts", "fuckers"],
    "es": ["hijo de puta", "p u t a", "put@", "mi3rda", "hijodeputa", "gilipollas", "vete a la mierda", "putas"],
    "fr": ["connard", "c0nnard", "enculé", "s@lope", "ta gueule", "putain", "fils de pute", "salopes"],
    "pl": ["kurwa", "k.u.r.w.a", "kurwo", "spierdalaj", "chuj", "ch*j", "jebać"],
    "ar": ["كس", "كـــس", "كَس", "شرموطة", "شرمـوطة", "قحبة"],
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_listed_abuse_is_found_however_it_is_disguised(language):
    missed = [text for text in ABUSE[language] if not check("Ada", text, language)]
    assert missed == []
    missed = [text for text in ABUSE["en"] if not check("Ada", text, language)]  # English, at any language
    assert missed == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_abuse_in_a_name_is_found(language):
    for name in ("Fuck Face", "F U C K", "F. U. C. K.", "Sh1t Head", "ｓｈｉｔ"):
        assert check(name, "", language), name


@pytest.mark.parametrize("name", ["Dick Smith", "dick smith", "DICK", "Dick", "Cockburn", "Cumming", "Butt",
                                  "Sussex", "Hancock", "Scunthorpe", "Phuc Nguyen", "Anna Cox", "Shitake Ono",
                                  "Assunta Bassi", "Concha García", "Kike Pérez", "Con O'Neill", "جاد حداد",
                                  "Dickens Jones", "Joe Cocker", "Anne Butts", "Hughes Cummings"])
def test_a_name_is_checked_by_whole_tokens_and_names_are_names(name):
    for language in LANGUAGES:
        assert check(name, "", language) == [], language


@pytest.mark.parametrize("language, message", [
    ("en", "Stay strong xx"), ("en", "xxxxxx"), ("en", "rapetorture"), ("es", "Eres una heroína"),
    ("ar", "حمام السلام"), ("ar", "جوزي ومراتي معك"), ("fr", "Courage, con respeto"),
])
def test_ordinary_words_of_a_letter_that_a_list_holds_pass(language, message):
    assert check("Ada", message, language) == []


def test_a_listed_word_inside_an_accented_word_is_no_word():
    """glin-profanity alone reads an accented letter as a word's end: artículo would hold culo."""
    for text in ("el artículo", "ridículo", "un vehículo", "sóbastardo"):
        assert check("Ada", text, "es") == [], text
    assert check("Ada", "culo", "es") == ["culo"]


def test_a_name_allowed_in_a_name_is_still_flagged_in_a_message():
    assert check("Dick Smith", "", "en") == []
    assert check("Ada", "you dick", "en") == ["dick"]
    assert check("Ada", "what a butt", "en") == ["butt"]


def test_the_words_found_are_given_once_each():
    assert check("Shit", "shit SHIT  Shit", "en") == ["shit"]


def test_a_huge_or_hostile_text_is_checked_quickly():
    check("Ada", "warm up", "ar")
    hostile = ["f." * 250, "a " * 250, "f*" * 250, "fuck" * 125, "ñ\u0301" * 250, "\u0640" * 500,
               "\u200b" * 500, "x" * 100_000, "f.u" * 40_000]
    started = time.monotonic()
    for text in hostile:
        check(" ".join("abcdefghijklmnopqrstuvwxyz" * 3), text, "ar")
    assert time.monotonic() - started < 5


def test_the_lists_are_loaded_only_when_a_letter_is_checked():
    code = ("import sys\nimport kiosk.moderation, kiosk.application.station\n"
            "print('glin_profanity' in sys.modules)\n"
            "from kiosk.moderation import check\ncheck('Ada', 'hello', 'en')\n"
            "print('glin_profanity' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.stdout.split() == ["False", "True"], out.stderr


# -- the organiser's file ---------------------------------------------------------------------------


def write(folder, text):
    (folder / MODERATION_FILE).write_text(text, encoding="utf-8")
    return folder


def test_the_organisers_words_allow_and_flag_per_language(tmp_path):
    write(tmp_path, '[en]\nallow = ["butt"]\nflag = ["scumbag", "Dolt Face"]\n\n[es]\nflag = ["malnacido"]\n'
                    'allow = ["mierda"]\n')
    lists, problems = read_word_lists(tmp_path)
    assert problems == []
    assert check("Ada", "you butt", "en", lists) == []
    assert check("Ada", "you scumbag", "en", lists) == ["scumbag"]
    assert check("Ada", "a DOLT   face", "pl", lists) == ["dolt face"]  # English words for every visitor
    assert check("Ada", "malnacido", "es", lists) == ["malnacido"]
    assert check("Ada", "malnacido", "fr", lists) == []  # Spanish words for Spanish visitors
    assert check("Ada", "mierda", "es", lists) == []
    assert check("Ada", "mierda", "es") == ["mierda"]


def test_an_organiser_may_flag_campaign_vocabulary_and_flagging_wins(tmp_path):
    write(tmp_path, '[en]\nflag = ["rape", "torture"]\nallow = ["torture"]\n')
    lists, problems = read_word_lists(tmp_path)
    assert [(p.field, p.problem) for p in problems] == [("en.allow", "'torture' is flagged too: it is flagged")]
    assert check("Ada", "the rape and torture of prisoners", "en", lists) == ["rape", "torture"]


def test_each_bad_entry_is_one_problem_naming_file_and_field_and_the_rest_is_used(tmp_path):
    write(tmp_path, 'es = 4\n[en]\nflag = ["scumbag", 3, "", "\u200b", "' + "x" * 61 + '"]\nallow = "butt"\n'
                    'colour = 1\n[xx]\nflag = ["a"]\n[fr]\n[pl]\nflag = [["nested"]]\n')
    lists, problems = read_word_lists(tmp_path)
    lines = [str(p) for p in problems]
    path = str(tmp_path / MODERATION_FILE)
    assert all(line.startswith(path + ": ") for line in lines)
    assert [line.removeprefix(path + ": ") for line in lines] == [
        "es: must be a table ([es] with allow and flag), not a number",
        "en.colour: unknown field (expected: allow, flag)",
        "en.allow: must be a list of words, not text",
        "en.flag: entry 2: must be text, not a number",
        "en.flag: entry 3: empty",
        "en.flag: entry 4: empty",
        "en.flag: entry 5: 61 characters, at most 60",
        "xx: not a language of the kiosk (one of: en, es, fr, pl, ar)",
        "pl.flag: entry 1: must be text, not a list",
    ]
    assert check("Ada", "you scumbag", "en", lists) == ["scumbag"]


@pytest.mark.parametrize("make, problem", [
    (lambda p: p.write_bytes(b"[en\nflag = 1"), "TOML syntax error"),
    (lambda p: p.write_bytes(b"\xff\xfe[en]"), "not UTF-8"),
    (lambda p: p.write_bytes(b"#" * (MODERATION_FILE_MAX + 1)), "larger than"),
    (lambda p: p.mkdir(), "a folder"),
    (lambda p: os.mkfifo(p), "FIFO"),
])
def test_a_file_that_cannot_be_read_adds_nothing_and_says_why(tmp_path, make, problem):
    make(tmp_path / MODERATION_FILE)
    lists, problems = read_word_lists(tmp_path)
    assert lists.count == 0
    (only,) = problems
    assert only.source == str(tmp_path / MODERATION_FILE) and problem in str(only)
    assert check("Ada", "Stop the torture", "en", lists) == []


def test_the_organisers_file_is_no_case_and_kiosk_cases_check_reads_it(tmp_path):
    import shutil

    folder = tmp_path / "cases"
    shutil.copytree(CASES, folder)
    write(folder, '[en]\nflag = ["scumbag"]\n')
    assert read_dir(folder).errors == []  # not read as a case file
    result = CliRunner().invoke(cli, ["cases", "check", str(folder)])
    assert result.exit_code == 0, result.output
    assert "moderation words: 1 (allowed in no language, flagged in en)" in result.output
    write(folder, '[en]\nflag = [1]\n')
    result = CliRunner().invoke(cli, ["cases", "check", str(folder)])
    assert result.exit_code == 1
    assert f"error: {folder / MODERATION_FILE}: en.flag: entry 1: must be text, not a number" in result.output
