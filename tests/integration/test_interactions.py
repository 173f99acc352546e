"""Interactions: recording, editing, deleting, planned visits, escalations, follow-ups, coverage."""
from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from lib.contacts import add_contact, utcnow
from lib.errors import NotAllowed, ValidationFailed, WriteConflict
from lib.interactions import (breaches_policy, complete_next_step, complete_planned,
                              delete_interaction, days_since, follow_up_bucket, follow_ups,
                              open_escalations, planned_visits, record_interaction,
                              resolve_escalation, restore_interaction, time_to_resolve, timeline,
                              uncontacted, update_interaction)
from lib.models import NewContact, NewInteraction
from lib.users import SYSTEM
from tests.builders import add_interaction, make_account, make_manager, make_user

PAST = datetime(2024, 5, 6, 10, 0)
TODAY = date(2024, 5, 15)  # a Wednesday


def _item(account_id, **overrides) -> NewInteraction:
    values = {"account_id": account_id, "type": "call", "occurred_at": PAST, "subject": "Check-in"}
    return NewInteraction.parse(**{**values, **overrides})


@pytest.fixture
def desk(db):
    lead = make_manager(db, name="Dana Lead")
    alice_m = make_manager(db, name="Alice", reports_to=lead)
    bob_m = make_manager(db, name="Bob", reports_to=lead)
    outsider_lead = make_manager(db, name="Olga Lead")
    return {
        "alice_m": alice_m, "bob_m": bob_m,
        "alice": make_user(db, "manager", manager_id=alice_m, display_name="Alice"),
        "bob": make_user(db, "manager", manager_id=bob_m, display_name="Bob"),
        "dana": make_user(db, "director", manager_id=lead, display_name="Dana"),
        "olga": make_user(db, "director", manager_id=outsider_lead, display_name="Olga"),
        "account": make_account(db, name="Acme", owner_id=alice_m),
    }


def _contact(db, account_id, name="Jo Buyer") -> int:
    return add_contact(db, SYSTEM, account_id, NewContact.parse(name=name, role="decision_maker"))


def _count(db, table) -> int:
    return db.value(f"SELECT count(*) FROM {table}")


# ---- pure rules --------------------------------------------------------------------------------
@pytest.mark.parametrize("due, bucket", [
    (date(2024, 5, 14), "overdue"), (date(2024, 5, 15), "today"), (date(2024, 5, 16), "this_week"),
    (date(2024, 5, 22), "this_week"), (date(2024, 5, 23), "later"), (None, "later"),
])
def test_a_due_date_falls_in_one_follow_up_bucket(due, bucket):
    assert follow_up_bucket(due, TODAY) == bucket


@pytest.mark.parametrize("last, max_days, breached", [
    (date(2024, 4, 15), 30, False), (date(2024, 4, 14), 30, True), (None, 90, True),
    (date(2024, 3, 31), 45, False), (date(2024, 3, 30), 45, True),
])
def test_an_account_breaches_its_policy_only_past_the_allowed_days_or_when_never_contacted(last, max_days, breached):
    assert breaches_policy(days_since(last, TODAY), max_days) is breached


def test_time_to_resolve_is_the_gap_or_nothing_while_open():
    assert time_to_resolve(PAST, PAST + timedelta(hours=30)) == timedelta(hours=30)
    assert time_to_resolve(PAST, None) is None
    assert time_to_resolve(PAST, PAST - timedelta(hours=1)) == timedelta(0)


# ---- recording ---------------------------------------------------------------------------------
def test_recording_an_interaction_stores_its_contacts_and_an_audit_row(db, desk):
    jo, sam = _contact(db, desk["account"]), _contact(db, desk["account"], "Sam Tech")
    new_id = record_interaction(db, desk["alice"], _item(desk["account"], contact_ids=(jo, sam)))
    row = db.record("SELECT manager_id, created_by, subject FROM interactions WHERE id = ?", [new_id])
    assert row == {"manager_id": desk["alice_m"], "created_by": desk["alice"].id, "subject": "Check-in"}
    assert db.rows("SELECT contact_id FROM interaction_contacts ORDER BY 1") == [(jo,), (sam,)]
    audit = db.record("SELECT actor_id, action, entity_id FROM audit_log WHERE entity = 'interaction'")
    assert audit == {"actor_id": desk["alice"].id, "action": "create", "entity_id": str(new_id)}
    assert timeline(db, desk["alice"], desk["account"]).loc[0, "contacts"] == "Jo Buyer, Sam Tech"


def test_a_retry_with_the_same_idempotency_key_returns_the_same_id_and_writes_nothing_more(db, desk):
    first = record_interaction(db, desk["alice"], _item(desk["account"]), idempotency_key="form-1")
    again = record_interaction(db, desk["alice"], _item(desk["account"]), idempotency_key="form-1")
    assert again == first
    assert _count(db, "interactions") == 1
    assert db.value("SELECT count(*) FROM audit_log WHERE entity = 'interaction'") == 1


def test_an_admin_without_a_manager_row_records_under_the_accounts_owner(db, desk):
    admin = make_user(db, "admin")
    new_id = record_interaction(db, admin, _item(desk["account"]))
    assert db.value("SELECT manager_id FROM interactions WHERE id = ?", [new_id]) == desk["alice_m"]


def test_an_escalation_starts_open(db, desk):
    new_id = record_interaction(db, desk["alice"], _item(desk["account"], type="escalation", severity="high"))
    assert db.value("SELECT escalation_status FROM interactions WHERE id = ?", [new_id]) == "open"


def _refusal(db, desk, item, error=ValidationFailed):
    with pytest.raises(error) as refused:
        record_interaction(db, desk["alice"], item)
    assert _count(db, "interactions") == 0 and _count(db, "interaction_contacts") == 0
    return str(refused.value)


def test_an_unknown_account_is_refused_and_nothing_is_written(db, desk):
    assert "There is no account with id 999." in _refusal(db, desk, _item(999))


def test_an_archived_account_is_refused_and_nothing_is_written(db, desk):
    old = make_account(db, name="Old Co", owner_id=desk["alice_m"], archived_at=PAST)
    assert "The account Old Co is archived" in _refusal(db, desk, _item(old))


def test_a_contact_of_another_account_is_refused_and_nothing_is_written(db, desk):
    mine = _contact(db, desk["account"])
    theirs = _contact(db, make_account(db, owner_id=desk["bob_m"]), "Not Mine")
    message = _refusal(db, desk, _item(desk["account"], contact_ids=(mine, theirs)))
    assert f"Contact {theirs} is not a contact of this account." in message


def test_an_unknown_next_step_owner_is_refused(db, desk):
    item = _item(desk["account"], next_step="Send quote", next_step_due=TODAY, next_step_owner_id=999)
    assert "Next step owner: there is no account manager with id 999" in _refusal(db, desk, item)


def test_a_planned_interaction_must_be_in_the_future_and_have_no_outcome(db, desk):
    assert "a planned interaction must be in the future" in _refusal(
        db, desk, _item(desk["account"], is_planned=True))
    future = utcnow() + timedelta(days=10)
    assert "a planned interaction has no outcome or sentiment yet" in _refusal(
        db, desk, _item(desk["account"], is_planned=True, occurred_at=future, sentiment="positive"))


def test_a_manager_recording_on_a_colleagues_account_is_refused_and_their_director_is_allowed(db, desk):
    with pytest.raises(NotAllowed, match="only on your own accounts; this one belongs to Alice"):
        record_interaction(db, desk["bob"], _item(desk["account"]))
    with pytest.raises(NotAllowed, match="only on your team's accounts"):
        record_interaction(db, desk["olga"], _item(desk["account"]))
    assert _count(db, "interactions") == 0
    new_id = record_interaction(db, desk["dana"], _item(desk["account"]))
    assert db.value("SELECT created_by FROM interactions WHERE id = ?", [new_id]) == desk["dana"].id


# ---- editing, deleting -------------------------------------------------------------------------
def test_the_second_editor_of_an_interaction_gets_a_conflict_with_the_newer_values(db, desk):
    new_id = record_interaction(db, desk["alice"], _item(desk["account"]))
    assert update_interaction(db, desk["alice"], new_id, 1, _item(desk["account"], subject="Pricing call")) == 2
    with pytest.raises(WriteConflict) as conflict:
        update_interaction(db, desk["dana"], new_id, 1, _item(desk["account"], notes="Went well"))
    assert conflict.value.current["subject"] == "Pricing call" and conflict.value.changed_by == "Alice"
    assert db.record("SELECT notes, version FROM interactions") == {"notes": None, "version": 2}
    changes = db.value("SELECT changes FROM audit_log WHERE action = 'update'")
    assert '"subject": ["Check-in", "Pricing call"]' in changes


def test_only_the_author_or_their_director_may_edit_an_interaction(db, desk):
    new_id = record_interaction(db, desk["alice"], _item(desk["account"]))
    with pytest.raises(NotAllowed, match="only interactions you recorded or that are recorded under your name; this one was recorded by Alice"):
        update_interaction(db, desk["olga"], new_id, 1, _item(desk["account"], subject="Mine now"))
    assert update_interaction(db, desk["dana"], new_id, 1, _item(desk["account"], subject="Fixed")) == 2


def test_the_manager_an_interaction_is_recorded_under_may_edit_it_though_someone_else_wrote_it(db, desk):
    new_id = record_interaction(db, SYSTEM, _item(desk["account"]))
    owner = db.value("SELECT manager_id FROM interactions WHERE id = ?", [new_id])
    assert owner == desk["alice"].manager_id
    assert update_interaction(db, desk["alice"], new_id, 1, _item(desk["account"], subject="Mine")) == 2


def test_a_deleted_interaction_leaves_the_timeline_until_it_is_restored(db, desk):
    new_id = record_interaction(db, desk["alice"], _item(desk["account"]))
    delete_interaction(db, desk["alice"], new_id)
    assert timeline(db, desk["alice"], desk["account"]).empty
    assert db.value("SELECT deleted_by FROM interactions WHERE id = ?", [new_id]) == desk["alice"].id
    restore_interaction(db, desk["alice"], new_id)
    assert list(timeline(db, desk["alice"], desk["account"])["id"]) == [new_id]
    actions = [r[0] for r in db.rows("SELECT action FROM audit_log WHERE entity = 'interaction' ORDER BY id")]
    assert actions == ["create", "delete", "restore"]


def test_deleting_someone_elses_interaction_is_refused_with_a_sentence(db, desk):
    new_id = record_interaction(db, desk["alice"], _item(desk["account"]))
    with pytest.raises(NotAllowed, match="You can delete or restore only interactions you recorded"):
        delete_interaction(db, desk["bob"], new_id)
    assert db.value("SELECT deleted_at FROM interactions") is None


def test_the_timeline_is_newest_first_and_filters_by_type(db, desk):
    older = record_interaction(db, desk["alice"], _item(desk["account"], occurred_at=PAST - timedelta(days=3)))
    newer = record_interaction(db, desk["alice"], _item(desk["account"], type="visit"))
    assert list(timeline(db, desk["alice"], desk["account"])["id"]) == [newer, older]
    assert list(timeline(db, desk["alice"], desk["account"], types=("call",))["id"]) == [older]


# ---- planned visits, escalations, next steps ---------------------------------------------------
def test_completing_a_planned_visit_records_its_outcome(db, desk):
    when = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    visit = record_interaction(db, desk["alice"], _item(desk["account"], type="visit", is_planned=True, occurred_at=when))
    month = date(when.year, when.month, 1)
    assert list(planned_visits(db, desk["alice"], desk["alice_m"], month)["id"]) == [visit]
    done_at = utcnow().replace(microsecond=0)
    complete_planned(db, desk["alice"], visit, 1, outcome="Agreed a pilot", sentiment="positive",
                     occurred_at=done_at)
    row = db.record("SELECT is_planned, outcome, sentiment, occurred_at FROM interactions")
    assert row == {"is_planned": False, "outcome": "Agreed a pilot", "sentiment": "positive", "occurred_at": done_at}
    assert planned_visits(db, desk["alice"], desk["alice_m"], month).empty
    with pytest.raises(ValidationFailed, match="not planned"):
        complete_planned(db, desk["alice"], visit, 2, outcome="Again", sentiment="neutral")


def test_resolving_an_escalation_stamps_when_and_leaves_the_open_list(db, desk):
    esc = record_interaction(db, desk["alice"], _item(desk["account"], type="escalation", severity="low"))
    worse = record_interaction(db, desk["alice"], _item(desk["account"], type="escalation", severity="critical"))
    listed = open_escalations(db, desk["alice"], [desk["alice_m"]], today=TODAY)
    assert list(listed["id"]) == [worse, esc] and list(listed["age_days"]) == [9, 9]
    with pytest.raises(ValidationFailed, match="Resolution notes: say how"):
        resolve_escalation(db, desk["alice"], esc, 1, status="resolved", resolution_notes="")
    resolve_escalation(db, desk["alice"], esc, 1, status="resolved", resolution_notes="Refunded")
    row = db.record("SELECT escalation_status, occurred_at, resolved_at FROM interactions WHERE id = ?", [esc])
    assert row["escalation_status"] == "resolved"
    assert time_to_resolve(row["occurred_at"], row["resolved_at"]) > timedelta(0)
    assert list(open_escalations(db, desk["alice"], today=TODAY)["id"]) == [worse]


def test_follow_ups_fall_into_buckets_and_leave_when_done(db, desk):
    def step(due, **extra):
        return record_interaction(db, desk["alice"], _item(desk["account"], next_step="Call back",
                                                           next_step_due=due, **extra))
    overdue, today, week, later = (step(date(2024, 5, 10)), step(TODAY), step(date(2024, 5, 20)),
                                   step(date(2024, 6, 30)))
    for_bob = step(date(2024, 5, 16), next_step_owner_id=desk["bob_m"])
    listed = follow_ups(db, desk["alice"], desk["alice_m"], TODAY)
    assert dict(zip(listed["id"], listed["bucket"])) == {
        overdue: "overdue", today: "today", week: "this_week", later: "later"}
    assert list(follow_ups(db, desk["bob"], desk["bob_m"], TODAY)["id"]) == [for_bob]
    complete_next_step(db, desk["alice"], overdue)
    assert overdue not in set(follow_ups(db, desk["alice"], desk["alice_m"], TODAY)["id"])


# ---- coverage ----------------------------------------------------------------------------------
def test_accounts_past_their_tiers_contact_policy_or_never_contacted_are_uncontacted(db, desk):
    owner = desk["alice_m"]

    def account(tier, days_ago=None, **extra):
        account_id = make_account(db, tier=tier, owner_id=owner, **extra)
        if days_ago is not None:
            add_interaction(db, account_id, owner, datetime.combine(TODAY, datetime.min.time()) - timedelta(days=days_ago))
        return account_id

    key_late, key_ok = account("key", 31), account("key", 30)
    strategic_late, strategic_ok = account("strategic", 46), account("strategic", 45)
    standard_late, standard_ok = account("standard", 91), account("standard", 90)
    never = account("standard")
    account("key", status="churned"), account("key", status="prospect")
    planned_only = account("key")
    add_interaction(db, planned_only, owner, datetime(2024, 5, 1), is_planned=True)
    listed = uncontacted(db, desk["alice"], owner, TODAY)
    breached = dict(zip(listed["account_id"], zip(listed["days_since"], listed["policy_days"])))
    assert set(breached) == {key_late, strategic_late, standard_late, never, planned_only, desk["account"]}
    assert breached[key_late] == (31, 30) and breached[standard_late] == (91, 90)
    assert pd.isna(breached[never][0]) and pd.isna(listed.iloc[0]["days_since"])  # never first
    assert {key_ok, strategic_ok, standard_ok}.isdisjoint(breached)
    assert set(uncontacted(db, desk["alice"], None, TODAY)["account_id"]) == set(breached)
