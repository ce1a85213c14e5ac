"""``python -m benchmarks``: run every benchmark, print one table, write BENCHMARKS.md."""

from __future__ import annotations

import datetime as dt
import os
import platform
import time
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .common import Row

FULL = {"wire": 200, "first_letters": 7, "starts": 7, "records": 1000, "signatures": 1_000_000, "keys": 200,
        "session": 1000, "uploads": 20_000, "cli": (100_000, 1_000_000), "cli_runs": 15, "merge": (50, 20_000, 1),
        "streams": (1_000_000, 3)}
QUICK = {"wire": 20, "first_letters": 1, "starts": 2, "records": 100, "signatures": 20_000, "keys": 20, "session": 20,
         "uploads": 1000, "cli": (2_000,), "cli_runs": 2, "merge": (2, 300, 1),
         "streams": (2_000, 1)}


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({cpu or 'unknown'}), "
            f"Python {platform.python_version()}")


def table(rows: list[Row]) -> Table:
    out = Table(title="Letter-writing kiosk benchmarks")
    for column in ("Benchmark", "Figure", "Target", ""):
        out.add_column(column)
    for row in rows:
        out.add_row(Text(row.name), Text(row.figure), Text(row.target), Text(row.verdict))
    return out


def markdown(rows: list[Row], seconds: float, quick: bool) -> str:
    lines = ["| Benchmark | Figure | Target | |", "|---|---|---|---|"]
    lines += [f"| {r.name} | {r.figure} | {r.target} | {r.verdict} |" for r in rows]
    return "\n".join(lines) + (f"\n\nMachine: {machine()}. Run on {dt.date.today():%d %B %Y} in {seconds / 60:.1f}"
                               f" minutes{' (quick sizes)' if quick else ''}.\n")


@click.command()
@click.option("--quick", is_flag=True, help="Small sizes: checks that every benchmark runs, in a minute.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the table into this Markdown file between its result markers [default: print only].")
def main(quick: bool, out: Path | None) -> None:
    """Measure the kiosk against its targets and print one table."""
    from . import cli, export, footprint, memory, merge, record, responsive, startup, streams, upload, wire

    size = QUICK if quick else FULL
    started = time.perf_counter()
    steps = [
        lambda: wire.time_to_wire(size["wire"]),
        wire.receipt_bytes,
        lambda: wire.first_letter(size["first_letters"]),
        lambda: startup.cold_start(size["starts"]),
        lambda: record.durable_record(size["records"]),
        lambda: export.export_counts(size["signatures"]),
        lambda: streams.streams(*size["streams"]),
        lambda: cli.cli_overhead(size["cli"], size["cli_runs"]),
        lambda: responsive.responsiveness(size["keys"]),
        lambda: memory.memory_growth(size["session"]),
        lambda: upload.upload_throughput(size["uploads"]),
        lambda: merge.merge(size["merge"][1], files=size["merge"][0], runs=size["merge"][2]),
        footprint.footprint,
    ]
    rows: list[Row] = []
    console = Console()
    for step in steps:
        rows += step()
        console.print(Text(f"{rows[-1].name}: {rows[-1].figure}"), style="dim")
    console.print(table(rows))
    if out is not None:
        begin, end = "<!-- results -->", "<!-- /results -->"
        text = out.read_text(encoding="utf-8") if out.exists() else f"{begin}\n{end}\n"
        head, _, rest = text.partition(begin)
        _, _, tail = rest.partition(end)
        out.write_text(f"{head}{begin}\n{markdown(rows, time.perf_counter() - started, quick)}{end}{tail}",
                       encoding="utf-8")
        console.print(Text(f"Wrote {out}"))


if __name__ == "__main__":
    main()
