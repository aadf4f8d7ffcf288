"""casereview export, report and sample-size: what leaves the database."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from casereview.cli.base import (
    Context,
    data_stdout,
    fail,
    for_reading,
    force_option,
    format_option,
    friendly_errors,
    out_option,
    output_target,
    pass_ctx,
    print_for_reading,
    progress_bar,
    redact_option,
    terminal_width,
    warn,
)
from casereview.core.rules import blind_refusal
from casereview.core.text import visible
from casereview.io.exports.pipeline import KINDS
from casereview.io.files import replacing

if TYPE_CHECKING:
    from casereview.io.exports.pipeline import Prepared
    from casereview.io.reports.blocks import Block
    from casereview.store import Store


@click.command("export")
@click.argument("kind", type=click.Choice([*KINDS, "calibration", "funnel"]))
@click.option(
    "--audit",
    "audit_name",
    help="The audit to export (every kind but calibration; funnel: one or more, "
    "comma-separated, of one checklist version).",
)
@click.option(
    "--calibration",
    "calibration_name",
    help="calibration: the calibration to export; events: a calibration's trail, not an audit's.",
)
@click.option("--by", help="Group by force, team, reviewer, stratum or a case attribute.")
@format_option
@out_option
@click.option("--include-notes", is_flag=True, help="Include free-text notes and case summaries.")
@force_option
@click.option("--question", help="answers: only this question's rows (its id, e.g. REC-01).")
@click.option(
    "--answer",
    "answer_values",
    help="answers: only rows with these answers, comma-separated (e.g. no,partly,unknown).",
)
@click.option(
    "--target",
    type=float,
    help="funnel: the standard to centre on, as a proportion (default: the pooled figure).",
)
@click.option(
    "--adjust",
    type=click.Choice(["none", "multiplicative", "additive"]),
    default="none",
    show_default=True,
    help="funnel: widen the limits for overdispersion (phi, or a random-effects tau^2).",
)
@redact_option("the export (every kind but calibration, whose rows are reviewers)")
@pass_ctx
@friendly_errors
def export_cmd(
    context: Context,
    kind: str,
    audit_name: str | None,
    calibration_name: str | None,
    by: str | None,
    fmt: str | None,
    out: Path | None,
    include_notes: bool,
    force: bool,
    question: str | None,
    answer_values: str | None,
    target: float | None,
    adjust: str,
    redact: bool,
) -> None:
    """Export findings or raw answers as Excel-safe CSV, XLSX or JSON.

    questions and sections are compliance figures (completed reviews; moderated over
    primary); cases has a score per section; answers has every answer; agreement compares
    primary and second reviews. Notes and summaries leave the machine only with
    --include-notes. calibration (with --calibration NAME) gives each reviewer's agreement
    with the gold review, overall and per question, and Fleiss' kappa per question among
    all the calibration's reviewers.

    From a figure to its cases: `export answers --question REC-01 --answer no,partly`
    lists the reviews that answered REC-01 No or Partly (add --include-notes for why).
    A hidden question's rows say `na`.

    funnel sets each unit of --by (force, team, reviewer, audit, an attribute) against its
    number of applicable cases around the target, with exact binomial 95% and 99.8% limits
    (Spiegelhalter 2005): band `alert` outside 95%, `alarm` outside 99.8%. Several audits
    (--audit A,B) of one checklist version pool into one funnel (a national roll-up).

    With --redact, for readers outside the force: pseudonyms for references, no officers,
    notes or summaries, dates to the month, the same figures (the docs' Redacted exports
    page says exactly what).

    On a terminal with no --out or --format, a table to read; piped or redirected, CSV.
    """
    from casereview.io.exports import pipeline as outputs

    if kind == "calibration":
        if calibration_name is None or audit_name is not None:
            fail("export calibration takes --calibration NAME (not --audit)")
    elif kind == "events" and calibration_name is not None:
        if audit_name is not None:
            fail("export events takes --audit NAME or --calibration NAME, not both")
    elif audit_name is None or calibration_name is not None:
        fail(f"export {kind} takes --audit NAME (--calibration is for export calibration)")
    if kind == "funnel":
        assert audit_name is not None
        if include_notes or answer_values is not None:
            fail("--include-notes and --answer do not apply to a funnel")
        from casereview.cli.funnel import export_funnel

        export_funnel(context, audit_name, by, fmt, out, force, target, adjust, question, redact)
        return
    if target is not None or adjust != "none":
        fail("--target and --adjust apply to export funnel only")

    reading = for_reading(fmt, out)
    fmt = outputs.choose_format(fmt, out)
    store = context.existing_store()
    if out is not None:
        output_target(out, force, store)
    if kind == "calibration":
        from casereview.services import calibration

        if redact:
            fail("export calibration cannot be redacted: its rows are reviewers")
        assert calibration_name is not None
        figs = calibration.read(store, calibration_name, context.reviewer)
        prepared = outputs.prepare_calibration(
            calibration.export_table(figs), calibration_name, fmt
        )
    elif calibration_name is not None:  # a calibration's trail
        from casereview.services import calibration

        trail = calibration.trail_table(store, calibration_name, context.reviewer, include_notes)
        prepared = outputs.prepare_calibration(trail, calibration_name, fmt)
    else:
        assert audit_name is not None
        prepared = _prepared(
            context,
            store,
            audit_name,
            kind,
            fmt,
            by,
            include_notes,
            question,
            answer_values,
            reading,
            redact,
        )
    if reading:
        from casereview.io.exports.terminal import table_text

        print_for_reading(table_text(prepared.table, terminal_width()))
        return
    if out is None:
        outputs.write_to(prepared, data_stdout())
        sys.stdout.flush()
        return
    rows = outputs.write(prepared, out, store.files(), progress_bar(prepared.rows))
    click.echo(f"wrote {rows} {kind} rows to {out}", err=True)


def _prepared(
    context: Context,
    store: Store,
    audit_name: str,
    kind: str,
    fmt: str,
    by: str | None,
    include_notes: bool,
    question: str | None,
    answer_values: str | None,
    reading: bool,
    redact: bool = False,
) -> Prepared:
    from casereview.io.exports import pipeline as outputs

    answers = None
    if answer_values is not None:
        answers = [v.strip().lower() for v in answer_values.split(",") if v.strip()]
        if not answers:
            fail("--answer needs one or more answers, comma-separated (e.g. no,partly)")
    return outputs.prepare(
        store,
        audit_name,
        kind,
        fmt,
        by,
        include_notes,
        context.reviewer,
        question=question,
        answers=answers,
        stream=not reading,  # a table to read is laid out whole
        redact=redact,
    )


@click.command("report")
@click.option("--audit", "audit_name", help="The audit to report on.")
@click.option(
    "--trend",
    is_flag=True,
    help="The trend report of a checklist's audits instead of one audit (needs --checklist).",
)
@click.option("--checklist", help="With --trend: checklist id (all versions) or ID@VERSION.")
@click.option(
    "--calibration",
    "calibration_name",
    help="The calibration report of this calibration instead of an audit's.",
)
@click.option(
    "--plan",
    "plan_force",
    help="The progress report of this force's action plan instead of an audit's "
    "(FILE.xlsx for a workbook too).",
)
@click.option(
    "--audits",
    help="With --trend: audits to include, comma-separated (default: every audit of the "
    "checklist with a completed review).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File (default stdout): FILE.docx for a Word document, else Markdown.",
)
@force_option
@redact_option("the report (an audit's or a trend's; not a calibration's, which is of reviewers)")
@pass_ctx
@friendly_errors
def report_cmd(
    context: Context,
    audit_name: str | None,
    trend: bool,
    checklist: str | None,
    calibration_name: str | None,
    plan_force: str | None,
    audits: str | None,
    out: Path | None,
    force: bool,
    redact: bool,
) -> None:
    """A findings report: scope, sample, method, findings with counts and intervals.

    Markdown, or with --out FILE.docx a Word document with the same content as headings and
    tables, and a chart of the sections with their intervals. With --trend --checklist ID,
    the trend report: the checklist's audits in time order, the clear changes, each
    section's figures and changes (in Word with its line chart), every question across the
    audits. With --calibration NAME, the calibration report: each reviewer against the
    gold, which way each leans, and the questions ranked by how alike reviewers scored
    them, those below 0.6 marked with the answers each chose and their notes. With --plan
    FORCE, the progress report of the force's action plan: per recommendation its actions
    (owner, due date, status, overdue) and the evidence of the force's audits before and
    after each due date (figures with intervals, the Newcombe change, control-chart
    signals); --out FILE.xlsx writes it as a workbook.

    With --redact, its first paragraph says it is redacted, dates are cut to the month and
    reviewers are counted, never named.
    """
    from casereview.io.reports import blocks as reportdoc

    if trend and (audit_name or not checklist):
        fail("--trend reports a checklist's audits: give --checklist ID (and not --audit)")
    if not trend and (checklist or audits):
        fail("--checklist and --audits go with --trend")
    if calibration_name is not None and (trend or audit_name):
        fail("--calibration is a report of its own: give it without --audit or --trend")
    if plan_force is not None and (trend or audit_name or calibration_name):
        fail("--plan is a report of its own: give it without --audit, --trend or --calibration")
    if not trend and not audit_name and calibration_name is None and plan_force is None:
        fail("give --audit NAME, or --trend --checklist ID (or --calibration NAME, --plan FORCE)")
    if redact and calibration_name is not None:
        fail("a calibration report cannot be redacted: it is of reviewers")
    store = context.existing_store()
    if out is not None:
        output_target(out, force, store)
    if plan_force is not None:
        from casereview.io.reports import plans as plan_report

        store.plan_of(plan_force)  # no plan: refused before any file is made
        if out is not None and out.suffix.lower() == ".xlsx":
            from casereview.io.exports.writers import write_xlsx

            tables = plan_report.tables(store, plan_force, viewer=context.reviewer)
            with replacing(out, store.files()) as tmp:
                write_xlsx(tmp, plan_report.summary(plan_force), tables)
            click.echo(f"wrote the workbook to {out}", err=True)
            return
        blocks = plan_report.blocks(store, plan_force, viewer=context.reviewer)
    elif calibration_name is not None:
        from casereview.io.reports.calibration import calibration_blocks
        from casereview.services import calibration

        blocks = calibration_blocks(calibration.read(store, calibration_name, context.reviewer))
    elif trend:
        assert checklist is not None
        blocks = _trend_blocks(store, context.reviewer, checklist, audits)
    else:
        from casereview.io.reports import markdown as report

        assert audit_name is not None
        refusal = blind_refusal(store, store.audit_named(audit_name).id, context.reviewer)
        if refusal:
            fail(refusal)
        blocks = report.blocks(store, audit_name, officers=not redact)
    if redact:
        from casereview.core.redaction import Redaction
        from casereview.io.reports.redacted import redacted_blocks

        blocks = redacted_blocks(blocks, Redaction(store.redaction_key()))
    if out is not None and out.suffix.lower() == ".docx":
        from casereview.io.reports import (
            docx as docx_report,  # python-docx and matplotlib only for Word
        )

        with replacing(out, store.files()) as tmp:
            docx_report.write(blocks, tmp)
        click.echo(f"wrote the Word report to {out}", err=True)
        return
    text = reportdoc.to_markdown(blocks)
    if out is None:  # to a terminal: its lines as they are, any other control written out
        click.echo(visible(text, newlines=True), nl=False)
    else:
        with replacing(out, store.files()) as tmp:
            tmp.write_bytes(text.encode("utf-8"))
        click.echo(f"wrote the report to {out}", err=True)


def _trend_blocks(store: Store, viewer: str, checklist: str, audits: str | None) -> list[Block]:
    """The trend report's blocks; a blind second reviewer with a pair open is refused."""
    from casereview.io.reports import trend as trend_report
    from casereview.services.trend import build_trend

    names = None
    if audits is not None:
        names = [n.strip() for n in audits.split(",") if n.strip()]
        if not names:
            fail("--audits names no audit")
    trend = build_trend(store, checklist, names, False, viewer)
    warn(trend.warnings())
    return trend_report.blocks(trend)


@click.command("sample-size")
@click.option("--margin", type=float, default=0.05, show_default=True, help="Half-width wanted.")
@click.option("--confidence", type=float, default=0.95, show_default=True, help="Confidence level.")
@click.option("--expected", type=float, default=0.5, show_default=True, help="Expected share.")
@click.option("--population", type=click.IntRange(min=1), help="Cases in scope (corrects for it).")
@friendly_errors
def sample_size_cmd(
    margin: float, confidence: float, expected: float, population: int | None
) -> None:
    """Cases needed to estimate a compliance rate within a margin."""
    from casereview.core.stats.scoring import sample_size

    try:
        n = sample_size(margin, confidence, expected, population)
    except ValueError as exc:
        fail(str(exc))
    scope = f" from a population of {population}" if population else ""
    click.echo(n)
    click.echo(
        f"{n} cases for +-{margin:.1%} at {confidence:.0%} confidence{scope} "
        f"(expected proportion {expected:.0%})",
        err=True,
    )
