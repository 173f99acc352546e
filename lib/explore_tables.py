"""What Explore can show: per table, the rows it reads and the columns a person may filter,
group, sort and sum by. Column names and their SQL come only from here (the whitelist).

Each source is a query with friendly column names over the stored tables; money is kept in the
row's own currency and also converted to the reporting currency ($rep) with lib.fx's rule. A
table keeps its stored columns (`plain`) apart from the columns worked out from them: the
conversions (`rep`) and the ones only costly to work out for every row (`derived`, a month's
quarter as text). A view that uses none of them skips them, and a listing works them out only
for the rows it shows (lib.explore): the quarter of 1.8 million revenue rows took 0.1 s.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from lib import fx
from lib.filters import Field
from lib.my_work import ESCALATION_STATUSES, SENTIMENTS, SEVERITIES
from lib.portfolio import LABELS

TEXT, NUMBER, DATE = "text", "number", "date"


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT                   # text, number or date: which operators and aggregates fit
    # stored code -> the words people read ('at_risk' -> 'At risk'); a code not listed shows as is
    codes: dict[str, str] | None = field(default=None, compare=False, hash=False)
    # the source column holding the id this name stands for (a person, an account): a group is
    # one id, so two people of the same name stay two groups
    key: str | None = None

    def field(self, name: str) -> Field:
        return Field(f'"{name}"', self.label, self.show)

    def show(self, value: object) -> str:
        if self.codes is not None and isinstance(value, str):
            return self.codes.get(value, value)
        return _show(value)


def _show(value: object) -> str:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return f"{value:,}" if isinstance(value, (int, float)) else str(value)


@dataclass(frozen=True)
class Table:
    label: str
    plain: str                         # SQL: `columns` but the derived and converted ones
    columns: dict[str, Column]
    default_measure: str | None        # the number a chart sums when nothing else is chosen
    # converted column -> its SQL over `plain`'s columns and f.factor (a unit of the row's
    # currency in $rep, that month); plain has `currency` and `month` when this is not empty
    rep: dict[str, str] = field(default_factory=dict)
    stored: str = ""                   # the stored table and its month column, for the months
    stored_month: str = "month"        # the conversion needs (a cheap scan)
    # column -> its SQL over `plain`'s columns, for columns costly to work out for every row
    derived: dict[str, str] = field(default_factory=dict)

    @property
    def with_derived(self) -> str:
        """SQL of every column but the converted ones."""
        if not self.derived:
            return self.plain
        return f"SELECT s.*, {self.worked_out('s', converted=False)} FROM ({self.plain}) s"

    @property
    def source(self) -> str:
        """SQL of every column, the converted ones too."""
        if not self.rep:
            return self.with_derived
        months = f"SELECT DISTINCT date_trunc('month', {self.stored_month})::DATE FROM {self.stored}"
        return (f"{fx_factors(months)} SELECT s.*, {self.worked_out('s')} "
                f"FROM ({self.plain}) s {joined_factors('s')}")

    def worked_out(self, alias: str, *, converted: bool = True) -> str:
        """The derived and (unless not `converted`) converted columns over the `plain` rows of
        `alias`; the converted ones need fx_factors joined as f."""
        return ", ".join(f"{sql.format(s=alias)} AS {name}" for name, sql in
                         {**self.derived, **(self.rep if converted else {})}.items())

    def uses_rep(self, names: Iterable[str | None]) -> bool:
        return any(n in self.rep for n in names)

    def uses_derived(self, names: Iterable[str | None]) -> bool:
        return any(n in self.derived for n in names)

    @property
    def fields(self) -> dict[str, Field]:
        return {name: col.field(name) for name, col in self.columns.items()}

    def of_kind(self, *kinds: str) -> list[str]:
        return [n for n, c in self.columns.items() if c.kind in kinds]


def fx_factors(months_sql: str, before: str | None = None) -> str:
    """The WITH that makes fx_factors for the months `months_sql` gives (after the CTE
    `before`, when the months come from it)."""
    return f"WITH {before + ', ' if before else ''}{fx.RATES_CTE}, {fx.factors(months_sql)}"


def joined_factors(alias: str) -> str:
    return f"LEFT JOIN fx_factors f ON f.currency = {alias}.currency AND f.month = {alias}.month"


_ACCOUNT = ("a.name AS account, a.tier, a.region, a.industry, m.name AS owner, "
            "a.id AS account_id, a.owner_id")
_ACCOUNT_JOIN = ("JOIN accounts a ON a.id = x.account_id AND a.archived_at IS NULL "
                 "LEFT JOIN account_managers m ON m.id = a.owner_id")
_MONTHLY = {"year": "year({s}.month)",
            "quarter": "strftime({s}.month, '%Y') || '-Q' || quarter({s}.month)"}


def _codes(*names: str) -> dict[str, str]:
    return {n: LABELS[n] for n in names}


TIERS = _codes("key", "strategic", "standard")
SCOPES = _codes("regional", "national", "global")
STATUSES = _codes("prospect", "active", "at_risk", "churned")
TYPES = {"call": "Call", "meeting": "Meeting", "visit": "Visit", "email": "Email", "demo": "Demo",
         "qbr": "QBR", "escalation": "Escalation"}
CATEGORIES = {"marketing": "Marketing", "travel": "Travel", "events": "Events", "discounts": "Discounts"}

_ACCOUNT_COLUMNS = {
    "account": Column("account", key="account_id"), "tier": Column("tier", codes=TIERS),
    "region": Column("region"), "industry": Column("industry"),
    "owner": Column("owner", key="owner_id"),
}
_MONTH_COLUMNS = {"month": Column("month", DATE), "year": Column("year", NUMBER),
                  "quarter": Column("quarter")}


def _money(*names: str) -> dict[str, Column]:
    out = {}
    for name in names:
        out[name] = Column(name.replace("_", " "), NUMBER)
        out[f"{name}_rep"] = Column(f"{name.replace('_', ' ')} (reporting currency)", NUMBER)
    return out


def _rep(*names: str) -> dict[str, str]:
    return {f"{name}_rep": f"{{s}}.{name} * f.factor" for name in names}


TABLES: dict[str, Table] = {
    "accounts": Table(
        "Accounts",
        "SELECT a.name AS account, a.tier, a.scope, a.status, a.industry, a.region, a.country, "
        "a.currency, m.name AS owner, m.role_title AS owner_role, a.created_at::DATE AS created_on, "
        "a.id AS account_id, a.owner_id "
        "FROM accounts a LEFT JOIN account_managers m ON m.id = a.owner_id WHERE a.archived_at IS NULL",
        {**_ACCOUNT_COLUMNS, "scope": Column("scope", codes=SCOPES), "status": Column("status", codes=STATUSES),
         "country": Column("country"), "currency": Column("currency"), "owner_role": Column("owner role"),
         "created_on": Column("created on", DATE)},
        None),
    "revenue": Table(
        "Revenue",
        f"SELECT {_ACCOUNT}, x.month, x.amount::DOUBLE AS amount, x.currency "
        f"FROM revenue x {_ACCOUNT_JOIN}",
        {**_ACCOUNT_COLUMNS, **_MONTH_COLUMNS, **_money("amount"), "currency": Column("currency")},
        "amount_rep", _rep("amount"), "revenue", derived=_MONTHLY),
    "targets": Table(
        "Account targets",
        f"SELECT {_ACCOUNT}, x.month, x.amount::DOUBLE AS amount, x.currency "
        f"FROM account_targets x {_ACCOUNT_JOIN}",
        {**_ACCOUNT_COLUMNS, **_MONTH_COLUMNS, **_money("amount"), "currency": Column("currency")},
        "amount_rep", _rep("amount"), "account_targets", derived=_MONTHLY),
    "interactions": Table(
        "Interactions",
        "SELECT a.name AS account, a.tier, a.region, a.industry, mm.name AS manager, x.type, "
        "x.occurred_at::DATE AS date, date_trunc('month', x.occurred_at)::DATE AS month, "
        "year(x.occurred_at) AS year, CASE WHEN x.is_planned THEN 'planned' ELSE 'done' END AS state, "
        "x.sentiment, x.severity, x.escalation_status, x.subject, a.id AS account_id, x.manager_id "
        "FROM interactions x JOIN accounts a ON a.id = x.account_id AND a.archived_at IS NULL "
        "LEFT JOIN account_managers mm ON mm.id = x.manager_id WHERE x.deleted_at IS NULL",
        {"account": Column("account", key="account_id"), "tier": Column("tier", codes=TIERS),
         "region": Column("region"), "industry": Column("industry"),
         "manager": Column("manager", key="manager_id"), "type": Column("type", codes=TYPES),
         "date": Column("date", DATE), "month": Column("month", DATE), "year": Column("year", NUMBER),
         "state": Column("state", codes={"planned": "Planned", "done": "Done"}),
         "sentiment": Column("sentiment", codes=SENTIMENTS),
         "severity": Column("severity", codes=SEVERITIES),
         "escalation_status": Column("escalation status", codes=ESCALATION_STATUSES),
         "subject": Column("subject")},
        None),
    "invoices": Table(
        "Invoices",
        f"SELECT x.invoice_number, {_ACCOUNT}, x.issue_date, "
        "x.due_date, date_trunc('month', x.issue_date)::DATE AS month, year(x.issue_date) AS year, "
        "x.amount::DOUBLE AS amount, coalesce(p.paid, 0)::DOUBLE AS paid, "
        "(x.amount - coalesce(p.paid, 0))::DOUBLE AS outstanding, x.currency, "
        "CASE WHEN x.amount <= coalesce(p.paid, 0) THEN 'paid' WHEN x.due_date < current_date "
        "THEN 'overdue' ELSE 'open' END AS state "
        "FROM invoices x LEFT JOIN (SELECT invoice_id, sum(amount) AS paid FROM payments GROUP BY ALL) p "
        f"ON p.invoice_id = x.id {_ACCOUNT_JOIN}",
        {"invoice_number": Column("invoice number"), **_ACCOUNT_COLUMNS,
         "issue_date": Column("issue date", DATE), "due_date": Column("due date", DATE),
         "month": Column("issue month", DATE), "year": Column("year", NUMBER),
         "amount": Column("amount", NUMBER), "paid": Column("paid", NUMBER),
         "outstanding": Column("outstanding", NUMBER), "currency": Column("currency"),
         "amount_rep": Column("amount (reporting currency)", NUMBER),
         "outstanding_rep": Column("outstanding (reporting currency)", NUMBER),
         "state": Column("state", codes={"paid": "Paid", "overdue": "Overdue", "open": "Open"})},
        "outstanding_rep", _rep("amount", "outstanding"), "invoices", "issue_date"),
    "budgets": Table(
        "Budgets",
        f"SELECT {_ACCOUNT}, x.category, x.month, x.budget::DOUBLE AS budget, "
        f"x.spend::DOUBLE AS spend, x.currency FROM budgets x {_ACCOUNT_JOIN}",
        {**_ACCOUNT_COLUMNS, "category": Column("category", codes=CATEGORIES), **_MONTH_COLUMNS,
         **_money("budget", "spend"), "currency": Column("currency")},
        "spend_rep", _rep("budget", "spend"), "budgets", derived=_MONTHLY),
}
