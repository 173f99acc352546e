"""What the words around a table and the layout of its columns say it holds, where its columns
alone do not: the sheet's name, the file's name and the title rows above the header ("FY2025
Sales Targets"), and periods other than months across the columns (a weekly report)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lib.importing.layout import month_columns

if TYPE_CHECKING:
    from lib.importing.model import Sheet

# Words that say what a table holds, used only to tell apart entities whose columns fit equally
# well ("Account | Jan-25 | Feb-25" is revenue or targets; "FY2025 Sales Targets" says which).
# Earlier lines win: a "sales target" is a target.
_CUES = (("budgets", {"budget", "budgets", "budgeted"}),
         ("account_targets", {"target", "targets", "quota", "quotas", "plan", "plans"}),
         ("payments", {"payment", "payments", "remittance", "remittances"}),
         ("invoices", {"invoice", "invoices"}),
         ("revenue", {"revenue", "revenues", "sales", "actual", "actuals", "turnover"}))
# What a sheet with a figure per period in each column can hold.
BY_PERIOD = ("revenue", "account_targets", "budgets")


def words_around(sheet: Sheet, file_name: str = "") -> str:
    """The sheet's name, the file's name and the title rows above the header."""
    titles = [d.text for d in sheet.dropped_rows if d.row_number < (sheet.header_row or 0)]
    return " ".join([sheet.name, file_name, *titles])


def told_apart(tied: list[str], context: str) -> list[str]:
    """The one of `tied` that the words in `context` name, else all of them."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", context)    # SalesTargets -> Sales Targets
    words = set(re.findall(r"[a-z]+", spaced.casefold()))
    for entity, cues in _CUES:
        if entity in tied and words & cues:
            return [entity]
    return tied


def periods_across(headers: list[str]) -> str | None:
    """Why the columns are not importable as they are, when weeks, days, quarters or years head
    them (months across are unpivoted when the sheet is read, so their headers are gone)."""
    across = month_columns(headers)
    return across.note if across.note and not across.periods else None


def by_period_order(context: str) -> tuple[str, ...]:
    """BY_PERIOD with the one the words around the table name first."""
    return tuple(dict.fromkeys([*told_apart(list(BY_PERIOD), context)[:1], *BY_PERIOD]))
