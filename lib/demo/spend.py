"""Budgets of the key and strategic customers: what we plan to spend on each, and spend.

Budgets cover all twelve months of the current calendar year (and, in January, of last year
too, so the story year always has closed months). Spend is recorded for closed months only;
ordinary accounts spend 60-115% of budget, the story account (4) overruns travel and events
by 50-70%.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib.demo import cast
from lib.demo.common import Clock, objects, round_to
from lib.demo.money import Model

# Budget per category as a share of the account's expected monthly revenue.
CATEGORY_SHARE = {"marketing": 0.012, "travel": 0.008, "events": 0.006, "discounts": 0.015}
OVERRUN = (1.50, 1.70)


def budget_frame(rng: np.random.Generator, clock: Clock, acc: pd.DataFrame,
                 model: Model) -> pd.DataFrame:
    accounts = np.flatnonzero(np.isin(acc["tier"].to_numpy(), ["key", "strategic"])
                              & np.isin(acc["status"].to_numpy(), ["active", "at_risk"]))
    years = sorted({clock.story_year, clock.year})
    months = np.concatenate([(y - clock.year + 3) * 12 + np.arange(12) for y in years])
    categories = objects(list(CATEGORY_SHARE))
    shares = np.array(list(CATEGORY_SHARE.values()))
    # One row per (account, category, month), in that order.
    a = np.repeat(accounts, len(categories) * len(months))
    c = np.tile(np.repeat(np.arange(len(categories)), len(months)), len(accounts))
    k = np.tile(months, len(accounts) * len(categories))
    budget = round_to(model.smooth[a, k] * shares[c], 10)
    closed = k <= clock.k_last
    ratio = rng.uniform(0.60, 1.15, len(a))
    overrun = ((acc["name"].to_numpy()[a] == cast.OVER_BUDGET_KEY)
               & np.isin(categories[c], cast.OVERRUN_CATEGORIES))
    ratio[overrun] = rng.uniform(*OVERRUN, int(overrun.sum()))
    spend = np.where(closed, np.round(budget * ratio, 2), 0.0)
    return pd.DataFrame({
        "account_id": a, "category": categories[c], "month": clock.month_start(k),
        "budget": budget, "spend": spend, "currency": acc["currency"].to_numpy()[a],
    })
