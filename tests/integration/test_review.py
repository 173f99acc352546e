"""Team reviews on a real DuckDB: starting one keeps the figures, the next shows what changed,
notes and action items, and who may do what."""
from datetime import date, datetime, timedelta

import pytest

from lib import my_work, review, review_log
from lib.errors import NotAllowed, ValidationFailed, WriteConflict
from lib.migrate import open_database
from lib.review_diff import diff
from lib.users import SYSTEM, get_user
from tests.builders import (add_account_target, add_fx, add_interaction, add_invoice, add_payment,
                            add_revenue, make_account)
from tests.conftest import ADMIN, DIRECTOR, MANAGER, VIEWER, copy_db

TODAY = date(2026, 11, 22)
SEP, OCT = date(2026, 9, 1), date(2026, 10, 1)


@pytest.fixture
def marked(monkeypatch):
    """At risk = marked at risk on the account, so these figures do not hang on the health
    score's weights (tested with lib.health on its own below)."""
    monkeypatch.setattr(review, "at_risk_accounts", review.marked_at_risk)


@pytest.fixture
def book(db, team, marked):
    """Maya owns Acme (paying, on target) and Birch (not paying yet); Oliver owns Cedar."""
    acme = make_account(db, name="Acme", owner_id=team["maya_row"], tier="key")
    birch = make_account(db, name="Birch", owner_id=team["maya_row"])
    cedar = make_account(db, name="Cedar", owner_id=team["oliver_row"], status="at_risk")
    for month, amount in ((SEP, 100), (OCT, 300)):
        add_revenue(db, acme, month, amount)
        add_account_target(db, acme, month, 200)
    add_revenue(db, cedar, OCT, 50)
    add_account_target(db, cedar, OCT, 100)
    return {"acme": acme, "birch": birch, "cedar": cedar}


def _start(db, actor, title="Week 47"):
    snap = review.snapshot_now(db, actor, currency="USD", today=TODAY)
    return review_log.start_review(db, actor, snap, held_on=TODAY, currency="USD", title=title)


def test_starting_a_review_keeps_each_managers_and_each_accounts_figures_and_says_who(db, team, book):
    review_id = _start(db, team["eleanor"])
    managers = dict(db.rows("SELECT name, revenue / target FROM review_managers WHERE review_id = ?",
                            [review_id]))
    assert managers == {"Maya Thompson": pytest.approx(400 / 400), "Oliver Bennett": pytest.approx(0.5)}
    accounts = {r[0]: r[1:] for r in db.rows(
        "SELECT name, revenue, last_month, at_risk FROM review_accounts WHERE review_id = ?", [review_id])}
    assert accounts == {"Acme": (400.0, 300.0, False), "Birch": (0.0, 0.0, False),
                        "Cedar": (50.0, 50.0, True)}
    audit = db.record("SELECT actor_id, action, entity_id FROM audit_log WHERE entity = 'review'")
    assert audit == {"actor_id": team["eleanor"].id, "action": "start", "entity_id": str(review_id)}
    kept = review_log.reviews(db, team["viewer"])
    assert kept[["title", "started_by_name"]].values.tolist() == [["Week 47", "Eleanor Hayes"]]


def test_a_snapshot_that_cannot_be_kept_whole_keeps_nothing(db, team, book):
    snap = review.snapshot_now(db, team["eleanor"], currency="USD", today=TODAY)
    broken = snap.accounts | {999: snap.accounts[book["acme"]].__class__(None, None, 0.0, 0.0, False)}
    with pytest.raises(Exception):
        review_log.start_review(db, team["eleanor"], snap.__class__(**{**snap.__dict__, "accounts": broken}),
                                held_on=TODAY, currency="USD")
    assert db.value("SELECT count(*) FROM reviews") == 0
    assert db.value("SELECT count(*) FROM review_managers") == 0


@pytest.mark.parametrize("who", ["maya", "viewer"])
def test_only_a_director_or_an_admin_can_start_a_review(db, team, book, who):
    with pytest.raises(NotAllowed) as refused:
        _start(db, team[who])
    assert "Viewers cannot change data" in str(refused.value) if who == "viewer" \
        else "Only a director or an admin can run the team review" in str(refused.value)
    assert db.value("SELECT count(*) FROM reviews") == 0
    _start(db, team["admin"])
    assert db.value("SELECT count(*) FROM reviews") == 1


def test_the_next_review_shows_revenue_risk_escalations_payments_and_target_edits_since(db, team, book):
    eleanor = team["eleanor"]
    review_id = _start(db, eleanor)
    add_revenue(db, book["birch"], OCT, 80)                      # Birch starts paying
    db.write(SYSTEM, lambda tx: (tx.execute("UPDATE accounts SET status = 'active' WHERE id = ?",
                                            [book["cedar"]]), tx.audit("update", "account")))
    add_interaction(db, book["acme"], team["maya_row"], datetime(2026, 11, 20, 10), type="escalation",
                    severity="high", escalation_status="open", subject="Late delivery")
    invoice = add_invoice(db, book["acme"], date(2026, 10, 1), date(2026, 10, 31), 500)
    add_payment(db, invoice, date(2026, 11, 21), 120)
    db.write(SYSTEM, lambda tx: (tx.execute(
        "INSERT INTO target_changes (level, subject_id, month, old_amount, new_amount, reason, changed_by) "
        "VALUES ('account', ?, ?, 200, 250, 'Bigger order', 0)", [book["acme"], OCT]),
        tx.audit("update", "target")))

    before = review_log.saved_snapshot(db, eleanor, review_id)
    change = diff(before, review.snapshot_now(db, eleanor, currency="USD", today=TODAY))
    assert [(m.name, m.amount) for m in change.new_revenue] == [("Birch", 80.0)]
    assert change.revenue_booked == pytest.approx(80.0)
    assert [m.name for m in change.recovered] == ["Cedar"] and change.became_at_risk == ()
    assert (change.escalations_opened, change.escalations_closed) == (1, 0)
    assert change.payments_received == pytest.approx(120.0)
    assert change.target_edits == 1
    maya = next(r for r in change.attainment if r.name == "Maya Thompson")
    assert maya.change == pytest.approx(480 / 400 - 1.0)
    edits = review_log.target_edits_since(db, eleanor, change.since)
    assert edits[["subject", "reason"]].values.tolist() == [["Acme", "Bigger order"]]


def _resolve(db, escalation_id):
    db.write(SYSTEM, lambda tx: (tx.execute(
        "UPDATE interactions SET escalation_status = 'resolved', resolved_at = ? WHERE id = ?",
        [datetime(2026, 11, 21, 9), escalation_id]), tx.audit("update", "interaction")))


@pytest.fixture
def between(db, team, book):
    """Before the review: Birch's escalation is open and Acme has paid 500. Then the review;
    then Birch's escalation is resolved, Acme raises one, and two payments come in."""
    maya = team["maya_row"]
    birch_issue = add_interaction(db, book["birch"], maya, datetime(2026, 11, 2, 10), type="escalation",
                                  severity="medium", escalation_status="open", subject="Wrong invoice")
    invoice = add_invoice(db, book["acme"], date(2026, 10, 1), date(2026, 10, 31), 2_000)
    add_payment(db, invoice, date(2026, 11, 3), 500)
    review_id = _start(db, team["eleanor"])
    _resolve(db, birch_issue)
    add_interaction(db, book["acme"], maya, datetime(2026, 11, 20, 10), type="escalation",
                    severity="high", escalation_status="open", subject="Late delivery")
    add_payment(db, invoice, date(2026, 11, 19), 300)
    cedar_invoice = add_invoice(db, book["cedar"], date(2026, 10, 1), date(2026, 10, 31), 900)
    add_payment(db, cedar_invoice, date(2026, 11, 21), 900)
    return review_id


def _received(db, actor, change, currency="USD", limit=10):
    return review.payments_between(db, actor, change.payments_after, change.payments_through,
                                   currency, limit=limit)


def test_the_next_review_names_the_escalations_opened_and_closed_and_the_payments_received(
        db, team, book, between):
    eleanor = team["eleanor"]
    assert db.value("SELECT count(*) FROM review_escalations WHERE review_id = ?", [between]) == 1
    first_payment = db.value("SELECT min(id) FROM payments")
    assert db.value("SELECT payments_through FROM reviews WHERE id = ?", [between]) == first_payment
    before = review_log.saved_snapshot(db, eleanor, between)
    change = diff(before, review.snapshot_now(db, eleanor, currency="USD", today=TODAY))
    assert [(m.account, m.subject, m.severity, m.state) for m in change.opened] == [
        ("Acme", "Late delivery", "high", "open")]
    assert [(m.account, m.subject, m.severity, m.state) for m in change.closed] == [
        ("Birch", "Wrong invoice", "medium", "resolved")]
    assert (change.escalations_opened, change.escalations_closed) == (1, 1)
    assert change.payments_itemised and change.payments_received == pytest.approx(1_200.0)
    received = _received(db, eleanor, change)
    assert [(p.account, p.paid_on, p.amount) for p in received.biggest] == [
        ("Cedar", date(2026, 11, 21), 900.0), ("Acme", date(2026, 11, 19), 300.0)]
    assert (received.count, received.total) == (2, pytest.approx(1_200.0))


def test_the_review_after_next_lists_the_payments_between_the_two_reviews_kept(db, team, book, between):
    second = _start(db, team["eleanor"], title="Week 48")
    invoice = db.value("SELECT min(id) FROM invoices")
    add_payment(db, invoice, date(2026, 11, 22), 40)             # after the second review
    change = diff(review_log.saved_snapshot(db, team["eleanor"], between),
                  review_log.saved_snapshot(db, team["eleanor"], second))
    assert [m.subject for m in change.opened] == ["Late delivery"]
    received = _received(db, team["eleanor"], change)
    assert [p.amount for p in received.biggest] == [900.0, 300.0]
    assert (received.count, received.total) == (2, pytest.approx(1_200.0))


def test_a_payment_deleted_since_the_review_is_neither_listed_nor_in_the_total(db, team, book, between):
    db.write(SYSTEM, lambda tx: (tx.execute("DELETE FROM payments WHERE amount = 900"),
                                 tx.audit("delete", "payment")))
    change = diff(review_log.saved_snapshot(db, team["eleanor"], between),
                  review.snapshot_now(db, team["eleanor"], currency="USD", today=TODAY))
    received = _received(db, team["eleanor"], change)
    assert [(p.account, p.amount) for p in received.biggest] == [("Acme", 300.0)]
    assert (received.count, received.total) == (1, pytest.approx(300.0))


def test_only_the_biggest_payments_come_back_with_the_count_and_total_of_all_in_the_review_currency(
        db, team, book):
    add_fx(db, "EUR", OCT, "1.10")
    review_id = _start(db, team["eleanor"])
    euros = add_invoice(db, book["birch"], OCT, date(2026, 10, 31), 10_000, currency="EUR")
    for day, amount in enumerate([100, 250, 1_000, 40, 700], start=1):
        add_payment(db, euros, date(2026, 11, day), amount)
    change = diff(review_log.saved_snapshot(db, team["eleanor"], review_id),
                  review.snapshot_now(db, team["eleanor"], currency="USD", today=TODAY))
    received = _received(db, team["eleanor"], change, limit=2)
    assert [(p.account, p.paid_on, p.amount) for p in received.biggest] == [
        ("Birch", date(2026, 11, 3), pytest.approx(1_100.0)), ("Birch", date(2026, 11, 5), pytest.approx(770.0))]
    assert received.count == 5 and received.total == pytest.approx(2_090 * 1.1)
    assert received.rest == 3 and received.rest_total == pytest.approx(390 * 1.1)
    assert change.payments_received == pytest.approx(received.total)


def _review_rows(db) -> int:
    tables = [t for (t,) in db.rows("SELECT table_name FROM information_schema.tables "
                                    "WHERE table_name LIKE 'review%'")]
    return sum(db.value(f"SELECT count(*) FROM {t}") for t in tables)


def test_starting_a_review_keeps_no_row_per_payment(db, team, book):
    invoice = add_invoice(db, book["acme"], OCT, date(2026, 10, 31), 100_000)
    add_payment(db, invoice, date(2026, 11, 1), 10)
    rows = _review_rows(db)
    _start(db, team["eleanor"], title="Few payments")
    kept_with_one = _review_rows(db) - rows
    for day in range(1, 21):
        for _ in range(10):
            add_payment(db, invoice, date(2026, 11, day), 25)
    rows = _review_rows(db)
    _start(db, team["eleanor"], title="Many payments")
    assert _review_rows(db) - rows == kept_with_one
    assert db.value("SELECT payments_through FROM reviews WHERE title = 'Many payments'") == \
        db.value("SELECT max(id) FROM payments")


def test_a_review_kept_before_details_were_kept_still_compares_by_its_counts(db, team, book, between):
    db.write(SYSTEM, lambda tx: (tx.execute("UPDATE reviews SET details_kept = false, payments_through = NULL"),
                                 tx.execute("DELETE FROM review_escalations"),
                                 tx.audit("update", "review")))
    before = review_log.saved_snapshot(db, team["eleanor"], between)
    assert before.escalations is None and before.payments_through is None
    change = diff(before, review.snapshot_now(db, team["eleanor"], currency="USD", today=TODAY))
    assert (change.escalations_opened, change.escalations_closed) == (1, 1)
    # what the set of open escalations proves is still named
    assert [m.subject for m in change.opened] == ["Late delivery"]
    assert [m.subject for m in change.closed] == ["Wrong invoice"]
    # no watermark: the payments cannot be listed, only the total compares
    assert not change.payments_itemised
    assert (change.payments_after, change.payments_through) == (None, None)
    assert change.payments_received == pytest.approx(1_200.0)


def test_notes_are_kept_with_the_review_and_a_stale_save_is_a_conflict_not_an_overwrite(db, team, book):
    review_id = _start(db, team["eleanor"])
    version = review_log.save_notes(db, team["eleanor"], review_id, 1, "Maya to chase Acme.")
    assert version == 2
    with pytest.raises(WriteConflict):
        review_log.save_notes(db, team["admin"], review_id, 1, "Something else")
    with pytest.raises(NotAllowed):
        review_log.save_notes(db, team["maya"], review_id, 2, "My own notes")
    assert db.value("SELECT notes FROM reviews WHERE id = ?", [review_id]) == "Maya to chase Acme."


def test_an_action_item_shows_in_its_owners_my_work_until_the_owner_marks_it_done(db, team, book):
    eleanor, maya = team["eleanor"], team["maya"]
    review_id = _start(db, eleanor)
    item = review_log.add_action(db, eleanor, review_id, owner_id=team["maya_row"],
                                 what="Call the Acme CFO", due_on=TODAY + timedelta(days=7), today=TODAY)
    listed = my_work.review_actions(db, maya, team["maya_row"])
    assert listed[["what", "review_title"]].values.tolist() == [["Call the Acme CFO", "Week 47"]]
    assert my_work.review_actions(db, maya, team["oliver_row"]).empty
    oliver = get_user(db, db.value(
        "INSERT INTO users (email, display_name, role, manager_id) VALUES ('o@x.example', 'Oliver', "
        "'manager', ?) RETURNING id", [team["oliver_row"]]))
    with pytest.raises(NotAllowed, match="only your own action items"):
        review_log.complete_action(db, oliver, item)
    with pytest.raises(NotAllowed, match="Viewers cannot change data"):
        review_log.complete_action(db, team["viewer"], item)
    review_log.complete_action(db, maya, item)
    assert my_work.review_actions(db, maya, team["maya_row"]).empty
    done = review_log.actions(db, eleanor, review_id=review_id, open_only=False)
    assert done["done_at"].notna().all()
    assert db.value("SELECT count(*) FROM audit_log WHERE entity = 'review_action'") == 2
    with pytest.raises(ValidationFailed, match="already done"):
        review_log.complete_action(db, eleanor, item)


def test_an_action_item_needs_an_owner_a_task_and_a_date_that_has_not_passed(db, team, book):
    review_id = _start(db, team["eleanor"])
    with pytest.raises(ValidationFailed) as refused:
        review_log.add_action(db, team["eleanor"], review_id, owner_id=None, what="  ",
                              due_on=TODAY - timedelta(days=1), today=TODAY)
    assert len(refused.value.problems) == 3
    with pytest.raises(NotAllowed):
        review_log.add_action(db, team["maya"], review_id, owner_id=team["maya_row"], what="Mine",
                              due_on=None, today=TODAY)
    assert db.value("SELECT count(*) FROM review_actions") == 0


def test_the_leaderboard_shows_change_since_the_last_review_in_points(db, team, book):
    eleanor = team["eleanor"]
    last = review_log.saved_snapshot(db, eleanor, _start(db, eleanor))
    add_revenue(db, book["cedar"], SEP, 25)  # Oliver: 50 -> 75 of a 100 target
    board = review.leaderboard(db, eleanor, currency="USD", today=TODAY, last=last)
    oliver = board[board["name"] == "Oliver Bennett"].iloc[0]
    assert oliver["attainment"] == pytest.approx(0.75) and oliver["change"] == pytest.approx(0.25)


def test_the_review_reads_work_on_an_empty_database(db, team):
    eleanor = team["eleanor"]
    assert review.leaderboard(db, eleanor, currency="USD", today=TODAY).empty
    assert not review.team_kpis(db, eleanor, currency="USD", today=TODAY)["has_data"]
    assert review.at_risk_accounts(db, eleanor, TODAY).empty
    assert review.biggest_movers(db, eleanor, currency="USD", today=TODAY).empty
    snap = review.snapshot_now(db, eleanor, currency="USD", today=TODAY)
    assert snap.accounts == {} and snap.payments_received == 0


@pytest.fixture
def demo(tmp_path, demo_db_file):
    database = open_database(copy_db(demo_db_file, tmp_path / "demo.duckdb"))
    yield database
    database.close()


def _person(db, email):
    return get_user(db, db.value("SELECT id FROM users WHERE email = ?", [email]))


def test_projected_payout_is_shown_only_to_those_who_may_see_that_managers_pay(demo):
    today = date.today()
    viewer_board = review.leaderboard(demo, _person(demo, VIEWER), currency="USD", today=today)
    assert "payout" not in viewer_board and len(viewer_board) > 5
    maya = _person(demo, MANAGER)
    mine = review.leaderboard(demo, maya, currency="USD", today=today)
    shown = mine[mine["payout"].notna()]
    assert shown["manager_id"].tolist() == [maya.manager_id]
    admin_board = review.leaderboard(demo, _person(demo, ADMIN), currency="USD", today=today)
    assert admin_board["payout"].notna().sum() > 5
    director = _person(demo, DIRECTOR)
    assert review.leaderboard(demo, director, currency="USD", today=today)["payout"].notna().any()


def test_a_leaderboard_without_payout_asked_for_has_no_pay_and_the_same_figures(demo):
    director, today = _person(demo, DIRECTOR), date.today()
    plain = review.leaderboard(demo, director, currency="USD", today=today, payout=False)
    paid = review.leaderboard(demo, director, currency="USD", today=today)
    assert "payout" not in plain and "payout_currency" not in plain
    assert plain.equals(paid.drop(columns=["payout", "payout_currency"]))


def test_at_risk_accounts_come_from_the_health_score_with_its_reasons(demo):
    health = pytest.importorskip("lib.health")
    director, today = _person(demo, DIRECTOR), date.today()
    risky = review.at_risk_accounts(demo, director, today)
    scores = health.scores(demo, director, today)
    assert set(risky["account_id"]) == set(scores.loc[scores["at_risk"].astype(bool), "account_id"])
    assert len(risky) and risky["reasons"].str.len().gt(0).all()
    assert risky["score"].is_monotonic_increasing
