"""Account health: every account's signals aggregated in DuckDB, scored by lib.health_rules.

`signals` gathers what the score needs for all accounts (or the ones asked for) in one query,
set-wise, so 50,000 accounts cost one scan of each table. Money is brought into each account's
own currency (lib.fx factors, month by month) and judged only as ratios. The weights and the
at-risk threshold are rows an admin edits through `set_weights`.

"Last 3 complete months" end with the last complete month whose revenue is uploaded (for any
account): a month closed but not yet uploaded would otherwise read as every account's revenue
falling to nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

import pandas as pd

from lib.db import Database, Tx
from lib.errors import NotFound, ValidationFailed, WriteConflict
from lib.health_rules import (DEFAULT_WEIGHTS, DROP_DAYS, FACTORS, POINT_COLUMNS, Score,
                              at_risk_reason, changes_since, score_columns, score_factors)
from lib.health_signals import SIGNALS, windows
from lib.periods import add_months, fiscal_start_month
from lib.permissions import require
from lib.users import Actor

__all__ = ["FACTORS", "POINT_COLUMNS", "Score", "score_factors", "weights", "threshold",
           "for_editing", "set_weights", "signals", "signals_as_of", "every_signal", "scores",
           "all_scores", "scores_of", "explain", "Explanation"]

DEFAULT_THRESHOLD = Decimal(50)


# ---- weights and threshold ----------------------------------------------------------------------
def weights(db: Database) -> dict[str, Decimal]:
    """factor -> weight, in FACTORS order; a factor with no row reads as its default."""
    stored = dict(db.rows("SELECT factor, weight FROM health_weights"))
    return {key: Decimal(stored.get(key, DEFAULT_WEIGHTS[key])) for key in FACTORS}


def threshold(db: Database) -> Decimal:
    """The score below which an account is at risk."""
    value = db.value("SELECT at_risk_below FROM health_config WHERE id = 1")
    return DEFAULT_THRESHOLD if value is None else Decimal(value)


def for_editing(db: Database) -> dict[str, Any]:
    """What the weights form loads and saves against: weights, threshold, version, and who
    saved them last (a name, or None for the shipped defaults)."""
    row = db.record("SELECT c.at_risk_below, c.version, c.updated_at, u.display_name AS updated_by "
                    "FROM health_config c LEFT JOIN users u ON u.id = c.updated_by AND u.id <> 0 "
                    "WHERE c.id = 1") or {}
    return {"weights": weights(db), "threshold": row.get("at_risk_below", DEFAULT_THRESHOLD),
            "version": row.get("version", 0), "updated_at": row.get("updated_at"),
            "updated_by": row.get("updated_by")}


def set_weights(db: Database, actor: Actor, weights: dict[str, Any], threshold: Any,
                loaded_version: int) -> int:
    """Save the factor weights (all or some; the rest keep theirs) and the at-risk threshold as
    edited on `loaded_version`; return the new version.

    Admin only. ValidationFailed (in words) unless every weight and the threshold is a number
    from 0 to 100 and the weights sum to more than 0; WriteConflict when someone saved after the
    form was loaded. Audited old -> new per changed value.
    """
    require(actor, "edit_settings")
    new_weights, new_threshold = _checked(db, weights, threshold)

    def work(tx: Tx) -> int:
        rows = tx.execute("SELECT at_risk_below, version, updated_by FROM health_config WHERE id = 1")
        old_threshold, version, by = rows[0] if rows else (DEFAULT_THRESHOLD, 0, None)
        old_weights = {k: Decimal(DEFAULT_WEIGHTS[k]) for k in FACTORS}
        old_weights.update(dict(tx.execute("SELECT factor, weight FROM health_weights")))
        if version != loaded_version:
            who = tx.user_name(by)
            current = {"weights": {k: old_weights[k] for k in FACTORS},
                       "threshold": old_threshold, "version": version}
            raise WriteConflict("health score setting", "health", current, who)
        changes = {FACTORS[k].label: [old_weights[k], v] for k, v in new_weights.items()
                   if old_weights[k] != v}
        if old_threshold != new_threshold:
            changes["At-risk threshold"] = [old_threshold, new_threshold]
        if not changes:
            tx.audit("no_change", "health_weights", "health")
            return version
        for key, value in new_weights.items():
            tx.execute("INSERT OR REPLACE INTO health_weights (factor, weight) VALUES (?, ?)",
                       [key, value])
        if rows:
            tx.execute("UPDATE health_config SET at_risk_below = ?, version = version + 1, "
                       "updated_at = now()::TIMESTAMP, updated_by = ? WHERE id = 1",
                       [new_threshold, tx.actor.id])
        else:  # a row removed by hand: the first save puts it back
            tx.execute("INSERT INTO health_config (id, at_risk_below, updated_by) VALUES (1, ?, ?)",
                       [new_threshold, tx.actor.id])
        tx.audit("update", "health_weights", "health", changes)
        return version + 1

    return db.write(actor, work)


def _checked(db: Database, given: dict[str, Any], limit: Any) -> tuple[dict[str, Decimal], Decimal]:
    problems, merged = [], dict(weights(db))
    for key, value in given.items():
        if key not in FACTORS:
            problems.append(f"{str(key)[:40]!r} is not a health factor; the factors are "
                            + ", ".join(f.label for f in FACTORS.values()))
        elif (number := _percent(value)) is None:
            problems.append(f"{FACTORS[key].label}: {_shown(value)} is not allowed; use a "
                            "weight from 0 to 100")
        else:
            merged[key] = number
    if not problems and sum(merged.values()) <= 0:
        problems.append("Weights: at least one factor must weigh more than 0, or no account "
                        "could be scored")
    checked_limit = _percent(limit)
    if checked_limit is None:
        problems.append(f"At-risk threshold: {_shown(limit)} is not allowed; use a score from "
                        "0 to 100")
    if problems:
        raise ValidationFailed(problems)
    return merged, checked_limit


def _percent(value: Any) -> Decimal | None:
    """`value` as a number from 0 to 100 with at most two decimals, or None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or not 0 <= number <= 100:
        return None
    return number.quantize(Decimal("0.01")).normalize() + 0  # +0 turns -0 into 0


def _shown(value: Any) -> str:
    text = "nothing" if value is None or str(value).strip() == "" else str(value).strip()
    return text if len(text) <= 20 else text[:20] + "…"


# ---- signals, set-wise ---------------------------------------------------------------------------
def _last_complete(today: date) -> date:
    return add_months(today.replace(day=1), -1)


def _anchors(db: Database, days: list[date]) -> dict[date, date]:
    """Each day's anchor: the last complete month whose revenue is uploaded (for any account),
    else the last complete month. One scan of revenue for all the days."""
    ends = sorted({_last_complete(day) for day in days})
    picks = ", ".join(f"max(month) FILTER (WHERE month <= $end{i})" for i in range(len(ends)))
    found = db.rows(f"SELECT {picks} FROM revenue WHERE month <= $end{len(ends) - 1}",
                    {f"end{i}": end for i, end in enumerate(ends)})[0]
    by_end = {end: month or end for end, month in zip(ends, found)}
    return {day: by_end[_last_complete(day)] for day in days}


def signals_as_of(db: Database, actor: Actor, days: Iterable[date],
                  account_ids: Iterable[int] | None = None, *, key_only: bool = False) -> pd.DataFrame:
    """`signals` for several as-of days in one query: one row per (day, account), the day in
    column `as_of` (a datetime64 column; newest day first, then by account id)."""
    require(actor, "read_accounts")
    days = sorted(set(days), reverse=True)
    ids = None if account_ids is None else [int(i) for i in account_ids]
    fiscal, anchors = fiscal_start_month(db), _anchors(db, days)
    spans = [windows(day, anchors[day], fiscal) for day in days]
    params = {"days": [{k: v for k, v in w.items() if k != "grid_to"} for w in spans],
              "grid_from": date(2000, 1, 1), "grid_to": max(w["grid_to"] for w in spans),
              "last_day": days[0],
              "rep": "USD", "ids": ids, "key_only": key_only}
    return db.df(SIGNALS[ids is not None], params)


def signals(db: Database, actor: Actor, today: date, account_ids: Iterable[int] | None = None,
            *, key_only: bool = False) -> pd.DataFrame:
    """One row per account (live accounts, or exactly `account_ids`) with every signal the
    health rule reads, money in the account's own currency. NaN where there is nothing."""
    return signals_as_of(db, actor, [today], account_ids, key_only=key_only).drop(columns="as_of")


def every_signal(db: Database, actor: Actor, day: date, *, key_only: bool = False) -> pd.DataFrame:
    """`signals` of every live account (or every key account) as of `day`, computed once per data
    version for every session: every account's scores read today's, and an account's "Why this
    score" reads its own row of each day kept (`explain`). Read-only: callers share the frame."""
    require(actor, "read_accounts")
    return db.memo(_signals_key(day, key_only), lambda: signals(db, actor, day, key_only=key_only))


def signals_kept(db: Database, day: date) -> bool:
    """Whether `every_signal` of `day` (every live account) is kept at the current data version."""
    return db.kept(_signals_key(day, False)) is not None


def _signals_key(day: date, key_only: bool) -> tuple:
    return ("health.signals", day, key_only)


def _kept_row(db: Database, day: date, account_id: int) -> dict[str, Any] | None:
    """The account's row of the signals kept for `day`, or None (not kept, or not in them)."""
    for key_only in (False, True):
        frame = db.kept(_signals_key(day, key_only))
        if frame is not None:   # ordered by account id
            at = int(frame["account_id"].searchsorted(account_id))
            if at < len(frame) and frame["account_id"].iat[at] == account_id:
                return frame.iloc[at].to_dict()   # as to_dict("records"), ten times faster
    return None


# ---- scores -------------------------------------------------------------------------------------
def _now_and_earlier(db: Database, actor: Actor, today: date,
                     ids: list[int] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The signals of today and of DROP_DAYS ago (key accounts only: only their drop counts).
    A page of accounts asks for both days in one statement, which costs little more than one;
    every account asks for the earlier day apart, for the key accounts alone."""
    earlier_day = today - timedelta(days=DROP_DAYS)
    if ids is None:
        return (every_signal(db, actor, today),
                every_signal(db, actor, earlier_day, key_only=True))
    both = signals_as_of(db, actor, [today, earlier_day], ids)
    day = both.pop("as_of").dt.date
    now = both[day == today].reset_index(drop=True)
    return now, both[(day == earlier_day) & (both["tier"] == "key")].reset_index(drop=True)


def scores(db: Database, actor: Actor, today: date, account_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """account_id, name, owner_id, tier, score (0..100), at_risk, reasons (the sentences of the
    factors that cost points, worst first, after the at-risk reason if any), and one
    `<factor>_points` column per factor (POINT_COLUMNS). Live accounts, or exactly `account_ids`.
    """
    ids = None if account_ids is None else [int(i) for i in account_ids]
    w, limit = weights(db), float(threshold(db))
    now, earlier = _now_and_earlier(db, actor, today, ids)
    before = dict(zip(earlier["account_id"].tolist(), score_columns(earlier, w)["score"].tolist()))
    scored = score_columns(now, w)
    why = [at_risk_reason(score, limit, tier, before.get(acc)) for score, tier, acc
           in zip(scored["score"].tolist(), now["tier"].tolist(), now["account_id"].tolist())]
    result = now[["account_id", "name", "owner_id", "tier"]].copy()
    result["score"] = scored["score"]
    result["at_risk"] = [reason is not None for reason in why]
    result["reasons"] = [([r] if r else []) + reasons for r, reasons in zip(why, scored["reasons"])]
    for column in POINT_COLUMNS.values():
        result[column] = scored[column].round(1)
    return result


def all_scores(db: Database, actor: Actor, today: date) -> pd.DataFrame:
    """`scores` of every live account, computed once per data version for every session (the
    Team review and the Portfolio's health filter and sort ask for them). Read-only: callers
    share the frame."""
    require(actor, "read_accounts")
    return db.memo(_all_scores_key(today), lambda: scores(db, actor, today))


def all_scores_kept(db: Database, today: date) -> bool:
    """Whether `all_scores` of `today` is kept at the current data version."""
    return db.kept(_all_scores_key(today)) is not None


def scores_of(db: Database, actor: Actor, today: date, account_ids: Iterable[int]) -> pd.DataFrame:
    """`scores` of exactly `account_ids` (a page of them): taken from `all_scores` when those
    are kept at this data version, else scored on their own."""
    require(actor, "read_accounts")
    ids = [int(i) for i in account_ids]
    every = db.kept(_all_scores_key(today))
    if every is not None:
        found = every[every["account_id"].isin(ids)]      # by account id, as `scores` gives them
        if len(found) == len(set(ids)):                     # (an archived account is not in `every`)
            return found.reset_index(drop=True)
    return scores(db, actor, today, account_ids=ids)


def _all_scores_key(today: date) -> tuple:
    return ("health.all_scores", today)


@dataclass(frozen=True)
class Explanation:
    account_id: int
    score: Score
    at_risk: str | None     # why the account is at risk, or None
    since: date | None
    earlier: Score | None   # the score as of `since`
    changes: list[str]      # "−12 since 1 Oct: no contact for 64 days", biggest loss first


def explain(db: Database, actor: Actor, account_id: int, today: date,
            since: date | None = None) -> Explanation:
    """One account's score with every factor's points and sentence, whether (and why) it is at
    risk, and, given `since`, what changed per factor since the score as of that day."""
    require(actor, "read_accounts")
    w, limit = weights(db), float(threshold(db))
    drop_day = today - timedelta(days=DROP_DAYS)
    days = list(dict.fromkeys([today, drop_day] + ([since] if since is not None else [])))
    rows = {day: row for day in days if (row := _kept_row(db, day, account_id)) is not None}
    if today in rows and rows[today]["tier"] != "key" and drop_day != since:
        days.remove(drop_day)  # only a key account's drop counts
    if missing := [day for day in days if day not in rows]:
        rows.update((row["as_of"].date(), row) for row in
                    signals_as_of(db, actor, missing, [account_id]).to_dict("records"))
    if today not in rows:
        raise NotFound(f"There is no account with id {account_id}.")
    row = rows[today]
    score = score_factors(row, w)
    # Only a key account's drop in 30 days puts it at risk (at_risk_reason).
    drop_score = score_factors(rows[drop_day], w).score if row["tier"] == "key" else None
    earlier = changes = None
    if since is not None:
        earlier = score_factors(rows[since], w)
        changes = changes_since(score, earlier, since)
    return Explanation(account_id, score, at_risk_reason(score.score, limit, row["tier"], drop_score),
                       since, earlier, changes or [])
