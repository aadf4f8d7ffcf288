"""Bundles carry the action plan of the forces of their audit's sample, and its trail: merged
by identity (UUID) as reviews are, an action changed on both sides to different values a
listed conflict (issue 28, item 6)."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.core.plans import DraftAction, DraftRecommendation
from casereview.demo.plan import PLAN
from casereview.io.bundles.archive import SEAL_PREFIX, seal_file
from casereview.store import Store
from tests.factories import seed_store
from tests.unit.bundles.bundle_edits import as_lines, dump

FORCE = "Testshire"  # the force of the fixture cases


def cli(db: Path, *args: str, who: str = "lead") -> Result:
    return CliRunner().invoke(main, ["--db", str(db), "--reviewer", who, *args])


def export(db: Path, path: Path) -> Path:
    result = cli(db, "bundle", "export", "--audit", "Test audit", "--out", str(path), "--plain")
    assert result.exit_code == 0, result.output
    return path


def imported(db: Path, path: Path, *more: str) -> Result:
    return cli(db, "bundle", "import", str(path), "--trust-once", *more)


@pytest.fixture
def central(tmp_path: Path) -> Path:
    """The audit of the six Testshire cases, the demo's plan for Testshire (four
    recommendations, three actions), R3.1 edited once, and another force's plan."""
    path = tmp_path / "central.db"
    store = Store.open(path)
    seed_store(store)
    store.import_plan(FORCE, PLAN, "lead", "plan.csv")
    store.update_action(FORCE, "R3.1", {"owner": "dc.shaw"}, "lead")
    store.import_plan(
        "Elsewhere", (DraftRecommendation("R1", "Not this audit's", actions=()),), "lead", "x"
    )
    store.close()
    return path


def plan_rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every plan row and plan event, by identity (no database ids), in a stable order."""
    conn = sqlite3.connect(db)
    try:
        return {
            "plans": conn.execute(
                "SELECT uuid, force, created_by, created_at FROM plans ORDER BY uuid"
            ).fetchall(),
            "recommendations": conn.execute(
                "SELECT r.uuid, p.uuid, r.ref, r.text, r.tag, r.position FROM"
                " plan_recommendations r JOIN plans p ON p.id = r.plan_id ORDER BY r.uuid"
            ).fetchall(),
            "actions": conn.execute(
                "SELECT a.uuid, r.uuid, a.ref, a.text, a.owner, a.due, a.status, a.reason,"
                " a.questions, a.tags, a.updated_by, a.updated_at FROM plan_actions a"
                " JOIN plan_recommendations r ON r.id = a.recommendation_id ORDER BY a.uuid"
            ).fetchall(),
            "events": conn.execute(
                "SELECT e.uuid, p.uuid, e.plan_item, e.kind, e.old, e.new, e.reason, e.actor,"
                " e.at FROM events e JOIN plans p ON p.id = e.plan_id ORDER BY e.uuid"
            ).fetchall(),
        }
    finally:
        conn.close()


def without(
    rows: dict[str, list[tuple[object, ...]]], force: str
) -> dict[str, list[tuple[object, ...]]]:
    """`rows` less the plan of `force` (and its parts)."""
    (gone,) = [p[0] for p in rows["plans"] if p[1] == force]
    return {
        "plans": [p for p in rows["plans"] if p[0] != gone],
        "recommendations": [r for r in rows["recommendations"] if r[1] != gone],
        "actions": [
            a
            for a in rows["actions"]
            if a[1] in {r[0] for r in rows["recommendations"] if r[1] != gone}
        ],
        "events": [e for e in rows["events"] if e[1] != gone],
    }


def plans_member(path: Path) -> list[dict[str, Any]]:
    with zipfile.ZipFile(path) as zf:
        return [json.loads(line) for line in zf.read("plans.jsonl").splitlines()]


def rewritten(path: Path, out: Path, members: dict[str, bytes | None]) -> Path:
    """The bundle at `path` with these members replaced (None: left out), resealed: the
    seal has no key, so anyone can do this."""
    with zipfile.ZipFile(path) as zf:
        kept = {name: zf.read(name) for name in zf.namelist()}
    for name, data in members.items():
        if data is None:
            kept.pop(name, None)
        else:
            kept[name] = data
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.comment = SEAL_PREFIX + b"0" * 64
        for name, data in kept.items():
            zf.writestr(name, data)
    seal_file(out)
    return out


def held(db: Path) -> tuple[object, ...]:
    """What the database holds, and the file's size: a merge that writes nothing leaves
    all three as they were."""
    return plan_rows(db), dump(db), db.stat().st_size


def action(db: Path, ref: str) -> tuple[object, ...]:
    conn = sqlite3.connect(db)
    try:
        row = conn.execute(
            "SELECT owner, status, due, updated_by FROM plan_actions WHERE ref = ?", [ref]
        ).fetchone()
        assert row is not None
        return tuple(row)
    finally:
        conn.close()


def diverged(tmp_path: Path, central: Path) -> Path:
    """A laptop that took central's bundle (so both hold the same plan and trail)."""
    laptop = tmp_path / "laptop.db"
    result = imported(laptop, export(central, tmp_path / "first.zip"))
    assert result.exit_code == 0, result.output
    return laptop


def edit(db: Path, ref: str, changes: dict[str, object], who: str) -> None:
    store = Store.open(db)
    try:
        assert store.update_action(FORCE, ref, changes, who)
    finally:
        store.close()


# ----------------------------------------------------------------------------- export


def test_export_carries_the_plan_of_the_samples_force_with_its_trail(
    tmp_path: Path, central: Path
) -> None:
    """plans.jsonl: one line, Testshire's (Elsewhere has no case in the sample), with its
    four recommendations, three actions and every event of its trail; listed in the
    manifest with its hash and line count like every member."""
    path = tmp_path / "b.zip"
    result = cli(central, "bundle", "export", "--audit", "Test audit", "--out", str(path),
                 "--plain")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "events, the action plan of 1 force(s)" in result.output
    (line,) = plans_member(path)
    assert line["force"] == FORCE
    assert [r["ref"] for r in line["recommendations"]] == ["R1", "R2", "R3", "R4"]
    actions = {a["ref"]: a for a in line["actions"]}
    assert sorted(actions) == ["R1.1", "R2.1", "R3.1"]
    assert actions["R3.1"]["owner"] == "dc.shaw" and actions["R1.1"]["tags"] == ["identification"]
    # the trail: imported, 4 recommendations added, 3 actions added, R3.1's owner changed
    kinds = [e["kind"] for e in line["events"]]
    assert kinds == ["plan_imported"] + ["recommendation_added", "action_added"] * 3 + [
        "recommendation_added",
        "action_owner",
    ]
    with zipfile.ZipFile(path) as zf:
        entry = json.loads(zf.read("manifest.json"))["files"]["plans.jsonl"]
    assert entry["lines"] == 1 and len(entry["sha256"]) == 64


# ----------------------------------------------------------------------------- import


def test_round_trip_gives_the_same_plan_rows_and_events(tmp_path: Path, central: Path) -> None:
    laptop = tmp_path / "laptop.db"
    result = imported(laptop, export(central, tmp_path / "b.zip"))
    assert result.exit_code == 0, result.output
    assert "action plan of Testshire, new to this database: 4 recommendation(s), 3 action(s)" in (
        result.output
    )
    assert plan_rows(laptop) == without(plan_rows(central), "Elsewhere")


def test_a_dry_run_says_what_the_plan_would_add_and_writes_nothing(
    tmp_path: Path, central: Path
) -> None:
    laptop = tmp_path / "laptop.db"
    result = imported(laptop, export(central, tmp_path / "b.zip"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would add:" in result.output
    assert "action plan of Testshire, new to this database: 4 recommendation(s), 3 action(s)" in (
        result.output
    )
    assert not laptop.exists()
    # and into a database that holds the audit already, only the plan's change is listed
    laptop = diverged(tmp_path, central)
    edit(central, "R3.1", {"status": "done"}, "lead")
    before = held(laptop)
    result = imported(laptop, export(central, tmp_path / "c.zip"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "action plan of Testshire: 1 action(s) updated (R3.1 status)" in result.output
    assert held(laptop) == before


def test_a_re_import_adds_nothing_and_writes_nothing(tmp_path: Path, central: Path) -> None:
    path = export(central, tmp_path / "b.zip")
    laptop = diverged(tmp_path, central)
    before = held(laptop)
    again = imported(laptop, path)
    assert again.exit_code == 0, again.output
    assert "nothing to add" in again.output
    assert held(laptop) == before


def test_an_action_changed_on_one_side_only_merges(tmp_path: Path, central: Path) -> None:
    """The laptop marks R3.1 done; central, which did not touch it since, takes the change
    and its event; central's own later change to R1.1 (another action) is kept."""
    laptop = diverged(tmp_path, central)
    edit(laptop, "R3.1", {"status": "done"}, "ann")
    edit(central, "R1.1", {"owner": "insp.rao"}, "lead")
    result = imported(central, export(laptop, tmp_path / "back.zip"))
    assert result.exit_code == 0, result.output
    assert "action plan of Testshire: 1 action(s) updated (R3.1 status)" in result.output
    assert action(central, "R3.1") == ("dc.shaw", "done", "2025-03-31", "ann")
    assert action(central, "R1.1")[0] == "insp.rao"
    kinds = [(e[2], e[3], e[5]) for e in plan_rows(central)["events"]]
    assert ("R3.1", "action_status", "done") in kinds
    # and back: the laptop takes central's R1.1 change, and then both hold the same
    back = imported(laptop, export(central, tmp_path / "again.zip"))
    assert back.exit_code == 0, back.output
    assert plan_rows(laptop) == without(plan_rows(central), "Elsewhere")


def test_an_action_added_on_the_laptop_is_added_with_its_event(
    tmp_path: Path, central: Path
) -> None:
    laptop = diverged(tmp_path, central)
    store = Store.open(laptop)
    store.add_action(FORCE, "R4", DraftAction("Advocate on call", owner="ann"), "ann", "drafted")
    store.close()
    result = imported(central, export(laptop, tmp_path / "back.zip"))
    assert result.exit_code == 0, result.output
    assert "action plan of Testshire: 1 new action(s)" in result.output
    assert action(central, "R4.1")[:2] == ("ann", "planned")


def test_an_action_changed_on_both_sides_is_a_listed_conflict_and_nothing_is_written(
    tmp_path: Path, central: Path
) -> None:
    laptop = diverged(tmp_path, central)
    edit(laptop, "R3.1", {"owner": "dc.morgan"}, "ann")
    edit(central, "R3.1", {"owner": "supt.hale"}, "lead")
    path = export(laptop, tmp_path / "back.zip")
    before = held(central)
    result = imported(central, path)
    assert result.exit_code == 2, result.output
    assert "conflicts with this database in 1 place(s); nothing was imported" in result.output
    assert (
        "Testshire plan R3.1 owner: this database supt.hale (by lead at " in result.output
        and "; the bundle dc.morgan (by ann at " in result.output
    )
    assert held(central) == before


def test_the_same_change_on_both_sides_is_no_conflict(tmp_path: Path, central: Path) -> None:
    laptop = diverged(tmp_path, central)
    edit(laptop, "R3.1", {"status": "done"}, "ann")
    edit(central, "R3.1", {"status": "done"}, "lead")
    result = imported(central, export(laptop, tmp_path / "back.zip"))
    assert result.exit_code == 0, result.output
    assert action(central, "R3.1")[1] == "done"
    statuses = [e for e in plan_rows(central)["events"] if e[3] == "action_status"]
    assert len(statuses) == 2  # both sides' events kept in the trail


@pytest.mark.parametrize(("side", "owner"), [("bundle", "dc.morgan"), ("database", "supt.hale")])
def test_settle_chooses_the_side_and_keeps_both_trails(
    tmp_path: Path, central: Path, side: str, owner: str
) -> None:
    """--settle (bundle import's answer to a conflict, as for reviews): the chosen side's
    value stands, both sides' events stay, and one more event records the settling, so the
    trail read in order ends at the value that stands."""
    laptop = diverged(tmp_path, central)
    edit(laptop, "R3.1", {"owner": "dc.morgan"}, "ann")
    edit(central, "R3.1", {"owner": "supt.hale"}, "lead")
    result = imported(central, export(laptop, tmp_path / "back.zip"), "--settle", side)
    assert result.exit_code == 0, result.output
    assert action(central, "R3.1")[0] == owner
    store = Store.open(central)
    owners = [e for e in store.plan_events(FORCE) if e.kind == "action_owner"]
    store.close()
    news = [e.new for e in owners]
    assert news[:2] == ["dc.shaw", "supt.hale"] and "dc.morgan" in news
    assert owners[-1].new == owner and owners[-1].reason is not None
    assert "settled on import" in owners[-1].reason


def test_a_plan_imported_separately_on_each_side_is_a_conflict(
    tmp_path: Path, central: Path
) -> None:
    laptop = tmp_path / "laptop.db"
    store = Store.open(laptop)
    store.import_plan(FORCE, PLAN[:1], "ann", "own.csv")
    store.close()
    before = plan_rows(laptop)
    result = imported(laptop, export(central, tmp_path / "b.zip"))
    assert result.exit_code == 2, result.output
    assert "Testshire plan: two action plans of one force" in result.output
    assert plan_rows(laptop) == before


@pytest.mark.parametrize("side", ["bundle", "database"])
def test_two_plans_of_one_force_are_settled_whole(tmp_path: Path, central: Path, side: str) -> None:
    """--settle bundle puts the bundle's plan in place of the laptop's own (its identity and
    rows; both trails kept, one more event saying so), after which the two copies are one
    plan and merge item by item; --settle database keeps the laptop's and leaves the
    bundle's rows out."""
    laptop = tmp_path / "laptop.db"
    store = Store.open(laptop)
    store.import_plan(FORCE, PLAN[:1], "ann", "own.csv")
    store.close()
    own = plan_rows(laptop)
    result = imported(laptop, export(central, tmp_path / "b.zip"), "--settle", side)
    assert result.exit_code == 0, result.output
    rows, theirs = plan_rows(laptop), without(plan_rows(central), "Elsewhere")
    if side == "database":
        assert "kept this database's plan" in result.output
        assert rows == own
        return
    assert "took the bundle's plan" in result.output
    assert {k: rows[k] for k in ("plans", "recommendations", "actions")} == {
        k: theirs[k] for k in ("plans", "recommendations", "actions")
    }
    kept = {e[0] for e in rows["events"]}
    assert kept >= {e[0] for e in own["events"]} | {e[0] for e in theirs["events"]}
    both = {e[0] for e in own["events"] + theirs["events"]}
    assert [e[3] for e in rows["events"] if e[0] not in both] == ["plan_replaced"]
    edit(central, "R3.1", {"status": "done"}, "lead")  # now one plan: merged item by item
    again = imported(laptop, export(central, tmp_path / "c.zip"))
    assert again.exit_code == 0, again.output
    assert "action plan of Testshire: 1 action(s) updated (R3.1 status)" in again.output


def replace_plan(db: Path) -> None:
    """`plan import --replace` on this side: R1 and R2 only, R2.1 now done by dc.kerr."""
    store = Store.open(db)
    r2 = PLAN[1]
    plan = (PLAN[0], DraftRecommendation(r2.ref, r2.text, actions=(DraftAction(
        r2.actions[0].text, owner="dc.kerr", due="2024-11-30", status="done"),)))  # fmt: skip
    store.import_plan(FORCE, plan, "lead", "new-plan.csv", replace=True)
    store.close()


def test_a_plan_replaced_on_one_side_replaces_it_on_the_other_and_keeps_the_trail(
    tmp_path: Path, central: Path
) -> None:
    """`plan import --replace` at the office: the laptop that took the old plan takes the
    new one (the old rows go, every event of both stays), and the laptop's bundle then adds
    no plan row back at the office (its old rows are the ones the replace removed)."""
    laptop = diverged(tmp_path, central)
    replace_plan(central)
    result = imported(laptop, export(central, tmp_path / "new.zip"))
    assert result.exit_code == 0, result.output
    # every old row goes (the demo plan's 4 recommendations and 3 actions), 2 and 2 come
    assert "2 new recommendation(s), 2 new action(s), replaced as in the bundle (4 " in (
        result.output
    )
    assert plan_rows(laptop) == without(plan_rows(central), "Elsewhere")
    kinds = [e[3] for e in plan_rows(laptop)["events"]]
    assert "plan_replaced" in kinds and "action_owner" in kinds  # the old plan's trail too
    assert action(laptop, "R2.1")[0] == "dc.kerr"
    before = plan_rows(central)
    back = imported(central, export(laptop, tmp_path / "back.zip"))
    assert back.exit_code == 0, back.output
    assert "action plan" not in back.output and plan_rows(central) == before


def test_a_change_to_an_action_the_other_side_replaced_is_a_listed_conflict(
    tmp_path: Path, central: Path
) -> None:
    laptop = diverged(tmp_path, central)
    edit(laptop, "R3.1", {"status": "done"}, "ann")
    replace_plan(central)
    before = held(central)
    result = imported(central, export(laptop, tmp_path / "back.zip"))
    assert result.exit_code == 2, result.output
    assert (
        "Testshire plan R3.1: changed in the bundle since they last met, and the plan replaced"
        in result.output
    )
    assert held(central) == before


# ----------------------------------------------------------------------------- the envelope


def test_a_tampered_plans_member_fails_its_manifest_entry(tmp_path: Path, central: Path) -> None:
    path = export(central, tmp_path / "b.zip")
    with zipfile.ZipFile(path) as zf:
        member = zf.read("plans.jsonl")
    forged = rewritten(
        path, tmp_path / "forged.zip", {"plans.jsonl": member.replace(b"dc.shaw", b"dc.evil")}
    )
    laptop = tmp_path / "laptop.db"
    result = imported(laptop, forged)
    assert result.exit_code == 2, result.output
    assert "plans.jsonl does not match its manifest entry" in result.output
    assert not laptop.exists()


def test_a_plans_member_left_out_of_a_signed_manifest_fails_the_signature(
    tmp_path: Path, central: Path
) -> None:
    """The manifest edited to match a forged member no longer verifies (the signature is
    over the manifest's bytes)."""
    path = export(central, tmp_path / "b.zip")
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    del manifest["files"]["plans.jsonl"]
    forged = rewritten(
        path,
        tmp_path / "forged.zip",
        {"plans.jsonl": None, "manifest.json": json.dumps(manifest, sort_keys=True).encode()},
    )
    result = imported(tmp_path / "laptop.db", forged)
    assert result.exit_code == 2, result.output
    assert "signature" in result.output


def test_a_plans_member_the_manifest_does_not_list_is_refused(
    tmp_path: Path, central: Path
) -> None:
    """A member added to an unsigned bundle without a manifest entry is not silently left
    unread: the file is refused."""
    store = Store.open(central)
    content, text = store.bundle_content(store.audit_named("Test audit").id, None, "lead")
    store.close()
    old = as_lines(tmp_path / "old.zip", content, text)
    line = json.dumps(plans_member(export(central, tmp_path / "b.zip"))[0]).encode() + b"\n"
    forged = rewritten(old, tmp_path / "forged.zip", {"plans.jsonl": line})
    result = imported(tmp_path / "laptop.db", forged)
    assert result.exit_code == 2, result.output
    assert "plans.jsonl is not in its manifest" in result.output


def test_a_format_3_bundle_without_the_member_imports_as_before(
    tmp_path: Path, central: Path
) -> None:
    """A bundle written before plans travelled (no plans.jsonl) imports: its audit and
    reviews arrive, no plan does."""
    store = Store.open(central)
    content, text = store.bundle_content(store.audit_named("Test audit").id, None, "lead")
    store.close()
    old = as_lines(tmp_path / "old.zip", content, text)
    with zipfile.ZipFile(old) as zf:
        assert "plans.jsonl" not in zf.namelist()
    laptop = tmp_path / "laptop.db"
    result = imported(laptop, old)
    assert result.exit_code == 0, result.output
    assert plan_rows(laptop)["plans"] == []
    assert "Test audit" in [a.name for a in Store.open(laptop).audits()]


def test_a_plan_line_of_the_wrong_shape_is_refused_by_its_place(
    tmp_path: Path, central: Path
) -> None:
    """An action with a status casereview does not have, in a bundle resealed and its
    manifest made to match (unsigned): refused, named by line and field, nothing written."""
    path = export(central, tmp_path / "b.zip")
    (line,) = plans_member(path)
    line["actions"][0]["status"] = "finished"
    data = json.dumps(line).encode() + b"\n"
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    import hashlib

    manifest["files"]["plans.jsonl"] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "lines": 1,
    }
    forged = rewritten(
        path,
        tmp_path / "forged.zip",
        {
            "plans.jsonl": data,
            "signature.json": None,
            "manifest.json": json.dumps(manifest, sort_keys=True).encode(),
        },
    )
    laptop = tmp_path / "laptop.db"
    result = imported(laptop, forged)
    assert result.exit_code == 2, result.output
    assert "plans.jsonl: plans.0.actions.0.status: Input should be 'planned'" in result.output
    assert not laptop.exists()


def test_a_plans_member_larger_than_its_cap_is_refused_before_it_is_read(
    tmp_path: Path, central: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The member is bounded like every member: its manifest size over the cap refuses the
    bundle, nothing written."""
    from casereview.io.bundles import stream

    path = export(central, tmp_path / "b.zip")
    monkeypatch.setitem(stream.MEMBER_CAP, "plans.jsonl", 100)
    laptop = tmp_path / "laptop.db"
    result = imported(laptop, path)
    assert result.exit_code == 2, result.output
    assert "plans.jsonl as" in result.output and "more than this casereview reads" in result.output
    assert not laptop.exists()
