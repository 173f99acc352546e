"""Settings on a real database: defaults, validation, audit, conflicts, who may change them."""
import json
from datetime import date

import pytest

from lib import periods
from lib.errors import NotAllowed, ValidationFailed, WriteConflict
from lib.settings import (back_up, backups_table, file_size, get_settings,
                          update_setting)
from lib.users import SYSTEM, linkable_managers
from tests.builders import add_fx, make_manager, make_user


@pytest.fixture
def admin(db):
    return make_user(db, role="admin", display_name="Ada Admin")


def _audit(db):
    row = db.record("SELECT actor_id, action, entity, entity_id, changes FROM audit_log "
                    "WHERE entity = 'setting' ORDER BY id DESC LIMIT 1")
    return row and {**row, "changes": json.loads(row["changes"]) if row["changes"] else None}


def test_a_fresh_database_has_a_january_fiscal_year_and_usd_reporting(db):
    assert get_settings(db) == {
        "fiscal_year_start_month": 1, "reporting_currency": "USD",
        "versions": {"fiscal_year_start_month": 1, "reporting_currency": 1},
    }


def test_a_missing_setting_row_reads_as_its_default_and_the_first_save_creates_it(db, admin):
    key = "fiscal_year_start_month"
    db.write(SYSTEM, lambda tx: (tx.execute("DELETE FROM settings WHERE key = ?", [key]),
                                 tx.audit("delete", "setting", key)))
    current = get_settings(db)
    assert (current[key], current["versions"][key]) == (1, 0)
    assert update_setting(db, admin, "fiscal_year_start_month", 7, 0) == 1
    assert get_settings(db)["fiscal_year_start_month"] == 7


def test_changing_the_fiscal_start_saves_it_bumps_the_version_and_the_calendar_follows(db, admin):
    assert update_setting(db, admin, "fiscal_year_start_month", 4, 1) == 2
    current = get_settings(db)
    assert current["fiscal_year_start_month"] == 4
    assert current["versions"]["fiscal_year_start_month"] == 2
    assert periods.fiscal_start_month(db) == 4


def test_a_change_is_audited_with_the_actor_and_the_old_and_new_values(db, admin):
    update_setting(db, admin, "fiscal_year_start_month", "4", 1)
    assert _audit(db) == {"actor_id": admin.id, "action": "update", "entity": "setting",
                          "entity_id": "fiscal_year_start_month",
                          "changes": {"fiscal_year_start_month": [1, 4]}}
    assert db.value("SELECT updated_by FROM settings WHERE key = ?", ["fiscal_year_start_month"]) \
        == admin.id


@pytest.mark.parametrize("month", [0, 13, -1, "April", None, True])
def test_a_fiscal_start_outside_one_to_twelve_is_refused_and_nothing_changes(db, admin, month):
    with pytest.raises(ValidationFailed) as refused:
        update_setting(db, admin, "fiscal_year_start_month", month, 1)
    assert "Fiscal year start" in refused.value.problems[0]
    assert get_settings(db)["fiscal_year_start_month"] == 1
    assert _audit(db) is None


def test_the_reporting_currency_must_be_one_with_fx_rates(db, admin):
    with pytest.raises(ValidationFailed) as refused:
        update_setting(db, admin, "reporting_currency", "GBP", 1)
    assert "choose one of USD" in refused.value.problems[0]
    add_fx(db, "GBP", date(2026, 1, 1), "1.27")
    update_setting(db, admin, "reporting_currency", " gbp ", 1)
    assert get_settings(db)["reporting_currency"] == "GBP"
    assert _audit(db)["changes"] == {"reporting_currency": ["USD", "GBP"]}


def test_saving_on_a_stale_version_is_a_conflict_that_names_who_and_their_value(db, admin):
    other = make_user(db, role="admin", display_name="Bea Boss")
    update_setting(db, other, "fiscal_year_start_month", 4, 1)
    with pytest.raises(WriteConflict) as conflict:
        update_setting(db, admin, "fiscal_year_start_month", 7, 1)
    assert conflict.value.changed_by == "Bea Boss"
    assert conflict.value.current == {"value": 4, "version": 2}
    assert "Bea Boss changed this setting" in str(conflict.value)
    assert get_settings(db)["fiscal_year_start_month"] == 4


def test_saving_the_same_value_changes_nothing_but_is_recorded_as_no_change(db, admin):
    assert update_setting(db, admin, "fiscal_year_start_month", 1, 1) == 1
    assert _audit(db)["action"] == "no_change"


@pytest.mark.parametrize("role", ["director", "manager", "viewer"])
def test_only_an_admin_may_change_settings(db, role):
    person = make_user(db, role=role)
    with pytest.raises(NotAllowed):
        update_setting(db, person, "fiscal_year_start_month", 4, 1)
    assert get_settings(db)["fiscal_year_start_month"] == 1


def test_an_unknown_setting_is_a_programming_error_not_a_silent_insert(db, admin):
    with pytest.raises(ValueError):
        update_setting(db, admin, "colour", "teal", 0)


def test_managers_already_signing_in_as_someone_else_are_not_offered_for_linking(db):
    free = make_manager(db, name="Free Fran", role_title="AM")
    taken = make_manager(db, name="Taken Tom", role_title="AM")
    make_manager(db, name="Gone Gil", role_title="AM", active=False)
    tom = make_user(db, manager_id=taken)
    assert linkable_managers(db) == {free: "Free Fran (AM)"}
    assert linkable_managers(db, tom.id) == {free: "Free Fran (AM)", taken: "Taken Tom (AM)"}


def test_the_backups_table_is_empty_without_a_folder_and_sizes_read_like_words(tmp_path):
    assert backups_table(tmp_path / "none").empty
    assert [file_size(n) for n in (0, 1023, 1536, 5 * 1024**2, 3 * 1024**4)] == [
        "0 bytes", "1,023 bytes", "1.5 KB", "5.0 MB", "3,072.0 GB"]


def test_only_an_admin_may_take_a_backup_from_the_app(db, tmp_path, monkeypatch):
    monkeypatch.setenv("ACCOUNTDESK_BACKUP_DIR", str(tmp_path / "kept"))
    with pytest.raises(NotAllowed):
        back_up(db, make_user(db, role="director"))
    assert not (tmp_path / "kept").exists()
    made = back_up(db, make_user(db, role="admin"))
    assert backups_table(tmp_path / "kept")["File"].tolist() == [made.name]
