"""How the commission engine's numbers read: money to the cent, and the sentences of "why".

Kept apart from lib.commission so the rules stay short; it knows the result objects only by
their attributes.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any, Callable

CENT = Decimal("0.01")
SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€", "INR": "₹"}


def cents(amount) -> Decimal:
    return dec(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def money(amount, currency: str = "USD") -> str:
    amount = cents(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}{SYMBOLS.get(currency, currency + ' ')}{abs(amount):,.2f}"


def dec(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("Money and percentages must be Decimal, int or str, never float.")
    return Decimal(value)


def num(value) -> str:
    return "none" if value is None else f"{Decimal(value).normalize():f}"


def pct(value) -> str:
    return f"{num(value)}%"


def commission_sentences(r: Any, stop_pct: Decimal | None) -> list[str]:
    m = partial(money, currency=r.plan.currency)
    attainment = r.attainment_pct.quantize(CENT, rounding=ROUND_HALF_UP)
    lines = [f"Attainment: {m(r.credited)} credited of a {m(r.quota)} quota = {attainment}%."]
    kind = "Band" if r.plan.method == "marginal" else "Retroactive: band reached"
    lines += [f"{kind} {ln.band.label} at {pct(ln.rate_pct)}: "
              f"{m(ln.revenue)} x {pct(ln.rate_pct)} = {m(ln.amount)}"
              for ln in r.lines if ln.revenue]
    if not r.threshold_met:
        lines.append(f"Below the {pct(r.plan.threshold_pct)} threshold: nothing is paid "
                     f"(the bands would have paid {m(r.band_total)}).")
    if r.above_stop:
        lines.append(f"Revenue above {pct(stop_pct)} of quota earns nothing: "
                     f"{m(r.above_stop)}.")
    if r.capped_off:
        multiple = (f" ({num(r.plan.cap_value)} x target commission)"
                    if r.plan.cap_kind == "multiple" else "")
        lines.append(f"Capped at {m(r.cap)}{multiple}: {m(r.band_total)} -> {m(r.commission)}.")
    return lines + [f"Commission: {m(r.commission)}."]


def payout_sentences(p: Any) -> list[str]:
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


def _draw_sentences(d: Any, m: Callable[[Decimal], str]) -> list[str]:
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
        lines.append(f"Payout this period: {m(d.paid)}.")   # paid, or to be paid when projected
    return lines


def _note(note: str) -> str:
    return f" ({note})" if note else ""
