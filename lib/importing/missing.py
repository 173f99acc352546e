"""Unknown references created on request: the accounts and managers a file names that the
database does not have yet.

Planning fills the temp tables `missing_accounts` / `missing_managers` (see lib.importing.refs)
with placeholder ids, so the rows resolve and preview as if the records existed. The commit
creates the ones good rows use, in the same transaction, gives the rows their real ids, and
records them in the batch (rows with `ref` in import_rows_accounts / import_rows_account_managers)
so undo removes them.
"""
from __future__ import annotations

import duckdb

from lib.db import Tx
from lib.importing.entities import TARGETS
from lib.importing.mapping import spec
from lib.importing.refs import PARAMS, PLACEHOLDER, norm

# The column of the resolved rows that names a manager, its text, and its match count.
MANAGER_REF = {"accounts": ("owner_id", "owner", "owner_matches"),
               "interactions": ("manager_id", "manager", "manager_matches"),
               "managers": ("reports_to", "_boss_text", "boss_matches")}
ACCOUNT_REF = {"revenue", "invoices", "contacts", "account_targets", "budgets", "interactions"}
NEW_MANAGER_TITLE = "Account Manager"
_SHOWN = 20


def kinds(entity: str) -> list[str]:
    """What an entity's rows may ask to create: 'accounts', 'managers' or nothing."""
    return ["accounts"] * (entity in ACCOUNT_REF) + ["managers"] * (entity in MANAGER_REF)


def collect(cur: duckdb.DuckDBPyConnection, entity: str) -> bool:
    """Fill the missing_* tables from the unresolved references of `resolved`; True if any."""
    if entity in MANAGER_REF:
        _, text, matches = MANAGER_REF[entity]
        unknown = f"{text} IS NOT NULL AND {matches} = 0"
        if entity == "managers":
            unknown += " AND reports_to IS NULL"     # not another row of the file either
        cur.execute(f"""
            INSERT INTO missing_managers
            SELECT {PLACEHOLDER} - row_number() OVER (ORDER BY min(_row)), arg_min({text}, _row),
                   CASE WHEN contains(arg_min({text}, _row), '@') THEN arg_min({text}, _row) END,
                   list(_row ORDER BY _row)
            FROM resolved WHERE {unknown} GROUP BY lower(trim({text}))""")
    if entity in ACCOUNT_REF:
        fields = {f.name for f in spec(entity).fields}
        currency = "mode(currency)" if "currency" in fields else "NULL"
        owner = ("arg_min(manager, _row)" if entity == "interactions" else
                 "arg_min(owner, _row)" if "owner" in fields else "NULL")
        cur.execute(f"""
            INSERT INTO missing_accounts
            SELECT {PLACEHOLDER} - row_number() OVER (ORDER BY min(_row)), arg_min(account, _row),
                   arg_min(country, _row), coalesce({currency}, $reporting), NULL, {owner},
                   list(_row ORDER BY _row)
            FROM resolved WHERE account IS NOT NULL AND account_matches = 0
              AND {norm('account')} NOT IN (SELECT {norm('name')} FROM accounts
                                             WHERE archived_at IS NOT NULL)
            GROUP BY {norm('account')}, lower(coalesce(country, ''))""",
                    {**PARAMS, "reporting": _reporting_currency(cur)})
        # the new account's owner: the manager the row names (stored or new), found like a row does
        cur.execute("""
            UPDATE missing_accounts SET owner_id = m.id FROM (
                SELECT lower(trim(name)) AS k, min(id) AS id FROM ref_managers WHERE active GROUP BY 1
                UNION ALL SELECT lower(trim(email)), min(id) FROM ref_managers
                WHERE active AND email IS NOT NULL GROUP BY 1) m
            WHERE m.k = lower(trim(missing_accounts.owner_text))""")
    return bool(cur.execute("SELECT (SELECT count(*) FROM missing_managers) + "
                            "(SELECT count(*) FROM missing_accounts)").fetchone()[0])


def _reporting_currency(cur: duckdb.DuckDBPyConnection) -> str:
    row = cur.execute("SELECT value FROM settings WHERE key = 'reporting_currency'").fetchall()
    return row[0][0] if row else "USD"


def _used(entity: str, kind: str) -> str:
    """SQL selecting the placeholder ids of `kind` that rows to be written use."""
    if kind == "accounts":
        return "SELECT account_id FROM compared WHERE action IN ('create', 'update')"
    column = MANAGER_REF[entity][0]
    also = (" UNION ALL SELECT owner_id FROM missing_accounts WHERE id IN "
            f"({_used(entity, 'accounts')})") if entity in ACCOUNT_REF else ""
    return f"SELECT {column} FROM compared WHERE action IN ('create', 'update'){also}"


def planned(cur: duckdb.DuckDBPyConnection, entity: str) -> dict[str, list[str]]:
    """kind -> the names of the records the import will create, in file order."""
    out = {}
    for kind in kinds(entity):
        names = [r[0] for r in cur.execute(
            f"SELECT name FROM missing_{kind} WHERE id IN ({_used(entity, kind)}) "
            "ORDER BY rows[1]").fetchall()]
        if names:
            out[kind] = names
    return out


def sentence(will_create: dict[str, list[str]]) -> str:
    """'Will be created: 2 accounts: Acme, Zenith; 1 manager: Dan Lead.'"""
    parts = []
    for kind, names in will_create.items():
        noun = kind if len(names) != 1 else kind[:-1]
        shown = ", ".join(names[:_SHOWN]) + (f" and {len(names) - _SHOWN:,} more"
                                             if len(names) > _SHOWN else "")
        parts.append(f"{len(names):,} {noun}: {shown}")
    return "Will be created: " + "; ".join(parts) + "."


def create(tx: Tx, entity: str, batch_id: int) -> dict[str, int]:
    """Create the missing records good rows use and point the rows at them. Managers first:
    a new account may be owned by a new manager."""
    created = {}
    for kind in sorted(kinds(entity), reverse=True):      # managers, then accounts
        table = TARGETS[kind].table
        tx.execute(f"CREATE OR REPLACE TEMP TABLE new_{kind} AS SELECT m.*, "
                   f"nextval('seq_{table}')::INTEGER AS new_id FROM missing_{kind} m "
                   f"WHERE m.id IN ({_used(entity, kind)})")
        n = tx.value(f"SELECT count(*) FROM new_{kind}")
        if not n:
            continue
        _insert(tx, kind)
        column = "account_id" if kind == "accounts" else MANAGER_REF[entity][0]
        tx.execute(f"UPDATE compared SET {column} = n.new_id FROM new_{kind} n "
                   f"WHERE compared.{column} = n.id")
        if kind == "managers":
            tx.execute("UPDATE missing_accounts SET owner_id = n.new_id FROM new_managers n "
                       "WHERE missing_accounts.owner_id = n.id")
        _record(tx, kind, batch_id)
        names, ids = zip(*tx.execute(f"SELECT name, new_id FROM new_{kind} ORDER BY new_id"))
        tx.audit("create", kind, None, {"created_for_import": list(names), "ids": list(ids)},
                 batch_id=batch_id)
        created[kind] = n
    return created


def _insert(tx: Tx, kind: str) -> None:
    who = [tx.actor.id, tx.actor.id]
    if kind == "managers":
        tx.execute("INSERT INTO account_managers (id, name, email, role_title, created_by, "
                   "updated_by) SELECT new_id, name, email, ?, ?, ? FROM new_managers",
                   [NEW_MANAGER_TITLE, *who])
    else:
        tx.execute("INSERT INTO accounts (id, name, country, currency, owner_id, tier, scope, "
                   "status, created_by, updated_by) SELECT new_id, name, country, currency, "
                   "CASE WHEN owner_id > 0 THEN owner_id END, 'standard', 'regional', 'active', "
                   "?, ? FROM new_accounts", who)


def _record(tx: Tx, kind: str, batch_id: int) -> None:
    target = TARGETS[kind]
    snapshot = target.snapshot_columns()
    tx.execute(f"INSERT INTO {target.undo_log} (batch_id, ref, action, source_rows, id, "
               f"{', '.join('new_' + c for c in snapshot)}) SELECT ?, true, 'created', n.rows, t.id, "
               f"{', '.join('t.' + c for c in snapshot)} "
               f"FROM new_{kind} n JOIN {target.table} t ON t.id = n.new_id", [batch_id])
