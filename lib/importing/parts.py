"""Fields a file gives in parts: a contact's name as First Name and Last Name columns.

The parts are mapped like any field but never stored: before parsing, they are joined with a
space into their whole (lib.importing.specs: Field.part_of), on the rows where the whole is
empty, so everything after (checks, matching, preview, errors) sees one name. A month's year
(Year | Month) is joined by lib.importing.years, which also checks it once the months are read.
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
    to it, so the preview and the errors name the file's columns. The parts stay mapped. When
    one part is missing, the whole's column is taken for it on the rows where it does not
    already hold the other parts (Name 'Doe' beside First Name 'Jane' is 'Jane Doe')."""
    entity_spec = spec(entity)
    for whole in dict.fromkeys(f.part_of for f in entity_spec.fields if f.part_of):
        if entity_spec.field(whole).kind == "month":
            continue   # Year | Month: lib.importing.years.join_year
        given = {part.name: [h for h, f in mapping.items() if f == part.name and h in rows]
                 for part in entity_spec.parts(whole)}
        headers = [h for hs in given.values() for h in hs]
        if not headers or whole in constants:
            continue
        texts = {name: _joined([_text(rows[h]) for h in hs]) for name, hs in given.items() if hs}
        joined = _joined(list(texts.values()))
        own = next((h for h, f in mapping.items() if f == whole and h in rows), None)
        if own is None:
            own = _free_header(" + ".join(headers), list(rows.columns))
            mapping = {**mapping, own: whole}
            rows = rows.assign(**{own: joined})
            continue
        mine = _text(rows[own])
        if entity_spec.field(whole).kind == "datetime":
            # Date | Time: the time of day joins a day written without one
            has_time = mine.str.contains(":", regex=False)
            filled = rows[own].where((mine == "") | (joined == "") | has_time, mine + " " + joined)
            rows = rows.assign(**{own: filled})
            continue
        filled = rows[own].where(mine != "", joined)
        if len(texts) == len(given) - 1:
            # Name beside First Name alone is the surname (Name | Vorname, as German and Dutch
            # files have it), unless it already holds the first name ("Jane Doe").
            with_mine = _joined([texts.get(name, mine) for name in given])
            holds = [all(_within(t, m) for t in ts) for m, *ts in zip(mine, *texts.values())]
            filled = filled.where((mine == "") | np.array(holds, dtype=bool), with_mine)
        rows = rows.assign(**{own: filled})
    return rows, mapping


def _within(part: str, whole: str) -> bool:
    """'Mary Ann' is within 'Mary Ann Smith' (as whole words), not within 'Maryanne Smith'."""
    return f" {part.casefold()} " in f" {' '.join(whole.casefold().split())} "


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
