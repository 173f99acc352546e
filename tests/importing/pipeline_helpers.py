"""Small builders for pipeline tests: a sheet's rows as the reader hands them over."""
from __future__ import annotations

import pandas as pd
import pytest

from lib.importing import ImportFileError, apply_import, file_hash, read_upload, stage, suggest_mapping
from lib.users import SYSTEM

REVENUE = ["Customer", "Month", "Sales"]


def grid(*rows: list[str]) -> pd.DataFrame:
    """A sheet's cells as the reader hands them to find_table; short rows are padded."""
    width = max(len(r) for r in rows)
    return pd.DataFrame([list(r) + [""] * (width - len(r)) for r in rows], dtype="str")


def sheet_rows(header: list[str], rows: list[list[str]], first: int = 2) -> pd.DataFrame:
    """Text cells indexed by their row number in the original file (header on row first-1)."""
    return pd.DataFrame(rows, columns=header, index=range(first, first + len(rows)), dtype="str")


def staged(entity: str, header: list[str], rows: list[list[str]], *, constants=None, first=2,
           mapping=None, **options):
    frame = sheet_rows(header, rows, first)
    return stage(frame, entity, mapping or suggest_mapping(header, entity), constants, **options)


def apply_file(db, s, data=b"file", **options):
    """Commit staged rows as the system, as if from a file whose bytes are `data`."""
    return apply_import(db, SYSTEM, s, file_name="file.csv", digest=file_hash(data), **options)


def stored_revenue(db):
    return db.rows("SELECT account_id, month, amount, currency FROM revenue ORDER BY 1, 2")


def upload(tmp_path, name: str, content: bytes):
    """Write the case to disk under its name (handy when a test fails), then read it."""
    path = tmp_path / name
    path.write_bytes(content)
    return read_upload(path.read_bytes(), name)


def refusal(tmp_path, name: str, content: bytes) -> str:
    """The message a file is refused with."""
    with pytest.raises(ImportFileError) as refused:
        upload(tmp_path, name, content)
    return str(refused.value)
