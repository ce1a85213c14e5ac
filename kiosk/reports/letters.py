"""Delivery lists: the signed appeals to post, grouped by the authority they are addressed to.

Each letter is filed under the addressee it was signed and printed for, kept with the
letter when it was recorded (and carried with it through merges): a later change of the
case file, or a merged kiosk file with a newer copy of the case, never moves letters
already written. Letters recorded before kiosks kept it fall back, as before, to the case
as last signed on their kiosk (the ``cases`` table), then to the case file (``--cases``).
Names and messages removed by a purge show as removed; the letter still counts. Handwritten
appeals collected at the stall for a case (``kiosk paper add``) are posted with its typed ones,
to the addressee of the case as last recorded: each case shows them as "+ N handwritten".
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..cases import Case
from ..errors import RecordsError
from ..job_states import JobState
from ..store import AppealRow, Scope, Store
from .summary import describe

REMOVED = "(removed)"


@dataclass(frozen=True)
class Letter:
    id: str
    reference: str
    signed: str          # the stall's clock, YYYY-MM-DD HH:MM
    name: str
    message: str
    print_status: str
    purged: bool


@dataclass
class CaseLetters:
    case_id: str
    title: str
    person: str
    ask: str
    letters: list[Letter] = field(default_factory=list)
    handwritten: int = 0    # appeals written by hand at the stall, posted with these


def _plus(handwritten: int) -> str:
    return f" + {handwritten} handwritten" if handwritten else ""


@dataclass
class Bundle:
    """Everything posted to one addressee."""

    name: str
    title: str
    address: tuple[str, ...]
    cases: list[CaseLetters] = field(default_factory=list)

    @property
    def count(self) -> int:
        """The typed appeals."""
        return sum(len(c.letters) for c in self.cases)

    @property
    def handwritten(self) -> int:
        return sum(c.handwritten for c in self.cases)


def _case_details(store: Store, case_files: Mapping[str, Case]) -> dict[str, dict[str, Any]]:
    details = {}
    for cid, row in store.case_rows().items():
        if row["addressee_name"]:
            details[cid] = row
        elif cid in case_files:
            case = case_files[cid]
            a = case.appeal.addressee
            details[cid] = {"title": case.title, "person": case.person, "ask": case.ask, "addressee_name": a.name,
                            "addressee_title": a.title, "addressee_address": "\n".join(a.address)}
    return details


Addressee = tuple[str, str, tuple[str, ...]]


def _addressee(row: AppealRow | None, case_id: str, details: Mapping[str, dict[str, Any]]) -> Addressee:
    """The addressee ``row`` was written to: its own, else its case's (letters older than kiosks
    keeping it, and handwritten ones)."""
    if row is not None and row.addressee_name:
        name, title, address = row.addressee_name, row.addressee_title, row.addressee_address
    else:
        d = details[case_id]
        name, title, address = d["addressee_name"], d["addressee_title"], d["addressee_address"]
    return name, title or "", tuple(line for line in (address or "").split("\n") if line)


def delivery_list(store: Store, scope: Scope, case_files: Mapping[str, Case] | None = None) -> list[Bundle]:
    """The appeals in ``scope``, by the addressee each was written to, then case, then time signed;
    each case's handwritten appeals with its typed ones, to the case's addressee. A letter a
    volunteer rejected (never printed) is not posted: it is left out (it still counts as written)."""
    details = _case_details(store, case_files or {})
    rows = [r for r in store.appeal_rows(scope) if r.print_status != JobState.REJECTED]  # never printed, nor posted
    handwritten = {r["case_id"]: r["paper"] for r in store.counts(("case",), replace(scope, kind="appeal"))
                   if r["paper"]}
    unknown = sorted(({r.case_id for r in rows if not r.addressee_name} | set(handwritten)) - set(details))
    if unknown:
        raise RecordsError(
            f"no addressee known for case {', '.join(map(repr, unknown))}: these appeals were recorded before"
            " kiosks kept the case with each letter; point --cases at the case files used at the event"
        )
    bundles: dict[Addressee, Bundle] = {}
    per_case: dict[tuple[Addressee, str], CaseLetters] = {}

    def case_letters(row: AppealRow | None, case_id: str) -> CaseLetters:
        key = _addressee(row, case_id, details)
        bundle = bundles.setdefault(key, Bundle(*key))
        if (key, case_id) not in per_case:
            d = details.get(case_id, {})
            per_case[key, case_id] = CaseLetters(case_id, d.get("title") or case_id, d.get("person") or "",
                                                 d.get("ask") or "")
            bundle.cases.append(per_case[key, case_id])
        return per_case[key, case_id]

    for row in rows:
        case_letters(row, row.case_id).letters.append(Letter(
            id=row.id,
            reference=row.reference,
            signed=row.local_time[:16].replace("T", " "),
            name=REMOVED if row.purged else row.name or "",
            message=REMOVED if row.purged else row.message or "",
            print_status=row.print_status,
            purged=row.purged,
        ))
    for case_id, count in sorted(handwritten.items()):
        case_letters(None, case_id).handwritten = count
    return sorted(bundles.values(), key=lambda b: (b.name.casefold(), b.title.casefold(), b.address))


CSV_COLUMNS = ("addressee_name", "addressee_title", "addressee_address", "case_id", "case_title", "person",
               "reference", "signed", "signer_name", "message", "print_status", "signature_id", "letters")
HANDWRITTEN = "handwritten"  # the print status of a case's row of handwritten appeals


def csv_rows(bundles: list[Bundle]) -> list[dict[str, Any]]:
    """A row per typed appeal (``letters`` 1), and per case with handwritten appeals one more
    (``print_status`` handwritten, ``letters`` how many): ``letters`` adds up to every appeal to post."""
    rows: list[dict[str, Any]] = []
    for b in bundles:
        for c in b.cases:
            where = {"addressee_name": b.name, "addressee_title": b.title, "addressee_address": "\n".join(b.address),
                     "case_id": c.case_id, "case_title": c.title, "person": c.person}
            for letter in c.letters:
                rows.append({
                    **where, "reference": letter.reference, "signed": letter.signed, "signer_name": letter.name,
                    "message": letter.message, "print_status": letter.print_status, "signature_id": letter.id,
                    "letters": 1,
                })
            if c.handwritten:
                rows.append({**where, "reference": "", "signed": "", "signer_name": "", "message": "",
                             "print_status": HANDWRITTEN, "signature_id": "", "letters": c.handwritten})
    return rows


_STYLE = """
body { font-family: "Noto Sans", "DejaVu Sans", sans-serif; font-size: 11pt; margin: 2em; color: #111; }
h1 { font-size: 16pt; margin-bottom: 0.2em; }
.meta { color: #444; margin-bottom: 2em; }
section.addressee { page-break-before: always; break-before: page; margin-top: 2.5em; }
section.addressee:first-of-type { page-break-before: auto; break-before: auto; }
.address { white-space: pre-line; border: 1px solid #999; padding: 0.8em 1em; width: max-content; max-width: 100%; }
h2 { font-size: 14pt; margin: 0 0 0.5em; }
h3 { font-size: 12pt; margin: 1.5em 0 0.3em; }
.ask { font-style: italic; margin: 0 0 0.6em; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ccc; padding: 0.25em 0.4em; text-align: left; vertical-align: top; }
td.n { white-space: nowrap; }
td.msg { white-space: pre-wrap; }
.removed { color: #777; }
.handwritten { font-weight: bold; margin: 0.4em 0 0; }
@media print { body { margin: 0; } }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def render_html(bundles: list[Bundle], scope: Scope, generated: dt.datetime | None = None) -> str:
    generated = generated or dt.datetime.now().astimezone()
    total = sum(b.count for b in bundles)
    handwritten = sum(b.handwritten for b in bundles)
    selection = describe(scope)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>Appeals to deliver</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Appeals to deliver</h1>",
        f'<p class="meta">{_e(selection[:1].upper() + selection[1:])}.'
        f" {total} signed appeal(s){_plus(handwritten)} to {len(bundles)} addressee(s)."
        f" Made {generated:%Y-%m-%d %H:%M}.</p>",
    ]
    for b in bundles:
        out.append('<section class="addressee">')
        out.append(f"<h2>To: {_e(b.name)} ({b.count} appeal{'s' if b.count != 1 else ''}{_plus(b.handwritten)})</h2>")
        out.append('<div class="address">' + _e("\n".join(x for x in (b.name, b.title, *b.address) if x)) + "</div>")
        for c in b.cases:
            out.append(f"<h3>{_e(c.title)}: {_e(c.person)} ({len(c.letters)}{_plus(c.handwritten)})</h3>")
            if c.ask:
                out.append(f'<p class="ask">{_e(c.ask)}</p>')
            if c.handwritten:
                appeals = f'{c.handwritten} handwritten appeal{"s" if c.handwritten != 1 else ""}'
                out.append(f'<p class="handwritten">+ {appeals} collected at the stall, posted with these</p>'
                           if c.letters else f'<p class="handwritten">{appeals} collected at the stall</p>')
            if not c.letters:
                continue
            out.append("<table><thead><tr><th>#</th><th>Name</th><th>Message</th><th>Signed</th>"
                       "<th>Reference</th><th>Printed</th></tr></thead><tbody>")
            for i, letter in enumerate(c.letters, start=1):
                cls = ' class="removed"' if letter.purged else ""
                printed = "yes" if letter.print_status == JobState.PRINTED else letter.print_status
                out.append(
                    f'<tr><td class="n">{i}</td><td{cls}>{_e(letter.name)}</td>'
                    f'<td class="msg"{cls}>{_e(letter.message)}</td><td class="n">{_e(letter.signed)}</td>'
                    f'<td class="n">{_e(letter.reference)}</td>'
                    f'<td class="n">{_e(printed)}</td></tr>'
                )
            out.append("</tbody></table>")
        out.append("</section>")
    if not bundles:
        out.append("<p>No signed appeals in this selection.</p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
