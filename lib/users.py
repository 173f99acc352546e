"""Who is acting. Every write in lib takes an Actor and records its id."""
from __future__ import annotations

from dataclasses import dataclass

from lib.db import Database

ROLES = ("admin", "director", "manager", "viewer")


@dataclass(frozen=True)
class Actor:
    id: int
    name: str
    role: str
    manager_id: int | None = None

    @property
    def can_write(self) -> bool:
        return self.role != "viewer"


SYSTEM = Actor(id=0, name="Account Desk (system)", role="admin")

_COLUMNS = "id, display_name, role, manager_id"


def active_users(db: Database) -> list[Actor]:
    """People who can act, directors and admins first (the order the picker shows)."""
    rows = db.rows(
        f"SELECT {_COLUMNS} FROM users WHERE active AND id <> 0 "
        "ORDER BY CASE role WHEN 'director' THEN 0 WHEN 'admin' THEN 1 "
        "WHEN 'manager' THEN 2 ELSE 3 END, display_name"
    )
    return [Actor(*r) for r in rows]


def get_user(db: Database, user_id: int) -> Actor | None:
    rows = db.rows(f"SELECT {_COLUMNS} FROM users WHERE id = ? AND active", [user_id])
    return Actor(*rows[0]) if rows else None
