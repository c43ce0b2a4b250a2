"""Ingest: one module per export format, one catalogue of source families."""
