"""Compensation plans and who is paid by which: reading them as the commission engine needs them.

A plan is a chain of revisions (see migration 006): the first revision's id names the plan, and
assignments point at it. A pay period is paid by the revision in force on the period's first day.
A manager is on one plan at a time: the assignment that covers a period is the one in force on
the period's last day, or, for someone who left within it, the last one that overlapped it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from lib.commission import Band, Plan, cents
from lib.db import Database

PERIODS_PER_YEAR = {"month": 12, "quarter": 4, "year": 1}


@dataclass(frozen=True)
class Assignment:
    id: int
    manager_id: int
    plan_id: int  # the plan (its first revision's id)
    effective_from: date
    effective_to: date | None
    base_salary: Decimal  # per year, in the plan's currency
    version: int


def revision_in_force(db: Database, plan_id: int, day: date) -> int | None:
    """The id of the revision of plan `plan_id` that applies on `day` (None: not yet in force)."""
    record = _in_force(_revisions(db, [plan_id]).get(plan_id, []), day)
    return None if record is None else record["id"]


def _revisions(db: Database, plan_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """plan -> the rows of its revisions (the plan's own first), latest first."""
    with db.cursor() as cur:
        cur.execute("SELECT * FROM comp_plans WHERE id IN (SELECT unnest($p::INTEGER[])) "
                    "OR revises_plan_id IN (SELECT unnest($p::INTEGER[])) "
                    "ORDER BY effective_from DESC, id DESC", {"p": plan_ids})
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, row)) for row in cur.fetchall()]
    out: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["revises_plan_id"] or row["id"], []).append(row)
    return out


def _in_force(revisions: list[dict[str, Any]], day: date) -> dict[str, Any] | None:
    """Of a plan's revisions, latest first, the one in force on `day`."""
    return next((r for r in revisions if r["effective_from"] <= day), None)


def plan_record(db: Database, revision_id: int) -> dict[str, Any] | None:
    """A revision's row (name, currency, period, rules, version ...) as a dict, or None."""
    return db.record("SELECT * FROM comp_plans WHERE id = ?", [revision_id])


def plan_bands(db: Database, revision_id: int) -> list[Band]:
    rows = db.rows("SELECT lower_pct, upper_pct, rate_pct FROM comp_plan_bands WHERE plan_id = ? "
                   "ORDER BY lower_pct", [revision_id])
    return [Band(Decimal(low), None if high is None else Decimal(high), Decimal(rate))
            for low, high, rate in rows]


def engine_plan(record: dict[str, Any], bands: list[Band], annual_base: Any = 0) -> Plan:
    """The commission engine's Plan for a revision row, paying `annual_base` a year."""
    period = record["period"]
    return Plan(
        method=record["method"], bands=tuple(bands),
        threshold_pct=_decimal(record["threshold_pct"]),
        cap_kind=record["cap_kind"], cap_value=_decimal(record["cap_value"]),
        hard_stop_pct=_decimal(record["hard_stop_pct"]),
        draw_amount=_decimal(record["draw_amount"]),
        draw_recoverable=bool(record["draw_recoverable"]),
        base_per_period=cents(Decimal(annual_base or 0) / PERIODS_PER_YEAR[period]),
        currency=record["currency"], period=period,
    )


def assignment_for(db: Database, manager_id: int, first_day: date, last_day: date) -> Assignment | None:
    """The assignment that pays `manager_id` for the period first_day..last_day, or None."""
    return _covering(assignments(db, manager_id), first_day, last_day)


def assignments(db: Database, manager_id: int) -> list[Assignment]:
    """Every assignment of a manager, latest first."""
    return _assignments_of(db, [manager_id]).get(manager_id, [])


def _assignments_of(db: Database, manager_ids: list[int]) -> dict[int, list[Assignment]]:
    with db.cursor() as cur:
        cur.execute("SELECT * FROM comp_assignments WHERE manager_id IN (SELECT unnest(?::INTEGER[])) "
                    "ORDER BY effective_from DESC, id DESC", [manager_ids])
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
    out: dict[int, list[Assignment]] = {}
    for row in rows:
        held = _assignment(dict(zip(names, row)))
        out.setdefault(held.manager_id, []).append(held)
    return out


def _covering(held: list[Assignment], first_day: date, last_day: date) -> Assignment | None:
    """Of a manager's assignments, latest first, the one paying first_day..last_day."""
    return next((a for a in held if a.effective_from <= last_day
                 and (a.effective_to is None or a.effective_to >= first_day)), None)


class PlanBook:
    """The plans paying a group of managers, read once (their assignments, and the revisions
    and bands of their plans), by the rules above: for a span of days, the assignment covering
    it, then its plan's revision in force on the span's first day."""

    def __init__(self, db: Database, manager_ids: list[int]) -> None:
        self.assignments = _assignments_of(db, manager_ids)
        self.revisions = _revisions(db, sorted({a.plan_id for held in self.assignments.values()
                                                for a in held}))
        self.bands: dict[int, list[Band]] = {}
        revision_ids = [r["id"] for held in self.revisions.values() for r in held]
        for revision, low, high, rate in db.rows(
                "SELECT plan_id, lower_pct, upper_pct, rate_pct FROM comp_plan_bands "
                "WHERE plan_id IN (SELECT unnest(?::INTEGER[])) ORDER BY plan_id, lower_pct",
                [revision_ids]):
            self.bands.setdefault(revision, []).append(
                Band(Decimal(low), None if high is None else Decimal(high), Decimal(rate)))
        self._seen: dict[tuple[int, date, date], tuple[str, Plan] | None] = {}

    def first_assignment(self, manager_id: int) -> date | None:
        return min((a.effective_from for a in self.assignments.get(manager_id, ())), default=None)

    def paying(self, manager_id: int, first: date, last: date) -> tuple[str, Plan] | None:
        """(plan name, engine Plan with the base per period) paying the manager for first..last."""
        key = (manager_id, first, last)
        if key not in self._seen:
            self._seen[key] = self._paying(manager_id, first, last)
        return self._seen[key]

    def _paying(self, manager_id: int, first: date, last: date) -> tuple[str, Plan] | None:
        held = _covering(self.assignments.get(manager_id, []), first, last)
        record = None if held is None else _in_force(self.revisions.get(held.plan_id, []), first)
        if record is None:
            return None
        return record["name"], engine_plan(record, self.bands.get(record["id"], []), held.base_salary)


def _assignment(row: dict[str, Any]) -> Assignment:
    return Assignment(
        id=row["id"], manager_id=row["manager_id"], plan_id=row["plan_id"],
        effective_from=row["effective_from"], effective_to=row["effective_to"],
        base_salary=Decimal(row["base_salary"]), version=row["version"])


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        if value != value:  # NaN from a pandas frame
            return None
    except TypeError:
        pass
    return Decimal(str(value))
