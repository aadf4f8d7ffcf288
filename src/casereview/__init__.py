"""casereview: quality review of police stalking case files."""

from typing import Any


def __getattr__(name: str) -> Any:
    # The version is written once, in pyproject.toml; it is read from the installed
    # package's metadata only when asked for, so no command pays for it at start-up.
    if name == "__version__":
        from importlib.metadata import version

        return version("casereview")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
