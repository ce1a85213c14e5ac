"""Cases in several languages: translations of what a visitor reads, the appeal in the
authority's preferred language, and what `kiosk cases check` says is not translated."""

import shutil
import textwrap

import pytest
from click.testing import CliRunner

from kiosk.cases import read_dir
from kiosk.cli import cli
from kiosk.i18n import LANGUAGES
from tests.helpers import CASES

# The sample lawyer case as an English case file without any translation.
BASE = (CASES / "lawyer-amara-osei.toml").read_text(encoding="utf-8").split("\n# What a visitor reading")[0]
BASE = BASE.replace('language = "en"  # the language of the text above and below\n', "")
assert "translations" not in BASE and "language" not in BASE


def case_with(tmp_path, extra, *, top="", name="lawyer-amara-osei.toml", base=BASE):
    """The sample lawyer case with ``top`` keys before its first table and ``extra`` tables at its end."""
    text = base.replace("\n[appeal]\n", f"\n{textwrap.dedent(top)}\n[appeal]\n", 1) + textwrap.dedent(extra)
    (tmp_path / name).write_text(text, encoding="utf-8")
    return read_dir(tmp_path)


def messages(result):
    return [str(e) for e in result.errors]


# -- the shipped samples ------------------------------------------------------------------


def test_every_sample_is_in_spanish_and_french_and_some_in_polish(cases):
    for case in cases.cases.values():
        assert case.language == "en"
        for code in ("es", "fr"):
            shown = case.translation(code)
            assert shown is not None and not shown.missing(), (case.id, code)
    assert sum(case.translation("pl") is not None for case in cases.cases.values()) >= 2


def test_the_defender_case_writes_to_the_attorney_general_in_spanish(cases):
    case = cases.cases["defender-tomas-quispe"]
    assert case.preferred_language == "es" and case.letter_language == "es"
    assert case.appeal.salutation == "Dear Attorney General,"  # the base is English, not bilingual
    spanish = case.appeal_text("es")
    assert spanish.language == "es"
    assert spanish.salutation == "Estimada señora Fiscal General:" and spanish.closing == "Atentamente,"
    assert "Tomás Quispe" in spanish.body[0] and "río Claro" in spanish.body[0]
    assert case.letter_language_for("appeal", "pl") == "es"
    assert case.letter_language_for("postcard", "pl") == "pl"


def test_the_journalist_case_writes_to_the_minister_in_arabic(cases):
    case = cases.cases["journalist-lina-haddad"]
    assert case.letter_language == "ar"
    arabic = case.appeal_text("ar")
    assert arabic.salutation == "معالي الوزير،" and len(arabic.body) == 3
    assert case.shown_in("ar").title == "صحفية محتجزة بعد نشر تقارير عن الفساد"


def test_a_case_without_preferred_language_prints_its_appeal_in_its_own_language(cases):
    case = cases.cases["lawyer-amara-osei"]
    assert case.preferred_language is None and case.letter_language == "en"
    assert case.appeal_text("fr") == case.appeal_text("en")  # no French appeal: the base, as a whole
    assert case.appeal_text("fr").language == "en"


# -- falling back ---------------------------------------------------------------------------


def test_the_shown_text_falls_back_field_by_field(tmp_path):
    result = case_with(tmp_path, """
        [translations.fr]
        title = "Avocate harcelée"

        [translations.fr.postcard]
        message = "Tu n'es pas seule."
    """)
    assert not result.errors, messages(result)
    case = result.cases["lawyer-amara-osei"]
    shown = case.shown_in("fr")
    assert shown.title == "Avocate harcelée" and shown.message == "Tu n'es pas seule."
    assert shown.story == case.story and shown.ask == case.ask and shown.heading == case.postcard.heading
    assert case.shown_in("pl") == case.base  # no translation at all: the base
    assert case.shown_in("en") == case.base
    assert case.translation("fr").missing() == ["country", "story", "ask", "postcard.heading"]


def test_an_appeal_translation_is_taken_whole_or_not_at_all(tmp_path):
    result = case_with(tmp_path, """
        [appeal.translations.es]
        salutation = "Estimado señor ministro:"
        body = ["Le escribo por Amara Osei."]
        closing = "Atentamente,"
    """, top='preferred_language = "es"')
    case = result.cases["lawyer-amara-osei"]
    assert case.letter_language == "es"
    assert case.appeal_text("es").body == ("Le escribo por Amara Osei.",)
    assert case.appeal_text("es").closing == "Atentamente,"
    # one field left out: the translation is refused, never mixed with the English body
    broken = case_with(tmp_path, """
        [appeal.translations.es]
        salutation = "Estimado señor ministro:"
        closing = "Atentamente,"
    """, top='preferred_language = "es"')
    assert "lawyer-amara-osei.toml: appeal.translations.es.body: missing" in " ".join(messages(broken))
    assert broken.cases == {}


def test_a_base_text_in_another_language_is_the_fallback(tmp_path):
    result = case_with(tmp_path, """
        [translations.en]
        title = "Lawyer harassed"

        [appeal.translations.en]
        salutation = "Dear Minister,"
        body = ["I write about Amara Osei."]
        closing = "Yours sincerely,"
    """, top='language = "fr"\npreferred_language = "es"')
    assert not result.errors, messages(result)
    case = result.cases["lawyer-amara-osei"]
    assert case.language == "fr"
    assert case.shown_in("en").title == "Lawyer harassed" and case.shown_in("pl") == case.base
    # preferred Spanish, no Spanish appeal: the appeal prints in the base's own language
    assert case.letter_language == "fr"
    assert case.appeal_text("en").body == ("I write about Amara Osei.",)


# -- what is refused, naming the file and the field ----------------------------------------


@pytest.mark.parametrize(("top", "extra", "expected"), [
    ("", "[translations.de]\ntitle = 'Anwältin'\n",
     "translations.de: 'de' is not one of the kiosk's languages: en, es, fr, pl, ar"),
    ("", "[translations.fr]\nstorry = 'x'\n", "translations.fr.storry: unknown field"),
    ("", "[translations.fr]\nstory = '" + "x" * 4001 + "'\n",
     "translations.fr.story: 4001 characters, at most 4000 allowed"),
    ("", "[translations.fr]\ntitle = '   '\n", "translations.fr.title: must not be empty"),
    ("", "[translations.fr]\ntitle = 12\n", "translations.fr.title: must be text, not a number"),
    ("", "[translations.fr.postcard]\nurl = 'https://example.org/fr'\n", "translations.fr.postcard.url: unknown field"),
    ("", "[translations.fr.postcard]\nmessage = '" + "x" * 301 + "'\n",
     "translations.fr.postcard.message: 301 characters, at most 300 allowed"),
    ("", "[translations.en]\ntitle = 'x'\n", "translations.en: 'en' is the language of the case's own text"),
    ("", "[translations]\nfr = 'Avocate'\n", "translations.fr: must be a table, not text"),
    ("translations = 'fr'", "", "translations: must be a table, not text"),
    ('preferred_language = "ru"', "", "preferred_language: 'ru' is not one of the kiosk's languages"),
    ('language = "xx"', "", "language: 'xx' is not one of the kiosk's languages"),
    ("", "[appeal.translations.es]\nsalutation = 'Hola'\nbody = ['x']\nclosing = 'Adiós'\nfirma = 'x'\n",
     "appeal.translations.es.firma: unknown field"),
    ("", "[appeal.translations.es]\nsalutation = 'Hola'\nbody = ['" + "x" * 2001 + "']\nclosing = 'Adiós'\n",
     "appeal.translations.es.body: entry 1: 2001 characters, at most 2000 allowed"),
    ("", "[appeal.translations.xx]\nsalutation = 'x'\n", "appeal.translations.xx: 'xx' is not one of"),
])
def test_a_bad_translation_is_refused_naming_file_and_field(tmp_path, top, extra, expected):
    result = case_with(tmp_path, extra, top=top)
    found = messages(result)
    assert any(m.startswith(str(tmp_path / "lawyer-amara-osei.toml")) and f": {expected}" in m for m in found), found
    assert result.cases == {}


def test_a_translation_is_cleaned_as_the_base_is(tmp_path):
    result = case_with(tmp_path, """
        [translations.fr]
        title = "Avocate\\u001b[31m   harcelée\\u202e"
    """)
    assert result.cases["lawyer-amara-osei"].shown_in("fr").title == "Avocate[31m harcelée"


# -- kiosk cases check --------------------------------------------------------------------


def test_cases_check_warns_what_is_not_translated_and_exits_0(tmp_path):
    case_with(tmp_path, """
        [translations.fr]
        title = "Avocate harcelée"
    """, top='preferred_language = "es"')
    result = CliRunner().invoke(cli, ["cases", "check", str(tmp_path)])
    assert result.exit_code == 0, result.output
    path = tmp_path / "lawyer-amara-osei.toml"
    lines = result.stderr.splitlines()
    assert f"warning: {path}: translations.es: missing: visitors reading Spanish see the case in English" in lines
    assert (f"warning: {path}: translations.fr: no country, story, ask, postcard.heading, postcard.message:"
            " shown in English") in lines
    assert (f"warning: {path}: preferred_language: 'es' but no [appeal.translations.es]:"
            " the appeal prints in English") in lines
    assert not any(line.startswith("error:") for line in lines)
    assert "1 valid case(s), 0 error(s), 5 translation warning(s)" in result.stdout


def test_cases_check_of_the_samples_warns_only_of_missing_languages():
    result = CliRunner().invoke(cli, ["cases", "check", str(CASES)])
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warned and all(": translations." in line and ": missing:" in line for line in warned), warned
    assert not any(".toml: preferred_language" in line for line in warned)


def test_cases_check_with_errors_and_warnings_exits_1(tmp_path):
    shutil.copy(CASES / "prisoner-ilya-voronin.toml", tmp_path)
    (tmp_path / "broken.toml").write_text("title = [", encoding="utf-8")
    result = CliRunner().invoke(cli, ["cases", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert "warning:" in result.stderr and "error:" in result.stderr


def test_every_shipped_language_is_one_a_case_can_name():
    assert set(LANGUAGES) >= {"en", "es", "fr", "pl", "ar"}
