"""Stopping a served app: the session's handler and the server's shutdown can both stop one
app at once, and a caller cancelled while it waits must not break the other's stop.

(CI once failed this way: a handler cancelled mid-stop cancelled the task reading the app's
output, the shutdown awaiting that task got CancelledError, and pytest's teardown, which
does not catch a BaseException, left later tests on that worker with stale fixtures.)"""

from __future__ import annotations

import asyncio
import sys

from textual_serve.download_manager import DownloadManager

from casereview.serve.server import ServedApp

# A stand-in app process: it says it is ready as a Textual app does, then quits a moment
# after the first byte on stdin (the "quit" message), so a stop has to wait for it.
SLOW_TO_QUIT = (
    "import sys, time\n"
    "sys.stdout.write('__GANGLION__\\n'); sys.stdout.flush()\n"
    "sys.stdin.buffer.read(1)\n"
    "time.sleep(0.5)\n"
)


async def _nothing(*args: object) -> None:
    return None


def served_app() -> ServedApp:
    return ServedApp(
        [sys.executable, "-c", SLOW_TO_QUIT],
        "ana",
        write_bytes=_nothing,
        write_str=_nothing,
        close=_nothing,
        download_manager=DownloadManager(),
    )


async def test_a_stop_whose_caller_is_cancelled_still_ends_the_app_for_the_other() -> None:
    app = served_app()
    await app.start(80, 24)
    process = app._process
    assert process is not None and app._task is not None
    reader = app._task

    # The real reader swallows a cancel except in its last step (after the app has quit),
    # which is where CI met it; this stand-in ends cancelled whenever it is cancelled.
    async def until_quit() -> None:
        await process.wait()

    app._task = asyncio.create_task(until_quit())
    handler = asyncio.create_task(app.stop())
    shutdown = asyncio.create_task(app.stop())
    await asyncio.sleep(0.2)  # both are waiting for the app to quit
    assert not handler.done() and not shutdown.done()
    handler.cancel()
    await shutdown  # raised CancelledError before: the handler's cancel reached the reader
    assert process.returncode == 0  # it quit when asked, not killed
    assert handler.cancelled()
    await reader


async def test_a_reader_ended_by_a_cancel_still_lets_the_stop_end_the_app() -> None:
    app = served_app()
    await app.start(80, 24)
    process = app._process
    assert process is not None and app._task is not None
    reader = app._task

    async def forever() -> None:
        await asyncio.sleep(3600)

    app._task = asyncio.create_task(forever())
    stop = asyncio.create_task(app.stop())
    await asyncio.sleep(0.1)
    app._task.cancel()
    await stop
    assert process.returncode == 0
    await reader


async def test_stopping_twice_in_turn_is_one_stop() -> None:
    app = served_app()
    await app.start(80, 24)
    await app.stop()
    await app.stop()
    assert app._process is not None and app._process.returncode == 0
