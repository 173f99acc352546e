"""lib.ui.cached: the process-wide cache of reads, keyed by the database, its data version and
the read's arguments."""
from __future__ import annotations

from datetime import date

import pytest
import streamlit as st

from lib import ui
from lib.filters import Condition
from lib.portfolio import PortfolioQuery
from lib.users import SYSTEM


@pytest.fixture(autouse=True)
def _empty_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


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
