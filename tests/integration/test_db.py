"""The write door, the database file and the migrations, on real DuckDB files."""
from __future__ import annotations

import os
import subprocess
import sys
import threading

import duckdb
import pytest

from lib import migrate
from lib.db import Database, DatabaseReopened, DatabaseUnavailable
from lib.migrate import MigrationFailed, apply_migrations, open_database
from lib.users import SYSTEM
from tests.conftest import ROOT


def _audit_count(db: Database) -> int:
    return db.value("SELECT count(*) FROM audit_log")


def test_a_write_commits_its_rows_and_its_audit_row_together(db):
    def work(tx):
        tx.execute("INSERT INTO settings (key, value, updated_by) VALUES ('x', '1', 0)")
        tx.audit("create", "setting", "x", {"value": [None, "1"]})
        return "done"

    assert db.write(SYSTEM, work) == "done"
    assert db.value("SELECT value FROM settings WHERE key = 'x'") == "1"
    row = db.record("SELECT actor_id, action, entity, entity_id, changes FROM audit_log")
    assert row == {"actor_id": 0, "action": "create", "entity": "setting", "entity_id": "x",
                   "changes": '{"value": [null, "1"]}'}


def test_a_write_that_fails_midway_leaves_nothing_behind(db):
    def work(tx):
        tx.execute("INSERT INTO settings (key, value, updated_by) VALUES ('y', '1', 0)")
        tx.audit("create", "setting", "y")
        raise ValueError("boom")

    with pytest.raises(ValueError):
        db.write(SYSTEM, work)
    assert db.value("SELECT count(*) FROM settings WHERE key = 'y'") == 0
    assert _audit_count(db) == 0


def test_a_write_without_an_audit_row_is_refused_and_rolled_back(db):
    def work(tx):
        tx.execute("INSERT INTO settings (key, value, updated_by) VALUES ('z', '1', 0)")

    with pytest.raises(RuntimeError, match="who made it"):
        db.write(SYSTEM, work)
    assert db.value("SELECT count(*) FROM settings WHERE key = 'z'") == 0


def test_every_write_bumps_the_data_version_and_a_failed_one_does_not(db):
    before = db.data_version
    db.write(SYSTEM, lambda tx: tx.audit("touch", "nothing"))
    assert db.data_version == before + 1
    with pytest.raises(RuntimeError):
        db.write(SYSTEM, lambda tx: None)
    assert db.data_version == before + 1


def test_a_write_that_only_records_an_event_bumps_the_log_version_and_not_the_data_version(db):
    data, log = db.data_version, db.log_version
    db.write(SYSTEM, lambda tx: tx.audit("sign_in", "user", 0), log_only=True)
    assert (db.data_version, db.log_version) == (data, log + 1)
    db.write(SYSTEM, lambda tx: tx.audit("touch", "nothing"))
    assert (db.data_version, db.log_version) == (data + 1, log + 1)


def test_a_retried_action_with_the_same_key_applies_once_and_returns_the_first_result(db):
    calls = []

    def work(tx):
        calls.append(1)
        tx.audit("create", "thing")
        return {"id": len(calls)}

    first = db.write(SYSTEM, work, idempotency_key="form-123")
    second = db.write(SYSTEM, work, idempotency_key="form-123")
    assert first == second == {"id": 1}
    assert calls == [1]
    assert _audit_count(db) == 1


def test_a_transaction_conflict_is_retried_until_it_succeeds(db):
    attempts = []

    def work(tx):
        attempts.append(1)
        if len(attempts) < 3:
            raise duckdb.TransactionException("Conflict on update!")
        tx.audit("touch", "thing")
        return len(attempts)

    assert db.write(SYSTEM, work) == 3


def test_a_fatal_error_reopens_the_connection_and_says_to_check_the_last_action(db):
    def work(tx):
        tx.audit("touch", "thing")
        raise duckdb.FatalException("disk full during checkpoint")

    with pytest.raises(DatabaseReopened, match="check it"):
        db.write(SYSTEM, work)
    assert db.value("SELECT count(*) FROM users") >= 1  # the reopened connection works


def test_concurrent_writers_on_one_row_never_lose_an_update(db):
    db.write(SYSTEM, lambda tx: (tx.execute(
        "INSERT INTO settings (key, value, updated_by) VALUES ('n', '0', 0)"), tx.audit("c", "s")))

    def bump(tx):
        n = int(tx.value("SELECT value FROM settings WHERE key = 'n'"))
        tx.execute("UPDATE settings SET value = ? WHERE key = 'n'", [str(n + 1)])
        tx.audit("update", "setting", "n")

    def worker():
        for _ in range(25):
            db.write(SYSTEM, bump)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert db.value("SELECT value FROM settings WHERE key = 'n'") == "200"


def test_reads_from_many_threads_at_once_each_get_their_own_cursor(db):
    errors = []

    def reader():
        try:
            for _ in range(50):
                assert db.value("SELECT count(*) FROM contact_policies") == 3
        except Exception as exc:  # collected, asserted below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_a_memo_is_computed_once_for_sessions_asking_at_the_same_time(db):
    calls, started = [], threading.Event()

    def compute():
        calls.append(1)
        started.wait(5)  # everyone is waiting on this one computation
        return "figures"

    results = []
    threads = [threading.Thread(target=lambda: results.append(db.memo("k", compute))) for _ in range(8)]
    for t in threads:
        t.start()
    started.set()
    for t in threads:
        t.join()
    assert results == ["figures"] * 8
    assert len(calls) == 1


def test_a_write_makes_the_next_memo_call_compute_afresh_and_drops_older_values(db):
    count = lambda: db.value("SELECT count(*) FROM settings")  # noqa: E731
    before = db.memo("settings", count)
    other = db.memo("other", lambda: "old")

    def work(tx):
        tx.execute("INSERT INTO settings (key, value, updated_by) VALUES ('memo', '1', 0)")
        tx.audit("create", "setting", "memo")
    db.write(SYSTEM, work)

    assert db.memo("settings", count) == before + 1
    assert db.memo("other", lambda: "new") == "new"
    assert db.memo("settings", lambda: pytest.fail("computed twice")) == before + 1


def test_the_memo_keeps_only_its_most_recently_used_values(db):
    from lib.db import MEMO_LIMIT
    db.memo("first", lambda: "kept")
    for day in range(MEMO_LIMIT + 3):
        db.memo(("figures", day), lambda: "a day's figures")
        assert db.memo("first", lambda: "computed again") == "kept"  # used, so it stays
    assert db.memo(("figures", 0), lambda: "computed again") == "computed again"
    assert db.memo(("figures", MEMO_LIMIT + 2), lambda: "computed again") == "a day's figures"


def test_a_file_that_is_not_a_database_is_refused_by_name_and_left_untouched(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_bytes(b"these are my meeting notes, not a database\n" * 200)
    before = path.read_bytes()
    with pytest.raises(DatabaseUnavailable, match="is not an Account Desk database") as err:
        open_database(path)
    assert str(path) in str(err.value)
    assert path.read_bytes() == before


def test_a_duckdb_file_holding_someone_elses_tables_is_refused(tmp_path):
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE sales (id INTEGER)")
    con.close()
    with pytest.raises(DatabaseUnavailable, match="not an Account Desk one"):
        open_database(path)
    con = duckdb.connect(str(path))
    assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchone()[0] == 1


def test_a_second_process_on_the_same_file_gets_a_clear_message(db):
    code = ("from lib.migrate import open_database\n"
            "from lib.db import DatabaseUnavailable\n"
            f"try:\n    open_database({str(db.path)!r})\n"
            "except DatabaseUnavailable as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert "in use by another program" in out.stdout
    assert "Traceback" not in out.stderr


def test_migrations_are_applied_once_and_recorded(db):
    names = [r[0] for r in db.rows("SELECT name FROM schema_migrations ORDER BY version")]
    assert names == [m.path.name for m in migrate.migrations()]
    assert apply_migrations(db) == []


def test_a_failing_migration_leaves_the_schema_as_it_was(db, tmp_path):
    folder = tmp_path / "migrations"
    folder.mkdir()
    for m in migrate.migrations():
        (folder / m.path.name).write_bytes(m.path.read_bytes())
    (folder / "900_broken.sql").write_text(
        "CREATE TABLE half_done (id INTEGER);\nALTER TABLE accounts ADD COLUMN nickname VARCHAR;\n"
        "THIS IS NOT SQL;\n")
    with pytest.raises(MigrationFailed, match="900_broken.sql failed and was rolled back"):
        apply_migrations(db, folder)
    tables = {r[0] for r in db.rows("SELECT table_name FROM duckdb_tables()")}
    columns = {r[0] for r in db.rows("SELECT column_name FROM duckdb_columns() WHERE table_name = 'accounts'")}
    assert "half_done" not in tables and "nickname" not in columns
    assert db.value("SELECT max(version) FROM schema_migrations") < 900


def test_a_database_from_a_newer_version_of_the_app_is_refused(db):
    db.write(SYSTEM, lambda tx: (tx.execute(
        "INSERT INTO schema_migrations (version, name, checksum) VALUES (999, '999_future.sql', 'x')"),
        tx.audit("test", "schema")))
    with pytest.raises(DatabaseUnavailable, match="newer version of Account Desk"):
        apply_migrations(db)


def test_the_database_path_is_read_from_the_environment_at_call_time(monkeypatch, tmp_path):
    from lib.db import database_path
    monkeypatch.setenv("ACCOUNTDESK_DB", str(tmp_path / "a.duckdb"))
    assert database_path() == tmp_path / "a.duckdb"
    monkeypatch.setenv("ACCOUNTDESK_DB", str(tmp_path / "b.duckdb"))
    assert database_path() == tmp_path / "b.duckdb"


def test_every_migration_file_is_named_with_a_number_and_applies_to_an_empty_database(tmp_path):
    found = migrate.migrations()
    assert [m.version for m in found] == sorted(m.version for m in found)
    fresh = open_database(tmp_path / "fresh.duckdb")
    assert fresh.value("SELECT count(*) FROM schema_migrations") == len(found)
    fresh.close()


def test_timestamps_are_utc_whatever_the_servers_time_zone(tmp_path):
    code = ("from lib.migrate import open_database\n"
            f"db = open_database({str(tmp_path / 'tz.duckdb')!r})\n"
            "with db.cursor() as cur:\n"
            "    print(cur.execute(\"SELECT current_setting('TimeZone')\").fetchone()[0])\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "TZ": "America/New_York"}, timeout=60)
    assert out.stdout.strip() == "UTC", out.stderr


def test_the_database_file_is_readable_by_its_owner_only(db):
    assert db.path.stat().st_mode & 0o777 == 0o600
