"""The Compensation page: a manager's pay and why, what-if, the statement, and the lead's tabs."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.conftest import app_db, no_errors, sign_in
from tests.conftest import DIRECTOR, MANAGER, ROOT

PAGE = "pages/compensation_page.py"


def _open(at: AppTest) -> AppTest:
    at.switch_page(PAGE).run()
    no_errors(at)
    return at


def _tab(at: AppTest, name: str) -> AppTest:
    """Open a tab (only the open tab runs)."""
    at.session_state["comp_tab"] = name
    at.run()
    no_errors(at)
    return at


def _texts(at: AppTest) -> list[str]:
    """The markdown shown, as a person reads it (without markdown's escapes)."""
    return [m.value.replace("\\", "") for m in at.markdown]


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_a_manager_sees_their_own_pay_with_the_reasons_and_no_one_elses(demo_app):
    at = _open(sign_in(demo_app, MANAGER))
    assert "comp_manager" not in [s.key for s in at.selectbox]
    assert _metric(at, "Base this period").startswith("$")
    assert "%" in _metric(at, "Attainment to date")
    sentences = _texts(at)
    assert "Why this projection" in [h.value for h in at.subheader]   # the demo's period is open
    assert any(s.startswith("- Projected revenue: $") for s in sentences)
    assert any("Attainment:" in s and "credited of a" in s for s in sentences)
    assert any(s.startswith("- Total compensation: base") for s in sentences)
    assert {"Pay", "What-if"} <= {t.label for t in at.tabs}
    assert not {"Team", "Move accounts", "Plans"} & {t.label for t in at.tabs}


def test_booking_more_in_the_what_if_raises_the_projected_commission(demo_app):
    at = _tab(_open(sign_in(demo_app, MANAGER)), "What-if")
    before = _metric(at, "Projected commission")
    at.number_input(key="comp_whatif_extra").set_value(250000.0).run()
    no_errors(at)
    after = next(m for m in at.metric if m.label == "Projected commission")
    assert after.value != before
    assert "more" in (after.delta or "")


def test_the_statement_downloads_as_a_workbook(demo_app):
    at = _open(sign_in(demo_app, MANAGER))
    button = at.get("download_button")
    assert button, "no statement download"
    assert any("Download statement" in b.proto.label for b in button)


def test_a_director_picks_a_manager_and_sees_the_team_tabs(demo_app):
    at = _open(sign_in(demo_app, DIRECTOR))
    assert {"Pay", "What-if", "Team", "Move accounts", "Plans"} <= {t.label for t in at.tabs}
    names = at.selectbox(key="comp_manager").options
    assert len(names) >= 12
    at.selectbox(key="comp_manager").set_value(2).run()
    no_errors(at)
    # the Team tab works out every manager's pay: only when it is opened
    assert not any(m.label.startswith("Projected team pay") for m in at.metric)
    _tab(at, "Team")
    assert any(m.label.startswith("Projected team pay") for m in at.metric)


def test_a_director_records_a_bonus_and_it_joins_the_explanation(demo_app):
    at = _open(sign_in(demo_app, DIRECTOR))
    at.text_input(key="comp_bonus_amount").input("1500")
    at.text_input(key="comp_bonus_note").input("Q4 SPIF: renewals")
    next(b for b in at.button if b.label == "Add bonus to this period").click().run()
    no_errors(at)
    assert any("Bonus (Q4 SPIF: renewals), after the cap: +$1,500.00" in t for t in _texts(at))
    assert app_db().value("SELECT count(*) FROM audit_log WHERE entity = 'comp_adjustment'") == 1


def test_a_bonus_without_a_note_is_refused_and_nothing_is_written(demo_app):
    at = _open(sign_in(demo_app, DIRECTOR))
    at.text_input(key="comp_bonus_amount").input("1500")
    next(b for b in at.button if b.label == "Add bonus to this period").click().run()
    assert any("note" in e.value for e in at.error)
    assert app_db().value("SELECT count(*) FROM comp_adjustments") == 0


def test_the_page_opens_on_an_empty_database_for_the_first_admin(empty_app):
    from tests.app.test_pages import _create_first_admin
    _create_first_admin(empty_app.run(), "correct horse battery")
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), "ada@example.com",
                 "correct horse battery")
    at = _open(at)
    assert at.title[0].value == "Compensation"
    assert "nobody whose pay you can see" in at.info[0].value


def test_a_director_previews_moving_an_account_and_applies_it(demo_app):
    at = _tab(_open(sign_in(demo_app, DIRECTOR)), "Move accounts")
    at.selectbox(key="comp_territory_from").set_value(2).run()
    at.selectbox(key="comp_territory_to").set_value(6).run()
    first = at.multiselect(key="comp_territory_accounts_2").options[0]
    moved = app_db().value("SELECT id FROM accounts WHERE name = ? AND owner_id = 2", [first])
    at.multiselect(key="comp_territory_accounts_2").set_value([moved]).run()
    no_errors(at)
    table = next(d.value for d in at.dataframe if "Attainment after" in d.value.columns)
    assert list(table["Manager"]) == ["Maya Thompson", "Ryan Garcia"]
    assert table.loc[0, "Change"] < 0 < table.loc[1, "Change"]
    at.checkbox(key="comp_territory_sure").check().run()
    next(b for b in at.button if b.label == "Apply the move").click().run()
    no_errors(at)
    assert app_db().value("SELECT owner_id FROM accounts WHERE id = ?", [moved]) == 6
    assert any("Moved 1 account(s) to Ryan Garcia" in s.value for s in at.success)


def test_odd_manager_ids_in_the_link_show_a_manager_the_viewer_may_see_without_an_error(demo_app):
    at = sign_in(demo_app, DIRECTOR)
    for odd in ("abc", "99999999999999999999", "1;DROP TABLE accounts", "-1"):
        at.query_params["comp_manager"] = odd
        at.switch_page(PAGE).run()
        no_errors(at)
        assert at.selectbox(key="comp_manager").value in app_db().value(
            "SELECT list(id) FROM account_managers")
    assert app_db().value("SELECT count(*) FROM accounts") > 0
