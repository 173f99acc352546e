"""Dates written as Unix timestamps: seconds since 1 January 1970 UTC in 10 digits (Stripe and
most APIs: 1706745600) or milliseconds in 13 (HubSpot's exports: 1706745600000).

A column is read so as a whole or not at all: every value a plain integer, all of one length
(the unit is the column's, never guessed cell by cell) and all in the plausible years. A mix of
10 and 13 digits stays errors, each saying what its value would be in its own unit. A timestamp
is a moment in UTC, so the day and the month it gives are UTC's, as for a time written with `Z`.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.importing.values import arrow_text

UNITS = {10: "s", 13: "ms"}
UNIT_WORDS = {"s": "seconds", "ms": "milliseconds"}
# Plain integers of 10 or 13 digits, no leading zero (RE2 too: no \d)
_EPOCH = re.compile(r"[1-9][0-9]{9}(?:[0-9]{3})?")


def epoch_column(filled: pd.Series, years: tuple[int, int]) -> tuple[np.ndarray | None, str | None]:
    """`filled`: a column's distinct texts, trimmed, without the empty ones. When every one is a
    Unix timestamp of one unit in `years` (from, before): their moments (naive UTC,
    datetime64[us]) and a note saying so. When they all look like timestamps but are not read
    as them: None and a note saying why. Otherwise (None, None). Only the first text is looked
    at in a column of anything else, so those columns pay nothing for this."""
    if not len(filled) or not _EPOCH.fullmatch(filled.iat[0]):
        return None, None
    text = arrow_text(filled)
    if not pc.all(pc.match_substring_regex(text, f"^(?:{_EPOCH.pattern})$")).as_py():
        return None, None
    lengths = pc.utf8_length(text).to_numpy()
    if (lengths != lengths[0]).any():
        return None, ("Its numbers look like Unix timestamps, but some are in seconds (10 "
                      "digits) and some in milliseconds (13 digits), so they were not read as "
                      "dates: export them in one unit.")
    unit = UNITS[int(lengths[0])]
    moments = pc.cast(text, pa.int64()).to_numpy().astype(f"datetime64[{unit}]")
    year = moments.astype("datetime64[Y]").astype(np.int64) + 1970
    if ((year < years[0]) | (year >= years[1])).any():
        return None, (f"Its numbers look like Unix timestamps in {UNIT_WORDS[unit]}, but some "
                      f"fall outside {years[0]} to {years[1] - 1}, so they were not read as dates.")
    return (moments.astype("datetime64[us]"),
            f"The column holds Unix timestamps in {UNIT_WORDS[unit]}; they were read as UTC dates.")


def epoch_words(text: str) -> str | None:
    """For a lone number that looks like a Unix timestamp: the error, saying the day it would be."""
    if not _EPOCH.fullmatch(text):
        return None
    unit = UNITS[len(text)]
    moment = np.datetime64(int(text), unit).astype("datetime64[D]").item()
    return (f"a number, not a date (as a Unix timestamp in {UNIT_WORDS[unit]} it would be "
            f"{moment:%d %b %Y})")
