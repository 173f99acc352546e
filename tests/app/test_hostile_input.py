"""Hostile input in forms and URLs: what people type is shown as text, never run as HTML or
markdown, and odd query parameters get a clear message instead of an error."""
from __future__ import annotations

import re
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from lib.formatting import plain
from tests.app.conftest import app_db, no_errors, sign_in
from tests.conftest import ADMIN, DIRECTOR, MANAGER

HOSTILE = ('<script>alert("x")</script><img src=x onerror=alert(1)> **bold** '
           '[click](javascript:alert(1)) :red[red] $x^2$')
# Markup from HOSTILE that markdown would act on; escaped (a backslash before it), it is text.
LIVE = re.compile(r"(?<!\\)<(?:script|img|b>)|(?<!\\)\*\*bold|(?<!\\)\]\(javascript|(?<!\\):red(?<!\\)\[")
OUR_FAULT = "Something went wrong on our side"


def markdown_texts(at: AppTest) -> list[str]:
    """Every string the page hands to Streamlit's markdown: titles, captions, messages, labels."""
    texts = [e.value for kind in ("title", "header", "subheader", "caption", "markdown", "success",
                                  "info", "warning", "error", "toast") for e in getattr(at, kind)]
    texts += [w.label for kind in ("text_input", "text_area", "button", "checkbox", "selectbox",
                                   "multiselect", "expander", "tabs", "metric") for w in getattr(at, kind)]
    texts += [e.proto.label for e in at.get("page_link")]
    return texts


def assert_shown_as_text(at: AppTest, typed: str) -> None:
    no_errors(at)
    texts = markdown_texts(at)
    raw = [t for t in texts if LIVE.search(t)]
    assert not raw, f"typed markup reached markdown unescaped: {raw[:3]}"
    assert any(plain(typed) in t for t in texts), "the typed value is not on the page at all"
    assert not [m.value for m in at.markdown if m.allow_html and "alert" in m.value]


def open_account(demo_app: AppTest, account_id: int, email: str = DIRECTOR,
                 tab: str = "Revenue vs target") -> AppTest:
    demo_app.query_params["account"] = str(account_id)
    demo_app.query_params["account_tab"] = tab
    return sign_in(demo_app, email).switch_page("pages/account_page.py").run()


def maya_account() -> int:
    return app_db().value("SELECT a.id FROM accounts a JOIN users u ON u.manager_id = a.owner_id "
                          "WHERE u.email = ? AND a.archived_at IS NULL ORDER BY a.id LIMIT 1", [MANAGER])


def test_markup_typed_as_an_account_name_is_stored_as_typed_and_shown_as_text(demo_app):
    account_id = maya_account()
    at = open_account(demo_app, account_id, tab="Edit")
    at.text_input(key=f"account_form_{account_id}_name").input(HOSTILE)
    at = at.button(key=f"account_form_{account_id}_save").click().run()
    no_errors(at)
    assert app_db().value("SELECT name FROM accounts WHERE id = ?", [account_id]) == HOSTILE
    assert at.title[0].value == plain(HOSTILE)
    assert_shown_as_text(at.run(), HOSTILE)

    portfolio = at.switch_page("pages/portfolio_page.py").run()
    no_errors(portfolio)
    assert not [t for t in markdown_texts(portfolio) if LIVE.search(t)]
    table = next(d.value for d in portfolio.dataframe if "Account" in d.value.columns)
    assert HOSTILE in set(table["Account"])   # the grid shows cell text as text


def test_markup_typed_into_an_interaction_subject_notes_and_next_step_is_shown_as_text(demo_app):
    account_id = maya_account()
    at = open_account(demo_app, account_id, MANAGER, tab="Interactions")
    at.text_input(key="account_new_subject").input(HOSTILE[:200])
    at.text_area(key="account_new_notes").input(HOSTILE)
    at.text_input(key="account_new_next").input(HOSTILE)
    at.date_input(key="account_new_due").set_value(date.today())
    at = at.button(key="FormSubmitter:account_new_form-Record interaction").click().run()
    assert_shown_as_text(at, HOSTILE[:200])
    assert app_db().value("SELECT count(*) FROM interactions WHERE subject = ? AND notes = ?",
                          [HOSTILE[:200], HOSTILE]) == 1
    timeline = next(d.value for d in at.dataframe if "Subject" in d.value.columns)
    assert timeline.iloc[0]["Notes"] == HOSTILE

    work = at.switch_page("pages/my_work_page.py").run()   # the next step is due today
    no_errors(work)
    assert not [t for t in markdown_texts(work) if LIVE.search(t)]


def test_markup_typed_as_a_contact_name_is_shown_as_text(demo_app):
    account_id = maya_account()
    at = open_account(demo_app, account_id, MANAGER, tab="Stakeholders")
    at.text_input(key="account_contact_add_name").input(HOSTILE)
    at = at.button(key="account_contact_add_submit").click().run()
    no_errors(at)
    assert not [t for t in markdown_texts(at) if LIVE.search(t)]
    assert app_db().value("SELECT count(*) FROM contacts WHERE account_id = ? AND name = ?",
                          [account_id, HOSTILE]) == 1
    people = next(d.value for d in at.dataframe if "Name" in d.value.columns and "Role" in d.value.columns)
    assert HOSTILE in set(people["Name"])   # the map shows it as cell text


@pytest.mark.parametrize("raw, message", [
    ("<script>alert(1)</script>", "is not an account id"),
    ("1 OR 1=1", "is not an account id"),
    ("1;DROP TABLE accounts", "is not an account id"),
    ("-1", "is not an account id"),
    ("1.5", "is not an account id"),
    ("0x10", "is not an account id"),
    ("²", "is not an account id"),            # a digit to str.isdigit(), not to int()
    ("١٢", "is not an account id"),           # Arabic-Indic digits
    ("9" * 13, "is not an account id"),
    ("999999999999", "There is no account with id 999999999999."),   # beyond a 32-bit id
    ("0", "There is no account with id 0."),
    (" 0099999 ", "There is no account with id 99999."),
], ids=["script", "or_1_eq_1", "drop_table", "negative", "decimal", "hex", "superscript_two",
        "arabic_digits", "thirteen_nines", "beyond_int32", "zero", "padded"])
def test_an_odd_account_parameter_gets_a_clear_message(demo_app, raw, message):
    at = open_account(demo_app, raw)
    assert not at.exception
    shown = [m.value for m in [*at.warning, *at.error]]
    assert any(message in m for m in shown), shown
    assert not any(OUR_FAULT in m for m in shown)
    assert app_db().value("SELECT count(*) FROM accounts") == 400


ODD_URLS = {
    "portfolio_infinite_days": ("pages/portfolio_page.py", {"portfolio_quiet": "1e309"}),
    "portfolio_minus_infinite_revenue": ("pages/portfolio_page.py", {"portfolio_minrev": "-inf"}),
    "portfolio_huge_numbers": ("pages/portfolio_page.py", {"portfolio_quiet": "9" * 40,
                                                           "portfolio_minrev": "1e300",
                                                           "portfolio_health": "-1e309"}),
    "portfolio_junk_filters": ("pages/portfolio_page.py", {
        "portfolio_tier": "<script>alert(1)</script>", "portfolio_sort": "name; DROP TABLE accounts",
        "portfolio_q": "' OR 1=1 --", "portfolio_quiet": "abc", "portfolio_desc": "maybe", "nonsense": "1"}),
    "performance_unknown_scope": ("pages/performance_page.py", {"performance_scope": "<b>bogus</b>"}),
    "performance_unknown_account": ("pages/performance_page.py", {
        "performance_scope": "Account", "performance_account": "Nobody (#99999999)"}),
    "performance_unknown_manager": ("pages/performance_page.py", {
        "performance_scope": "Manager", "performance_manager": "99999999", "performance_tab": "DROP"}),
    "audit_impossible_dates": ("pages/audit_page.py", {
        "audit_from": "not-a-date", "audit_to": "9999-99-99", "audit_entity": "<script>",
        "audit_q": "x" * 5000}),
    "my_work_unknown_keys": ("pages/my_work_page.py", {"account": "abc", "zzz": "<b>hi</b>"}),
    "targets_unknown_keys": ("pages/targets_page.py", {"targets_level": "DROP", "zzz": "1"}),
    "compensation_unknown_tab": ("pages/compensation_page.py", {"comp_tab": "<b>Plans</b>"}),
    "account_unknown_tab": ("pages/account_page.py", {"account": "1", "account_tab": "<b>Edit</b>"}),
}


@pytest.mark.parametrize("page, params", ODD_URLS.values(), ids=ODD_URLS.keys())
def test_odd_query_parameters_on_a_page_are_ignored_or_explained_never_an_error(demo_app, page, params):
    demo_app.query_params.update(params)
    at = sign_in(demo_app, ADMIN).switch_page(page).run()
    no_errors(at)
    assert at.title, "the page did not render"
    assert not [t for t in markdown_texts(at) if LIVE.search(t)]



def test_an_infinite_number_in_the_url_leaves_the_filter_at_its_default(demo_app):
    demo_app.query_params.update({"portfolio_quiet": "1e309", "portfolio_minrev": "12000"})
    at = sign_in(demo_app, ADMIN).switch_page("pages/portfolio_page.py").run()
    no_errors(at)
    assert at.number_input(key="portfolio_quiet").value == 0
    assert at.number_input(key="portfolio_minrev").value == 12000   # a usable one is kept
