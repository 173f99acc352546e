"""Targets: per account and per manager for the three calendar years ending with this one,
and a handful of this year's target edits.

Account targets are last year's modelled level for the same calendar month x (1 + 5..15%):
the same seasonality, and set before the year went well or badly. A manager's quota is the
sum of the book's account targets in the manager's salary currency, except for the two
deliberately over/under-allocated cast managers.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib.demo import cast
from lib.demo.common import Clock, round_to
from lib.demo.history import promotion_month
from lib.demo.money import CURRENCIES, Model
def account_targets(clock: Clock, acc: pd.DataFrame, model: Model) -> np.ndarray:
    """(n, 48) targets, NaN outside the target years or when the account is no customer.

    A target exists from the month the customer started until the month it left: finance
    takes a lost customer out of the targets, so churn shows as the fade before it, not as
    a year of zero against a full target.
    """
    k = np.arange(len(clock.grid))
    target = np.full(model.smooth.shape, np.nan)
    target[:, 12:] = round_to(model.smooth[:, :-12] * model.uplift[:, None], 10)
    customer = ((k[None, :] >= acc["start_k"].to_numpy()[:, None])
                & (k[None, :] < acc["churn_k"].to_numpy()[:, None])
                & (acc["status"].to_numpy() != "prospect")[:, None])
    target[~customer] = np.nan
    return target


def account_target_frame(clock: Clock, acc: pd.DataFrame, target: np.ndarray) -> pd.DataFrame:
    a, k = np.nonzero(~np.isnan(target))
    return pd.DataFrame({"account_id": a, "month": clock.month_start(k),
                         "amount": target[a, k], "currency": acc["currency"].to_numpy()[a]})


def manager_target_frame(clock: Clock, acc: pd.DataFrame, managers: pd.DataFrame,
                         target: np.ndarray, fx: np.ndarray) -> pd.DataFrame:
    """Each manager's quota: the sum of the book's account targets in the manager's salary
    currency, rounded to 100, with the deliberate over/under-allocation of the cast."""
    cur_row = {c: i for i, c in enumerate(CURRENCIES)}
    in_usd = np.nan_to_num(target) * fx[acc["currency"].map(cur_row).to_numpy()]
    team = managers[managers["id"] > 0]
    book = np.zeros((len(managers), len(clock.grid)))
    np.add.at(book, acc["owner_id"].to_numpy(), in_usd)
    book = book[team["id"].to_numpy()] / fx[team["salary_currency"].map(cur_row).to_numpy()]
    allocation = team["name"].map(cast.QUOTA_ALLOCATION).fillna(1.0).to_numpy()
    quota = round_to(np.nan_to_num(book[:, 12:]) * allocation[:, None], 100)
    m, k = np.nonzero(np.ones_like(quota, dtype=bool))
    return pd.DataFrame({
        "manager_id": team["id"].to_numpy()[m], "month": clock.month_start(k + 12),
        "amount": quota[m, k], "currency": team["salary_currency"].to_numpy()[m],
        "_name": team["name"].to_numpy()[m],
    })


REFORECAST_REASONS = (
    ("Q{q} reforecast: customer confirmed a bigger rollout", 1 / 1.10),
    ("Price increase agreed at renewal", 1 / 1.06),
    ("Customer budget freeze announced", 1.15),
    ("Project delayed to next year", 1.20),
)


def target_change_frame(rng: np.random.Generator, clock: Clock, acc: pd.DataFrame,
                        account_target: np.ndarray, manager_targets: pd.DataFrame) -> pd.DataFrame:
    """A handful of this year's target edits, each ending at today's value (new = current)."""
    k_this = 36 + np.arange(12)  # this calendar year on the grid
    quarter = min((clock.today.month - 1) // 3 + 2, 4)  # next quarter, Q4 at the latest
    k_quarter = 36 + 3 * (quarter - 1)
    names = acc["name"].to_numpy()
    promoted = int(np.flatnonzero(names == cast.PROMOTED_TO_KEY)[0])
    at_risk = int(np.flatnonzero(names == cast.AT_RISK_KEY)[0])
    k_promo = int(promotion_month(clock) - clock.grid_start)
    k_now = int(clock.this_month - clock.grid_start)
    rows = [
        ("account", promoted, k_promo, account_target[promoted, k_promo], 1 / 1.6, 10,
         "Promoted to key account: target rebased on the new run-rate"),
        ("account", at_risk, k_now, account_target[at_risk, k_now], 1.3, 10,
         "Cut after the critical service escalation: volumes at risk"),
    ]
    for name, factor, reason in (
        (cast.OVER_ALLOCATED_MANAGER, 1 / 1.15,
         f"Q{quarter} reforecast after the Sundara Textiles expansion"),
        (cast.UNDER_ALLOCATED_MANAGER, 1.08,
         "Territory rebalance: two Benelux accounts moved to another desk"),
    ):
        mine = manager_targets[(manager_targets["_name"] == name)
                               & (manager_targets["month"] == clock.month_start(k_quarter))]
        rows.append(("manager", int(mine["manager_id"].iloc[0]), k_quarter,
                     float(mine["amount"].iloc[0]), factor, 100, reason))
    rows += _random_changes(rng, acc, account_target, k_this, quarter)
    # The story edits happen after their cause: the promotion, and the escalation.
    days_ago = rng.integers(3, 90, len(rows))
    since_promotion = clock.today64 - promotion_month(clock).astype("datetime64[D]")
    days_ago[0] = max(int(since_promotion.astype(int)) - 3, 1)
    days_ago[1] = cast.AT_RISK_SILENT_DAYS - 10
    return _change_rows(clock, rows, days_ago)


def _random_changes(rng, acc, account_target, k_this, quarter) -> list[tuple]:
    eligible = np.flatnonzero(~acc["cast"].to_numpy()
                              & ~np.isnan(account_target[:, k_this]).any(axis=1))
    picked = rng.choice(eligible, min(4, len(eligible)), replace=False)
    out = []
    for i, a in enumerate(picked):  # four rows, not one per account: a fixed handful
        reason, factor = REFORECAST_REASONS[i % len(REFORECAST_REASONS)]
        k = int(rng.choice(k_this))
        out.append(("account", int(a), k, account_target[a, k], factor, 10,
                    reason.format(q=quarter)))
    return out


def _change_rows(clock: Clock, rows: list[tuple], days_ago: np.ndarray) -> pd.DataFrame:
    level, subject, k, new, factor, step, reason = (list(x) for x in zip(*rows))
    new = np.asarray(new, dtype=float)
    old = round_to(new * np.asarray(factor), 1) // np.asarray(step) * np.asarray(step)
    days_ago = days_ago.astype("timedelta64[D]")
    earliest = np.datetime64(f"{clock.year}-01-02", "D")
    on = np.maximum(clock.today64 - days_ago, min(earliest, clock.today64 - 1))
    return pd.DataFrame({
        "level": level, "subject_id": subject, "month": clock.month_start(np.asarray(k)),
        "old_amount": old, "new_amount": new, "reason": reason,
        "changed_at": on.astype("datetime64[s]") + np.timedelta64(10, "h"),
    })
