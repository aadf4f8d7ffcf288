"""Accounts' roles from the command line: `users add --role`, `users role`, `users list`."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.serve import accounts
from casereview.store import Store


def run(db: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), "--reviewer", "owner", *args], input=stdin)


def roles(db: Path) -> dict[str, str]:
    return {u.name: u.role for u in Store.open(db).users()}


def test_the_first_admin_is_named_from_the_shell(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    pw = "long enough\n"
    added = run(db, "users", "add", "khan", "--role", "admin", "--password-stdin", stdin=pw)
    assert added.exit_code == 0, added.output
    assert added.output.strip() == "added account khan (admin)"
    assert run(db, "users", "add", "ana", "--password-stdin", stdin=pw).exit_code == 0
    assert roles(db) == {"khan": "admin", "ana": "reviewer"}  # reviewer unless told
    listed = run(db, "users", "list")
    assert [line.split("\t")[:2] for line in listed.output.splitlines()] == [
        ["ana", "reviewer"],
        ["khan", "admin"],
    ]


def test_users_role_changes_the_role_with_a_trail_entry(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    store = Store.open(db)
    store.add_user("ana", accounts.hash_password("long enough"), "owner")
    store.close()
    changed = run(db, "users", "role", "ANA", "scrutiny")  # found as `users remove` finds it
    assert changed.exit_code == 0 and changed.output.strip() == "ana is now scrutiny"
    again = run(db, "users", "role", "ana", "scrutiny")
    assert again.exit_code == 0 and again.output.strip() == "ana is already scrutiny"
    assert roles(db) == {"ana": "scrutiny"}
    events = [(e.kind, e.old, e.new, e.reason, e.actor) for e in Store.open(db).events()]
    assert events[-1] == ("role_changed", "reviewer", "scrutiny", "account ana", "owner")
    assert len(events) == 2  # the second, no change, wrote nothing


def test_a_role_that_is_none_and_a_missing_account_are_refused(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    store = Store.open(db)
    store.add_user("ana", accounts.hash_password("long enough"), "owner")
    store.close()
    bad = run(db, "users", "role", "ana", "superuser")
    assert bad.exit_code == 2 and "superuser" in bad.output
    missing = run(db, "users", "role", "nobody", "admin")
    assert missing.exit_code == 2 and "no account named 'nobody'" in missing.output
    bad_add = run(db, "users", "add", "bo", "--role", "boss", "--password-stdin", stdin="x" * 9)
    assert bad_add.exit_code == 2
    assert roles(db) == {"ana": "reviewer"}
    assert [e.kind for e in Store.open(db).events()] == ["user_added"]
