"""Guards on the architecture: a headless core, and help text on every command."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from casereview.cli import main
from casereview.store import Store
from tests.factories import seed_store

SRC = Path(__file__).parents[3] / "src" / "casereview"
HEADLESS = sorted(
    ".".join(("casereview", *p.relative_to(SRC).with_suffix("").parts)).removesuffix(".__init__")
    for p in SRC.rglob("*.py")
    if "tui" not in p.relative_to(SRC).parts and p.relative_to(SRC).as_posix() != "__init__.py"
)


@pytest.mark.parametrize("module", HEADLESS)
def test_core_never_imports_textual(module: str) -> None:
    code = f"import sys, {module}; sys.exit(2 if 'textual' in sys.modules else 0)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, f"{module} pulls in textual\n{result.stderr}"


def test_the_headless_list_is_not_empty() -> None:
    # if the glob broke, the guard above would pass vacuously
    assert {
        "casereview.store.trail",
        "casereview.core.checklist.models",
        "casereview.cli",
        "casereview.cli.base",
        "casereview.cli.serve",
        "casereview.serve.server",
        "casereview.cli.served_session",
    } <= set(HEADLESS)


def test_only_the_store_and_migrations_write_sql() -> None:
    writers = []
    for path in SRC.rglob("*.py"):
        text = path.read_text()
        if any(word in text for word in ("INSERT INTO", "UPDATE ", "DELETE FROM", "CREATE TABLE")):
            writers.append(path.relative_to(SRC).as_posix())
    # the migrations, and the store package's layers (records and errors hold no SQL)
    assert sorted(writers) == [
        "store/audits.py",
        "store/bundle_plans.py",
        "store/bundle_writes.py",
        "store/calibration.py",
        "store/calibration_drafts.py",
        "store/connection.py",
        "store/keys.py",
        "store/migrations.py",
        "store/plans.py",
        "store/pool.py",
        "store/redaction.py",
        "store/reviews.py",
        "store/sampled_refs.py",
        "store/schema_calibration_app.py",
        "store/schema_import_speed.py",
        "store/schema_line_hashes.py",
        "store/schema_m014.py",
        "store/schema_m018.py",
        "store/schema_plans.py",
        "store/sign_ins.py",
        "store/trail.py",
        "store/users.py",
        "store/uuid_rebuild.py",
    ]


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # (the main group imports its commands on demand)
        cmd = group.get_command(ctx, name)
        assert cmd is not None, name
        out.append((f"{prefix}{name}", cmd))
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, f"{prefix}{name} "))
    return out


@pytest.mark.parametrize(("name", "command"), _commands(main))
def test_every_command_has_help(name: str, command: click.Command) -> None:
    assert command.help and len(command.help.strip()) > 10, f"{name} has no help text"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"{name} {param.opts[0]} has no help"


def test_no_code_path_edits_the_trail() -> None:
    # the triggers refuse it at run time (test_store); here: no source even tries
    for path in SRC.rglob("*.py"):
        text = path.read_text().upper()
        assert "UPDATE EVENTS" not in text and "DELETE FROM EVENTS" not in text, path.name


PYPROJECT = tomllib.loads((SRC.parents[1] / "pyproject.toml").read_text())
LAYERS = next(c for c in PYPROJECT["tool"]["importlinter"]["contracts"] if c["type"] == "layers")[
    "layers"
]


def test_every_package_is_in_a_layer() -> None:
    # the contracts name packages, not modules: a module at the top of casereview, or a
    # package left out of the layers, would escape them
    assert sorted(p.name for p in SRC.glob("*.py")) == ["__init__.py"]
    packages = {f"casereview.{p.parent.name}" for p in SRC.glob("*/__init__.py")}
    assert packages == set(LAYERS)


def test_no_source_file_is_over_500_lines() -> None:
    # split a module along a seam before it passes 500 lines
    long = {
        p.relative_to(SRC).as_posix(): n
        for p in SRC.rglob("*")
        if p.is_file() and p.suffix in (".py", ".tcss")
        if (n := len(p.read_text().splitlines())) > 500
    }
    assert not long, long


def test_every_package_is_shipped() -> None:
    # setuptools lists the packages by hand (the checklists and sample pool are mapped in
    # from outside src/): a package left off would be missing from a built wheel.
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert {
        ".".join(("casereview", *p.parent.relative_to(SRC).parts)).rstrip(".")
        for p in SRC.rglob("__init__.py")
    } <= listed


def test_the_version_is_the_one_in_pyproject() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.output.strip() == f"casereview, version {PYPROJECT['project']['version']}"


def test_the_first_screen_does_not_wait_for_sqlite_utils(tmp_path: Path) -> None:
    """The app, opened on a file that needs no migration, draws its audits screen (the
    screen itself, not a list of its reads) without importing sqlite-utils (its import is a
    sixth of the start); the app's idle warm-up then imports it, and a write works."""
    db = tmp_path / "first.db"
    setup = Store.open(db)
    seed_store(setup)
    setup.ensure_shipped_checklists()  # as every start does; the first stores them
    setup.close()
    code = f"""
import sys
import casereview.tui.app
from textual.widgets import DataTable
from casereview.tui.screens import AuditsScreen
from casereview.store import Store

casereview.tui.app.WARM_AFTER_SECONDS = 600  # the warm-up is run below, when the test says
store = Store.open({str(db)!r})
store.ensure_shipped_checklists()  # as `casereview --db` does before the app runs
app = casereview.tui.app.make_app(store, "ann")

async def pilot(p):
    await p.pause()
    await p.pause()
    screen = app.screen  # drawn: its table filled, its reviewer line counted
    assert isinstance(screen, AuditsScreen) and screen.query_one(DataTable).row_count == 1
    progress = str(screen.query_one("#reviewer-progress").render())
    assert progress == "Checklist mini@1, period 2024-01\\nNo reviewers assigned yet."
    print("sqlite_utils" in sys.modules)
    app._warm()
    print("sqlite_utils" in sys.modules)
    app.exit()

app.run(headless=True, size=(80, 24), auto_pilot=pilot)
(audit,) = store.audits()
case_id = store.audit_cases(audit.id)[0].case.id
review = store.open_review(audit.id, case_id, "ann", "primary")
store.set_answer(review.id, "REC-01", "no", "ann")
print(store.answer_values(review.id))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:3] == ["False", "True", "{'REC-01': 'no'}"]
