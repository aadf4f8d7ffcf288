"""Reading a checklist from YAML: every problem found, each as FILE:LINE: message."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from casereview.core.checklist.models import ANSWER_VALUES, Checklist, Question
from casereview.core.checklist.yaml_loaders import Anchored, Composer, Loader, fast_root
from casereview.core.problems import InputError, Problem
from casereview.core.text import describe, utf16_codec


class ChecklistError(InputError):
    """A checklist file that cannot be used; carries every problem found."""


Path_ = tuple[str | int, ...]


def _line_map(
    node: yaml.Node, path: Path_ = (), out: dict[Path_, int] | None = None
) -> dict[Path_, int]:
    """Map each path in the document to the 1-based line where its value starts."""
    out = {} if out is None else out
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            out[(*path, key, "__key__")] = key_node.start_mark.line + 1
            _line_map(value_node, (*path, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, (*path, i), out)
    return out


def _duplicate_keys(node: yaml.Node, problems: list[tuple[int, str]]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = getattr(key_node, "value", None)
            if isinstance(key, str):
                if key in seen:
                    problems.append((key_node.start_mark.line + 1, f"key '{key}' appears twice"))
                seen.add(key)
            _duplicate_keys(value_node, problems)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _duplicate_keys(item, problems)


def _line_for(lines: dict[Path_, int], loc: Path_) -> int:
    """The line of the deepest part of `loc` that exists in the file."""
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return 1


def _describe(loc: Path_, data: Any) -> str:
    """A readable location: sections[2].questions[3] -> 'question RISK-04'."""
    where = ""
    node = data
    parent: str | int | None = None
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            # an item of a `questions` list is a question, whatever keys it lacks
            kind = "question" if parent == "questions" else "section"
            where = f"{kind} {node['id']}"
        parent = part
    return where


def read_yaml(
    text: str,
    source: str,
    error: type[InputError] = InputError,
    what: str = "file",
    top: str = "",
    fast: bool = False,
) -> tuple[Any, dict[Path_, int], yaml.MappingNode]:
    """A YAML mapping as casereview reads every YAML file: anchors and aliases refused,
    `yes`/`no` kept as text, no timestamps, duplicate keys refused; returns the data, the
    line of each path in it (1-based) and the root node. `error` carries every problem,
    each by line; `what` and `top` name the file's kind and its top-level keys. `fast`:
    composed by libyaml where it can be (fast_root), for text read and accepted before."""
    try:
        # Anchors and aliases can make a small file expand without limit (an "alias bomb");
        # no file casereview reads needs them, so they are refused before anything is built.
        composed = fast_root(text) if fast else None
        if composed is not None:
            loader, root = composed
        else:
            loader = Composer(text)
            root = loader.get_single_node()
    except Anchored as exc:
        raise error(
            [Problem(source, exc.line, "anchors and aliases (&name, *name) are not allowed")]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise error([Problem(source, line, f"YAML syntax error: {exc.problem}")]) from None
    except yaml.reader.ReaderError as exc:  # a NUL or other control character
        line = text[: exc.position].count("\n") + 1
        ch = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise error(
            [Problem(source, line, f"the file contains {describe(ch)}, which YAML does not allow")]
        ) from None
    except yaml.YAMLError as exc:
        raise error([Problem(source, 1, f"YAML error: {exc}")]) from None
    except RecursionError:
        raise error([Problem(source, 1, f"the file nests too deeply to be a {what}")]) from None
    if root is None:
        raise error([Problem(source, 1, "the file is empty")])
    if not isinstance(root, yaml.MappingNode):
        raise error(
            [
                Problem(
                    source,
                    root.start_mark.line + 1,
                    f"the top level must be a mapping {top}".rstrip(),
                )
            ]
        )
    dups: list[tuple[int, str]] = []
    _duplicate_keys(root, dups)
    if dups:
        raise error([Problem(source, line, msg) for line, msg in dups])
    try:
        data = loader.construct_document(root)
        lines = _line_map(root)
    except yaml.MarkedYAMLError as exc:  # e.g. an unknown !!tag, a list used as a key
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise error([Problem(source, line, f"YAML error: {exc.problem}")]) from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise error([Problem(source, 1, f"YAML error: {exc}")]) from None
    except RecursionError:
        raise error([Problem(source, 1, f"the file nests too deeply to be a {what}")]) from None

    return data, lines, root


def parse_checklist(text: str, source: str = "<checklist>", stored: bool = False) -> Checklist:
    """Parse and validate checklist YAML; raise ChecklistError listing every problem found.

    A text parsed before in this process is not parsed again (checklists are frozen models,
    and a text is one checklist whatever file it came from): opening a database, storing
    the shipped checklists and merging a bundle each ask for the same texts. `stored`: a
    checklist the database holds, read by libyaml where it can be (fast_root); its parse
    is kept apart, so a file or a bundle with the same text is still read by the composer
    that checks it."""
    key = content_key(text)
    found = _PARSED.get(key) or (_PARSED.get(f"stored:{key}") if stored else None)
    if found is None:
        found = _parse(text, source, fast=stored)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[f"stored:{key}" if stored else key] = found
    return found


def content_key(text: str) -> str:
    """The cache's key for a checklist's text: its SHA-256."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


_PARSED: dict[str, Checklist] = {}  # content_key -> the checklist (oldest first)
_PARSED_MAX = 16


def _parse(text: str, source: str, fast: bool = False) -> Checklist:
    data, lines, root = read_yaml(
        text, source, ChecklistError, "checklist", "(id, version, title, sections)", fast
    )
    version_problem = _unquoted_version(root, data, source)
    if version_problem:
        raise ChecklistError([version_problem])
    try:
        checklist = Checklist.model_validate(data)
    except ValidationError as exc:
        problems = []
        errors = exc.errors()
        failing = [tuple(e["loc"]) for e in errors]
        for err in errors:
            if err["type"] == "too_short" and any(
                len(other) > len(err["loc"]) and other[: len(err["loc"])] == err["loc"]
                for other in failing
            ):
                continue  # a container "too short" only because its items failed: noise
            loc: Path_ = tuple("in" if p == "in_" else p for p in err["loc"])
            # pydantic reports union/literal members as extra loc parts; drop non-file parts
            loc = tuple(p for p in loc if isinstance(p, int) or not p.startswith("literal["))
            where = _describe(loc, data)
            field = ".".join(str(p) for p in loc) or "(top level)"
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "missing":
                message = f"'{loc[-1]}' is required"
                line = _line_for(lines, loc[:-1])
            elif err["type"] == "extra_forbidden":
                message = f"unknown key '{loc[-1]}'"
                line = lines.get((*loc, "__key__"), _line_for(lines, loc))
            elif err["type"] == "too_short" and loc[-1] in ("questions", "sections"):
                message = (
                    f"{'section has no questions' if loc[-1] == 'questions' else 'no sections'}"
                )
                line = _line_for(lines, loc)
            elif err["type"] == "literal_error":
                message = (
                    f"'{err['input']}' is not an answer value (use {', '.join(ANSWER_VALUES)})"
                )
                line = _line_for(lines, loc)
            else:
                line = _line_for(lines, loc)
                message = f"{loc[-1] if loc else field}: {message}"
            problems.append(Problem(source, line, f"{where}: {message}" if where else message))
        raise ChecklistError(sorted(set(problems), key=lambda p: p.line)) from None

    problems = _cross_checks(checklist, lines, source)
    if problems:
        raise ChecklistError(problems)
    return checklist


def _unquoted_version(root: yaml.MappingNode, data: Any, source: str) -> Problem | None:
    """`version: 1.10` unquoted is the number 1.1 to YAML: refused, since storing `1.1` would
    be another version than the file says. A number that reads back as written (`2`,
    `1.0`) is taken as that text."""
    value = data.get("version") if isinstance(data, dict) else None
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    node = next(
        (v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "version"),
        None,
    )
    if node is None or str(value) == node.value:
        return None
    return Problem(
        source,
        node.start_mark.line + 1,
        f"version {node.value} is read by YAML as the number {value}; quote the version "
        f'(version: "{node.value}")',
    )


def _cross_checks(checklist: Checklist, lines: dict[Path_, int], source: str) -> list[Problem]:
    """What the schema cannot say alone: unique ids, skip logic order, declared tags."""
    problems: list[Problem] = []
    seen_sections: set[str] = set()
    seen_questions: dict[str, int] = {}
    replaced: dict[str, str] = {}  # old id -> the question here that continues it
    ids = {q.id for q in checklist.questions}
    for si, section in enumerate(checklist.sections):
        if section.id in seen_sections:
            line = _line_for(lines, ("sections", si, "id"))
            problems.append(Problem(source, line, f"section id '{section.id}' is used twice"))
        seen_sections.add(section.id)
        for qi, q in enumerate(section.questions):
            at = ("sections", si, "questions", qi)
            if q.id in seen_questions:
                problems.append(
                    Problem(
                        source,
                        _line_for(lines, (*at, "id")),
                        f"question id '{q.id}' is used twice "
                        f"(first at line {seen_questions[q.id]})",
                    )
                )
            else:
                seen_questions[q.id] = _line_for(lines, (*at, "id"))
            if q.show_if is not None:
                rule, line = q.show_if, _line_for(lines, (*at, "show_if"))
                if rule.question == q.id:
                    problems.append(
                        Problem(
                            source,
                            line,
                            f"question {q.id}: show_if names {q.id} itself; skip logic must "
                            "depend on an earlier question (as written it would never be shown)",
                        )
                    )
                elif rule.question not in seen_questions:
                    later = any(other.id == rule.question for other in checklist.questions)
                    problems.append(
                        Problem(
                            source,
                            line,
                            f"question {q.id}: show_if points at "
                            + (
                                f"'{rule.question}', which comes later; skip logic must "
                                "depend on an earlier question"
                                if later
                                else f"'{rule.question}', which is not a question here"
                            ),
                        )
                    )
                else:
                    target = checklist.question(rule.question)
                    bad = [v for v in rule.in_ if v not in target.answers]
                    if bad:
                        problems.append(
                            Problem(
                                source,
                                line,
                                f"question {q.id}: show_if uses {', '.join(bad)}, which "
                                f"{rule.question} cannot take "
                                f"(it allows {', '.join(target.answers)})",
                            )
                        )
            if not q.scored:
                problems += _fact_problems(q, lines, at, source)
            if q.replaces is not None:
                line = _line_for(lines, (*at, "replaces"))
                if q.replaces in replaced:
                    problems.append(
                        Problem(
                            source,
                            line,
                            f"question {q.id}: replaces '{q.replaces}', which "
                            f"{replaced[q.replaces]} already replaces; an earlier question is "
                            "continued by one question at most",
                        )
                    )
                elif q.replaces != q.id and q.replaces in ids:
                    problems.append(
                        Problem(
                            source,
                            line,
                            f"question {q.id}: replaces '{q.replaces}', which is a question of "
                            "this version too; figures could not tell the two apart",
                        )
                    )
                replaced.setdefault(q.replaces, q.id)
            for kind, declared in (("concerns", checklist.concerns), ("themes", checklist.themes)):
                for tag in getattr(q, kind):
                    if tag not in declared:
                        problems.append(
                            Problem(
                                source,
                                _line_for(lines, (*at, kind)),
                                f"question {q.id}: {kind[:-1]} '{tag}' is not declared under "
                                f"'{kind}:' at the top of the file",
                            )
                        )
    return problems


def _fact_problems(q: Question, lines: dict[Path_, int], at: Path_, source: str) -> list[Problem]:
    """A fact question (scored: false) is no standard: nothing may weigh or score it."""
    problems = []
    for key, why in (
        ("critical", "cannot be critical: critical marks a standard a case must meet"),
        ("weight", "cannot carry a weight: it never counts in a score"),
    ):
        if key in q.model_fields_set and (key == "weight" or q.critical):
            line = _line_for(lines, (*at, key))
            problems.append(Problem(source, line, f"question {q.id}: a fact question {why}"))
    if "partly" in q.answers:
        line = _line_for(lines, (*at, "answers" if "answers" in q.model_fields_set else "id"))
        problems.append(
            Problem(
                source,
                line,
                f"question {q.id}: a fact question is answered yes or no (and na or unknown "
                "where they apply), not partly: list its answers",
            )
        )
    return problems


def load_checklist(path: str | Path) -> Checklist:
    """Read a checklist file; errors name the file and line."""
    return parse_checklist(_read_text(Path(path)), str(path))


def version_clashes(loaded: Sequence[tuple[Path, Checklist]]) -> list[Problem]:
    """Checklist files read together: where one version rules out a question of another of
    the same checklist (checklist_versions.retired_id_clashes), at the line of its id."""
    from casereview.core.checklist.versions import retired_id_clashes

    problems = []
    for i, (_path, checklist) in enumerate(loaded):
        for clash in retired_id_clashes(checklist, [c for _p, c in loaded[:i]]):
            where = next(p for p, c in loaded if c is clash.checklist)
            line = _question_line(where, clash.checklist, clash.question_id)
            problems.append(Problem(str(where), line, clash.message))
    return problems


def _question_line(path: Path, checklist: Checklist, question_id: str) -> int:
    """The line of a question's id in the file it was read from (the file read once more)."""
    for si, section in enumerate(checklist.sections):
        for qi, q in enumerate(section.questions):
            root = yaml.compose(_read_text(path), Loader=Loader) if q.id == question_id else None
            if root is not None:
                return _line_for(_line_map(root), ("sections", si, "questions", qi, "id"))
    return 1


def _read_text(p: Path) -> str:
    """A checklist file's text: UTF-8, or UTF-16 with its byte-order mark."""
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ChecklistError(
            [Problem(str(p), 1, f"cannot read the file: {exc.strerror}")]
        ) from None
    codec = utf16_codec(raw) or "utf-8-sig"  # UTF-16 (Windows "Unicode") is read too
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].decode(codec, errors="replace").count("\n") + 1
        kind = "UTF-16" if codec != "utf-8-sig" else "UTF-8"
        raise ChecklistError(
            [Problem(str(p), line, f"the file is not {kind} text from here; save it as UTF-8")]
        ) from None
    return text
