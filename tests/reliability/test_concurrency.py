"""Many people at once through lib, as the server's session threads do: nothing acknowledged
is lost, nothing is applied twice, and every refused edit is told to its author."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

from lib import accounts, interactions
from lib.errors import WriteConflict
from lib.models import AccountEdit, NewInteraction
from tests.builders import make_account, make_manager, make_user

THREADS, ROUNDS = 20, 50
WHEN = datetime(2026, 1, 5, 10, 0)


def _run_all(work) -> list[BaseException]:
    failures: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def body(n: int) -> None:
        start.wait()
        try:
            work(n)
        except BaseException as exc:  # a thread's failure must fail the test, not vanish
            failures.append(exc)

    threads = [threading.Thread(target=body, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return failures


def test_every_acknowledged_interaction_from_twenty_threads_exists_exactly_once(db):
    owner = make_manager(db, name="Maya Thompson")
    maya = make_user(db, "manager", display_name="Maya Thompson", manager_id=owner)
    account = make_account(db, name="Harbor Foods", owner_id=owner)
    acknowledged: list[list[int]] = [[] for _ in range(THREADS)]

    def work(n: int) -> None:
        for i in range(ROUNDS):
            item = NewInteraction.parse(account_id=account, type="call", subject=f"t{n}-r{i}",
                                        occurred_at=WHEN + timedelta(minutes=i))
            acknowledged[n].append(interactions.record_interaction(
                db, maya, item, idempotency_key=f"t{n}-r{i}"))

    assert _run_all(work) == []
    ids = [i for per_thread in acknowledged for i in per_thread]
    assert len(ids) == len(set(ids)) == THREADS * ROUNDS
    stored = db.rows("SELECT subject, count(*) FROM interactions GROUP BY subject HAVING count(*) <> 1")
    assert stored == []
    assert db.value("SELECT count(*) FROM interactions") == THREADS * ROUNDS
    assert db.value("SELECT count(*) FROM audit_log WHERE entity = 'interaction' AND action = 'create'") == \
        THREADS * ROUNDS


def test_a_retried_save_with_the_same_key_is_applied_once_even_when_threads_race(db):
    owner = make_manager(db, name="Maya Thompson")
    maya = make_user(db, "manager", display_name="Maya Thompson", manager_id=owner)
    account = make_account(db, name="Harbor Foods", owner_id=owner)
    item = NewInteraction.parse(account_id=account, type="call", subject="Double click",
                                occurred_at=WHEN)
    results: list[int] = []
    assert _run_all(lambda n: results.append(interactions.record_interaction(
        db, maya, item, idempotency_key="one-click"))) == []
    assert len(set(results)) == 1
    assert db.value("SELECT count(*) FROM interactions") == 1


def test_twenty_editors_of_one_account_never_overwrite_each_other_silently(db):
    owner = make_manager(db, name="Maya Thompson")
    director = make_user(db, "admin", display_name="Ada Admin")
    account = make_account(db, name="Harbor Foods", owner_id=owner, industry="start")
    saved: list[tuple[int, str]] = []  # (version written, industry) per acknowledged save
    refused: list[WriteConflict] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        for i in range(ROUNDS):
            current = accounts.get_account(db, account)
            fields = {k: current[k] for k in accounts.EDITABLE}
            fields["industry"] = f"t{n}-r{i}"
            edit = AccountEdit.parse(**fields)
            try:
                version = accounts.update_account(db, director, account, current["version"], edit)
                assert version == current["version"] + 1, "a save replaced a version it had not seen"
            except WriteConflict as exc:
                with lock:
                    refused.append(exc)
                continue
            with lock:
                saved.append((version, fields["industry"]))

    assert _run_all(work) == []
    assert len(saved) + len(refused) == THREADS * ROUNDS
    versions = sorted(v for v, _ in saved)
    assert versions == list(range(2, 2 + len(saved)))  # each acknowledged save made one new version
    final = accounts.get_account(db, account)
    assert final["version"] == 1 + len(saved)
    assert final["industry"] == max(saved)[1]  # the last acknowledged save is what is stored
    assert all(exc.current["version"] >= 2 for exc in refused)  # refusals carry the newer values
    assert db.value("SELECT count(*) FROM audit_log WHERE entity = 'account' AND action = 'update'") == len(saved)


def test_twenty_editors_of_the_same_target_month_never_overwrite_each_other_silently(db):
    from datetime import date
    from decimal import Decimal

    from lib import target_edits, targets
    from lib.periods import FiscalYear
    from lib.target_rules import CellEdit
    from tests.builders import add_manager_target

    manager = make_manager(db, name="Maya Thompson")
    admin = make_user(db, "admin", display_name="Ada Admin")
    month = date(2026, 1, 1)
    add_manager_target(db, manager, month, 1000)
    fiscal = FiscalYear(2026, 1)
    acknowledged: list[Decimal] = []
    saw: dict[Decimal, Decimal] = {}  # acknowledged value -> the value its writer had loaded
    refused: list[target_edits.Conflict] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        for i in range(ROUNDS):
            loaded = targets.grid(db, admin, "manager", fiscal).loaded
            value = Decimal(f"{n * 1000 + i + 1}.00")
            result = target_edits.save(db, admin, "manager", [CellEdit(manager, month, value)], loaded)
            with lock:
                if result.written:
                    acknowledged.append(value)
                    saw[value] = loaded[(manager, month)]
                refused.extend(result.conflicts)

    assert _run_all(work) == []
    assert len(acknowledged) + len(refused) == THREADS * ROUNDS
    history = [r[0] for r in db.rows("SELECT new_amount FROM target_changes WHERE subject_id = ? "
                                     "ORDER BY id", [manager])]
    assert sorted(history) == sorted(acknowledged)  # every acknowledged edit, and only those, is recorded
    # no write replaced a value its writer had not seen
    replaced = dict(db.rows("SELECT new_amount, old_amount FROM target_changes WHERE subject_id = ?", [manager]))
    assert all(replaced[value] == saw[value] for value in acknowledged)
    stored = db.value("SELECT amount FROM manager_targets WHERE manager_id = ? AND month = ?", [manager, month])
    assert stored == history[-1]  # what is stored is the last acknowledged edit
    assert all(c.theirs is not None and c.yours is not None for c in refused)  # each told the newer value
