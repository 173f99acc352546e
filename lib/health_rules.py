"""The account health score's rule: pure functions from an account's signals to a score and why.

SQL in lib.health groups and sums each account's signals; what they mean is decided here.
Each factor turns its signals into a sub-score from 0 (as bad as it gets) to 1 (healthy) by the
rule written beside it. The score is the weighted mean of the sub-scores on a 0..100 scale, so a
factor can cost at most 100 x weight / (sum of weights) points: with the default weights (which
sum to 100) a weight of 15 means "up to 15 points". A factor with nothing to judge (no target,
no budget, no sentiment recorded) costs nothing: points are lost only on evidence.

Money signals are in the account's own currency and every money rule is a ratio, so a score
never depends on FX rates.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from lib.formatting import money

KEY_DROP = 15  # a key account whose score fell by more than this in 30 days is at risk
DROP_DAYS = 30
MINUS = "\u2212"  # the minus sign people read in "−12"


@dataclass(frozen=True)
class Factor:
    label: str
    default_weight: int
    rule: str  # the rule in words, for the settings page and the "why" panel


FACTORS: dict[str, Factor] = {
    "revenue_trend": Factor(
        "Revenue trend", 20,
        "Last 3 complete months against the 3 before and against the same 3 months last year "
        "(the average of the two changes): flat or growing is healthy, a fall of 40% or more "
        "scores 0."),
    "target_attainment": Factor(
        "Target attainment", 20,
        "Fiscal year-to-date revenue against the account's targets for the same months: 100% or "
        "more is healthy, 50% or less scores 0. No target: not scored."),
    "overdue_invoices": Factor(
        "Overdue invoices", 15,
        "Open overdue amounts weighted by age (1-30 days x0.5, 31-60 x1, 61-90 x1.5, 90+ x2) "
        "against a month of revenue (the last 12 months' average): nothing overdue is healthy, "
        "a weighted month of revenue or more scores 0."),
    "contact": Factor(
        "Days since contact", 15,
        "Days since the last completed interaction against the tier's contact policy: within "
        "the policy is healthy, twice the policy or never contacted scores 0."),
    "escalations": Factor(
        "Open escalations", 10,
        "Open escalations by severity (low 0.1, medium 0.25, high 0.5, critical 1): none is "
        "healthy, a total of 1 or more (one critical, two high...) scores 0."),
    "budget": Factor(
        "Budget overrun", 5,
        "Spend against budget for the fiscal year to date: within budget is healthy, 50% over "
        "or more scores 0; spend with no budget scores 0. No budget and no spend: not scored."),
    "sentiment": Factor(
        "Customer sentiment", 15,
        "The average sentiment of interactions in the last 90 days (very negative -1 ... very "
        "positive +1): neutral or better is healthy, all very negative scores 0. None recorded: "
        "not scored."),
}
DEFAULT_WEIGHTS = {key: f.default_weight for key, f in FACTORS.items()}
POINT_COLUMNS = {key: f"{key}_points" for key in FACTORS}

ESCALATION_LOAD = {"critical": 1.0, "high": 0.5, "medium": 0.25, "low": 0.1}
OVERDUE_LOAD = {"overdue_1_30": 0.5, "overdue_31_60": 1.0, "overdue_61_90": 1.5, "overdue_90_plus": 2.0}
SENTIMENT = {"very_negative": -1.0, "negative": -0.5, "neutral": 0.0, "positive": 0.5,
             "very_positive": 1.0}


@dataclass(frozen=True)
class FactorScore:
    factor: str
    label: str
    sub_score: float | None  # 0..1; None when there was nothing to judge
    weight: float
    points: float            # what the factor cost, <= 0
    detail: str              # "no contact for 64 days (policy 30)"

    @property
    def sentence(self) -> str:
        return f"{signed(self.points)}: {self.detail}"


@dataclass(frozen=True)
class Score:
    score: float  # 0..100
    factors: tuple[FactorScore, ...]

    @property
    def points(self) -> dict[str, float]:
        return {f.factor: f.points for f in self.factors}

    @property
    def reasons(self) -> list[str]:
        """The sentences of the factors that cost a point or more, worst first."""
        costly = sorted((f for f in self.factors if f.points <= -0.5), key=lambda f: round(f.points, 6))
        return [f.sentence for f in costly]

    def factor(self, key: str) -> FactorScore:
        return next(f for f in self.factors if f.factor == key)


def signed(points: float) -> str:
    """Whole points as people read them: '−12', '+3', '0'."""
    whole = round(points)
    return "0" if whole == 0 else f"{MINUS}{-whole}" if whole < 0 else f"+{whole}"


# ---- the factors ------------------------------------------------------------------------------
# Each factor is a pair: `_sub` computes the sub-score with numpy, so one call scores a whole
# column of accounts (NaN: not scored), and `_say` words it for one account. Signals arrive as
# scalars (one account) or arrays (many); a missing signal is NaN.
def _col(s: Mapping[str, Any], key: str) -> np.ndarray:
    value = s.get(key)
    return np.asarray(np.nan if value is None else value, dtype=float)


def _nz(s: Mapping[str, Any], key: str) -> np.ndarray:
    return np.nan_to_num(_col(s, key), nan=0.0)


def _num(s: Mapping[str, Any], key: str) -> float:
    """One account's signal as a plain float, 0 when missing (the wording's fast path)."""
    value = s.get(key)
    number = 0.0 if value is None else float(value)
    return 0.0 if number != number else number  # NaN is the one value unequal to itself


def _clip(x: np.ndarray) -> np.ndarray:
    return np.clip(x, 0.0, 1.0)


def _change(pct: float) -> str:
    return f"{'up' if pct >= 0 else 'down'} {abs(pct):.0%}"


def _trend_sub(s):
    last, before, year_ago = _nz(s, "rev_last3"), _nz(s, "rev_prev3"), _nz(s, "rev_ly3")
    on_before = np.where(before > 0, last / np.where(before > 0, before, 1) - 1, np.nan)
    on_year = np.where(year_ago > 0, last / np.where(year_ago > 0, year_ago, 1) - 1, np.nan)
    n = (before > 0).astype(float) + (year_ago > 0)
    change = np.where(n > 0, (np.nan_to_num(on_before) + np.nan_to_num(on_year)) / np.maximum(n, 1), np.nan)
    return _clip(1 + change / 0.4)


def _trend_say(s):
    last, before, year_ago = _num(s, "rev_last3"), _num(s, "rev_prev3"), _num(s, "rev_ly3")
    parts = ([f"{_change(last / before - 1)} on the 3 months before"] if before > 0 else []) + (
        [f"{_change(last / year_ago - 1)} on the same months last year"] if year_ago > 0 else [])
    if parts:
        return "revenue " + " and ".join(parts)
    return ("revenue is new: nothing to compare it with yet" if last > 0
            else "no revenue in the last 6 months or a year ago")


def _attainment_sub(s):
    target = _nz(s, "target_ytd")
    share = _nz(s, "revenue_ytd") / np.where(target > 0, target, 1)
    return np.where(target > 0, _clip((share - 0.5) / 0.5), np.nan)


def _attainment_say(s):
    target = _num(s, "target_ytd")
    if target <= 0:
        return "no target this fiscal year"
    return f"{_num(s, 'revenue_ytd') / target:.0%} of target year to date"


def _overdue_sub(s):
    total = sum(_nz(s, k) for k in OVERDUE_LOAD)
    weighted = sum(_nz(s, k) * w for k, w in OVERDUE_LOAD.items())
    month = _nz(s, "revenue_12m") / 12
    late = _clip(1 - weighted / np.where(month > 0, month, 1))
    return np.where(total <= 0, 1.0, np.where(month <= 0, 0.0, late))


def _overdue_say(s):
    total = sum(_num(s, k) for k in OVERDUE_LOAD)
    if total <= 0:
        return "nothing overdue"
    owed = (f"{money(total, s.get('currency') or '')} overdue, "
            f"oldest {_num(s, 'overdue_days'):.0f} days")
    month = _num(s, "revenue_12m") / 12
    if month <= 0:
        return f"{owed}, with no revenue in the last 12 months"
    return f"{owed} ({total / month:.1f} months of revenue)"


def _contact_sub(s):
    days, policy = _col(s, "days_since_contact"), _nz(s, "policy_days")
    late = _clip(2 - np.nan_to_num(days) / np.where(policy > 0, policy, 1))
    return np.where(policy <= 0, np.nan, np.where(np.isnan(days), 0.0, late))


def _contact_say(s):
    days, policy = s.get("days_since_contact"), _num(s, "policy_days")
    if policy <= 0:
        return "no contact policy for this tier"
    if days is None or days != days:
        return f"never contacted (policy {policy:.0f} days)"
    if days <= policy:
        return f"last contact {days:.0f} days ago (policy {policy:.0f})"
    return f"no contact for {days:.0f} days (policy {policy:.0f})"


def _escalations_sub(s):
    return _clip(1 - sum(_nz(s, f"esc_{sev}") * w for sev, w in ESCALATION_LOAD.items()))


def _escalations_say(s):
    counts = {sev: int(_num(s, f"esc_{sev}")) for sev in ESCALATION_LOAD}
    n = sum(counts.values())
    if n == 0:
        return "no open escalations"
    which = ", ".join(f"{c} {sev}" for sev, c in counts.items() if c)
    return f"{n} open escalation{'s' if n != 1 else ''} ({which})"


def _budget_sub(s):
    planned, spent = _nz(s, "budget_ytd"), _nz(s, "spend_ytd")
    share = spent / np.where(planned > 0, planned, 1)
    return np.where(planned > 0, _clip(1 - (share - 1) / 0.5), np.where(spent > 0, 0.0, np.nan))


def _budget_say(s):
    planned, spent = _num(s, "budget_ytd"), _num(s, "spend_ytd")
    if planned > 0:
        return f"spend {spent / planned:.0%} of budget year to date"
    if spent > 0:
        return f"{money(spent, s.get('currency') or '')} spent with no budget this year"
    return "no budget this year"


def _sentiment_mean(s):
    counts = {level: _nz(s, f"sentiment_{level}") for level in SENTIMENT}
    n = sum(counts.values())
    total = sum(SENTIMENT[level] * c for level, c in counts.items())
    return n, np.where(n > 0, total / np.maximum(n, 1), np.nan)


def _sentiment_sub(s):
    return _clip(1 + _sentiment_mean(s)[1])


def _sentiment_say(s):
    counts = {level: _num(s, f"sentiment_{level}") for level in SENTIMENT}
    n = sum(counts.values())
    if n == 0:
        return "no sentiment recorded in the last 90 days"
    mean = sum(SENTIMENT[level] * c for level, c in counts.items()) / n
    word = ("very negative" if mean <= -0.75 else "negative" if mean <= -0.25 else
            "neutral" if mean < 0.25 else "positive" if mean < 0.75 else "very positive")
    return f"sentiment {word} over {n:.0f} interaction{'s' if n != 1 else ''} in 90 days"


Rule = tuple[Callable[[Mapping[str, Any]], np.ndarray], Callable[[Mapping[str, Any]], str]]
RULES: dict[str, Rule] = {
    "revenue_trend": (_trend_sub, _trend_say),
    "target_attainment": (_attainment_sub, _attainment_say),
    "overdue_invoices": (_overdue_sub, _overdue_say),
    "contact": (_contact_sub, _contact_say),
    "escalations": (_escalations_sub, _escalations_say),
    "budget": (_budget_sub, _budget_say),
    "sentiment": (_sentiment_sub, _sentiment_say),
}


def factor_rule(key: str, signals: Mapping[str, Any]) -> tuple[float | None, str]:
    """One factor for one account: (sub-score 0..1 or None when not scored, what it says)."""
    sub_of, say = RULES[key]
    with np.errstate(all="ignore"):
        sub = float(sub_of(signals))
    return (None if np.isnan(sub) else sub), say(signals)


def revenue_trend(s: Mapping[str, Any]) -> tuple[float | None, str]:
    return factor_rule("revenue_trend", s)


def target_attainment(s: Mapping[str, Any]) -> tuple[float | None, str]:
    return factor_rule("target_attainment", s)


def overdue_invoices(s: Mapping[str, Any]) -> tuple[float | None, str]:
    return factor_rule("overdue_invoices", s)


def contact(s: Mapping[str, Any]) -> tuple[float | None, str]:
    return factor_rule("contact", s)


def escalations(s: Mapping[str, Any]) -> tuple[float | None, str]:
    return factor_rule("escalations", s)


def budget(s: Mapping[str, Any]) -> tuple[float | None, str]:
    return factor_rule("budget", s)


def sentiment(s: Mapping[str, Any]) -> tuple[float | None, str]:
    return factor_rule("sentiment", s)


def _scale(weights: Mapping[str, Any]) -> dict[str, float]:
    """factor -> the most points it can cost (100 x weight / sum of weights)."""
    w = {key: float(weights.get(key, 0) or 0) for key in FACTORS}
    total = sum(w.values())
    if total <= 0:
        raise ValueError("the health weights sum to 0: at least one factor must weigh something")
    return {key: 100 * value / total for key, value in w.items()}


def score_factors(signals: Mapping[str, Any], weights: Mapping[str, Any]) -> Score:
    """The score 0..100 of one account's `signals` under `weights` (factor -> weight; a factor
    missing from `weights` weighs 0), with each factor's sub-score, points and sentence."""
    most = _scale(weights)
    scored = []
    for key, factor in FACTORS.items():
        sub, detail = factor_rule(key, signals)
        cost = -most[key] * (1 - (1.0 if sub is None else sub)) + 0.0  # +0.0: no "-0.0"
        scored.append(FactorScore(key, factor.label, sub, float(weights.get(key, 0) or 0), cost, detail))
    return Score(round(100 + sum(f.points for f in scored), 1), tuple(scored))


def score_columns(frame: pd.DataFrame, weights: Mapping[str, Any]) -> pd.DataFrame:
    """`score_factors` for a whole frame of signals at once: score, one POINT_COLUMNS column per
    factor, and reasons (the costly factors' sentences, worst first). Same rule, same numbers."""
    most = _scale(weights)
    columns = {c: frame[c].to_numpy() if c != "currency" else frame[c].to_numpy(dtype=object)
               for c in frame.columns}
    with np.errstate(all="ignore"):
        points = {key: -most[key] * (1 - np.nan_to_num(RULES[key][0](columns), nan=1.0)) + 0.0
                  for key in FACTORS}
    out = pd.DataFrame({POINT_COLUMNS[k]: v for k, v in points.items()}, index=frame.index)
    out.insert(0, "score", np.round(100 + sum(points.values()), 1))
    out["reasons"] = _reasons(columns, points)
    return out


class _Row:
    """Row i of a dict of column lists, read as one account's signals (no dict per row)."""

    __slots__ = ("columns", "i")

    def __init__(self, columns: dict[str, list], i: int) -> None:
        self.columns, self.i = columns, i

    def get(self, key: str, default: Any = None) -> Any:
        column = self.columns.get(key)
        return default if column is None else column[self.i]


def _reasons(columns: dict[str, np.ndarray], points: dict[str, np.ndarray]) -> list[list[str]]:
    keys = list(points)
    table = np.column_stack([points[k] for k in keys])
    costly = (table <= -0.5).any(axis=1).tolist()
    plain = {c: v.tolist() for c, v in columns.items()}
    result = []
    for i, (any_cost, row_points) in enumerate(zip(costly, table.tolist())):
        if not any_cost:
            result.append([])
            continue
        row = _Row(plain, i)
        worst = sorted((round(p, 6), n) for n, p in enumerate(row_points) if p <= -0.5)
        result.append([f"{signed(p)}: {RULES[keys[n]][1](row)}" for p, n in worst])
    return result


# ---- at risk and what changed -------------------------------------------------------------------
def at_risk_reason(score: float, threshold: float, tier: str | None,
                   earlier: float | None) -> str | None:
    """Why the account is at risk, or None: below the threshold, or a key account whose score
    fell by more than KEY_DROP points since DROP_DAYS ago (`earlier`)."""
    if score < threshold:
        return f"At risk: score {score:.0f} is below the at-risk threshold of {threshold:.0f}"
    if tier == "key" and earlier is not None and earlier - score > KEY_DROP:
        return (f"At risk: key account down {earlier - score:.0f} points in {DROP_DAYS} days "
                f"(from {earlier:.0f})")
    return None


def changes_since(now: Score, before: Score, since: date) -> list[str]:
    """Per factor whose points moved by a point or more: '−12 since 1 Oct: no contact for 64 days',
    the biggest loss first."""
    moved = []
    for f in now.factors:
        delta = f.points - before.factor(f.factor).points
        if abs(delta) >= 0.5:
            moved.append((delta, f"{signed(delta)} since {since.day} {since:%b}: {f.detail}"))
    return [text for _, text in sorted(moved, key=lambda m: m[0])]
