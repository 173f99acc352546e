"""Editing, archiving, restoring and creating accounts from the app, conflicts included."""
from lib import accounts
from lib.models import AccountEdit
from lib.users import get_user
from tests.app.conftest import app_db, no_errors, open_tab, sign_in
from tests.conftest import DIRECTOR, MANAGER, VIEWER


def _brightwater() -> int:
    return app_db().value("SELECT id FROM accounts WHERE name LIKE 'Brightwater%'")


def _open_account(demo_app, account_id: int, email: str = DIRECTOR, tab: str = "Edit"):
    demo_app.query_params["account"] = str(account_id)
    demo_app.query_params["account_tab"] = tab
    at = sign_in(demo_app, email)
    return at.switch_page("pages/account_page.py").run()


def _save(at, account_id: int):
    return at.button(key=f"account_form_{account_id}_save").click().run()


def test_promoting_an_account_is_saved_and_told_as_history(demo_app):
    account_id = app_db().value("SELECT id FROM accounts WHERE tier = 'standard' AND archived_at IS NULL LIMIT 1")
    at = _open_account(demo_app, account_id)
    at.selectbox(key=f"account_form_{account_id}_tier").set_value("key")
    _save(at, account_id)
    no_errors(at)
    assert any("Saved" in s.value for s in at.success)
    assert app_db().value("SELECT tier FROM accounts WHERE id = ?", [account_id]) == "key"
    assert any("Standard to Key" in m.value for m in open_tab(at, "Family and history").markdown)


def test_an_empty_name_is_refused_in_words_and_nothing_changes(demo_app):
    account_id = _brightwater()
    at = _open_account(demo_app, account_id)
    at.text_input(key=f"account_form_{account_id}_name").input("   ")
    _save(at, account_id)
    assert not at.exception
    assert any("Name: must not be empty" in e.value for e in at.error)
    assert app_db().value("SELECT name FROM accounts WHERE id = ?", [account_id]) == "Brightwater Logistics Inc."


def test_a_second_editor_is_shown_the_newer_values_and_chooses_what_to_keep(demo_app):
    account_id = _brightwater()
    at = _open_account(demo_app, account_id)
    # someone else saves while this form is open
    db = app_db()
    admin = get_user(db, db.value("SELECT id FROM users WHERE email LIKE 'fiona.finch%'"))
    head = db.record("SELECT * FROM accounts WHERE id = ?", [account_id])
    fields = {k: head[k] for k in accounts.EDITABLE}
    accounts.update_account(db, admin, account_id, head["version"],
                            AccountEdit.parse(**{**fields, "region": "North"}))
    at.text_input(key=f"account_form_{account_id}_industry").input("Shipping")
    _save(at, account_id)
    no_errors_but_conflict = [e.value for e in at.error]
    assert any("saved this account after you opened it" in e for e in no_errors_but_conflict)
    assert db.value("SELECT industry FROM accounts WHERE id = ?", [account_id]) != "Shipping"
    diff = at.table[0].value
    assert "North" in diff["Theirs (saved)"].tolist() and "Shipping" in diff["Yours (not saved)"].tolist()
    assert at.text_input(key=f"account_form_{account_id}_industry").value == "Shipping"  # nothing typed is lost
    at.button(key=f"account_form_{account_id}_keep_mine").click().run()
    _save(at, account_id)
    no_errors(at)
    assert db.value("SELECT industry FROM accounts WHERE id = ?", [account_id]) == "Shipping"


def test_archiving_needs_a_tick_and_restore_brings_the_account_back(demo_app):
    account_id = app_db().value("SELECT id FROM accounts WHERE archived_at IS NULL AND id NOT IN "
                                "(SELECT parent_id FROM accounts WHERE parent_id IS NOT NULL) LIMIT 1")
    at = _open_account(demo_app, account_id)
    assert at.button(key="account_archive").disabled
    at.checkbox(key="account_archive_sure").check().run()
    at.button(key="account_archive").click().run()
    no_errors(at)
    assert app_db().value("SELECT archived_at IS NOT NULL FROM accounts WHERE id = ?", [account_id])
    assert any("archived" in w.value for w in at.warning)
    at.button(key="account_restore").click().run()
    no_errors(at)
    assert app_db().value("SELECT archived_at IS NULL FROM accounts WHERE id = ?", [account_id])


def test_a_viewer_sees_why_they_cannot_edit(demo_app):
    at = _open_account(demo_app, _brightwater(), VIEWER)
    no_errors(at)
    assert not [f for f in at.text_input if str(f.key).startswith("account_form_")]
    assert any("Viewers cannot change data." in c.value for c in at.caption)


def test_creating_a_similar_name_warns_with_the_existing_account_then_creates_on_request(demo_app):
    at = sign_in(demo_app, MANAGER)
    at.button(key="portfolio_new_account").click().run()
    at.text_input(key="new_account_name").input("Brightwater Logistics")
    at.button(key="FormSubmitter:new_account-Create account").click().run()
    no_errors(at)
    assert any("similar name" in w.value for w in at.warning)
    assert app_db().value("SELECT count(*) FROM accounts WHERE name = 'Brightwater Logistics'") == 0
    at.button(key="new_account_anyway").click().run()
    no_errors(at)
    assert app_db().value("SELECT count(*) FROM accounts WHERE name = 'Brightwater Logistics'") == 1
    assert at.title[0].value == "Brightwater Logistics"


def test_a_new_account_with_a_unique_name_is_created_at_once_and_opened(demo_app):
    at = sign_in(demo_app, MANAGER)
    at.button(key="portfolio_new_account").click().run()
    at.text_input(key="new_account_name").input("Quillfeather Analytics")
    at.selectbox(key="new_account_tier").set_value("strategic")
    at.button(key="FormSubmitter:new_account-Create account").click().run()
    no_errors(at)
    row = app_db().record("SELECT tier, owner_id, created_by FROM accounts WHERE name = 'Quillfeather Analytics'")
    maya = app_db().record("SELECT id, manager_id FROM users WHERE email = ?", [MANAGER])
    assert row == {"tier": "strategic", "owner_id": maya["manager_id"], "created_by": maya["id"]}
    assert at.title[0].value == "Quillfeather Analytics"
