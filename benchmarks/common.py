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
