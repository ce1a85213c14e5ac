"""Footprint: the installed size of the kiosk and every package it needs (not its extras),
against a bare Textual app's (Textual and what it needs), read from the installed packages'
records in this environment; and the packages that dominate it."""

from __future__ import annotations

import importlib.metadata as md
import re

from .common import ROOT, Row

LARGEST = 6


def _key(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _size(dist: md.Distribution) -> int:
    total = 0
    for file in dist.files or []:
        try:
            total += file.locate().stat().st_size  # type: ignore[union-attr]
        except OSError:
            continue
    return total


def installed(root: str) -> dict[str, int]:
    """Bytes installed by ``root`` and each package it needs, transitively, by package name."""
    sizes: dict[str, int] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        if _key(name) in sizes:
            continue
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            continue
        sizes[_key(name)] = _size(dist)
        for line in dist.requires or []:
            if not re.search(r"\bextra\s*==", line):  # what every install gets, not an extra's
                todo.append(re.match(r"[A-Za-z0-9._-]+", line).group())  # type: ignore[union-attr]
    return sizes


def own() -> int:
    """The kiosk's own files (its package, catalogues and styles; an editable install records none)."""
    return sum(p.stat().st_size for p in (ROOT / "kiosk").rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def footprint() -> list[Row]:
    kiosk, bare = installed("kiosk"), installed("textual")
    kiosk["kiosk"] = max(kiosk.get("kiosk", 0), own())
    total, reference = sum(kiosk.values()), sum(bare.values())
    largest = sorted(kiosk.items(), key=lambda item: -item[1])[:LARGEST]
    named = ", ".join(f"{name} {size / 1e6:.0f}" for name, size in largest)
    return [Row(f"Installed size, the kiosk and the {len(kiosk)} packages it needs vs a bare Textual app's",
                f"{total / 1e6:.0f} MB vs {reference / 1e6:.0f} MB = x{total / reference:.1f}", "-", None),
            Row("Largest installed packages (MB)", named, "-", None)]
