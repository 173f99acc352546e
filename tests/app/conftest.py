"""AppTest runs the real app.py against a database file of the test's own."""
from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, copy_db


def _fresh_app(monkeypatch, path) -> AppTest:
    monkeypatch.setenv("ACCOUNTDESK_DB", str(path))
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
