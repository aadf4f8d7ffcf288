"""Checklist versions side by side: `replaces`, its refusals, and `checklist diff`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from casereview.cli import main
from casereview.core.checklist.loading import ChecklistError, parse_checklist

V1 = """\
id: t
version: "1"
title: T
concerns: {c: C}
sections:
  - id: s
    title: S
    questions:
      - id: A-01
        text: Was a crime recorded?
        answers: [yes, no]
      - id: A-02
        text: Was it recorded promptly?
        guidance: Soon.
      - id: A-03
        text: Did the victim withdraw?
        answers: [yes, no]
      - id: A-04
        text: Was an old thing done?
        answers: [yes, no]
        show_if: {question: A-03, in: [yes]}
"""

V2 = """\
id: t
version: "2"
title: T
concerns: {c: C}
sections:
  - id: s
    title: S
    questions:
      - id: A-01
        text: Was a crime recorded?
        answers: [yes, no, na]
        critical: true
      - id: A-05
        text: Was it recorded within 24 hours?
        replaces: A-02
        guidance: Within 24 hours of the report.
      - id: A-03
        text: Did the victim withdraw?
        answers: [yes, no]
        scored: false
        concerns: [c]
  - id: u
    title: U
    questions:
      - id: B-01
        text: Was a new check done?
        answers: [yes, no]
"""

# Worked out from the two files above, not from the code.
EXPECTED = [
    "--- t@1",
    "+++ t@2",
    "changed   A-01  answers: yes, no -> yes, no, na",
    "changed   A-01  critical: false -> true",
    "replaced  A-02 -> A-05  Was it recorded within 24 hours?",
    "changed   A-05 (was A-02)  text: Was it recorded promptly? -> Was it recorded within "
    "24 hours?",
    "changed   A-05 (was A-02)  guidance reworded",
    "changed   A-03  scored: true -> false",
    "changed   A-03  tags: (none) -> concerns c",
    "added     B-01  Was a new check done?",
    "removed   A-04  Was an old thing done?",
]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "v1.yaml", tmp_path / "v2.yaml"
    old.write_text(V1, encoding="utf-8")
    new.write_text(V2, encoding="utf-8")
    return old, new


def test_diff_of_two_files(files: tuple[Path, Path]) -> None:
    result = CliRunner().invoke(main, ["checklist", "diff", str(files[0]), str(files[1])])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == EXPECTED


def test_diff_of_two_stored_versions(files: tuple[Path, Path], tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    runner = CliRunner()
    for f in files:
        assert runner.invoke(main, ["--db", db, "checklist", "add", str(f)]).exit_code == 0
    result = runner.invoke(main, ["--db", db, "checklist", "diff", "t@1", "t@2"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == EXPECTED


def test_a_version_against_itself_has_no_differences(files: tuple[Path, Path]) -> None:
    result = CliRunner().invoke(main, ["checklist", "diff", str(files[0]), str(files[0])])
    assert result.stdout.splitlines() == ["--- t@1", "+++ t@1", "no differences in the questions"]


def test_diff_names_a_missing_version(files: tuple[Path, Path], tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    CliRunner().invoke(main, ["--db", db, "checklist", "add", str(files[0])])
    result = CliRunner().invoke(main, ["--db", db, "checklist", "diff", "t@1", "t@9"])
    assert result.exit_code == 2
    assert "no checklist 't@9'" in result.stderr


def test_replaces_is_read() -> None:
    assert parse_checklist(V2, "v2.yaml").question("A-05").replaces == "A-02"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "      - id: A-06\n        text: Another?\n        replaces: A-02\n",
            "v2.yaml:24: question A-06: replaces 'A-02', which A-05 already replaces; an "
            "earlier question is continued by one question at most",
        ),
        (
            "      - id: A-06\n        text: Another?\n        replaces: A-01\n",
            "v2.yaml:24: question A-06: replaces 'A-01', which is a question of this version "
            "too; figures could not tell the two apart",
        ),
    ],
    ids=["twice", "an-id-of-this-version"],
)
def test_replaces_refusals(extra: str, message: str) -> None:
    text = V2.replace("  - id: u\n", extra + "  - id: u\n")
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(text, "v2.yaml")
    assert [str(p) for p in caught.value.problems] == [message]


def test_the_highest_version_is_the_default_whatever_order_they_were_stored_in() -> None:
    from casereview.store import Store

    store = Store.memory()
    for version in ("2.0", "1.10", "1.9"):  # stored newest first, as a fresh database may
        store.add_checklist(V1.replace('version: "1"', f'version: "{version}"'), "t.yaml")
    assert store.find_checklist("t").version == "2.0"  # not the last stored, 1.9
    assert [c.version for c in store.checklists()] == ["1.9", "1.10", "2.0"]
    assert store.find_checklist("t@1.10").version == "1.10"


def test_an_audit_made_on_1_0_before_2_0_shipped_keeps_its_version_and_scores(
    tmp_path: Path,
) -> None:
    """A database from before 2.0: only 1.0 stored, an audit on it with INV-08 (a fact in
    2.0, a scored question in 1.0) answered. After the upgrade the audit still opens on 1.0,
    scores INV-08 as 1.0 did, and exports; a new audit gets the newest (3.0)."""
    from casereview.io.imports.cases import read_case_file
    from casereview.services import findings
    from casereview.store import Store
    from casereview.store.shipped import shipped_checklists
    from tests.factories import CASES, complete_review

    db = tmp_path / "before.db"
    first = next(p for p in shipped_checklists() if p.name == "stalking-casefile.yaml")
    store = Store.open(db)
    info = store.add_checklist(first.read_text(encoding="utf-8"), str(first))
    assert info.label == "stalking-casefile@1.0"
    store.insert_case_rows(read_case_file(CASES).rows)
    ids = [c.id for c in store.cases()][:2]
    audit = store.create_audit("Old audit", info.pk, ids, created_by="t", seed=1)
    checklist = store.checklist(info.pk)
    for case_id, withdrew in zip(ids, ("yes", "no"), strict=True):
        answers: dict[str, str | None] = {}
        for q in checklist.questions:  # every shown question: INV-08 as given, the rest yes
            if q.id in checklist.visible(answers):
                answers[q.id] = withdrew if q.id == "INV-08" else q.answers[0]
        complete_review(store, audit.id, case_id, "ann", "primary", answers)  # type: ignore[arg-type]
    store.close()

    runner = CliRunner()
    listed = runner.invoke(main, ["--db", str(db), "checklist", "list"])  # the upgrade
    assert "stalking-casefile@2.0" in listed.stdout and "stalking-casefile@1.0" in listed.stdout
    exported = runner.invoke(main, ["--db", str(db), "export", "questions", "--audit", "Old audit"])
    assert exported.exit_code == 0, exported.output
    row = next(line for line in exported.stdout.splitlines() if ",INV-08," in line)
    # 1.0 scores INV-08: yes in one of two reviews -> 50.0% compliance (2.0 would leave it empty)
    assert row.split(",")[-3] == "50.0"
    store = Store.open(db)
    assert store.audit_named("Old audit").checklist_label == "stalking-casefile@1.0"
    data = findings.load(store, "Old audit")
    assert data.checklist.version == "1.0" and data.checklist.question("INV-08").scored
    assert store.find_checklist("stalking-casefile").version == "3.0"  # the newest shipped version
    store.close()
    reported = runner.invoke(main, ["--db", str(db), "report", "--audit", "Old audit"])
    assert reported.exit_code == 0 and "Context:" not in reported.stdout
