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

from bench import bundles, data, measures, tui_list, users
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
    parser.add_argument("--imports", type=int, default=3, help="runs of each import measure")
    parser.add_argument(
        "--list-runs", type=int, default=5, help="tmux runs of the cases list and palette"
    )
    parser.add_argument(
        "--no-big-import",
        action="store_true",
        help="skip the memory measure on five times the pool (1,000,000 cases at full scale)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the database a previous run built at this scale (import is still timed, "
        "into a scratch file)",
    )
    parser.add_argument(
        "--only",
        choices=("import",),
        help="run only these measures (import: the case import ones, no national database)",
    )
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 10:
        parser.error("--scale must be above 0 and at most 10")
    return args


def build(plan: data.Plan, db: Path, csv_path: Path, log: Clock) -> data.National:
    """Import the pool into the fresh national file (casereview's own import, not timed
    here: the import measures run it as a process), then add the audits and reviews."""
    from casereview.io.imports.cases import import_cases
    from casereview.store import Store

    started = time.perf_counter()
    measures.remove_db(db)
    store = Store.open(db)
    import_cases(store, csv_path)
    log("building the audits and reviews (store.import_reviews, 1,000 reviews per transaction)")
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
    return national


def import_files(plan: data.Plan, folder: Path, log: Clock, million: bool) -> dict[str, Path]:
    """The import measures' inputs, generated once per generator version and kept: the pool
    with every date to the second, the same in UK form, 20,000 new cases (references of
    their own), and five times the pool for the memory measure."""
    tag = f"scale-{plan.scale:g}-v{data.GENERATOR_VERSION}"
    files = {
        "seconds": (folder / f"import-seconds-{tag}.csv", {"dates": "seconds"}),
        "uk": (folder / f"import-uk-{tag}.csv", {"dates": "uk"}),
        "extra": (
            folder / f"import-extra-{tag}.csv",
            {"dates": "seconds", "n": max(plan.n_cases // 10, 200), "ref_tag": "X", "seed": 7},
        ),
    }
    if million:
        files["big"] = (
            folder / f"import-big-{tag}.csv",
            {"dates": "seconds", "n": 5 * plan.n_cases},
        )
    out = {}
    for name, (path, options) in files.items():
        if not path.exists():
            log(f"writing {path.name}")
            partial = path.with_suffix(".partial")
            data.write_cases_csv(plan, partial, log, **options)  # type: ignore[arg-type]
            partial.replace(path)
        out[name] = path
    return out


def import_measures(
    args: argparse.Namespace, plan: data.Plan, folder: Path, log: Clock
) -> list[Result]:
    """The case import's measures, whole processes against the plain script."""
    results: list[Result] = []
    inputs = import_files(plan, folder, log, million=not args.no_big_import)
    scratch = folder / "scratch"
    scratch.mkdir(exist_ok=True)
    for shape, label in (("seconds", "times to the second"), ("uk", "UK dates")):
        log(f"case import, {label}: `casereview cases import` vs csv + executemany, processes")
        results.append(measures.measure_import(label, inputs[shape], scratch, log, args.imports))
    log("new cases: into the pool just imported vs into an empty file")
    results.append(
        measures.measure_import_into_pool(
            scratch / "import-ours.db", inputs["extra"], scratch, log, args.imports
        )
    )
    if "big" in inputs:
        log("case import memory on five times the pool")
        results.append(measures.measure_import_memory(inputs["big"], scratch, log))
    return results


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
    if args.only == "import":
        print()
        print(table(import_measures(args, plan, folder, log)))
        return 0
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
    log(f"{csv_path.name}: {csv_path.stat().st_size / 1e6:.1f} MB")

    results: list[Result] = []
    if reuse:
        log(f"reusing {db.name} ({national.n_answers:,} answers)")
    else:
        national = build(plan, db, csv_path, log)
        national.save(meta)

    results.extend(import_measures(args, plan, folder, log))
    scratch = folder / "scratch"

    log("export answers: `casereview export answers` vs one join written with csv")
    results.append(
        measures.measure_export_answers(
            db, data.NATIONAL_AUDIT, national.national_audit_id, scratch, log, args.imports
        )
    )
    log("bundles: `bundle export` / `bundle import` vs JSON lines in a zip, 1,000 and national")
    results.extend(
        bundles.measure_bundles(
            db, national.national_audit_id, national.n_audit_cases, folder, scratch, log,
            max(1, args.imports - 1),
        )
    )  # fmt: skip
    log(f"answer saves: store.set_answer vs bare upsert + commit ({args.saves} each)")
    results.extend(measures.measure_saves(db, national.saving_review_ids, args.saves, log))
    log(f"findings: findings.load + question_table vs one GROUP BY ({args.findings_runs} runs)")
    results.append(
        users.measure_findings(
            db, data.NATIONAL_AUDIT, national.national_audit_id, args.findings_runs, log
        )
    )
    log("export questions: `casereview export questions` vs one GROUP BY written with csv")
    results.append(
        users.measure_export_questions(
            db, data.NATIONAL_AUDIT, national.national_audit_id, scratch, log, args.imports
        )
    )
    log(f"headless start: `casereview audit list` vs `import click, sqlite3` ({args.runs} runs)")
    results.append(users.measure_headless_start(db, args.runs, log))
    log(f"TUI start in tmux: audits screen shown vs a bare one-table app ({args.runs} runs)")
    results.append(users.measure_tui_start(db, national.national_audit_id, args.runs, log))
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
    log(f"cases list and palette in tmux: national audit vs a 25-case one ({args.list_runs} runs)")
    results.extend(
        tui_list.measure_tui_list(db, national.national_audit_id, scratch, args.list_runs, log)
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
