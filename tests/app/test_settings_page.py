"""The Settings & backups page: the fiscal calendar, the default currency, the contact policy
and backups."""
import json

import pytest
from streamlit.testing.v1 import AppTest

from lib.auth import create_first_admin
from lib.contact_policies import update_policy
from lib.settings import get_settings, update_setting
from lib.users import get_user
from tests.app.conftest import app_db, no_errors, sign_in
from tests.conftest import ADMIN, DIRECTOR

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _backups_beside_the_database(monkeypatch):
    for name in ("ACCOUNTDESK_BACKUP_DIR", "ACCOUNTDESK_BACKUP_KEEP"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def settings_page(demo_app) -> AppTest:
    return sign_in(demo_app, ADMIN).switch_page("pages/settings_page.py").run()




def test_the_page_renders_for_the_admin_on_the_demo_with_the_current_settings(settings_page):
    at = settings_page
    no_errors(at)
    assert at.title[0].value == "Settings & backups"
    assert at.selectbox(key="settings_fiscal_month").value == 1
    assert at.selectbox(key="settings_currency").value == "USD"
    assert {"GBP", "INR", "USD"} <= set(at.selectbox(key="settings_currency").options)
    assert any("No backups yet" in i.value for i in at.info)
    assert any("python -m lib.backup restore FILE" in m.value for m in at.markdown)


def test_the_page_renders_on_an_empty_database_for_its_first_admin(empty_app):
    empty_app.run()
    create_first_admin(app_db(), "ada@example.com", "Ada Admin", PASSWORD)
    at = sign_in(AppTest.from_file(empty_app._script_path, default_timeout=60),
                 "ada@example.com", PASSWORD)
    at.switch_page("pages/settings_page.py").run()
    no_errors(at)
    assert at.title[0].value == "Settings & backups"
    assert at.selectbox(key="settings_currency").options == ["USD"]


def test_changing_the_fiscal_start_month_saves_it_and_records_who_did(settings_page):
    at = settings_page
    at.selectbox(key="settings_fiscal_month").select(4)
    at.button(key="settings_save_fiscal").click().run()
    no_errors(at)
    assert "the fiscal year starts in April" in at.success[0].value
    assert get_settings(app_db())["fiscal_year_start_month"] == 4
    assert at.selectbox(key="settings_fiscal_month").value == 4
    row = app_db().record("SELECT actor_id, changes FROM audit_log WHERE entity = 'setting' "
                       "ORDER BY id DESC LIMIT 1")
    admin_id = app_db().value("SELECT id FROM users WHERE email = ?", [ADMIN])
    assert row["actor_id"] == admin_id
    assert json.loads(row["changes"]) == {"fiscal_year_start_month": [1, 4]}


def test_changing_the_reporting_currency_saves_it(settings_page):
    at = settings_page
    at.selectbox(key="settings_currency").select("INR")
    at.button(key="settings_save_currency").click().run()
    no_errors(at)
    assert get_settings(app_db())["reporting_currency"] == "INR"


def test_a_stale_save_shows_the_other_admins_value_and_reloads_it(settings_page):
    at = settings_page
    admin = get_user(app_db(), app_db().value("SELECT id FROM users WHERE email = ?", [ADMIN]))
    update_setting(app_db(), admin, "fiscal_year_start_month", 7, 1)  # another tab saved first
    at.selectbox(key="settings_fiscal_month").select(4)
    at.button(key="settings_save_fiscal").click().run()
    assert "Fiona Finch changed this setting after you opened it" in at.error[0].value
    assert "Their value now: **July**" in at.error[0].value
    assert get_settings(app_db())["fiscal_year_start_month"] == 7
    assert at.selectbox(key="settings_fiscal_month").value == 7


def test_back_up_now_writes_a_file_beside_the_database_and_lists_it(settings_page, tmp_path):
    at = settings_page
    at.button(key="settings_backup_now").click().run()
    no_errors(at)
    made = sorted((tmp_path / "backups").glob("accountdesk-*.duckdb"))
    assert len(made) == 1
    assert f"Backed up to {made[0].name}" in at.success[0].value
    assert at.dataframe[0].value["File"].tolist() == [made[0].name]
    assert any(str(tmp_path / "backups") in m.value for m in at.markdown)


def test_a_director_opening_the_settings_url_is_refused(demo_app):
    at = sign_in(demo_app, DIRECTOR).switch_page("pages/settings_page.py").run()
    assert not at.exception
    assert "You are not allowed to open Settings & backups" in at.error[0].value
    assert not [s for s in at.selectbox if s.key == "settings_fiscal_month"]


def test_saving_one_setting_keeps_an_unsaved_choice_in_the_other(settings_page):
    at = settings_page
    at.selectbox(key="settings_currency").select("INR")
    at.selectbox(key="settings_fiscal_month").select(4)
    at.button(key="settings_save_fiscal").click().run()
    no_errors(at)
    assert at.selectbox(key="settings_currency").value == "INR"
    assert get_settings(app_db())["reporting_currency"] == "USD"
    at.button(key="settings_save_currency").click().run()  # its own version is still current
    assert get_settings(app_db())["reporting_currency"] == "INR"


# ---- the contact policy ------------------------------------------------------------------------
def _policy_days():
    return dict(app_db().rows("SELECT tier, max_days FROM contact_policies"))


def test_the_contact_policy_shows_each_tiers_days_and_what_the_policy_does(settings_page):
    at = settings_page
    assert [at.number_input(key=f"settings_policy_{t}").value for t in ("key", "strategic", "standard")] \
        == [30, 45, 90]
    assert any("appears on its manager's My work list and counts against its health" in c.value
               for c in at.caption)


def test_an_admin_changes_the_key_account_policy_to_21_days_and_it_is_saved_and_audited(settings_page):
    at = settings_page
    at.number_input(key="settings_policy_key").set_value(21)
    at.button(key="settings_save_policy").click().run()
    no_errors(at)
    assert "Saved the contact policy: Key accounts every 21 days." in at.success[0].value
    assert _policy_days() == {"key": 21, "strategic": 45, "standard": 90}
    assert at.number_input(key="settings_policy_key").value == 21
    admin_id = app_db().value("SELECT id FROM users WHERE email = ?", [ADMIN])
    rows = app_db().rows("SELECT actor_id, entity_id, changes FROM audit_log "
                         "WHERE entity = 'contact_policy' AND action = 'update'")
    assert [(a, tier, json.loads(c)) for a, tier, c in rows] == [(admin_id, "key", {"max_days": [30, 21]})]


def test_zero_days_is_refused_with_a_message_and_nothing_is_saved(settings_page):
    at = settings_page
    at.number_input(key="settings_policy_key").set_value(0)
    at.number_input(key="settings_policy_standard").set_value(60)
    at.button(key="settings_save_policy").click().run()
    assert not at.exception
    assert "Key accounts: 0 is not allowed; use a whole number of days from 1 to 3,650" in at.error[0].value
    assert _policy_days() == {"key": 30, "strategic": 45, "standard": 90}
    assert not app_db().value("SELECT count(*) FROM audit_log WHERE entity = 'contact_policy'")
    assert at.number_input(key="settings_policy_key").value == 0  # kept, to be corrected


def test_a_stale_policy_save_shows_the_other_admins_days_and_saves_nothing(settings_page):
    at = settings_page
    admin = get_user(app_db(), app_db().value("SELECT id FROM users WHERE email = ?", [ADMIN]))
    update_policy(app_db(), admin, "key", 14, 1)  # another tab saved first
    at.number_input(key="settings_policy_key").set_value(21)
    at.number_input(key="settings_policy_strategic").set_value(40)
    at.button(key="settings_save_policy").click().run()
    assert "Fiona Finch changed this contact policy after you opened it" in at.error[0].value
    assert "Their value now: **Key accounts every 14 days**" in at.error[0].value
    assert _policy_days() == {"key": 14, "strategic": 45, "standard": 90}
    assert at.number_input(key="settings_policy_key").value == 14
    assert at.number_input(key="settings_policy_strategic").value == 40  # unsaved, still there


def test_saving_the_policy_writes_only_the_tiers_that_changed(settings_page):
    at = settings_page
    admin = get_user(app_db(), app_db().value("SELECT id FROM users WHERE email = ?", [ADMIN]))
    update_policy(app_db(), admin, "standard", 120, 1)  # saved elsewhere; untouched here
    at.number_input(key="settings_policy_strategic").set_value(40)
    at.button(key="settings_save_policy").click().run()
    no_errors(at)
    assert _policy_days() == {"key": 30, "strategic": 40, "standard": 120}


# ---- FX rates ----------------------------------------------------------------------------------
def _fx_form(at, currency: str, month) -> str:
    """Pick the currency and month; the key of the rate box for that pair."""
    at.selectbox(key="settings_fx_currency").select(currency).run()
    at.selectbox(key="settings_fx_month").select(month).run()
    return f"settings_fx_{currency}_{month:%Y%m}_rate"


def _this_month():
    from datetime import date
    return date.today().replace(day=1)


def test_an_admin_sets_an_fx_rate_for_a_month_and_it_is_saved_audited_and_listed(settings_page):
    at = settings_page
    month = _this_month()
    box = _fx_form(at, "GBP", month)
    assert at.number_input(key=box).value is not None  # the demo's rate for the month, to edit
    at.number_input(key=box).set_value(1.3125)
    at.button(key="settings_fx_save").click().run()
    no_errors(at)
    assert f"Saved: in {month:%B %Y} one GBP is worth 1.3125 USD." in at.success[0].value
    assert app_db().value("SELECT usd_per_unit::DOUBLE FROM fx_rates WHERE currency = 'GBP' "
                          "AND month = ?", [month]) == 1.3125
    admin_id = app_db().value("SELECT id FROM users WHERE email = ?", [ADMIN])
    row = app_db().record("SELECT actor_id, action, changes FROM audit_log WHERE entity = 'fx_rate'")
    assert (row["actor_id"], row["action"]) == (admin_id, "update")
    assert json.loads(row["changes"])["usd_per_unit"][1] == "1.31250000"
    assert at.number_input(key=box).value == 1.3125
    latest = next(d.value for d in at.dataframe if "USD per unit" in d.value.columns)
    assert set(latest["Currency"]) >= {"GBP", "EUR", "INR"}


def test_a_zero_fx_rate_is_refused_in_words_and_nothing_is_saved(settings_page):
    at = settings_page
    box = _fx_form(at, "INR", _this_month())
    before = app_db().value("SELECT usd_per_unit FROM fx_rates WHERE currency = 'INR' AND month = ?",
                            [_this_month()])
    at.number_input(key=box).set_value(0.0)
    at.button(key="settings_fx_save").click().run()
    assert not at.exception
    assert "USD per unit: 0.0 is not a rate; one unit must be worth between" in at.error[0].value
    assert app_db().value("SELECT usd_per_unit FROM fx_rates WHERE currency = 'INR' AND month = ?",
                          [_this_month()]) == before
    assert not app_db().value("SELECT count(*) FROM audit_log WHERE entity = 'fx_rate'")
    assert at.number_input(key=box).value == 0.0  # kept, to be corrected


def test_a_stale_fx_save_shows_the_other_admins_rate_and_saves_nothing(settings_page):
    from lib import fx
    at = settings_page
    month = _this_month()
    box = _fx_form(at, "EUR", month)
    admin = get_user(app_db(), app_db().value("SELECT id FROM users WHERE email = ?", [ADMIN]))
    version = fx.rate_for_editing(app_db(), "EUR", month)["version"]
    fx.set_rate(app_db(), admin, "EUR", month, 1.0999, version)  # another tab saved first
    at.number_input(key=box).set_value(1.05)
    at.button(key="settings_fx_save").click().run()
    assert "Fiona Finch changed this FX rate after you opened it" in at.error[0].value
    assert "Their rate now: **1.0999 USD per EUR**" in at.error[0].value
    assert fx.rate_for_editing(app_db(), "EUR", month)["usd_per_unit"] == 1.0999
    assert at.number_input(key=box).value == 1.0999


def test_the_first_rate_of_a_currency_on_an_empty_database_makes_it_a_reporting_currency(empty_app):
    empty_app.run()
    create_first_admin(app_db(), "ada@example.com", "Ada Admin", PASSWORD)
    at = sign_in(AppTest.from_file(empty_app._script_path, default_timeout=60),
                 "ada@example.com", PASSWORD)
    at.switch_page("pages/settings_page.py").run()
    assert any("No FX rates yet" in i.value for i in at.info)
    box = _fx_form(at, "EUR", _this_month())
    assert at.number_input(key=box).value is None
    at.number_input(key=box).set_value(1.08)
    at.button(key="settings_fx_save").click().run()
    no_errors(at)
    assert at.selectbox(key="settings_currency").options == ["EUR", "USD"]


def test_an_admin_changes_the_health_weights_and_the_threshold_and_they_are_kept(settings_page):
    at = settings_page
    at.number_input(key="settings_health_contact").set_value(30.0)
    at.number_input(key="settings_health_threshold").set_value(60.0)
    at.button(key="settings_save_health").click().run()
    no_errors(at)
    from lib import health
    db = app_db()
    assert health.weights(db)["contact"] == 30
    assert health.threshold(db) == 60
    assert db.value("SELECT count(*) FROM audit_log WHERE entity LIKE 'health%'") >= 1


def test_health_weights_that_are_all_zero_are_refused_and_nothing_changes(settings_page):
    from lib import health
    before = health.weights(app_db())
    at = settings_page
    at.number_input(key="settings_health_threshold").set_value(100.0)
    at.number_input(key="settings_health_contact").set_value(0.0)
    for factor in health.FACTORS:
        at.number_input(key=f"settings_health_{factor}").set_value(0.0)
    at.button(key="settings_save_health").click().run()
    assert at.error, "all weights zero must be refused in words"
    assert health.weights(app_db()) == before
