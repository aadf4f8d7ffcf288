"""No command destroys data by a typo, and a database that cannot be used now is not called
damaged: export targets, busy / full / read-only files, racing imports, private folders."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from textual.widgets import Input

from casereview import store as store_module
from casereview.cli import main
from casereview.store import Store, connection
from casereview.tui.app import make_app
from casereview.tui.screens import FindingsScreen
from tests.factories import CASES, complete_review, seed_store
from tests.tui.waiting import click_button, until

AUDIT = "Test audit"


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


def dump(db: Path) -> str:
    """Everything in the file, as SQL: equal dumps mean nothing was changed."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    """An audit with two completed reviews, so every export and the report have figures."""
    path = tmp_path / "d.db"
    store = Store.open(path)
    audit = seed_store(store)
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    for case_id in ids[:2]:
        complete_review(
            store,
            audit.id,
            case_id,
            "ann",
            "primary",
            {"REC-01": "no", "REC-03": "yes", "SPO-01": "na"},
        )
    store.close()
    yield path


# ---------------------------------------------------------------- item 1: export targets


@pytest.mark.parametrize(
    "args",
    [
        ("report", "--audit", AUDIT),
        ("export", "questions", "--audit", AUDIT, "--format", "json"),
        ("export", "answers", "--audit", AUDIT, "--format", "csv"),
        ("export", "sections", "--audit", AUDIT, "--format", "xlsx"),
    ],
    ids=["report", "json", "csv", "xlsx"],
)
def test_an_export_onto_the_database_is_refused(db: Path, args: tuple[str, ...]) -> None:
    before = dump(db)
    result = run(db, *args, "--out", str(db))
    assert result.exit_code == 2, result.output
    assert "is the open database" in result.stderr
    assert db.read_bytes().startswith(b"SQLite format 3\x00")
    assert dump(db) == before
    assert not [p for p in db.parent.iterdir() if p.suffix == ".part"]  # no temporary left


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_the_files_sqlite_keeps_beside_the_database_are_refused(db: Path, suffix: str) -> None:
    target = db.with_name(db.name + suffix)
    result = run(db, "report", "--audit", AUDIT, "--out", str(target))
    assert result.exit_code == 2
    assert "is the open database" in result.stderr
    # (the -wal file exists while the command has the database open: it must not be a report)
    assert not target.exists() or not target.read_bytes().startswith(b"# ")


def test_a_link_to_the_database_is_followed_and_refused(db: Path, tmp_path: Path) -> None:
    before = dump(db)
    symlink = tmp_path / "report.csv"
    symlink.symlink_to(db)
    hardlink = tmp_path / "other-name.json"
    os.link(db, hardlink)
    relative = Path(os.path.relpath(db))  # the same file by another spelling
    for target in (symlink, hardlink, relative):
        result = run(
            db, "export", "questions", "--audit", AUDIT, "--format", "json", "--out", str(target)
        )
        assert result.exit_code == 2, (target, result.output)
        assert "is the open database" in result.stderr
    assert dump(db) == before
    assert symlink.is_symlink()


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (("cases", "import", "{file}"), "this is the open database"),
        (("answers", "import", "{file}", "--audit", AUDIT), "this is the open database"),
        # a checklist file is read before the database is opened, so it is refused unopened
        (
            ("audit", "create", "X", "--checklist", "{file}", "--sample", "1"),
            "the file is not UTF-8",
        ),
    ],
    ids=["cases", "answers", "checklist"],
)
def test_the_database_given_as_an_input_is_refused_before_it_is_read_open(
    db: Path, tmp_path: Path, args: tuple[str, ...], why: str
) -> None:
    # read while the command's connection is open, its close would drop the connection's
    # lock on the file (test_durability); and it is a mistake
    before = dump(db)
    given = tmp_path / "pool.yaml"
    os.link(db, given)  # the database under an input's name
    result = run(db, *(a.format(file=given) for a in args))
    assert result.exit_code == 2, result.output
    assert f"{given}:1: {why}" in result.stderr
    assert dump(db) == before


def test_a_device_or_pipe_is_never_replaced_by_a_file(db: Path, tmp_path: Path) -> None:
    # /dev/null as root would be the real case; a FIFO is the same kind of file, and safe
    # to try on any machine.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = run(db, "export", "questions", "--audit", AUDIT, "--format", "csv", "--out", str(fifo))
    assert result.exit_code == 2
    assert "is not a regular file" in result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_folder_or_a_missing_folder_is_refused(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    result = run(db, "report", "--audit", AUDIT, "--out", str(folder))
    assert result.exit_code == 2
    assert "directory" in result.stderr
    assert list(folder.iterdir()) == []
    result = run(db, "report", "--audit", AUDIT, "--out", str(tmp_path / "nope" / "r.md"))
    assert result.exit_code == 2
    assert "there is no folder" in result.stderr
    assert not (tmp_path / "nope").exists()


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["report", "--audit", AUDIT], "kept.md"),
        (["export", "questions", "--audit", AUDIT], "kept.csv"),
        (["trend", "--checklist", "mini"], "kept.csv"),
        (["bundle", "export", "--audit", AUDIT, "--plain"], "kept.bundle"),
    ],
    ids=["report", "export", "trend", "bundle"],
)
def test_an_existing_file_is_replaced_only_with_force(
    db: Path, tmp_path: Path, args: list[str], name: str
) -> None:
    # A typo in --out must not cost the file that was there: every command that writes a
    # file refuses an existing one unless told, before doing any work.
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / name
    out.write_text("old", encoding="utf-8")
    refused = run(db, *args, "--out", str(out))
    assert refused.exit_code == 2
    assert f"{out} exists; give --force to replace it" in refused.stderr
    assert out.read_text(encoding="utf-8") == "old"
    assert [p.name for p in out.parent.iterdir()] == [name]  # no part file left
    replaced = run(db, *args, "--out", str(out), "--force")
    assert replaced.exit_code == 0, replaced.output
    assert out.read_bytes() != b"old"


async def test_the_export_dialog_refuses_the_database(db: Path) -> None:
    store = Store.open(db)
    before = dump(db)
    app = make_app(store, "ann")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f", "x")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#export-path", Input).value = str(db)
        message = dialog.query_one("#export-message")
        await pilot.click("#export-go")
        await until(pilot, lambda: "is the open database" in str(message.render()), "refusal")
        await click_button(pilot, "#export-go")  # a second go, the "replace it" answer: still no
        await app.workers.wait_for_complete()  # a write, had it begun, is over
        await pilot.pause()
        assert "is the open database" in str(message.render())
        assert not isinstance(app.screen, FindingsScreen)  # the dialog stays open
    store.close()
    assert dump(db) == before


# ---------------------------------------------------------------- item 6: say what happened


def test_a_busy_database_is_named_busy_not_damaged(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 200)
    fresh = db.with_name("new.csv")
    fresh.write_text("case_ref,force\nNEW/1,Westshire\n", encoding="utf-8")
    before = dump(db)
    holder = sqlite3.connect(db)
    holder.execute("BEGIN IMMEDIATE")  # another writer, holding the file past the timeout
    try:
        result = run(db, "cases", "import", str(fresh))
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 1, result.output
    assert "is busy" in result.stderr and "try again" in result.stderr
    assert "damaged" not in result.stderr
    assert dump(db) == before


def test_a_full_disk_is_named_full(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # SQLite reports a file that reached max_page_count exactly as it reports a full disk
    # (SQLITE_FULL), so capping the file at its size is a full disk on any machine.
    configure = Store._configure

    def capped(self: Store) -> None:
        configure(self)
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        self.db.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(Store, "_configure", capped)
    many = db.with_name("many.csv")
    rows = "".join(f"BIG/{i},Westshire,{'x' * 200}\n" for i in range(500))
    many.write_text("case_ref,force,summary\n" + rows, encoding="utf-8")
    before = dump(db)
    result = run(db, "cases", "import", str(many))
    assert result.exit_code == 1, result.output
    assert "is full" in result.stderr
    assert "damaged" not in result.stderr
    assert dump(db) == before


@pytest.fixture
def read_only(db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The database as a user who may not write it sees it. Tests run as root here, whom the
    file mode does not stop, so the permission check itself is answered "no": what follows
    (a connection opened mode=ro, that SQLite itself refuses to write through) is real."""
    real_access = os.access

    def access(path: object, mode: int, **kwargs: object) -> bool:
        if mode & os.W_OK and Path(str(path)).resolve() in (db.resolve(), db.parent.resolve()):
            return False
        return real_access(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    return db


def test_a_read_only_database_still_lists_exports_and_reports(read_only: Path) -> None:
    before = dump(read_only)
    listed = run(read_only, "audit", "list")
    assert listed.exit_code == 0, listed.output
    assert AUDIT in listed.stdout
    exported = run(read_only, "export", "questions", "--audit", AUDIT)
    assert exported.exit_code == 0, exported.output
    assert "REC-03" in exported.stdout
    reported = run(read_only, "report", "--audit", AUDIT)
    assert reported.exit_code == 0, reported.output
    assert reported.stdout.startswith("# ")
    assert run(read_only, "checklist", "list").exit_code == 0
    assert dump(read_only) == before


def test_a_write_to_a_read_only_database_says_read_only(read_only: Path) -> None:
    before = dump(read_only)
    result = run(read_only, "cases", "import", str(CASES))
    assert result.exit_code == 1, result.output
    assert "is read-only" in result.stderr
    assert "damaged" not in result.stderr
    store = Store.open(read_only)
    assert store.readonly
    audit = store.audit_named(AUDIT)
    case_id = store.audit_cases(audit.id)[3].case.id
    with pytest.raises(store_module.ReadOnlyDatabase):
        store.open_review(audit.id, case_id, "ann")
    # the connection itself cannot write either: the guard is SQLite's, not only ours
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        store.db.execute("DELETE FROM events")
    store.close()
    assert dump(read_only) == before


def test_two_imports_of_the_same_cases_at_once(tmp_path: Path) -> None:
    """The clash check runs inside the write transaction: of two imports racing for the same
    cases one wins, the other gets the line-numbered refusal a plain duplicate gets."""
    db = tmp_path / "race.db"
    Store.open(db).close()
    rows = "".join(f"RACE/{i:05d},Westshire,2024-01-0{1 + i % 9}\n" for i in range(20_000))
    files = []
    for name in ("a.csv", "b.csv"):
        path = tmp_path / name
        path.write_text("case_ref,force,reported_at\n" + rows, encoding="utf-8")
        files.append(path)
    command = [str(Path(sys.executable).parent / "casereview"), "--db", str(db), "cases", "import"]
    procs = [
        subprocess.Popen([*command, str(f)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for f in files
    ]
    results = [(p.returncode, p.communicate(timeout=120)[1].decode()) for p in procs]
    results = [(p.returncode, err) for p, (_, err) in zip(procs, results, strict=True)]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    loser = next(err for code, err in results if code == 2)
    assert ".csv:2: case RACE/00000 of 'Westshire' is already in the pool" in loser
    assert "damaged" not in loser
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 20_000


# ---------------------------------------------------------------- item 7: private folders


def test_folders_the_tool_creates_are_owner_only(tmp_path: Path) -> None:
    existing = stat.S_IMODE(tmp_path.stat().st_mode)
    old = os.umask(0)
    try:
        db = tmp_path / "sub" / "dir" / "new.db"
        result = run(db, "cases", "import", str(CASES))
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((tmp_path / "sub").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "sub" / "dir").stat().st_mode) == 0o700
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(tmp_path.stat().st_mode) == existing  # a folder already there: as it was


async def test_the_app_on_a_read_only_database_shows_reviews_and_saves_nothing(
    read_only: Path,
) -> None:
    from casereview.tui.screens import AuditCasesScreen, ReviewScreen

    before = dump(read_only)
    store = Store.open(read_only)
    app = make_app(store, "ann")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert any("Read-only" in n.title for n in app._notifications)
        await pilot.press("enter")  # the audit
        await pilot.pause()
        assert isinstance(app.screen, AuditCasesScreen)
        app.open_case(app.screen.audit_id, store.audit_cases(app.screen.audit_id)[0].case.id)
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)  # a completed review opens to be read
        await pilot.press("escape")
        await pilot.pause()
        never_started = store.audit_cases(app.screen.audit_id)[4].case.id
        app.open_case(app.screen.audit_id, never_started)
        await pilot.pause()
        assert isinstance(app.screen, AuditCasesScreen)  # refused, and said why
        assert any("is read-only" in str(n.message) for n in app._notifications)
    store.close()
    assert dump(read_only) == before


def test_an_answers_import_checked_against_a_stale_audit_writes_nothing(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone saves between the file's checks and its write (here: starts the primary review
    the file also holds): the checks no longer hold, so the import is refused whole."""
    from casereview.io.imports import answers as answers_import

    plan = answers_import.plan_answer_import

    def plan_then_someone_saves(*args: object, **kwargs: object) -> object:
        planned = plan(*args, **kwargs)  # type: ignore[arg-type]
        other = Store.open(db)
        audit = other.audit_named(AUDIT)
        case = next(ac.case for ac in other.audit_cases(audit.id) if ac.case.case_ref == "T/4")
        other.open_review(audit.id, case.id, "zed")
        other.close()
        return planned

    monkeypatch.setattr(answers_import, "plan_answer_import", plan_then_someone_saves)
    answers = tmp_path / "answers.csv"
    answers.write_text(
        "case_ref,force,reviewer,role,question_id,answer\nT/4,Testshire,ann,primary,REC-01,no\n",
        encoding="utf-8",
    )
    before_reviews = sqlite3.connect(db).execute("SELECT count(*) FROM reviews").fetchone()[0]
    result = run(db, "answers", "import", str(answers), "--audit", AUDIT)
    assert result.exit_code == 1, result.output
    assert "changed while the file was being checked" in result.stderr
    with sqlite3.connect(db) as conn:
        # only zed's review was added; the file's answer is nowhere
        assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == before_reviews + 1
        on_t4 = conn.execute(
            "SELECT count(*) FROM answers a JOIN reviews r ON r.id = a.review_id"
            " JOIN cases c ON c.id = r.case_id WHERE c.case_ref = 'T/4'"
        ).fetchone()[0]
        assert on_t4 == 0
