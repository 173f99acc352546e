"""Who may sign in: Argon2id passwords, sign-in with lockouts, first-start setup, idle expiry.

Attempts are rows in `login_attempts`, not memory, so a lockout survives a restart. Recording
one is a write with its own audit row, made `log_only`: it changes nothing but the sign-in
records and the audit trail, so it does not make every session's cached reads compute again.
Password hashes never leave this module's writes: audit rows say "(changed)", never the hash.
"""
from __future__ import annotations

import hashlib
import logging
import math
import secrets
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Any, Callable, Mapping

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from lib.db import Database, Tx
from lib.errors import NotAllowed, NotFound, UserError, ValidationFailed
from lib.models import NewUser
from lib.permissions import require
# User management without passwords lives in lib.users; it is re-exported so that the users
# page needs one import.
from lib.users import (SYSTEM, Actor, deactivate_user, insert_user, list_users,  # noqa: F401
                       reactivate_user, update_user, user_for_sso_email)

log = logging.getLogger(__name__)

# OWASP's Argon2id floor: 19 MiB, 2 passes, 1 lane (about 50-100 ms a hash here)
_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
MIN_PASSWORD_LENGTH = 10
WINDOW = timedelta(minutes=15)      # failures are counted, and locks last, this long
ACCOUNT_LIMIT = 5                   # failures per account within WINDOW
SESSION_LIMIT = 10                  # failures per browser session within WINDOW
GENERIC_REFUSAL = "Email or password is wrong."
DEMO_PASSWORD = "demo-account-desk"
DEMO_EMAIL_DOMAIN = "demo.accountdesk.example"
IDLE_ENV, IDLE_DEFAULT = "ACCOUNTDESK_IDLE_MINUTES", 60
ADMIN_EMAIL_ENV, ADMIN_PASSWORD_ENV, ADMIN_NAME_ENV = (
    "ACCOUNTDESK_ADMIN_EMAIL", "ACCOUNTDESK_ADMIN_PASSWORD", "ACCOUNTDESK_ADMIN_NAME")
# refusals after checking the password count toward a lock; refusals because of one do not
_COUNTED = "('wrong_password', 'unknown_email', 'no_password', 'inactive')"
_ALREADY_SET_UP = "Account Desk is already set up: sign in, or ask an admin for an account."


class SignInRefused(UserError):
    """Sign-in said no; the message is safe to show (it never says which part was wrong)."""


# ---- passwords -------------------------------------------------------------------------------
def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Does `password` match? A missing or damaged hash costs the same work as a wrong password."""
    candidate = stored if stored and stored.startswith("$argon2") else _dummy_hash()
    try:
        _HASHER.verify(candidate, password)
    except (VerificationError, InvalidHashError):
        return False
    return candidate is stored


@cache
def _dummy_hash() -> str:
    # A hash of a random secret with the real parameters: checking a password against it takes
    # as long as a real check, so an unknown email cannot be told apart by timing.
    return _HASHER.hash(secrets.token_urlsafe(32))


def password_problems(password: str, email: str | None = None) -> list[str]:
    """What is wrong with a new password, one sentence each (empty when it is fine)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Password: use at least {MIN_PASSWORD_LENGTH} characters")
    if email and password.strip().lower() in (email.strip().lower(), email.split("@")[0].lower()):
        problems.append("Password: must not be your email address")
    if password and len(set(password)) == 1:
        problems.append("Password: must not be one character repeated")
    return problems


def _checked_hash(password: str, email: str | None) -> str:
    if problems := password_problems(password, email):
        raise ValidationFailed(problems)
    return hash_password(password)


# ---- signing in ------------------------------------------------------------------------------
def sign_in(db: Database, email: str, password: str, *, session_key: str,
            now: datetime | None = None) -> Actor:
    """The active user with this email and password, or SignInRefused with a sentence.

    After ACCOUNT_LIMIT failures within WINDOW the email is locked for WINDOW; after
    SESSION_LIMIT failures from one browser session, that session is. Every attempt is recorded.
    """
    at, key, session = _utc(now), (email or "").strip().lower(), _session_hash(session_key)
    if not key or not password:
        raise SignInRefused("Enter your email and password.")
    if refused := _lockout(db.rows, key, session, at):
        db.write(SYSTEM, lambda tx: _record(tx, key, session, at, refused[0], None), log_only=True)
        raise SignInRefused(refused[1])
    user, outcome, new_hash = _check_password(db, key, password)

    def work(tx: Tx) -> tuple[str, str]:
        # checked again under the write lock: parallel guesses cannot slip past the limit
        final = _lockout(tx.execute, key, session, at) or (outcome, GENERIC_REFUSAL)
        signed_in = final[0] == "signed_in"
        _record(tx, key, session, at, final[0], user and user["id"], new_hash if signed_in else None)
        return final

    # A right password is the person's own sign-in: the audit trail names them. Any other
    # attempt is recorded by the system (whoever typed it is not known).
    person = user and _actor(user)
    final_outcome, message = db.write(person if outcome == "signed_in" else SYSTEM, work, log_only=True)
    if final_outcome != "signed_in":
        raise SignInRefused(message)
    return person


def sso_sign_in(db: Database, email: str, *, session_key: str,
                now: datetime | None = None) -> Actor | None:
    """The active user a single-sign-on email belongs to, or None (then: ask an admin), with the
    sign-in recorded as a password sign-in is: by the person when it lets them in, by the system
    when the email is unknown or its user inactive. Call it once per browser session."""
    at, key, session = _utc(now), (email or "").strip().lower(), _session_hash(session_key)
    user = _user_by_email(db, key) if key else None
    outcome = "unknown_email" if user is None else "signed_in" if user["active"] else "inactive"
    person = _actor(user) if outcome == "signed_in" else None
    db.write(person or SYSTEM, lambda tx: _record(tx, key, session, at, outcome, user and user["id"]),
             log_only=True)
    return person


def _user_by_email(db: Database, key: str) -> dict[str, Any] | None:
    """The user with this (lower-cased) email, an active one first."""
    return db.record("SELECT id, display_name, role, manager_id, password_hash, active FROM users "
                     "WHERE lower(email) = ? AND id <> 0 ORDER BY active DESC LIMIT 1", [key])


def _actor(user: dict[str, Any]) -> Actor:
    return Actor(user["id"], user["display_name"], user["role"], user["manager_id"])


def _check_password(db: Database, key: str, password: str) -> tuple[dict | None, str, str | None]:
    """The user, the outcome, and a fresh hash when the hashing parameters changed.

    Runs outside the write lock: a hash takes tens of milliseconds and must not hold up writes.
    """
    user = _user_by_email(db, key)
    outcome = _outcome(user, verify_password(user["password_hash"] if user else None, password))
    rehash = outcome == "signed_in" and _HASHER.check_needs_rehash(user["password_hash"])
    return user, outcome, hash_password(password) if rehash else None


def _outcome(user: dict[str, Any] | None, matches: bool) -> str:
    if user is None:
        return "unknown_email"
    if user["password_hash"] is None:
        return "no_password"
    if not matches:
        return "wrong_password"
    return "signed_in" if user["active"] else "inactive"


def _lockout(query: Callable[..., list[tuple]], key: str, session: str | None,
             at: datetime) -> tuple[str, str] | None:
    """(outcome, message) when this browser or this account is locked out at `at`."""
    rows = query(
        "SELECT email = ?, coalesce(session_key = ?, false), attempted_at FROM login_attempts "
        f"WHERE (email = ? OR session_key = ?) AND outcome IN {_COUNTED} "
        "AND attempted_at > ? AND attempted_at <= ?",
        [key, session, key, session, at - 2 * WINDOW, at],
    )
    by_session = lock_ends([t for _, same, t in rows if same], at, SESSION_LIMIT)
    if session is not None and by_session:
        return "session_locked", ("Too many failed sign-in attempts from this browser. "
                                  f"Try again in {_minutes_until(by_session, at)}.")
    by_account = lock_ends([t for same, _, t in rows if same], at, ACCOUNT_LIMIT)
    if by_account:
        return "account_locked", ("Too many failed attempts for this account. "
                                  f"Try again in {_minutes_until(by_account, at)}.")
    return None


def lock_ends(failures: list[datetime], now: datetime, limit: int,
              window: timedelta = WINDOW) -> datetime | None:
    """When the lock set off by `limit` failures within `window` ends, if it is still on at `now`.

    A lock starts at the failure that completes `limit` within one window and lasts a window.
    Attempts refused during a lock are not counted, so a lock cannot be kept on for ever.
    """
    times = sorted(failures)
    ends = None
    for i in range(limit - 1, len(times)):
        if times[i] - times[i - limit + 1] < window:
            ends = times[i] + window
    return ends if ends is not None and ends > now else None


def _record(tx: Tx, key: str, session: str | None, at: datetime, outcome: str,
            user_id: int | None, new_hash: str | None = None) -> None:
    tx.execute(
        "INSERT INTO login_attempts (email, session_key, attempted_at, success, outcome, user_id) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [key, session, at, outcome == "signed_in", outcome, user_id],
    )
    changes: dict[str, Any] = {"outcome": outcome}
    if new_hash is not None:  # the hashing parameters changed since this password was set
        tx.execute("UPDATE users SET password_hash = ? WHERE id = ?", [new_hash, user_id])
        changes["password"] = ["(rehashed)", "(rehashed)"]
    tx.audit("sign_in" if outcome == "signed_in" else "sign_in_failed", "user", user_id, changes)


def _minutes_until(ends: datetime, now: datetime) -> str:
    n = max(1, math.ceil((ends - now).total_seconds() / 60))
    return "1 minute" if n == 1 else f"{n} minutes"


def _session_hash(session_key: str | None) -> str | None:
    # Stored hashed: the table says which attempts came from one browser without holding a key
    # that could be replayed.
    return hashlib.sha256(session_key.encode()).hexdigest() if session_key else None


def _utc(now: datetime | None) -> datetime:
    """Naive UTC, as the database stores timestamps."""
    if now is None:
        return datetime.now(timezone.utc).replace(tzinfo=None)
    return now.astimezone(timezone.utc).replace(tzinfo=None) if now.tzinfo else now


# ---- changing passwords ----------------------------------------------------------------------
def change_password(db: Database, actor: Actor, old_password: str, new_password: str, *,
                    now: datetime | None = None) -> None:
    """A person changes their own password; the current one is checked and throttled like sign-in."""
    user = _password_owner(db, actor.id)
    if not user["active"]:
        raise NotAllowed("This user is deactivated.")
    problems = password_problems(new_password, user["email"])
    if new_password == old_password:
        problems.append("New password: must differ from the current one")
    if problems:
        raise ValidationFailed(problems)
    at, key = _utc(now), user["email"].lower()
    if refused := _lockout(db.rows, key, None, at):
        raise NotAllowed(refused[1])
    if not verify_password(user["password_hash"], old_password):
        db.write(SYSTEM, lambda tx: _record(tx, key, None, at, "wrong_password", actor.id),
                 log_only=True)
        raise ValidationFailed(["Current password: is not right"])
    _store_hash(db, actor, actor.id, user, hash_password(new_password), "change_password")


def set_password(db: Database, admin_actor: Actor, user_id: int, new_password: str) -> None:
    """An admin sets (resets) someone's password."""
    require(admin_actor, "manage_users")
    user = _password_owner(db, user_id)
    _store_hash(db, admin_actor, user_id, user, _checked_hash(new_password, user["email"]),
                "reset_password")


def _password_owner(db: Database, user_id: int) -> dict[str, Any]:
    if user_id == 0:
        raise NotAllowed("The system user cannot sign in, so it has no password.")
    user = db.record("SELECT email, password_hash, active FROM users WHERE id = ?", [user_id])
    if user is None:
        raise NotFound(f"There is no user with id {user_id}.")
    return user


def _store_hash(db: Database, actor: Actor, user_id: int, user: dict[str, Any], new_hash: str,
                action: str) -> None:
    # No version bump: a password change must not turn an admin's open edit into a conflict.
    def work(tx: Tx) -> None:
        tx.execute("UPDATE users SET password_hash = ?, updated_at = now()::TIMESTAMP, "
                   "updated_by = ? WHERE id = ?", [new_hash, actor.id, user_id])
        old = "(set)" if user["password_hash"] else "(not set)"
        tx.audit(action, "user", user_id, {"password": [old, "(changed)"]})

    db.write(actor, work)


# ---- users with passwords --------------------------------------------------------------------
def create_user(db: Database, actor: Actor, email: str, display_name: str, role: str,
                manager_id: int | None = None, password: str | None = None) -> int:
    """An admin adds a user; without a password they sign in by SSO or after a reset."""
    require(actor, "manage_users")
    fields = _new_user(email, display_name, role, password)
    password_hash = hash_password(password) if password is not None else None
    return db.write(actor, lambda tx: insert_user(tx, fields, manager_id, password_hash))


def _new_user(email: str, display_name: str, role: str, password: str | None) -> NewUser:
    """The checked fields, or one ValidationFailed naming every problem at once."""
    problems, fields = [], None
    try:
        fields = NewUser.parse(email=email, display_name=display_name, role=role)
    except ValidationFailed as exc:
        problems += exc.problems
    if password is not None:
        problems += password_problems(password, email)
    if problems:
        raise ValidationFailed(problems)
    return fields


def needs_setup(db: Database) -> bool:
    """True until there is an active admin who can sign in with a password."""
    return not _admin_count(db.rows)


def _admin_count(query: Callable[..., list[tuple]]) -> int:
    return query("SELECT count(*) FROM users WHERE active AND role = 'admin' AND id <> 0 "
                 "AND password_hash IS NOT NULL", [])[0][0]


def create_first_admin(db: Database, email: str, display_name: str, password: str) -> Actor:
    """On first start, whoever sets up the app becomes its admin; refused once one exists."""
    if not needs_setup(db):
        raise NotAllowed(_ALREADY_SET_UP)
    fields = _new_user(email, display_name, "admin", password)
    password_hash = hash_password(password)

    def work(tx: Tx) -> int:
        if _admin_count(tx.execute):  # two first-start tabs racing: the second one loses
            raise NotAllowed(_ALREADY_SET_UP)
        return insert_user(tx, fields, None, password_hash)

    return Actor(db.write(SYSTEM, work), fields.display_name, "admin", None)


def admin_from_environment(db: Database, environ: Mapping[str, str]) -> bool:
    """Create the first admin from ACCOUNTDESK_ADMIN_EMAIL/_PASSWORD (unattended installs).

    Returns whether it did; bad values raise ValidationFailed rather than being ignored.
    """
    email, password = environ.get(ADMIN_EMAIL_ENV, ""), environ.get(ADMIN_PASSWORD_ENV, "")
    if not (email.strip() and password) or not needs_setup(db):
        return False
    name = environ.get(ADMIN_NAME_ENV, "").strip() or "Administrator"
    create_first_admin(db, email, name, password)
    log.info("created the first admin %s from the environment", email.strip().lower())
    return True


def set_demo_passwords(db: Database, actor: Actor, password: str = DEMO_PASSWORD) -> int:
    """Give every active demo user the demo password; returns how many users got it."""
    require(actor, "manage_users")
    pattern = f"%@{DEMO_EMAIL_DOMAIN}"
    sql = "SELECT id FROM users WHERE active AND id <> 0 AND lower(email) LIKE ?"
    if not db.rows(sql, [pattern]):
        return 0
    # One hash for all: the password is published anyway, and 20 hashes would cost seconds.
    password_hash = _checked_hash(password, None)

    def work(tx: Tx) -> int:
        ids = [r[0] for r in tx.execute(sql, [pattern])]
        for user_id in ids:
            tx.execute("UPDATE users SET password_hash = ? WHERE id = ?", [password_hash, user_id])
            tx.audit("reset_password", "user", user_id, {"password": ["(demo)", "(changed)"]})
        if not ids:
            tx.audit("no_change", "user", None)
        return len(ids)

    return db.write(actor, work)


# ---- idle sessions ---------------------------------------------------------------------------
def session_expired(last_seen: datetime, now: datetime, idle_minutes: int) -> bool:
    """Has a session been idle for `idle_minutes` or more?"""
    return _utc(now) - _utc(last_seen) >= timedelta(minutes=idle_minutes)


def idle_minutes_from_env(environ: Mapping[str, str]) -> int:
    """ACCOUNTDESK_IDLE_MINUTES as a whole number of minutes from 1 to a week, else 60."""
    raw = environ.get(IDLE_ENV, "").strip()
    try:
        minutes = int(raw)
    except ValueError:
        minutes = 0
    if not 1 <= minutes <= 7 * 24 * 60:
        if raw:
            log.warning("%s=%r is not a number of minutes from 1 to 10080; using %s",
                        IDLE_ENV, raw, IDLE_DEFAULT)
        return IDLE_DEFAULT
    return minutes


def demo_sign_ins(db: Database) -> list[tuple[str, str, str]]:
    """(name, email, role) of the demo team, for the sign-in page of a demo database only."""
    return db.rows(
        "SELECT display_name, email, role FROM users WHERE active AND lower(email) LIKE ? "
        "ORDER BY CASE role WHEN 'director' THEN 0 WHEN 'admin' THEN 1 WHEN 'manager' THEN 2 "
        "ELSE 3 END, display_name", [f"%@{DEMO_EMAIL_DOMAIN}"])
