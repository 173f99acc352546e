"""Revenue and FX, from one monthly model per account.

The model is an (accounts x 48 months) matrix over the Clock's grid:
    smooth = base (own currency) x seasonality x exp(growth x years from the last month)
    actual = smooth x story factors x noise
Revenue rows are `actual` over the 36-month window; targets (lib.demo.targets) are built
from `smooth`, so they know nothing of the stories.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.demo import cast
from lib.demo.common import Clock, objects, to_money
from lib.demo.portfolio import base_local

# Q4 peak, summer dip; normalised so a year's months average 1.
SEASON = np.array([0.92, 0.95, 1.02, 0.98, 1.00, 0.95, 0.86, 0.84, 1.00, 1.08, 1.15, 1.25])
SEASON = SEASON / SEASON.mean()
FX_BANDS = {"GBP": (1.25, 1.30), "EUR": (1.05, 1.12), "INR": (0.0118, 0.0122)}
AT_RISK_DROP, CAST_AT_RISK_DROP = 0.70, 0.40  # last three months vs the model


@dataclass
class Model:
    smooth: np.ndarray   # (n, 48) own currency, no story, no noise
    actual: np.ndarray   # (n, 48) what was invoiced; 0 where not a customer
    uplift: np.ndarray   # (n,) target growth over last year's level


CURRENCIES = ("USD", "GBP", "EUR", "INR")


def build_fx(rng: np.random.Generator, clock: Clock) -> np.ndarray:
    """Gently drifting monthly rates within their bands, from the first revenue month
    through December (future months are the finance team's planning rates)."""
    fx = np.full((len(CURRENCIES), len(clock.grid)), np.nan)
    span = slice(clock.k_revenue_first, len(clock.grid))
    months = len(clock.grid) - clock.k_revenue_first
    fx[0, span] = 1.0
    for row, cur in enumerate(CURRENCIES[1:], start=1):
        lo, hi = FX_BANDS[cur]
        walk = np.cumsum(rng.normal(0, 0.35, months))
        walk = (walk - walk.mean()) / (np.abs(walk - walk.mean()).max() + 1e-9)
        fx[row, span] = np.round((lo + hi) / 2 + (hi - lo) / 2 * 0.95 * walk, 6)
    return fx


def fx_frame(clock: Clock, fx: np.ndarray) -> pd.DataFrame:
    cur, k = np.nonzero(~np.isnan(fx))
    return pd.DataFrame({"currency": objects(CURRENCIES)[cur],
                         "month": clock.month_start(k), "usd_per_unit": fx[cur, k]})


def build_model(rng: np.random.Generator, clock: Clock, acc: pd.DataFrame) -> Model:
    k = np.arange(len(clock.grid))
    years = (k - clock.k_last) / 12.0
    trend = np.exp(acc["growth"].to_numpy()[:, None] * years[None, :])
    smooth = base_local(acc)[:, None] * SEASON[clock.calendar_month][None, :] * trend
    noise = rng.lognormal(0.0, 0.07, smooth.shape)
    actual = smooth * _story_factors(clock, acc) * noise
    uplift = 1 + rng.uniform(0.05, 0.15, len(acc))
    return Model(smooth, actual, uplift)


def _story_factors(clock: Clock, acc: pd.DataFrame) -> np.ndarray:
    k = np.arange(len(clock.grid))[None, :]
    story = acc["story"].to_numpy()[:, None]
    start, churn = acc["start_k"].to_numpy()[:, None], acc["churn_k"].to_numpy()[:, None]
    f = np.ones((len(acc), len(clock.grid)))
    f[np.broadcast_to(story == "prospect", f.shape)] = 0.0
    # New customers ramp up over their first three months.
    ramp = np.select([k < start, k == start, k == start + 1, k == start + 2],
                     [0.0, 0.4, 0.7, 0.9], 1.0)
    # Churners fade over the six months before they leave, then stop.
    fade = np.where(k >= churn, 0.0, np.where(k >= churn - 6, 1 - 0.4 * (k - churn + 7) / 7, 1))
    drop = np.where(acc["name"].to_numpy() == cast.AT_RISK_KEY, CAST_AT_RISK_DROP, AT_RISK_DROP)
    recent = (story == "at_risk_drop") & (k > clock.k_last - 3)
    momentum = np.where(k >= clock.k_story_start, acc["momentum"].to_numpy()[:, None], 1.0)
    return f * ramp * fade * np.where(recent, drop[:, None], 1.0) * momentum


def revenue_frame(clock: Clock, acc: pd.DataFrame, model: Model) -> pd.DataFrame:
    window = np.zeros(len(clock.grid), dtype=bool)
    window[clock.k_revenue_first: clock.k_last + 1] = True
    cents = np.round(model.actual * 100).astype(np.int64)
    a, k = np.nonzero((cents > 0) & window[None, :])
    return pd.DataFrame({
        "account_id": a, "month": clock.month_start(k), "amount": to_money(cents[a, k]),
        "currency": acc["currency"].to_numpy()[a], "_k": k, "_cents": cents[a, k],
    })
