"""Twelve cases of the mini checklist, each reviewed by ann and blind by bob, for the
agreement view and the report. Per case (primary, second):

  cases 1-3:  REC-01 (no, no): REC-02 hidden from both; REC-03 (no, no)
  cases 4-12: REC-01 (yes, yes); REC-02 (yes, yes) x6, (no, no) x2, (no, yes);
              REC-03 (yes, yes) x6, (no, no), (yes, no) x2
  every case: SPO-01 (na, na), so SPO-02 and SPO-03 are hidden from both.

REC-02: 9 pairs (the hidden-in-both left out), 8 agree: too few pairs (9).
REC-03: 12 pairs, 10 agree (83%); primary yes 8 no 4, second yes 6 no 6:
  pe = (8*6 + 4*6)/144 = 0.5; kappa = (10/12 - 0.5)/0.5 = 0.67, substantial;
  AC1 (its five answer values, q = 5): pi_yes 7/12, pi_no 5/12,
  pe = 2(7/12)(5/12)/4 = 70/576; AC1 = (480 - 70)/(576 - 70) = 410/506 = 0.81
Recording pools 12 + 9 + 12 = 33 pairs from 12 cases, 12 + 8 + 10 = 30 agree (91%):
  table (rows primary, columns second): yes/yes 21, yes/no 2, no/yes 1, no/no 9
  po = 30/33; pe = (23*22 + 10*11)/33^2 = 616/1089; kappa = 374/473 = 0.79, substantial
  AC1 over yes partly no na unknown hidden (q = 6): pi_yes 45/66, pi_no 21/66;
  pe = 2(45/66)(21/66)/5 = 0.0868; AC1 = (0.9091 - 0.0868)/(1 - 0.0868) = 0.90
Protective orders: SPO-01 (na, na) x12: 100%, kappa undefined (one category), AC1 1."""

from __future__ import annotations

from pathlib import Path

from casereview.io.imports.cases import read_case_file
from casereview.store import Store
from tests.factories import CASES, MINI, complete_review

RECORDING_TABLE = [[21, 2], [1, 9]]
REC03_TABLE = [[6, 2], [0, 4]]

# (REC-01, REC-02 or None where hidden, REC-03) for the primary and the second review
ANSWERS = (
    [(("no", None, "no"), ("no", None, "no"))] * 3
    + [(("yes", "yes", "yes"), ("yes", "yes", "yes"))] * 5
    + [(("yes", "yes", "yes"), ("yes", "yes", "no"))]
    + [(("yes", "no", "no"), ("yes", "no", "no"))]
    + [(("yes", "no", "yes"), ("yes", "no", "no"))]
    + [(("yes", "no", "yes"), ("yes", "yes", "yes"))]
)


def twelve_pairs(path: Path) -> Path:
    """A database at `path` with the audit "Agreement audit" of twelve paired cases."""
    header, first = CASES.read_text(encoding="utf-8").splitlines()[:2]
    rest = first.split(",", 1)[1]
    case_file = path.with_suffix(".csv")
    case_file.write_text(
        "\n".join([header, *(f"A/{i},{rest}" for i in range(1, 13))]) + "\n", encoding="utf-8"
    )
    store = Store.open(path)
    info = store.add_checklist(MINI.read_text(), str(MINI))
    store.insert_case_rows(read_case_file(case_file).rows)
    ids = [c.id for c in store.cases()]
    audit = store.create_audit("Agreement audit", info.pk, ids, created_by="t", seed=1)
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    store.assign_second(audit.id, ids, "bob", "lead")
    for case_id, sides in zip(ids, ANSWERS, strict=True):
        for (who, role), (rec01, rec02, rec03) in zip(
            (("ann", "primary"), ("bob", "second")), sides, strict=True
        ):
            answers = {"REC-01": rec01, "REC-03": rec03, "SPO-01": "na"}
            if rec02:
                answers["REC-02"] = rec02
            complete_review(store, audit.id, case_id, who, role, answers)  # type: ignore[arg-type]
    store.close()
    return path
