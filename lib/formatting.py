"""How numbers read on screen: compact money with its currency, percentages, day counts."""
from __future__ import annotations

import math
import re
from typing import Any

SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€", "INR": "₹"}


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def money(value: Any, currency: str, *, compact: bool = True) -> str:
    """'$1.24M', '£830K', '₹12.5L'-free: one style for all currencies so figures compare."""
    if _missing(value):
        return "—"
    symbol = SYMBOLS.get(currency, currency + " ")
    amount = float(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if not compact or amount < 10_000:
        return f"{sign}{symbol}{amount:,.0f}"
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if amount >= limit:
            return f"{sign}{symbol}{amount / limit:,.{2 if amount < limit * 100 else 1}f}{suffix}"
    return f"{sign}{symbol}{amount:,.0f}"


def percent(value: Any, digits: int = 0) -> str:
    if _missing(value):
        return "—"
    return f"{float(value) * 100:,.{digits}f}%"


def count(value: Any, singular: str, plural: str | None = None) -> str:
    n = int(value or 0)
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


_MARKDOWN = re.compile(r"([\\`*_\[\]<>~:$&|])")


def plain(text: Any) -> str:
    """Text that Streamlit's markdown (labels, messages) shows as typed: no links, images,
    emphasis or colour from what a person wrote."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text).split()))
