"""The customer's people: 1-5 contacts per account, the first one the primary decision maker."""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib.demo.common import ascii_lower, choose, digits, lookup, objects
from lib.demo.words import (CONTACT_ROLES, CONTACT_TITLES, COUNTRY_PHONE, CULTURE, FIRST_NAMES,
                            LAST_NAMES, pool)

# Contacts per account, [low, high): bigger customers mean more people we know.
CONTACT_COUNTS = {"key": (3, 6), "strategic": (2, 5), "standard": (1, 4), "prospect": (1, 3)}
ROLE_WEIGHTS = (0.15, 0.30, 0.25, 0.15, 0.15)  # order of CONTACT_ROLES, after the first


def build_contacts(rng: np.random.Generator, acc: pd.DataFrame) -> pd.DataFrame:
    kind = np.where(acc["status"] == "prospect", "prospect", acc["tier"])
    lo = lookup({k: v[0] for k, v in CONTACT_COUNTS.items()}, kind).astype(int)
    hi = lookup({k: v[1] for k, v in CONTACT_COUNTS.items()}, kind).astype(int)
    counts = rng.integers(lo, hi)
    account = np.repeat(acc["id"].to_numpy(), counts)
    slot = np.arange(len(account)) - np.repeat(np.cumsum(counts) - counts, counts)
    role = choose(rng, CONTACT_ROLES, ROLE_WEIGHTS, len(account))
    role[slot == 0] = "decision_maker"  # the person who signs is the one we call first
    country = acc["country"].to_numpy()[account]
    first, last = _names(rng, lookup(CULTURE, country))
    return pd.DataFrame({
        "id": np.arange(len(account)),
        "account_id": account,
        "name": first + " " + last,
        "first_name": first,
        "title": _titles(rng, role),
        "email": ascii_lower(first) + "." + ascii_lower(last) + "@"
                 + acc["domain"].to_numpy()[account],
        "phone": _phones(rng, country),
        "role": role,
        "is_primary": slot == 0,
    })


def _names(rng: np.random.Generator, culture: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    first, last = objects([""] * len(culture)), objects([""] * len(culture))
    for c in np.unique(culture):
        rows = culture == c
        firsts, lasts = objects(pool(FIRST_NAMES[c])), objects(pool(LAST_NAMES[c]))
        first[rows] = firsts[rng.integers(0, len(firsts), rows.sum())]
        last[rows] = lasts[rng.integers(0, len(lasts), rows.sum())]
    return first, last


def _titles(rng: np.random.Generator, role: np.ndarray) -> np.ndarray:
    title = objects([""] * len(role))
    for r, titles in CONTACT_TITLES.items():
        rows = role == r
        title[rows] = choose(rng, titles, None, int(rows.sum()))
    return title


def _phones(rng: np.random.Generator, country: np.ndarray) -> np.ndarray:
    phone = objects([""] * len(country))
    for c in np.unique(country):
        rows = country == c
        prefix, width = COUNTRY_PHONE[c]
        phone[rows] = prefix + digits(rng, int(rows.sum()), width)
    return phone
