"""The commission engine: what a compensation plan pays for one period, and why.

Plain Python on Decimal. Percentages are percents (12 means 12%). Money is rounded to the cent,
ROUND_HALF_UP, at every amount a person sees, and every total is the sum of the rounded lines
above it, so an explanation always adds up. Floats are refused rather than silently rounded.

Rules chosen where plan language is ambiguous:
- Band boundaries are attainment % of quota, turned into money at the cent. A band is *reached*
  when credited revenue is at or above its lower boundary, so in a retroactive plan exactly
  100% pays the rate of the band that starts at 100%.
- The threshold is a gate, not a deductible: below it nothing is paid; at or above it every band
  pays as usual from the first dollar.
- Revenue above the hard stop (or above a closed last band) earns 0%; in a retroactive plan the
  rate reached applies to the revenue up to that stop.
- The cap limits commission only; clawbacks are taken and bonuses added after it.
- A quota of zero or less raises QuotaError: attainment is undefined and any guess pays wrongly.
- Zero or negative credited revenue earns nothing, never negative commission; taking back
  commission already paid is the job of a Clawback.
- A clawback larger than the period's earnings is *carried*: the period's variable pay is 0 and
  the excess joins the balance owed, recovered from later earnings above the draw, exactly like
  a recoverable draw shortfall. A non-recoverable draw forgives its own shortfall, never a
  clawback.
- Total compensation is base + variable pay earned + any non-recoverable draw top-up (pay kept
  for good). A recoverable draw's top-up is an advance, so it is not compensation.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Iterable, Literal, Sequence

from lib.commission_text import CENT, cents, commission_sentences, money, payout_sentences  # noqa: F401
from lib.commission_rules import validate_plan
from lib.commission_text import dec as _dec, num as _num, pct as _pct

ZERO = Decimal(0)
HUNDRED = Decimal(100)


class PlanError(ValueError):
    """The plan is not valid; `errors` holds every problem found, in words."""

    def __init__(self, errors: list[str]):
        super().__init__(" ".join(errors))
        self.errors = errors


class QuotaError(ValueError):
    """Attainment cannot be measured against a quota of zero or less."""


@dataclass(frozen=True)
class Band:
    lower_pct: Decimal
    upper_pct: Decimal | None  # None: open-ended (only the last band)
    rate_pct: Decimal

    @property
    def label(self) -> str:
        if self.upper_pct is None:
            return f"above {_pct(self.lower_pct)}"
        return f"{_num(self.lower_pct)}–{_pct(self.upper_pct)}"


@dataclass(frozen=True)
class Plan:
    method: Literal["marginal", "retroactive"]
    bands: tuple[Band, ...]
    threshold_pct: Decimal | None = None
    cap_kind: Literal["amount", "multiple"] | None = None
    cap_value: Decimal | None = None
    hard_stop_pct: Decimal | None = None
    draw_amount: Decimal | None = None
    draw_recoverable: bool = False
    base_per_period: Decimal = ZERO
    currency: str = "USD"
    period: Literal["month", "quarter", "year"] = "quarter"


@dataclass(frozen=True)
class BandLine:
    band: Band
    revenue: Decimal  # credited revenue inside this band (retroactive: all of it)
    rate_pct: Decimal
    amount: Decimal


@dataclass(frozen=True)
class CommissionResult:
    plan: Plan
    quota: Decimal
    credited: Decimal
    attainment_pct: Decimal  # unrounded
    lines: tuple[BandLine, ...]
    band_total: Decimal  # what the bands pay, before threshold and cap
    threshold_met: bool
    above_stop: Decimal  # credited revenue above the hard stop, earning nothing
    cap: Decimal | None  # the cap in money, when the plan has one
    capped_off: Decimal  # commission removed by the cap
    commission: Decimal

    @property
    def sentences(self) -> list[str]:
        return commission_sentences(self, _stop_pct(self.plan))


@dataclass(frozen=True)
class Clawback:
    """Revenue reversed after it was paid on (a credit note), taken back at the rate it earned."""

    reversed_revenue: Decimal
    rate_pct: Decimal
    note: str = ""

    def __post_init__(self) -> None:
        if self.reversed_revenue < 0 or not 0 <= self.rate_pct <= 100:
            raise ValueError("A clawback reverses revenue of zero or more at 0% to 100%.")

    @classmethod
    def at_original_rate(cls, original: CommissionResult, reversed_revenue, note="") -> Clawback:
        return cls(_dec(reversed_revenue), effective_rate(original), note)

    @property
    def amount(self) -> Decimal:
        return cents(self.reversed_revenue * self.rate_pct / HUNDRED)


@dataclass(frozen=True)
class Bonus:
    """A one-off payment (a SPIF), added after the cap."""

    amount: Decimal
    note: str = ""

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError("A bonus cannot be negative; take money back with a clawback.")


@dataclass(frozen=True)
class DrawResult:
    draw: Decimal  # the plan's draw for the period (0 without one)
    recoverable: bool
    earned: Decimal  # variable pay earned; negative when clawbacks exceed earnings
    paid: Decimal  # variable pay paid out this period
    recovered: Decimal  # balance repaid from earnings above the draw
    kept: Decimal  # a non-recoverable draw's top-up: compensation, never owed back
    balance_before: Decimal  # owed by the person to the company
    balance_after: Decimal


@dataclass(frozen=True)
class Period:
    quota: Decimal
    credited: Decimal
    clawbacks: tuple[Clawback, ...] = ()
    bonuses: tuple[Bonus, ...] = ()


@dataclass(frozen=True)
class Payout:
    result: CommissionResult
    clawbacks: tuple[Clawback, ...]
    bonuses: tuple[Bonus, ...]
    clawed_back: Decimal
    bonus_total: Decimal
    earned: Decimal  # commission - clawbacks + bonuses
    draw: DrawResult
    base: Decimal
    total_compensation: Decimal  # base + earned + draw kept: what the period is worth
    total_paid: Decimal  # base + variable pay actually paid this period, after the draw

    @property
    def explanation(self) -> list[str]:
        return payout_sentences(self)


# --- validation ------------------------------------------------------------------------------

def _require_valid(plan: Plan) -> None:
    errors = validate_plan(plan)
    if errors:
        raise PlanError(errors)


# --- commission ------------------------------------------------------------------------------

def commission(plan: Plan, quota, credited) -> CommissionResult:
    """Commission for one period: bands, then threshold and hard stop, then the cap."""
    _require_valid(plan)
    quota, credited = _quota(quota), cents(credited)
    result = _uncapped(plan, quota, credited)
    cap = cap_amount(plan, quota)
    if cap is None:
        return result
    cut = max(ZERO, result.commission - cap)
    return replace(result, cap=cap, capped_off=cut, commission=result.commission - cut)


def target_commission(plan: Plan, quota) -> Decimal:
    """Commission at exactly 100% attainment, before any cap: the base of a multiple cap."""
    _require_valid(plan)
    quota = _quota(quota)
    return _uncapped(plan, quota, quota).commission


def cap_amount(plan: Plan, quota) -> Decimal | None:
    if plan.cap_kind == "amount":
        return cents(plan.cap_value)
    if plan.cap_kind == "multiple":
        return cents(plan.cap_value * target_commission(plan, quota))
    return None


def effective_rate(result: CommissionResult) -> Decimal:
    """Commission / credited revenue as a percentage, unrounded so clawbacks stay exact."""
    if result.credited <= 0:
        return ZERO
    return result.commission * HUNDRED / result.credited


def payout_curve(plan: Plan, quota, attainment_points: Iterable) -> list[tuple[Decimal, Decimal]]:
    """(attainment %, commission) pairs for a chart of what the plan pays."""
    quota = _quota(quota)
    points = [_dec(pct) for pct in attainment_points]
    return [(pct, commission(plan, quota, _boundary(pct, quota)).commission) for pct in points]


def _uncapped(plan: Plan, quota: Decimal, credited: Decimal) -> CommissionResult:
    counted = _counted_revenue(plan, quota, credited)
    if plan.method == "marginal":
        lines = _marginal_lines(plan, quota, counted)
    else:
        lines = _retroactive_lines(plan, quota, counted)
    band_total = sum((line.amount for line in lines), ZERO)
    met = plan.threshold_pct is None or credited >= _boundary(plan.threshold_pct, quota)
    return CommissionResult(
        plan=plan, quota=quota, credited=credited, attainment_pct=credited * HUNDRED / quota,
        lines=tuple(lines), band_total=band_total, threshold_met=met,
        above_stop=max(ZERO, credited - counted), cap=None, capped_off=ZERO,
        commission=band_total if met else ZERO,
    )


def _stop_pct(plan: Plan) -> Decimal | None:
    # A closed last band stops commission just as a hard stop does.
    stops = [pct for pct in (plan.hard_stop_pct, plan.bands[-1].upper_pct) if pct is not None]
    return min(stops) if stops else None


def _counted_revenue(plan: Plan, quota: Decimal, credited: Decimal) -> Decimal:
    stop = _stop_pct(plan)
    return credited if stop is None else min(credited, _boundary(stop, quota))


def _marginal_lines(plan: Plan, quota: Decimal, counted: Decimal) -> list[BandLine]:
    lines = []
    for band in plan.bands:
        low = _boundary(band.lower_pct, quota)
        high = counted if band.upper_pct is None else min(counted, _boundary(band.upper_pct, quota))
        revenue = max(ZERO, high - low)
        lines.append(BandLine(band, revenue, band.rate_pct, _at_rate(revenue, band.rate_pct)))
    return lines


def _retroactive_lines(plan: Plan, quota: Decimal, counted: Decimal) -> list[BandLine]:
    reached = [band for band in plan.bands if counted >= _boundary(band.lower_pct, quota)]
    if not reached or counted <= 0:
        return []
    band = reached[-1]
    return [BandLine(band, counted, band.rate_pct, _at_rate(counted, band.rate_pct))]


# --- draw, clawbacks, bonuses, periods -------------------------------------------------------

def apply_draw(plan: Plan, earned, balance_before=ZERO) -> DrawResult:
    """Pay at least the draw; earnings above it first repay the balance owed.

    Negative earnings (clawbacks beyond the period's pay) join the balance owed. A recoverable
    draw's shortfall joins it too; a non-recoverable one is paid and forgotten.
    """
    draw, earned, before = cents(plan.draw_amount or 0), cents(earned), cents(balance_before)
    owed = before + max(ZERO, -earned)
    positive = max(ZERO, earned)
    recovered = min(owed, max(ZERO, positive - draw))
    shortfall = max(ZERO, draw - positive)
    kept = ZERO if plan.draw_recoverable else shortfall
    return DrawResult(
        draw=draw, recoverable=plan.draw_recoverable, earned=earned,
        paid=max(positive, draw) - recovered, recovered=recovered, kept=kept,
        balance_before=before, balance_after=owed - recovered + shortfall - kept,
    )


def payout(plan: Plan, quota, credited, *, draw_balance=ZERO,
           clawbacks: Sequence[Clawback] = (), bonuses: Sequence[Bonus] = ()) -> Payout:
    """Everything one period pays: commission, clawbacks, bonuses, the draw, base, and why."""
    result = commission(plan, quota, credited)
    clawed_back = sum((c.amount for c in clawbacks), ZERO)
    bonus_total = sum((cents(b.amount) for b in bonuses), ZERO)
    earned = result.commission - clawed_back + bonus_total
    draw, base = apply_draw(plan, earned, draw_balance), cents(plan.base_per_period)
    return Payout(
        result=result, clawbacks=tuple(clawbacks), bonuses=tuple(bonuses),
        clawed_back=clawed_back, bonus_total=bonus_total, earned=earned, draw=draw, base=base,
        total_compensation=base + earned + draw.kept, total_paid=base + draw.paid,
    )


def run_periods(plan: Plan, periods: Sequence[Period | tuple],
                opening_balance=ZERO) -> list[Payout]:
    """Payouts for consecutive periods, carrying the balance owed from one to the next.

    A period is a Period or a (quota, credited, clawbacks, bonuses) tuple.
    """
    payouts, balance = [], cents(opening_balance)
    for period in periods:
        p = period if isinstance(period, Period) else Period(*period)
        paid = payout(plan, p.quota, p.credited, draw_balance=balance,
                      clawbacks=p.clawbacks, bonuses=p.bonuses)
        payouts.append(paid)
        balance = paid.draw.balance_after
    return payouts


# --- numbers and words -----------------------------------------------------------------------


def _quota(quota) -> Decimal:
    quota = cents(quota)
    if quota <= 0:
        raise QuotaError(f"The quota is {money(quota)}: attainment cannot be measured "
                         "without a quota above zero.")
    return quota


def _boundary(pct: Decimal, quota: Decimal) -> Decimal:
    return cents(quota * pct / HUNDRED)


def _at_rate(revenue: Decimal, rate_pct: Decimal) -> Decimal:
    return cents(revenue * rate_pct / HUNDRED)
