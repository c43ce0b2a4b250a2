"""Data-quality gates: Great Expectations suites (expectations/*.json) as blocking asset checks."""
