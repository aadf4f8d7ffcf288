"""Files in and out: imports, exports, reports, bundles (each independent of the others)."""
