"""Currency conversion in SQL: amounts stay in their own currency; reports convert on the fly.

fx_rates holds, per currency and month, what one unit is worth in USD. A month with no rate
uses the latest earlier rate (ASOF join); an amount with no rate at all converts to NULL and is
counted as missing rather than silently mixed in unconverted.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import pandas as pd

from lib.db import Database, Tx
from lib.errors import ValidationFailed, WriteConflict
from lib.models import CURRENCIES
from lib.periods import add_months
from lib.permissions import require

if TYPE_CHECKING:
    from lib.users import Actor

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


def factors(months_sql: str) -> str:
    """A CTE `fx_factors(currency, month, factor)`: what one unit of `currency` is worth in $rep
    in `month`, by the same rule as `converted` (latest earlier rate; NULL when there is none).

    Follows RATES_CTE in a WITH. `months_sql` is a query of one DATE column (first of month):
    the months the report needs. Aggregates that join their rows to this small table on
    (currency, month) convert millions of rows without an ASOF join per row.
    """
    grid = ("SELECT 1.0 AS amount, c.currency, m.month FROM "
            "(SELECT currency FROM fx_rates UNION SELECT 'USD' UNION SELECT $rep) c(currency) "
            f"CROSS JOIN ({months_sql}) m(month)")
    return f"fx_factors AS (SELECT currency, month, amount_rep AS factor FROM ({converted(grid)}))"


# ---- admins edit the rates ---------------------------------------------------------------------
EDITABLE = tuple(c for c in CURRENCIES if c != "USD")  # USD is the unit: always 1
MIN_RATE, MAX_RATE = Decimal("0.000001"), Decimal("100000")  # USD per unit; outside is a typo
RATE_PLACES = Decimal("0.00000001")  # the column holds 8 decimal places


def rates(db: Database, currency: str | None = None) -> pd.DataFrame:
    """Stored rates (of one currency, or all), newest month first: currency, month,
    usd_per_unit, version, updated_at, updated_by (a person's name)."""
    return db.df(
        "SELECT r.currency, r.month, r.usd_per_unit::DOUBLE AS usd_per_unit, r.version, "
        "r.updated_at, coalesce(u.display_name, 'user #' || r.updated_by) AS updated_by "
        "FROM fx_rates r LEFT JOIN users u ON u.id = r.updated_by "
        "WHERE $currency IS NULL OR r.currency = $currency "
        "ORDER BY r.month DESC, r.currency", {"currency": currency})


def latest_rates(db: Database) -> pd.DataFrame:
    """Each currency's most recent month: the rate later months use until a newer one is set."""
    table = rates(db)
    return table.drop_duplicates("currency").sort_values("currency", ignore_index=True)


def rates_for_display(table: pd.DataFrame) -> pd.DataFrame:
    shown = table[["currency", "month", "usd_per_unit", "updated_by", "updated_at"]].copy()
    shown["month"] = pd.to_datetime(shown["month"]).dt.strftime("%b %Y")
    return shown.rename(columns={"currency": "Currency", "month": "Month",
                                 "usd_per_unit": "USD per unit", "updated_by": "Set by",
                                 "updated_at": "Set at (UTC)"})


def months_to_edit(today: date, back: int = 36, ahead: int = 12) -> list[date]:
    """The months an admin picks from: three years back (restating history) to a year ahead
    (planning rates), oldest first."""
    this_month = today.replace(day=1)
    return [add_months(this_month, n) for n in range(-back, ahead + 1)]


def rate_for_editing(db: Database, currency: str, month: date) -> dict[str, Any]:
    """{"usd_per_unit": float or None, "version": int} for one currency and month; a month with
    no rate reads as None at version 0 (what `set_rate` expects as the loaded version)."""
    row = db.record("SELECT usd_per_unit::DOUBLE AS usd_per_unit, version FROM fx_rates "
                    "WHERE currency = ? AND month = ?", [currency, month])
    return row or {"usd_per_unit": None, "version": 0}


def set_rate(db: Database, actor: Actor, currency: str, month: date, usd_per_unit: Any,
             loaded_version: int | None) -> int:
    """Set what one unit of `currency` is worth in USD in `month`; return the row's new version.

    Admin only. `loaded_version` is the version the person saw (None or 0: there was no rate).
    Raises ValidationFailed (unknown currency, USD itself, a month not on the 1st, a rate that is
    not a positive number within bounds) and WriteConflict when someone saved that month's rate
    after it was loaded. Audited as old -> new.
    """
    require(actor, "edit_fx")
    currency = str(currency or "").strip().upper()
    rate, problems = _rate_problems(currency, month, usd_per_unit)
    if problems:
        raise ValidationFailed(problems)
    expected = loaded_version or 0

    def work(tx: Tx) -> int:
        rows = tx.execute("SELECT usd_per_unit, version, updated_by FROM fx_rates "
                          "WHERE currency = ? AND month = ?", [currency, month])
        old, version, by = rows[0] if rows else (None, 0, None)
        entity_id = f"{currency} {month:%Y-%m}"
        if version != expected:
            who = tx.user_name(by)
            current = {"usd_per_unit": None if old is None else float(old), "version": version}
            raise WriteConflict("FX rate", entity_id, current, who)
        if old == rate:
            tx.audit("no_change", "fx_rate", entity_id)
            return version
        _check_jump(tx, currency, month, rate)
        if rows:
            tx.execute("UPDATE fx_rates SET usd_per_unit = ?, version = version + 1, "
                       "updated_at = now()::TIMESTAMP, updated_by = ? WHERE currency = ? AND month = ?",
                       [rate, tx.actor.id, currency, month])
        else:
            tx.execute("INSERT INTO fx_rates (currency, month, usd_per_unit, updated_by) "
                       "VALUES (?, ?, ?, ?)", [currency, month, rate, tx.actor.id])
        tx.audit("update" if rows else "create", "fx_rate", entity_id,
                 {"usd_per_unit": [old, rate]})
        return version + 1

    return db.write(actor, work)


def _rate_problems(currency: str, month: Any, value: Any) -> tuple[Decimal | None, list[str]]:
    problems = []
    if currency == "USD":
        problems.append("Currency: USD is what rates are measured in; one USD is always worth 1 USD")
    elif currency not in CURRENCIES:
        problems.append(f"Currency: choose one of {', '.join(EDITABLE)}")
    if not isinstance(month, date) or isinstance(month, datetime) or month.day != 1:
        problems.append("Month: give the first day of a month, e.g. 2026-11-01")
    elif not 2000 <= month.year <= 2100:
        problems.append("Month: choose a month between 2000 and 2100")
    rate = _decimal(value)
    if rate is not None and MIN_RATE <= rate <= MAX_RATE:
        rate = rate.quantize(RATE_PLACES)
    elif rate is not None:
        problems.append(f"USD per unit: {_shown(value)} is not a rate; one unit must be worth "
                        f"between {MIN_RATE:f} and {MAX_RATE:,} USD (e.g. 1.27 for GBP, 0.012 for INR)")
    elif value is None or str(value).strip() == "":
        problems.append("USD per unit: is required")
    else:
        problems.append(f"USD per unit: {_shown(value)} is not a number (write decimals with a "
                        "point, e.g. 1.27)")
    return rate, problems


JUMP = 10  # a month's rate this many times above or below the nearest other month's is a typo


def _check_jump(tx: Tx, currency: str, month: date, rate: Decimal) -> None:
    """Refuse a rate far from the currency's nearest other month (127 typed for 1.27)."""
    rows = tx.execute("SELECT month, usd_per_unit FROM fx_rates WHERE currency = ? AND month <> ? "
                      "ORDER BY abs(date_diff('day', month, ?)), month DESC LIMIT 1",
                      [currency, month, month])
    if not rows:
        return
    near_month, near = rows[0]
    if rate > near * JUMP or rate * JUMP < near:
        raise ValidationFailed([
            f"USD per unit: {rate.normalize():f} is more than {JUMP} times away from the {currency} "
            f"rate of {near_month:%b %Y} ({near.normalize():f}); check the figure"])


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _shown(value: Any) -> str:
    text = str(value).strip()
    return text if len(text) <= 20 else text[:20] + "…"
