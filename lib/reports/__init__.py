"""Reports people take away. The monthly sales report:

    monthly_report(db, actor, month, currency) -> XLSX bytes
    file_name(month, currency)                 -> "monthly-sales-report-2026-10-USD.xlsx"

and from the command line: `python -m lib.reports monthly --month 2026-10 --out FILE`.
"""
from __future__ import annotations

from datetime import date

from lib.db import Database
from lib.reports.monthly import MonthlyFigures, monthly_figures
from lib.reports.sections import SHEETS, write_report
from lib.reports.workbook import file_name
from lib.users import Actor

__all__ = ["SHEETS", "MonthlyFigures", "file_name", "monthly_figures", "monthly_report"]


def monthly_report(db: Database, actor: Actor, month: date, currency: str | None = None) -> bytes:
    """The monthly sales report for the month holding `month`, amounts in `currency` (None: the
    settings' reporting currency), as XLSX bytes.

    Directors and admins only: anyone else gets NotAllowed with a sentence to show. A currency
    with no FX rates is a ValidationFailed. A month with no data gives a workbook whose sheets
    say so.
    """
    return write_report(monthly_figures(db, actor, month, currency))
