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
from functools import partial
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable, Iterable, Literal, Sequence

CENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)
SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€", "INR": "₹"}


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
        return _commission_sentences(self)


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
        return _payout_sentences(self)


# --- validation ------------------------------------------------------------------------------

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

def cents(amount) -> Decimal:
    return _dec(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def money(amount, currency: str = "USD") -> str:
    amount = cents(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}{SYMBOLS.get(currency, currency + ' ')}{abs(amount):,.2f}"


def _dec(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("Money and percentages must be Decimal, int or str, never float.")
    return Decimal(value)


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


def _num(value) -> str:
    return "none" if value is None else f"{Decimal(value).normalize():f}"


def _pct(value) -> str:
    return f"{_num(value)}%"


def _commission_sentences(r: CommissionResult) -> list[str]:
    m = partial(money, currency=r.plan.currency)
    attainment = r.attainment_pct.quantize(CENT, rounding=ROUND_HALF_UP)
    lines = [f"Attainment: {m(r.credited)} credited of a {m(r.quota)} quota = {attainment}%."]
    kind = "Band" if r.plan.method == "marginal" else "Retroactive: band reached"
    lines += [f"{kind} {ln.band.label} at {_pct(ln.rate_pct)}: "
              f"{m(ln.revenue)} x {_pct(ln.rate_pct)} = {m(ln.amount)}"
              for ln in r.lines if ln.revenue]
    if not r.threshold_met:
        lines.append(f"Below the {_pct(r.plan.threshold_pct)} threshold: nothing is paid "
                     f"(the bands would have paid {m(r.band_total)}).")
    if r.above_stop:
        lines.append(f"Revenue above {_pct(_stop_pct(r.plan))} of quota earns nothing: "
                     f"{m(r.above_stop)}.")
    if r.capped_off:
        multiple = (f" ({_num(r.plan.cap_value)} x target commission)"
                    if r.plan.cap_kind == "multiple" else "")
        lines.append(f"Capped at {m(r.cap)}{multiple}: {m(r.band_total)} -> {m(r.commission)}.")
    return lines + [f"Commission: {m(r.commission)}."]


def _payout_sentences(p: Payout) -> list[str]:
    m = partial(money, currency=p.result.plan.currency)
    lines = p.result.sentences
    for c in p.clawbacks:
        rate = c.rate_pct.quantize(CENT, rounding=ROUND_HALF_UP)
        lines.append(f"Clawback{_note(c.note)}: {m(c.reversed_revenue)} reversed x {rate}% "
                     f"= -{m(c.amount)}")
    lines += [f"Bonus{_note(b.note)}, after the cap: +{m(b.amount)}" for b in p.bonuses]
    if p.clawbacks or p.bonuses:
        lines.append(f"Earned this period: {m(p.result.commission)} - {m(p.clawed_back)} "
                     f"+ {m(p.bonus_total)} = {m(p.earned)}.")
    lines += _draw_sentences(p.draw, m)
    kept = f" + draw top-up {m(p.draw.kept)}" if p.draw.kept else ""
    lines.append(f"Total compensation: base {m(p.base)} + earned {m(p.earned)}{kept} "
                 f"= {m(p.total_compensation)}.")
    return lines


def _draw_sentences(d: DrawResult, m: Callable[[Decimal], str]) -> list[str]:
    lines = []
    if d.earned < 0:
        lines.append(f"Clawbacks exceed the period's earnings by {m(-d.earned)}: carried as owed.")
    if d.draw:
        kind = "Recoverable" if d.recoverable else "Non-recoverable"
        forgiven = "" if d.recoverable else ", the greater of earnings and draw; never owed back"
        lines.append(f"{kind} draw of {m(d.draw)}: paid {m(d.paid)}{forgiven}.")
    if d.recovered:
        lines.append(f"Recovered {m(d.recovered)} of the balance owed from earnings above draw.")
    if d.balance_before or d.balance_after:
        lines.append(f"Balance owed: {m(d.balance_before)} -> {m(d.balance_after)}.")
    if not d.draw:
        lines.append(f"Paid this period: {m(d.paid)}.")
    return lines


def _note(note: str) -> str:
    return f" ({note})" if note else ""
