"""What is in the stall's folders: case files and the consent wording checked, printer set-ups and
profiles listed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..cases import CaseSet, case_error, read_dir
from ..consent import ConsentWording, read_consent
from ..errors import CaseError, SetupError
from ..moderation import WordLists, read_word_lists
from ..printing.escpos_lib import profile_data, profile_names
from ..printing.setups import load_setup
from ..receipts.qr import NARROWEST_PAPER, QRTooWide, check_fits


def read_cases(folder: Path, paper_dots: int = NARROWEST_PAPER, cache: Path | None = None) -> CaseSet:
    """Every case file in ``folder`` that this paper can print: the good ones, and each
    problem naming file and field. A postcard whose QR code cannot fit the paper is a
    problem of its case file, found here rather than on paper. ``cache``: where what the
    good files said is kept for the next reading (:func:`kiosk.cases.read_dir`)."""
    found = read_dir(folder, cache)
    for case_id, case in list(found.cases.items()):
        if not case.postcard.url:
            continue
        try:
            check_fits(case.postcard.url, paper_dots)
        except QRTooWide as exc:
            found.errors.append(case_error(case.path or folder, "postcard.url", str(exc)))
            del found.cases[case_id]
    return found


def office_cases(folder: Path, allow_sample_cases: bool, paper_dots: int = NARROWEST_PAPER,
                 cache: Path | None = None) -> CaseSet:
    """An office's case set as a stall reads it: :func:`read_cases`, and the stall's sample policy
    (with ``allow_sample_cases`` off a sample case is no case here: a set of samples alone offers
    nothing, so a sync refuses it and the kiosk keeps its cases)."""
    found = read_cases(folder, paper_dots, cache)
    if allow_sample_cases:
        return found
    return CaseSet({cid: case for cid, case in found.cases.items() if not case.sample}, found.errors)


def check_cases(folder: Path, paper_dots: int = NARROWEST_PAPER) -> CaseSet:
    """``kiosk cases check``: :func:`read_cases`, for the narrowest paper unless told."""
    return read_cases(folder, paper_dots)


def check_consent(folder: Path) -> tuple[ConsentWording | None, list[CaseError]]:
    """``kiosk cases check``: the consent wording in ``folder`` (``consent.toml``), if it has
    one, and every problem of it naming the file and field; (None, []) when it has none."""
    return read_consent(folder)


def check_word_lists(folder: Path) -> tuple[WordLists, list[CaseError]]:
    """``kiosk cases check``: the organiser's words for moderation in ``folder`` (``moderation.toml``),
    and every problem of the file naming the file and field; no words when it has none."""
    return read_word_lists(folder)


def printer_setups(folder: Path) -> Iterator[tuple[str, str, SetupError | None]]:
    """Each set-up file in ``folder``: (name, description, None), or (name, "", its error)."""
    for path in sorted(Path(folder).glob("*.toml")):
        try:
            yield path.stem, load_setup(path).describe(), None
        except SetupError as exc:
            yield path.stem, "", exc


def printer_profiles() -> Iterator[tuple[str, str, str]]:
    """python-escpos's capability profiles: (name, paper width in dots, native QR / cutter)."""
    for name in profile_names():
        data = profile_data(name)
        width = data.get("media", {}).get("width", {}).get("pixels", "?")
        features = data.get("features", {})
        extras = ", ".join(f for f, key in (("native QR", "qrCode"), ("cutter", "paperFullCut")) if features.get(key))
        yield name, str(width), extras
