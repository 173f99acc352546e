"""App-wide settings an admin changes, and the small reads the admin pages need.

Settings are rows of the `settings` table (key, value as text, version). Each known key has a
parser (text -> value), a check (value -> problems) and a default used when the row is missing,
so an older database without a row still reads sensibly and the first save inserts it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from lib import backup, fx
from lib.db import Database, Tx
from lib.errors import ValidationFailed, WriteConflict
from lib.permissions import require
from lib.users import Actor

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


@dataclass(frozen=True)
class Setting:
    label: str
    default: Any
    parse: Callable[[str], Any]
    problems: Callable[[Database, Any], list[str]]


def _month_problems(_db: Database, value: Any) -> list[str]:
    ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 12
    return [] if ok else ["Fiscal year start: choose a month from 1 (January) to 12 (December)"]


def _currency_problems(db: Database, value: Any) -> list[str]:
    known = fx.currencies(db)
    if value in known:
        return []
    return [f"Reporting currency: {value!r} has no FX rates here; choose one of {', '.join(known)}"]


SETTINGS: dict[str, Setting] = {
    "fiscal_year_start_month": Setting("Fiscal year start", 1, int, _month_problems),
    "reporting_currency": Setting("Reporting currency", "USD", str, _currency_problems),
}


def get_settings(db: Database) -> dict[str, Any]:
    """Every setting's value by key, plus `versions`: key -> the version to save against.

    A key with no row reads as its default at version 0.
    """
    rows = {k: (v, ver) for k, v, ver in db.rows("SELECT key, value, version FROM settings")}
    result: dict[str, Any] = {"versions": {}}
    for key, setting in SETTINGS.items():
        text, version = rows.get(key, (None, 0))
        result[key] = _parsed(setting, text)
        result["versions"][key] = version
    return result


def _parsed(setting: Setting, text: str | None) -> Any:
    # A hand-edited value that no longer parses falls back to the default rather than
    # breaking every page that reads it.
    try:
        return setting.default if text is None else setting.parse(text)
    except ValueError:
        return setting.default


def _normalised(key: str, value: Any) -> Any:
    if key == "reporting_currency":
        return str(value).strip().upper()
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def update_setting(db: Database, actor: Actor, key: str, value: Any, loaded_version: int) -> int:
    """Save one setting as edited on `loaded_version`; return the new version.

    Admin only. Raises ValidationFailed for a bad value and WriteConflict (with the current
    value) when someone saved the setting after it was loaded. Audited as old -> new.
    """
    require(actor, "edit_settings")
    if key not in SETTINGS:
        raise ValueError(f"unknown setting {key!r}; known: {', '.join(SETTINGS)}")
    setting, new = SETTINGS[key], _normalised(key, value)
    if problems := setting.problems(db, new):
        raise ValidationFailed(problems)

    def work(tx: Tx) -> int:
        rows = tx.execute("SELECT value, version, updated_by FROM settings WHERE key = ?", [key])
        text, version, by = rows[0] if rows else (None, 0, None)
        old = _parsed(setting, text)
        if version != loaded_version:
            who = tx.user_name(by)
            raise WriteConflict("setting", key, {"value": old, "version": version}, who)
        if rows and old == new:
            tx.audit("no_change", "setting", key)
            return version
        _store(tx, key, str(new), exists=bool(rows))
        tx.audit("update", "setting", key, {key: [old, new]})
        return version + 1

    return db.write(actor, work)


def _store(tx: Tx, key: str, text: str, *, exists: bool) -> None:
    if exists:
        tx.execute("UPDATE settings SET value = ?, version = version + 1, "
                   "updated_at = now()::TIMESTAMP, updated_by = ? WHERE key = ?",
                   [text, tx.actor.id, key])
    else:
        tx.execute("INSERT INTO settings (key, value, updated_by) VALUES (?, ?, ?)",
                   [key, text, tx.actor.id])


# ---- reads for the users page --------------------------------------------------------------
# ---- backups ---------------------------------------------------------------------------------
def back_up(db: Database, actor: Actor) -> Path:
    """An admin's "Back up now": the new backup file (lib.backup does the copy and the audit)."""
    require(actor, "backup")
    return backup.backup_now(db, actor)


def backups_table(folder: Path) -> pd.DataFrame:
    """The backups in `folder`, newest first, as the settings page lists them."""
    found = backup.list_backups(folder)
    return pd.DataFrame({
        "Taken (UTC)": [b.taken_at.strftime("%Y-%m-%d %H:%M:%S") for b in found],
        "File": [b.path.name for b in found],
        "Size": [file_size(b.bytes) for b in found],
    })


def file_size(n: int) -> str:
    """Bytes as a person reads them: '812 bytes', '3.4 MB'."""
    if n < 1024:
        return f"{n:,} bytes"
    for unit in ("KB", "MB", "GB"):
        n /= 1024
        if n < 1024 or unit == "GB":
            return f"{n:,.1f} {unit}"
    raise AssertionError("unreachable")
