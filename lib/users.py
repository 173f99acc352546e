"""Who is acting. Every write in lib takes an Actor and records its id."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from lib.db import Database, Tx, reads_log
from lib.errors import NotAllowed, NotFound, ValidationFailed, WriteConflict
from lib.models import NewUser, UserEdit
from lib.permissions import require

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


# ---- user management (admin only) -----------------------------------------------------------
# Creating a user with a password lives in lib.auth (it hashes); everything else is here.

_EDITABLE = ("display_name", "role", "manager_id")


def user_details(db: Database, user_id: int) -> dict[str, Any]:
    """One user's editable fields and version, for an edit form."""
    row = db.record(
        "SELECT id, email, display_name, role, manager_id, active, version, "
        "password_hash IS NOT NULL AS has_password FROM users WHERE id = ? AND id <> 0", [user_id]
    )
    if row is None:
        raise NotFound(f"There is no user with id {user_id}.")
    return row


def user_for_sso_email(db: Database, email: str) -> Actor | None:
    """The active user a single-sign-on email belongs to, or None (then: ask an admin)."""
    rows = db.rows(
        f"SELECT {_COLUMNS} FROM users WHERE lower(email) = ? AND active AND id <> 0",
        [(email or "").strip().lower()],
    )
    return Actor(*rows[0]) if rows else None


@reads_log
def list_users(db: Database, actor: Actor) -> pd.DataFrame:
    """Everyone who can sign in (or could), for the admin's users page."""
    require(actor, "manage_users")
    return db.df(
        "SELECT u.id, u.email, u.display_name, u.role, u.manager_id, m.name AS manager, u.active, "
        "u.password_hash IS NOT NULL AS has_password, s.last_sign_in, u.version "
        "FROM users u LEFT JOIN account_managers m ON m.id = u.manager_id "
        "LEFT JOIN (SELECT user_id, max(attempted_at) AS last_sign_in FROM login_attempts "
        "           WHERE success GROUP BY user_id) s ON s.user_id = u.id "
        "WHERE u.id <> 0 ORDER BY u.active DESC, lower(u.display_name)"
    )


def insert_user(tx: Tx, fields: NewUser, manager_id: int | None, password_hash: str | None) -> int:
    """Insert a checked new user inside a write; refuses a taken email or an unknown manager."""
    problems = _email_problems(tx, fields.email) + _manager_problems(tx, manager_id, None)
    if problems:
        raise ValidationFailed(problems)
    new_id = tx.value(
        "INSERT INTO users (email, display_name, role, manager_id, password_hash, created_by, "
        "updated_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [fields.email, fields.display_name, fields.role, manager_id, password_hash,
         tx.actor.id, tx.actor.id],
    )
    changes = {**{k: [None, v] for k, v in fields.model_dump().items()}, "manager_id": [None, manager_id]}
    if password_hash is not None:
        changes["password"] = [None, "(set)"]
    tx.audit("create", "user", new_id, changes)
    return new_id


def update_user(db: Database, actor: Actor, user_id: int, loaded_version: int, *,
                display_name: str, role: str, manager_id: int | None) -> int:
    """Save an admin's edit made on the version they loaded; return the new version.

    Raises WriteConflict (with the current values) when someone saved the user meanwhile.
    """
    require(actor, "manage_users")
    edit = UserEdit.parse(display_name=display_name, role=role)

    def work(tx: Tx) -> int:
        current = _load_for_update(tx, user_id)
        if current["version"] != loaded_version:
            raise WriteConflict("user", user_id, _public(current), tx.user_name(current["updated_by"]))
        new = {**edit.model_dump(), "manager_id": manager_id}
        changes = {f: [current[f], new[f]] for f in _EDITABLE if current[f] != new[f]}
        if "role" in changes and current["role"] == "admin" and current["active"]:
            _keep_an_admin(tx, actor, current, "take away your own admin role")
        if "manager_id" in changes and (problems := _manager_problems(tx, manager_id, user_id)):
            raise ValidationFailed(problems)
        return _apply(tx, user_id, current["version"], changes, "update")

    return db.write(actor, work)


def deactivate_user(db: Database, actor: Actor, user_id: int) -> None:
    """Stop a user signing in. Users are never deleted: their name stays on what they did."""
    require(actor, "manage_users")

    def work(tx: Tx) -> None:
        current = _load_for_update(tx, user_id)
        if current["active"] and current["role"] == "admin":
            _keep_an_admin(tx, actor, current, "deactivate yourself")
        _apply(tx, user_id, current["version"], _active_change(current, False), "deactivate")

    db.write(actor, work)


def reactivate_user(db: Database, actor: Actor, user_id: int) -> None:
    require(actor, "manage_users")

    def work(tx: Tx) -> None:
        current = _load_for_update(tx, user_id)
        _apply(tx, user_id, current["version"], _active_change(current, True), "reactivate")

    db.write(actor, work)


def _active_change(current: dict[str, Any], active: bool) -> dict[str, list]:
    return {} if current["active"] == active else {"active": [current["active"], active]}


def _apply(tx: Tx, user_id: int, version: int, changes: dict[str, list], action: str) -> int:
    if not changes:
        tx.audit("no_change", "user", user_id)
        return version
    sets = ", ".join(f"{f} = ?" for f in changes)
    tx.execute(
        f"UPDATE users SET {sets}, version = version + 1, updated_at = now()::TIMESTAMP, "
        "updated_by = ? WHERE id = ?",
        [*(v[1] for v in changes.values()), tx.actor.id, user_id],
    )
    tx.audit(action, "user", user_id, changes)
    return version + 1


def _keep_an_admin(tx: Tx, actor: Actor, current: dict[str, Any], what_self: str) -> None:
    """Refuse a change that would leave nobody able to manage users."""
    if current["id"] == actor.id:
        raise NotAllowed(f"You cannot {what_self}; ask another admin.")
    others = tx.value(
        "SELECT count(*) FROM users WHERE active AND role = 'admin' AND id NOT IN (0, ?)",
        [current["id"]],
    )
    if not others:
        raise NotAllowed(f"{current['display_name']} is the last active admin; "
                         "make someone else an admin first.")


def _load_for_update(tx: Tx, user_id: int) -> dict[str, Any]:
    if user_id == 0:
        raise NotAllowed("The system user cannot be changed.")
    cols = ("id", *_EDITABLE, "active", "version", "updated_by")
    rows = tx.execute(f"SELECT {', '.join(cols)} FROM users WHERE id = ?", [user_id])
    if not rows:
        raise NotFound(f"There is no user with id {user_id}.")
    return dict(zip(cols, rows[0]))


def _email_problems(tx: Tx, email: str) -> list[str]:
    rows = tx.execute("SELECT display_name, active FROM users WHERE lower(email) = ?", [email.lower()])
    if not rows:
        return []
    name, active = rows[0]
    if active:
        return [f"Email: {email} is already used by {name}"]
    return [f"Email: {email} belongs to {name}, who is deactivated; reactivate them instead"]


def _manager_problems(tx: Tx, manager_id: int | None, user_id: int | None) -> list[str]:
    """The linked account manager must exist, be active, and not be someone else's login."""
    if manager_id is None:
        return []
    name = tx.value("SELECT name FROM account_managers WHERE id = ? AND active", [manager_id])
    if name is None:
        return [f"Account manager: there is no active account manager with id {manager_id}"]
    taken = tx.value(
        "SELECT email FROM users WHERE manager_id = ? AND active AND id <> ? AND id <> 0",
        [manager_id, user_id if user_id is not None else -1],
    )
    return [f"Account manager: {name} already signs in as {taken}"] if taken else []


def _public(current: dict[str, Any]) -> dict[str, Any]:
    return {k: current[k] for k in (*_EDITABLE, "active", "version")}



def linkable_managers(db: Database, user_id: int | None = None) -> dict[int, str]:
    """Account managers a user may be linked to: id -> "Name (title)", by name.

    Active managers who are not already the sign-in of another active user (the rule
    lib.users enforces on save), plus the manager `user_id` is linked to now, so an edit form
    can show the current link even when it would not be offered afresh.
    """
    rows = db.rows(
        "SELECT m.id, m.name || ' (' || m.role_title || ')' FROM account_managers m "
        "WHERE m.id = (SELECT manager_id FROM users WHERE id = $user) OR (m.active AND NOT EXISTS "
        "  (SELECT 1 FROM users u WHERE u.manager_id = m.id AND u.active AND u.id <> 0 "
        "   AND u.id IS DISTINCT FROM $user)) "
        "ORDER BY lower(m.name), m.id",
        {"user": user_id},
    )
    return dict(rows)


def active_managers(db: Database) -> dict[int, str]:
    """Active account managers, id -> name, by name: who can own an account or a next step."""
    return dict(db.rows("SELECT id, name FROM account_managers WHERE active ORDER BY lower(name), id"))
