"""Bulk changes from the portfolio table: the preview's sentences, who may change what, and an
apply that is one transaction — all accounts change, with history and audit, or none do."""
import json
from datetime import date, datetime

import pytest

from lib import accounts
from lib.account_bulk import BulkLine
from lib.accounts import get_account, update_account
from lib.errors import NotAllowed, ValidationFailed, WriteConflict
from lib.models import AccountEdit
from lib.permissions import VIEWERS_CANNOT
from lib.users import SYSTEM
from tests.builders import make_account, make_manager

TODAY = date(2026, 5, 4)


@pytest.fixture
def book(db, team):
    """The team, plus Maya's two accounts, one each for Oliver and Zoe, and an archived one."""
    maya_row, oliver_row, zoe_row = team["maya_row"], team["oliver_row"], team["zoe_row"]
    return {
        **team,
        "gone_row": make_manager(db, name="Gone Gil", active=False),
        "bright": make_account(db, name="Brightwater Logistics Inc.", owner_id=maya_row),
        "harbor": make_account(db, name="Harbor Foods", owner_id=maya_row, tier="key"),
        "oliver_acc": make_account(db, name="Oak Partners", owner_id=oliver_row),
        "zoe_acc": make_account(db, name="Zenith Retail", owner_id=zoe_row),
        "archived": make_account(db, name="Old Mill", owner_id=maya_row, archived_at=datetime(2026, 1, 1)),
    }


def _bulk_audit(db):
    rows = db.rows("SELECT actor_id, entity, entity_id, changes FROM audit_log "
                   "WHERE action = 'bulk_update' ORDER BY id")
    return [(actor, entity, int(entity_id), json.loads(changes)) for actor, entity, entity_id, changes in rows]


def _history(db):
    return db.rows("SELECT account_id, field, old_value, new_value, changed_on, changed_by "
                   "FROM account_history ORDER BY account_id, id")


# ---- preview ---------------------------------------------------------------------------------
def test_an_owner_preview_reads_as_a_sentence_with_one_line_per_account(db, book):
    plan = accounts.bulk_preview(db, book["admin"], [book["bright"], book["harbor"]], "owner_id",
                                 book["oliver_row"])
    assert plan.sentence == "Change the owner of 2 accounts to Oliver Bennett"
    assert plan.lines == ["Brightwater Logistics Inc.: owner Maya Thompson → Oliver Bennett",
                          "Harbor Foods: owner Maya Thompson → Oliver Bennett"]
    assert plan.changes[0] == BulkLine(book["bright"], "Brightwater Logistics Inc.", "Maya Thompson",
                                       "Oliver Bennett", 1)
    assert (plan.unchanged, plan.refused) == ([], [])


def test_a_tier_preview_uses_the_words_people_read(db, book):
    plan = accounts.bulk_preview(db, book["admin"], [book["bright"]], "tier", "key")
    assert plan.sentence == "Change the tier of 1 account to Key"
    assert plan.lines == ["Brightwater Logistics Inc.: tier Standard → Key"]
    plan = accounts.bulk_preview(db, book["admin"], [book["bright"]], "status", "at_risk")
    assert plan.lines == ["Brightwater Logistics Inc.: status Active → At risk"]


def test_accounts_already_at_the_value_are_unchanged_and_archived_or_missing_ones_refused(db, book):
    ids = [book["bright"], book["harbor"], book["archived"], 999, book["bright"]]
    plan = accounts.bulk_preview(db, book["admin"], ids, "tier", "key")
    assert [c.account_id for c in plan.changes] == [book["bright"]]
    assert plan.unchanged == ["Harbor Foods"]
    assert plan.refused == ["Old Mill is archived; restore it before changing it.",
                            "There is no account with id 999."]


def test_a_director_sees_accounts_outside_the_team_refused_with_the_reason(db, book):
    ids = [book["bright"], book["zoe_acc"]]
    plan = accounts.bulk_preview(db, book["eleanor"], ids, "owner_id", book["oliver_row"])
    assert [c.account_id for c in plan.changes] == [book["bright"]]
    assert plan.refused == ["Zenith Retail: You can reassign only your team's accounts; "
                            "this one belongs to Zoe Quinn."]
    plan = accounts.bulk_preview(db, book["eleanor"], ids, "status", "at_risk")
    assert plan.refused == ["Zenith Retail: You can edit only your team's accounts; "
                            "this one belongs to Zoe Quinn."]


def test_a_director_cannot_hand_accounts_to_someone_outside_the_team(db, book):
    with pytest.raises(NotAllowed, match="only to managers in your team; Zoe Quinn is not in it"):
        accounts.bulk_preview(db, book["eleanor"], [book["bright"]], "owner_id", book["zoe_row"])


def test_a_manager_changes_the_tier_of_their_own_accounts_only_and_cannot_reassign(db, book):
    plan = accounts.bulk_preview(db, book["maya"], [book["bright"], book["oliver_acc"]], "tier", "key")
    assert [c.account_id for c in plan.changes] == [book["bright"]]
    assert plan.refused == ["Oak Partners: You can edit only your own accounts; "
                            "this one belongs to Oliver Bennett."]
    with pytest.raises(NotAllowed, match="Only a director or an admin can reassign accounts"):
        accounts.bulk_preview(db, book["maya"], [book["bright"]], "owner_id", book["oliver_row"])


def test_a_viewer_is_refused_any_bulk_change(db, book):
    with pytest.raises(NotAllowed, match=VIEWERS_CANNOT):
        accounts.bulk_preview(db, book["viewer"], [book["bright"]], "tier", "key")


@pytest.mark.parametrize("field, value, problem", [
    ("tier", "gold", "Tier: choose one of Key, Strategic, Standard"),
    ("status", "dormant", "Status: choose one of Prospect, Active, At risk, Churned"),
    ("owner_id", 999, "Owner: there is no active account manager with id 999"),
    ("owner_id", None, "Owner: choose an account manager"),
])
def test_a_value_that_is_not_allowed_is_refused_in_words(db, book, field, value, problem):
    with pytest.raises(ValidationFailed) as refused:
        accounts.bulk_preview(db, book["admin"], [book["bright"]], field, value)
    assert refused.value.problems == [problem]


def test_an_inactive_manager_cannot_become_the_owner(db, book):
    with pytest.raises(ValidationFailed, match=f"no active account manager with id {book['gone_row']}"):
        accounts.bulk_preview(db, book["admin"], [book["bright"]], "owner_id", book["gone_row"])


def test_no_accounts_chosen_is_refused(db, book):
    with pytest.raises(ValidationFailed) as refused:
        accounts.bulk_preview(db, book["admin"], [], "tier", "key")
    assert refused.value.problems == ["Choose at least one account."]


def test_a_preview_writes_nothing(db, book):
    before = db.data_version
    accounts.bulk_preview(db, book["admin"], [book["bright"]], "tier", "key")
    assert db.data_version == before
    assert get_account(db, book["bright"])["tier"] == "standard"


# ---- apply -----------------------------------------------------------------------------------
def test_applying_changes_every_account_with_history_and_audit_in_one_transaction(db, book):
    admin = book["admin"]
    ids = [book["bright"], book["harbor"]]
    plan = accounts.bulk_preview(db, admin, ids, "owner_id", book["oliver_row"])
    before = db.data_version
    assert accounts.bulk_apply(db, admin, plan, today=TODAY) == 2
    assert db.data_version == before + 1  # one write
    rows = db.rows("SELECT id, owner_id, version, updated_by FROM accounts WHERE id IN (?, ?) ORDER BY id", ids)
    assert rows == [(i, book["oliver_row"], 2, admin.id) for i in sorted(ids)]
    old, new = str(book["maya_row"]), str(book["oliver_row"])
    assert _history(db) == [(i, "owner_id", old, new, TODAY, admin.id) for i in sorted(ids)]
    assert _bulk_audit(db) == [(admin.id, "account", i, {"owner_id": [book["maya_row"], book["oliver_row"]]})
                               for i in ids]


def test_applying_a_tier_change_records_the_tier_history(db, book):
    plan = accounts.bulk_preview(db, book["maya"], [book["bright"]], "tier", "strategic")
    accounts.bulk_apply(db, book["maya"], plan, today=TODAY)
    assert _history(db) == [(book["bright"], "tier", "standard", "strategic", TODAY, book["maya"].id)]
    assert _bulk_audit(db) == [(book["maya"].id, "account", book["bright"], {"tier": ["standard", "strategic"]})]


def test_a_conflict_on_one_account_writes_nothing_for_any_and_names_that_account(db, book):
    admin = book["admin"]
    ids = [book["bright"], book["harbor"], book["oliver_acc"]]
    plan = accounts.bulk_preview(db, admin, ids, "status", "at_risk")
    harbor = get_account(db, book["harbor"])  # meanwhile Maya edits Harbor Foods
    fields = {k: harbor[k] for k in accounts.EDITABLE}
    update_account(db, book["maya"], book["harbor"], 1, AccountEdit.parse(**{**fields, "industry": "Energy"}))
    with pytest.raises(WriteConflict) as conflict:
        accounts.bulk_apply(db, admin, plan, today=TODAY)
    assert conflict.value.entity_id == book["harbor"]
    assert conflict.value.current["name"] == "Harbor Foods"
    assert conflict.value.changed_by == "Maya Thompson"
    assert db.rows("SELECT DISTINCT status FROM accounts WHERE id IN (?, ?, ?)", ids) == [("active",)]
    assert (_history(db), _bulk_audit(db)) == ([], [])


def test_apply_checks_permissions_again_and_writes_nothing_when_they_changed(db, book):
    plan = accounts.bulk_preview(db, book["eleanor"], [book["bright"], book["oliver_acc"]], "tier", "key")
    assert len(plan.changes) == 2
    # Oliver moves out of Eleanor's team before she applies
    db.write(SYSTEM, lambda tx: (tx.execute("UPDATE account_managers SET reports_to = NULL WHERE id = ?",
                                            [book["oliver_row"]]), tx.audit("update", "account_manager")))
    with pytest.raises(NotAllowed, match="Oak Partners: You can edit only your team's accounts"):
        accounts.bulk_apply(db, book["eleanor"], plan, today=TODAY)
    assert get_account(db, book["bright"])["tier"] == "standard"
    assert _bulk_audit(db) == []


def test_a_plan_with_nothing_to_change_applies_as_zero_and_writes_nothing(db, book):
    plan = accounts.bulk_preview(db, book["admin"], [book["harbor"]], "tier", "key")
    assert plan.sentence.startswith("No account would change")
    before = db.data_version
    assert accounts.bulk_apply(db, book["admin"], plan) == 0
    assert db.data_version == before
