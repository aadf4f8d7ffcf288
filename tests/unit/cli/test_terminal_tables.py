"""Readable by default (issue 25, item 5): on a terminal `trend` and `export` print an aligned
table; piped, redirected or with `--format csv`, CSV exactly as before."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from casereview.core.tables import Table
from casereview.io.exports.terminal import table_text
from tests.factories import monthly_trend

CASEREVIEW = Path(sys.executable).parent / "casereview"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tables") / "t.db"
    monthly_trend(path).close()
    return path


def on_terminal(*args: str) -> tuple[int, str]:
    """Run casereview with its standard output on a pseudo-terminal 140 columns wide; its
    exit status and what the terminal received (stderr apart)."""
    main, child = pty.openpty()
    env = {**os.environ, "COLUMNS": "140", "LINES": "40", "CASEREVIEW_REVIEWER": "qa"}
    proc = subprocess.Popen([str(CASEREVIEW), *args], stdout=child, stderr=subprocess.PIPE, env=env)
    os.close(child)
    received = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 1)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the child closed its end
                break
            if not chunk:
                break
            received += chunk
        elif proc.poll() is not None:
            break
    status = proc.wait(timeout=30)
    os.close(main)
    return status, received.decode("utf-8").replace("\r\n", "\n")


def piped(*args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "CASEREVIEW_REVIEWER": "qa"}
    return subprocess.run(
        [str(CASEREVIEW), *args], capture_output=True, env=env, timeout=60, check=False
    )


def test_trend_on_a_terminal_is_a_table_with_periods_and_arrows_only_on_clear_changes(
    db: Path,
) -> None:
    status, text = on_terminal("--db", str(db), "trend", "--checklist", "trendy", "--by", "section")
    assert status == 0
    assert "\ufeff" not in text and "checklist,audit" not in text  # no BOM, no CSV
    lines = text.splitlines()
    head = next(line for line in lines if "2024-01" in line)
    assert head.split()[-3:] == ["2024-01", "2024-02", "2024-03"]  # period columns in order
    # Section A: Jan 1 of 4 (25%), Feb 4 of 4 improved (test_trend works it by hand), Mar 0
    # of 2 declined; Section B changes nothing clearly: no arrow on its row.
    row_a = next(line for line in lines if line.startswith("Section A"))
    assert row_a.split()[2:] == ["25", "†(5-70)", "100▲†(51-100)", "0▼†(0-66)"]
    row_b = next(line for line in lines if line.startswith("Section B"))
    assert "▲" not in row_b and "▼" not in row_b
    assert "  2024-02: Feb (trendy@2; every case; simple random sample)" in lines


def test_trend_piped_or_asked_for_csv_is_csv(db: Path) -> None:
    result = piped("--db", str(db), "trend", "--checklist", "trendy", "--by", "section")
    assert result.returncode == 0
    assert result.stdout.startswith(b"\xef\xbb\xbfchecklist,audit,period,")
    status, text = on_terminal(
        "--db", str(db), "trend", "--checklist", "trendy", "--by", "section", "--format", "csv"
    )
    assert status == 0 and text.lstrip("\ufeff").startswith("checklist,audit,period,")


def test_export_on_a_terminal_is_a_table_and_piped_is_csv(db: Path) -> None:
    status, text = on_terminal("--db", str(db), "export", "questions", "--audit", "Feb")
    assert status == 0
    lines = text.splitlines()
    assert lines[0] == "audit: Feb"  # one value in every row: said once, above
    assert lines[1].split()[:3] == ["section_id", "question_id", "question"]
    assert set(lines[2]) == {"-", " "}
    assert "(" in lines[-1] and "rows" in lines[-1]
    assert all(len(line) <= 140 for line in lines)
    result = piped("--db", str(db), "export", "questions", "--audit", "Feb")
    assert result.returncode == 0
    assert result.stdout.startswith(b"\xef\xbb\xbfaudit,section_id,question_id,question,")


def test_the_terminal_table_writes_control_characters_out() -> None:
    table = Table("cases", ("case_ref", "summary"), [{"case_ref": "A/1", "summary": "x\x1b[2Jy"}])
    text = table_text(table, 80)
    assert "\x1b" not in text and "x\\x1b[2Jy" in text
