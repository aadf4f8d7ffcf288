"""Command-line behaviour users rely on: where the demo goes, refused scopes, missing files."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from casereview.cli import base as cli_base
from casereview.cli import main
from casereview.core.fields import Role
from casereview.services.sampling import Scope
from casereview.store import AuditInfo, Store, StoreError, shipped
from tests.factories import CASES, complete_review, seed_store

SAMPLE_POOL = Path(__file__).parents[3] / "src" / "casereview" / "sample_cases" / "sample_cases.csv"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def test_demo_goes_where_the_global_db_says(tmp_path: Path) -> None:
    db = tmp_path / "mine.db"
    result = run("--db", str(db), "demo", "--no-tui")
    assert result.exit_code == 0, result.output
    assert db.exists()
    assert any(a.name.startswith("Northmoor") for a in Store.open(db).audits())


def test_demo_never_writes_into_the_working_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    working = tmp_path / "working.db"
    result = run("demo", "--no-tui", env={"CASEREVIEW_DB": str(working)})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "demo.db").exists()
    assert not working.exists()


def test_demo_never_mixes_with_real_cases(tmp_path: Path) -> None:
    db = tmp_path / "real.db"
    assert run("--db", str(db), "cases", "import", str(CASES)).exit_code == 0
    result = run("--db", str(db), "demo", "--no-tui")
    assert result.exit_code == 2
    assert "already holds 6 cases; the demo is built in a new file" in result.output
    assert "Traceback" not in result.output
    store = Store.open(db)
    assert store.audits() == [] and store.count_cases() == 6


@pytest.fixture
def pool_db(tmp_path: Path) -> Path:
    db = tmp_path / "pool.db"
    assert run("--db", str(db), "cases", "import", str(SAMPLE_POOL)).exit_code == 0
    return db


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--stratify", "nosuch"], "strata by nosuch: no case has a field 'nosuch'"),
        (["--where", "nosuch=1"], "filter nosuch=1: no case has a field 'nosuch'"),
        (["--where", "da_related=maybe"], "filter da_related=maybe: da_related is yes or no"),
        # one field twice means either (issue 17); a value no case has is named
        (["--where", "team=CID", "--where", "team=PPU"], "no case has team = 'PPU'; values are:"),
        (["--from", "2024-06-01", "--to", "2024-01-01"], "the report dates run backwards"),
    ],
)
def test_a_scope_that_would_silently_match_wrongly_is_refused(
    pool_db: Path, args: list[str], message: str
) -> None:
    result = run(
        "--db", str(pool_db), "audit", "create", "A", "--checklist", "stalking-casefile",
        "--sample", "5", *args,
    )  # fmt: skip
    assert result.exit_code == 2
    assert message in result.output
    assert Store.open(pool_db).audits() == []


def test_a_filter_on_an_extra_attribute_keeps_to_it(pool_db: Path) -> None:
    result = run(
        "--db", str(pool_db), "audit", "create", "Online", "--checklist", "stalking-casefile",
        "--sample", "5", "--seed", "3", "--where", "channel=online",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    store = Store.open(pool_db)
    audit = store.audit_named("Online")
    assert audit.seed == 3
    assert {ac.case.extra.get("channel") for ac in store.audit_cases(audit.id)} == {"online"}


@pytest.mark.parametrize(
    "args",
    [
        ["audit", "list"],
        ["checklist", "list"],
        ["export", "questions", "--audit", "X"],
        ["report", "--audit", "X"],
        ["audit", "create", "A", "--checklist", "stalking-casefile", "--sample", "2"],
        ["audit", "second", "A", "--reviewer", "b", "--count", "1"],
    ],
)
def test_commands_that_read_do_not_create_a_database(tmp_path: Path, args: list[str]) -> None:
    db = tmp_path / "typo.db"
    result = run("--db", str(db), *args)
    assert result.exit_code == 2
    assert f"no database at {db}" in result.output
    assert not db.exists()


def test_audit_and_checklist_lists(db_path: Path) -> None:
    store = Store.open(db_path)
    seed_store(store)
    store.close()
    listed = run("--db", str(db_path), "audit", "list")
    assert listed.exit_code == 0
    header, row = listed.output.splitlines()
    assert header.split() == ["audit", "checklist", "period", "cases", "done", "open"]
    # the fixture audit: January 2024, six cases, none reviewed yet
    assert row.split()[-6:] == ["audit", "mini@1", "2024-01", "6", "0", "0"]
    checklists = run("--db", str(db_path), "checklist", "list").output
    assert "mini@1" in checklists and "[1 audit(s)" in checklists
    assert "stalking-casefile@" in checklists  # the shipped one, without `checklist add`


def test_an_edited_shipped_checklist_without_a_new_version_warns(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = next(shipped.shipped_checklists())
    copy = tmp_path / original.name
    copy.write_text(original.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr("casereview.store.pool.shipped_checklists", lambda: iter([copy]))
    Store.open(db_path).close()
    assert run("--db", str(db_path), "checklist", "list").exit_code == 0
    copy.write_text(copy.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    result = run("--db", str(db_path), "checklist", "list")
    assert result.exit_code == 0
    assert "its version was not bumped; the stored version is used" in result.output


@pytest.mark.parametrize(
    ("env", "expected"),
    [({"CASEREVIEW_REVIEWER": "  insp.khan "}, "insp.khan"), ({"CASEREVIEW_REVIEWER": ""}, None)],
)
def test_the_reviewer_name(
    env: dict[str, str], expected: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(cli_base.getpass, "getuser", lambda: "os-user")
    assert cli_base.default_reviewer() == (expected or "os-user")


def test_count_cases_agrees_with_the_listing(pool_db: Path) -> None:
    store = Store.open(pool_db)
    for scope in (
        Scope({}),
        Scope({"force": "Northmoor Police"}),
        Scope({"channel": "online", "da_related": "yes"}),
        Scope({}, "2024-03-01", "2024-06-30"),
    ):
        assert scope.count(store) == len(scope.pool(store))
    assert Scope({"force": "Nowhere"}).count(store) == 0


FULL = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}


def _completed(store: Store, audit_id: int, case_id: int, who: str, role: Role) -> int:
    return complete_review(store, audit_id, case_id, who, role, FULL)


def test_a_moderation_decision_without_a_reason_is_refused_by_the_store(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    case = store.audit_cases(audit.id)[0].case
    _completed(store, audit.id, case.id, "ann", "primary")
    _completed(store, audit.id, case.id, "bob", "second")
    moderated = store.start_moderation(audit.id, case.id, "mod")
    before = store.answer_values(moderated.id)
    for reason in (None, "  "):
        with pytest.raises(StoreError, match="needs a reason"):
            store.set_answer(moderated.id, "REC-03", "no", "mod", reason)
    assert store.answer_values(moderated.id) == before
    store.set_answer(moderated.id, "REC-03", "no", "mod", "no link to the 2023 report")
    assert store.answer_values(moderated.id)["REC-03"] == "no"


def test_a_case_keeps_its_second_reviewer(db_path: Path) -> None:
    store = Store.open(db_path)
    audit = seed_store(store)
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    store.assign_second(audit.id, ids[:2], "bob", "lead")
    with pytest.raises(StoreError, match="already has a second reviewer \\(bob\\)"):
        store.assign_second(audit.id, ids[1:3], "cat", "lead")
    store.close()
    # the command picks among the four cases nobody was chosen for: asking for five fails
    too_many = run("--db", str(db_path), "audit", "second", "Test audit", "--reviewer", "cat",
                   "--count", "5")  # fmt: skip
    assert too_many.exit_code == 2
    assert "only 4 cases are neither" in too_many.output
    four = run("--db", str(db_path), "audit", "second", "Test audit", "--reviewer", "cat",
               "--count", "4", "--seed", "1")  # fmt: skip
    assert four.exit_code == 0, four.output
    seconds = {ac.case.id: ac.second_reviewer for ac in Store.open(db_path).audit_cases(audit.id)}
    assert seconds == {**dict.fromkeys(ids[:2], "bob"), **dict.fromkeys(ids[2:], "cat")}


def test_an_events_workbook_has_the_events(db_path: Path, tmp_path: Path) -> None:
    import openpyxl

    store = Store.open(db_path)
    audit = seed_store(store)
    _completed(store, audit.id, store.audit_cases(audit.id)[0].case.id, "ann", "primary")
    n_events = len(store.events(audit_id=audit.id))
    store.close()
    out = tmp_path / "events.xlsx"
    result = run("--db", str(db_path), "export", "events", "--audit", "Test audit",
                 "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out, read_only=True)
    assert "events" in book.sheetnames
    assert book["events"].max_row == n_events + 1  # a header and one row per event


def test_the_audit_trail_export_has_the_audit_level_events(db_path: Path) -> None:
    store = Store.open(db_path)
    audit = seed_store(store)
    first = store.audit_cases(audit.id)[0].case
    store.assign(audit.id, first.id, "ann", "lead")
    store.close()
    chosen = run("--db", str(db_path), "audit", "second", "Test audit", "--reviewer", "bob",
                 "--count", "1", "--seed", "4")  # fmt: skip
    assert chosen.exit_code == 0, chosen.output
    picked = chosen.output.strip().splitlines()[-1].split("\t")[1]  # the case ref printed
    result = run("--db", str(db_path), "export", "events", "--audit", "Test audit")
    assert result.exit_code == 0, result.output
    kinds = {line.split(",")[8]: line for line in result.output.splitlines()[1:] if line.strip()}
    assert set(kinds) == {"audit_created", "assigned", "second_assigned"}
    assert "6 cases, seed 1" in kinds["audit_created"]
    assert f"case {first.case_ref}" in kinds["assigned"] and ",ann," in kinds["assigned"]
    assert f"1 cases (seed 4): {picked}" in kinds["second_assigned"]


def test_a_yes_no_filter_left_blank_means_not_recorded(tmp_path: Path) -> None:
    db = tmp_path / "flags.db"
    pool = tmp_path / "flags.csv"
    pool.write_text("case_ref,force,da_related\nA,F,yes\nB,F,no\nC,F,\n", encoding="utf-8")
    assert run("--db", str(db), "cases", "import", str(pool)).exit_code == 0
    store = Store.open(db)
    refs = {value: [c.case_ref for c in Scope({"da_related": value}).pool(store)]
            for value in ("yes", "N", "")}  # fmt: skip
    assert refs == {"yes": ["A"], "N": ["B"], "": ["C"]}
    # a case column that is not an attribute for strata can still be filtered on
    assert Scope({"case_ref": "B"}).problems(store) == []
    assert Scope({"summary": "x"}).count(store) == 0


def test_an_export_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    from casereview.io.files import replacing

    out = tmp_path / "board.csv"
    out.write_text("last month's", encoding="utf-8")
    with pytest.raises(RuntimeError), replacing(out) as tmp:
        tmp.write_text("half a fil", encoding="utf-8")
        raise RuntimeError("disk full")
    assert out.read_text(encoding="utf-8") == "last month's"
    assert [p.name for p in tmp_path.iterdir()] == ["board.csv"]  # no .part left behind
    with replacing(out) as tmp:
        tmp.write_text("this month's", encoding="utf-8")
    assert out.read_text(encoding="utf-8") == "this month's"
    assert out.stat().st_mode & 0o777 == 0o600  # case data: owner-only, like the database


def test_an_export_reaches_the_disk_before_it_replaces_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from casereview.io.files import replacing

    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append(f"fsync {os.fstat(fd).st_size}")
        real_fsync(fd)

    def replace(src: str | Path, dst: str | Path) -> None:
        calls.append(f"replace {Path(dst).name}")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    with replacing(tmp_path / "board.csv") as tmp:
        tmp.write_text("this month's", encoding="utf-8")
    assert calls == ["fsync 12", "replace board.csv"]  # the 12 bytes synced, then renamed


def test_the_demo_holds_an_earlier_audit_on_the_first_checklist_version(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    assert run("--db", str(db), "demo", "--no-tui").exit_code == 0
    listed = run("--db", str(db), "audit", "list")
    assert listed.exit_code == 0, listed.output
    # the newest first; columns as wide as the longest entry ("Northmoor stalking dip sample
    # 2024" is 34 characters, "stalking-casefile@1.0" 21, the period "2024-01..2024-03" 16)
    lines = listed.stdout.splitlines()
    assert lines[0] == f"{'audit':34} {'checklist':21} {'period':16} cases  done  open"
    first = f"{'Northmoor self-audit Q1 2024':34} {'stalking-casefile@1.0':21}"
    assert lines[2] == first + f" {'2024-01..2024-03':16}    10    10     0"
    current = f"{'Northmoor stalking dip sample 2024':34} {'stalking-casefile@3.0':21}"
    assert lines[1] == current + f" {'2024':16}    20     5     1"
    store = Store.open(db)
    earlier = store.audit_named("Northmoor self-audit Q1 2024")
    assert earlier.scope["from"] == "2024-01-01" and earlier.scope["to"] == "2024-03-31"
    store.close()
