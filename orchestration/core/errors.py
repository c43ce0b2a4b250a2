"""Errors that tell a user exactly which cell of which file is wrong."""

from __future__ import annotations


def column_letter(col: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class SourceFileError(ValueError):
    """A raw file that cannot be read as its catalogue family says it should be."""

    def __init__(
        self,
        file: str,
        problem: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        col: int | None = None,
        expected: str | None = None,
        found: object = None,
    ) -> None:
        self.file, self.sheet, self.row, self.col = file, sheet, row, col
        self.problem, self.expected, self.found = problem, expected, found
        where = [f"file {file}"]
        if sheet is not None:
            where.append(f"sheet {sheet!r}")
        if row is not None:
            where.append(f"row {row + 1}")
        if col is not None:
            where.append(f"column {column_letter(col)}")
        if row is not None and col is not None:
            where.append(f"(cell {column_letter(col)}{row + 1})")
        message = f"{', '.join(where)}: {problem}"
        if expected is not None:
            message += f"; expected {expected}"
        if found is not None:
            message += f", found {found!r}"
        super().__init__(message)
