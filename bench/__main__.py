"""`make bench`: build the national-scale database, run every measure, print and save results."""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from bench import data, measures
from bench.report import Result, table, write_json

OUT = Path(__file__).resolve().parent / "out"


class Clock:
    """Progress lines with the time since the bench started."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        print(f"[{time.perf_counter() - self.start:7.1f}s] {message}", flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--scale",
        type=float,
        default=float(os.environ.get("BENCH_SCALE", "1")),
        help="fraction of national scale (default $BENCH_SCALE or 1: 200,000 cases, "
        "a 25,000-review audit)",
    )
    parser.add_argument("--out", type=Path, default=OUT, help="results and data (bench/out)")
    parser.add_argument("--runs", type=int, default=15, help="start-up runs per command")
    parser.add_argument("--saves", type=int, default=400, help="answer saves timed")
    parser.add_argument("--keys", type=int, default=60, help="review-screen presses per key")
    parser.add_argument("--findings-runs", type=int, default=5, help="findings repetitions")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the database a previous run built at this scale (import is still timed, "
        "into a scratch file)",
    )
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 10:
        parser.error("--scale must be above 0 and at most 10")
    return args


def build(plan: data.Plan, db: Path, raw: bytes, log: Clock) -> tuple[data.National, Result]:
    """Time the import into the fresh national file, then add the audits and reviews."""
    from casereview.store import Store

    started = time.perf_counter()
    log("case import: casereview vs csv + executemany")
    imported = measures.measure_import(raw, db, db.with_name("baseline-import.db"), log)
    log("building the audits and reviews (store.import_reviews, 1,000 reviews per transaction)")
    store = Store.open(db)
    national_id, live_id, saving, n_answers = data.build_national(store, plan, log)
    label = store.audit(national_id).checklist_label
    n_reviews = int(store.db.execute("SELECT count(*) FROM reviews").fetchone()[0])
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.db.execute("ANALYZE")
    store.close()
    national = data.National(
        national_audit_id=national_id,
        live_audit_id=live_id,
        saving_review_ids=saving,
        n_cases=plan.n_cases,
        n_audit_cases=plan.n_audit,
        n_reviews=n_reviews,
        n_answers=n_answers,
        checklist_label=label,
        build_seconds=time.perf_counter() - started,
    )
    log(f"built {db.name}: {db.stat().st_size / 1e6:,.0f} MB in {national.build_seconds:.0f} s")
    return national, imported


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    log = Clock()
    plan = data.Plan.at(args.scale)
    folder = args.out / "data"
    folder.mkdir(parents=True, exist_ok=True)
    tag = f"scale-{args.scale:g}"
    csv_path = folder / f"cases-{tag}.csv"
    db = folder / f"national-{tag}.db"
    meta = folder / f"national-{tag}.json"
    log(
        f"scale {args.scale:g}: {data.N_FORCES} forces, {plan.n_cases:,} cases, an audit of "
        f"{plan.n_audit:,} with {plan.n_audit:,} completed reviews; data in {folder}"
    )
    reuse = args.reuse and db.exists() and meta.exists() and csv_path.exists()
    if reuse:
        national = data.National.load(meta)
        reuse = national.generator_version == data.GENERATOR_VERSION
    if not reuse:
        log(f"writing {csv_path.name}")
        data.write_cases_csv(plan, csv_path, log)
    raw = csv_path.read_bytes()
    log(f"{csv_path.name}: {len(raw) / 1e6:.1f} MB")

    results: list[Result] = []
    if reuse:
        log(f"reusing {db.name} ({national.n_answers:,} answers)")
        log("case import: casereview vs csv + executemany (into scratch files)")
        scratch = folder / "scratch-import.db"
        results.append(measures.measure_import(raw, scratch, folder / "baseline-import.db", log))
        measures.remove_db(scratch)
    else:
        national, imported = build(plan, db, raw, log)
        national.save(meta)
        results.append(imported)

    log(f"answer saves: store.set_answer vs bare upsert + commit ({args.saves} each)")
    results.extend(measures.measure_saves(db, national.saving_review_ids, args.saves, log))
    log(f"findings: audit_question_figures vs one GROUP BY ({args.findings_runs} runs)")
    results.append(
        measures.measure_findings(db, national.national_audit_id, args.findings_runs, log)
    )
    log(f"headless start: `casereview audit list` vs importing its dependencies ({args.runs} runs)")
    results.append(measures.measure_headless_start(db, args.runs, log))
    log(f"TUI start: audits screen drawn vs a bare Textual app ({args.runs} runs)")
    results.append(measures.measure_tui_start(db, args.runs, log))
    log(f"review screen keys: y and down, {args.keys} presses each, vs the same drawing bare")
    results.extend(
        measures.measure_tui_keys(
            db,
            national.live_audit_id,
            national.national_audit_id,
            args.keys,
            national.n_audit_cases,
            log,
        )
    )

    print()
    print(table(results))
    missed = [r.measure for r in results if r.passed is False]
    print()
    print(f"{len(missed)} target(s) missed" + (": " + "; ".join(missed) if missed else ""))
    results_path = args.out / "results.json"
    write_json(
        results_path,
        results,
        {
            "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "scale": args.scale,
            "data": {
                "forces": data.N_FORCES,
                "cases": national.n_cases,
                "audit_cases": national.n_audit_cases,
                "reviews": national.n_reviews,
                "answers": national.n_answers,
                "checklist": national.checklist_label,
                "build_seconds": round(national.build_seconds, 1),
                "reused": reuse,
            },
            "machine": {
                "python": sys.version.split()[0],
                "sqlite": sqlite3.sqlite_version,
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
            },
        },
    )
    print(f"results written to {results_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
