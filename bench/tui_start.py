"""The TUI start as a user meets it: the real `casereview` command in a real terminal.

Each run starts a fresh process in its own tmux session (the private tmux server of
bench/tui_list.py) and times from the session's creation until `tmux capture-pane` shows
the audits screen with the audit's row; the baseline is bench/tui_bare.py (a bare Textual
app showing one DataTable) started the same way, until its row shows. The two alternate.

python -m bench.tui_start DB AUDIT_ID [--runs N]
"""

from __future__ import annotations

import json
import os
import shlex
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.data import REPO
from bench.tui_bare import ROW
from bench.tui_list import CASEREVIEW, POLL, SIZE, SOCKET, TIMEOUT, _audits_shown, _tmux


def _command(argv: list[str]) -> str:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "PYTHONPATH", "LANG")}
    env.update(TERM="xterm-256color", TEXTUAL_ANIMATIONS="none")
    return "exec env -i " + " ".join(
        [*(f"{k}={shlex.quote(v)}" for k, v in env.items()), *map(shlex.quote, argv)]
    )


def started(argv: list[str], shown: Callable[[str], bool], what: str) -> float:
    """Seconds from starting `argv` in a new tmux session until its screen satisfies `shown`."""
    name = f"start{time.monotonic_ns()}"
    size = ["-x", str(SIZE[0]), "-y", str(SIZE[1])]
    for attempt in range(20):  # the private server may still be exiting after the last
        begin = time.perf_counter()
        try:
            _tmux("new-session", "-d", "-s", name, "-c", str(REPO), *size, _command(argv))
            break
        except RuntimeError:
            if attempt == 19:
                raise
            time.sleep(0.1)
    try:
        while True:
            text = _tmux("capture-pane", "-p", "-t", name)
            if shown(text):
                return time.perf_counter() - begin
            if time.perf_counter() - begin > TIMEOUT:
                raise TimeoutError(f"never shown: {what}\n{text}")
            time.sleep(POLL)
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-session", "-t", name], capture_output=True)


def run(db: Path, audit_id: int, runs: int) -> dict[str, list[float]]:
    """Milliseconds of `runs` starts of each, in turn; the first two of each are warm-up
    (bytecode, the page cache) and not kept."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    (audit,) = conn.execute("SELECT name FROM audits WHERE id = ?", [audit_id]).fetchone()
    conn.close()
    ours_cmd = [CASEREVIEW, "--db", str(db), "--reviewer", "bench"]
    bare_cmd = [sys.executable, "-m", "bench.tui_bare"]
    out: dict[str, list[float]] = {"casereview": [], "baseline": []}
    try:
        for i in range(runs + 2):
            a = started(ours_cmd, lambda s: _audits_shown(s) and audit[:40] in s, "audits")
            b = started(bare_cmd, lambda s: ROW[-1] in s, "the bare table")
            if i >= 2:
                out["casereview"].append(a * 1000)
                out["baseline"].append(b * 1000)
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)
    return out


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.tui_start", description=__doc__)
    parser.add_argument("db", type=Path, help="the national database (a copy: it is migrated)")
    parser.add_argument("audit_id", type=int, help="an audit whose row the screen shows")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.db, args.audit_id, args.runs)))


if __name__ == "__main__":
    main(sys.argv[1:])
