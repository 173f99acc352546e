"""The Compensation page's sections: one manager's pay and why, what-if, moving accounts between
managers, the team's cost, and bonuses and clawbacks."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import streamlit as st

from lib import charts, comp_statement, comp_team, comp_whatif, compensation, ui
from lib.commission import money
from lib.commission_text import pct
from lib.compensation import Statement
from lib.formatting import plain
from lib.permissions import NONE, can, scope
from lib.users import Actor

MONEY = ui.CENTS
PCT = st.column_config.NumberColumn(format="%.1f%%")
STATUS = {"closed": "Closed", "open": "Open", "future": "To come"}


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.1f}%"


# ---- one manager's pay ----------------------------------------------------------------------------
def pay_section(s: Statement) -> None:
    pay = s.current
    if pay is None:
        st.info(f"No pay period of {s.year.label} holds the chosen date.")
        return
    st.caption(plain(f"{pay.period.label} · {pay.plan_name or 'no plan'} · amounts in "
                     f"{s.currency} · actual through {_month(s.closed_through)}, the months to "
                     f"come projected from {s.method}"))
    if s.missing_fx:
        st.warning(f"{s.missing_fx} revenue or target rows have no exchange rate to {s.currency} "
                   "and are left out. An admin can add the rate under Settings → FX rates.")
    if pay.problem:
        st.warning(plain(pay.problem))
    if pay.to_date is None:
        _periods_table(s)
        return
    end = pay.at_end
    c = st.columns(3)
    c[0].metric("Base this period", money(end.base, s.currency))
    c[1].metric("Commission earned to date", money(pay.to_date.result.commission, s.currency),
                help="On revenue credited in the closed months, against the whole period's quota.")
    c[2].metric("Attainment to date", _pct(pay.attainment))
    c = st.columns(3)
    c[0].metric("Projected attainment", _pct(pay.projected_attainment))
    c[1].metric("Projected total this period", money(end.total_compensation, s.currency),
                help="Base + projected commission, bonuses and clawbacks.")
    c[2].metric(f"Projected total {s.year.label}", money(s.projected_total_year, s.currency),
                help="Closed periods as paid, this one and those to come as projected.")
    left, right = st.columns([3, 2])
    with left:
        st.subheader(pay.why_heading)
        for sentence in pay.why:
            st.markdown(f"- {plain(sentence)}")
        bands = pd.DataFrame([{"Band": ln.band.label, "Revenue in band": ln.revenue,
                               "Rate": pct(ln.rate_pct), "Commission": ln.amount}
                              for ln in end.result.lines])
        if not bands.empty:
            st.dataframe(bands, hide_index=True, key="comp_bands",
                         column_config={"Revenue in band": MONEY, "Commission": MONEY})
    with right:
        points, marks = comp_whatif.curve(pay)
        st.subheader("Payout curve")
        ui.chart(charts.payout_curve, points, marks, s.currency, key="comp_curve", width="stretch")
    _periods_table(s)
    st.download_button("Download statement (XLSX)", lambda: comp_statement.statement_xlsx(s),
                       file_name=comp_statement.file_name(s), key="comp_statement",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       on_click="ignore", icon=":material/download:")  # built when clicked


def _month(month: date | None) -> str:
    return "no month yet" if month is None else f"{month:%B %Y}"


def _periods_table(s: Statement) -> None:
    st.subheader(f"{s.year.label} period by period")
    rows = [{"Period": p.period.label, "Status": STATUS[p.status], "Quota": p.quota,
             "Credited": p.actual, "Projected": p.projected,
             "Attainment": p.projected_attainment,
             "Commission": None if p.at_end is None else p.at_end.result.commission,
             "Total": None if p.at_end is None else p.at_end.total_compensation}
            for p in s.periods]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="comp_periods", placeholder="—",
                 column_config={k: MONEY for k in ("Quota", "Credited", "Projected",
                                                   "Commission", "Total")}
                 | {"Attainment": PCT})


# ---- what-if --------------------------------------------------------------------------------------
def what_if_section(s: Statement) -> None:
    pay = s.current
    if pay is None or pay.at_end is None:
        st.info("What-if needs a plan and a quota for the period; see the Pay tab.")
        return
    c1, c2 = st.columns(2)
    extra = c1.number_input(f"If I book another ({s.currency})", min_value=0.0, step=1000.0,
                            value=0.0, key="comp_whatif_extra", format="%.2f")
    more = comp_whatif.what_if_more(pay, Decimal(str(extra)))
    gain = more.result.commission - pay.at_end.result.commission
    c1.metric("Projected commission", money(more.result.commission, s.currency),
              delta=f"{money(gain, s.currency)} more" if gain else None)
    start = float(round(pay.projected_attainment or 0, 0))
    target = c2.slider("If attainment reaches (%)", min_value=0.0, max_value=250.0,
                       value=min(250.0, start), step=1.0, key="comp_whatif_pct")
    reached = comp_whatif.what_if_attainment(pay, Decimal(str(target)))
    c2.metric("Commission at that attainment", money(reached.result.commission, s.currency))
    points, marks = comp_whatif.curve(pay, more if extra else reached)
    ui.chart(charts.payout_curve, points, marks, s.currency, key="comp_whatif_curve",
             width="stretch")
    with st.expander("Why the what-if pays this"):
        for sentence in (more if extra else reached).explanation:
            st.markdown(f"- {plain(sentence)}")
    st.subheader("What each account is worth to you this period")
    st.caption("Projected revenue per account, and how much lower the projected commission would "
               "be without it.")
    table = s.accounts.rename(columns={"account": "Account", "actual": "Credited so far",
                                       "projected": "Projected", "worth": "Worth to you"})
    if table.empty:
        st.info("No revenue is credited or projected for this period yet.")
        return
    table["Open"] = "/account?account=" + table["account_id"].astype(str)
    st.dataframe(table.drop(columns=["account_id"]), hide_index=True, key="comp_accounts",
                 column_config={"Credited so far": MONEY, "Projected": MONEY,
                                "Worth to you": MONEY,
                                "Open": st.column_config.LinkColumn(display_text="Open")})


# ---- moving accounts ------------------------------------------------------------------------------
def territory_section(db, actor: Actor, today: date, managers: dict[int, str]) -> None:
    st.caption("Pick accounts to move from one manager to another and see what it does to both "
               "before anything is saved. A move counts from the first full month it covers.")
    ui.show_outcome("comp_territory")
    if len(managers) < 2:
        st.info("Moving accounts needs at least two managers you can see.")
        return
    ids = list(managers)
    c1, c2 = st.columns(2)
    source = c1.selectbox("From", ids, format_func=managers.get, key="comp_territory_from")
    target = c2.selectbox("To", [i for i in ids if i != source], format_func=managers.get,
                          key="comp_territory_to")
    book = ui.cached(compensation.statement, db, actor, source, today).accounts
    if book.empty:
        st.info(plain(f"{managers[source]} has no revenue credited or projected this period."))
        return
    names = dict(zip(book["account_id"], book["account"]))
    chosen = st.multiselect("Accounts to move", list(names), format_func=names.get,
                            key=f"comp_territory_accounts_{source}")
    if not chosen:
        return
    try:
        before_after = ui.cached(comp_team.territory_what_if, db, actor, tuple(chosen), source,
                                 target, today)
    except Exception as exc:  # noqa: BLE001 - shown in words by show_error
        ui.show_error(exc)
        return
    rows = []
    for change in before_after:
        b, a = change.before.current, change.after.current
        if b is None or b.at_end is None or a.at_end is None:
            rows.append({"Manager": change.name, "Attainment now": None, "Attainment after": None,
                         "Projected commission now": None, "After": None, "Change": None})
            continue
        rows.append({"Manager": change.name, "Attainment now": b.projected_attainment,
                     "Attainment after": a.projected_attainment,
                     "Projected commission now": b.at_end.result.commission,
                     "After": a.at_end.result.commission,
                     "Change": a.at_end.result.commission - b.at_end.result.commission,
                     "Currency": change.currency})
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="comp_territory_table", placeholder="—",
                 column_config={"Attainment now": PCT, "Attainment after": PCT,
                                "Projected commission now": MONEY, "After": MONEY,
                                "Change": MONEY})
    c1, c2 = st.columns(2)
    sure = c1.checkbox(plain(f"Yes, move {len(chosen)} account(s) to {managers[target]}"),
                       key="comp_territory_sure")
    if c1.button("Apply the move", type="primary", disabled=not sure, key="comp_territory_apply"):
        if ui.attempt(lambda: comp_team.apply_territory(db, actor, list(chosen), target, today)):
            ui.finish("comp_territory", "success",
                      f"Moved {len(chosen)} account(s) to {managers[target]}.",
                      f"comp_territory_accounts_{source}", "comp_territory_sure")
    if c2.button("Discard", key="comp_territory_discard"):
        ui.finish("comp_territory", "info", "Nothing was moved.",
                  f"comp_territory_accounts_{source}", "comp_territory_sure")


# ---- the team -------------------------------------------------------------------------------------
def team_section(db, actor: Actor, today: date, currency: str) -> None:
    view = ui.cached(comp_team.team_view, db, actor, today, currency)
    if view.table.empty:
        st.info("Nobody you can see is on a compensation plan yet. Add one under Plans.")
        return
    c = st.columns(3)
    c[0].metric(f"Projected team pay {view.year.label}", money(view.total, currency))
    if view.budget_in_currency is not None:
        left = view.budget_in_currency - view.total
        c[1].metric("Budget", money(view.budget_in_currency, currency))
        c[2].metric("Headroom" if left >= 0 else "Over budget", money(abs(left), currency))
    else:
        c[1].metric("Budget", "not set")
    if view.missing_fx:
        st.warning(plain("Left out of the total for want of an exchange rate: "
                         + ", ".join(view.missing_fx)))
    table = view.table.rename(columns={
        "manager": "Manager", "plan_currency": "Currency", "attainment": "Projected attainment",
        "base": "Base (year)", "variable": "Projected variable pay", "total": "Projected total",
        "total_in_currency": f"Projected total ({currency})"})
    st.dataframe(table.drop(columns=["manager_id"]), hide_index=True, key="comp_team_table",
                 placeholder="—",
                 column_config={"Projected attainment": PCT, "Base (year)": MONEY,
                                "Projected variable pay": MONEY, "Projected total": MONEY,
                                f"Projected total ({currency})": MONEY})
    if scope(actor, "edit_plans") != NONE:
        _budget_form(db, actor, view, currency)


def _budget_form(db, actor: Actor, view, currency: str) -> None:
    budget = view.budget
    with st.form("comp_budget_form"):
        st.markdown(f"**Team pay budget for {view.year.label}**")
        c1, c2 = st.columns(2)
        amount = c1.text_input("Amount", value="" if budget is None else f"{budget['amount']}",
                               key="comp_budget_amount")
        cur = c2.text_input("Currency", value=currency if budget is None else budget["currency"],
                            key="comp_budget_currency", max_chars=3)
        if st.form_submit_button("Save budget"):
            version = None if budget is None else budget["version"]
            if ui.attempt(lambda: comp_team.set_budget(db, actor, view.year.start_year, amount,
                                                       cur.strip().upper(), version)):
                ui.finish("comp_budget", "success", "Budget saved.")
    ui.show_outcome("comp_budget")


def market_section(db, actor: Actor, s: Statement, today: date) -> None:
    st.subheader("Against the market")
    table = comp_team.market_comparison(db, actor, s, today)
    if table.empty:
        st.info(f"No exchange rates to show the references in {s.currency}.")
        return
    st.caption(plain(f"Public salary surveys in {s.currency} at this month's rates. "
                     f"{s.manager_name}: base {money(s.base_year, s.currency)}, projected total "
                     f"{money(s.projected_total_year, s.currency)} for {s.year.label}. "
                     "★ marks the references for their country and experience."))
    table = table.assign(reference=[("★ " if c else "") + r for r, c in
                                    zip(table["reference"], table["closest"])])
    st.dataframe(table.drop(columns=["closest"]).rename(columns={
        "reference": "Reference", "base": "Base", "commission": "Commission",
        "total": "Base + commission"}), hide_index=True, key="comp_market", placeholder="—",
        column_config={"Commission": MONEY, "Base + commission": MONEY})


# ---- bonuses and clawbacks ------------------------------------------------------------------------
def adjustments_section(db, actor: Actor, s: Statement, today: date) -> None:
    st.subheader("Bonuses and clawbacks")
    ui.show_outcome("comp_adjust")
    table = ui.cached(comp_team.adjustments, db, actor, s.manager_id)
    live = table[table["deleted_at"].isna()] if not table.empty else table
    if live.empty:
        st.caption("None recorded.")
    else:
        shown = live.assign(kind=live["kind"].str.capitalize())
        st.dataframe(shown[["period_start", "kind", "amount", "rate_pct", "note", "recorded_by"]]
                     .rename(columns={"period_start": "Paid with period starting", "kind": "Kind",
                                      "amount": "Amount / reversed revenue", "rate_pct": "Rate",
                                      "note": "Note", "recorded_by": "Recorded by"}),
                     hide_index=True, key="comp_adjust_table",
                     column_config={"Amount / reversed revenue": MONEY, "Rate": PCT})
    if not can(actor, "edit_plans", owner_manager_id=s.manager_id,
               team=ui.cached(_team, db, actor)):
        return
    bonus, clawback, remove = st.tabs(["Add a bonus", "Add a clawback", "Remove one"])
    with bonus, st.form("comp_bonus_form"):
        amount = st.text_input(f"Amount ({s.currency})", key=ui.fresh("comp_bonus_amount"))
        note = st.text_input("What for", key=ui.fresh("comp_bonus_note"),
                             placeholder="e.g. Q4 SPIF: three-year renewals")
        if st.form_submit_button("Add bonus to this period"):
            if ui.attempt(lambda: comp_team.record_bonus(db, actor, s.manager_id, today, amount,
                                                         note)):
                ui.renew("comp_bonus_amount")
                ui.renew("comp_bonus_note")
                ui.finish("comp_adjust", "success", "Bonus added.")
    with clawback, st.form("comp_clawback_form"):
        closed = [p for p in s.periods if p.status == "closed" and p.to_date is not None]
        if not closed:
            st.caption("No closed period of this year has paid commission yet.")
        original = st.selectbox("Revenue reversed from", [p.period.first for p in closed],
                                format_func=lambda d: next(p.period.label for p in closed
                                                           if p.period.first == d),
                                key="comp_clawback_period")
        reversed_revenue = st.text_input(f"Revenue reversed ({s.currency})",
                                         key=ui.fresh("comp_clawback_amount"))
        note = st.text_input("Why (e.g. the credit note)", key=ui.fresh("comp_clawback_note"))
        if st.form_submit_button("Take back at the original rate"):
            if original is None:
                st.error("Choose the period the revenue was reversed from.")
            elif ui.attempt(lambda: comp_team.record_clawback(db, actor, s.manager_id, today,
                                                              original, reversed_revenue, note)):
                ui.renew("comp_clawback_amount")
                ui.renew("comp_clawback_note")
                ui.finish("comp_adjust", "success", "Clawback recorded.")
    with remove:
        if live.empty:
            st.caption("Nothing to remove.")
        else:
            labels = {int(r.id): f"{r.kind} {r.amount:,.2f}: {r.note}" for r in live.itertuples()}
            which = st.selectbox("Bonus or clawback", list(labels), format_func=labels.get,
                                 key="comp_adjust_remove")
            if st.button("Remove", key="comp_adjust_remove_button"):
                if ui.attempt(lambda: comp_team.delete_adjustment(db, actor, which)):
                    ui.finish("comp_adjust", "success", "Removed.")


def _team(db, actor: Actor):
    from lib.permissions import team_for
    return team_for(db, actor)
