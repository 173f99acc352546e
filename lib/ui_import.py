"""The Streamlit side of the Import page: reading an upload once per file, keeping the staged
rows and their preview across reruns, and shaping the pipeline's results into tables."""
from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from lib import importing
from lib.db import Database
from lib.importing import ENTITIES, ImportFileError, Preview, Sheet, Staged, Workbook, missing
from lib.importing.hints import reference_hints

_READS = "import_reads"      # file hash -> Workbook, or the message saying why it cannot be read
_WORK = "import_work"        # digest of the choices -> (Staged, Preview | None)
_KEPT = 4                    # entries kept per cache: the files and choices of the last few runs
SHOWN = 1_000                # rows of a preview table drawn on the page; a download has them all

ORDERS = {"dmy": "Day first (31/01/2026)", "mdy": "Month first (01/31/2026)",
          "ymd": "Year first (26/01/31)"}


def _keep(store: str, key: str, value: Any) -> Any:
    cache: dict = st.session_state.setdefault(store, {})
    cache.pop(key, None)
    cache[key] = value
    while len(cache) > _KEPT:
        cache.pop(next(iter(cache)))
    return value


def read(data: bytes, filename: str, digest: str) -> tuple[Workbook | None, str | None]:
    """The upload read once per file (the bytes' hash), however often the page reruns:
    (workbook, None) or (None, the message saying why it cannot be read)."""
    cache: dict = st.session_state.setdefault(_READS, {})
    if digest not in cache:
        try:
            outcome: Workbook | str = importing.read_upload(data, filename)
        except ImportFileError as exc:
            outcome = str(exc)
        _keep(_READS, digest, outcome)
    outcome = cache[digest]
    return (None, outcome) if isinstance(outcome, str) else (outcome, None)


def staged_preview(db: Database, sheet: Sheet, entity: str, mapping: dict[str, str | None],
                   constants: dict[str, str], order: str | None, *, digest: str,
                   create_missing: bool = False, decimal: str | None = None,
                   spellings: tuple[tuple[str, str, str], ...] = ()
                   ) -> tuple[Staged, Preview | None]:
    """Stage the rows and preview the import, once per set of choices and data version.
    spellings: (field, as written, stored spelling) the person chose (Preview.spellings).

    The preview is None while a question is open: dates that fit both day/month orders with
    no order given, or numbers like 12.500 with no decimal separator given."""
    key = repr((digest, sheet.name, entity, sorted(mapping.items()), sorted(constants.items()), order,
                decimal, create_missing, spellings, str(db.path), db.data_version))
    cache: dict = st.session_state.setdefault(_WORK, {})
    if key not in cache:
        staged = importing.stage(sheet.rows, entity, mapping, constants, date_order=order,
                                 decimal=decimal,
                                 wide=sheet.wide, beyond_header=sheet.beyond_header,
                                 date1904=sheet.date1904, delimiter=sheet.delimiter,
                                 excel_numbers=sheet.excel_numbers)
        staged = importing.respell(staged, list(spellings))
        preview = (None if staged.questions
                   else importing.preview_import(db, staged, digest=digest,
                                                 create_missing=create_missing, shown=SHOWN))
        if preview is not None:   # a column that would find the records the mapped one does not
            preview.notes += reference_hints(db, sheet.rows, entity, mapping)
        _keep(_WORK, key, (staged, preview))
    return cache[key]


def twice(entity: str, mapping: dict[str, str | None]) -> list[str]:
    """Labels of the fields chosen for more than one column."""
    chosen = [f for f in mapping.values() if f]
    return [ENTITIES[entity].field(f).label for f in sorted({f for f in chosen if chosen.count(f) > 1})]


def dropped_rows(sheet: importing.Sheet) -> pd.DataFrame:
    return pd.DataFrame([{"Row": d.row_number, "Why it was left out": d.reason, "Its cells": d.text}
                         for d in sheet.dropped_rows])


def dropped_columns(sheet: importing.Sheet) -> pd.DataFrame:
    return pd.DataFrame([{"Column": d.column, "Header": d.header, "Why it was left out": d.reason}
                         for d in sheet.dropped_columns])


def other_sheets(workbook: Workbook) -> pd.DataFrame:
    return pd.DataFrame([{"Sheet": s.name, "Why it is not imported": s.reason or s.kind}
                         for s in workbook.sheets if not s.importable])


def errors_table(errors: pd.DataFrame) -> pd.DataFrame:
    return errors.rename(columns={"row": "Row in file", "column": "Column", "value": "Value",
                                  "reason": "Reason"})


def changes_table(changes: pd.DataFrame) -> pd.DataFrame:
    table = changes.copy()
    if "rows" in table:
        table["rows"] = table["rows"].map(_rows_text)
    return table.rename(columns={"record": "Record", "rows": "Rows in file", "field": "Field",
                                 "old": "Old", "new": "New"})


def rows_table(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.rename(columns={"row": "Row in file", "action": "Action", "record": "Record"})


def _rows_text(rows: Any) -> str:
    try:
        return ", ".join(str(r) for r in rows)
    except TypeError:
        return str(rows)


def errors_csv(preview: Preview) -> bytes:
    return preview.errors_csv()


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    table = history.copy()
    table["entity"] = table["entity"].map(lambda e: ENTITIES[e].label if e in ENTITIES else e)
    return table.rename(columns={
        "id": "Batch", "created_at": "When", "imported_by": "Who", "file_name": "File",
        "entity": "What", "rows_created": "Created", "rows_updated": "Updated",
        "rows_unchanged": "Unchanged", "rows_rejected": "Skipped", "undone_at": "Undone"})


def batch_choice(row: dict) -> str:
    what = ENTITIES[row["entity"]].label if row["entity"] in ENTITIES else row["entity"]
    return f"Batch {row['id']} · {what} · {row['file_name']} · {row['created_at']:%d %b %Y %H:%M}"


def open_batches(history: pd.DataFrame) -> dict[int, str]:
    """Batch id -> its description, for the batches of the history not undone yet."""
    return {int(r["id"]): batch_choice(r) for r in history.to_dict("records")
            if pd.isna(r["undone_at"])}


def missing_label(entity: str) -> str | None:
    """The create-on-request checkbox's words for this entity, or None when it names nothing."""
    kinds = missing_kinds(entity)
    if not kinds:
        return None
    return ("Create the " + " and ".join(kinds) + " the file names that do not exist yet "
            "(instead of treating those rows as errors)")


def missing_kinds(entity: str) -> list[str]:
    return missing.kinds(entity)
