"""Shared helpers for the demo generator: the calendar every date hangs off, random streams,
weighted picks and vectorised text templates.

Conventions used across lib.demo: strings live in numpy *object* arrays (so `a + " " + b` is
an element-wise concatenation done in C), months are numpy `datetime64[M]`, days
`datetime64[D]`, and references between generated frames are *positions* (0..n-1) that the
loader turns into database ids at insert time.
"""
from __future__ import annotations

import re
import zlib
from datetime import date
from typing import Sequence

import numpy as np

# Reference rates used to size amounts in each currency (FX rows drift around these).
REF_USD_PER_UNIT = {"USD": 1.0, "GBP": 1.275, "EUR": 1.085, "INR": 0.0120}

GRID_MONTHS = 48  # Jan of (year - 3) .. Dec of the current year


class Clock:
    """Every date in the demo is relative to `today`.

    `grid` is the modelling calendar: 48 months from January three years ago through December
    of this year. Revenue is emitted for the 36 months ending with the last complete month;
    targets for the three calendar years ending with this one. The *story year* is the year
    of the last complete month: in January that is last year, so "year to date" always holds
    at least one closed month and the stories have something to show.
    """

    def __init__(self, today: date) -> None:
        self.today = today
        self.today64 = np.datetime64(today, "D")
        self.year = today.year
        self.this_month = np.datetime64(today, "M")
        self.last_month = self.this_month - 1
        self.grid_start = np.datetime64(f"{self.year - 3}-01", "M")
        self.grid = self.grid_start + np.arange(GRID_MONTHS)
        self.k_last = int(self.last_month - self.grid_start)
        self.k_revenue_first = self.k_last - 35
        self.story_year = int(str(self.last_month)[:4])
        self.k_story_start = int(np.datetime64(f"{self.story_year}-01", "M") - self.grid_start)

    @property
    def calendar_month(self) -> np.ndarray:
        """0..11 for each grid month (January = 0)."""
        return self.grid.astype(int) % 12

    @property
    def grid_year(self) -> np.ndarray:
        return self.grid.astype(int) // 12 + 1970

    def month_start(self, k: np.ndarray) -> np.ndarray:
        """First day of grid month k, as datetime64[D]."""
        return self.grid[k].astype("datetime64[D]")

    def month_end(self, k: np.ndarray) -> np.ndarray:
        return (self.grid[k] + 1).astype("datetime64[D]") - 1

    def days_ago(self, days: np.ndarray | int) -> np.ndarray:
        return self.today64 - np.asarray(days).astype("timedelta64[D]")


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream per part of the demo.

    Each generator draws from its own stream, so adding a draw in one part never shifts the
    numbers (and thus the stories) of another.
    """
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def objects(values: Sequence) -> np.ndarray:
    """A 1-d object array (numpy would turn a list of str into fixed-width unicode)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def lookup(mapping: dict, keys: np.ndarray) -> np.ndarray:
    """mapping[k] for every element, as an object array (a vectorised dict lookup)."""
    import pandas as pd

    return objects(pd.Series(keys, dtype=object).map(mapping).tolist())


def choose(rng: np.random.Generator, options: Sequence, weights: Sequence[float] | None,
           size: int) -> np.ndarray:
    """`size` picks from `options` (object array), optionally weighted."""
    p = None
    if weights is not None:
        p = np.asarray(weights, dtype=float)
        p = p / p.sum()
    return objects(options)[rng.choice(len(options), size=size, p=p)]


def choose_per_row(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One index per row of an (n, k) probability matrix: each row has its own weights."""
    cumulative = probabilities.cumsum(axis=1)
    cumulative /= cumulative[:, -1:]
    u = rng.random(len(probabilities))[:, None]
    return np.minimum((u > cumulative).sum(axis=1), probabilities.shape[1] - 1)


_FIELD = re.compile(r"\{(\w+)\}")


def fill(templates: Sequence[str], which: np.ndarray, **fields: np.ndarray) -> np.ndarray:
    """Render `templates[which[i]]` with `fields[name][i]` for every row.

    Loops over the (few) templates, never over rows: each template is split into literal
    parts and field names, and the rows that use it are concatenated column-wise.
    """
    out = np.empty(len(which), dtype=object)
    for t in np.unique(which):
        rows = np.flatnonzero(which == t)
        parts = _FIELD.split(templates[t])  # literal, field, literal, field, ..., literal
        text = np.full(len(rows), parts[0], dtype=object)
        for i in range(1, len(parts), 2):
            text = text + fields[parts[i]][rows] + parts[i + 1]
        out[rows] = text
    return out


def ascii_lower(values: np.ndarray) -> np.ndarray:
    """'Müller-Lüdenscheidt' -> 'mullerludenscheidt', for e-mail addresses and domains."""
    import pandas as pd  # local: only the string accessor is needed

    s = pd.Series(values, dtype="str")
    s = s.str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
    return objects(s.str.lower().str.replace(r"[^a-z]", "", regex=True).tolist())


def digits(rng: np.random.Generator, size: int, width: int) -> np.ndarray:
    """Random zero-padded digit strings of a fixed width."""
    return zero_pad(rng.integers(0, 10**width, size=size), width)


def zero_pad(numbers: np.ndarray, width: int) -> np.ndarray:
    return objects(np.char.zfill(np.asarray(numbers).astype(str), width).tolist())


def round_to(values: np.ndarray, step: float) -> np.ndarray:
    return np.round(np.asarray(values, dtype=float) / step) * step


def to_money(cents: np.ndarray) -> np.ndarray:
    """Integer cents -> float with exactly two decimals (DuckDB's DECIMAL cast keeps them)."""
    return np.asarray(cents, dtype=np.int64) / 100.0
