"""The read-only SQL box: what it refuses, what its worker's limits stop, what its copy holds."""
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest

from lib import sql_box
from lib.errors import NotAllowed
from lib.sql_box import SqlRefused
from tests.builders import add_revenue, make_account

ROOT = Path(__file__).resolve().parents[2]

# (query, words the refusal must contain)
ATTACKS = [
    ("SELECT 1; DROP TABLE accounts", "exactly one statement"),
    ("COMMIT; DROP TABLE accounts", "exactly one statement"),
    ("SELECT 1 /* ; */ ; DELETE FROM revenue -- hidden", "exactly one statement"),
    ("SELECT 1 -- a comment\n; UPDATE accounts SET tier = 'key'", "exactly one statement"),
    ("DROP TABLE accounts", "Only SELECT"),
    ("DELETE FROM revenue", "Only SELECT"),
    ("UPDATE accounts SET name = 'x'", "Only SELECT"),
    ("INSERT INTO accounts (id) VALUES (1)", "Only SELECT"),
    ("CREATE TABLE x AS SELECT 1", "Only SELECT"),
    ("COPY accounts TO '/tmp/out.csv'", "Only SELECT"),
    ("EXPORT DATABASE '/tmp/everything'", "Only SELECT"),
    ("ATTACH '/tmp/other.duckdb' AS other", "Only SELECT"),
    ("PRAGMA database_list", "Only SELECT"),
    ("SET enable_external_access = true", "Only SELECT"),
    ("INSTALL httpfs", "Only SELECT"),
    ("LOAD httpfs", "Only SELECT"),
    ("BEGIN TRANSACTION", "Only SELECT"),
    ("SELECT * FROM read_csv('/etc/passwd')", "read_csv() is not available"),
    ("SELECT * FROM read_parquet('/tmp/*.parquet')", "read_parquet() is not available"),
    ("SELECT * FROM glob('/etc/*')", "glob() is not available"),
    ("SELECT content FROM read_text('/proc/self/environ')", "read_text() is not available"),
    ("SELECT * FROM '/etc/passwd'", "not a file or an address"),
    ("SELECT * FROM 'https://example.com/x.csv'", "not a file or an address"),
    ("SELECT * FROM query('DROP TABLE accounts')", "query() is not available"),
    ("SELECT * FROM query_table('users')", "query_table() is not available"),
    ("SELECT length(query('SELECT 1'))", "query() is not available"),
    ("SELECT * FROM users", "'users' is not a table"),
    ("SELECT password_hash FROM main.users", "'users' is not a table"),
    ("SELECT * FROM other_db.main.accounts", "Only the tables listed"),
    ("SELECT * FROM information_schema.tables", "Only the tables listed"),
    ("SELECT * FROM duckdb_settings()", "duckdb_settings() is not available"),
    ("SELECT current_setting('memory_limit')", "current_setting() is not available"),
    ("SELECT getenv('HOME')", "getenv() is not available"),
    ("WITH x AS (SELECT * FROM read_csv_auto('/etc/passwd')) SELECT * FROM x", "read_csv_auto() is not"),
    ("SELECT * FROM (SELECT * FROM read_json('/etc/hosts'))", "read_json() is not available"),
    ("SELECT 1\u037e DROP TABLE accounts", "DuckDB could not read"),          # Greek question mark
    ("SELECT 1;\u200b DROP TABLE accounts", "invisible or control characters"),  # zero-width space
    ("SELECT 'a' \u202e; DROP TABLE accounts", "invisible or control characters"),  # right-to-left
    ("SELECT 1\x00; DROP TABLE accounts", "invisible or control characters"),
    ("SELECT ＊ FROM accounts", "DuckDB could not"),                          # full-width star
    ("   ", "Type a SELECT query"),
    ("SELECT 1 " + "x" * 20_001, "longer than"),
]


@pytest.mark.parametrize("sql, words", ATTACKS)
def test_the_sql_box_refuses_an_attack_query_with_a_clear_message(db, team, sql, words):
    with pytest.raises(SqlRefused) as caught:
        sql_box.run(db, team["admin"], sql)
    assert words in str(caught.value)


def test_there_are_at_least_twenty_five_attacks_on_the_list():
    assert len(ATTACKS) >= 25


# Queries that pass every check and are stopped by the worker's OS limits
LIMITS = [
    ("SELECT length(repeat('x', 1500000000))", "memory"),
    ("SELECT string_agg(repeat('y', 1000000), '') FROM range(3000)", "memory"),
    ("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT count(*) FROM t", "limits|longer"),
    ("SELECT count(*) FROM generate_series(1, 1000000000000)", "longer"),
    ("SELECT sum(a.range * b.range) FROM range(1000000) a, range(1000000) b", "longer"),
]


@pytest.mark.parametrize("sql, why", LIMITS)
def test_a_heavy_query_is_stopped_by_the_workers_limits_and_the_app_is_told_why(db, team, sql, why):
    started = time.monotonic()
    with pytest.raises(SqlRefused) as caught:
        sql_box.run(db, team["admin"], sql, memory_bytes=700 * 1024**2, timeout_seconds=2)
    message = str(caught.value)
    assert message.startswith("The query was stopped:")
    assert any(w in message for w in why.split("|")), message
    assert time.monotonic() - started < 2 + sql_box._STARTUP_SECONDS + 1


def test_a_select_runs_on_the_copy_and_returns_at_most_the_row_cap(db, team):
    account = make_account(db, name="Acme", tier="key")
    add_revenue(db, account, date(2026, 1, 1), 1200)
    result = sql_box.run(db, team["eleanor"], "SELECT a.name, sum(r.amount) AS total FROM accounts a "
                         "JOIN revenue r ON r.account_id = a.id GROUP BY a.name")
    assert result.frame.to_dict("records") == [{"name": "Acme", "total": 1200}]
    capped = sql_box.run(db, team["admin"], "SELECT * FROM range(50)", row_cap=10)
    assert len(capped.frame) == 10 and capped.truncated


def test_an_error_in_a_query_is_reported_in_words(db, team):
    with pytest.raises(SqlRefused, match="DuckDB could not run the query: .*no_such_column"):
        sql_box.run(db, team["admin"], "SELECT no_such_column FROM accounts")


def test_managers_and_viewers_get_no_sql_box(db, team):
    for who in ("maya", "viewer"):
        with pytest.raises(NotAllowed, match="Only a director or an admin can use the SQL box"):
            sql_box.run(db, team[who], "SELECT 1")


def test_a_directors_copy_holds_pay_only_for_their_team_and_never_the_users_table(db, team):
    db.rows("INSERT INTO comp_plans (name, currency, period, method, created_by, updated_by) "
            "VALUES ('Plan', 'USD', 'year', 'marginal', 0, 0)")
    for row in ("maya_row", "zoe_row"):
        db.rows("INSERT INTO comp_assignments (manager_id, plan_id, effective_from, base_salary, "
                "created_by, updated_by) VALUES (?, 1, DATE '2026-01-01', 70000, 0, 0)", [team[row]])
    seen = sql_box.run(db, team["eleanor"], "SELECT manager_id FROM comp_assignments")
    assert list(seen.frame["manager_id"]) == [team["maya_row"]]
    salaries = sql_box.run(db, team["eleanor"], "SELECT id, base_salary FROM account_managers ORDER BY id")
    paid = dict(zip(salaries.frame["id"], salaries.frame["base_salary"]))
    assert paid[team["maya_row"]] is not None and paid[team["zoe_row"]] is None
    everything = sql_box.run(db, team["admin"], "SELECT count(*) AS n FROM comp_assignments")
    assert everything.frame["n"][0] == 2
    path, tables = sql_box.copy_for(db, team["eleanor"])
    assert "users" not in tables and "audit_log" not in tables


def test_the_copy_is_made_once_per_data_version_and_a_write_makes_a_new_one(db, team):
    first, _ = sql_box.copy_for(db, team["admin"])
    assert sql_box.copy_for(db, team["admin"])[0] == first
    make_account(db, name="New")
    db.data_version += 1  # the builders write directly; the write door bumps this itself
    second, _ = sql_box.copy_for(db, team["admin"])
    assert second != first
    assert sql_box.run(db, team["admin"], "SELECT count(*) AS n FROM accounts WHERE name = 'New'"
                       ).frame["n"][0] == 1


def test_the_copy_is_a_separate_read_only_file_so_nothing_reaches_the_live_database(db, team):
    path, _ = sql_box.copy_for(db, team["admin"])
    assert path != db.path and path.exists()
    with pytest.raises(SqlRefused):
        sql_box.run(db, team["admin"], "SELECT * FROM read_blob('" + str(db.path) + "')")


def test_the_copy_of_the_demo_portfolio_holds_every_row_of_the_tables_it_copies(tmp_path, demo_db_file):
    import duckdb
    from lib.migrate import open_database
    from lib.users import SYSTEM
    from tests.conftest import copy_db
    demo = open_database(copy_db(demo_db_file, tmp_path / "demo.duckdb"))
    try:
        path, tables = sql_box.copy_for(demo, SYSTEM)
        live = {t: demo.value(f"SELECT count(*) FROM {t}") for t in tables}
    finally:
        demo.close()
    with duckdb.connect(str(path), read_only=True) as copy:
        copied = {t: copy.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    assert copied == live and live["revenue"] > 1000


def test_a_server_that_exits_leaves_no_copy_behind(tmp_path):
    script = (
        "from lib import sql_box\n"
        "from lib.migrate import open_database\n"
        "from lib.users import SYSTEM\n"
        f"db = open_database({str(tmp_path / 'app.duckdb')!r})\n"
        "path, _ = sql_box.copy_for(db, SYSTEM)\n"
        "print(path.parent)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    folder = Path(done.stdout.strip())
    assert folder.name.startswith("accountdesk-sqlbox-") and not folder.exists()


def test_copies_left_by_a_killed_server_are_removed_by_the_next_one(db, team):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    orphan = Path(tempfile.gettempdir()) / f"accountdesk-sqlbox-{gone.stdout.strip()}-test"
    orphan.mkdir()
    (orphan / "copy-old.duckdb").write_bytes(b"left behind")
    sql_box.forget_copies()         # this process starts a new folder, as a new server would
    path, _ = sql_box.copy_for(db, team["admin"])
    assert not orphan.exists()
    assert path.exists() and path.parent.name.startswith(f"accountdesk-sqlbox-{os.getpid()}-")


@pytest.fixture(autouse=True)
def _no_copies_left():
    yield
    sql_box.forget_copies()
