"""What every benchmark shares: a result row, medians, a scratch folder and sample data."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "cases"


@dataclass(frozen=True)
class Row:
    """One line of the table: what was measured, the figure, and its target."""

    name: str
    figure: str
    target: str
    met: bool | None  # None: reported, no target

    @property
    def verdict(self) -> str:
        return {True: "met", False: "MISSED", None: "-"}[self.met]


def compare(name: str, kiosk: list[float], reference: list[float], *, target: float, unit: str = "s",
            higher_is_better: bool = False, what: str = "") -> Row:
    """A row for the kiosk's measurements against its reference's, taken in pairs in one run
    (interleaved, so both meet the same noise): the median of the pairs' ratios against the
    target, with the spread of those ratios (lowest to highest) beside it.

    ``unit`` "s" shows seconds (ms below a second), "/s" a rate, "MB" megabytes; ``what`` names
    the pairs (default "N pairs")."""
    if len(kiosk) != len(reference) or not kiosk:
        raise ValueError("compare needs as many kiosk measurements as reference ones, at least one")
    ratios = sorted(k / r for k, r in zip(kiosk, reference, strict=True))
    ratio = median(ratios)
    met = ratio >= target if higher_is_better else ratio <= target
    spread = f"x{ratios[0]:.2f}-x{ratios[-1]:.2f}" if len(ratios) > 1 else "one pair"
    figure = (f"{amount(median(kiosk), unit)} vs {amount(median(reference), unit)} = x{ratio:.2f}"
              f" ({spread} over {what or f'{len(ratios)} pairs'})")
    return Row(name, figure, f"{'>=' if higher_is_better else '<='} x{target}", met)


def amount(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.2f} s" if value >= 1 else f"{value * 1000:.1f} ms"
    if unit == "/s":
        return f"{value:,.0f}/s"
    if unit == "MB":
        return f"{value:,.1f} MB"
    return f"{value:,.3g} {unit}"


def median(values) -> float:
    return statistics.median(values)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def make_cases(folder: Path, count: int) -> Path:
    """``count`` case files, copies of the samples with their own ids and titles."""
    folder.mkdir(parents=True, exist_ok=True)
    samples = sorted(p for p in CASES.glob("*.toml") if p.name != "consent.toml")  # cases, not the wording
    for i in range(count):
        source = samples[i % len(samples)]
        text = source.read_text(encoding="utf-8").replace('title = "', f'title = "No. {i + 1}: ', 1)
        (folder / f"case-{i + 1:03d}-{source.stem}.toml").write_text(text, encoding="utf-8")
    return folder
