"""One served session's app process: `python -m casereview.cli.served_session --db PATH`.

Started by the server (never through a shell) with the signed-in name in
$CASEREVIEW_SIGNED_IN; --reviewer and $CASEREVIEW_REVIEWER play no part. Textual is imported
only when it runs. It sits with the command line (above the app) because it starts the
app; the server (casereview.serve) only names it.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

from casereview.serve.accounts import NAME_RE
from casereview.serve.auth import SIGNED_IN
from casereview.store import Store, StoreError

SERVER_GONE_CHECK = 0.25  # seconds between looks at whether the server is still there


def end_with_server(server: int) -> None:
    """End this process when the server that started it (pid `server`) is gone, even killed
    outright (SIGKILL), when it could not stop its sessions: this process is then handed to
    another parent. SIGTERM makes the app quit as a stop does (before the app runs, it ends
    the process); nothing saved is lost either way (every answer is committed when shown)."""

    def watch() -> None:
        while os.getppid() == server:
            time.sleep(SERVER_GONE_CHECK)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="casereview-server-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="casereview.cli.served_session")
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--server", type=int, help="The server's pid: the session ends with it.")
    args = parser.parse_args(argv)
    end_with_server(args.server if args.server is not None else os.getppid())
    reviewer = os.environ.get(SIGNED_IN, "")
    if not NAME_RE.fullmatch(reviewer):
        print("casereview: a served session needs its signed-in name", file=sys.stderr)
        return 2
    try:
        store = Store.open(args.db)
        store.ensure_shipped_checklists()
        account = store.exact_account(reviewer)
    except StoreError as exc:
        print(f"casereview: {exc}", file=sys.stderr)
        return 1
    if account is None:  # removed between the sign-in and now
        store.close()
        print(f"casereview: there is no account named '{reviewer}'", file=sys.stderr)
        return 2
    from casereview.tui.app import make_app

    with closing(store):  # closed when the app ends, not whenever the collector runs
        make_app(store, reviewer, account.role).run()  # the role as the file has it now
    return 0


if __name__ == "__main__":
    sys.exit(main())
