"""casereview: quality review of police stalking case files."""

__version__ = "0.1.0"
