"""A wall list on its own: the first rows large, then at most FULL rows behind the expander."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _wall_list(n: int) -> AppTest:
    def script(n: int) -> None:
        import pandas as pd

        from lib import ui_review
        ui_review.table(pd.DataFrame({"Account": [f"Account {i}" for i in range(n)]}), "wall",
                        empty="Nothing.")
    return AppTest.from_function(script, args=(n,), default_timeout=30).run()


def test_a_long_list_shows_its_first_rows_and_at_most_five_hundred_behind_the_expander():
    from lib.ui_review import FULL, ROWS
    at = _wall_list(FULL + 250)
    assert not at.exception
    assert len(at.table[0].value) == ROWS
    assert at.expander[0].label == f"The first {FULL:,} of {FULL + 250:,}"
    assert len(at.dataframe[0].value) == FULL
    assert at.caption[0].value == "Explore lists them all, with filters."


def test_a_list_that_fits_shows_all_of_it_behind_the_expander():
    at = _wall_list(40)
    assert at.expander[0].label == "All 40" and len(at.dataframe[0].value) == 40
    assert not at.caption


def test_a_long_list_is_shaped_for_the_rows_the_page_carries_and_still_counts_them_all():
    def script() -> None:
        import pandas as pd
        import streamlit as st

        from lib import ui_review

        def shape(rows: pd.DataFrame) -> pd.DataFrame:
            st.session_state["shaped"] = len(rows)
            return pd.DataFrame({"Account": "Account " + rows["n"].astype(str)})
        ui_review.listing(pd.DataFrame({"n": range(20_000)}), shape, "wall", empty="Nothing.")
    from lib.ui_review import FULL
    at = AppTest.from_function(script, default_timeout=30).run()
    assert not at.exception
    assert at.session_state["shaped"] == FULL
    assert at.expander[0].label == f"The first {FULL:,} of 20,000"
    assert list(at.dataframe[0].value["Account"][:2]) == ["Account 0", "Account 1"]
