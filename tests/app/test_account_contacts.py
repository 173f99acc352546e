"""The account page's Stakeholders tab: the map, adding, editing, primary, archive, conflicts."""
import pandas as pd
from streamlit.testing.v1 import AppTest

from lib.contacts import contact_details, update_contact
from lib.models import ContactEdit
from lib.ui_contacts import MAP_COLUMNS, ROLES
from lib.users import SYSTEM, get_user
from tests.app.conftest import app_db, no_errors, sign_in
from tests.conftest import DIRECTOR, MANAGER, VIEWER

MAYA = MANAGER
ADD = "account_contact_add"


def _user_id(email: str) -> int:
    return app_db().value("SELECT id FROM users WHERE email = ?", [email])


def _account_of(email: str, *, mine: bool = True) -> int:
    """A live account of this manager's (or, not `mine`, of another manager's) with the most
    contacts, so there is someone to edit and someone to make primary."""
    return app_db().value(
        "SELECT a.id FROM accounts a WHERE a.archived_at IS NULL AND (a.owner_id = "
        "(SELECT manager_id FROM users WHERE email = ?)) = ? "
        "ORDER BY (SELECT count(*) FROM contacts c WHERE c.account_id = a.id "
        "AND c.archived_at IS NULL) DESC, a.id LIMIT 1", [email, mine])


def _open(demo_app: AppTest, email: str = MAYA, account_id: int | None = None,
          tab: str = "Stakeholders") -> AppTest:
    demo_app.run()
    demo_app.query_params["account"] = str(account_id or _account_of(MAYA))
    demo_app.query_params["account_tab"] = tab
    return sign_in(demo_app, email).switch_page("pages/account_page.py").run()


def _map(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if list(d.value.columns) == MAP_COLUMNS)


def _contacts(account_id: int, where: str = "true") -> list[tuple]:
    return app_db().rows(f"SELECT id, name FROM contacts WHERE account_id = ? AND {where} "
                         "ORDER BY id", [account_id])


def _pick(at: AppTest, contact_id: int) -> AppTest:
    return at.selectbox(key="account_contact_pick").select(contact_id).run()


def _audit(contact_id: int, action: str) -> list[int]:
    return [r[0] for r in app_db().rows(
        "SELECT actor_id FROM audit_log WHERE entity = 'contact' AND entity_id = ? AND action = ?",
        [str(contact_id), action])]


def _has_forms(at: AppTest) -> bool:
    keys = {w.key for w in [*at.text_input, *at.selectbox, *at.button] if w.key}
    return any(k.startswith(("account_contact_add", "account_contact_pick")) for k in keys)


def test_the_map_groups_contacts_by_role_decision_makers_first_with_one_star(demo_app):
    at = _open(demo_app, DIRECTOR)
    no_errors(at)
    shown = _map(at)
    labels = [r.replace("_", " ").capitalize() for r in ROLES]
    ranks = [labels.index(role) for role in shown["Role"]]
    assert ranks == sorted(ranks)
    assert list(shown["Primary"]).count("★") == 1
    assert _has_forms(at)  # Maya reports to the director


def test_adding_a_contact_shows_it_in_the_map_and_records_who_added_it(demo_app):
    at = _open(demo_app)
    at.text_input(key=f"{ADD}_name").input("Nadia Okafor")
    at.text_input(key=f"{ADD}_title").input("Head of Procurement")
    at.selectbox(key=f"{ADD}_role").select("finance")
    at.text_input(key=f"{ADD}_email").input("Nadia.Okafor@Example.com")
    at.button(key=f"{ADD}_submit").click().run()
    no_errors(at)
    assert "Contact added" in at.success[0].value
    row = _map(at).set_index("Name").loc["Nadia Okafor"]
    assert (row["Role"], row["Title"], row["Email"]) == ("Finance", "Head of Procurement",
                                                         "nadia.okafor@example.com")
    (new_id, _), = _contacts(_account_of(MAYA), "name = 'Nadia Okafor'")
    assert _audit(new_id, "create") == [_user_id(MAYA)]
    assert at.text_input(key=f"{ADD}-1_name").value == ""  # ready for the next one


def test_an_empty_name_and_a_bad_email_are_refused_in_words_and_nothing_is_written(demo_app):
    at = _open(demo_app)
    before = _contacts(_account_of(MAYA))
    at.text_input(key=f"{ADD}_name").input("   ")
    at.text_input(key=f"{ADD}_email").input("nadia at example")
    at.button(key=f"{ADD}_submit").click().run()
    assert not at.exception
    message = at.error[0].value
    assert "Nothing was saved" in message and "Name: must not be empty" in message
    assert "Email: 'nadia at example' is not an email address" in message
    assert _contacts(_account_of(MAYA)) == before
    assert at.text_input(key=f"{ADD}_email").value == "nadia at example"  # nothing to retype


def test_making_a_contact_primary_moves_the_star_so_there_is_only_one(demo_app):
    at = _open(demo_app)
    account = _account_of(MAYA)
    (chosen, name), *_ = _contacts(account, "NOT is_primary AND archived_at IS NULL")
    at = _pick(at, chosen)
    at.button(key=f"account_contact_primary_{chosen}").click().run()
    no_errors(at)
    assert "now the account's primary contact" in at.success[0].value
    shown = _map(at)
    assert list(shown.loc[shown["Primary"] == "★", "Name"]) == [name]
    assert [c for c, _ in _contacts(account, "is_primary")] == [chosen]
    assert _audit(chosen, "set_primary") == [_user_id(MAYA)]


def test_archiving_hides_a_contact_from_the_map_and_restore_brings_it_back(demo_app):
    at = _open(demo_app)
    (chosen, name), *_ = _contacts(_account_of(MAYA), "NOT is_primary")
    at = _pick(at, chosen)
    at.button(key=f"account_contact_archive_{chosen}").click().run()
    no_errors(at)
    assert name not in set(_map(at)["Name"])
    assert any(e.label.startswith("Archived contacts") for e in at.expander)
    assert at.selectbox(key="account_contact_pick").value is None
    at.button(key=f"account_contact_restore_{chosen}").click().run()
    no_errors(at)
    assert "Contact restored" in at.success[0].value
    assert name in set(_map(at)["Name"])
    assert _audit(chosen, "archive") == _audit(chosen, "restore") == [_user_id(MAYA)]


def test_editing_a_contact_saves_it_for_everyone_and_records_who_changed_it(demo_app):
    at = _open(demo_app)
    (chosen, name), *_ = _contacts(_account_of(MAYA))
    at = _pick(at, chosen)
    key = f"account_contact_edit_{chosen}"
    assert at.text_input(key=f"{key}_name").value == name  # the form holds its values
    at.text_input(key=f"{key}_title").input("Chief Operating Officer")
    at.selectbox(key=f"{key}_role").select("influencer")
    at.button(key=f"{key}_submit").click().run()
    no_errors(at)
    row = _map(at).set_index("Name").loc[name]
    assert (row["Title"], row["Role"]) == ("Chief Operating Officer", "Influencer")
    assert _audit(chosen, "update") == [_user_id(MAYA)]


def test_a_stale_edit_is_refused_with_their_values_beside_the_typed_ones_kept_in_the_form(demo_app):
    at = _open(demo_app)
    (chosen, name), *_ = _contacts(_account_of(MAYA))
    at = _pick(at, chosen)
    # the director saves the same contact in another tab meanwhile
    director = get_user(app_db(), _user_id(DIRECTOR))
    loaded = contact_details(app_db(), SYSTEM, chosen)
    update_contact(app_db(), director, chosen, loaded["version"],
                   ContactEdit.parse(name=name, title="Director's title", role="technical"))
    key = f"account_contact_edit_{chosen}"
    at.text_input(key=f"{key}_title").input("Maya's title")
    at.button(key=f"{key}_submit").click().run()
    assert not at.exception
    assert "Eleanor Hayes changed this contact after you opened it" in at.error[0].value
    side_by_side = next(d.value for d in at.dataframe if "Yours, not saved" in d.value.columns)
    assert side_by_side.set_index("Field").loc["Title"].tolist() == ["Director's title", "Maya's title"]
    assert at.text_input(key=f"{key}_title").value == "Maya's title"  # nothing typed is lost
    assert contact_details(app_db(), SYSTEM, chosen)["title"] == "Director's title"  # not overwritten
    at.button(key=f"account_contact_use_theirs_{chosen}").click().run()
    assert at.text_input(key=f"{key}_title").value == "Director's title"
    assert at.selectbox(key=f"{key}_role").value == "technical"
    at.text_input(key=f"{key}_title").input("Maya's title")
    at.button(key=f"{key}_submit").click().run()  # re-applied on their version: saved
    no_errors(at)
    saved = contact_details(app_db(), SYSTEM, chosen)
    assert (saved["title"], saved["role"]) == ("Maya's title", "technical")


def test_a_viewer_sees_the_map_and_why_but_no_forms(demo_app):
    at = _open(demo_app, VIEWER)
    no_errors(at)
    assert not _map(at).empty and not _has_forms(at)
    assert any(c.value == "Viewers cannot change data." for c in at.caption)


def test_a_manager_on_another_managers_account_sees_the_map_and_why_but_no_forms(demo_app):
    demo_app.run()
    at = _open(demo_app, MAYA, _account_of(MAYA, mine=False))
    no_errors(at)
    assert not _map(at).empty and not _has_forms(at)
    assert any("only on your own accounts; this one belongs to" in c.value for c in at.caption)


def test_an_archived_accounts_contacts_are_read_only_until_the_account_is_restored(demo_app):
    demo_app.run()
    account = _account_of(MAYA)

    def archive(tx):
        tx.execute("UPDATE accounts SET archived_at = now()::TIMESTAMP WHERE id = ?", [account])
        tx.audit("archive", "account", account)

    app_db().write(SYSTEM, archive)
    at = _open(demo_app, MAYA, account)
    assert not at.exception and not _has_forms(at)
    assert any(c.value == "Restore the account to change its contacts." for c in at.caption)
