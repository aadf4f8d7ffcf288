"""Results: one row per measure, printed as a table and written as JSON."""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Result:
    """One measure: casereview's figure, the baseline's, and the target.

    `ratio` is always casereview's cost over the baseline's (time over time, or the
    baseline's throughput over casereview's): 1.0 is parity, 2.0 is twice as slow.
    """

    measure: str
    unit: str
    casereview: float
    baseline: float
    ratio: float
    target: str
    passed: bool | None  # None: reported for information, no target
    detail: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def within(
        cls,
        measure: str,
        unit: str,
        ours: float,
        bare: float,
        most: float,
        detail: dict[str, Any],
        also: bool = True,
    ) -> Result:
        """A measure whose target is casereview's figure within `most` times the baseline's
        (and `also`: a condition besides, such as the figures agreeing)."""
        return cls(measure, unit, ours, bare, ours / bare, f"<= {most}x",
                   ours / bare <= most and also, detail)  # fmt: skip

    @property
    def status(self) -> str:
        return "info" if self.passed is None else ("PASS" if self.passed else "MISS")


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0-100) of a non-empty sample: the value at rank
    ceil(p/100 * n) of the sorted sample (numpy's method="inverted_cdf"). The product is
    rounded to 9 places first, so 0.95 * 20 (19.000000000000004 in floats) is rank 19."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(round(p * len(ordered) / 100, 9))))
    return float(ordered[rank - 1])


def _figure(value: float, unit: str) -> str:
    if unit == "rows/s":
        return f"{value:,.0f} {unit}"
    if value >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:.2f} {unit}"


def table(results: Sequence[Result]) -> str:
    head = ("measure", "casereview", "baseline", "ratio", "target", "")
    rows = [
        (
            r.measure,
            _figure(r.casereview, r.unit),
            _figure(r.baseline, r.unit),
            f"{r.ratio:.2f}x",
            r.target,
            r.status,
        )
        for r in results
    ]
    widths = [max(len(str(x[i])) for x in [head, *rows]) for i in range(len(head))]
    lines = []
    for n, row in enumerate([head, *rows]):
        cells = [
            str(c).ljust(w) if i == 0 or i >= 4 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_json(path: Path, results: Sequence[Result], context: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        **context,
        "results": [{**asdict(r), "status": r.status} for r in results],
    }
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def timed_log() -> Callable[[str], None]:
    """A log that prints each message after the seconds since it was made, flushed at once
    (a long bench shows where it is)."""
    start = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - start:7.1f}s] {message}", flush=True)

    return log
