"""bench.growth's table: medians of the times, the largest peak, and the growth between."""

from __future__ import annotations

from bench.growth import table


def test_the_growth_is_the_median_time_and_largest_peak_at_each_size() -> None:
    got = {
        ("trend", 1000): [(1.0, 40.0), (3.0, 50.0), (2.0, 45.0)],  # median 2.0 s, peak 50
        ("trend", 25000): [(9.0, 100.0), (10.0, 120.0), (11.0, 110.0)],  # 10.0 s, 120
    }
    lines = table(got, [1000, 25000]).splitlines()
    # 10.0 / 2.0 = 5.0x the time; 120 / 50 = 2.40x the peak
    assert lines[2] == "| `trend` | 2.00 s, 50 MB | 10.00 s, 120 MB | 5.0x; 2.40x |"
    assert lines[0].startswith("| command | 1,000 reviews | 25,000 reviews |")


def test_a_measure_within_a_target_passes_at_the_target_and_not_past_it() -> None:
    from bench.report import Result

    # 3.0 / 2.0 = 1.5x: at a 1.5x target it passes; 3.1 / 2.0 = 1.55x misses
    at = Result.within("m", "s", 3.0, 2.0, 1.5, {})
    assert (at.ratio, at.target, at.status) == (1.5, "<= 1.5x", "PASS")
    assert Result.within("m", "s", 3.1, 2.0, 1.5, {}).status == "MISS"
    assert Result.within("m", "s", 1.0, 2.0, 1.5, {}, also=False).status == "MISS"
