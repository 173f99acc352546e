"""Targets: the monthly grid per manager (or per account of one manager) for a fiscal year,
what its edits mean (the plan), the seasonality shapes totals are spread by, and who may see
whose targets. Saving lives in lib.target_edits; history, revert, locks and the roll-up check
in lib.target_history; the arithmetic in lib.target_rules.

Amounts stay in each row's own currency: a manager's target currency, an account's currency.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from lib import fx
from lib.db import Database
from lib.errors import NotAllowed
from lib.periods import FiscalYear
from lib.permissions import NONE, refusal, scope, team_for
from lib.target_rules import (QUARTERS, YEAR, Cell, CellEdit, GridRow, columns, month_label,
                              quarter_months, quarter_totals, resolve_row, with_edits, year_total)
from lib.users import Actor

LEVELS = ("manager", "account")


@dataclass(frozen=True)
class Spec:
    table: str
    key: str
    noun: str


SPECS = {"manager": Spec("manager_targets", "manager_id", "manager"),
         "account": Spec("account_targets", "account_id", "account")}
# The currency a new target of the subject is written in (and its grid row is shown in).
CURRENCY_SQL = {
    "manager": "SELECT m.id, coalesce(t.currency, m.salary_currency, 'USD') AS currency, m.name, "
               "m.id AS owner_id, m.name AS owner_name FROM account_managers m LEFT JOIN "
               "(SELECT manager_id, arg_max(currency, month) AS currency FROM manager_targets "
               "GROUP BY ALL) t ON t.manager_id = m.id",
    "account": "SELECT a.id, a.currency, a.name, a.owner_id, o.name AS owner_name FROM accounts a "
               "LEFT JOIN account_managers o ON o.id = a.owner_id",
}


def spec(level: str) -> Spec:
    if level not in SPECS:
        raise ValueError(f"unknown target level {level!r}; known: {', '.join(LEVELS)}")
    return SPECS[level]


# ---- whose targets ------------------------------------------------------------------------------
def reach(db: Database, actor: Actor) -> frozenset[int] | None:
    """The managers whose targets `actor` may see: None for everyone (admin), a director's
    team, a manager's own. Viewers see none."""
    if actor.role == "admin":
        return None
    if actor.role == "director":
        return team_for(db, actor)
    if actor.role == "manager":
        return frozenset() if actor.manager_id is None else frozenset({actor.manager_id})
    raise NotAllowed("Viewers cannot open targets.")


def _ids(ids: frozenset[int] | None) -> list[int] | None:
    return None if ids is None else sorted(ids)


def managers(db: Database, actor: Actor) -> dict[int, str]:
    """Active account managers whose targets `actor` may see, id -> name, by name."""
    ids = _ids(reach(db, actor))
    return dict(db.rows("SELECT id, name FROM account_managers WHERE active AND "
                        "($ids::INTEGER[] IS NULL OR list_contains($ids::INTEGER[], id)) "
                        "ORDER BY lower(name), id", {"ids": ids}))


def may_edit(actor: Actor) -> tuple[bool, str]:
    """Whether `actor` may change targets at all, and why not."""
    if scope(actor, "edit_targets") == NONE:
        return False, refusal(actor, "edit_targets")
    return True, ""


# ---- the grid -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Grid:
    """One row per subject: Name, Currency, then `target_rules.columns` (months in fiscal order
    with each quarter after its months, then Year). `loaded` keeps each month as read, for the
    conflict check of the save."""

    level: str
    fiscal: FiscalYear
    manager_id: int | None
    table: pd.DataFrame
    loaded: dict[Cell, Decimal | None] = field(repr=False)

    @property
    def names(self) -> dict[int, str]:
        """Row id -> name, in the grid's order."""
        return {int(i): str(n) for i, n in zip(self.table.index, self.table["Name"])}


def grid(db: Database, actor: Actor, level: str, fiscal: FiscalYear, *,
         manager_id: int | None = None) -> Grid:
    """The target grid, in one pivoting query: every active manager in reach (level "manager")
    or every live account of `manager_id` (level "account")."""
    s, ids = spec(level), reach(db, actor)
    if level == "account" and (manager_id is None or (ids is not None and manager_id not in ids)):
        raise NotAllowed("You can see account targets only for your own or your team's accounts.")
    months = fiscal.months
    cells = [f"any_value(c.amount) FILTER (WHERE c.month = $m{i}) AS m{i}" for i in range(12)]
    quarters = [f"sum(c.amount) FILTER (WHERE c.month BETWEEN $m{3 * q} AND $m{3 * q + 2}) AS q{q}"
                for q in range(4)]
    if level == "account":
        where = "s.owner_id = $who AND s.id IN (SELECT id FROM accounts WHERE archived_at IS NULL)"
        who: Any = manager_id
    else:
        where = ("s.id IN (SELECT id FROM account_managers WHERE active) AND "
                 "($who::INTEGER[] IS NULL OR list_contains($who::INTEGER[], s.id))")
        who = _ids(ids)
    sql = f"""WITH s AS (SELECT * FROM ({CURRENCY_SQL[level]}) s WHERE {where}),
        c AS (SELECT {s.key} AS subject_id, month, amount FROM {s.table}
              WHERE month BETWEEN $m0 AND $m11 AND {s.key} IN (SELECT id FROM s))
        SELECT s.id, s.name, s.currency, {', '.join(cells + quarters)}, sum(c.amount) AS year
        FROM s LEFT JOIN c ON c.subject_id = s.id
        GROUP BY s.id, s.name, s.currency ORDER BY lower(s.name), s.id"""
    rows = db.rows(sql, {"who": who, **{f"m{i}": m for i, m in enumerate(months)}})
    return Grid(level, fiscal, manager_id, _table(rows, fiscal),
                {(r[0], m): r[3 + i] for r in rows for i, m in enumerate(months)})


def _table(rows: list[tuple], fiscal: FiscalYear) -> pd.DataFrame:
    figures = [month_label(m) for m in fiscal.months] + list(QUARTERS) + [YEAR]
    table = pd.DataFrame([r[1:] for r in rows], columns=["Name", "Currency", *figures],
                         index=pd.Index([r[0] for r in rows], name="id", dtype="int64"))
    table[figures] = table[figures].astype("float64")
    return table[["Name", "Currency", *columns(fiscal)]]


# ---- what the edits mean ------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    cells: list[CellEdit]
    problems: list[str]
    preview: pd.DataFrame  # the edited rows with their new quarter and year totals


def edits_totals(edited_rows: Mapping[Any, Mapping[str, Any]]) -> bool:
    """Whether any edit is to a quarter or year total (then a seasonality shape is needed)."""
    return any(col in (*QUARTERS, YEAR) for row in edited_rows.values() for col in row)


def plan(g: Grid, edited_rows: Mapping[Any, Mapping[str, Any]], seasonality: str,
         shapes: Mapping[int, Sequence[float]] | None = None) -> Plan:
    """The month cells the data editor's `edited_rows` (row position -> column -> value) mean.

    `seasonality` spreads edited totals: "even", "current" (the shape of the loaded targets)
    or "last_year" (`shapes`: subject id -> last year's 12 monthly actuals; `last_year_shapes`).
    """
    ids, cells, problems, preview = list(g.table.index), [], [], []
    for position, edited in sorted(edited_rows.items(), key=lambda kv: int(kv[0])):
        if not 0 <= int(position) < len(ids):
            continue  # a row the grid no longer has
        sid = int(ids[int(position)])
        row = GridRow(sid, str(g.table.at[sid, "Name"]), {m: g.loaded.get((sid, m)) for m in g.fiscal.months})
        done = resolve_row(row, edited, g.fiscal, _weights(g, row, seasonality, shapes))
        cells += done.cells
        problems += done.problems
        if done.cells:
            preview.append(_preview_row(g, row, done.cells))
    table = pd.DataFrame(preview, columns=g.table.columns) if preview else g.table.iloc[:0]
    return Plan(cells, problems, table)


def _weights(g: Grid, row: GridRow, seasonality: str, shapes: Mapping[int, Sequence[float]] | None):
    if seasonality == "current":
        return [row.months[m] for m in g.fiscal.months]
    if seasonality == "last_year":
        return (shapes or {}).get(row.subject_id)  # none: spread evenly
    return None


def _preview_row(g: Grid, row: GridRow, cells: list[CellEdit]) -> list[Any]:
    months = with_edits(row.months, cells)
    quarters = quarter_totals(months, g.fiscal)
    values = {month_label(m): months[m] for m in g.fiscal.months}
    values.update({QUARTERS[q - 1]: quarters[q] for q in range(1, 5)})
    values[YEAR] = year_total(months, g.fiscal)
    return [row.name, g.table.at[row.subject_id, "Currency"],
            *(None if values[c] is None else float(values[c]) for c in columns(g.fiscal))]


def last_year_shapes(db: Database, actor: Actor, level: str, fiscal: FiscalYear, *,
                     manager_id: int | None = None) -> dict[int, list[float]]:
    """Subject id -> the previous fiscal year's actual revenue per month (in USD, which keeps
    the shape of a book in several currencies), in fiscal order."""
    ids = _ids(reach(db, actor))
    subject = "a.owner_id" if level == "manager" else "a.id"
    who = ("($ids::INTEGER[] IS NULL OR list_contains($ids::INTEGER[], a.owner_id))"
           if level == "manager" else "a.owner_id = $manager")
    last = fiscal.previous().months
    source = (f"SELECT {subject} AS subject_id, r.amount, r.currency, r.month FROM revenue r "
              f"JOIN accounts a ON a.id = r.account_id WHERE r.month BETWEEN $first AND $last AND {who}")
    rows = db.rows(f"WITH {fx.RATES_CTE} SELECT subject_id, month, sum(amount_rep) "
                   f"FROM ({fx.converted(source)}) GROUP BY ALL",
                   {"rep": "USD", "first": last[0], "last": last[-1],
                    **({"ids": ids} if level == "manager" else {"manager": manager_id})})
    shapes: dict[int, list[float]] = {}
    for subject_id, month, amount in rows:
        shapes.setdefault(subject_id, [0.0] * 12)[last.index(month)] = float(amount or 0)
    return shapes


def quarter_help(fiscal: FiscalYear) -> dict[str, str]:
    """Column help for Q1..Q4 and Year: which months each covers."""
    out = {QUARTERS[q - 1]: f"{quarter_months(fiscal, q)[0]:%b}–{quarter_months(fiscal, q)[-1]:%b %Y}"
           for q in range(1, 5)}
    out[YEAR] = f"{fiscal.label}: {fiscal.months[0]:%b %Y}–{fiscal.months[-1]:%b %Y}"
    return out
