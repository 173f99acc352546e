"""Resolve SQL and checks for account managers and interactions (see lib.importing.entities).

Managers are found by external id, else email, else name; "reports to" may name a manager in
the database or another row of the same file (the boss of a new team arrives with it). Such a
row carries the placeholder -<its row number> until the commit gives the boss an id.
Interactions have no external key: every row is a new interaction.
"""
from __future__ import annotations

from lib.importing.labels import TITLE
from lib.importing.refs import ACCOUNT_CHECKS, ACCOUNT_REF, PLACEHOLDER, manager_ref

_EMAIL = "regexp_full_match({f}, '[^@ ]+@[^@ ]+[.][^@ ]+')"
_PLAUSIBLE = "year({f}) NOT BETWEEN 1900 AND 2199"


def in_file_boss(alias: str) -> str:
    return f"{alias}.reports_to < 0 AND {alias}.reports_to > {PLACEHOLDER}"


def _in_file(alias: str, prefix: str, value: str) -> str:
    """The first row of this file whose external id / email / name is `value`."""
    return f"""
        LEFT JOIN (SELECT k, min(_row) AS row, count(*) AS n FROM (
                       SELECT _row, 'x' || external_id AS k FROM stage WHERE external_id IS NOT NULL
                       UNION ALL SELECT _row, 'e' || lower(email) FROM stage WHERE email IS NOT NULL
                       UNION ALL SELECT _row, 'n' || lower(trim(name)) FROM stage WHERE name IS NOT NULL)
                   WHERE k LIKE '{prefix}%' GROUP BY k) {alias}
               ON {alias}.k = '{prefix}' || {value}"""


def managers_sql() -> str:
    boss_joins, boss_id, boss_n = manager_ref("s.reports_to", "b")
    return f"""
        SELECT s.* REPLACE (
                   CASE WHEN {boss_n} = 1 THEN {boss_id}
                        WHEN {boss_n} = 0 THEN -coalesce(fx.row, fe.row, fn.row) END AS reports_to,
                   CASE WHEN abs(s.base_salary) < 1e16 THEN round(s.base_salary, 2)::DECIMAL(18,2)
                   END AS base_salary, s.hire_date::DATE AS hire_date),
               s.reports_to AS _boss_text, {boss_n} AS boss_matches,
               CASE WHEN {boss_n} = 0 AND fx.row IS NULL AND fe.row IS NULL THEN fn.n END AS boss_rows,
               s.base_salary AS base_salary_number,
               CASE WHEN coalesce(te.n, tm.n, nullif(nm.n, 0), 0) = 1
                    THEN coalesce(te.id, tm.id, nm.id) END AS _target,
               coalesce(te.n, tm.n, nullif(nm.n, 0), 0) AS target_matches,
               coalesce('x' || s.external_id, 'e' || lower(s.email), 'n' || lower(trim(s.name))) AS _key
        FROM stage s
        {boss_joins}
        {_in_file('fx', 'x', 'trim(s.reports_to)')}
        {_in_file('fe', 'e', 'lower(s.reports_to)')}
        {_in_file('fn', 'n', 'lower(trim(s.reports_to))')}
        LEFT JOIN (SELECT external_id AS k, any_value(id) AS id, count(*) AS n FROM account_managers
                   WHERE external_id IS NOT NULL GROUP BY 1) te ON te.k = s.external_id
        LEFT JOIN (SELECT lower(trim(email)) AS k, any_value(id) AS id, count(*) AS n
                   FROM account_managers WHERE email IS NOT NULL GROUP BY 1) tm
               ON te.id IS NULL AND tm.k = lower(s.email)
        LEFT JOIN (SELECT lower(trim(name)) AS k, count(*) AS n_all, any_value(id) AS id_all,
                          count(*) FILTER (WHERE email IS NULL) AS n_bare,
                          any_value(id) FILTER (WHERE email IS NULL) AS id_bare
                   FROM account_managers GROUP BY 1) tn
               ON te.id IS NULL AND tm.id IS NULL AND tn.k = lower(trim(s.name)),
        -- a row with an email finds by name only a stored manager without one: another
        -- email is another person
        LATERAL (SELECT CASE WHEN s.email IS NULL THEN tn.n_all ELSE tn.n_bare END AS n,
                        CASE WHEN s.email IS NULL THEN tn.id_all ELSE tn.id_bare END AS id) nm"""


MANAGER_CHECKS = [
    ("name", "target_matches > 1",
     "target_matches || ' account managers have this name; give their email or external id'"),
    ("role_title", "_target IS NULL AND role_title IS NULL AND name IS NOT NULL",
     "'is needed for a new manager: map a column or give a constant'"),
    ("email", f"email IS NOT NULL AND NOT {_EMAIL.format(f='email')}", "'is not an email address'"),
    ("reports_to", "_boss_text IS NOT NULL AND reports_to IS NULL AND boss_matches = 0",
     "'no active account manager has this name, email or external id, in the database or "
     "in this file'"),
    ("reports_to", "boss_matches > 1",
     "boss_matches || ' account managers match; use their email or external id'"),
    ("reports_to", "boss_rows > 1", "boss_rows || ' rows of this file have this name; use their email'"),
    ("reports_to", "reports_to = _target OR reports_to = -_row", "'is the manager themself'"),
    ("hire_date", _PLAUSIBLE.format(f="hire_date"), "'is not a plausible date'"),
    ("base_salary", "base_salary IS NULL AND base_salary_number IS NOT NULL", "'is too large'"),
    ("base_salary", "base_salary < 0", "'is negative; a salary cannot be below zero'"),
    ("salary_currency", "salary_currency IS NOT NULL AND NOT regexp_full_match(salary_currency, "
                        "'[A-Z]{3}')", "'is not a three-letter currency code such as GBP'"),
]


def bosses_left_out(cur) -> None:
    """A row whose boss is another row of the file that is not imported (it has an error) is
    not imported either; repeated, because that row may be someone's boss in turn."""
    while True:
        cur.execute(f"""
            CREATE OR REPLACE TEMP TABLE orphans AS SELECT _row, r._pos, w.reports_to__raw AS value,
                   -reports_to AS boss FROM records r JOIN raw_cells w ON w._pos = r._pos
            WHERE {in_file_boss('r')}
              AND NOT EXISTS (SELECT 1 FROM records b WHERE list_contains(b.rows, -r.reports_to))""")
        if not cur.execute("SELECT count(*) FROM orphans").fetchone()[0]:
            return
        cur.execute("INSERT INTO row_errors SELECT _row, _pos, 'reports_to', value, 'names row ' || boss "
                    "|| ' of this file, which is not imported because it has errors' FROM orphans")
        cur.execute("DELETE FROM records WHERE _row IN (SELECT _row FROM orphans)")


def link_bosses(cur) -> None:
    """After the new managers have ids: a reference to another row of the file gets its id."""
    cur.execute(f"""
        UPDATE compared SET reports_to = b._target FROM compared b
        WHERE {in_file_boss('compared')} AND list_contains(b.rows, -compared.reports_to)""")


def interactions_sql() -> str:
    joins, manager_id, manager_n = manager_ref("r.manager", "g")
    return f"""
        SELECT r.* REPLACE (coalesce(r.subject, {TITLE}) AS subject),
               coalesce({manager_id}, CASE WHEN r.manager IS NULL THEN a.owner_id END) AS manager_id,
               {manager_n} AS manager_matches,
               r.occurred_at > now()::TIMESTAMP AND r.outcome IS NULL AND r.sentiment IS NULL
                   AS is_planned,
               CASE WHEN r.type = 'escalation' THEN 'open' END AS escalation_status,
               NULL::BIGINT AS _target, 'row ' || r._row AS _key
        FROM ({ACCOUNT_REF}) r LEFT JOIN ref_accounts a ON a.id = r.account_id
        {joins}"""


def _longer(field: str, most: int) -> tuple[str, str, str]:
    return (field, f"length({field}) > {most}", f"'is longer than {most:,} characters'")


INTERACTION_CHECKS = [
    *ACCOUNT_CHECKS,
    ("manager", "manager IS NOT NULL AND manager_matches = 0",
     "'no active account manager has this name, email or external id'"),
    ("manager", "manager_matches > 1",
     "manager_matches || ' account managers match; use their email'"),
    ("manager", "manager IS NULL AND manager_id IS NULL AND account_id IS NOT NULL",
     "'is empty and the account has no owner to record the interaction under'"),
    ("occurred_at", _PLAUSIBLE.format(f="occurred_at"), "'is not a plausible date'"),
    ("next_step_due", "next_step_due < occurred_at::DATE", "'is before the interaction itself'"),
    ("next_step", "next_step IS NULL AND next_step_due IS NOT NULL",
     "'is empty but a due date is given; say what the next step is'"),
    ("severity", "type = 'escalation' AND severity IS NULL AND _pos NOT IN "
                 "(SELECT pos FROM parse_errors WHERE field = 'severity')",
     "'is needed for an escalation: low, medium, high or critical'"),
    ("severity", "type <> 'escalation' AND severity IS NOT NULL",
     "'is only for escalations; this row is a ' || type"),
    _longer("subject", 200), _longer("notes", 20_000), _longer("outcome", 2_000),
    _longer("next_step", 500),
]
