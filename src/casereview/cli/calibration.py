"""casereview calibration: a gold review of a set of cases by a moderator, the reviewers'
blind reviews of them, and each reviewer's agreement with gold (never an audit's finding)."""

from __future__ import annotations

from pathlib import Path

import click

from casereview.cli.base import Context, fail, friendly_errors, pass_ctx
from casereview.core.text import visible


@click.group()
def calibration() -> None:
    """Calibrate reviewers against a moderator's gold review of the same cases."""


def _names(value: str) -> list[str]:
    return [n.strip() for n in value.split(",") if n.strip()]


@calibration.command("create")
@click.argument("name")
@click.option("--checklist", "checklist_spec", required=True, help="ID or ID@VERSION.")
@click.option(
    "--cases", "case_refs", required=True, help="Comma-separated case references from the pool."
)
@click.option("--force", help="The force whose cases --cases names (where a reference is in two).")
@click.option("--moderator", required=True, help="Who records the gold review.")
@click.option("--reviewers", required=True, help="Comma-separated names of those who review blind.")
@pass_ctx
@friendly_errors
def calibration_create(
    context: Context,
    name: str,
    checklist_spec: str,
    case_refs: str,
    force: str | None,
    moderator: str,
    reviewers: str,
) -> None:
    """Set up a calibration: the cases the moderator picked, on one checklist version.

    The moderator records the gold review (`calibration record --gold`, with the reasons
    as notes); each reviewer records theirs blind: none of them sees the gold, the others'
    answers or the results until all their own are recorded.
    """
    store = context.store_with_checklists(existing=True)
    info = store.find_checklist(checklist_spec)
    refs = _names(case_refs)
    if not refs:
        fail("--cases needs one or more case references, comma-separated")
    created = store.create_calibration(
        name,
        info.pk,
        store.case_ids_by_ref(refs, force),
        moderator.strip(),
        _names(reviewers),
        context.reviewer,
    )
    click.echo(
        f"calibration '{visible(created.name)}': {len(created.case_ids)} cases, checklist "
        f"{visible(info.label)}, moderator {visible(created.moderator)}, reviewers "
        f"{visible(', '.join(created.reviewers))}"
    )


@calibration.command("record")
@click.argument("name")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--gold", is_flag=True, help="The moderator's gold review (notes: its reasons).")
@pass_ctx
@friendly_errors
def calibration_record(context: Context, name: str, file: Path, gold: bool) -> None:
    """Record your reviews of calibration cases from a CSV file (as --reviewer).

    Columns: case_ref, question_id, answer and, optionally, note. Each case in the file
    is one completed review: every shown question answered, none that skip logic hides.
    A review is recorded once; nothing is written if the file has a problem.
    """
    from casereview.io.imports.calibration import record_file

    store = context.existing_store()
    n = record_file(store, name, file, context.reviewer, gold)
    kind = "gold review(s)" if gold else "blind review(s)"
    click.echo(f"recorded {n} {kind} of '{visible(name)}' by {visible(context.reviewer)}")


@calibration.command("list")
@pass_ctx
@friendly_errors
def calibration_list(context: Context) -> None:
    """Calibrations with their moderator and reviewers."""
    store = context.existing_store()
    found = store.calibrations()
    if not found:
        click.echo("no calibrations yet; set one up with `casereview calibration create`", err=True)
        return
    for c in found:
        click.echo(
            f"{visible(c.name)}: {len(c.case_ids)} cases, moderator {visible(c.moderator)}, "
            f"reviewers {visible(', '.join(c.reviewers))}"
        )


@calibration.command("result")
@click.argument("name")
@click.option(
    "--kappa",
    "kappa_threshold",
    type=click.FloatRange(-1, 1),
    default=0.75,
    show_default=True,
    help="Pass at kappa against gold at least this...",
)
@click.option(
    "--agreement",
    "agree_threshold",
    type=click.FloatRange(0, 100),
    default=95.0,
    show_default=True,
    help="...or at least this percent agreement with gold.",
)
@pass_ctx
@friendly_errors
def calibration_result(
    context: Context, name: str, kappa_threshold: float, agree_threshold: float
) -> None:
    """Each reviewer's agreement with gold, and whether they pass (recorded, with the date).

    Over every answer of every case: percent agreement, Cohen's kappa with its 95%
    interval, Gwet's AC1 and kappa with linear weights on yes / partly / no. A reviewer
    passes at kappa 0.75 or 95% agreement unless the team sets other limits; the verdict
    is recorded once they and the gold have recorded every case, and an audit created
    with --require-calibration reads it.
    """
    from casereview.core.stats import scoring
    from casereview.services import calibration as service

    store = context.existing_store()
    threshold = service.Threshold(kappa_threshold, agree_threshold)
    figs = service.read(store, name, context.reviewer, threshold)
    n = len(figs.info.case_ids)
    click.echo(
        f"'{visible(name)}': gold recorded for {figs.gold_done} of {n} cases; pass at "
        f"{threshold.words}"
    )
    click.echo(
        f"{'reviewer':16} {'cases':>5} {'agree':>16} {'kappa (95% CI)':>22} {'AC1':>5} "
        f"{'wkappa':>6} {'above/below gold':>16}  result"
    )
    for rev in figs.reviewers:
        fig = rev.overall
        agree = scoring.share_words(fig.agree, fig.n_pairs) if fig.n_pairs else "-"
        kappa = _two(fig.kappa) + (
            f" ({fig.kappa_ci_low:.2f} to {fig.kappa_ci_high:.2f})"
            if fig.kappa_ci_low is not None and fig.kappa_ci_high is not None
            else ""
        )
        ac1, wk = _two(fig.ac1), _two(rev.weighted_kappa)
        verdict = {None: "not finished", True: "pass", False: "not passed"}[rev.passed]
        lean = f"{rev.lean.above}/{rev.lean.below}"
        click.echo(
            f"{visible(rev.reviewer):16} {rev.done:5d} {agree:>16} {kappa:>22} {ac1:>5} "
            f"{wk:>6} {lean:>16}  {verdict}"
        )
    service.record_results(store, figs, context.reviewer)
    if scoring.small_sample(n):
        click.echo(
            f"{n} cases: fewer than {scoring.SMALL_N}, so no interval is given and a verdict "
            "rests on little; a calibration of 10 cases or more is firmer",
            err=True,
        )


def _two(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
