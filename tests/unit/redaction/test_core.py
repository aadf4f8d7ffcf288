"""The one Redaction every writer uses, on rows alone."""

from __future__ import annotations

import hashlib
import hmac

from casereview.core.redaction import REMOVED, Redaction, coarsen
from casereview.io.exports.redacted import _lines

KEY = bytes(range(32))


def test_a_reference_is_keyed_with_its_force_and_a_day_becomes_its_month() -> None:
    redaction = Redaction(KEY)
    columns = ("case_ref", "force", "reviewer", "note", "reported_at", "old", "new", "n")
    row = ("T/1", "Testshire", "pc-1", "a note", "2024-10-17T09:30", "yes", "ann's text", 3)
    expected = hmac.new(KEY, b"Testshire\x1fT/1", hashlib.sha256).hexdigest()[:12]
    assert redaction.columns(columns) == ("case_ref", "force", "reported_at", "old", "new", "n")
    assert redaction.row(columns, row) == (
        f"case-{expected}",
        "Testshire",
        "2024-10",
        "yes",
        REMOVED,
        3,
    )


def test_dates_to_the_day_in_any_text_become_months() -> None:
    assert coarsen("2024-10-01..2024-10-15") == "2024-10..2024-10"
    assert coarsen("reported 2024-01-03 to 2024-06-17") == "reported 2024-01 to 2024-06"
    assert coarsen("2024-10-17 09:30:00+01:00 and 2024-10") == "2024-10 and 2024-10"
    assert coarsen("REC-01") == "REC-01"


def test_remembered_cells_keep_true_apart_from_one() -> None:
    """True == 1 in Python: a cell remembered by value alone would write one for the other."""
    redaction = Redaction(KEY)
    one = redaction.rows_of(("hidden", "n"))
    rows = [one((True, 1)), one((1, True)), one((False, 0))]
    assert rows == [(True, 1), (1, True), (False, 0)]
    assert [type(c) for c in rows[1]] == [int, bool]
    assert list(_lines(iter(rows))) == ["true,1", "1,true", "false,0"]
