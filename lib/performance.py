"""Performance: revenue vs target and the run-rate projection, for the team, a manager, a tier,
a region or one account, in a reporting currency.

A Scope names the accounts a view covers; every view aggregates in DuckDB, converting each
(currency, month) sum to the reporting currency $rep through lib.fx (rows of a currency or month
with no rate are counted, never added in unconverted). Periods follow lib.periods: the fiscal
year holding the last complete month, quarters from the fiscal start month, and revenue only
for complete months. A manager's scope is the accounts they own now, with those accounts'
whole history. Targets are the accounts' targets in every scope; a manager's own quota
(manager_targets) is shown beside them. lib.budgets and lib.collections take the same Scope.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from lib import fx
from lib.account_rules import months_between, ratio
from lib.db import Database, bound
from lib.periods import MONTH_NAMES, YearToDate, add_months
from lib.permissions import require
from lib.portfolio import label
from lib.projection import METHODS, Projection, project
from lib.users import Actor

KINDS = {"team": "Team", "manager": "Manager", "tier": "Tier", "region": "Region",
         "account": "Account"}
TIERS = ("key", "strategic", "standard")
_WHERE = {"team": "TRUE", "manager": "owner_id = $scope_value", "tier": "tier = $scope_value",
          "region": "region = $scope_value", "account": "id = $scope_value"}


@dataclass(frozen=True)
class Scope:
    """Which accounts a view covers: the whole team, or one manager / tier / region / account."""

    kind: str = "team"
    value: int | str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown scope {self.kind!r}; known: {', '.join(KINDS)}")
        if (self.kind == "team") != (self.value is None):
            raise ValueError("the team scope takes no value; every other scope needs one")
        if self.kind in ("manager", "account") and not isinstance(self.value, int):
            raise ValueError(f"a {self.kind} scope needs an id, not {self.value!r}")

    def accounts_sql(self) -> str:
        """A query of the scope's accounts (id, owner_id, name); an archived account is left out
        unless it is the one account asked for. Needs `params()`."""
        live = "" if self.kind == "account" else "archived_at IS NULL AND "
        return f"SELECT id, owner_id, name FROM accounts WHERE {live}{_WHERE[self.kind]}"

    def params(self) -> dict[str, Any]:
        return {} if self.value is None else {"scope_value": self.value}


def scope_title(scope: Scope, shown: str | None = None) -> str:
    """How the scope reads in a caption; `shown` is the value as the picker showed it."""
    value = re.sub(r" \(#\d+\)$", "", shown or str(scope.value))
    return {"team": "the whole team", "manager": f"{value}'s accounts",
            "tier": f"{label(scope.value)} accounts", "region": f"accounts in {value}",
            "account": value}[scope.kind]


# ---- the fiscal periods a view needs --------------------------------------------------------------
def period_params(today: date, fiscal_start: int) -> dict[str, Any]:
    """ytd_from/ytd_to (complete months of the fiscal year), fy_from/fy_to, ly_from, today."""
    ytd = YearToDate.as_of(today, fiscal_start)
    return {"ytd_from": ytd.first, "ytd_to": ytd.last, "fy_from": ytd.year.first_month,
            "fy_to": ytd.year.months[-1], "ly_from": add_months(ytd.year.first_month, -12),
            "today": today}


MONTHS_SQL = "SELECT unnest(generate_series($ly_from, $fy_to, INTERVAL 1 MONTH))::DATE"


# ---- pickers ------------------------------------------------------------------------------------
def scope_options(db: Database, actor: Actor) -> dict[str, list[tuple[Any, str]]]:
    """What each scope can be: managers who own live accounts (id, a name unique in the list),
    tiers and regions (value, label)."""
    require(actor, "read_accounts")
    managers = db.rows("SELECT m.id, m.name FROM account_managers m WHERE EXISTS (SELECT 1 FROM "
                       "accounts a WHERE a.owner_id = m.id AND a.archived_at IS NULL) "
                       "ORDER BY lower(m.name), m.id")
    names = [n for _, n in managers]
    regions = db.rows("SELECT DISTINCT region FROM accounts WHERE archived_at IS NULL "
                      "AND region IS NOT NULL ORDER BY 1")
    return {
        "manager": [(i, n if names.count(n) == 1 else f"{n} (#{i})") for i, n in managers],
        "tier": [(t, label(t)) for t in TIERS],
        "region": [(r, r) for (r,) in regions],
    }


def account_choices(db: Database, actor: Actor, text: str = "", keep: int | None = None,
                    limit: int = 50) -> list[tuple[int, str]]:
    """Accounts to pick from, as (id, 'Name · Country (#id)'): those whose name or external id
    contains `text` (the first `limit` by name), with the account `keep` first when it exists."""
    require(actor, "read_accounts")
    like = "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = db.rows(
        "SELECT id, name || coalesce(' · ' || country, '') || ' (#' || id || ')' FROM accounts "
        "WHERE id = $keep OR (archived_at IS NULL AND (name ILIKE $like ESCAPE '\\' "
        "OR external_id ILIKE $like ESCAPE '\\')) "
        "ORDER BY id = $keep DESC, lower(name), id LIMIT $limit",
        {"keep": keep if keep is not None else -1, "like": like, "limit": limit + 1})
    return [(r[0], r[1]) for r in rows]


def account_id_in(text: str | None) -> int | None:
    """The id at the end of an account choice's label ('Acme Ltd · UK (#17)' -> 17), else None."""
    found = re.search(r"\(#(\d{1,12})\)\s*$", text or "")
    return int(found.group(1)) if found else None


# ---- revenue vs target ----------------------------------------------------------------------------
@dataclass(frozen=True)
class RevenueView:
    months: pd.DataFrame   # one row per fiscal month; see revenue_vs_target
    projection: Projection
    totals: dict[str, Any]
    missing_fx: int        # revenue and target rows left out: no FX rate to the currency
    currency: str
    year_label: str
    quarter_label: str


def _revenue_sql(scope: Scope) -> str:
    quota = ("SELECT month, currency, sum(amount) AS amount, count(*) AS n FROM manager_targets "
             "WHERE manager_id = $scope_value AND month BETWEEN $fy_from AND $fy_to GROUP BY ALL"
             if scope.kind == "manager" else
             "SELECT NULL::DATE AS month, NULL::VARCHAR AS currency, NULL::DECIMAL(18,2) AS amount, "
             "0::BIGINT AS n WHERE false")
    return f"""WITH {fx.RATES_CTE}, {fx.factors(MONTHS_SQL)},
    scoped AS ({scope.accounts_sql()}),
    parts AS (
        SELECT 'revenue' AS kind, r.month, r.currency, sum(r.amount) AS amount, count(*) AS n
        FROM revenue r JOIN scoped s ON s.id = r.account_id
        WHERE r.month BETWEEN $ly_from AND $ytd_to GROUP BY ALL
        UNION ALL
        SELECT 'target', t.month, t.currency, sum(t.amount), count(*)
        FROM account_targets t JOIN scoped s ON s.id = t.account_id
        WHERE t.month BETWEEN $fy_from AND $fy_to GROUP BY ALL
        UNION ALL SELECT 'quota', * FROM ({quota})),
    conv AS (SELECT p.kind, p.month, sum(p.amount::DOUBLE * f.factor) AS amount,
                    coalesce(sum(p.n) FILTER (WHERE f.factor IS NULL), 0) AS missing
             FROM parts p LEFT JOIN fx_factors f ON f.currency = p.currency AND f.month = p.month
             GROUP BY ALL),
    months AS (SELECT unnest(generate_series($fy_from, $fy_to, INTERVAL 1 MONTH))::DATE AS month)
    SELECT m.month,
        sum(c.amount) FILTER (WHERE c.kind = 'revenue' AND c.month = m.month) AS revenue,
        sum(c.amount) FILTER (WHERE c.kind = 'target' AND c.month = m.month) AS target,
        sum(c.amount) FILTER (WHERE c.kind = 'revenue'
                              AND c.month = (m.month - INTERVAL 1 YEAR)::DATE) AS revenue_last_year,
        sum(c.amount) FILTER (WHERE c.kind = 'quota' AND c.month = m.month) AS quota,
        (SELECT coalesce(sum(missing), 0) FROM conv) AS missing_fx,
        (SELECT max(month) FROM revenue WHERE month <= $ytd_to) AS last_uploaded
    FROM months m LEFT JOIN conv c ON true
    GROUP BY m.month ORDER BY m.month"""


def revenue_vs_target(db: Database, actor: Actor, scope: Scope, *, currency: str, today: date,
                      fiscal_start: int = 1) -> RevenueView:
    """Monthly revenue, target, last year's revenue, the manager's quota (manager scope only),
    cumulative attainment and the projection (point, low, high) of the months to come, for the
    fiscal year holding the last complete month; with the year's and quarter's totals.

    Year to date runs through the last complete month whose revenue is in: a month closed but
    not yet uploaded (by anyone, for any account) is projected rather than counted as nothing.
    """
    require(actor, "read_accounts")
    params = {**period_params(today, fiscal_start), **scope.params(), "rep": currency}
    sql = _revenue_sql(scope)
    frame = db.df(sql, bound(sql, params))
    missing = int(frame["missing_fx"].iloc[0])
    months = frame.drop(columns=["missing_fx", "last_uploaded"])
    elapsed = _months_in(params, frame["last_uploaded"].iloc[0])
    projection = project(months["revenue"].iloc[:elapsed].tolist(),
                         months["revenue_last_year"].tolist())
    months = _with_projection(months, projection)
    ytd = YearToDate.as_of(today, fiscal_start)
    totals = _totals(months, projection)
    totals["through"] = add_months(params["fy_from"], elapsed - 1) if elapsed else None
    totals["not_uploaded"] = [add_months(params["fy_from"], i) for i in range(
        elapsed, months_between(params["fy_from"], params["ytd_to"]))]
    return RevenueView(months, projection, totals, missing, currency, ytd.year.label,
                       _quarter_label(ytd, projection.quarter_start))


def _months_in(params: dict[str, Any], last_uploaded: Any) -> int:
    """How many months of the fiscal year count as actuals: the complete ones, up to the last
    month with any revenue uploaded (all complete months when nothing is uploaded at all)."""
    complete = months_between(params["fy_from"], params["ytd_to"])
    if last_uploaded is None or pd.isna(last_uploaded):
        return complete
    last = pd.Timestamp(last_uploaded).date()
    return max(0, min(complete, months_between(params["fy_from"], last)))


def _with_projection(months: pd.DataFrame, projection: Projection) -> pd.DataFrame:
    out = months.copy()
    ahead = range(projection.elapsed, len(out))
    for column, part in (("projected", "point"), ("projected_low", "low"), ("projected_high", "high")):
        out[column] = float("nan")
        out.loc[list(ahead), column] = [getattr(e, part) for e in projection.months]
    done = out.index < projection.elapsed
    cum_revenue = out["revenue"].fillna(0).cumsum().where(done)
    cum_target = out["target"].fillna(0).cumsum().where(done)
    out["attainment"] = out["revenue"].fillna(0).where(done) / out["target"].where(out["target"] > 0)
    out["cumulative_revenue"] = cum_revenue
    out["cumulative_target"] = cum_target
    out["cumulative_attainment"] = cum_revenue / cum_target.where(cum_target > 0)
    return out


def _totals(months: pd.DataFrame, projection: Projection) -> dict[str, Any]:
    done, q = projection.elapsed, projection.quarter_start
    ytd_actual = float(months["revenue"].iloc[:done].fillna(0).sum())
    ytd_target = float(months["target"].iloc[:done].fillna(0).sum())
    year_target = float(months["target"].fillna(0).sum())
    quarter_target = float(months["target"].iloc[q:q + 3].fillna(0).sum())
    return {
        "ytd_actual": ytd_actual, "ytd_target": ytd_target,
        "attainment": ratio(ytd_actual, ytd_target),
        "quarter_target": quarter_target, "year_target": year_target,
        "quarter_end": projection.quarter_end, "year_end": projection.year_end,
        "quarter_attainment": ratio(projection.quarter_end.point, quarter_target),
        "year_attainment": ratio(projection.year_end.point, year_target),
        "method": METHODS[projection.method],
        "has_revenue": bool(months["revenue"].notna().any() or months["revenue_last_year"].notna().any()),
        "has_quota": bool(months["quota"].notna().any()),
    }


def _quarter_label(ytd: YearToDate, quarter_start: int) -> str:
    first = ytd.year.months[quarter_start]
    last = add_months(first, 2)
    return (f"Q{quarter_start // 3 + 1} ({MONTH_NAMES[first.month - 1]}–"
            f"{MONTH_NAMES[last.month - 1]} {last.year})")


_TABLE = {"month": "Month", "revenue": "Revenue", "target": "Target", "attainment": "Attainment",
          "cumulative_revenue": "Revenue to date", "cumulative_target": "Target to date",
          "cumulative_attainment": "Attainment to date", "revenue_last_year": "Last year",
          "projected": "Projected", "projected_low": "Projected low",
          "projected_high": "Projected high", "quota": "Manager's quota"}


def revenue_table(view: RevenueView) -> pd.DataFrame:
    """The exact numbers behind the chart, one row per month, as a person reads them."""
    columns = [c for c in _TABLE if c != "quota" or view.totals["has_quota"]]
    shown = view.months[columns].copy()
    money = [c for c in columns if c != "month" and "attainment" not in c]
    shown[money] = shown[money].round(0)
    shown["month"] = pd.to_datetime(shown["month"]).dt.strftime("%b %Y")
    return shown.rename(columns=_TABLE)
