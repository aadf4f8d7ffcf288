"""Issue 30, item 1: a reviewer with only the browser makes the Word findings report (from
the findings, `w`) and the trend report (from the trends, `x`); served, each arrives as a
browser download, for that reviewer only, and nothing is left on the server's disk."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from casereview.store import Store
from tests.factories import complete_review
from tests.served import Session, basic

FULL = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}


async def download(client: Any, session: Session) -> tuple[str, bytes]:
    _, key = await session.until_meta("deliver_file_start")
    session.meta.clear()
    got = await client.get(f"/download/{key}", headers=basic("ana"))
    assert got.status == 200
    return got.headers["Content-Disposition"], await got.read()


def word_text(body: bytes) -> str:
    with zipfile.ZipFile(BytesIO(body)) as docx:
        return docx.read("word/document.xml").decode("utf-8")


async def test_the_word_and_trend_reports_are_browser_downloads(
    served: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = Store.open(tmp_path / "team.db")
    audit = store.audits()[0]
    case_id = store.audit_cases(audit.id)[0].case.id
    complete_review(store, audit.id, case_id, "bob", "primary", FULL)
    before = sorted(p.name for p in tmp_path.iterdir())
    _server, client = served
    session = await Session.open(client, "ana")
    try:
        await session.until("Test audit")
        await session.press("f")
        await session.until("Group by")
        await session.press("w")
        await session.until("test-audit-report.docx")
        await session.press("\t\r")  # to the file name; Enter makes it
        said, body = await download(client, session)
        assert "attachment" in said and "test-audit-report.docx" in said
        assert "Test audit" in word_text(body)  # a Word document of this audit's findings
        await session.press("\x1b")  # back to the audits
        await session.until("Trends")
        await session.press("t")
        await session.until("Report")
        await session.press("x")
        await session.until("mini-trend.docx")
        await session.press("\t\r")
        said, body = await download(client, session)
        assert "mini-trend.docx" in said
        assert "Test audit" in word_text(body)  # the trend's audits are named in it
    finally:
        await session.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing on the server's disk
