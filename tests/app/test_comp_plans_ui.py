"""The Plans tab's section on its own: a director edits bands, a bad band is refused in words,
a manager is refused."""
from __future__ import annotations

from datetime import date

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib.users import get_user
from tests.app.conftest import app_db, no_errors
from tests.conftest import DIRECTOR, MANAGER, VIEWER, copy_db


def _section() -> None:
    # Runs as its own script: it opens the test's database as lib.ui does and draws the section
    # for whoever the test signed in (where lib.ui.current_user looks for them).
    import streamlit as st

    from lib import ui, ui_comp_plans
    ui_comp_plans.plans_section(ui.database(), st.session_state["_actor"])


@pytest.fixture
def section(tmp_path, monkeypatch, demo_db_file):
    monkeypatch.setenv("ACCOUNTDESK_DB", str(copy_db(demo_db_file, tmp_path / "demo.duckdb")))
    monkeypatch.setenv("ACCOUNTDESK_DAILY_BACKUP", "0")
    st.cache_resource.clear()
    st.cache_data.clear()
    yield AppTest.from_function(_section, default_timeout=30)
    st.cache_resource.clear()


def _as(at: AppTest, email: str) -> AppTest:
    db = app_db()
    at.session_state["_actor"] = get_user(db, db.value("SELECT id FROM users WHERE email = ?", [email]))
    return at.run()


def _rates(plan_id: int) -> list:
    return [r[0] for r in app_db().rows(
        "SELECT b.rate_pct FROM comp_plan_bands b WHERE b.plan_id = (SELECT max(id) FROM comp_plans "
        "WHERE id = ? OR revises_plan_id = ?) ORDER BY b.lower_pct", [plan_id, plan_id])]


def test_a_director_changes_a_band_rate_and_sees_it_saved(section):
    at = _as(section, DIRECTOR)
    no_errors(at)
    plan_id = at.selectbox(key="comp_plans_pick").value
    before = _rates(plan_id)
    at.session_state[f"comp_plans_edit_{plan_id}_bands"] = {
        "edited_rows": {1: {"rate_pct": 13.25}}, "added_rows": [], "deleted_rows": []}
    at.button(key=f"comp_plans_edit_{plan_id}_save").click().run()
    no_errors(at)
    assert any("Saved" in s.value for s in at.success)
    assert _rates(plan_id) == [before[0], 13.25, before[2]]
    grid = next(d for d in at.dataframe if d.key == f"comp_plans_edit_{plan_id}_bands")
    assert grid.value["rate_pct"].tolist() == [float(r) for r in _rates(plan_id)]  # reloaded from the database
    assert any("in its current revision" in s.value for s in at.success)


def test_a_rate_above_100_percent_is_refused_in_words_and_nothing_is_written(section):
    at = _as(section, DIRECTOR)
    plan_id = at.selectbox(key="comp_plans_pick").value
    before = _rates(plan_id)
    audited = app_db().value("SELECT count(*) FROM audit_log")
    at.session_state[f"comp_plans_edit_{plan_id}_bands"] = {
        "edited_rows": {2: {"rate_pct": 150}}, "added_rows": [], "deleted_rows": []}
    at.button(key=f"comp_plans_edit_{plan_id}_save").click().run()
    assert not at.exception
    assert any("Band 3 has a rate of 150%: a rate must be between 0% and 100%." in e.value for e in at.error)
    assert _rates(plan_id) == before
    assert app_db().value("SELECT count(*) FROM audit_log") == audited


def test_a_stale_save_shows_the_newer_values_and_saves_nothing(section):
    from lib import comp_plan_admin
    at = _as(section, DIRECTOR)
    plan_id = at.selectbox(key="comp_plans_pick").value
    db = app_db()
    admin = get_user(db, db.value("SELECT id FROM users WHERE role = 'admin' AND id <> 0"))
    plan = comp_plan_admin.plan_for_editing(db, plan_id)
    comp_plan_admin.revise_plan(db, admin, plan_id, plan["version"], {**plan["record"], "threshold_pct": "35"},
                           plan["bands"], plan["record"]["effective_from"])
    at.text_input(key=f"comp_plans_edit_{plan_id}_name").input("Renamed by the director")
    at.button(key=f"comp_plans_edit_{plan_id}_save").click().run()
    assert any("saved this compensation plan after you opened it" in e.value for e in at.error)
    diff = at.table[0].value
    assert "35" in diff["Theirs (saved)"].tolist() and "Renamed by the director" in diff["Yours (not saved)"].tolist()
    assert db.value("SELECT name FROM comp_plans WHERE id = ?", [plan_id]) != "Renamed by the director"


def test_a_director_assigns_a_manager_and_sees_the_assignment(section):
    at = _as(section, DIRECTOR)
    db = app_db()
    manager = db.value("SELECT id FROM account_managers WHERE email = ?", [MANAGER])
    before = db.value("SELECT count(*) FROM comp_assignments WHERE manager_id = ?", [manager])
    at.selectbox(key="comp_plans_assign_manager").set_value(manager)
    at.text_input(key="comp_plans_assign_salary").input("91000")
    at.date_input(key="comp_plans_assign_effective").set_value(date(2099, 1, 1))
    next(b for b in at.button if b.label == "Assign").click().run()
    no_errors(at)
    assert any("is paid by" in s.value for s in at.success)
    assert db.value("SELECT count(*) FROM comp_assignments WHERE manager_id = ?", [manager]) == before + 1
    shown = next(d.value for d in at.dataframe if "Yearly base" in d.value.columns)
    assert shown[shown["Yearly base"].str.endswith("91,000.00")]["Manager"].tolist() == ["Maya Thompson"]
    assert at.text_input(key="comp_plans_assign-1_salary").value == ""  # the form comes back empty


@pytest.mark.parametrize("email", [MANAGER, VIEWER])
def test_a_manager_or_viewer_sees_a_refusal_and_no_forms(section, email):
    at = _as(section, email)
    assert not at.exception
    assert [i.value for i in at.info] == ["Only a director or an admin can see and change compensation plans."]
    assert not at.button and not at.text_input and not at.dataframe
