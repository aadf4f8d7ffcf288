"""Through a real terminal: the audit's case list and a palette jump, on the national audit
(25,000 cases) against a 25-case audit.

Each run starts `casereview` in its own tmux session (a private tmux server, `-L`), waits for
the audits screen, then sends one key and times until `tmux capture-pane` shows what the key
was for: the list's summary and its first rows; the palette's hit for a case reference typed
in one go; the review that Enter on the hit opens. A fresh process per run, so each open
pays what a reviewer's first open pays (the cases screen's module is loaded on first use).

python -m bench.tui_list NATIONAL.db AUDIT_ID [--small DB --small-audit ID] [--runs N]
"""

from __future__ import annotations

import json
import os
import random
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SIZE = (120, 40)
SOCKET = f"bench-list-{os.getpid()}"
CASEREVIEW = str(Path(sys.executable).with_name("casereview"))
POLL = 0.004  # seconds between captures (one capture costs a few ms itself)
TIMEOUT = 60.0


def _tmux(*args: str) -> str:
    done = subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"tmux {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


class Terminal:
    """One casereview process in a tmux session of SIZE."""

    def __init__(self, db: Path, reviewer: str):
        self.name = f"s{random.randrange(10**9)}"
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "PYTHONPATH", "LANG")}
        env.update(TERM="xterm-256color", TEXTUAL_ANIMATIONS="none")
        command = "exec env -i " + " ".join(
            [*(f"{k}={shlex.quote(v)}" for k, v in env.items()), shlex.quote(CASEREVIEW)]
            + ["--db", shlex.quote(str(db)), "--reviewer", shlex.quote(reviewer)]
        )
        for attempt in range(20):  # the private server may still be exiting after the last
            try:
                _tmux(
                    "new-session",
                    "-d",
                    "-s",
                    self.name,
                    "-x",
                    str(SIZE[0]),
                    "-y",
                    str(SIZE[1]),
                    command,
                )
                break
            except RuntimeError:
                if attempt == 19:
                    raise
                time.sleep(0.1)

    def screen(self) -> str:
        return _tmux("capture-pane", "-p", "-t", self.name)

    def wait(self, shown: Callable[[str], bool], what: str, timeout: float = TIMEOUT) -> float:
        """Seconds until the screen satisfies `shown` (from now)."""
        start = time.perf_counter()
        while True:
            text = self.screen()
            if shown(text):
                return time.perf_counter() - start
            if time.perf_counter() - start > timeout:
                raise TimeoutError(f"never shown: {what}\n{text}")
            time.sleep(POLL)

    def timed(
        self,
        keys: list[str],
        shown: Callable[[str], bool],
        what: str,
        literal: bool = False,
        timeout: float = TIMEOUT,
    ) -> float:
        """Send keys (tmux names, or with `literal` one string typed as is) and time until
        `shown`."""
        start = time.perf_counter()
        _tmux("send-keys", "-t", self.name, *(["-l"] if literal else []), *keys)
        self.wait(shown, what, timeout)
        return time.perf_counter() - start

    def close(self) -> None:
        subprocess.run(["tmux", "-L", SOCKET, "kill-session", "-t", self.name], capture_output=True)


def _target(db: Path, audit_id: int) -> dict[str, Any]:
    """The audit's name, its row on the audits screen, its first case and one case in the
    middle of its sample (with that case's reviewer, so opening it asks nothing)."""
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        names = [
            r[0] for r in conn.execute("SELECT name FROM audits ORDER BY created_at DESC, id DESC")
        ]
        name = conn.execute("SELECT name FROM audits WHERE id = ?", [audit_id]).fetchone()[0]
        n = conn.execute(
            "SELECT count(*) FROM audit_cases WHERE audit_id = ?", [audit_id]
        ).fetchone()[0]

        def at(position: int) -> tuple[str, str]:
            ref, who = conn.execute(
                "SELECT c.case_ref, coalesce(r.reviewer, ac.assigned_to) FROM audit_cases ac"
                " JOIN cases c ON c.id = ac.case_id LEFT JOIN reviews r ON r.audit_id = ac.audit_id"
                " AND r.case_id = ac.case_id AND r.role = 'primary'"
                " WHERE ac.audit_id = ? AND ac.position = ?",
                [audit_id, position],
            ).fetchone()
            return str(ref), str(who)

        first, _ = at(0)
        middle, reviewer = at(n // 2)
    finally:
        conn.close()
    return {
        "name": name,
        "row": names.index(name),
        "first": first,
        "ref": middle,
        "reviewer": reviewer,
    }


def _audits_shown(text: str) -> bool:
    return "Choose an audit and press Enter." in text


def open_list(db: Path, audit_id: int) -> float:
    """Enter on the audits screen to the list's summary and first case drawn, seconds."""
    t = _target(db, audit_id)
    term = Terminal(db, t["reviewer"])
    try:
        term.wait(_audits_shown, "the audits screen")
        for _ in range(t["row"]):
            _tmux("send-keys", "-t", term.name, "Down")
        time.sleep(0.5)  # the highlight settles (not timed)
        return term.timed(
            ["Enter"],
            lambda s: f"{t['name']} - " in s and "all cases." in s and f" {t['first']} " in s,
            "the cases list",
        )
    finally:
        term.close()


def palette_jump(db: Path, audit_id: int, middle: bool = False) -> tuple[float, float]:
    """ctrl+p, then the reference typed in one go: seconds until its hit shows; then Enter:
    seconds until its review shows. With `middle`, the reference after its force's letters
    (a match inside it), and the hit only."""
    t = _target(db, audit_id)
    term = Terminal(db, t["reviewer"])
    try:
        term.wait(_audits_shown, "the audits screen")
        term.timed(["C-p"], lambda s: "Search for commands" in s, "the palette")
        hit = f"Case {t['ref']} in {t['name'][:40]}"
        typed = t["ref"].split("/", 1)[1] if middle else t["ref"]
        try:
            found = term.timed(
                [typed], lambda s: hit in s, "the palette hit", True, 10.0 if middle else TIMEOUT
            )
        except TimeoutError:
            if not middle:
                raise
            return float("nan"), 0.0  # never found (a palette that matches starts only)
        if middle:  # other forces' cases may share the number: the hit is one of several
            return found, 0.0
        opened = term.timed(
            ["Enter"],
            lambda s: t["ref"] in s.splitlines()[0] and "esc Cases" in s and hit not in s,
            "the review",
        )
        return found, opened
    finally:
        term.close()


SMALL_CASES = 2_000  # a force's pool
SMALL_AUDIT = 25


def build_small(folder: Path, log: Callable[[str], None]) -> tuple[Path, int]:
    """A force's self-audit: a pool of SMALL_CASES, an audit of SMALL_AUDIT with every
    review complete, made as the national one is (same generator, checklist and import
    path). Rebuilt each run: a few seconds."""
    from bench import data
    from casereview.io.imports.answers import ImportedReview
    from casereview.io.imports.cases import import_cases
    from casereview.store import Store

    db = folder / "list-small.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    plan = data.Plan.at(0.01)
    csv_path = folder / "list-small-cases.csv"
    data.write_cases_csv(plan, csv_path, log, n=SMALL_CASES)
    store = Store.open(db)
    try:
        import_cases(store, csv_path)
        info = data.bench_checklist(store)
        checklist = store.checklist(info.pk)
        rng = random.Random(plan.seed)
        ids = sorted(rng.sample([c.id for c in store.cases()], SMALL_AUDIT))
        who = {cid: f"reviewer-{i % 5 + 1:03d}" for i, cid in enumerate(ids)}
        audit = store.create_audit(
            "Force self-audit (25 cases)", info.pk, ids, created_by=data.ACTOR, assignments=who
        )
        reviews = [
            ImportedReview(
                case_id=cid,
                role="primary",
                reviewer=who[cid],
                answers=data.random_answers(checklist, rng),
                complete=True,
            )
            for cid in ids
        ]
        store.import_reviews(audit.id, reviews, data.ACTOR)
        store.db.execute("ANALYZE")
    finally:
        store.close()
    return db, audit.id


def measure_tui_list(
    db: Path, national_id: int, scratch: Path, runs: int, log: Callable[[str], None]
) -> list[Any]:
    """The three measures as bench Results: list open, palette hit, palette Enter."""
    from bench.measures import _run
    from bench.report import Result, median

    small, small_id = build_small(scratch, log)
    cmd = [sys.executable, "-m", "bench.tui_list", str(db), str(national_id)]
    cmd += ["--small", str(small), "--small-audit", str(small_id), "--runs", str(runs)]
    out = json.loads(_run(cmd).strip().splitlines()[-1])
    results = []
    for key, label in (
        ("list", "cases list open, Enter to rows drawn (tmux)"),
        ("hit", "palette: ref typed to its hit shown (tmux)"),
        ("review", "palette: Enter on the hit to the review (tmux)"),
        ("middle", "palette: middle of a ref typed to its hit (tmux)"),
    ):
        a, b = median(out[key]), median(out[key + "_small"])
        log(f"  {label}: 25,000 cases {a:.0f} ms, 25 cases {b:.0f} ms")
        results.append(
            Result(
                measure=label,
                unit="ms",
                casereview=a,
                baseline=b,
                ratio=a / b,
                target="<= 2x the 25-case audit",
                passed=a / b <= 2.0,
                detail={
                    "runs": runs,
                    "samples_ms": out[key],
                    "baseline_samples_ms": out[key + "_small"],
                },
            )
        )
    return results


KEYS = ("list", "hit", "review", "middle")


def run_all(
    big: Path, big_id: int, small: Path, small_id: int, runs: int
) -> dict[str, list[float]]:
    """Milliseconds per run of each measure (KEYS, and each with "_small"), big and small in
    turn; the first round is warm-up (bytecode, the page cache) and not kept."""
    out: dict[str, list[float]] = {k + s: [] for k in KEYS for s in ("", "_small")}
    try:
        for i in range(runs + 1):
            for db, audit_id, tail in ((big, big_id, ""), (small, small_id, "_small")):
                got = {"list": open_list(db, audit_id)}
                got["hit"], got["review"] = palette_jump(db, audit_id)
                got["middle"], _ = palette_jump(db, audit_id, middle=True)
                if i:
                    for key, value in got.items():
                        out[key + tail].append(value * 1000)
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)
    return out


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.tui_list", description=__doc__)
    parser.add_argument("db", type=Path, help="the national database (a copy: it is migrated)")
    parser.add_argument("audit_id", type=int, help="its 25,000-case audit")
    parser.add_argument("--small", type=Path, help="the 25-case database (default: built)")
    parser.add_argument("--small-audit", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    small, small_id = args.small, args.small_audit
    if small is None:
        import tempfile

        small, small_id = build_small(Path(tempfile.mkdtemp(prefix="bench-list-")), print)
    print(json.dumps(run_all(args.db, args.audit_id, small, small_id, args.runs)))


if __name__ == "__main__":
    main(sys.argv[1:])
