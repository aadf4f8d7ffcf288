"""`make test` gives every hypothesis test the same inputs on every run (tests/conftest.py):
a failure is the code's, not the draw's, and the next run shows it again."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.checklist import test_fuzz as checklist_fuzz
from tests.unit.imports import test_answers_fuzz, test_cases_fuzz

repeatable = pytest.mark.skipif(
    os.environ.get("HYPOTHESIS_PROFILE", "repeatable") != "repeatable",
    reason="HYPOTHESIS_PROFILE chooses another profile (explore draws new inputs each run)",
)


@repeatable
def test_a_property_draws_the_same_inputs_when_run_again() -> None:
    runs: list[list[list[int]]] = []

    @given(st.lists(st.integers()))
    def draw(xs: list[int]) -> None:
        runs[-1].append(xs)

    for _ in range(2):
        runs.append([])
        draw()
    assert len(runs[0]) > 10
    assert runs[0] == runs[1]


@repeatable
def test_every_hypothesis_test_is_derandomised_with_no_deadline(
    request: pytest.FixtureRequest,
) -> None:
    """Every collected property, and the fuzzing ones (their settings, tests/fuzzing.py's
    FUZZ, are made at import, so they inherit the profile only if it is loaded first)."""
    functions: dict[str, Any] = {
        item.nodeid: getattr(item, "function", None) for item in request.session.items
    }
    for module in (test_cases_fuzz, test_answers_fuzz, checklist_fuzz):
        functions |= {f"{module.__name__}.{name}": f for name, f in vars(module).items()}
    properties = {
        name: f._hypothesis_internal_use_settings
        for name, f in functions.items()
        if getattr(f, "is_hypothesis_test", False)
    }
    assert len(properties) >= 14  # the fuzzing modules have 14
    for name, chosen in properties.items():
        assert chosen.derandomize, name
        assert chosen.deadline is None, name  # a loaded machine is slow at random
        assert chosen.database is None, name  # no .hypothesis folder, no replay of old luck
