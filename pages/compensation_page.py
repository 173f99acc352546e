"""Compensation: what a manager's plan pays, why, and what-if; for directors and admins also the
team's cost, moving accounts between managers, bonuses and clawbacks, and the plans."""
from datetime import date

import streamlit as st

from lib import compensation, ui, ui_comp_plans, ui_compensation as pay_ui
from lib.formatting import plain
from lib.periods import FiscalYear, fiscal_start_month, pay_period_of, pay_periods
from lib.permissions import NONE, scope

actor = ui.current_user(page="compensation")
db = ui.database()
today = date.today()
for prefix in ("comp_territory", "comp_adjust", "comp_budget"):
    ui.forget_stale(prefix)

st.title("Compensation")
managers = ui.cached(compensation.visible_managers, db, actor)
lead = scope(actor, "edit_plans") != NONE
if not managers:
    st.info("There is nobody whose pay you can see yet.")
    if lead:
        ui_comp_plans.plans_section(db, actor)
    st.stop()

ids = list(managers)
paid = ui.cached(compensation.paid_managers, db)
default = next((i for i in [actor.manager_id, *ids] if i in paid and i in ids), ids[0])
c1, c2 = st.columns([2, 2])
if len(ids) > 1:
    manager_id = c1.selectbox("Manager", ids, format_func=managers.get, key="comp_manager",
                              index=ids.index(default),
                              bind="query-params")
else:
    manager_id = ids[0]
    c1.markdown(f"**{plain(managers[manager_id])}**")

# The periods of this fiscal year and the last, in the pay period of the plan in force today.
fiscal = ui.cached(fiscal_start_month, db)
this_year = FiscalYear.containing(today, fiscal)
kind = ui.cached(compensation.pay_period_kind, db, actor, manager_id, today)
choices = {p.first.isoformat(): p.label
           for year in (this_year, this_year.previous()) for p in pay_periods(kind, year)}
now = pay_period_of(kind, today, fiscal).first.isoformat()
period_key = c2.selectbox("Pay period", list(choices), format_func=choices.get,
                          index=list(choices).index(now), key=f"comp_period_{kind}")
# The current period is as of today: every manager's such statement is kept (lib.warmup)
s = ui.cached(compensation.statement, db, actor, manager_id, today,
              focus=None if period_key == now else date.fromisoformat(period_key))

def pay_tab() -> None:
    pay_ui.pay_section(s)
    pay_ui.adjustments_section(db, actor, s, today)


def team_tab() -> None:
    pay_ui.team_section(db, actor, today, ui.reporting_currency(db))
    pay_ui.market_section(db, actor, s, today)


sections = {"Pay": pay_tab, "What-if": lambda: pay_ui.what_if_section(s)}
if lead:
    sections |= {"Team": team_tab,
                 "Move accounts": lambda: pay_ui.territory_section(db, actor, today, managers),
                 "Plans": lambda: ui_comp_plans.plans_section(db, actor)}
ui.lazy_tabs(sections, "comp_tab")  # the Team tab works out every manager's pay statement
