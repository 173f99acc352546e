"""What one pay period's pay would be with other figures: each account's worth to the projected
commission, another amount booked, another attainment, and the payout curve. Pure arithmetic
over a statement's PeriodPay (lib.compensation), by the commission engine (lib.commission)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pandas as pd

from lib.commission import Payout, cents, payout, payout_curve

if TYPE_CHECKING:
    from lib.compensation import PeriodPay

ZERO = Decimal(0)


# ---- by account -----------------------------------------------------------------------------------
def accounts(names: dict[int, str], actual: dict[int, Decimal],
              future: dict[int, dict[date, Decimal]], current: PeriodPay | None) -> pd.DataFrame:
    """The current period's credited revenue by account: account_id, account, actual (in the
    period's closed months), projected (actual + its share of the run-rate) and worth (what the
    account adds to the projected commission: the payout with it minus the payout without it)."""
    columns = ["account_id", "account", "actual", "projected", "worth"]
    if current is None:
        return pd.DataFrame(columns=columns)
    months = set(current.period.months)
    closed = set(current.period.months[:current.closed_months])
    ahead = {a: sum((v for m, v in by_month.items() if m in months and m not in closed), ZERO)
             for a, by_month in future.items()}
    ids = sorted(set(actual) | {a for a, v in ahead.items() if v})
    if not ids:
        return pd.DataFrame(columns=columns)
    rows = []
    for account_id in ids:
        projected = actual.get(account_id, ZERO) + ahead.get(account_id, ZERO)
        rows.append([account_id, names.get(account_id, f"#{account_id}"),
                     actual.get(account_id, ZERO), projected, _worth(current, projected)])
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["worth", "projected"], ascending=False, ignore_index=True)


def _worth(current: PeriodPay, revenue: Decimal) -> Decimal | None:
    if current.at_end is None:
        return None
    without = commission_at(current, current.projected - revenue)
    return current.at_end.result.commission - without


# ---- what-if --------------------------------------------------------------------------------------
def commission_at(pay: PeriodPay, credited: Decimal) -> Decimal:
    """The period's commission (bands, threshold, cap) had `credited` been credited."""
    if pay.plan is None or pay.quota <= 0:
        return ZERO
    return payout(pay.plan, pay.quota, max(ZERO, cents(credited))).result.commission


def what_if_more(pay: PeriodPay, extra: Any) -> Payout | None:
    """The period's projected payout with another `extra` booked on top of the projection."""
    if pay.plan is None or pay.quota <= 0 or pay.at_end is None:
        return None
    return _again(pay, pay.projected + cents(Decimal(str(extra))))


def what_if_attainment(pay: PeriodPay, attainment_pct: Any) -> Payout | None:
    """The period's payout had attainment reached `attainment_pct` percent of quota."""
    if pay.plan is None or pay.quota <= 0 or pay.at_end is None:
        return None
    return _again(pay, cents(pay.quota * Decimal(str(attainment_pct)) / 100))


def _again(pay: PeriodPay, credited: Decimal) -> Payout:
    end = pay.at_end
    return payout(pay.plan, pay.quota, max(ZERO, credited), draw_balance=end.draw.balance_before,
                  clawbacks=end.clawbacks, bonuses=end.bonuses)


def curve(pay: PeriodPay, what_if: Payout | None = None) -> tuple[list[tuple[Decimal, Decimal]],
                                                                  list[tuple[str, Decimal, Decimal]]]:
    """The period's payout curve (attainment %, commission) and the marks to put on it: now,
    projected, and a what-if when given. Empty without a plan or a quota."""
    if pay.plan is None or pay.quota <= 0 or pay.to_date is None:
        return [], []
    marks = [("Now", pay.attainment, pay.to_date.result.commission),
             ("Projected", pay.projected_attainment, pay.at_end.result.commission)]
    if what_if is not None:
        marks.append(("What-if", what_if.result.attainment_pct, what_if.result.commission))
    top = max([Decimal(200)] + [m[1] + 20 for m in marks])
    steps = [Decimal(x) for x in range(0, int(top) + 1, 2)]
    return payout_curve(pay.plan, pay.quota, steps), marks
