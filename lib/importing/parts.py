"""Fields a file gives in parts: a contact's name as First Name and Last Name columns.

The parts are mapped like any field but never stored: before parsing, they are joined with a
space into their whole (lib.importing.specs: Field.part_of), on the rows where the whole is
empty, so everything after (checks, matching, preview, errors) sees one name.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib.importing.specs import spec
from lib.importing.values import TEXT_NULL_TOKENS, clean, factorize


def join_parts(rows: pd.DataFrame, entity: str, mapping: dict[str, str | None],
               constants: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str | None]]:
    """`rows` and `mapping` with each whole that has mapped parts filled in from them. The
    whole's own column, when one is mapped, keeps its cells and gets the joined parts where it
    is empty; otherwise a new column named after the parts ('First Name + Last Name') is mapped
    to it, so the preview and the errors name the file's columns. The parts stay mapped."""
    entity_spec = spec(entity)
    for whole in dict.fromkeys(f.part_of for f in entity_spec.fields if f.part_of):
        headers = [h for part in entity_spec.parts(whole) for h, f in mapping.items()
                   if f == part.name and h in rows]
        if not headers or whole in constants:
            continue
        joined = _joined([_text(rows[h]) for h in headers])
        own = next((h for h, f in mapping.items() if f == whole and h in rows), None)
        if own is None:
            own = _free_header(" + ".join(headers), list(rows.columns))
            mapping = {**mapping, own: whole}
            rows = rows.assign(**{own: joined})
        else:
            mine = _text(rows[own])
            rows = rows.assign(**{own: rows[own].where(mine != "", joined)})
    return rows, mapping


def _text(cells: pd.Series) -> pd.Series:
    """Trimmed text per cell, '' where the cell says nothing (empty, 'n/a', '-' ...)."""
    codes, texts = factorize(cells)
    cleaned = np.array([clean(t) for t in texts], dtype=object)
    cleaned[[c.casefold() in TEXT_NULL_TOKENS for c in cleaned]] = ""
    return pd.Series(cleaned[codes] if len(codes) else [], index=cells.index, dtype="str")


def _joined(parts: list[pd.Series]) -> pd.Series:
    joined = parts[0]
    for part in parts[1:]:
        joined = (joined + " " + part).str.strip()
    return joined


def _free_header(name: str, taken: list[str]) -> str:
    while name in taken:
        name += " (joined)"
    return name
