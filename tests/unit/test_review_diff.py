"""What changed since the last review: the pure diff of two snapshots, on worked examples."""
from datetime import date, datetime

import pytest

from lib.review_diff import (AccountFigures, EscalationFigures, ManagerFigures, PaymentMove,
                             PaymentsReceived, Snapshot, diff)
from lib.review_display import payments_for_display, unnamed

LAST_WEEK = datetime(2026, 11, 15, 9, 0)
TODAY = datetime(2026, 11, 22, 9, 0)


def account(name, revenue=0.0, last_month=0.0, at_risk=False, owner_id=1):
    return AccountFigures(name, owner_id, revenue, last_month, at_risk)


def snapshot(taken_at, **overrides):
    values = {"fiscal_year": "FY 2026", "managers": {}, "accounts": {}}
    return Snapshot(taken_at, **{**values, **overrides})


def test_two_identical_snapshots_show_that_nothing_changed():
    same = dict(managers={1: ManagerFigures("Maya", 900.0, 1000.0)},
                accounts={10: account("Acme", 900.0, 100.0, at_risk=True)},
                open_escalations=frozenset({5}), escalations_raised=3, payments_received=50.0)
    change = diff(snapshot(LAST_WEEK, **same), snapshot(TODAY, **same))
    assert change.since == LAST_WEEK
    assert (change.new_revenue, change.lost_revenue, change.became_at_risk, change.recovered) == ((), (), (), ())
    assert change.revenue_booked == 0
    assert (change.escalations_opened, change.escalations_closed) == (0, 0)
    assert change.payments_received == 0 and change.target_edits == 0
    assert change.attainment[0].change == pytest.approx(0.0)


def test_an_account_that_starts_paying_is_new_revenue_and_one_that_stops_is_lost_revenue():
    before = snapshot(LAST_WEEK, accounts={
        10: account("Acme", 1000.0, last_month=200.0), 11: account("Birch", 0.0, last_month=0.0),
        12: account("Cedar", 500.0, last_month=50.0)})
    after = snapshot(TODAY, accounts={
        10: account("Acme", 1000.0, last_month=0.0), 11: account("Birch", 300.0, last_month=300.0),
        12: account("Cedar", 600.0, last_month=100.0), 13: account("Dune", 40.0, last_month=40.0)})
    change = diff(before, after)
    assert [(m.name, m.amount) for m in change.new_revenue] == [("Birch", 300.0), ("Dune", 40.0)]
    assert [(m.name, m.amount) for m in change.lost_revenue] == [("Acme", 200.0)]
    assert change.new_revenue_total == 340.0 and change.lost_revenue_total == 200.0
    # Cedar kept paying (50 -> 100): neither new nor lost; the team booked 1500 -> 1940
    assert change.revenue_booked == pytest.approx(440.0)


def test_an_account_gone_from_the_book_takes_its_last_months_revenue_with_it():
    before = snapshot(LAST_WEEK, accounts={10: account("Acme", 1000.0, last_month=250.0)})
    change = diff(before, snapshot(TODAY))
    assert [(m.account_id, m.amount) for m in change.lost_revenue] == [(10, 250.0)]


def test_attainment_change_is_in_points_and_the_biggest_change_comes_first():
    before = snapshot(LAST_WEEK, managers={1: ManagerFigures("Maya", 800.0, 1000.0),
                                           2: ManagerFigures("Oliver", 450.0, 500.0)})
    after = snapshot(TODAY, managers={1: ManagerFigures("Maya", 850.0, 1000.0),    # 80% -> 85%
                                      2: ManagerFigures("Oliver", 350.0, 500.0),   # 90% -> 70%
                                      3: ManagerFigures("Zoe", 10.0, 0.0)})        # no target
    rows = diff(before, after).attainment
    assert [r.name for r in rows] == ["Oliver", "Maya", "Zoe"]
    assert rows[0].change == pytest.approx(-0.20) and rows[1].change == pytest.approx(0.05)
    assert (rows[2].before, rows[2].after, rows[2].change) == (None, None, None)


def test_accounts_that_became_at_risk_or_recovered_are_listed_and_a_new_risky_account_counts():
    before = snapshot(LAST_WEEK, accounts={10: account("Acme", at_risk=True),
                                           11: account("Birch", at_risk=False),
                                           12: account("Cedar", at_risk=True)})
    after = snapshot(TODAY, accounts={10: account("Acme", at_risk=False),
                                      11: account("Birch", at_risk=True),
                                      12: account("Cedar", at_risk=True),
                                      13: account("Dune", at_risk=True)})
    change = diff(before, after)
    assert sorted(m.name for m in change.became_at_risk) == ["Birch", "Dune"]
    assert [m.name for m in change.recovered] == ["Acme"]


def test_escalations_count_as_opened_and_closed_also_when_both_happened_between_reviews():
    before = snapshot(LAST_WEEK, open_escalations=frozenset({1, 2}), escalations_raised=10,
                      escalations_resolved=8)
    # 2 was resolved; 3 was raised and is open; 4 was raised and resolved in between
    after = snapshot(TODAY, open_escalations=frozenset({1, 3}), escalations_raised=12,
                     escalations_resolved=10)
    change = diff(before, after)
    assert (change.escalations_opened, change.escalations_closed) == (2, 2)


def test_a_reopened_escalation_counts_as_opened_though_none_was_raised():
    before = snapshot(LAST_WEEK, open_escalations=frozenset(), escalations_raised=5, escalations_resolved=5)
    after = snapshot(TODAY, open_escalations=frozenset({4}), escalations_raised=5, escalations_resolved=4)
    assert diff(before, after).escalations_opened == 1


def test_payments_and_target_edits_are_the_growth_of_their_running_totals():
    change = diff(snapshot(LAST_WEEK, payments_received=1_000.0, target_edits=7),
                  snapshot(TODAY, payments_received=1_750.5, target_edits=10))
    assert change.payments_received == pytest.approx(750.5) and change.target_edits == 3


def test_revenue_booked_is_not_shown_across_a_fiscal_year_boundary():
    before = snapshot(LAST_WEEK, fiscal_year="FY 2025", accounts={10: account("Acme", 9_000.0)})
    after = snapshot(TODAY, fiscal_year="FY 2026", accounts={10: account("Acme", 100.0)})
    assert diff(before, after).revenue_booked is None


def test_an_escalation_deleted_while_open_counts_as_closed():
    before = snapshot(LAST_WEEK, open_escalations=frozenset({1, 2}), escalations_raised=2)
    after = snapshot(TODAY, open_escalations=frozenset({1}), escalations_raised=1)
    change = diff(before, after)
    assert (change.escalations_opened, change.escalations_closed) == (0, 1)


def escalation(account, subject, state="open", severity="high", account_id=10):
    return EscalationFigures(account_id, account, subject, severity, state)


def payment(payment_id, account, amount, day=1, account_id=10):
    return PaymentMove(payment_id, account_id, account, date(2026, 11, day), amount)


@pytest.mark.parametrize("then, now, opened, closed", [
    # id -> state at the last review, id -> state now; what is named opened / closed
    ({}, {1: "open"}, [1], []),                                   # raised since
    ({1: "open"}, {1: "resolved"}, [], [1]),                      # resolved since
    ({}, {1: "resolved"}, [1], [1]),                              # raised and resolved in between
    ({1: "resolved"}, {1: "open"}, [1], []),                      # reopened
    ({1: "open"}, {1: "deleted"}, [], [1]),                       # deleted while open
    ({1: "open"}, {}, [], [1]),                                   # gone from the record while open
    ({}, {1: "deleted"}, [], []),                                 # raised in error and deleted
    ({1: "resolved"}, {1: "deleted"}, [], []),                    # a closed one deleted
    ({1: "open", 2: "resolved"}, {1: "open", 2: "resolved"}, [], []),  # nothing happened
])
def test_each_escalation_is_named_as_opened_or_closed_by_what_happened_between_reviews(
        then, now, opened, closed):
    before = snapshot(LAST_WEEK, escalations={i: escalation("Acme", f"#{i}", s) for i, s in then.items()})
    after = snapshot(TODAY, escalations={i: escalation("Acme", f"#{i}", s) for i, s in now.items()})
    change = diff(before, after)
    assert [m.escalation_id for m in change.opened] == opened
    assert [m.escalation_id for m in change.closed] == closed
    assert (change.escalations_opened, change.escalations_closed) == (len(opened), len(closed))


def test_a_named_escalation_carries_its_account_subject_severity_and_state_worst_first():
    before = snapshot(LAST_WEEK, escalations={1: escalation("Acme", "Late delivery", "open", "low")})
    after = snapshot(TODAY, escalations={
        1: escalation("Acme", "Late delivery", "resolved", "low"),
        2: escalation("Birch", "Wrong invoice", "open", "medium", account_id=11),
        3: escalation("Cedar", "Outage", "open", "critical", account_id=12)})
    change = diff(before, after)
    assert [(m.account, m.subject, m.severity, m.state) for m in change.opened] == [
        ("Cedar", "Outage", "critical", "open"), ("Birch", "Wrong invoice", "medium", "open")]
    assert [(m.account_id, m.subject, m.state) for m in change.closed] == [(10, "Late delivery", "resolved")]


def test_against_an_older_review_without_details_counts_still_compare_and_only_proven_ones_are_named():
    # the old review kept: 10 raised, 8 resolved, 1 and 2 open; since then 2 resolved, 3 raised,
    # and 4 raised and resolved (which only the running counts show)
    before = snapshot(LAST_WEEK, open_escalations=frozenset({1, 2}), escalations_raised=10,
                      escalations_resolved=8)
    after = snapshot(TODAY, open_escalations=frozenset({1, 3}), escalations_raised=12,
                     escalations_resolved=10, escalations={
                         1: escalation("Acme", "a"), 2: escalation("Acme", "b", "resolved"),
                         3: escalation("Acme", "c"), 4: escalation("Acme", "d", "resolved"),
                         5: escalation("Acme", "long ago", "resolved")})
    change = diff(before, after)
    assert (change.escalations_opened, change.escalations_closed) == (2, 2)
    assert [m.subject for m in change.opened] == ["c"]
    assert [m.subject for m in change.closed] == ["b"]
    assert unnamed(change.escalations_opened, len(change.opened)).startswith("1 more not named")
    assert unnamed(change.escalations_closed, len(change.closed)) is not None
    assert unnamed(2, 2) is None


def test_payments_received_are_the_growth_of_the_total_and_the_ids_between_the_two_watermarks():
    before = snapshot(LAST_WEEK, payments_received=580.0, payments_through=2)
    after = snapshot(TODAY, payments_received=1_880.5, payments_through=5)
    change = diff(before, after)
    assert change.payments_itemised
    assert (change.payments_after, change.payments_through) == (2, 5)
    assert change.payments_received == pytest.approx(1_300.5)


def test_a_review_taken_before_any_payment_still_itemises_from_a_watermark_of_zero():
    change = diff(snapshot(LAST_WEEK, payments_through=0),
                  snapshot(TODAY, payments_received=70.0, payments_through=1))
    assert change.payments_itemised and (change.payments_after, change.payments_through) == (0, 1)


@pytest.mark.parametrize("then, now", [(None, 4), (3, None), (None, None)])
def test_without_both_watermarks_only_the_growth_of_the_total_compares(then, now):
    before = snapshot(LAST_WEEK, payments_received=1_000.0, payments_through=then)
    after = snapshot(TODAY, payments_received=1_400.0, payments_through=now)
    change = diff(before, after)
    assert not change.payments_itemised
    assert (change.payments_after, change.payments_through) == (None, None)
    assert change.payments_received == pytest.approx(400.0)


@pytest.mark.parametrize("biggest, count, total, sentence", [
    ([], 0, 0.0, "0 payments, $0 in all."),
    ([50.0], 1, 50.0, "1 payment, $50 in all."),
    ([900.0, 50.0, 25.0], 3, 975.0, "3 payments, $975 in all."),
    ([900.0, 50.0], 5, 1_000.0,
     "5 payments, $1,000 in all; the 2 biggest are listed, the other 3 come to $50."),
    ([700_000.0] + [50_000.0] * 9, 57, 1_230_000.0,
     "57 payments, $1.23M in all; the 10 biggest are listed, the other 47 come to $80.00K."),
])
def test_the_payments_list_shows_the_biggest_with_how_many_their_total_and_what_the_rest_come_to(
        biggest, count, total, sentence):
    received = PaymentsReceived(tuple(payment(i, f"A{i}", a, account_id=i) for i, a in enumerate(biggest)),
                                count, total)
    frame, said = payments_for_display(received, "USD")
    assert said == sentence
    assert list(frame["Amount"]) == biggest
    assert list(frame.columns) == ["Open", "Account", "Paid on", "Amount"]
    assert list(frame["Open"]) == [f"/account?account={i}" for i in range(len(biggest))]
