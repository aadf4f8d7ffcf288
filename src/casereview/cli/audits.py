"""casereview audit ...: draw dip samples, choose blind second reviews, list audits."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from casereview.cli.base import Context, fail, friendly_errors, pass_ctx
from casereview.core.periods import PERIOD_HINT
from casereview.core.periods import parse as parse_period
from casereview.core.text import visible
from casereview.store import Case, Store


@click.group()
def audit() -> None:
    """Create and list audits (dip samples)."""


def _parse_where(values: tuple[str, ...]) -> dict[str, str | list[str]]:
    """FIELD=VALUE filters; a field given more than once takes any of its values
    (`--where offence=a --where offence=b`: either), kept as a list in the audit's scope."""
    out: dict[str, list[str]] = {}
    for item in values:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise click.BadParameter(f"'{item}' is not FIELD=VALUE", param_hint="--where")
        chosen = out.setdefault(name, [])
        if value.strip() not in chosen:
            chosen.append(value.strip())
    # one value stays a plain value, so a scope is recorded as it always was
    return {name: vs[0] if len(vs) == 1 else vs for name, vs in out.items()}


def _parse_day(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    from casereview.io.imports.csvfile import parse_day

    try:
        return parse_day(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date", param_hint=option) from None


@audit.command("create")
@click.argument("name")
@click.option("--checklist", "checklist_spec", required=True, help="ID, ID@VERSION or a YAML file.")
@click.option("--sample", "n", type=click.IntRange(min=1), required=True, help="Cases to draw.")
@click.option("--seed", type=int, default=None, help="Random seed (recorded; default: random).")
@click.option("--stratify", help="Field for proportional strata (force, team, offence, ...).")
@click.option(
    "--where",
    multiple=True,
    help="FIELD=VALUE filter on the pool; repeatable: different fields must all match, one "
    "field given twice matches either value.",
)
@click.option("--from", "date_from", help="Reported on or after this date.")
@click.option("--to", "date_to", help="Reported on or before this date.")
@click.option(
    "--period",
    help="What the audit covers in time, for an audit without --from/--to (which are its "
    "period): 2024-10, 2024-10..2024-12, 2024-10-01..2024-12-31 or 2024. A trend orders "
    "audits by period and leaves out audits without one.",
)
@click.option("--reviewers", help="Comma-separated names; cases are assigned round robin.")
@click.option(
    "--require-calibration",
    "calibration_months",
    type=click.IntRange(min=1),
    help="MONTHS: its reviewers must have passed a calibration on the same checklist version "
    "within this many months; `audit list` names those who have not.",
)
@click.option(
    "--settings",
    "settings_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A force settings YAML file (force: NAME, limits: {interview_days: 3, ...}): the "
    "force's own time limits, shown in the questions that name them instead of the "
    "checklist's defaults. Recorded with the audit, with its hash.",
)
@pass_ctx
@friendly_errors
def audit_create(
    context: Context,
    name: str,
    checklist_spec: str,
    n: int,
    seed: int | None,
    stratify: str | None,
    where: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    period: str | None,
    reviewers: str | None,
    calibration_months: int | None,
    settings_file: Path | None,
) -> None:
    """Draw a seeded dip sample and print its case refs and strata.

    Its period (what it covers in time) is its report dates (--from, --to), else --period;
    without either it has none until given one with `casereview audit period`.
    """
    from casereview.services.sampling import (
        Scope,
        create_sampled_audit,
        new_seed,
        reviewer_names,
    )

    Store.check_audit_name(name)  # before a checklist file given is stored
    if period is not None and (date_from or date_to):
        fail(
            "--period is for an audit drawn without report dates: with --from/--to its period "
            "is those dates (change it later with `casereview audit period`)"
        )
    given = parse_period(period) if period is not None else None
    text = None
    if Path(checklist_spec).suffix in (".yaml", ".yml"):
        from casereview.core.checklist.loading import load_checklist

        # read before the database is opened: a wrong file is refused with nothing written,
        # and closing a file read while a connection is open can drop the connection's locks
        load_checklist(checklist_spec)
        text = Path(checklist_spec).read_text(encoding="utf-8-sig")
    settings_text = None
    if settings_file is not None:
        from casereview.core.checklist.settings import parse_force_settings
        from casereview.core.text import utf16_codec

        raw = settings_file.read_bytes() if settings_file.is_file() else None
        if raw is None:
            fail(f"no force settings file {settings_file}")
        settings_text = raw.decode(utf16_codec(raw) or "utf-8-sig")
        parse_force_settings(settings_text, str(settings_file))  # refused before anything
    store = context.store_with_checklists(existing=True)
    scope = Scope(_parse_where(where), _parse_day(date_from, "--from"), _parse_day(date_to, "--to"))
    if text is not None:
        info = store.add_checklist(text, checklist_spec)
    else:
        info = store.find_checklist(checklist_spec)
    seed = new_seed() if seed is None else seed
    created, sample, pool_size = create_sampled_audit(
        store,
        name,
        info.pk,
        n,
        seed,
        scope,
        context.reviewer,
        stratify,
        reviewer_names(reviewers),
        given,
        settings_text,
    )
    click.echo(
        f"audit '{visible(created.name)}': {n} of {pool_size} cases, checklist "
        f"{visible(info.label)}, seed {seed}"
    )
    if calibration_months is not None:
        store.require_calibration(created.id, calibration_months)
        _say_uncalibrated(store, created.id, created.name)
    if created.period is None:
        click.echo(
            "warning: no period (no --from/--to or --period): trends leave it out until it "
            f"has one; {PERIOD_HINT}",
            err=True,
        )
    if stratify:
        head = visible(f"stratum ({stratify})")
        click.echo(f"\n{head:40} {'pool':>6} {'sample':>7} {'share':>7}")
        for s in sample.strata:  # a stratum is a value of the case file's
            click.echo(f"{visible(s.name):40} {s.pool:6d} {s.sample:7d} {s.share:7.1%}")
        click.echo("")
    _print_cases(sample.cases)


def _print_cases(cases: Sequence[Case]) -> None:
    """One line per case: force, a tab, the reference (tab-separated for a script)."""
    for case in cases:
        click.echo(f"{visible(case.force)}\t{visible(case.case_ref)}")


@audit.command("period")
@click.argument("name")
@click.argument("period", required=False)
@pass_ctx
@friendly_errors
def audit_period(context: Context, name: str, period: str | None) -> None:
    """Show an audit's period, or give it one: PERIOD is a month (2024-10), a year (2024),
    a day, or a range FROM..TO of them (2024-10..2024-12, 2024-10-01..2024-12-31).

    A trend orders audits by period and leaves out audits without one. The change is kept
    in the audit's trail (old and new period)."""
    given = parse_period(period) if period is not None else None  # before the database
    store = context.existing_store()
    info = store.audit_named(name)
    if given is None:
        click.echo(info.period.label if info.period else "none")
        if info.period is None:
            click.echo(f"'{visible(info.name)}' has no period; {PERIOD_HINT}", err=True)
        return
    old = info.period.label if info.period else "none"
    if store.set_audit_period(info.id, given, context.reviewer):
        click.echo(f"'{visible(info.name)}': period {given.label} (was {old})", err=True)
    else:
        click.echo(f"'{visible(info.name)}' has period {given.label} already", err=True)


@audit.command("second")
@click.argument("name")
@click.option("--reviewer", "second", required=True, help="Who does the blind second reviews.")
@click.option("--share", type=click.FloatRange(0, 1, min_open=True), help="Share of the sample.")
@click.option("--count", type=click.IntRange(min=1), help="Number of cases.")
@click.option("--seed", type=int, default=None, help="Random seed (default: random).")
@pass_ctx
@friendly_errors
def audit_second(
    context: Context,
    name: str,
    second: str,
    share: float | None,
    count: int | None,
    seed: int | None,
) -> None:
    """Choose cases for a blind second review and assign the second reviewer.

    The second reviewer opens those cases as a second review and never sees the primary's
    answers or notes; agreement and moderation use the pairs once both are complete.
    """
    from casereview.services.sampling import choose_second

    store = context.existing_store()
    audit_info = store.audit_named(name)
    chosen, seed = choose_second(store, audit_info.id, second, context.reviewer, share, count, seed)
    click.echo(
        f"{len(chosen)} cases of '{visible(audit_info.name)}' for a blind second review by "
        f"{visible(second)} (seed {seed})"
    )
    _print_cases(chosen)


@audit.command("list")
@pass_ctx
@friendly_errors
def audit_list(context: Context) -> None:
    """Audits with their checklist, period (what each covers in time) and progress."""
    audits = context.existing_store().audits()
    if not audits:
        click.echo("no audits yet; create one with `casereview audit create`", err=True)
        return
    # names as printed (an older database may hold a control character in one: written out)
    names = [visible(a.name) for a in audits]
    labels = [visible(a.checklist_label) for a in audits]
    # columns as wide as their longest entry, so a long name never pushes the figures over
    spans = [a.period.label if a.period else "-" for a in audits]
    w = max(len("audit"), *map(len, names))
    c = max(len("checklist"), *map(len, labels))
    p = max(len("period"), *map(len, spans))
    click.echo(
        f"{'audit':{w}} {'checklist':{c}} {'period':{p}} {'cases':>5} {'done':>5} {'open':>5}"
    )
    for a, name, label, span in zip(audits, names, labels, spans, strict=True):
        counts = f"{a.n_cases:5d} {a.n_complete:5d} {a.n_in_progress:5d}"
        click.echo(f"{name:{w}} {label:{c}} {span:{p}} {counts}")
    for a in audits:
        _say_uncalibrated(context.existing_store(), a.id, a.name)


def _say_uncalibrated(store: Store, audit_id: int, name: str) -> None:
    """Name the reviewers of an audit that requires calibration who have not passed one."""
    if store.calibration_months(audit_id) is None:
        return  # most audits: `audit list` need not load the calibration service (~0.2 s)
    from casereview.services.calibration import not_calibrated

    missing = not_calibrated(store, audit_id)
    if missing:
        months = store.calibration_months(audit_id)
        click.echo(
            f"'{visible(name)}' requires a calibration passed on its checklist version within "
            f"{months} months; not passed: {visible(', '.join(missing))}",
            err=True,
        )
