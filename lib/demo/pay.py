"""Commission plans: one per (role title, currency) the team actually uses.

All plans pay quarterly against the manager's targets, marginally by attainment band
(0-100% at 6-8%, 100-120% at 10-12%, 120%+ at 14-16%). To give the compensation pages
every rule to show, exactly one plan is retroactive (the Account Manager plan), one caps
commission at 2x target commission (Senior AM), one pays a recoverable quarterly draw
(Junior AM), and junior and mid plans pay nothing below 50% attainment.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from lib.demo.common import Clock
from lib.demo.people import DRAW_PER_QUARTER, TITLE_LEVEL, TITLES

BAND_LIMITS = ((0.0, 100.0), (100.0, 120.0), (120.0, None))
BAND_RATES = ((6.0, 8.0), (10.0, 12.0), (14.0, 16.0))  # pct, drawn in 0.5 steps
RETROACTIVE_TITLE, CAPPED_TITLE, DRAW_TITLE = "Account Manager", "Senior AM", "Junior AM"


def build_plans(managers: pd.DataFrame) -> pd.DataFrame:
    team = managers[managers["id"] > 0]
    used = team[["role_title", "salary_currency"]].drop_duplicates()
    used = used.assign(order=used["role_title"].map(TITLES.index))
    used = used.sort_values(["order", "salary_currency"]).reset_index(drop=True)
    plans = pd.DataFrame({
        "id": np.arange(len(used)),
        "name": used["role_title"] + " commission plan (" + used["salary_currency"] + ")",
        "role_title": used["role_title"],
        "currency": used["salary_currency"],
        "period": "quarter",
        "method": "marginal",
    })
    junior_or_mid = plans["role_title"].map(lambda t: t in TITLE_LEVEL)
    plans["threshold_pct"] = np.where(junior_or_mid, 50.0, np.nan)
    plans["cap_kind"] = pd.Series([None] * len(plans), dtype="str")
    plans["cap_value"] = np.nan
    plans["hard_stop_pct"] = np.nan
    plans["draw_amount"] = np.nan
    plans["draw_recoverable"] = pd.array([pd.NA] * len(plans), dtype="boolean")
    _give_special_rules(plans)
    return plans


def _give_special_rules(plans: pd.DataFrame) -> None:
    """Exactly one plan each with the retroactive method, a cap, and a recoverable draw."""
    taken: set[int] = set()
    retro = _first_plan(plans, RETROACTIVE_TITLE, taken)
    plans.loc[retro, "method"] = "retroactive"
    capped = _first_plan(plans, CAPPED_TITLE, taken)
    plans.loc[capped, ["cap_kind", "cap_value"]] = ["multiple", 2.0]
    draw = _first_plan(plans, DRAW_TITLE, taken)
    plans.loc[draw, "draw_amount"] = float(DRAW_PER_QUARTER[plans.loc[draw, "currency"]])
    plans.loc[draw, "draw_recoverable"] = True


def _first_plan(plans: pd.DataFrame, title: str, taken: set[int]) -> int:
    """The first plan for `title`; if the team has none, the first plan not yet special."""
    candidates = [i for i in plans.index[plans["role_title"] == title] if i not in taken]
    pick = candidates[0] if candidates else next(i for i in plans.index if i not in taken)
    taken.add(pick)
    return int(pick)


def build_bands(rng: np.random.Generator, plans: pd.DataFrame) -> pd.DataFrame:
    n = len(plans)
    frames = []
    for (lower, upper), (lo, hi) in zip(BAND_LIMITS, BAND_RATES):
        steps = int((hi - lo) / 0.5) + 1
        frames.append(pd.DataFrame({
            "plan_id": plans["id"].to_numpy(),
            "lower_pct": lower,
            "upper_pct": np.nan if upper is None else upper,
            "rate_pct": lo + 0.5 * rng.integers(0, steps, size=n),
        }))
    return pd.concat(frames, ignore_index=True).sort_values(["plan_id", "lower_pct"])


def build_assignments(clock: Clock, managers: pd.DataFrame, plans: pd.DataFrame) -> pd.DataFrame:
    """Every manager on the plan of their title and currency since January last year."""
    team = managers[managers["id"] > 0]
    key = plans.set_index(["role_title", "currency"])["id"]
    plan_ix = key.loc[list(zip(team["role_title"], team["salary_currency"]))].to_numpy()
    return pd.DataFrame({
        "manager_id": team["id"].to_numpy(),
        "plan_id": plan_ix,
        "effective_from": np.datetime64(date(clock.year - 1, 1, 1), "D"),
        "base_salary": team["base_salary"].to_numpy(),
    })
