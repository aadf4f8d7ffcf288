"""Nothing reported saved is lost: SIGKILL mid-review, and two writers on one file."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from casereview.core.problems import InputError
from casereview.store import Store
from tests.factories import seed_store

SCRIPT = Path(__file__).with_name("scripted_reviewer.py")
ROOT = Path(__file__).parents[3]


def start(db: Path, name: str, seed: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), str(db), name, str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def reports(lines: list[str]) -> list[tuple[int, str, str]]:
    """(review, question, value) for every answer the process said was saved."""
    out = []
    for line in lines:
        parts = line.split()
        if len(parts) == 3:  # a line cut short by the kill is not a report
            out.append((int(parts[0]), parts[1], parts[2]))
    return out


def read_until(proc: subprocess.Popen[str], count: int) -> list[str]:
    assert proc.stdout is not None
    lines: list[str] = []
    while len(lines) < count:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"reviewer died: {proc.stderr.read() if proc.stderr else ''}")
        lines.append(line)
    return lines


def assert_saved(db: Path, saved: list[tuple[int, str, str]], who: str) -> None:
    """Every reported answer is in the trail (written in the same transaction as the answer),
    and every stored answer equals the last trail entry for its question."""
    store = Store.open(db)
    for review_id, qid, value in saved:
        trail = [e for e in store.events(review_id) if e.question_id == qid and e.kind == "answer"]
        # a report of a value already stored (perhaps by the other process) logs no event of
        # its own, but the value is then in the trail from whoever set it
        assert any(e.new == value for e in trail), (who, review_id, qid, value)
    for review_id in {r for r, _, _ in saved}:
        for qid, stored in store.answer_values(review_id).items():
            history = [e for e in store.events(review_id) if e.question_id == qid]
            assert history[-1].new == stored
    store.close()


# Eight kills at seeded random moments: after a random number of reports, then a random
# pause of up to 20 ms, so the kill lands anywhere in the next transactions (mid-write,
# mid-commit, between the commit and the report).
KILLS = [(rng.randint(1, 80), rng.random() * 0.02) for rng in map(random.Random, range(8))]


@pytest.mark.parametrize(("kill_after", "pause"), KILLS)
def test_sigkill_loses_nothing_reported_saved(
    tmp_path: Path, kill_after: int, pause: float
) -> None:
    db = tmp_path / "crash.db"
    store = Store.open(db)
    seed_store(store)
    store.close()
    proc = start(db, "ann", kill_after)
    lines = read_until(proc, kill_after)
    time.sleep(pause)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert proc.stdout is not None
    lines += proc.stdout.readlines()  # reported between our last read and the kill
    saved = reports(lines)
    assert len(saved) >= kill_after - 1  # the test saw answers reported before the kill
    assert_saved(db, saved, "ann")


def test_two_processes_share_one_file(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    store = Store.open(db)
    seed_store(store)
    store.close()
    ann, bob = start(db, "ann", 1), start(db, "bob", 2)
    time.sleep(0.2)
    lines_ann = read_until(ann, 40)
    lines_bob = read_until(bob, 40)
    for proc in (ann, bob):
        proc.terminate()
        proc.wait()
        assert proc.stderr is not None
        err = proc.stderr.read()
        assert "database is locked" not in err
    assert_saved(db, reports(lines_ann), "ann")
    assert_saved(db, reports(lines_bob), "bob")


# A child that opens the file, reads and closes. SQLite checkpoints the -wal into the file
# and deletes it (and the -shm) when it closes the last connection anywhere, which it knows
# by taking an exclusive lock; then it says whether another process holds a lock on the file.
CHILD_CLOSES = """
import fcntl, os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
conn.close()
fd = os.open(sys.argv[1], os.O_RDWR)
try:  # SQLite's shared-lock bytes (0x40000002, 510 bytes): free only if no one holds them
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 510, 0x40000002)
    print("unlocked")
except OSError:
    print("locked")
"""


def test_opening_the_file_again_keeps_the_first_connections_lock(tmp_path: Path) -> None:
    # On POSIX, closing any descriptor of a file drops every lock the process holds on it:
    # a second open that read the file with Python's open() left the first connection
    # unprotected, and another process's close deleted the -wal it was writing to.
    db = tmp_path / "team.db"
    first = Store.open(db)
    audit = seed_store(first)
    wal = db.with_name(db.name + "-wal")
    assert wal.exists()
    second = Store.open(db)
    second.close()
    child = subprocess.run(
        [sys.executable, "-c", CHILD_CLOSES, str(db)], capture_output=True, text=True, check=True
    )
    assert child.stdout.strip() == "locked"
    assert wal.exists(), "another process checkpointed and deleted the -wal under us"
    # and what the first connection writes now, another process reads
    review = first.open_review(audit.id, first.audit_cases(audit.id)[0].case.id, "ann")
    first.set_answer(review.id, "REC-01", "yes", "ann")
    read = (
        "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchall())"
    )
    sql = "SELECT question_id, value FROM answers"
    child = subprocess.run(
        [sys.executable, "-c", read, str(db), sql], capture_output=True, text=True, check=True
    )
    assert child.stdout.strip() == "[('REC-01', 'yes')]"
    first.close()


def _import_cases(store: Store, path: Path) -> None:
    from casereview.io.imports.cases import import_cases

    import_cases(store, path)


def _import_answers(store: Store, path: Path) -> None:
    from casereview.io.imports.answers import import_answers

    import_answers(store, "Test audit", path, "ann")


@pytest.mark.parametrize("importer", [_import_cases, _import_answers])
@pytest.mark.parametrize("suffix", ["", "-shm"])
def test_the_open_database_is_refused_as_an_input_before_it_is_read(
    tmp_path: Path, importer: Callable[[Store, Path], None], suffix: str
) -> None:
    # Reading it would close a descriptor of it and drop this process's locks (above).
    db = tmp_path / "team.db"
    store = Store.open(db)
    seed_store(store)
    before = list(store.conn.iterdump())
    given = tmp_path / "copy-of-the-db.csv"
    os.link(db.with_name(db.name + suffix), given)  # by another name: the same file
    with pytest.raises(InputError) as refused:
        importer(store, given)
    assert str(given) in str(refused.value) and "open database" in str(refused.value)
    child = subprocess.run(
        [sys.executable, "-c", CHILD_CLOSES, str(db)], capture_output=True, text=True, check=True
    )
    assert child.stdout.strip() == "locked"
    assert list(store.conn.iterdump()) == before
    store.close()
