"""Where the kiosk keeps things: its database, previews, and the case and printer folders."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "kiosk"
_PACKAGE = Path(__file__).resolve().parent


def data_dir() -> Path:
    return Path(os.environ.get("KIOSK_DATA_DIR") or platformdirs.user_data_dir(APP))


def config_file() -> Path:
    return Path(os.environ.get("KIOSK_CONFIG_DIR") or platformdirs.user_config_dir(APP)) / "kiosk.toml"


def default_db() -> Path:
    return data_dir() / "kiosk.db"


def demo_db() -> Path:
    return data_dir() / "demo.db"


def preview_dir() -> Path:
    return data_dir() / "preview"


def case_cache_dir() -> Path:
    """What the case files said when last read, for a quicker start (kiosk.case_cache)."""
    return data_dir() / "case-cache"


def _shipped(folder: str) -> Path:
    """The folder shipped with the kiosk: inside the installed package, or in a checkout."""
    packaged = _PACKAGE / "_data" / folder
    return packaged if packaged.is_dir() else _PACKAGE.parent / folder


def sample_cases_dir() -> Path:
    return _shipped("cases")


def sample_printers_dir() -> Path:
    return _shipped("printers")


def cases_dir() -> Path:
    """``./cases`` when the kiosk runs in a folder that has one, else the shipped samples."""
    local = Path("cases")
    return local if local.is_dir() else sample_cases_dir()


def printers_dir() -> Path:
    local = Path("printers")
    return local if local.is_dir() else sample_printers_dir()
