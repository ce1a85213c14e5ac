"""Counts, the report, delivery lists and the tally slip: every number agrees with every other."""

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner
from PIL import Image

from kiosk.cli import cli
from kiosk.i18n import language
from kiosk.reports.tables import day_label
from kiosk.store import Scope, Store
from tests.helpers.escpos_stream import decode
from tests.helpers.records_data import LETTERS, fill


def run(*args, input=None):
    # a wide terminal, so that rich does not wrap case titles over two lines
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False,
                              env={"COLUMNS": "160"})


def export(db, *args):
    result = run("export", "counts", "--db", db, *args)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


@pytest.fixture
def db(tmp_path):
    return fill(tmp_path / "k.db")


def test_days_and_hours_are_the_stalls_not_utc(db):
    days = {r["day"]: int(r["count"]) for r in export(db, "--by", "day")}
    # 00:30 on 4 July at the stall is 22:30 UTC on 3 July: it counts on the 4th
    assert days == {"2026-07-03": 4, "2026-07-04": 2, "2026-07-05": 2}
    hours = [r["hour"] for r in export(db, "--by", "hour")]
    assert "2026-07-04 00:00" in hours and "2026-07-03 23:00" in hours


def test_combinations_and_filters(db):
    rows = export(db, "--by", "case,day", "--event", "Summer Fest")
    assert [(r["case_id"], r["day"], r["count"]) for r in rows] == [
        ("journalist-lina-haddad", "2026-07-04", "1"),
        ("lawyer-amara-osei", "2026-07-03", "3"),
        ("prisoner-ilya-voronin", "2026-07-03", "1"),
        ("prisoner-ilya-voronin", "2026-07-04", "1"),
    ]
    assert list(rows[0]) == ["case_id", "case_title", "day", "count", "paper", "duplicates", "signers"]
    rows = export(db, "--by", "kiosk,kind", "--since", "2026-07-04", "--until", "2026-07-05")
    assert [(r["kiosk_id"], r["kind"], r["count"]) for r in rows] == [
        ("north", "appeal", "2"), ("south", "appeal", "1"), ("south", "postcard", "1")]
    assert export(db, "--by", "event", "--until", "2026-07-03") == [
        {"event": "Summer Fest", "count": "4", "paper": "0", "duplicates": "0", "signers": "4"}]


@pytest.mark.parametrize("args, message, code", [
    (["--by", "case,colour"], "'colour' is not one of case, kind, event, kiosk, day, hour", 2),
    (["--by", "day,day"], "at most once", 2),
    (["--event", "Winter Fest"],
     "--event: no event 'Winter Fest' in this database (known: 'Book Fair', 'Summer Fest')", 1),
    (["--kiosk", "west"], "--kiosk: no kiosk 'west'", 1),
    (["--since", "2026-07-05", "--until", "2026-07-03"],
     "--since: 2026-07-05 is after the last day asked for (2026-07-03)", 1),
    (["--since", "3 July"], "'3 July' does not match the format '%Y-%m-%d'", 2),
])
def test_bad_selections_are_one_line(db, args, message, code):
    result = run("export", "counts", "--db", db, *args)
    assert result.exit_code == code
    assert message in result.output and len(result.output.strip().splitlines()) == 1, result.output


def test_csv_files_open_in_spreadsheets_and_are_private(db, tmp_path):
    out = tmp_path / "counts.csv"
    assert run("export", "counts", "--by", "case", "--db", db, "-o", out).exit_code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel reads it as UTF-8
    assert raw.decode("utf-8-sig").splitlines()[0] == (  # text cells quoted
        '"case_id","case_title","count","paper","duplicates","signers"')
    assert out.stat().st_mode & 0o777 == 0o600


def _markdown_table(md: str, heading: str) -> dict[str, tuple[int, ...]]:
    section = md.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[-1].isdigit():
            rows[cells[0]] = tuple(int(c) for c in cells[1:])
    return rows


def test_report_numbers_equal_export_numbers(db, tmp_path):
    result = run("report", "--db", db, "--out", tmp_path / "rep")
    assert result.exit_code == 0, result.output
    md = (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    with Store(db) as store:
        titles = {cid: row["title"] for cid, row in store.case_rows().items()}
    by_case = {}
    for r in export(db, "--by", "case,kind"):
        by_case.setdefault(titles[r["case_id"]], {})[r["kind"]] = int(r["count"])
    table = _markdown_table(md, "Per case")
    for title, kinds in by_case.items():
        appeal, postcard = kinds.get("appeal", 0), kinds.get("postcard", 0)
        assert table[title] == (appeal, postcard, appeal + postcard)
        # and the terminal shows the same row
        assert re.search(rf"{re.escape(title)}\s*│\s*{appeal}\s*│\s*{postcard}\s*│\s*{appeal + postcard}",
                         result.output)
    days = {r["day"]: int(r["count"]) for r in export(db, "--by", "day")}
    named = {day_label(d, language("en")): d for d in days}  # the report names each day: "Fri, 3 Jul 2026"
    assert {named[d]: t[-1] for d, t in _markdown_table(md, "Per day").items() if d != "All"} == days
    kiosks = {r["kiosk_id"]: int(r["count"]) for r in export(db, "--by", "kiosk")}
    assert {k: t[-1] for k, t in _markdown_table(md, "Per kiosk").items() if k != "All"} == kiosks
    hours = {r["hour"]: int(r["count"]) for r in export(db, "--by", "hour")}
    grid = _markdown_table(md, "Per hour")
    header = md.split("## Per hour", 1)[1].split("| Hour |", 1)[1].split("\n", 1)[0]
    grid_days = [c.strip() for c in header.strip().strip("|").split("|")][:-1]
    # each row ends in its Total cell, which has no day: zip stops before it
    from_grid = {f"{named[day]} {hour}": n for hour, cells in grid.items()
                 for day, n in zip(grid_days, cells, strict=False) if n}
    assert from_grid == hours
    assert f"**{len(LETTERS)} letters**" in md
    png = Image.open(tmp_path / "rep" / "letters-per-hour.png")
    assert png.format == "PNG" and png.width > 400


def test_report_for_one_event(db):
    result = run("report", "--db", db, "--event", "Book Fair")
    assert result.exit_code == 0
    assert "Letters: 2 (2 appeals, 0 postcards)" in result.output
    assert "Sun, 5 Jul 2026: letters per hour" in result.output
    assert "Sat, 4 Jul" not in result.output and "Fri, 3 Jul" not in result.output


def test_case_text_is_shown_as_text_not_markup(tmp_path):
    """A case title in rich or Markdown markup is printed literally, in the terminal and the file."""
    import dataclasses

    from kiosk.cases import read_dir
    from tests.helpers import CASES

    case = read_dir(CASES).cases["lawyer-amara-osei"]
    odd = dataclasses.replace(case, title="[bold red]Free[/] | her *now* <script>x</script>")
    with Store(tmp_path / "k.db") as store:
        store.record(case=odd, kind="appeal", name="Ada", message="", event="E", kiosk_id="k1")
    result = run("report", "--db", tmp_path / "k.db", "--out", tmp_path / "rep")
    assert "[bold red]Free[/] | her *now* <script>x</script>" in result.output
    md = (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    assert r"\[bold red\]Free\[/\] \| her \*now\* \<script\>x\</script\>" in md
    assert "| 1 | 0 | 1 |" in md  # the pipe did not add a column


def test_delivery_lists_group_appeals_by_addressee(db, tmp_path):
    result = run("export", "letters", "--db", db)
    rows = list(csv.DictReader(io.StringIO(result.output)))
    appeals = [row for row in LETTERS if row[1] == "appeal"]
    assert len(rows) == len(appeals)
    assert {r["signer_name"] for r in rows} == {row[-1] for row in appeals}
    # grouped: each addressee's rows are together
    order = [r["addressee_name"] for r in rows]
    assert order == sorted(order, key=order.index)  # first appearance
    amara = [r for r in rows if r["case_id"] == "lawyer-amara-osei"]
    assert {r["addressee_name"] for r in amara} == {"Hon. Daniel Mbeki-Hart"}
    assert amara[0]["addressee_address"].splitlines()[0] == "Ministry of the Interior"
    assert amara[0]["message"] == "Message from Ada Quillfeather" and amara[0]["print_status"] == "printed"
    quispe = run("export", "letters", "--db", db, "--case", "defender-tomas-quispe")
    one = list(csv.DictReader(io.StringIO(quispe.output)))
    assert [r["signer_name"] for r in one] == ["Hiroshi Tanabe-Wright"]


def test_delivery_list_as_a_printable_document(tmp_path):
    from kiosk.cases import read_dir
    from tests.helpers import CASES

    cases = read_dir(CASES).cases
    with Store(tmp_path / "k.db") as store:
        for name in ("Ada <img src=x onerror=alert(1)>", "Bea & \"Co\""):
            store.record(case=cases["prisoner-ilya-voronin"], kind="appeal", name=name, message="Свободу!\nNow.",
                         event="E", kiosk_id="k1")
        store.record(case=cases["lawyer-amara-osei"], kind="appeal", name="Cy", message="", event="E", kiosk_id="k1")
    out = tmp_path / "letters.html"
    result = run("export", "letters", "--db", tmp_path / "k.db", "--format", "html", "-o", out)
    assert result.exit_code == 0 and "3 appeal(s) to 2 addressee(s)" in result.output
    page = out.read_text(encoding="utf-8")
    assert "<img" not in page and "Ada &lt;img src=x onerror=alert(1)&gt;" in page
    assert "Bea &amp; &quot;Co&quot;" in page and "Свободу!\nNow." in page
    assert page.count('<section class="addressee">') == 2 and "break-before: page" in page
    assert "Генеральная прокуратура" in page and "Ministry of the Interior" in page
    assert out.stat().st_mode & 0o777 == 0o600


def test_delivery_list_after_a_purge_keeps_the_letters_without_names(db):
    run("purge", "--personal-data", "--yes", "--db", db)
    rows = list(csv.DictReader(io.StringIO(run("export", "letters", "--db", db).output)))
    assert len(rows) == 6 and {r["signer_name"] for r in rows} == {"(removed)"}


def test_unknown_case_for_letters_is_one_line(db):
    result = run("export", "letters", "--db", db, "--case", "nobody")
    assert result.exit_code == 1 and "--case: no case 'nobody'" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_tally_slip_prints_the_days_counts(db, tmp_path):
    out = tmp_path / "slip.bin"
    result = run("printer", "tally", "--db", db, "--day", "2026-07-03", "--event", "Summer Fest",
                 "--printer", f"file:{out}")
    assert result.exit_code == 0, result.output
    assert "Tally for Fri 03 Jul 2026: 4 letter(s)" in result.output
    paper = decode(out.read_bytes(), "TM-T20II")
    lines = paper.lines
    assert "END-OF-DAY TALLY" in paper.text.upper() and "Friday 3 July 2026" in paper.text
    assert "Summer Fest - all kiosks" in paper.text
    assert any(line.strip() == "Letters: 4" for line in lines) or "Letters: 4" in paper.text
    assert "Lawyer harassed for defending her clients" in paper.text
    assert "appeals 2  postcards 1  total 3" in paper.text
    hour_rows = {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\d\d:00)\s+(\d+)", paper.text, re.M)}
    expected = {r["hour"][-5:]: int(r["count"]) for r in export(db, "--by", "hour", "--event", "Summer Fest",
                                                                 "--since", "2026-07-03", "--until", "2026-07-03")}
    assert {h: n for h, n in hour_rows.items() if n} == expected
    assert list(hour_rows) == [f"{h:02d}:00" for h in range(10, 24)]  # empty hours shown too
    assert paper.cuts == [1]


def test_json_counts_match_the_store(db):
    rows = json.loads(run("export", "counts", "--by", "case,kind", "--format", "json", "--db", db).output)
    with Store(db) as store:
        assert rows == store.counts(("case", "kind"), Scope())


# -- the answers to being contacted --------------------------------------------------------------


def _answer(db, answers):
    """Answers (yes/no by letter index) to "Would you like to hear from us?" for letters of ``db``."""
    from kiosk.consent import load_consent
    from kiosk.store import ConsentChoice
    from tests.helpers import CASES

    wording = load_consent(CASES / "consent.toml").for_language("en")
    with Store(db) as store:
        sigs = sorted(store.signatures(), key=lambda s: s.local_time)
        for index, choice in answers.items():
            email = f"writer{index}@example.org" if choice == "yes" else None
            store.record_consent(sigs[index].id, ConsentChoice(wording, choice, email, True))


@pytest.mark.parametrize("args, said", [
    ([], "3 yes, 2 no; 3 letters without an answer"),
    (["--event", "Book Fair"], "1 yes, 0 no; 1 letter without an answer"),
    (["--kiosk", "south"], "0 yes, 1 no; 2 letters without an answer"),
    (["--since", "2026-07-05", "--kiosk", "south"], "0 yes, 0 no; 0 letters without an answer"),
])
def test_the_report_counts_the_answers_and_the_letters_without_one_in_the_terminal_and_report_md(
        db, tmp_path, args, said):
    """A writer who walked away or pressed Esc gave no answer: the line says how many letters have
    none, in the terminal and in report.md, whenever the file holds any answer."""
    _answer(db, {0: "yes", 1: "no", 2: "yes", 3: "no", 6: "yes"})  # north, north, north, south, Book Fair
    result = run("report", "--db", db, *args, "--out", tmp_path / "r")
    assert result.exit_code == 0, result.output
    line = f"Answered whether we may contact them: {said}"
    assert line in result.output
    md = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert f"\n- {line}\n" in md


def test_a_file_without_answers_has_no_consent_line(db, tmp_path):
    result = run("report", "--db", db, "--out", tmp_path / "r")
    assert result.exit_code == 0
    assert "whether we may contact" not in result.output
    assert "whether we may contact" not in (tmp_path / "r" / "report.md").read_text(encoding="utf-8")


def test_held_and_rejected_letters_are_named_in_the_reports_language(tmp_path):
    """A letter waiting for a volunteer, or one they decided not to print, counts as written and is
    named in the report's language under "Not printed", never by its raw status."""
    from kiosk.job_states import Transition

    db = tmp_path / "k.db"
    with Store(db) as store:
        held = store.record(case_id="lawyer-amara-osei", kind="appeal", name="Ada", message="", event="E",
                            kiosk_id="k1", hold="words")
        store.record(case_id="lawyer-amara-osei", kind="appeal", name="Bo", message="", event="E", kiosk_id="k1",
                     hold="limit")
        assert store.decide(held.id, Transition.REJECT)
    english = run("report", "--db", db).output
    assert "Letters: 2 (2 appeals, 0 postcards)" in english
    assert "Not printed: 1 held for a volunteer, 1 rejected" in english
    french = run("report", "--db", db, "--lang", "fr").output
    assert "Non imprimées : 1 en attente d'un bénévole, 1 refusé" in french


def test_a_rejected_letter_is_not_posted(tmp_path):
    """The delivery list lists what goes to the authorities: a letter a volunteer decided not to print
    is left out (it still counts as written); one still held waits in the list with its state."""
    from kiosk.cases import read_dir
    from kiosk.job_states import Transition
    from tests.helpers import CASES

    case = read_dir(CASES).cases["lawyer-amara-osei"]
    db = tmp_path / "k.db"
    with Store(db) as store:
        rejected = store.record(case=case, kind="appeal", name="Troll", message="abuse", event="E", kiosk_id="k1",
                                hold="words")
        store.record(case=case, kind="appeal", name="Ada", message="Free her", event="E", kiosk_id="k1",
                     hold="limit")
        assert store.decide(rejected.id, Transition.REJECT)
    rows = list(csv.DictReader(io.StringIO(run("export", "letters", "--db", db).output)))
    assert [(r["signer_name"], r["print_status"]) for r in rows] == [("Ada", "held")]
    assert export(db, "--by", "case")[0]["count"] == "2"


def test_the_chart_draws_each_hours_letters_as_a_bar_of_its_height(tmp_path):
    """The PNG read back: one bar per hour with letters, stacked by day in the day's colour,
    heights in proportion to the letters (Pillow draws it; no plotting library)."""
    import datetime as dt
    import sys

    from kiosk.reports import chart
    from kiosk.reports.summary import Summary

    hours = {"2026-11-20": {"10:00": 3, "11:00": 6}, "2026-11-21": {"11:00": 3, "13:00": 12}}
    summary = Summary(database=tmp_path / "k.db", scope=Scope(), generated=dt.datetime(2026, 11, 22), total=24,
                      cases=[], days=[], kiosks=[], events=[], hours=hours)
    out = io.BytesIO()
    chart.draw_png(summary, out, language("en"))
    image = Image.open(io.BytesIO(out.getvalue())).convert("RGB")

    axis = next(y for y in range(image.height)  # the x axis: the one line drawn across the plot in ink
                if sum(image.getpixel((x, y)) == chart.INK for x in range(image.width)) > image.width // 2)

    def heights(colour) -> list[int]:  # the height of each run of bar columns in ``colour``, left to right
        runs, last = [], False
        for x in range(image.width):
            column = sum(image.getpixel((x, y)) == colour for y in range(axis))  # above the axis: not the legend
            if column and not last:
                runs.append(column)
            last = bool(column)
        return runs

    first, second = heights(chart.COLOURS[0]), heights(chart.COLOURS[1])
    assert len(first) == 2 and len(second) == 2  # 10:00 and 11:00 on the first day; 11:00 and 13:00 on the second
    assert abs(first[1] - 2 * first[0]) <= 2 and abs(second[0] - first[0]) <= 2 and abs(second[1] - 4 * first[0]) <= 2
    assert "matplotlib" not in sys.modules
