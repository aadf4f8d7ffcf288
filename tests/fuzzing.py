"""What the fuzzing tests (tests/unit/imports/test_*_fuzz.py, tests/unit/checklist/test_fuzz.py)
share: their settings, the shapes of text they draw, and the check that a refusal names lines
inside the file."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from casereview.core.problems import InputError

FUZZ = settings(
    deadline=None,
    database=None,  # no .hypothesis folder in the work tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Line breaks as the csv reader (and most editors) count them.
BREAK = re.compile(r"\r\n|\r|\n")


def n_lines(text: str) -> int:
    return len(BREAK.findall(text)) + (0 if text == "" or BREAK.match(text[-1]) else 1)


def assert_clean_refusal(exc: InputError, max_line: int | None = None) -> None:
    """Every problem is located inside the file and says something."""
    assert exc.problems, "an InputError with no problems"
    for p in exc.problems:
        assert isinstance(p.line, int) and p.line >= 1, p
        assert p.message.strip(), p
        if max_line is not None:
            assert p.line <= max_line, (p, max_line)


NO_NUL = st.characters(exclude_characters="\x00", exclude_categories=("Cs",))  # type: ignore[arg-type]
FORMULA = st.builds(
    lambda lead, rest: lead + rest,
    st.sampled_from(["=", "+", "-", "@", "\t", "=cmd|' /C calc'!A0", "=HYPERLINK(", "-2+3"]),
    st.text(st.sampled_from("ABC123()!|'\",;= \n"), max_size=12),
)


def csv_line(cells: list[str], terminator: str = "\r\n", quote_all: bool = False) -> str:
    """One RFC 4180 record. (Python's csv.writer leaves a lone CR unquoted: not RFC 4180.)"""
    quoted = [
        '"' + c.replace('"', '""') + '"' if quote_all or re.search(r'[",\r\n]', c) else c
        for c in cells
    ]
    return ",".join(quoted) + terminator
