"""A team server's capacity: N reviewers' browser sessions on one `casereview serve`.

    python -m bench.serve_capacity --sessions 1,10,20,40

For each N: a copy of one demo database (`casereview demo --no-tui`) with N reviewer accounts
(`users add --password-stdin`) and an audit giving each a case; `casereview serve` on a free
port as a subprocess; N sign-ins over HTTP (the cookie) and N websockets opened at once, each
driven as textual-serve's page drives it (["stdin", keys] text messages in, the screen back
as binary terminal output). Reported per N:

- per-session memory: the resident set (RSS) and proportional set (PSS, shared pages split
  between the processes sharing them) of each session's app process tree, from /proc; the
  PSS column adds an equal share of the session template's own (serve.launcher: the
  sessions are forked from it) to each session;
- CPU: of a session's app from its start to its first screen, and per key of the apps and
  of the server (the websocket relay);
- time from opening the websocket to the first screen (the audits screen showing the audit);
- key-to-database latency: from sending the `y` that saves an answer until the answer's row
  is in the database file, as a separate connection sees it (one thread polls every
  POLL_SECONDS), p50 and p95, (a) at a reviewer's pace (each session one key every PACE
  seconds, the sessions staggered across it) and (b) in bursts (each session sending its next
  key as soon as its screen says the last was saved).

PASS/MISS: p95 under 100 ms at a reviewer's pace. Every wait is bounded; the server and its
sessions are stopped at the end, also on Ctrl+C. The load average is printed with each N:
the machine may be shared.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.procs import (
    apps_cpu,
    cpu_seconds,
    load_average,
    memory_kb,
    session_apps,
    tree,
    tree_memory,
)
from bench.report import percentile
from bench.serve_browser import AUDIT, PASSWORD, SAVE_WAIT, AnswerWatch, Browser

PACE = 3.0  # seconds between one reviewer's answers at a reviewer's pace
TARGET_MS = 100.0  # p95 key-to-database at a reviewer's pace


def reviewer(i: int) -> str:
    return f"rev{i:02d}"


# ------------------------------------------------------------------ the figures


def summary(values_ms: Sequence[float]) -> dict[str, float]:
    """p50, p95 and the largest of a sample of milliseconds (nearest-rank percentiles)."""
    if not values_ms:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "max": float("nan")}
    return {
        "n": len(values_ms),
        "p50": percentile(values_ms, 50),
        "p95": percentile(values_ms, 95),
        "max": max(values_ms),
    }


def verdict(pace_p95_ms: float, target_ms: float = TARGET_MS) -> str:
    return "PASS" if pace_p95_ms < target_ms else "MISS"


# ------------------------------------------------------------------ the database


def casereview() -> str:
    """The `casereview` command of this Python's environment."""
    beside = Path(sys.executable).parent / "casereview"
    return str(beside) if beside.exists() else shutil.which("casereview") or "casereview"


def run_cli(db: Path, *args: str, stdin: str | None = None) -> str:
    command = [casereview(), "--db", str(db), "--reviewer", "lead", *args]
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return done.stdout


def build(db: Path, reviewers: int) -> None:
    """The demo database, `reviewers` accounts and an audit giving each one case."""
    run_cli(db, "demo", "--no-tui")
    for i in range(reviewers):
        run_cli(db, "users", "add", reviewer(i), "--password-stdin", stdin=PASSWORD + "\n")
    names = ",".join(reviewer(i) for i in range(reviewers))
    run_cli(
        db,
        "audit",
        "create",
        AUDIT,
        "--checklist",
        "stalking-casefile",
        "--sample",
        str(reviewers),
        "--seed",
        "1",
        "--reviewers",
        names,
    )


# ------------------------------------------------------------------ the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(
    db: Path, sessions: int, preload: bool = True
) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """`casereview serve` on a free port until the block ends (stopped as Ctrl+C stops it)."""
    port = free_port()
    command = [casereview(), "--db", str(db), "serve", "--port", str(port)]
    command += ["--max-sessions", str(max(sessions, 4))] + ([] if preload else ["--no-preload"])
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()  # bounded: the server prints it or ends
        if "serving" not in line:
            raise SystemExit(f"serve did not start: {line}{server.stderr and server.stderr.read()}")
        yield server, port
    finally:
        stop(server)


def stop(server: subprocess.Popen[str]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            for pid in reversed(tree(server.pid)):  # (the sessions end with it anyway)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            server.wait(5)


# ------------------------------------------------------------------ one N


@dataclass
class Run:
    sessions: int
    load: str = ""
    first_screen_ms: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    pss_kb: list[int] = field(default_factory=list)
    pace_ms: list[float] = field(default_factory=list)
    burst_ms: list[float] = field(default_factory=list)
    template_kb: tuple[int, int] = (0, 0)  # (RSS, PSS) of the session template, if any
    start_cpu_ms: float = 0.0  # CPU of one session's app from its start to its first screen
    key_cpu_ms: dict[str, float] = field(default_factory=dict)  # per key, app and server
    failed: dict[str, str] = field(default_factory=dict)  # phase: the answer that timed out


def case_refs(db: Path, names: Sequence[str]) -> dict[str, str]:
    """Each reviewer's case in the bench's audit."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        rows = connection.execute(
            "SELECT ac.assigned_to, c.case_ref FROM audit_cases ac"
            " JOIN cases c ON c.id = ac.case_id JOIN audits a ON a.id = ac.audit_id"
            " WHERE a.name = ?",
            [AUDIT],
        ).fetchall()
    refs = dict(rows)
    return {name: refs[name] for name in names}


async def drive(
    port: int, server_pid: int, db: Path, n: int, pace_keys: int, burst_keys: int
) -> Run:
    run = Run(n)
    names = [reviewer(i) for i in range(n)]
    refs = case_refs(db, names)
    browsers = [Browser(name, f"http://127.0.0.1:{port}") for name in names]
    try:
        for browser in browsers:  # (the server checks one password per core at a time)
            await browser.sign_in()
        await asyncio.gather(*(b.open() for b in browsers))  # all at once: nine o'clock
        run.first_screen_ms = [b.first_screen_ms for b in browsers]
        run.start_cpu_ms = apps_cpu(server_pid) / n * 1000
        await asyncio.gather(*(b.open_review(refs[b.name]) for b in browsers))
        apps, template = session_apps(server_pid)
        for app in apps:
            rss, pss = tree_memory(app)
            run.rss_kb.append(rss)
            run.pss_kb.append(pss)
        if template is not None:  # what the sessions share is its to carry: theirs
            run.template_kb = memory_kb(template)
        with AnswerWatch(db) as watch:

            async def at_pace(i: int, browser: Browser) -> None:
                start = time.perf_counter() + PACE * i / n  # staggered across one PACE
                for k in range(pace_keys):
                    await sleep_until(start + k * PACE)
                    await browser.answer(watch, "pace", acknowledged=False)
                await browser.until("Saved", SAVE_WAIT)  # the last one shown too

            with cpu_per_key(run, "pace", server_pid, n * pace_keys):
                await phase(run, "pace", [at_pace(i, b) for i, b in enumerate(browsers)])

            async def bursting(browser: Browser) -> None:
                for _ in range(burst_keys):
                    await browser.answer(watch, "burst", acknowledged=True)

            if not run.failed:  # (after a timeout the answers' count is no longer known)
                with cpu_per_key(run, "burst", server_pid, n * burst_keys):
                    await phase(run, "burst", [bursting(b) for b in browsers])
        run.load = load_average()
        for browser in browsers:
            run.pace_ms += browser.latencies_ms.get("pace", [])
            run.burst_ms += browser.latencies_ms.get("burst", [])
    finally:
        await asyncio.gather(*(b.close() for b in browsers if hasattr(b, "http")))
    return run


async def phase(run: Run, name: str, sessions: list[Coroutine[Any, Any, None]]) -> None:
    """Run every session's part of a phase; an answer that does not reach the file in time
    ends the phase (the others are cancelled), noted as a failure rather than a crash."""
    try:
        async with asyncio.TaskGroup() as group:
            for session in sessions:
                group.create_task(session)
    except* TimeoutError as timeouts:
        run.failed[name] = str(timeouts.exceptions[0])


@contextlib.contextmanager
def cpu_per_key(run: Run, phase: str, server_pid: int, keys: int) -> Iterator[None]:
    """CPU milliseconds per key in the block: the sessions' apps', and the server's own
    (the websocket relay, sign-in checks aside)."""
    apps = apps_cpu(server_pid)
    server = cpu_seconds(server_pid)
    yield
    if keys == 0:
        return
    apps = apps_cpu(server_pid) - apps
    run.key_cpu_ms[f"{phase} app"] = apps / keys * 1000
    run.key_cpu_ms[f"{phase} server"] = (cpu_seconds(server_pid) - server) / keys * 1000


async def sleep_until(when: float) -> None:
    """(Pacing, not correctness: the reviewer's next key is due then.)"""
    delay = when - time.perf_counter()
    if delay > 0:
        await asyncio.sleep(delay)


def measure(
    template: Path, work: Path, n: int, pace_keys: int, burst_keys: int, preload: bool
) -> Run:
    db = work / f"serve-{n}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, db)
    with serving(db, n, preload) as (server, port):
        return asyncio.run(drive(port, server.pid, db, n, pace_keys, burst_keys))


# ------------------------------------------------------------------ the table


def mb(kb: Sequence[int], shared: int = 0) -> str:
    """Megabytes a session, `shared` kB (the template's) split between them."""
    return f"{(sum(kb) + shared) / len(kb) / 1024:.0f}" if kb else "-"


def cpu(run: Run, phase: str) -> str:
    app, server = run.key_cpu_ms.get(f"{phase} app"), run.key_cpu_ms.get(f"{phase} server")
    return "-" if app is None or server is None else f"{app:.0f}+{server:.1f}"


def late(run: Run, phase: str) -> str:
    return f" (an answer over {SAVE_WAIT:g} s: stopped)" if phase in run.failed else ""


def table(runs: Sequence[Run]) -> str:
    head = (
        "sessions",
        "RSS MB/session",
        "PSS MB/session",
        "first screen p50/p95 ms",
        "pace key-to-db p50/p95 ms",
        "burst key-to-db p50/p95 ms",
        "p95<100ms at pace",
        "CPU ms: start, key app+server (pace; burst)",
        "load average",
    )
    rows = [head]
    for r in runs:
        first, pace, burst = summary(r.first_screen_ms), summary(r.pace_ms), summary(r.burst_ms)
        rows.append(
            (
                str(r.sessions),
                mb(r.rss_kb),
                mb(r.pss_kb, r.template_kb[1]),
                f"{first['p50']:.0f} / {first['p95']:.0f}",
                f"{pace['p50']:.0f} / {pace['p95']:.0f}" + late(r, "pace"),
                f"{burst['p50']:.0f} / {burst['p95']:.0f}" + late(r, "burst"),
                "MISS" if "pace" in r.failed else verdict(pace["p95"]),
                f"{r.start_cpu_ms:.0f}, {cpu(r, 'pace')}; {cpu(r, 'burst')}",
                r.load,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.serve_capacity", description=__doc__)
    parser.add_argument(
        "--sessions", default="1,10,20,40", help="comma-separated N (default 1,10,20,40)"
    )
    parser.add_argument("--pace-keys", type=int, default=8, help="answers each at the pace")
    parser.add_argument("--burst-keys", type=int, default=10, help="answers each in the burst")
    parser.add_argument(
        "--no-preload",
        action="store_true",
        help="serve --no-preload: each session a cold Python start (for comparison)",
    )
    parser.add_argument("--out", type=Path, help="also write the figures here as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, echo: Callable[[str], None] = print) -> int:
    args = parse_args(argv)
    counts = [int(n) for n in args.sessions.split(",") if n.strip()]
    # Ctrl+C (or a TERM) unwinds through every `finally`: each server is stopped, and its
    # sessions with it.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="serve-capacity-") as tmp:
        work = Path(tmp)
        template = work / "template.db"
        echo(f"building the demo database with {max(counts)} reviewer accounts ...")
        build(template, max(counts))
        for n in counts:
            echo(f"{n} session(s) (load average before: {load_average()}) ...")
            runs.append(
                measure(template, work, n, args.pace_keys, args.burst_keys, not args.no_preload)
            )
            echo(table(runs))  # so far: an interrupted run still shows what it measured
    if args.out:
        args.out.write_text(json.dumps([r.__dict__ for r in runs], indent=1))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
