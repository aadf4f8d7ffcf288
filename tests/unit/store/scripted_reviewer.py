"""A reviewer in a separate process: answers questions forever, reporting each once saved.

Run as `python tests/unit/store/scripted_reviewer.py DB NAME SEED`; used by the crash and
concurrency tests.
"""

from __future__ import annotations

import random
import sys

from casereview.store import Store, StoreError


def main(db: str, name: str, seed: int) -> None:
    store = Store.open(db)
    audit = store.audits()[0]
    checklist = store.audit_checklist(audit.id)
    rng = random.Random(seed)
    cases = [ac.case.id for ac in store.audit_cases(audit.id)]
    while True:
        case_id = rng.choice(cases)
        try:
            review = store.open_review(audit.id, case_id, name, rng.choice(["primary", "second"]))
        except StoreError:  # this reviewer's own primary case (or second): the store refuses
            continue
        values = store.answer_values(review.id)
        qid = rng.choice(checklist.visible(values))
        value = rng.choice(checklist.question(qid).answers)
        try:
            store.set_answer(review.id, qid, value, name)
        except StoreError:  # the other process changed an earlier answer that now hides qid:
            continue  # the store refused it, as it should, and nothing is reported saved
        # Only now, after the commit returned, is the answer reported as saved.
        print(f"{review.id} {qid} {value}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
