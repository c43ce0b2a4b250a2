"""The leaf of the house: paths, errors and hashing that every layer uses and that import nothing
else of ours (a contract `make lint` checks with import-linter; docs/architecture.md)."""
