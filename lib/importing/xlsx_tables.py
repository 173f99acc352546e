"""Excel tables (Insert > Table) in a workbook: the rows that are a table's totals row, where
Excel writes a Count or a Sum under no label a total row is known by."""
from __future__ import annotations

import html
import re


def totals_rows(tables: list[dict[str, str]]) -> dict[int, str]:
    """The rows that are an Excel table's totals row, by row number, with the table's name.
    `tables`: the attributes of each table part's <table> element (ref, totalsRowCount, ...)."""
    found = {}
    for attrs in tables:
        end = re.fullmatch(r"[A-Z]+[0-9]+:[A-Z]+([0-9]+)", attrs.get("ref", "").replace("$", ""))
        count = int(attrs.get("totalsRowCount", "0") or 0)
        if end and count > 0 and attrs.get("totalsRowShown", "1") not in ("0", "false"):
            last = int(end.group(1))
            for row in range(last - count + 1, last + 1):
                found[row] = html.unescape(attrs.get("displayName") or attrs.get("name") or "?")
    return found


def clear_totals_rows(rows: list[list[str]], totals: dict[int, str]) -> list[str]:
    """Empty the rows that are an Excel table's totals row, and say so."""
    cleared = [r for r in sorted(totals) if r - 1 < len(rows) and any(c.strip() for c in rows[r - 1])]
    for r in cleared:
        rows[r - 1] = [""] * len(rows[r - 1])
    if not cleared:
        return []
    tables = ", ".join(f"'{t}'" for t in dict.fromkeys(totals[r] for r in cleared))
    many = len(cleared) > 1
    return [f"Row{'s' if many else ''} {', '.join(map(str, cleared))} "
            f"{'are the totals rows of Excel tables' if many else 'is the totals row of Excel table'} "
            f"{tables}; left out, as totals are not records."]
