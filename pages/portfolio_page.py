"""Portfolio: KPIs, filters bound to the URL, revenue vs target, and the account table."""
from datetime import date

import streamlit as st

from lib import charts, health, portfolio, ui, ui_accounts, ui_portfolio
from lib.filters import Condition
from lib.formatting import count, money, percent
from lib.periods import fiscal_start_month

PAGE_SIZE = 100

db = ui.database()
actor = ui.current_user(page="portfolio")
currency = ui.reporting_currency(db)
options = ui.cached(portfolio.filter_options, db, actor)

ui.forget_stale("portfolio")
t1, t2 = st.columns([5, 1], vertical_alignment="bottom")
t1.title("Portfolio")
with t2:
    ui_accounts.create_button(db, actor, "portfolio")
ui.show_outcome("portfolio")

# ---- filters: every widget is bound to the URL, so a copied link shows the same view ----------
FILTERS = dict(zip(portfolio.CHOICES, ("Manager", "Role", "Tier", "Scope", "Region", "Industry",
                                        "Status")))
with st.container(border=True):
    cols = st.columns(4)
    chosen = {}
    for i, (name, title) in enumerate(FILTERS.items()):
        chosen[name] = cols[i % 4].multiselect(
            title, options[name], key=f"portfolio_{name}", bind="query-params",
            format_func=portfolio.label, placeholder="All")
    search = cols[3].text_input("Account name contains", key="portfolio_q", bind="query-params",
                                max_chars=100)
    # Floats shown as whole numbers: Streamlit resets a float input to its default when the URL
    # gives `1e309` or `inf`, where an integer input lets the OverflowError end the page.
    quiet = cols[0].number_input("Not contacted for at least (days)", min_value=0.0,
                                 max_value=10_000.0, value=0.0, step=15.0, format="%.0f",
                                 key="portfolio_quiet", bind="query-params",
                                 help="0 shows all accounts; never-contacted accounts always match.")
    min_revenue = cols[1].number_input(f"Revenue YTD at least ({currency})", min_value=0.0,
                                       value=0.0, step=10_000.0, format="%.0f",
                                       key="portfolio_minrev", bind="query-params")
    sickest = cols[2].number_input(
        "Health at most", min_value=0.0, max_value=100.0, value=100.0, step=5.0, format="%.0f",
        key="portfolio_health", bind="query-params",
        help="100 shows all accounts. The health score runs from 0 to 100; an account is at "
             f"risk below {ui.cached(health.threshold, db):.0f}.")

conditions = tuple(Condition(n, "in", tuple(v)) for n, v in chosen.items() if v)
conditions += (Condition("name", "contains", search.strip()),)
if quiet:
    conditions += (Condition("days_since_contact", "gte", int(quiet)),)
if min_revenue:
    conditions += (Condition("revenue_ytd", "gte", float(min_revenue)),)

ui_portfolio.saved_views(db, actor, options)

query = portfolio.PortfolioQuery(conditions=conditions, currency=currency, today=date.today(),
                                 fiscal_start=ui.cached(fiscal_start_month, db))
if sickest < 100:
    with st.spinner("Scoring the accounts' health..."):
        query = ui.cached(portfolio.with_health, db, actor, query, int(sickest))
kpi = ui.cached(portfolio.kpis, db, actor, query)

st.caption(f"{query.ytd.label} · amounts in {currency} · "
           + (f"accounts where {query.sentence}" if query.sentence else "all accounts"))

# ---- KPIs -------------------------------------------------------------------------------------
k = st.columns(6)
k[0].metric("Accounts", f"{kpi['accounts']:,}")
k[1].metric("Revenue YTD", money(kpi["revenue_ytd"], currency),
            delta=money(kpi["revenue_ytd"] - kpi["target_ytd"], currency) + " vs target"
            if kpi["target_ytd"] else None)
k[2].metric("Target YTD", money(kpi["target_ytd"], currency))
k[3].metric("Attainment", percent(kpi["attainment"]))
k[4].metric("At risk", f"{kpi['at_risk']:,}",
            help="Accounts whose status is 'at risk'. The Health risk column marks accounts whose "
                 "health score is at risk.")
k[5].metric("Overdue", money(kpi["overdue_amount"], currency),
            help=f"{count(kpi['overdue_invoices'], 'invoice')} past their due date and not fully paid.")
if kpi["missing_fx"]:
    st.info(f"{count(kpi['missing_fx'], 'revenue row')} had no FX rate to {currency} and are "
            "left out of the totals.")

if not kpi["accounts"]:
    st.info("No account matches these filters. Clear a filter to see more.",
            icon=":material/filter_alt_off:")
    st.stop()

# ---- revenue vs target ------------------------------------------------------------------------
st.subheader(f"Revenue vs target, {query.ytd.year.label}")
ui.chart(charts.revenue_vs_target, ui.cached(portfolio.monthly, db, actor, query), currency,
         key="portfolio_chart")

# ---- the account table: sorted and paged in DuckDB --------------------------------------------
st.subheader("Accounts")
s1, s2, _ = st.columns([2, 1, 3])
sort = s1.selectbox("Sort by", list(portfolio.SORTS), format_func=portfolio.SORTS.get,
                    key="portfolio_sort", bind="query-params")
descending = s2.toggle("Largest first", value=True, key="portfolio_desc", bind="query-params")
pages = max(1, -(-kpi["accounts"] // PAGE_SIZE))
if st.session_state.get("portfolio_page", 1) > pages:  # the filter shrank the result
    st.session_state["portfolio_page"] = pages
page_no = st.session_state.get("portfolio_page", 1)
with st.spinner("Scoring the accounts' health..." if sort == "health" else "Reading the accounts..."):
    rows = ui.cached(portfolio.page, db, actor, query, sort=sort, descending=descending,
                     offset=(page_no - 1) * PAGE_SIZE, limit=PAGE_SIZE)
# Health is scored for the rows on this page only (or taken from every account's scores, when
# the health filter or sort or the Team review has them kept), cached per data version
ids = tuple(int(i) for i in rows["id"])
scored = ui.cached(health.scores_of, db, actor, query.today, ids) if ids else None
table = portfolio.for_display(rows, scored)
# A new key whenever the rows may differ, so a ticked row never silently points at another account
view_key = ui.digest(query, sort, descending, page_no, db.data_version)
picked = st.dataframe(
    table, hide_index=True, key=f"portfolio_table_{view_key}", height=min(38 + 35 * len(table), 640),
    on_select="ignore" if actor.role == "viewer" else "rerun", selection_mode="multi-row",
    column_config={
        "Open": st.column_config.LinkColumn(display_text="Open", width="small",
                                            help="Open the account's page"),
        "Health": st.column_config.ProgressColumn(
            format="%.0f", min_value=0, max_value=100, width="small",
            help="Health score, 0 to 100; open the account for 'Why this score'."),
        "Health risk": st.column_config.TextColumn(
            width="medium", help="What costs an at-risk account the most points (or its drop, for "
                                "a key account); empty when it is not at risk. Open the account "
                                "for every reason."),
        "Revenue YTD": st.column_config.NumberColumn(format="localized"),
        "Target YTD": st.column_config.NumberColumn(format="localized"),
        "Attainment": st.column_config.NumberColumn(format="percent"),
        "Overdue": st.column_config.NumberColumn(format="localized"),
        "Last contact": st.column_config.DateColumn(format="YYYY-MM-DD"),
    },
)
first = (page_no - 1) * PAGE_SIZE + 1
st.caption(f"Accounts {first:,}–{first + len(table) - 1:,} of {kpi['accounts']:,}")
if pages > 1:
    st.pagination(pages, key="portfolio_page")
if actor.role != "viewer":
    chosen_rows = rows.iloc[[i for i in picked.selection.rows if i < len(rows)]]
    st.caption("Tick rows in the table to reassign, re-tier or change the status of several accounts at once.")
    ui_accounts.bulk_panel(db, actor, dict(zip(chosen_rows["id"], chosen_rows["name"])))
