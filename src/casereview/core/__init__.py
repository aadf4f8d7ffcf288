"""The pure core: fields, text, problems, the rules, the checklist and the statistics.

No store, no Textual, no files of the user's: everything above builds on it."""
