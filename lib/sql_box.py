"""The read-only SQL box for directors and admins.

A locked DuckDB configuration alone lets `COMMIT; DROP TABLE x` and a 1.5 GB repeat() through
(STACK-NOTES), so a query passes four gates:
1. `check`: exactly one statement (DuckDB's own parser splits it), of type SELECT; its syntax
   tree (json_serialize_sql) names no function that reads files, runs SQL text or changes
   settings, and no table but those in the copy (or the query's own CTEs).
2. The copy: a temporary database file holding only the tables the asking person may see
   (compensation only for people who may see it), made with DuckDB per data version and reach.
3. The worker: a fresh `python -m lib.explore_sqlworker` that opens the copy read-only with external
   access, extension loading and configuration changes off, under OS limits on memory
   (RLIMIT_AS), processor time and wall clock.
4. A row cap: the worker sends back at most ROW_CAP rows.
The page waits on the child process; other sessions of the server are not held up.
"""
from __future__ import annotations

import atexit
import json
import logging
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from lib.db import Database
from lib.errors import UserError
from lib.explore_sqlworker import first_line as _first_line
from lib.explore_sqlworker import stopped as _stopped
from lib.permissions import ANY, NONE, require, scope, team_for
from lib.users import Actor

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
# glibc keeps an arena per thread; under RLIMIT_AS that counts reservations, not use
_CHILD_ENV = {"MALLOC_ARENA_MAX": "2", "PYTHONPATH": str(ROOT)}

ROW_CAP = 5000
MEMORY_BYTES = 1024**3            # the worker's whole address space
TIMEOUT_SECONDS = 10.0
MAX_SQL_CHARS = 20_000
_STARTUP_SECONDS = 5.0            # starting the interpreter is not the query's fault

# Every table a person with the SQL box may read, as stored. Compensation is added by reach.
PLAIN_TABLES = ("accounts", "account_history", "contacts", "interactions", "interaction_contacts",
                "revenue", "manager_targets", "account_targets", "target_changes", "budgets",
                "invoices", "payments", "fx_rates", "contact_policies", "period_locks")
PAY_TABLES = ("comp_plans", "comp_plan_bands", "comp_assignments", "comp_adjustments", "comp_budgets")
_PER_MANAGER = {"comp_assignments": "manager_id", "comp_adjustments": "manager_id"}

# Table functions a query may call; any other (read_csv, glob, query_table, duckdb_settings ...)
# is refused by name.
ALLOWED_TABLE_FUNCTIONS = {"range", "generate_series", "unnest"}
_REFUSED_FUNCTIONS = {"query", "query_table", "glob", "getenv", "current_setting", "sniff_csv",
                      "load_extension", "install_extension", "system", "shell", "checkpoint",
                      "force_checkpoint", "enable_profiling", "set", "export_database"}
_REFUSED_PREFIXES = ("read_", "parquet_", "duckdb_", "pragma_", "iceberg_", "delta_", "postgres_",
                     "sqlite_", "mysql_", "http", "s3", "json_execute", "copy_", "attach", "detach",
                     "install", "load", "export", "import")


class SqlRefused(UserError):
    """The query was not run (or was stopped); the message says why, for a person."""


@dataclass(frozen=True)
class SqlResult:
    frame: pd.DataFrame
    truncated: bool              # there were more than ROW_CAP rows
    seconds: float


# ---- gate 1: the statement ---------------------------------------------------------------------
def check(sql: str, tables: set[str]) -> str:
    """The query, stripped, if it may run against a copy holding `tables`; else SqlRefused."""
    text = (sql or "").strip()
    if not text:
        raise SqlRefused("Type a SELECT query first.")
    if len(text) > MAX_SQL_CHARS:
        raise SqlRefused(f"The query is longer than {MAX_SQL_CHARS:,} characters; shorten it.")
    odd = [c for c in text if (unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs") and c not in "\t\n\r")
           or c in "\u2028\u2029"]
    if odd:
        raise SqlRefused(f"The query holds invisible or control characters "
                         f"({', '.join(sorted({f'U+{ord(c):04X}' for c in odd}))}); retype it "
                         "without them.")
    try:
        statements = duckdb.extract_statements(text)
    except duckdb.Error as exc:
        raise SqlRefused(f"DuckDB could not read the query: {_first_line(exc)}") from None
    if len(statements) != 1:
        raise SqlRefused(f"Run exactly one statement at a time; this holds {len(statements)}. "
                         "Remove the extra ';' and whatever follows it.")
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        raise SqlRefused(f"Only SELECT queries can run here; this is a {kind.name} statement. "
                         "The SQL box reads data and never changes it.")
    _check_tree(_syntax_tree(text), tables)
    return text


def _syntax_tree(text: str) -> dict[str, Any]:
    with duckdb.connect(":memory:", config=_PARSER_CONFIG) as con:
        tree = json.loads(con.execute("SELECT json_serialize_sql($1)", [text]).fetchone()[0])
    if tree.get("error"):
        raise SqlRefused(f"DuckDB could not read the query: {tree.get('error_message', 'unknown error')}")
    return tree


_PARSER_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False,
                  "enable_external_access": False}


def _check_tree(tree: Any, tables: set[str]) -> None:
    ctes = {n["key"].lower() for n in _nodes(tree) if "key" in n and "value" in n and "query_node" in
            (n.get("value") or {})}
    ctes |= {str(n["cte_name"]).lower() for n in _nodes(tree) if n.get("type") == "RECURSIVE_CTE_NODE"}
    for node in _nodes(tree):
        name = node.get("function_name")
        if isinstance(name, str):
            _check_function(name.lower(), node)
        if node.get("type") == "TABLE_FUNCTION":
            fn = str((node.get("function") or {}).get("function_name", "")).lower()
            if fn not in ALLOWED_TABLE_FUNCTIONS:
                raise SqlRefused(f"The table function {fn}() is not available here: the SQL box "
                                 "reads only the tables listed beside it.")
        if node.get("type") == "BASE_TABLE":
            _check_table(node, tables, ctes)


def _check_function(name: str, node: dict) -> None:
    if node.get("catalog") or node.get("schema") not in ("", None, "main"):
        raise SqlRefused(f"Functions from another schema ({node.get('schema')}.{name}) are not "
                         "available here.")
    if name in _REFUSED_FUNCTIONS or name.startswith(_REFUSED_PREFIXES):
        raise SqlRefused(f"The function {name}() is not available in the SQL box: it could read "
                         "files, run other SQL or change settings.")


def _check_table(node: dict, tables: set[str], ctes: set[str]) -> None:
    name = str(node.get("table_name", ""))
    schema, catalog = node.get("schema_name") or "", node.get("catalog_name") or ""
    if catalog or schema not in ("", "main"):
        raise SqlRefused(f"Only the tables listed beside the box can be read; "
                         f"{'.'.join(p for p in (catalog, schema, name) if p)} is not one of them.")
    if name.lower() in ctes and not schema:
        return
    if name.lower() not in tables:
        hint = "a file or an address" if any(c in name for c in "/\\:.") else "a table"
        raise SqlRefused(f"{name!r} is not {hint} you can query here. Tables you can read: "
                         f"{', '.join(sorted(tables))}.")


def _nodes(tree: Any):
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


# ---- gate 2: the copy --------------------------------------------------------------------------
def visible_tables(actor: Actor) -> tuple[str, ...]:
    """Tables the person's copy holds: the plain ones, and pay tables for those who see pay."""
    pay = PAY_TABLES if scope(actor, "read_compensation") != NONE else ()
    return (*PLAIN_TABLES, "account_managers", *pay)


_copies: dict[tuple, Path] = {}     # (database, data version, reach) -> copy file
_copies_lock = threading.Lock()
_folder: Path | None = None
# The copies live in a temporary folder named after this process, removed when it exits; a
# server that was killed cannot do that, so the next one removes folders of processes gone.
_PREFIX = "accountdesk-sqlbox-"


def copy_for(db: Database, actor: Actor) -> tuple[Path, tuple[str, ...]]:
    """The read-only copy for `actor`'s reach (made once per data version) and its tables."""
    tables = visible_tables(actor)
    reach = scope(actor, "read_compensation")
    team = tuple(sorted(team_for(db, actor))) if reach not in (ANY, NONE) else ()
    key = (str(db.path), db.data_version, reach, team)
    with _copies_lock:
        path = _copies.get(key)
        if path is None or not path.exists():
            path = _make_copy(db, tables, reach, team)
            stale = [k for k in _copies if k[0] == key[0] and k[2:] == key[2:]]
            _copies[key] = path
            for old in stale[:-1]:        # keep the previous one for a query still reading it
                _remove(_copies.pop(old))
    return path, tables


def _make_copy(db: Database, tables: tuple[str, ...], reach: str, team: tuple[int, ...]) -> Path:
    global _folder
    if _folder is None or not _folder.exists():
        _remove_orphans()
        _folder = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-"))
    path = _folder / f"copy-{uuid.uuid4().hex}.duckdb"
    alias = f"sqlbox_{uuid.uuid4().hex[:12]}"
    started = time.perf_counter()
    with db.cursor() as cur:
        cur.execute(f"ATTACH '{path}' AS {alias}")
        try:
            cur.execute("BEGIN TRANSACTION")
            for table in tables:
                select, params = _copy_select(table, reach, team)
                cur.execute(f"CREATE TABLE {alias}.main.{table} AS {select}", params)
            cur.execute("COMMIT")
        finally:
            cur.execute(f"DETACH {alias}")
    path.chmod(0o600)
    log.info("SQL box copy of %d tables made in %.3f s", len(tables), time.perf_counter() - started)
    return path


def _copy_select(table: str, reach: str, team: tuple[int, ...]) -> tuple[str, list]:
    if table == "account_managers":
        if reach == ANY:
            return "SELECT * FROM main.account_managers", []
        pay = "CASE WHEN id IN (SELECT unnest(?::INTEGER[])) THEN {c} END AS {c}"
        cols = ", ".join(pay.format(c=c) for c in ("base_salary", "salary_currency"))
        return (f"SELECT * EXCLUDE (base_salary, salary_currency), {cols} FROM main.account_managers",
                [list(team), list(team)])
    if table in _PER_MANAGER and reach != ANY:
        return (f"SELECT * FROM main.{table} WHERE {_PER_MANAGER[table]} IN (SELECT unnest(?::INTEGER[]))",
                [list(team)])
    return f"SELECT * FROM main.{table}", []


def _remove(path: Path) -> None:
    for file in (path, path.with_name(path.name + ".wal")):
        file.unlink(missing_ok=True)


def forget_copies() -> None:
    """Delete every copy this process made (tests, and at exit)."""
    global _folder
    with _copies_lock:
        _copies.clear()
        if _folder is not None:
            shutil.rmtree(_folder, ignore_errors=True)
            _folder = None


atexit.register(forget_copies)


def _remove_orphans() -> None:
    """Remove the copy folders of processes that no longer run (a server killed or crashed)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*-*"):
        pid = folder.name[len(_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:     # another user's process
        return True
    return True


# ---- gate 3: the worker ------------------------------------------------------------------------
def run(db: Database, actor: Actor, sql: str, *, row_cap: int = ROW_CAP,
        memory_bytes: int = MEMORY_BYTES, timeout_seconds: float = TIMEOUT_SECONDS) -> SqlResult:
    """Run one read-only SELECT for a director or admin; SqlRefused says why anything else."""
    require(actor, "use_sql")
    tables = set(visible_tables(actor))
    text = check(sql, tables)
    path, _ = copy_for(db, actor)
    started = time.perf_counter()
    status, payload = _in_worker(path, text, row_cap, memory_bytes, timeout_seconds)
    seconds = time.perf_counter() - started
    log.info("SQL box: user %s ran a query (%s) in %.2f s", actor.id, status, seconds)
    if status == "ok":
        columns, rows, truncated = payload
        frame = pd.DataFrame.from_records(rows, columns=_unique(columns)) if rows else pd.DataFrame(
            columns=_unique(columns))
        return SqlResult(frame, truncated, seconds)
    raise SqlRefused(payload)


def _unique(columns: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for c in columns:
        seen[c] = seen.get(c, 0) + 1
        out.append(c if seen[c] == 1 else f"{c}_{seen[c]}")
    return out


def _in_worker(path: Path, sql: str, row_cap: int, memory_bytes: int,
               timeout_seconds: float) -> tuple[str, Any]:
    command = [sys.executable, "-m", "lib.explore_sqlworker", str(path), str(memory_bytes),
               str(timeout_seconds), str(row_cap)]
    try:
        done = subprocess.run(command, input=sql.encode("utf-8"), capture_output=True, cwd=ROOT,
                              env={**os.environ, **_CHILD_ENV},
                              timeout=timeout_seconds + _STARTUP_SECONDS)
    except subprocess.TimeoutExpired:
        return "stopped", _stopped(f"it ran longer than {timeout_seconds:g} s")
    except OSError as exc:
        return "stopped", f"The query worker could not be started ({exc}); try again."
    if done.returncode != 0 or not done.stdout:
        return "stopped", _stopped(_death(done.returncode, memory_bytes, timeout_seconds))
    return pickle.loads(done.stdout)  # our own child's answer


def _death(code: int | None, memory_bytes: int, timeout_seconds: float) -> str:
    if code in (-signal.SIGALRM, -signal.SIGXCPU):
        return f"it ran longer than {timeout_seconds:g} s"
    if code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS):
        return f"it needed more than the {memory_bytes // 1024**2:,} MB of memory allowed"
    if code == -signal.SIGKILL:
        return "it went over the worker's limits on time or memory"
    return f"the worker stopped unexpectedly (exit code {code})"


