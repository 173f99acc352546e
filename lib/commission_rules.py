"""What makes a compensation plan valid, with every problem in words (all of them, not the first).

It reads plans by their attributes only, so lib.commission can use it without a cycle.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from lib.commission_text import num as _num, pct as _pct

if TYPE_CHECKING:
    from lib.commission import Band, Plan


def validate_plan(plan: Plan) -> list[str]:
    """Every problem with the plan, in words a person understands; [] when it is valid."""
    return _band_errors(plan.bands) + _option_errors(plan)


def _band_errors(bands: Sequence[Band]) -> list[str]:
    if not bands:
        return ["A plan needs at least one commission band."]
    errors = []
    if bands[0].lower_pct != 0:
        first = _pct(bands[0].lower_pct)
        errors.append(f"Band 1 starts at {first} but the first band must start at 0%.")
    for n, band in enumerate(bands, start=1):
        errors += _single_band_errors(n, band, is_last=n == len(bands))
    for n, (previous, band) in enumerate(zip(bands, bands[1:]), start=2):
        errors += _join_errors(n, previous, band)
    return errors


def _single_band_errors(n: int, band: Band, is_last: bool) -> list[str]:
    low, high, rate = _pct(band.lower_pct), _pct(band.upper_pct), _pct(band.rate_pct)
    checks = [
        (band.upper_pct is None and not is_last, f"Band {n} is open-ended but is not the last "
         "band: only the last band may have no upper limit."),
        (band.upper_pct is not None and band.upper_pct <= band.lower_pct,
         f"Band {n} ends at {high} but starts at {low}: a band must end above where it starts."),
        (not 0 <= band.rate_pct <= 100,
         f"Band {n} has a rate of {rate}: a rate must be between 0% and 100%."),
    ]
    return [message for failed, message in checks if failed]


def _join_errors(n: int, previous: Band, band: Band) -> list[str]:
    if previous.upper_pct is None or band.lower_pct == previous.upper_pct:
        return []  # an open-ended band in the middle is reported once, above
    rule = "be contiguous" if band.lower_pct > previous.upper_pct else "not overlap"
    return [f"Band {n} starts at {_pct(band.lower_pct)} but band {n - 1} ends at "
            f"{_pct(previous.upper_pct)}: bands must {rule}."]


def _option_errors(p: Plan) -> list[str]:
    checks = [
        (p.method not in ("marginal", "retroactive"),
         f"The method must be marginal or retroactive, not {p.method!r}."),
        (p.period not in ("month", "quarter", "year"),
         f"The pay period must be month, quarter or year, not {p.period!r}."),
        (p.threshold_pct is not None and not 0 <= p.threshold_pct <= 100,
         f"The threshold is {_pct(p.threshold_pct)}: it must be between 0% and 100%, "
         "or nothing would be paid at target."),
        (p.hard_stop_pct is not None and p.hard_stop_pct < 100,
         f"The hard stop is {_pct(p.hard_stop_pct)}: it must be at 100% or above, "
         "or the plan could never pay its target commission."),
        (p.cap_kind not in (None, "amount", "multiple"),
         f"The cap must be an amount or a multiple of target commission, not {p.cap_kind!r}."),
        ((p.cap_kind is None) != (p.cap_value is None),
         "A cap needs both a kind (amount or multiple) and a value."),
        (p.cap_value is not None and p.cap_value < 0,
         f"The cap is {_num(p.cap_value)}: a cap cannot be below zero."),
        (p.draw_amount is not None and p.draw_amount < 0,
         f"The draw is {_num(p.draw_amount)}: a draw cannot be below zero."),
        (p.base_per_period < 0,
         f"The base salary is {_num(p.base_per_period)}: it cannot be below zero."),
        (not (len(p.currency) == 3 and p.currency.isalpha() and p.currency.isupper()),
         f"The currency {p.currency!r} must be a three-letter code such as USD."),
    ]
    return [message for failed, message in checks if failed]
