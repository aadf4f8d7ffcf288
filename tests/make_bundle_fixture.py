"""Build tests/fixtures/bundle-v1.zip: a bundle of the first bundle format (format 1).

Run once, from the repository root, and commit the result:

    .venv/bin/python tests/make_bundle_fixture.py

It stands for a bundle exported from a laptop by the first casereview that wrote bundles, so
every later casereview, whatever migrations it has taken since, must still import it
(tests/unit/bundles/test_carry_and_merge.py). Do not rebuild it when the schema changes.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE.parent))

from casereview.io.bundles import archive as bundle  # noqa: E402
from casereview.store import Store  # noqa: E402
from tests.factories import FIXTURES, complete_review, seed_store  # noqa: E402


def build(out: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "laptop.db")
        audit = seed_store(store)
        ids = {c.case_ref + "@" + c.force: c.id for c in store.cases()}
        full = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
        complete_review(store, audit.id, ids["T/1@Testshire"], "ann", "primary", full)
        going = store.open_review(audit.id, ids["T/2@Testshire"], "bob")
        store.set_answer(going.id, "REC-01", "yes", "bob")
        store.set_note(going.id, "REC-01", "see the MG3", "bob")
        content, text = store.bundle_content(audit.id, None, "bob")
        store.close()
    bundle.write(out, bundle.pack(content, text))


if __name__ == "__main__":
    build(FIXTURES / "bundle-v1.zip")
