"""Targets page: grid edits (seeded through session state, as AppTest cannot type into a data
editor), totals that follow, refusals in words, locks, read-only managers, revert, empty state."""
from datetime import date
from decimal import Decimal

import pytest

from lib import target_edits, target_history
from lib.auth import create_first_admin
from lib.periods import FiscalYear
from lib.settings import get_settings, update_setting
from lib.target_rules import CellEdit
from lib.users import get_user
from tests.app.conftest import app_db, no_errors, sign_in
from tests.conftest import ADMIN, DIRECTOR, MANAGER

PAGE = "pages/targets_page.py"
YEAR = date.today().year  # the demo's targets run to the end of this calendar year; FY starts in January
JAN, MAR = date(YEAR, 1, 1), date(YEAR, 3, 1)


def _open(at, email=DIRECTOR, *password):
    return sign_in(at, email, *password).switch_page(PAGE).run()


def _user(email):
    db = app_db()
    return get_user(db, db.value("SELECT id FROM users WHERE email = ?", [email]))


def _manager_id(name):
    return app_db().value("SELECT id FROM account_managers WHERE name = ?", [name])


def _edit(at, name, changes):
    """Seed the grid's edits for the row of `name`, as the browser would send them."""
    grid = at.data_editor[0].value
    position = list(grid["Name"]).index(name)
    at.session_state[at.session_state["targets_grid_key"]] = {
        "edited_rows": {position: changes}, "added_rows": [], "deleted_rows": []}
    return at.run()


def _row(at, name):
    grid = at.data_editor[0].value if at.data_editor else at.dataframe[0].value
    return grid[grid["Name"] == name].iloc[0]


def _table_with(at, column):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _cell(manager_id, month):
    return app_db().value("SELECT amount FROM manager_targets WHERE manager_id = ? AND month = ?",
                          [manager_id, month])


def _errors(at) -> str:
    return " ".join(e.value for e in at.error)


def test_the_director_edits_a_month_and_the_quarter_and_year_totals_follow(demo_app):
    at = _open(demo_app)
    no_errors(at)
    before = _row(at, "Maya Thompson")
    at = _edit(at, "Maya Thompson", {f"{MAR:%b %Y}": before[f"{MAR:%b %Y}"] + 1000})
    preview = at.dataframe[1].value  # the unsaved changes, under the grid
    assert preview.iloc[0]["Q1"] == before["Q1"] + 1000 and preview.iloc[0]["Year"] == before["Year"] + 1000
    at.text_input(key="targets_reason").input("Bigger rollout")
    at.button(key="targets_save").click().run()
    no_errors(at)
    assert at.success[0].value == "Saved 1 target."
    after = _row(at, "Maya Thompson")
    assert (after["Q1"], after["Year"]) == (before["Q1"] + 1000, before["Year"] + 1000)
    change = app_db().record("SELECT changed_by, reason, new_amount - old_amount AS delta "
                             "FROM target_changes ORDER BY id DESC LIMIT 1")
    assert change == {"changed_by": _user(DIRECTOR).id, "reason": "Bigger rollout", "delta": Decimal(1000)}


def test_a_quarter_total_is_spread_evenly_over_its_months_when_even_is_chosen(demo_app):
    at = _open(demo_app)
    at.radio(key="targets_seasonality").set_value("even").run()
    at = _edit(at, "Maya Thompson", {"Q2": 300_000.01})
    at.button(key="targets_save").click().run()
    no_errors(at)
    months = [_cell(_manager_id("Maya Thompson"), date(YEAR, m, 1)) for m in (4, 5, 6)]
    assert months == [Decimal("100000.01"), Decimal("100000.00"), Decimal("100000.00")]
    assert _row(at, "Maya Thompson")["Q2"] == 300_000.01


def test_a_negative_cell_is_refused_with_its_reason_and_nothing_is_written(demo_app):
    at = _open(demo_app)
    changes = app_db().value("SELECT count(*) FROM target_changes")
    at = _edit(at, "Maya Thompson", {f"{JAN:%b %Y}": 5, f"{MAR:%b %Y}": -10})
    at.button(key="targets_save").click().run()
    assert f"Maya Thompson, {MAR:%b %Y}: must not be negative" in _errors(at)
    assert "Nothing was saved" in _errors(at)
    assert app_db().value("SELECT count(*) FROM target_changes") == changes
    assert at.session_state[at.session_state["targets_grid_key"]]["edited_rows"]  # the edits stay


def test_a_locked_month_shows_as_locked_and_refuses_the_edit(demo_app):
    target_history.lock_month(app_db(), _user(ADMIN), JAN)
    at = _open(demo_app)
    at = _edit(at, "Maya Thompson", {f"{JAN:%b %Y}": 1})
    at.button(key="targets_save").click().run()
    assert f"Maya Thompson, {JAN:%b %Y}: the month is locked by Fiona Finch" in _errors(at)
    assert _cell(_manager_id("Maya Thompson"), JAN) != 1


def test_the_director_locks_and_unlocks_a_month_from_the_page(demo_app):
    at = _open(demo_app)
    at.selectbox(key="targets_lock_month").set_value(MAR).run()
    at.button(key="targets_lock").click().run()
    no_errors(at)
    assert MAR in target_history.locks(app_db())
    at.button(key="targets_unlock").click().run()
    assert MAR not in target_history.locks(app_db())


def test_a_second_save_on_a_changed_cell_shows_the_other_persons_value_and_saves_the_rest(demo_app):
    at = _open(demo_app)
    maya, jan, mar = _manager_id("Maya Thompson"), f"{JAN:%b %Y}", f"{MAR:%b %Y}"
    saved = Decimal(str(_row(at, "Maya Thompson")[jan]))
    target_edits.save(app_db(), _user(ADMIN), "manager", [CellEdit(maya, JAN, Decimal(4242))],
                      {(maya, JAN): saved})  # Fiona saves while the director edits
    at = _edit(at, "Maya Thompson", {jan: 1, mar: 2})
    at.button(key="targets_save").click().run()
    assert "1 cell was not saved" in at.success[0].value
    conflicts = _table_with(at, "Their value")
    assert conflicts.iloc[0][["Month", "Their value", "Changed by"]].tolist() == [jan, 4242.0, "Fiona Finch"]
    assert (_cell(maya, JAN), _cell(maya, MAR)) == (Decimal(4242), Decimal(2))


def test_reverting_a_change_from_the_history_restores_the_old_value(demo_app):
    at = _open(demo_app)
    change = app_db().record("SELECT id, subject_id, month, old_amount FROM target_changes "
                             "WHERE level = 'manager' ORDER BY id LIMIT 1")
    at.selectbox(key="targets_revert_pick").set_value(change["id"]).run()
    at.button(key="targets_revert").click().run()
    no_errors(at)
    assert f"Reverted change #{change['id']}" in at.success[0].value
    assert _cell(change["subject_id"], change["month"]) == change["old_amount"]
    history = _table_with(at, "Reverted").set_index("Change")
    assert history.at[f"#{change['id']}", "Reverted"].startswith("by #")
    assert history.iloc[0]["Reason"] == f"Revert of change #{change['id']}"


def test_a_manager_sees_only_their_own_targets_read_only(demo_app):
    at = _open(demo_app, MANAGER)
    no_errors(at)
    assert not at.data_editor
    assert list(at.dataframe[0].value["Name"]) == ["Maya Thompson"]
    assert any("Only a director or an admin can change targets" in c.value for c in at.caption)
    assert not [b for b in at.button if b.key in ("targets_save", "targets_revert", "targets_lock")]


def test_the_accounts_view_and_the_roll_up_check_show_the_chosen_managers_book(demo_app):
    at = _open(demo_app)
    rollup = _table_with(at, "Gap").set_index("Manager")
    assert rollup.at["Rahul Mehta", "Status"] == "over-allocated"
    assert rollup.at["Sophie Clarke", "Status"] == "under-allocated"
    at.radio(key="targets_level").set_value("account").run()
    at.selectbox(key="targets_manager").set_value(_manager_id("Maya Thompson")).run()
    no_errors(at)
    names = set(at.data_editor[0].value["Name"])
    book = {r[0] for r in app_db().rows("SELECT a.name FROM accounts a JOIN account_managers m ON "
                                        "m.id = a.owner_id WHERE m.name = 'Maya Thompson' "
                                        "AND a.archived_at IS NULL")}
    assert names == book


def test_an_empty_database_says_there_are_no_managers_yet(empty_app):
    create_first_admin(app_db(), "ada@example.com", "Ada Admin", "correct horse battery")
    at = _open(empty_app, "ada@example.com", "correct horse battery")
    no_errors(at)
    assert at.title[0].value == "Targets"
    assert any("No managers yet" in i.value for i in at.info)


def test_with_an_april_fiscal_year_the_grid_starts_in_april_and_the_quarters_follow(demo_app):
    at = demo_app.run()
    db = app_db()
    update_setting(db, _user(ADMIN), "fiscal_year_start_month", 4,
                   get_settings(db)["versions"]["fiscal_year_start_month"])
    at = _open(at)
    last_year = FiscalYear.containing(date.today(), 4).previous()  # a year the demo has targets for
    at.selectbox(key="targets_year").set_value(last_year).run()
    no_errors(at)
    start = last_year.start_year
    assert list(at.data_editor[0].value.columns[2:6]) == [f"Apr {start}", f"May {start}", f"Jun {start}", "Q1"]
    maya = _row(at, "Maya Thompson")
    assert maya["Q4"] == pytest.approx(sum(maya[f"{m} {start + 1}"] for m in ("Jan", "Feb", "Mar")))
    assert any(c.value.startswith(f"FY {start}–{(start + 1) % 100:02d}: Apr {start}") for c in at.caption)
