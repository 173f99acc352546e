"""Changing compensation plans and who is paid by which: the writes, for directors and admins,
and the tables they work from. Reading plans as the engine needs them is lib.comp_plans."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pandas as pd

from lib.comp_plan_checks import (BAD, PLAN_FIELDS, bands_text, check_plan, number,
                                  period_start_problem, shown)
from lib.comp_plans import plan_bands, plan_record
from lib.commission import Band, cents
from lib.commission_text import money, num
from lib.db import Database, Tx
from lib.errors import NotAllowed, NotFound, ValidationFailed, WriteConflict
from lib.models import MAX_AMOUNT
from lib.periods import fiscal_start_month
from lib.permissions import ANY, NONE, can, refusal, require, scope, team_for

if TYPE_CHECKING:
    from lib.users import Actor


# ---- administration: who may see and change plans, and the writes ---------------------------
# Directors and admins see every plan (plans are shared by roles); a director changes a plan
# only while everyone on it is in their team, and assigns plans only to their team.

SEE_PLANS = "Only a director or an admin can see and change compensation plans."


def may_see_plans(actor: Actor) -> bool:
    return scope(actor, "edit_plans") != NONE


def plans_table(db: Database, actor: Actor, *, today: date | None = None) -> pd.DataFrame:
    """Every plan as its latest revision says, with how many managers it pays on `today`."""
    _require_see(actor)
    rows = _frame(db, f"""WITH {_LATEST_CTE}, onplan AS (
        SELECT plan_id, count(DISTINCT manager_id) AS n FROM comp_assignments
        WHERE effective_from <= $today AND (effective_to IS NULL OR effective_to >= $today)
        GROUP BY plan_id)
        SELECT l.plan_id, l.name, l.currency, l.period, l.method, l.threshold_pct, l.cap_kind,
               l.cap_value, l.hard_stop_pct, l.draw_amount, l.draw_recoverable,
               coalesce(o.n, 0) AS managers, l.effective_from, l.revisions
        FROM latest l LEFT JOIN onplan o USING (plan_id) ORDER BY l.name, l.plan_id""",
                  {"today": today or date.today()})
    rows["cap"] = [_cap_text(k, v, c) for k, v, c in zip(rows["cap_kind"], rows["cap_value"], rows["currency"])]
    rows["draw"] = [_draw_text(a, r, c, p) for a, r, c, p in
                    zip(rows["draw_amount"], rows["draw_recoverable"], rows["currency"], rows["period"])]
    return rows.drop(columns=["cap_kind", "cap_value", "draw_amount", "draw_recoverable"])


def plan_for_editing(db: Database, plan_id: int) -> dict[str, Any]:
    """The latest revision of a plan: {"plan_id", "record", "bands", "version", "revisions"}.

    `version` is what `revise_plan` expects back; `revisions` lists every revision, oldest
    first, with effective_from, name, saved_by (a person's name) and saved_at.
    """
    revisions = db.rows(
        "SELECT p.id, p.effective_from, p.name, coalesce(u.display_name, 'user #' || p.updated_by), "
        "p.updated_at FROM comp_plans p LEFT JOIN users u ON u.id = p.updated_by "
        "WHERE p.id = $plan AND p.revises_plan_id IS NULL OR p.revises_plan_id = $plan "
        "ORDER BY p.effective_from, p.id", {"plan": plan_id})
    if not revisions or revisions[0][0] != plan_id:
        raise NotFound(f"There is no compensation plan with id {plan_id}.")
    record = plan_record(db, revisions[-1][0])
    keys = ("id", "effective_from", "name", "saved_by", "saved_at")
    return {"plan_id": plan_id, "record": record, "bands": plan_bands(db, record["id"]),
            "version": record["version"], "revisions": [dict(zip(keys, r)) for r in revisions]}


def create_plan(db: Database, actor: Actor, fields: dict[str, Any], bands: list) -> int:
    """Create a plan (its first revision, in force from the start); return its id.

    Raises ValidationFailed with every problem in words.
    """
    _require_change(actor)
    clean, new_bands, problems = check_plan(fields, bands)
    if problems:
        raise ValidationFailed(problems)

    def work(tx: Tx) -> int:
        plan_id = _insert_revision(tx, clean, new_bands, None, None, 1)
        changes = {f: [None, _audited(v)] for f, v in clean.items() if v is not None}
        tx.audit("create", "comp_plan", plan_id, {**changes, "bands": [None, bands_text(new_bands)]})
        return plan_id

    return db.write(actor, work)


def revise_plan(db: Database, actor: Actor, plan_id: int, loaded_version: int,
                fields: dict[str, Any], bands: list, effective_from: date, *,
                today: date | None = None) -> int:
    """Save a plan's rules from `effective_from`; return the id of the revision written.

    The latest revision's own date updates it in place; a later pay period's first day adds a
    revision (a copy with the changes); an earlier date is refused. Raises WriteConflict when
    the plan was saved after `loaded_version` was read, NotAllowed for a director when someone
    on the plan is outside their team, ValidationFailed with every problem in words.
    """
    _require_change(actor)
    team, day, start_month = team_for(db, actor), today or date.today(), fiscal_start_month(db)

    def work(tx: Tx) -> int:
        chain = _chain(tx, plan_id)
        latest = chain[-1]
        _may_revise(tx, actor, team, plan_id, day)
        if latest["version"] != loaded_version:
            current = {**{f: latest[f] for f in (*PLAN_FIELDS, "effective_from", "version")},
                       "bands": bands_text(_tx_bands(tx, latest["id"]))}
            raise WriteConflict("compensation plan", plan_id, current, tx.user_name(latest["updated_by"]))
        clean, new_bands, problems = check_plan({"role_title": latest["role_title"], **fields}, bands)
        problems += _date_problems(effective_from, chain, clean.get("period"), start_month)
        problems += _fixed_while_assigned(tx, plan_id, latest, clean)
        if problems:
            raise ValidationFailed(problems)
        changes = {f: [_audited(latest[f]), _audited(clean[f])] for f in PLAN_FIELDS
                   if clean[f] != latest[f] and not (clean[f] is None and latest[f] is None)}
        old_text, new_text = bands_text(_tx_bands(tx, latest["id"])), bands_text(new_bands)
        if old_text != new_text:
            changes["bands"] = [old_text, new_text]
        if not changes:
            tx.audit("no_change", "comp_plan", plan_id)
            return latest["id"]
        if effective_from == latest["effective_from"]:
            _update_revision(tx, latest["id"], clean, new_bands)
            tx.audit("update", "comp_plan", plan_id, {**changes, "revision": [latest["id"], latest["id"]]})
            return latest["id"]
        revision = _insert_revision(tx, clean, new_bands, plan_id, effective_from, latest["version"] + 1)
        tx.audit("revise", "comp_plan", plan_id, {
            **changes, "effective_from": [latest["effective_from"], effective_from],
            "revision": [latest["id"], revision]})
        return revision

    return db.write(actor, work)


def assignable_managers(db: Database, actor: Actor) -> dict[int, str]:
    """Active account managers this actor may put on a plan: id -> name."""
    team = team_for(db, actor)
    rows = db.rows("SELECT id, name FROM account_managers WHERE active ORDER BY name")
    return {i: n for i, n in rows if can(actor, "edit_plans", owner_manager_id=i, team=team)}


def assign_plan(db: Database, actor: Actor, manager_id: int, plan_id: int, base_salary: Any,
                effective_from: date) -> int:
    """Pay `manager_id` by `plan_id` from `effective_from` at `base_salary` a year (in the
    plan's currency); return the assignment's id.

    Their open assignment ends the day before; one starting the same day is replaced; one
    starting earlier than their latest assignment is refused.
    """
    team = team_for(db, actor)
    owner = db.value("SELECT name FROM account_managers WHERE id = ?", [manager_id])
    require(actor, "edit_plans", owner_manager_id=manager_id, team=team, owner_name=owner)

    def work(tx: Tx) -> int:
        salary, problems = _assignment_problems(tx, manager_id, plan_id, base_salary, effective_from)
        latest = tx.execute("SELECT id, plan_id, base_salary, effective_from, effective_to FROM "
                            "comp_assignments WHERE manager_id = ? ORDER BY effective_from DESC, id DESC "
                            "LIMIT 1", [manager_id])
        latest = dict(zip(("id", "plan_id", "base_salary", "effective_from", "effective_to"),
                          latest[0])) if latest else None
        if not problems and latest and effective_from < latest["effective_from"]:
            problems.append(f"Effective from: {owner} has been on a plan since "
                            f"{latest['effective_from']:%d %b %Y}; a new assignment must start on or "
                            "after that day.")
        if problems:
            raise ValidationFailed(problems)
        if latest and effective_from == latest["effective_from"]:
            return _replace_assignment(tx, latest, plan_id, salary)
        if latest and (latest["effective_to"] is None or latest["effective_to"] >= effective_from):
            end = effective_from - timedelta(days=1)
            tx.execute("UPDATE comp_assignments SET effective_to = ?, version = version + 1, "
                       "updated_at = now()::TIMESTAMP, updated_by = ? WHERE id = ?",
                       [end, tx.actor.id, latest["id"]])
            tx.audit("close", "comp_assignment", latest["id"], {"effective_to": [latest["effective_to"], end]})
        new_id = tx.value("INSERT INTO comp_assignments (manager_id, plan_id, effective_from, "
                          "base_salary, created_by, updated_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                          [manager_id, plan_id, effective_from, salary, tx.actor.id, tx.actor.id])
        tx.audit("create", "comp_assignment", new_id, {
            "manager_id": [None, manager_id], "plan_id": [None, plan_id],
            "base_salary": [None, salary], "effective_from": [None, effective_from]})
        return new_id

    return db.write(actor, work)


def assignments_table(db: Database, actor: Actor, *, today: date | None = None) -> pd.DataFrame:
    """Current and past assignments of the managers this actor may see, latest first per manager."""
    _require_see(actor)
    everyone = scope(actor, "edit_plans") == ANY
    return _frame(db, f"""WITH {_LATEST_CTE}
        SELECT a.id, a.manager_id, m.name AS manager, a.plan_id, l.name AS plan, l.currency,
               a.base_salary, a.effective_from, a.effective_to,
               a.effective_from <= $today AND coalesce(a.effective_to >= $today, true) AS current
        FROM comp_assignments a JOIN account_managers m ON m.id = a.manager_id
        LEFT JOIN latest l ON l.plan_id = a.plan_id
        WHERE $everyone OR list_contains($team::INTEGER[], a.manager_id)
        ORDER BY m.name, a.effective_from DESC, a.id DESC""",
                  {"everyone": everyone, "team": sorted(team_for(db, actor)), "today": today or date.today()})


# ---- helpers ------------------------------------------------------------------------------------
_LATEST_CTE = """latest AS (
    SELECT coalesce(revises_plan_id, id) AS plan_id, *,
           count(*) OVER (PARTITION BY coalesce(revises_plan_id, id)) AS revisions
    FROM comp_plans
    QUALIFY row_number() OVER (PARTITION BY coalesce(revises_plan_id, id)
                               ORDER BY effective_from DESC, id DESC) = 1)"""


def _frame(db: Database, sql: str, params: dict[str, Any]) -> pd.DataFrame:
    """A query's rows as a DataFrame that keeps DECIMAL as Decimal (.df() would make floats)."""
    with db.cursor() as cur:
        cur.execute(sql, params)
        names = [d[0] for d in cur.description]
        return pd.DataFrame(cur.fetchall(), columns=names)


def _require_see(actor: Actor) -> None:
    if not may_see_plans(actor):
        raise NotAllowed(SEE_PLANS)


def _require_change(actor: Actor) -> None:
    if not may_see_plans(actor):
        raise NotAllowed(refusal(actor, "edit_plans"))


def _may_revise(tx: Tx, actor: Actor, team: frozenset[int], plan_id: int, day: date) -> None:
    """A director changes a plan only while everyone on it (now or later) is in their team."""
    on_plan = tx.execute("SELECT DISTINCT m.id, m.name FROM comp_assignments a JOIN account_managers m "
                         "ON m.id = a.manager_id WHERE a.plan_id = ? AND (a.effective_to IS NULL "
                         "OR a.effective_to >= ?) ORDER BY m.name", [plan_id, day])
    outside = [name for i, name in on_plan if not can(actor, "edit_plans", owner_manager_id=i, team=team)]
    if outside:
        who = ", ".join(outside[:3]) + (f" and {len(outside) - 3} more" if len(outside) > 3 else "")
        raise NotAllowed(f"You can change a plan only when everyone on it is in your team; {who} "
                         f"{'is' if len(outside) == 1 else 'are'} on this plan and outside your team.")


def _chain(tx: Tx, plan_id: int) -> list[dict[str, Any]]:
    cur = tx.cursor
    cur.execute("SELECT * FROM comp_plans WHERE (id = $p AND revises_plan_id IS NULL) "
                "OR revises_plan_id = $p ORDER BY effective_from, id", {"p": plan_id})
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r)) for r in cur.fetchall()]
    if not rows or rows[0]["id"] != plan_id:
        raise NotFound(f"There is no compensation plan with id {plan_id}.")
    return rows


def _tx_bands(tx: Tx, revision_id: int) -> list[Band]:
    rows = tx.execute("SELECT lower_pct, upper_pct, rate_pct FROM comp_plan_bands WHERE plan_id = ? "
                      "ORDER BY lower_pct", [revision_id])
    return [Band(low, high, rate) for low, high, rate in rows]


def _date_problems(day: Any, chain: list[dict[str, Any]], period: str | None, start_month: int) -> list[str]:
    latest = chain[-1]["effective_from"]
    if isinstance(day, date) and not isinstance(day, datetime):
        if day < latest:
            return [f"Effective from: {day:%d %b %Y} is before the plan's latest revision, which "
                    f"applies from {latest:%d %b %Y}; choose that day to correct it, or a later one."]
        if day == latest and len(chain) == 1:
            return []  # the first revision applies from the start, whatever the pay period
    problem = period_start_problem(day, period or "", start_month)
    return [problem] if problem else []


def _fixed_while_assigned(tx: Tx, plan_id: int, latest: dict[str, Any], clean: dict[str, Any]) -> list[str]:
    moved = [(label, latest[f], clean[f]) for f, label in (("period", "Pay period"), ("currency", "Currency"))
             if clean[f] != latest[f]]
    if not moved or not tx.value("SELECT count(*) FROM comp_assignments WHERE plan_id = ?", [plan_id]):
        return []
    return [f"{label}: managers are or were paid by this plan in {old}, so it cannot become {new}; "
            "move the managers to a new plan instead." for label, old, new in moved]


def _insert_revision(tx: Tx, clean: dict[str, Any], bands: list[Band], plan_id: int | None,
                     effective_from: date | None, version: int) -> int:
    cols = [*PLAN_FIELDS, "revises_plan_id", "version", "created_by", "updated_by"]
    values = [*(clean[f] for f in PLAN_FIELDS), plan_id, version, tx.actor.id, tx.actor.id]
    if effective_from is not None:
        cols.append("effective_from")
        values.append(effective_from)
    revision = tx.value(f"INSERT INTO comp_plans ({', '.join(cols)}) VALUES "
                        f"({', '.join('?' for _ in cols)}) RETURNING id", values)
    _write_bands(tx, revision, bands)
    return revision


def _update_revision(tx: Tx, revision: int, clean: dict[str, Any], bands: list[Band]) -> None:
    tx.execute(f"UPDATE comp_plans SET {', '.join(f'{f} = ?' for f in PLAN_FIELDS)}, "
               "version = version + 1, updated_at = now()::TIMESTAMP, updated_by = ? WHERE id = ?",
               [*(clean[f] for f in PLAN_FIELDS), tx.actor.id, revision])
    tx.execute("DELETE FROM comp_plan_bands WHERE plan_id = ?", [revision])
    _write_bands(tx, revision, bands)


def _write_bands(tx: Tx, revision: int, bands: list[Band]) -> None:
    for band in bands:
        tx.execute("INSERT INTO comp_plan_bands (plan_id, lower_pct, upper_pct, rate_pct) "
                   "VALUES (?, ?, ?, ?)", [revision, band.lower_pct, band.upper_pct, band.rate_pct])


def _replace_assignment(tx: Tx, latest: dict[str, Any], plan_id: int, salary: Decimal) -> int:
    changes = {f: [latest[f], new] for f, new in (("plan_id", plan_id), ("base_salary", salary))
               if latest[f] != new}
    if not changes:
        tx.audit("no_change", "comp_assignment", latest["id"])
        return latest["id"]
    tx.execute("UPDATE comp_assignments SET plan_id = ?, base_salary = ?, version = version + 1, "
               "updated_at = now()::TIMESTAMP, updated_by = ? WHERE id = ?",
               [plan_id, salary, tx.actor.id, latest["id"]])
    tx.audit("update", "comp_assignment", latest["id"], changes)
    return latest["id"]


def _assignment_problems(tx: Tx, manager_id: int, plan_id: int, base_salary: Any,
                         effective_from: Any) -> tuple[Decimal | None, list[str]]:
    problems = []
    if not tx.value("SELECT count(*) FROM account_managers WHERE id = ? AND active", [manager_id]):
        problems.append(f"Manager: there is no active account manager with id {manager_id}.")
    first = tx.execute("SELECT effective_from, name FROM comp_plans WHERE id = ? AND revises_plan_id IS NULL",
                       [plan_id])
    if not first:
        problems.append(f"Plan: there is no compensation plan with id {plan_id}.")
    salary = number(base_salary)
    if salary is BAD or salary is None or not 0 < salary <= MAX_AMOUNT:
        typed = "" if salary is None else f"{shown(base_salary)} is not a salary; "
        problems.append(f"Yearly base salary: {typed}give an amount above zero, e.g. 85000.")
        salary = None
    else:
        salary = cents(salary)
    if not isinstance(effective_from, date) or isinstance(effective_from, datetime):
        problems.append("Effective from: give the date the manager is paid by this plan from.")
    elif first and effective_from < first[0][0]:
        problems.append(f"Effective from: {first[0][1]} applies only from {first[0][0]:%d %b %Y}.")
    return salary, problems


def _audited(value: Any) -> Any:
    return Decimal(num(value)) if isinstance(value, Decimal) else value


def _cap_text(kind: Any, value: Any, currency: str) -> str | None:
    if kind == "multiple":
        return f"{num(value)}× target commission"
    return money(value, currency) if kind == "amount" and value is not None else None


def _draw_text(amount: Any, recoverable: Any, currency: str, period: str) -> str | None:
    if amount is None or amount != amount:
        return None
    return f"{money(amount, currency)} a {period}, {'recoverable' if recoverable is True else 'kept'}"

