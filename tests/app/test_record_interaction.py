"""Recording interactions: the quick-entry dialog from any page, the account page's form,
editing, deleting and restoring entries, escalations and planned visits."""
from datetime import date, timedelta

from tests.app.conftest import app_db, no_errors, sign_in
from tests.conftest import MANAGER, VIEWER


def _maya_account(name_like: str = "%") -> tuple[int, str]:
    return tuple(app_db().rows(
        "SELECT a.id, a.name FROM accounts a JOIN users u ON u.manager_id = a.owner_id "
        "WHERE u.email = ? AND a.archived_at IS NULL AND a.name LIKE ? ORDER BY a.name LIMIT 1",
        [MANAGER, name_like])[0])


def _open_account(demo_app, account_id: int, email: str = MANAGER, tab: str = "Interactions"):
    demo_app.query_params["account"] = str(account_id)
    demo_app.query_params["account_tab"] = tab
    at = sign_in(demo_app, email)
    return at.switch_page("pages/account_page.py").run()


def _count(sql: str, params: list) -> int:
    return app_db().value(sql, params)


def test_the_quick_entry_dialog_records_an_interaction_on_the_chosen_account(demo_app):
    at = sign_in(demo_app, MANAGER)
    account_id, name = _maya_account()
    at.button(key="quick_open").click().run()
    no_errors(at)
    assert at.selectbox(key="quick_account").value == account_id  # her own book comes first
    at.text_input(key=f"quick_{account_id}_subject").input("Renewal call")
    at.text_input(key=f"quick_{account_id}_outcome").input("They will sign in March")
    at.button(key=f"FormSubmitter:quick_{account_id}_form-Record interaction").click().run()
    no_errors(at)
    assert any("Recorded: call “Renewal call”" in s.value for s in at.success)
    user_id = app_db().value("SELECT id FROM users WHERE email = ?", [MANAGER])
    new_id = app_db().value("SELECT max(id) FROM interactions WHERE account_id = ? AND subject = 'Renewal call'",
                            [account_id])
    assert new_id is not None
    assert _count("SELECT count(*) FROM audit_log WHERE entity = 'interaction' AND entity_id = ? "
                  "AND actor_id = ?", [str(new_id), user_id]) == 1


def test_quick_entry_on_an_account_page_defaults_to_that_account_and_its_primary_contact(demo_app):
    account_id = app_db().value("SELECT account_id FROM contacts WHERE is_primary AND account_id IN "
                                "(SELECT a.id FROM accounts a JOIN users u ON u.manager_id = a.owner_id "
                                " WHERE u.email = ?) ORDER BY account_id DESC LIMIT 1", [MANAGER])
    primary = app_db().value("SELECT id FROM contacts WHERE account_id = ? AND is_primary", [account_id])
    at = _open_account(demo_app, account_id)
    at.button(key="quick_open").click().run()
    assert at.selectbox(key="quick_account").value == account_id
    assert at.multiselect(key=f"quick_{account_id}_contacts").value == [primary]


def test_a_next_step_due_before_the_interaction_is_refused_in_words_and_nothing_is_written(demo_app):
    account_id, _ = _maya_account()
    at = _open_account(demo_app, account_id)
    before = _count("SELECT count(*) FROM interactions", [])
    at.text_input(key="account_new_subject").input("Call")
    at.text_input(key="account_new_next").input("Send the quote")
    at.date_input(key="account_new_due").set_value(date.today() - timedelta(days=3))
    at.button(key="FormSubmitter:account_new_form-Record interaction").click().run()
    assert not at.exception
    assert any("Next step due: must not be before the interaction itself" in e.value for e in at.error)
    assert _count("SELECT count(*) FROM interactions", []) == before


def test_an_interaction_recorded_on_the_account_page_tops_its_timeline(demo_app):
    account_id, _ = _maya_account()
    at = _open_account(demo_app, account_id)
    at.segmented_control(key="account_new_type").set_value("meeting")
    at.text_input(key="account_new_subject").input("<b>Quarterly</b> plan")
    at.text_area(key="account_new_notes").input("**not bold** <script>alert(1)</script>")
    at.button(key="FormSubmitter:account_new_form-Record interaction").click().run()
    no_errors(at)
    timeline = next(d.value for d in at.dataframe if "Subject" in d.value.columns)
    assert timeline.iloc[0]["Subject"] == "<b>Quarterly</b> plan"  # stored and shown as typed
    assert timeline.iloc[0]["Type"] == "Meeting"
    assert timeline.iloc[0]["Notes"] == "**not bold** <script>alert(1)</script>"


def test_an_escalation_asks_for_severity_and_is_resolved_with_notes(demo_app):
    account_id, _ = _maya_account()
    at = _open_account(demo_app, account_id)
    at.segmented_control(key="account_new_type").set_value("escalation").run()
    at.selectbox(key="account_new_severity").set_value("high")
    at.text_input(key="account_new_escalated_to").input("Support lead")
    at.text_input(key="account_new_subject").input("Deliveries late")
    at.button(key="FormSubmitter:account_new_form-Record interaction").click().run()
    no_errors(at)
    new_id = app_db().value("SELECT max(id) FROM interactions WHERE subject = 'Deliveries late'")
    assert app_db().value("SELECT escalation_status FROM interactions WHERE id = ?", [new_id]) == "open"
    at.selectbox(key="account_entry").set_value(new_id).run()
    at.selectbox(key=f"account_escalation_status_{new_id}").set_value("resolved")
    at.button(key=f"FormSubmitter:account_escalation_{new_id}-Update escalation").click().run()
    assert any("Resolution notes" in e.value for e in at.error)
    at.text_area(key=f"account_escalation_notes_{new_id}").input("Carrier changed")
    at.button(key=f"FormSubmitter:account_escalation_{new_id}-Update escalation").click().run()
    no_errors(at)
    assert app_db().record("SELECT escalation_status, resolved_at IS NOT NULL AS done FROM interactions "
                           "WHERE id = ?", [new_id]) == {"escalation_status": "resolved", "done": True}


def test_a_deleted_entry_leaves_the_timeline_and_can_be_restored(demo_app):
    account_id, _ = _maya_account()
    at = _open_account(demo_app, account_id)
    at.text_input(key="account_new_subject").input("Wrong account")
    at.button(key="FormSubmitter:account_new_form-Record interaction").click().run()
    new_id = app_db().value("SELECT max(id) FROM interactions WHERE subject = 'Wrong account'")
    at.selectbox(key="account_entry").set_value(new_id).run()
    at.button(key=f"account_delete_{new_id}").click().run()
    no_errors(at)
    timeline = next(d.value for d in at.dataframe if "Subject" in d.value.columns)
    assert "Wrong account" not in timeline["Subject"].tolist()
    at.button(key=f"account_restore_{new_id}").click().run()
    no_errors(at)
    timeline = next(d.value for d in at.dataframe if "Subject" in d.value.columns)
    assert "Wrong account" in timeline["Subject"].tolist()
    assert [r[0] for r in app_db().rows("SELECT action FROM audit_log WHERE entity = 'interaction' "
                                       "AND entity_id = ? ORDER BY id", [str(new_id)])] == \
        ["create", "delete", "restore"]


def test_a_planned_visit_is_completed_from_the_account_page_with_its_outcome(demo_app):
    account_id, _ = _maya_account()
    at = _open_account(demo_app, account_id)
    at.text_input(key="account_plan_subject").input("Site visit")
    at.button(key="FormSubmitter:account_plan_form-Plan it").click().run()
    no_errors(at)
    new_id = app_db().value("SELECT max(id) FROM interactions WHERE subject = 'Site visit' AND is_planned")
    assert new_id is not None
    at.selectbox(key="account_entry").set_value(new_id).run()
    at.text_input(key=f"account_complete_outcome_{new_id}").input("Agreed a pilot")
    at.button(key=f"FormSubmitter:account_complete_{new_id}-Mark as done").click().run()
    no_errors(at)
    assert app_db().record("SELECT is_planned, outcome FROM interactions WHERE id = ?", [new_id]) == \
        {"is_planned": False, "outcome": "Agreed a pilot"}


def test_a_viewer_has_no_quick_entry_and_no_record_form(demo_app):
    account_id, _ = _maya_account()
    at = _open_account(demo_app, account_id, VIEWER)
    no_errors(at)
    assert not [b for b in at.button if b.key == "quick_open"]
    assert not [t for t in at.text_input if t.key == "account_new_subject"]


def test_a_manager_cannot_record_on_another_managers_account_from_quick_entry(demo_app):
    other = app_db().value("SELECT a.id FROM accounts a WHERE a.owner_id <> (SELECT manager_id FROM users "
                           "WHERE email = ?) AND a.archived_at IS NULL LIMIT 1", [MANAGER])
    at = _open_account(demo_app, other)
    assert not [t for t in at.text_input if t.key == "account_new_subject"]
    at.button(key="quick_open").click().run()
    assert any("only on your own accounts" in w.value for w in at.warning)
