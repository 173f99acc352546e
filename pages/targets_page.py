"""Targets: the monthly grid per manager or per account of one manager with quarter and year
totals, spreading a total by seasonality, the roll-up check, history with revert, and locks."""
from datetime import date
from typing import Any

import streamlit as st

from lib import target_edits, target_history, targets, ui
from lib.periods import FiscalYear, fiscal_start_month
from lib.permissions import can
from lib.target_rules import QUARTERS, SEASONALITY, YEAR, month_label, year_choices

actor = ui.current_user(page="targets")
db = ui.database()
ui.forget_stale("targets")
REASON = ui.fresh("targets_reason")  # a new box after each save, so it comes back empty
VIEWS = {"manager": "Managers", "account": "Accounts of one manager"}
MONEY = st.column_config.NumberColumn(format="accounting")


def next_grid() -> None:
    """Start a fresh editor (new key) on the latest saved targets: after a save, a revert, a
    lock, or when the person discards their edits."""
    st.session_state["targets_generation"] = st.session_state.get("targets_generation", 0) + 1
    st.session_state.pop("targets_snapshot", None)


def grid_config(fiscal: FiscalYear, locks: dict[date, str], editable: bool) -> dict[str, Any]:
    """Months editable unless locked; Q1..Q4 and Year editable to spread a total."""
    helps = targets.quarter_help(fiscal)
    config: dict[str, Any] = {"Name": st.column_config.TextColumn(disabled=True, pinned=True),
                              "Currency": st.column_config.TextColumn(disabled=True, width="small")}
    for month in fiscal.months:
        label = month_label(month)
        config[label] = st.column_config.NumberColumn(
            f"{label} (locked)" if month in locks else label, format="accounting", min_value=0,
            step=0.01, disabled=month in locks, help=locks.get(month))
    for total in (*QUARTERS, YEAR):
        config[total] = st.column_config.NumberColumn(
            total, format="accounting", min_value=0, step=0.01,
            help=helps[total] + (". Type a total to spread it over its months." if editable else ""))
    return config


def save(shown: targets.Grid, plan: targets.Plan, reason: str) -> None:
    outcome: dict[str, target_edits.SaveResult] = {}
    if ui.attempt(lambda: outcome.update(result=target_edits.save_plan(db, actor, shown, plan, reason))):
        result = outcome["result"]
        st.session_state["targets_conflicts"] = (
            target_edits.conflicts_table(result) if result.conflicts else None, result.held_back)
        next_grid()
        kind = "error" if result.conflicts and not result.written else "success"
        ui.renew("targets_reason")
        ui.finish("targets", kind, result.sentence, REASON)


def show_conflicts() -> None:
    table, held_back = st.session_state.get("targets_conflicts") or (None, ())
    if table is not None:
        st.warning("These cells were not saved: someone else changed them after you loaded the "
                   "grid. The grid shows their values now; type yours again if they still hold.",
                   icon=":material/sync_problem:")
        st.dataframe(table, hide_index=True, key="targets_conflict_table",
                     column_config={"Their value": MONEY, "Your value (not saved)": MONEY})
    if held_back:
        st.warning("Not saved, because a month inside changed meanwhile: " + "; ".join(held_back) + ".")


def edit_section(shown: targets.Grid, locks: dict[date, str], key: str) -> None:
    seasonality = st.radio("Spread a changed quarter or year total by", list(SEASONALITY),
                           format_func=SEASONALITY.get, horizontal=True, key="targets_seasonality",
                           help="Rows with no figures for the chosen shape are spread evenly.")
    st.data_editor(shown.table, key=key, hide_index=True, num_rows="fixed", width="stretch",
                   placeholder="—", column_config=grid_config(shown.fiscal, locks, True))
    edits = st.session_state.get(key, {}).get("edited_rows", {})
    shapes = (ui.cached(targets.last_year_shapes, db, actor, shown.level, shown.fiscal,
                        manager_id=shown.manager_id)
              if seasonality == "last_year" and targets.edits_totals(edits) else None)
    plan = targets.plan(shown, edits, seasonality, shapes)
    if not plan.preview.empty:
        st.markdown("**Unsaved changes**: the edited rows as they will be saved, with their "
                    "quarter and year totals")
        st.dataframe(plan.preview, hide_index=True, key="targets_preview", placeholder="—",
                     column_config=grid_config(shown.fiscal, {}, False))
    if plan.problems:
        st.warning("Fix these before saving:\n\n" + "\n".join(f"- {p}" for p in plan.problems))
    reason = st.text_input("Reason for the change (optional)", max_chars=500, key=REASON,
                           placeholder="Q3 reforecast after the renewal")
    left, right = st.columns([1, 3])
    if left.button("Save", type="primary", key="targets_save", disabled=not edits):
        save(shown, plan, reason)
    if right.button("Discard my edits and reload", key="targets_reload", disabled=not edits):
        next_grid()
        st.rerun()
    st.caption("Each cell saves unless someone else changed it after you loaded the grid: such "
               "cells are not saved and are shown with their value and who changed it. A total's "
               "months save together. One wrong cell and nothing is saved.")


def history_section(level: str, fiscal: FiscalYear, manager_id: int | None,
                    names: dict[int, str], editable: bool) -> None:
    st.subheader("History")
    subject = st.selectbox("Changes to", [None, *names], key="targets_history_subject",
                           format_func=lambda i: "All" if i is None else names[i])
    changes = ui.cached(target_history.history, db, actor, level, fiscal, manager_id=manager_id,
                        subject_id=subject)
    if changes.empty:
        st.info(f"No target changes in {fiscal.label} here yet.")
        return
    st.dataframe(target_history.history_for_display(changes, ui.timezone()), hide_index=True,
                 key="targets_history", placeholder="—",
                 column_config={"Old": MONEY, "New": MONEY,
                                "Reason": st.column_config.TextColumn(width="large"),
                                "When": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})
    if not editable:
        return
    choices = {r["id"]: target_history.change_choice(r) for r in changes.to_dict("records")}
    pick = st.selectbox("Revert one change", list(choices), index=None, format_func=choices.get,
                        key="targets_revert_pick", placeholder="Choose a change",
                        help="Writes the change's old value back; the revert is itself a change, "
                             "with the reason typed above.")
    if st.button("Revert this change", key="targets_revert", disabled=pick is None) and ui.attempt(
            lambda: target_history.revert(db, actor, pick, st.session_state.get(REASON))):
        next_grid()
        ui.finish("targets", "success", f"Reverted change #{pick}; the revert is in the history "
                  "as a change of its own.", "targets_revert_pick")


def lock_section(fiscal: FiscalYear, locks: dict[date, str]) -> None:
    st.subheader("Locked months")
    st.caption("A locked month refuses every target change (edits, spread totals, reverts) "
               "until it is unlocked. " + ("Locked now: " + "; ".join(
                   f"{month_label(m)} ({why})" for m, why in locks.items()) if locks else
                   f"No month of {fiscal.label} is locked."))
    left, right = st.columns([1, 2], vertical_alignment="bottom")
    month = left.selectbox("Month", fiscal.months, format_func=month_label, key="targets_lock_month")
    if month in locks:
        if right.button(f"Unlock {month_label(month)}", key="targets_unlock") and ui.attempt(
                lambda: target_history.unlock_month(db, actor, month)):
            next_grid()
            ui.finish("targets", "success", f"{month_label(month)} is open for changes again.")
    elif right.button(f"Lock {month_label(month)}", key="targets_lock") and ui.attempt(
            lambda: target_history.lock_month(db, actor, month)):
        next_grid()
        ui.finish("targets", "success", f"{month_label(month)} is locked: nobody can change its targets.")


# ---- which grid -------------------------------------------------------------------------------
st.title("Targets")
ui.show_outcome("targets")
people = ui.cached(targets.managers, db, actor)
if not people:
    st.info("Your user is not linked to an account manager, so there are no targets to show. "
            "An admin links users to managers on the Users page."
            if actor.role != "admin" and actor.manager_id is None else
            "No managers yet. Targets are set per account manager: add account managers, or load "
            "the demo portfolio, and their targets appear here.", icon=":material/flag:")
    st.stop()

years = year_choices(date.today(), ui.cached(fiscal_start_month, db))
c1, c2, c3 = st.columns([1, 2, 2])
fiscal = c1.selectbox("Fiscal year", years, index=2, format_func=lambda y: y.label, key="targets_year")
level = c2.radio("Targets of", list(VIEWS), format_func=VIEWS.get, horizontal=True, key="targets_level")
manager_id = (c3.selectbox("Manager", list(people), format_func=people.get, key="targets_manager")
              if level == "account" else None)

grid = ui.cached(targets.grid, db, actor, level, fiscal, manager_id=manager_id)
locks = ui.cached(target_history.locks, db, fiscal)
editable, why_not = targets.may_edit(actor)
key = f"targets_grid_{ui.digest(level, fiscal, manager_id, st.session_state.get('targets_generation', 0))}"
st.session_state["targets_grid_key"] = key
# While edits are pending the editor keeps showing the targets the person edited (its edits
# apply to those rows), and the save checks others' changes against that snapshot's `loaded`.
pending = st.session_state.get(key, {}).get("edited_rows")
if st.session_state.get("targets_snapshot", (None,))[0] != key or not pending:
    st.session_state["targets_snapshot"] = (key, grid)
shown = st.session_state["targets_snapshot"][1]

st.caption(f"{fiscal.label}: {fiscal.months[0]:%b %Y} – {fiscal.months[-1]:%b %Y}. Amounts are in "
           "each row's own currency. Quarters follow the fiscal year.")
show_conflicts()
if shown.table.empty:
    st.info(f"{people[manager_id]} has no accounts yet." if level == "account" else "No managers to show.")
elif editable:
    edit_section(shown, locks, key)
else:
    st.dataframe(shown.table, hide_index=True, key="targets_view", placeholder="—",
                 column_config=grid_config(fiscal, locks, False))
    st.caption(f"Read only: {why_not}")

st.subheader("Roll-up check")
st.caption(f"Each manager's own target for {fiscal.label} against the sum of their accounts' "
           "targets, converted to the manager's currency. Over-allocated: the manager's target is "
           "more than the accounts add up to; under-allocated: less; within 1% is balanced.")
rollup = ui.cached(target_history.rollup, db, actor, fiscal)
st.dataframe(target_history.rollup_for_display(rollup), hide_index=True, key="targets_rollup",
             placeholder="—",
             column_config={"Manager's target": MONEY, "Sum of account targets": MONEY, "Gap": MONEY})

history_section(level, fiscal, manager_id,
                people if level == "manager" else shown.names,
                editable)
if can(actor, "lock_periods"):
    lock_section(fiscal, locks)
