"""Processes, memory and CPU from Linux's /proc, for the benches: a process's children and
tree, its resident and proportional set (smaps_rollup), its CPU seconds (stat), and a team
server's session app processes (cold children, or the children of its session template)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def children(pid: int, proc: Path = Path("/proc")) -> list[int]:
    """The direct children of `pid` (Linux: /proc/PID/task/*/children)."""
    found: list[int] = []
    for task in (proc / str(pid) / "task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(p) for p in (task / "children").read_text().split()]
    return found


def tree(pid: int) -> list[int]:
    """`pid` and every process below it."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children(p)
    return out


def memory_kb(pid: int, proc: Path = Path("/proc")) -> tuple[int, int]:
    """(RSS, PSS) in kB of one process (0, 0 once it is gone)."""
    rss = pss = 0
    with contextlib.suppress(OSError):
        for line in (proc / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    return rss, pss


def cpu_seconds(pid: int, proc: Path = Path("/proc"), ticks: int | None = None) -> float:
    """User and system CPU seconds one process has used (0.0 once it is gone)."""
    try:
        stat = (proc / str(pid) / "stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()  # after the name, which may hold spaces
    per_second = ticks or os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / per_second  # fields 14, 15 of the line


def tree_cpu(pid: int) -> float:
    return sum(cpu_seconds(p) for p in tree(pid))


def session_apps(server_pid: int, proc: Path = Path("/proc")) -> tuple[list[int], int | None]:
    """The sessions' app processes (the server's children started cold, and the children of
    its session template, serve.launcher, which forks them), and the template's pid."""
    apps, template = [], None
    for pid in children(server_pid, proc):
        with contextlib.suppress(OSError):
            if b"session_launcher" in (proc / str(pid) / "cmdline").read_bytes():
                template = pid
                apps += children(pid, proc)
                continue
        apps.append(pid)
    return apps, template


def tree_memory(pid: int) -> tuple[int, int]:
    kb = [memory_kb(p) for p in tree(pid)]
    return sum(rss for rss, _ in kb), sum(pss for _, pss in kb)


def apps_cpu(server_pid: int) -> float:
    return sum(tree_cpu(app) for app in session_apps(server_pid)[0])


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())
