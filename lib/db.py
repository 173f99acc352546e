"""The one place that opens DuckDB.

One root connection per process and file; every unit of work takes its own cursor from it
(a shared connection is refused by DuckDB 2.0 when two sessions use it at once). Every write
goes through `Database.write`, which serialises writes inside the process, runs the caller's
work in one transaction, insists that the work wrote an audit row, retries on transaction
conflicts, and bumps `data_version` so cached reads keyed by it are never stale. A write that
only records an event (a sign-in attempt) bumps `log_version` instead: only the reads marked
`reads_log` (the audit trail, sign-in times) depend on it, so people signing in do not make
every session's cached reads compute again.
"""
from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Hashable, Iterator, Protocol, TypeVar

import duckdb
import pandas as pd

log = logging.getLogger(__name__)

ENV_VAR = "ACCOUNTDESK_DB"
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "accountdesk.duckdb"
_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
MEMO_LIMIT = 16  # values kept by Database.memo

T = TypeVar("T")


def reads_log(fn: Callable[..., T]) -> Callable[..., T]:
    """Mark a read of the audit trail or of sign-in attempts: its cached result must also be
    fresh after writes made with `write(..., log_only=True)`."""
    fn.reads_log = True  # type: ignore[attr-defined]
    return fn


class HasId(Protocol):
    id: int


class DatabaseUnavailable(Exception):
    """The database file cannot be used; the message is meant for a person."""


class DatabaseReopened(Exception):
    """DuckDB failed fatally and the connection was reopened; the last action is uncertain."""

    def __init__(self) -> None:
        super().__init__(
            "The database hit a serious error and was reopened. Your last action may or may "
            "not have been saved: please check it before trying again."
        )


def database_path() -> Path:
    """The database file: $ACCOUNTDESK_DB, else data/accountdesk.duckdb. Read at call time."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_PATH)


def bound(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters `sql` names: DuckDB refuses named parameters a statement does not use."""
    return {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}


def to_json(value: Any) -> str:
    return json.dumps(value, default=_json_default, sort_keys=True)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


class Tx:
    """What a unit of write work sees: one cursor inside one transaction, and the actor."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, actor: HasId) -> None:
        self.cursor = cursor
        self.actor = actor
        self.audited = 0

    def execute(self, sql: str, params: list | tuple | dict | None = None) -> list[tuple]:
        self.cursor.execute(sql, params if params is not None else [])
        return self.cursor.fetchall()

    def value(self, sql: str, params: list | tuple | dict | None = None) -> Any:
        rows = self.execute(sql, params)
        return rows[0][0] if rows else None

    def user_name(self, user_id: int | None) -> str:
        """Who a user is in a message ("Priya Shah saved this after you opened it")."""
        return self.value("SELECT display_name FROM users WHERE id = ?", [user_id]) or "Someone"

    def insert_df(self, table: str, df: pd.DataFrame) -> int:
        """Bulk-insert a DataFrame whose columns name columns of `table` (a name from code)."""
        if df.empty:
            return 0
        name = f"_insert_{table}"
        self.cursor.register(name, df)
        try:
            cols = ", ".join(f'"{c}"' for c in df.columns)
            self.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {name}")
        finally:
            self.cursor.unregister(name)
        return len(df)

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: Any = None,
        changes: dict[str, Any] | None = None,
        batch_id: int | None = None,
    ) -> None:
        """Record one change. `changes` maps field -> [old, new] (or a summary for bulk loads)."""
        self.execute(
            "INSERT INTO audit_log (actor_id, action, entity, entity_id, changes, batch_id) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                self.actor.id,
                action,
                entity,
                None if entity_id is None else str(entity_id),
                None if changes is None else to_json(changes),
                batch_id,
            ],
        )
        self.audited += 1


class Database:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._write_lock = threading.Lock()
        self._root_lock = threading.Lock()
        self._root = _connect(self.path)
        self.data_version = 0
        self.log_version = 0   # writes that only recorded an event (log_only=True)
        self.closed = False
        self._memo: dict[Hashable, tuple[int, Any]] = {}
        self._memo_lock = threading.Lock()
        self._memo_keys: dict[Hashable, threading.Lock] = {}

    # ---- reads -------------------------------------------------------------------------------
    @contextmanager
    def cursor(self, *, keep: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for one unit of read work. Results must be drained inside the block.

        keep=True: when the block ends without an error the cursor stays open, with its temp
        tables, for the caller to pass to `write(cursor=...)` later and close itself."""
        cur = self._root.cursor()
        done = False
        try:
            yield cur
            done = True
        except duckdb.FatalException:
            self._reopen()
            raise DatabaseReopened() from None
        finally:
            if not (keep and done):
                cur.close()

    def rows(self, sql: str, params: list | tuple | dict | None = None) -> list[tuple]:
        with self.cursor() as cur:
            return cur.execute(sql, params if params is not None else []).fetchall()

    def value(self, sql: str, params: list | tuple | dict | None = None) -> Any:
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    def record(self, sql: str, params: list | tuple | dict | None = None) -> dict[str, Any] | None:
        """The first row as a dict of column name -> value, or None."""
        with self.cursor() as cur:
            cur.execute(sql, params if params is not None else [])
            names = [d[0] for d in cur.description]
            row = cur.fetchone()
            cur.fetchall()  # drain: a cursor with an unread result refuses the next statement
        return dict(zip(names, row)) if row else None

    def df(self, sql: str, params: list | tuple | dict | None = None) -> pd.DataFrame:
        with self.cursor() as cur:
            return cur.execute(sql, params if params is not None else []).df()

    def kept(self, key: Hashable) -> Any | None:
        """What `memo` holds for `key` at the current data version, or None; computes nothing."""
        with self._memo_lock:
            kept = self._memo.get(key)
        return kept[1] if kept is not None and kept[0] >= self.data_version else None

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` for `key` at the current data version, shared by every session.

        However many sessions ask at once, it is computed once; any write makes the next call
        compute it afresh. Only values of the newest version are kept, and at most MEMO_LIMIT
        of them (the least recently used go first), so a key that changes with the day or the
        currency does not pile up values on a server that runs for weeks.
        """
        version = self.data_version
        with self._memo_lock:
            lock = self._memo_keys.setdefault(key, threading.Lock())
        with lock:
            with self._memo_lock:
                kept = self._memo.pop(key, None)
                if kept is not None and kept[0] >= version:
                    self._memo[key] = kept  # most recently used last
                    return kept[1]
            value = compute()
            with self._memo_lock:
                self._memo = {k: v for k, v in self._memo.items() if v[0] >= version}
                self._memo[key] = (version, value)
                for old in list(self._memo)[:-MEMO_LIMIT]:
                    del self._memo[old]
                    self._memo_keys.pop(old, None)
            return value

    # ---- the write door ----------------------------------------------------------------------
    def write(
        self,
        actor: HasId,
        work: Callable[[Tx], T],
        *,
        idempotency_key: str | None = None,
        attempts: int = 5,
        cursor: duckdb.DuckDBPyConnection | None = None,
        log_only: bool = False,
    ) -> T:
        """Run `work(tx)` in one transaction as `actor` and return what it returns.

        The work must record at least one audit row. With an idempotency key, a second call
        with the same key does not run the work again and returns the first call's result.
        cursor: run on this cursor (one kept by `cursor(keep=True)`, whose temp tables the work
        reads) instead of a new one; it is left open.
        log_only: the work only records an event (a sign-in attempt and its audit row) that no
        read shows but those marked `reads_log`; it bumps `log_version`, not `data_version`.
        """
        with self._write_lock:
            for attempt in range(1, attempts + 1):
                try:
                    return self._write_once(actor, work, idempotency_key, cursor, log_only)
                except duckdb.TransactionException:
                    if attempt == attempts:
                        raise
                    log.warning("write conflict, retrying (attempt %s)", attempt)
                    time.sleep(0.01 * 2**attempt)
                except duckdb.FatalException:
                    log.exception("fatal database error; reopening %s", self.path)
                    self._reopen()
                    raise DatabaseReopened() from None
        raise AssertionError("unreachable")

    def _write_once(self, actor: HasId, work: Callable[[Tx], T], key: str | None,
                    given: duckdb.DuckDBPyConnection | None, log_only: bool) -> T:
        cur = given if given is not None else self._root.cursor()
        try:
            cur.execute("BEGIN TRANSACTION")
            if key is not None:
                done = cur.execute(
                    "SELECT result FROM idempotency_keys WHERE key = ?", [key]
                ).fetchall()
                if done:
                    cur.execute("ROLLBACK")
                    return json.loads(done[0][0]) if done[0][0] is not None else None
            tx = Tx(cur, actor)
            result = work(tx)
            if tx.audited == 0:
                raise RuntimeError("a write must record who made it: call tx.audit(...)")
            if key is not None:
                tx.execute(
                    "INSERT INTO idempotency_keys (key, actor_id, result) VALUES (?, ?, ?)",
                    [key, actor.id, to_json(result)],
                )
            cur.execute("COMMIT")
        except BaseException:
            _rollback_quietly(cur)
            raise
        finally:
            if given is None:
                cur.close()
        if log_only:
            self.log_version += 1
        else:
            self.data_version += 1
        return result

    # ---- lifecycle ---------------------------------------------------------------------------
    def _reopen(self) -> None:
        with self._root_lock:
            try:
                self._root.close()
            except duckdb.Error:
                pass
            self._root = _connect(self.path)
            self.data_version += 1

    def close(self) -> None:
        self.closed = True
        self._root.close()


def _rollback_quietly(cur: duckdb.DuckDBPyConnection) -> None:
    try:
        cur.execute("ROLLBACK")
    except duckdb.Error:
        pass  # no transaction open, or the connection is already gone


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    if path.exists() and path.is_dir():
        raise DatabaseUnavailable(f"The database path {path} is a folder, not a file.")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        root = duckdb.connect(str(path), config=_CONFIG)
    except duckdb.IOException as exc:
        raise DatabaseUnavailable(_explain_open_error(path, str(exc))) from None
    except duckdb.Error as exc:
        raise DatabaseUnavailable(
            f"Account Desk could not open the database file {path}: {exc}. Nothing was changed."
        ) from None
    root.execute("SET GLOBAL TimeZone = 'UTC'")  # cursors inherit only GLOBAL settings
    _private(path)
    return root


def _private(path: Path) -> None:
    """Salaries and revenue live in this file: readable by the app's user only."""
    for file in (path, path.with_name(path.name + ".wal")):
        try:
            if file.exists():
                file.chmod(0o600)
        except OSError:  # a file we do not own: leave it, the owner decides
            log.warning("could not make %s private", file)


def _explain_open_error(path: Path, message: str) -> str:
    if "lock" in message.lower():
        return (
            f"The database file {path} is in use by another program (most likely another "
            "Account Desk server). Only one server can use a database file at a time: stop the "
            f"other one, or start this one on another file by setting {ENV_VAR}."
        )
    if "not a valid DuckDB database" in message or "version" in message.lower():
        return (
            f"The file {path} is not an Account Desk database (DuckDB could not read it: "
            f"{message}). Nothing was changed. Move it away, or set {ENV_VAR} to another file."
        )
    return f"Account Desk could not open the database file {path}: {message}. Nothing was changed."
