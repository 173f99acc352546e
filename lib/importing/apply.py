"""Commit an import in one transaction, remember what it did, and undo it on request.

Apply writes what the data says at commit time: from the plan the preview made, kept on its
cursor, when nothing was written since the preview began (lib.importing.kept), else by running
the same validation SQL again inside the write transaction. It writes creates and updates in
bulk, records the batch, one row per record touched in its table's undo log (with its values
before and after), and one summary audit row. Undo removes what the batch created and restores what it
updated, and refuses, naming the records, when anything changed them since.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Callable

from lib.db import Database, Tx
from lib.errors import NotAllowed, UserError, ValidationFailed
from lib.importing import kept, missing, people
from lib.importing.entities import TARGETS, Target
from lib.importing.plan import Preview, default_match, join_condition, plan, written_columns
from lib.importing.stage import Staged
from lib.permissions import ANY, can, refusal, require, scope, team_for
from lib.users import Actor

@dataclass(frozen=True)
class ImportResult:
    batch_id: int
    created: int
    updated: int
    unchanged: int
    rejected: int          # source rows left out because they had errors
    preview: Preview       # the plan written from: counts, records, errors, notes (`rows`
                           # and `changes` are empty unless it is the preview's own, kept)


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def earlier_batch(db: Database, digest: str, entity: str) -> dict | None:
    """The latest batch (not undone) that imported the same bytes as the same entity."""
    return db.record(
        "SELECT b.id, b.file_name, b.created_at, u.display_name AS created_by FROM import_batches b "
        "LEFT JOIN users u ON u.id = b.created_by WHERE b.file_hash = ? AND b.entity = ? "
        "AND b.undone_at IS NULL ORDER BY b.id DESC LIMIT 1", [digest, entity])


def same_file_message(batch: dict) -> str:
    return (f"This file was already imported as batch {batch['id']} ('{batch['file_name']}') "
            f"on {batch['created_at']:%d %b %Y %H:%M} by {batch['created_by']}.")


def preview_import(db: Database, staged: Staged, *, digest: str | None = None,
                   match_on: tuple[str, ...] | None = None, create_missing: bool = False,
                   shown: int | None = None) -> Preview:
    """What importing would do, row by row, without writing anything. create_missing: the
    accounts and managers the rows name but the database lacks are to be created, not errors.
    shown: only the first `shown` per-row lines and changes are fetched (see `plan`)."""
    version = db.data_version
    with db.cursor(keep=True) as cur:
        preview = plan(cur, staged, match_on, create_missing=create_missing, shown=shown)
    kept.keep(db, cur, version, staged, preview, create_missing)
    if digest:
        preview.same_file = earlier_batch(db, digest, staged.entity)
    return preview


def preview_in_full(db: Database, staged: Staged, *, match_on: tuple[str, ...] | None = None,
                    create_missing: bool = False) -> Preview:
    """The preview with every per-row line and change (for a download of them all), worked out
    again on a cursor of its own: what importing would do now."""
    with db.cursor() as cur:
        return plan(cur, staged, match_on, create_missing=create_missing)


Progress = Callable[[float, str], None]


def apply_import(db: Database, actor: Actor, staged: Staged, *, file_name: str, digest: str,
                 mapping: dict | None = None, match_on: tuple[str, ...] | None = None,
                 skip_bad_rows: bool = False, allow_same_file: bool = False,
                 create_missing: bool = False, progress: Progress | None = None,
                 preview: Preview | None = None) -> ImportResult:
    """Write the import in one transaction. Strict (the default): any bad row and nothing is
    written. skip_bad_rows: the good rows are written and the bad ones reported as rejected.
    create_missing: unknown accounts/managers the good rows name are created in the same
    transaction and belong to the batch. progress(fraction, what) is told each step as it
    starts (a plain callable, so a page can draw a progress bar). preview: what
    preview_import showed for this staged data: when nothing was written since it began, its
    plan is what the commit writes from instead of validating again (lib.importing.kept)."""
    require(actor, "import_data")
    if not allow_same_file and (earlier := earlier_batch(db, digest, staged.entity)):
        raise UserError(same_file_message(earlier) + " Nothing was written; import it again "
                        "only if you mean to.")
    target = TARGETS[staged.entity]
    team = team_for(db, actor)
    step = progress or (lambda fraction, what: None)

    match_on = tuple(match_on) if match_on else default_match(staged.entity, staged.given)
    planned = kept.take(db, preview, staged, match_on, create_missing)
    if planned is not None and not planned.fresh(db):   # (its cursor may even belong to a
        kept.close(planned)                             # connection reopened since)
        planned = None

    def work(tx: Tx) -> ImportResult:
        if planned is not None and planned.fresh(db):
            checked = preview      # nothing written since: its plan holds, on this cursor
        else:
            step(0.0, f"Checking {len(staged.values):,} rows")
            checked = plan(tx.cursor, staged, match_on, create_missing=create_missing,
                           details=False)
        if staged.entity in REACH:
            _within_reach(tx, actor, team, REACH[staged.entity])
        if checked.counts["error"] and not skip_bad_rows:
            raise ValidationFailed([f"{checked.counts['error']:,} rows have errors, so nothing "
                                    "was imported. Fix them, or choose to import the good rows "
                                    "only."])
        recs = checked.records
        step(0.4, "Recording the batch")
        batch_id = tx.value(
            "INSERT INTO import_batches (file_name, file_hash, entity, mapping, rows_created, "
            "rows_updated, rows_unchanged, rows_rejected, created_by) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [file_name, digest, staged.entity,
             json.dumps({"columns": mapping or {}, "given": staged.columns,
                         "match_on": list(checked.match_on), "create_missing": create_missing}),
             recs["create"], recs["update"], recs["unchanged"], checked.counts["error"], actor.id])
        if create_missing and checked.will_create:
            step(0.45, "Creating " + " and ".join(checked.will_create))
            missing.create(tx, staged.entity, batch_id)
        step(0.5, f"Creating {recs['create']:,} records")
        _create(tx, target, staged, batch_id)
        step(0.7, f"Updating {recs['update']:,} records")
        _update(tx, target, staged, batch_id)
        if staged.entity == "accounts":
            _account_history(tx, staged)
        if staged.entity == "account_targets" and "amount" in written_columns(staged):
            _target_history(tx, batch_id)
        step(0.85, "Recording what changed, for undo")
        _record(tx, target, staged, batch_id)
        counts = {"created": recs["create"], "updated": recs["update"],
                  "unchanged": recs["unchanged"], "rejected": checked.counts["error"]}
        tx.audit("import", staged.entity, batch_id, {"file": file_name, **counts}, batch_id=batch_id)
        step(0.95, "Saving")
        return ImportResult(batch_id, recs["create"], recs["update"], recs["unchanged"],
                            checked.counts["error"], checked)

    try:
        result = db.write(actor, work, cursor=planned.cursor if planned else None)
    except BaseException:
        if planned is not None and planned.fresh(db):   # rolled back, temp tables too: the
            kept.put_back(db, preview.plan_id, planned)  # plan holds for the next try
        elif planned is not None:
            kept.close(planned)
        raise
    if planned is not None:
        kept.close(planned)
    step(1.0, "Imported")
    return result


def _created(column: str, written: set[str], defaults: dict[str, str]) -> str:
    """SQL over `compared`: what a record the import creates holds in `column`."""
    value = column if column in written else "NULL"
    return f"coalesce({value}, {defaults[column]})" if column in defaults else value


def _create(tx: Tx, target: Target, staged: Staged, batch_id: int) -> None:
    written, defaults = set(written_columns(staged)), dict(target.defaults)
    cols, exprs = [], []
    if target.key == ("id",):
        tx.execute(f"UPDATE compared SET _target = nextval('seq_{target.table}') "
                   "WHERE action = 'create'")
        if staged.entity == "managers":
            people.link_bosses(tx.cursor)
        cols.append("id")
        exprs.append("_target")
    else:
        cols += list(target.key)
        exprs += list(target.key)
    for c in target.columns:
        cols.append(c)
        exprs.append(_created(c, written, defaults))
    stamps = ["created_by"] + ["updated_by"] * target.versioned
    cols += stamps + ["import_batch_id"] * target.has_batch
    exprs += ["?"] * len(stamps) + ["?"] * target.has_batch
    tx.execute(f"INSERT INTO {target.table} ({', '.join(cols)}) SELECT {', '.join(exprs)} "
               "FROM compared WHERE action = 'create'",
               [tx.actor.id] * len(stamps) + [batch_id] * target.has_batch)


def _update(tx: Tx, target: Target, staged: Staged, batch_id: int) -> None:
    # A blank cell never erases: an update keeps the stored value where the file has none.
    sets = [f"{c} = coalesce(r.{c}, {target.table}.{c})" for c in written_columns(staged)]
    params: list = []
    if target.versioned:
        sets += [f"version = {target.table}.version + 1", "updated_at = now()::TIMESTAMP",
                 "updated_by = ?"]
        params.append(tx.actor.id)
    if target.has_batch:
        sets.append("import_batch_id = ?")
        params.append(batch_id)
    tx.execute(f"UPDATE {target.table} SET {', '.join(sets)} FROM compared r "
               f"WHERE {join_condition(staged.entity, 'r', target.table)} AND r.action = 'update'",
               params)


HISTORY_FIELDS = ("owner_id", "tier", "status")


def _account_history(tx: Tx, staged: Staged) -> None:
    """Owner, tier and status changes keep their history however they were made."""
    parts = [f"SELECT _target, '{c}', old_{c}::VARCHAR, {c}::VARCHAR FROM compared WHERE "
             f"action = 'update' AND {c} IS NOT NULL AND {c} IS DISTINCT FROM old_{c}"
             for c in HISTORY_FIELDS if c in written_columns(staged)]
    if parts:
        tx.execute("INSERT INTO account_history (account_id, field, old_value, new_value, "
                   "changed_on, changed_by) SELECT *, current_date, ? FROM ("
                   + " UNION ALL ".join(parts) + ")", [tx.actor.id])


# Entities whose rows change what the importer may change only within their reach (the pages'
# rules): a director's team, everything for an admin.
REACH = {"account_targets": "edit_targets", "interactions": "record_interaction"}


def _within_reach(tx: Tx, actor: Actor, team: frozenset[int], action: str) -> None:
    """One account out of the importer's reach and nothing is written. An account the import
    creates counts as owned by the manager the file names for it."""
    if scope(actor, action) == ANY:
        return
    owners = tx.execute(
        "SELECT DISTINCT a.owner_id, m.name, a.name FROM compared c "
        "JOIN ref_accounts a ON a.id = c.account_id LEFT JOIN ref_managers m ON m.id = a.owner_id "
        "WHERE c.action IN ('create', 'update') ORDER BY a.name")
    for owner_id, owner_name, account in owners:
        if not can(actor, action, owner_manager_id=owner_id, team=team):
            raise NotAllowed(f"{account}: " + refusal(actor, action, owner_manager_id=owner_id,
                                                      owner_name=owner_name) + " Nothing was imported.")


def _target_history(tx: Tx, batch_id: int) -> None:
    """Imported targets appear in the Targets page history like any other change."""
    tx.execute("INSERT INTO target_changes (level, subject_id, month, old_amount, new_amount, "
               "reason, changed_by) SELECT 'account', account_id, month, old_amount, amount, ?, ? "
               "FROM compared WHERE action IN ('create', 'update') "
               "AND amount IS DISTINCT FROM old_amount", [f"import batch {batch_id}", tx.actor.id])


def _record(tx: Tx, target: Target, staged: Staged, batch_id: int) -> None:
    """One row in the undo log per record created or updated, with its values before and
    after. Both come from `compared` (whose old_* columns hold every stored value a snapshot
    names) rather than from reading the table back: the same values as `_create` and
    `_update` write."""
    written, defaults = set(written_columns(staged)), dict(target.defaults)
    log = {"batch_id": "?", "action": "CASE action WHEN 'create' THEN 'created' ELSE 'updated' END",
           "source_rows": "rows::INTEGER[]"}
    log |= {k: "_target" if k == "id" else k for k in target.key}
    log |= {f"old_{c}": f"CASE WHEN action = 'update' THEN old_{c} END"
            for c in target.snapshot_columns()}
    for c in target.columns:
        kept_or_new = f"coalesce({c}, old_{c})" if c in written else f"old_{c}"
        log[f"new_{c}"] = (f"CASE WHEN action = 'create' THEN {_created(c, written, defaults)} "
                           f"ELSE {kept_or_new} END")
    if target.has_batch:
        log["new_import_batch_id"] = "?"
    if target.versioned:   # a new record starts at the tables' DEFAULT 1
        log["new_version"] = "CASE WHEN action = 'create' THEN 1 ELSE old_version + 1 END"
    tx.execute(f"INSERT INTO {target.undo_log} ({', '.join(log)}) SELECT {', '.join(log.values())} "
               "FROM compared WHERE action IN ('create', 'update')",
               [batch_id] + [batch_id] * target.has_batch)


def import_history(db: Database, limit: int = 50):
    """The latest batches, newest first, with who imported them and whether they were undone."""
    return db.df(
        "SELECT b.id, b.created_at, u.display_name AS imported_by, b.file_name, b.entity, "
        "b.rows_created, b.rows_updated, b.rows_unchanged, b.rows_rejected, b.undone_at "
        "FROM import_batches b LEFT JOIN users u ON u.id = b.created_by "
        "ORDER BY b.id DESC LIMIT ?", [limit])
