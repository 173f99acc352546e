"""lib.ui.cached: the process-wide cache of reads, keyed by the database, its data version and
the read's arguments; and lib.ui.chart, whose figures are built once for the same data."""
from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest
import streamlit as st

from lib import auth, ui
from lib.db import reads_log
from lib.filters import Condition
from lib.portfolio import PortfolioQuery
from lib.users import SYSTEM

PASSWORD = "a long enough passphrase 42"


@pytest.fixture(autouse=True)
def _empty_cache():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def counting_read():
    calls = []

    def read(db, query, *, page=1):
        calls.append((query, page))
        return len(calls)
    return read, calls


def test_the_same_arguments_are_read_once(db):
    read, calls = counting_read()
    query = PortfolioQuery(conditions=(Condition("name", "contains", "ab"),), today=date(2026, 3, 1))
    assert ui.cached(read, db, query, page=2) == ui.cached(read, db, query, page=2) == 1
    equal = PortfolioQuery(conditions=(Condition("name", "contains", "ab"),), today=date(2026, 3, 1))
    assert ui.cached(read, db, equal, page=2) == 1
    assert len(calls) == 1


def test_arguments_that_differ_deep_inside_are_read_apart(db):
    read, calls = counting_read()
    ids = tuple(range(5_000))
    first = ui.cached(read, db, PortfolioQuery(health_ids=ids))
    other = ui.cached(read, db, PortfolioQuery(health_ids=ids[:-1] + (99_999,)))
    by_keyword = ui.cached(read, db, PortfolioQuery(health_ids=ids), page=2)
    assert (first, other, by_keyword) == (1, 2, 3)
    assert [c[0].health_ids[-1] for c in calls] == [4_999, 99_999, 4_999]


def test_a_write_makes_the_next_read_compute_afresh(db):
    read, calls = counting_read()
    query = PortfolioQuery()
    assert ui.cached(read, db, query) == 1
    db.write(SYSTEM, lambda tx: tx.audit("update", "settings", "reporting_currency"))
    assert ui.cached(read, db, query) == 2
    assert ui.cached(read, db, query) == 2


def test_a_sign_in_leaves_cached_reads_of_data_alone_and_refreshes_reads_of_the_log(db):
    admin = auth.create_first_admin(db, "ada@example.com", "Ada", PASSWORD)
    data_read, data_calls = counting_read()
    log_read, log_calls = counting_read()
    log_read = reads_log(log_read)
    query = PortfolioQuery()
    ui.cached(data_read, db, query), ui.cached(log_read, db, query)
    assert auth.sign_in(db, "ada@example.com", PASSWORD, session_key="browser-1") == admin
    with pytest.raises(auth.SignInRefused):
        auth.sign_in(db, "ada@example.com", "not the password", session_key="browser-2")
    assert ui.cached(data_read, db, query) == 1     # nobody's data changed
    assert ui.cached(log_read, db, query) == 2      # the audit trail did
    assert (len(data_calls), len(log_calls)) == (1, 2)
    db.write(SYSTEM, lambda tx: tx.audit("update", "settings", "reporting_currency"))
    assert (ui.cached(data_read, db, query), ui.cached(log_read, db, query)) == (2, 3)


def test_a_chart_is_built_once_for_the_same_data_and_again_for_other_data():
    built = []

    def build(frame, currency):
        built.append((len(frame), currency))
        return go.Figure(go.Bar(x=frame["month"], y=frame["revenue"], name=currency))

    months = pd.DataFrame({"month": ["Jan", "Feb"], "revenue": [1.0, 2.0]})
    ui.chart(build, months, "USD", key="a")
    ui.chart(build, months.copy(), "USD", key="b")
    ui.chart(build, months.assign(revenue=[1.0, 3.0]), "USD", key="c")
    ui.chart(build, months, "EUR", key="d")
    assert built == [(2, "USD"), (2, "USD"), (2, "EUR")]
