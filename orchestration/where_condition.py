"""`WHERE=` of `make export`: one boolean condition on a table's columns, parsed, checked and
rendered by sqlglot (DuckDB dialect). The user's text never reaches DuckDB; the SQL sqlglot
generates from the parsed condition does.

A condition may use the table's columns, constants, operators (comparison, `and`/`or`/`not`,
`in (...)` of values, `between`, `like`, `is null`, arithmetic, `||`), `case` and casts, and
DuckDB's scalar functions (`lower`, `coalesce`, `list_contains`, ...). It may not hold a statement,
a `;`, a comment, a subquery, another table's column, a table function (`read_text`, `read_csv`,
`glob`, `query`, ...), an aggregate or window function, or a parameter.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError, TokenError
from sqlglot.tokens import TokenType

EXAMPLE = "universe_code = 'yrd' and year = 2014"

# the node types a condition is built from; anything else (a query, a statement, a star, a
# parameter, a window) is refused
ALLOWED_NODES = (
    exp.Column,
    exp.Identifier,
    exp.Literal,
    exp.RawString,
    exp.Boolean,
    exp.Null,
    exp.Paren,
    exp.Neg,
    exp.Not,
    exp.Connector,  # and, or
    exp.Binary,  # comparisons, arithmetic, ||, like, is
    exp.In,
    exp.Between,
    exp.Cast,
    exp.DataType,
    exp.DataTypeParam,
    exp.Var,  # the unit of an interval, a type name
    exp.Interval,
    exp.Case,
    exp.If,
    exp.Tuple,
    exp.Array,
    exp.Bracket,
    exp.Func,  # scalar functions; the kinds below are refused
)
REFUSED_FUNCTIONS = (exp.AggFunc, exp.UDTF, exp.ReadCSV, exp.ReadParquet, exp.Window)


class WhereRefused(ValueError):
    """WHERE is not one condition on the table's columns; the message says what was expected."""


@dataclass(frozen=True)
class Condition:
    sql: str  # as sqlglot renders it for DuckDB: what is executed

    @property
    def slug(self) -> str:
        """A short, file-name-safe mark of the selection: a readable start and a hash of the whole."""
        words = re.sub(r"[^A-Za-z0-9]+", "_", self.sql).strip("_").lower()[:40].strip("_")
        digest = hashlib.sha256(self.sql.encode("utf-8")).hexdigest()[:8]
        return f"{words}-{digest}" if words else digest


def parse_condition(text: str, table: str, columns: Iterable[str], table_functions: Iterable[str]) -> Condition:
    """The condition `text` states over `columns` of `table`, or WhereRefused saying why not."""
    expected = (
        f'WHERE must be one condition on the columns of {table}, such as "{EXAMPLE}"; '
        f"WHERE={text!r} is refused because it"
    )
    try:
        tokens = sqlglot.tokenize(text, read="duckdb")
        if any(token.token_type == TokenType.SEMICOLON for token in tokens):
            raise WhereRefused(f"{expected} holds a ';' (a condition is part of one statement, not statements).")
        if any(token.comments for token in tokens):
            raise WhereRefused(f"{expected} holds a comment (-- or /* */).")
        joining = (TokenType.AMP, TokenType.DAMP, TokenType.PIPE)
        operator = next((t.text for t in tokens if t.token_type in joining), None)
        if operator:
            # Stata's and R's `&`, `&&` and `|` are other operators in SQL: `year = 2014 & x = 1` fails in
            # DuckDB with "Chained comparisons are not supported", which says nothing of the fix (`||`
            # joins text in SQL and stays allowed)
            word = "or" if operator == "|" else "and"
            raise WhereRefused(f"{expected} joins conditions with '{operator}': write {word} instead.")
        parsed = [node for node in sqlglot.parse(text, read="duckdb") if node is not None]
    except TokenError:
        raise WhereRefused(f"{expected} holds a quote, a comment or a $$ string that is not closed.") from None
    except ParseError as exc:
        raise WhereRefused(f"{expected} {_unreadable(exc)}.") from None
    except SqlglotError as exc:
        raise WhereRefused(f"{expected} is not a condition sqlglot can read ({_first_line(exc)}).") from None
    if len(parsed) != 1:
        raise WhereRefused(f"{expected} is {len(parsed)} expressions.")
    condition = parsed[0]
    known = {column.lower(): column for column in columns}
    table_functions = {name.lower() for name in table_functions}
    for node in condition.walk():
        problem = _problem(node, table, known, table_functions)
        if problem:
            raise WhereRefused(f"{expected} {problem}.")
        if isinstance(node, exp.Column):
            # the column as published, quoted: case and reserved words cannot change what it names
            node.set("this", exp.to_identifier(known[node.name.lower()], quoted=True))
    return Condition(condition.sql(dialect="duckdb"))


def _problem(node: exp.Expression, table: str, known: dict[str, str], table_functions: set[str]) -> str | None:
    """What makes `node` no part of a condition on one row of `table`, or None."""
    if isinstance(node, exp.Query | exp.Subquery | exp.Exists):
        return f"holds a query ({_short(node)})"
    if isinstance(node, exp.Window):  # walked before the function it windows
        return f"holds a window function ({_short(node)}), which is not a function of one row's values"
    if isinstance(node, REFUSED_FUNCTIONS) or (isinstance(node, exp.Func) and _function_name(node) in table_functions):
        return f"calls {_function_name(node)}(), which is not a function of one row's values"
    if not isinstance(node, ALLOWED_NODES):
        return f"holds {_short(node)}, which is not a value, column or operator"
    if isinstance(node, exp.Column):
        if node.table or node.db or node.catalog:
            return f"names another table ({node.sql(dialect='duckdb')})"
        if node.name.lower() not in known:
            columns = ", ".join(sorted(known.values()))
            if node.this.args.get("quoted"):  # "yrd": a column's name in SQL, where Stata writes text
                return (
                    f'names "{node.name}", not a column of {table}: in SQL, text goes in single quotes '
                    f"('{node.name}'), double quotes name a column ({columns})"
                )
            return f"names {node.name!r}, not a column of {table} ({columns})"
    return None


def _function_name(node: exp.Func) -> str:
    return (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()


def _short(node: exp.Expression) -> str:
    text = node.sql(dialect="duckdb")
    return text if len(text) <= 60 else text[:57] + "..."


def _unreadable(error: ParseError) -> str:
    """Where a condition that does not parse goes wrong, in words: sqlglot's own message names its
    classes ("Required keyword: 'expression' missing for <class ...And>"). The place is all it is sure
    of, and only as where reading stopped: a part missing (`year = 2014 and`), one too many
    (`year = 2014)`) and an `and` forgotten earlier (`year = 2014 lq > 1`) read alike."""
    found = error.errors[0] if error.errors else {}
    if not found.get("col"):
        return f"is not a condition sqlglot can read ({_first_line(error)})"
    read = f"{found.get('start_context', '').strip()} {found.get('highlight', '')}".strip()
    return f"cannot be read past column {found['col']} ({read!r}): a part is missing or out of place up to there"


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0].rstrip(".")
