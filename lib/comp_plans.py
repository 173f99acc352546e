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
    return db.value(
        "SELECT id FROM comp_plans WHERE (id = $plan OR revises_plan_id = $plan) "
        "AND effective_from <= $day ORDER BY effective_from DESC, id DESC LIMIT 1",
        {"plan": plan_id, "day": day})


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
    row = db.record(
        "SELECT * FROM comp_assignments WHERE manager_id = $m AND effective_from <= $last "
        "AND (effective_to IS NULL OR effective_to >= $first) "
        "ORDER BY effective_from DESC, id DESC LIMIT 1",
        {"m": manager_id, "first": first_day, "last": last_day})
    return None if row is None else _assignment(row)


def assignments(db: Database, manager_id: int) -> list[Assignment]:
    """Every assignment of a manager, latest first."""
    with db.cursor() as cur:
        cur.execute("SELECT * FROM comp_assignments WHERE manager_id = ? "
                    "ORDER BY effective_from DESC, id DESC", [manager_id])
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
    return [_assignment(dict(zip(names, row))) for row in rows]


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
