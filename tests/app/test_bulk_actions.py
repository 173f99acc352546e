"""Bulk changes from the portfolio table: review exactly what changes, apply it in one go."""
from tests.app.conftest import app_db, no_errors, sign_in
from tests.conftest import DIRECTOR, VIEWER


def _tick(at, rows: list[int]):
    """Tick table rows as a browser would (AppTest cannot click a canvas grid)."""
    table = next(d for d in at.dataframe if d.key and d.key.startswith("portfolio_table_"))
    at.session_state[table.key] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    return at.run(), table.value


def test_reassigning_two_ticked_accounts_shows_the_change_then_applies_it_with_history(demo_app):
    at = sign_in(demo_app, DIRECTOR)
    at, table = _tick(at, [0, 1])
    no_errors(at)
    names = table["Account"].iloc[:2].tolist()
    managers = dict(app_db().rows("SELECT name, id FROM account_managers WHERE active"))
    target = next(n for n in sorted(managers) if n not in table["Manager"].iloc[:2].tolist())
    at.selectbox(key="portfolio_bulk_field").set_value("owner_id").run()
    at.selectbox(key="portfolio_bulk_value_owner_id").set_value(managers[target])
    at.button(key="portfolio_bulk_review").click().run()
    no_errors(at)
    review = at.table[-1].value
    assert sorted(review["Account"]) == sorted(names) and set(review["After"]) == {target}
    assert app_db().value("SELECT count(*) FROM accounts WHERE name IN (?, ?) AND owner_id = ?",
                          [*names, managers[target]]) == 0
    at.button(key="portfolio_bulk_apply").click().run()
    no_errors(at)
    assert any("done for 2 account(s)" in s.value for s in at.success)
    assert app_db().value("SELECT count(*) FROM accounts WHERE name IN (?, ?) AND owner_id = ?",
                          [*names, managers[target]]) == 2
    assert app_db().value("SELECT count(*) FROM account_history h JOIN accounts a ON a.id = h.account_id "
                          "WHERE a.name IN (?, ?) AND h.field = 'owner_id'", names) == 2


def test_changing_the_selection_after_review_asks_for_a_new_review(demo_app):
    at = sign_in(demo_app, DIRECTOR)
    at, _ = _tick(at, [0, 1])
    at.selectbox(key="portfolio_bulk_field").set_value("tier").run()
    at.selectbox(key="portfolio_bulk_value_tier").set_value("standard")
    at.button(key="portfolio_bulk_review").click().run()
    assert [b for b in at.button if b.key == "portfolio_bulk_apply"]
    at, _ = _tick(at, [0, 1, 2])
    assert not [b for b in at.button if b.key == "portfolio_bulk_apply"]


def test_a_viewer_gets_no_bulk_actions(demo_app):
    at = sign_in(demo_app, VIEWER)
    no_errors(at)
    assert not [s for s in at.selectbox if s.key == "portfolio_bulk_field"]
