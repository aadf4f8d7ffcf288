"""The palette's middle match needs trigram FTS5 (SQLite 3.34+, FTS5 built in). Without it
a file still opens, samples and finds cases by the start of their reference; a file carried
between machines with and without it keeps working on both."""

from __future__ import annotations

from pathlib import Path

import pytest

from casereview.io.imports.cases import read_case_file
from casereview.store import Store, sampled_refs
from tests.factories import MINI

REFS = ("NM/24/01234", "NM/24/05678", "XY/23/09999")


def pool(tmp_path: Path) -> tuple[Store, int, dict[str, int]]:
    csv = tmp_path / "pool.csv"
    csv.write_text(
        "case_ref,force\n" + "".join(f"{ref},Northmoor\n" for ref in REFS), encoding="utf-8"
    )
    store = Store.open(tmp_path / "p.db")
    checklist = store.add_checklist(MINI.read_text(), str(MINI)).pk
    store.insert_case_rows(read_case_file(csv).rows)
    return store, checklist, {c.case_ref: c.id for c in store.cases()}


def found(store: Store, query: str) -> list[str]:
    return [hit[3] for hit in store.find_sampled_cases(query, 20)]


def schema_names(store: Store) -> set[str]:
    return {r[0] for r in store.db.execute("SELECT name FROM sqlite_master")}


def test_without_trigram_fts5_a_file_opens_samples_and_matches_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sampled_refs, "trigram_available", lambda db: False)
    store, checklist, ids = pool(tmp_path)
    store.create_audit("A", checklist, [ids["NM/24/01234"]], "lead", seed=1)
    assert not schema_names(store) & {"sampled_refs", sampled_refs.SAMPLED_REFS_TRIGGER}
    assert found(store, "NM/24/0") == ["NM/24/01234"]  # the start, through the index
    assert found(store, "01234") == []  # no middle match here, and no error


def test_a_file_carried_to_an_sqlite_without_it_and_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, checklist, ids = pool(tmp_path)
    store.create_audit("A", checklist, [ids["NM/24/01234"]], "lead", seed=1)
    assert found(store, "01234") == ["NM/24/01234"]
    store.close()
    # opened where trigram FTS5 is missing: its trigger would refuse every new sample
    monkeypatch.setattr(sampled_refs, "trigram_available", lambda db: False)
    store = Store.open(tmp_path / "p.db")
    assert sampled_refs.SAMPLED_REFS_TRIGGER not in schema_names(store)
    store.create_audit("B", checklist, [ids["NM/24/05678"]], "lead", seed=1)
    assert found(store, "05678") == []
    store.close()
    # and back: the index is made whole again, the case sampled meanwhile included
    monkeypatch.undo()
    store = Store.open(tmp_path / "p.db")
    assert sampled_refs.SAMPLED_REFS_TRIGGER in schema_names(store)
    assert found(store, "05678") == ["NM/24/05678"]
    assert found(store, "24/0") == ["NM/24/01234", "NM/24/05678"]
    store.create_audit("C", checklist, [ids["XY/23/09999"]], "lead", seed=1)
    assert found(store, "09999") == ["XY/23/09999"]  # the trigger works again
