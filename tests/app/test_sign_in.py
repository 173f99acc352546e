"""Sign-in as a person meets it: nothing before it, refusals in words, roles, SSO, sign-out."""
from streamlit.testing.v1 import AppTest

from lib.users import SYSTEM
from tests.app.conftest import app_db, sign_in
from tests.conftest import DIRECTOR, MANAGER, ROOT

SSO = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s" * 32,
                "client_id": "account-desk", "client_secret": "x",
                "server_metadata_url": "https://id.example.com/.well-known/openid-configuration"}}


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def test_nothing_but_the_sign_in_form_shows_before_sign_in(demo_app):
    at = demo_app.run()
    assert at.title[0].value == "Sign in to Account Desk"
    assert not at.metric and not at.get("plotly_chart")
    assert not at.dataframe
    assert at.table[0].value.columns.tolist() == ["Name", "Email", "Role"]


def test_a_wrong_password_is_refused_with_the_generic_message(demo_app):
    at = demo_app.run()
    at.text_input(key="sign_in_email").input(DIRECTOR)
    at.text_input(key="sign_in_password").input("not the password")
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert at.error[0].value == "Email or password is wrong."
    assert at.session_state["_actor"] is None


def test_five_failures_lock_the_account_and_say_for_how_long(demo_app):
    at = demo_app.run()
    for _ in range(6):
        at.text_input(key="sign_in_email").input(MANAGER)
        at.text_input(key="sign_in_password").input("wrong wrong wrong")
        next(b for b in at.button if b.label == "Sign in").click().run()
    assert "Try again in 15 minutes" in at.error[0].value


def test_signing_out_returns_to_the_sign_in_page(demo_app):
    at = sign_in(demo_app, DIRECTOR)
    at.sidebar.button(key="sidebar_sign_out").click().run()
    fresh_run = at.run()
    assert fresh_run.session_state["_actor"] is None


def test_a_deactivated_user_is_signed_out_on_their_next_click(demo_app):
    at = sign_in(demo_app, MANAGER)
    db = app_db()
    db.write(SYSTEM, lambda tx: (
        tx.execute("UPDATE users SET active = false WHERE email = ?", [MANAGER]),
        tx.audit("deactivate", "user", MANAGER)))
    at.run()
    assert at.session_state["_actor"] is None


def test_a_manager_opening_the_users_url_is_told_it_is_not_allowed(demo_app):
    at = sign_in(demo_app, MANAGER)
    at.switch_page("pages/users_page.py").run()
    assert "You are not allowed to open Users" in at.error[0].value
    assert not at.dataframe


def test_single_sign_on_maps_the_providers_email_to_a_user(demo_app):
    demo_app.secrets.update(SSO)
    demo_app.user = {"is_logged_in": True, "email": DIRECTOR.upper()}
    at = demo_app.run()
    assert not at.exception
    assert at.session_state["_actor"].name == "Eleanor Hayes"
    at.run()    # a later click: the sign-in is recorded once per browser session, by the person
    db = app_db()
    assert db.rows("SELECT outcome, user_id FROM login_attempts") == [("signed_in", at.session_state["_actor"].id)]
    assert db.rows("SELECT actor_id FROM audit_log WHERE action = 'sign_in'") == [(at.session_state["_actor"].id,)]


def test_single_sign_on_with_an_unknown_email_is_told_to_ask_for_access(demo_app):
    demo_app.secrets.update(SSO)
    demo_app.user = {"is_logged_in": True, "email": "stranger@example.com"}
    at = demo_app.run()
    assert "Ask your admin for access" in at.error[0].value
    assert at.session_state["_actor"] is None
    assert app_db().rows("SELECT email, outcome FROM login_attempts") == [("stranger@example.com", "unknown_email")]
