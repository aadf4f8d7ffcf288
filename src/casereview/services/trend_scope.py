"""Like with like in a trend: which audits a figure's change may be drawn from.

A change is drawn only between audits of the same scope: the same case filters (force, team,
offence...) and the same sample design (stratified by the same field, or not at all), whose
periods do not overlap. In time order each audit is compared with the latest earlier audit of
its scope; compared side by side (`--compare`, one period, e.g. forces), with the others of
its design, forces aside. Audits of another scope stay in the table, and are named as such."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from casereview.core.fields import where_text
from casereview.core.periods import PERIOD_HINT, Period


@dataclass(frozen=True)
class Scope:
    """What an audit's sample was drawn from and how, for comparing audits."""

    where: tuple[tuple[str, tuple[str, ...]], ...]
    stratify: str | None

    @classmethod
    def of(cls, scope: Mapping[str, Any]) -> Scope:
        where = scope.get("where") or {}
        values = {
            k: tuple(sorted(v)) if isinstance(v, list) else (str(v),) for k, v in where.items()
        }
        return cls(tuple(sorted(values.items())), scope.get("stratify") or None)

    def key(self, forces_aside: bool) -> tuple[object, ...]:
        where = tuple(w for w in self.where if not (forces_aside and w[0] == "force"))
        return (where, self.stratify)

    @property
    def words(self) -> str:
        """'force = Northmoor Police, strata by team'; 'every case' with no filter."""
        where = where_text({k: list(v) if len(v) > 1 else v[0] for k, v in self.where})
        design = f"strata by {self.stratify}" if self.stratify else "simple random sample"
        return f"{where or 'every case'}; {design}"


def bases(periods: Sequence[Period], scopes: Sequence[Scope], compare: bool) -> list[list[int]]:
    """Per audit (in the trend's order), the audits its change is drawn from: in time order
    the latest earlier one of the same scope whose period does not overlap its own (one or
    none); compared side by side, every other of the same design (forces aside)."""
    out: list[list[int]] = []
    for i, (period, scope) in enumerate(zip(periods, scopes, strict=True)):
        key = scope.key(forces_aside=compare)
        if compare:
            out.append([j for j, s in enumerate(scopes) if j != i and s.key(True) == key])
            continue
        earlier = [
            j for j in range(i) if scopes[j].key(False) == key and not periods[j].overlaps(period)
        ]
        out.append(earlier[-1:])
    return out


def scope_notes(
    names: Sequence[str], periods: Sequence[Period], scopes: Sequence[Scope], compare: bool
) -> list[str]:
    """What a reader must know about comparing these audits: the groups of different scope
    (changes are drawn within each only), and audits whose period overlaps an earlier one
    of their scope (not compared with it)."""
    notes: list[str] = []
    groups: dict[tuple[object, ...], list[int]] = {}
    for i, scope in enumerate(scopes):
        groups.setdefault(scope.key(forces_aside=compare), []).append(i)
    main = max(groups.values(), key=len)  # the first of the largest groups
    for members in groups.values():
        if members is not main:
            notes.append(
                f"not compared with the others (another scope: {scopes[members[0]].words}): "
                + ", ".join(names[i] for i in members)
            )
    if not compare:
        for i, period in enumerate(periods):
            key = scopes[i].key(False)
            for j in range(i):
                if scopes[j].key(False) == key and periods[j].overlaps(period):
                    notes.append(
                        f"{names[i]} ({period.label}) overlaps the period of {names[j]} "
                        f"({periods[j].label}): no change drawn between them"
                    )
    return notes


def left_out_note(names: Sequence[str]) -> str:
    """The message for audits a trend leaves out for having no period."""
    return f"left out (no period): {', '.join(names)}; {PERIOD_HINT}"
