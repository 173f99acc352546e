"""The Account 360 page: reached by ?account=<id>, from the portfolio's links, or by search."""
import pytest

from tests.app.conftest import app_db, open_tab, sign_in
from tests.conftest import DIRECTOR, VIEWER


def _account_id(name_like: str) -> int:
    return app_db().value("SELECT id FROM accounts WHERE name LIKE ?", [name_like])


def _open_account(demo_app, raw: str, email: str = DIRECTOR):
    demo_app.query_params["account"] = raw
    at = sign_in(demo_app, email)
    return at.switch_page("pages/account_page.py").run()


def test_the_at_risk_key_account_shows_its_story_on_one_screen(demo_app):
    demo_app.run()
    at = _open_account(demo_app, str(_account_id("Brightwater%")))
    assert not at.exception and not at.error
    assert at.title[0].value == "Brightwater Logistics Inc."
    assert "Key account" in at.caption[0].value and "At risk" in at.caption[0].value
    metrics = {m.label: m for m in at.metric}
    assert metrics["Open escalations"].value == "1"
    assert metrics["Overdue"].value != "$0"
    assert metrics["Last contact"].delta == "over 30 days"
    assert [t.label for t in at.tabs] == ["Revenue vs target", "Stakeholders", "Interactions",
                                          "Budget", "Invoices", "Family and history", "Edit"]
    assert len(at.get("plotly_chart")) == 1  # revenue vs target, the first tab
    contacts = {r[0] for r in app_db().rows(
        "SELECT name FROM contacts WHERE account_id = ? AND archived_at IS NULL",
        [_account_id("Brightwater%")])}
    assert set(open_tab(at, "Stakeholders").dataframe[0].value["Name"]) == contacts
    assert any("Subject" in d.value.columns for d in open_tab(at, "Interactions").dataframe)


def test_only_the_open_tab_runs(demo_app):
    demo_app.run()
    at = _open_account(demo_app, str(_account_id("Brightwater%")))
    assert len(at.get("plotly_chart")) == 1 and not at.dataframe   # no timeline, no contacts yet
    at = open_tab(at, "Interactions")
    assert not at.get("plotly_chart") and any("Subject" in d.value.columns for d in at.dataframe)


def test_another_account_opens_on_its_first_tab(demo_app):
    demo_app.run()
    at = open_tab(_open_account(demo_app, str(_account_id("Brightwater%"))), "Interactions")
    at.query_params.clear()
    at.query_params["account"] = str(_account_id("Brightwater%") + 1)   # as an account link does
    at = at.switch_page("pages/account_page.py").run()
    assert not at.exception and len(at.get("plotly_chart")) == 1
    assert not any("Subject" in d.value.columns for d in at.dataframe)


def test_a_link_with_the_tab_in_its_address_opens_that_tab(demo_app):
    demo_app.run()
    demo_app.query_params["account_tab"] = "Invoices"
    at = _open_account(demo_app, str(_account_id("Brightwater%")))
    assert not at.exception and not at.get("plotly_chart")
    assert any("Due" in d.value.columns for d in at.dataframe)


def test_filtering_the_timeline_by_type_shows_only_that_type(demo_app):
    demo_app.run()
    at = open_tab(_open_account(demo_app, str(_account_id("Brightwater%"))), "Interactions")
    at.multiselect(key="account_types").select("escalation").run()
    timeline = next(d.value for d in at.dataframe if "Subject" in d.value.columns)
    assert set(timeline["Type"]) == {"Escalation"}


def test_a_viewer_can_read_an_account(demo_app):
    demo_app.run()
    at = _open_account(demo_app, str(_account_id("Brightwater%")), VIEWER)
    assert not at.exception and at.title[0].value == "Brightwater Logistics Inc."


@pytest.mark.parametrize("raw, message", [
    ("abc", "'abc' is not an account id"),
    ("1; DROP TABLE accounts", "is not an account id"),
    ("99999999", "There is no account with id 99999999."),
    ("9" * 40, "is not an account id"),
])
def test_an_odd_account_parameter_gets_a_clear_message_not_an_error(demo_app, raw, message):
    at = _open_account(demo_app, raw)
    assert not at.exception
    assert any(message in m.value for m in [*at.warning, *at.error])


def test_without_an_id_the_page_offers_a_search(demo_app):
    at = sign_in(demo_app, DIRECTOR).switch_page("pages/account_page.py").run()
    at.text_input(key="account_search").input("Brightwater").run()
    assert not at.exception
    found = next(b for b in at.button if "Brightwater Logistics" in b.label.replace("\\", ""))
    found.click().run()
    assert at.title[0].value.replace("\\", "").startswith("Brightwater Logistics")
    assert at.query_params["account"] == str(_account_id("Brightwater%"))


def test_the_account_shows_its_health_score_and_why(demo_app):
    demo_app.run()
    at = _open_account(demo_app, str(_account_id("Brightwater%")))
    health = next(m for m in at.metric if m.label == "Health")
    assert health.value.endswith("/ 100")
    why = next(e for e in at.expander if e.label == "Why this score")
    texts = " ".join(m.value for m in why.markdown)
    assert "no contact" in texts or "overdue" in texts or "escalation" in texts


def test_the_health_score_says_what_changed_since_the_last_team_review(demo_app):
    from datetime import date, timedelta

    from lib import review, review_log
    from lib.users import get_user
    demo_app.run()
    db = app_db()
    director = get_user(db, db.value("SELECT id FROM users WHERE email = ?", [DIRECTOR]))
    held = date.today() - timedelta(days=75)
    review_log.start_review(db, director, review.snapshot_now(db, director, currency="USD", today=held),
                            held_on=held, currency="USD", title="Spring review")
    at = _open_account(demo_app, str(_account_id("Brightwater%")))
    why = next(e for e in at.expander if e.label == "Why this score")
    assert f"What changed since the review of {held.day} {held:%b}" in [c.value for c in why.caption]
