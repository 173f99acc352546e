"""The Streamlit side of the team review: a presentation layout for the meeting-room screen.

Large type comes from Streamlit's own big elements (bordered metrics that wrap onto as many
rows as the screen needs, headings, static tables that need no scrolling) and from one
constant stylesheet, lib/static/review.css, scoped to the review's container. The house rule
keeps every other kind of raw HTML out of pages and ui modules: the stylesheet is a file of
the repository, never text built from data. Editing controls appear only when the presenter
turns them on.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator
from uuid import uuid4

import pandas as pd
import streamlit as st

from lib import review, review_display as show, review_log, ui
from lib.compensation import visible_managers
from lib.db import Database
from lib.formatting import money, percent, plain
from lib.review_diff import PaymentsReceived, ReviewDiff
from lib.users import Actor

LINK = st.column_config.LinkColumn("Open", display_text="Open", width="small",
                                   help="Open the account's page")
MONEY = ui.MONEY
PERCENT = st.column_config.NumberColumn(format="percent")
FULL = 500  # rows at most behind "All n": a page never carries a whole large table
ROWS = 10  # rows a list shows on the wall; the rest behind "All n"
KPI_WIDTH = 250  # px: a big figure such as "$123.45M" fits; the row wraps on a narrow screen
STYLESHEET = Path(__file__).parent / "static" / "review.css"


@contextmanager
def wall() -> Iterator[None]:
    """The review's container, in the larger type of the constant stylesheet."""
    st.html(STYLESHEET)
    with st.container(key="review_wall"):
        yield


def presenter_controls(actor: Actor) -> bool:
    """The presenter's switch for editing controls; off (and absent) for viewers."""
    if not actor.can_write:
        return False
    return st.toggle("Presenter controls", key="review_controls",
                     help="Show the buttons and forms to start a review, take notes and add or "
                          "complete action items. Off, the page is a clean presentation.")


def payout_toggle(db: Database, actor: Actor) -> bool:
    """The switch that adds projected payouts to the leaderboard and the walk-through; absent for
    those who may see no one's pay, and off at first: the screen may be shared with the room."""
    if not ui.cached(visible_managers, db, actor):
        return False
    return st.toggle("Projected payout", key="review_payout",
                     help="Add each manager's projected variable pay for this pay period, for "
                          "the managers whose pay you may see. Off at first, because the screen "
                          "may be shared with the room.")


def kpi_row(items: list[tuple[str, str, str | None, str | None]]) -> None:
    """Big bordered figures side by side, wrapping onto another row rather than cutting a
    figure short: (label, value, delta, help)."""
    with st.container(horizontal=True, wrap=True, gap="small"):
        for label, value, delta, tip in items:
            st.metric(label, value, delta=delta, help=tip, border=True, delta_arrow="off",
                      delta_color="off" if delta is None else "normal", width=KPI_WIDTH)


def team_kpis(k: dict[str, Any], currency: str) -> None:
    gap = k["revenue"] - k["target"]
    kpi_row([
        ("Revenue YTD", money(k["revenue"], currency),
         f"{money(gap, currency)} vs target" if k["target"] else None, None),
        ("Attainment YTD", percent(k["attainment"]), None,
         f"Revenue against the accounts' targets, {money(k['target'], currency)} to date."),
        (f"Projected {k['year_label']}", money(k["projected_year"], currency),
         None if k["projected_attainment"] is None
         else f"{percent(k['projected_attainment'])} of target", "The run-rate projection."),
        ("Overdue invoices", money(k["overdue"], currency), None,
         f"Of {money(k['receivables'], currency)} receivable; collection rate "
         f"{percent(k['collection_rate'])}."),
        ("Budget burn", percent(k["burn"]),
         f"{money(k['budget_over_by'], currency)} over" if k["budget_over_by"] else None,
         f"{money(k['spend'], currency)} spent of {money(k['budget_year'], currency)}."),
    ])


def listing(rows: pd.DataFrame, shape: Callable[[pd.DataFrame], pd.DataFrame], key: str,
            **options: Any) -> None:
    """`table` of `shape(rows)`, shaping only the rows a page carries (the first FULL): a list
    of twenty thousand overdue follow-ups is shaped for 500."""
    table(shape(rows.head(FULL)), key, total=len(rows), **options)


def table(frame: pd.DataFrame, key: str, *, empty: str, money_columns: tuple[str, ...] = (),
          percent_columns: tuple[str, ...] = (), rows: int = ROWS, total: int | None = None) -> None:
    """A list for the wall: the first `rows` rows large and without scrolling, all of them
    (sortable, searchable) in an expander below; `empty` says what no rows mean. `key` names
    that full table. `total`: how many rows there are, when `frame` holds only the first."""
    total = len(frame) if total is None else total
    if frame.empty:
        st.success(empty, icon=":material/check_circle:")
        return
    config: dict[str, Any] = {c: MONEY for c in money_columns} | {c: PERCENT for c in percent_columns}
    if "Open" in frame:
        config["Open"] = LINK
    if "Why" in frame:
        config["Why"] = st.column_config.TextColumn(width="large")
    # the first rows as a static table: large type (the stylesheet sizes it) and no scrolling
    st.table(show.for_wall(frame.head(rows), percent_columns), hide_index=True)
    if total > rows:
        whole = total <= FULL
        with st.expander(f"All {total:,}" if whole else f"The first {FULL:,} of {total:,}"):
            st.dataframe(frame.head(FULL), hide_index=True, key=f"{key}_all", column_config=config)
            if not whole:    # a page never carries a whole large table to the browser
                st.caption("Explore lists them all, with filters.")


def halves(name: str) -> tuple[Any, Any]:
    """Two containers side by side on a wide screen and one above the other on a narrower one
    (the stylesheet gives each half a minimum width), so large type never squeezes a list."""
    row = st.container(horizontal=True, wrap=True, gap="large")
    return row.container(key=f"review_half_{name}_1"), row.container(key=f"review_half_{name}_2")


def heading(text: str, n: int | None = None) -> None:
    st.subheader(plain(text) + ("" if n is None else f" · {n:,}"))


def stepper(names: list[str], key: str = "review_step") -> int:
    """Previous / Next through `names` (also the ← and → keys); the index shown. The buttons
    move the step in their callbacks, so the page that follows is drawn at the new step."""
    last = len(names) - 1
    step = min(st.session_state.get(key, 0), last)
    st.session_state[key] = step

    def move(by: int) -> None:
        st.session_state[key] = min(max(st.session_state.get(key, 0) + by, 0), last)

    left, middle, right = st.columns([1, 4, 1], vertical_alignment="center")
    # The button shows its shortcut's arrow beside the label: no icon, or it reads twice.
    left.button("Previous", key="review_previous", on_click=move, args=(-1,), disabled=step == 0,
                shortcut="Left", width="stretch")
    right.button("Next", key="review_next", on_click=move, args=(1,), disabled=step >= last,
                 shortcut="Right", width="stretch")
    middle.markdown(f"## {plain(names[step])}")
    middle.caption(f"Manager {step + 1} of {len(names)} · the arrow keys step through them too")
    return step


def action_rows(rows: pd.DataFrame, may_complete: Callable[[Any], bool], on_done: Callable[[dict], None],
                key: str) -> None:
    """Open action items, one per line, with a Done button where the person may mark it done."""
    if rows.empty:
        st.caption("No open action items.")
        return
    clicked = None
    for row in rows.to_dict("records"):
        what, who, when, done = st.columns([6, 2, 2, 1], vertical_alignment="center")
        what.markdown(f"**{plain(row['what'])}**")
        who.text(row["owner_name"])
        when.text("" if pd.isna(row["due_on"]) else f"by {pd.Timestamp(row['due_on']):%d %b %Y}")
        if may_complete(row["owner_id"]) and done.button(
                "Done", key=f"{key}_done_{row['id']}", help="Mark this action item done"):
            clicked = row
    if clicked is not None:
        on_done(clicked)



# ---- since last review: payments received --------------------------------------------------------
def payments_received(db: Database, actor: Actor, change: ReviewDiff,
                      currency: str) -> PaymentsReceived | None:
    """The payments that came in between the two snapshots `change` compares, from the
    database (the biggest few, their count and total); None when they cannot be listed."""
    if not change.payments_itemised:
        return None
    return ui.cached(review.payments_between, db, actor, change.payments_after,
                     change.payments_through, currency, limit=show.TOP_PAYMENTS)


def payments_panel(change: ReviewDiff, received: PaymentsReceived | None, currency: str) -> None:
    heading("Payments received")
    if received is not None:
        payments, summary = show.payments_for_display(received, currency)
        st.markdown(f"**{plain(summary)}**")
        table(payments, "review_diff_payments", empty="No payment came in.", money_columns=("Amount",))
    else:
        st.markdown(f"**{plain(money(change.payments_received, currency))} in all.**")
        st.caption("The review compared with was kept before Account Desk kept each payment, "
                   "so only the total compares.")


# ---- the presenter's forms; `done(kind, message, *keys to forget)` ends the action (ui.finish) --
def start_form(db: Database, actor: Actor, *, currency: str, today: date, fiscal_start: int,
               done: Callable[..., None]) -> None:
    form = ui.fresh("review_start")
    token = st.session_state.setdefault(f"{form}_token", uuid4().hex)  # one per review
    with st.form(form, enter_to_submit=False, border=True):
        st.markdown("**Start a review**: keeps today's figures, so the next review shows what changed.")
        title = st.text_input("Title", max_chars=review_log.MAX_TITLE, key=f"{form}_title",
                              placeholder=f"Team review {today:%d %b %Y}")
        if st.form_submit_button("Start the review", type="primary", key=f"{form}_submit"):
            snap = review.snapshot_now(db, actor, currency=currency, today=today,
                                       fiscal_start=fiscal_start)
            if ui.attempt(lambda: review_log.start_review(
                    db, actor, snap, held_on=today, currency=currency, title=title,
                    idempotency_key=token)):
                ui.renew("review_start")
                done("success", "Review started: today's figures are kept for next time.",
                     "review_pick", "review_compare", *ui.form_keys(form))


def notes_form(db: Database, actor: Actor, chosen: Any, *, done: Callable[..., None]) -> None:
    """The review's notes; a save over someone else's newer one shows both (ui.resolve_conflict)."""
    base = f"review_notes_{int(chosen['id'])}"
    loaded = ui.loaded_version(base, int(chosen["version"]))
    with st.form(f"{base}_form", enter_to_submit=False):
        text = st.text_area("Notes", value=chosen["notes"], key=f"{base}_text", height=200,
                            max_chars=review_log.MAX_NOTES)
        if st.form_submit_button("Save the notes", key=f"{base}_save") and ui.save_form(
                base, lambda: review_log.save_notes(db, actor, int(chosen["id"]), loaded, text)):
            done("success", "Notes saved.", *ui.form_keys(base))
    ui.resolve_conflict(base, "review", "review's notes",
                        lambda theirs: [{"": "Theirs", "Notes": theirs["notes"]},
                                        {"": "Yours", "Notes": text}])


def action_form(db: Database, actor: Actor, review_id: int, *, today: date,
                done: Callable[..., None]) -> None:
    people = ui.cached(review.manager_names, db, actor)
    form = ui.fresh("review_action")
    token = st.session_state.setdefault(f"{form}_token", uuid4().hex)  # one per item
    with st.form(form, enter_to_submit=False):
        st.markdown("**Add an action item**")
        who, when = st.columns(2)
        owner = who.selectbox("Who", list(people), format_func=people.get, index=None,
                              placeholder="Choose an account manager", key=f"{form}_owner")
        due = when.date_input("By when", value=today + timedelta(days=7), min_value=today,
                              format="YYYY-MM-DD", key=f"{form}_due")
        what = st.text_input("What", max_chars=review_log.MAX_WHAT, key=f"{form}_what",
                             placeholder="Call the CFO about the overdue invoices")
        if st.form_submit_button("Add the action item", type="primary", key=f"{form}_submit") \
                and ui.attempt(lambda: review_log.add_action(
                    db, actor, review_id, owner_id=owner, what=what, due_on=due, today=today,
                    idempotency_key=token)):
            ui.renew("review_action")
            done("success", f"Action item added for {plain(people[owner])}.", *ui.form_keys(form))
