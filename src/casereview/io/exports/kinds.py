"""The kinds of export and what each needs: the command line lists them at every start, so
the findings layer (pydantic's checklist models, ~40 ms) loads only when a table is made."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from casereview.core.tables import Table
    from casereview.services.findings import AuditData
    from casereview.store import Store

FORMATS = ("csv", "xlsx", "json")

TableFn = Callable[["Store", "AuditData", str | None, bool], "Table"]
"""A kind's table: (store, audit data, --by, --include-notes)."""


def _questions(_s: Store, data: AuditData, by: str | None, _n: bool) -> Table:
    from casereview.services.findings import question_table

    return question_table(data, by)


def _sections(_s: Store, data: AuditData, by: str | None, _n: bool) -> Table:
    from casereview.services.findings import section_table

    return section_table(data, by)


def _cases(store: Store, data: AuditData, _by: str | None, notes: bool) -> Table:
    from casereview.services.findings import case_table

    return case_table(store, data, notes)


def _answers(store: Store, data: AuditData, _by: str | None, notes: bool) -> Table:
    from casereview.services.findings import answer_table

    return answer_table(store, data, notes)


def _agreement(_s: Store, data: AuditData, _by: str | None, _n: bool) -> Table:
    from casereview.services.agreement import agreement_table

    return agreement_table(data)


def _events(store: Store, data: AuditData, _by: str | None, notes: bool) -> Table:
    from casereview.services.findings import event_table

    return event_table(store, data, notes)


@dataclass(frozen=True)
class Kind:
    """One kind of export."""

    name: str
    label: str
    table: TableFn
    figures: bool = False
    """Figures computed from completed reviews: refused while there are none."""
    groupable: bool = False
    """`--by` applies."""
    needs_second: bool = False
    """Compares primary and second reviews: refused while there are no second reviews."""
    own_sheet: bool = True
    """In a workbook, a sheet of its own after the questions, sections and cases sheets."""


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "questions",
            "Questions",
            _questions,
            figures=True,
            groupable=True,
            own_sheet=False,
        ),
        Kind(
            "sections",
            "Sections",
            _sections,
            figures=True,
            groupable=True,
            own_sheet=False,
        ),
        Kind(
            "cases",
            "Cases",
            _cases,
            own_sheet=False,
        ),
        Kind(
            "answers",
            "Answers",
            _answers,
        ),
        Kind(
            "agreement",
            "Agreement",
            _agreement,
            figures=True,
            needs_second=True,
        ),
        Kind(
            "events",
            "Audit trail (events)",
            _events,
        ),
    )
}


def _not_per_audit(_s: Store, _d: AuditData, _by: str | None, _n: bool) -> Table:
    raise TypeError("a trend spans audits: prepare it with prepare_trend")


TREND = Kind("trend", "Trend across audits", _not_per_audit, figures=True, groupable=True)
"""The trend (`casereview trend`): not one audit's, so not among KINDS (`export`'s), but
written by the same pipeline (format, safe target, whole-or-nothing write)."""


CALIBRATION = Kind("calibration", "Calibration against gold", _not_per_audit, figures=True)
"""A calibration's agreement with gold per reviewer and per question (`export calibration`):
not an audit's, so not among KINDS, written by the same pipeline."""


CALIBRATION_EVENTS = Kind("events", "Calibration trail (events)", _not_per_audit)
"""A calibration's trail (`export events --calibration`): its events belong to no audit."""


FUNNEL = Kind("funnel", "Funnel plot across units", _not_per_audit, figures=True, groupable=True)
"""The funnel (`export funnel`): pools one or more audits, so prepared with prepare_funnel."""


SPC = Kind("spc", "Control charts across periods", _not_per_audit, figures=True, groupable=True)
"""`trend --chart spc`: a trend's p-charts, prepared with prepare_spc."""


def format_named(path: Path | str | None) -> str | None:
    """The format a file name asks for by its extension (`.csv`, `.xlsx`, `.json`), if any."""
    if path is None:
        return None
    suffix = Path(path).suffix.lstrip(".").lower()
    return suffix if suffix in FORMATS else None
