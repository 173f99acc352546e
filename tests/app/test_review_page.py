"""Team review page: the meeting-room screen for each role, presenter controls, reviews and
their action items, the walk-through, and an empty database."""
from datetime import date, datetime, timedelta

from lib import review
from lib.auth import create_first_admin
from lib.users import SYSTEM
from tests.app.conftest import app_db, no_errors, sign_in
from tests.conftest import DIRECTOR, MANAGER, VIEWER

PAGE = "pages/review_page.py"


def _open(at, email=DIRECTOR, *password):
    at = sign_in(at, email, *password).switch_page(PAGE).run()
    no_errors(at)
    return at


def _tab(at, name):
    at.session_state["review_tab"] = name
    at.run()
    no_errors(at)
    return at


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _subheaders(at) -> list[str]:
    return [s.value.split(" · ")[0] for s in at.subheader]


def _keys(at) -> set[str]:
    return {w.key for w in (*at.button, *at.text_input, *at.text_area, *at.toggle) if w.key}


def _wall_table(at, *columns):
    """The first list on the wall (a static table, cells as markdown) with these columns,
    its text as shown (markdown escapes removed)."""
    frame = next(t.value for t in at.table if set(columns) <= set(t.value.columns))
    return frame.map(lambda v: v.replace("\\", "") if isinstance(v, str) else v)


def _leaderboard(at):
    return _wall_table(at, "Attainment", "Manager")


def _start_review(at, title="Week 47"):
    at.toggle(key="review_controls").set_value(True).run()
    at.text_input(key="review_start_title").input(title)
    at.button(key="review_start_submit").click().run()
    no_errors(at)
    return at


def test_the_director_sees_team_kpis_the_leaderboard_and_what_needs_attention(demo_app):
    at = _open(demo_app)
    assert at.title[0].value == "Team review"
    assert {"Revenue YTD", "Attainment YTD", "Overdue invoices", "Budget burn"} <= set(_metrics(at))
    headings = _subheaders(at)
    assert headings[:4] == ["Leaderboard", "At-risk accounts", "Overdue follow-ups", "Open escalations"]
    assert headings[4].startswith("Biggest movers")
    assert "Projected payout" not in _leaderboard(at)       # off at first: the room sees it
    at.toggle(key="review_payout").set_value(True).run()
    board = _leaderboard(at)
    assert len(board) >= 10 and "Projected payout" in board
    assert (board["Projected payout"] != "—").sum() >= 5


def test_the_page_is_a_presentation_until_the_presenter_turns_the_controls_on(demo_app):
    at = _open(demo_app)
    assert "review_start_submit" not in _keys(at) and not at.text_area
    at.toggle(key="review_controls").set_value(True).run()
    assert "review_start_submit" in _keys(at)
    assert any(b.key == "review_report" for b in at.get("download_button"))


def test_starting_a_review_keeps_it_with_who_started_it_and_the_next_one_compares_with_it(demo_app):
    at = _start_review(_open(demo_app))
    assert "Review started" in at.success[0].value
    db = app_db()
    assert db.value("SELECT title FROM reviews") == "Week 47"
    assert db.value("SELECT count(*) FROM review_accounts") > 100
    assert db.value("SELECT count(*) FROM audit_log WHERE entity = 'review' AND action = 'start'") == 1
    at = _tab(at, "Since last review")
    figures = _metrics(at)
    assert figures["Target edits"] == "0" and figures["Escalations opened / closed"] == "0 / 0"
    assert "Attainment change per manager" in _subheaders(at)


def test_since_last_review_names_the_escalation_opened_and_lists_the_payments_received(demo_app):
    from tests.builders import add_interaction, add_invoice, add_payment
    at = _start_review(_open(demo_app))
    db = app_db()
    account, manager = db.rows("SELECT id, owner_id FROM accounts WHERE name = ?",
                               ["Brightwater Logistics Inc."])[0]
    today = date.today()
    add_interaction(db, account, manager, datetime.combine(today, datetime.min.time()),
                    type="escalation", severity="critical", escalation_status="open",
                    subject="Shipment lost at customs")
    invoice = add_invoice(db, account, today - timedelta(days=40), today - timedelta(days=10), 5_000)
    add_payment(db, invoice, today, 4_321)
    at = _tab(at.run(), "Since last review")
    assert _metrics(at)["Escalations opened / closed"] == "1 / 0"
    assert _subheaders(at)[-3:] == ["Escalations opened", "Escalations closed", "Payments received"]
    opened = _wall_table(at, "Subject", "Now")
    assert opened[["Account", "Subject", "Severity", "Now"]].values.tolist() == [
        ["Brightwater Logistics Inc.", "Shipment lost at customs", "Critical", "Open"]]
    assert opened["Open"].tolist() == [f"[Open](/account?account={account})"]
    paid = _wall_table(at, "Paid on")
    assert paid[["Account", "Paid on", "Amount"]].values.tolist() == [
        ["Brightwater Logistics Inc.", f"{today:%d %b %Y}", "4,321"]]
    assert any(m.value.replace("\\", "").startswith("**1 payment, $4,321 in all") for m in at.markdown)


def test_against_a_review_kept_before_payments_were_listed_only_their_total_shows(demo_app):
    from lib.users import SYSTEM
    from tests.builders import add_invoice, add_payment
    at = _start_review(_open(demo_app))
    db = app_db()
    db.write(SYSTEM, lambda tx: (tx.execute("UPDATE reviews SET payments_through = NULL"),
                                 tx.audit("update", "review")))
    account = db.value("SELECT id FROM accounts WHERE name = ?", ["Brightwater Logistics Inc."])
    today = date.today()
    invoice = add_invoice(db, account, today - timedelta(days=40), today - timedelta(days=10), 5_000)
    add_payment(db, invoice, today, 4_321)
    at = _tab(at.run(), "Since last review")
    assert _metrics(at)["Payments received"] == "$4,321"
    assert any(m.value.replace("\\", "") == "**$4,321 in all.**" for m in at.markdown)
    assert any("only the total compares" in c.value for c in at.caption)
    assert not any(set(t.value.columns) >= {"Paid on"} for t in at.table)


def test_an_action_item_added_in_the_review_can_be_marked_done_there(demo_app):
    at = _tab(_start_review(_open(demo_app)), "Notes & actions")
    maya_row = app_db().value("SELECT manager_id FROM users WHERE email = ?", [MANAGER])
    at.selectbox(key="review_action_owner").set_value(maya_row)
    at.date_input(key="review_action_due").set_value(date.today() + timedelta(days=3))
    at.text_input(key="review_action_what").input("Call the Lindqvist CFO")
    at.button(key="review_action_submit").click().run()
    no_errors(at)
    item = app_db().value("SELECT id FROM review_actions WHERE what = 'Call the Lindqvist CFO'")
    assert item is not None
    at.button(key=f"review_items_done_{item}").click().run()
    no_errors(at)
    assert app_db().value("SELECT done_at IS NOT NULL FROM review_actions WHERE id = ?", [item])


def test_notes_written_in_the_review_are_kept(demo_app):
    at = _tab(_start_review(_open(demo_app)), "Notes & actions")
    review_id = app_db().value("SELECT id FROM reviews")
    at.text_area(key=f"review_notes_{review_id}_text").input("Q4 push on key accounts.")
    at.button(key=f"review_notes_{review_id}_save").click().run()
    no_errors(at)
    assert app_db().value("SELECT notes FROM reviews") == "Q4 push on key accounts."


def test_the_walk_through_steps_from_one_manager_to_the_next(demo_app):
    at = _tab(_open(demo_app), "Walk-through")
    names = [m.value for m in at.markdown if m.value.startswith("## ")]
    assert names and "Accounts" in _metrics(at)
    at.button(key="review_next").click().run()
    no_errors(at)
    assert [m.value for m in at.markdown if m.value.startswith("## ")] != names
    assert at.session_state["review_step"] == 1
    at.button(key="review_previous").click().run()
    assert at.session_state["review_step"] == 0


def test_each_step_of_the_walk_through_lists_that_managers_own_follow_ups_and_escalations(demo_app):
    at = _tab(_open(demo_app), "Walk-through")
    db, today, seen = app_db(), date.today(), 0
    for _ in range(6):
        name = next(m.value for m in at.markdown if m.value.startswith("## "))[3:]
        manager = db.value("SELECT id FROM account_managers WHERE name = ?", [name])
        counts = {s.value.split(" · ")[0]: int(s.value.split(" · ")[1].replace(",", ""))
                  for s in at.subheader if " · " in s.value}
        late = review.overdue_follow_ups(db, SYSTEM, today, manager)
        escalated = review.open_escalations(db, SYSTEM, today, manager)
        assert counts["Overdue follow-ups"] == len(late)
        assert counts["Open escalations"] == len(escalated)
        seen += len(late) + len(escalated)
        at.button(key="review_next").click().run()
        no_errors(at)
    assert seen   # the demo's first managers have some


def test_a_manager_sees_the_review_with_only_her_own_projected_payout(demo_app):
    at = _open(demo_app, MANAGER)
    at.toggle(key="review_payout").set_value(True).run()
    board = _leaderboard(at)
    shown = board[board["Projected payout"] != "—"]
    assert shown["Manager"].tolist() == ["Maya Thompson"]
    at.toggle(key="review_controls").set_value(True).run()
    assert "review_start_submit" not in _keys(at)  # starting a review is a director's


def test_the_meeting_room_viewer_sees_the_review_read_only_and_no_pay(demo_app):
    at = _open(demo_app, VIEWER)
    assert not at.toggle and "Projected payout" not in _leaderboard(at)
    assert not [b for b in at.button if b.key and b.key.startswith("review_") and "done" in b.key]
    at = _tab(at, "Notes & actions")
    assert not at.text_area and not at.text_input


def test_the_review_page_works_on_an_empty_database(empty_app):
    create_first_admin(app_db(), "ada@example.com", "Ada Admin", "correct horse battery")
    at = _open(empty_app, "ada@example.com", "correct horse battery")
    assert at.title[0].value == "Team review"
    assert any("No revenue" in i.value for i in at.info)
    for tab in ("Since last review", "Walk-through", "Notes & actions"):
        _tab(at, tab)
    _start_review(at)
    assert app_db().value("SELECT count(*) FROM reviews") == 1


def test_with_no_review_kept_yet_the_page_says_how_one_is_started(demo_app):
    at = _tab(_open(demo_app), "Since last review")
    assert "Turn on Presenter controls to start one." in at.info[0].value
    at.toggle(key="review_controls").set_value(True).run()
    assert "Start one above." in at.info[0].value


def test_a_manager_is_not_told_to_start_a_review_they_cannot_start(demo_app):
    at = _tab(_open(demo_app, MANAGER), "Notes & actions")
    assert "No review kept yet" in at.info[0].value
    assert "start one" not in at.info[0].value.casefold()
