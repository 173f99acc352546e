"""Team review: the meeting-room screen — team KPIs, the leaderboard, what needs attention, what
changed since the last review, a walk-through of the managers, and the review's notes and
action items. A presentation until the presenter turns the editing controls on."""
from datetime import date
from functools import partial

import streamlit as st

from lib import reports, review, review_display as show, review_log, ui, ui_review
from lib.formatting import money, percent, plain
from lib.periods import fiscal_start_month
from lib.permissions import can
from lib.review_diff import diff

actor = ui.current_user(page="review")
db = ui.database()
currency = ui.reporting_currency(db)
today = date.today()
fiscal = ui.cached(fiscal_start_month, db)
finish = partial(ui.finish, "review")
ui.forget_stale("review")
period = ui.cached(review.Period.of, db, today, fiscal)
kept = ui.cached(review_log.reviews, db, actor)
last = kept.iloc[0] if len(kept) else None

st.title("Team review")
ui.show_outcome("review")
st.caption(plain(
    f"{period.year_label}, year to date through {period.through:%b %Y} · amounts in {currency} · "
    + (f"last review: {last['title']}, {last['held_on']:%d %b %Y} by {last['started_by_name']}"
       if last is not None else "no review kept yet")))
with st.container(horizontal=True):
    presenting = ui_review.presenter_controls(actor)
    with_pay = ui_review.payout_toggle(db, actor)
leads = presenting and can(actor, "run_review")
# How a review is started, said where there is none yet to show.
START = (" Start one above." if leads else " Turn on Presenter controls to start one."
         if can(actor, "run_review") else "")


# ---- the presenter's controls -------------------------------------------------------------------
def report_button() -> None:
    month = period.through
    st.download_button(
        f"Monthly report {month:%b %Y} (XLSX)", key="review_report", icon=":material/download:",
        data=lambda: reports.monthly_report(db, actor, month, currency),
        file_name=reports.file_name(month, currency),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


if leads:
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    with left:
        ui_review.start_form(db, actor, currency=currency, today=today, fiscal_start=fiscal,
                             done=finish)
    with right:
        report_button()


# ---- overview -----------------------------------------------------------------------------------
def overview() -> None:
    k = ui.cached(review.team_kpis, db, actor, currency=currency, today=today, fiscal_start=fiscal)
    if not k["has_data"]:
        st.info("No revenue, targets, invoices or budgets yet: the review fills in once finance "
                "uploads them (or the demo portfolio is loaded).", icon=":material/info:")
    ui_review.team_kpis(k, currency)
    board = ui.cached(review.leaderboard, db, actor, currency=currency, today=today,
                      fiscal_start=fiscal, last=baseline, payout=with_pay)
    ui_review.heading("Leaderboard")
    ui_review.table(show.leaderboard_for_display(board), "review_leaderboard", rows=50,
                    empty="No manager owns an account yet.",
                    money_columns=("Revenue YTD", "Target YTD"), percent_columns=("Attainment",))
    left, right = ui_review.halves("overview")
    with left:
        risky = ui.cached(review.at_risk_accounts, db, actor, today)
        ui_review.heading("At-risk accounts", len(risky))
        ui_review.listing(risky, show.at_risk_for_display, "review_at_risk", empty="No account is at risk.")
        late = ui.cached(review.overdue_follow_ups, db, actor, today)
        ui_review.heading("Overdue follow-ups", len(late))
        ui_review.listing(late, show.follow_ups_for_display, "review_follow_ups",
                          empty="No follow-up is overdue.")
    with right:
        open_ones = ui.cached(review.open_escalations, db, actor, today)
        ui_review.heading("Open escalations", len(open_ones))
        ui_review.listing(open_ones, show.escalations_for_display, "review_escalations",
                          empty="No open escalations.")
        movers = ui.cached(review.biggest_movers, db, actor, currency=currency, today=today,
                           fiscal_start=fiscal)
        ui_review.heading(f"Biggest movers, {period.previous:%b} → {period.through:%b %Y}")
        columns = (f"{period.previous:%b %Y}", f"{period.through:%b %Y}", "Change")
        ui_review.table(show.movers_for_display(movers, period.previous, period.through),
                        "review_movers", empty="No account's revenue changed month over month.",
                        money_columns=columns)


# ---- since last review --------------------------------------------------------------------------
def since_last() -> None:
    if baseline is None:
        st.info("No review has been kept yet. Starting one keeps today's figures; the next review "
                "shows here what changed since." + START, icon=":material/history:")
        return
    # today's figures in the currency the compared review kept its own in, so they compare
    now = ui.cached(review.snapshot_now, db, actor, currency=baseline_currency, today=today,
                    fiscal_start=fiscal)
    change = diff(baseline, now)
    st.caption(plain(f"Compared with {compare_label}. Amounts in {baseline_currency}, the currency "
                     "that review kept its figures in."))
    received = ui_review.payments_received(db, actor, change, baseline_currency)
    items = show.diff_headline(change, baseline_currency, received)
    ui_review.kpi_row([(label, value, None, tip) for label, value, tip in items])
    names = {m: f.name for m, f in now.managers.items()}
    left, right = ui_review.halves("since")
    with left:
        ui_review.heading("Attainment change per manager")
        ui_review.table(show.attainment_for_display(change.attainment), "review_diff_attainment",
                        rows=50, empty="No manager to compare.")
        ui_review.heading("Target edits", change.target_edits)
        edits = ui.cached(review_log.target_edits_since, db, actor, change.since)
        ui_review.table(show.target_edits_for_display(edits), "review_diff_targets",
                        empty="No target was changed since.", money_columns=("From", "To"))
    with right:
        for title, moves, amount, empty, key in (
                ("Became at risk", change.became_at_risk, "Last month", "No account became at risk.", "risk"),
                ("Recovered", change.recovered, "Last month", "No account recovered.", "recovered"),
                ("New revenue", change.new_revenue, "Last month", "No account started paying.", "new"),
                ("Lost revenue", change.lost_revenue, "Month before", "No account stopped paying.", "lost")):
            ui_review.heading(title, len(moves))
            ui_review.table(show.moves_for_display(moves, names, amount), f"review_diff_{key}",
                            empty=empty, money_columns=(amount,))
    left, right = ui_review.halves("since_more")
    with left:
        for title, count, moves, empty, key in (
                ("Escalations opened", change.escalations_opened, change.opened,
                 "No escalation was opened.", "opened"),
                ("Escalations closed", change.escalations_closed, change.closed,
                 "No escalation was closed.", "closed")):
            ui_review.heading(title, count)
            if moves or not count:
                ui_review.table(show.escalation_moves_for_display(moves), f"review_diff_{key}",
                                empty=empty)
            if note := show.unnamed(count, len(moves)):
                st.caption(note)
    with right:
        ui_review.payments_panel(change, received, baseline_currency)


# ---- walk-through -------------------------------------------------------------------------------
def walk_through() -> None:
    board = ui.cached(review.leaderboard, db, actor, currency=currency, today=today,
                      fiscal_start=fiscal, last=baseline, payout=with_pay)
    if board.empty:
        st.info("No manager owns an account yet, so there is no one to walk through.")
        return
    step = ui_review.stepper(board["name"].tolist())
    manager_id = int(board["manager_id"].iloc[step])
    # the team's lists, read once per data version, narrowed to the manager: the next one is instant
    late = ui.cached(review.overdue_follow_ups, db, actor, today)
    late = late[late["owner_id"] == manager_id].reset_index(drop=True)
    open_ones = ui.cached(review.open_escalations, db, actor, today)
    open_ones = open_ones[open_ones["manager_id"] == manager_id].reset_index(drop=True)
    risky = ui.cached(review.at_risk_accounts, db, actor, today)
    risky = risky[risky["owner_id"] == manager_id]
    todo = ui.cached(review_log.actions, db, actor, owner_id=manager_id)
    line = review.manager_summary(board, manager_id, late, open_ones, risky, todo)
    ui_review.kpi_row([
        ("Accounts", f"{line['accounts']:,}", None, None),
        ("Revenue YTD", money(line["revenue"], currency), None, f"Target {money(line['target'], currency)}."),
        ("Attainment", percent(line["attainment"]), None if line["change"] is None
         else show.points(line["change"]) + " since last review", None),
        ("At risk", f"{line['at_risk']:,}", None, None),
        ("Overdue follow-ups", f"{line['overdue_follow_ups']:,}", None, None),
        ("Open escalations", f"{line['open_escalations']:,}", None, None)])
    if "payout" in board and line.get("payout") is not None:
        st.caption(f"Projected payout this pay period: {money(line['payout'], line['payout_currency'])}.")
    left, right = ui_review.halves("walk")
    with left:
        ui_review.heading("Action items", len(todo))
        ui_review.action_rows(todo, may_complete_here, mark_done, "review_walk")
        ui_review.heading("At-risk accounts", len(risky))
        ui_review.listing(risky, show.at_risk_for_display, "review_walk_at_risk", empty="None at risk.")
    with right:
        ui_review.heading("Overdue follow-ups", len(late))
        ui_review.listing(late, show.follow_ups_for_display, "review_walk_follow_ups",
                          empty="Nothing overdue.")
        ui_review.heading("Open escalations", len(open_ones))
        ui_review.listing(open_ones, show.escalations_for_display, "review_walk_escalations",
                          empty="No open escalations.")


# ---- notes and action items ---------------------------------------------------------------------
def may_complete_here(owner_id) -> bool:
    return presenting and review_log.may_complete(actor, owner_id)


def mark_done(row: dict) -> None:
    if ui.attempt(partial(review_log.complete_action, db, actor, int(row["id"]))):
        finish("success", f"Done: {plain(row['what'])} ({plain(row['owner_name'])}).")


def notes_and_actions() -> None:
    if kept.empty:
        st.info("No review kept yet. A review's notes and action items go here." + START,
                icon=":material/history:")
        return
    choices = dict(zip(kept["id"].astype(int), kept["title"] + " · " + kept["held_on"].astype(str)))
    review_id = st.selectbox("Review", list(choices), format_func=choices.get, key="review_pick")
    chosen = kept[kept["id"] == review_id].iloc[0]
    ui_review.heading("Notes")
    if leads:
        ui_review.notes_form(db, actor, chosen, done=finish)
    elif chosen["notes"]:
        st.text(chosen["notes"])
    else:
        st.caption("No notes for this review.")
    items = ui.cached(review_log.actions, db, actor, review_id=review_id, open_only=False)
    todo = items[items["done_at"].isna()]
    ui_review.heading("Open action items", len(todo))
    ui_review.action_rows(todo, may_complete_here, mark_done, "review_items")
    done = items[items["done_at"].notna()]
    if not done.empty:
        with st.expander(f"Done ({len(done):,})"):
            st.dataframe(show.actions_for_display(done), hide_index=True, key="review_done_items")
    if leads:
        ui_review.action_form(db, actor, review_id, today=today, done=finish)


# ---- which review to compare with, and the tabs -------------------------------------------------
baseline = baseline_currency = compare_label = None
if not kept.empty:
    options = dict(zip(kept["id"].astype(int), kept["title"] + " · " + kept["held_on"].astype(str)))
    compare = st.selectbox("Compare with", list(options), format_func=options.get, key="review_compare",
                           help="The review whose kept figures 'since last review' compares with.")
    baseline = ui.cached(review_log.saved_snapshot, db, actor, compare)
    baseline_currency = kept.loc[kept["id"] == compare, "currency"].iloc[0]
    compare_label = options[compare]

with ui_review.wall():
    ui.lazy_tabs({"Overview": overview, "Since last review": since_last,
                  "Walk-through": walk_through, "Notes & actions": notes_and_actions}, "review_tab")
