"""The serve-capacity bench's arithmetic: percentiles, the verdict, and the /proc reading it
reports memory and CPU from (the bench itself starts servers and is not run here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.procs import children, cpu_seconds, memory_kb, session_apps
from bench.report import percentile
from bench.serve_capacity import summary, verdict


@pytest.mark.parametrize(
    ("n", "p", "expected"),
    [
        # Nearest rank: the smallest value with at least p% of the sample at or below it,
        # rank ceil(p/100 * n) of the sorted values 1..n (so the value is the rank).
        (20, 95, 19),  # ceil(19.0) = 19: 19 of 20 values (95%) are <= 19; 20 is not needed
        (100, 95, 95),  # ceil(95.0) = 95
        (10, 50, 5),  # ceil(5.0) = 5: half the sample is <= 5
        (7, 50, 4),  # ceil(3.5) = 4
        (7, 95, 7),  # ceil(6.65) = 7
        (1, 95, 1),
        (40, 95, 38),  # ceil(38.0) = 38
        (3, 0, 1),  # the smallest, not "rank 0"
    ],
)
def test_percentile_is_the_nearest_rank(n: int, p: float, expected: int) -> None:
    values = list(range(n, 0, -1))  # given unsorted: it sorts
    assert percentile(values, p) == expected


def test_percentile_agrees_with_numpys_inverted_cdf() -> None:
    numpy = pytest.importorskip("numpy")
    sample = [7.5, 3.0, 120.0, 9.25, 9.25, 44.0, 1.0, 15.5, 88.0, 2.0, 61.0, 5.0]
    for p in (1, 5, 25, 50, 75, 90, 95, 99, 100):
        assert percentile(sample, p) == numpy.percentile(sample, p, method="inverted_cdf")


def test_summary_of_twenty_latencies() -> None:
    # 1..20 ms: p50 is rank ceil(10.0) = 10, p95 rank ceil(19.0) = 19, the largest 20
    assert summary([float(v) for v in range(20, 0, -1)]) == {
        "n": 20,
        "p50": 10.0,
        "p95": 19.0,
        "max": 20.0,
    }


def test_verdict_is_strictly_under_the_target() -> None:
    assert verdict(99.9) == "PASS"
    assert verdict(100.0) == "MISS"
    assert verdict(float("nan")) == "MISS"  # no sample is no pass


def test_proc_readings(tmp_path: Path) -> None:
    task = tmp_path / "10" / "task"
    (task / "10").mkdir(parents=True)
    (task / "11").mkdir()
    (task / "10" / "children").write_text("20 21 ")
    (task / "11" / "children").write_text("22\n")
    assert sorted(children(10, proc=tmp_path)) == [20, 21, 22]
    (tmp_path / "20").mkdir()
    (tmp_path / "20" / "smaps_rollup").write_text(
        "55d0-7ffd ---p 00000000 00:00 0   [rollup]\nRss:               64512 kB\n"
        "Pss:               48128 kB\nPss_Anon:          30000 kB\n"
    )
    assert memory_kb(20, proc=tmp_path) == (64512, 48128)
    assert memory_kb(99, proc=tmp_path) == (0, 0)  # gone
    # /proc/PID/stat: fields 14 and 15 (utime, stime) in clock ticks; the name may hold
    # spaces and parentheses, so fields are counted after its closing parenthesis
    (tmp_path / "20" / "stat").write_text(
        "20 (python (x) y) S 10 20 20 0 -1 4194304 1 0 0 0 150 50 0 0 20 0 1 0 1 1 1\n"
    )
    assert cpu_seconds(20, proc=tmp_path, ticks=100) == pytest.approx(2.0)  # 200 ticks
    assert cpu_seconds(99, proc=tmp_path, ticks=100) == 0.0


def test_session_apps_are_the_templates_children_and_cold_ones(tmp_path: Path) -> None:
    def process(pid: int, cmdline: bytes, kids: str = "") -> None:
        (tmp_path / str(pid) / "task" / str(pid)).mkdir(parents=True)
        (tmp_path / str(pid) / "task" / str(pid) / "children").write_text(kids)
        (tmp_path / str(pid) / "cmdline").write_bytes(cmdline)

    process(1, b"casereview\0serve", "2 3")
    process(2, b"python\0-m\0casereview.cli.session_launcher\0--db\0x", "4 5")
    process(3, b"python\0-m\0casereview.cli.served_session")  # a cold start
    process(4, b"python\0-m\0casereview.cli.session_launcher\0--db\0x")  # forked: same line
    process(5, b"python\0-m\0casereview.cli.session_launcher\0--db\0x")
    apps, template = session_apps(1, proc=tmp_path)
    assert sorted(apps) == [3, 4, 5] and template == 2


async def test_a_phase_with_an_answer_too_late_is_noted_and_the_others_stopped() -> None:
    import asyncio

    from bench.serve_capacity import Run, phase, table

    stopped = []

    async def late() -> None:
        raise TimeoutError("rev01's answer 3 did not reach the file in 30.0 s")

    async def waiting() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            stopped.append(True)
            raise

    run = Run(2, pace_ms=[5.0, 7.0])
    async with asyncio.timeout(5):
        await phase(run, "pace", [waiting(), late()])
    assert run.failed == {"pace": "rev01's answer 3 did not reach the file in 30.0 s"}
    assert stopped == [True]
    row = table([run]).splitlines()[1]
    assert "MISS" in row and "PASS" not in row and "stopped" in row
