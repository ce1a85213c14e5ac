"""python-escpos, imported quietly, and its capability profiles with a known paper width.

Importing python-escpos calls ``logging.basicConfig()`` and makes a new temporary folder for
its profile cache; both are kept away from the kiosk here. Profiles are given the paper's
width in dots so that python-escpos never prints its "width unknown" notice to stdout.
"""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

import platformdirs

T = TypeVar("T")

os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", platformdirs.user_cache_dir("kiosk", ensure_exists=True))


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


def _capabilities() -> tuple[Any, Any]:
    from escpos import capabilities, magicencode

    return capabilities, magicencode


_caps, _magic = _quietly(_capabilities)
CAPABILITIES, BaseProfile = _caps.CAPABILITIES, _caps.BaseProfile
get_profile, get_profile_class = _caps.get_profile, _caps.get_profile_class
Encoder = _magic.Encoder


def __getattr__(name: str) -> Any:
    """``printers`` (python-escpos's printer classes) is imported on first use: starting
    the kiosk needs only the capability profiles, printing needs the rest."""
    if name == "printers":
        import importlib

        module = _quietly(lambda: importlib.import_module("escpos.printer"))
        globals()["printers"] = module
        return module
    raise AttributeError(name)


__all__ = ["Encoder", "get_profile", "printers", "profile_data", "profile_for", "profile_names"]  # noqa: F822 - printers: see __getattr__


def profile_names() -> list[str]:
    return sorted(CAPABILITIES["profiles"])


def profile_data(name: str) -> dict[str, Any]:
    data: dict[str, Any] = CAPABILITIES["profiles"][name]
    return data


@cache
def profile_for(name: str, dots: int) -> Any:
    """The named profile, with its media width set to ``dots``."""
    base = get_profile_class(name)
    data = copy.deepcopy(base.profile_data)
    data.setdefault("media", {}).setdefault("width", {})["pixels"] = dots
    if not isinstance(data["media"].get("dpi"), int):
        data["media"]["dpi"] = 203
    cls = type(f"Kiosk{base.__name__}", (base,), {"profile_data": data})
    return cls()
