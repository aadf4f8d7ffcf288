"""Reviewers' accounts: `casereview users ...`, argon2 hashes, and the trail."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.serve import accounts
from casereview.store import Store


def run(db: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), "--reviewer", "admin", *args], input=stdin)


def test_add_list_passwd_remove_with_trail(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    result = run(db, "users", "add", "insp.khan", "--password-stdin", stdin="correct horse\n")
    assert result.exit_code == 0, result.output
    store = Store.open(db)
    stored = store.password_hash("insp.khan")
    assert stored is not None and stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert accounts.verify(stored, "correct horse")
    assert not accounts.verify(stored, "correct horse ")
    # the password is nowhere in the file, not even in the trail
    assert b"correct horse" not in db.read_bytes()

    listed = run(db, "users", "list")
    assert listed.exit_code == 0 and listed.output.startswith("insp.khan\treviewer\tadded ")
    assert "by admin" in listed.output and "never signed in" in listed.output

    assert run(db, "users", "passwd", "insp.khan", "--password-stdin", stdin="battery staple\n")
    store = Store.open(db)
    assert accounts.verify(store.password_hash("insp.khan"), "battery staple")
    assert not accounts.verify(store.password_hash("insp.khan"), "correct horse")

    assert run(db, "users", "remove", "insp.khan").exit_code == 0
    store = Store.open(db)
    assert store.password_hash("insp.khan") is None
    assert [(e.kind, e.actor, e.old, e.new) for e in store.events()] == [
        ("user_added", "admin", None, "insp.khan"),
        ("password_changed", "admin", None, "insp.khan"),
        ("user_removed", "admin", "insp.khan", None),
    ]


def test_refusals_leave_nothing_behind(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    assert run(db, "users", "add", "ana", "--password-stdin", stdin="long enough\n").exit_code == 0
    twice = run(db, "users", "add", "ana", "--password-stdin", stdin="another one\n")
    assert twice.exit_code == 2 and "already an account named 'ana'" in twice.output
    short = run(db, "users", "add", "bo", "--password-stdin", stdin="short\n")
    assert short.exit_code == 2 and "at least 8 characters" in short.output
    for bad in ("-rf", "a b", "x;rm", "", "é" * 3, "a" * 65):
        refused = run(db, "users", "add", "--password-stdin", "--", bad, stdin="long enough\n")
        assert refused.exit_code == 2, bad
        assert "cannot be an account name" in refused.output
    missing = run(db, "users", "remove", "nobody")
    assert missing.exit_code == 2 and "no account named 'nobody'" in missing.output
    nopw = run(db, "users", "passwd", "nobody", "--password-stdin", stdin="long enough\n")
    assert nopw.exit_code == 2
    store = Store.open(db)
    assert [u.name for u in store.users()] == ["ana"]
    assert [e.kind for e in store.events()] == ["user_added"]
    assert "Traceback" not in twice.output + short.output + missing.output


def test_no_terminal_and_no_stdin_flag_is_refused(tmp_path: Path) -> None:
    result = run(tmp_path / "t.db", "users", "add", "ana", stdin="long enough\n")
    assert result.exit_code == 2 and "--password-stdin" in result.output


def test_sign_ins_are_in_the_trail_and_listed(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "t.db")
    store.add_user("ana", accounts.hash_password("long enough"), "admin")
    store.record_sign_in("ana", False, "wrong password")
    store.record_sign_in("ana", True, "127.0.0.1")
    events = store.events()
    assert [(e.kind, e.actor, e.reason) for e in events[1:]] == [
        ("sign_in_failed", "ana", "wrong password"),
        ("sign_in", "ana", "127.0.0.1"),
    ]
    assert store.users()[0].last_sign_in == events[-1].at


def test_the_trail_keeps_account_events_as_it_keeps_the_rest(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    store = Store.open(db)
    store.add_user("ana", accounts.hash_password("long enough"), "admin")
    conn = sqlite3.connect(db)
    try:
        conn.execute("DELETE FROM events WHERE kind = 'user_added'")
        raise AssertionError("the trail let an account event be deleted")
    except sqlite3.DatabaseError as exc:
        assert "append-only" in str(exc)
    finally:
        conn.close()


def test_an_unknown_name_verifies_as_false() -> None:
    assert not accounts.verify(None, "anything at all")
    assert not accounts.verify("not a hash", "anything at all")


def dump(db: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return [
            *conn.execute("SELECT * FROM users ORDER BY name"),
            *conn.execute("SELECT id, kind, actor, old, new FROM events ORDER BY id"),
        ]
    finally:
        conn.close()


def test_names_differing_only_in_case_or_form_are_one_account(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    assert run(db, "users", "add", "bob", "--password-stdin", stdin="long enough\n").exit_code == 0
    before = dump(db)
    for look_alike in ("Bob", "BOB", "bOb"):
        twice = run(db, "users", "add", look_alike, "--password-stdin", stdin="another one\n")
        assert twice.exit_code == 2, look_alike
        assert f"'{look_alike}' is the same name as the account 'bob'" in twice.output
        assert "Traceback" not in twice.output
    assert dump(db) == before
    # the other commands find the account as sign-in does, and name it as it is stored
    changed = run(db, "users", "passwd", "BOB", "--password-stdin", stdin="battery staple\n")
    assert changed.exit_code == 0 and "changed the password of bob" in changed.output
    removed = run(db, "users", "remove", "Bob")
    assert removed.exit_code == 0 and "removed account bob" in removed.output
    store = Store.open(db)
    try:
        assert store.users() == []
        assert [(e.kind, e.old, e.new) for e in store.events()][1:] == [
            ("password_changed", None, "bob"),
            ("user_removed", "bob", None),
        ]
    finally:
        store.close()


def test_an_account_is_found_by_a_look_alike_of_its_name(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "t.db")
    try:
        store.add_user("Insp.Khan", "$argon2id$x", "admin")
        for typed in (
            "Insp.Khan",
            "insp.khan",
            "INSP.KHAN",
            "ＩＮＳＰ．ＫＨＡＮ",
            "Insp.\u212ahan",
        ):
            account = store.account(typed)
            assert account is not None and account.name == "Insp.Khan", typed
        assert store.account("insp.kha") is None and store.account("") is None
    finally:
        store.close()


def test_look_alike_accounts_in_an_older_file_are_both_kept(tmp_path: Path) -> None:
    # A file from before names were compared as one may hold `bob` and `Bob`. Opening it must
    # not fail, nor drop either: the older keeps the name, the other signs in by its exact
    # name only, and no third look-alike can be added.
    db = tmp_path / "old.db"
    Store.open(db).close()
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DROP INDEX users_by_name_key")
        conn.execute("ALTER TABLE users DROP COLUMN name_key")
        step = "DELETE FROM _sqlite_migrations WHERE name GLOB 'm[0-9]*_account_name_keys'"
        assert conn.execute(step).rowcount == 1
        for name, at in (("bob", "2024-01-01"), ("Bob", "2024-02-01")):
            conn.execute(
                "INSERT INTO users (name, password_hash, created_by, created_at, changed_at)"
                " VALUES (?, ?, 'admin', ?, ?)",
                [name, f"$argon2id${name}", at, at],
            )
    conn.close()
    store = Store.open(db)
    try:
        assert [u.name for u in store.users()] == ["Bob", "bob"]
        assert store.account("BOB") == store.account("bob")
        found = store.account("bob")
        assert found is not None and found.password_hash == "$argon2id$bob"
        exact = store.account("Bob")
        assert exact is not None and exact.password_hash == "$argon2id$Bob"
    finally:
        store.close()
    third = run(db, "users", "add", "BOB", "--password-stdin", stdin="long enough\n")
    assert third.exit_code == 2 and "is the same name as the account 'bob'" in third.output
    listed = run(db, "users", "list")
    assert "Bob\t" in listed.output and "exact name" in listed.output
    # with `bob` removed, `Bob` is the account a look-alike finds, and still one of a kind
    assert run(db, "users", "remove", "bob").exit_code == 0
    store = Store.open(db)
    try:
        kept = store.account("BOB")
        assert kept is not None and kept.name == "Bob"
    finally:
        store.close()
    fourth = run(db, "users", "add", "bOB", "--password-stdin", stdin="long enough\n")
    assert fourth.exit_code == 2 and "is the same name as the account 'Bob'" in fourth.output
