"""Which column of a file names the records it refers to, when the one mapped does not.

A payment processor's export gives its own id for an invoice ("Invoice ID": in_1Nx...) beside
the invoice's number ("Invoice Number (metadata)": INV-1001); a CRM's gives its customer id
(cus_1...) beside the customer's name. The header words pick the first, every row is then "no
invoice has this number", and the column that would have matched sits ignored. When most of
the mapped column's values name no record and an unmapped column's mostly do, the preview says
which column to map instead. A look at a few hundred distinct values of each column, not a
second import.
"""
from __future__ import annotations

import re

import pandas as pd

from lib.accounts import NAME_PARAMS, normalised_sql
from lib.db import Database
from lib.importing.specs import spec
from lib.importing.values import clean, is_null

SAMPLE = 200            # distinct values looked at in a column
_RECORDS = {"invoice_number": "invoices", "account": "accounts"}
MOSTLY_NOT, MOSTLY = 0.5, 0.8
_UNNAMED = re.compile(r"Column [A-Z]+|Section")   # the reader's names: no header; filled-down headings
# reference field -> SQL counting how many of the values $v name a record
_FOUND = {
    "invoice_number": """
        SELECT count(*) FROM (SELECT DISTINCT unnest($v) AS v)
        WHERE v IN (SELECT trim(invoice_number) FROM invoices)""",
    "account": f"""
        SELECT count(*) FROM (SELECT DISTINCT unnest($v) AS v)
        WHERE v IN (SELECT trim(external_id) FROM accounts
                    WHERE archived_at IS NULL AND external_id IS NOT NULL)
           OR {normalised_sql('v')} IN (SELECT {normalised_sql('name')} FROM accounts
                                        WHERE archived_at IS NULL)""",
}


def reference_hints(db: Database, rows: pd.DataFrame, entity: str,
                    mapping: dict[str, str | None]) -> list[str]:
    """Notes for the preview: for each reference field (the account, an invoice's number)
    whose mapped column names hardly any record (or that no column is mapped to), the unmapped
    column that names the most, if most of its values do."""
    notes = []
    for f in spec(entity).fields:
        if f.name not in _FOUND:
            continue
        mapped = next((h for h, name in mapping.items() if name == f.name and h in rows), None)
        if mapped is not None and _share(db, f.name, rows[mapped]) >= MOSTLY_NOT:
            continue
        found = [(share, header) for header, name in mapping.items()
                 if name is None and header in rows
                 and (share := _share(db, f.name, rows[header])) >= MOSTLY]
        if not found:
            continue
        share, header = max(found, key=lambda found: found[0])
        notes.append(f"'{header}' names existing {_RECORDS[f.name]} ({share:.0%} of the values "
                     "checked)" + (f", '{mapped}' hardly any" if mapped else "")
                     + f": map '{header}' to {f.label}" + (" instead." if mapped else "."))
    return notes


def with_unnamed_reference(db: Database, rows: pd.DataFrame, entity: str,
                           mapping: dict[str, str | None]) -> dict[str, str | None]:
    """`mapping`, with a required reference that no column gives (the account, an invoice's
    number) mapped to a column the file left without a header, when most of its values name
    records: QuickBooks' summaries list their customers under an empty header. A column with a
    header of its own is left to the person (`reference_hints` says when it would fit)."""
    out = dict(mapping)
    for f in spec(entity).fields:
        if f.name not in _FOUND or not f.required or f.name in mapping.values():
            continue
        found = [(share, header) for header, name in mapping.items()
                 if name is None and header in rows and _UNNAMED.fullmatch(header)
                 and (share := _share(db, f.name, rows[header])) >= MOSTLY]
        if found:
            out[max(found)[1]] = f.name
    return out


def _share(db: Database, field: str, cells: pd.Series) -> float:
    """Of the column's first SAMPLE distinct values, the share that names a record."""
    values = []
    for cell in cells.dropna().unique():
        if not is_null(cell) and (text := clean(cell)):
            values.append(text)
            if len(values) == SAMPLE:
                break
    if not values:
        return 0.0
    names = NAME_PARAMS if field == "account" else {}
    return db.value(_FOUND[field], {**names, "v": values}) / len(values)
