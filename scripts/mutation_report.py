"""Per-module kill rates from mutmut's results (`make mutate` runs it after mutmut).

mutmut 3 keeps one JSON file per mutated source file, mutants/src/<path>.py.meta, with an
exit code per mutant (1 or 3: a test failed, so the mutant was killed; 0: it survived).
Survivors judged equivalent (no test could tell them from the original) are listed, each
with its reason, in docs/mutation-survivors.md as lines starting "- `MUTANT-NAME`"; they
are left out of the rate.

    python scripts/mutation_report.py [MODULE...]      # e.g. core.stats.scoring services.findings
    python scripts/mutation_report.py --survivors      # also list the live survivors
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "mutants" / "src" / "casereview"
EQUIVALENT = ROOT / "docs" / "mutation-survivors.md"
MODULES = (
    "core.stats.scoring",
    "services.findings",
    "io.exports.writers",
    "io.imports.cases",
    "io.imports.answers",
    "io.imports.csvfile",
    "services.sampling",
    "core.checklist.models",
)
TARGET = 90.0

KILLED = {1, 3}
SURVIVED = {0}
TIMEOUT = {36, 24, -24, 152, 255}
NO_TESTS = {5, 33}
NOT_RUN = {None}


def equivalent_names(path: Path = EQUIVALENT) -> set[str]:
    """Mutant names listed as equivalent ("- `casereview.x.x_f__mutmut_3`: reason")."""
    if not path.exists():
        return set()
    return set(re.findall(r"^- `([\w.]+__mutmut_\d+)`", path.read_text("utf-8"), re.M))


def classify(code: int | None) -> str:
    if code in KILLED:
        return "killed"
    if code in SURVIVED:
        return "survived"
    if code in TIMEOUT:
        return "timeout"
    if code in NO_TESTS:
        return "no tests"
    if code in NOT_RUN:
        return "not run"
    return "other"


def module_results(module: str) -> dict[str, int | None]:
    meta = RESULTS / f"{module.replace('.', '/')}.py.meta"
    if not meta.exists():
        return {}
    data = json.loads(meta.read_text("utf-8"))
    return dict(data["exit_code_by_key"])


def main(argv: list[str]) -> int:
    show = "--survivors" in argv
    modules = [a for a in argv if not a.startswith("-")] or list(MODULES)
    equivalent = equivalent_names()
    print(
        f"{'module':<28} {'mutants':>7} {'run':>5} {'killed':>6} {'timeout':>7} "
        f"{'survived':>8} {'equiv.':>6} {'no test':>7}  kill rate (non-equivalent)"
    )
    short: list[str] = []
    live: list[str] = []
    for module in modules:
        results = module_results(module)
        if not results:
            print(f"{module:<28} (no results: run `make mutate` first)")
            continue
        counts: Counter[str] = Counter()
        for name, code in results.items():
            kind = classify(code)
            if kind == "survived" and name in equivalent:
                kind = "equivalent"
            elif kind in ("survived", "no tests"):
                live.append(name)
            counts[kind] += 1
        run = sum(counts.values()) - counts["not run"]
        caught = counts["killed"] + counts["timeout"]
        judged = run - counts["equivalent"]
        rate = 100.0 * caught / judged if judged else 0.0
        if judged and rate < TARGET:
            short.append(module)
        partial = f" ({counts['not run']} not run yet)" if counts["not run"] else ""
        print(
            f"{module:<28} {len(results):>7} {run:>5} {counts['killed']:>6} "
            f"{counts['timeout']:>7} {counts['survived']:>8} {counts['equivalent']:>6} "
            f"{counts['no tests']:>7}  {rate:5.1f}% ({caught}/{judged}){partial}"
        )
    if show and live:
        print("\nsurvivors not judged equivalent (`mutmut show NAME` for the diff):")
        for name in sorted(live):
            print(f"  {name}")
    if short:
        print(f"\nbelow the {TARGET:.0f}% target: {', '.join(short)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
