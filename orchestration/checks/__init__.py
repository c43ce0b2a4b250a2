"""Data-quality gates: Great Expectations suites (expectations/*.json, and a layout's suite per raw family)
as blocking asset checks."""
