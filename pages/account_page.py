"""Account 360: everything about one account on one screen (?account=<id> links here)."""
from datetime import date

import streamlit as st

from lib import account_view as view
from lib import charts, interactions, ui, ui_accounts, ui_contacts, ui_interactions
from lib.errors import NotFound
from lib.formatting import count, money, percent, plain
from lib.periods import fiscal_start_month
from lib.portfolio import label

actor = ui.current_user(page="account")
db = ui.database()
today = date.today()
fiscal = ui.cached(fiscal_start_month, db)
ui.forget_stale("account_log")
ui.show_outcome("account_log")

# ---- which account: the URL, or a search ----------------------------------------------------
try:
    account_id = view.parse_account_id(st.query_params.get("account"))
except NotFound as exc:
    st.warning(str(exc))
    account_id = None
if account_id is None:
    st.title("Account")
    found = ui.cached(view.search, db, actor, st.text_input(
        "Find an account by name or external id", key="account_search", max_chars=100))
    for found_id, text in found:
        ui.account_link(plain(text), found_id, key=f"account_found_{found_id}")
    if st.session_state.get("account_search") and not found:
        st.info("No account matches that name.")
    ui_accounts.create_button(db, actor, "account")
    st.stop()

try:
    head = ui.cached(view.header, db, actor, account_id)
except NotFound as exc:
    st.title("Account")
    st.error(str(exc))
    st.stop()

cur = head["currency"]
st.title(plain(head["name"]))
st.caption(plain(" · ".join(str(x) for x in (
    f"{label(head['tier'])} account", label(head["scope"]), label(head["status"]),
    f"owner {head['owner'] or 'none'}" + (f" ({head['owner_role']})" if head["owner_role"] else ""),
    head["industry"], ", ".join(x for x in (head["region"], head["country"]) if x), cur,
    head["external_id"]) if x)))
if head["archived"]:
    st.warning("This account is archived: it is kept for history and left out of the portfolio.")

# ---- KPIs -------------------------------------------------------------------------------------
k = ui.cached(view.kpis, db, actor, account_id, today=today, fiscal_start=fiscal)
row = [*st.columns(4), *st.columns(4)]   # in one row of eight, "76 days" read "76 d..."
row[0].metric("Revenue YTD", money(k["revenue_ytd"], cur),
              delta=money(k["revenue_ytd"] - k["target_ytd"], cur) if k["target_ytd"] else None,
              help="The delta is against the target for the same months.")
row[1].metric("Attainment", percent(k["attainment"]))
row[2].metric("Last 12 months", money(k["revenue_12m"], cur),
              delta=percent(k["revenue_trend"]) if k["revenue_trend"] is not None else None,
              help="The delta compares with the 12 months before.")
row[3].metric("Overdue", money(k["overdue_amount"], cur), help=count(k["overdue_count"], "invoice"))
days = k["days_since_contact"]
row[4].metric("Last contact", "never" if days is None else f"{days} days",
              delta=("over" if k["contact_overdue"] else "within") + f" {k['contact_policy_days']} days",
              delta_color="inverse" if k["contact_overdue"] else "normal",
              help=f"This tier's contact policy is every {k['contact_policy_days']} days.")
row[5].metric("Open escalations", f"{k['open_escalations']:,}")
row[6].metric("Budget used", percent(k["budget_used"]),
              help=f"{money(k['budget_spend'], cur)} of {money(k['budget_year'], cur)} this fiscal year")
ui_accounts.health_panel(db, actor, account_id, today, row[7])

# ---- the rest, one tab each: only the open tab runs (its name is in the URL) -----------------
def revenue_tab() -> None:
    months = ui.cached(view.monthly, db, actor, account_id, today=today, fiscal_start=fiscal)
    ui.chart(charts.revenue_vs_target, months, cur, key="account_chart")


def interactions_tab() -> None:
    if not head["archived"] and ui_interactions.may_record(db, actor, head["owner_id"]):
        with st.expander("Record an interaction", icon=":material/add_comment:"):
            ui_interactions.record(db, actor, "account_new", head)
        with st.expander("Plan a visit or meeting", icon=":material/event:"):
            ui_interactions.record(db, actor, "account_plan", head, planned=True)
    kinds = st.multiselect("Types", ui_interactions.TYPES, key="account_types",
                           format_func=ui_interactions.label, placeholder="All types")
    events = ui.cached(interactions.timeline, db, actor, account_id, tuple(kinds))
    if events.empty:
        st.info("No interactions recorded" + (" of these types." if kinds else "."))
    else:
        st.dataframe(ui_interactions.timeline_table(events), hide_index=True, key="account_timeline",
                     column_config={"When": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})
        ui_interactions.entry_actions(db, actor, head, events)
    ui_interactions.deleted_entries(db, actor, account_id)


def budget_tab() -> None:
    spend = ui.cached(view.budget_vs_spend, db, actor, account_id, today=today, fiscal_start=fiscal)
    if spend.empty:
        st.info("No budget for this account this fiscal year.")
        return
    for category, by in view.overruns(spend):
        st.warning(f"{category} is projected to overrun its budget by {money(by, cur)} by year end.")
    st.dataframe(view.budget_for_display(spend), hide_index=True, key="account_budget",
                 column_config={"Burn": st.column_config.NumberColumn(format="percent"),
                                **{c: ui.MONEY for c in ("Budget (year)", "Budget to date",
                                                         "Spend to date", "Projected (year)",
                                                         "Over by")}})


def invoices_tab() -> None:
    bills = ui.cached(view.invoices, db, actor, account_id, today=today)
    if bills.empty:
        st.info("No open invoices.")
    else:
        day = st.column_config.DateColumn(format="YYYY-MM-DD")
        st.dataframe(view.invoices_for_display(bills), hide_index=True, key="account_invoices",
                     column_config={"Issued": day, "Due": day, "Amount": ui.CENTS, "Paid": ui.CENTS,
                                    "Open": ui.CENTS})


def family_tab() -> None:
    fam = ui.cached(view.family, db, actor, account_id)
    if fam["parent"]:
        ui.account_link(f"Parent: {plain(fam['parent']['name'])}", fam["parent"]["id"],
                        key="account_parent")
    for sub in fam["subsidiaries"]:
        ui.account_link(f"Subsidiary: {plain(sub['name'])}", sub["id"], key=f"account_sub_{sub['id']}")
    if not (fam["parent"] or fam["subsidiaries"]):
        st.write("No parent or subsidiaries.")
    for line in head["history"] or ["No owner, tier or status changes recorded."]:
        st.write(plain(line))


def edit_tab() -> None:
    if not head["archived"]:
        ui_accounts.edit_panel(db, actor, head)
    ui_accounts.archive_panel(db, actor, head)


# Another account opens on its first tab, unless its address names one.
if st.session_state.get("account_tab_of") != account_id and "account_tab" not in st.query_params:
    st.session_state.pop("account_tab", None)
st.session_state["account_tab_of"] = account_id
ui.lazy_tabs({"Revenue vs target": revenue_tab,
              "Stakeholders": lambda: ui_contacts.stakeholders(db, actor, head),
              "Interactions": interactions_tab, "Budget": budget_tab, "Invoices": invoices_tab,
              "Family and history": family_tab, "Edit": edit_tab}, "account_tab")
