"""Sessions forked from one preloaded process instead of a cold Python start each.

A cold session's app process spends about 0.4 s of CPU importing Python, Textual and the app
before it draws anything; forty reviewers signing in at nine o'clock on two cores wait for
each other's imports. The server starts one template process
(casereview.cli.session_launcher) that has imported them once, and asks it over a socket to
fork each session's app: the fork starts in about a fifth of the CPU and shares the imported
modules' memory (docs/benchmarks.md, "Team server"). The app process is then the same program
as a cold one (served_session.main), with the same environment and pipes.

A ForkedProcess stands in for asyncio's Process (the forked app is the template's child, not
the server's): its pipes are asyncio streams, it is waited for through a pidfd (Linux) and
killed through it, so a recycled pid can never be signalled. Where the template cannot run
(no pidfd, or it failed to start or died), sessions start cold as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
from collections.abc import Mapping, Sequence

from casereview.serve.auth import SIGNED_IN

log = logging.getLogger("casereview.serve")
_PER_SESSION = {SIGNED_IN, "COLUMNS", "ROWS"}  # sent with each fork, not the template's

READY_SECONDS = 60.0  # the template's imports (a busy host); past it sessions start cold
REPLY_SECONDS = 10.0  # a fork's reply
STOP_SECONDS = 5.0


def supported() -> bool:
    """Whether this host can wait for a process that is not its child (pidfd: Linux 5.3)."""
    return hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal")


class ForkedProcess:
    """The parts of asyncio.subprocess.Process a served app uses, for a forked app."""

    def __init__(
        self,
        pid: int,
        stdin: asyncio.StreamWriter,
        stdout: asyncio.StreamReader,
        stderr: asyncio.StreamReader,
    ):
        self.pid = pid
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.returncode: int | None = None
        self._killed = False
        self._exited = asyncio.Event()
        try:
            self._pidfd = os.pidfd_open(pid)
        except ProcessLookupError:  # it has already ended (its output is still in the pipe)
            self.returncode = 0
            self._pidfd = -1
            self.stdin.close()
            self._exited.set()
            return
        asyncio.get_running_loop().add_reader(self._pidfd, self._on_exit)

    def _on_exit(self) -> None:
        asyncio.get_running_loop().remove_reader(self._pidfd)
        os.close(self._pidfd)
        self._pidfd = -1
        # (its exit status went to the template, which lets the kernel reap it)
        self.returncode = -signal.SIGKILL if self._killed else 0
        self.stdin.close()
        self._exited.set()

    async def wait(self) -> int:
        await self._exited.wait()
        assert self.returncode is not None
        return self.returncode

    def kill(self) -> None:
        if self._pidfd >= 0:
            self._killed = True
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)


class Launcher:
    """The template process: started with the server (or at its first session), stopped
    with it."""

    def __init__(self, argv: Sequence[str]):
        self.argv = list(argv)  # without --socket: added here
        self._process: subprocess.Popen[bytes] | None = None
        self._channel: socket.socket | None = None
        self._lock = asyncio.Lock()  # one request (and its reply) on the socket at a time
        self.failed = False  # it could not start, or died: sessions start cold
        self._requests = 0  # forks asked for; each reply names its request

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def _start(self, environment: Mapping[str, str]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            self._process = subprocess.Popen(  # (asyncio's would reap it: not wanted here)
                [*self.argv, "--socket", str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                env={k: v for k, v in environment.items() if k not in _PER_SESSION},
            )
        ours.setblocking(False)
        self._channel = ours
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(READY_SECONDS):
            if await loop.sock_recv(ours, 16) != b"ready":
                raise OSError("the session template did not start")

    async def prepare(self, environment: Mapping[str, str]) -> None:
        """Start the template now (the server's start), not at the first session's."""
        if self.failed or not supported():
            return
        async with self._lock:
            if self._channel is None and not self.failed:
                await self._start_or_fail(environment)

    async def _start_or_fail(self, environment: Mapping[str, str]) -> bool:
        try:
            await self._start(environment)
        except (OSError, TimeoutError, ValueError) as exc:
            log.warning("sessions start cold: the session template did not start (%s)", exc)
            self.failed = True
            await self.stop()
            return False
        return True

    async def spawn(self, environment: Mapping[str, str]) -> ForkedProcess | None:
        """A session's app forked with `environment` (None: start it cold instead)."""
        if self.failed or not supported():
            return None
        async with self._lock:
            if self._channel is None and not await self._start_or_fail(environment):
                return None
            try:
                return await self._fork(environment)
            except (OSError, TimeoutError, ValueError) as exc:
                log.warning("sessions start cold from now on: the template failed (%s)", exc)
                self.failed = True
                await self.stop()
                return None

    async def _fork(self, environment: Mapping[str, str]) -> ForkedProcess:
        assert self._channel is not None
        loop = asyncio.get_running_loop()
        self._requests += 1
        request = self._requests
        stdin_r, stdin_w = os.pipe()
        stdout_r, stdout_w = os.pipe()
        stderr_r, stderr_w = os.pipe()
        try:
            try:
                message = json.dumps({"request": request, "environment": dict(environment)})
                socket.send_fds(self._channel, [message.encode()], [stdin_r, stdout_w, stderr_w])
            finally:
                for fd in (stdin_r, stdout_w, stderr_w):  # the child has its own copies
                    os.close(fd)
            async with asyncio.timeout(REPLY_SECONDS):
                while True:  # (a reply to a request whose caller was cancelled is skipped:
                    # that app found its pipes closed and has ended)
                    answered, _, pid = (await loop.sock_recv(self._channel, 64)).partition(b" ")
                    if int(answered) == request:
                        break
            if int(pid) <= 0:
                raise ValueError("the template forked no session")
        except BaseException:
            for fd in (stdin_w, stdout_r, stderr_r):
                os.close(fd)
            raise
        return ForkedProcess(
            int(pid), await _writer(stdin_w), await _reader(stdout_r), await _reader(stderr_r)
        )

    async def stop(self) -> None:
        """Close the socket (the template ends on it), and wait for it, bounded."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        process, self._process = self._process, None
        if process is None:
            return
        try:
            await asyncio.wait_for(asyncio.to_thread(process.wait), STOP_SECONDS)
        except TimeoutError:
            process.kill()
            await asyncio.to_thread(process.wait)


async def _reader(fd: int) -> asyncio.StreamReader:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**24)
    protocol = asyncio.StreamReaderProtocol(reader)
    await loop.connect_read_pipe(lambda: protocol, os.fdopen(fd, "rb", 0))
    return reader


async def _writer(fd: int) -> asyncio.StreamWriter:
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.connect_write_pipe(
        asyncio.streams.FlowControlMixin, os.fdopen(fd, "wb", 0)
    )
    return asyncio.StreamWriter(transport, protocol, None, loop)


def launcher_argv(python: str, db: str) -> list[str]:
    """The template's command line, for this server (its socket's descriptor is added when it
    starts)."""
    server = str(os.getpid())
    return [python, "-m", "casereview.cli.session_launcher", "--db", db, "--server", server]
