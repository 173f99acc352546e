"""Interactions: when we talked to whom, over the last 18 months, plus this month's visit plan.

Timing, per account: the *last* contact is set first (within the tier's contact policy for a
normally looked-after account; fixed by the story for the cast and the ~2% that slipped),
the earlier ones fall uniformly between the start of the window and that last contact. Key
accounts hear from us about twice a month, standard ones every couple of months. Who: the
account's owner at the time (before a handover, the previous owner). What was said:
lib.demo.reports. Weekends are moved to the Friday before.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib.demo import cast
from lib.demo.common import Clock, choose
from lib.demo.portfolio import POLICY_DAYS
from lib.demo.reports import write_planned, write_reports

TYPES = ("call", "meeting", "visit", "email", "demo", "qbr", "escalation")
TYPE_WEIGHTS = {
    "key": (0.25, 0.20, 0.15, 0.20, 0.05, 0.10, 0.05),
    "strategic": (0.30, 0.18, 0.10, 0.25, 0.07, 0.06, 0.04),
    "standard": (0.35, 0.12, 0.06, 0.32, 0.10, 0.00, 0.05),
    "prospect": (0.40, 0.10, 0.00, 0.30, 0.20, 0.00, 0.00),
}
PER_18_MONTHS = {"key": 30, "strategic": 15, "standard": 7, "prospect": 4}
WINDOW_DAYS = 548
PLANNED_SHARE = {"key": 0.40, "strategic": 0.30, "standard": 0.04}


def build_interactions(rng: np.random.Generator, clock: Clock, acc: pd.DataFrame,
                       contacts: pd.DataFrame, history: pd.DataFrame, scale: float = 1.0
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The interactions frame (positions as ids, sorted by time) and interaction_contacts;
    `scale` multiplies every account's contact rate (1.0 is the demo)."""
    kind = np.where(acc["status"].to_numpy() == "prospect", "prospect", acc["tier"].to_numpy())
    past = _past(rng, clock, acc, kind, history, scale)
    write_reports(rng, clock, acc, contacts, past)
    planned = _planned(rng, clock, acc)
    write_planned(rng, acc, contacts, planned)
    frame = pd.concat([past, planned], ignore_index=True)
    frame = frame.sort_values(["occurred_at", "account_id"], kind="stable", ignore_index=True)
    frame["id"] = np.arange(len(frame))
    return frame, _contact_links(rng, frame, contacts)


def _past(rng: np.random.Generator, clock: Clock, acc: pd.DataFrame, kind: np.ndarray,
          history: pd.DataFrame, scale: float = 1.0) -> pd.DataFrame:
    start, last = _window(rng, clock, acc, kind)
    span = (last - start).astype(int)
    rate = pd.Series(kind).map(PER_18_MONTHS).to_numpy() * np.maximum(span, 1) / WINDOW_DAYS
    if scale != 1.0:  # leave the demo's own arithmetic untouched
        rate = rate * scale
    counts = np.maximum(1, rng.poisson(rate))
    a = np.repeat(acc["id"].to_numpy(), counts)
    slot = np.arange(len(a)) - np.repeat(np.cumsum(counts) - counts, counts)
    day = start[a] + np.floor(rng.random(len(a)) * span[a]).astype("timedelta64[D]")
    day[slot == 0] = last[a][slot == 0]  # every account's most recent contact, as planned
    frame = pd.DataFrame({"account_id": a, "is_planned": False})
    frame["occurred_at"] = _working_hours(rng, _weekday(day), 8, 18)
    frame["manager_id"] = _owner_at(acc, history, a, day)
    frame["type"] = _types(rng, kind[a])
    frame["_last"] = slot == 0
    cast_escalation = frame["_last"] & (acc["name"].to_numpy()[a] == cast.AT_RISK_KEY)
    frame.loc[cast_escalation, "type"] = "escalation"
    return frame


def _window(rng: np.random.Generator, clock: Clock, acc: pd.DataFrame,
            kind: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First possible day and the day of the last contact, per account."""
    n = len(acc)
    yesterday = clock.today64 - 1
    start = np.full(n, clock.today64 - WINDOW_DAYS)
    won = acc["start_k"].to_numpy() > 0
    start[won] = np.maximum(start[won], clock.month_start(acc["start_k"].to_numpy()[won]))
    prospect = kind == "prospect"
    start[prospect] = clock.today64 - 180
    churned = acc["status"].to_numpy() == "churned"
    end = np.full(n, yesterday)
    churn_day = clock.month_start(np.minimum(acc["churn_k"].to_numpy(), len(clock.grid) - 1))
    end[churned] = np.minimum(churn_day[churned] + 15, yesterday)
    policy = pd.Series(kind).map({**POLICY_DAYS, "prospect": 50}).to_numpy()
    gap = 1 + np.floor(rng.random(n) * (0.8 * policy - 1)).astype(int)
    gap[churned] = 0
    silent = acc["silent_days"].to_numpy()
    gap = np.where(np.isnan(silent), gap, np.nan_to_num(silent)).astype(int)
    last = end - gap.astype("timedelta64[D]")
    return np.minimum(start, last - 1), last


def _weekday(day: np.ndarray) -> np.ndarray:
    """Saturday and Sunday contacts move to the Friday before."""
    dow = (day.astype("datetime64[D]").astype(int) + 3) % 7  # Monday = 0
    return day - np.where(dow >= 5, dow - 4, 0).astype("timedelta64[D]")


def _working_hours(rng: np.random.Generator, day: np.ndarray, first: int, last: int) -> np.ndarray:
    minutes = rng.integers(first, last, len(day)) * 60 + rng.integers(0, 4, len(day)) * 15
    return day.astype("datetime64[m]") + minutes.astype("timedelta64[m]")


def _owner_at(acc: pd.DataFrame, history: pd.DataFrame, a: np.ndarray,
              day: np.ndarray) -> np.ndarray:
    """The owner on that day: before a handover recorded in account_history, the old one."""
    owner = acc["owner_id"].to_numpy()
    handed = np.full(len(acc), np.datetime64("1900-01-01"), dtype="datetime64[D]")
    before = owner.copy()
    moves = history[history["field"] == "owner_id"]
    ix = moves["account_id"].to_numpy()
    handed[ix] = moves["changed_on"].to_numpy().astype("datetime64[D]")
    before[ix] = moves["old_owner"].to_numpy(dtype=int)
    return np.where(day < handed[a], before[a], owner[a])


def _types(rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
    out = np.empty(len(kind), dtype=object)
    for k, weights in TYPE_WEIGHTS.items():
        rows = kind == k
        out[rows] = choose(rng, TYPES, weights, int(rows.sum()))
    return out


def _planned(rng: np.random.Generator, clock: Clock, acc: pd.DataFrame) -> pd.DataFrame:
    """This month's visit plan: key and strategic customers mostly, never the silent ones."""
    share = acc["tier"].map(PLANNED_SHARE).to_numpy()
    eligible = (np.isin(acc["status"].to_numpy(), ["active", "at_risk"])
                & np.isnan(acc["silent_days"].to_numpy()))
    a = np.flatnonzero(eligible & (rng.random(len(acc)) < share))
    month_end = (clock.this_month + 1).astype("datetime64[D]") - 1
    days_left = max(int((month_end - clock.today64).astype(int)), 1)
    day = clock.today64 + 1 + np.floor(rng.random(len(a)) * days_left).astype("timedelta64[D]")
    dow = (day.astype(int) + 3) % 7
    day = day + np.where(dow == 5, 2, np.where(dow == 6, 1, 0)).astype("timedelta64[D]")
    return pd.DataFrame({
        "account_id": a, "is_planned": True,
        "occurred_at": _working_hours(rng, day, 9, 16),
        "manager_id": acc["owner_id"].to_numpy()[a],
        "type": choose(rng, ("visit", "meeting"), (0.8, 0.2), len(a)),
        "_last": False,
    })


def _contact_links(rng: np.random.Generator, frame: pd.DataFrame,
                   contacts: pd.DataFrame) -> pd.DataFrame:
    """The contact named in the notes is linked on most interactions; meetings, visits and
    QBRs sometimes list a second person from the same account."""
    n = len(frame)
    kind = frame["type"].to_numpy()
    first = frame["_contact"].to_numpy()
    linked = rng.random(n) < np.where(kind == "email", 0.5, 0.75)
    account = frame["account_id"].to_numpy()
    starts = np.searchsorted(contacts["account_id"].to_numpy(), account)
    counts = np.bincount(contacts["account_id"].to_numpy())[account]
    offset = (first - starts + 1 + np.floor(rng.random(n) * np.maximum(counts - 1, 1))
              .astype(int)) % counts
    second = (np.isin(kind, ["meeting", "visit", "qbr"]) & (counts > 1) & linked
              & (rng.random(n) < 0.25))
    links = pd.DataFrame({
        "interaction_id": np.concatenate([frame["id"].to_numpy()[linked],
                                          frame["id"].to_numpy()[second]]),
        "contact_id": np.concatenate([first[linked], (starts + offset)[second]]),
    })
    return links.drop_duplicates().sort_values(["interaction_id", "contact_id"],
                                               ignore_index=True)
