"""Fuzzing checklists: a checklist is loaded, or refused with a ChecklistError whose every
problem names a line inside the file; never another exception."""

from __future__ import annotations

import math
import re
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casereview.cli import main
from casereview.core.checklist.loading import ChecklistError, parse_checklist
from casereview.core.checklist.models import Checklist
from tests.factories import MINI
from tests.fuzzing import FUZZ, assert_clean_refusal

MINI_TEXT = MINI.read_text(encoding="utf-8")


def parse_checklist_or_refuse(text: str) -> Checklist | None:
    limit = len(text.splitlines()) + 1
    try:
        checklist = parse_checklist(text, "x.yaml")
    except ChecklistError as exc:
        assert_clean_refusal(exc, max_line=limit)
        return None
    assert all(math.isfinite(q.weight) for q in checklist.questions)  # weights feed every mean
    return checklist


_YAMLISH = st.text(
    st.sampled_from(list("abcdeiqsnyt -:[]{},#&*!|>'\"%@`?\n\t\r\\0123456789.~") + ["é", "\u2028"]),
    max_size=120,
)
_FRAGMENTS = st.sampled_from(
    [
        "id: x\n",
        "version: 1\n",
        "title: T\n",
        "sections:\n",
        "  - id: s\n",
        "    title: S\n",
        "    questions:\n",
        "      - id: Q\n",
        "        text: t\n",
        "        answers: [yes, no]\n",
        "        show_if: {question: Q, in: [yes]}\n",
        "        weight: -1\n",
        "  - \n",
        "- a\n",
        "? k\n",
        "&a ",
        "*a\n",
        "!!str ",
        "---\n",
        "...\n",
    ]
)


@settings(FUZZ, max_examples=300)
@given(st.one_of(_YAMLISH, st.lists(_FRAGMENTS, max_size=14).map("".join)))
def test_checklist_random_yamlish_text(text: str) -> None:
    parse_checklist_or_refuse(text)


def _mutate(lines: list[str], data: st.DataObject) -> list[str]:
    lines = list(lines)
    how = data.draw(st.sampled_from(["delete", "duplicate", "swap", "chars", "indent", "cut"]))
    i = data.draw(st.integers(0, len(lines) - 1))
    if how == "delete":
        del lines[i]
    elif how == "duplicate":
        lines.insert(i, lines[i])
    elif how == "swap":
        j = data.draw(st.integers(0, len(lines) - 1))
        a, b = lines[i].partition(": "), lines[j].partition(": ")
        if a[1] and b[1]:
            lines[i], lines[j] = a[0] + ": " + b[2], b[0] + ": " + a[2]
        else:
            lines[i], lines[j] = lines[j], lines[i]
    elif how == "chars":
        at = data.draw(st.integers(0, len(lines[i])))
        junk = data.draw(st.text(st.characters(exclude_categories=("Cs",)), max_size=4))  # type: ignore[arg-type]
        lines[i] = lines[i][:at] + junk + lines[i][at + data.draw(st.integers(0, 3)) :]
    elif how == "indent":
        lines[i] = data.draw(st.sampled_from(["", " ", "  ", "\t"])) + lines[i].lstrip(" ")
    else:
        lines = lines[:i]
    return lines or [""]


@settings(FUZZ, max_examples=300)
@given(st.data())
def test_checklist_mutations_of_mini(data: st.DataObject) -> None:
    lines = MINI_TEXT.splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 3))):
        lines = _mutate(lines, data)
    parse_checklist_or_refuse("".join(lines))


@settings(FUZZ, max_examples=100, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_checklist_random_bytes_through_the_cli(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    raw = bytearray(MINI_TEXT.encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw)))
        junk = data.draw(st.binary(min_size=1, max_size=6))
        raw[at : at + data.draw(st.integers(0, 6))] = junk
    path = tmp_path_factory.getbasetemp() / "fuzzed.yaml"
    path.write_bytes(bytes(raw))
    result = CliRunner().invoke(main, ["checklist", "validate", str(path)])
    output = result.output + result.stderr
    assert result.exit_code in (0, 2), output
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    assert "Traceback" not in output
    if result.exit_code == 2:
        n = len(bytes(raw).decode("utf-8", errors="replace").splitlines()) + 1
        for line in result.stderr.splitlines()[:-1]:
            match = re.match(re.escape(str(path)) + r":(\d+): \S", line)
            if match:  # multi-line messages continue on the next lines
                assert 1 <= int(match.group(1)) <= n, line


# Files found by fuzzing and by reading the loader: each must be refused with a
# ChecklistError that names a line, never crash with another exception.
_HOSTILE = {
    "recursive alias": "id: &x [*x]\n",
    "deep nesting": "id: " + "[" * 2000 + "]" * 2000 + "\n",
    "unhashable key": "id: x\n? [a, b]\n: c\n",
    "python tag": "id: !!python/object/apply:os.system [echo hi]\n",
    "impossible date": "id: x\nversion: 2024-02-30\n",
    "bad binary": "id: !!binary '@@@'\n",
    "infinite weight": MINI_TEXT.replace("weight: 2", "weight: .inf"),
    "merge key duplicate": MINI_TEXT.replace(
        "      - id: REC-03\n",
        "      - &again {id: REC-01, text: again}\n      - <<: *again\n      - id: REC-03\n",
    ),
}


@pytest.mark.parametrize("text", list(_HOSTILE.values()), ids=list(_HOSTILE))
def test_checklist_hostile_yaml_is_refused_cleanly(text: str) -> None:
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(text, "x.yaml")
    assert_clean_refusal(caught.value, max_line=len(text.splitlines()) + 1)


def test_checklist_alias_bomb_is_refused_quickly() -> None:
    """Seven lines of nested aliases expand to 10 million nodes; refusing must not take minutes."""
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for prev, name in zip("abcdef", "bcdefg", strict=True):
        bomb += f"{name}: &{name} [{', '.join([f'*{prev}'] * 10)}]\n"
    script = textwrap.dedent(
        """
        import sys
        from casereview.core.checklist.loading import ChecklistError, parse_checklist
        try:
            parse_checklist(sys.stdin.read(), "bomb.yaml")
        except ChecklistError:
            print("refused")
        """
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script],
            input=bomb,
            capture_output=True,
            text=True,
            timeout=8,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("parse_checklist spent over 8 s on a 7-line alias bomb (billion laughs)")
    assert done.stdout.strip() == "refused", done.stderr
