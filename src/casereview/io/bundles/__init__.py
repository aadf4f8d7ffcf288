"""Audit bundles as files: the sealed archive and its schema."""
