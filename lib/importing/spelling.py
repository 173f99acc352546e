"""An account's categories (industry, region: the Portfolio filters on them) and a budget's
category kept to one spelling each.

- Case and spacing: a value written with other case or spacing than one already stored takes
  the stored spelling; a value new to the database takes the spelling the file uses most. So
  'technology ' and 'TECHNOLOGY' are no second industry. Done in the resolve SQL of accounts
  (here; the preview's notes say what changed) and of budgets (lib.importing.entities).
- Misspellings: a value new to the database that is close to a stored one ('technolgy' and
  'Technology'; a budget's 'marketng' and 'marketing') is only suggested (`suggestions`); the
  person chooses, and `respell` puts the chosen spellings into the staged rows before the
  preview that is imported.
"""
from __future__ import annotations

import difflib
from dataclasses import replace

import duckdb
import pandas as pd

from lib.importing.categories import normalize_category
from lib.importing.stage import Staged

CATEGORIES = ("industry", "region")
# entity -> the table its values are stored in and the fields whose misspellings are suggested
# (a budget's category already takes a stored spelling without case or spacing: entities.py)
SUGGESTED = {"accounts": ("accounts", CATEGORIES), "budgets": ("budgets", ("category",))}
CLOSE = 0.8          # difflib ratio from which a stored value is suggested
_LOOKED_AT = 500     # more distinct values than this in either set: not a category, no suggestion
COLUMNS = ["field", "written", "rows", "suggested"]


def category_key(column: str) -> str:
    """SQL: the value compared without case or extra spaces."""
    return f"lower(trim(regexp_replace({column}, '\\s+', ' ', 'g')))"


def spellings_join(column: str) -> str:
    """SQL: a join on `stage s` giving `sp_<column>.v`, the spelling of each of its values."""
    return f"""LEFT JOIN (
            SELECT k, arg_max(v, stored * 1e12 + n) AS v FROM (
                SELECT {category_key(column)} AS k, {column} AS v, 1 AS stored, count(*) AS n
                FROM accounts WHERE {column} IS NOT NULL GROUP BY ALL
                UNION ALL
                SELECT {category_key(column)}, regexp_replace(trim({column}), '\\s+', ' ', 'g'), 0,
                       count(*) FROM stage
                WHERE {column} IS NOT NULL GROUP BY ALL) GROUP BY k) sp_{column}
            ON sp_{column}.k = {category_key(f"s.{column}")}"""


def spelled(column: str) -> str:
    return f"coalesce(sp_{column}.v, s.{column})"


def respelled_note(cur: duckdb.DuckDBPyConnection) -> str | None:
    """In words, which of the file's values took another spelling; None if none did. Reads
    `stage` and `resolved` (the accounts' resolve SQL)."""
    parts = []
    for c in CATEGORIES:
        rows = cur.execute(f"SELECT s.{c}, r.{c}, count(*) FROM stage s JOIN resolved r USING (_pos) "
                           f"WHERE s.{c} <> r.{c} GROUP BY ALL ORDER BY 3 DESC, 1 LIMIT 6").fetchall()
        if rows:
            parts.append(f"{c.capitalize()}: " + as_pairs(rows))
    return ("Values that differ only in case or spacing take one spelling, the one already in "
            "use (else the one the file uses most): " + "; ".join(parts) + ".") if parts else None


def as_pairs(rows: list[tuple[str, str, int]]) -> str:
    """(written, taken, rows) as "'UK' as 'United Kingdom' (2 rows), ...", the first five."""
    return (", ".join(f"'{a}' as '{b}' ({n:,} row{'s' * (n != 1)})" for a, b, n in rows[:5])
            + (", ..." if len(rows) > 5 else ""))


def suggestions(cur: duckdb.DuckDBPyConnection, entity: str) -> pd.DataFrame:
    """field, written, rows, suggested: each of the file's values (in `resolved`) of the
    entity's SUGGESTED fields that no stored record has, with the stored value it is closest
    to, where one is close."""
    found = []
    table, fields = SUGGESTED[entity]
    for c in fields:
        new = cur.execute(
            f"SELECT r.{c}, count(*) FROM resolved r WHERE r.{c} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {table} a WHERE {category_key(f'a.{c}')} = {category_key(f'r.{c}')}) "
            f"GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {_LOOKED_AT + 1}").fetchall()
        known = [v for (v,) in cur.execute(f"SELECT DISTINCT {c} FROM {table} WHERE {c} IS NOT NULL "
                                           f"ORDER BY 1 LIMIT {_LOOKED_AT + 1}").fetchall()]
        if not new or not known or len(new) > _LOOKED_AT or len(known) > _LOOKED_AT:
            continue
        by_key = {normalize_category(k): k for k in known}
        for written, n in new:
            close = difflib.get_close_matches(normalize_category(written), list(by_key), 1, CLOSE)
            if close:
                found.append((c, written, int(n), by_key[close[0]]))
    return pd.DataFrame(found, columns=COLUMNS)


def suggestions_note(found: pd.DataFrame) -> str:
    pairs = [f"'{w}' like '{v}'"
             for w, v in found[["written", "suggested"]].head(5).itertuples(index=False)]
    many = len(found) != 1
    return (f"{len(found):,} value{'s look' if many else ' looks'} like "
            f"{'ones' if many else 'one'} already in use ({', '.join(pairs)}"
            f"{', ...' if len(found) > 5 else ''}). {'They are' if many else 'It is'} imported "
            f"as written unless the spelling in use is chosen for {'them' if many else 'it'}.")


def taken_note(found: pd.DataFrame) -> str:
    pairs = [f"'{w}' as '{v}' ({n:,} row{'s' * (n != 1)})"
             for w, n, v in found[["written", "rows", "suggested"]].itertuples(index=False)]
    return "Taking the spelling already in use: " + ", ".join(pairs) + "."


def respell(staged: Staged, chosen: list[tuple[str, str, str]]) -> Staged:
    """`staged` with each (field, written, value) of `chosen` written as `value`, in whatever
    case or spacing the file wrote it (as `suggestions` counted it); the text as written
    (`<field>__raw`, for error messages) is left as it was."""
    values = staged.values
    by_field: dict[str, dict[str, str]] = {}
    for f, written, value in chosen:
        if f in values:
            by_field.setdefault(f, {})[normalize_category(written)] = value
    if not by_field:
        return staged

    def spelled(column: pd.Series, by_key: dict[str, str]) -> pd.Series:
        distinct = column.dropna().unique()
        return column.replace({v: by_key[k] for v in distinct
                               if (k := normalize_category(v)) in by_key})
    return replace(staged, values=values.assign(**{
        f: spelled(values[f], by_key) for f, by_key in by_field.items()}))
