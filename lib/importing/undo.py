"""Undo an import batch: remove what it created, restore what it updated.

A record anything changed after the batch (an edit, a later import) is not the batch's to
undo: then nothing is undone and the person is told which records and source rows.
"""
from __future__ import annotations

from dataclasses import dataclass

from lib.db import Database, Tx
from lib.errors import NotFound, ValidationFailed
from lib.importing.apply import HISTORY_FIELDS
from lib.importing.entities import TARGETS, Target
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
        # accounts and managers the batch created because its rows named them (create_missing)
        made = [(k, TARGETS[k]) for k in ("accounts", "managers")
                if tx.value(f"SELECT count(*) FROM {TARGETS[k].undo_log} WHERE batch_id = ? AND ref",
                            [batch_id])]
        _refuse_touched(tx, target, batch_id)
        for _, kind_target in made:
            _refuse_touched(tx, kind_target, batch_id, ref=True)
        if entity == "account_targets":
            _refuse_locked(tx, batch_id)
            _target_history(tx, batch_id)
        removed = _remove_created(tx, target, batch_id)
        if entity == "accounts":
            _account_history(tx, batch_id)
        restored = _restore_updated(tx, target, batch_id)
        # after removing and restoring, so records of the batch that use each other do not count
        _refuse_dependents(tx, target, entity, batch_id)
        for kind, kind_target in made:     # accounts first: they may use new managers
            gone = _remove_created(tx, kind_target, batch_id, ref=True)
            tx.audit("delete", kind, None, {"undo_of_import_batch": batch_id, "removed": gone},
                     batch_id=batch_id)
        for kind, kind_target in made:
            _refuse_dependents(tx, kind_target, kind, batch_id, ref=True)
        tx.execute("UPDATE import_batches SET undone_at = now()::TIMESTAMP, undone_by = ? "
                   "WHERE id = ?", [tx.actor.id, batch_id])
        tx.audit("undo_import", entity, batch_id, {"removed": removed, "restored": restored},
                 batch_id=batch_id)
        return UndoResult(batch_id, removed, restored)

    return db.write(actor, work)


def _refuse_touched(tx: Tx, target: Target, batch_id: int, *, ref: bool = False) -> None:
    key = "to_json(struct_pack(" + ", ".join(f"{k} := u.{k}" for k in target.key) + "))::VARCHAR"
    touched = tx.execute(f"""
        SELECT {key}, u.source_rows, t.{target.key[0]} IS NULL AS gone
        FROM {target.undo_log} u LEFT JOIN {target.table} t ON {target.same_record('t', 'u')}
        WHERE u.batch_id = ? AND u.ref = ? AND (t.{target.key[0]} IS NULL
                                                 OR NOT ({target.as_logged('t', 'u')}))
        ORDER BY u.source_rows[1]""", [batch_id, ref])
    if touched:
        lines = [f"{_rows(r[1])} ({r[0]}): {'deleted since' if r[2] else 'changed since'}"
                 for r in touched[:_SHOWN]]
        more = f" and {len(touched) - _SHOWN} more" if len(touched) > _SHOWN else ""
        raise ValidationFailed([
            f"Batch {batch_id} cannot be undone: {len(touched):,} of its records were changed "
            f"after the import{more}. Nothing was undone.", *lines])


def _refuse_dependents(tx: Tx, target: Target, entity: str, batch_id: int, *,
                       ref: bool = False) -> None:
    for table, column in DEPENDENTS.get(entity, []):
        used = tx.execute(f"""
            SELECT DISTINCT u.source_rows FROM {target.undo_log} u JOIN {table} d ON d.{column} = u.id
            WHERE u.batch_id = ? AND u.ref = ? AND u.action = 'created' ORDER BY 1""",
            [batch_id, ref])
        if used:
            rows = ", ".join(_rows(r[0]) for r in used[:_SHOWN])
            raise ValidationFailed([
                f"Batch {batch_id} cannot be undone: records it created ({rows}) are now used "
                f"by {table}. Nothing was undone."])


def _remove_created(tx: Tx, target: Target, batch_id: int, *, ref: bool = False) -> int:
    return tx.value(f"""
        DELETE FROM {target.table} t WHERE EXISTS (
            SELECT 1 FROM {target.undo_log} u WHERE u.batch_id = ? AND u.ref = ?
            AND u.action = 'created' AND {target.same_record('t', 'u')})""", [batch_id, ref]) or 0


def _restore_updated(tx: Tx, target: Target, batch_id: int) -> int:
    restore = list(target.columns) + ["import_batch_id"] * target.has_batch
    sets = [f"{c} = u.old_{c}" for c in restore]
    params: list = []
    if target.versioned:
        sets += [f"version = {target.table}.version + 1", "updated_at = now()::TIMESTAMP",
                 "updated_by = ?"]
        params.append(tx.actor.id)
    return tx.value(f"UPDATE {target.table} SET {', '.join(sets)} FROM {target.undo_log} u "
                    f"WHERE u.batch_id = ? AND NOT u.ref AND u.action = 'updated' "
                    f"AND {target.same_record(target.table, 'u')}", [*params, batch_id]) or 0


def _account_history(tx: Tx, batch_id: int) -> None:
    """Restoring an owner, tier or status is a change too: record it like any other."""
    parts = [f"SELECT id, '{c}' AS field, new_{c}::VARCHAR AS now, old_{c}::VARCHAR AS was "
             f"FROM import_rows_accounts WHERE batch_id = ? AND NOT ref AND action = 'updated'"
             for c in HISTORY_FIELDS]
    tx.execute("INSERT INTO account_history (account_id, field, old_value, new_value, changed_on, "
               "changed_by) SELECT id, field, now, was, current_date, ? FROM ("
               + " UNION ALL ".join(parts) + ") WHERE now IS DISTINCT FROM was",
               [tx.actor.id, *[batch_id] * len(parts)])


_BATCH_TARGETS = """
    SELECT account_id, month, new_amount AS now, old_amount AS was
    FROM import_rows_account_targets WHERE batch_id = ?"""


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


def _rows(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:5]) + (" ..." if len(rows) > 5 else "")
    return f"row{'s' if len(rows) > 1 else ''} {shown}"
