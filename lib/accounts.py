"""Accounts: create, edit, archive and restore, with owner/tier/status history and optimistic
concurrency; the duplicate-name check a new account needs; bulk changes (in lib.account_bulk).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import TYPE_CHECKING, Any

from lib.db import Database, Tx
from lib.errors import NotAllowed, NotFound, ValidationFailed, WriteConflict
from lib.models import AccountEdit, NewAccount
from lib.permissions import require, team_for
from lib.users import Actor

if TYPE_CHECKING:
    from lib.account_bulk import BulkPlan

EDITABLE = ("name", "tier", "scope", "industry", "region", "country", "owner_id", "parent_id",
            "status", "currency")
HISTORY_FIELDS = ("owner_id", "tier", "status")


def create_account(db: Database, actor: Actor, account: NewAccount, *,
                   idempotency_key: str | None = None) -> int:
    _may_edit(db, actor, account.owner_id)

    def work(tx: Tx) -> int:
        _check_references(tx, account.owner_id, account.parent_id, None)
        fields = account.model_dump()
        cols = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        new_id = tx.value(
            f"INSERT INTO accounts ({cols}, created_by, updated_by) VALUES ({marks}, ?, ?) "
            "RETURNING id",
            [*fields.values(), actor.id, actor.id],
        )
        tx.audit("create", "account", new_id, {k: [None, v] for k, v in fields.items() if v is not None})
        return new_id

    return db.write(actor, work, idempotency_key=idempotency_key)


def update_account(db: Database, actor: Actor, account_id: int, loaded_version: int,
                   edit: AccountEdit, *, today: date | None = None) -> int:
    """Save an edit made on the version the person loaded; return the new version.

    Raises WriteConflict (with the other person's values) when the row moved on meanwhile.
    """
    effective = today or date.today()
    team = team_for(db, actor)

    def work(tx: Tx) -> int:
        current = _load_for_update(tx, account_id)
        if current["version"] != loaded_version:
            raise WriteConflict("account", account_id, _public(current), tx.user_name(current["updated_by"]))
        require(actor, "edit_account", owner_manager_id=current["owner_id"], team=team,
                owner_name=_owner_name(tx, current["owner_id"]))
        if edit.owner_id != current["owner_id"]:
            require(actor, "reassign_accounts", owner_manager_id=edit.owner_id, team=team,
                    owner_name=_owner_name(tx, edit.owner_id))
        _check_references(tx, edit.owner_id, edit.parent_id, account_id)
        new = edit.model_dump()
        changes = {f: [current[f], new[f]] for f in EDITABLE if current[f] != new[f]}
        if not changes:
            tx.audit("no_change", "account", account_id)
            return current["version"]
        sets = ", ".join(f"{f} = ?" for f in changes)
        tx.execute(
            f"UPDATE accounts SET {sets}, version = version + 1, updated_at = now()::TIMESTAMP, "
            "updated_by = ? WHERE id = ?",
            [*(v[1] for v in changes.values()), actor.id, account_id],
        )
        _record_history(tx, account_id, changes, effective)
        tx.audit("update", "account", account_id, changes)
        return current["version"] + 1

    return db.write(actor, work)


def archive_account(db: Database, actor: Actor, account_id: int, loaded_version: int) -> int:
    """Hide a live account (soft delete) as loaded at `loaded_version`; return the new version.

    Needs edit_account on its owner. Refused while it has live subsidiaries, so no live account
    is ever left under an archived parent.
    """
    return _set_archived(db, actor, account_id, loaded_version, archive=True)


def restore_account(db: Database, actor: Actor, account_id: int, loaded_version: int) -> int:
    """Bring an archived account back; refused while its parent account is still archived."""
    return _set_archived(db, actor, account_id, loaded_version, archive=False)


def _set_archived(db: Database, actor: Actor, account_id: int, loaded_version: int, *,
                  archive: bool) -> int:
    team = team_for(db, actor)

    def work(tx: Tx) -> int:
        current = _load(tx, account_id)
        require(actor, "edit_account", owner_manager_id=current["owner_id"], team=team,
                owner_name=_owner_name(tx, current["owner_id"]))
        if current["version"] != loaded_version:
            raise WriteConflict("account", account_id, _public(current), tx.user_name(current["updated_by"]))
        name, archived = current["name"], current["archived_at"] is not None
        if archived == archive:
            state, verb = ("archived", "archive") if archive else ("live, not archived", "restore")
            raise ValidationFailed([f"{name} is already {state}; nothing to {verb}."])
        if archive:
            _refuse_live_subsidiaries(tx, account_id, name)
        else:
            _refuse_archived_parent(tx, current["parent_id"], name)
        stamp = tx.value(
            "UPDATE accounts SET archived_at = CASE WHEN ? THEN now()::TIMESTAMP END, "
            "archived_by = CASE WHEN ? THEN ? END, version = version + 1, "
            "updated_at = now()::TIMESTAMP, updated_by = ? WHERE id = ? RETURNING archived_at",
            [archive, archive, actor.id, actor.id, account_id],
        )
        tx.audit("archive" if archive else "restore", "account", account_id,
                 {"archived_at": [current["archived_at"], stamp]})
        return current["version"] + 1

    return db.write(actor, work)


def _refuse_live_subsidiaries(tx: Tx, account_id: int, name: str) -> None:
    live = tx.value("SELECT count(*) FROM accounts WHERE parent_id = ? AND archived_at IS NULL",
                    [account_id])
    if live:
        what = "1 live subsidiary; archive or move it" if live == 1 else \
            f"{live} live subsidiaries; archive or move them"
        raise ValidationFailed([f"{name} has {what} first."])


def _refuse_archived_parent(tx: Tx, parent_id: int | None, name: str) -> None:
    parent = tx.execute("SELECT name FROM accounts WHERE id = ? AND archived_at IS NOT NULL",
                        [parent_id])
    if parent:
        raise ValidationFailed([f"{name} belongs to {parent[0][0]}, which is archived; "
                                "restore that account first."])


# ---- similar names: the duplicate warning on a new account ----------------------------------
# Python and SQL normalise alike (tests check they agree): lower case, accents dropped, the
# marks inside a word or an abbreviation (O'Neil, A.B.C.) joined, any other run of
# non-letters one space, trailing legal suffixes dropped while another word remains.
LEGAL_SUFFIXES = ("inc", "incorporated", "ltd", "limited", "llc", "llp", "gmbh", "kg", "plc", "co",
                  "company", "corp", "corporation", "sa", "ag", "bv", "nv", "pvt", "private",
                  "pty", "pte")
_JOINED = "['’.]"
_SUFFIXES = f"(?: (?:{'|'.join(LEGAL_SUFFIXES)}))+$"
SIMILARITY = 0.9  # jaro_winkler_similarity at or above which two names are "similar"


def normalised_name(name: str | None) -> str:
    """The form names are compared in: 'Brightwater Logistics, Inc.' -> 'brightwater logistics'."""
    text = unicodedata.normalize("NFD", (name or "").lower())
    text = "".join(c for c in text if not unicodedata.category(c).startswith("M"))  # accents
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[\W_]+", " ", re.sub(_JOINED, "", text)).strip()
    return re.sub(_SUFFIXES, "", text)


def normalised_sql(column: str) -> str:
    """`normalised_name` as a DuckDB expression over `column` (a name from code, not input).

    It binds $joined and $suffixes: pass `NAME_PARAMS` with the query's parameters.
    """
    joined = f"regexp_replace(strip_accents(lower({column})), $joined, '', 'g')"
    words = rf"trim(regexp_replace({joined}, '[^\pL\pN]+', ' ', 'g'))"
    return f"regexp_replace({words}, $suffixes, '')"


NAME_PARAMS = {"joined": _JOINED, "suffixes": _SUFFIXES}


def similar_accounts(db: Database, name: str, *, exclude_id: int | None = None,
                     limit: int = 5) -> list[dict[str, Any]]:
    """Live and archived accounts whose name is like `name`, the most similar first.

    Similar: the same normalised name, or one contains the other as whole words (the shorter
    at least 4 characters, so "Ford" does not flag "Oxford Instruments"), or a Jaro-Winkler
    similarity of at least 0.9. Each: id, name, country, owner (a name or None), archived.
    """
    target = normalised_name(name)
    if not target:
        return []
    # MATERIALIZED: inlined, the optimiser would run the regexps once per use of `norm` (5x)
    sql = f"""
    WITH named AS MATERIALIZED (
        SELECT a.id, a.name, a.country, m.name AS owner, a.archived_at IS NOT NULL AS archived,
               {normalised_sql("a.name")} AS norm
        FROM accounts a LEFT JOIN account_managers m ON m.id = a.owner_id
        WHERE a.id IS DISTINCT FROM $exclude),
    scored AS (
        SELECT *, norm = $target AS same, jaro_winkler_similarity(norm, $target) AS closeness,
               ($long AND contains(' ' || norm || ' ', $padded))
               OR (length(norm) >= 4 AND contains($padded, ' ' || norm || ' ')) AS contained
        FROM named WHERE norm <> '')
    SELECT id, name, country, owner, archived FROM scored
    WHERE same OR contained OR closeness >= $similarity
    ORDER BY same DESC, closeness DESC, archived, name, id
    LIMIT $limit"""
    params = {**NAME_PARAMS, "exclude": exclude_id, "target": target, "padded": f" {target} ",
              "long": len(target) >= 4, "similarity": SIMILARITY, "limit": max(0, int(limit))}
    keys = ("id", "name", "country", "owner", "archived")
    return [dict(zip(keys, row)) for row in db.rows(sql, params)]


# ---- bulk changes from the portfolio table (the work is in lib.account_bulk) ----------------
def bulk_preview(db: Database, actor: Actor, account_ids: list[int], field: str, value: Any) -> BulkPlan:
    """What setting `field` (owner_id, tier or status) to `value` on these accounts would do.

    Nothing is written. See lib.account_bulk.preview.
    """
    from lib import account_bulk  # it builds on this module's helpers: import when called
    return account_bulk.preview(db, actor, account_ids, field, value)


def bulk_apply(db: Database, actor: Actor, plan: BulkPlan, *, today: date | None = None) -> int:
    """Apply a previewed plan in one transaction; return how many accounts changed.

    Raises WriteConflict (and writes nothing) when any account moved on since the preview.
    """
    from lib import account_bulk
    return account_bulk.apply(db, actor, plan, today=today)


def get_account(db: Database, account_id: int) -> dict[str, Any]:
    row = db.record("SELECT * FROM accounts WHERE id = ?", [account_id])
    if row is None:
        raise NotFound(f"There is no account with id {account_id}.")
    return row


def _load(tx: Tx, account_id: int) -> dict[str, Any]:
    """The row as it is inside this transaction, archived or not."""
    cols = ", ".join((*EDITABLE, "version", "updated_by", "archived_at"))
    rows = tx.execute(f"SELECT {cols} FROM accounts WHERE id = ?", [account_id])
    if not rows:
        raise NotFound(f"There is no account with id {account_id}.")
    return dict(zip(cols.split(", "), rows[0]))


def _load_for_update(tx: Tx, account_id: int) -> dict[str, Any]:
    current = _load(tx, account_id)
    if current["archived_at"] is not None:
        raise NotAllowed("This account is archived; restore it before editing.")
    return current


def _check_references(tx: Tx, owner_id: int | None, parent_id: int | None, self_id: int | None) -> None:
    problems = []
    if owner_id is not None and not tx.value(
        "SELECT count(*) FROM account_managers WHERE id = ? AND active", [owner_id]
    ):
        problems.append(f"Owner: there is no active account manager with id {owner_id}")
    if parent_id is not None:
        if parent_id == self_id:
            problems.append("Parent account: an account cannot be its own parent")
        elif not tx.value("SELECT count(*) FROM accounts WHERE id = ? AND archived_at IS NULL", [parent_id]):
            problems.append(f"Parent account: there is no account with id {parent_id}")
    if problems:
        raise ValidationFailed(problems)


def _record_history(tx: Tx, account_id: int, changes: dict, effective: date) -> None:
    for field in HISTORY_FIELDS:
        if field in changes:
            old, new = changes[field]
            tx.execute(
                "INSERT INTO account_history (account_id, field, old_value, new_value, changed_on, "
                "changed_by) VALUES (?, ?, ?, ?, ?, ?)",
                [account_id, field, _text(old), _text(new), effective, tx.actor.id],
            )


def _may_edit(db: Database, actor: Actor, owner_id: int | None) -> None:
    with db.cursor() as cur:
        name = cur.execute("SELECT name FROM account_managers WHERE id = ?", [owner_id]).fetchall()
    require(actor, "edit_account", owner_manager_id=owner_id, team=team_for(db, actor),
            owner_name=name[0][0] if name else None)


def _owner_name(tx: Tx, owner_id: int | None) -> str | None:
    return tx.value("SELECT name FROM account_managers WHERE id = ?", [owner_id])


def _public(current: dict[str, Any]) -> dict[str, Any]:
    return {k: current[k] for k in (*EDITABLE, "version")}



def _text(value: Any) -> str | None:
    return None if value is None else str(value)
