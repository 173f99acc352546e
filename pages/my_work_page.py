"""My work: a manager's day — follow-ups due, accounts gone quiet, the month's visit plan and
the team's open escalations, each with the action that clears it."""
from datetime import date, time, timedelta
from functools import partial
from typing import Any
from uuid import uuid4

import streamlit as st

from lib import interactions, my_work, review_log, ui
from lib.formatting import plain

actor = ui.current_user(page="my_work")
db = ui.database()
today = date.today()
finish = partial(ui.finish, "my_work")  # finish(kind, message, *keys to forget)
ui.forget_stale("my_work")
# The versions the person saw in the previous run: a change by someone else meanwhile is a
# conflict, not an overwrite.
seen: dict[int, int] = st.session_state.get("my_work_seen", {})

# Each form gets widgets with new keys after it is used, so it comes back empty (ui.fresh).
PLAN, COMPLETE, ESC = (ui.fresh(form) for form in ("my_work_plan", "my_work_complete", "my_work_esc"))
OPEN = st.column_config.LinkColumn("Open", display_text="Open", width="small")
ROW = [3, 3, 2, 3, 1.2]  # account, next step, due, from which interaction, Done
NO_DUE = {"overdue": "Nothing overdue.", "today": "Nothing due today.",
          "this_week": "Nothing due in the next seven days."}


def follow_up_row(row: dict[str, Any]) -> bool:
    """One open next step with its Done button; True when Done was clicked."""
    cells = st.columns(ROW, vertical_alignment="center")
    ui.account_link(plain(row["account_name"]), row["account_id"], key=f"my_work_open_{row['id']}",
                    where=cells[0])
    cells[1].text(row["next_step"])
    cells[2].text(my_work.due_text(row["next_step_due"], today))
    cells[3].text(my_work.source_text(row["type"], row["subject"]))
    return cells[4].button("Done", key=f"my_work_done_{row['id']}", width="stretch",
                           help="Mark this next step done")


def follow_up_rows(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The rows under their column titles; the row whose Done was clicked, if any."""
    if rows:
        for cell, title in zip(st.columns(ROW), ("Account", "Next step", "Due", "From")):
            cell.caption(title)
    clicked = None
    for row in rows:
        if follow_up_row(row):
            clicked = row
    return clicked


def mark_done(row: dict[str, Any]) -> None:
    if ui.attempt(partial(interactions.complete_next_step, db, actor, row["id"])):
        finish("success", f"Done: {plain(row['next_step'])} for {plain(row['account_name'])}.")


def plan_form(manager_id: int) -> None:
    accounts = ui.cached(my_work.book, db, actor, manager_id)
    if not accounts:
        st.info("There are no accounts in this book to plan a visit to.")
        return
    if actor.manager_id not in (None, manager_id):
        st.info("A planned visit is recorded in the name of whoever plans it, so you plan your "
                f"own visits from your own My work; {plain(people[manager_id])} plans theirs.")
        return
    token = st.session_state.setdefault(f"{PLAN}_token", uuid4().hex)  # one per visit
    with st.form(PLAN, enter_to_submit=False):
        st.markdown("**Plan a visit**")
        account = st.selectbox("Account", list(accounts), index=None, format_func=accounts.get,
                               placeholder="Choose an account", key=f"{PLAN}_account")
        kind = st.selectbox("Type", my_work.PLAN_TYPES, format_func=my_work.kind_label,
                            key=f"{PLAN}_type")
        left, right = st.columns(2)
        day = left.date_input("Date", value=today + timedelta(days=1), format="YYYY-MM-DD",
                              key=f"{PLAN}_date", help="A planned visit lies in the future.")
        at = right.time_input("Time", value=time(10, 0), step=900, key=f"{PLAN}_time")
        subject = st.text_input("Subject", max_chars=200, key=f"{PLAN}_subject",
                                placeholder="Quarterly catch-up")
        if st.form_submit_button("Plan the visit", type="primary", key=f"{PLAN}_submit") \
                and ui.attempt(lambda: my_work.plan_visit(
                    db, actor, account_id=account, kind=kind, day=day, at=at, subject=subject, tz=ui.timezone(),
                    idempotency_key=token)):
            ui.renew("my_work_plan")
            finish("success", f"Planned: {my_work.kind_label(kind).lower()} at "
                   f"{plain(accounts[account])} on {day:%a %d %b %Y} at {at:%H:%M}.", *ui.form_keys(PLAN))


def complete_form(planned: Any) -> None:
    choices = {r["id"]: my_work.planned_choice(r, ui.timezone()) for r in planned.to_dict("records")}
    current = my_work.versions(planned)
    with st.form(COMPLETE, enter_to_submit=False):
        st.markdown("**Complete a visit**")
        pick = st.selectbox("Visit", list(choices), index=None, format_func=choices.get,
                            placeholder="Choose a planned visit", key=f"{COMPLETE}_pick")
        outcome = st.text_area("Outcome", max_chars=2_000, key=f"{COMPLETE}_outcome",
                               placeholder="What was agreed")
        sentiment = st.selectbox("Customer sentiment", list(my_work.SENTIMENTS), index=None,
                                 format_func=my_work.SENTIMENTS.get, placeholder="Choose one",
                                 key=f"{COMPLETE}_sentiment")
        notes = st.text_area("Notes (optional)", max_chars=20_000, key=f"{COMPLETE}_notes")
        if st.form_submit_button("Complete the visit", key=f"{COMPLETE}_submit") \
                and ui.attempt(lambda: my_work.complete_visit(
                    db, actor, pick, seen.get(pick, current.get(pick, 0)), outcome=outcome,
                    sentiment=sentiment, notes=notes)):
            ui.renew("my_work_complete")
            finish("success", "Completed; the visit is on the account's timeline now.",
                   *ui.form_keys(COMPLETE))


def escalation_form(escalations: Any) -> None:
    choices = my_work.escalation_choices(escalations)
    current = my_work.versions(escalations)
    with st.form(f"{ESC}_form", enter_to_submit=False):
        st.markdown("**Move an escalation on**")
        pick = st.selectbox("Escalation", list(choices), index=None, format_func=choices.get,
                            placeholder="Choose an escalation", key=f"{ESC}_pick")
        status = st.radio("New status", ["in_progress", "resolved"], horizontal=True,
                          format_func=my_work.ESCALATION_STATUSES.get, key=f"{ESC}_status")
        notes = st.text_area("Resolution notes", max_chars=2_000, key=f"{ESC}_notes",
                             help="Required to resolve: say how it was resolved.")
        if st.form_submit_button("Save the status", key=f"{ESC}_submit") \
                and ui.attempt(lambda: my_work.move_escalation(
                    db, actor, pick, seen.get(pick, current.get(pick, 0)), status=status,
                    notes=notes)):
            ui.renew("my_work_esc")
            finish("success", f"The escalation is {my_work.ESCALATION_STATUSES[status].lower()} "
                   "now.", *ui.form_keys(ESC))


# ---- whose work -------------------------------------------------------------------------------
st.title("My work")
ui.show_outcome("my_work")
people = ui.cached(my_work.managers_to_show, db, actor)
if actor.role in ("director", "admin") and people:
    manager_id = st.selectbox(
        "Whose work", list(people), format_func=people.get, key="my_work_manager",
        index=list(people).index(actor.manager_id) if actor.manager_id in people else None,
        placeholder="Choose an account manager")
else:
    manager_id = actor.manager_id if actor.manager_id in people else None
if manager_id is None:
    st.info("Choose whose work to see." if people else
            "My work lists the follow-ups, visit plan and accounts of an account manager, and "
            "your user is not linked to one. An admin links users to account managers on the "
            "Users page.", icon=":material/person_search:")
    st.stop()

follow = ui.cached(interactions.follow_ups, db, actor, manager_id, today)
quiet = ui.cached(my_work.quiet_accounts, db, actor, manager_id, today)
this_month = ui.cached(interactions.planned_visits, db, actor, manager_id, today)
scope = ui.cached(my_work.escalation_scope, db, actor)
escalations = ui.cached(interactions.open_escalations, db, actor, scope, today)

figures = my_work.counts(follow, quiet, this_month, escalations)
cells = st.columns(6)
cells[0].metric("Overdue follow-ups", f"{figures['overdue']:,}")
cells[1].metric("Due today", f"{figures['today']:,}")
cells[2].metric("Due this week", f"{figures['this_week']:,}", help="In the next seven days.")
cells[3].metric("Over contact policy", f"{figures['over_policy']:,}",
                help="Accounts not contacted for longer than their tier allows.")
cells[4].metric("Planned this month", f"{figures['planned']:,}")
cells[5].metric("Open escalations", f"{figures['escalations']:,}")

# ---- follow-ups -------------------------------------------------------------------------------
st.subheader("Follow-ups")
groups = my_work.by_bucket(follow)
clicked = None
if not any(groups[b] for b in NO_DUE):
    st.info("No follow-ups due. Nice.", icon=":material/check_circle:")
else:
    for bucket, nothing in NO_DUE.items():
        st.markdown(f"**{my_work.BUCKETS[bucket]}**")
        if not groups[bucket]:
            st.caption(nothing)
        clicked = follow_up_rows(groups[bucket]) or clicked
if groups["later"]:
    with st.expander(f"Later ({len(groups['later']):,})"):
        clicked = follow_up_rows(groups["later"]) or clicked
if clicked is not None:
    mark_done(clicked)

# ---- action items from team reviews -----------------------------------------------------------
agreed = ui.cached(my_work.review_actions, db, actor, manager_id)
if not agreed.empty:
    st.subheader("Action items from team reviews")
    done_item = None
    for item in agreed.to_dict("records"):
        cells = st.columns([6, 2, 3, 1.2], vertical_alignment="center")
        cells[0].markdown(f"**{plain(item['what'])}**")
        cells[1].text(my_work.due_text(item["due_on"], today))
        cells[2].text(item["review_title"])
        if review_log.may_complete(actor, item["owner_id"]) and cells[3].button(
                "Done", key=f"my_work_action_done_{item['id']}", width="stretch",
                help="Mark this action item done"):
            done_item = item
    if done_item is not None and ui.attempt(
            partial(review_log.complete_action, db, actor, int(done_item["id"]))):
        finish("success", f"Done: {plain(done_item['what'])}.")

# ---- not contacted ----------------------------------------------------------------------------
st.subheader("Not contacted within policy")
st.caption(my_work.policy_sentence(ui.cached(my_work.contact_policy, db)))
if quiet.empty:
    st.info("Every account in this book was contacted within its tier's policy.")
else:
    st.dataframe(my_work.uncontacted_for_display(quiet), hide_index=True, key="my_work_quiet",
                 column_config={"Open": OPEN, "Last contact": st.column_config.DateColumn(
                     format="YYYY-MM-DD")})

# ---- the visit plan ---------------------------------------------------------------------------
st.subheader("Planned visits")
months = my_work.month_choices(today)
month = st.selectbox("Month", months, index=months.index(today.replace(day=1)),
                     format_func=my_work.month_name, key="my_work_month")
planned = (this_month if month == today.replace(day=1)
           else ui.cached(interactions.planned_visits, db, actor, manager_id, month))
if planned.empty:
    st.info(f"No visits planned for {my_work.month_name(month)}.")
else:
    st.dataframe(my_work.planned_for_display(planned, ui.timezone()), hide_index=True, key="my_work_planned",
                 column_config={"Open": OPEN, "When": st.column_config.DatetimeColumn(
                     format="ddd D MMM, HH:mm")})
st.session_state["my_work_seen"] = {**my_work.versions(planned), **my_work.versions(escalations)}
plan_side, complete_side = st.columns(2)
with plan_side:
    plan_form(manager_id)
with complete_side:
    if not planned.empty:
        complete_form(planned)

# ---- escalations ------------------------------------------------------------------------------
st.subheader("Open escalations")
st.caption({"admin": "Everybody's open escalations, most severe first.",
            "director": "Your team's open escalations, most severe first."}.get(
    actor.role, "Your open escalations, most severe first."))
if escalations.empty:
    st.info("No open escalations.")
else:
    st.dataframe(my_work.escalations_for_display(escalations, people), hide_index=True,
                 key="my_work_escalations", column_config={"Open": OPEN})
    escalation_form(escalations)
