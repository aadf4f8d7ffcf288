"""What changed between two versions of a checklist, question by question."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from casereview.core.checklist.models import Checklist, Question
from casereview.core.text import natural_key


def _rule(q: Question) -> str:
    if q.show_if is None:
        return "(always shown)"
    return f"{q.show_if.question} in [{', '.join(q.show_if.in_)}]"


def _limit(q: Question) -> str:
    if q.limit is None:
        return "(none)"
    return f"force setting {q.limit.setting}, default {q.limit.default} {q.limit.unit}"


def _tags(q: Question) -> str:
    parts = [
        f"{kind} {', '.join(getattr(q, kind))}"
        for kind in ("recommendations", "concerns", "themes")
        if getattr(q, kind)
    ]
    return "; ".join(parts) or "(none)"


def _changes(old: Question, new: Question, old_section: str, new_section: str) -> list[str]:
    """What differs between two versions of one question, one 'what: old -> new' each."""
    pairs = [
        ("text", old.text, new.text),
        ("section", old_section, new_section),
        ("answers", ", ".join(old.answers), ", ".join(new.answers)),
        ("show_if", _rule(old), _rule(new)),
        ("scored", str(old.scored).lower(), str(new.scored).lower()),
        ("weight", f"{old.weight:g}", f"{new.weight:g}"),
        ("critical", str(old.critical).lower(), str(new.critical).lower()),
        ("applies", old.scope_text() or "(always)", new.scope_text() or "(always)"),
        ("limit", _limit(old), _limit(new)),
        ("tags", _tags(old), _tags(new)),
    ]
    out = [f"{what}: {a} -> {b}" for what, a, b in pairs if a != b]
    if old.guidance.strip() != new.guidance.strip():
        out.append("guidance reworded")
    return out


def diff_checklists(old: Checklist, new: Checklist) -> list[str]:
    """The questions added, removed, continued (`replaces`) and changed from `old` to `new`,
    one line each: `new`'s questions in order, then the removals in `old`'s order.

    A question of `new` continues the question of `old` it `replaces`, else the one with its
    own id (the loader makes sure no question both keeps an id and is replaced)."""
    lines: list[str] = []
    continued: set[str] = set()
    for q in new.questions:
        if q.replaces and q.replaces != q.id and old.has_question(q.replaces):
            before = old.question(q.replaces)
            lines.append(f"replaced  {before.id} -> {q.id}  {q.text}")
            label = f"{q.id} (was {before.id})"
        elif old.has_question(q.id):
            before, label = old.question(q.id), q.id
        else:
            lines.append(f"added     {q.id}  {q.text}")
            continue
        continued.add(before.id)
        for change in _changes(before, q, old.section_of(before.id).id, new.section_of(q.id).id):
            lines.append(f"changed   {label}  {change}")
    lines += [f"removed   {q.id}  {q.text}" for q in old.questions if q.id not in continued]
    return lines


class Clash(NamedTuple):
    """A question of one version that another version of its checklist rules out."""

    checklist: Checklist
    """The version holding the question (the later of the two)."""
    question_id: str
    message: str


def retired_id_clashes(new: Checklist, others: Iterable[Checklist]) -> list[Clash]:
    """Why `new` cannot stand beside the other versions of its checklist (none: it can).

    Where a version continues question R under another id X (X `replaces: R`), R is retired
    from that version on: a later version may not name a question R again (unless that one
    `replaces: X`, renaming it back), nor continue R a second time under an id other than X.
    Either would make two questions follow back to the same old answers, so a trend would
    count them twice (`trend.lineage`). Checked both ways: `new` may be the earlier version."""
    problems: list[Clash] = []
    for other in others:
        if other.id != new.id or other.version == new.version:
            continue
        newer = natural_key(new.version) > natural_key(other.version)
        earlier, later = (other, new) if newer else (new, other)
        for x in earlier.questions:
            retired = x.replaces
            if retired is None or retired == x.id:
                continue
            why = f"{earlier.id}@{earlier.version} continues {retired} as {x.id}"
            for q in later.questions:
                if q.id == retired and q.replaces != x.id:
                    problems.append(
                        Clash(
                            later,
                            q.id,
                            f"question {retired} of {later.id}@{later.version}: {why} "
                            f"(`replaces: {retired}`), so {retired} is retired and cannot name "
                            "another question; give this question a new id",
                        )
                    )
                elif q.replaces == retired and q.id not in (x.id, retired):
                    problems.append(
                        Clash(
                            later,
                            q.id,
                            f"question {q.id} of {later.id}@{later.version} replaces {retired}, "
                            f"but {why} already; a question is continued by one question at most "
                            f"(to continue {x.id}, say `replaces: {x.id}`)",
                        )
                    )
    return problems
