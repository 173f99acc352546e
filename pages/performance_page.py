"""Performance: revenue vs target with the run-rate projection, budgets and collections, for the
team, a manager, a tier, a region or one account, in the reporting currency."""
from datetime import date

import streamlit as st

from lib import budgets, charts, collections, performance, ui
from lib.formatting import count, money, percent, plain
from lib.periods import YearToDate, fiscal_start_month

actor = ui.current_user(page="performance")
db = ui.database()
currency = ui.reporting_currency(db)
today = date.today()
fiscal = ui.cached(fiscal_start_month, db)
ytd = YearToDate.as_of(today, fiscal)
MONEY = ui.MONEY
PERCENT = st.column_config.NumberColumn(format="percent")
LINK = st.column_config.LinkColumn(display_text="Open", width="small", help="Open the account's page")

st.title("Performance")


# ---- which accounts: a scope bound to the URL, so a link shows a colleague the same view --------
def pick_account(search_column, pick_column) -> tuple[int | None, str]:
    text = search_column.text_input("Find an account", key="performance_account_q", max_chars=100,
                                    placeholder="Name or external id")
    keep = (st.session_state.get("performance_account")
            or performance.account_id_in(st.query_params.get("performance_account")))
    choices = dict(ui.cached(performance.account_choices, db, actor, text, keep))
    if text.strip() and not any(i != keep for i in choices):  # the current pick stays listed
        search_column.caption("No account matches that search.")
    if not choices:
        st.info("There is no account to show yet.", icon=":material/search_off:")
        st.stop()
    chosen = pick_column.selectbox("Account", list(choices), format_func=choices.get,
                                   key="performance_account", bind="query-params")
    return chosen, choices.get(chosen, "")


def pick_scope() -> tuple[performance.Scope, str]:
    options = ui.cached(performance.scope_options, db, actor)
    c1, c2, c3 = st.columns([1, 2, 2])
    kind = c1.selectbox("Show", list(performance.KINDS), format_func=performance.KINDS.get,
                        key="performance_scope", bind="query-params")
    if kind == "team":
        return performance.Scope(), ""
    if kind == "account":
        value, shown = pick_account(c2, c3)
    else:
        labels = dict(options[kind])
        value = c2.selectbox(performance.KINDS[kind], list(labels), format_func=labels.get,
                             key=f"performance_{kind}", bind="query-params")
        shown = labels.get(value, "")
    if value is None:
        st.info(f"There is no {kind} to show yet.", icon=":material/search_off:")
        st.stop()
    return performance.Scope(kind, value), shown


scope, shown = pick_scope()
title = performance.scope_title(scope, shown)
st.caption(plain(f"{ytd.year.label}, complete months {ytd.label} · amounts in {currency} · {title}"))


def say_missing(rows: int, what: str) -> None:
    if rows:
        st.info(f"{count(rows, what)} had no FX rate to {currency} and are left out of the figures. "
                "An admin can add the rate under Settings → FX rates.", icon=":material/currency_exchange:")


# ---- revenue vs target --------------------------------------------------------------------------
def revenue_tab() -> None:
    view = ui.cached(performance.revenue_vs_target, db, actor, scope, currency=currency,
                     today=today, fiscal_start=fiscal)
    say_missing(view.missing_fx, "revenue or target row")
    t = view.totals
    if not t["has_revenue"] and not t["year_target"]:
        st.info(f"No revenue or targets recorded for {plain(title)} in {view.year_label} or the year "
                "before. Finance's monthly upload (or the demo portfolio) fills this view.")
        return
    if t["not_uploaded"] and t["through"]:
        st.info(f"Revenue for {', '.join(f'{m:%b %Y}' for m in t['not_uploaded'])} is not uploaded yet: "
                f"year to date runs through {t['through']:%b %Y} and the projection covers the rest.",
                icon=":material/upload_file:")
    q, y = t["quarter_end"], t["year_end"]
    k = st.columns(5)
    k[0].metric("Revenue YTD", money(t["ytd_actual"], currency),
                delta=money(t["ytd_actual"] - t["ytd_target"], currency) + " vs target"
                if t["ytd_target"] else None)
    k[1].metric("Target YTD", money(t["ytd_target"], currency))
    k[2].metric("Attainment YTD", percent(t["attainment"]))
    for column, period, estimate, share in ((k[3], view.quarter_label, q, t["quarter_attainment"]),
                                            (k[4], view.year_label, y, t["year_attainment"])):
        column.metric(f"Projected {period}", money(estimate.point, currency),
                      delta=None if share is None else f"{percent(share)} of target",
                      delta_color="normal" if (share or 0) >= 1 else "inverse", delta_arrow="off")
    st.caption(f"Quarter-end range {money(q.low, currency)} – {money(q.high, currency)}; "
               f"year-end range {money(y.low, currency)} – {money(y.high, currency)}. "
               f"Projected from {t['method']}.")
    left, right = st.columns([3, 2])
    ui.chart(charts.revenue_projection, view.months, currency, key="performance_revenue_chart", where=left)
    table = performance.revenue_table(view)
    right.dataframe(table, hide_index=True, key="performance_revenue_table",
                    column_config={c: PERCENT if "Attainment" in c else MONEY
                                   for c in table.columns if c != "Month"})


# ---- budgets ------------------------------------------------------------------------------------
def budgets_tab() -> None:
    view = ui.cached(budgets.budget_view, db, actor, scope, currency=currency, today=today,
                     fiscal_start=fiscal)
    say_missing(view.missing_fx, "budget row")
    if view.categories.empty:
        st.info(f"No budgets recorded for {plain(title)} in {ytd.year.label}.")
        return
    t = view.totals
    k = st.columns(5)
    k[0].metric("Budget for the year", money(t["budget_year"], currency))
    k[1].metric("Spend to date", money(t["spend_to_date"], currency),
                delta=money(t["spend_to_date"] - t["budget_to_date"], currency) + " vs budget to date",
                delta_color="inverse")
    k[2].metric("Burn", percent(t["burn"]), help="Spend to date as a share of the year's budget.")
    k[3].metric("Monthly burn rate", money(t["monthly_burn"], currency),
                help=f"The average month's spend over the {view.months_elapsed} complete months.")
    k[4].metric("Projected spend (year)", money(t["projected"], currency),
                delta=f"{money(t['over_by'], currency)} over budget" if t["over_by"] else "within budget",
                delta_color="inverse" if t["over_by"] else "normal", delta_arrow="off")
    left, right = st.columns([3, 2])
    ui.chart(charts.budget_vs_spend, view.months, currency, key="performance_budget_chart", where=left)
    right.dataframe(budgets.categories_for_display(view.categories), hide_index=True,
                    key="performance_budget_categories",
                    column_config={"Burn": PERCENT, **{c: MONEY for c in (
                        "Budget (year)", "Budget to date", "Spend to date", "Monthly burn rate",
                        "Projected (year)", "Over by")}})
    st.subheader("Accounts projected to overrun their budget")
    if not view.overrun_count:
        st.success(f"No account is projected to overrun its budget in {ytd.year.label}.")
    else:
        st.warning(f"{count(view.overrun_count, 'account')} projected to overrun by year end at the "
                   "pace so far" + (f"; the {len(view.overruns)} most over are listed."
                                    if view.overrun_count > len(view.overruns) else "."))
        st.dataframe(budgets.overruns_for_display(view.overruns, ytd.year.months), hide_index=True,
                     key="performance_overruns", column_config={"Open": LINK, **{c: MONEY for c in (
                         "Budget (year)", "Spend to date", "Projected (year)", "Over by")}})
    with st.expander("Budget and spend per month and category"):
        st.dataframe(budgets.months_for_display(view.months), hide_index=True,
                     key="performance_budget_months")


# ---- collections --------------------------------------------------------------------------------
def collections_tab() -> None:
    view = ui.cached(collections.collections_view, db, actor, scope, currency=currency, today=today)
    say_missing(view.missing_fx, "invoice")
    t = view.totals
    if not (t["open_invoices"] or t["sales"] or t["due"]):
        st.info(f"No open invoices and none issued or due in the last {collections.DSO_DAYS} days "
                f"for {plain(title)}.")
        return
    k = st.columns(5)
    k[0].metric("Receivables", money(t["receivables"], currency),
                help=f"{count(t['open_invoices'], 'open invoice')}, due or not.")
    k[1].metric("Overdue", money(t["overdue"], currency), help=count(t["overdue_invoices"], "invoice"))
    k[2].metric("Over 90 days", money(t["over_90"], currency))
    k[3].metric("Days sales outstanding", "—" if t["dso"] is None else f"{t['dso']:,.0f} days",
                help=f"Receivables ÷ invoiced in the last {collections.DSO_DAYS} days × "
                     f"{collections.DSO_DAYS}.")
    k[4].metric("Collection rate", percent(t["collection_rate"]),
                help=f"Of what fell due in the last {collections.DSO_DAYS} days, the share paid.")
    left, right = st.columns([3, 2])
    ui.chart(charts.ageing, view.buckets, currency, key="performance_ageing_chart", where=left)
    right.dataframe(collections.buckets_for_display(view.buckets), hide_index=True,
                    key="performance_ageing_table", column_config={"Open amount": MONEY})
    st.subheader("Top overdue accounts")
    if view.top_overdue.empty:
        st.success("No account has an overdue invoice.")
    else:
        st.dataframe(collections.accounts_for_display(view.top_overdue), hide_index=True,
                     key="performance_top_overdue", column_config={"Open": LINK, **{c: MONEY for c in (
                         "Overdue", "Over 90 days", "Receivables")}})
    st.subheader("By manager")
    st.dataframe(collections.managers_for_display(view.managers), hide_index=True,
                 key="performance_managers", column_config={
                     "Collection rate": PERCENT, "DSO (days)": st.column_config.NumberColumn(format="%.0f"),
                     **{c: MONEY for c in ("Receivables", "Overdue", "Over 90 days")}})


ui.lazy_tabs({"Revenue vs target": revenue_tab, "Budgets": budgets_tab,
              "Collections": collections_tab}, "performance_tab")  # each its own queries
