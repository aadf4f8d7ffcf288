"""Force settings: the time limits a force states for itself (first contact within N hours,
interview within N days), read from a small YAML file with FILE:LINE errors.

    force: Northmoor Police
    limits:
      first_contact_hours: 1
      interview_days: 3

A checklist question that carries `limit: {setting: interview_days, default: 7, unit: days}`
and says `{limit}` in its text shows the force's figure for an audit given these settings,
and the checklist's own default otherwise (Checklist.for_force)."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import yaml

from casereview.core.problems import InputError, Problem

SETTING_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_LIMIT = 10_000


class SettingsError(InputError):
    """A force settings file that cannot be used; carries every problem found."""


class ForceSettings(NamedTuple):
    force: str
    limits: dict[str, int]


def parse_force_settings(text: str, source: str = "<settings>") -> ForceSettings:
    """Parse and check a force settings file; SettingsError lists every problem by line."""
    from casereview.core.checklist.loading import _line_for, _line_map
    from casereview.core.checklist.yaml_loaders import Loader

    try:
        root = yaml.compose(text, Loader=Loader)
        data: Any = yaml.load(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise SettingsError([Problem(source, line, f"YAML syntax error: {exc.problem}")]) from None
    except yaml.YAMLError as exc:
        raise SettingsError([Problem(source, 1, f"YAML error: {exc}")]) from None
    if root is None or not isinstance(data, dict):
        raise SettingsError(
            [Problem(source, 1, "the file must be a mapping with `force:` and `limits:`")]
        )
    lines = _line_map(root)
    problems: list[Problem] = []

    def problem(path: tuple[str, ...], message: str) -> None:
        problems.append(Problem(source, _line_for(lines, path), message))

    for key in data:
        if key not in ("force", "limits"):
            problem((str(key), "__key__"), f"unknown key '{key}' (use force and limits)")
    force = data.get("force")
    if not isinstance(force, str) or not force.strip():
        problem(("force",), "force: give the force's name, as the cases name it")
    limits = data.get("limits")
    found: dict[str, int] = {}
    if not isinstance(limits, dict) or not limits:
        problem(("limits",), "limits: give at least one, e.g. interview_days: 3")
    else:
        for key, value in limits.items():
            at = ("limits", str(key))
            if not isinstance(key, str) or not SETTING_KEY.match(key):
                problem((*at, "__key__"), f"'{key}' is not a setting name (lower_case_words)")
            elif isinstance(value, bool) or not isinstance(value, int):
                problem(at, f"{key}: '{value}' is not a whole number")
            elif not 1 <= value <= MAX_LIMIT:
                problem(at, f"{key}: {value} is out of range (1 to {MAX_LIMIT:,})")
            else:
                found[key] = value
    if problems:
        raise SettingsError(sorted(problems, key=lambda p: p.line))
    assert isinstance(force, str)
    return ForceSettings(force.strip(), found)
