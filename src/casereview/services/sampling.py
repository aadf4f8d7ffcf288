"""Drawing a dip sample: seeded, reproducible, optionally stratified (proportional allocation)."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from casereview.core.fields import BOOL_COLUMNS, CASE_COLUMNS, parse_bool
from casereview.core.periods import Period
from casereview.core.problems import CasereviewError
from casereview.core.rules import second_review_refusal
from casereview.core.stats.scoring import allocate_proportional
from casereview.core.text import closest_first
from casereview.store import AuditInfo, Case, Store

NO_VALUE = "(none)"


@dataclass(frozen=True)
class Stratum:
    name: str
    pool: int
    sample: int

    @property
    def share(self) -> float:
        return self.sample / self.pool if self.pool else 0.0


@dataclass(frozen=True)
class Sample:
    cases: list[Case]
    strata: list[Stratum]
    stratum_of: dict[int, str]


class SampleError(CasereviewError):
    """A sample that cannot be drawn as asked; the message says why."""


def new_seed() -> int:
    """A seed for a draw nobody gave one for: recorded with the audit, so it can be redone."""
    return random.SystemRandom().randrange(1, 1_000_000)


def reviewer_names(text: str | None) -> list[str]:
    """Reviewers as typed: comma-separated, spaces around names and empty entries dropped."""
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def draw(pool: Sequence[Case], n: int, seed: int, stratify: str | None = None) -> Sample:
    """Draw n cases from the pool; the same pool, n, seed and field always give the same cases.

    The pool is put in a canonical order (force, case_ref) first, so the draw does not depend
    on the order rows came back from the database.
    """
    if n < 1:
        raise SampleError("the sample size must be at least 1")
    if n > len(pool):
        raise SampleError(
            f"asked for {n} cases but the scope holds only {len(pool)}; "
            "widen the filters or ask for fewer"
        )
    ordered = sorted(pool, key=lambda c: (c.force, c.case_ref))
    rng = random.Random(seed)
    if not stratify:
        chosen = rng.sample(ordered, n)
        return Sample(chosen, [Stratum("(all)", len(ordered), n)], {})
    groups: dict[str, list[Case]] = defaultdict(list)
    for case in ordered:
        groups[case.attribute(stratify) or NO_VALUE].append(case)
    sizes = {name: len(members) for name, members in sorted(groups.items())}
    allocation = allocate_proportional(sizes, n)
    chosen = []
    stratum_of: dict[int, str] = {}
    for name in sorted(groups):
        picked = rng.sample(groups[name], allocation[name])
        chosen.extend(picked)
        stratum_of.update({c.id: name for c in picked})
    strata = [Stratum(name, sizes[name], allocation[name]) for name in sorted(groups)]
    return Sample(chosen, strata, stratum_of)


def round_robin(case_ids: Sequence[int], reviewers: Sequence[str]) -> dict[int, str]:
    """Assign cases to reviewers in turn, in sample order."""
    if not reviewers:
        return {}
    return {cid: reviewers[i % len(reviewers)] for i, cid in enumerate(case_ids)}


@dataclass(frozen=True)
class Scope:
    """Which cases an audit may draw from: every field in `where` must match, and a field
    with several values (a list) matches any of them."""

    where: dict[str, str | list[str]]
    date_from: str | None = None
    date_to: str | None = None

    def pool(self, store: Store) -> list[Case]:
        return store.cases(where=self.where, date_from=self.date_from, date_to=self.date_to)

    def count(self, store: Store) -> int:
        return store.count_cases(where=self.where, date_from=self.date_from, date_to=self.date_to)

    def problems(self, store: Store, stratify: str | None = None) -> list[str]:
        """What is wrong with this scope on this pool; empty when it can be drawn from.

        A misspelt field, a value no case has, or a value that a yes/no field cannot take
        would otherwise match no case, or (stratifying) every case, without a word.
        """
        known = store.case_attribute_names()
        fields = f"(fields: {', '.join(known)})"
        out = []
        for name, given in self.where.items():
            values = [given] if isinstance(given, str) else given
            if name not in known and name not in CASE_COLUMNS:
                shown = ", ".join(values)
                out.append(f"filter {name}={shown}: no case has a field '{name}' {fields}")
                continue
            for value in values:
                if name in BOOL_COLUMNS:
                    try:
                        parse_bool(value)
                    except ValueError:
                        out.append(f"filter {name}={value}: {name} is yes or no")
                elif name != "summary" and store.count_cases(where={name: value}) == 0:
                    # (summary is free text: never listed, and nobody means one by name)
                    out.append(_no_such_value(store, name, value))
        if stratify and stratify not in known:
            out.append(f"strata by {stratify}: no case has a field '{stratify}' {fields}")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            out.append(f"the report dates run backwards: from {self.date_from} to {self.date_to}")
        return out


def _no_such_value(store: Store, name: str, value: str, shown: int = 8) -> str:
    values = closest_first(value, store.distinct_values(name))
    listed = ", ".join(f"'{v}'" for v in values[:shown])
    more = f" and {len(values) - shown} more" if len(values) > shown else ""
    return f"no case has {name} = '{value}'; values are: {listed or 'none'}{more}"


def create_sampled_audit(
    store: Store,
    name: str,
    checklist_pk: int,
    n: int,
    seed: int,
    scope: Scope,
    created_by: str,
    stratify: str | None = None,
    reviewers: Sequence[str] = (),
    period: Period | None = None,
    force_settings: str | None = None,
) -> tuple[AuditInfo, Sample, int]:
    """Draw the sample and record the audit: the one path the CLI, the app and the demo use.
    Its period is `period`, else the scope's report dates, else none."""
    problems = scope.problems(store, stratify)
    if problems:
        raise SampleError("; ".join(problems))
    pool = scope.pool(store)
    sample = draw(pool, n, seed, stratify)
    ids = [c.id for c in sample.cases]
    audit = store.create_audit(
        name,
        checklist_pk,
        ids,
        created_by=created_by,
        seed=seed,
        scope={
            "where": scope.where,
            "from": scope.date_from,
            "to": scope.date_to,
            "stratify": stratify,
            "sample": n,
            "pool": len(pool),
            "reviewers": list(reviewers),
        },
        strata=sample.stratum_of,
        assignments=round_robin(ids, list(reviewers)),
        period=period,
        force_settings=force_settings,
    )
    return audit, sample, len(pool)


def choose_second(
    store: Store,
    audit_id: int,
    second: str,
    actor: str,
    share: float | None = None,
    count: int | None = None,
    seed: int | None = None,
) -> tuple[list[Case], int]:
    """Draw cases for a blind second review by `second` and assign them (seeded): only cases
    the rule lets them take (rules.second_review_refusal: not their own primary review) and
    not already chosen for someone. Returns the cases chosen and the seed used."""
    if (share is None) == (count is None):
        raise SampleError("give one of --share (e.g. 0.2) or --count")
    sampled = store.audit_cases(audit_id)
    eligible = [
        ac.case
        for ac in sampled
        if ac.second_reviewer is None
        and second_review_refusal(second, ac.assigned_to, ac.reviewer) is None
    ]
    wanted = count if count is not None else math.ceil((share or 0) * len(sampled))
    if wanted > len(eligible):
        raise SampleError(
            f"asked for {wanted} second reviews but only {len(eligible)} cases are neither "
            f"{second}'s own primary reviews nor already chosen for a second review"
        )
    seed = new_seed() if seed is None else seed
    by_id = {case.id: case for case in eligible}
    chosen = random.Random(seed).sample(sorted(by_id), wanted)
    store.assign_second(audit_id, chosen, second, actor, f"seed {seed}")
    return [by_id[case_id] for case_id in chosen], seed


def second_review_size(text: str) -> tuple[float | None, int | None]:
    """How many cases a second review takes, as typed in the app: a share of the sample
    (`20%` or `0.2`) or a number of cases (`5`), as `audit second --share/--count`; empty
    is neither (the highlighted case). Returns (share, count)."""
    typed = text.strip()
    if not typed:
        return None, None
    try:
        if typed.endswith("%"):
            share = float(typed[:-1].strip()) / 100
        elif typed.isdigit():
            count = int(typed)
            if count < 1:
                raise ValueError
            return None, count
        else:
            share = float(typed)
    except ValueError:
        share = -1.0
    if not 0 < share <= 1:
        raise SampleError(
            f"'{typed}' is not a share or a number of cases: type 20% (or 0.2) for a share "
            "of the sample, 5 for five cases, or nothing for the highlighted case"
        )
    return share, None
