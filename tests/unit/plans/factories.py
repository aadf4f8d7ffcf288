"""A force's audits built answer by answer, for plan tests: five monthly audits of Testshire's
six fixture cases on the `trendy` checklist (version 2), each answer chosen so the figures
can be worked by hand."""

from __future__ import annotations

from casereview.io.imports.answers import ImportedReview
from casereview.io.imports.cases import read_case_file
from casereview.store import Store
from tests.factories import CASES, TREND_V2

FORCE = "Testshire"
MONTHS = (
    ("Jan", "2024-01-01", "2024-01-31"),
    ("Feb", "2024-02-01", "2024-02-29"),
    ("Mar", "2024-03-01", "2024-03-31"),
    ("Apr", "2024-04-01", "2024-04-30"),
    ("May", "2024-05-01", "2024-05-31"),
)
# A-1 met in 1 of 6 files every month until May, then in 6 of 6. A-9 met in 3 of 6 files
# until May, then in 4 of 6.
A1 = {"Jan": 1, "Feb": 1, "Mar": 1, "Apr": 1, "May": 6}
A9 = {"Jan": 3, "Feb": 3, "Mar": 3, "Apr": 3, "May": 4}


def force_audits(store: Store, months: int = 5) -> None:
    info = store.add_checklist(TREND_V2.read_text(), str(TREND_V2))
    store.insert_case_rows(read_case_file(CASES).rows)
    ids = [c.id for c in store.cases()]
    for name, start, end in MONTHS[:months]:
        scope = {"where": {"force": FORCE}, "from": start, "to": end}
        audit = store.create_audit(name, info.pk, ids, "qa", seed=1, scope=scope)
        reviews = [
            ImportedReview(
                case_id,
                "primary",
                "qa",
                answers={
                    "A-1": ("yes" if i < A1[name] else "no", ""),
                    "A-9": ("yes" if i < A9[name] else "no", ""),
                    "B-1": ("no", ""),
                    "B-2": ("yes", ""),
                    "B-3": ("yes", ""),
                },
                complete=True,
            )
            for i, case_id in enumerate(ids)
        ]
        store.import_reviews(audit.id, reviews, "qa")
