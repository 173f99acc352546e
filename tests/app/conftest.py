"""AppTest runs the real app.py against a database file of the test's own."""
from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib.auth import DEMO_PASSWORD
from tests.conftest import DIRECTOR, ROOT, copy_db


@pytest.fixture(autouse=True, scope="session")
def _components_scanned_once():
    """Each new AppTest scans every installed package for Streamlit components (0.4 s, as much
    as the test's own runs); the packages cannot change during the run, so scan once."""
    from streamlit.components.v2 import manifest_scanner
    scan = manifest_scanner.scan_component_manifests
    found = scan()
    manifest_scanner.scan_component_manifests = lambda *args, **kwargs: list(found)
    yield
    manifest_scanner.scan_component_manifests = scan


@pytest.fixture(autouse=True)
def _no_warm_up(monkeypatch):
    """No background warm-up thread (lib.warmup) per AppTest: each would outlive its test, on a
    database the test has finished with. The browser tests' servers keep theirs."""
    monkeypatch.setenv("ACCOUNTDESK_WARM_UP", "0")


def _fresh_app(monkeypatch, path) -> AppTest:
    monkeypatch.setenv("ACCOUNTDESK_DB", str(path))
    monkeypatch.setenv("ACCOUNTDESK_DAILY_BACKUP", "0")
    st.cache_resource.clear()
    st.cache_data.clear()
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


@pytest.fixture
def empty_app(tmp_path, monkeypatch):
    yield _fresh_app(monkeypatch, tmp_path / "empty.duckdb")
    st.cache_resource.clear()


@pytest.fixture
def demo_app(tmp_path, monkeypatch, demo_db_file):
    yield _fresh_app(monkeypatch, copy_db(demo_db_file, tmp_path / "demo.duckdb"))
    st.cache_resource.clear()


def sign_in(at: AppTest, email: str, password: str = DEMO_PASSWORD) -> AppTest:
    """Sign in through the real form, as a person would."""
    at.run()
    at.text_input(key="sign_in_email").input(email)
    at.text_input(key="sign_in_password").input(password)
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    assert at.session_state["_actor"] is not None, "sign-in did not happen"
    # The run after sign-in fell back from the sign-in page's URL to the landing page; one
    # more run settles widget ids on that page, as the browser's next message would.
    return at.run()


@pytest.fixture
def as_director(demo_app):
    return sign_in(demo_app, DIRECTOR)


def no_errors(at: AppTest) -> None:
    """The run raised nothing and showed no error message."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def app_db():
    """The database the app under test has open (the same process-wide connection)."""
    from lib.db import database_path
    from lib.ui import _open
    return _open(str(database_path()))


def open_tab(at: AppTest, label: str, key: str = "account_tab") -> AppTest:
    """Switch a lazy st.tabs (only the open tab runs) to `label`, as a click on it does."""
    at.session_state[key] = label
    if key in at.query_params:      # the tab is bound to the address, which the click changes too
        at.query_params[key] = label
    return at.run()
