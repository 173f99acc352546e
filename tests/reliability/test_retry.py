"""A save whose COMMIT raised after it was durable, retried by the person, is applied once.

DuckDB does this when the disk fills during the checkpoint that follows a commit: COMMIT raises
"FatalException: ... COMMIT succeeded and is durable" (see STACK-NOTES). The write door then
reopens the connection and says the last action is uncertain (DatabaseReopened); the form keeps
its idempotency key until a save succeeds, so the person's retry sends the same key.

The fault is injected at the seam where the write door talks to DuckDB: the root connection is
wrapped so that one COMMIT really commits and then raises. Nothing in lib is changed.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import duckdb
import pytest

from lib import importing, integrity, interactions, target_edits
from lib.db import DatabaseReopened
from lib.errors import UserError
from lib.models import NewInteraction
from lib.target_rules import CellEdit
from tests.conftest import ADMIN, MANAGER
from tests.reliability.conftest import person

DURABLE = ("FATAL Error: Failed to commit: could not write to the checkpoint (No space left on "
           "device). COMMIT succeeded and is durable, but the database must be restarted.")


class _Cursor:
    def __init__(self, cursor, fault: "CommitThenFail") -> None:
        self._cursor, self._fault = cursor, fault

    def execute(self, sql, *args):
        result = self._cursor.execute(sql, *args)
        if sql.strip().upper() == "COMMIT" and self._fault.armed:
            self._fault.armed = False
            self._fault.fired += 1
            raise duckdb.FatalException(DURABLE)
        return result

    def __getattr__(self, name):
        return getattr(self._cursor, name)


class CommitThenFail:
    """Stands in for Database._root: the next COMMIT through it commits, then raises."""

    def __init__(self, root) -> None:
        self._root, self.armed, self.fired = root, True, 0

    def cursor(self):
        return _Cursor(self._root.cursor(), self)

    def __getattr__(self, name):
        return getattr(self._root, name)




def fail_next_commit(db) -> CommitThenFail:
    fault = CommitThenFail(db._root)
    db._root = fault
    return fault


def visit(db, maya) -> NewInteraction:
    account = db.value("SELECT min(id) FROM accounts WHERE owner_id = ?", [maya.manager_id])
    return NewInteraction.parse(account_id=account, type="visit", subject="Visit after the disk filled up",
                                occurred_at=datetime(2026, 1, 5, 10))


def test_a_retried_interaction_whose_commit_raised_after_it_was_durable_is_recorded_once(demo):
    maya = person(demo, MANAGER)
    item = visit(demo, maya)
    fault = fail_next_commit(demo)
    with pytest.raises(DatabaseReopened, match="may or may not have been saved"):
        interactions.record_interaction(demo, maya, item, idempotency_key="interaction:form-1")
    assert fault.fired == 1 and demo._root is not fault   # the door reopened a real connection
    assert demo.value("SELECT count(*) FROM interactions WHERE subject = 'Visit after the disk filled up'") == 1  # durable

    first = demo.value("SELECT id FROM interactions WHERE subject = 'Visit after the disk filled up'")
    again = interactions.record_interaction(demo, maya, item, idempotency_key="interaction:form-1")
    assert again == first
    assert demo.value("SELECT count(*) FROM interactions WHERE subject = 'Visit after the disk filled up'") == 1
    assert demo.value("SELECT count(*) FROM audit_log WHERE entity = 'interaction' AND action = 'create' "
                      "AND entity_id = ?", [str(first)]) == 1
    assert integrity.check(demo) == []


def test_without_the_key_the_same_retry_would_record_twice_which_is_why_forms_send_one(demo):
    maya = person(demo, MANAGER)
    item = visit(demo, maya)
    fail_next_commit(demo)
    with pytest.raises(DatabaseReopened):
        interactions.record_interaction(demo, maya, item)
    interactions.record_interaction(demo, maya, item)
    assert demo.value("SELECT count(*) FROM interactions WHERE subject = 'Visit after the disk filled up'") == 2


def test_a_retried_target_save_after_a_durable_commit_changes_nothing_twice(demo):
    fiona = person(demo, ADMIN)
    account, month = demo.value("SELECT min(id) FROM accounts"), date(2190, 1, 1)
    edit, loaded = [CellEdit(account, month, Decimal("1234.00"))], {}
    fail_next_commit(demo)
    with pytest.raises(DatabaseReopened):
        target_edits.save(demo, fiona, "account", edit, loaded)
    retried = target_edits.save(demo, fiona, "account", edit, loaded)
    assert retried.written == 0 and retried.sentence.startswith("Nothing to save")
    assert demo.value("SELECT count(*) FROM target_changes WHERE subject_id = ? AND month = ?",
                      [account, month]) == 1
    assert integrity.check(demo) == []


def test_a_retried_import_after_a_durable_commit_is_refused_as_the_same_file(demo):
    fiona = person(demo, ADMIN)
    ext = demo.value("SELECT external_id FROM accounts ORDER BY id LIMIT 1")
    data = f"Account,Month,Amount\n{ext},2190-01,100\n{ext},2190-02,200\n".encode()
    sheet = importing.read_upload(data, "revenue.csv").importable_sheets[0]
    staged = importing.stage(sheet.rows, "revenue", importing.suggest_mapping(list(sheet.rows.columns), "revenue"), {})

    def apply():
        return importing.apply_import(demo, fiona, staged, file_name="revenue.csv",
                                      digest=importing.file_hash(data))

    fail_next_commit(demo)
    with pytest.raises(DatabaseReopened):
        apply()
    with pytest.raises(UserError, match="already imported as batch 1"):
        apply()
    assert demo.value("SELECT count(*) FROM import_batches") == 1
    assert demo.value("SELECT count(*) FROM revenue WHERE year(month) = 2190") == 2
    assert integrity.check(demo) == []
