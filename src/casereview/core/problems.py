"""Problems with input files, located by line, and the error that carries them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located by line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class CasereviewError(Exception):
    """Anything casereview refuses or cannot do, with a message for the person who asked.

    `exit_status` is what the command line exits with: 2 for a request or file that is wrong
    as given (the default), 1 for a database that cannot be used just now (busy, full)."""

    exit_status = 2


class InputError(CasereviewError):
    """Input that cannot be used; carries every problem found, and nothing was written."""

    def __init__(self, problems: list[Problem], warnings: list[str] | None = None):
        self.problems = problems
        self.warnings = list(warnings or [])  # e.g. "read as Windows-1252": said first
        super().__init__("\n".join(str(p) for p in problems))
