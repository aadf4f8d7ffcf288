"""One served session's app process: `python -m casereview.cli.served_session --db PATH`.

Started by the server (never through a shell) with the signed-in name in
$CASEREVIEW_SIGNED_IN; --reviewer and $CASEREVIEW_REVIEWER play no part. Textual is imported
only when it runs. It sits with the command line (above the app) because it starts the
app; the server (casereview.serve) only names it.
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import closing
from pathlib import Path

from casereview.accounts import NAME_RE
from casereview.serve.auth import SIGNED_IN
from casereview.store import Store, StoreError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="casereview.cli.served_session")
    parser.add_argument("--db", required=True, type=Path)
    args = parser.parse_args(argv)
    reviewer = os.environ.get(SIGNED_IN, "")
    if not NAME_RE.fullmatch(reviewer):
        print("casereview: a served session needs its signed-in name", file=sys.stderr)
        return 2
    try:
        store = Store.open(args.db)
        store.ensure_shipped_checklists()
    except StoreError as exc:
        print(f"casereview: {exc}", file=sys.stderr)
        return 1
    from casereview.app import make_app

    with closing(store):  # closed when the app ends, not whenever the collector runs
        make_app(store, reviewer).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
