"""Bundles at 1,000 and 25,000 reviews: `bundle export` and `bundle import` (into a new
file, then again with nothing to add) as whole processes, against bench.baseline_bundle.

    python -m bench.bundles [--scale 1]

Targets (issue 32): peak memory at most 300 MB for the 25,000-review audit and flat (the
large audit's peak at most 1.5x the small one's), time within 2x the baseline, and a
re-import that adds nothing at most a tenth of a full import. The bundle is encrypted to
an age key, as `bundle export --to` writes it (the baseline writes a plain zip).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from bench import data
from bench.measures import CASEREVIEW, PYTHON, Log, remove_db, timed_process
from bench.report import Result, median, table, timed_log

SMALL = 1_000  # reviews in the small audit: the flatness is measured from it


def built(scale: float, folder: Path, log: Log) -> tuple[Path, int, int]:
    """The national database at `scale` (built once, reused after), its national audit's
    id and number of reviews."""
    from bench.__main__ import build

    tag = f"scale-{scale:g}"
    db, meta = folder / f"national-{tag}.db", folder / f"national-{tag}.json"
    if db.exists() and meta.exists():
        national = data.National.load(meta)
        if national.generator_version == data.GENERATOR_VERSION:
            return db, national.national_audit_id, national.n_audit_cases
    plan = data.Plan.at(scale)
    csv_path = folder / f"cases-{tag}.csv"
    if not csv_path.exists():
        data.write_cases_csv(plan, csv_path, log)
    national = build(plan, db, csv_path, log)  # type: ignore[arg-type]
    national.save(meta)
    return db, national.national_audit_id, national.n_audit_cases


def _keys(scratch: Path) -> tuple[str, Path]:
    """An age key pair for the bench: (public key, identity file)."""
    import pyrage

    identity = pyrage.x25519.Identity.generate()
    path = scratch / "bench-age.key"
    path.write_text(str(identity) + "\n", encoding="utf-8")
    os.chmod(path, 0o600)
    return str(identity.to_public()), path


def measure_size(
    db: Path, audit_id: int, reviews: int, scratch: Path, log: Log, repeats: int
) -> dict[str, list[float]]:
    """Export, import into a new file, import again, and the baseline's export and import,
    each its own process, `repeats` times: seconds and peak MB of each."""
    public, identity = _keys(scratch)
    bundle, plain = scratch / f"bench-{reviews}.bundle", scratch / f"bench-{reviews}-base.zip"
    into, base_into = scratch / f"bundle-{reviews}.db", scratch / f"bundle-{reviews}-base.db"
    base = [PYTHON, "-m", "bench.baseline_bundle"]
    export = [CASEREVIEW, "--db", str(db), "--reviewer", "bench", "bundle", "export", "--audit",
              data.NATIONAL_AUDIT, "--out", str(bundle), "--to", public, "--force"]  # fmt: skip
    load = [CASEREVIEW, "--db", str(into), "--reviewer", "bench", "bundle", "import",
            str(bundle), "--identity", str(identity), "--trust-once"]  # fmt: skip
    got: dict[str, list[float]] = {}
    for _ in range(repeats):
        runs = (
            ("base export", base + ["export", str(db), str(audit_id), str(plain)], None),
            ("export", export, None),
            ("base import", base + ["import", str(plain), str(base_into)], base_into),
            ("import", load, into),
            ("re-import", load, None),
        )
        for name, cmd, fresh in runs:
            if fresh is not None:
                remove_db(fresh)
            took, peak = timed_process(cmd)
            got.setdefault(name + " s", []).append(took)
            got.setdefault(name + " MB", []).append(peak)
            log(f"  {reviews:,} reviews, {name}: {took:.2f} s, {peak:.0f} MB")
    for path in (bundle, plain, into, base_into):
        remove_db(path) if path.suffix == ".db" else path.unlink(missing_ok=True)
    return got


def results(small: dict[str, list[float]], big: dict[str, list[float]], n: int) -> list[Result]:
    """The five targets, from the two sizes' runs (medians of times, the largest peaks)."""
    peak = {side: max(big[f"{side} MB"]) for side in ("export", "import")}
    flat = {side: peak[side] / max(small[f"{side} MB"]) for side in ("export", "import")}
    out = []
    for side in ("export", "import"):
        ours, bare = median(big[f"{side} s"]), median(big[f"base {side} s"])
        out.append(
            Result(
                measure=f"bundle {side}, {n:,} reviews (whole process)",
                unit="s",
                casereview=ours,
                baseline=bare,
                ratio=ours / bare,
                target="<= 2x; <= 300 MB; <= 1.5x the 1,000-review peak",
                passed=ours / bare <= 2.0 and peak[side] <= 300 and flat[side] <= 1.5,
                detail={
                    "peak_mb": peak[side],
                    "peak_mb_1000": max(small[f"{side} MB"]),
                    "peak_growth": flat[side],
                    "baseline_peak_mb": max(big[f"base {side} MB"]),
                    "s": big[f"{side} s"],
                    "baseline_s": big[f"base {side} s"],
                    "s_1000": small[f"{side} s"],
                },
            )
        )
    again, full = median(big["re-import s"]), median(big["import s"])
    out.append(
        Result(
            measure=f"bundle import again, nothing to add, {n:,} reviews",
            unit="s",
            casereview=again,
            baseline=full,
            ratio=again / full,
            target="<= 0.1x a full import",
            passed=again / full <= 0.1,
            detail={"s": big["re-import s"], "peak_mb": max(big["re-import MB"])},
        )
    )
    return out


def measure_bundles(
    big_db: Path, big_audit: int, n_big: int, folder: Path, scratch: Path, log: Log, repeats: int
) -> list[Result]:
    """Both sizes measured: the small audit from its own database (scale 0.04: 1,000
    reviews), built once beside the national one."""
    small_db, small_audit, n_small = built(SMALL / data.FULL_AUDIT, folder, log)
    log(f"bundles: {n_small:,} reviews")
    small = measure_size(small_db, small_audit, n_small, scratch, log, repeats)
    log(f"bundles: {n_big:,} reviews")
    big = measure_size(big_db, big_audit, n_big, scratch, log, repeats)
    return results(small, big, n_big)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bundles", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="the large audit's scale")
    parser.add_argument("--runs", type=int, default=2, help="runs of each measure")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    args = parser.parse_args(argv)
    log = timed_log()

    folder = args.out / "data"
    scratch = folder / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    db, audit, n = built(args.scale, folder, log)
    found = measure_bundles(db, audit, n, folder, scratch, log, args.runs)
    print(table(found))
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
