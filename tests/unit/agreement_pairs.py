"""Six cases of the mini checklist reviewed blind twice, for the agreement view and report.

Recording pools 3 questions x 6 cases = 18 pairs:
  REC-01 (yes, yes) x6; REC-02 (yes, yes) x4, (no, no), (no, yes);
  REC-03 (yes, yes) x3, (no, no) x2, (yes, no): agree 6 + 5 + 5 = 16 of 18 (89%)
  table (rows primary, columns second): yes/yes 13, yes/no 1, no/yes 1, no/no 3
  po = 16/18; pe = (14*14 + 4*4)/324 = 212/324; kappa = 76/112 = 0.68, substantial
  AC1 over yes partly no na unknown hidden (q = 6): pi_yes 14/18, pi_no 4/18;
  pe = 2(14/18)(4/18)/5 = 0.0691; AC1 = (0.8889 - 0.0691)/(1 - 0.0691) = 0.88
Protective orders: SPO-01 (na, na) x6; SPO-02 and SPO-03 hidden from both reviewers in
every pair, so left out: 6 pairs, too few for a band."""

from __future__ import annotations

from casereview.store import AuditInfo, Store
from tests.factories import complete_review

RECORDING_TABLE = [[13, 1], [1, 3]]

# (REC-02, REC-03) for the primary and for the second review of each case
ANSWERS = [
    (("yes", "yes"), ("yes", "yes")),
    (("yes", "yes"), ("yes", "yes")),
    (("yes", "yes"), ("yes", "yes")),
    (("yes", "no"), ("yes", "no")),
    (("no", "no"), ("no", "no")),
    (("no", "yes"), ("yes", "no")),
]


def six_pairs(store: Store, audit: AuditInfo) -> None:
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    store.assign_second(audit.id, ids, "bob", "lead")
    for case_id, sides in zip(ids, ANSWERS, strict=True):
        for (who, role), (rec02, rec03) in zip(
            (("ann", "primary"), ("bob", "second")), sides, strict=True
        ):
            answers = {"REC-01": "yes", "REC-02": rec02, "REC-03": rec03, "SPO-01": "na"}
            complete_review(store, audit.id, case_id, who, role, answers)  # type: ignore[arg-type]
