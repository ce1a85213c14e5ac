"""What is in the stall's folders: case files checked, printer set-ups and profiles listed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..cases import CaseSet, read_dir
from ..errors import SetupError
from ..printing.escpos_lib import profile_data, profile_names
from ..printing.setups import load_setup


def check_cases(folder: Path) -> CaseSet:
    """Every case file in ``folder``: the good ones, and each problem naming file and field."""
    return read_dir(folder)


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
