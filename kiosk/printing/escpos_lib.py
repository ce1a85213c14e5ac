"""python-escpos, imported quietly and only when needed, and its capability profiles with a
known paper width.

Importing python-escpos calls ``logging.basicConfig()`` and makes a new temporary folder for
its profile cache; both are kept away from the kiosk here. Its profile cache is a pickle it
loads at import: it lives in a folder only this user can write, and a cache folder that
cannot be made or written, or a damaged cache, never stops printing (see ``_module``). Profiles are given the paper's
width in dots so that python-escpos never prints its "width unknown" notice to stdout.

Nothing of python-escpos is loaded when this module is imported: its capability database
on the first question about a profile, its printer classes (``printers``) on the first
print. A command that never looks at a printer (``kiosk jobs``, the exports) never loads it.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import importlib
import logging
import os
import platform
import shutil
import stat
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from ..errors import PrintError
from ..private import private_dir

T = TypeVar("T")


def _quietly(import_module: Callable[[], T]) -> T:
    """Import a python-escpos module without the logging handler its import installs."""
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        return import_module()
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)


PICKLE_DIR = "ESCPOS_CAPABILITIES_PICKLE_DIR"
CAPABILITIES_FILE = "ESCPOS_CAPABILITIES_FILE"  # python-escpos reads another database when it is set


def _pickle(folder: Path) -> Path:
    return folder / f"{platform.python_version()}.capabilities.pickle"


def _ours(info: os.stat_result) -> bool:
    """Owned by this user, and nobody else may write to it."""
    return info.st_uid == os.geteuid() and not info.st_mode & 0o022


def _usable(folder: Path) -> bool:
    """A folder this user alone can write, holding no profile cache or one only we wrote:
    python-escpos unpickles that file, so nobody else may be able to put one there."""
    try:
        info = folder.stat()
        if not (stat.S_ISDIR(info.st_mode) and _ours(info) and os.access(folder, os.W_OK | os.X_OK)):
            return False
        cached = _pickle(folder).lstat()
    except FileNotFoundError:
        return True  # no cache yet: python-escpos writes one
    except OSError:
        return False
    return stat.S_ISREG(cached.st_mode) and _ours(cached)


def _private_temporary() -> Path:
    """A new folder (0700) for this process only, removed when it ends."""
    folder = Path(tempfile.mkdtemp(prefix="kiosk-escpos-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _cache_folder() -> Path:
    """Where python-escpos keeps its profile cache: the folder it was told, else the kiosk's
    user cache folder (0700), else, when that cannot be made or written (a read-only home,
    ``XDG_CACHE_HOME`` under a file), a private temporary folder."""
    named = os.environ.get(PICKLE_DIR)
    if named and _usable(Path(named)):
        return Path(named)
    try:
        import platformdirs

        folder = private_dir(Path(platformdirs.user_cache_dir("kiosk")))
        if _usable(folder):
            return folder
    except (OSError, ValueError):
        pass
    return _private_temporary()


def _import(name: str, folder: Path) -> Any:
    """Import a python-escpos module with its profile cache in ``folder``. python-escpos
    makes a new temporary folder on every start even when told where to cache (and fails
    when it cannot): it is handed ``folder`` instead."""
    os.environ[PICKLE_DIR] = str(folder)
    make_folder = tempfile.mkdtemp
    setattr(tempfile, "mkdtemp", lambda *args, **kwargs: str(folder))  # noqa: B010 - a function, not a field
    try:
        return _quietly(lambda: importlib.import_module(name))
    finally:
        setattr(tempfile, "mkdtemp", make_folder)  # noqa: B010


@cache
def _module(name: str) -> Any:
    """A python-escpos module, imported once, quietly, with its profile cache in ours.
    A cache that cannot be read (damaged, half written, not a file) never stops printing:
    it is removed, and the profiles are read afresh into a private temporary folder."""
    folder = _cache_folder()
    try:
        return _import(name, folder)
    except Exception as first:  # noqa: BLE001 - whatever broke the cache, printing goes on without it
        with contextlib.suppress(OSError):
            if _pickle(folder).is_file():
                _pickle(folder).unlink()  # the next start writes a good one
        os.environ.pop(CAPABILITIES_FILE, None)  # the profiles shipped with python-escpos
        try:
            return _import(name, _private_temporary())
        except Exception as exc:  # noqa: BLE001 - one line, never a traceback
            raise PrintError(f"python-escpos cannot be loaded: {type(exc).__name__}: {exc}"
                             " (its printer profiles are needed to print)") from first


_LAZY = {  # name here -> (python-escpos module, its attribute; None: the module itself)
    "printers": ("escpos.printer", None),
    "Encoder": ("escpos.magicencode", "Encoder"),
    "get_profile": ("escpos.capabilities", "get_profile"),
    "get_profile_class": ("escpos.capabilities", "get_profile_class"),
    "CAPABILITIES": ("escpos.capabilities", "CAPABILITIES"),
}


def __getattr__(name: str) -> Any:
    """python-escpos's names, each imported on first use."""
    if name not in _LAZY:
        raise AttributeError(name)
    module, attribute = _LAZY[name]
    value = _module(module) if attribute is None else getattr(_module(module), attribute)
    globals()[name] = value
    return value


__all__ = ["CAPABILITIES", "MEDIA", "Encoder", "get_profile", "is_profile", "media", "printers",  # noqa: F822
           "profile_data", "profile_for", "profile_names"]  # the python-escpos names: see __getattr__


# The paper of python-escpos's capability profiles, as its database says (a test checks that they
# agree): profile -> (media width in dots, or what it says instead; columns of font A). A kiosk
# knows its paper at start without loading the database (about 0.03 s, and YAML).
MEDIA: dict[str, tuple[int | str | None, int | None]] = {
    "AF-240": (100, 20), "CT-S651": (640, 48), "KR-306": (576, 48), "NT-5890K": (384, 32), "NT-80-V-UL": (576, 12),
    "OCD-100": (100, 20), "OCD-300": (240, 20), "P822D": (576, 42), "POS-5890": (384, 32),
    "RP-F10-58mm": (432, 36), "RP-F10-80mm": (576, 48), "RP326": ("Unknown", 42), "SP2000": ("Unknown", 42),
    "Sunmi-V2": (384, 32), "T-1": (504, 42), "TEP-200M": ("Unknown", 42), "TH230": (576, 44),
    "TH230Plus": (576, 44), "TM-L90": (576, 48), "TM-P80": (576, 42), "TM-P80-42col": (546, 42),
    "TM-T20II": (576, 48), "TM-T20II-42col": (546, 42), "TM-T88II": (512, 42), "TM-T88III": (512, 42),
    "TM-T88IV": (512, 42), "TM-T88IV-SA": (512, 42), "TM-T88V": (512, 42), "TM-U220": (400, 42),
    "TM-U220B": (400, 42), "TSP600": (576, 42), "TUP500": (None, 42), "ZJ-5870": (384, 32),
    "default": ("Unknown", 42), "simple": ("Unknown", 42),
}
def _table() -> bool:
    return CAPABILITIES_FILE not in os.environ


def is_profile(name: str) -> bool:
    """Whether python-escpos has a profile of this name."""
    return (_table() and name in MEDIA) or name in _profiles()


def media(name: str) -> tuple[int | str | None, int | None]:
    """The profile's paper: its width in dots (or what the database says instead) and its columns of
    font A, from :data:`MEDIA`, or the database for a profile the table does not know."""
    if _table() and name in MEDIA:
        return MEDIA[name]
    data = profile_data(name)
    return data.get("media", {}).get("width", {}).get("pixels"), data.get("fonts", {}).get("0", {}).get("columns")


def _profiles() -> dict[str, Any]:
    profiles: dict[str, Any] = _module("escpos.capabilities").CAPABILITIES["profiles"]
    return profiles


def profile_names() -> list[str]:
    return sorted(_profiles())


def profile_data(name: str) -> dict[str, Any]:
    data: dict[str, Any] = _profiles()[name]
    return data


@cache
def profile_for(name: str, dots: int) -> Any:
    """The named profile, with its media width set to ``dots``."""
    base = _module("escpos.capabilities").get_profile_class(name)
    data = copy.deepcopy(base.profile_data)
    data.setdefault("media", {}).setdefault("width", {})["pixels"] = dots
    if not isinstance(data["media"].get("dpi"), int):
        data["media"]["dpi"] = 203
    cls = type(f"Kiosk{base.__name__}", (base,), {"profile_data": data})
    return cls()
