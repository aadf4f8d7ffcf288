"""Exports: the pipeline (kinds, formats, safe targets), writers and streams."""
