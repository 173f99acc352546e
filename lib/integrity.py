"""An integrity check of our own: what DuckDB cannot enforce for us, checked after the fact.

    check(db) -> ["revenue.account_id: 3 rows name an account that does not exist (e.g. 17)", ...]
    python -m lib.integrity [--db PATH]      # prints the problems; exit 1 when there are any

The schema has no FOREIGN KEY clauses (DuckDB refuses some updates of referenced rows), so
every reference is checked here. So is what a transaction writes together: an import batch
and the rows it lists, a record and the audit rows of its changes, a target and its history.
An empty list means the database is consistent. The check only reads, in one snapshot.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from lib.db import Database, DatabaseUnavailable, database_path
from lib.importing.entities import TARGETS

_SHOWN = 5  # example values per problem

# (table, column, referenced table, what the referenced row is called); the referenced column
# is always `id`. Columns naming the person who acted are found by name (see _PEOPLE).
REFERENCES: tuple[tuple[str, str, str, str], ...] = (
    ("users", "manager_id", "account_managers", "account manager"),
    ("account_managers", "reports_to", "account_managers", "account manager"),
    ("accounts", "owner_id", "account_managers", "account manager"),
    ("accounts", "parent_id", "accounts", "account"),
    ("account_history", "account_id", "accounts", "account"),
    ("contacts", "account_id", "accounts", "account"),
    ("interactions", "account_id", "accounts", "account"),
    ("interactions", "manager_id", "account_managers", "account manager"),
    ("interactions", "next_step_owner_id", "account_managers", "account manager"),
    ("interaction_contacts", "interaction_id", "interactions", "interaction"),
    ("interaction_contacts", "contact_id", "contacts", "contact"),
    ("revenue", "account_id", "accounts", "account"),
    ("revenue", "import_batch_id", "import_batches", "import batch"),
    ("account_targets", "account_id", "accounts", "account"),
    ("manager_targets", "manager_id", "account_managers", "account manager"),
    ("target_changes", "reverts_id", "target_changes", "target change"),
    ("budgets", "account_id", "accounts", "account"),
    ("invoices", "account_id", "accounts", "account"),
    ("invoices", "import_batch_id", "import_batches", "import batch"),
    ("payments", "invoice_id", "invoices", "invoice"),
    ("payments", "import_batch_id", "import_batches", "import batch"),
    ("comp_plans", "revises_plan_id", "comp_plans", "compensation plan"),
    ("comp_plan_bands", "plan_id", "comp_plans", "compensation plan"),
    ("comp_assignments", "plan_id", "comp_plans", "compensation plan"),
    ("comp_assignments", "manager_id", "account_managers", "account manager"),
    ("comp_adjustments", "manager_id", "account_managers", "account manager"),
    *((t.undo_log, "batch_id", "import_batches", "import batch") for t in TARGETS.values()),
    ("audit_log", "batch_id", "import_batches", "import batch"),
    ("login_attempts", "user_id", "users", "user"),
)
_PEOPLE = ("created_by", "updated_by", "changed_by", "archived_by", "deleted_by", "undone_by",
           "locked_by", "actor_id")

# Records people create one at a time: each has exactly one 'create' audit row, unless a bulk
# write (the demo load, an import of that entity) created it in the transaction of its audit row.
_CREATED = (("accounts", "account"), ("contacts", "contact"), ("interactions", "interaction"))

# The audit actions that changed an account and bumped its version (for an interaction: all
# but create and no_change).
_ACCOUNT_CHANGES = ("update", "bulk_update", "archive", "restore")


def check(db: Database) -> list[str]:
    """Every problem found, each a sentence; [] when the database is consistent."""
    with db.cursor() as cur:
        cur.execute("BEGIN TRANSACTION READ ONLY")
        try:
            columns = _columns(cur)
            return (_references(cur, columns) + _created(cur, columns) + _versions(cur)
                    + _batches(cur, columns) + _targets(cur) + _links(cur))
        finally:
            cur.execute("ROLLBACK")


def _columns(cur: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for table, column in cur.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE database_name = current_database() AND schema_name = 'main'").fetchall():
        found.setdefault(table, set()).add(column)
    return found


def _problem(cur, sql: str, params: list | None = None) -> tuple[int, list]:
    """(how many, a few examples) from a query whose rows are the offending values."""
    n, examples = cur.execute(f"SELECT count(*), list(v ORDER BY v)[1:{_SHOWN}] FROM ({sql}) AS q(v)",
                              params or []).fetchone()
    return n, examples or []


def _eg(examples: list) -> str:
    return " (e.g. " + ", ".join(str(e) for e in examples) + ")" if examples else ""


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


# ---- every reference resolves ----------------------------------------------------------------
def _references(cur, columns: dict[str, set[str]]) -> list[str]:
    refs = [r for r in REFERENCES if r[1] in columns.get(r[0], set()) and r[2] in columns]
    refs += [(t, c, "users", "user") for t in sorted(columns) for c in _PEOPLE
             if c in columns[t] and "users" in columns]
    problems = []
    for table, column, target, noun in refs:
        n, eg = _problem(cur, f"SELECT t.{column} FROM {table} t WHERE t.{column} IS NOT NULL "
                              f"AND NOT EXISTS (SELECT 1 FROM {target} r WHERE r.id = t.{column})")
        if n:
            problems.append(f"{table}.{column}: {_plural(n, 'row')} name a {noun} that does not "
                            f"exist{_eg(eg)}.")
    for level, target, noun in (("manager", "account_managers", "account manager"),
                                ("account", "accounts", "account")):
        n, eg = _problem(cur, f"SELECT t.subject_id FROM target_changes t WHERE t.level = ? "
                              f"AND NOT EXISTS (SELECT 1 FROM {target} r WHERE r.id = t.subject_id)",
                         [level])
        if n:
            problems.append(f"target_changes.subject_id: {_plural(n, 'change')} of {level} targets "
                            f"name a {noun} that does not exist{_eg(eg)}.")
    n, eg = _problem(cur, "SELECT h.new_value FROM account_history h WHERE h.field = 'owner_id' "
                          "AND h.new_value IS NOT NULL AND NOT EXISTS (SELECT 1 FROM account_managers m "
                          "WHERE m.id::VARCHAR = h.new_value)")
    if n:
        problems.append(f"account_history: {_plural(n, 'owner change')} name a new owner that is "
                        f"not an account manager{_eg(eg)}.")
    return problems


def _links(cur) -> list[str]:
    """An interaction's contacts work at the interaction's account."""
    n, eg = _problem(cur, "SELECT ic.interaction_id FROM interaction_contacts ic "
                          "JOIN interactions i ON i.id = ic.interaction_id "
                          "JOIN contacts c ON c.id = ic.contact_id WHERE c.account_id <> i.account_id")
    if n:
        return [f"interaction_contacts: {_plural(n, 'link')} join an interaction to a contact of "
                f"another account (interactions{_eg(eg)[1:]}."]
    return []


# ---- audit rows match changes ----------------------------------------------------------------
def _created(cur, columns: dict[str, set[str]]) -> list[str]:
    problems = []
    for table, entity in _CREATED:
        if table not in columns:
            continue
        n, eg = _problem(cur, f"""
            SELECT t.id FROM {table} t
            WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.action = 'create' AND a.entity = ?
                              AND a.entity_id = t.id::VARCHAR)
              AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.changed_at = t.created_at
                              AND (a.action = 'load_demo' OR (a.action = 'import' AND a.entity = ?)
                                   OR (a.action = 'create' AND a.entity = ? AND a.batch_id IS NOT NULL)))""",
                         [entity, table, table])
        if n:
            problems.append(f"{table}: {_plural(n, entity)} have no audit row recording their "
                            f"creation{_eg(eg)}.")
        n, eg = _problem(cur, "SELECT entity_id FROM audit_log WHERE action = 'create' AND entity = ? "
                              "GROUP BY entity_id HAVING count(*) > 1", [entity])
        if n:
            problems.append(f"audit_log: {_plural(n, entity)} were recorded as created more than "
                            f"once{_eg(eg)}.")
        n, eg = _problem(cur, f"SELECT a.entity_id FROM audit_log a WHERE a.action = 'create' "
                              f"AND a.entity = ? AND a.entity_id IS NOT NULL AND NOT EXISTS "
                              f"(SELECT 1 FROM {table} t WHERE t.id::VARCHAR = a.entity_id)", [entity])
        if n:
            problems.append(f"audit_log: {_plural(n, 'audit row')} record the creation of "
                            f"{entity}s that do not exist{_eg(eg)}.")
    return problems


def _versions(cur) -> list[str]:
    """Each change of an interaction or an account bumped its version and wrote one audit row
    (an account's also come from imports and their undo, listed in import_rows_accounts)."""
    interaction_changes = ("SELECT entity_id AS id, count(*) AS n FROM audit_log WHERE entity = 'interaction' "
                           "AND action NOT IN ('create', 'no_change') GROUP BY 1")
    # An import's update bumps an account's version once, and undoing that batch once more.
    account_changes = (
        "SELECT id, sum(n) AS n FROM ("
        "  SELECT entity_id AS id, count(*) AS n FROM audit_log WHERE entity = 'account' "
        "  AND list_contains(?, action) GROUP BY 1"
        "  UNION ALL SELECT r.id::VARCHAR, count(*) + count(b.undone_at) "
        "  FROM import_rows_accounts r JOIN import_batches b ON b.id = r.batch_id "
        "  WHERE NOT r.ref AND r.action = 'updated' GROUP BY 1) GROUP BY 1")
    problems = []
    for table, entity, changes, params in (
            ("interactions", "interaction", interaction_changes, []),
            ("accounts", "account", account_changes, [list(_ACCOUNT_CHANGES)])):
        n, eg = _problem(cur, f"SELECT t.id FROM {table} t LEFT JOIN ({changes}) c "
                              "ON c.id = t.id::VARCHAR "
                              "WHERE t.version - 1 <> coalesce(c.n, 0)", params)
        if n:
            problems.append(f"{table}: {_plural(n, entity)} have a version that does not match the "
                            f"number of changes recorded in the audit log{_eg(eg)}.")
    return problems


def _batches(cur, columns: dict[str, set[str]]) -> list[str]:
    """An import batch is all there or not at all: its counts, its rows and its audit rows."""
    problems = []
    listed = " UNION ALL ".join(
        f"SELECT batch_id, '{entity}' AS entity, count(*) FILTER (action = 'created') AS created, "
        f"count(*) FILTER (action = 'updated') AS updated FROM {target.undo_log} WHERE NOT ref "
        "GROUP BY 1" for entity, target in TARGETS.items())
    n, eg = _problem(cur, f"""
        SELECT b.id FROM import_batches b LEFT JOIN ({listed}) r
          ON r.batch_id = b.id AND r.entity = b.entity
        WHERE coalesce(r.created, 0) <> b.rows_created OR coalesce(r.updated, 0) <> b.rows_updated""")
    if n:
        problems.append(f"import_batches: {_plural(n, 'batch')} do not list as many records as "
                        f"they say they created and updated{_eg(eg)}.")
    n, eg = _problem(cur, "SELECT DISTINCT batch_id FROM (" + " UNION ALL ".join(
        f"SELECT batch_id FROM {t.undo_log} GROUP BY batch_id, ref, {', '.join(t.key)} "
        "HAVING count(*) > 1" for t in TARGETS.values()) + ")")
    if n:
        problems.append(f"The undo log: {_plural(n, 'batch')} list the same record more than "
                        f"once{_eg(eg)}.")
    for action, undone, what in (("import", "true", "import"), ("undo_import", "b.undone_at IS NOT NULL",
                                                                 "undo")):
        n, eg = _problem(cur, f"""
            SELECT b.id FROM import_batches b WHERE {undone} AND (SELECT count(*) FROM audit_log a
                WHERE a.action = ? AND a.batch_id = b.id AND a.entity = b.entity) <> 1""", [action])
        if n:
            problems.append(f"import_batches: {_plural(n, 'batch')} do not have exactly one audit "
                            f"row of their {what}{_eg(eg)}.")
    n, eg = _problem(cur, "SELECT b.id FROM import_batches b WHERE b.undone_at IS NULL AND EXISTS "
                          "(SELECT 1 FROM audit_log a WHERE a.action = 'undo_import' AND a.batch_id = b.id)")
    if n:
        problems.append(f"import_batches: {_plural(n, 'batch')} were undone in the audit log but "
                        f"not in the batch record{_eg(eg)}.")
    for target in TARGETS.values():
        if target.has_batch and target.table in columns:
            problems += _batch_rows(cur, target)
    return problems


def _batch_rows(cur, target) -> list[str]:
    """Rows carrying a batch id are listed by that live batch; a live batch's records exist
    (nothing deletes these tables but an undo)."""
    problems = []
    listed = (f"SELECT 1 FROM {target.undo_log} r WHERE r.batch_id = t.import_batch_id "
              f"AND {target.same_record('t', 'r')}")
    n, eg = _problem(cur, f"SELECT t.import_batch_id FROM {target.table} t JOIN import_batches b "
                          f"ON b.id = t.import_batch_id WHERE b.undone_at IS NOT NULL OR NOT EXISTS ({listed})")
    if n:
        problems.append(f"{target.table}: {_plural(n, 'row')} carry the id of an import batch that "
                        f"was undone or does not list them{_eg(eg)}.")
    n, eg = _problem(cur, f"""
        SELECT r.batch_id FROM {target.undo_log} r JOIN import_batches b ON b.id = r.batch_id
        WHERE NOT r.ref AND b.undone_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM {target.table} t WHERE {target.same_record('t', 'r')})""")
    if n:
        problems.append(f"{target.table}: {_plural(n, 'record')} listed by live import batches are "
                        f"missing (batches{_eg(eg)[1:]}.")
    return problems


def _targets(cur) -> list[str]:
    """A target holds the value its last recorded change set (or is absent if it removed it)."""
    problems = []
    for level, table, key in (("manager", "manager_targets", "manager_id"),
                              ("account", "account_targets", "account_id")):
        n, eg = _problem(cur, f"""
            SELECT c.subject_id || ' ' || strftime(c.month, '%Y-%m') FROM (
                SELECT subject_id, month, arg_max_null(new_amount, id) AS last FROM target_changes
                WHERE level = ? GROUP BY ALL) c
            LEFT JOIN {table} t ON t.{key} = c.subject_id AND t.month = c.month
            WHERE c.last IS DISTINCT FROM t.amount""", [level])
        if n:
            problems.append(f"{table}: {_plural(n, 'target')} do not hold the value their last "
                            f"recorded change set{_eg(eg)}.")
    return problems


# ---- command line ----------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m lib.integrity",
                                description="Check an Account Desk database for broken references, "
                                            "half-written import batches and unaudited changes.")
    p.add_argument("--db", type=Path, help="database file (default: $ACCOUNTDESK_DB or data/)")
    args = p.parse_args(argv)
    path = args.db or database_path()
    if not path.is_file():
        print(f"error: there is no database file at {path}.", file=sys.stderr)
        return 2
    try:
        db = Database(path)   # not open_database: a check must not migrate (write) the file
    except DatabaseUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        problems = check(db)
    finally:
        db.close()
    for problem in problems:
        print(problem)
    print(f"{path}: " + (f"{_plural(len(problems), 'problem')} found." if problems
                         else "no problems found."))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
