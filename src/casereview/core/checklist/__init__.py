"""A checklist: its model, loading it from YAML, and its versions."""
