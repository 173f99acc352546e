"""Currency conversion in SQL: amounts stay in their own currency; reports convert on the fly.

fx_rates holds, per currency and month, what one unit is worth in USD. A month with no rate
uses the latest earlier rate (ASOF join); an amount with no rate at all converts to NULL and is
counted as missing rather than silently mixed in unconverted.
"""
from __future__ import annotations

from lib.db import Database

# Needs the named parameter $rep (the reporting currency).
RATES_CTE = """usd_rates AS (
    SELECT currency, month, usd_per_unit::DOUBLE AS usd FROM fx_rates WHERE currency <> 'USD'
    UNION ALL SELECT 'USD', DATE '1900-01-01', 1.0
), rep_rates AS (
    SELECT month, usd FROM usd_rates WHERE currency = $rep
)"""


def converted(source_sql: str) -> str:
    """Wrap a query with columns amount, currency, month; adds amount_rep in $rep."""
    return f"""SELECT s.*, CASE WHEN s.currency = $rep THEN s.amount::DOUBLE
            ELSE s.amount::DOUBLE * src.usd / rep.usd END AS amount_rep
        FROM ({source_sql}) s
        ASOF LEFT JOIN usd_rates src ON src.currency = s.currency AND s.month >= src.month
        ASOF LEFT JOIN rep_rates rep ON s.month >= rep.month"""


def currencies(db: Database) -> list[str]:
    """Currencies a report can be shown in: USD plus every currency with rates."""
    rows = db.rows("SELECT DISTINCT currency FROM fx_rates ORDER BY currency")
    return sorted({"USD", *(r[0] for r in rows)})


def default_reporting_currency(db: Database) -> str:
    return db.value("SELECT value FROM settings WHERE key = 'reporting_currency'") or "USD"
