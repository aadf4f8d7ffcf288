"""The file writers' details, read back byte by byte and cell by cell.

Written so that mutation testing of export.py finds no change the suite misses.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from casereview.core.tables import BarChart, Cell, Table
from casereview.io.exports.writers import neutralise, sheet_name, write_csv, write_json, write_xlsx
from casereview.io.files import replacing


def csv_bytes(table: Table, progress: list[tuple[int, int]] | None = None) -> bytes:
    out = io.BytesIO()
    calls = progress if progress is not None else []
    total = write_csv(table, out, lambda done, of: calls.append((done, of)))
    assert total == len(table.rows)
    return out.getvalue()


def test_csv_cells_byte_for_byte() -> None:
    table = Table(
        "t",
        ("text", "int", "float", "bool", "none", "nan"),
        [
            {"text": "plain", "int": 3, "float": 75.0, "bool": True, "none": None, "nan": 0.5},
            {"text": 'a,"b"', "int": -2, "float": 0.1, "bool": False, "nan": float("nan")},
            {"text": "line\nbreak", "int": 0},
            {"text": "cr\rhere"},
            {"text": "=1+1"},
        ],
    )
    raw = csv_bytes(table)
    assert raw == (
        b"\xef\xbb\xbftext,int,float,bool,none,nan\r\n"
        b"plain,3,75.0,true,,0.5\r\n"
        b'"a,""b""",-2,0.1,false,,\r\n'
        b'"line\nbreak",0,,,,\r\n'
        b'"cr\rhere",,,,,\r\n'
        b"'=1+1,,,,,\r\n"
    )


def test_a_row_of_one_empty_cell_is_quoted_not_blank() -> None:
    raw = csv_bytes(Table("t", ("only",), [{"only": None}, {"only": ""}, {"only": "x"}]))
    assert raw == b'\xef\xbb\xbfonly\r\n""\r\n""\r\nx\r\n'


def test_csv_progress_every_thousand_rows_and_at_the_end() -> None:
    calls: list[tuple[int, int]] = []
    csv_bytes(Table("t", ("n",), [{"n": i} for i in range(2500)]), calls)
    assert calls == [(1000, 2500), (2000, 2500), (2500, 2500)]
    calls.clear()
    csv_bytes(Table("t", ("n",), [{"n": i} for i in range(999)]), calls)
    assert calls == [(999, 999)]  # rows are counted from 1: no call before the last
    calls.clear()
    csv_bytes(Table("t", ("n",), []), calls)
    assert calls == [(0, 0)]
    # without a callback nothing is called, and the rows still go out
    out = io.BytesIO()
    assert write_csv(Table("t", ("n",), [{"n": 1}]), out) == 1
    assert out.getvalue() == b"\xef\xbb\xbfn\r\n1\r\n"


@pytest.mark.parametrize("text", ["=1+1", "+44", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_risky_starts_are_neutralised(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["plain", "", "a=b", "1-2", " x"])
def test_safe_text_is_left_alone(text: str) -> None:
    assert neutralise(text) == text


def test_json_meta_and_tables_in_column_order() -> None:
    out = io.StringIO()
    tables = [
        Table("questions", ("b", "a"), [{"a": 1, "b": "=x", "extra": 9}]),
        Table("cases", ("c",), [{}]),
    ]
    write_json(tables, out, meta={"audit": "Ä audit"})
    text = out.getvalue()
    assert text.endswith("}\n") and "Ä audit" in text  # UTF-8 kept, not \u escapes
    data = json.loads(text)
    assert list(data) == ["meta", "questions", "cases"]
    assert data["meta"] == {"audit": "Ä audit"}
    assert data["questions"] == [{"b": "=x", "a": 1}]  # not neutralised; no extra keys
    assert list(data["questions"][0]) == ["b", "a"]
    assert data["cases"] == [{"c": None}]
    assert text.startswith('{\n  "meta": {\n    "audit"')  # indented by two
    out = io.StringIO()
    write_json([], out)
    assert json.loads(out.getvalue()) == {"meta": {}}


def test_sheet_names_are_excel_safe() -> None:
    assert sheet_name("a[b]c:d*e?f/g\\h") == "a_b_c_d_e_f_g_h"
    assert sheet_name("x" * 40) == "x" * 31
    assert sheet_name("") == "Sheet"


def test_replacing_renames_into_place_or_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    with replacing(target) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".out.csv.")
        assert tmp.name.endswith(".part")
        assert (os.stat(tmp).st_mode & 0o777) == 0o600
        tmp.write_text("new", encoding="utf-8")
        assert target.read_text(encoding="utf-8") == "old"  # not until the block ends
    assert target.read_text(encoding="utf-8") == "new"
    assert (os.stat(target).st_mode & 0o777) == 0o600
    with pytest.raises(RuntimeError), replacing(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError
    assert target.read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def _workbook(tmp_path: Path, **kwargs: object) -> Path:
    path = tmp_path / "w.xlsx"
    summary = [("Audit", "=A1 audit"), ("Cases", 20), ("Seed", None), ("Share", 0.5), ("Ok", True)]
    tables = [
        Table(
            "questions",
            ("id", "pct", "flag", "note"),
            [
                {"id": "Q-1", "pct": 75.0, "flag": True, "note": "+44 1"},
                {"id": "Q-2", "pct": None, "flag": False},
            ],
        ),
        Table("a/b", ("x",), []),
    ]
    write_xlsx(path, summary, tables, **kwargs)  # type: ignore[arg-type]
    return path


def test_workbook_cells_are_typed_and_text_is_neutralised(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    book = load_workbook(path)
    assert book.sheetnames == ["Summary", "questions", "a_b"]
    summary = book["Summary"]
    assert [(c.value) for c in summary["A"]] == ["Audit", "Cases", "Seed", "Share", "Ok"]
    assert [(c.value) for c in summary["B"]] == ["'=A1 audit", 20, None, 0.5, True]
    assert summary["A1"].font.b and not summary["B1"].font.b
    assert summary.column_dimensions["A"].width == pytest.approx(30, abs=1)
    assert summary.column_dimensions["B"].width == pytest.approx(60, abs=1)
    # one column each: A 30 wide, B 60 (a range B:C would make the chart table's C wide too)
    assert (summary.column_dimensions["A"].min, summary.column_dimensions["A"].max) == (1, 1)
    assert (summary.column_dimensions["B"].min, summary.column_dimensions["B"].max) == (2, 2)
    q = book["questions"]
    assert [c.value for c in q[1]] == ["id", "pct", "flag", "note"]
    assert [c.value for c in q[2]] == ["Q-1", 75.0, True, "'+44 1"]
    assert [c.value for c in q[3]] == ["Q-2", None, False, None]
    assert q["B2"].data_type == "n" and q["C2"].data_type == "b" and q["A2"].data_type == "s"
    header = q["A1"]
    assert header.font.b and header.fill.fgColor.rgb.endswith("DDE5F0")
    assert header.border.left.style == "thin"
    assert q.freeze_panes == "A2"
    assert q.auto_filter.ref == "A1:D3"
    # widths: the header's length + 2, at least 10
    assert q.column_dimensions["A"].width == pytest.approx(10, abs=1)
    empty = book["a_b"]
    assert empty.auto_filter.ref == "A1:A2" and empty.freeze_panes == "A2"
    with zipfile.ZipFile(path) as z:
        assert not any(n.startswith("xl/charts/") for n in z.namelist())


def test_workbook_column_widths_follow_the_header(tmp_path: Path) -> None:
    path = tmp_path / "w.xlsx"
    long = "a_really_long_column_name_for_width"  # 35 + 2 = 37
    longest = "x" * 60  # capped at 50
    write_xlsx(path, [], [Table("t", ("id", long, longest), [])])
    sheet = load_workbook(path)["t"]
    widths = [sheet.column_dimensions[c].width for c in "ABC"]
    assert widths[0] == pytest.approx(10, abs=1)
    assert widths[1] == pytest.approx(37, abs=1)
    assert widths[2] == pytest.approx(50, abs=1)


def test_workbook_chart_and_its_table(tmp_path: Path) -> None:
    chart = BarChart(
        title="Met in full",
        categories=["Recording", "Orders"],
        values=[70.0, None],
        ci_low=[48.1, None],
        ci_high=[85.5, None],
    )
    calls: list[tuple[int, int]] = []
    path = _workbook(tmp_path, chart=chart, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(2, 2)]
    summary = load_workbook(path)["Summary"]
    # five summary rows, a blank, then the chart's table from row 8
    assert [c.value for c in summary[8][:4]] == [
        "Section",
        "Met in full %",
        "CI low %",
        "CI high %",
    ]
    assert summary["A8"].font.b
    assert [c.value for c in summary[9][:4]] == ["Recording", 70.0, 48.1, 85.5]
    assert [c.value for c in summary[10][:4]] == ["Orders", None, None, None]
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/charts/chart1.xml").decode()
        drawing = z.read("xl/drawings/drawing1.xml").decode()
    assert "<c:barChart>" in xml and '<c:barDir val="bar"/>' in xml
    assert "Summary!$A$9:$A$10" in xml and "Summary!$B$9:$B$10" in xml
    assert "Met in full" in xml
    assert "<c:legend>" not in xml  # no legend
    assert '<c:max val="100"/>' in xml and '<c:min val="0"/>' in xml
    # error bars: minus 70 - 48.1 = 21.9, plus 85.5 - 70 = 15.5; none for the empty row
    assert "<c:errBars>" in xml and '<c:errBarType val="both"/>' in xml
    minus = xml[xml.index("<c:minus>") : xml.index("</c:minus>")]
    plus = xml[xml.index("<c:plus>") : xml.index("</c:plus>")]
    assert "<c:v>21.9" in minus and "<c:v>0</c:v>" in minus
    assert "<c:v>15.5" in plus and "<c:v>0</c:v>" in plus
    # anchored at column F (index 5) of the table's first row (index 7)
    assert "<xdr:col>5</xdr:col>" in drawing and "<xdr:row>7</xdr:row>" in drawing


def test_workbook_chart_without_intervals_has_no_error_bars(tmp_path: Path) -> None:
    chart = BarChart(title="t", categories=["A"], values=[50.0])
    path = _workbook(tmp_path, chart=chart)
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/charts/chart1.xml").decode()
    assert "<c:barChart>" in xml and "<c:errBars>" not in xml


def test_workbook_chart_with_no_categories_is_left_out(tmp_path: Path) -> None:
    path = _workbook(tmp_path, chart=BarChart(title="t", categories=[], values=[]))
    with zipfile.ZipFile(path) as z:
        assert not any(n.startswith("xl/charts/") for n in z.namelist())
    assert load_workbook(path)["Summary"]["A7"].value is None


def test_workbook_progress_every_thousand_rows(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    rows: list[dict[str, Cell]] = [{"n": i} for i in range(1500)]
    write_xlsx(
        tmp_path / "p.xlsx",
        [],
        [Table("a", ("n",), rows[:600]), Table("b", ("n",), rows[:900])],
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls == [(1000, 1500), (1500, 1500)]
    # 999 rows: no call before the last (a count that started at 1 would call at 1000)
    calls.clear()
    write_xlsx(
        tmp_path / "q.xlsx",
        [],
        [Table("a", ("n",), rows[:999])],
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls == [(999, 999)]


def test_workbook_needs_a_table(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="^an XLSX export needs at least one table$"):
        write_xlsx(tmp_path / "x.xlsx", [], [])
    assert not (tmp_path / "x.xlsx").exists()


def test_csv_quotes_only_for_comma_quote_and_line_ends() -> None:
    raw = csv_bytes(Table("t", ("a", "b"), [{"a": "XX", "b": "it's fine; ok"}]))
    assert raw == b"\xef\xbb\xbfa,b\r\nXX,it's fine; ok\r\n"


def _chart_parts(tmp_path: Path, chart: BarChart) -> tuple[str, str]:
    path = tmp_path / "chart.xlsx"
    write_xlsx(path, [("Audit", "A")], [Table("t", ("x",), [])], chart=chart)
    with zipfile.ZipFile(path) as z:
        return z.read("xl/charts/chart1.xml").decode(), z.read("xl/drawings/drawing1.xml").decode()


def test_chart_titles_size_and_table_rows(tmp_path: Path) -> None:
    chart = BarChart(
        title="Met in full (95% CI)",
        categories=["Recording", "Orders", "Contact"],
        values=[70.0, 40.0, 10.0],
        ci_low=[48.0, 20.0, 2.0],
        ci_high=[85.0, 61.0, 30.0],
    )
    xml, drawing = _chart_parts(tmp_path, chart)
    series = xml[xml.index("<c:ser>") : xml.index("</c:ser>")]
    assert "Met in full (95% CI)" in series[: series.index("<c:cat>")]  # the series' name
    title = xml[xml.index("<c:title>") : xml.index("</c:title>")]
    assert "Met in full (95% CI)" in title  # the chart's title
    axis = xml[xml.index("<c:valAx>") : xml.index("</c:valAx>")]
    assert "<a:t>%</a:t>" in axis  # the value axis is named %
    # 720 x (60 + 36 * 3) = 720 x 168 pixels from F4 (col 5, row 3): default columns are
    # 64 px and rows 20 px, so 720/64 = 11.25 columns -> col 16 + 16 px (152400 EMU at 9525
    # a pixel), 168/20 = 8.4 rows -> row 11 + 8 px (76200 EMU)
    assert (
        "<xdr:to><xdr:col>16</xdr:col><xdr:colOff>152400</xdr:colOff><xdr:row>11</xdr:row>"
        "<xdr:rowOff>76200</xdr:rowOff></xdr:to>"
    ) in drawing
    # error bars: minus 22, 20, 8; plus 15, 21, 20
    minus = xml[xml.index("<c:minus>") : xml.index("</c:minus>")]
    plus = xml[xml.index("<c:plus>") : xml.index("</c:plus>")]
    assert [v.split("<")[0] for v in minus.split("<c:v>")[1:]] == ["22.0", "20.0", "8.0"]
    assert [v.split("<")[0] for v in plus.split("<c:v>")[1:]] == ["15.0", "21.0", "20.0"]
    summary = load_workbook(tmp_path / "chart.xlsx")["Summary"]
    # one summary row, a blank, the chart table's header at row 4, then a row per section
    assert [[c.value for c in summary[r][:4]] for r in (5, 6, 7)] == [
        ["Recording", 70.0, 48.0, 85.0],
        ["Orders", 40.0, 20.0, 61.0],
        ["Contact", 10.0, 2.0, 30.0],
    ]


def test_chart_error_bars_need_both_ends(tmp_path: Path) -> None:
    xml, _ = _chart_parts(tmp_path, BarChart("t", ["A"], [50.0], ci_low=[40.0]))
    assert "<c:errBars>" not in xml
    xml, _ = _chart_parts(tmp_path, BarChart("t", ["A"], [50.0], ci_high=[60.0]))
    assert "<c:errBars>" not in xml


def test_chart_error_bars_with_gaps_and_short_lists(tmp_path: Path) -> None:
    # a value without its interval (or none at all) gets bars of 0, not a crash
    chart = BarChart(
        "t", ["A", "B", "C"], [50.0, None, 30.0], [None, 10.0, 20.0], [70.0, 20.0, None]
    )
    xml, _ = _chart_parts(tmp_path, chart)
    minus = xml[xml.index("<c:minus>") : xml.index("</c:minus>")]
    plus = xml[xml.index("<c:plus>") : xml.index("</c:plus>")]
    assert [v.split("<")[0] for v in minus.split("<c:v>")[1:]] == ["0", "0", "10.0"]
    assert [v.split("<")[0] for v in plus.split("<c:v>")[1:]] == ["20.0", "0", "0"]
    # intervals for fewer categories than there are values: bars for those that have them
    xml, _ = _chart_parts(tmp_path, BarChart("t", ["A", "B"], [50.0, 60.0], [40.0], [70.0]))
    minus = xml[xml.index("<c:minus>") : xml.index("</c:minus>")]
    assert [v.split("<")[0] for v in minus.split("<c:v>")[1:]] == ["10.0"]
