"""Category values that drift: "  FURNITURE", "furniture", "technolgy" -> one known value.

Normalising is deterministic (trim, collapse spaces, case-fold); a suggestion for an unknown
value is only a suggestion, with its similarity score, for the person to accept or refuse.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Iterable

import pandas as pd

from lib.importing.values import clean


def normalize_category(text: Any) -> str:
    """The comparison key: trimmed, inner spaces collapsed, case-folded."""
    return re.sub(r"\s+", " ", clean(text)).casefold()


@dataclass(frozen=True)
class Suggestion:
    text: str              # as written in the file
    value: str | None      # the known value it most likely means, or None
    score: float           # 1.0 = same after normalising; difflib ratio otherwise
    exact: bool


def suggest_category(text: Any, known: Iterable[str], cutoff: float = 0.75) -> Suggestion:
    """The closest known value; `exact` when only case or spacing differ."""
    key = normalize_category(text)
    by_key = {normalize_category(k): k for k in known}
    if key in by_key:
        return Suggestion(str(text), by_key[key], 1.0, True)
    best, score = None, 0.0
    for candidate_key, value in by_key.items():
        ratio = difflib.SequenceMatcher(None, key, candidate_key).ratio()
        if ratio > score:
            best, score = value, ratio
    return Suggestion(str(text), best if score >= cutoff else None, round(score, 3), False)


def match_categories(series: pd.Series, known: Iterable[str], cutoff: float = 0.75) -> pd.DataFrame:
    """One row per distinct value written: text, suggested value, score, exact, rows (count)."""
    known = list(known)
    counts = series.astype("str").value_counts(sort=False)
    rows = []
    for text, n in counts.items():
        if not normalize_category(text):
            continue
        s = suggest_category(text, known, cutoff)
        rows.append({"text": text, "value": s.value, "score": s.score, "exact": s.exact, "rows": int(n)})
    return pd.DataFrame(rows, columns=["text", "value", "score", "exact", "rows"])
