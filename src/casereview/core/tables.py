"""The plain data that figures travel in: cells and tables, a streamed table, bar and
line charts. The services build them; the writers (io.exports) and the reports write them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


Cell = str | int | float | bool | None
ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class Table:
    """Rows under named columns; a missing key is an empty cell."""

    name: str
    columns: tuple[str, ...]
    rows: list[dict[str, Cell]] = field(default_factory=list)


@dataclass(frozen=True)
class RowStream:
    """A table whose rows come as they are read (an export of a million answers): each row
    its cells in column order, read once, as the workbook is written; `expected` rows at
    most (for the progress)."""

    name: str
    columns: tuple[str, ...]
    rows: Iterable[Sequence[Cell]]
    expected: int = 0


@dataclass(frozen=True)
class BarChart:
    """A native bar chart for the workbook's summary sheet (percentages, 0-100)."""

    title: str
    categories: list[str]
    values: list[float | None]
    ci_low: list[float | None] = field(default_factory=list)
    ci_high: list[float | None] = field(default_factory=list)


@dataclass(frozen=True)
class LineChart:
    """A native line chart for a trend workbook: one figure over audits (percentages, 0-100),
    its interval as error bars, written beside the figures it draws."""

    title: str
    categories: list[str]
    values: list[float | None]
    ci_low: list[float | None] = field(default_factory=list)
    ci_high: list[float | None] = field(default_factory=list)
    n: list[int | None] = field(default_factory=list)


@dataclass(frozen=True)
class FunnelChart:
    """A native scatter chart for a funnel workbook: each unit's compliance (%, 0-100)
    against its n, around the target, with the 95% and 99.8% limits as lines over n."""

    title: str
    units: list[str]
    n: list[int]
    values: list[float]
    target: float
    curve_n: list[int] = field(default_factory=list)
    low95: list[float] = field(default_factory=list)
    high95: list[float] = field(default_factory=list)
    low998: list[float] = field(default_factory=list)
    high998: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class ControlChart:
    """A native p-chart for a trend workbook: one figure over periods (%, 0-100) with its
    centre line and each period's lower and upper control limits."""

    title: str
    categories: list[str]
    values: list[float]
    centre: list[float]
    low: list[float]
    high: list[float]
    signals: list[str] = field(default_factory=list)
