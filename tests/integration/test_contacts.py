"""Contacts: one primary per account, soft archive, permissions, validation and audit."""
import pytest

from lib.contacts import (add_contact, archive_contact, contact_details, contacts_of, restore_contact,
                          set_primary, update_contact)
from lib.errors import NotAllowed, NotFound, ValidationFailed, WriteConflict
from lib.models import ContactEdit, NewContact
from tests.builders import make_account, make_manager, make_user


@pytest.fixture
def desk(db):
    lead = make_manager(db, name="Dana Lead")
    alice_m = make_manager(db, name="Alice", reports_to=lead)
    bob_m = make_manager(db, name="Bob", reports_to=lead)
    return {
        "alice": make_user(db, "manager", manager_id=alice_m, display_name="Alice"),
        "bob": make_user(db, "manager", manager_id=bob_m, display_name="Bob"),
        "dana": make_user(db, "director", manager_id=lead, display_name="Dana"),
        "account": make_account(db, owner_id=alice_m),
    }


def _contact(name="Jo Buyer", **extra):
    return NewContact.parse(name=name, role="decision_maker", **extra)


def test_adding_a_contact_writes_it_with_an_audit_row(db, desk):
    contact_id = add_contact(db, desk["alice"], desk["account"], _contact(email="Jo@Acme.com"))
    row = db.record("SELECT name, email, created_by FROM contacts WHERE id = ?", [contact_id])
    assert row == {"name": "Jo Buyer", "email": "jo@acme.com", "created_by": desk["alice"].id}
    audit = db.record("SELECT action, actor_id FROM audit_log WHERE entity = 'contact'")
    assert audit == {"action": "create", "actor_id": desk["alice"].id}


@pytest.mark.parametrize("fields, message", [
    ({"name": "", "role": "user"}, "Name: must not be empty"),
    ({"name": "x" * 201, "role": "user"}, "Name: is too long"),
    ({"name": "Jo", "role": "user", "email": "jo at acme"}, "Email: 'jo at acme' is not an email address"),
    ({"name": "Jo", "role": "boss"}, "Role: choose one of"),
])
def test_a_contact_form_with_bad_input_is_refused_with_a_sentence(fields, message):
    with pytest.raises(ValidationFailed) as failed:
        NewContact.parse(**fields)
    assert any(p.startswith(message) for p in failed.value.problems)


def test_a_contact_on_an_unknown_or_archived_account_is_refused_and_nothing_is_written(db, desk):
    with pytest.raises(ValidationFailed, match="There is no account with id 999"):
        add_contact(db, desk["alice"], 999, _contact())
    archived = make_account(db, name="Old Co", archived_at="2024-01-01 00:00:00")
    with pytest.raises(ValidationFailed, match="The account Old Co is archived"):
        add_contact(db, desk["alice"], archived, _contact())
    assert db.value("SELECT count(*) FROM contacts") == 0


def test_a_manager_cannot_add_contacts_to_a_colleagues_account_but_their_director_can(db, desk):
    with pytest.raises(NotAllowed, match="only on your own accounts; this one belongs to Alice"):
        add_contact(db, desk["bob"], desk["account"], _contact())
    assert add_contact(db, desk["dana"], desk["account"], _contact()) > 0


def test_an_account_has_exactly_one_primary_contact(db, desk):
    first = add_contact(db, desk["alice"], desk["account"], _contact("Ann", is_primary=True))
    second = add_contact(db, desk["alice"], desk["account"], _contact("Ben", is_primary=True))
    third = add_contact(db, desk["alice"], desk["account"], _contact("Cat"))
    assert db.rows("SELECT id FROM contacts WHERE is_primary") == [(second,)]
    set_primary(db, desk["alice"], third)
    listed = contacts_of(db, desk["alice"], desk["account"])
    assert list(listed["name"]) == ["Cat", "Ann", "Ben"]  # primary first, then by name
    assert list(listed["is_primary"]) == [True, False, False]
    cleared = db.rows("SELECT entity_id FROM audit_log WHERE action = 'unset_primary' ORDER BY id")
    assert cleared == [(str(first),), (str(second),)]


def test_an_archived_contact_is_hidden_until_restored_and_stops_being_primary(db, desk):
    contact_id = add_contact(db, desk["alice"], desk["account"], _contact(is_primary=True))
    archive_contact(db, desk["alice"], contact_id)
    assert contacts_of(db, desk["alice"], desk["account"]).empty
    hidden = contacts_of(db, desk["alice"], desk["account"], include_archived=True)
    assert hidden.loc[0, "is_primary"] == False  # noqa: E712 - numpy bool
    restore_contact(db, desk["alice"], contact_id)
    assert list(contacts_of(db, desk["alice"], desk["account"])["id"]) == [contact_id]
    actions = [r[0] for r in db.rows("SELECT action FROM audit_log WHERE entity = 'contact' ORDER BY id")]
    assert actions == ["create", "archive", "restore"]


def test_the_second_editor_of_a_contact_gets_a_conflict_with_the_newer_values(db, desk):
    contact_id = add_contact(db, desk["alice"], desk["account"], _contact())
    assert update_contact(db, desk["alice"], contact_id, 1, ContactEdit.parse(name="Jo B", role="finance")) == 2
    with pytest.raises(WriteConflict) as conflict:
        update_contact(db, desk["dana"], contact_id, 1, ContactEdit.parse(name="Joanna", role="user"))
    assert conflict.value.current["name"] == "Jo B" and conflict.value.changed_by == "Alice"
    assert db.value("SELECT name FROM contacts WHERE id = ?", [contact_id]) == "Jo B"
    changes = db.value("SELECT changes FROM audit_log WHERE action = 'update' AND entity = 'contact'")
    assert '"role": ["decision_maker", "finance"]' in changes


def test_a_contacts_details_give_the_form_its_values_and_the_version_to_save_against(db, desk):
    contact_id = add_contact(db, desk["alice"], desk["account"], _contact(title="CFO"))
    set_primary(db, desk["alice"], contact_id)
    details = contact_details(db, desk["bob"], contact_id)  # anyone may read
    assert {k: details[k] for k in ("id", "name", "title", "email", "role", "is_primary", "version")} == {
        "id": contact_id, "name": "Jo Buyer", "title": "CFO", "email": None,
        "role": "decision_maker", "is_primary": True, "version": 2}
    with pytest.raises(NotFound, match="There is no contact with id 999"):
        contact_details(db, desk["alice"], 999)
