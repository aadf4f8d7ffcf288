"""A question id that an earlier version continues under another id is retired: a later
version may not use it again, since a trend would then follow two questions back to the
same old answers and count them twice (issue 23, item 11)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from casereview.cli import main
from casereview.store import Store
from tests.factories import CASES, TREND_V1, TREND_V2

# Version 2 continues A-2 as A-9. Version 3 continues A-9 as A-20, and brings a new A-2.
NEW_A2 = (
    "      - id: A-2\n"
    "        text: A brand new standard under an old id?\n"
    "        answers: [yes, no]\n"
)
V3 = (
    TREND_V2.read_text(encoding="utf-8")
    .replace('version: "2"', 'version: "3"')
    .replace("- id: A-9\n", "- id: A-20\n")
    .replace("replaces: A-2\n", "replaces: A-9\n")
    .replace("  - id: b\n", NEW_A2 + "  - id: b\n")
)


def dump(db: Path) -> list[str]:
    store = Store.open(db)
    lines = list(store.db.conn.iterdump())
    store.close()
    return lines


def add(db: Path, path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--db", str(db), "checklist", "add", str(path)])
    return result.exit_code, result.output


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_later_version_reusing_a_retired_id_is_refused_and_nothing_is_stored(
    tmp_path: Path,
) -> None:
    db = tmp_path / "c.db"
    for path in (TREND_V1, TREND_V2):
        code, out = add(db, path)
        assert code == 0, out
    before = dump(db)
    code, out = add(db, write(tmp_path, "v3.yaml", V3))
    assert code == 2, out
    assert "question A-2" in out
    assert "trendy@2 continues A-2 as A-9" in out and "trendy@3" in out
    assert "Traceback" not in out
    assert dump(db) == before


def test_the_clash_is_refused_whichever_version_is_stored_first(tmp_path: Path) -> None:
    """Version 3 stored before version 2 (as a bundle or a colleague may bring them): the
    refusal comes when version 2 arrives, naming the same id."""
    db = tmp_path / "c.db"
    for path in (TREND_V1, write(tmp_path, "v3.yaml", V3)):
        code, out = add(db, path)
        assert code == 0, out
    before = dump(db)
    code, out = add(db, TREND_V2)
    assert code == 2, out
    assert "question A-2" in out and "trendy@2 continues A-2 as A-9" in out
    assert dump(db) == before


def test_a_later_version_continuing_a_retired_id_a_second_time_is_refused(
    tmp_path: Path,
) -> None:
    """Version 3 keeps A-9 (its `replaces` line dropped, as it has been A-9 since version
    2) and says a new A-20 `replaces: A-2`: two questions would claim version 1's A-2."""
    v3 = (
        TREND_V2.read_text(encoding="utf-8")
        .replace('version: "2"', 'version: "3"')
        .replace("        replaces: A-2\n", "")
        .replace(
            "  - id: b\n",
            "      - id: A-20\n        text: Another?\n        answers: [yes, no]\n"
            "        replaces: A-2\n  - id: b\n",
        )
    )
    db = tmp_path / "c.db"
    for path in (TREND_V1, TREND_V2):
        assert add(db, path)[0] == 0
    before = dump(db)
    code, out = add(db, write(tmp_path, "v3.yaml", v3))
    assert code == 2, out
    assert "question A-20" in out and "trendy@2 continues A-2 as A-9" in out
    assert dump(db) == before


@pytest.mark.parametrize(
    "v3",
    [
        # A-9 carried on with the `replaces: A-2` line copied from version 2
        TREND_V2.read_text(encoding="utf-8").replace('version: "2"', 'version: "3"'),
        # A-9 renamed back to A-2: the same standard, continued
        TREND_V2.read_text(encoding="utf-8")
        .replace('version: "2"', 'version: "3"')
        .replace("- id: A-9\n", "- id: A-2\n")
        .replace("replaces: A-2\n", "replaces: A-9\n"),
        # A-9 continued as A-20: no old id used again
        V3.replace(NEW_A2, ""),
    ],
    ids=["copied-replaces", "renamed-back", "renamed-again"],
)
def test_versions_that_continue_the_same_question_are_stored(tmp_path: Path, v3: str) -> None:
    db = tmp_path / "c.db"
    for path in (TREND_V1, TREND_V2, write(tmp_path, "v3.yaml", v3)):
        code, out = add(db, path)
        assert code == 0, out


def test_validate_refuses_the_clash_between_the_files_it_is_given(tmp_path: Path) -> None:
    v3 = write(tmp_path, "v3.yaml", V3)
    result = CliRunner().invoke(
        main, ["checklist", "validate", str(TREND_V1), str(TREND_V2), str(v3)]
    )
    assert result.exit_code == 2, result.output
    assert "question A-2" in result.stderr and "trendy@2 continues A-2 as A-9" in result.stderr
    line = V3.splitlines().index("      - id: A-2") + 1  # the new A-2's id
    assert result.stderr.splitlines()[0].startswith(f"{v3}:{line}: question A-2 of trendy@3")
    assert f"{TREND_V2}: ok" in result.stdout and f"{v3}: ok" not in result.stdout
    alone = CliRunner().invoke(main, ["checklist", "validate", str(v3)])
    assert alone.exit_code == 0, alone.output


def test_a_bundle_bringing_the_clashing_version_is_refused(tmp_path: Path) -> None:
    """A bundle carries its audit's checklist: version 3, from a laptop that never had 2."""
    runner = CliRunner()
    laptop, office = str(tmp_path / "laptop.db"), tmp_path / "office.db"
    v3, bundle = write(tmp_path, "v3.yaml", V3), tmp_path / "x.zip"
    for args in (
        ["checklist", "add", str(TREND_V1)],
        ["cases", "import", str(CASES)],
        ["audit", "create", "X", "--checklist", str(v3), "--sample", "2", "--seed", "1"],
        ["bundle", "export", "--audit", "X", "--out", str(bundle), "--plain"],
    ):
        result = runner.invoke(main, ["--db", laptop, *args])
        assert result.exit_code == 0, result.output
    for path in (TREND_V1, TREND_V2):
        assert add(office, path)[0] == 0
    before = dump(office)
    result = runner.invoke(
        main, ["--db", str(office), "bundle", "import", str(bundle), "--trust-once"]
    )
    assert result.exit_code == 2, result.output
    assert "question A-2 of trendy@3" in result.stderr and "trendy@2 continues A-2" in result.stderr
    assert dump(office) == before
