"""How many cases a second review takes, as typed in the cases screen's dialog."""

from __future__ import annotations

import pytest

from casereview.services.sampling import SampleError, second_review_size


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", (None, None)),  # the highlighted case
        ("  ", (None, None)),
        ("20%", (0.2, None)),
        (" 12.5 % ", (0.125, None)),
        ("0.2", (0.2, None)),
        ("100%", (1.0, None)),
        ("5", (None, 5)),  # a whole number is a count, as --count
        ("1", (None, 1)),
    ],
)
def test_a_share_or_a_count(typed: str, expected: tuple[float | None, int | None]) -> None:
    assert second_review_size(typed) == expected


@pytest.mark.parametrize("typed", ["0", "0%", "150%", "1.5", "-0.2", "half", "20%%"])
def test_anything_else_is_refused_with_what_to_type(typed: str) -> None:
    with pytest.raises(SampleError, match="type 20% \\(or 0.2\\) for a share"):
        second_review_size(typed)
