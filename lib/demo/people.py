"""The team: the director, the account managers, the app's users and their commission plans.

Frames use positions for references: managers row 0 is the director, rows 1.. are managers;
`reports_to`, `manager_id` and `plan_id` hold positions that the loader maps to ids.
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from lib.demo import cast
from lib.demo.common import Clock, ascii_lower, objects, zero_pad
from lib.demo.words import FIRST_NAMES, LAST_NAMES, REGION_WEIGHTS, REGIONS, pool

TITLES = ("Junior AM", "Account Manager", "Senior AM", "Key Account Manager", "Strategic AM",
          "National AM", "Global AM", "Technical AM", "Client Success Manager")
TITLE_LEVEL = {"Junior AM": "junior", "Account Manager": "mid", "Technical AM": "mid",
               "Client Success Manager": "mid"}  # every other title is senior
REGION_HOME = {"North America": ("United States", "USD", "us"),
               "UK & Ireland": ("United Kingdom", "GBP", "uk"),
               "Europe": ("United Kingdom", "GBP", "uk"),  # the Europe desk sits in London
               "India": ("India", "INR", "in")}
# Base salary ranges by currency and level, from the market references in PRODUCT.md
# (India: 4-6 LPA entry, 7-10 mid, 12-15 experienced).
SALARY = {("USD", "junior"): (52_000, 58_000, 500), ("USD", "mid"): (58_000, 66_000, 500),
          ("USD", "senior"): (66_000, 75_000, 500), ("GBP", "junior"): (30_000, 33_000, 500),
          ("GBP", "mid"): (33_000, 38_000, 500), ("GBP", "senior"): (38_000, 45_000, 500),
          ("INR", "junior"): (400_000, 600_000, 10_000),
          ("INR", "mid"): (700_000, 1_000_000, 10_000),
          ("INR", "senior"): (1_200_000, 1_500_000, 10_000)}
EXPERIENCE_YEARS = {"junior": (0.5, 2.5), "mid": (3, 6.5), "senior": (7, 15)}
DRAW_PER_QUARTER = {"USD": 1_500, "GBP": 900, "INR": 40_000}


def build_managers(rng: np.random.Generator, clock: Clock, count: int) -> pd.DataFrame:
    """Director (row 0), the four cast managers, then `count - 4` drawn managers."""
    regions = [c.region for c in cast.CAST_MANAGERS] + _spare_regions(count)
    titles = [c.role_title for c in cast.CAST_MANAGERS] + _titles(rng, count - 4)
    names = [c.name for c in cast.CAST_MANAGERS] + _names(rng, regions[4:])
    home = [REGION_HOME[r] for r in regions]
    team = pd.DataFrame({
        "name": names, "role_title": titles, "region": regions,
        "country": [h[0] for h in home], "salary_currency": [h[1] for h in home],
    })
    team["level"] = team["role_title"].map(lambda t: TITLE_LEVEL.get(t, "senior"))
    years = _experience(rng, team["level"].to_numpy())
    team["hire_date"] = _hire_dates(rng, clock, years)
    team["base_salary"] = _salaries(rng, team)
    team["reports_to"] = 0
    staff = pd.concat([_director(clock), team], ignore_index=True)
    staff["reports_to"] = staff["reports_to"].astype("Int64")
    staff["id"] = np.arange(len(staff))
    staff["email"] = _emails(staff["name"].to_numpy())
    staff["external_id"] = "EMP-" + pd.Series(zero_pad(np.arange(1, len(staff) + 1), 4))
    staff["active"] = True
    return staff


def _director(clock: Clock) -> pd.DataFrame:
    return pd.DataFrame({
        "name": [cast.DIRECTOR], "role_title": ["Account Director"], "region": ["North America"],
        "country": ["United States"], "salary_currency": ["USD"], "level": ["lead"],
        "hire_date": [np.datetime64(clock.today.replace(day=1) - timedelta(days=9 * 365), "D")],
        "base_salary": [98_000.0], "reports_to": [pd.NA],
    })


def _spare_regions(count: int) -> list[str]:
    """Regions of the drawn managers: the team mirrors the portfolio's regional mix."""
    quota = np.maximum(1, np.floor(np.asarray(REGION_WEIGHTS) * count)).astype(int)
    while quota.sum() < count:  # hand out the remainder to the biggest regions first
        quota[np.argmax(np.asarray(REGION_WEIGHTS) * count - quota)] += 1
    quota -= 1  # each region already has one cast manager
    return [r for r, q in zip(REGIONS, quota) for _ in range(q)]


def _titles(rng: np.random.Generator, k: int) -> list[str]:
    """The titles the cast does not hold first, then a shuffled, even spread of all nine."""
    missing = [t for t in TITLES if t not in {c.role_title for c in cast.CAST_MANAGERS}]
    rest = [TITLES[i] for i in rng.permutation(np.resize(np.arange(len(TITLES)), max(k, 1)))]
    return (missing + rest)[:k]


def _names(rng: np.random.Generator, regions: list[str]) -> list[str]:
    """Unique 'First Last' names fitting each manager's country, never a cast name."""
    taken = {c.name for c in cast.CAST_MANAGERS} | {cast.DIRECTOR, cast.FINANCE_ADMIN}
    out: list[str] = [""] * len(regions)
    for culture in ("us", "uk", "in"):
        rows = [i for i, r in enumerate(regions) if REGION_HOME[r][2] == culture]
        first, last = pool(FIRST_NAMES[culture]), pool(LAST_NAMES[culture])
        combos = rng.permutation(len(first) * len(last))
        names = (f"{first[c // len(last)]} {last[c % len(last)]}" for c in combos)
        fresh = [n for n in names if n not in taken][: len(rows)]
        for i, name in zip(rows, fresh):
            out[i] = name
    return out


def _experience(rng: np.random.Generator, levels: np.ndarray) -> np.ndarray:
    lo = np.array([EXPERIENCE_YEARS[lv][0] for lv in levels])
    hi = np.array([EXPERIENCE_YEARS[lv][1] for lv in levels])
    return lo + rng.random(len(levels)) * (hi - lo)


def _hire_dates(rng: np.random.Generator, clock: Clock, years: np.ndarray) -> np.ndarray:
    """Hired some time within their career, but before the comp plans started (last Jan)."""
    tenure_days = (0.4 + rng.random(len(years)) * 0.6) * years * 365
    hired = clock.days_ago(tenure_days.astype(int))
    latest = np.datetime64(date(clock.year - 1, 1, 1), "D") - 30
    return np.minimum(hired, latest)


def _salaries(rng: np.random.Generator, team: pd.DataFrame) -> np.ndarray:
    spec = [SALARY[(c, lv)] for c, lv in zip(team["salary_currency"], team["level"])]
    lo, hi, step = (np.array(x, dtype=float) for x in zip(*spec))
    return np.floor((lo + rng.random(len(team)) * (hi - lo)) / step) * step


def _emails(names: np.ndarray) -> np.ndarray:
    first = ascii_lower(objects([n.split(" ")[0] for n in names]))
    last = ascii_lower(objects([n.split(" ", 1)[1] for n in names]))
    return first + "." + last + "@" + cast.EMAIL_DOMAIN


def build_users(managers: pd.DataFrame) -> pd.DataFrame:
    """One login per manager and for the director, plus finance and the meeting-room screen."""
    people = pd.DataFrame({
        "email": managers["email"],
        "display_name": managers["name"],
        "role": np.where(managers["id"] == 0, "director", "manager"),
        "manager_id": managers["id"].astype("Int64"),
    })
    others = pd.DataFrame({
        "email": [f"fiona.finch@{cast.EMAIL_DOMAIN}", f"meeting.room@{cast.EMAIL_DOMAIN}"],
        "display_name": [cast.FINANCE_ADMIN, cast.MEETING_ROOM],
        "role": ["admin", "viewer"],
        "manager_id": pd.array([pd.NA, pd.NA], dtype="Int64"),
    })
    users = pd.concat([people, others], ignore_index=True)
    users["password_hash"] = pd.Series([None] * len(users), dtype="str")
    users["active"] = True
    return users
