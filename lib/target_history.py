"""Around the target grid: the history of changes and reverting one, locked months, and the
roll-up check of each manager's own target against the sum of their accounts' targets."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from lib import clock, fx
from lib.db import Database, Tx
from lib.errors import NotAllowed, NotFound, UserError, ValidationFailed, WriteConflict
from lib.periods import FiscalYear
from lib.permissions import require, team_for
from lib.target_edits import check_reach, locked, subjects, write_cells
from lib.target_rules import allocation, month_label
from lib.targets import CURRENCY_SQL, may_edit, reach, spec
from lib.users import Actor

HISTORY_LIMIT = 200


# ---- history ------------------------------------------------------------------------------------
def history(db: Database, actor: Actor, level: str, fiscal: FiscalYear, *,
            manager_id: int | None = None, subject_id: int | None = None,
            limit: int = HISTORY_LIMIT) -> pd.DataFrame:
    """Changes to targets of the fiscal year's months that `actor` may see, newest first.

    `manager_id` narrows to that manager (level "manager") or that manager's accounts
    (level "account"); `subject_id` to one manager or account. Each row says whether a later
    change reverted it (`reverted_by`) and which change it reverts (`reverts_id`)."""
    spec(level)
    ids = reach(db, actor)
    return db.df(f"""
        SELECT c.id, c.changed_at, coalesce(u.display_name, 'User ' || c.changed_by) AS who,
               c.subject_id, coalesce(s.name, '#' || c.subject_id) AS subject, c.month,
               s.currency, c.old_amount, c.new_amount, c.reason, c.reverts_id, r.id AS reverted_by
        FROM target_changes c
        LEFT JOIN ({CURRENCY_SQL[level]}) s ON s.id = c.subject_id
        LEFT JOIN users u ON u.id = c.changed_by
        LEFT JOIN (SELECT reverts_id, max(id) AS id FROM target_changes
                   WHERE reverts_id IS NOT NULL GROUP BY ALL) r ON r.reverts_id = c.id
        WHERE c.level = $level AND c.month BETWEEN $first AND $last
          AND ($ids::INTEGER[] IS NULL OR list_contains($ids::INTEGER[], s.owner_id))
          AND ($manager::INTEGER IS NULL OR s.owner_id = $manager)
          AND ($subject::INTEGER IS NULL OR c.subject_id = $subject)
        ORDER BY c.changed_at DESC, c.id DESC LIMIT $limit""",
        {"level": level, "first": fiscal.months[0], "last": fiscal.months[-1],
         "ids": None if ids is None else sorted(ids), "manager": manager_id,
         "subject": subject_id, "limit": max(0, int(limit))})


def history_for_display(df: pd.DataFrame, tz: ZoneInfo = clock.UTC) -> pd.DataFrame:
    """`history` with the titles and words the page shows, times in `tz` (the reader's)."""
    return pd.DataFrame({
        "Change": "#" + df["id"].astype(str),
        "When": clock.column_to_local(df["changed_at"], tz),
        "Who": df["who"],
        "Target": df["subject"],
        "Month": [month_label(m) for m in df["month"]],
        "Currency": df["currency"],
        "Old": df["old_amount"],
        "New": df["new_amount"],
        "Reason": df["reason"].fillna(""),
        "Reverted": ["by #" + str(int(r)) if pd.notna(r) else "" for r in df["reverted_by"]],
    })


def change_choice(row: dict[str, Any]) -> str:
    """How one change reads in the revert picker."""
    old, new = (_amount(row["old_amount"]), _amount(row["new_amount"]))
    return f"#{row['id']} · {row['subject']}, {month_label(row['month'])}: {old} → {new} ({row['who']})"


def _amount(value: Any) -> str:
    return "no target" if value is None or pd.isna(value) else f"{float(value):,.2f}"


# ---- revert ----------------------------------------------------------------------------------------
class CellMovedOn(WriteConflict):
    """The cell a change wrote has been changed again since; reverting would overwrite that."""

    def __init__(self, where: str, change_id: int, left: Decimal | None, now: Decimal | None,
                 by: str) -> None:
        self.entity, self.entity_id, self.changed_by = "target", change_id, by
        self.current = {"amount": now}
        UserError.__init__(
            self, f"{where} has changed since change #{change_id}: it is {_amount(now)} now "
            f"(last changed by {by}), not {_amount(left)}. Nothing was reverted: revert the "
            "later change first, or edit the cell in the grid.")


def revert(db: Database, actor: Actor, change_id: int, reason: str | None = None) -> int:
    """Write a change's old value back, as a new change that names it (`reverts_id`).

    Refused when the cell has moved on since (CellMovedOn), its month is locked, or the
    target is out of the actor's reach. Returns the new change's id."""
    allowed, why = may_edit(actor)
    if not allowed:
        raise NotAllowed(why)
    team = team_for(db, actor)

    def work(tx: Tx) -> int:
        rows = tx.execute("SELECT level, subject_id, month, old_amount, new_amount "
                          "FROM target_changes WHERE id = ?", [change_id])
        if not rows:
            raise NotFound(f"There is no target change #{change_id}.")
        level, sid, month, old, new = rows[0]
        found = subjects(tx, level, {sid})
        if sid not in found:
            raise NotFound(f"The target of change #{change_id} no longer exists.")
        check_reach(actor, team, found)
        where = f"{found[sid][0]}, {month_label(month)}"
        _check_revertable(tx, level, sid, month, where, change_id, old, new)
        text = f"Revert of change #{change_id}" + (f": {reason.strip()}" if reason and reason.strip() else "")
        write_cells(tx, level, [(sid, month, new, old)], text[:500], reverts_id=change_id)
        tx.audit("revert", "target_change", change_id, {where: [new, old]})
        return tx.value("SELECT max(id) FROM target_changes WHERE reverts_id = ?", [change_id])

    return db.write(actor, work)


def _check_revertable(tx: Tx, level: str, sid: int, month: date, where: str, change_id: int,
                      old: Decimal | None, new: Decimal | None) -> None:
    if old == new:
        raise ValidationFailed([f"Change #{change_id} left {where} as it was; there is nothing to revert."])
    locks = locked(tx, [month])
    if month in locks:
        raise ValidationFailed([f"{where}: the month is {locks[month]}; nobody can change it"])
    s = spec(level)
    now = tx.execute(f"SELECT amount FROM {s.table} WHERE {s.key} = ? AND month = ?", [sid, month])
    amount = now[0][0] if now else None
    if amount != new:
        by = tx.value("SELECT coalesce(u.display_name, 'someone else') FROM target_changes c "
                      "LEFT JOIN users u ON u.id = c.changed_by WHERE c.level = ? AND "
                      "c.subject_id = ? AND c.month = ? ORDER BY c.id DESC LIMIT 1", [level, sid, month])
        raise CellMovedOn(where, change_id, new, amount, by or "someone else")


# ---- locked months ------------------------------------------------------------------------------
def locks(db: Database, fiscal: FiscalYear | None = None) -> dict[date, str]:
    """Locked month -> 'locked by Eleanor Hayes on 2026-11-02' (of one fiscal year, or all)."""
    rows = db.rows("SELECT l.month, coalesce(u.display_name, 'someone'), l.locked_at::DATE "
                   "FROM period_locks l LEFT JOIN users u ON u.id = l.locked_by "
                   "WHERE $first::DATE IS NULL OR l.month BETWEEN $first AND $last ORDER BY l.month",
                   {"first": fiscal.months[0] if fiscal else None,
                    "last": fiscal.months[-1] if fiscal else None})
    return {r[0]: f"locked by {r[1]} on {r[2]:%Y-%m-%d}" for r in rows}


def lock_month(db: Database, actor: Actor, month: date) -> None:
    """Close a month: no target in it can change until it is unlocked."""
    require(actor, "lock_periods")
    month = month.replace(day=1)

    def work(tx: Tx) -> None:
        if tx.value("SELECT count(*) FROM period_locks WHERE month = ?", [month]):
            raise ValidationFailed([f"{month_label(month)} is already locked."])
        tx.execute("INSERT INTO period_locks (month, locked_by) VALUES (?, ?)", [month, actor.id])
        tx.audit("lock", "period", month.isoformat(), {"locked": [False, True]})

    db.write(actor, work)


def unlock_month(db: Database, actor: Actor, month: date) -> None:
    require(actor, "lock_periods")
    month = month.replace(day=1)

    def work(tx: Tx) -> None:
        if not tx.value("SELECT count(*) FROM period_locks WHERE month = ?", [month]):
            raise ValidationFailed([f"{month_label(month)} is not locked."])
        tx.execute("DELETE FROM period_locks WHERE month = ?", [month])
        tx.audit("unlock", "period", month.isoformat(), {"locked": [True, False]})

    db.write(actor, work)


# ---- the roll-up check --------------------------------------------------------------------------
def rollup(db: Database, actor: Actor, fiscal: FiscalYear) -> pd.DataFrame:
    """Per manager in reach, for the fiscal year: their own target against the sum of their
    live accounts' targets converted to the manager's currency with the month's FX rate.

    gap = own - accounts: above 0 the manager is over-allocated (carries more than the
    accounts add up to), below 0 under-allocated. An account target with no rate is left out
    and counted in `missing_fx`, and the status says so instead of comparing."""
    ids = reach(db, actor)
    df = db.df(f"""WITH {fx.RATES_CTE},
        mgr AS (SELECT * FROM ({CURRENCY_SQL['manager']}) WHERE id IN
                (SELECT id FROM account_managers WHERE active) AND
                ($ids::INTEGER[] IS NULL OR list_contains($ids::INTEGER[], id))),
        own AS (SELECT manager_id, sum(amount) AS amount FROM manager_targets
                WHERE month BETWEEN $first AND $last GROUP BY ALL),
        acc AS (SELECT a.owner_id, t.month, t.amount, t.currency, mgr.currency AS to_currency
                FROM account_targets t JOIN accounts a ON a.id = t.account_id
                JOIN mgr ON mgr.id = a.owner_id
                WHERE t.month BETWEEN $first AND $last AND a.archived_at IS NULL),
        conv AS (SELECT acc.owner_id, CASE WHEN acc.currency = acc.to_currency THEN acc.amount::DOUBLE
                        ELSE acc.amount::DOUBLE * src.usd / dst.usd END AS amount
                 FROM acc
                 ASOF LEFT JOIN usd_rates src ON src.currency = acc.currency AND acc.month >= src.month
                 ASOF LEFT JOIN usd_rates dst ON dst.currency = acc.to_currency AND acc.month >= dst.month),
        book AS (SELECT owner_id, round(sum(amount), 2) AS amount,
                        count(*) - count(amount) AS missing_fx FROM conv GROUP BY ALL)
        SELECT mgr.id, mgr.name, mgr.currency, own.amount::DOUBLE AS own, book.amount AS accounts,
               coalesce(book.missing_fx, 0) AS missing_fx
        FROM mgr LEFT JOIN own ON own.manager_id = mgr.id LEFT JOIN book ON book.owner_id = mgr.id
        ORDER BY lower(mgr.name), mgr.id""",
        {"rep": "USD", "first": fiscal.months[0], "last": fiscal.months[-1],
         "ids": None if ids is None else sorted(ids)})
    df["gap"] = (df["own"].fillna(0) - df["accounts"].fillna(0)).round(2)
    df["status"] = [f"FX rate missing for {int(n):,} account targets" if n else allocation(o, a)
                    for o, a, n in zip(df["own"], df["accounts"], df["missing_fx"])]
    return df


def rollup_for_display(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Manager": df["name"], "Currency": df["currency"],
                         "Manager's target": df["own"], "Sum of account targets": df["accounts"],
                         "Gap": df["gap"], "Status": df["status"]})
