"""Where each entity's rows go and how they find their references, as SQL over the staged rows.

`resolve` turns the temp table `stage` (typed values from lib.importing.stage) into one row per
source row with references resolved (`account_id`, `owner_id`, `invoice_id`), the record's key
`_key` (rows with the same key are the same record; revenue, whose rows are summed, has none: its
record is the account and month) and `_target` (the existing record's id).
`checks` are (field, condition, reason) in SQL over that result. Names here come from code.
"""
from __future__ import annotations

from dataclasses import dataclass

from lib.importing import people
from lib.importing.refs import (ACCOUNT_CHECKS, ACCOUNT_REF, NEW_OWNER_CHECK, PARAMS, manager_ref,
                               norm)
from lib.importing.spelling import CATEGORIES, category_key, spelled, spellings_join
from lib.importing.statuses import NOT_OWED, NOT_PAID, PAID_STATUS, WON_FLAG, WON_STAGE
from lib.models import CURRENCIES


@dataclass(frozen=True)
class Target:
    table: str
    key: tuple[str, ...]             # columns that identify a stored record
    columns: dict[str, str]          # columns an import writes -> SQL type
    versioned: bool = True
    has_batch: bool = True           # the table has import_batch_id
    summed: bool = False             # several source rows add up into one record
    defaults: tuple[tuple[str, str], ...] = ()   # column -> SQL default for new records

    def snapshot_columns(self) -> list[str]:
        """The stored columns the undo log keeps, before and after each import."""
        return list(self.columns) + ["import_batch_id"] * self.has_batch + ["version"] * self.versioned

    @property
    def undo_log(self) -> str:
        """The table of the undo log for this table's records: per record a batch wrote, its
        key, `old_<column>` and `new_<column>` for each snapshot column (migration 012)."""
        return f"import_rows_{self.table}"

    def same_record(self, stored: str, logged: str) -> str:
        """SQL: the stored record (alias `stored`) is the one the undo log's row names."""
        return " AND ".join(f"{stored}.{k} = {logged}.{k}" for k in self.key)

    def as_logged(self, stored: str, logged: str) -> str:
        """SQL: the stored record still holds what the batch left (nothing changed it since)."""
        return " AND ".join(f"{stored}.{c} IS NOT DISTINCT FROM {logged}.new_{c}"
                            for c in self.snapshot_columns())


KEY_TYPES = {"id": "INTEGER", "account_id": "INTEGER", "month": "DATE", "category": "VARCHAR"}

TARGETS = {
    "revenue": Target("revenue", ("account_id", "month"),
                      {"amount": "DECIMAL(18,2)", "currency": "VARCHAR"}, summed=True),
    "accounts": Target("accounts", ("id",), {
        "name": "VARCHAR", "external_id": "VARCHAR", "tier": "VARCHAR", "scope": "VARCHAR",
        "industry": "VARCHAR", "region": "VARCHAR", "country": "VARCHAR", "owner_id": "INTEGER",
        "status": "VARCHAR", "currency": "VARCHAR"}, has_batch=False,
        defaults=(("tier", "'standard'"), ("scope", "'regional'"), ("status", "'active'"))),
    "invoices": Target("invoices", ("id",), {
        "invoice_number": "VARCHAR", "account_id": "INTEGER", "issue_date": "DATE",
        "due_date": "DATE", "amount": "DECIMAL(18,2)", "currency": "VARCHAR"}),
    "payments": Target("payments", ("id",), {
        "invoice_id": "INTEGER", "paid_on": "DATE", "amount": "DECIMAL(18,2)",
        "reference": "VARCHAR"}, versioned=False),
    "contacts": Target("contacts", ("id",), {
        "account_id": "INTEGER", "name": "VARCHAR", "title": "VARCHAR", "email": "VARCHAR",
        "phone": "VARCHAR", "role": "VARCHAR"}, has_batch=False, defaults=(("role", "'user'"),)),
    "account_targets": Target("account_targets", ("account_id", "month"),
                              {"amount": "DECIMAL(18,2)", "currency": "VARCHAR"}, has_batch=False),
    "budgets": Target("budgets", ("account_id", "category", "month"), {
        "budget": "DECIMAL(18,2)", "spend": "DECIMAL(18,2)", "currency": "VARCHAR"},
        has_batch=False, defaults=(("budget", "0"), ("spend", "0"))),
    "managers": Target("account_managers", ("id",), {
        "name": "VARCHAR", "email": "VARCHAR", "role_title": "VARCHAR", "level": "VARCHAR",
        "region": "VARCHAR", "country": "VARCHAR", "reports_to": "INTEGER", "hire_date": "DATE",
        "base_salary": "DECIMAL(18,2)", "salary_currency": "VARCHAR", "external_id": "VARCHAR"},
        has_batch=False),
    "interactions": Target("interactions", ("id",), {
        "account_id": "INTEGER", "manager_id": "INTEGER", "type": "VARCHAR",
        "occurred_at": "TIMESTAMP", "is_planned": "BOOLEAN", "subject": "VARCHAR",
        "notes": "VARCHAR", "outcome": "VARCHAR", "sentiment": "VARCHAR", "next_step": "VARCHAR",
        "next_step_due": "DATE", "severity": "VARCHAR", "escalation_status": "VARCHAR"},
        has_batch=False),
}

# Which staged fields feed each written column (owner -> owner_id ...); derived ones always.
SOURCES = {"account_id": "account", "owner_id": "owner", "invoice_id": "invoice_number"}
DERIVED = {"revenue": {"currency"}, "invoices": {"account_id", "currency"},
           "payments": {"invoice_id"}, "accounts": set(), "contacts": {"account_id"},
           "account_targets": {"currency"}, "budgets": {"currency"}, "managers": set(),
           "interactions": {"account_id", "manager_id", "is_planned", "subject", "escalation_status"}}


_norm = norm


MONEY = "CASE WHEN abs(s.amount) < 1e16 THEN round(s.amount, 2)::DECIMAL(18,2) END AS amount"
_MONEY = MONEY
PAYMENT_NAMED = "[0-9]"   # a payment reference that names one payment (see resolve_sql)
_ACCOUNT_REF = ACCOUNT_REF
_ACCOUNT_CHECKS = [*ACCOUNT_CHECKS, NEW_OWNER_CHECK]     # entities that name an account


def resolve_sql(entity: str, match_on: tuple[str, ...]) -> str:
    if entity == "revenue":
        return f"""
        SELECT r.* REPLACE (r.month::DATE AS month, {_MONEY.replace('s.amount', 'r.amount')},
                            coalesce(r.currency, a.currency) AS currency),
               r.amount AS amount_number,
               NULL::INTEGER AS _target
        FROM ({_ACCOUNT_REF}) r LEFT JOIN ref_accounts a ON a.id = r.account_id"""
    if entity == "invoices":
        return f"""
        SELECT r.* REPLACE (r.issue_date::DATE AS issue_date, r.due_date::DATE AS due_date,
               {_MONEY.replace('s.amount', 'r.amount')},
               coalesce(r.currency, a.currency) AS currency), r.amount AS amount_number,
               i.id AS _target,
               r.invoice_number AS _key
        FROM ({_ACCOUNT_REF}) r LEFT JOIN ref_accounts a ON a.id = r.account_id
        LEFT JOIN invoices i ON i.invoice_number = r.invoice_number"""
    if entity == "payments":
        by_ref = "reference" in match_on
        # A reference names a payment when it holds a digit ("CHQ 000451", "ch_3Nx9"); words
        # alone ("BACS", "Cheque") say how it was paid, and several payments share them: such
        # a row, or one with no reference, is matched by its invoice, date and amount.
        by_day = "i.id || '|' || s.paid_on::DATE || '|' || round(s.amount, 2)"
        on_day = "p.paid_on = s.paid_on::DATE AND p.amount = round(s.amount, 2)::DECIMAL(18,2)"
        named = f"regexp_matches(coalesce(s.reference, ''), '{PAYMENT_NAMED}')"
        key = (f"CASE WHEN {named} THEN i.id || '|' || s.reference ELSE {by_day} END" if by_ref
               else by_day)
        join = (f"CASE WHEN {named} THEN p.reference = s.reference ELSE {on_day} END" if by_ref
                else on_day)
        return f"""
        SELECT s.* REPLACE (s.paid_on::DATE AS paid_on, {_MONEY}), i.id AS invoice_id,
               i.currency AS _currency, s.amount AS amount_number, p.id AS _target, {key} AS _key
        FROM stage s LEFT JOIN invoices i ON i.invoice_number = s.invoice_number
        LEFT JOIN (SELECT invoice_id, paid_on, amount, reference, min(id) AS id FROM payments
                   GROUP BY ALL) p ON p.invoice_id = i.id AND {join}"""
    if entity == "accounts":
        by_name = "name" in match_on
        with_country = "country" in match_on
        name_join = (f"an.k = {_norm('s.name')}" +
                     (" AND an.c = lower(trim(coalesce(s.country, '')))" if with_country else ""))
        name_group = "1, 2" if with_country else "1"
        name_c = ", lower(trim(coalesce(country, ''))) AS c" if with_country else ""
        ext = "" if by_name else "ae.id, "
        # an archived account the row would have matched: an error, not a second account
        archived = (("" if by_name else
                     "LEFT JOIN (SELECT external_id AS k, count(*) AS n FROM accounts WHERE "
                     "archived_at IS NOT NULL AND external_id IS NOT NULL GROUP BY 1) xe "
                     "ON xe.k = s.external_id ")
                    + f"LEFT JOIN (SELECT {_norm('name')} AS k{name_c}, count(*) AS n FROM accounts "
                    f"WHERE archived_at IS NOT NULL GROUP BY {name_group}) xn "
                    f"ON {name_join.replace('an.', 'xn.')}")
        owner_joins, owner_id, owner_n = manager_ref("s.owner", "m")
        return f"""
        SELECT s.* REPLACE ({", ".join(f"{spelled(c)} AS {c}" for c in CATEGORIES)}),
               {owner_id} AS owner_id, {owner_n} AS owner_matches,
               CASE WHEN coalesce({'' if by_name else 'ae.n, '}an.n, 0) = 1
                    THEN coalesce({ext}an.id) END AS _target,
               coalesce({'' if by_name else 'ae.n, '}an.n, 0) AS target_matches,
               coalesce({'' if by_name else 'xe.n, '}xn.n, 0) AS archived_matches,
               coalesce({'' if by_name else "'x' || s.external_id, "}{_norm('s.name')}
                        {"|| '|' || lower(coalesce(s.country, ''))" if with_country else ''}) AS _key
        FROM stage s
        {" ".join(spellings_join(c) for c in CATEGORIES)}
        {owner_joins}
        LEFT JOIN (SELECT external_id AS k, any_value(id) AS id, count(*) AS n FROM accounts
                   WHERE archived_at IS NULL AND external_id IS NOT NULL GROUP BY 1) ae
               ON ae.k = s.external_id
        LEFT JOIN (SELECT {_norm('name')} AS k{name_c}, any_value(id) AS id, count(*) AS n
                   FROM accounts WHERE archived_at IS NULL GROUP BY {name_group}) an
               ON ({'TRUE' if by_name else 'ae.id IS NULL'}) AND {name_join}
        {archived}"""
    if entity in _MORE:
        return _MORE[entity]()
    raise ValueError(entity)


def _contacts_sql() -> str:
    """By account and email; else by account and name (a row with an email only finds a
    stored contact that has none: another email is another person)."""
    return f"""
        SELECT r.*, CASE WHEN coalesce(ce.n, nullif(n.n, 0), 0) = 1 THEN coalesce(ce.id, n.id) END
               AS _target, coalesce(ce.n, nullif(n.n, 0), 0) AS target_matches,
               coalesce(r.account_id || '|e|' || lower(r.email),
                        r.account_id || '|n|' || {_norm('r.name')}) AS _key
        FROM ({_ACCOUNT_REF}) r
        LEFT JOIN (SELECT account_id, lower(trim(email)) AS k, any_value(id) AS id, count(*) AS n
                   FROM contacts WHERE archived_at IS NULL AND email IS NOT NULL GROUP BY 1, 2) ce
               ON ce.account_id = r.account_id AND ce.k = lower(r.email)
        LEFT JOIN (SELECT account_id, {_norm('name')} AS k, count(*) AS n_all,
                          any_value(id) AS id_all, count(*) FILTER (WHERE email IS NULL) AS n_bare,
                          any_value(id) FILTER (WHERE email IS NULL) AS id_bare
                   FROM contacts WHERE archived_at IS NULL GROUP BY 1, 2) cn
               ON ce.id IS NULL AND cn.account_id = r.account_id AND cn.k = {_norm('r.name')},
        LATERAL (SELECT CASE WHEN r.email IS NULL THEN cn.n_all ELSE cn.n_bare END AS n,
                        CASE WHEN r.email IS NULL THEN cn.id_all ELSE cn.id_bare END AS id) n"""


def _targets_sql() -> str:
    return f"""
        SELECT r.* REPLACE (r.month::DATE AS month, {_MONEY.replace('s.amount', 'r.amount')},
                            coalesce(r.currency, t.currency, a.currency) AS currency),
               r.amount AS amount_number, r.account_id || '|' || r.month::DATE AS _key,
               NULL::INTEGER AS _target, t.amount AS _old_amount, t.currency AS _old_currency,
               l.month IS NOT NULL AS _locked,
               coalesce(u.display_name, 'someone') || ' on ' || strftime(l.locked_at, '%Y-%m-%d')
                   AS _locked_by
        FROM ({_ACCOUNT_REF}) r LEFT JOIN ref_accounts a ON a.id = r.account_id
        LEFT JOIN account_targets t ON t.account_id = r.account_id AND t.month = r.month::DATE
        LEFT JOIN period_locks l ON l.month = r.month::DATE
        LEFT JOIN users u ON u.id = l.locked_by"""


def _budgets_sql() -> str:
    """A category is compared without case or extra spaces; a known spelling is kept."""
    money = ", ".join(f"CASE WHEN abs(r.{c}) < 1e16 THEN round(r.{c}, 2)::DECIMAL(18,2) END AS {c}"
                      for c in ("budget", "spend"))
    return f"""
        WITH r AS (SELECT x.* REPLACE (coalesce(k.category, x._cat) AS category, x.month::DATE AS month)
                   FROM (SELECT *, {category_key('category')} AS _cat
                         FROM ({_ACCOUNT_REF})) x
                   LEFT JOIN (SELECT lower(category) AS k, min(category) AS category FROM budgets
                              GROUP BY 1) k ON k.k = x._cat)
        SELECT r.* EXCLUDE (_cat) REPLACE ({money},
                   coalesce(r.currency, t.currency, a.currency) AS currency),
               r.budget AS budget_number, r.spend AS spend_number,
               r.account_id || '|' || r.category || '|' || r.month AS _key, NULL::INTEGER AS _target
        FROM r LEFT JOIN ref_accounts a ON a.id = r.account_id
        LEFT JOIN budgets t ON t.account_id = r.account_id AND t.category = r.category
                           AND t.month = r.month"""


_MORE = {"contacts": _contacts_sql, "account_targets": _targets_sql, "budgets": _budgets_sql,
         "managers": people.managers_sql, "interactions": people.interactions_sql}


_RANGE_DATE = "year({f}) NOT BETWEEN 1900 AND 2199"
_CURRENCY = ("currency", f"currency IS NOT NULL AND NOT list_contains({list(CURRENCIES)}, currency)",
             "CASE WHEN regexp_full_match(currency, '[A-Z]{3}') THEN 'is not a currency Account Desk "
             f"reports in ({', '.join(CURRENCIES)})' ELSE 'is not a three-letter currency code such "
             "as GBP' END")
_TOO_LARGE = ("amount", "amount IS NULL AND amount_number IS NOT NULL", "'is too large'")


def checks(entity: str) -> list[tuple[str, str, str]]:
    """(field, SQL condition over the resolved row, SQL text of the reason)."""
    if entity == "revenue":
        return [*_ACCOUNT_CHECKS, _CURRENCY, _TOO_LARGE,
                ("month", _RANGE_DATE.format(f="month"), "'is not a plausible month'"),
                ("stage", f"stage IS NOT NULL AND NOT regexp_matches(lower(stage), '{WON_STAGE}')",
                 "'is not a won deal: only won deals are revenue, so leave this row out'"),
                ("won", f"won IS NOT NULL AND NOT regexp_matches(lower(won), '{WON_FLAG}')",
                 "'says the deal was not won: only won deals are revenue, so leave this row out'")]
    if entity == "invoices":
        return [*_ACCOUNT_CHECKS, _CURRENCY, _TOO_LARGE,
                ("issue_date", _RANGE_DATE.format(f="issue_date"), "'is not a plausible date'"),
                ("due_date", "due_date < issue_date", "'is before the issue date'"),
                ("invoice_status", f"regexp_matches(lower(invoice_status), '{NOT_OWED}')",
                 "'is not an invoice anyone owes (voided, a draft or cancelled), so leave this "
                 "row out'")]
    if entity == "payments":
        return [("invoice_number", "invoice_number IS NOT NULL AND invoice_id IS NULL",
                 "'no invoice has this number'"), _TOO_LARGE,
                ("amount", "amount = 0", "'is zero; a payment must have an amount'"),
                ("paid_on", _RANGE_DATE.format(f="paid_on"), "'is not a plausible date'"),
                ("status", f"status IS NOT NULL AND (NOT regexp_matches(lower(status), "
                 f"'{PAID_STATUS}') OR regexp_matches(lower(status), '{NOT_PAID}'))",
                 "'is not a completed payment: only money received is a payment, so leave "
                 "this row out'")]
    if entity in _MORE_CHECKS:
        return _MORE_CHECKS[entity]
    return [("owner", "owner IS NOT NULL AND owner_matches = 0",
             "'no active account manager has this name or email'"),
            ("owner", "owner_matches > 1", "owner_matches || ' account managers have this name'"),
            ("name", "target_matches > 1",
             "target_matches || ' existing accounts match this row; match on the external id "
             "or on name and country'"),
            ("name", "_target IS NULL AND archived_matches > 0",
             "'matches an archived account; restore it on its page, then import again'"),
            ("currency", "_target IS NULL AND currency IS NULL AND name IS NOT NULL",
             "'is needed for a new account: map a column or give a constant'"), _CURRENCY]


_MONTH = ("month", _RANGE_DATE.format(f="month"), "'is not a plausible month'")
_MORE_CHECKS = {
    "contacts": [
        *_ACCOUNT_CHECKS,
        ("email", "email IS NOT NULL AND NOT regexp_full_match(email, '[^@ ]+@[^@ ]+[.][^@ ]+')",
         "'is not an email address'"),
        ("name", "target_matches > 1",
         "target_matches || ' contacts of this account have this name; give their email'")],
    "account_targets": [
        *_ACCOUNT_CHECKS, _CURRENCY, _TOO_LARGE, _MONTH,
        ("amount", "amount < 0", "'is negative; a target cannot be below zero'"),
        ("month", "_locked AND amount IS NOT NULL AND (amount IS DISTINCT FROM _old_amount "
                  "OR currency IS DISTINCT FROM _old_currency)",
         "'is locked (' || _locked_by || '); its targets cannot change'")],
    "budgets": [
        *_ACCOUNT_CHECKS, _CURRENCY, _MONTH,
        ("budget", "budget IS NULL AND budget_number IS NOT NULL", "'is too large'"),
        ("spend", "spend IS NULL AND spend_number IS NOT NULL", "'is too large'"),
        ("budget", "budget < 0", "'is negative; a budget cannot be below zero'"),
        ("budget", "budget_number IS NULL AND spend_number IS NULL AND _pos NOT IN "
                   "(SELECT pos FROM parse_errors WHERE field IN ('budget', 'spend'))",
         "'and spend are both empty; a row needs at least one of them'")],
    "managers": people.MANAGER_CHECKS,
    "interactions": people.INTERACTION_CHECKS,
}


def payment_words_note(cur, match_on: tuple[str, ...]) -> str | None:
    """Says which payments were matched by invoice, date and amount though a reference was
    mapped: their reference is words alone ("BACS"), which many payments share."""
    if "reference" not in match_on:
        return None
    n, example = cur.execute("SELECT count(*), min(reference) FROM resolved WHERE reference IS "
                             f"NOT NULL AND NOT regexp_matches(reference, '{PAYMENT_NAMED}')").fetchone()
    if not n:
        return None
    return (f"{n:,} payments have a reference that names no one payment (such as '{example}'): "
            "they were matched to the payments already recorded by invoice, date and amount.")
