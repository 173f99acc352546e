"""Undo an import batch: remove what it created, restore what it updated.

A record anything changed after the batch (an edit, a later import) is not the batch's to
undo: then nothing is undone and the person is told which records and source rows.
"""
from __future__ import annotations

from dataclasses import dataclass

from lib.db import Database, Tx
from lib.errors import NotFound, ValidationFailed
from lib.importing.apply import HISTORY_FIELDS, snapshot_sql
from lib.importing.entities import KEY_TYPES, TARGETS, Target
from lib.permissions import require
from lib.users import Actor

# Records that point at an account or an invoice: a created parent they use must stay.
DEPENDENTS = {
    "accounts": [("revenue", "account_id"), ("invoices", "account_id"), ("contacts", "account_id"),
                 ("interactions", "account_id"), ("account_targets", "account_id"),
                 ("budgets", "account_id"), ("accounts", "parent_id")],
    "invoices": [("payments", "invoice_id")],
    "contacts": [("interaction_contacts", "contact_id")],
    "managers": [("accounts", "owner_id"), ("interactions", "manager_id"),
                 ("interactions", "next_step_owner_id"), ("account_managers", "reports_to"),
                 ("users", "manager_id"), ("manager_targets", "manager_id"),
                 ("comp_assignments", "manager_id")],
    "interactions": [("interaction_contacts", "interaction_id")],
}
_SHOWN = 10


@dataclass(frozen=True)
class UndoResult:
    batch_id: int
    removed: int
    restored: int


def _match(target: Target, alias: str = "t") -> str:
    return " AND ".join(f"{alias}.{k} = json_extract_string(ir.record_key, '$.{k}')::{KEY_TYPES[k]}"
                        for k in target.key)


def undo_batch(db: Database, actor: Actor, batch_id: int) -> UndoResult:
    require(actor, "import_data")

    def work(tx: Tx) -> UndoResult:
        batch = tx.execute("SELECT entity, undone_at FROM import_batches WHERE id = ?", [batch_id])
        if not batch:
            raise NotFound(f"There is no import batch {batch_id}.")
        entity, undone_at = batch[0]
        if undone_at is not None:
            raise ValidationFailed([f"Batch {batch_id} was already undone on {undone_at:%d %b %Y}."])
        target = TARGETS[entity]
        refs = [(k, TARGETS[k]) for k in ("accounts", "managers")
                if tx.value("SELECT count(*) FROM import_rows WHERE batch_id = ? AND entity = ?",
                            [batch_id, f"ref:{k}"])]
        _refuse_touched(tx, target, batch_id, entity)
        for kind, ref in refs:
            _refuse_touched(tx, ref, batch_id, f"ref:{kind}")
        if entity == "account_targets":
            _refuse_locked(tx, batch_id)
            _target_history(tx, batch_id)
        removed = _remove_created(tx, target, batch_id, entity)
        if entity == "accounts":
            _account_history(tx, batch_id)
        restored = _restore_updated(tx, target, batch_id, entity)
        # after removing and restoring, so records of the batch that use each other do not count
        _refuse_dependents(tx, target, entity, batch_id, entity)
        for kind, ref in refs:     # accounts created on request first: they may use new managers
            gone = _remove_created(tx, ref, batch_id, f"ref:{kind}")
            tx.audit("delete", kind, None, {"undo_of_import_batch": batch_id, "removed": gone},
                     batch_id=batch_id)
        for kind, ref in refs:
            _refuse_dependents(tx, ref, kind, batch_id, f"ref:{kind}")
        tx.execute("UPDATE import_batches SET undone_at = now()::TIMESTAMP, undone_by = ? "
                   "WHERE id = ?", [tx.actor.id, batch_id])
        tx.audit("undo_import", entity, batch_id, {"removed": removed, "restored": restored},
                 batch_id=batch_id)
        return UndoResult(batch_id, removed, restored)

    return db.write(actor, work)


def _refuse_touched(tx: Tx, target: Target, batch_id: int, tag: str) -> None:
    touched = tx.execute(f"""
        SELECT ir.record_key, ir.source_rows, t.{target.key[0]} IS NULL AS gone
        FROM import_rows ir LEFT JOIN {target.table} t ON {_match(target)}
        WHERE ir.batch_id = ? AND ir.entity = ? AND (t.{target.key[0]} IS NULL
                                   OR {snapshot_sql(target, 't')} <> ir.new_values::VARCHAR)
        ORDER BY ir.source_rows[1]""", [batch_id, tag])
    if touched:
        lines = [f"{_rows(r[1])} ({r[0]}): {'deleted since' if r[2] else 'changed since'}"
                 for r in touched[:_SHOWN]]
        more = f" and {len(touched) - _SHOWN} more" if len(touched) > _SHOWN else ""
        raise ValidationFailed([
            f"Batch {batch_id} cannot be undone: {len(touched):,} of its records were changed "
            f"after the import{more}. Nothing was undone.", *lines])


def _refuse_dependents(tx: Tx, target: Target, entity: str, batch_id: int, tag: str) -> None:
    for table, column in DEPENDENTS.get(entity, []):
        used = tx.execute(f"""
            SELECT DISTINCT ir.source_rows FROM import_rows ir JOIN {table} d
                ON d.{column} = json_extract_string(ir.record_key, '$.id')::INTEGER
            WHERE ir.batch_id = ? AND ir.entity = ? AND ir.action = 'created' ORDER BY 1""",
            [batch_id, tag])
        if used:
            rows = ", ".join(_rows(r[0]) for r in used[:_SHOWN])
            raise ValidationFailed([
                f"Batch {batch_id} cannot be undone: records it created ({rows}) are now used "
                f"by {table}. Nothing was undone."])


def _remove_created(tx: Tx, target: Target, batch_id: int, tag: str) -> int:
    return tx.value(f"""
        DELETE FROM {target.table} t WHERE EXISTS (
            SELECT 1 FROM import_rows ir WHERE ir.batch_id = ? AND ir.entity = ?
            AND ir.action = 'created' AND {_match(target)})""", [batch_id, tag]) or 0


def _restore_updated(tx: Tx, target: Target, batch_id: int, tag: str) -> int:
    restore = list(target.columns) + ["import_batch_id"] * target.has_batch
    sets = [f"{c} = json_extract_string(ir.old_values, '$.{c}')::{_type(target, c)}" for c in restore]
    params: list = []
    if target.versioned:
        sets += [f"version = {target.table}.version + 1", "updated_at = now()::TIMESTAMP",
                 "updated_by = ?"]
        params.append(tx.actor.id)
    return tx.value(f"UPDATE {target.table} SET {', '.join(sets)} FROM import_rows ir "
                    f"WHERE ir.batch_id = ? AND ir.entity = ? AND ir.action = 'updated' "
                    f"AND {_match(target, target.table)}", [*params, batch_id, tag]) or 0


def _account_history(tx: Tx, batch_id: int) -> None:
    """Restoring an owner, tier or status is a change too: record it like any other."""
    parts = [f"SELECT json_extract_string(record_key, '$.id')::INTEGER AS id, '{c}' AS field, "
             f"json_extract_string(new_values, '$.{c}') AS now, "
             f"json_extract_string(old_values, '$.{c}') AS was FROM import_rows "
             f"WHERE batch_id = ? AND action = 'updated'" for c in HISTORY_FIELDS]
    tx.execute("INSERT INTO account_history (account_id, field, old_value, new_value, changed_on, "
               "changed_by) SELECT id, field, now, was, current_date, ? FROM ("
               + " UNION ALL ".join(parts) + ") WHERE now IS DISTINCT FROM was",
               [tx.actor.id, *[batch_id] * len(parts)])


_BATCH_TARGETS = """
    SELECT json_extract_string(record_key, '$.account_id')::INTEGER AS account_id,
           json_extract_string(record_key, '$.month')::DATE AS month,
           json_extract_string(new_values, '$.amount')::DECIMAL(18,2) AS now,
           json_extract_string(old_values, '$.amount')::DECIMAL(18,2) AS was
    FROM import_rows WHERE batch_id = ? AND entity = 'account_targets'"""


def _refuse_locked(tx: Tx, batch_id: int) -> None:
    """A locked month refuses every target change, an undo's too."""
    months = tx.execute(f"SELECT DISTINCT strftime(b.month, '%Y-%m') FROM ({_BATCH_TARGETS}) b "
                        "JOIN period_locks l ON l.month = b.month ORDER BY 1", [batch_id])
    if months:
        raise ValidationFailed([f"Batch {batch_id} cannot be undone: it changed targets in "
                                f"locked months ({', '.join(m[0] for m in months)}). Unlock them "
                                "first. Nothing was undone."])


def _target_history(tx: Tx, batch_id: int) -> None:
    """Undoing puts each target back; the target history records that as a change too."""
    tx.execute(f"INSERT INTO target_changes (level, subject_id, month, old_amount, new_amount, "
               f"reason, changed_by) SELECT 'account', account_id, month, now, was, ?, ? "
               f"FROM ({_BATCH_TARGETS}) WHERE now IS DISTINCT FROM was",
               [f"undo of import batch {batch_id}", tx.actor.id, batch_id])


def _type(target: Target, column: str) -> str:
    return target.columns.get(column, "INTEGER")


def _rows(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:5]) + (" ..." if len(rows) > 5 else "")
    return f"row{'s' if len(rows) > 1 else ''} {shown}"
