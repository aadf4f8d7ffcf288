"""The case file's side pane text: the case's metadata, the recording delay, the summary."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text

if TYPE_CHECKING:
    from casereview.store.records import Case


def case_text(case: Case) -> Text:
    """The case file's metadata for the side pane: all of it, the summary last (data, so
    Text: a summary with [brackets] is shown as typed)."""
    flags = [
        f for f, on_ in (("DA", case.da_related), ("repeat victim", case.repeat_victim)) if on_
    ]
    text = Text.assemble(
        (case.case_ref, "bold"),
        f"\n{case.force}\n{case.team or ''}\n",
        (case.offence or "offence not recorded", "italic"),
        f"\nReported {(case.reported_at or '-')[:10]}\n",
        f"Recorded {_delay(case.reported_at, case.recorded_at)}\n",
        f"{case.outcome or 'no outcome yet'}",
    )
    if flags:
        text.append("\n" + ", ".join(flags))
    if case.officer:
        text.append("\nOfficer ", "dim")
        text.append(case.officer)
    for name, value in sorted(case.extra.items()):
        if value:
            text.append(f"\n{name.replace('_', ' ').capitalize()} ", "dim")
            text.append(value)
    if case.summary:
        text.append("\n\nSummary\n", "bold")
        text.append(case.summary)
    return text


def _delay(reported: str | None, recorded: str | None) -> str:
    """How long recording took: what REC-04's 24-hour standard asks about."""
    if not recorded:
        return "-"
    if not reported:
        return recorded[:10]
    try:
        hours = (
            datetime.fromisoformat(recorded) - datetime.fromisoformat(reported)
        ).total_seconds() / 3600
    except ValueError:
        return recorded[:10]
    if hours < 0:
        return f"{recorded[:10]} (before report?)"
    return f"+{hours:.0f}h" if hours < 48 else f"+{hours / 24:.0f} days"
