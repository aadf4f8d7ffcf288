"""README promises, each backed by a test that fails when the promise breaks.

Expected numbers are worked out by hand in the comments beside them, never copied from the
code's output; expected export headers are spelt out literally, never built from the
code's own column constants.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.services import findings
from casereview.store import AuditInfo, Store
from tests.factories import MINI, complete_review, seed_store

SECRET = "victim said he waits outside her work"


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


def csv_rows(raw: bytes) -> list[list[str]]:
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))


def case_ids(store: Store, audit: AuditInfo) -> list[int]:
    return [ac.case.id for ac in store.audit_cases(audit.id)]


# --------------------------------------------------------------------------- notes


@pytest.fixture
def noted_db(tmp_path: Path) -> Path:
    """One completed review with a note written, then changed (two note events)."""
    path = tmp_path / "notes.db"
    store = Store.open(path)
    audit = seed_store(store)
    first = case_ids(store, audit)[0]
    review = store.open_review(audit.id, first, "ann")
    store.set_answer(review.id, "REC-01", "yes", "ann")
    store.set_note(review.id, "REC-01", SECRET, "ann")
    store.set_note(review.id, "REC-01", SECRET + " again", "ann")
    store.close()
    return path


EVENT_HEADER = [
    "audit",
    "event_id",
    "at",
    "actor",
    "case_ref",
    "force",
    "role",
    "question_id",
    "kind",
    "old",
    "new",
    "reason",
]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_events_export_hides_note_text_without_include_notes(
    noted_db: Path, tmp_path: Path, fmt: str
) -> None:
    """README: events 'note texts show as (note) unless --include-notes'."""
    out = tmp_path / f"events.{fmt}"
    result = run(noted_db, "export", "events", "--audit", "Test audit", "--out", str(out))
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert b"waits outside" not in raw
    if fmt == "csv":
        rows = csv_rows(raw)
        assert rows[0] == EVENT_HEADER
        notes = [dict(zip(rows[0], r, strict=True)) for r in rows[1:] if r[8] == "note"]
    else:
        notes = [{k: v or "" for k, v in r.items()} for r in json.loads(raw)["events"]]
        notes = [r for r in notes if r["kind"] == "note"]
    # first note: no old text, new hidden; second: both hidden
    assert [(n["old"], n["new"]) for n in notes] == [("", "(note)"), ("(note)", "(note)")]


def test_events_export_shows_note_text_with_include_notes(noted_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "events.csv"
    args = ("export", "events", "--audit", "Test audit", "--out", str(out), "--include-notes")
    assert run(noted_db, *args).exit_code == 0
    rows = csv_rows(out.read_bytes())
    notes = [(r[9], r[10]) for r in rows[1:] if r[8] == "note"]
    assert notes == [("", SECRET), (SECRET, SECRET + " again")]


def test_event_table_hides_notes_only(noted_db: Path) -> None:
    """Answer values stay visible in the trail: only note texts are free text."""
    store = Store.open(noted_db)
    data = findings.load(store, "Test audit", require_complete=False)
    rows = findings.event_table(store, data).rows
    answers = [(r["question_id"], r["old"], r["new"]) for r in rows if r["kind"] == "answer"]
    assert answers == [("REC-01", None, "yes")]
    assert all(SECRET not in str(v) for r in rows for v in r.values())
    shown = findings.event_table(store, data, include_notes=True).rows
    assert [r["new"] for r in shown if r["kind"] == "note"] == [SECRET, SECRET + " again"]
    # the review's own events name the case and role
    first = next(r for r in rows if r["kind"] == "note")
    assert (first["case_ref"], first["role"], first["actor"]) == (
        store.audit_cases(data.audit.id)[0].case.case_ref,
        "primary",
        "ann",
    )


def test_answers_and_cases_exports_hold_no_free_text_without_the_flag(
    noted_db: Path, tmp_path: Path
) -> None:
    """'Free-text notes leave the machine only with --include-notes': every kind and format."""
    for kind in ("answers", "cases", "events"):
        for fmt in ("csv", "json", "xlsx"):
            out = tmp_path / f"{kind}.{fmt}"
            result = run(noted_db, "export", kind, "--audit", "Test audit", "--out", str(out))
            assert result.exit_code == 0, (kind, fmt, result.output)
            if fmt == "xlsx":
                from openpyxl import load_workbook

                book = load_workbook(out)
                cells = [
                    str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
                ]
                text = "\n".join(cells)
            else:
                text = out.read_text(encoding="utf-8-sig")
            assert "waits outside" not in text, (kind, fmt)
            # case summaries are free text too (the fixture's T/1 summary)
            assert "Messages after break-up" not in text, (kind, fmt)


# --------------------------------------------------------------------------- case scores

CASE_HEADER = [
    "audit",
    "position",
    "case_ref",
    "force",
    "team",
    "offence",
    "reported_at",
    "recorded_at",
    "outcome",
    "stratum",
    "assigned_to",
    "reviewer",
    "review_role",
    "status",
    "overall_pct",
    "rec_pct",
    "spo_pct",
]


def _unknown_as_no_checklist() -> str:
    text = MINI.read_text(encoding="utf-8")
    return text.replace("id: mini\n", "id: mini-strict\nunknown_scores_as: no\n", 1)


def test_cases_export_scores_by_hand(tmp_path: Path) -> None:
    """overall_pct: weighted mean of every applicable answer; <section>_pct per section."""
    path = tmp_path / "c.db"
    store = Store.open(path)
    audit = seed_store(store)
    ids = case_ids(store, audit)
    # mini: rec = REC-01 (w1), REC-02 (w2, shown if REC-01 yes), REC-03 (w1);
    #       spo = SPO-01 (w1), SPO-02 (if SPO-01 yes), SPO-03 (if SPO-01 no), weights 1.
    # A: rec = (1*1 + 2*1 + 1*0.5) / 4 = 3.5/4 = 87.5; spo = (1 + 0)/2 = 50.0;
    #    overall = (3.5 + 1) / 6 = 75.0 (not the mean of the sections, 68.75)
    a = {"REC-01": "yes", "REC-02": "yes", "REC-03": "partly", "SPO-01": "yes", "SPO-02": "no"}
    # B: REC-02 hidden, REC-03 unknown (left out), SPO-01 na hides both SPO questions:
    #    rec = 0/1 = 0.0; spo has nothing applicable -> empty; overall = 0/1 = 0.0
    b = {"REC-01": "no", "REC-03": "unknown", "SPO-01": "na"}
    # C: rec = (1 + 2) / 3 = 100.0 (unknown left out); spo empty; overall 100.0
    c = {"REC-01": "yes", "REC-02": "yes", "REC-03": "unknown", "SPO-01": "na"}
    for case_id, answers in zip(ids, (a, b, c), strict=False):
        complete_review(store, audit.id, case_id, "ann", "primary", answers)
    store.open_review(audit.id, ids[3], "bob")
    store.close()
    out = tmp_path / "cases.csv"
    assert run(path, "export", "cases", "--audit", "Test audit", "--out", str(out)).exit_code == 0
    rows = csv_rows(out.read_bytes())
    assert rows[0] == CASE_HEADER
    got = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    figures = [(r["status"], r["overall_pct"], r["rec_pct"], r["spo_pct"]) for r in got]
    assert figures == [
        ("complete", "75.0", "87.5", "50.0"),
        ("complete", "0.0", "0.0", ""),
        ("complete", "100.0", "100.0", ""),
        ("in_progress", "", "", ""),  # scores only from a completed review
        ("not started", "", "", ""),
        ("not started", "", "", ""),
    ]
    assert [r["position"] for r in got] == ["1", "2", "3", "4", "5", "6"]
    assert [r["review_role"] for r in got[:4]] == ["primary", "primary", "primary", ""]
    assert [r["reviewer"] for r in got[:4]] == ["ann", "ann", "ann", "bob"]


def test_cases_export_with_unknown_scored_as_no(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = Store.open(path)
    info = store.add_checklist(_unknown_as_no_checklist(), "strict.yaml")
    seed = seed_store(store)
    ids = case_ids(store, seed)
    audit = store.create_audit("Strict", info.pk, ids, created_by="t", seed=1)
    # C again, unknown now scores 0: rec = (1 + 2 + 0) / 4 = 75.0; overall 3/4 = 75.0
    c = {"REC-01": "yes", "REC-02": "yes", "REC-03": "unknown", "SPO-01": "na"}
    complete_review(store, audit.id, ids[0], "ann", "primary", c)
    data = findings.load(store, "Strict")
    row = findings.case_table(store, data).rows[0]
    assert (row["overall_pct"], row["rec_pct"], row["spo_pct"]) == (75.0, 75.0, None)
    # and the question figures: REC-03 unknown -> applicable, 0 of 1
    q = {r["question_id"]: r for r in findings.question_table(data).rows}
    assert (q["REC-03"]["n_applicable"], q["REC-03"]["compliance_pct"]) == (1, 0.0)
    assert (q["REC-03"]["unknown"], q["REC-03"]["na"]) == (1, 0)


def test_cases_export_counts_the_moderated_review(tmp_path: Path) -> None:
    """'scores from the counted review': moderated over primary; the second feeds nothing."""
    path = tmp_path / "m.db"
    store = Store.open(path)
    audit = seed_store(store)
    first = case_ids(store, audit)[0]
    full = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
    complete_review(store, audit.id, first, "ann", "primary", full)
    complete_review(store, audit.id, first, "bob", "second", {**full, "REC-03": "no"})
    moderated = store.start_moderation(audit.id, first, "lead")
    store.set_answer(moderated.id, "REC-03", "no", "lead", reason="no link made")
    store.complete_review(moderated.id, "lead")
    row = findings.case_table(store, findings.load(store, "Test audit")).rows[0]
    # moderated: rec = (1 + 2 + 0) / 4 = 75.0
    assert (row["review_role"], row["reviewer"], row["overall_pct"]) == ("moderated", "lead", 75.0)


def test_cases_header_with_notes_ends_with_summary(noted_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.csv"
    args = ("export", "cases", "--audit", "Test audit", "--out", str(out), "--include-notes")
    assert run(noted_db, *args).exit_code == 0
    rows = csv_rows(out.read_bytes())
    assert rows[0] == [*CASE_HEADER, "summary"]


# --------------------------------------------------------------------------- headers


@pytest.fixture
def paired_db(tmp_path: Path) -> Path:
    """Two cases reviewed by ann, both second-reviewed by bob."""
    path = tmp_path / "p.db"
    store = Store.open(path)
    audit = seed_store(store)
    ids = case_ids(store, audit)
    a = {"REC-01": "yes", "REC-02": "partly", "REC-03": "yes", "SPO-01": "na"}
    b = {"REC-01": "no", "REC-03": "no", "SPO-01": "no", "SPO-03": "yes"}
    for case_id, answers in zip(ids, (a, b), strict=False):
        complete_review(store, audit.id, case_id, "ann", "primary", answers)
    store.assign_second(audit.id, ids[:2], "bob", "lead")
    complete_review(store, audit.id, ids[0], "bob", "second", a)
    complete_review(store, audit.id, ids[1], "bob", "second", {**b, "REC-03": "yes"})
    store.close()
    return path


QUESTION_HEADER = [
    "audit",
    "section_id",
    "question_id",
    "question",
    "n_reviews",
    "n_applicable",
    "yes",
    "partly",
    "no",
    "na",
    "unknown",
    "compliance_pct",
    "ci_low_pct",
    "ci_high_pct",
]
SECTION_HEADER = [
    "audit",
    "section_id",
    "section",
    "n_cases",
    "mean_score_pct",
    "n_full",
    "full_pct",
    "ci_low_pct",
    "ci_high_pct",
    "unknown",  # unknown answers left out: docs/pending/unknowns.md (README being replaced)
]
ANSWER_HEADER = [
    "audit",
    "case_ref",
    "force",
    "reviewer",
    "role",
    "status",
    "section_id",
    "question_id",
    "answer",
    "hidden",
]
AGREEMENT_HEADER = [
    "audit",
    "section_id",
    "question_id",
    "n_pairs",
    "agree_pct",
    "kappa",
    "kappa_band",
    "kappa_ci_low",
    "kappa_ci_high",
    "ac1",
]


@pytest.mark.parametrize(
    ("kind", "extra", "header"),
    [
        ("questions", (), QUESTION_HEADER),
        ("questions", ("--by", "force"), ["audit", "group", *QUESTION_HEADER[1:]]),
        ("sections", (), SECTION_HEADER),
        ("sections", ("--by", "reviewer"), ["audit", "group", *SECTION_HEADER[1:]]),
        ("cases", (), CASE_HEADER),
        ("answers", (), ANSWER_HEADER),
        ("answers", ("--include-notes",), [*ANSWER_HEADER, "note"]),
        ("agreement", (), AGREEMENT_HEADER),
        ("events", (), EVENT_HEADER),
    ],
)
def test_export_headers_as_the_readme_lists_them(
    paired_db: Path, kind: str, extra: tuple[str, ...], header: list[str]
) -> None:
    result = run(paired_db, "export", kind, "--audit", "Test audit", *extra)
    assert result.exit_code == 0, result.output
    assert csv_rows(result.stdout_bytes)[0] == header


def test_agreement_rows_by_hand(paired_db: Path) -> None:
    result = run(paired_db, "export", "agreement", "--audit", "Test audit")
    rows = csv_rows(result.stdout_bytes)
    got = {(r[1], r[2]): r[3:] for r in rows[1:]}
    # Columns after question_id: n_pairs, agree_pct, kappa, kappa_band, kappa_ci_low,
    # kappa_ci_high, ac1. Two pairs: too few for a band or an interval anywhere.
    # REC-03 pairs: (yes, yes), (no, yes): 1 of 2 agree = 50.0%.
    # kappa: po = 0.5; primary yes 1 no 1, second yes 2: pe = (1*2 + 1*0)/4 = 0.5;
    # kappa = (0.5 - 0.5)/(1 - 0.5) = 0. AC1 on REC-03's five answer values (q = 5):
    # pi_yes = (.5 + 1)/2 = .75, pi_no = .25; pe = (.1875 + .1875)/4 = .09375;
    # AC1 = (.5 - .09375)/.90625 = 0.448
    assert got[("rec", "REC-03")] == ["2", "50.0", "0.0", "too few pairs (2)", "", "", "0.448"]
    # REC-01: (yes, yes), (no, no): 100%; pe = 0.5; kappa = 1; AC1 (q = 3: yes no unknown):
    # pi .5 .5 0 -> pe = (.25 + .25)/2 = .25, AC1 = (1 - .25)/.75 = 1
    assert got[("rec", "REC-01")] == ["2", "100.0", "1.0", "too few pairs (2)", "", "", "1.0"]
    # REC-02: (partly, partly); case 2 hid it from both (REC-01 no): left out, 1 pair.
    # kappa undefined (one category); AC1 1 (pi_partly = 1, pe = 0)
    assert got[("rec", "REC-02")] == ["1", "100.0", "", "too few pairs (1)", "", "", "1.0"]
    # SPO-02 hidden in all four reviews: no pair at all -> empty cells
    assert got[("spo", "SPO-02")] == ["0", "", "", "", "", "", ""]
    # the rec section pools 5 pairs (REC-02's hidden-in-both pair left out), 4 agree = 80.0%;
    # pairs (p, s): (yes,yes) (no,no) (partly,partly) (yes,yes) (no,yes)
    # primary: yes 2, no 2, partly 1; second: yes 3, no 1, partly 1
    # pe = (2*3 + 2*1 + 1*1)/25 = 9/25; kappa = (20/25 - 9/25)/(16/25) = 11/16 = 0.688
    # AC1 over the union of the scales (yes partly no na unknown hidden, q = 6):
    # pi_yes .5, pi_no .3, pi_partly .2; pe = (.25 + .21 + .16)/5 = .124;
    # AC1 = (.8 - .124)/.876 = 0.772
    assert got[("rec", "")] == ["5", "80.0", "0.688", "too few pairs (5)", "", "", "0.772"]
    # section rows come after their questions
    order = [(r[1], r[2]) for r in rows[1:]]
    assert order.index(("rec", "")) == 3 and order[-1] == ("spo", "")


# --------------------------------------------------------------------------- guards


@pytest.mark.parametrize("kind", ["cases", "answers", "agreement", "events"])
def test_by_is_refused_for_kinds_it_does_not_apply_to(
    paired_db: Path, tmp_path: Path, kind: str
) -> None:
    out = tmp_path / "x.csv"
    result = run(
        paired_db, "export", kind, "--audit", "Test audit", "--by", "force", "--out", str(out)
    )
    assert result.exit_code == 2
    assert f"--by applies to questions and sections, not {kind}" in result.stderr
    assert not out.exists()


def test_an_out_name_without_a_known_format_is_refused(paired_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.txt"
    result = run(paired_db, "export", "questions", "--audit", "Test audit", "--out", str(out))
    assert result.exit_code == 2 and "cannot tell the format" in result.stderr
    assert not out.exists()


def test_xlsx_to_the_terminal_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    """The guard holds even for an audit with nothing to export (no completed reviews)."""
    path = tmp_path / "e.db"
    store = Store.open(path)
    seed_store(store)
    store.close()
    result = run(path, "export", "cases", "--audit", "Test audit", "--format", "xlsx")
    assert result.exit_code == 2 and "xlsx needs --out" in result.stderr
    assert result.stdout_bytes == b""


def test_agreement_without_second_reviews_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    store = Store.open(path)
    audit = seed_store(store)
    first = case_ids(store, audit)[0]
    complete_review(
        store, audit.id, first, "ann", "primary", {"REC-01": "no", "REC-03": "yes", "SPO-01": "na"}
    )
    store.close()
    out = tmp_path / "agree.csv"
    result = run(path, "export", "agreement", "--audit", "Test audit", "--out", str(out))
    assert result.exit_code == 2 and "no second reviews" in result.stderr
    assert not out.exists()


def test_findings_exports_need_completed_reviews_but_raw_ones_do_not(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    store = Store.open(path)
    audit = seed_store(store)
    review = store.open_review(audit.id, case_ids(store, audit)[0], "ann")
    store.set_answer(review.id, "REC-01", "yes", "ann")
    store.close()
    for kind in ("questions", "sections", "agreement"):
        result = run(path, "export", kind, "--audit", "Test audit")
        assert result.exit_code == 2 and "no completed reviews yet" in result.stderr, kind
    for kind in ("cases", "answers", "events"):
        assert run(path, "export", kind, "--audit", "Test audit").exit_code == 0, kind
