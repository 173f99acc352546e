"""Compensation plan administration for directors and admins: plans, their revisions, and who
is paid by which. The compensation page shows `plans_section` in its "Plans" tab."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st

from lib import comp_plan_admin, comp_plan_checks, comp_plans, ui
from lib.commission_text import money, num
from lib.db import Database
from lib.errors import NotAllowed
from lib.formatting import plain
from lib.models import CURRENCIES
from lib.periods import add_months
from lib.users import Actor

PREFIX = "comp_plans"
METHOD_LABELS = {"marginal": "Marginal: each band pays on the revenue inside it",
                 "retroactive": "Retroactive: the band reached pays on all revenue"}
CAP_LABELS = {None: "No cap", "amount": "An amount per period", "multiple": "A multiple of target commission"}
FIELD_LABELS = {"name": "Name", "currency": "Currency", "period": "Pay period", "method": "Method",
                "threshold_pct": "Threshold %", "cap_kind": "Cap", "cap_value": "Cap value",
                "hard_stop_pct": "Hard stop %", "draw_amount": "Draw", "draw_recoverable": "Draw recoverable",
                "bands": "Bands", "effective_from": "Effective from"}
BAND_COLUMNS = {"lower_pct": "Lower %", "upper_pct": "Upper %", "rate_pct": "Rate %"}


def plans_section(db: Database, actor: Actor) -> None:
    """Plans, their rules and revisions, and assignments; a refusal for anyone else."""
    try:
        table = ui.cached(comp_plan_admin.plans_table, db, actor, today=date.today())
    except NotAllowed as exc:
        st.info(str(exc), icon=":material/block:")
        return
    ui.forget_stale(PREFIX)
    ui.show_outcome(PREFIX)
    st.subheader("Plans")
    if table.empty:
        st.info("No compensation plans yet: create the first one below.")
    else:
        st.dataframe(_plans_for_display(table), hide_index=True, key="comp_plans_table", placeholder="—")
        names = dict(zip(table["plan_id"], table["name"]))
        plan_id = st.selectbox("Plan to edit", list(names), format_func=lambda i: names[i],
                               key="comp_plans_pick")
        _edit_panel(db, actor, plan_id)
    with st.expander("New plan", icon=":material/add:"):
        _new_plan(db, actor)
    st.subheader("Who is paid by which plan")
    _assign_form(db, actor, table)
    _assignments(db, actor)


# ---- one plan's rules ---------------------------------------------------------------------------
def _plan_fields(key: str, start: dict[str, Any], bands: list) -> tuple[dict[str, Any], list[dict]]:
    """The plan's fields and bands grid, prefilled from `start`; returns what is typed."""
    c1, c2, c3 = st.columns([2, 1, 1])
    values: dict[str, Any] = {
        "name": c1.text_input("Name", value=start.get("name") or "", max_chars=200, key=f"{key}_name"),
        "currency": c2.selectbox("Currency", CURRENCIES, index=_at(CURRENCIES, start.get("currency")),
                                 key=f"{key}_currency"),
        "period": c3.selectbox("Pay period", comp_plan_checks.PERIODS, key=f"{key}_period",
                               index=_at(comp_plan_checks.PERIODS, start.get("period"), 1),
                               format_func=str.capitalize),
        "role_title": start.get("role_title")}
    values["method"] = st.radio("Method", comp_plan_checks.METHODS, format_func=METHOD_LABELS.get, horizontal=True,
                                index=_at(comp_plan_checks.METHODS, start.get("method")), key=f"{key}_method")
    c1, c2, c3, c4 = st.columns(4)
    values["threshold_pct"] = c1.text_input("Threshold % (blank: none)", value=_text(start.get("threshold_pct")),
                                            key=f"{key}_threshold", help="Below this attainment nothing is paid.")
    kinds = list(CAP_LABELS)
    values["cap_kind"] = c2.selectbox("Cap", kinds, index=_at(kinds, start.get("cap_kind")),
                                      format_func=CAP_LABELS.get, key=f"{key}_cap_kind")
    values["cap_value"] = c3.text_input("Cap value", value=_text(start.get("cap_value")), key=f"{key}_cap_value",
                                        help="Money in the plan's currency, or e.g. 2 for twice target commission.")
    values["hard_stop_pct"] = c4.text_input("Hard stop % (blank: none)", value=_text(start.get("hard_stop_pct")),
                                            key=f"{key}_hard_stop", help="Revenue above it earns nothing.")
    c1, c2 = st.columns(2)
    values["draw_amount"] = c1.text_input("Draw per pay period (blank: none)", key=f"{key}_draw",
                                          value=_text(start.get("draw_amount")))
    values["draw_recoverable"] = c2.checkbox("The draw is recoverable (repaid from later earnings)",
                                             value=bool(start.get("draw_recoverable")), key=f"{key}_recoverable")
    st.markdown("**Commission bands** (attainment % of quota; a blank upper % means no upper limit)")
    grid = pd.DataFrame([{"lower_pct": _float(b.lower_pct), "upper_pct": _float(b.upper_pct),
                          "rate_pct": _float(b.rate_pct)} for b in bands], columns=list(BAND_COLUMNS))
    number = st.column_config.NumberColumn
    edited = st.data_editor(grid, key=f"{key}_bands", num_rows="dynamic", hide_index=True, placeholder="—",
                            # four decimals: the columns hold them, and real rates use them (0.1752%)
                            column_config={c: number(label, min_value=0, step=0.0001, format="%.4g")
                                           for c, label in BAND_COLUMNS.items()})
    return values, edited.to_dict("records")


def _edit_panel(db: Database, actor: Actor, plan_id: int) -> None:
    plan = ui.cached(comp_plan_admin.plan_for_editing, db, plan_id)
    record = plan["record"]
    base = f"comp_plans_edit_{plan_id}"
    version = ui.loaded_version(base, plan["version"])
    with st.container(border=True):
        values, bands = _plan_fields(base, record, plan["bands"])
        effective = st.date_input(
            "Effective from", value=record["effective_from"], key=f"{base}_effective",
            min_value=date(2000, 1, 1), max_value=date(2100, 12, 31),
            help="Keep the latest revision's date to correct it; the first day of a later pay period "
                 "starts a new revision, and periods before it keep the rules they were paid by.")
        saved = st.button("Save plan", type="primary", icon=":material/save:", key=f"{base}_save")
    ui.resolve_conflict(base, PREFIX, "compensation plan",
                        lambda theirs: _differences(values, bands, effective, theirs))
    if saved:
        written: list[int] = []
        if ui.save_form(base, lambda: written.append(comp_plan_admin.revise_plan(
                db, actor, plan_id, version, values, bands, effective))):
            how = "as a new revision" if written[0] != record["id"] else "in its current revision"
            ui.finish(PREFIX, "success", f"Saved {plain(values['name'])} {how}, from {effective:%d %b %Y}.",
                      *ui.form_keys(base))
    _revisions(plan["revisions"])


def _revisions(revisions: list[dict[str, Any]]) -> None:
    st.caption("Revisions: each pay period is paid by the revision in force on its first day.")
    st.dataframe(pd.DataFrame([{"Applies from": r["effective_from"], "Name": r["name"], "Saved by": r["saved_by"],
                                "Saved at (UTC)": r["saved_at"]} for r in revisions]),
                 hide_index=True, key="comp_plans_revisions")


def _differences(values: dict[str, Any], bands: list[dict], effective: date,
                 theirs: dict[str, Any]) -> list[dict[str, str]]:
    mine = {**values, "bands": _bands_text(bands), "effective_from": effective}
    if not str(mine["draw_amount"] or "").strip():
        mine["draw_recoverable"] = None  # without a draw it is not stored
    rows = []
    for field, label in FIELD_LABELS.items():
        a, b = _shown(mine.get(field)), _shown(theirs.get(field))
        if a != b:
            rows.append({"Field": label, "Yours (not saved)": a, "Theirs (saved)": b})
    return rows


def _bands_text(bands: list[dict]) -> str:
    clean, problems = comp_plan_checks.parse_bands(bands)
    return "(not valid as typed)" if problems else comp_plan_checks.bands_text(clean)


# ---- a new plan ---------------------------------------------------------------------------------
def _new_plan(db: Database, actor: Actor) -> None:
    base = ui.fresh("comp_plans_new")
    start = {"currency": "USD", "period": "quarter", "method": "marginal"}
    values, bands = _plan_fields(base, start, [comp_plans.Band(Decimal(0), None, Decimal(0))])
    if st.button("Create plan", type="primary", key=f"{base}_create", icon=":material/add:"):
        if ui.attempt(lambda: comp_plan_admin.create_plan(db, actor, values, bands)):
            ui.renew("comp_plans_new")
            ui.finish(PREFIX, "success", f"Created {plain(values['name'])}.")


# ---- assignments --------------------------------------------------------------------------------
def _assign_form(db: Database, actor: Actor, plans: pd.DataFrame) -> None:
    managers = ui.cached(comp_plan_admin.assignable_managers, db, actor)
    if not managers or plans.empty:
        st.caption("Assigning a plan needs a plan and an account manager you may pay.")
        return
    names = {i: n if c in n else f"{n} ({c})" for i, n, c in zip(plans["plan_id"], plans["name"], plans["currency"])}
    base = ui.fresh("comp_plans_assign")
    with st.form(base, border=True, enter_to_submit=False):
        st.markdown("**Assign a manager**")
        c1, c2 = st.columns(2)
        manager = c1.selectbox("Manager", list(managers), format_func=managers.get, key=f"{base}_manager")
        plan = c2.selectbox("Plan", list(names), format_func=names.get, key=f"{base}_plan")
        c1, c2 = st.columns(2)
        salary = c1.text_input("Yearly base salary, in the plan's currency", key=f"{base}_salary",
                               placeholder="85000")
        effective = c2.date_input("Effective from", value=add_months(date.today().replace(day=1), 1),
                                  min_value=date(2000, 1, 1), max_value=date(2100, 12, 31), key=f"{base}_effective")
        submitted = st.form_submit_button("Assign", type="primary")
    st.caption("Their current assignment ends the day before; an assignment starting on the same day "
               "as their current one replaces it.")
    if submitted and ui.attempt(lambda: comp_plan_admin.assign_plan(db, actor, manager, plan, salary, effective)):
        ui.renew("comp_plans_assign")
        ui.finish(PREFIX, "success", f"{plain(managers[manager])} is paid by {plain(names[plan])} "
                  f"from {effective:%d %b %Y}.")


def _assignments(db: Database, actor: Actor) -> None:
    table = ui.cached(comp_plan_admin.assignments_table, db, actor, today=date.today())
    if table.empty:
        st.info("Nobody is on a plan yet.")
        return
    shown = pd.DataFrame({
        "Manager": table["manager"], "Plan": table["plan"],
        "Yearly base": [money(v, c) for v, c in zip(table["base_salary"], table["currency"])],
        "From": table["effective_from"], "To": table["effective_to"],
        "Now": ["current" if c else "" for c in table["current"]]})
    st.dataframe(shown, hide_index=True, key="comp_plans_assignments", placeholder="—")


# ---- small helpers ------------------------------------------------------------------------------
def _plans_for_display(table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Plan": table["name"], "Currency": table["currency"], "Pay period": table["period"].str.capitalize(),
        "Method": table["method"].str.capitalize(), "Threshold": [_pct(v) for v in table["threshold_pct"]],
        "Cap": table["cap"], "Hard stop": [_pct(v) for v in table["hard_stop_pct"]], "Draw": table["draw"],
        "Managers now": table["managers"], "Latest revision from": table["effective_from"],
        "Revisions": table["revisions"]})


def _at(options: Any, value: Any, fallback: int = 0) -> int:
    options = list(options)
    return options.index(value) if value in options else fallback


def _text(value: Any) -> str:
    return "" if value is None else num(value)


def _float(value: Decimal | None) -> float | None:
    # the grid edits numbers as floats; lib reads them back through their shortest text
    return None if value is None else float(value)


def _pct(value: Any) -> str | None:
    return None if value is None else f"{num(value)}%"


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return f"{value:%d %b %Y}"
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        return num(Decimal(str(value)))
    return str(value)
