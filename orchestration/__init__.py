"""Dagster code location for the regional industrial-structure warehouse."""
