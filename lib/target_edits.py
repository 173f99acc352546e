"""Saving target cells: one transaction per save, every cell validated, locked months and
cells out of reach refused, and the per-cell conflict rule.

The conflict rule, per cell: a save writes every cell nobody else changed since the person
loaded the grid. A cell someone else changed meanwhile is not written; it comes back in
`SaveResult.conflicts` with their value and name. The months of a spread total stay together:
if one of them conflicts, none of that total is written (`held_back`). Validation is all or
nothing: one wrong cell, a locked month or a cell out of reach, and nothing of the save is
written; every problem is listed.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd

from lib.db import Database, Tx
from lib.errors import NotAllowed, ValidationFailed
from lib.permissions import require, team_for
from lib.target_rules import Cell, CellEdit, month_label, parse_amount, sort_out
from lib.targets import CURRENCY_SQL, Grid, Plan, Spec, may_edit, spec
from lib.users import Actor

MAX_REASON = 500
AUDITED_CELLS = 50  # an audit row names at most this many cells; target_changes holds them all


@dataclass(frozen=True)
class Conflict:
    subject: str
    month: date
    yours: Decimal | None
    theirs: Decimal | None
    by: str


@dataclass(frozen=True)
class SaveResult:
    written: int
    conflicts: tuple[Conflict, ...] = ()
    held_back: tuple[str, ...] = ()

    @property
    def sentence(self) -> str:
        if not self.written and not self.conflicts:
            return "Nothing to save: the targets already hold these values."
        saved = (f"Saved {self.written:,} target{'s' if self.written != 1 else ''}."
                 if self.written else "Nothing was saved.")
        if not self.conflicts:
            return saved
        n = len(self.conflicts)
        return (f"{saved} {n:,} cell{'s were' if n != 1 else ' was'} not saved because someone "
                "else changed them after you loaded the grid; their values are shown below.")


class _NothingWritten(Exception):
    """Leaves the write door without writing (and so without an audit row)."""

    def __init__(self, result: SaveResult) -> None:
        self.result = result


def save_plan(db: Database, actor: Actor, g: Grid, p: Plan, reason: str | None = None) -> SaveResult:
    """Save a grid's plan against the values the grid was loaded with (see the module doc)."""
    return save(db, actor, g.level, p.cells, g.loaded, reason, problems=p.problems)


def save(db: Database, actor: Actor, level: str, changes: Iterable[Any],
         loaded: Mapping[Cell, Decimal | None], reason: str | None = None, *,
         problems: Sequence[str] = ()) -> SaveResult:
    """Save month cells in one transaction. `changes` are CellEdit or TargetChange-like items
    (subject_id, month, amount; amount None removes the target); `loaded` maps
    (subject_id, month) to the value the person saw (missing: they saw no target).
    Raises ValidationFailed listing every wrong cell (with `problems` found earlier) and
    NotAllowed for subjects out of reach; returns what was written and what conflicted."""
    s = spec(level)
    cells = [CellEdit(int(c.subject_id), c.month.replace(day=1), getattr(c, "amount", None),
                      getattr(c, "group", None)) for c in changes]
    if not cells and not problems:
        return SaveResult(0)
    allowed, why = may_edit(actor)
    if not allowed:
        raise NotAllowed(why)
    if not cells:
        raise ValidationFailed(list(problems))
    team = team_for(db, actor)
    reason = (reason or "").strip() or None

    def work(tx: Tx) -> SaveResult:
        found = subjects(tx, level, {c.subject_id for c in cells})
        check_reach(actor, team, found)
        current = _current(tx, s, cells)
        parsed, issues = _validated(s, cells, found, current, locked(tx, (c.month for c in cells)))
        issues = list(problems) + issues + _reason_problems(reason)
        if issues:
            raise ValidationFailed(issues)
        sorted_out = sort_out(parsed, loaded, {k: v[0] for k, v in current.items()})
        conflicts = _conflicts(tx, level, sorted_out.conflicts, found, current)
        result = SaveResult(len(sorted_out.write), conflicts, tuple(sorted_out.held_back))
        if not sorted_out.write:
            raise _NothingWritten(result)
        _apply(tx, level, sorted_out.write, current, reason)
        tx.audit("update", f"{level}_target", None,
                 _audit_changes(sorted_out.write, found, current, reason))
        return result

    try:
        return db.write(actor, work)
    except _NothingWritten as nothing:
        return nothing.result


def subjects(tx: Tx, level: str, ids: set[int]) -> dict[int, tuple[str, int | None, str | None]]:
    """id -> (name, owning manager, the owner's name) of the subjects being changed."""
    rows = tx.execute(f"SELECT id, name, owner_id, owner_name FROM ({CURRENCY_SQL[level]}) "
                      "WHERE list_contains(?::INTEGER[], id)", [sorted(ids)])
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def check_reach(actor: Actor, team: frozenset[int], subjects: Mapping[int, tuple]) -> None:
    """NotAllowed unless `actor` may change the targets of every one of `subjects`."""
    for _name, owner, owner_name in subjects.values():
        require(actor, "edit_targets", owner_manager_id=owner, team=team, owner_name=owner_name)


def locked(tx: Tx, months: Iterable[date]) -> dict[date, str]:
    """Locked month -> 'locked by Eleanor Hayes on 2026-11-02', for the months given."""
    rows = tx.execute("SELECT l.month, coalesce(u.display_name, 'someone'), l.locked_at::DATE "
                      "FROM period_locks l LEFT JOIN users u ON u.id = l.locked_by "
                      "WHERE list_contains(?::DATE[], l.month)", [sorted(set(months))])
    return {r[0]: f"locked by {r[1]} on {r[2]:%Y-%m-%d}" for r in rows}


def _current(tx: Tx, s: Spec, cells: Sequence[CellEdit]) -> dict[Cell, tuple[Decimal, int]]:
    """(subject, month) -> (amount, updated_by) of the saved targets the cells touch."""
    months = sorted({c.month for c in cells})
    rows = tx.execute(f"SELECT {s.key}, month, amount, updated_by FROM {s.table} "
                      f"WHERE list_contains(?::INTEGER[], {s.key}) AND month BETWEEN ? AND ?",
                      [sorted({c.subject_id for c in cells}), months[0], months[-1]])
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


def _validated(s: Spec, cells: Sequence[CellEdit], subjects: Mapping[int, tuple],
               current: Mapping[Cell, tuple], locks: Mapping[date, str]) -> tuple[list[CellEdit], list[str]]:
    parsed, problems, seen = [], [], set()
    for cell in cells:
        name = subjects.get(cell.subject_id, (f"#{cell.subject_id}",))[0]
        where = f"{name}, {month_label(cell.month)}"
        if cell.subject_id not in subjects:
            problems.append(f"{where}: there is no such {s.noun}")
            continue
        if (cell.subject_id, cell.month) in seen:
            problems.append(f"{where}: changed twice in one save")
            continue
        seen.add((cell.subject_id, cell.month))
        try:
            amount = parse_amount(cell.amount)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        now = current.get((cell.subject_id, cell.month), (None,))[0]
        if cell.month in locks and amount != now:
            problems.append(f"{where}: the month is {locks[cell.month]}; nobody can change it")
            continue
        parsed.append(CellEdit(cell.subject_id, cell.month, amount, cell.group))
    return parsed, problems


def _reason_problems(reason: str | None) -> list[str]:
    if reason and len(reason) > MAX_REASON:
        return [f"Reason: is too long (at most {MAX_REASON} characters)"]
    return []


def _conflicts(tx: Tx, level: str, cells: Sequence[CellEdit], subjects: Mapping[int, tuple],
               current: Mapping[Cell, tuple]) -> tuple[Conflict, ...]:
    if not cells:
        return ()
    keys = [(c.subject_id, c.month) for c in cells]
    last = {(r[0], r[1]): r[2] for r in tx.execute(
        "SELECT subject_id, month, arg_max(changed_by, id) FROM target_changes WHERE level = ? "
        "AND list_contains(?::INTEGER[], subject_id) GROUP BY ALL", [level, sorted({k[0] for k in keys})])}
    by_ids = {last.get(k, current.get(k, (None, None))[1]) for k in keys}
    names = dict(tx.execute("SELECT id, display_name FROM users WHERE list_contains(?::INTEGER[], id)",
                            [sorted(i for i in by_ids if i is not None)]))
    return tuple(Conflict(subjects[c.subject_id][0], c.month, c.amount,
                          current.get(k, (None,))[0],
                          names.get(last.get(k, current.get(k, (None, None))[1]), "someone else"))
                 for c, k in zip(cells, keys))


def _apply(tx: Tx, level: str, cells: Sequence[CellEdit], current: Mapping[Cell, tuple],
           reason: str | None) -> None:
    """Write the cells in a few set statements (a spread of a whole grid is thousands)."""
    write_cells(tx, level, [(c.subject_id, c.month, current.get((c.subject_id, c.month), (None,))[0],
                             c.amount) for c in cells], reason)


def write_cells(tx: Tx, level: str, cells: Sequence[tuple[int, date, Decimal | None, Decimal | None]],
                reason: str | None, reverts_id: int | None = None) -> None:
    """(subject, month, old, new) -> update, insert or delete the target and record the change."""
    s = spec(level)
    frame = pd.DataFrame({
        "subject_id": pd.Series([c[0] for c in cells], dtype="int64"),
        "month": pd.Series([c[1].isoformat() for c in cells], dtype="object"),
        "old": pd.Series([None if c[2] is None else str(c[2]) for c in cells], dtype="object"),
        "new": pd.Series([None if c[3] is None else str(c[3]) for c in cells], dtype="object"),
        "kind": pd.Series(["delete" if c[3] is None else "insert" if c[2] is None else "update"
                           for c in cells], dtype="object"),
    })
    tx.cursor.register("_target_cells", frame)
    try:
        params, kinds = {"actor": tx.actor.id}, set(frame["kind"])
        if "update" in kinds:  # each statement costs a few milliseconds even when it finds nothing
            tx.execute(f"UPDATE {s.table} t SET amount = c.new::DECIMAL(18,2), version = t.version + 1, "
                       "updated_at = now()::TIMESTAMP, updated_by = $actor FROM _target_cells c "
                       f"WHERE c.kind = 'update' AND t.{s.key} = c.subject_id AND t.month = c.month::DATE",
                       params)
        if "insert" in kinds:
            tx.execute(f"INSERT INTO {s.table} ({s.key}, month, amount, currency, created_by, updated_by) "
                       "SELECT c.subject_id, c.month::DATE, c.new::DECIMAL(18,2), cur.currency, "
                       "$actor, $actor "
                       f"FROM _target_cells c JOIN ({CURRENCY_SQL[level]}) cur ON cur.id = c.subject_id "
                       "WHERE c.kind = 'insert'", params)
        if "delete" in kinds:
            tx.execute(f"DELETE FROM {s.table} t USING _target_cells c WHERE c.kind = 'delete' "
                       f"AND t.{s.key} = c.subject_id AND t.month = c.month::DATE")
        tx.execute("INSERT INTO target_changes (level, subject_id, month, old_amount, new_amount, "
                   "reason, reverts_id, changed_by) SELECT $level, subject_id, month::DATE, "
                   "old::DECIMAL(18,2), new::DECIMAL(18,2), $reason, $reverts, $actor FROM _target_cells",
                   {**params, "level": level, "reason": reason, "reverts": reverts_id})
    finally:
        tx.cursor.unregister("_target_cells")


def _audit_changes(cells: Sequence[CellEdit], subjects: Mapping[int, tuple],
                   current: Mapping[Cell, tuple], reason: str | None) -> dict[str, Any]:
    changes: dict[str, Any] = {
        f"{subjects[c.subject_id][0]}, {month_label(c.month)}":
            [current.get((c.subject_id, c.month), (None,))[0], c.amount]
        for c in cells[:AUDITED_CELLS]}
    if len(cells) > AUDITED_CELLS:
        changes["cells changed"] = len(cells)
    if reason:
        changes["reason"] = reason
    return changes


def conflicts_table(result: SaveResult) -> pd.DataFrame:
    """The cells a save refused because someone else changed them: theirs against yours."""
    return pd.DataFrame({
        "Target": [c.subject for c in result.conflicts],
        "Month": [month_label(c.month) for c in result.conflicts],
        "Their value": [None if c.theirs is None else float(c.theirs) for c in result.conflicts],
        "Changed by": [c.by for c in result.conflicts],
        "Your value (not saved)": [None if c.yours is None else float(c.yours) for c in result.conflicts],
    })
