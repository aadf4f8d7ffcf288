"""Control characters in names and data: refused in audit names, escaped when printed.

An audit name with a line feed or a terminal escape sequence, printed raw, can fake lines
of a listing, recolour or clear the terminal, or hide itself (zero-width and bidi format
characters). Audit names are refused by the rule `cases import` holds for references
(text.first_invisible); whatever an older database or a case file already holds is printed
with such characters written out (`\\x1b`).
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.core.text import visible
from casereview.store import Store, StoreError
from tests.factories import TREND_V1, complete, seed_store

ESC = "\x1b"
FULL = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
HIDDEN = {
    "line feed": ("\n", "U+000A"),
    "escape sequence": ("\x1b[31m", "U+001B"),
    "C1 control (CSI)": ("\x9b31m", "U+009B"),
    "delete": ("\x7f", "U+007F"),
    "zero-width space": ("\u200b", "U+200B"),
    "right-to-left override": ("\u202e", "U+202E"),
}


def run(db: Path, *args: str, stdin: str | None = None) -> Result:
    """The command as on a terminal: click leaves ANSI sequences in (color=True); to a pipe
    it strips well-formed ones itself, but not a lone ESC, a C1 control or a line feed."""
    return CliRunner().invoke(main, ["--db", str(db), *args], input=stdin, color=True)


def dump(db: Path) -> list[str]:
    with closing(sqlite3.connect(db)) as conn:
        return list(conn.iterdump())


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test checklist, cases and audit, with the shipped checklists already stored."""
    path = tmp_path_factory.mktemp("template") / "review.db"
    with closing(Store.open(path)) as store:
        seed_store(store)
        store.ensure_shipped_checklists()
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(template, tmp_path / "review.db"))


@pytest.mark.parametrize("checklist", ["mini", str(TREND_V1)])
@pytest.mark.parametrize("kind", list(HIDDEN))
def test_an_audit_name_with_a_control_character_is_refused(
    db: Path, kind: str, checklist: str
) -> None:
    text, code = HIDDEN[kind]
    before = dump(db)

    result = run(db, "audit", "create", f"Q3{text}audit", "--checklist", checklist, "--sample", "2")

    assert result.exit_code == 2, result.output
    assert "audit name" in result.output and code in result.output
    assert "invisible or control character" in result.output
    assert "Traceback" not in result.output
    assert dump(db) == before  # no audit, no event, and not the checklist file either


@pytest.mark.parametrize("kind", list(HIDDEN))
def test_the_store_refuses_it_for_every_caller(db: Path, kind: str) -> None:
    """The app and the command line both create audits through Store.create_audit."""
    text, code = HIDDEN[kind]
    with closing(Store.open(db)) as store:
        audits = len(store.audits())
        checklist, cases = store.find_checklist("mini").pk, [c.id for c in store.cases()]
        with pytest.raises(StoreError, match=re.escape(code)):
            store.create_audit(f"bad{text}", checklist, cases, created_by="lead")
        assert len(store.audits()) == audits


def test_an_old_database_lists_such_names_escaped(db: Path) -> None:
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE audits SET name = ?", ["Red\x1b[31m\nforged line\u202e"])

    result = run(db, "audit", "list")

    assert result.exit_code == 0, result.output
    assert ESC not in result.output and "\u202e" not in result.output
    assert "Red\\x1b[31m\\nforged line\\u202e" in result.output
    assert len(result.output.splitlines()) == 2  # the header and the one audit
    # named on the command line as it is printed: the listing is no dead end
    named = run(db, "export", "questions", "--audit", "nope")
    assert named.exit_code == 2 and ESC not in named.output
    assert "Red\\x1b[31m\\nforged line" in named.output


def test_values_from_case_files_and_names_print_escaped(db: Path, tmp_path: Path) -> None:
    """The strata table (a case file's values), the sample's references, reviewer names."""
    cases = tmp_path / "more.csv"
    cases.write_text(
        "case_ref,force,team\n"
        + "".join(f"M/{i},Northshire,Team\x1b[2J{i % 2}\n" for i in range(6))
    )
    assert run(db, "cases", "import", str(cases)).exit_code == 0
    password = "a long enough password\n"
    added = run(
        db, "--reviewer", "lead\x1b[5m", "users", "add", "ana", "--password-stdin", stdin=password
    )
    assert added.exit_code == 0, added.output

    created = run(
        db,
        "audit", "create", "North", "--checklist", "mini", "--sample", "4", "--seed", "3",
        "--where", "force=Northshire", "--stratify", "team", "--reviewers", "ann,bob\x1b[8m",
    )  # fmt: skip
    second = run(db, "audit", "second", "North", "--reviewer", "sue\x1b[8m", "--count", "1")
    listed = run(db, "users", "list")

    for result in (created, second, listed):
        assert result.exit_code == 0, result.output
        assert ESC not in result.output
    assert "Team\\x1b[2J0" in created.output and "Team\\x1b[2J1" in created.output
    assert "sue\\x1b[8m" in second.output
    assert "lead\\x1b[5m" in listed.output


def test_visible_writes_out_what_a_terminal_would_act_on() -> None:
    assert visible("Q3 \x1b[31maudit") == "Q3 \\x1b[31maudit"
    assert visible("a\nb\tc\r") == "a\\nb\\tc\\r"
    assert visible("\x9b2J\x7f") == "\\x9b2J\\x7f"
    assert visible("zero\u200bwidth \u202eabc") == "zero\\u200bwidth \\u202eabc"
    assert visible("Zoë, 東京, Ölçek – “ok”") == "Zoë, 東京, Ölçek – “ok”"  # printable: as is
    assert visible("two\nlines\x1b[2J", newlines=True) == "two\nlines\\x1b[2J"


def _on_a_terminal(*argv: str) -> bytes:
    """What the command writes to standard output when that is a terminal (a pty)."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    with subprocess.Popen(
        [str(Path(sys.executable).with_name("casereview")), *argv],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=subprocess.PIPE,
    ) as child:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the child has gone and the pty is closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert child.wait(timeout=60) == 0, child.stderr.read() if child.stderr else ""
    os.close(leader)
    return b"".join(chunks)


@pytest.mark.parametrize(
    "command",
    [
        ["export", "cases", "--audit", "North", "--format", "csv"],  # (else a table to read)
        ["export", "cases", "--audit", "North", "--format", "json"],
        ["trend", "--checklist", "mini", "--audits", "North", "--format", "csv"],
    ],
)
def test_an_export_to_a_terminal_writes_its_control_characters_out(
    db: Path, tmp_path: Path, command: list[str]
) -> None:
    """A case file's cell with an escape sequence, exported with no --out, clears no screen
    and retitles no terminal; piped, the same export is the exact bytes of the file."""
    cases = tmp_path / "more.csv"
    cases.write_text(
        "case_ref,force,team\n"
        + "".join(f"M/{i},Northshire,T\x1b]0;pwned\x07\x1b[2J{i}\n" for i in range(4))
    )
    assert run(db, "cases", "import", str(cases)).exit_code == 0
    created = run(
        db, "audit", "create", "North", "--checklist", "mini", "--sample", "4", "--seed", "3",
        "--where", "force=Northshire", "--period", "2024-10",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    with closing(Store.open(db)) as store:  # one review done, so there is something to export
        north = store.audit_named("North")
        first = next(c for c in store.cases() if c.case_ref == "M/0")
        complete(store, north, first.id, "ann", "primary", FULL)
    args = ["--db", str(db), *command]

    shown = _on_a_terminal(*args)
    piped = CliRunner().invoke(main, args)

    assert piped.exit_code == 0, piped.output
    exact = piped.stdout_bytes.replace(b"\r\n", b"\n")  # (a pty ends its lines CRLF)
    exact = exact.removeprefix("\ufeff".encode())  # (the CSV's BOM, for Excel, not shown)
    if command[0] == "export" and "json" not in command:
        assert b"\x1b]0;pwned\x07" in exact  # piped: the file's bytes, exact
        assert b"\x1b" not in shown and b"\x07" not in shown
        written_out = exact.replace(b"\x1b", b"\\x1b").replace(b"\x07", b"\\x07")
        assert shown.replace(b"\r\n", b"\n") == written_out
    else:  # JSON escapes them itself; a trend holds no case data: the same on both
        assert b"\x1b" not in exact
        assert shown.replace(b"\r\n", b"\n") == exact
