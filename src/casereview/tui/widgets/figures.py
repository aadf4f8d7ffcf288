"""A figure as the findings screen draws it: compliance as an interval bar, and its words
(counts beside the percentage, then what it leaves out)."""

from __future__ import annotations

from rich.text import Text

from casereview.core.stats import scoring

BAR = 30


def interval_bar(p: float | None, low: float | None, high: float | None, width: int = BAR) -> Text:
    """Compliance as a bar as long as the estimate (█), dimmed where it lies inside its 95%
    interval, and the rest of the interval above it as a lighter band (▒): ██████▒▒▒░░░░.

    The bar has `width` cells, each covering 1/width of 0-100%; a cell belongs to a part
    when its middle does: 17% of 30 cells is 5 cells of █, 0% is none (only the interval's
    ▒), 100% all 30, and no figure (n = 0) a dotted line."""
    if p is None or low is None or high is None:
        return Text("·" * width, "grey35")
    colour = "green" if p >= 0.8 else "yellow" if p >= 0.5 else "red"
    text = Text()
    for i in range(width):
        x = (i + 0.5) / width
        if x < p:
            text.append("█", colour if x < low else f"dim {colour}")
        elif x <= high:
            text.append("▒", colour)
        else:
            text.append("░", "grey35")
    return text


def figure_text(
    part: float,
    n: int,
    p: float | None,
    low: float | None,
    high: float | None,
    unit: str = "",
    unknown: int = 0,
    scored_as_no: bool = False,
    unknown_unit: str = "",
) -> Text:
    """Counts always beside percentages, then what the figure leaves out: the small-sample
    mark and the unknown answers (scoring.caveat_words): '2 of 3, 67%, 95% CI 21-94% †;
    1 unknown'."""
    said = scoring.unknown_words(unknown, scored_as_no, unknown_unit)
    if n == 0 or p is None or low is None or high is None:
        return Text("no applicable answers" + said, "grey50")
    text = Text(scoring.figure_words(part, n, p, low, high, decimals=0, unit=unit))
    if scoring.small_sample(n):
        text.append(f" {scoring.SMALL_MARK}", "bold yellow")
    return text.append(said)
