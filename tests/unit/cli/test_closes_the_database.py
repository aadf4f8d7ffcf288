"""Every command closes the database it opened before it returns, whatever its outcome.

A connection left for the garbage collector is closed whenever that runs; the last one to
close checkpoints the write-ahead log into the file, so the file changed at a random moment
after the command (under the test runner, or any program that calls `main` in-process).
The commands are found by walking the click tree, so a new one must be added here.
"""

from __future__ import annotations

import gc
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from casereview.cli import main
from casereview.core.plans import DraftAction, DraftRecommendation
from casereview.io.bundles import archive as bundle
from casereview.store import Store
from tests.factories import CASES, MINI, complete_review, seed_store

AUDIT = "Test audit"
CALIBRATION = "Calibration"
# Each command as invoked here ({dir} filled in) and the exit status it must give: a success
# and, where it reaches the database first, a refusal (whose traceback's frames hold the
# command's context in a reference cycle, which only the garbage collector would break).
INVOCATIONS: dict[str, list[tuple[list[str], int]]] = {
    "": [([], 0)],  # the terminal app (make_app is replaced below)
    "answers import": [
        (["answers", "import", "{dir}/answers.csv", "--audit", AUDIT], 0),
        (["answers", "import", "{dir}/answers.csv", "--audit", "no such audit"], 2),
    ],
    "audit create": [
        (["audit", "create", "New", "--checklist", "mini", "--sample", "2", "--seed", "1"], 0),
        (["audit", "create", AUDIT, "--checklist", "mini", "--sample", "2"], 2),
    ],
    "audit list": [(["audit", "list"], 0)],
    "audit period": [
        (["audit", "period", AUDIT, "2024-02"], 0),
        (["audit", "period", "no such audit", "2024-02"], 2),
    ],
    "audit second": [
        (["audit", "second", AUDIT, "--reviewer", "sue", "--count", "1", "--seed", "1"], 0),
        (["audit", "second", "no such audit", "--reviewer", "sue", "--count", "1"], 2),
    ],
    "bundle export": [
        (["bundle", "export", "--audit", AUDIT, "--out", "{dir}/out.crb", "--plain"], 0)
    ],
    "bundle import": [
        (["bundle", "import", "{dir}/audit.crbundle", "--trust-once"], 0),
        (["bundle", "import", "{dir}/audit.crbundle", "--dry-run", "--trust-once"], 0),
    ],
    "cases import": [
        (["cases", "import", str(CASES), "--skip-existing"], 0),
        (["cases", "import", str(CASES)], 2),  # refused: already in the pool
    ],
    "calibration create": [
        (
            [
                "calibration",
                "create",
                "New",
                "--checklist",
                "mini",
                "--cases",
                "T/4",
                "--moderator",
                "mod",
                "--reviewers",
                "ann",
            ],
            0,
        ),
        (
            [
                "calibration",
                "create",
                CALIBRATION,
                "--checklist",
                "mini",
                "--cases",
                "T/4",
                "--moderator",
                "mod",
                "--reviewers",
                "ann",
            ],
            2,
        ),
    ],  # fmt: skip
    "calibration list": [(["calibration", "list"], 0)],
    "calibration record": [
        (
            ["--reviewer", "mod", "calibration", "record", CALIBRATION, "{dir}/gold.csv", "--gold"],
            0,
        ),
        (["--reviewer", "mod", "calibration", "record", "no such", "{dir}/gold.csv", "--gold"], 2),
    ],
    "calibration result": [
        (["calibration", "result", CALIBRATION], 0),
        (["calibration", "result", "no such"], 2),
    ],
    "checklist add": [(["checklist", "add", str(MINI)], 0)],
    "checklist diff": [(["checklist", "diff", "mini@1", str(MINI)], 0)],
    "checklist list": [(["checklist", "list"], 0)],
    "checklist validate": [(["checklist", "validate", str(MINI)], 0)],
    "demo": [
        (["--db", "{dir}/demo.db", "demo", "--no-tui"], 0),
        (["--db", "{dir}/demo.db", "demo"], 0),
        (["demo", "--no-tui"], 2),  # refused: the database holds real cases
    ],
    "export": [
        (["export", "questions", "--audit", AUDIT], 0),
        (["export", "answers", "--audit", AUDIT, "--out", "{dir}/a.csv"], 0),
        (["export", "questions", "--audit", "no such audit"], 2),
        (["export", "calibration", "--calibration", CALIBRATION], 0),
        (["export", "calibration", "--calibration", "no such"], 2),
        (["export", "funnel", "--audit", AUDIT, "--by", "force"], 0),
        (["export", "funnel", "--audit", "no such audit", "--by", "force"], 2),
    ],
    "lqas": [
        (["lqas", "--audit", AUDIT, "--by", "force"], 0),
        (["lqas", "--audit", "no such audit", "--by", "force"], 2),
    ],
    "lqas-plan": [(["lqas-plan", "--standard", "0.8", "--threshold", "0.5"], 0)],
    "keys add": [(["keys", "add", "laptop", "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik="], 0)],
    "keys age-identity": [(["keys", "age-identity", "--out", "{dir}/id.txt"], 0)],
    "keys create": [(["keys", "create"], 0)],
    "keys list": [(["keys", "list"], 0)],
    "keys remove": [(["keys", "remove", "nobody"], 2)],
    "keys show": [(["keys", "show"], 2)],  # refused: no signing key yet
    "plan import": [
        (["plan", "import", "{dir}/plan.csv", "--force", "Elsewhere"], 0),
        (["plan", "import", "{dir}/plan.csv", "--force", "Testshire"], 2),  # it has one
    ],
    "plan list": [(["plan", "list"], 0)],
    "plan set": [
        (["plan", "set", "Testshire", "R1.1", "--status", "done"], 0),
        (["plan", "set", "Testshire", "R9.9", "--status", "done"], 2),
    ],
    "report": [
        (["report", "--audit", AUDIT], 0),
        (["report", "--audit", "no such audit"], 2),
        (["report", "--plan", "Testshire"], 0),
        (["report", "--plan", "Nowhere"], 2),
    ],
    "sample-size": [(["sample-size"], 0)],
    "serve": [(["serve", "--port", "0"], 0)],
    "trend": [(["trend", "--checklist", "mini"], 0), (["trend", "--checklist", "nope"], 2)],
    "users add": [(["users", "add", "bob", "--password-stdin"], 0)],
    "users list": [(["users", "list"], 0)],
    "users passwd": [
        (["users", "passwd", "ann", "--password-stdin"], 0),
        (["users", "passwd", "nobody", "--password-stdin"], 2),
    ],
    "users role": [
        (["users", "role", "ann", "admin"], 0),
        (["users", "role", "nobody", "admin"], 2),
    ],
    "users remove": [(["users", "remove", "ann"], 0), (["users", "remove", "nobody"], 2)],
}
# commands that never open one (the keys beside the database are files of their own)
NO_DATABASE = {
    "checklist validate",
    "sample-size",
    "lqas-plan",
    "keys age-identity",
    "keys create",
    "keys show",
}


def _commands(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[str]:
    """Every command a person can run: the leaves of the tree, and bare `casereview`."""
    if isinstance(command, click.Group):
        if command.invoke_without_command:
            yield " ".join(path)
        ctx = click.Context(command)
        for name in command.list_commands(ctx):  # (the main group imports them on demand)
            sub = command.get_command(ctx, name)
            assert sub is not None, name
            yield from _commands(sub, (*path, name))
    else:
        yield " ".join(path)


def test_every_command_has_an_invocation_here() -> None:
    assert sorted(_commands(main)) == sorted(INVOCATIONS)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the test audit, an account, a bundle of the audit and answers."""
    folder = tmp_path_factory.mktemp("template")
    with closing(Store.open(folder / "review.db")) as store:
        audit = seed_store(store)
        store.ensure_shipped_checklists()  # once here, not in each command that offers them
        full = {"REC-01": "yes", "REC-02": "no", "REC-03": "yes", "SPO-01": "na"}
        complete_review(store, audit.id, store.cases()[0].id, "ann", "primary", full)
        store.add_user("ann", "$argon2id$x", "admin")
        refs = store.case_ids_by_ref(["T/4"])
        store.create_calibration(CALIBRATION, audit.checklist_pk, refs, "mod", ["ann"], "admin")
        plan = [DraftRecommendation("R1", "Record it", actions=(DraftAction("Train"),))]
        store.import_plan("Testshire", plan, "admin", "plan.csv")
        content, text = store.bundle_content(audit.id, None, "admin")
        bundle.write(folder / "audit.crbundle", bundle.pack(content, text))
    (folder / "answers.csv").write_text(
        "case_ref,force,reviewer,role,question_id,answer\nT/2,Testshire,ann,primary,REC-01,yes\n"
    )
    (folder / "plan.csv").write_text(
        "recommendation,recommendation_text,action,questions\nR1,Record it,Train,REC-01\n"
    )
    (folder / "gold.csv").write_text(
        "case_ref,question_id,answer\nT/4,REC-01,no\nT/4,REC-03,no\nT/4,SPO-01,na\n"
    )
    return folder


class Connections:
    """Every SQLite connection opened while the command runs."""

    def __init__(self) -> None:
        self.opened: list[sqlite3.Connection] = []
        self.real = sqlite3.connect

    def connect(self, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = self.real(*args, **kwargs)
        self.opened.append(conn)
        return conn

    def still_open(self) -> list[sqlite3.Connection]:
        return [c for c in self.opened if _is_open(c)]


def _is_open(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("SELECT 1")
    except sqlite3.ProgrammingError:  # "Cannot operate on a closed database."
        return False
    return True


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> Iterator[Connections]:
    tracked = Connections()
    monkeypatch.setattr(sqlite3, "connect", tracked.connect)
    gc.disable()  # what the collector would close is not closed by the command
    try:
        yield tracked
    finally:
        gc.enable()
        for conn in tracked.opened:
            conn.close()


def _stand_ins(monkeypatch: pytest.MonkeyPatch, connections: Connections, demo: bool) -> list[str]:
    """The terminal app and the server (and with `demo`, building the demo), replaced by
    stand-ins that note whether the command's database is open while they run (it must be,
    for their whole life)."""
    seen: list[str] = []

    def running(what: str) -> Callable[..., None]:
        def run(*_args: Any, **_kwargs: Any) -> None:
            opened = connections.opened
            seen.append(what if opened and all(_is_open(c) for c in opened) else "closed")

        return run

    class App:
        run = running("app")

    class Server:
        def __init__(self, *_args: Any, **_kwargs: Any) -> None:
            pass

        run = running("server")

    monkeypatch.setattr("casereview.tui.app.make_app", lambda *_a, **_k: App())
    if demo:  # the store is open by then; building it takes seconds and is tested elsewhere
        monkeypatch.setattr("casereview.demo.build.build_demo", lambda *_a: True)
    monkeypatch.setattr("casereview.serve.server.CaseReviewServer", Server)
    return seen


RUNS = [(name, args, status) for name, runs in INVOCATIONS.items() for args, status in runs]


@pytest.mark.parametrize(
    ("name", "args", "status"),
    RUNS,
    ids=[f"{name or 'casereview'}-{i}" for i, (name, _, _) in enumerate(RUNS)],
)
def test_the_command_closes_what_it_opened(
    name: str,
    args: list[str],
    status: int,
    template: Path,
    tmp_path: Path,
    connections: Connections,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for file in template.iterdir():
        shutil.copy(file, tmp_path / file.name)
    argv = [a.format(dir=tmp_path) for a in args]
    seen = _stand_ins(monkeypatch, connections, demo=str(tmp_path / "demo.db") in argv)
    if "--db" not in argv:
        argv = ["--db", str(tmp_path / "review.db"), *argv]

    result = CliRunner().invoke(main, argv, input="a long enough password\n")

    assert result.exit_code == status, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if name in NO_DATABASE:
        assert connections.opened == []
        return
    assert connections.opened, f"`{name}` opened no database: is this invocation right?"
    assert connections.still_open() == [], (
        f"`casereview {' '.join(args)}` (exit {result.exit_code}) left "
        f"{len(connections.still_open())} connection(s) open:\n{result.output}"
    )
    if name == "serve" or argv[-1] == "demo" or name == "":  # those that run something
        assert seen == ["server" if name == "serve" else "app"]


def test_a_served_session_closes_its_database_when_its_app_ends(
    template: Path, tmp_path: Path, connections: Connections, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one command that is not click's: the app process a served session runs."""
    from casereview.cli import served_session
    from casereview.serve.auth import SIGNED_IN

    seen = _stand_ins(monkeypatch, connections, demo=False)
    monkeypatch.setenv(SIGNED_IN, "ann")

    db = Path(shutil.copy(template / "review.db", tmp_path / "review.db"))
    assert served_session.main(["--db", str(db)]) == 0

    assert seen == ["app"]
    assert connections.opened and connections.still_open() == []
