"""The Explore page through AppTest: every role, an empty database, a shared link, the SQL box."""
import json

from streamlit.testing.v1 import AppTest

from tests.app.conftest import no_errors, sign_in
from tests.conftest import ADMIN, DIRECTOR, MANAGER, ROOT, VIEWER

PAGE = "pages/explore_page.py"


def _explore(at: AppTest) -> AppTest:
    at.switch_page(PAGE).run()
    no_errors(at)
    return at


def _captions(at):
    return [c.value for c in at.caption]


def test_a_director_groups_revenue_by_tier_and_sees_a_chart_a_table_and_the_sql_box(as_director):
    at = _explore(as_director)
    assert any(c.startswith("Revenue · first 1,000 of ") for c in _captions(at))
    at.multiselect(key="explore_group").select("tier").run()
    no_errors(at)
    assert at.get("plotly_chart")
    assert set(at.dataframe[0].value["tier"]) == {"Key", "Strategic", "Standard"}
    assert at.query_params["group"] == ["tier"] or at.query_params["group"] == "tier"
    assert any(e.label == "SQL (read-only)" for e in at.expander)


def test_a_listing_shows_dates_as_days_and_amounts_to_the_cent(as_director):
    at = _explore(as_director)
    at.selectbox(key="explore_table").select("invoices").run()
    no_errors(at)
    columns = json.loads(at.dataframe[0].proto.columns)
    for label in ("issue date", "due date", "issue month"):
        assert columns[label]["type_config"] == {"type": "date", "format": "YYYY-MM-DD"}
    for label in ("amount", "outstanding", "amount (reporting currency)"):
        assert columns[label]["type_config"] == {"type": "number", "format": "%,.2f"}
    assert "type_config" not in columns.get("year", {})


def test_a_shared_link_opens_the_same_filtered_grouped_view(demo_app):
    at = sign_in(demo_app, DIRECTOR)
    at.query_params["table"] = "accounts"
    at.query_params["group"] = "region"
    at.query_params["agg"] = "count"
    at.query_params["f"] = '["tier","in",["key"]]'
    at = _explore(at)
    assert at.selectbox(key="explore_table").value == "accounts"
    assert at.multiselect(key="explore_group").value == ["region"]
    assert any("Accounts where tier is Key" in c for c in _captions(at))


def test_the_sql_box_runs_a_select_and_refuses_a_second_statement_in_words(as_director):
    at = _explore(as_director)
    at.text_area(key="explore_sql").input("SELECT tier, count(*) AS n FROM accounts GROUP BY tier")
    next(b for b in at.button if b.label == "Run query").click()
    at.run()
    no_errors(at)
    assert len(at.dataframe[-1].value) == 3
    at.text_area(key="explore_sql").input("SELECT 1; DROP TABLE accounts")
    next(b for b in at.button if b.label == "Run query").click()
    at.run()
    assert any("exactly one statement" in e.value for e in at.error)


def test_a_manager_and_a_viewer_explore_without_a_sql_box(demo_app):
    for email in (MANAGER, VIEWER):
        at = _explore(sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), email))
        assert not any(e.label == "SQL (read-only)" for e in at.expander)
        assert at.dataframe


def test_saving_a_view_lists_it_and_its_creator_can_delete_it(demo_app):
    at = _explore(sign_in(demo_app, ADMIN))
    at.text_input(key="explore_save_name").input("All revenue")
    next(b for b in at.button if b.label == "Save view").click()
    at.run()
    no_errors(at)
    assert any("Saved the view 'All revenue'" in s.value for s in at.success)
    at.selectbox(key="explore_view_pick").select_index(0).run()
    next(b for b in at.button if b.label == "Delete").click()
    at.run()
    no_errors(at)
    assert any("Deleted the view" in s.value for s in at.success)


def test_explore_on_an_empty_database_says_there_is_nothing_rather_than_failing(empty_app):
    from lib.users import SYSTEM
    from tests.app.conftest import app_db
    empty_app.run()
    from lib.auth import create_first_admin
    create_first_admin(app_db(), "admin@example.com", "Ada Admin", "a long password 123")
    at = sign_in(empty_app, "admin@example.com", "a long password 123")
    at = _explore(at)
    assert any("Nothing matches" in i.value for i in at.info)
    assert SYSTEM.id == 0
    # (the Portfolio is the welcome page until there are accounts; Explore keeps views already)
    at.text_input(key="explore_save_name").input("Empty for now")
    next(b for b in at.button if b.label == "Save view").click().run()
    at.selectbox(key="explore_view_pick").select_index(0).run()
    at.button(key="explore_view_open").click().run()
    no_errors(at)


def test_opening_a_saved_view_puts_its_table_back(demo_app):
    at = _explore(sign_in(demo_app, ADMIN))
    at.selectbox(key="explore_table").select("accounts").run()
    at.text_input(key="explore_save_name").input("Accounts")
    next(b for b in at.button if b.label == "Save view").click().run()
    at.selectbox(key="explore_table").select("revenue").run()
    at.selectbox(key="explore_view_pick").select_index(0).run()
    at.button(key="explore_view_open").click().run()
    no_errors(at)
    assert at.selectbox(key="explore_table").value == "accounts"
