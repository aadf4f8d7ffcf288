"""A database whose exports have every kind of sensitive text in them, and readers that
give back every string and every table of a written file, whatever its format."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

from casereview.io.imports.cases import read_case_file
from casereview.store import AuditInfo, Store
from tests.factories import CASES, MINI

AUDIT = "Redaction audit"
ZED, YAK, MOD, LEAD = "officer-zed-901", "officer-yak-902", "officer-mod-903", "officer-lead-904"
NOTE = "NOTE-SECRET victim says he waits outside her work"
NOTE_2 = "NOTE-SECRET-2 second review's note"
REASON = "REASON-SECRET no link on file"
# the fixture cases' references, officers, summaries (tests/fixtures/cases.csv)
REFERENCES = ("T/1", "T/2", "T/3", "T/4", "T/5")
SUMMARIES = ("Messages after break-up", "Loitering, gifts", "cmd|' /C calc", "Threats", "Emails")
SECRETS = (*REFERENCES, ZED, YAK, MOD, LEAD, NOTE, NOTE_2, REASON, *SUMMARIES, "PC 1", "PC 2")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # a date to the day: a redacted file has none
FULL = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}


def _review(
    store: Store, audit: AuditInfo, case_id: int, who: str, role: str, answers: dict[str, str]
) -> int:
    review = store.open_review(audit.id, case_id, who, role)  # type: ignore[arg-type]
    for qid, value in answers.items():
        store.set_answer(review.id, qid, value, who)
    return review.id


def source_db(path: Path) -> Path:
    """Six cases (two forces' T/1), reported 2024-01-03 to 2024-06-17: the first reviewed
    by zed (a note), second-reviewed by yak (a note) and moderated by mod (a reason); the
    second by zed, the third by yak; the fourth assigned to zed and not started."""
    store = Store.open(path)
    info = store.add_checklist(MINI.read_text(), str(MINI))
    store.insert_case_rows(read_case_file(CASES).rows)
    ids = [c.id for c in store.cases()]
    audit = store.create_audit(
        AUDIT,
        info.pk,
        ids,
        created_by=LEAD,
        seed=1,
        scope={"from": "2024-01-03", "to": "2024-06-17"},
        assignments={ids[3]: ZED},
    )
    first = _review(store, audit, ids[0], ZED, "primary", FULL)
    store.set_note(first, "REC-01", NOTE, ZED)
    store.complete_review(first, ZED)
    second = _review(store, audit, ids[0], YAK, "second", {**FULL, "REC-03": "no"})
    store.set_note(second, "REC-03", NOTE_2, YAK)
    store.complete_review(second, YAK)
    moderated = store.start_moderation(audit.id, ids[0], MOD)
    store.set_answer(moderated.id, "REC-03", "no", MOD, reason=REASON)
    store.complete_review(moderated.id, MOD)
    store.complete_review(
        _review(store, audit, ids[1], ZED, "primary", {**FULL, "REC-02": "partly"}), ZED
    )
    store.complete_review(
        _review(
            store, audit, ids[2], YAK, "primary", {"REC-01": "no", "REC-03": "yes", "SPO-01": "na"}
        ),
        YAK,
    )
    store.close()
    return path


# --------------------------------------------------------------------------- reading back


def csv_text(path: Path) -> str:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return raw[3:].decode("utf-8")


def csv_tables(path: Path, name: str) -> tuple[str | None, dict[str, list[dict[str, object]]]]:
    """(the notice line, if any; {name: rows})."""
    text = csv_text(path)
    notice = None
    if text.startswith("# "):
        notice, text = text.split("\r\n", 1)
    return notice, {name: list(csv.DictReader(io.StringIO(text, newline="")))}


def json_tables(path: Path) -> tuple[str | None, dict[str, list[dict[str, object]]]]:
    payload = json.loads(path.read_text("utf-8"))
    notice = payload.get("redaction")
    tables = {k: v for k, v in payload.items() if k not in ("meta", "redaction")}
    return notice, tables


def xlsx_tables(path: Path) -> tuple[str | None, dict[str, list[dict[str, object]]]]:
    """(the first sheet's first row's value where its label is `Redacted`; each sheet but
    the summary and charts as rows)."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    first = book.worksheets[0]
    notice = None
    if first.cell(1, 1).value == "Redacted":
        notice = str(first.cell(1, 2).value)
    tables: dict[str, list[dict[str, object]]] = {}
    for ws in book.worksheets[1:]:
        rows = list(ws.iter_rows(values_only=True))
        if not rows or ws.title == "Charts":
            continue
        header = [str(h) for h in rows[0]]
        tables[ws.title] = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    return notice, tables


def tables_of(
    path: Path, fmt: str, name: str
) -> tuple[str | None, dict[str, list[dict[str, object]]]]:
    if fmt == "csv":
        return csv_tables(path, name)
    if fmt == "json":
        return json_tables(path)
    return xlsx_tables(path)


def _walk(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)
    elif value is not None:
        yield str(value)


def every_string(path: Path) -> list[str]:
    """Every cell, key, sheet name and text run of the file, as text."""
    suffix = path.suffix
    if suffix == ".csv":
        return [c for row in csv.reader(io.StringIO(csv_text(path), newline="")) for c in row]
    if suffix == ".json":
        return list(_walk(json.loads(path.read_text("utf-8"))))
    if suffix == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path)
        out = list(book.sheetnames)
        for ws in book.worksheets:
            out += [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
        return out
    if suffix == ".docx":
        import docx

        document = docx.Document(str(path))
        out = [p.text for p in document.paragraphs]
        for table in document.tables:
            out += [cell.text for row in table.rows for cell in row.cells]
        return out
    return path.read_text("utf-8").splitlines()


def leaks(path: Path) -> list[tuple[str, str]]:
    """(secret, the string it is in) for every secret of the source in the file, and every
    date to the day."""
    found = [(s, text) for text in every_string(path) for s in SECRETS if s in text]
    return found + [("a day", text) for text in every_string(path) if DAY.search(text)]


def number(value: object) -> float | None:
    """A cell as a number, where it is one (CSV's are text)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None
