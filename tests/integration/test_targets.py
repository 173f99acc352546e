"""Targets on a real DuckDB: the grid, saving, validation, locks, conflicts, revert, history,
permissions and the roll-up check."""
from datetime import date
from decimal import Decimal as D

import pytest

from lib import target_edits, target_history, targets
from lib.errors import NotAllowed, ValidationFailed, WriteConflict
from lib.periods import FiscalYear
from lib.target_rules import CellEdit
from tests.builders import (add_account_target, add_fx, add_manager_target, add_revenue,
                            make_account, make_manager)

FY = FiscalYear(2026, 1)
INDIA = FiscalYear(2026, 4)
JAN, FEB, MAR, APR = (date(2026, m, 1) for m in (1, 2, 3, 4))


def _cell(db, level, subject_id, month):
    s = targets.spec(level)
    return db.value(f"SELECT amount FROM {s.table} WHERE {s.key} = ? AND month = ?", [subject_id, month])


def _changes(db):
    return db.rows("SELECT level, subject_id, month, old_amount, new_amount, reason, changed_by, "
                   "reverts_id FROM target_changes ORDER BY id")


def _save(db, actor, subject_id, edits, loaded=None, level="manager", reason=None):
    cells = [CellEdit(subject_id, m, a) for m, a in edits.items()]
    return target_edits.save(db, actor, level, cells, loaded or {}, reason)


def test_the_grid_has_the_months_in_fiscal_order_with_quarter_and_year_totals(db, team):
    add_manager_target(db, team["maya_row"], APR, 100)
    add_manager_target(db, team["maya_row"], date(2027, 3, 1), 50)
    add_manager_target(db, team["maya_row"], MAR, 999)  # the previous fiscal year's March
    g = targets.grid(db, team["eleanor"], "manager", INDIA)
    row = g.table.loc[team["maya_row"]]
    assert list(g.table.columns[:6]) == ["Name", "Currency", "Apr 2026", "May 2026", "Jun 2026", "Q1"]
    assert (row["Apr 2026"], row["Q1"], row["Q4"], row["Year"]) == (100, 100, 50, 150)
    assert g.loaded[(team["maya_row"], APR)] == D("100")
    assert g.loaded[(team["maya_row"], date(2026, 5, 1))] is None  # no target: None, not 0


def test_a_director_sees_the_team_an_admin_everyone_and_a_manager_only_themself(db, team):
    names = lambda actor: set(targets.grid(db, actor, "manager", FY).table["Name"])  # noqa: E731
    assert names(team["eleanor"]) == {"Eleanor Hayes", "Maya Thompson", "Oliver Bennett"}
    assert "Zoe Quinn" in names(team["admin"])
    assert names(team["maya"]) == {"Maya Thompson"}
    with pytest.raises(NotAllowed):
        targets.grid(db, team["viewer"], "manager", FY)


def test_the_account_grid_lists_the_managers_live_accounts_in_their_own_currency(db, team):
    gbp = make_account(db, name="Harbour Ltd", owner_id=team["maya_row"], currency="GBP")
    make_account(db, name="Gone Ltd", owner_id=team["maya_row"], archived_at=date(2026, 1, 5))
    make_account(db, name="Oliver's", owner_id=team["oliver_row"])
    add_account_target(db, gbp, FEB, 700, "GBP")
    g = targets.grid(db, team["eleanor"], "account", FY, manager_id=team["maya_row"])
    assert list(g.table["Name"]) == ["Harbour Ltd"]
    assert (g.table.at[gbp, "Currency"], g.table.at[gbp, "Q1"]) == ("GBP", 700)
    with pytest.raises(NotAllowed):
        targets.grid(db, team["eleanor"], "account", FY, manager_id=team["zoe_row"])


def test_editing_a_month_saves_it_and_records_who_when_old_new_and_why(db, team):
    add_manager_target(db, team["maya_row"], MAR, 100)
    result = _save(db, team["eleanor"], team["maya_row"], {MAR: D("150.50")},
                   {(team["maya_row"], MAR): D(100)}, reason="Bigger rollout")
    assert result.written == 1 and result.conflicts == ()
    assert _cell(db, "manager", team["maya_row"], MAR) == D("150.50")
    assert _changes(db) == [("manager", team["maya_row"], MAR, D(100), D("150.50"), "Bigger rollout",
                             team["eleanor"].id, None)]
    audit = db.record("SELECT actor_id, action, entity FROM audit_log ORDER BY id DESC LIMIT 1")
    assert audit == {"actor_id": team["eleanor"].id, "action": "update", "entity": "manager_target"}
    g = targets.grid(db, team["eleanor"], "manager", FY)
    assert (g.table.at[team["maya_row"], "Q1"], g.table.at[team["maya_row"], "Year"]) == (150.5, 150.5)


def test_a_new_target_is_written_in_the_managers_currency(db, team):
    pounds = make_manager(db, name="Priya Pound", reports_to=None, salary_currency="GBP")
    _save(db, team["admin"], pounds, {JAN: 10})
    assert db.value("SELECT currency FROM manager_targets WHERE manager_id = ?", [pounds]) == "GBP"


def test_a_wrong_cell_is_named_with_its_reason_and_nothing_of_the_save_is_written(db, team):
    with pytest.raises(ValidationFailed) as refused:
        _save(db, team["eleanor"], team["maya_row"],
              {JAN: D("10"), FEB: D("-5"), MAR: "ten", APR: D("1e13")})
    assert refused.value.problems == [
        "Maya Thompson, Feb 2026: must not be negative",
        "Maya Thompson, Mar 2026: must be a number",
        "Maya Thompson, Apr 2026: must be at most 1,000,000,000,000",
    ]
    assert db.value("SELECT count(*) FROM manager_targets") == 0
    assert _changes(db) == []


def test_a_locked_month_refuses_edits_and_reverts_until_it_is_unlocked(db, team):
    add_manager_target(db, team["maya_row"], MAR, 100)
    first = _save(db, team["eleanor"], team["maya_row"], {MAR: 120}, {(team["maya_row"], MAR): D(100)})
    assert first.written == 1
    target_history.lock_month(db, team["eleanor"], date(2026, 3, 15))
    assert list(target_history.locks(db, FY)) == [MAR]
    with pytest.raises(ValidationFailed, match="Maya Thompson, Mar 2026: the month is locked by Eleanor"):
        _save(db, team["admin"], team["maya_row"], {MAR: 130}, {(team["maya_row"], MAR): D(120)})
    change = db.value("SELECT max(id) FROM target_changes")
    with pytest.raises(ValidationFailed, match="locked"):
        target_history.revert(db, team["eleanor"], change)
    target_history.unlock_month(db, team["eleanor"], MAR)
    _save(db, team["admin"], team["maya_row"], {MAR: 130}, {(team["maya_row"], MAR): D(120)})
    assert _cell(db, "manager", team["maya_row"], MAR) == D(130)


def test_only_directors_and_admins_lock_months(db, team):
    with pytest.raises(NotAllowed):
        target_history.lock_month(db, team["maya"], MAR)
    target_history.lock_month(db, team["admin"], MAR)
    with pytest.raises(ValidationFailed, match="already locked"):
        target_history.lock_month(db, team["eleanor"], MAR)
    assert db.value("SELECT count(*) FROM audit_log WHERE action = 'lock' AND entity = 'period'") == 1


def test_the_second_editor_of_the_same_month_gets_a_conflict_while_untouched_cells_still_save(db, team):
    maya = team["maya_row"]
    add_manager_target(db, maya, JAN, 100)
    add_manager_target(db, maya, FEB, 100)
    seen = targets.grid(db, team["eleanor"], "manager", FY).loaded  # both open the grid
    _save(db, team["eleanor"], maya, {JAN: 111}, seen)
    late = _save(db, team["admin"], maya, {JAN: 222, FEB: 333}, seen)
    assert _cell(db, "manager", maya, JAN) == D(111)  # not overwritten
    assert _cell(db, "manager", maya, FEB) == D(333)  # the untouched cell saved
    assert late.written == 1
    [conflict] = late.conflicts
    assert (conflict.subject, conflict.month, conflict.theirs, conflict.yours, conflict.by) == (
        "Maya Thompson", JAN, D(111), D(222), "Eleanor Hayes")
    table = target_edits.conflicts_table(late)
    assert table.to_dict("records") == [{"Target": "Maya Thompson", "Month": "Jan 2026", "Their value": 111.0,
                                         "Changed by": "Eleanor Hayes", "Your value (not saved)": 222.0}]


def test_a_save_where_every_cell_conflicts_writes_nothing_and_says_so(db, team):
    maya = team["maya_row"]
    seen = targets.grid(db, team["eleanor"], "manager", FY).loaded
    _save(db, team["eleanor"], maya, {JAN: 1}, seen)
    audits = db.value("SELECT count(*) FROM audit_log")
    late = _save(db, team["admin"], maya, {JAN: 2}, seen)
    assert (late.written, len(late.conflicts)) == (0, 1)
    assert db.value("SELECT count(*) FROM audit_log") == audits
    assert late.sentence.startswith("Nothing was saved. 1 cell was not saved because someone else")


def test_a_spread_total_is_held_back_whole_when_a_month_inside_it_conflicts(db, team):
    maya = team["maya_row"]
    g = targets.grid(db, team["eleanor"], "manager", FY)
    _save(db, team["admin"], maya, {FEB: 5}, g.loaded)
    position = list(g.table.index).index(maya)
    p = targets.plan(g, {position: {"Q1": 300}}, "even")
    result = target_edits.save_plan(db, team["eleanor"], g, p)
    assert result.held_back == ("Maya Thompson, Q1 total",)
    assert result.written == 0 and _cell(db, "manager", maya, JAN) is None


def test_a_year_total_spread_by_last_years_actuals_sums_exactly_and_keeps_their_shape(db, team):
    account = make_account(db, owner_id=team["maya_row"])
    for i, month in enumerate(FiscalYear(2025).months):
        add_revenue(db, account, month, 1000 * (2 if i == 11 else 1))  # December doubles
    g = targets.grid(db, team["eleanor"], "manager", FY)
    shapes = targets.last_year_shapes(db, team["eleanor"], "manager", FY)
    p = targets.plan(g, {list(g.table.index).index(team["maya_row"]): {"Year": 100_000}}, "last_year", shapes)
    target_edits.save_plan(db, team["eleanor"], g, p, "Annual plan")
    months = [_cell(db, "manager", team["maya_row"], m) for m in FY.months]
    assert sum(months) == D("100000.00")
    # 1/13 and 2/13 of the total; the nine left-over cents go to the largest remainders (1/13's)
    assert months[0] == D("7692.31") and months[10] == D("7692.30") and months[11] == D("15384.61")


def test_a_director_cannot_change_targets_outside_the_team_and_a_manager_none_at_all(db, team):
    with pytest.raises(NotAllowed, match="only for your team"):
        _save(db, team["eleanor"], team["zoe_row"], {JAN: 1})
    with pytest.raises(NotAllowed, match="Only a director or an admin"):
        _save(db, team["maya"], team["maya_row"], {JAN: 1})
    account = make_account(db, owner_id=team["zoe_row"])
    with pytest.raises(NotAllowed, match="belongs to Zoe Quinn"):
        _save(db, team["eleanor"], account, {JAN: 1}, level="account")
    assert db.value("SELECT count(*) FROM target_changes") == 0


def test_revert_restores_the_old_value_and_records_a_new_change(db, team):
    account = make_account(db, owner_id=team["maya_row"])
    add_account_target(db, account, MAR, 100)
    _save(db, team["eleanor"], account, {MAR: 150}, {(account, MAR): D(100)}, level="account")
    change = db.value("SELECT max(id) FROM target_changes")
    new_id = target_history.revert(db, team["eleanor"], change, "Typo")
    assert _cell(db, "account", account, MAR) == D(100)
    assert _changes(db)[-1] == ("account", account, MAR, D(150), D(100), f"Revert of change #{change}: Typo",
                                team["eleanor"].id, change)
    history = target_history.history(db, team["eleanor"], "account", FY, manager_id=team["maya_row"])
    assert list(history["id"]) == [new_id, change]  # newest first
    assert history.set_index("id").at[change, "reverted_by"] == new_id
    assert db.value("SELECT count(*) FROM audit_log WHERE action = 'revert'") == 1


def test_reverting_a_change_the_cell_has_moved_on_from_is_refused(db, team):
    maya = team["maya_row"]
    _save(db, team["eleanor"], maya, {JAN: 10})
    first = db.value("SELECT max(id) FROM target_changes")
    _save(db, team["admin"], maya, {JAN: 20}, {(maya, JAN): D(10)})
    with pytest.raises(WriteConflict, match="it is 20.00 now .last changed by Ada Admin., not 10.00"):
        target_history.revert(db, team["eleanor"], first)
    assert _cell(db, "manager", maya, JAN) == D(20)


def test_reverting_the_creation_of_a_target_removes_it_again(db, team):
    _save(db, team["eleanor"], team["maya_row"], {JAN: 10})
    target_history.revert(db, team["eleanor"], db.value("SELECT max(id) FROM target_changes"))
    assert _cell(db, "manager", team["maya_row"], JAN) is None


def test_history_shows_only_changes_within_reach_and_the_fiscal_year(db, team):
    _save(db, team["admin"], team["zoe_row"], {JAN: 1})
    _save(db, team["admin"], team["maya_row"], {JAN: 2})
    _save(db, team["admin"], team["maya_row"], {date(2025, 12, 1): 3})
    seen = target_history.history(db, team["eleanor"], "manager", FY)
    assert list(seen["subject"]) == ["Maya Thompson"]
    shown = target_history.history_for_display(seen)
    assert list(shown.columns) == ["Change", "When", "Who", "Target", "Month", "Currency", "Old", "New",
                                   "Reason", "Reverted"]
    assert shown.iloc[0]["Who"] == "Ada Admin" and shown.iloc[0]["Month"] == "Jan 2026"


def test_the_roll_up_compares_each_managers_target_with_their_accounts_in_the_managers_currency(db, team):
    maya, oliver = team["maya_row"], team["oliver_row"]
    add_fx(db, "GBP", JAN, "1.25")
    dollars, pounds = make_account(db, owner_id=maya), make_account(db, owner_id=maya, currency="GBP")
    add_manager_target(db, maya, JAN, 2000)
    add_account_target(db, dollars, JAN, 500)
    add_account_target(db, pounds, JAN, 400, "GBP")      # 500 USD
    add_manager_target(db, oliver, JAN, 100)
    add_account_target(db, make_account(db, owner_id=oliver, currency="INR"), JAN, 9000, "INR")  # no rate
    table = target_history.rollup(db, team["eleanor"], FY).set_index("name")
    assert (table.at["Maya Thompson", "accounts"], table.at["Maya Thompson", "gap"]) == (1000.0, 1000.0)
    assert table.at["Maya Thompson", "status"] == "over-allocated"
    assert table.at["Oliver Bennett", "status"] == "FX rate missing for 1 account targets"
    assert table.at["Eleanor Hayes", "status"] == "no targets"
    assert "Zoe Quinn" not in table.index
