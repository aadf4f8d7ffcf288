"""Answers and events exported as they are read in JSON and XLSX too (streams.py's records,
export.write_json_rows, a workbook's RowStream), and on a thread with a read connection of
its own (Store.reader, as the app's export dialog writes): the same export as the table path.
JSON byte for byte; a workbook cell for cell (its streamed XML keeps text in-line)."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from casereview.io.exports import pipeline as outputs
from casereview.store import Store
from tests.factories import moderated_audit
from tests.unit.exports.test_answers_stream import run

NOTE = '=HYPERLINK("x") said, "no"\r\nnext line \u00e9'


@pytest.fixture()
def audit_db(tmp_path: Path) -> tuple[Path, str]:
    db = tmp_path / "t.db"
    store, audit, ids = moderated_audit(db)
    review = store.open_review(audit.id, ids[3], "zed", "primary")  # in progress, with a note
    store.set_answer(review.id, "REC-01", "no", "zed")
    store.set_note(review.id, "REC-01", NOTE, "zed")
    store.close()
    return db, audit.name


def _json(store: Store, name: str, kind: str, notes: bool, stream: bool, **kw: Any) -> bytes:
    prepared = outputs.prepare(store, name, kind, "json", None, notes, stream=stream, **kw)
    assert prepared.streamed == stream
    out = io.BytesIO()
    outputs.write_to(prepared, out)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["answers", "events"])
@pytest.mark.parametrize("notes", [False, True])
def test_streamed_json_is_the_tables_bytes(
    audit_db: tuple[Path, str], kind: str, notes: bool
) -> None:
    db, name = audit_db
    store = Store.open(db)
    table = _json(store, name, kind, notes, stream=False)
    assert _json(store, name, kind, notes, stream=True) == table
    if kind == "answers":  # the note, with its formula, kept as typed (JSON is for tools)
        notes_given = [r.get("note") for r in json.loads(table)["answers"]]
        assert (NOTE in notes_given) == notes
    store.close()
    args = ["export", kind, "--audit", name, "--format", "json"] + ["--include-notes"] * notes
    result = run(db, *args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == table


@pytest.mark.parametrize(
    ("question", "answers"), [("REC-03", ["no"]), ("REC-01", ["unknown"]), (None, ["partly"])]
)
def test_streamed_json_keeps_the_filter_and_an_empty_list(
    audit_db: tuple[Path, str], question: str | None, answers: list[str]
) -> None:
    db, name = audit_db
    store = Store.open(db)
    kw = {"question": question, "answers": answers}
    table = _json(store, name, "answers", True, stream=False, **kw)
    assert _json(store, name, "answers", True, stream=True, **kw) == table
    if question == "REC-01":
        assert b'"answers": []' in table  # nobody answered REC-01 unknown
    store.close()


def _cells(path: Path) -> dict[str, Any]:
    book = openpyxl.load_workbook(path)
    return {
        ws.title: (
            [[(c.value, c.data_type) for c in row] for row in ws.iter_rows()],
            ws.freeze_panes,
            ws.auto_filter.ref,
        )
        for ws in book.worksheets
    }


@pytest.mark.parametrize("kind", ["answers", "events"])
@pytest.mark.parametrize("notes", [False, True])
def test_a_streamed_workbook_holds_the_tables_cells(
    audit_db: tuple[Path, str], tmp_path: Path, kind: str, notes: bool
) -> None:
    db, name = audit_db
    store = Store.open(db)
    whole = outputs.prepare(store, name, kind, "xlsx", None, notes)
    streamed = outputs.prepare(store, name, kind, "xlsx", None, notes, stream=True)
    assert not whole.streamed and streamed.streamed
    n_whole = outputs.write(whole, tmp_path / "whole.xlsx")
    n_streamed = outputs.write(streamed, tmp_path / "streamed.xlsx")
    store.close()
    assert n_streamed == n_whole > 0
    expected = _cells(tmp_path / "whole.xlsx")
    assert _cells(tmp_path / "streamed.xlsx") == expected
    if kind == "answers":  # the note's formula neutralised in both
        cells = [value for row in expected["answers"][0] for value, _type in row]
        neutralised = [c for c in cells if isinstance(c, str) and c.startswith("'=HYPERLINK")]
        assert len(neutralised) == notes


def test_a_worker_thread_writes_through_a_reader_of_its_own(
    audit_db: tuple[Path, str], tmp_path: Path
) -> None:
    db, name = audit_db
    store = Store.open(db)
    prepared = outputs.prepare(store, name, "answers", "json", None, True, stream=True)
    expected = _json(store, name, "answers", True, stream=False)
    failures: list[BaseException] = []

    def work() -> None:  # as the dialog's worker: the store's own connection is not usable here
        reader = store.reader()
        assert reader is not None and reader.readonly
        try:
            outputs.write(prepared, tmp_path / "a.json", store.files(), store=reader)
        except BaseException as exc:  # noqa: BLE001 - reported on the test's thread
            failures.append(exc)
        finally:
            reader.close()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=30)
    assert failures == []
    assert (tmp_path / "a.json").read_bytes() == expected
    assert Store.memory().reader() is None  # nothing else sees a store in memory
    store.close()
