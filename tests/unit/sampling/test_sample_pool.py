"""The sample pool: reproducible from its seed, synthetic, and a realistic mix."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path
from types import ModuleType

from casereview.io.imports.cases import read_case_file

ROOT = Path(__file__).parents[3]
POOL = ROOT / "src" / "casereview" / "sample_cases" / "sample_cases.csv"


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen", ROOT / "scripts" / "generate_sample_cases.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_regenerating_reproduces_the_committed_file(tmp_path: Path) -> None:
    gen = generator()
    out = tmp_path / "again.csv"
    gen.write_csv(gen.generate(2024, 120), out)
    assert out.read_bytes() == POOL.read_bytes()
    other = tmp_path / "other.csv"
    gen.write_csv(gen.generate(2025, 120), other)
    assert other.read_bytes() != POOL.read_bytes()


def test_pool_imports_and_has_the_mix() -> None:
    parsed = read_case_file(POOL)
    cases = parsed.cases
    assert len(cases) >= 300
    assert len({c["force"] for c in cases}) == 3
    assert len({(c["force"], c["case_ref"]) for c in cases}) == len(cases)
    offences = Counter(c["offence"] for c in cases)
    assert any("s2A" in o for o in offences) and any("s4A" in o for o in offences)
    assert any("Harassment" in o for o in offences) and "Malicious communications" in offences
    late = sum(1 for c in cases if c["recorded_at"][:10] > c["reported_at"][:10])
    assert 0.1 < late / len(cases) < 0.9  # some recorded late, as a review should find
    assert all(c["recorded_at"] >= c["reported_at"][:16] for c in cases)
    assert 0.4 < sum(1 for c in cases if c["da_related"]) / len(cases) < 0.8
    assert parsed.extra_columns == ["relationship", "channel"]
