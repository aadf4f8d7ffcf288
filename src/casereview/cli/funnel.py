"""casereview export funnel, lqas-plan and lqas: units compared against noise, and a
pass/fail verdict from small samples."""

from __future__ import annotations

import sys
from pathlib import Path

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
    terminal_width,
)


def audit_list(value: str) -> list[str]:
    """NAME[,NAME...] as names; refused (exit 2) when it names none."""
    names = [n.strip() for n in value.split(",") if n.strip()]
    if not names:
        fail("--audit names no audit")
    return names


def proportion(name: str, value: float | None) -> float | None:
    """A proportion strictly between 0 and 1 (0.8 is 80%), or None; refused otherwise."""
    if value is not None and not 0 < value < 1:
        fail(f"{name} is a proportion between 0 and 1 (0.8 for 80%), not {value:g}")
    return value


def export_funnel(
    context: Context,
    audits: str,
    by: str | None,
    fmt: str | None,
    out: Path | None,
    force: bool,
    target: float | None,
    adjust: str,
    question: str | None,
    redact: bool = False,
) -> None:
    """`export funnel`: each unit's figures with exact binomial limits (see the command help)."""
    from casereview.io.exports import pipeline as outputs
    from casereview.io.exports.redacted import redacted, redaction_of
    from casereview.services.funnel import build, versions_note

    if not by:
        fail("export funnel needs --by FIELD: the units to compare (force, team, audit...)")
    names = audit_list(audits)
    proportion("--target", target)
    reading = for_reading(fmt, out)
    chosen = outputs.choose_format(fmt, out)
    store = context.existing_store()
    if out is not None:
        output_target(out, force, store)
    redaction = redaction_of(store, "funnel", by) if redact else None
    figures = build(store, names, by, target, adjust, question, context.reviewer)
    if versions_note(figures):  # the CSV has no summary: say it where it is seen
        click.echo(versions_note(figures), err=True)
    prepared = outputs.prepare_funnel(figures, chosen, names, by)
    if redaction is not None:
        redacted(prepared, redaction)
    if reading:
        from casereview.io.exports.terminal import table_text

        print_for_reading(table_text(prepared.table, terminal_width()))
        return
    if out is None:
        outputs.write_to(prepared, data_stdout())
        sys.stdout.flush()
        return
    rows = outputs.write(prepared, out, store.files())
    click.echo(f"wrote {rows} funnel rows to {out}", err=True)


@click.command("lqas-plan")
@click.option(
    "--standard",
    type=float,
    required=True,
    help="The compliance a unit should reach, as a proportion (0.8 for 80%).",
)
@click.option(
    "--threshold",
    type=float,
    required=True,
    help="The compliance below which a unit clearly fails, as a proportion (0.5 for 50%).",
)
@click.option(
    "--alpha",
    type=float,
    default=0.10,
    show_default=True,
    help="Risk accepted of judging a unit at the standard not to meet it.",
)
@click.option(
    "--beta",
    type=float,
    default=0.10,
    show_default=True,
    help="Risk accepted of judging a unit at the threshold to meet it.",
)
@friendly_errors
def lqas_plan_cmd(standard: float, threshold: float, alpha: float, beta: float) -> None:
    """The lot quality assurance design: files to read per unit (n) and the decision rule
    (d: the unit meets the standard when no more than d of the n fail), exactly from the
    binomial, with its operating characteristic.

    Prints n and d on stdout (`n,d`), the design in words and the chance of "meets" at a
    range of true compliance on stderr.
    """
    from casereview.core.stats import lqas

    try:
        design = lqas.plan(standard, threshold, alpha, beta)
    except ValueError as exc:
        fail(str(exc))
    click.echo(f"{design.n},{design.d}")
    click.echo(
        f"read {design.n} files per unit: it meets the standard when no more than {design.d} "
        f"fail (partly counts half). Risks run: {design.alpha:.3f} of failing a unit at "
        f"{standard:.0%} (alpha), {design.beta:.3f} of passing one at {threshold:.0%} (beta).",
        err=True,
    )
    click.echo("true compliance   chance judged to meet", err=True)
    for step in range(0, 101, 10):
        chance = design.operating_characteristic(step / 100)
        click.echo(f"{step:>14}%   {chance:.3f}", err=True)


@click.command("lqas")
@click.option("--audit", "audits", required=True, help="Audit(s), comma-separated.")
@click.option(
    "--by", required=True, help="The units: force, team, reviewer, audit or an attribute."
)
@click.option(
    "--standard", type=float, default=0.8, show_default=True, help="Standard (proportion)."
)
@click.option("--threshold", type=float, default=0.5, show_default=True, help="Lower threshold.")
@click.option("--alpha", type=float, default=0.10, show_default=True, help="Risk at the standard.")
@click.option("--beta", type=float, default=0.10, show_default=True, help="Risk at the threshold.")
@click.option("--question", help="Only this question (its id).")
@format_option
@out_option
@force_option
@pass_ctx
@friendly_errors
def lqas_cmd(
    context: Context,
    audits: str,
    by: str,
    standard: float,
    threshold: float,
    alpha: float,
    beta: float,
    question: str | None,
    fmt: str | None,
    out: Path | None,
    force: bool,
) -> None:
    """The LQAS verdict per unit and question: meets / does not meet / not enough files.

    The design is `lqas-plan`'s for the same standard, threshold and risks; a unit with
    more applicable files than its n is judged by the rule for its own number (same risks).
    """
    from casereview.core.stats import lqas
    from casereview.core.tables import Cell, Table
    from casereview.io.exports import pipeline as outputs
    from casereview.io.exports.kinds import Kind
    from casereview.services.funnel import build
    from casereview.services.lqas import LQAS_COLUMNS, verdicts

    try:
        design = lqas.plan(standard, threshold, alpha, beta)
    except ValueError as exc:
        fail(str(exc))
    names = audit_list(audits)
    reading = for_reading(fmt, out)
    chosen = outputs.choose_format(fmt, out)
    store = context.existing_store()
    if out is not None:
        output_target(out, force, store)
    figures = build(store, names, by, question=question, viewer=context.reviewer)
    rows: list[dict[str, Cell]] = [r.cells() for r in verdicts(figures, design, alpha, beta)]
    table = Table("lqas", LQAS_COLUMNS, rows)
    kind = Kind("lqas", "LQAS verdicts", lambda *_: table, figures=True)
    meta: dict[str, object] = {
        "audits": names,
        "by": by,
        "design": {"n": design.n, "d": design.d, "alpha": design.alpha, "beta": design.beta},
    }
    prepared = outputs.Prepared(kind, chosen, ", ".join(names), [table], meta=meta)
    if reading:
        from casereview.io.exports.terminal import table_text

        print_for_reading(table_text(table, terminal_width()))
        return
    if out is None:
        outputs.write_to(prepared, data_stdout())
        sys.stdout.flush()
        return
    written = outputs.write(prepared, out, store.files())
    click.echo(f"wrote {written} lqas rows to {out}", err=True)
