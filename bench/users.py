"""What users run, each against the plain way of doing the same job: the question figures
(in-process, as the findings screen loads them, and `export questions` as a process), the
headless start and the TUI start in a terminal."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from bench.baseline_questions import GROUP_BY
from bench.measures import (
    CASEREVIEW,
    PYTHON,
    Log,
    _alternating,
    _run,
    _wall,
    alternated_processes,
    bare_connection,
    timed_process,
)
from bench.report import Result, median
from casereview.store import Store

COUNTS = ("yes", "partly", "no", "na", "unknown")
FIGURES_TARGET = 1.5  # issue 32: within 1.5x one GROUP BY
START_TARGET = 1.3


def measure_findings(db: Path, audit_name: str, audit_id: int, runs: int, log: Log) -> Result:
    """The findings screen's load (findings.load, then question_table) vs one GROUP BY over
    the same answers, in one process, alternating; the counts cross-checked."""
    from casereview.services import findings  # as the commands load it: on first use

    store = Store.open(db)
    conn = bare_connection(db)
    ours: list[float] = []
    bare: list[float] = []
    table = None
    rows: list[Any] = []
    cpu: tuple[list[float], list[float]] = ([], [])  # steadier than wall time on a shared box
    for _ in range(runs + 1):  # the first of each is warm-up (the page cache, the checklist)
        start, start_cpu = time.perf_counter(), time.process_time()
        table = findings.question_table(findings.load(store, audit_name))
        ours.append(time.perf_counter() - start)
        cpu[0].append(time.process_time() - start_cpu)
        start, start_cpu = time.perf_counter(), time.process_time()
        rows = conn.execute(GROUP_BY, [audit_id]).fetchall()
        bare.append(time.perf_counter() - start)
        cpu[1].append(time.process_time() - start_cpu)
    n_counted = int(
        conn.execute(
            "SELECT count(*) FROM reviews WHERE audit_id = ? AND role = 'primary'"
            " AND status = 'complete'",
            [audit_id],
        ).fetchone()[0]
    )
    checklist = store.audit_checklist(audit_id)
    conn.close()
    store.close()
    assert table is not None
    # Cross-check: the SQL counts stored answers; casereview counts a hidden question as na.
    # A question out of scope (a date or pilot forces) is na for the cases it does not
    # apply to whatever is stored (the generator stores answers for it): the GROUP BY cannot
    # know that, so those questions are left out of the check.
    scoped = {q.id for q in checklist.questions if q.applies_from or q.applies_to}
    sql = {r[0]: dict(zip(COUNTS, r[1:], strict=True)) for r in rows}
    agree = True
    for row in (r for r in table.rows if r["question_id"] not in scoped):
        counts = sql.get(str(row["question_id"]), dict.fromkeys(COUNTS, 0))
        hidden = n_counted - sum(counts.values())
        expected = {**counts, "na": counts["na"] + hidden}
        if {k: row[k] for k in COUNTS} != expected:
            agree = False
    a, b = median(ours[1:]) * 1000, median(bare[1:]) * 1000
    cpu_ratio = median(cpu[0][1:]) / median(cpu[1][1:])
    log(
        f"  findings.load + question_table {a:.0f} ms, GROUP BY {b:.0f} ms (CPU time "
        f"{cpu_ratio:.2f}x); agree: {agree}"
    )
    return Result.within(
        "findings screen's load (in-process)",
        "ms",
        a,
        b,
        FIGURES_TARGET,
        also=agree,
        detail={
            "runs": runs,
            "reviews": n_counted,
            "counts_agree": agree,
            "cpu_ratio": cpu_ratio,
            "samples_ms": [x * 1000 for x in ours[1:]],
            "baseline_samples_ms": [x * 1000 for x in bare[1:]],
        },
    )


def measure_export_questions(
    db: Path, audit_name: str, audit_id: int, scratch: Path, log: Log, repeats: int = 3
) -> Result:
    """`casereview export questions --out FILE` vs bench.baseline_questions (one GROUP BY
    written with csv), each its own process, alternating; medians and peak memory."""
    ours_out, bare_out = scratch / "questions-ours.csv", scratch / "questions-baseline.csv"
    ours_cmd = [CASEREVIEW, "--db", str(db), "--reviewer", "bench", "export", "questions"]
    ours_cmd += ["--audit", audit_name, "--out", str(ours_out), "--force"]
    bare_cmd = [PYTHON, "-m", "bench.baseline_questions", str(db), str(audit_id), str(bare_out)]
    timed_process(bare_cmd)  # warm-up: the page cache
    ours_s, bare_s, peaks, bare_peaks = alternated_processes(ours_cmd, bare_cmd, repeats, log)
    rows = sum(1 for _ in ours_out.open(encoding="utf-8-sig")) - 1
    ours_out.unlink()
    bare_out.unlink()
    a, b = median(ours_s), median(bare_s)
    return Result.within(
        "export questions (whole process)",
        "s",
        a,
        b,
        FIGURES_TARGET,
        detail={
            "rows": rows,
            "casereview_s": ours_s,
            "baseline_s": bare_s,
            "peak_mb": max(peaks),
            "baseline_peak_mb": max(bare_peaks),
        },
    )


def measure_headless_start(db: Path, runs: int, log: Log) -> Result:
    """`casereview --db FILE audit list` vs a process doing only `import click, sqlite3`
    (what any click command reading SQLite needs), median of `runs`.

    (--db is an option of the `casereview` group, so it comes before the subcommand.)
    """
    ours_cmd = [CASEREVIEW, "--db", str(db), "audit", "list"]
    bare_cmd = [PYTHON, "-c", "import click, sqlite3"]
    ours, bare = _alternating(runs, lambda: _wall(ours_cmd), lambda: _wall(bare_cmd))
    a, b = median(ours), median(bare)
    log(f"  audit list {a:.0f} ms, import click, sqlite3 {b:.0f} ms")
    return Result.within(
        "headless start (audit list)",
        "ms",
        a,
        b,
        START_TARGET,
        detail={"runs": runs, "samples_ms": ours, "baseline_samples_ms": bare},
    )


def measure_tui_start(db: Path, audit_id: int, runs: int, log: Log) -> Result:
    """`casereview --db FILE` in tmux until the audits screen shows the audit's row vs
    bench.tui_bare (one DataTable) until its row shows (bench/tui_start.py)."""
    cmd = [sys.executable, "-m", "bench.tui_start", str(db), str(audit_id), "--runs", str(runs)]
    out = json.loads(_run(cmd).strip().splitlines()[-1])
    a, b = median(out["casereview"]), median(out["baseline"])
    log(f"  casereview {a:.0f} ms, bare Textual {b:.0f} ms (tmux)")
    return Result.within(
        "TUI start to the audits screen (tmux)",
        "ms",
        a,
        b,
        START_TARGET,
        detail={
            "runs": runs,
            "samples_ms": out["casereview"],
            "baseline_samples_ms": out["baseline"],
        },
    )


def main(argv: list[str]) -> None:
    """python -m bench.users DB META.json [--runs N] [--repeats N]: these four measures alone
    on a database `python -m bench` built (META is its national-*.json), with the load
    average before and after."""
    import argparse
    import os

    from bench import data
    from bench.report import table

    parser = argparse.ArgumentParser(prog="python -m bench.users", description=main.__doc__)
    parser.add_argument("db", type=Path, help="a copy of the national database (it is migrated)")
    parser.add_argument("meta", type=Path, help="its national-*.json")
    parser.add_argument("--runs", type=int, default=15, help="starts of each command")
    parser.add_argument("--findings-runs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3, help="export questions processes")
    args = parser.parse_args(argv)
    national = data.National.load(args.meta)
    audit_id = national.national_audit_id
    scratch = args.db.parent

    def log(message: str) -> None:
        print(message, flush=True)

    before = os.getloadavg()
    results = [
        measure_findings(args.db, data.NATIONAL_AUDIT, audit_id, args.findings_runs, log),
        measure_export_questions(
            args.db, data.NATIONAL_AUDIT, audit_id, scratch, log, args.repeats
        ),
        measure_headless_start(args.db, args.runs, log),
        measure_tui_start(args.db, audit_id, args.runs, log),
    ]
    after = os.getloadavg()
    print(table(results))
    print(
        f"load average before {before[0]:.2f} {before[1]:.2f}, after {after[0]:.2f} {after[1]:.2f}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
