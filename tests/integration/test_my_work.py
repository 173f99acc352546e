"""My work's reads and helpers on a real, migrated DuckDB: whose work, the book, the plan."""
from datetime import date, datetime, time, timedelta

import pandas as pd
import pytest

from lib import my_work
from lib.contacts import utcnow
from lib.errors import NotAllowed, ValidationFailed, WriteConflict
from lib.interactions import follow_ups, open_escalations, planned_visits
from tests.builders import add_interaction, make_account, make_manager, make_user

TODAY = date(2024, 5, 15)


@pytest.fixture
def team(db):
    lead = make_manager(db, name="Dana Lead")
    alice_m = make_manager(db, name="alice", reports_to=lead)
    bob_m = make_manager(db, name="Bob", reports_to=lead)
    gone_m = make_manager(db, name="Gone", active=False)
    return {
        "lead": lead, "alice_m": alice_m, "bob_m": bob_m, "gone_m": gone_m,
        "alice": make_user(db, "manager", manager_id=alice_m, display_name="Alice"),
        "dana": make_user(db, "director", manager_id=lead, display_name="Dana"),
        "admin": make_user(db, "admin", display_name="Ada"),
        "viewer": make_user(db, "viewer", display_name="Vic"),
        "unlinked_director": make_user(db, "director", display_name="Dee"),
    }


def test_each_role_may_look_at_the_work_of_its_own_people(db, team):
    assert my_work.managers_to_show(db, team["alice"]) == {team["alice_m"]: "alice"}
    assert list(my_work.managers_to_show(db, team["dana"])) == [
        team["alice_m"], team["bob_m"], team["lead"]]  # by name, ignoring case
    everyone = my_work.managers_to_show(db, team["admin"])
    assert team["gone_m"] not in everyone and set(everyone) >= {team["alice_m"], team["lead"]}
    assert my_work.managers_to_show(db, team["viewer"]) == {}
    assert my_work.managers_to_show(db, team["unlinked_director"]) == {}


def test_the_escalation_list_is_a_managers_own_a_directors_team_and_an_admins_all(db, team):
    assert my_work.escalation_scope(db, team["alice"]) == (team["alice_m"],)
    assert set(my_work.escalation_scope(db, team["dana"])) == {team["lead"], team["alice_m"],
                                                                team["bob_m"]}
    assert my_work.escalation_scope(db, team["admin"]) is None
    assert my_work.escalation_scope(db, team["unlinked_director"]) == ()
    assert open_escalations(db, team["unlinked_director"], (), TODAY).empty


def test_the_escalation_picker_names_severity_account_subject_and_age(db, team):
    account = make_account(db, name="Harbour & Co", owner_id=team["alice_m"])
    first = add_interaction(db, account, team["alice_m"], datetime(2024, 5, 1, 9), type="escalation",
                            severity="critical", subject="Line down", escalation_status="open")
    second = add_interaction(db, account, team["alice_m"], datetime(2024, 5, 14, 9), type="escalation",
                             severity="low", subject="Invoice typo", escalation_status="in_progress")
    rows = open_escalations(db, team["alice"], (team["alice_m"],), TODAY)
    assert my_work.escalation_choices(rows) == {
        first: "Critical · Harbour & Co · Line down (14 days)",
        second: "Low · Harbour & Co · Invoice typo (1 day)"}


def test_the_book_lists_live_accounts_by_name(db, team):
    b = make_account(db, name="beta", owner_id=team["alice_m"])
    a = make_account(db, name="Alpha", owner_id=team["alice_m"])
    make_account(db, name="Archived", owner_id=team["alice_m"], archived_at=datetime(2024, 1, 1))
    make_account(db, name="Bob's", owner_id=team["bob_m"])
    assert my_work.book(db, team["alice"], team["alice_m"]) == {a: "Alpha", b: "beta"}


def test_a_book_without_accounts_the_policy_covers_has_no_quiet_accounts(db, team):
    make_account(db, name="Maybe", owner_id=team["alice_m"], status="prospect")
    quiet = my_work.quiet_accounts(db, team["alice"], team["alice_m"], TODAY)
    assert quiet.empty and "days_since" in quiet.columns
    assert my_work.uncontacted_for_display(quiet).empty


def test_a_quiet_account_is_listed_with_a_link_to_open_it(db, team):
    acme = make_account(db, name="Acme", tier="key", owner_id=team["alice_m"])
    add_interaction(db, acme, team["alice_m"], datetime(2024, 3, 1, 10))
    shown = my_work.uncontacted_for_display(
        my_work.quiet_accounts(db, team["alice"], team["alice_m"], TODAY))
    assert shown.to_dict("records") == [{
        "Open": f"/account?account={acme}", "Account": "Acme", "Tier": "Key",
        "Last contact": pd.Timestamp(2024, 3, 1), "Days since": 75, "Policy (days)": 30}]


def test_planning_a_visit_records_it_in_the_planners_name_and_a_retry_does_not_double_it(db, team):
    acme = make_account(db, name="Acme", owner_id=team["alice_m"])
    tomorrow = utcnow().date() + timedelta(days=1)
    first = my_work.plan_visit(db, team["alice"], account_id=acme, kind="visit", day=tomorrow,
                               at=time(10, 30), subject="Site tour", idempotency_key="k1")
    again = my_work.plan_visit(db, team["alice"], account_id=acme, kind="visit", day=tomorrow,
                               at=time(10, 30), subject="Site tour", idempotency_key="k1")
    assert first == again
    plan = planned_visits(db, team["alice"], team["alice_m"], tomorrow)
    assert plan["id"].tolist() == [first]
    assert plan["occurred_at"].iloc[0] == pd.Timestamp(datetime.combine(tomorrow, time(10, 30)))


def test_an_admin_plans_a_visit_in_the_name_of_the_accounts_owner(db, team):
    acme = make_account(db, name="Acme", owner_id=team["alice_m"])
    day = utcnow().date() + timedelta(days=2)
    visit = my_work.plan_visit(db, team["admin"], account_id=acme, kind="qbr", day=day,
                               at=time(9), subject="QBR")
    assert planned_visits(db, team["admin"], team["alice_m"], day)["id"].tolist() == [visit]


@pytest.mark.parametrize("changes, problem", [
    ({"account_id": None}, "Account: choose the account to visit"),
    ({"day": None}, "Date: choose the day of the visit"),
    ({"day": date(2020, 1, 6)}, "When: a planned interaction must be in the future"),
    ({"subject": "  "}, "Subject: must not be empty"),
    ({"kind": "escalation"}, "Severity: an escalation needs a severity"),
])
def test_a_visit_plan_with_a_problem_is_refused_in_words_and_writes_nothing(db, team, changes,
                                                                            problem):
    acme = make_account(db, name="Acme", owner_id=team["alice_m"])
    values = {"account_id": acme, "kind": "visit", "day": utcnow().date() + timedelta(days=1),
              "at": time(10), "subject": "Site tour", **changes}
    before = db.value("SELECT count(*) FROM interactions")
    with pytest.raises(ValidationFailed) as exc:
        my_work.plan_visit(db, team["alice"], **values)
    assert problem in exc.value.problems
    assert db.value("SELECT count(*) FROM interactions") == before


def test_a_manager_cannot_plan_a_visit_to_someone_elses_account(db, team):
    bobs = make_account(db, name="Bob's", owner_id=team["bob_m"])
    with pytest.raises(NotAllowed):
        my_work.plan_visit(db, team["alice"], account_id=bobs, kind="visit",
                           day=utcnow().date() + timedelta(days=1), at=time(10), subject="Hi")


def test_completing_a_visit_needs_the_visit_and_checks_the_version_seen(db, team):
    acme = make_account(db, name="Acme", owner_id=team["alice_m"])
    visit = my_work.plan_visit(db, team["alice"], account_id=acme, kind="visit", at=time(10),
                               day=utcnow().date() + timedelta(days=1), subject="Site tour")
    with pytest.raises(ValidationFailed, match="Visit: choose the planned visit"):
        my_work.complete_visit(db, team["alice"], None, 1, outcome="x", sentiment="neutral",
                               notes="")
    with pytest.raises(WriteConflict):
        my_work.complete_visit(db, team["alice"], visit, 0, outcome="Good", sentiment="positive",
                               notes="")
    my_work.complete_visit(db, team["alice"], visit, 1, outcome="Good", sentiment="positive",
                           notes="")
    row = db.record("SELECT is_planned, outcome, notes FROM interactions WHERE id = ?", [visit])
    assert row == {"is_planned": False, "outcome": "Good", "notes": None}


def test_moving_an_escalation_on_needs_a_choice_and_notes_to_resolve(db, team):
    acme = make_account(db, name="Acme", owner_id=team["alice_m"])
    esc = add_interaction(db, acme, team["alice_m"], datetime(2024, 5, 1, 9), type="escalation",
                          severity="high", escalation_status="open")
    with pytest.raises(ValidationFailed, match="Escalation: choose"):
        my_work.move_escalation(db, team["alice"], None, 1, status="resolved", notes="Fixed")
    with pytest.raises(ValidationFailed, match="Resolution notes"):
        my_work.move_escalation(db, team["alice"], esc, 1, status="resolved", notes="")
    my_work.move_escalation(db, team["alice"], esc, 1, status="in_progress", notes="")
    assert open_escalations(db, team["alice"], [team["alice_m"]], TODAY)[
        "escalation_status"].tolist() == ["in_progress"]
    my_work.move_escalation(db, team["alice"], esc, 2, status="resolved", notes="Refunded")
    assert open_escalations(db, team["alice"], [team["alice_m"]], TODAY).empty


def test_the_summary_counts_each_bucket_and_list(db, team):
    acme = make_account(db, name="Acme", owner_id=team["alice_m"])
    for days in (-3, -1, 0, 30):
        add_interaction(db, acme, team["alice_m"], datetime(2024, 4, 1, 9), next_step="Call back",
                        next_step_due=TODAY + timedelta(days=days))
    follow = follow_ups(db, team["alice"], team["alice_m"], TODAY)
    empty = pd.DataFrame()
    assert my_work.counts(follow, empty, empty, empty) == {
        "overdue": 2, "today": 1, "this_week": 0, "over_policy": 0, "planned": 0, "escalations": 0}
    groups = my_work.by_bucket(follow)
    assert [len(groups[b]) for b in my_work.BUCKETS] == [2, 1, 0, 1]
    assert my_work.counts(follow.iloc[0:0], empty, empty, empty)["overdue"] == 0


@pytest.mark.parametrize("due, text", [
    (date(2024, 5, 14), "14 May 2024 (1 day late)"),
    (date(2024, 5, 5), "05 May 2024 (10 days late)"),
    (date(2024, 5, 15), "today"), (date(2024, 5, 17), "Fri 17 May"), (None, "no date"),
    (pd.NaT, "no date"),
])
def test_a_due_date_reads_as_how_late_it_is(due, text):
    assert my_work.due_text(due, TODAY) == text


@pytest.mark.parametrize("kind, subject, text", [
    ("call", "Invoice query", "Call: Invoice query"),
    ("escalation", "Escalation: wrong deliveries", "Escalation: wrong deliveries"),
    ("escalation", "escalation:  billing", "escalation:  billing"),
    ("qbr", "QBR", "QBR"), ("qbr", "Quarterly business review", "QBR: Quarterly business review"),
    ("email", "", "Email"), ("meeting", None, "Meeting"),
    ("call", "Call back about the Escalation", "Call: Call back about the Escalation"),
])
def test_where_a_next_step_came_from_names_its_kind_once(kind, subject, text):
    assert my_work.source_text(kind, subject) == text


def test_the_month_picker_crosses_the_year_boundary():
    assert my_work.month_choices(date(2026, 1, 20), back=2, ahead=1) == [
        date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
    assert my_work.month_name(date(2026, 11, 1)) == "November 2026"


def test_the_contact_policy_is_read_from_the_table_and_said_in_a_sentence(db):
    policy = my_work.contact_policy(db)
    assert policy == {"key": 30, "strategic": 45, "standard": 90}
    assert my_work.policy_sentence(policy) == ("Contact policy: key accounts every 30 days, "
                                               "strategic accounts every 45 days, standard "
                                               "accounts every 90 days.")
    assert my_work.policy_sentence({}) == "No contact policy is set."
