"""Rows into records, in SQL over the planned rows (`resolved`, see lib.importing.plan):
revenue's transactions summed per account and month, and for every other entity one record
per key, where a row that repeats an earlier one cell for cell is read with it and one that
differs is an error.
"""
from __future__ import annotations

import duckdb

from lib.importing.entities import TARGETS

# The field a repeated record's error is shown on
DUPLICATE_FIELD = {"accounts": "name", "invoices": "invoice_number", "payments": "invoice_number",
                   "contacts": "name", "account_targets": "month", "budgets": "category",
                   "managers": "name", "interactions": "subject"}


def build_records(cur: duckdb.DuckDBPyConnection, entity: str) -> int:
    """The temp table `records` from `resolved`; returns how many rows repeat an earlier one
    cell for cell (summed, or read with it), for the preview to say so."""
    return _sum(cur) if TARGETS[entity].summed else _dedupe(cur, entity)


def repeats_note(entity: str, repeats: int) -> str:
    if TARGETS[entity].summed:
        return (f"{repeats:,} rows repeat an earlier row cell for cell (the same account, date "
                "and amount) and were added together. If the amount is an order's total written "
                "again on each of its lines, map the column with each line's own amount instead.")
    return (f"{repeats:,} rows repeat an earlier row of the same record in every column imported "
            "(one row per line item, say); each record was read once, with all its rows. If they "
            "are records of their own, map the column that tells them apart (each one's own number "
            "or id).")


# A record is left out when its own cells have an error. Its cells, not its row: an unpivoted
# wide sheet's row holds a record per month, and a bad month leaves the other months good.
_GOOD = "FROM resolved r WHERE NOT EXISTS (SELECT 1 FROM row_errors e WHERE e._pos = r._pos)"


def _sum(cur: duckdb.DuckDBPyConnection) -> int:
    """Transactions (several rows per account and month) add up into one monthly total.
    A file of monthly totals names each account and month once: then each row is its record
    as it stands, without building a group per row (a third of the time on a million rows).
    Returns how many rows repeat another row in every mapped cell: an order export writes the
    order's total on each line item, and adding those up would count the order once a line."""
    once = cur.execute(f"SELECT count(*) = count(DISTINCT (account_id, month)) {_GOOD}").fetchone()[0]
    if once:
        cur.execute(f"""
            CREATE OR REPLACE TEMP TABLE records AS
            SELECT account_id, month, NULL::INTEGER AS _target,
                   amount::DECIMAL(18,2) AS amount, currency, false AS _mixed, [_row] AS rows,
                   _pos {_GOOD}""")
        return 0
    cur.execute(f"""
        CREATE OR REPLACE TEMP TABLE records AS
        SELECT account_id, month, NULL::INTEGER AS _target,
               sum(amount)::DECIMAL(18,2) AS amount, min(currency) AS currency,
               min(currency) <> max(currency) AS _mixed,
               list_sort(list(_row)) AS rows, min(_pos) AS _pos {_GOOD}
        GROUP BY account_id, month""")
    # Only the few mixed records need their currencies spelled out.
    cur.execute(f"""
        INSERT INTO row_errors
        WITH mixed AS (
            SELECT _row, _pos, string_agg(DISTINCT currency, ', ' ORDER BY currency)
                       OVER (PARTITION BY account_id, month) AS currencies
            {_GOOD} AND EXISTS (SELECT 1 FROM records x WHERE x._mixed
                                AND x.account_id IS NOT DISTINCT FROM r.account_id
                                AND x.month IS NOT DISTINCT FROM r.month))
        SELECT _row, _pos, 'currency', currencies,
               'this account and month has rows in several currencies (' || currencies || ')'
        FROM mixed""")
    cur.execute("DELETE FROM records WHERE _mixed")
    raw = ", ".join(f"w.{c}" for c, *_ in cur.execute("DESCRIBE raw_cells").fetchall() if c != "_pos")
    return int(cur.execute(f"""
        SELECT coalesce(sum(n - 1), 0) FROM (
            SELECT count(*) AS n FROM resolved r JOIN raw_cells w ON w._pos = r._pos
            WHERE NOT EXISTS (SELECT 1 FROM row_errors e WHERE e._pos = r._pos)
            GROUP BY {raw} HAVING count(*) > 1)""").fetchone()[0])


def _dedupe(cur: duckdb.DuckDBPyConnection, entity: str) -> int:
    """Two rows for the same record: the first is kept. A later row that repeats it cell for
    cell (an invoice export writes the invoice's own values on each of its line items) is read
    with it; one that differs is an error naming the first. Returns how many rows were read
    with an earlier one."""
    def record_of(table: str = "") -> str:
        return f"coalesce('#' || {table}_target, {table}_key)"

    rec = record_of()
    cells = ", ".join(c for c, *_ in cur.execute("DESCRIBE raw_cells").fetchall() if c != "_pos")
    cur.execute(f"""
        CREATE OR REPLACE TEMP TABLE records AS
        SELECT * EXCLUDE (_cells), row_number() OVER w AS _n, first_value(_row) OVER w AS _first,
               first_value(_cells) OVER w IS NOT DISTINCT FROM _cells AS _same, [_row] AS rows
        FROM (SELECT r.*, row({cells}) AS _cells FROM resolved r JOIN raw_cells w ON w._pos = r._pos
              WHERE NOT EXISTS (SELECT 1 FROM row_errors e WHERE e._pos = r._pos))
        WINDOW w AS (PARTITION BY {rec} ORDER BY _row)""")
    dup = DUPLICATE_FIELD[entity]
    cur.execute(f"""
        INSERT INTO row_errors SELECT r._row, r._pos, '{dup}', w.{dup}__raw,
               'is the same record as row ' || _first || ' with other values; each record may '
               || 'appear once'
        FROM records r JOIN raw_cells w ON w._pos = r._pos WHERE _n > 1 AND NOT _same""")
    cur.execute(f"""
        UPDATE records SET rows = f.rows
        FROM (SELECT {rec} AS rec, list_sort(list(_row)) AS rows FROM records WHERE _same
              GROUP BY rec HAVING count(*) > 1) f
        WHERE records._n = 1 AND {record_of("records.")} = f.rec""")
    repeats = cur.execute("SELECT count(*) FROM records WHERE _n > 1 AND _same").fetchone()[0]
    cur.execute("DELETE FROM records WHERE _n > 1")
    return int(repeats)
