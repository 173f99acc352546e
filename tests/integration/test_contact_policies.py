"""The contact policy on a real database: defaults, validation, audit, conflicts, who may change it."""
import json
from decimal import Decimal

import pytest

from lib.contact_policies import for_editing, policies, update_policies, update_policy
from lib.errors import NotAllowed, ValidationFailed, WriteConflict
from lib.users import SYSTEM
from tests.builders import make_user


@pytest.fixture
def admin(db):
    return make_user(db, role="admin", display_name="Ada Admin")


def _days(db):
    return dict(db.rows("SELECT tier, max_days FROM contact_policies"))


def _audit(db):
    rows = db.rows("SELECT actor_id, action, entity_id, changes FROM audit_log "
                   "WHERE entity = 'contact_policy' ORDER BY id")
    return [(a, action, tier, changes and json.loads(changes)) for a, action, tier, changes in rows]


def test_a_fresh_database_has_the_seeded_policy_key_tier_first(db):
    table = policies(db)
    assert table["tier"].tolist() == ["key", "strategic", "standard"]
    assert table["max_days"].tolist() == [30, 45, 90]
    assert table["version"].tolist() == [1, 1, 1]
    assert set(table["updated_by"]) == {"Account Desk (system)"}
    assert for_editing(db)["strategic"] == {"max_days": 45, "version": 1}


def test_an_admin_changes_the_key_tier_and_it_is_saved_and_audited(db, admin):
    assert update_policy(db, admin, "key", 21, 1) == 2
    row = policies(db).set_index("tier").loc["key"]
    assert (row["max_days"], row["version"], row["updated_by"]) == (21, 2, "Ada Admin")
    assert _days(db) == {"key": 21, "strategic": 45, "standard": 90}
    assert _audit(db) == [(admin.id, "update", "key", {"max_days": [30, 21]})]


@pytest.mark.parametrize("days, saved", [(1, 1), (3650, 3650), ("14", 14), (14.0, 14), (Decimal("60"), 60)])
def test_whole_numbers_from_one_to_ten_years_are_accepted(db, admin, days, saved):
    update_policy(db, admin, "standard", days, 1)
    assert _days(db)["standard"] == saved


@pytest.mark.parametrize("days", [0, -5, 3651, 2.5, "abc", "", None, True, float("nan")])
def test_a_number_of_days_that_is_not_a_whole_number_from_1_to_3650_is_refused(db, admin, days):
    with pytest.raises(ValidationFailed) as refused:
        update_policy(db, admin, "key", days, 1)
    assert refused.value.problems[0].startswith("Key accounts: ")
    assert "use a whole number of days from 1 to 3,650" in refused.value.problems[0]
    assert _days(db)["key"] == 30
    assert _audit(db) == []


def test_an_unknown_tier_is_refused_in_words(db, admin):
    with pytest.raises(ValidationFailed, match="'gold' is not a tier; choose one of Key, Strategic, Standard"):
        update_policy(db, admin, "gold", 10, 1)


def test_saving_on_a_stale_version_is_a_conflict_that_names_who_and_their_days(db, admin):
    other = make_user(db, role="admin", display_name="Bea Boss")
    update_policy(db, other, "key", 14, 1)
    with pytest.raises(WriteConflict) as conflict:
        update_policy(db, admin, "key", 21, 1)
    assert conflict.value.changed_by == "Bea Boss"
    assert conflict.value.entity_id == "key"
    assert conflict.value.current == {"max_days": 14, "version": 2}
    assert "Bea Boss changed this contact policy after you opened it" in str(conflict.value)
    assert _days(db)["key"] == 14


def test_saving_several_tiers_is_all_or_nothing(db, admin):
    other = make_user(db, role="admin", display_name="Bea Boss")
    update_policy(db, other, "standard", 60, 1)
    with pytest.raises(WriteConflict):
        update_policies(db, admin, {"key": (21, 1), "standard": (120, 1)})
    assert _days(db) == {"key": 30, "strategic": 45, "standard": 60}
    with pytest.raises(ValidationFailed) as refused:
        update_policies(db, admin, {"key": (21, 1), "strategic": (0, 1)})
    assert refused.value.problems == ["Strategic accounts: 0 is not allowed; use a whole number of "
                                      "days from 1 to 3,650"]
    assert update_policies(db, admin, {"key": (21, 1), "standard": (120, 2)}) == {"key": 2, "standard": 3}
    assert _days(db) == {"key": 21, "strategic": 45, "standard": 120}


def test_saving_the_same_days_changes_nothing_but_is_recorded_as_no_change(db, admin):
    assert update_policy(db, admin, "key", 30, 1) == 1
    assert _audit(db) == [(admin.id, "no_change", "key", None)]


@pytest.mark.parametrize("role", ["director", "manager", "viewer"])
def test_only_an_admin_may_change_the_contact_policy(db, role):
    with pytest.raises(NotAllowed):
        update_policy(db, make_user(db, role=role), "key", 21, 1)
    assert _days(db)["key"] == 30


def test_a_missing_tier_row_reads_as_unset_and_the_first_save_puts_it_back(db, admin):
    db.write(SYSTEM, lambda tx: (tx.execute("DELETE FROM contact_policies WHERE tier = 'strategic'"),
                                 tx.audit("delete", "contact_policy", "strategic")))
    assert policies(db)["tier"].tolist() == ["key", "strategic", "standard"]
    assert for_editing(db)["strategic"] == {"max_days": None, "version": 0}
    assert update_policy(db, admin, "strategic", 40, 0) == 1
    assert _days(db)["strategic"] == 40
