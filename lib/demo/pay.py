"""Commission plans: one per (role title, currency) the team actually uses.

All plans pay quarterly against the manager's targets, marginally by attainment band
(0-100%, 100-120% at 1.5x that rate, 120%+ at 2x), at rates that make target commission a
survey-like share of base salary. To give the compensation pages
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
ACCELERATORS = (1.0, 1.5, 2.0)  # each band's rate as a multiple of the first band's
TARGET_SHARE = (0.25, 0.40)  # commission at target as a share of base, drawn per plan
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


def build_bands(rng: np.random.Generator, plans: pd.DataFrame, managers: pd.DataFrame,
                quotas: pd.DataFrame, year: int) -> pd.DataFrame:
    """Three bands per plan, rates set so that 100% attainment pays a commission of about
    TARGET_SHARE of base salary (the surveys in PRODUCT.md: $18,000 on $63,297 is 28%,
    $20,818 on $52,744 is 39%) for the plan's typical manager, with accelerators above target.

    Books differ a hundredfold between managers, so a rate in percent of revenue only makes
    sense against the quota it is earned on: the plan's median yearly quota (`year`'s).
    """
    team = managers[managers["id"] > 0]
    yearly = quotas[pd.to_datetime(quotas["month"]).dt.year == year]
    quota = yearly.groupby("manager_id")["amount"].sum()
    frames = []
    for plan in plans.itertuples():
        on_plan = team[(team["role_title"] == plan.role_title)
                       & (team["salary_currency"] == plan.currency)]
        median_quota = float(quota.reindex(on_plan["id"]).median())
        median_base = float(on_plan["base_salary"].median())
        share = rng.uniform(*TARGET_SHARE)
        first = round(100 * share * median_base / median_quota, 4) if median_quota > 0 else 1.0
        for (lower, upper), step in zip(BAND_LIMITS, ACCELERATORS):
            frames.append({"plan_id": plan.id, "lower_pct": lower,
                           "upper_pct": np.nan if upper is None else upper,
                           "rate_pct": min(100.0, round(first * step, 4))})
    return pd.DataFrame(frames).sort_values(["plan_id", "lower_pct"], ignore_index=True)


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
