"""The bundle rule for names (core.bundles.rules): a case's reference and force, a person,
a question, a kind of event, each held to the rule `cases import` holds references to."""

from __future__ import annotations

from typing import Any

from casereview.core.text import all_plain, hidden_character

Json = dict[str, Any]
MEMBER = "bundle.json"  # where a rule names a part (a streamed merge renames it)

# The fields that name something (a case, a person, a question, a kind of event): held to
# the rule `cases import` holds references to (text.hidden_character), so that two never
# look alike and none carries a terminal's escape sequences into a message. Free text
# (notes, summaries, reasons) may hold line breaks, and is never echoed.
_NAMES = {
    "cases": ("case_ref", "force", "assigned_to", "second_reviewer"),
    "reviews": ("force", "case_ref", "reviewer"),
    "events": ("actor", "question_id", "kind"),
}
_ANSWER_NAMES = ("question_id", "updated_by")


def invisible_problems(content: Json) -> list[str]:
    """Every name in `content` (a bundle's, or a batch of one) that holds a character
    nobody can see, each named where it is."""
    problems = []
    name = content["audit"]["name"]  # held to the rule every audit's name is (store.audits)
    if not name.strip():
        problems.append(f"{MEMBER}: audit.name: an audit needs a name")
    elif refusal := hidden_character("the audit name", name):
        problems.append(f"{MEMBER}: audit.name: {refusal}")
    every = [item[n] for part, names in _NAMES.items() for item in content[part] for n in names]
    every += [a[n] for r in content["reviews"] for a in r["answers"] for n in _ANSWER_NAMES]
    if all_plain(every):
        return problems  # the usual case: one C-level check over them all, not one each
    for part, names in _NAMES.items():
        for i, item in enumerate(content[part]):
            problems += [
                f"{MEMBER}: {part}.{i}.{name}: {refusal}"
                for name in names
                if item[name] is not None and (refusal := hidden_character(name, item[name]))
            ]
    for i, review in enumerate(content["reviews"]):
        for j, answer in enumerate(review["answers"]):
            problems += [
                f"{MEMBER}: reviews.{i}.answers.{j}.{name}: {refusal}"
                for name in _ANSWER_NAMES
                if (refusal := hidden_character(name, answer[name]))
            ]
    return problems
