"""python-escpos, imported quietly and only when needed, and its capability profiles with a
known paper width.

Importing python-escpos calls ``logging.basicConfig()`` and makes a new temporary folder for
its profile cache; both are kept away from the kiosk here. Profiles are given the paper's
width in dots so that python-escpos never prints its "width unknown" notice to stdout.

Nothing of python-escpos is loaded when this module is imported: its capability database
on the first question about a profile, its printer classes (``printers``) on the first
print. A command that never looks at a printer (``kiosk jobs``, the exports) never loads it.
"""

from __future__ import annotations

import copy
import importlib
import logging
import os
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

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


@cache
def _module(name: str) -> Any:
    """A python-escpos module, imported once, quietly, with its profile cache in ours."""
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
        import platformdirs

        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = platformdirs.user_cache_dir("kiosk", ensure_exists=True)
    return _quietly(lambda: importlib.import_module(name))


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


__all__ = ["CAPABILITIES", "Encoder", "get_profile", "printers", "profile_data", "profile_for",  # noqa: F822
           "profile_names"]  # the python-escpos names: see __getattr__


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
