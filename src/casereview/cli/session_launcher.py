"""The served sessions' template process: `python -m casereview.cli.session_launcher`.

`casereview serve` starts one, with a socket (SOCK_SEQPACKET) on file descriptor --socket.
It imports the app and Textual's web driver once, opens nothing (no database connection, no
thread, no event loop: a fork copies them half-made), and then forks one app process per
request: each request is numbered, with the session's environment, as JSON, and comes with
three descriptors (the app's stdin, stdout and stderr pipes); the reply is the request's
number and the forked process's pid. The child runs served_session.main as a cold
`python -m casereview.cli.served_session` would, but starts in about a fifth of the CPU and
shares the imported modules' memory with the others.

It ends when the server closes the socket or is gone (checked every SERVER_GONE_CHECK
seconds), and its sessions end with it (served_session.end_with_server watches their parent).
Children are reaped by the kernel (SIGCHLD ignored); the server waits for them by pidfd.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import select
import signal
import socket
import sys
import threading
import traceback
from pathlib import Path

from casereview.cli import served_session

REQUEST_BYTES = 1 << 20  # an environment as JSON; far more than any real one


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="casereview.cli.session_launcher")
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--socket", required=True, type=int, help="The server's socket's fd.")
    parser.add_argument("--server", required=True, type=int, help="The server's pid.")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when this ends
    # The work every session would repeat: loaded once, before any fork.
    import textual.drivers.web_driver  # noqa: F401  (the driver textual-serve names)

    import casereview.tui.app  # noqa: F401

    if threading.active_count() > 1:  # a fork would copy a thread's locks, not the thread
        print("casereview: a thread started while loading; sessions start cold", file=sys.stderr)
        return 1
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked sessions are reaped by the kernel
    gc.freeze()  # what is loaded stays shared: the collector does not write to it
    channel = socket.socket(fileno=args.socket)
    channel.sendall(b"ready")
    while os.getppid() == args.server:
        ready, _, _ = select.select([channel], [], [], served_session.SERVER_GONE_CHECK)
        if not ready:
            continue
        message, fds, _, _ = socket.recv_fds(channel, REQUEST_BYTES, 3)
        if not message:
            return 0  # the server closed it: it is stopping
        request = json.loads(message)
        pid = os.fork() if len(fds) == 3 else 0
        if pid == 0 and len(fds) == 3:
            _session(channel, fds, request["environment"], args.db)
        for fd in fds:
            os.close(fd)
        channel.sendall(f"{request['request']} {pid}".encode())  # (0: no session forked)
    return 0


def _session(channel: socket.socket, fds: list[int], environment: dict[str, str], db: Path) -> None:
    """In the forked child: become the session's app process, then exit (never returns)."""
    code = 1
    try:
        channel.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for target, fd in enumerate(fds):  # stdin, stdout, stderr
            os.dup2(fd, target)
            os.close(fd)
        os.environ.clear()
        os.environ.update(environment)
        code = served_session.main(["--db", str(db)])  # its parent: this launcher
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001, S110  (a closed pipe: nothing left to say)
                pass
        os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
