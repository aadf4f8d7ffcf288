"""Checklists as data: the pydantic models and their skip logic.

Reading a YAML file (with FILE:LINE errors) is checklist_loading; comparing two versions is
checklist_versions."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from itertools import chain
from operator import itemgetter
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from casereview.core import fields
from casereview.core.checklist.scope import CaseScope as CaseScope  # re-exported
from casereview.core.checklist.settings import ForceSettings
from casereview.core.text import fold_name

# Combinations of skip-logic answers whose hidden questions are remembered (hidden_ids):
# enough for a screen or a report, never growing with a national audit's reviews.
HIDDEN_MEMO = 4096

SkipPart = tuple[
    tuple[str, ...],
    Callable[[tuple[str | None, ...]], object],
    tuple[str, ...],
    dict[object, tuple[str, ...]],
]
"""(questions, the pick of its controllers' answers out of all the controllers' answers,
scoped questions, what each combination of them hides)"""

AnswerValue = Literal["yes", "partly", "no", "na", "unknown"]
ANSWER_VALUES = cast("tuple[AnswerValue, ...]", fields.ANSWER_VALUES)
ANSWER_LABELS: dict[str, str] = {
    "yes": "Yes",
    "partly": "Partly",
    "no": "No",
    "na": "N/A",
    "unknown": "Unknown",
}

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class _Strict(BaseModel):
    # defer_build: the schema is built on first use, so commands that never read a checklist
    # (audit list, export) do not pay for it at start-up.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ShowIf(_Strict):
    """Skip logic: the question is shown only when an earlier question has one of these answers."""

    question: str
    """Id of an earlier question."""
    in_: tuple[AnswerValue, ...] = Field(alias="in", min_length=1)
    """Answers of that question for which this one is shown."""


class Limit(_Strict):
    """A time limit in a question's text (`{limit}`): a force's own figure where the audit
    gives force settings, else the checklist's default, which the text says is its own."""

    setting: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    """The name of the force setting (checklist.settings), e.g. interview_days."""
    default: int = Field(ge=1, le=10_000)
    unit: Literal["hours", "days", "working days"]

    def words(self, value: int | None = None, force: str | None = None) -> str:
        if value is None or force is None:
            return f"{self.default} {self.unit} (the checklist's default, not a national standard)"
        return f"{value} {self.unit} ({force}'s limit)"


class Question(_Strict):
    """One test a reviewer answers from the case file."""

    id: str = Field(pattern=_ID)
    text: str = Field(min_length=1)
    answers: tuple[AnswerValue, ...] = Field(default=ANSWER_VALUES, min_length=1)
    """The values a reviewer may give; a subset of the five."""
    guidance: str = ""
    """What good looks like: the text that makes two reviewers agree."""
    recommendations: tuple[str, ...] = ()
    """Refs of the 2024 report's recommendations this question evidences."""
    concerns: tuple[str, ...] = ()
    """Super-complaint concerns (keys of the checklist's `concerns`)."""
    themes: tuple[str, ...] = ()
    """Inspection themes (keys of the checklist's `themes`)."""
    weight: float = Field(default=1.0, ge=0, le=1000, allow_inf_nan=False)
    critical: bool = False
    show_if: ShowIf | None = None
    replaces: str | None = Field(default=None, pattern=_ID)
    """The id of a question in an earlier version that this one continues (the same standard,
    reworded or renumbered), so figures can be compared across versions."""
    applies_from: str | None = None
    """A commencement date (YYYY-MM-DD): the question is shown only for cases reported on or
    after it; before it, it is hidden and counts as N/A."""
    applies_to: tuple[str, ...] = ()
    """A pilot's forces: the question is shown only for cases of these forces."""
    limit: Limit | None = None
    """A time limit the text names as `{limit}`: the force's where given, else the default."""
    _template: str = PrivateAttr(default="")
    scored: bool = True
    """False: a fact about the case (the victim withdrew, an SPO was applied for), answered
    and used by skip logic like any question but never counted as compliance; findings
    report it as prevalence."""

    @field_validator("answers")
    @classmethod
    def _no_repeats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("answers lists a value twice")
        return value

    @model_validator(mode="after")
    def _limit_in_text(self) -> Question:
        if ("{limit}" in self.text) != (self.limit is not None):
            raise ValueError(
                "a question with `limit:` says {limit} in its text where the figure goes, and "
                "only such a question may"
            )
        if self.limit is not None:
            self._template = self.text
            self.__dict__["text"] = self.text.replace("{limit}", self.limit.words())
        return self

    def for_force(self, settings: ForceSettings | None) -> Question:
        """The question as an audit with these force settings shows it."""
        if self.limit is None or settings is None or self.limit.setting not in settings.limits:
            return self
        words = self.limit.words(settings.limits[self.limit.setting], settings.force)
        return self.model_copy(update={"text": self._template.replace("{limit}", words)})

    @field_validator("applies_from", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        if not isinstance(value, str) or not _DATE.match(value):
            raise ValueError(f"'{value}' is not a date: use YYYY-MM-DD (applies_from: 2024-01-31)")
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a date (no such day)") from None
        return value

    @field_validator("applies_to", mode="before")
    @classmethod
    def _force_names(cls, value: Any) -> Any:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("must be a list of force names (applies_to: [Force A, Force B])")
        if not value:
            raise ValueError("lists no force; leave applies_to out for every force")
        seen: dict[str, str] = {}
        for name in value:
            if not name.strip():
                raise ValueError("has an empty force name")
            key = fold_name(name.strip())
            if key in seen:
                raise ValueError(f"names {seen[key]} twice")
            seen[key] = name.strip()
        return tuple(seen.values())

    def applies(self, case: CaseScope | None) -> bool:
        """Whether the question applies to a case reported then, in that force. What is not
        known (no case, no date, no force) does not hide it: the reviewer can answer N/A."""
        if case is None:
            return True
        day = (case.reported_on or "")[:10]
        if self.applies_from and _DATE.match(day) and day < self.applies_from:
            return False
        return not (
            self.applies_to
            and case.force
            and fold_name(case.force.strip()) not in {fold_name(f) for f in self.applies_to}
        )

    def scope_text(self) -> str:
        """When and where the question applies, as findings say it ('' for always)."""
        parts = []
        if self.applies_from:
            parts.append(f"not applicable before {self.applies_from}")
        if self.applies_to:
            parts.append(f"applies only in {', '.join(self.applies_to)} (pilot)")
        return "; ".join(parts)


class Section(_Strict):
    """A group of questions following one stage of the case file."""

    id: str = Field(pattern=_ID)
    title: str = Field(min_length=1)
    description: str = ""
    questions: tuple[Question, ...] = Field(min_length=1)


class Checklist(_Strict):
    """A versioned checklist; immutable once an audit uses it."""

    id: str = Field(pattern=_ID)
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str = ""
    unknown_scores_as: Literal["excluded", "no"] = "excluded"
    """`excluded`: an `unknown` answer is left out of compliance; `no`: it scores 0."""
    concerns: dict[str, str] = Field(default_factory=dict)
    themes: dict[str, str] = Field(default_factory=dict)
    sections: tuple[Section, ...] = Field(min_length=1)

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: Any) -> Any:
        # `version: 1.0` unquoted is a float in YAML; accept it as the text it looks like.
        return (
            str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        )

    def for_force(self, settings: ForceSettings | None) -> Checklist:
        """The checklist as an audit with these force settings shows it: each question with a
        `limit` the force sets gives the force's figure. Scoring is unchanged."""
        if settings is None or not any(q.limit for q in self.questions):
            return self
        sections = tuple(
            s.model_copy(update={"questions": tuple(q.for_force(settings) for q in s.questions)})
            for s in self.sections
        )
        fields_ = {name: getattr(self, name) for name in type(self).model_fields}
        # model_construct: a fresh instance, so no cached question index is carried over
        return type(self).model_construct(**{**fields_, "sections": sections})

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)

    @cached_property
    def _by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    @cached_property
    def _section_of(self) -> dict[str, Section]:
        return {q.id: s for s in self.sections for q in s.questions}

    def question(self, question_id: str) -> Question:
        return self._by_id[question_id]

    def has_question(self, question_id: str) -> bool:
        return question_id in self._by_id

    def section_of(self, question_id: str) -> Section:
        return self._section_of[question_id]

    def visible(
        self, answers: Mapping[str, str | None], case: CaseScope | None = None
    ) -> list[str]:
        """Ids of the questions shown for these answers, in checklist order.

        A question is shown when it applies to the case (`applies_from`, `applies_to`) and
        has no `show_if`, or its controlling question is itself shown and answered with one
        of the listed values. Controllers always come earlier, so one pass in order settles
        everything.
        """
        outside = set(self.out_of_scope(case))
        shown: set[str] = set()
        for qid, controller, allowed in self._rules:
            if qid in outside:
                continue
            if controller is None or (controller in shown and answers.get(controller) in allowed):
                shown.add(qid)
        return [qid for qid, _, _ in self._rules if qid in shown]

    def out_of_scope(self, case: CaseScope | None) -> tuple[str, ...]:
        """The questions that do not apply to this case for its date or force."""
        if case is None or not self._scoped:
            return ()
        # only the day and the force decide it: worked out once per pair (scoring asks
        # for every case of a national audit)
        key = ((case.reported_on or "")[:10], case.force)
        outside = self._outside_for.get(key)
        if outside is None:
            outside = self._outside_for[key] = tuple(
                q.id for q in self._scoped if not q.applies(case)
            )
        return outside

    @cached_property
    def _outside_for(self) -> dict[tuple[str, str | None], tuple[str, ...]]:
        return {}  # a cache: (report day, force) -> the questions out of scope

    def scope_notes(self, cases: Iterable[CaseScope | None]) -> dict[str, str]:
        """Per dated or pilot question, what findings say beside it: when and where it
        applies and how many of these cases it did not apply to, so a smaller n is
        explained rather than silent."""
        listed = list(cases)
        n = len(listed)
        outside = Counter(chain.from_iterable(map(self.out_of_scope, listed)))
        return {
            q.id: f"{q.scope_text()}: did not apply to {outside[q.id]} of {n} cases"
            for q in self._scoped
        }

    @cached_property
    def _scoped(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.applies_from or q.applies_to)

    @cached_property
    def _rules(self) -> tuple[tuple[str, str | None, frozenset[str]], ...]:
        """(question, controlling question, values that show it), in order: skip logic, flat."""
        return tuple(
            (q.id, q.show_if.question, frozenset(q.show_if.in_))
            if q.show_if
            else (q.id, None, frozenset())
            for q in self.questions
        )

    def effective_answers(
        self, answers: Mapping[str, str | None], case: CaseScope | None = None
    ) -> dict[str, str | None]:
        """Every question's answer for scoring: hidden questions count as `na`, missing as None.

        The keys are the checklist's question ids in checklist order (scoring relies on it).
        """
        # Scoring calls this once per review (25,000 times for a national audit), so the
        # copying is done by dict itself, and which questions are hidden is worked out once
        # per combination of the answers skip logic looks at.
        effective = {**self._unanswered, **answers}
        if len(effective) != len(self._unanswered):  # ids the checklist does not have
            effective = {qid: effective[qid] for qid in self._unanswered}
        for qid in self.hidden_ids(answers, case):
            effective[qid] = "na"
        return effective

    def hidden_ids(
        self, answers: Mapping[str, str | None], case: CaseScope | None = None
    ) -> tuple[str, ...]:
        """The questions skip logic and scope hide for these answers and this case, in
        checklist order (worked out once per combination of what they look at)."""
        outside = self.out_of_scope(case)
        answered = tuple(map(answers.get, self._controllers))
        return self._hidden(answers, case, answered, outside)

    def _hidden(
        self,
        answers: Mapping[str, str | None],
        case: CaseScope | None,
        answered: tuple[str | None, ...],
        outside: tuple[str, ...],
    ) -> tuple[str, ...]:
        # A national audit's reviews give thousands of combinations of every controller's
        # answer (12,908 in 25,000 reviews), but few per independent part of the skip logic:
        # each part's hidden questions are worked out once per combination of what that part
        # looks at, picked in C out of the controllers' answers, and each combination of the
        # parts' results is put in checklist order once.
        parts = []
        for members, pick, scoped, known in self._skip_parts:
            key = (pick(answered), outside) if scoped else pick(answered)
            part = known.get(key)
            if part is None:
                shown = set(self.visible(answers, case))  # the one statement of the rule
                part = known[key] = tuple(q for q in members if q not in shown)
            parts.append(part)
        combined = tuple(parts)
        ordered = self._ordered.get(combined)
        if ordered is None:
            if len(self._ordered) >= HIDDEN_MEMO:
                self._ordered.clear()
            hidden = chain.from_iterable(parts)
            ordered = self._ordered[combined] = tuple(
                sorted(hidden, key=self._position.__getitem__)
            )
        return ordered

    @cached_property
    def _ordered(self) -> dict[tuple[tuple[str, ...], ...], tuple[str, ...]]:
        return {}  # a cache: each part's hidden questions -> all of them in checklist order

    @cached_property
    def _skip_parts(self) -> tuple[SkipPart, ...]:
        """The skip logic's independent parts, each (its questions, the controllers its
        rules look at, its questions with a scope, a cache: what those answers and scopes
        hide): questions joined by `show_if`, and every part that can hide something."""
        parent = {qid: qid for qid, _, _ in self._rules}

        def root(qid: str) -> str:
            while parent[qid] != qid:
                qid = parent[qid]
            return qid

        for qid, controller, _ in self._rules:
            if controller is not None and controller in parent:
                parent[root(qid)] = root(controller)
        parts: dict[str, list[str]] = {}
        for qid, _, _ in self._rules:
            parts.setdefault(root(qid), []).append(qid)
        scoped = {q.id for q in self._scoped}
        out: list[SkipPart] = []
        for members in parts.values():
            inside = set(members)
            rules = [c for q, c, _ in self._rules if q in inside and c is not None]
            with_scope = tuple(q for q in members if q in scoped)
            if rules or with_scope:
                at = [self._controllers.index(c) for c in dict.fromkeys(rules)]
                out.append((tuple(members), _picker(at), with_scope, {}))
        return tuple(out)

    @cached_property
    def _position(self) -> dict[str, int]:
        return {qid: i for i, qid in enumerate(self._unanswered)}

    @cached_property
    def _controllers(self) -> tuple[str, ...]:
        """The questions skip logic depends on: their answers alone decide what is hidden."""
        return tuple(dict.fromkeys(c for _, c, _ in self._rules if c is not None))

    @cached_property
    def _unanswered(self) -> dict[str, str | None]:
        return dict.fromkeys(q.id for q in self.questions)

    def unanswered(
        self, answers: Mapping[str, str | None], case: CaseScope | None = None
    ) -> list[str]:
        """Shown questions with no answer: these block completing a review."""
        return [qid for qid in self.visible(answers, case) if not answers.get(qid)]


def _picker(at: list[int]) -> Callable[[tuple[str | None, ...]], object]:
    """The values at these positions of a tuple, taken in C (one: the value itself)."""
    return itemgetter(*at) if at else _nothing


def _nothing(_: tuple[str | None, ...]) -> object:
    return ()
