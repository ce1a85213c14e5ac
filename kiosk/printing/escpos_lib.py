"""python-escpos, imported quietly, and its capability profiles with a known paper width.

Importing python-escpos calls ``logging.basicConfig()`` and makes a new temporary folder for
its profile cache; both are kept away from the kiosk here. Profiles are given the paper's
width in dots so that python-escpos never prints its "width unknown" notice to stdout.
"""

from __future__ import annotations

import copy
import logging
import os
from functools import lru_cache

import platformdirs

os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", platformdirs.user_cache_dir("kiosk", ensure_exists=True))

_root = logging.getLogger()
_before = list(_root.handlers)
import escpos.printer as printers  # noqa: E402
from escpos.capabilities import CAPABILITIES, BaseProfile, get_profile, get_profile_class  # noqa: E402
from escpos.magicencode import Encoder  # noqa: E402

for _handler in list(_root.handlers):
    if _handler not in _before:
        _root.removeHandler(_handler)

__all__ = ["printers", "profile_names", "profile_for", "get_profile", "Encoder", "profile_data"]


def profile_names() -> list[str]:
    return sorted(CAPABILITIES["profiles"])


def profile_data(name: str) -> dict:
    return CAPABILITIES["profiles"][name]


@lru_cache(maxsize=None)
def profile_for(name: str, dots: int) -> BaseProfile:
    """The named profile, with its media width set to ``dots``."""
    base = get_profile_class(name)
    data = copy.deepcopy(base.profile_data)
    data.setdefault("media", {}).setdefault("width", {})["pixels"] = dots
    if not isinstance(data["media"].get("dpi"), int):
        data["media"]["dpi"] = 203
    cls = type(f"Kiosk{base.__name__}", (base,), {"profile_data": data})
    return cls()
