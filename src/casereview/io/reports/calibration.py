"""The calibration report (`casereview report --calibration NAME`): each reviewer against
the gold, which way each leans, and the questions that split reviewers, worst first, with
the answers each chose and their notes, so a team knows whose scoring and which guidance
to look at before an audit starts."""

from __future__ import annotations

from casereview.core.stats import scoring
from casereview.core.stats.agreement import Z_95
from casereview.io.reports import blocks as reportdoc
from casereview.io.reports.blocks import Block, Grid, Heading, Items, Run
from casereview.services.calibration import SPLIT_BELOW, CalibrationFigures, QuestionSplit

ANSWER_ORDER = ("yes", "partly", "no", "na", "unknown", "hidden")


def _two(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _interval(low: float | None, high: float | None) -> str:
    return "" if low is None or high is None else f" ({low:.2f} to {high:.2f})"


def _reviewer_rows(figs: CalibrationFigures) -> tuple[tuple[str, ...], ...]:
    n = len(figs.info.case_ids)
    verdict = {None: "not finished", True: "pass", False: "not passed"}
    return tuple(
        (
            r.reviewer,
            f"{r.done} of {n}",
            scoring.share_words(r.overall.agree, r.overall.n_pairs) if r.overall.n_pairs else "-",
            _two(r.overall.kappa) + _interval(r.overall.kappa_ci_low, r.overall.kappa_ci_high),
            _two(r.overall.ac1),
            _two(r.weighted_kappa),
            verdict[r.passed],
        )
        for r in figs.reviewers
    )


def _lean_rows(figs: CalibrationFigures) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (
            r.reviewer,
            str(r.lean.above),
            str(r.lean.below),
            *(
                f"{r.lean.reviewer_counts.get(a, 0)} ({r.lean.gold_counts.get(a, 0)})"
                for a in ANSWER_ORDER
            ),
        )
        for r in figs.reviewers
    )


def _split_rows(figs: CalibrationFigures) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (
            str(rank),
            s.question.id,
            _two(s.fleiss.kappa) + _interval(s.fleiss.low, s.fleiss.high),
            str(s.fleiss.subjects),
            f"below {SPLIT_BELOW}" if s.split else "",
        )
        for rank, s in enumerate(figs.questions, 1)
    )


def _chosen(figs: CalibrationFigures, split: QuestionSplit) -> Items:
    items: list[tuple[Run, ...]] = []
    for c in split.chosen:
        runs: list[Run] = [(figs.case_refs.get(c.case_id, str(c.case_id)), True)]
        gold = c.gold or "not recorded"
        runs.append((f": gold {gold}" + (f" ({c.gold_note})" if c.gold_note else ""), False))
        for reviewer, (answer, note) in sorted(c.answers.items()):
            runs.append((f"; {reviewer} {answer}" + (f" ({note})" if note else ""), False))
        items.append(tuple(runs))
    return Items(tuple(items))


def calibration_blocks(figs: CalibrationFigures) -> list[Block]:
    info, threshold = figs.info, figs.threshold
    n = len(info.case_ids)
    blocks: list[Block] = [
        Heading(f"Calibration: {info.name}"),
        reportdoc.paragraph(
            f"{n} cases picked by {info.moderator}, whose gold review (recorded for "
            f"{figs.gold_done} of them) gives the agreed answers and their reasons. Reviewers: "
            f"{', '.join(info.reviewers)}, each blind to the gold and to each other. A "
            "calibration is never counted in an audit's findings."
        ),
        Heading("Agreement with gold, per reviewer", 2),
        reportdoc.paragraph(
            "Every answer of every case against the gold's: a question skip logic hid in both "
            "is left out, one shown to only one of them counts as a disagreement. Kappa "
            f"(Cohen 1960) with its 95% interval (z = {Z_95:.2f}, Fleiss, Cohen & Everitt "
            "1969), Gwet's AC1 (2008), and kappa with linear weights (Cohen 1968) over the "
            "ordered answers no < partly < yes (yes against partly is half a disagreement; "
            f"N/A and Unknown are left out of it). A reviewer passes at {threshold.words}, "
            "once they and the gold have recorded every case."
        ),
        Grid(
            ("Reviewer", "Cases", "Agree", "Kappa (95% CI)", "AC1", "Weighted kappa", "Result"),
            (False, True, True, True, True, True, False),
            _reviewer_rows(figs),
        ),
        Heading("Which way each reviewer leans against gold", 2),
        reportdoc.paragraph(
            "Counts, not a score: how often each reviewer answered above the gold (yes where "
            "gold says partly or no, partly where it says no) and below it, and how often they "
            "gave each answer (the gold's count on the same questions in brackets)."
        ),
        Grid(
            ("Reviewer", "Above gold", "Below gold", *(a.capitalize() for a in ANSWER_ORDER)),
            (False, True, True, True, True, True, True, True, True),
            _lean_rows(figs),
        ),
        Heading("Where reviewers split", 2),
        reportdoc.paragraph(
            "Per question, Fleiss' kappa (1971) among the reviewers who recorded every case, "
            "with its 95% interval from the standard error of Fleiss, Nee & Landis (1979; "
            f"given on {scoring.SMALL_N} cases or more). Lowest first; questions below "
            f"{SPLIT_BELOW} are marked: their guidance is the first to rewrite."
        ),
        Grid(
            ("Rank", "Question", "Fleiss' kappa (95% CI)", "Cases", "Mark"),
            (True, False, True, True, False),
            _split_rows(figs),
        ),
    ]
    for split in figs.questions:
        if split.split:
            blocks += [
                Heading(f"{split.question.id} {split.question.text}", 3),
                _chosen(figs, split),
            ]
    return blocks
