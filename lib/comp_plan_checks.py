"""What a compensation plan must look like as a person types it: its fields, its bands and the
date a revision applies from, each problem in words. Pure: no database."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd

from lib.comp_plans import PERIODS_PER_YEAR, engine_plan
from lib.commission import Band
from lib.commission_rules import validate_plan
from lib.commission_text import pct
from lib.models import CURRENCIES, MAX_AMOUNT
from lib.periods import MONTH_NAMES

PLAN_FIELDS = ("name", "role_title", "currency", "period", "method", "threshold_pct", "cap_kind",
               "cap_value", "hard_stop_pct", "draw_amount", "draw_recoverable")
PERIODS = tuple(PERIODS_PER_YEAR)
METHODS = ("marginal", "retroactive")
MAX_PCT = Decimal(10000)  # the columns hold up to 99,999.9999; more is a typing error
_NUMBERS = {"threshold_pct": ("Threshold", MAX_PCT),
            "cap_value": ("Cap", MAX_AMOUNT), "hard_stop_pct": ("Hard stop", MAX_PCT),
            "draw_amount": ("Draw", MAX_AMOUNT)}


def check_plan(fields: dict[str, Any], bands: list) -> tuple[dict[str, Any], list[Band], list[str]]:
    """Clean a plan's fields and bands as typed: (fields, bands, every problem in words)."""
    clean, problems = clean_fields(fields)
    new_bands, band_problems = parse_bands(bands)
    # invalid method, period or currency are reported above, in the form's own words
    engine = engine_plan({**clean, "method": clean["method"] if clean["method"] in METHODS else "marginal",
                          "period": clean["period"] if clean["period"] in PERIODS else "quarter",
                          "currency": clean["currency"] if clean["currency"] in CURRENCIES else "USD"},
                         new_bands)
    if band_problems:  # the bands' own problems are said above; check the rest of the plan
        engine = replace(engine, bands=(Band(Decimal(0), None, Decimal(0)),))
    rules = validate_plan(engine)
    return clean, new_bands, problems + band_problems + rules


def period_start_problem(day: Any, period: str, start_month: int) -> str | None:
    """Why `day` is not the first day of a `period` pay period (None when it is)."""
    if not isinstance(day, date) or isinstance(day, datetime):
        return "Effective from: give the date the change applies from."
    starts = {"month": range(1, 13), "quarter": [(start_month - 1 + 3 * q) % 12 + 1 for q in range(4)],
              "year": [start_month]}.get(period, range(1, 13))
    if day.day == 1 and day.month in starts:
        return None
    names = [MONTH_NAMES[m - 1] for m in sorted(starts)]
    fiscal = f" (the fiscal year starts in {MONTH_NAMES[start_month - 1]})"
    if period == "quarter":
        return (f"Effective from: {day:%d %b %Y} is not the first day of a quarter; quarters start "
                f"on 1 {', 1 '.join(names[:-1])} and 1 {names[-1]}{fiscal}.")
    if period == "year":
        return f"Effective from: {day:%d %b %Y} is not the first day of a fiscal year; it starts on 1 {names[0]}."
    return f"Effective from: {day:%d %b %Y} is not the first day of a month."


def bands_text(bands: list[Band]) -> str:
    """Bands in words for the audit log and conflicts: '0–100% at 8%; above 100% at 12%'."""
    return "; ".join(f"{b.label} at {pct(b.rate_pct)}" for b in bands) or "no bands"


def clean_fields(fields: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    text = {f: str(fields.get(f) or "").strip() for f in ("name", "role_title", "currency", "period",
                                                          "method", "cap_kind")}
    clean: dict[str, Any] = {"name": text["name"], "role_title": text["role_title"] or None,
                             "currency": text["currency"].upper(), "period": text["period"].lower(),
                             "method": text["method"].lower(), "cap_kind": text["cap_kind"].lower() or None}
    checks = [(not clean["name"], "Name: is required."),
              (len(clean["name"]) > 200, "Name: at most 200 characters."),
              (clean["currency"] not in CURRENCIES, f"Currency: choose one of {', '.join(CURRENCIES)}."),
              (clean["period"] not in PERIODS, "Pay period: choose month, quarter or year."),
              (clean["method"] not in METHODS, "Method: choose marginal or retroactive.")]
    problems = [message for failed, message in checks if failed]
    for field, (label, most) in _NUMBERS.items():
        value = number(fields.get(field))
        if value is BAD or (value is not None and abs(value) > most):
            problems.append(f"{label}: {shown(fields.get(field))} is not a number up to {most:,}.")
            value = None
        clean[field] = value
    has_draw = clean["draw_amount"] is not None
    clean["draw_recoverable"] = bool(fields.get("draw_recoverable")) if has_draw else None
    return clean, problems


def parse_bands(rows: list) -> tuple[list[Band], list[str]]:
    """Bands as typed (Band, dict or (lower, upper, rate) rows; blank rows skipped), sorted by
    lower %, with the problems of reading them (not yet the plan rules)."""
    bands, problems = [], []
    for n, row in enumerate(rows or [], start=1):
        if isinstance(row, Band):
            raw = (row.lower_pct, row.upper_pct, row.rate_pct)
        elif isinstance(row, dict):
            raw = (row.get("lower_pct"), row.get("upper_pct"), row.get("rate_pct"))
        else:
            raw = tuple(row)
        low, high, rate = (number(v) for v in raw)
        if low is None and high is None and rate is None:
            continue  # an empty row left in the grid
        for value, label, given in ((low, "lower %", raw[0]), (high, "upper %", raw[1]), (rate, "rate %", raw[2])):
            if value is BAD or (value is not None and abs(value) > MAX_PCT):
                problems.append(f"Band {n}: the {label} {shown(given)} is not a percentage.")
        for value, label in ((low, "lower %"), (rate, "rate %")):
            if value is None:
                problems.append(f"Band {n}: the {label} is required.")
        if not problems:
            bands.append(Band(low, high, rate))
    return (sorted(bands, key=lambda b: b.lower_pct), problems) if not problems else ([], problems)


BAD = object()  # typed, but not a number


def number(value: Any) -> Any:
    """Decimal, None for blank, or BAD. Floats (from a grid) go through their shortest text."""
    if value is None or isinstance(value, bool):
        return None if value is None else BAD
    if isinstance(value, str) and not value.strip().replace(",", ""):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    try:
        amount = Decimal(str(value).strip().replace(",", "").removesuffix("%").strip())
    except InvalidOperation:
        return BAD
    return amount if amount.is_finite() else BAD


def shown(value: Any) -> str:
    text = str(value).strip()
    return repr(text if len(text) <= 20 else text[:20] + "…")
