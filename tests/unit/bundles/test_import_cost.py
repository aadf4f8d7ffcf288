"""What a format-3 import costs, held so it cannot silently come back (issue 32, item 1):
the shipped checklists' YAML parsed at most once each per import, and a bundle imported
again decided from its lines' digests, without parsing a line the database holds exactly,
but never from a digest the database has changed since."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from casereview.core.checklist import loading
from casereview.store import Store
from casereview.store.shipped import shipped_checklists
from tests.unit.bundles.bundle_edits import dump, ids
from tests.unit.bundles.test_stream import central, export, imported

__all__ = ["central"]  # the fixture, shared with test_stream


def test_an_import_into_a_new_file_parses_each_checklist_at_most_once(
    tmp_path: Path, central: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into a new file the shipped checklists are stored and the audit's checklist is read:
    each text goes through the YAML reader at most once (it was read three times a parse,
    and parsed again to store it and again to read it back: about half the import)."""
    path = export(central, tmp_path / "b.zip")
    getattr(loading, "_PARSED", {}).clear()  # nothing parsed yet in this process
    reads: Counter[str] = Counter()
    # (every YAML text casereview reads goes through read_yaml, by libyaml or by the pure
    # composer, whose Reader each text passed three times a parse before)
    original = loading.read_yaml

    def counted(text: str, *args: Any, **kwargs: Any) -> Any:
        reads[text] += 1
        return original(text, *args, **kwargs)

    monkeypatch.setattr(loading, "read_yaml", counted)
    result = imported(tmp_path / "laptop.db", path)
    assert result.exit_code == 0, result.output
    shipped = [p.read_text(encoding="utf-8") for p in shipped_checklists()]
    assert all(reads[text] == 1 for text in shipped), [reads[text] for text in shipped]
    assert max(reads.values()) == 1


def parsed_lines(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The reviews.jsonl lines an import parses, by number, from now on."""
    from casereview.io.bundles.stream import Streamed

    seen: list[int] = []
    original = Streamed._json

    def counted(self: Streamed, where: str, data: bytes) -> object:
        if where.startswith("reviews.jsonl"):
            seen.append(int(where.rsplit(".", 1)[1]))
        return original(self, where, data)

    monkeypatch.setattr(Streamed, "_json", counted)
    return seen


def test_a_bundle_imported_again_is_decided_from_its_lines_hashes(
    tmp_path: Path, central: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first import records, for each review, the digest of the line the database now
    holds exactly; the second finds every line's digest recorded and parses none of the
    nine (it parsed and compared all nine with the database's rows)."""
    path = export(central, tmp_path / "b.zip")
    laptop = tmp_path / "laptop.db"
    assert imported(laptop, path).exit_code == 0
    before = dump(laptop)
    seen = parsed_lines(monkeypatch)
    result = imported(laptop, path)
    assert result.exit_code == 0, result.output
    assert "nothing to add; this database already holds all it has" in result.stderr
    assert seen == [] and dump(laptop) == before


def line_of(bundle: Path) -> dict[str, int]:
    """Each review's line number in the bundle's reviews.jsonl, by uuid."""
    with zipfile.ZipFile(bundle) as zf:
        lines = zf.read("reviews.jsonl").decode().splitlines()
    return {json.loads(line)["uuid"]: n for n, line in enumerate(lines)}


def recorded(db: Path, review_id: int) -> bool:
    conn = sqlite3.connect(db)
    found = conn.execute("SELECT 1 FROM review_line_hashes WHERE review_id = ?", [review_id])
    return found.fetchone() is not None


def test_a_review_changed_after_the_import_is_compared_again(
    tmp_path: Path, central: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the first import the laptop changes one review through the app (a new answer:
    new events), and another behind its back (an answer's value set in SQL, no event): each
    time the review's recorded digest is dropped, so the same bundle imported again parses
    and compares that review's line, and only the changed ones, with what the database holds
    now. The bundle's copies are behind (their events are all held): nothing is added and
    the laptop's answers stay. A digest taken as proof after the change would have skipped
    the line unseen."""
    path = export(central, tmp_path / "b.zip")
    lines = line_of(path)
    laptop = tmp_path / "laptop.db"
    assert imported(laptop, path).exit_code == 0
    store = Store.open(laptop)
    [audit] = store.audits()
    [review] = [
        r
        for r in store.reviews_of_case(audit.id, ids(store)["T/1@Testshire"])
        if r.role == "primary"
    ]
    [other] = [
        r
        for r in store.reviews_of_case(audit.id, ids(store)["T/2@Testshire"])
        if r.role == "primary"
    ]
    assert recorded(laptop, review.id) and recorded(laptop, other.id)
    store.reopen_review(review.id, review.reviewer, "a second look")
    store.set_answer(review.id, "REC-03", "no", review.reviewer)
    store.complete_review(review.id, review.reviewer)
    uuid_of = "SELECT uuid FROM reviews WHERE id = ?"
    [(uuid,)], [(other_uuid,)] = (store.conn.execute(uuid_of, [r.id]) for r in (review, other))
    store.close()
    assert not recorded(laptop, review.id) and recorded(laptop, other.id)

    seen = parsed_lines(monkeypatch)
    result = imported(laptop, path)
    assert result.exit_code == 0, result.output
    assert "nothing to add" in result.stderr
    assert seen == [lines[uuid]]
    answer = "SELECT value FROM answers WHERE review_id = ? AND question_id = ?"
    assert sqlite3.connect(laptop).execute(answer, [review.id, "REC-03"]).fetchone() == ("no",)

    conn = sqlite3.connect(laptop)
    conn.execute(
        "UPDATE answers SET value = 'partly' WHERE review_id = ? AND question_id = 'REC-01'",
        [other.id],
    )
    conn.commit()
    conn.close()
    assert not recorded(laptop, other.id)
    seen.clear()
    result = imported(laptop, path)
    assert result.exit_code == 0, result.output
    assert "nothing to add" in result.stderr
    assert sorted(seen) == sorted([lines[uuid], lines[other_uuid]])
    assert sqlite3.connect(laptop).execute(answer, [other.id, "REC-01"]).fetchone() == ("partly",)


def test_plain_names_are_checked_for_hidden_characters_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A batch whose every name is plain printable ASCII (the usual case) is passed by one
    check over them all, not one call per name (a third of the bundle rules' time); one
    name with a zero-width space among them is still refused, by its place."""
    from casereview.core.bundles import names

    calls: list[str] = []
    original = names.hidden_character

    def counted(what: str, text: str) -> str | None:
        calls.append(what)
        return original(what, text)

    monkeypatch.setattr(names, "hidden_character", counted)
    answers = [{"question_id": f"Q-{n}", "updated_by": "ann"} for n in range(50)]
    review = {"force": "Testshire", "case_ref": "T/1", "reviewer": "ann", "answers": answers}
    content = {
        "audit": {"name": "Test audit"},
        "cases": [{"case_ref": "T/1", "force": "Testshire", "assigned_to": "ann",
                   "second_reviewer": None}],
        "reviews": [review],
        "events": [{"actor": "ann", "question_id": "Q-1", "kind": "answer"}] * 50,
    }  # fmt: skip
    assert names.invisible_problems(content) == []
    assert calls == ["the audit name"]
    answers[7]["updated_by"] = "an\u200bn"
    calls.clear()
    [problem] = names.invisible_problems(content)
    assert problem.startswith("bundle.json: reviews.0.answers.7.updated_by: updated_by has")
    assert "U+200B ZERO WIDTH SPACE" in problem


def test_a_digest_passes_over_a_review_given_an_answer_or_an_event_behind_its_back(
    tmp_path: Path, central: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No trigger fires for each answer and event inserted (a bulk import paid one trigger
    program a row); instead a digest counts only while its review's last event and number
    of answers are as recorded. An answer added in SQL to one review, and an event to
    another, each without touching the review: the same bundle imported again parses those
    two lines, and only them, and adds nothing."""
    path = export(central, tmp_path / "b.zip")
    lines = line_of(path)
    laptop = tmp_path / "laptop.db"
    assert imported(laptop, path).exit_code == 0
    conn = sqlite3.connect(laptop)
    triggers = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert not triggers & {"review_line_hashes_answer_insert", "review_line_hashes_event_insert"}
    (one, one_uuid), (two, two_uuid) = conn.execute(
        "SELECT r.id, r.uuid FROM reviews r JOIN cases c ON c.id = r.case_id"
        " WHERE r.role = 'primary' AND c.force = 'Testshire' AND c.case_ref IN ('T/1', 'T/2')"
        " ORDER BY c.case_ref"
    ).fetchall()
    conn.execute(
        "INSERT INTO answers (review_id, question_id, value, note, updated_by, updated_at)"
        " VALUES (?, 'EXTRA-1', 'yes', '', 'mallory', '2024-01-01T00:00:00')",
        [one],
    )
    conn.execute(
        "INSERT INTO events (review_id, question_id, kind, old, new, reason, actor, at)"
        " VALUES (?, 'REC-01', 'note', NULL, 'seen', NULL, 'mallory', '2024-01-01T00:00:00')",
        [two],
    )
    conn.commit()
    conn.close()
    seen = parsed_lines(monkeypatch)
    result = imported(laptop, path)
    assert result.exit_code == 0, result.output
    assert "nothing to add" in result.stderr
    assert sorted(seen) == sorted([lines[one_uuid], lines[two_uuid]])
