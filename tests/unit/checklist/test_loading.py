"""Checklist loading: the models, skip logic, and every bad file named by line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from casereview.cli import main
from casereview.core.checklist.loading import (
    ChecklistError,
    load_checklist,
    parse_checklist,
    read_yaml,
)
from casereview.core.checklist.models import Checklist
from casereview.core.checklist.yaml_loaders import fast_root
from casereview.core.problems import InputError
from casereview.store import Store
from tests.factories import MINI

GOOD_HEAD = """\
id: t
version: "1"
title: T
sections:
  - id: s1
    title: S1
    questions:
"""

# (name, text, line, fragment of the message)
BAD = [
    ("syntax", "id: t\nversion: [1\n", 3, "YAML syntax error"),
    ("empty", "", 1, "the file is empty"),
    ("comments only", "# nothing\n", 1, "the file is empty"),
    ("top-level list", "- id: t\n", 1, "top level must be a mapping"),
    ("missing title", 'id: t\nversion: "1"\nsections: []\n', 1, "'title' is required"),
    ("missing question id", GOOD_HEAD + "      - text: q?\n", 8, "'id' is required"),
    (
        "duplicate question id",
        GOOD_HEAD + "      - {id: Q1, text: 'a?'}\n      - {id: Q1, text: 'b?'}\n",
        9,
        "question id 'Q1' is used twice (first at line 8)",
    ),
    (
        "duplicate section id",
        GOOD_HEAD
        + "      - {id: Q1, text: 'a?'}\n  - id: s1\n    title: again\n    questions:\n"
        + "      - {id: Q2, text: 'b?'}\n",
        9,
        "section id 's1' is used twice",
    ),
    (
        "unknown answer value",
        GOOD_HEAD + "      - id: Q1\n        text: a?\n        answers: [yes, maybe]\n",
        10,
        "'maybe' is not an answer value",
    ),
    (
        "show_if naming its own question",
        GOOD_HEAD
        + "      - id: Q0\n        text: z?\n"
        + "      - id: Q1\n        text: a?\n        show_if: {question: Q1, in: [yes]}\n",
        12,
        "question Q1: show_if names Q1 itself; skip logic must depend on an earlier question "
        "(as written it would never be shown)",
    ),
    (
        "show_if to a missing question",
        GOOD_HEAD
        + "      - id: Q1\n        text: a?\n        show_if: {question: Q9, in: [yes]}\n",
        10,
        "'Q9', which is not a question here",
    ),
    (
        "show_if to a later question",
        GOOD_HEAD
        + "      - id: Q1\n        text: a?\n        show_if: {question: Q2, in: [yes]}\n"
        + "      - {id: Q2, text: 'b?'}\n",
        10,
        "comes later",
    ),
    (
        "show_if on a value the question cannot take",
        GOOD_HEAD
        + "      - {id: Q1, text: 'a?', answers: [yes, no]}\n"
        + "      - id: Q2\n        text: b?\n        show_if: {question: Q1, in: [partly]}\n",
        11,
        "Q1 cannot take",
    ),
    (
        "empty section",
        GOOD_HEAD.replace("    questions:\n", "    questions: []\n"),
        7,
        "no questions",
    ),
    (
        "negative weight",
        GOOD_HEAD + "      - id: Q1\n        text: a?\n        weight: -1\n",
        10,
        "greater than or equal to 0",
    ),
    (
        "unknown key",
        GOOD_HEAD + "      - id: Q1\n        text: a?\n        wieght: 2\n",
        10,
        "unknown key 'wieght'",
    ),
    (
        "undeclared theme",
        GOOD_HEAD + "      - id: Q1\n        text: a?\n        themes: [nope]\n",
        10,
        "theme 'nope' is not declared",
    ),
    (
        "duplicate key",
        'id: t\nversion: "1"\ntitle: T\ntitle: U\nsections: []\n',
        4,
        "key 'title' appears twice",
    ),
]


@pytest.mark.parametrize(("name", "text", "line", "fragment"), BAD, ids=[b[0] for b in BAD])
def test_bad_checklist_is_named_by_line(name: str, text: str, line: int, fragment: str) -> None:
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(text, "x.yaml")
    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith(f"x.yaml:{line}: ") and fragment in m for m in messages), messages


@pytest.mark.parametrize(("name", "text", "line", "fragment"), BAD, ids=[b[0] for b in BAD])
def test_cli_refuses_bad_checklist_and_writes_nothing(
    tmp_path: Path, name: str, text: str, line: int, fragment: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    db = tmp_path / "t.db"
    runner = CliRunner()
    result = runner.invoke(main, ["--db", str(db), "checklist", "add", str(path)])
    assert result.exit_code == 2
    assert f"{path}:{line}: " in result.stderr
    assert "Traceback" not in result.output + result.stderr
    validate = runner.invoke(main, ["checklist", "validate", str(path)])
    assert validate.exit_code == 2 and fragment in validate.stderr
    # nothing stored (the shipped checklists are all that is there)
    store = Store.open(db)
    assert store.checklists() == []


def test_yes_and_no_stay_answer_values() -> None:
    checklist = load_checklist(MINI)
    assert checklist.question("REC-01").answers == ("yes", "no", "unknown")
    rule = checklist.question("REC-02").show_if
    assert rule is not None and rule.in_ == ("yes",)


def test_unquoted_numeric_version_is_text() -> None:
    checklist = parse_checklist(GOOD_HEAD.replace('"1"', "1.0") + "      - {id: Q1, text: 'a?'}\n")
    assert checklist.version == "1.0"


def test_visibility_follows_skip_logic() -> None:
    cl = load_checklist(MINI)
    everything = ["REC-01", "REC-02", "REC-03", "SPO-01", "SPO-02", "SPO-03"]
    # nothing answered: the dependants of REC-01 and SPO-01 are hidden
    assert cl.visible({}) == ["REC-01", "REC-03", "SPO-01"]
    assert cl.visible({"REC-01": "yes", "SPO-01": "no"}) == [
        q for q in everything if q not in ("SPO-02",)
    ]
    assert cl.visible({"REC-01": "no", "SPO-01": "yes"}) == ["REC-01", "REC-03", "SPO-01", "SPO-02"]
    # hidden questions count as na for scoring, unanswered shown ones as None
    effective = cl.effective_answers({"REC-01": "no", "REC-03": "yes"})
    assert effective == {
        "REC-01": "no",
        "REC-02": "na",
        "REC-03": "yes",
        "SPO-01": None,
        "SPO-02": "na",
        "SPO-03": "na",
    }
    assert cl.unanswered({"REC-01": "no", "REC-03": "yes"}) == ["SPO-01"]


def test_shipped_checklist_validates() -> None:
    result = CliRunner().invoke(
        main, ["checklist", "validate", "src/casereview/shipped_checklists/stalking-casefile.yaml"]
    )
    assert result.exit_code == 0, result.output
    cl = load_checklist("src/casereview/shipped_checklists/stalking-casefile.yaml")
    assert len(cl.sections) >= 6
    assert len(cl.questions) >= 35
    assert all(q.guidance.strip() for q in cl.questions)
    assert all(q.concerns and q.themes for q in cl.questions)
    assert {r for q in cl.questions for r in q.recommendations} <= {"R7", "R10", "R15"}
    assert sum(1 for q in cl.questions if q.show_if) >= 3


def test_stored_version_is_immutable(fresh_store: Store) -> None:
    text = MINI.read_text()
    fresh_store.add_checklist(text, "mini.yaml")
    again = fresh_store.add_checklist(text, "mini.yaml")  # same content: fine, same row
    assert again.label == "mini@1"
    from casereview.store import StoreError

    with pytest.raises(StoreError, match="bump `version`"):
        fresh_store.add_checklist(text.replace("Was a crime recorded?", "Crime?"), "mini.yaml")
    assert len(fresh_store.checklists()) == 1


SHIPPED_FILE = (
    Path(__file__).parents[3]
    / "src"
    / "casereview"
    / "shipped_checklists"
    / "stalking-casefile.yaml"
)
_SHIPPED = load_checklist(SHIPPED_FILE)


def _reference(
    checklist: Checklist, answers: dict[str, str | None]
) -> tuple[list[str], dict[str, str | None]]:
    """The scoring rule written out plainly: a question is shown when it has no show_if, or
    its controller is shown and answered with a listed value; hidden questions count as na."""
    shown: list[str] = []
    out: dict[str, str | None] = {}
    for q in checklist.questions:
        rule = q.show_if
        if rule is None or (rule.question in shown and answers.get(rule.question) in rule.in_):
            shown.append(q.id)
            out[q.id] = answers.get(q.id)
        else:
            out[q.id] = "na"
    return shown, out


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([q.id for q in _SHIPPED.questions] + ["NOT-A-QUESTION"]),
        st.sampled_from(["yes", "partly", "no", "na", "unknown", None]),
    )
)
def test_effective_answers_follow_the_skip_logic_rule(answers: dict[str, str | None]) -> None:
    # the same checklist object across examples, so its cache of hidden sets is exercised
    shown, effective = _reference(_SHIPPED, answers)
    assert _SHIPPED.effective_answers(answers) == effective
    assert list(_SHIPPED.effective_answers(answers)) == [q.id for q in _SHIPPED.questions]
    assert _SHIPPED.visible(answers) == shown


# ---------------------------------------------------------- YAML edge cases (issue 10.11)

MINI_TEXT = MINI.read_text()


def _line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "NUL byte",
            MINI_TEXT.replace("title: Mini", "title: Mi\x00ni"),
            f"bad.yaml:{_line_of(MINI_TEXT, 'title: Mini')}: the file contains U+0000 NUL, "
            "which YAML does not allow",
        ),
        (
            "huge integer",
            MINI_TEXT.replace("weight: 2", "weight: " + "9" * 5000),
            f"bad.yaml:{_line_of(MINI_TEXT, 'weight: 2')}: YAML error: a number of 5,000 digits "
            "is too long to read",
        ),
        (
            "version 1.10 unquoted",
            MINI_TEXT.replace('version: "1"', "version: 1.10"),
            "bad.yaml:3: version 1.10 is read by YAML as the number 1.1; quote the version "
            '(version: "1.10")',
        ),
    ],
)
def test_yaml_edge_cases_are_refused_at_their_line(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    db = tmp_path / "t.db"
    Store.open(db).close()
    store = Store.open(db)
    before = "\n".join(store.db.conn.iterdump())
    store.close()
    result = CliRunner().invoke(main, ["--db", str(db), "checklist", "add", str(path)])
    assert result.exit_code == 2
    lines = [line.replace(str(tmp_path) + "/", "") for line in result.stderr.splitlines()]
    assert lines == [message, "casereview: 1 problem(s); nothing was written"]
    assert "sys." not in result.stderr and "<unicode string>" not in result.stderr
    store = Store.open(db)
    assert "\n".join(store.db.conn.iterdump()) == before
    store.close()


def test_an_unquoted_whole_number_version_stays_accepted() -> None:
    checklist = parse_checklist(MINI_TEXT.replace('version: "1"', "version: 2"), "x.yaml")
    assert checklist.version == "2"


def test_a_utf16_checklist_is_read(tmp_path: Path) -> None:
    path = tmp_path / "u.yaml"
    path.write_bytes(MINI_TEXT.encode("utf-16"))
    assert load_checklist(path).id == "mini"
    path.write_bytes(MINI_TEXT.encode("utf-16-le"))
    assert load_checklist(path).id == "mini"


def test_a_question_missing_its_text_is_named_as_a_question() -> None:
    text = (
        'id: t\nversion: "1"\ntitle: T\nsections:\n  - id: s\n    title: S\n    questions:\n'
        "      - id: Q3\n        answers: [yes, no]\n"
    )
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(text, "t.yaml")
    assert [str(p) for p in caught.value.problems] == ["t.yaml:8: question Q3: 'text' is required"]


@pytest.mark.parametrize("path", sorted(SHIPPED_FILE.parent.glob("*.yaml")), ids=lambda p: p.name)
def test_libyaml_and_the_pure_composer_read_a_checklist_alike(path: Path) -> None:
    """read_yaml composes with libyaml where it can (ten times faster); what it reads, and
    the line each value is at, are the pure-Python composer's."""
    from casereview.core.checklist import loading

    text = path.read_text(encoding="utf-8")
    assert fast_root(text) is not None  # (the fast path is the one taken here)
    fast_data, fast_lines, _ = loading.read_yaml(text, path.name, fast=True)
    data, lines, _ = loading.read_yaml(text, path.name)
    assert fast_data == data and fast_lines == lines


def test_a_file_libyaml_would_accept_is_still_refused_as_the_composer_refuses_it() -> None:
    """libyaml takes a tab before a colon and `?` in a flow list; the composer that checks a
    file refuses both, and only a checklist the database holds is read by libyaml."""
    mini = (Path(__file__).parents[2] / "fixtures" / "mini.yaml").read_text(encoding="utf-8")
    tabbed = mini.replace("critical: true", "critical: true\t", 1)
    assert tabbed != mini
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(tabbed, "tabbed.yaml")
    assert "cannot start any token" in str(caught.value.problems[0])
    with pytest.raises(InputError):
        read_yaml("a: [yes, no?, x]\n", "plan.yaml")  # (an action plan is read the same way)


def test_an_anchor_is_refused_by_line_on_the_fast_path_too() -> None:
    """A text with `&` or `*` goes to the composer that refuses anchors and aliases."""
    text = 'id: t\nversion: "1"\ntitle: &x T\nsections: []\n'
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(text)
    assert [str(p) for p in caught.value.problems] == [
        "<checklist>:3: anchors and aliases (&name, *name) are not allowed"
    ]
