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
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.report import percentile

PASSWORD = "capacity bench pw"
AUDIT = "Capacity bench"
PACE = 3.0  # seconds between one reviewer's answers at a reviewer's pace
POLL_SECONDS = 0.002  # how often the database is looked at for new answers
FIRST_QUESTION = "INV-11"  # the shipped checklist's first question: the review is shown
TARGET_MS = 100.0  # p95 key-to-database at a reviewer's pace
SCREEN_WAIT = 180.0  # the longest any one screen may take (40 cold starts on two cores)
SAVE_WAIT = 30.0  # the longest an answer may take to reach the file
ANSI = re.compile(
    rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Z0-9]|\x1b[=>78]"
)


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


# ------------------------------------------------------------------ processes, memory


def children(pid: int, proc: Path = Path("/proc")) -> list[int]:
    """The direct children of `pid` (Linux: /proc/PID/task/*/children)."""
    found: list[int] = []
    for task in (proc / str(pid) / "task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(p) for p in (task / "children").read_text().split()]
    return found


def tree(pid: int) -> list[int]:
    """`pid` and every process below it."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children(p)
    return out


def memory_kb(pid: int, proc: Path = Path("/proc")) -> tuple[int, int]:
    """(RSS, PSS) in kB of one process (0, 0 once it is gone)."""
    rss = pss = 0
    with contextlib.suppress(OSError):
        for line in (proc / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    return rss, pss


def cpu_seconds(pid: int, proc: Path = Path("/proc"), ticks: int | None = None) -> float:
    """User and system CPU seconds one process has used (0.0 once it is gone)."""
    try:
        stat = (proc / str(pid) / "stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()  # after the name, which may hold spaces
    per_second = ticks or os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / per_second  # fields 14, 15 of the line


def tree_cpu(pid: int) -> float:
    return sum(cpu_seconds(p) for p in tree(pid))


def session_apps(server_pid: int, proc: Path = Path("/proc")) -> tuple[list[int], int | None]:
    """The sessions' app processes (the server's children started cold, and the children of
    its session template, serve.launcher, which forks them), and the template's pid."""
    apps, template = [], None
    for pid in children(server_pid, proc):
        with contextlib.suppress(OSError):
            if b"session_launcher" in (proc / str(pid) / "cmdline").read_bytes():
                template = pid
                apps += children(pid, proc)
                continue
        apps.append(pid)
    return apps, template


def tree_memory(pid: int) -> tuple[int, int]:
    kb = [memory_kb(p) for p in tree(pid)]
    return sum(rss for rss, _ in kb), sum(pss for _, pss in kb)


def apps_cpu(server_pid: int) -> float:
    return sum(tree_cpu(app) for app in session_apps(server_pid)[0])


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


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


class AnswerWatch:
    """A thread with its own read connection that notes when each reviewer's count of saved
    answers goes up: the time the row was first seen in the file."""

    def __init__(self, db: Path):
        self.db = db
        self.seen: dict[str, list[float]] = {}  # reviewer: times of each new answer seen
        self.counts: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="answer-watch", daemon=True)
        self.changed = threading.Condition()

    def __enter__(self) -> AnswerWatch:
        self._connection = sqlite3.connect(
            f"file:{self.db}?mode=ro", uri=True, check_same_thread=False
        )
        self._poll()  # the counts before any key
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._connection.close()

    def _poll(self) -> None:
        rows = self._connection.execute(
            "SELECT r.reviewer, count(*) FROM answers a JOIN reviews r ON r.id = a.review_id"
            " JOIN audits au ON au.id = r.audit_id WHERE au.name = ? GROUP BY r.reviewer",
            [AUDIT],
        ).fetchall()
        now = time.perf_counter()
        with self.changed:
            for name, count in rows:
                before = self.counts.get(name, 0)
                if count > before:
                    self.seen.setdefault(name, []).extend([now] * (count - before))
                    self.counts[name] = count
            self.changed.notify_all()

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self._poll()

    async def saved(self, name: str, nth: int, timeout: float = SAVE_WAIT) -> float:
        """When `name`'s `nth` answer (1-based) was first seen in the file."""
        deadline = time.perf_counter() + timeout
        while True:
            with self.changed:
                times = self.seen.get(name, [])
                if len(times) >= nth:
                    return times[nth - 1]
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{name}'s answer {nth} did not reach the file in {timeout} s")
            await asyncio.sleep(POLL_SECONDS)


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


# ------------------------------------------------------------------ one browser


@dataclass
class Browser:
    """One reviewer's browser session: the cookie, the websocket, the screen since a mark."""

    name: str
    base: str
    output: bytearray = field(default_factory=bytearray)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    first_screen_ms: float = 0.0
    answers: int = 0  # answers this session has saved
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)

    async def sign_in(self) -> None:
        import aiohttp

        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        async with self.http.post(
            self.base + "/signin",
            data={"name": self.name, "password": PASSWORD},
            allow_redirects=False,
        ) as response:
            if response.status != 303:
                raise SystemExit(f"{self.name} could not sign in: {response.status}")

    async def open(self) -> None:
        start = time.perf_counter()
        self.ws = await self.http.ws_connect(
            self.base.replace("http", "ws", 1) + "/ws?width=120&height=40"
        )
        self.reader = asyncio.create_task(self._read())
        await self.ws.send_str(json.dumps(["focus"]))
        await self.until(AUDIT, SCREEN_WAIT)
        self.first_screen_ms = (time.perf_counter() - start) * 1000

    async def _read(self) -> None:
        import aiohttp

        async for message in self.ws:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.output += message.data
                self.changed.set()
        self.changed.set()

    def screen(self) -> str:
        return ANSI.sub(b"", bytes(self.output)).decode("utf-8", "replace")

    async def until(self, text: str, timeout: float = SCREEN_WAIT) -> None:
        async with asyncio.timeout(timeout):
            while text not in self.screen():
                if self.reader.done():
                    raise SystemExit(f"{self.name}'s session ended waiting for {text!r}")
                self.changed.clear()
                await self.changed.wait()

    async def press(self, keys: str) -> None:
        self.output.clear()
        await self.ws.send_str(json.dumps(["stdin", keys]))

    async def open_review(self, case_ref: str) -> None:
        """From the audits screen: the bench's audit (the newest, so the first row), its
        cases (the cursor on this reviewer's), then the case's review."""
        await self.press("\r")
        await self.until(case_ref)
        await self.press("\r")
        await self.until(FIRST_QUESTION)

    async def answer(self, watch: AnswerWatch, phase: str, acknowledged: bool) -> None:
        """`y`: saves the shown question's answer and moves on; timed to the file."""
        self.answers += 1
        sent = time.perf_counter()
        await self.press("y")
        seen = await watch.saved(self.name, self.answers)
        self.latencies_ms.setdefault(phase, []).append((seen - sent) * 1000)
        if acknowledged:
            await self.until("Saved", SAVE_WAIT)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close()
        with contextlib.suppress(Exception):
            self.reader.cancel()
        await self.http.close()


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
                await asyncio.gather(*(at_pace(i, b) for i, b in enumerate(browsers)))

            async def bursting(browser: Browser) -> None:
                for _ in range(burst_keys):
                    await browser.answer(watch, "burst", acknowledged=True)

            with cpu_per_key(run, "burst", server_pid, n * burst_keys):
                await asyncio.gather(*(bursting(b) for b in browsers))
        run.load = load_average()
        for browser in browsers:
            run.pace_ms += browser.latencies_ms.get("pace", [])
            run.burst_ms += browser.latencies_ms.get("burst", [])
    finally:
        await asyncio.gather(*(b.close() for b in browsers if hasattr(b, "http")))
    return run


@contextlib.contextmanager
def cpu_per_key(run: Run, phase: str, server_pid: int, keys: int) -> Iterator[None]:
    """CPU milliseconds per key in the block: the sessions' apps', and the server's own
    (the websocket relay, sign-in checks aside)."""
    apps = apps_cpu(server_pid)
    server = cpu_seconds(server_pid)
    yield
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
                f"{pace['p50']:.0f} / {pace['p95']:.0f}",
                f"{burst['p50']:.0f} / {burst['p95']:.0f}",
                verdict(pace["p95"]),
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
