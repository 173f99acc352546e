"""The audit trail page: renders for those who may read it, filters, pages, refuses the others."""
import re
from datetime import date

from lib import auth
from lib.auth import DEMO_PASSWORD, create_first_admin
from lib.users import SYSTEM
from tests.app.conftest import app_db, no_errors, sign_in
from tests.conftest import ADMIN, MANAGER

PAGE = "pages/audit_page.py"



def _open_audit(at, email, *password):
    return sign_in(at, email, *password).switch_page(PAGE).run()


def _entries_caption(at) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Entries "))


def test_an_admin_sees_the_demo_load_and_every_column_on_the_demo(demo_app):
    at = _open_audit(demo_app, ADMIN)
    no_errors(at)
    assert at.title[0].value == "Audit trail"
    table = at.dataframe[0].value
    assert list(table.columns) == ["When", "Who", "Action", "What", "Record", "Changes", "link"]
    demo = table[table["Action"] == "Load demo"].iloc[0]
    assert demo["Who"] == "Account Desk (system)"
    assert "accounts: 400" in demo["Changes"].split("\n")
    assert any(c.value == "All changes you may see · times in UTC" for c in at.caption)
    assert re.fullmatch(rf"Entries 1–{len(table)} of {len(table)}", _entries_caption(at))


def test_choosing_a_record_type_narrows_the_entries_and_says_so(demo_app):
    at = _open_audit(demo_app, ADMIN)
    everything = len(at.dataframe[0].value)
    at.multiselect(key="audit_entity").select("portfolio").run()
    no_errors(at)
    table = at.dataframe[0].value
    assert 0 < len(table) < everything
    assert set(table["What"]) == {"portfolio"}
    assert any("Changes where record type is portfolio" in c.value for c in at.caption)


def test_a_link_with_a_record_type_in_the_url_opens_the_same_entries(demo_app):
    demo_app.query_params["audit_entity"] = "portfolio"
    at = _open_audit(demo_app, ADMIN)
    no_errors(at)
    assert at.multiselect(key="audit_entity").value == ["portfolio"]
    assert set(at.dataframe[0].value["What"]) == {"portfolio"}


def test_a_search_with_sql_characters_that_matches_nothing_says_no_change_matches(demo_app):
    at = _open_audit(demo_app, ADMIN)
    at.text_input(key="audit_q").input("%_' OR 1=1 --").run()
    no_errors(at)
    assert not at.dataframe
    assert any("No change matches these filters" in i.value for i in at.info)


def test_a_from_date_after_the_to_date_is_explained_and_nothing_is_queried(demo_app):
    at = _open_audit(demo_app, ADMIN)
    at.date_input(key="audit_from").set_value(date(2026, 3, 1))
    at.date_input(key="audit_to").set_value(date(2026, 2, 1)).run()
    no_errors(at)
    assert "is after the To date" in at.warning[0].value
    assert not at.dataframe


def test_more_than_a_hundred_entries_are_paged(demo_app):
    at = sign_in(demo_app, ADMIN)
    db = app_db()

    def work(tx):
        for n in range(150):
            tx.audit("note", "test", n)
    db.write(SYSTEM, work)
    at.switch_page(PAGE).run()
    no_errors(at)
    total = int(re.search(r"of ([\d,]+)$", _entries_caption(at)).group(1).replace(",", ""))
    assert total > 150 and len(at.dataframe[0].value) == 100
    assert _entries_caption(at) == f"Entries 1–100 of {total:,}"
    at.session_state["audit_page"] = 2
    at.run()
    no_errors(at)
    assert _entries_caption(at) == f"Entries 101–{min(200, total)} of {total:,}"


def test_a_sign_in_made_after_the_page_was_shown_is_listed_on_its_next_run(demo_app):
    at = _open_audit(demo_app, ADMIN)
    before = at.dataframe[0].value
    auth.sign_in(app_db(), MANAGER, DEMO_PASSWORD, session_key="another browser")
    at.run()
    no_errors(at)
    table = at.dataframe[0].value
    assert len(table) == len(before) + 1
    newest = table.iloc[0]
    assert (newest["Action"], newest["Who"]) == ("Sign in", "Maya Thompson")


def test_a_manager_who_opens_the_audit_url_is_told_they_are_not_allowed(demo_app):
    at = _open_audit(demo_app, MANAGER)
    assert not at.exception
    assert any("You are not allowed to open Audit trail" in e.value for e in at.error)
    assert not at.dataframe


def test_a_new_database_shows_only_the_admins_own_start_and_no_demo(empty_app):
    create_first_admin(app_db(), "ada@example.com", "Ada Admin",
                       "correct horse battery")
    at = _open_audit(empty_app, "ada@example.com", "correct horse battery")
    no_errors(at)
    table = at.dataframe[0].value
    assert "Load demo" not in set(table["Action"])
    assert set(table["Record"]) == {"Ada Admin"}  # the admin's creation and sign-in
    at.multiselect(key="audit_entity").select("user").run()
    at.text_input(key="audit_q").input("no such change").run()
    no_errors(at)
    assert any("No change matches" in i.value for i in at.info)
