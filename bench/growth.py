"""How what users run grows from a 1,000-review audit to the national 25,000 (issue 32,
item 5): `export questions`, `trend`, the Word report, each a whole process, with its peak
memory, on the databases bench.bundles builds (scale 0.04 and 1). The bundle's export and
import are bench.bundles' own measures.

    python -m bench.growth [--out bench/out] [--runs 3]

No baseline: the figure is the growth itself (the time and peak at 25,000 against 1,000),
medians of `--runs` alternating runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
from pathlib import Path

from bench import data
from bench.bundles import SMALL, built
from bench.measures import CASEREVIEW, timed_process
from bench.report import median, timed_log


def commands(db: Path, scratch: Path, tag: str) -> dict[str, list[str]]:
    """What users run on the national audit, each writing its file into `scratch`."""
    base = [CASEREVIEW, "--db", str(db)]
    audit = ["--audit", data.NATIONAL_AUDIT]
    return {
        "export questions": [*base, "export", "questions", *audit,
                             "--out", str(scratch / f"q-{tag}.csv")],
        "trend": [*base, "trend", "--checklist", "stalking-casefile", "--format", "csv",
                  "--out", str(scratch / f"t-{tag}.csv")],
        "Word report": [*base, "report", *audit, "--out", str(scratch / f"r-{tag}.docx")],
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.growth", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    parser.add_argument("--runs", type=int, default=3, help="runs of each command")
    args = parser.parse_args(argv)
    log = timed_log()

    folder = args.out / "data"
    scratch = folder / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    sizes = {SMALL: built(SMALL / data.FULL_AUDIT, folder, log)[0], data.FULL_AUDIT: None}
    sizes[data.FULL_AUDIT] = built(1.0, folder, log)[0]
    for db in sizes.values():  # a trend reads audits with a period: the data's has none
        subprocess.run(
            [CASEREVIEW, "--db", str(db), "audit", "period", data.NATIONAL_AUDIT,
             "2024-10..2024-12"],
            check=True, capture_output=True,
        )  # fmt: skip
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    got: dict[tuple[str, int], list[tuple[float, float]]] = {}
    for run in range(args.runs):
        for reviews, db in sizes.items():
            assert db is not None
            for name, cmd in commands(db, scratch, f"{reviews}-{run}").items():
                took, peak = timed_process(cmd)
                got.setdefault((name, reviews), []).append((took, peak))
                log(f"  {name}, {reviews:,} reviews: {took:.2f} s, {peak:.0f} MB")
    for made in scratch.glob("[qtr]-*"):
        made.unlink()
    print(table(got, sorted(sizes)))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


def table(got: dict[tuple[str, int], list[tuple[float, float]]], sizes: list[int]) -> str:
    """Each command's median time and largest peak at each size, and the growth."""
    small, big = sizes
    lines = [f"| command | {small:,} reviews | {big:,} reviews | growth (time; peak) |",
             "|---|---|---|---|"]  # fmt: skip
    for name in dict.fromkeys(name for name, _ in got):
        cells = []
        for size in sizes:
            runs = got[(name, size)]
            cells.append((median([t for t, _ in runs]), max(p for _, p in runs)))
        (t1, p1), (t2, p2) = cells
        lines.append(
            f"| `{name}` | {t1:.2f} s, {p1:.0f} MB | {t2:.2f} s, {p2:.0f} MB |"
            f" {t2 / t1:.1f}x; {p2 / p1:.2f}x |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
