"""Backups of the live database and restores, on real DuckDB files and real processes."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from lib import backup as bk
from lib.migrate import open_database
from lib.users import SYSTEM
from tests.builders import add_revenue, make_account, make_manager, make_user
from tests.conftest import ROOT

T0 = datetime(2030, 5, 1, 9, 0, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in (bk.DIR_ENV, bk.KEEP_ENV):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def filled(db):
    manager = make_manager(db)
    for n in range(3):
        account = make_account(db, owner_id=manager, name=f"Client {n}")
        add_revenue(db, account, date(2030, 1, 1), 1000 + n)
    db.write(SYSTEM, lambda tx: (
        tx.execute("INSERT INTO settings (key, value, updated_by) VALUES ('colour', 'teal', 0)"),
        tx.audit("create", "setting", "colour", {"value": [None, "teal"]})))
    return db


def dump(con) -> dict[str, list[tuple]]:
    """Every table of the database, rows sorted, plus where each sequence stands."""
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "ORDER BY table_name").fetchall()]
    out = {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}
    out["(sequences)"] = con.execute(
        "SELECT sequence_name, last_value FROM duckdb_sequences() "
        "WHERE database_name = current_database() ORDER BY 1").fetchall()
    return out


def dump_file(path: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return dump(con)


@contextmanager
def held_by_another_process(path: Path):
    """A second process that opens the database file and keeps it until the block ends."""
    code = ("import duckdb, sys\nc = duckdb.connect(sys.argv[1])\nprint('ready', flush=True)\n"
            "sys.stdin.read()\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        yield
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in (bk.DIR_ENV, bk.KEEP_ENV)}
    return subprocess.run([sys.executable, "-m", "lib.backup", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_a_backup_restores_to_an_identical_database(filled, tmp_path):
    with filled.cursor() as cur:
        before = dump(cur)
    made = bk.backup_now(filled, SYSTEM)
    assert made.parent == filled.path.parent / "backups"
    assert bk._NAME.match(made.name)
    target = tmp_path / "restored" / "accountdesk.duckdb"
    assert bk.restore(made, target) is None  # nothing was there to keep aside
    restored = open_database(target)
    try:
        with restored.cursor() as cur:
            assert dump(cur) == before
        assert restored.value("SELECT count(*) FROM accounts") == 3
    finally:
        restored.close()


def write_pairs_until(db, stop: threading.Event, written: list[str]) -> None:
    """Commit one row to each of three tables per transaction until told to stop."""
    while not stop.is_set():
        key = f"pair-{len(written)}"
        db.write(SYSTEM, lambda tx: (
            tx.execute("INSERT INTO settings (key, value, updated_by) VALUES (?, '1', 0)", [key]),
            tx.execute("INSERT INTO idempotency_keys (key, actor_id) VALUES (?, 0)", [key]),
            tx.audit("create", "setting", key)))
        written.append(key)


def pairs_in(path: Path) -> tuple[set, set, set, bool]:
    """The keys each of the three tables holds, and whether the id sequence is past every id."""
    with duckdb.connect(str(path), read_only=True) as con:
        def keys(sql):
            return {r[0] for r in con.execute(sql).fetchall()}
        top, seq = con.execute("SELECT (SELECT max(id) FROM audit_log), last_value FROM "
                               "duckdb_sequences() WHERE sequence_name = 'seq_audit_log'").fetchone()
        return (keys("SELECT key FROM settings WHERE key LIKE 'pair-%'"),
                keys("SELECT key FROM idempotency_keys"),
                keys("SELECT entity_id FROM audit_log WHERE action = 'create'"), seq >= top)


def test_a_backup_taken_while_another_thread_writes_holds_only_whole_transactions(db, tmp_path):
    # Enough rows that the copy takes a while, so the writer commits while it runs.
    db.write(SYSTEM, lambda tx: (tx.execute(
        "INSERT INTO audit_log (actor_id, action, entity) SELECT 0, 'bulk', 'x' FROM range(200000)"),
        tx.audit("bulk", "x")))
    stop, written = threading.Event(), []
    thread = threading.Thread(target=write_pairs_until, args=(db, stop, written))
    thread.start()
    try:
        while len(written) < 5:
            stop.wait(0.01)
        started = len(written)
        made = bk.backup_now(db, SYSTEM, folder=tmp_path / "b")
        finished = len(written)
    finally:
        stop.set()
        thread.join()
    assert finished > started, "the writer was not running during the backup"
    settings, keys, audited, fresh_ids = pairs_in(made)
    assert settings == keys == audited and started <= len(settings) <= finished
    assert fresh_ids  # a restored database hands out ids no row has
    db.write(SYSTEM, lambda tx: tx.audit("after", "backup"))  # the app connection still works
    assert db.value("SELECT count(*) FROM settings WHERE key LIKE 'pair-%'") == len(written)
    assert "accountdesk_backup" not in str(db.rows("SELECT database_name FROM duckdb_databases()"))


def test_a_backup_is_recorded_in_the_audit_log_with_its_actor(filled, tmp_path):
    person = make_user(filled, role="admin")
    made = bk.backup_now(filled, person, folder=tmp_path / "b")
    row = filled.record("SELECT actor_id, entity, changes FROM audit_log WHERE action = 'backup'")
    assert row["actor_id"] == person.id and row["entity"] == "database"
    assert json.loads(row["changes"]) == {"file": made.name, "bytes": made.stat().st_size}


def test_keeping_n_deletes_only_the_oldest_of_our_files_and_never_a_foreign_file(db, tmp_path, monkeypatch):
    folder = tmp_path / "b"
    folder.mkdir()
    foreign = ["notes.txt", "accountdesk-latest.duckdb", "other-20300101-000000.duckdb",
               "accountdesk-20300101-000000.duckdb.bak"]
    for name in foreign:
        (folder / name).write_text("not ours")
    monkeypatch.setenv(bk.KEEP_ENV, "3")
    made = [bk.backup_now(db, SYSTEM, folder=folder, now=T0 + timedelta(hours=i)) for i in range(5)]
    assert [b.path for b in bk.list_backups(folder)] == made[:1:-1]
    assert all((folder / name).read_text() == "not ours" for name in foreign)
    same_second = bk.backup_now(db, SYSTEM, folder=folder, keep=10, now=T0 + timedelta(hours=4))
    assert same_second.name == "accountdesk-20300501-130000-2.duckdb"
    assert bk.list_backups(folder)[0].path == same_second


def test_a_bad_keep_setting_falls_back_to_fourteen_and_the_folder_setting_is_read_each_call(
        db, tmp_path, monkeypatch):
    for bad in ("", "lots", "0", "-3", "2.5"):
        monkeypatch.setenv(bk.KEEP_ENV, bad)
        assert bk.keep_from_env() == 14
    monkeypatch.setenv(bk.DIR_ENV, str(tmp_path / "elsewhere"))
    assert bk.backup_now(db, SYSTEM).parent == tmp_path / "elsewhere"


def test_backup_files_and_folder_are_readable_only_by_the_app_user(db, tmp_path):
    folder = tmp_path / "b"
    folder.mkdir(mode=0o755)
    made = bk.backup_now(db, SYSTEM, folder=folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(made.stat().st_mode) == 0o600


def test_a_half_written_backup_is_never_listed_and_is_cleared_by_the_next_backup(db, tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    partial = folder / ".accountdesk-20300501-090000-0123abcd.partial"
    partial.write_bytes(b"half a database")
    assert bk.list_backups(folder) == []
    bk.backup_now(db, SYSTEM, folder=folder)
    assert not partial.exists() and len(bk.list_backups(folder)) == 1


def test_the_daily_backup_runs_when_due_and_not_again_within_24_hours(db, monkeypatch, tmp_path):
    folder = tmp_path / "daily"
    monkeypatch.setenv(bk.DIR_ENV, str(folder))
    assert bk.due_for_daily_backup(folder, T0)
    first = bk.daily_backup_if_due(db, now=T0)
    assert first is not None
    assert bk.daily_backup_if_due(db, now=T0 + timedelta(hours=1)) is None
    assert bk.daily_backup_if_due(db, now=T0 + timedelta(hours=23, minutes=59)) is None
    second = bk.daily_backup_if_due(db, now=T0 + timedelta(hours=24))
    assert second is not None and second != first
    assert db.value("SELECT count(*) FROM audit_log WHERE action = 'backup' AND actor_id = 0") == 2


def test_concurrent_daily_checks_in_one_process_take_one_backup(db, monkeypatch, tmp_path):
    monkeypatch.setenv(bk.DIR_ENV, str(tmp_path / "daily"))
    results = []
    threads = [threading.Thread(target=lambda: results.append(bk.daily_backup_if_due(db, now=T0)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r is not None for r in results) == 1


def test_restore_keeps_the_previous_database_and_its_wal_aside_and_the_restored_file_opens(
        filled, tmp_path):
    made = bk.backup_now(filled, SYSTEM, folder=tmp_path / "b")
    target = tmp_path / "live.duckdb"
    open_database(target).close()
    with duckdb.connect(str(target)) as con:  # leave committed work in the .wal, as a crash would
        con.execute("PRAGMA disable_checkpoint_on_shutdown")
        con.execute("INSERT INTO settings (key, value, updated_by) VALUES ('only-in-wal', 'x', 0)")
    assert bk._wal(target).exists()
    aside = bk.restore(made, target)
    assert aside.name.startswith("live.duckdb.before-restore-") and bk._wal(aside).exists()
    assert not bk._wal(target).exists()
    with duckdb.connect(str(aside), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM settings WHERE key = 'only-in-wal'").fetchone() == (1,)
    restored = open_database(target)
    try:
        assert restored.value("SELECT count(*) FROM accounts") == 3
        assert restored.value("SELECT count(*) FROM settings WHERE key = 'only-in-wal'") == 0
    finally:
        restored.close()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize("content", [b"", b"hello, I am a spreadsheet\n", "foreign-duckdb", "empty-duckdb"])
def test_restore_refuses_a_file_that_is_not_an_account_desk_database_and_changes_nothing(
        filled, tmp_path, content):
    bogus = tmp_path / "bogus.duckdb"
    if content == "foreign-duckdb":
        with duckdb.connect(str(bogus)) as con:
            con.execute("CREATE TABLE invoices (n INTEGER)")
    elif content == "empty-duckdb":
        duckdb.connect(str(bogus)).close()
    else:
        bogus.write_bytes(content)
    target = tmp_path / "live.duckdb"
    shutil.copyfile(bk.backup_now(filled, SYSTEM, folder=tmp_path / "b"), target)
    before = sorted(os.listdir(tmp_path)), target.read_bytes()
    with pytest.raises(bk.BackupError, match="not a usable Account Desk backup.*nothing was changed"):
        bk.restore(bogus, target)
    assert (sorted(os.listdir(tmp_path)), target.read_bytes()) == before


def test_restore_refuses_while_another_process_holds_the_target(filled, tmp_path):
    made = bk.backup_now(filled, SYSTEM, folder=tmp_path / "b")
    target = tmp_path / "live.duckdb"
    open_database(target).close()
    before = target.read_bytes()
    with held_by_another_process(target):
        with pytest.raises(bk.BackupError, match="stop the app first"):
            bk.restore(made, target)
    assert target.read_bytes() == before
    assert not list(tmp_path.glob("live.duckdb.before-restore-*"))


def test_the_cli_now_refuses_while_another_process_holds_the_file_and_works_when_it_is_free(filled):
    path = filled.path
    filled.close()
    with held_by_another_process(path):
        out = cli("now", "--db", str(path))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert 'use the app\'s "Back up now" button, or stop the app' in out.stderr
    assert bk.list_backups(path.parent / "backups") == []
    out = cli("now", "--db", str(path))
    assert out.returncode == 0, out.stderr
    made = bk.list_backups(path.parent / "backups")
    assert len(made) == 1 and made[0].path.name in out.stdout


def test_the_cli_list_prints_backups_newest_first_and_restore_reports_the_kept_copy(filled, tmp_path):
    folder = filled.path.parent / "backups"
    made = [bk.backup_now(filled, SYSTEM, folder=folder, now=T0 + timedelta(days=d)) for d in (0, 2, 1)]
    path = filled.path
    filled.close()
    out = cli("list", "--db", str(path))
    assert out.returncode == 0
    assert [line.split()[0] for line in out.stdout.splitlines()] == [made[1].name, made[2].name, made[0].name]
    out = cli("restore", str(made[0]), "--db", str(path))
    assert out.returncode == 0 and "kept as" in out.stdout
    assert list(tmp_path.glob("test.duckdb.before-restore-*"))
    out = cli("restore", str(tmp_path / "missing.duckdb"), "--db", str(path))
    assert out.returncode == 1 and "no backup file" in out.stderr and "Traceback" not in out.stderr
