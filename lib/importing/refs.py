"""How staged rows find the accounts and managers they name, as SQL shared by every entity.

References are looked up in the temp views `ref_accounts` and `ref_managers`: the stored rows,
plus the ones an import will create on request (temp tables `missing_accounts` and
`missing_managers`, see lib.importing.missing). A reference to a record still to be created
carries a placeholder id at or below PLACEHOLDER until the commit gives it a real one.
"""
from __future__ import annotations

import duckdb

from lib.accounts import NAME_PARAMS, normalised_sql

PARAMS = NAME_PARAMS  # the named parameters the resolve queries bind
PLACEHOLDER = -1_000_000_000   # ids of records to be created are below this; real ids are > 0


def norm(column: str) -> str:
    return normalised_sql(column)


def prepare(cur: duckdb.DuckDBPyConnection) -> None:
    """Empty `missing_*` tables and the `ref_*` views over stored + missing records."""
    cur.execute("CREATE OR REPLACE TEMP TABLE missing_managers (id INTEGER, name VARCHAR, "
                "email VARCHAR, rows INTEGER[])")
    cur.execute("CREATE OR REPLACE TEMP TABLE missing_accounts (id INTEGER, name VARCHAR, "
                "country VARCHAR, currency VARCHAR, owner_id INTEGER, owner_text VARCHAR, "
                "rows INTEGER[])")
    cur.execute("""CREATE OR REPLACE TEMP VIEW ref_accounts AS
        SELECT id, external_id, name, country, currency, owner_id, archived_at FROM main.accounts
        UNION ALL SELECT id, NULL, name, country, currency, owner_id, NULL::TIMESTAMP
        FROM missing_accounts""")
    cur.execute("""CREATE OR REPLACE TEMP VIEW ref_managers AS
        SELECT id, name, email, external_id, active FROM main.account_managers
        UNION ALL SELECT id, name, email, NULL, true FROM missing_managers""")


# External ids that are numbers with leading zeros (000123), by the number Excel shows once it
# has read the column as numbers (123): a file naming 123 means the account 000123.
UNZEROED = """
    SELECT ltrim(trim(external_id), '0') AS ref, any_value(id) AS id, count(*) AS n,
           any_value(trim(external_id)) AS external_id
    FROM ref_accounts
    WHERE archived_at IS NULL AND regexp_full_match(trim(external_id), '0+[1-9][0-9]*')
    GROUP BY 1"""

# NetSuite names a subsidiary customer after its parent: "Parent Co : Child Ltd". Such a name
# that is no account is the account its last part names.
_CHILD = "regexp_extract(d.account, '.* : (.+)$', 1)"

# Resolved once per distinct (account, country) the file names, then joined back to its rows:
# a million rows name a few thousand accounts, and normalising a name is the costly part.
ACCOUNT_REF = f"""
    SELECT s.*, k.account_id, k.account_matches
    FROM stage s
    LEFT JOIN (
        WITH named AS (SELECT {norm('name')} AS k, any_value(id) AS id, count(*) AS n
                       FROM ref_accounts WHERE archived_at IS NULL GROUP BY 1)
        SELECT d.account, d.country,
               CASE WHEN coalesce(ae.n, az.n, ac.n, an.n, ah.n, 0) = 1
                    THEN coalesce(ae.id, az.id, ac.id, an.id, ah.id) END AS account_id,
               coalesce(ae.n, az.n, ac.n, an.n, ah.n, 0) AS account_matches
        FROM (SELECT DISTINCT account, country FROM stage) d
        LEFT JOIN (SELECT trim(external_id) AS ref, any_value(id) AS id, count(*) AS n
                   FROM ref_accounts WHERE archived_at IS NULL AND external_id IS NOT NULL
                   GROUP BY 1) ae
               ON ae.ref = d.account
        LEFT JOIN ({UNZEROED}) az
               ON ae.id IS NULL AND az.ref = d.account AND az.n = 1
        LEFT JOIN (SELECT {norm('name')} AS k, lower(trim(coalesce(country, ''))) AS c,
                          any_value(id) AS id, count(*) AS n
                   FROM ref_accounts WHERE archived_at IS NULL GROUP BY 1, 2) ac
               ON ae.id IS NULL AND az.id IS NULL AND d.country IS NOT NULL
                  AND ac.k = {norm('d.account')} AND ac.c = lower(d.country)
        LEFT JOIN named an
               ON ae.id IS NULL AND az.id IS NULL AND d.country IS NULL AND an.k = {norm('d.account')}
        LEFT JOIN named ah
               ON ae.id IS NULL AND az.id IS NULL AND ac.id IS NULL AND an.id IS NULL
                  AND d.account LIKE '% : %' AND ah.k = {norm(_CHILD)}
    ) k ON k.account IS NOT DISTINCT FROM s.account AND k.country IS NOT DISTINCT FROM s.country
"""
ACCOUNT_CHECKS = [
    ("account", "account IS NOT NULL AND account_matches = 0",
     "'no account has this external id or name' || coalesce(' in ' || country, '')"),
    ("account", "account_matches > 1",
     "account_matches || ' accounts have this name; add a Country column or use the external id'"),
]

# A file may name who owns the accounts it creates (lib.importing.missing); a name that is no
# active manager would leave the new account without one.
NEW_OWNER_CHECK = (
    "owner", "owner IS NOT NULL AND account_id IN (SELECT id FROM missing_accounts "
             "WHERE owner_id IS NULL)",
    "'no active account manager has this name or email, so the new account would have no owner'")


def unzeroed_note(cur: duckdb.DuckDBPyConnection) -> str | None:
    """Say so when rows named accounts by their external id without its leading zeros."""
    if "account" not in {c for c, *_ in cur.execute("DESCRIBE stage").fetchall()} or not cur.execute(
            "SELECT count(*) FROM ref_accounts WHERE trim(external_id) LIKE '0%'").fetchall()[0][0]:
        return None
    found = cur.execute(f"""
        SELECT count(*), any_value(d.account), any_value(z.external_id)
        FROM (SELECT DISTINCT account FROM stage) d JOIN ({UNZEROED}) z ON z.ref = d.account
        WHERE z.n = 1 AND NOT EXISTS (SELECT 1 FROM ref_accounts a
                                      WHERE a.archived_at IS NULL AND trim(a.external_id) = d.account)
    """).fetchall()[0]
    if not found[0]:
        return None
    return (f"{found[0]:,} account{'s are' if found[0] > 1 else ' is'} named by an external id "
            f"without its leading zeros (e.g. {found[1]} for {found[2]}), as Excel shows an id it "
            "read as a number; they were matched to those accounts.")


def manager_ref(column: str, p: str) -> tuple[str, str, str]:
    """(joins, id, matches) finding the active manager `column` names by email, external id or
    name; `p` prefixes the join aliases so one query can resolve several references."""
    joins = f"""
        LEFT JOIN (SELECT lower(trim(email)) AS k, any_value(id) AS id, count(*) AS n
                   FROM ref_managers WHERE active AND email IS NOT NULL GROUP BY 1) {p}e
               ON {p}e.k = lower({column})
        LEFT JOIN (SELECT trim(external_id) AS k, any_value(id) AS id, count(*) AS n
                   FROM ref_managers WHERE active AND external_id IS NOT NULL GROUP BY 1) {p}x
               ON {p}e.id IS NULL AND {p}x.k = {column}
        LEFT JOIN (SELECT lower(trim(name)) AS k, any_value(id) AS id, count(*) AS n
                   FROM ref_managers WHERE active GROUP BY 1) {p}n
               ON {p}e.id IS NULL AND {p}x.id IS NULL AND {p}n.k = lower({column})"""
    n = f"coalesce({p}e.n, {p}x.n, {p}n.n, 0)"
    return joins, f"CASE WHEN {n} = 1 THEN coalesce({p}e.id, {p}x.id, {p}n.id) END", n
