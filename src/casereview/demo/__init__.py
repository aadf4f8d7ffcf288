"""The demo database, built from the synthetic sample pool through the importers."""
