"""Wall-clock time as a person types and reads it, against the naive UTC the database stores."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

UTC = ZoneInfo("UTC")


def zone(name: str | None) -> ZoneInfo:
    """The named time zone (a browser reports e.g. 'Europe/London'); UTC when unknown."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def to_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    """A local date and time -> the naive UTC timestamp to store."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(timezone.utc).replace(tzinfo=None)


def to_local(stored: datetime, tz: ZoneInfo) -> datetime:
    """A stored naive UTC timestamp -> naive local wall-clock time."""
    return stored.replace(tzinfo=timezone.utc).astimezone(tz).replace(tzinfo=None)


def now_local(tz: ZoneInfo) -> datetime:
    return datetime.now(timezone.utc).astimezone(tz).replace(tzinfo=None)


def column_to_local(values: pd.Series, tz: ZoneInfo) -> pd.Series:
    """A column of stored UTC timestamps as local wall-clock times (NaT stays NaT)."""
    stamps = pd.to_datetime(values)
    return stamps.dt.tz_localize("UTC").dt.tz_convert(tz).dt.tz_localize(None)
