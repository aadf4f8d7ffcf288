"""The Markdown reports carry data (audit names, checklist text, scope values) as text: raw
HTML, links, table bars, line breaks and Markdown syntax in it are escaped, so what a
Markdown viewer shows is the data as typed, and nothing in it runs or links anywhere
(issue 23, item 13). Checked by rendering the report with a CommonMark parser."""

from __future__ import annotations

import re
import sqlite3
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from casereview.cli import main
from casereview.io.imports.cases import read_case_file
from casereview.io.reports.blocks import markdown_text
from casereview.store import Store
from tests.factories import CASES, MINI, complete_review, monthly_trend

IMG = "<img src=x onerror=alert(1)>"
LINK = "[x](javascript:alert(1))"
NAME = f"Audit {IMG} | {LINK}"
TITLE = "Mini *checklist* <script>alert(2)</script>"
SECTION = "Recording | <b>bold</b> [y](javascript:alert(3))"
QUESTION = "Was a crime recorded? ![i](javascript:alert(4)) `code` ~~gone~~ &amp; _u_"
TEAM = "CID <img src=y onerror=alert(5)>"


def html_of(markdown: str) -> str:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


class _Parts(HTMLParser):
    """The tags a viewer would build and the text it would show."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parts(markdown: str) -> _Parts:
    parser = _Parts()
    parser.feed(html_of(markdown))
    return parser


def hostile_db(path: Path) -> None:
    store = Store.open(path)
    text = (
        MINI.read_text(encoding="utf-8")
        .replace("title: Mini checklist for tests", f'title: "{TITLE}"')
        .replace("title: Recording", f'title: "{SECTION}"')
        .replace("text: Was a crime recorded?", f'text: "{QUESTION}"')
    )
    info = store.add_checklist(text, "hostile.yaml")
    rows = [list(r) for r in read_case_file(CASES).rows]
    for row in rows:
        row[2] = TEAM  # team
    store.insert_case_rows(rows)
    ids = [c.id for c in store.cases()][:2]
    scope = {"where": {"team": [TEAM]}, "stratify": "team"}
    audit = store.create_audit(NAME, info.pk, ids, "qa", 1, scope)
    answers = {"REC-01": "yes", "REC-02": "yes", "REC-03": "no", "SPO-01": "na"}
    for case_id in ids:
        complete_review(store, audit.id, case_id, "qa", "primary", answers)
    store.close()


def test_the_findings_report_shows_hostile_data_as_text(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    hostile_db(db)
    result = CliRunner().invoke(main, ["--db", str(db), "report", "--audit", NAME])
    assert result.exit_code == 0, result.output
    markdown = result.stdout
    assert "<img" not in markdown and "<script" not in markdown and "<b>" not in markdown
    assert "](javascript:" not in markdown
    shown = parts(markdown)
    # nothing a viewer would run, load or follow; only the report's own structure
    assert {"img", "script", "a", "b", "em", "code", "s", "del"}.isdisjoint(shown.tags)
    assert not [a for a in shown.attrs if a[0] in ("src", "href", "onerror")]
    text = "".join(shown.text)
    # and the data reads as typed: the name in the title, the title, section and question
    assert f"Case-file review findings: {NAME}" in text
    assert f"Checklist: {TITLE} (mini@1)" in text
    assert f"Scope: team = {TEAM}" in text and "stratified by team" in text
    assert QUESTION in text
    # the section table keeps its shape: the title with its bar is one cell of a row
    table = markdown[markdown.index("| Section |") :].split("\n\n")[0].splitlines()
    assert len(table) == 2 + 2  # heading, alignment, one row per section
    assert parts("\n".join(table)).tags.count("td") == 2 * 6  # six columns, unknowns last


def test_the_trend_report_shows_a_hostile_audit_name_as_text(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    monthly_trend(db, {"Jan": NAME, "Feb": "Feb", "Mar": "Mar"}).close()
    # a line break can no longer name an audit (store.check_audit_name); an older file's can
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE audits SET name = ? WHERE name = 'Mar'", [f"Mar\n# {IMG}"])
    conn.close()
    result = CliRunner().invoke(
        main, ["--db", str(db), "report", "--trend", "--checklist", "trendy"]
    )
    assert result.exit_code == 0, result.output
    markdown = result.stdout
    assert "<img" not in markdown and "](javascript:" not in markdown
    shown = parts(markdown)
    assert {"img", "a"}.isdisjoint(shown.tags)
    assert shown.tags.count("h1") == 1  # the line break in a name starts no heading
    text = "".join(shown.text)
    assert NAME in text and f"Mar # {IMG}" in text


SYNTAX = "\\`*_~[]()<>&;#|!-+=.:) 0123456789ax\n\t\r\u2028\x1b\x00\xa0"


class _Inside(HTMLParser):
    """Every tag opened, and the text inside the last one of a kind."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind, self.text, self.inside = kind, "", False
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == self.kind:
            self.text, self.inside = "", True

    def handle_endtag(self, tag: str) -> None:
        self.inside = self.inside and tag != self.kind

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.text += data


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=st.sampled_from(SYNTAX) | st.characters(), max_size=40))
def test_escaped_text_shows_itself_wherever_a_report_puts_it(text: str) -> None:
    """Whatever the text, a CommonMark viewer shows it as typed (line breaks and tabs as
    spaces, controls as U+FFFD, the ends trimmed as Markdown trims them) and builds nothing
    from it: in a paragraph after another line, a list item, a heading and a table cell."""
    flat = " ".join(text.replace("\t", " ").splitlines())
    flat = re.sub(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]", "\ufffd", flat).strip()
    start, cell = markdown_text(text, line_start=True), markdown_text(text)
    for markdown, tags, shows in (
        (f"intro\n{start}\n", ["p"], f"intro\n{flat}" if flat else "intro"),
        (f"- {start}\n", ["ul", "li"], flat),
        (f"## {start}\n", ["h2"], flat),
        (f"| h |\n|---|\n| {cell} |\n", ["table", "thead", "tr", "th", "tbody", "tr", "td"], flat),
    ):
        found = _Inside(tags[-1])
        found.feed(html_of(markdown))
        assert found.tags == tags, markdown
        # whitespace at either end of a line (a no-break space too) is not shown as such
        assert [ln.strip() for ln in found.text.strip().split("\n")] == [
            ln.strip() for ln in shows.split("\n")
        ], markdown
