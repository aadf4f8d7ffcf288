"""The documentation: a README a newcomer reads in a minute, and a docs site whose links,
test references and command reference cannot drift from the tree.

Each check is a function that lists what is wrong, so the tests below it can show that the
check finds a planted break (a check that finds nothing, ever, would pass vacuously).
"""

from __future__ import annotations

import ast
import fnmatch
import re
from pathlib import Path

import click
import markdown
from markdown.extensions.toc import slugify

from casereview.cli import main

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
COMMANDS_PAGE = DOCS / "reference" / "commands.md"
README_LIMIT = 10_000  # bytes; the before-stop hook's limit too

FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
TEST_REF = re.compile(r"(tests/[\w/*.-]+?\.py)(?:::([\w*]+))?")
BARE_TEST_REF = re.compile(r"(?<![\w/.])(test_\w+)::")


def doc_pages(docs: Path = DOCS) -> list[Path]:
    """README.md and the site's pages; docs/pending/ holds drafts the site leaves out."""
    pages = sorted(p for p in docs.rglob("*.md") if "pending" not in p.relative_to(docs).parts)
    return [README, *pages] if docs == DOCS else pages


def prose(text: str) -> str:
    """The text outside code blocks and code spans (an example is not a link)."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def anchors(page: Path) -> set[str]:
    """The ids of a page's headings, as MkDocs' toc (and, for these headings, GitHub) makes them."""
    return {
        slugify(CODE_SPAN.sub(lambda m: m.group(0).strip("`"), h), "-")
        for h in HEADING.findall(FENCE.sub("", page.read_text(encoding="utf-8")))
    }


def broken_links(page: Path) -> list[str]:
    """Relative links of a page whose file, or whose #anchor in it, does not exist."""
    broken = []
    for target in LINK.findall(prose(page.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.is_file():
            broken.append(f"{page.name}: {target} (no such file)")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(f"{page.name}: {target} (no such heading)")
    return broken


def missing_tests(page: Path, root: Path = ROOT) -> list[str]:
    """`tests/...py` and `tests/...py::test_name` references (globs allowed) that name no file
    or no test function; and `test_x::test_y` references that do not say the file's path."""
    text = page.read_text(encoding="utf-8")
    missing = [
        f"{page.name}: {m}:: (give the path: tests/...py::)" for m in BARE_TEST_REF.findall(text)
    ]
    for path, name in TEST_REF.findall(text):
        files = sorted(root.glob(path))
        if not files:
            missing.append(f"{page.name}: {path} (no such file)")
            continue
        if name:
            defined = {
                node.name
                for file in files
                for node in ast.walk(ast.parse(file.read_text(encoding="utf-8")))
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            }
            if not fnmatch.filter(defined, name):
                missing.append(f"{page.name}: {path}::{name} (no such test)")
    return missing


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command under the group, by the words that call it."""
    paths = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, (*prefix, name)))
    return paths


def commands_left_out(page: Path) -> list[str]:
    """Commands whose usage line the rendered reference page lacks."""
    html = markdown.Markdown(extensions=["mkdocs-click"]).convert(page.read_text(encoding="utf-8"))
    return [
        " ".join(path)
        for path in command_paths(main)
        if f"casereview {' '.join(path)} [OPTIONS]" not in html
    ]


# --- the docs as they are ---


def test_the_readme_is_under_10_kb() -> None:
    size = README.stat().st_size
    assert size < README_LIMIT, f"README.md is {size} bytes: move reference material to docs/"


def test_the_pages_are_found() -> None:
    # if the glob broke, the link and test-reference checks would pass vacuously
    names = {p.relative_to(ROOT).as_posix() for p in doc_pages()}
    assert {"README.md", "docs/index.md", "docs/testing.md", "docs/reference/commands.md"} <= names
    assert not any("/pending/" in n for n in names)


def test_every_relative_link_resolves() -> None:
    assert [b for page in doc_pages() for b in broken_links(page)] == []


def test_every_test_the_docs_name_exists() -> None:
    # the promises table alone names about a hundred; fewer means the pattern broke
    refs = TEST_REF.findall((DOCS / "testing.md").read_text(encoding="utf-8"))
    assert len(refs) > 80
    assert [m for page in doc_pages() for m in missing_tests(page)] == []


def test_the_command_reference_is_generated_from_the_click_group() -> None:
    text = COMMANDS_PAGE.read_text(encoding="utf-8")
    directive = re.search(r"^::: mkdocs-click\n((?:    .*\n)+)", text, re.MULTILINE)
    assert directive, "the reference must be the mkdocs-click directive, not text written by hand"
    options = dict(re.findall(r":(\w+): (.+)", directive.group(1)))
    assert (options["module"], options["command"]) == ("casereview.cli", "main")
    assert command_paths(main)[:1] == [("answers",)]  # the walk sees the groups' commands
    assert commands_left_out(COMMANDS_PAGE) == []


# --- each check finds a planted break ---


def test_a_broken_link_or_anchor_is_found(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other\n\n## A heading (`code`)\n")
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n[fine](other.md) [fine](other.md#a-heading-code) [fine](#page) "
        "[web](https://example.org/x.md) `[in code](nowhere.md)`\n\n"
        "[gone](missing.md) [no heading](other.md#nowhere) ![no picture](images/x.svg)\n"
    )
    assert broken_links(page) == [
        "page.md: missing.md (no such file)",
        "page.md: other.md#nowhere (no such heading)",
        "page.md: images/x.svg (no such file)",
    ]


def test_a_missing_test_file_or_function_is_found(tmp_path: Path) -> None:
    (tmp_path / "tests" / "unit").mkdir(parents=True)
    (tmp_path / "tests" / "unit" / "test_a.py").write_text(
        "def test_one():\n    pass\n\nclass TestB:\n    async def test_two(self):\n        pass\n"
    )
    page = tmp_path / "page.md"
    page.write_text(
        "`tests/unit/test_a.py::test_one`, `tests/unit/test_a.py::test_two`, "
        "`tests/unit/test_*.py::test_o*`, `tests/unit/test_a.py`\n"
        "`tests/unit/test_a.py::test_three`, `tests/unit/test_gone.py`, `test_a::test_one`\n"
    )
    assert missing_tests(page, root=tmp_path) == [
        "page.md: test_a:: (give the path: tests/...py::)",
        "page.md: tests/unit/test_a.py::test_three (no such test)",
        "page.md: tests/unit/test_gone.py (no such file)",
    ]


def test_a_command_left_out_of_the_reference_is_found(tmp_path: Path) -> None:
    # a reference written by hand that has only one command
    page = tmp_path / "commands.md"
    page.write_text("# Commands\n\n`casereview audit create [OPTIONS] NAME`\n")
    left_out = commands_left_out(page)
    assert "audit list" in left_out and "bundle import" in left_out
    assert "audit create" not in left_out
