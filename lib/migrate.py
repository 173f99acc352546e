"""Applies lib/migrations/NNN_name.sql in order, each file with its record in one transaction."""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from lib.db import Database, DatabaseUnavailable, _rollback_quietly

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


class MigrationFailed(Exception):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def migrations(folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    found = []
    for path in sorted(folder.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationFailed(f"{path.name}: migration files are named NNN_what.sql")
        found.append(Migration(int(match.group(1)), path))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationFailed("two migration files share a number")
    return found


def apply_migrations(db: Database, folder: Path = MIGRATIONS_DIR) -> list[str]:
    """Bring the schema up to date; return the names of the files applied now."""
    todo = migrations(folder)
    with db._write_lock, db.cursor() as cur:
        _check_ours(cur, db.path)
        cur.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
            "name VARCHAR NOT NULL, checksum VARCHAR NOT NULL, "
            "applied_at TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP)"
        )
        applied = dict(cur.execute("SELECT version, checksum FROM schema_migrations").fetchall())
        known = {m.version for m in todo}
        if applied and max(applied) > max(known, default=0):
            raise DatabaseUnavailable(
                f"The database {db.path} was written by a newer version of Account Desk "
                f"(schema {max(applied)}; this version knows up to {max(known, default=0)}). "
                "Nothing was changed: run the newer version."
            )
        done = []
        for m in todo:
            if m.version in applied:
                if applied[m.version] != m.checksum:
                    log.warning("%s changed after it was applied; add a new file instead", m.path.name)
                continue
            _apply_one(cur, m)
            done.append(m.path.name)
    if done:
        db.data_version += 1
    return done


def _apply_one(cur: duckdb.DuckDBPyConnection, m: Migration) -> None:
    try:
        cur.execute("BEGIN TRANSACTION")
        cur.execute(m.sql)
        cur.execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
            [m.version, m.path.name, m.checksum],
        )
        cur.execute("COMMIT")
    except duckdb.Error as exc:
        _rollback_quietly(cur)
        raise MigrationFailed(
            f"Migration {m.path.name} failed and was rolled back; the schema is as it was. "
            f"DuckDB said: {exc}"
        ) from None


def _check_ours(cur: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Refuse a DuckDB file that holds someone else's tables rather than adding ours to it."""
    tables = {
        r[0]
        for r in cur.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall()
    }
    if tables and "schema_migrations" not in tables:
        sample = ", ".join(sorted(tables)[:5])
        raise DatabaseUnavailable(
            f"The file {path} is a DuckDB database but not an Account Desk one (it holds "
            f"tables such as {sample}). Nothing was changed. Set ACCOUNTDESK_DB to another file."
        )


def open_database(path: Path | str) -> Database:
    """Open (or create) an Account Desk database and bring its schema up to date."""
    db = Database(path)
    try:
        apply_migrations(db)
    except BaseException:
        db.close()
        raise
    return db
