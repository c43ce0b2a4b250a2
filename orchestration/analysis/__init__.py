"""Tables estimated in Python after dbt (models, not SQL), published beside the dbt marts.

Each module registers a table: its name, description and column descriptions, and a function that
computes it from the build database. publish.py copies every registered table from the build's
``analysis`` schema; the Spark comparison covers the dbt marts only.
"""

from __future__ import annotations

from .integration_regression import TABLE as INTEGRATION_REGRESSION

ANALYSIS_TABLES = {INTEGRATION_REGRESSION.name: INTEGRATION_REGRESSION}
