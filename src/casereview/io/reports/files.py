"""A report as a file's bytes, Word or Markdown: what the app writes to disk or sends to a
served session's browser as a download (the command line writes the same blocks)."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from casereview.io.reports.blocks import Block, to_markdown

REPORT_FORMATS = {"docx": "Word document (.docx)", "md": "Markdown (.md)"}
MIME_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown",
}


def report_bytes(blocks: Sequence[Block], fmt: str) -> bytes:
    """The report in `fmt` ("docx" or "md"). Word is written by python-docx to a file of
    its own first (its charts need matplotlib); Markdown is UTF-8."""
    if fmt == "md":
        return to_markdown(blocks).encode("utf-8")
    from casereview.io.reports import docx as docx_report

    with tempfile.TemporaryDirectory(prefix="casereview-report-") as folder:
        path = Path(folder) / "report.docx"
        docx_report.write(blocks, path)
        return path.read_bytes()
