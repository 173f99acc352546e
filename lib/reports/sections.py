"""The sheets of the monthly sales report, one function per section, in the order they appear."""
from __future__ import annotations

import pandas as pd

from lib.account_rules import ratio
from lib.portfolio import label
from lib.reports.monthly import INTERACTION_TYPES, MonthlyFigures
from lib.reports.workbook import FIRST_ROW, Book, Column

SHEETS = ("Team summary", "Managers", "Accounts", "Collections", "Budgets", "Interactions")


def write_report(f: MonthlyFigures) -> bytes:
    book = Book(f"Monthly sales report · {f.month_label} · amounts in {f.currency}")
    team_summary(book, f)
    managers(book, f)
    accounts(book, f)
    collections(book, f)
    budgets(book, f)
    interactions(book, f)
    return book.close()


# ---- team summary -------------------------------------------------------------------------------
def _team_months(f: MonthlyFigures) -> tuple[pd.Series, pd.DataFrame]:
    months = f.revenue.months
    when = pd.to_datetime(months["month"])
    chosen = pd.Timestamp(f.month)
    return months[when == chosen].iloc[0], months[when <= chosen]


def team_figures(f: MonthlyFigures) -> dict[str, tuple[float | None, float | None]]:
    """Measure -> (the month, the year to date), as the summary sheet shows them."""
    month, ytd = _team_months(f)

    def both(column: str) -> tuple[float, float]:
        value = month[column]
        return (0.0 if pd.isna(value) else float(value), float(ytd[column].fillna(0).sum()))

    revenue, target, last_year = both("revenue"), both("target"), both("revenue_last_year")
    chosen = pd.Timestamp(f.month)
    spent = f.budgets.months[pd.to_datetime(f.budgets.months["month"]) == chosen]
    budget_month = (float(spent["budget"].fillna(0).sum()), f.budgets.totals["budget_to_date"])
    spend_month = (float(spent["spend"].fillna(0).sum()), f.budgets.totals["spend_to_date"])
    return {
        "revenue": revenue, "target": target,
        "attainment": (ratio(revenue[0], target[0]), ratio(revenue[1], target[1])),
        "last_year": last_year,
        "budget": budget_month, "spend": spend_month,
        "burn": (ratio(spend_month[0], budget_month[0]), ratio(spend_month[1], budget_month[1])),
    }


def has_data(f: MonthlyFigures) -> bool:
    c = f.collections.totals
    return bool(len(f.accounts) or len(f.managers) or len(f.budgets.months) or len(f.interactions)
                or f.revenue.totals["has_revenue"] or c["open_invoices"] or c["sales"] or c["due"])


def team_summary(book: Book, f: MonthlyFigures) -> None:
    ws = book.sheet("Team summary", f"The whole team: {f.month_label} and {f.ytd_label}.")
    if not has_data(f):
        book.empty(ws, FIRST_ROW, f"No revenue, targets, invoices, budgets or interactions for "
                                  f"{f.month_label}: there is nothing to report.")
        return
    t = team_figures(f)
    year, c = f.revenue.totals, f.collections.totals
    lines = [
        ("Revenue", *t["revenue"], "money"), ("Target", *t["target"], "money"),
        ("Attainment", *t["attainment"], "pct"),
        ("Revenue in the same period last year", *t["last_year"], "money"),
        ("Projected revenue for the year", None, year["year_end"].point, "money"),
        ("Projection, low", None, year["year_end"].low, "money"),
        ("Projection, high", None, year["year_end"].high, "money"),
        ("Target for the year", None, year["year_target"], "money"),
        ("Projected attainment of the year's target", None, year["year_attainment"], "pct"),
        (f"Receivables on {f.month_end:%d %b %Y}", c["receivables"], None, "money"),
        ("Overdue", c["overdue"], None, "money"), ("Over 90 days overdue", c["over_90"], None, "money"),
        ("Days sales outstanding (last 90 days)", c["dso"], None, "days"),
        ("Collection rate (invoices due in the last 90 days)", c["collection_rate"], None, "pct"),
        ("Budget", *t["budget"], "money"), ("Spend", *t["spend"], "money"),
        ("Spend as a share of budget", *t["burn"], "pct"),
        ("Budget for the year", None, f.budgets.totals["budget_year"], "money"),
    ]
    ws.set_column(0, 0, 48)
    row = book.pairs(ws, FIRST_ROW, lines, ("Measure", f.month_label, f.ytd_label))
    row = book.note(ws, row + 1, f"The projection runs at {year['method']}.")
    if year["not_uploaded"]:
        months = ", ".join(f"{m:%b %Y}" for m in year["not_uploaded"])
        row = book.note(ws, row, f"No revenue uploaded yet for {months}: the projection treats "
                                 "them as months to come.")
    if f.missing_fx:
        book.note(ws, row, f"{f.missing_fx:,} rows have no FX rate to {f.currency} and are left out "
                           "of every sum.")


# ---- managers and accounts ----------------------------------------------------------------------
MONTH_AND_YTD = [Column("Revenue (month)", "revenue_month"), Column("Target (month)", "target_month"),
                 Column("Attainment (month)", "attainment_month", "pct"),
                 Column("Revenue (YTD)", "revenue_ytd"), Column("Target (YTD)", "target_ytd"),
                 Column("Attainment (YTD)", "attainment_ytd", "pct")]


def _totals(frame: pd.DataFrame, first: str, keys: list[str]) -> dict:
    total = {k: float(frame[k].sum()) for k in keys}
    for period in ("month", "ytd"):
        total[f"attainment_{period}"] = ratio(total[f"revenue_{period}"], total[f"target_{period}"])
    return {first: "Team total", **total}


def managers(book: Book, f: MonthlyFigures) -> None:
    ws = book.sheet("Managers", f"Each manager's accounts against their targets, {f.month_label} "
                                f"and {f.ytd_label}; best attainment to date first.")
    if f.managers.empty:
        book.empty(ws, FIRST_ROW, f"No revenue, targets or quotas for {f.month_label}.")
        return
    columns = [Column("Manager", "manager", "text"), *MONTH_AND_YTD,
               Column("Own quota (month)", "quota_month"), Column("Own quota (YTD)", "quota_ytd"),
               Column("Revenue vs own quota (YTD)", "quota_attainment_ytd", "pct")]
    keys = ["revenue_month", "target_month", "revenue_ytd", "target_ytd", "quota_month", "quota_ytd"]
    book.table(ws, FIRST_ROW, columns, f.managers, freeze=True,
               total=_totals(f.managers, "manager", keys))


def accounts(book: Book, f: MonthlyFigures) -> None:
    ws = book.sheet("Accounts", f"Revenue against target per account, {f.month_label} and "
                                f"{f.ytd_label}; most revenue to date first.")
    if f.accounts.empty:
        book.empty(ws, FIRST_ROW, f"No account has revenue or a target for {f.month_label}.")
        return
    shown = f.accounts.assign(tier=f.accounts["tier"].map(label))
    columns = [Column("Account", "account", "text"), Column("Account id", "account_id", "count", 10),
               Column("Owner", "owner", "text", 24), Column("Tier", "tier", "text", 10),
               *MONTH_AND_YTD]
    keys = ["revenue_month", "target_month", "revenue_ytd", "target_ytd"]
    book.table(ws, FIRST_ROW, columns, shown, freeze=True, total=_totals(shown, "account", keys))


# ---- collections --------------------------------------------------------------------------------
def collections(book: Book, f: MonthlyFigures) -> None:
    c = f.collections
    ws = book.sheet("Collections", f"Open invoices as of {f.month_end:%d %B %Y} by days overdue; "
                                   "payments after that day are not counted.")
    if not (c.totals["open_invoices"] or c.totals["sales"] or c.totals["due"]):
        book.empty(ws, FIRST_ROW, f"No invoices open, issued or due as of {f.month_end:%d %B %Y}.")
        return
    buckets = c.buckets.assign(share=c.buckets["amount"] / c.totals["receivables"]
                               if c.totals["receivables"] else None)
    row = book.table(ws, FIRST_ROW, [
        Column("Days overdue", "label", "text"), Column("Invoices", "invoices", "count"),
        Column("Open amount", "amount"), Column("Share of receivables", "share", "pct")],
        buckets, freeze=True,
        total={"label": "All open invoices", "invoices": c.totals["open_invoices"],
               "amount": c.totals["receivables"], "share": 1.0 if c.totals["receivables"] else None})
    row = book.heading(ws, row + 1, "Measures")
    measures = pd.DataFrame([
        ("Days sales outstanding (receivables / last 90 days' invoices × 90)", c.totals["dso"], "days"),
        ("Collection rate (share paid of invoices due in the last 90 days)",
         c.totals["collection_rate"], "pct"),
        ("Overdue", c.totals["overdue"], "money"), ("Over 90 days overdue", c.totals["over_90"], "money"),
    ], columns=["measure", "value", "kind"])
    for r, (text, value, kind) in enumerate(measures.itertuples(index=False), row):
        book.cell(ws, r, 0, text, "text")
        book.cell(ws, r, 1, value, kind)
    row = book.heading(ws, row + len(measures) + 1, "Per manager")
    book.table(ws, row, [
        Column("Manager", "owner_name", "text"), Column("Open invoices", "open_invoices", "count"),
        Column("Receivables", "receivables"), Column("Overdue", "overdue"),
        Column("Over 90 days", "over_90"), Column("Oldest (days overdue)", "oldest_days", "count"),
        Column("DSO (days)", "dso", "days"), Column("Collection rate", "collection_rate", "pct")],
        c.managers)


# ---- budgets ------------------------------------------------------------------------------------
def budget_table(f: MonthlyFigures) -> pd.DataFrame:
    """Per category: the month's budget and spend, the year to date's, the year's budget and the
    projected year-end spend."""
    b = f.budgets
    chosen = b.months[pd.to_datetime(b.months["month"]) == pd.Timestamp(f.month)]
    month = (chosen.groupby("category", as_index=False)
             .agg(budget_month=("budget", "sum"), spend_month=("spend", "sum")))
    out = b.categories.merge(month, on="category", how="left")
    out[["budget_month", "spend_month"]] = out[["budget_month", "spend_month"]].fillna(0.0)
    out["share_month"] = out["spend_month"] / out["budget_month"].where(out["budget_month"] != 0)
    out["share_ytd"] = out["spend_to_date"] / out["budget_to_date"].where(out["budget_to_date"] != 0)
    out["category"] = out["category"].str.capitalize()
    return out.sort_values("category", ignore_index=True)


def budgets(book: Book, f: MonthlyFigures) -> None:
    ws = book.sheet("Budgets", f"Budget against spend per category, {f.month_label} and "
                               f"{f.ytd_label}; the year-end projection runs at the pace so far.")
    table = budget_table(f)
    if table.empty:
        book.empty(ws, FIRST_ROW, f"No budgets in {f.fiscal.label}, the year holding {f.month_label}.")
        return
    keys = ["budget_month", "spend_month", "budget_to_date", "spend_to_date", "budget_year",
            "projected", "over_by"]
    total = {k: float(table[k].sum()) for k in keys}
    total.update(category="All categories",
                 share_month=ratio(total["spend_month"], total["budget_month"]),
                 share_ytd=ratio(total["spend_to_date"], total["budget_to_date"]))
    book.table(ws, FIRST_ROW, [
        Column("Category", "category", "text"), Column("Budget (month)", "budget_month"),
        Column("Spend (month)", "spend_month"), Column("Spend / budget (month)", "share_month", "pct"),
        Column("Budget (YTD)", "budget_to_date"), Column("Spend (YTD)", "spend_to_date"),
        Column("Spend / budget (YTD)", "share_ytd", "pct"), Column("Budget (year)", "budget_year"),
        Column("Projected spend (year)", "projected"), Column("Projected over budget", "over_by")],
        table, freeze=True, total=total)


# ---- interactions -------------------------------------------------------------------------------
def interactions(book: Book, f: MonthlyFigures) -> None:
    ws = book.sheet("Interactions", f"Interactions that took place in {f.month_label} (UTC), by "
                                    "manager and type; planned and deleted ones are not counted.")
    table = f.interactions
    if table.empty:
        book.empty(ws, FIRST_ROW, f"No interactions took place in {f.month_label}.")
        return
    columns = [Column("Manager", "manager", "text"),
               *(Column("QBR" if t == "qbr" else t.capitalize(), t, "count", 10) for t in INTERACTION_TYPES),
               Column("Total", "total", "count", 10)]
    total = {"manager": "Team total", **{c.key: int(table[c.key].sum()) for c in columns[1:]}}
    book.table(ws, FIRST_ROW, columns, table, freeze=True, total=total)

