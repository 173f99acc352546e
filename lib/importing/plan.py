"""Validate staged rows in bulk in DuckDB and work out what importing them would change.

Runs on one cursor and leaves the temp table `compared` (one row per target record, with its
action create/update/unchanged, the new and old values and the source rows) for apply to
write from, so the preview and the commit are computed by the same SQL.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from lib.exports import csv_bytes
from lib.importing.entities import (DERIVED, PARAMS, SOURCES, TARGETS, checks, payment_words_note,
                                    resolve_sql)
from lib.importing import countries, missing, people, refs, spelling
from lib.importing.labels import labels_sql
from lib.importing.mapping import spec
from lib.importing.records import build_records, repeats_note
from lib.importing.stage import Staged

ACTIONS = ("create", "update", "unchanged", "error")


@dataclass
class Preview:
    """rows: row (in the original file), action, record. errors: row, column, value, reason.
    changes: record, rows, field, old, new (updates only). counts: source rows per action;
    records: target records per action. A preview made with `shown` holds only the first
    rows and changes (by row); changes_total counts them all, as `counts` counts the rows."""

    entity: str
    match_on: tuple[str, ...]
    rows: pd.DataFrame
    errors: pd.DataFrame
    changes: pd.DataFrame
    counts: dict[str, int]
    records: dict[str, int]
    notes: list[str] = field(default_factory=list)
    ambiguous_dates: list[str] = field(default_factory=list)
    same_file: dict | None = None    # an earlier batch of the same bytes, if any
    will_create: dict[str, list[str]] = field(default_factory=dict)  # kind -> names, on request
    plan_id: int | None = None   # the plan kept for the commit (lib.importing.kept)
    changes_total: int = 0
    # values new to the database close to a stored one (lib.importing.spelling.suggestions)
    spellings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=spelling.COLUMNS))

    @property
    def rows_total(self) -> int:
        return sum(self.counts.values())

    @property
    def ok(self) -> bool:
        return self.counts["error"] == 0

    def errors_csv(self) -> bytes:
        """The rejected rows with their reasons, for the person to fix and upload again
        (values that a spreadsheet would run as formulas are written as text)."""
        return csv_bytes(self.errors)


def default_match(entity: str, given: set[str]) -> tuple[str, ...]:
    if entity == "accounts":
        if "external_id" in given:
            return ("external_id",)
        return ("name", "country") if "country" in given else ("name",)
    if entity == "payments":
        return (("invoice_number", "reference") if "reference" in given
                else ("invoice_number", "paid_on", "amount"))
    return spec(entity).match_keys[0]


def written_columns(staged: Staged) -> list[str]:
    """The target columns this file gives a value for (an unmapped field is never touched)."""
    given, derived = staged.given, DERIVED[staged.entity]
    return [c for c in TARGETS[staged.entity].columns if SOURCES.get(c, c) in given or c in derived]


def plan(cur: duckdb.DuckDBPyConnection, staged: Staged,
         match_on: tuple[str, ...] | None = None, *, create_missing: bool = False,
         details: bool = True, shown: int | None = None) -> Preview:
    """Validate and compare. create_missing: unknown accounts/managers the rows name are to be
    created (see lib.importing.missing) instead of being row errors. details=False (the commit)
    leaves Preview.rows and Preview.changes empty: the counts, records, errors and notes are the
    same, without fetching a row per source row. shown: fetch only the first `shown` rows and
    changes (a page draws no more; a million rows of them cost a second and a hundred MB)."""
    entity = staged.entity
    match_on = tuple(match_on) if match_on else default_match(entity, staged.given)
    if match_on not in spec(entity).match_keys:
        raise ValueError(f"{spec(entity).label} can be matched on "
                         + " or ".join(" + ".join(k) for k in spec(entity).match_keys) + ".")
    _load(cur, staged)
    refs.prepare(cur)
    sql = f"CREATE OR REPLACE TEMP TABLE resolved AS {resolve_sql(entity, match_on)}"
    cur.execute(sql, PARAMS if "$joined" in sql else None)
    if create_missing and missing.collect(cur, entity):
        cur.execute(sql, PARAMS if "$joined" in sql else None)   # again, now finding them
    unzeroed = refs.unzeroed_note(cur)
    worded = payment_words_note(cur, match_on) if entity == "payments" else None
    countries_spelled = countries.respelled_note(cur) if "country" in staged.values else None
    respelled = spelling.respelled_note(cur) if entity == "accounts" else None
    close = spelling.suggestions(cur, entity) if entity in spelling.SUGGESTED and details else None
    _errors(cur, staged)
    repeats = build_records(cur, entity)
    if entity == "managers":
        people.bosses_left_out(cur)
    # A row with errors is listed once per record it feeds (an unpivoted row's months), so its
    # errors are told apart by their records' labels. Then `resolved` can go before the
    # comparison builds `compared` (apply writes from `compared` alone).
    cur.execute("CREATE OR REPLACE TEMP TABLE error_rows AS SELECT DISTINCT e._row, l._label "
                f"FROM row_errors e LEFT JOIN ({labels_sql(entity, 'SELECT _pos FROM row_errors')}) l "
                "ON l._pos = e._pos")
    cur.execute("DROP TABLE resolved")
    _compare(cur, staged)
    cur.execute("DROP TABLE records")   # likewise held by `compared`
    preview = _preview(cur, staged, match_on, details, shown)
    if repeats:
        preview.notes.append(repeats_note(entity, repeats))
    preview.notes += [note for note in (unzeroed, respelled, worded, countries_spelled) if note]
    if close is not None and not close.empty:
        preview.spellings = close
        preview.notes.append(spelling.suggestions_note(close))
    cur.execute("DROP VIEW raw_cells")
    cur.execute("DROP VIEW stage")
    cur.unregister("staged_cells")
    if create_missing:
        preview.will_create = missing.planned(cur, entity)
        if preview.will_create:
            preview.notes.insert(0, missing.sentence(preview.will_create))
    return preview


def _load(cur: duckdb.DuckDBPyConnection, staged: Staged) -> None:
    # As Arrow, without copying the staged frame: its text columns are Arrow already, so
    # DuckDB reads them in place, through the views `stage` and `raw_cells` (a table would copy
    # a million rows for the few statements that read them). Fields the file does not give are
    # typed NULLs of those views, not columns: a million empty cells are megabytes each.
    frame, n = staged.values, len(staged.values)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    absent = []
    for f in spec(staged.entity).fields:
        if f.name not in frame:
            kind = ("TIMESTAMP" if f.kind in ("date", "datetime", "month") else
                    "DOUBLE" if f.kind == "number" else "VARCHAR")
            absent += [f"NULL::{kind} AS {f.name}", f"NULL::VARCHAR AS {f.name}__raw"]
        elif f.kind == "number":        # NaN -> NULL, not a number (from_pandas does it)
            table = _retyped(table, f.name, pa.float64())
        elif f.kind not in ("date", "datetime", "month") and not (
                pa.types.is_string(table.schema.field(f.name).type)
                or pa.types.is_large_string(table.schema.field(f.name).type)):
            table = _retyped(table, f.name, pa.string())
    # `_pos` tells the rows apart (an unpivoted wide sheet's share their row number). The
    # text as written is wanted for the few rows with an error: it stays in Arrow, read
    # through the view `raw_cells` (_pos, <field>__raw) until the plan is made.
    table = table.append_column("_pos", pa.array(np.arange(n, dtype=np.int64)))
    cur.register("staged_cells", table)
    columns = [*table.column_names[:-1], *absent]
    values = [c for c in columns if not c.endswith("__raw")]
    raw = [c for c in columns if c.endswith("__raw")]
    joins = ""
    if "country" in frame:   # written as a code or another name: the spelling in use
        countries.prepare(cur)
        joins = countries.JOINS
        values = [countries.SPELLED if c == "country" else f"s.{c}" if c in table.column_names else c
                  for c in values]
    for view, shown in (("stage", [*values, "s._pos"]), ("raw_cells", ["_pos", *raw])):
        cur.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT {', '.join(shown)} "
                    f"FROM staged_cells s {joins if view == 'stage' else ''}")
    cur.execute("CREATE OR REPLACE TEMP TABLE parse_errors "
                "(row BIGINT, pos BIGINT, field VARCHAR, value VARCHAR, reason VARCHAR)")
    if len(staged.parse_errors):
        cur.register("_parse_errors", staged.parse_errors.astype({"value": "string"}))
        cur.execute("INSERT INTO parse_errors SELECT row, pos, field, value, reason FROM _parse_errors")
        cur.unregister("_parse_errors")


def _errors(cur: duckdb.DuckDBPyConnection, staged: Staged) -> None:
    parts = []
    # An amount read but too large to store is NULL too; its own check says so (`_number`).
    columns = {c for c, *_ in cur.execute("DESCRIBE resolved").fetchall()}
    for name in spec(staged.entity).required:
        unread = f" AND {name}_number IS NULL" if f"{name}_number" in columns else ""
        parts.append(
            f"SELECT _row, _pos, '{name}' AS field, 'is required but empty' AS reason "
            f"FROM resolved r WHERE {name} IS NULL{unread} AND NOT EXISTS (SELECT 1 FROM "
            f"parse_errors p WHERE p.pos = r._pos AND p.field = '{name}')")
    for name, condition, reason in checks(staged.entity) + _mark_checks(columns):
        parts.append(f"SELECT _row, _pos, '{name}', {reason} FROM resolved WHERE {condition}")
    as_written = " ".join(f"WHEN '{f.name}' THEN w.{f.name}__raw" for f in spec(staged.entity).fields)
    found = (f" UNION ALL SELECT e._row, e._pos, e.field, CASE e.field {as_written} END, e.reason "
             f"FROM ({' UNION ALL '.join(parts)}) e JOIN raw_cells w ON w._pos = e._pos" if parts else "")
    cur.execute("CREATE OR REPLACE TEMP TABLE row_errors AS "
                "SELECT row AS _row, pos AS _pos, field, value, reason FROM parse_errors" + found)


def _mark_checks(columns: set[str]) -> list[tuple[str, str, str]]:
    """An amount written as £1,200 in a row whose currency is USD: the number alone would be
    stored as 1,200 USD, so the row is refused and the person told which of the two is wrong.
    A payment's currency is its invoice's (`_currency`)."""
    found = []
    for mark in sorted(c for c in columns if c.endswith("_mark")):
        name = mark.removesuffix("_mark")
        own = "salary_currency" if name == "base_salary" else "currency"
        currency = next((c for c in (own, "_currency") if c in columns), None)
        if currency:
            found.append((name, f"{mark} IS NOT NULL AND {currency} IS NOT NULL AND NOT "
                                f"({mark_fits_sql(mark, currency)})",
                          f"'is written in ' || {mark} || ' but the currency of the "
                          f"{'invoice' if currency == '_currency' else 'row'} is ' || {currency} || "
                          "'; correct the amount or the currency'"))
    return found


# The currencies each mark can stand for: a "$" is any dollar or peso, a code only itself.
MARK_CURRENCIES = {
    "$": ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "ARS", "CLP", "COP", "TWD", "BRL"),
    "£": ("GBP", "EGP", "GIP", "FKP", "SHP"), "€": ("EUR",), "₹": ("INR",), "¥": ("JPY", "CNY"),
    "₩": ("KRW",), "₽": ("RUB",), "₺": ("TRY",), "₪": ("ILS",), "฿": ("THB",),
    "RS": ("INR", "PKR", "LKR", "NPR"),
}


def mark_fits_sql(mark: str, currency: str) -> str:
    """SQL: the mark in column `mark` can stand for the code in column `currency`."""
    cases = " ".join(f"WHEN '{m}' THEN {currency} IN ({', '.join(repr(c) for c in codes)})"
                     for m, codes in MARK_CURRENCIES.items())
    return f"CASE {mark} {cases} ELSE {mark} = {currency} END"


def join_condition(entity: str, record: str = "r", table: str = "t") -> str:
    target = TARGETS[entity]
    if target.key == ("id",):
        return f"{table}.id = {record}._target"
    return " AND ".join(f"{table}.{k} = {record}.{k}" for k in target.key)


def _compare(cur: duckdb.DuckDBPyConnection, staged: Staged) -> None:
    """`compared`: each record, its action, and every stored value a snapshot names as
    old_<column> (the written columns, and the batch and version: apply records them for undo)."""
    target, cols = TARGETS[staged.entity], written_columns(staged)
    same = " AND ".join(f"(r.{c} IS NULL OR r.{c} IS NOT DISTINCT FROM t.{c})" for c in cols)
    olds = ", ".join(f"t.{c} AS old_{c}" for c in target.snapshot_columns())
    cur.execute(f"""
        CREATE OR REPLACE TEMP TABLE compared AS
        SELECT r.*, {olds}, t.{target.key[0]} AS _stored,
               CASE WHEN t.{target.key[0]} IS NULL THEN 'create'
                    WHEN {same or 'TRUE'} THEN 'unchanged' ELSE 'update' END AS action
        FROM records r LEFT JOIN {target.table} t ON {join_condition(staged.entity)}""")


def _retyped(table: pa.Table, name: str, kind: pa.DataType) -> pa.Table:
    i = table.schema.get_field_index(name)
    return table if table.schema.types[i] == kind else table.set_column(i, name, table[name].cast(kind))


# Each source row with its action; a record's row names it by its position, an error row by
# its label (see `plan`).
_ROWS = """
    SELECT unnest(rows) AS row, action, _pos, NULL AS _label FROM compared
    UNION ALL SELECT _row, 'error', NULL, _label FROM error_rows"""


def _preview(cur: duckdb.DuckDBPyConnection, staged: Staged, match_on: tuple[str, ...],
             details: bool = True, shown: int | None = None) -> Preview:
    found = dict(cur.execute(f"SELECT action, count(*) FROM ({_ROWS}) GROUP BY 1").fetchall())
    counts = {a: int(found.get(a, 0)) for a in ACTIONS}
    limit = "" if shown is None else f" LIMIT {int(shown)}"
    if details:
        rows = _frame(cur, _labelled(staged.entity, f"SELECT * FROM ({_ROWS}) ORDER BY row{limit}",
                                     "x.row, x.action, coalesce(x._label, l._label) AS record", "x.row"))
    else:
        rows = pd.DataFrame({"row": pd.Series(dtype="int64"), "action": pd.Series(dtype="str"),
                             "record": pd.Series(dtype="str")})
    errors = _errors_shown(cur, staged)
    columns = staged.columns
    changes, changes_total = (_changes(cur, staged, limit) if details else
                              (pd.DataFrame(columns=["record", "rows", "field", "old", "new"]), 0))
    records = dict(cur.execute("SELECT action, count(*) FROM compared GROUP BY 1").fetchall())
    notes = list(staged.notes)
    if TARGETS[staged.entity].summed:
        many = cur.execute("SELECT count(*), sum(len(rows)) FROM compared WHERE len(rows) > 1").fetchall()[0]
        if many[0]:
            notes.append(f"{int(many[1]):,} rows are transactions: they were summed into "
                         f"{many[0]:,} account-month totals.")
    if "owner" in staged.given and staged.entity != "accounts":
        notes.append(f"The column {columns.get('owner', 'owner')!r} names the owner of accounts "
                     "this import creates; existing accounts keep their owner.")
    if not match_on:
        notes.append(f"{spec(staged.entity).label} have no external key to match on, so every "
                     "row is created as a new record. Importing the same file again is noticed; "
                     "a different file holding the same rows would add them again.")
    return Preview(staged.entity, match_on, rows, errors, changes, counts,
                   {a: int(records.get(a, 0)) for a in ACTIONS[:3]}, notes, staged.ambiguous_dates,
                   changes_total=changes_total)


def _errors_shown(cur: duckdb.DuckDBPyConnection, staged: Staged) -> pd.DataFrame:
    """Every error as the person finds it in their file: row, column, value, reason. A cell that
    several records share (an unpivoted row's account) is reported once."""
    errors = cur.execute("SELECT _row AS row, _pos AS pos, field, value, reason FROM row_errors "
                         "ORDER BY row, field, pos").df()
    labels = {f.name: f.label for f in spec(staged.entity).fields}
    column = errors["field"].map(lambda f: staged.columns.get(f) or f"{labels.get(f, f)} (not in the file)")
    for name, headers in staged.cell_columns.items():
        own = (errors["field"] == name).to_numpy() & errors["pos"].notna().to_numpy()
        column[own] = headers[errors["pos"][own].astype("int64").to_numpy()]
    errors.insert(1, "column", column)
    return (errors.drop(columns=["pos", "field"]).drop_duplicates(["row", "column", "value", "reason"])
            .reset_index(drop=True))


# A changed reference shows the names, old and new, not ids (a new one: as the file wrote it).
_NAMED = {"owner_id": ("ref_managers", "owner"), "manager_id": ("ref_managers", "manager"),
          "reports_to": ("ref_managers", "reports_to"), "account_id": ("ref_accounts", "account")}


def _shown(c: str, given: set[str]) -> tuple[str, str]:
    if c not in _NAMED:
        return f"old_{c}::VARCHAR", f"{c}::VARCHAR"
    table, source = _NAMED[c]
    raw = (f"(SELECT {source}__raw FROM raw_cells w WHERE w._pos = compared._pos)"
           if source in given else "NULL")
    return (f"(SELECT name FROM {table} WHERE id = old_{c})",
            f"coalesce((SELECT name FROM {table} WHERE id = {c}), {raw}, {c}::VARCHAR)")


def _changes(cur: duckdb.DuckDBPyConnection, staged: Staged, limit: str = "") -> tuple[pd.DataFrame, int]:
    """The changed fields of updated records, first by row (up to `limit`), and how many in all."""
    keys, parts, changed = [], [], []
    for c in written_columns(staged):
        old, new = _shown(c, staged.given)
        where = f"FROM compared WHERE action = 'update' AND {c} IS NOT NULL AND {c} IS DISTINCT FROM old_{c}"
        keys.append(f"SELECT _pos, rows[1] AS first, '{c}' AS field {where}")
        # old and new, as text and names, only for the changes shown (the first `limit`)
        parts.append(f"SELECT _pos, rows, '{c}' AS field, {old} AS old, {new} AS new FROM compared "
                     f"WHERE _pos IN (SELECT _pos FROM picked WHERE field = '{c}')")
        changed.append(f"(SELECT count(*) {where})")
    if not parts:   # nothing the file gives is written (no column mapped): nothing changes
        return pd.DataFrame(columns=["record", "rows", "field", "old", "new"]), 0
    total = cur.execute("SELECT " + " + ".join(changed)).fetchall()[0][0]
    shown = (f"WITH picked AS MATERIALIZED (SELECT _pos, field FROM ({' UNION ALL '.join(keys)}) "
             f"ORDER BY first, field{limit}) " + " UNION ALL ".join(parts))
    return _frame(cur, _labelled(staged.entity, shown, "l._label AS record, x.rows, x.field, x.old, x.new",
                                 "x.rows[1], x.field")), int(total)


def _labelled(entity: str, query: str, columns: str, order: str) -> str:
    """SQL: `columns` of the rows `x` of `query` (which has `_pos`) and `l`, their records'
    labels, worked out for those rows alone."""
    return (f"WITH x AS MATERIALIZED ({query}) SELECT {columns} FROM x LEFT JOIN "
            f"({labels_sql(entity, 'SELECT _pos FROM x')}) l ON l._pos = x._pos ORDER BY {order}")


def _frame(cur: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """What `cur.execute(sql).df()` gives, fetched through Arrow: several times faster for a
    million rows of text. (.df() turns a text column with no value at all into objects.)"""
    table = cur.sql(sql).to_arrow_table()
    frame = table.to_pandas()
    for name, kind in zip(table.column_names, table.schema.types):
        if (pa.types.is_string(kind) or pa.types.is_large_string(kind)) and (
                table.num_rows == 0 or table[name].null_count == table.num_rows):
            frame[name] = pd.Series([None] * table.num_rows, index=frame.index, dtype=object)
        elif pa.types.is_integer(kind) and table[name].null_count:   # .df(): nullable Int64
            frame[name] = pd.array(table[name].to_pylist(), dtype=str(kind).replace("int", "Int"))
    return frame
