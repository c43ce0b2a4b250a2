"""Dagster code location for the regional industrial-structure warehouse."""

import warnings

# dagster-dbt imports sqlglot, which imports the installed sqlglotrs, whose import warns that it is
# deprecated (sqlglotc replaces it and is installed): a notice at every start of the UI that no user
# can act on.
warnings.filterwarnings("ignore", category=DeprecationWarning, module="sqlglotrs")
