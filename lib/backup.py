"""Database backups while the app runs, and restores while it is stopped.

The online backup (checked with duckdb 2.0.0): the app's process holds the file and no other
process can even read it, so the backup runs on a cursor of the app's own connection: ATTACH a
new file under a temporary name, `COPY FROM DATABASE <main> TO <it>` inside one explicit
transaction, CHECKPOINT it, DETACH it, rename it. The COPY reads every table from that one
snapshot, so a transaction committed meanwhile is wholly in the backup or wholly absent (tested
with a writer committing to three tables per transaction during the copy; a table-by-table copy
fails that test), and writers are not blocked. Tables, constraints, defaults and sequences (at
or past the largest id copied) come across, so the file opens with `open_database` as it is.
EXPORT DATABASE would give CSV/Parquet files to re-import; copying the bytes would tear.
While a copy runs, its database is visible to every cursor of the app: queries over
`duckdb_tables()` and the like must filter on `database_name = current_database()`.
"""
from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb

from lib.permissions import require
from lib.db import _CONFIG, Database, DatabaseUnavailable, database_path
from lib.errors import UserError
from lib.migrate import MigrationFailed, open_database
from lib.users import SYSTEM

log = logging.getLogger(__name__)

DIR_ENV, KEEP_ENV, DEFAULT_KEEP = "ACCOUNTDESK_BACKUP_DIR", "ACCOUNTDESK_BACKUP_KEEP", 14
DAY = timedelta(hours=24)
CORE_TABLES = {"schema_migrations", "users", "accounts", "settings", "audit_log"}
_NAME = re.compile(r"^accountdesk-(\d{8}-\d{6})(?:-(\d+))?\.duckdb$")
_PARTIAL = re.compile(r"^\.accountdesk-\d{8}-\d{6}-[0-9a-f]{8}\.partial(\.wal)?$")
# One backup at a time in this process: a "Back up now" click and the hourly check may race.
_lock = threading.Lock()


class BackupError(UserError):
    """A backup or restore was refused or failed; the message is meant for a person."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime  # UTC, from the file name
    bytes: int


# ---- taking backups ----------------------------------------------------------------------------
def backup_folder(db_path: Path) -> Path:
    """$ACCOUNTDESK_BACKUP_DIR, else backups/ beside the database file. Read at call time."""
    return Path(os.environ.get(DIR_ENV) or Path(db_path).parent / "backups")


def keep_from_env() -> int:
    """$ACCOUNTDESK_BACKUP_KEEP; a missing, non-numeric or non-positive value means 14."""
    try:
        keep = int(os.environ.get(KEEP_ENV, ""))
    except ValueError:
        return DEFAULT_KEEP
    return keep if keep > 0 else DEFAULT_KEEP


def backup_now(db: Database, actor, *, folder: Path | None = None, keep: int | None = None,
               now: datetime | None = None) -> Path:
    """Back up the live database into the folder, record it in the audit log, keep the last N."""
    require(actor, "backup")
    if keep is not None and keep < 1:
        raise ValueError("keep must be at least 1")
    with _lock:
        return _backup_locked(db, actor, folder or backup_folder(db.path), keep or keep_from_env(), now)


def daily_backup_if_due(db: Database, *, now: datetime | None = None) -> Path | None:
    """Take a backup as the app itself when none was taken in the last 24 hours.

    Cheap when not due: it only lists the backup folder."""
    folder = backup_folder(db.path)
    with _lock:
        if not due_for_daily_backup(folder, _utc(now)):
            return None
        return _backup_locked(db, SYSTEM, folder, keep_from_env(), now)


def due_for_daily_backup(folder: Path, now: datetime | None = None) -> bool:
    now = _utc(now)
    # A backup dated in the future (a clock that jumped back) must not hold off real ones.
    return not any(now - DAY < b.taken_at <= now for b in list_backups(folder))


def _backup_locked(db: Database, actor, folder: Path, keep: int, now: datetime | None) -> Path:
    stamp = _utc(now).strftime("%Y%m%d-%H%M%S")
    _prepare_folder(folder)
    partial = folder / f".accountdesk-{stamp}-{uuid.uuid4().hex[:8]}.partial"
    try:
        _copy_live(db, partial)
        final = _free_name(folder, stamp)
        os.replace(partial, final)  # same folder, so atomic: the name appears only when complete
    finally:
        _remove(partial, _wal(partial))
    _fsync_dir(folder)
    size = final.stat().st_size
    db.write(actor, lambda tx: tx.audit("backup", "database", None, {"file": final.name, "bytes": size}))
    _prune(folder, keep, final)
    log.info("backed up %s to %s (%s bytes)", db.path, final, size)
    return final


def _prepare_folder(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)  # mkdir honours the umask and leaves an existing folder as it was
    for stale in folder.iterdir():  # left by a backup that died half-way; never a good backup
        if _PARTIAL.match(stale.name):
            _remove(stale)


def _copy_live(db: Database, target: Path) -> None:
    alias = f"accountdesk_backup_{uuid.uuid4().hex[:12]}"
    with db.cursor() as cur:
        main = cur.execute("SELECT current_database()").fetchone()[0]
        if not cur.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND "
                           "table_name = 'schema_migrations'", [main]).fetchone()[0]:
            raise BackupError(f"{db.path} is not an Account Desk database; nothing was backed up.")
        file_sql, main_sql = str(target).replace("'", "''"), main.replace('"', '""')
        cur.execute(f"ATTACH '{file_sql}' AS {alias}")
        try:
            target.chmod(0o600)  # before any row is written into it
            cur.execute("BEGIN TRANSACTION")  # one snapshot for every table
            cur.execute(f'COPY FROM DATABASE "{main_sql}" TO {alias}')
            cur.execute("COMMIT")
            cur.execute(f"CHECKPOINT {alias}")  # everything into the file itself, no .wal
        except BaseException:
            _quietly(cur, "ROLLBACK")
            raise
        finally:
            _quietly(cur, f"DETACH DATABASE IF EXISTS {alias}")
    if _wal(target).exists():
        raise BackupError("The backup did not finish writing its file; it was discarded.")


def _free_name(folder: Path, stamp: str) -> Path:
    """accountdesk-<stamp>.duckdb, or -2, -3... when a backup was already taken that second."""
    path, n = folder / f"accountdesk-{stamp}.duckdb", 1
    while path.exists():
        n += 1
        path = folder / f"accountdesk-{stamp}-{n}.duckdb"
    return path


def _prune(folder: Path, keep: int, just_taken: Path) -> None:
    for old in list_backups(folder)[keep:]:
        if old.path != just_taken:
            _remove(old.path)
            log.info("deleted old backup %s", old.path)


def list_backups(folder: Path) -> list[BackupInfo]:
    """Our backup files in the folder, newest first; other files are ignored."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match and path.is_file():
            taken = datetime.strptime(match.group(1), "%Y%m%d-%H%M%S").replace(tzinfo=timezone.utc)
            found.append((taken, int(match.group(2) or 1), BackupInfo(path, taken, path.stat().st_size)))
    return [info for *_, info in sorted(found, key=lambda f: f[:2], reverse=True)]


# ---- restoring ---------------------------------------------------------------------------------
def restore(backup: Path, target: Path, *, force: bool = False) -> Path | None:
    """Put a backup in place of the database file; the app must be stopped.

    The current file (and its .wal, which must never be replayed onto the restored file) is
    kept as <target>.before-restore-<UTC timestamp>; that path is returned (None if there was
    no file). `force` is accepted for callers and changes nothing: running the command is the
    confirmation, and the kept copy means nothing is lost."""
    backup, target = Path(backup), Path(target)
    if target.exists() and backup.resolve() == target.resolve():
        raise BackupError("The backup and the database are the same file; nothing was changed.")
    verify_backup(backup)
    if in_use(target):
        raise BackupError(f"The database {target} is in use (the app is running): stop the app "
                          "first, then restore. Nothing was changed.")
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.restoring-{uuid.uuid4().hex[:8]}")
    try:
        _copy_synced(backup, staged)
        aside = _set_aside(target, _utc(None).strftime("%Y%m%d-%H%M%S"))
        os.replace(staged, target)
    finally:
        _remove(staged)
    _fsync_dir(target.parent)
    return aside


def verify_backup(backup: Path) -> None:
    """Refuse anything that is not a whole Account Desk database, checked on a copy."""
    if not backup.is_file():
        raise BackupError(f"There is no backup file at {backup}; nothing was changed.")
    with tempfile.TemporaryDirectory(prefix="accountdesk-verify-") as tmp:
        copy = Path(tmp) / "check.duckdb"
        shutil.copyfile(backup, copy)
        try:
            _check_core_tables(copy)
            open_database(copy).close()  # also proves the migrations accept it
        except (duckdb.Error, DatabaseUnavailable, MigrationFailed, BackupError) as exc:
            raise BackupError(f"{backup} is not a usable Account Desk backup ({exc}); "
                              "nothing was changed.") from None


def _check_core_tables(path: Path) -> None:
    with duckdb.connect(str(path), read_only=True, config=_CONFIG) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() "
                                            "WHERE database_name = current_database()").fetchall()}
        missing = sorted(CORE_TABLES - tables)
        if missing:
            raise BackupError(f"it has no {', '.join(missing)} table")
        if not con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]:
            raise BackupError("its schema_migrations table is empty")


def in_use(path: Path) -> bool:
    """True when another process (or this one) holds the database file open."""
    if not Path(path).exists():
        return False
    try:
        duckdb.connect(str(path), read_only=True, config=_CONFIG).close()
    except duckdb.IOException as exc:
        return "lock" in str(exc).lower()
    except duckdb.ConnectionException:
        return True  # this very process has it open with another configuration
    except duckdb.Error:
        return False  # unreadable: replacing it is what a restore is for
    return False


def _set_aside(target: Path, stamp: str) -> Path | None:
    aside = target.with_name(f"{target.name}.before-restore-{stamp}")
    n = 1
    while aside.exists() or _wal(aside).exists():
        n += 1
        aside = target.with_name(f"{target.name}.before-restore-{stamp}-{n}")
    if _wal(target).exists():
        os.replace(_wal(target), _wal(aside))  # the kept file opens with its own changes
    if not target.exists():
        return None
    os.replace(target, aside)
    return aside


# ---- small helpers -----------------------------------------------------------------------------
def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(timezone.utc)
    return now.replace(tzinfo=timezone.utc) if now.tzinfo is None else now.astimezone(timezone.utc)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _quietly(cur: duckdb.DuckDBPyConnection, sql: str) -> None:
    try:
        cur.execute(sql)
    except duckdb.Error:
        pass  # nothing to roll back or detach: the statement that failed never got that far


def _remove(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _copy_synced(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    target.chmod(0o600)
    with open(target, "rb+") as f:
        os.fsync(f.fileno())


def _fsync_dir(folder: Path) -> None:
    """Make a rename survive a power cut."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---- command line ------------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 1 like every other failure
        self.exit(1, f"{self.prog}: {message}\n")


def _cli_now(path: Path) -> str:
    if not path.is_file():
        raise BackupError(f"There is no database at {path}.")
    if in_use(path):
        raise BackupError(f"The database {path} is in use by the running app: use the app's "
                          "\"Back up now\" button, or stop the app and run this again.")
    db = Database(path)
    try:
        made = backup_now(db, SYSTEM)
    finally:
        db.close()
    return f"Backed up {path} to {made} ({made.stat().st_size:,} bytes)."


def _cli_list(path: Path) -> str:
    folder = backup_folder(path)
    found = list_backups(folder)
    if not found:
        return f"No backups in {folder}."
    return "\n".join(f"{b.path.name}  {b.taken_at:%Y-%m-%d %H:%M:%S} UTC  {b.bytes:,} bytes"
                     for b in found)


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m lib.backup", description="Account Desk database backups.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", type=Path, help="database file (default: $ACCOUNTDESK_DB)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("now", parents=[common], help="take a backup (app stopped)")
    commands.add_parser("list", parents=[common], help="list backups, newest first")
    commands.add_parser("restore", parents=[common], help="restore a backup (app stopped)") \
        .add_argument("backup", type=Path)
    args = parser.parse_args(argv)
    path = args.db or database_path()
    try:
        if args.command == "now":
            print(_cli_now(path))
        elif args.command == "list":
            print(_cli_list(path))
        else:
            aside = restore(args.backup, path)
            kept = f" The previous database is kept as {aside}." if aside else ""
            print(f"Restored {args.backup} to {path}.{kept}")
    except (BackupError, DatabaseUnavailable, OSError) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
