"""checklist.py's messages in full, its YAML rules and skip logic at the edges.

Written so that mutation testing of checklist.py finds no change the suite misses.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from casereview.core.checklist.loading import ChecklistError, load_checklist, parse_checklist
from casereview.core.checklist.models import ANSWER_LABELS
from tests.factories import MINI

HEAD = """\
id: t
version: "1"
title: T
sections:
  - id: s1
    title: S1
    questions:
"""


def messages(text: str) -> list[str]:
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(text, "c.yaml")
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["c.yaml:1: the file is empty"]),
        ("- a\n", ["c.yaml:1: the top level must be a mapping (id, version, title, sections)"]),
        ("\n\n- a\n", ["c.yaml:3: the top level must be a mapping (id, version, title, sections)"]),
        ("id: t\nversion: [1\n", ["c.yaml:3: YAML syntax error: expected ',' or ']', "
                                  "but got '<stream end>'"]),
        ("a: &x 1\nb: *x\n", ["c.yaml:1: anchors and aliases (&name, *name) are not allowed"]),
        ("a: 1\nb: !!python/name:os.system x\n", None),
        ('id: t\nversion: "1"\ntitle: T\n', ["c.yaml:1: 'sections' is required"]),
        (HEAD + "      - {id: Q1, text: a, colour: red}\n",
         ["c.yaml:8: question Q1: unknown key 'colour'"]),
        (HEAD + "      - {id: Q1, text: a, answers: [yes, maybe]}\n",
         ["c.yaml:8: question Q1: 'maybe' is not an answer value "
          "(use yes, partly, no, na, unknown)"]),
        (HEAD + "      - {id: Q1, text: a, answers: [yes, yes]}\n",
         ["c.yaml:8: question Q1: answers: answers lists a value twice"]),
        (HEAD.replace("    questions:\n", "    questions: []\n"),
         ["c.yaml:7: section s1: section has no questions"]),
        ('id: t\nversion: "1"\ntitle: T\nsections: []\n', ["c.yaml:4: no sections"]),
        (HEAD + "      - {id: 'bad id', text: a}\n",
         ["c.yaml:8: question bad id: id: String should match pattern "
          "'^[A-Za-z0-9][A-Za-z0-9_.-]*$'"]),
        (HEAD + "      - {id: Q1, text: a, weight: 1001}\n",
         ["c.yaml:8: question Q1: weight: Input should be less than or equal to 1000"]),
        ('id: t\nversion: "1"\ntitle: T\nunknown_scores_as: maybe\n' + HEAD[HEAD.index("sections"):]
         + "      - {id: Q1, text: a}\n",
         ["c.yaml:4: 'maybe' is not an answer value (use yes, partly, no, na, unknown)"]),
    ],
)  # fmt: skip
def test_refusals_word_for_word(text: str, expected: list[str] | None) -> None:
    got = messages(text)
    if expected is None:  # an unknown tag: named, at its line
        assert len(got) == 1 and got[0].startswith("c.yaml:2: YAML error: ")
    else:
        assert got == expected


def test_cross_check_messages_in_full() -> None:
    text = (
        "id: t\nversion: '1'\ntitle: T\nconcerns: {c1: C}\nthemes: {t1: T}\nsections:\n"
        "  - id: s1\n    title: S1\n    questions:\n"
        "      - {id: Q1, text: a, answers: [yes, no]}\n"  # 10
        "      - {id: Q2, text: b}\n"  # 11
        "      - {id: Q2, text: c, show_if: {question: Q9, in: [yes]}}\n"  # 12
        "      - {id: Q3, text: d, show_if: {question: Q4, in: [yes]}}\n"  # 13
        "      - {id: Q4, text: e, show_if: {question: Q1, in: [partly, na]}}\n"  # 14
        "      - {id: Q5, text: f, concerns: [c2], themes: [t2]}\n"  # 15
        "  - id: s1\n    title: again\n    questions:\n"  # 16
        "      - {id: Q6, text: g}\n"
    )
    assert messages(text) == [
        "c.yaml:12: question id 'Q2' is used twice (first at line 11)",
        "c.yaml:12: question Q2: show_if points at 'Q9', which is not a question here",
        "c.yaml:13: question Q3: show_if points at 'Q4', which comes later; skip logic must "
        "depend on an earlier question",
        "c.yaml:14: question Q4: show_if uses partly, na, which Q1 cannot take (it allows yes, no)",
        "c.yaml:15: question Q5: concern 'c2' is not declared under 'concerns:' at the top "
        "of the file",
        "c.yaml:15: question Q5: theme 't2' is not declared under 'themes:' at the top of the file",
        "c.yaml:16: section id 's1' is used twice",
    ]


def test_several_schema_problems_sorted_by_line() -> None:
    text = HEAD + "      - {id: Q1, text: a, weight: -1}\n      - {text: b}\n"
    assert messages(text) == [
        "c.yaml:8: question Q1: weight: Input should be greater than or equal to 0",
        "c.yaml:9: section s1: 'id' is required",
    ]


def test_yaml_words_and_versions() -> None:
    good = HEAD + "      - {id: Q1, text: a, answers: [yes, no], critical: TRUE}\n"
    checklist = parse_checklist(good.replace('version: "1"', "version: 2.5"))
    assert checklist.version == "2.5"
    assert checklist.question("Q1").answers == ("yes", "no")
    assert checklist.question("Q1").critical is True
    for word in ("true", "True", "false", "False", "FALSE"):
        parsed = parse_checklist(good.replace("critical: TRUE", f"critical: {word}"))
        assert parsed.question("Q1").critical is (word.lower() == "true")
    assert parse_checklist(good.replace('version: "1"', "version: 3")).version == "3"
    # a date-looking version is text, not a date
    assert parse_checklist(good.replace('version: "1"', "version: 2024-02-30")).version == (
        "2024-02-30"
    )
    # booleans are not versions
    assert messages(good.replace('version: "1"', "version: true"))[0].startswith("c.yaml:2: ")


def test_defaults_of_a_question() -> None:
    q = parse_checklist(HEAD + "      - {id: Q1, text: a}\n").question("Q1")
    assert q.answers == ("yes", "partly", "no", "na", "unknown")
    assert (q.weight, q.critical, q.show_if, q.guidance) == (1.0, False, None, "")
    assert (q.recommendations, q.concerns, q.themes) == ((), (), ())
    assert ANSWER_LABELS == {
        "yes": "Yes",
        "partly": "Partly",
        "no": "No",
        "na": "N/A",
        "unknown": "Unknown",
    }


def test_lookups() -> None:
    mini = load_checklist(MINI)
    assert [q.id for q in mini.questions] == [
        "REC-01",
        "REC-02",
        "REC-03",
        "SPO-01",
        "SPO-02",
        "SPO-03",
    ]
    assert mini.section_of("SPO-02").id == "spo"
    assert mini.has_question("REC-01") and not mini.has_question("REC-09")
    assert mini.question("REC-02").weight == 2.0


def test_visible_and_unanswered_follow_chains() -> None:
    chain = parse_checklist(
        HEAD
        + "      - {id: A, text: a, answers: [yes, no]}\n"
        + "      - {id: B, text: b, answers: [yes, no], show_if: {question: A, in: [yes]}}\n"
        + "      - {id: C, text: c, show_if: {question: B, in: [no]}}\n"
        + "      - {id: D, text: d}\n"
    )
    assert chain.visible({}) == ["A", "D"]
    assert chain.visible({"A": "yes"}) == ["A", "B", "D"]
    assert chain.visible({"A": "yes", "B": "no"}) == ["A", "B", "C", "D"]
    # B hidden again: C goes with it, whatever B's stale answer says
    assert chain.visible({"A": "no", "B": "no"}) == ["A", "D"]
    assert chain.unanswered({"A": "yes", "B": "no", "C": ""}) == ["C", "D"]
    assert chain.unanswered({"A": "no", "D": "yes", "B": None}) == []
    eff = chain.effective_answers({"A": "no", "B": "no", "D": "yes", "X": "yes"})
    assert eff == {"A": "no", "B": "na", "C": "na", "D": "yes"}
    assert list(eff) == ["A", "B", "C", "D"]  # checklist order, unknown ids dropped
    assert chain.effective_answers({"A": "yes"}) == {"A": "yes", "B": None, "C": "na", "D": None}
    # the cache of hidden questions answers the same the second time
    assert chain.effective_answers({"A": "yes"}) == {"A": "yes", "B": None, "C": "na", "D": None}


def test_load_checklist_reads_files(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINI.read_bytes())  # a BOM is fine
    assert load_checklist(path).id == "mini"
    path.write_bytes(b"id: t\n\xff\n")
    with pytest.raises(ChecklistError) as caught:
        load_checklist(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:2: the file is not UTF-8 text from here; save it as UTF-8"
    ]
    missing = tmp_path / "none.yaml"
    with pytest.raises(ChecklistError) as caught:
        load_checklist(missing)
    assert [str(p) for p in caught.value.problems] == [
        f"{missing}:1: cannot read the file: No such file or directory"
    ]


def test_duplicate_ids_are_named_at_the_id_line_not_the_items() -> None:
    text = (
        "id: t\nversion: '1'\ntitle: T\nsections:\n"
        "  - title: S1\n    id: s1\n    questions:\n"  # 5-7: the section's id on line 6
        "      - text: a\n        id: Q1\n"  # 8-9
        "      - text: b\n        id: Q1\n"  # 10-11
        "  - title: again\n    id: s1\n    questions:\n"  # 12-14
        "      - {id: Q2, text: c}\n"
    )
    assert messages(text) == [
        "c.yaml:11: question id 'Q1' is used twice (first at line 9)",
        "c.yaml:13: section id 's1' is used twice",
    ]


def test_an_unknown_key_is_named_at_the_key_not_its_value() -> None:
    text = HEAD + "      - id: Q1\n        text: a\n        colour:\n          - red\n"
    # colour: on line 10, its value on line 11
    assert messages(text) == ["c.yaml:10: question Q1: unknown key 'colour'"]


def test_a_key_given_twice_is_found_at_any_depth() -> None:
    text = HEAD + "      - id: Q1\n        text: a\n        text: b\n"
    assert messages(text) == ["c.yaml:10: key 'text' appears twice"]
    nested = (
        HEAD
        + "      - id: Q1\n        text: a\n        show_if: {question: Q0, in: [yes], in: [no]}\n"
    )
    assert messages(nested) == ["c.yaml:10: key 'in' appears twice"]


def test_a_checklist_without_a_source_name_is_called_checklist() -> None:
    with pytest.raises(ChecklistError) as caught:
        parse_checklist("")
    assert [str(p) for p in caught.value.problems] == ["<checklist>:1: the file is empty"]


def test_the_memo_of_hidden_questions_stays_bounded_and_right(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Skip logic's answer per combination is remembered, but only up to HIDDEN_MEMO
    combinations (a national import meets thousands): past it the memo starts again, and
    every answer is still the rule's (Q2 shown only when Q1 is yes). The three hidden sets
    below pass a memo of two."""
    from casereview.core.checklist import models

    checklist = parse_checklist(
        'id: t\nversion: "1"\ntitle: T\nsections:\n  - id: s\n    title: S\n    questions:\n'
        "      - {id: Q1, text: 'a?'}\n"
        "      - {id: Q2, text: 'b?', show_if: {question: Q1, in: [yes]}}\n"
        "      - {id: Q3, text: 'c?', show_if: {question: Q2, in: [no]}}\n"
    )
    monkeypatch.setattr(models, "HIDDEN_MEMO", 2)
    values = ("yes", "no", "partly", "na", "unknown", None)
    for q1 in values:
        for q2 in values:
            hidden = checklist.hidden_ids({"Q1": q1, "Q2": q2})
            want = (("Q3",) if q2 != "no" else ()) if q1 == "yes" else ("Q2", "Q3")
            assert hidden == want, (q1, q2)
            assert len(checklist._ordered) <= 2
