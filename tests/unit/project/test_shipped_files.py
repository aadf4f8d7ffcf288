"""The shipped checklists and the sample pool are data inside the package, so a checkout,
an editable install and a wheel read them from the same place (and an editable install is
a plain path one, with no import hook to map folders from outside src/)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import casereview
from casereview.store import shipped

PACKAGE = Path(casereview.__file__).resolve().parent
PYPROJECT = tomllib.loads((PACKAGE.parents[1] / "pyproject.toml").read_text())


def test_the_shipped_checklists_are_read_from_inside_the_package() -> None:
    found = list(shipped.shipped_checklists())
    assert [p.name for p in found] == [
        "stalking-casefile-2.0.yaml",
        "stalking-casefile-3.0.yaml",
        "stalking-casefile.yaml",
    ]
    assert all(p.parent == PACKAGE / "shipped_checklists" for p in found)


def test_the_sample_pool_is_read_from_inside_the_package() -> None:
    assert shipped.sample_pool() == PACKAGE / "sample_cases" / "sample_cases.csv"


def test_no_package_is_mapped_from_outside_src() -> None:
    # a package-dir entry other than "" = "src" makes setuptools' editable install a meta
    # path finder (and pip says so at every install)
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {"": "src"}
    data = PYPROJECT["tool"]["setuptools"]["package-data"]
    assert data["casereview.shipped_checklists"] == ["*.yaml"]
    assert data["casereview.sample_cases"] == ["*.csv"]
