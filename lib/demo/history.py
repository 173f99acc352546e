"""account_history: tier promotions, owner changes and status changes, each consistent with
the account's current values (the last change of a field ends at today's value).

Owner rows carry manager *positions* in `old_owner`/`new_owner`; the loader writes them into
old_value/new_value as the managers' ids in text, as the schema expects.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from lib.demo import cast
from lib.demo.common import Clock


def promotion_month(clock: Clock) -> np.datetime64:
    """When the story account (story 5) became key: two months ago, but always this year."""
    return max(np.datetime64(f"{clock.year}-01", "M"), clock.this_month - 2)


def build_history(rng: np.random.Generator, clock: Clock, acc: pd.DataFrame,
                  managers: pd.DataFrame) -> pd.DataFrame:
    rows = pd.concat([
        _story_promotion(clock, acc),
        _past_promotions(rng, clock, acc),
        _owner_changes(rng, clock, acc, managers),
        _status_changes(rng, clock, acc),
    ], ignore_index=True)
    rows["changed_on"] = pd.to_datetime(rows["changed_on"]).astype("datetime64[s]")
    rows["changed_at"] = rows["changed_on"] + pd.Timedelta(hours=9)
    for col in ("old_owner", "new_owner"):
        rows[col] = rows[col].astype("Int64")
    return rows.sort_values(["changed_on", "account_id", "field"], kind="stable",
                            ignore_index=True)


def _rows(account, field, old, new, on, old_owner=None, new_owner=None) -> pd.DataFrame:
    n = len(account)
    return pd.DataFrame({
        "account_id": account, "field": field, "old_value": old, "new_value": new,
        "changed_on": on,
        "old_owner": [None] * n if old_owner is None else old_owner,
        "new_owner": [None] * n if new_owner is None else new_owner,
    })


def _story_promotion(clock: Clock, acc: pd.DataFrame) -> pd.DataFrame:
    """Story 5: standard -> strategic last year, strategic -> key this year."""
    ix = np.flatnonzero(acc["name"].to_numpy() == cast.PROMOTED_TO_KEY)
    to_key = promotion_month(clock).astype("datetime64[D]")
    to_strategic = (promotion_month(clock) - 10).astype("datetime64[D]")
    return _rows(np.repeat(ix, 2), "tier", ["standard", "strategic"], ["strategic", "key"],
                 [to_strategic, to_key])


def _past_promotions(rng: np.random.Generator, clock: Clock, acc: pd.DataFrame) -> pd.DataFrame:
    """Accounts marked `promoted`: strategic ones came from standard; key ones climbed both
    steps. All of these happened before this year (this year's promotion is the story's)."""
    ix = np.flatnonzero(acc["promoted"].to_numpy())
    is_key = acc["tier"].to_numpy()[ix] == "key"
    jan = np.datetime64(date(clock.year, 1, 1), "D")
    last_step = jan - rng.integers(30, 330, len(ix)).astype("timedelta64[D]")
    first_step = last_step - rng.integers(180, 420, len(ix)).astype("timedelta64[D]")
    to_strategic = _rows(ix, "tier", "standard", "strategic",
                         np.where(is_key, first_step, last_step))
    to_key = _rows(ix[is_key], "tier", "strategic", "key", last_step[is_key])
    return pd.concat([to_strategic, to_key], ignore_index=True)


def _owner_changes(rng: np.random.Generator, clock: Clock, acc: pd.DataFrame,
                   managers: pd.DataFrame) -> pd.DataFrame:
    """~4% of customers were handed over from another manager within the last two years."""
    team = managers.loc[managers["id"] > 0, "id"].to_numpy()
    free = ~acc["cast"].to_numpy() & (acc["status"].to_numpy() != "prospect")
    ix = np.flatnonzero(free & (rng.random(len(acc)) < 0.04))
    current = acc["owner_id"].to_numpy()[ix]
    at = np.searchsorted(team, current)  # team ids are sorted positions
    previous = team[(at + 1 + rng.integers(0, len(team) - 1, len(ix))) % len(team)]
    k = rng.integers(clock.k_last - 22, clock.k_last + 1, len(ix))
    return _rows(ix, "owner_id", None, None, clock.month_start(k), previous, current)


def _status_changes(rng: np.random.Generator, clock: Clock, acc: pd.DataFrame) -> pd.DataFrame:
    status, start_k = acc["status"].to_numpy(), acc["start_k"].to_numpy()
    won = np.flatnonzero(start_k > 0)
    churned = np.flatnonzero(status == "churned")
    at_risk = np.flatnonzero(status == "at_risk")
    flagged_k = clock.k_last - rng.integers(0, 3, len(at_risk))
    flagged_k[acc["name"].to_numpy()[at_risk] == cast.AT_RISK_KEY] = clock.k_last - 1
    return pd.concat([
        _rows(won, "status", "prospect", "active", clock.month_start(start_k[won])),
        _rows(churned, "status", "active", "churned",
              clock.month_start(acc["churn_k"].to_numpy()[churned])),
        _rows(at_risk, "status", "active", "at_risk", clock.month_start(flagged_k)),
    ], ignore_index=True)
