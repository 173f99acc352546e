"""The name a preview gives each record ("Acme Ltd 2026-03", "INV-1042"), in SQL.

A page lists at most a few thousand rows and changes, so labels are worked out for those alone
(and for the rows with an error, whose count tells one record's errors from another's), from
the staged rows (the view `stage`, see lib.importing.plan) at the positions asked for, never
for every row of a million-row file.
"""
from __future__ import annotations

from lib.importing.spelling import category_key

_MONTHLY = "r.account || ' ' || strftime(r.month, '%Y-%m')"
# An interaction's type as its title, where the file gives no subject (lib.importing.people)
TITLE = "CASE r.type WHEN 'qbr' THEN 'QBR' ELSE upper(r.type[1]) || r.type[2:] END"

# Each over `r`, a staged row as the file gives it.
LABELS = {
    "revenue": _MONTHLY,
    "account_targets": _MONTHLY,
    "invoices": "r.invoice_number",
    "payments": "r.invoice_number || ' ' || coalesce(r.paid_on::DATE::VARCHAR, '')",
    "accounts": "r.name",
    "managers": "r.name",
    "contacts": "r.name || coalesce(' (' || r.account || ')', '')",
    # a category as already stored, whatever its case and spaces in the file
    "budgets": "r.account || ', ' || coalesce(k.category, r._cat) || ', ' || strftime(r.month, '%Y-%m')",
    "interactions": (f"coalesce(r.subject, {TITLE}, 'Interaction') || coalesce(' with ' || r.account, '') "
                     "|| coalesce(' on ' || strftime(r.occurred_at, '%Y-%m-%d'), '')"),
}


def labels_sql(entity: str, positions: str) -> str:
    """SQL: `_pos, _label` for the staged rows whose `_pos` the query `positions` selects."""
    rows = f"SELECT * FROM stage WHERE _pos IN ({positions})"
    if entity != "budgets":
        return f"SELECT r._pos, {LABELS[entity]} AS _label FROM ({rows}) r"
    return f"""
        SELECT r._pos, {LABELS[entity]} AS _label
        FROM (SELECT *, {category_key('category')} AS _cat FROM ({rows})) r
        LEFT JOIN (SELECT lower(category) AS k, min(category) AS category FROM budgets GROUP BY 1) k
               ON k.k = r._cat"""
