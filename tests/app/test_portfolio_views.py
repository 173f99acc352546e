"""The Portfolio's saved views: filters kept under a name, opened again, shared or private."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.conftest import no_errors, sign_in
from tests.conftest import DIRECTOR, MANAGER, ROOT, VIEWER


def _caption(at) -> str:
    return next(c.value for c in at.caption if "amounts in" in c.value)


def _save(at, name: str, shared: bool = False):
    at.text_input(key="portfolio_save_name").input(name)
    if shared:
        at.checkbox(key="portfolio_save_shared").check()
    next(b for b in at.button if b.label == "Save view").click().run()
    no_errors(at)
    return at


def _open_view(at, title_starts: str):
    pick = at.selectbox(key="portfolio_view_pick")
    pick.select(next(o for o in pick.options if o.startswith(title_starts))).run()
    at.button(key="portfolio_view_open").click().run()
    no_errors(at)
    return at


def _another(email: str) -> AppTest:
    """A second person on the same server: a session of their own."""
    return sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), email)


def test_a_saved_view_brings_back_its_filters_and_sort(as_director):
    at = as_director
    at.multiselect(key="portfolio_tier").select("key").run()
    at.number_input(key="portfolio_health").set_value(90.0).run()
    at.selectbox(key="portfolio_sort").select("name").run()
    filtered = _caption(at)
    assert "tier is Key and health is at most 90" in filtered
    _save(at, "Key accounts to watch")
    assert "Saved the view 'Key accounts to watch' (only you see it)." in at.success[0].value
    at.multiselect(key="portfolio_tier").set_value([]).run()
    at.number_input(key="portfolio_health").set_value(100.0).run()
    at.selectbox(key="portfolio_sort").select("revenue_ytd").run()
    assert "all accounts" in _caption(at)
    _open_view(at, "Key accounts to watch")
    assert _caption(at) == filtered
    assert at.multiselect(key="portfolio_tier").value == ["key"]
    assert at.selectbox(key="portfolio_sort").value == "name"


def test_a_view_keeps_a_filter_at_zero_rather_than_its_default(as_director):
    at = as_director
    at.number_input(key="portfolio_health").set_value(0.0).run()
    _save(at, "Nothing healthy")
    at.number_input(key="portfolio_health").set_value(100.0).run()
    _open_view(at, "Nothing healthy")
    assert at.number_input(key="portfolio_health").value == 0


def test_a_shared_view_is_listed_for_the_team_and_a_private_one_only_for_its_maker(demo_app):
    at = sign_in(demo_app, DIRECTOR)
    at.multiselect(key="portfolio_status").select("at_risk").run()
    _save(at, "At risk, for everyone", shared=True)
    _save(at, "My own")
    maya = _another(MANAGER)
    assert maya.selectbox(key="portfolio_view_pick").options == ["At risk, for everyone (by Eleanor Hayes)"]
    _open_view(maya, "At risk, for everyone")
    assert "status is At risk" in _caption(maya)
    assert not [b for b in maya.button if b.key == "portfolio_view_delete"]   # not hers to delete
    viewer = _another(VIEWER)
    assert viewer.selectbox(key="portfolio_view_pick").options == ["At risk, for everyone (by Eleanor Hayes)"]
    assert not [t for t in viewer.text_input if t.key == "portfolio_save_name"]


def test_a_view_needs_a_name_and_a_name_used_twice_is_refused(as_director):
    at = _save(as_director, "Weekly")
    at.text_input(key="portfolio_save_name").input("   ")
    next(b for b in at.button if b.label == "Save view").click().run()
    assert "Give the view a name." in at.error[0].value
    at.text_input(key="portfolio_save_name").input("weekly")
    next(b for b in at.button if b.label == "Save view").click().run()
    assert "You already have a view named 'weekly'" in at.error[0].value

