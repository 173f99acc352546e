"""Writes the generated frames inside one transaction: draws ids from the tables' sequences,
turns position references into those ids, stamps who wrote each row, and bulk-inserts.

Ids are drawn with `SELECT nextval(...) FROM range(n)` rather than invented, so rows added
later through the sequences' defaults never collide with the demo's (DuckDB cannot setval).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib.db import Tx

# Insert order, the sequence that numbers each table's rows (if the demo needs its ids), and
# which columns hold positions into which table.
TABLES: tuple[tuple[str, str | None, dict[str, str]], ...] = (
    ("account_managers", "seq_account_managers", {"reports_to": "account_managers"}),
    ("users", None, {"manager_id": "account_managers"}),
    ("accounts", "seq_accounts", {"owner_id": "account_managers", "parent_id": "accounts"}),
    ("account_history", None, {"account_id": "accounts", "old_owner": "account_managers",
                               "new_owner": "account_managers"}),
    ("contacts", "seq_contacts", {"account_id": "accounts"}),
    ("interactions", "seq_interactions", {"account_id": "accounts",
                                          "manager_id": "account_managers",
                                          "next_step_owner_id": "account_managers"}),
    ("interaction_contacts", None, {"interaction_id": "interactions", "contact_id": "contacts"}),
    ("revenue", None, {"account_id": "accounts"}),
    ("account_targets", None, {"account_id": "accounts"}),
    ("manager_targets", None, {"manager_id": "account_managers"}),
    ("target_changes", None, {}),  # subject_id depends on the level: see _target_subjects
    ("budgets", None, {"account_id": "accounts"}),
    ("invoices", "seq_invoices", {"account_id": "accounts"}),
    ("payments", None, {"invoice_id": "invoices"}),
    ("comp_plans", "seq_comp_plans", {}),
    ("comp_plan_bands", None, {"plan_id": "comp_plans"}),
    ("comp_assignments", None, {"manager_id": "account_managers", "plan_id": "comp_plans"}),
    ("fx_rates", None, {}),
)
STAMPS = ("created_by", "updated_by", "changed_by")


def insert_portfolio(tx: Tx, frames: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Insert every frame (never modified: a retried transaction reuses them); return counts."""
    ids: dict[str, np.ndarray] = {}
    counts: dict[str, int] = {}
    for table, sequence, refs in TABLES:
        df = frames[table].copy()
        if sequence:
            ids[table] = _draw_ids(tx, sequence, len(df))
            df["id"] = ids[table][df["id"].to_numpy()]
        for column, target in refs.items():
            df[column] = _resolve(df[column], ids[target])
        df = _special_columns(table, df, ids)
        counts[table] = tx.insert_df(table, _for_table(tx, table, df))
    return counts


def _draw_ids(tx: Tx, sequence: str, n: int) -> np.ndarray:
    """n fresh ids from a sequence (a name from code, never from input), in ascending order."""
    got = tx.cursor.execute(f"SELECT nextval('{sequence}') AS id FROM range(?)", [n]).fetchnumpy()
    return np.sort(np.asarray(got["id"], dtype=np.int64))


def _resolve(positions: pd.Series, ids: np.ndarray) -> pd.Series:
    """Positions -> ids, keeping missing references (NULL) missing."""
    pos = positions.astype("Int64")
    missing = pos.isna().to_numpy()
    values = ids[pos.fillna(0).to_numpy(dtype=np.int64)]
    return pd.Series(pd.arrays.IntegerArray(values, missing), index=positions.index)


def _special_columns(table: str, df: pd.DataFrame, ids: dict[str, np.ndarray]) -> pd.DataFrame:
    if table == "account_history":  # owner changes name the managers by id, as text
        owner = df["field"] == "owner_id"
        df.loc[owner, "old_value"] = df.loc[owner, "old_owner"].astype(str)
        df.loc[owner, "new_value"] = df.loc[owner, "new_owner"].astype(str)
    if table == "target_changes":
        manager = (df["level"] == "manager").to_numpy()
        pos = df["subject_id"].to_numpy(dtype=np.int64)
        df["subject_id"] = np.where(manager, ids["account_managers"][np.where(manager, pos, 0)],
                                    ids["accounts"][np.where(manager, 0, pos)])
    return df


def _for_table(tx: Tx, table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Keep the table's own columns (frames also carry the generators' working columns),
    stamp the writer, and give text columns a proper string dtype (None -> NULL)."""
    columns = [r[0] for r in tx.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
        "AND database_name = current_database() ORDER BY column_index", [table])]
    for stamp in STAMPS:
        if stamp in columns:
            df[stamp] = tx.actor.id
    out = df[[c for c in columns if c in df.columns]].copy()
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].astype("str")
    return out
