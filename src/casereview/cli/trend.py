"""casereview trend: the audits of one checklist in time order (or side by side), each
figure's change with a 95% Newcombe interval."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from casereview.cli.base import (
    Context,
    data_stdout,
    for_reading,
    force_option,
    format_option,
    friendly_errors,
    out_option,
    output_target,
    pass_ctx,
    print_for_reading,
    redact_option,
    terminal_width,
    warn,
)
from casereview.core.fields import TREND_BY

if TYPE_CHECKING:
    from casereview.core.redaction import Redaction
    from casereview.services.trend import Trend


@click.command("trend")
@click.option(
    "--checklist",
    "checklist",
    required=True,
    help="Checklist id (all its versions), or ID@VERSION for one version's audits.",
)
@click.option(
    "--audits",
    help="Audits to include, comma-separated (default: every audit of the checklist with a "
    "completed review). They are put in time order whatever order they are named in.",
)
@click.option(
    "--by",
    type=click.Choice(TREND_BY),
    help="Rows: sections only, questions only, or questions pooled by recommendation, "
    "concern or theme (default: each section, then its questions).",
)
@click.option(
    "--compare",
    is_flag=True,
    help="Side by side (audits of one period, e.g. forces): each figure against the other "
    "audits pooled, instead of against the audit before.",
)
@click.option(
    "--chart",
    type=click.Choice(["spc"]),
    help="spc: a p-chart per figure over the periods of each scope (centre line, 3-sigma "
    "limits for each period's n, run-rule signals named) instead of the changes.",
)
@click.option(
    "--baseline",
    help="With --chart spc: the audits whose pooled figure is the centre line, "
    "comma-separated (default: all).",
)
@format_option
@out_option
@force_option
@redact_option("the trend (its table, CSV, JSON or workbook)")
@pass_ctx
@friendly_errors
def trend_cmd(
    context: Context,
    checklist: str,
    audits: str | None,
    by: str | None,
    compare: bool,
    chart: str | None,
    baseline: str | None,
    fmt: str | None,
    out: Path | None,
    force: bool,
    redact: bool,
) -> None:
    """Figures across the audits of one checklist, with the change from the audit before.

    Each section's share of cases meeting it in full and each question's compliance, audit
    by audit in period order, across checklist versions (a question continues the one it
    `replaces`). An audit with no period is left out, and named on stderr (give it one with
    `casereview audit period`). Each change is from the latest earlier audit of the same
    scope (filters and sample design) whose period does not overlap (CSV column
    `compared_with`); audits of another scope are shown, never compared, and named. The
    change is in percentage points with a 95% Newcombe (1998, method 10) interval;
    `direction` says improved or declined only where that interval excludes 0.

    With --chart spc, a control chart instead (CSV columns centre_pct, lcl_pct, ucl_pct,
    signals): "is this period a change or a wobble, given the process so far?"; signals
    `beyond limits`, `8 on one side`, `6 rising`, `6 falling`. Only audits of one scope form
    a series.

    With --redact, the file says it is redacted in its first line and periods' dates are
    cut to the month (a trend holds no reference, officer or note).

    On a terminal, a table to read; piped, redirected or with --format, CSV (or JSON).
    """
    from casereview.io.exports import pipeline as outputs
    from casereview.io.exports.redacted import redacted, redaction_of
    from casereview.services.trend import build_trend

    given_fmt, fmt = fmt, outputs.choose_format(fmt, out)
    store = context.existing_store()
    if out is not None:
        output_target(out, force, store)
    names = None
    if audits is not None:
        names = [n.strip() for n in audits.split(",") if n.strip()]
        if not names:
            raise click.UsageError("--audits names no audit")
    if chart is None and baseline is not None:
        raise click.UsageError("--baseline goes with --chart spc")
    if chart == "spc" and compare:
        raise click.UsageError("--chart spc follows periods in time order: not with --compare")
    redaction = redaction_of(store, "trend", by) if redact else None
    trend = build_trend(store, checklist, names, compare, context.reviewer)
    warn(trend.warnings())
    if chart == "spc":
        _spc(trend, by, baseline, given_fmt, fmt, out, store.files(), redaction)
        return
    if compare and len({a.period for a in trend.audits}) > 1:
        warn(["--compare is for audits of one period; these cover different periods"])
    if for_reading(given_fmt, out) and redaction is None:
        from casereview.io.exports.terminal import trend_text

        print_for_reading(trend_text(trend, by, terminal_width()))
        return
    prepared = outputs.prepare_trend(trend, fmt, by)
    if redaction is not None:
        redacted(prepared, redaction)
    if for_reading(given_fmt, out):
        from casereview.io.exports.terminal import table_text

        print_for_reading(table_text(prepared.table, terminal_width()))
        return
    if out is None:
        data_stdout().write(outputs.render(prepared))
        sys.stdout.flush()
        return
    outputs.write(prepared, out, store.files())
    click.echo(f"wrote {prepared.rows} trend rows to {out}", err=True)


def _spc(
    trend: Trend,
    by: str | None,
    baseline: str | None,
    given_fmt: str | None,
    fmt: str,
    out: Path | None,
    protect: Iterable[Path],
    redaction: Redaction | None = None,
) -> None:
    """trend --chart spc: the p-charts as a table to read, CSV/JSON or a workbook."""
    from casereview.io.exports import pipeline as outputs

    chosen = None
    if baseline is not None:
        chosen = [n.strip() for n in baseline.split(",") if n.strip()]
        if not chosen:
            raise click.UsageError("--baseline names no audit")
    prepared = outputs.prepare_spc(trend, fmt, by, chosen)
    if redaction is not None:
        from casereview.io.exports.redacted import redacted

        redacted(prepared, redaction)
    if for_reading(given_fmt, out):
        from casereview.io.exports.terminal import table_text

        print_for_reading(table_text(prepared.table, terminal_width()))
        return
    if out is None:
        data_stdout().write(outputs.render(prepared))
        sys.stdout.flush()
        return
    rows = outputs.write(prepared, out, protect)
    click.echo(f"wrote {rows} control chart rows to {out}", err=True)
