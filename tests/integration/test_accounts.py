"""Account writes: audit, history of owner/tier/status, and conflicts between two editors."""
import pytest

from lib.accounts import create_account, get_account, update_account
from lib.errors import NotAllowed, ValidationFailed, WriteConflict
from lib.models import AccountEdit, NewAccount
from tests.builders import make_manager, make_user


def _edit(account: dict, **changes) -> AccountEdit:
    fields = {k: account[k] for k in ("name", "tier", "scope", "industry", "region", "country",
                                     "owner_id", "parent_id", "status", "currency")}
    return AccountEdit.parse(**{**fields, **changes})


def test_creating_an_account_records_who_created_it(db):
    priya = make_user(db, "admin", display_name="Priya")
    account_id = create_account(db, priya, NewAccount.parse(name="Acme", tier="key", scope="global"))
    row = db.record("SELECT created_by, updated_by, version FROM accounts WHERE id = ?", [account_id])
    assert row == {"created_by": priya.id, "updated_by": priya.id, "version": 1}
    audit = db.record("SELECT actor_id, action, entity, entity_id FROM audit_log WHERE entity = 'account'")
    assert audit == {"actor_id": priya.id, "action": "create", "entity": "account", "entity_id": str(account_id)}


def test_an_owner_that_does_not_exist_is_refused_and_nothing_is_written(db):
    user = make_user(db, "admin")
    with pytest.raises(ValidationFailed, match="Owner: there is no active account manager with id 999"):
        create_account(db, user, NewAccount.parse(name="Acme", tier="key", scope="global", owner_id=999))
    assert db.value("SELECT count(*) FROM accounts") == 0


def test_promoting_an_account_and_changing_its_owner_keeps_both_in_history(db):
    alice, bob = make_manager(db, name="Alice"), make_manager(db, name="Bob")
    user = make_user(db, "admin")
    account_id = create_account(db, user, NewAccount.parse(name="Acme", tier="standard", scope="regional", owner_id=alice))
    account = get_account(db, account_id)
    new_version = update_account(db, user, account_id, 1, _edit(account, tier="key", owner_id=bob))
    assert new_version == 2
    history = db.rows("SELECT field, old_value, new_value, changed_by FROM account_history ORDER BY field")
    assert history == [("owner_id", str(alice), str(bob), user.id), ("tier", "standard", "key", user.id)]
    changes = db.value("SELECT changes FROM audit_log WHERE action = 'update'")
    assert '"tier": ["standard", "key"]' in changes


def test_the_second_editor_of_the_same_account_gets_a_conflict_with_the_newer_values(db):
    first = make_user(db, "admin", display_name="Priya")
    second = make_user(db, "admin", display_name="Tom")
    account_id = create_account(db, first, NewAccount.parse(name="Acme", tier="standard", scope="regional"))
    loaded = get_account(db, account_id)  # both open the same version
    update_account(db, first, account_id, 1, _edit(loaded, name="Acme Corp"))
    with pytest.raises(WriteConflict) as conflict:
        update_account(db, second, account_id, 1, _edit(loaded, industry="Energy"))
    assert conflict.value.current["name"] == "Acme Corp"
    assert conflict.value.changed_by == "Priya"
    row = db.record("SELECT name, industry, version FROM accounts WHERE id = ?", [account_id])
    assert row == {"name": "Acme Corp", "industry": None, "version": 2}


def test_a_viewer_cannot_create_accounts(db):
    viewer = make_user(db, role="viewer")
    with pytest.raises(NotAllowed):
        create_account(db, viewer, NewAccount.parse(name="Acme", tier="key", scope="global"))


def test_an_account_cannot_be_its_own_parent(db):
    user = make_user(db, "admin")
    account_id = create_account(db, user, NewAccount.parse(name="Acme", tier="key", scope="global"))
    with pytest.raises(ValidationFailed, match="its own parent"):
        update_account(db, user, account_id, 1, _edit(get_account(db, account_id), parent_id=account_id))


def test_a_manager_edits_their_own_account_but_not_a_colleagues(db):
    mine, theirs = make_manager(db, name="Maya"), make_manager(db, name="Oliver")
    maya = make_user(db, "manager", manager_id=mine)
    admin = make_user(db, "admin")
    own = create_account(db, maya, NewAccount.parse(name="Own", tier="key", scope="global", owner_id=mine))
    other = create_account(db, admin, NewAccount.parse(name="Other", tier="key", scope="global", owner_id=theirs))
    update_account(db, maya, own, 1, _edit(get_account(db, own), industry="Energy"))
    with pytest.raises(NotAllowed, match="only your own accounts; this one belongs to Oliver"):
        update_account(db, maya, other, 1, _edit(get_account(db, other), industry="Energy"))
    assert get_account(db, other)["industry"] is None


def test_a_manager_cannot_hand_an_account_to_someone_else_but_a_director_can_within_the_team(db):
    director_row = make_manager(db, name="Eleanor", role_title="Account Director")
    mine = make_manager(db, name="Maya", reports_to=director_row)
    other = make_manager(db, name="Oliver", reports_to=director_row)
    maya = make_user(db, "manager", manager_id=mine)
    eleanor = make_user(db, "director", manager_id=director_row)
    account_id = create_account(db, maya, NewAccount.parse(name="Own", tier="key", scope="global", owner_id=mine))
    with pytest.raises(NotAllowed, match="Only a director or an admin can reassign accounts"):
        update_account(db, maya, account_id, 1, _edit(get_account(db, account_id), owner_id=other))
    update_account(db, eleanor, account_id, 1, _edit(get_account(db, account_id), owner_id=other))
    assert get_account(db, account_id)["owner_id"] == other
