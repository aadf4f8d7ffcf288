"""Synthetic national-scale data: a 43-force case pool CSV and a database of completed reviews."""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from casereview.core.checklist.models import Checklist
from casereview.core.fields import CASE_COLUMNS
from casereview.io.imports.answers import ImportedReview
from casereview.store import ChecklistInfo, Store, StoreError

Log = Callable[[str], None]

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "src" / "casereview" / "shipped_checklists" / "stalking-casefile.yaml"
FALLBACK = REPO / "tests" / "fixtures" / "mini.yaml"  # until the shipped checklist exists

N_FORCES = 43
FULL_CASES = 200_000
FULL_AUDIT = 25_000
FULL_REVIEWERS = 250
LIVE_CASES = 200  # the live audit: reviews in progress, where saving and the TUI are timed
TUI_CASES = 100  # live-audit cases assigned to the TUI reviewer (not started)
SAVING_REVIEWS = 50  # live-audit reviews in progress, for the answer-save latency
TUI_REVIEWER = "tui-reviewer"
SAVER = "save-reviewer"
ACTOR = "bench"
NATIONAL_AUDIT = "National stalking case-file review 2024"
LIVE_AUDIT = "Live audit (in progress)"
GENERATOR_VERSION = 2

# Fictional places: the synthetic pool must not pass for any real force's data.
_PLACES = (
    "Northmoor Ashvale Brackenridge Coldwater Dunmere Eastvale Fernleigh Glenholm Harrowfield "
    "Ironbridge Kestermoor Larkspur Millbrook Netherby Oakhurst Pendlemere Queensferry Ravensdale "
    "Saltmarsh Thornbury Upminster Valecrest Westhollow Yarrowby Amberleigh Blackmoor Cindervale "
    "Driftwood Elmstead Foxley Greystone Hollowmere Inglewood Juniper Kingsmere Lowfield Marshwick "
    "Northcliffe Oldcastle Pinewood Redbrook Silverdale Tidewater"
).split()
_KINDS = ("Police", "Constabulary")


def _sample_mix() -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """OFFENCES and OUTCOMES of scripts/generate_sample_cases.py (a script, not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "generate_sample_cases", REPO / "scripts" / "generate_sample_cases.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.OFFENCES, module.OUTCOMES


_TEAMS = ("Response", "CID", "Public Protection Unit", "Safeguarding Hub", "Neighbourhood")
# The case mix (recorded classifications weighted towards misrecording, outcomes weighted
# towards "evidential difficulties"): the sample pool's, from its generator.
_OFFENCES, _OUTCOMES = _sample_mix()
_BEHAVIOURS = (
    "Repeated unwanted messages and calls",
    "Turning up at the victim's home and workplace",
    "Loitering near the victim's home most evenings",
    "Unwanted gifts left at the door",
    'Monitoring social media; "just checking in" messages to friends',
    "Threats sent by text and voicemail",
    "New accounts created to message the victim after being blocked",
    "Following the victim's car",
)
_CONTEXTS = ("after the relationship ended", "over several months", "despite being told to stop")
# How often a reviewer gives each value, where the question allows it.
_VALUE_WEIGHTS = {"yes": 60, "partly": 12, "no": 18, "na": 5, "unknown": 5}


@dataclass(frozen=True)
class Plan:
    """How much to generate: full scale is 43 forces, 200,000 cases, a 25,000-case audit."""

    scale: float
    seed: int
    n_cases: int
    n_audit: int
    n_reviewers: int

    @classmethod
    def at(cls, scale: float, seed: int = 2024) -> Plan:
        return cls(
            scale=scale,
            seed=seed,
            n_cases=max(int(FULL_CASES * scale), 2_000),
            n_audit=max(int(FULL_AUDIT * scale), 100),
            n_reviewers=max(int(FULL_REVIEWERS * scale), 10),
        )


@dataclass(frozen=True)
class National:
    """What the built database holds, for the measures to find their way around it."""

    national_audit_id: int
    live_audit_id: int
    saving_review_ids: list[int]
    n_cases: int
    n_audit_cases: int
    n_reviews: int
    n_answers: int
    checklist_label: str
    build_seconds: float
    generator_version: int = GENERATOR_VERSION

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> National:
        return cls(**json.loads(path.read_text(encoding="utf-8")))


def force_names() -> list[str]:
    return [f"{place} {_KINDS[i % 2]}" for i, place in enumerate(_PLACES[:N_FORCES])]


def _pick(rng: random.Random, weighted: Sequence[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


DATE_SHAPES = {
    "seconds": "%Y-%m-%dT%H:%M:%S",  # 2024-01-01T09:00:00, as database exports write them
    "uk": "%d/%m/%Y %H:%M",  # 01/01/2024 09:00, as spreadsheets saved in the UK write them
}


def write_cases_csv(
    plan: Plan,
    path: Path,
    log: Log,
    dates: str = "mixed",
    n: int | None = None,
    ref_tag: str = "",
    seed: int | None = None,
) -> int:
    """The case pool as CSV with the csv module; forces sized unevenly, as real ones are.

    `dates`: "mixed" (minutes, a tenth in UK form: the database the bench builds) or one of
    DATE_SHAPES for every date. `n` cases instead of the plan's; `ref_tag` in every
    reference keeps a second file's cases apart from the first's.
    """
    rng = random.Random(plan.seed if seed is None else seed)
    shape = DATE_SHAPES.get(dates)
    forces = force_names()
    sizes = [rng.uniform(0.3, 1.0) ** 3 for _ in forces]  # a few big forces, many small
    start = datetime(2023, 1, 1)
    counters = dict.fromkeys(forces, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(CASE_COLUMNS)
        for i in range(plan.n_cases if n is None else n):
            force = rng.choices(forces, sizes)[0]
            counters[force] += 1
            prefix = "".join(w[0] for w in force.split()).upper()
            reported = start + timedelta(minutes=rng.randrange(2 * 366 * 24 * 60))
            late = rng.random() < 0.18
            delay = timedelta(
                hours=rng.randrange(24 * 30 if late else 23), minutes=rng.randrange(60)
            )
            uk_format = rng.random() < 0.1  # as some force exports write dates
            writer.writerow(
                (
                    f"{prefix}{ref_tag}/{reported:%y}/{counters[force]:06d}",
                    force,
                    rng.choice(_TEAMS),
                    _pick(rng, _OFFENCES),
                    reported.strftime(
                        shape or ("%d/%m/%Y %H:%M" if uk_format else "%Y-%m-%dT%H:%M")
                    ),
                    (reported + delay).strftime(shape or "%Y-%m-%dT%H:%M"),
                    _pick(rng, _OUTCOMES),
                    "yes" if rng.random() < 0.6 else "no",
                    "yes" if rng.random() < 0.35 else "no",
                    f"PC {rng.randrange(1000, 99999)}",
                    f"{rng.choice(_BEHAVIOURS)} {rng.choice(_CONTEXTS)}, case {i}.",
                )
            )
            if (i + 1) % 50_000 == 0:
                log(f"  wrote {i + 1:,} cases")
    return plan.n_cases if n is None else n


def bench_checklist(store: Store) -> ChecklistInfo:
    """The shipped stalking checklist (mini.yaml until the shipped one exists)."""
    store.ensure_shipped_checklists()
    try:
        return store.find_checklist("stalking-casefile")
    except StoreError:
        return store.add_checklist(FALLBACK.read_text(encoding="utf-8"), str(FALLBACK))


def random_answers(
    checklist: Checklist, rng: random.Random, share: float = 1.0
) -> dict[str, tuple[str, str]]:
    """One reviewer's answers: every shown question (or the first `share` of them), in order.

    Walking the checklist in order keeps skip logic honest: a controller is answered before
    the questions it shows or hides.
    """
    values: dict[str, str | None] = {}
    out: dict[str, tuple[str, str]] = {}
    shown = 0
    limit = max(1, int(len(checklist.questions) * share)) if share < 1.0 else None
    for q in checklist.questions:
        rule = q.show_if
        if rule is not None and values.get(rule.question) not in rule.in_:
            continue
        if limit is not None and shown >= limit:
            break
        value = rng.choices(q.answers, [_VALUE_WEIGHTS[a] for a in q.answers])[0]
        note = f"see entry {rng.randrange(1, 40)} on the log" if rng.random() < 0.03 else ""
        values[q.id] = value
        out[q.id] = (value, note)
        shown += 1
    return out


def build_national(store: Store, plan: Plan, log: Log) -> tuple[int, int, list[int], int]:
    """The audits and reviews on a store already holding the case pool.

    Reviews go in through store.import_reviews (the path `answers import` uses), in chunks of
    1,000 reviews per transaction: set_answer per answer would take hours at this size.
    Returns (national audit id, live audit id, ids of the in-progress reviews for the save
    latency, answers stored).
    """
    rng = random.Random(plan.seed + 1)
    info = bench_checklist(store)
    checklist = store.checklist(info.pk)
    rows = store.db.execute("SELECT id, force FROM cases ORDER BY id").fetchall()
    force_of = {int(r[0]): str(r[1]) for r in rows}
    ids = list(force_of)
    sample = sorted(rng.sample(ids, plan.n_audit))
    reviewers = [f"reviewer-{i:03d}" for i in range(1, plan.n_reviewers + 1)]
    assignments = {cid: reviewers[i % len(reviewers)] for i, cid in enumerate(sample)}
    audit = store.create_audit(
        NATIONAL_AUDIT,
        info.pk,
        sample,
        created_by=ACTOR,
        seed=plan.seed,
        scope={"forces": "all 43", "period": "2023-2024"},
        strata={cid: force_of[cid] for cid in sample},
        assignments=assignments,
    )
    log(f"  audit '{audit.name}': {len(sample):,} cases")
    n_answers = 0
    chunk = 1_000
    for start in range(0, len(sample), chunk):
        reviews = [
            ImportedReview(
                case_id=cid,
                role="primary",
                reviewer=assignments[cid],
                answers=random_answers(checklist, rng),
                complete=True,
            )
            for cid in sample[start : start + chunk]
        ]
        n_answers += store.import_reviews(audit.id, reviews, ACTOR)
        done = min(start + chunk, len(sample))
        if done % 5_000 == 0 or done == len(sample):
            log(f"  {done:,} completed reviews, {n_answers:,} answers")

    in_sample = set(sample)
    live = [cid for cid in ids if cid not in in_sample][:: max(1, len(ids) // (4 * LIVE_CASES))]
    live = live[:LIVE_CASES]
    live_assign = {cid: TUI_REVIEWER for cid in live[:TUI_CASES]}
    live_audit = store.create_audit(
        LIVE_AUDIT, info.pk, live, created_by=ACTOR, seed=plan.seed, assignments=live_assign
    )
    saving_cases = live[100 : 100 + SAVING_REVIEWS]
    in_progress = [
        ImportedReview(
            case_id=cid,
            role="primary",
            reviewer=SAVER,
            answers=random_answers(checklist, rng, share=0.6),
            complete=False,
        )
        for cid in saving_cases
    ]
    n_answers += store.import_reviews(live_audit.id, in_progress, ACTOR)
    saving_ids = [
        int(r[0])
        for r in store.db.execute(
            "SELECT id FROM reviews WHERE audit_id = ? AND reviewer = ? ORDER BY id",
            [live_audit.id, SAVER],
        ).fetchall()
    ]
    log(f"  audit '{live_audit.name}': {len(live)} cases, {len(saving_ids)} reviews in progress")
    return audit.id, live_audit.id, saving_ids, n_answers
