"""The Portfolio's saved views: its filters and sort kept under a name, private or shared
(the panel: lib.ui_views). A view holds what the page's widgets hold; lib.portfolio.view_filters
reads it back."""
from __future__ import annotations

from typing import Any

import streamlit as st

from lib import portfolio, ui_views
from lib.db import Database
from lib.users import Actor


def saved_views(db: Database, actor: Actor, options: dict[str, list]) -> None:
    ui_views.panel(db, actor, "portfolio", current=lambda: portfolio.view_filters(_current(), options),
                   seed=lambda data: _seed(data, options), save_label="Save these filters as")


def _current() -> dict[str, Any]:
    """The page's filters and sort as they stand, each under its widget's key (`portfolio_<name>`);
    view_filters fills in a default for any the page has not drawn yet."""
    return {name: st.session_state.get(f"portfolio_{name}") for name in portfolio.view_filters({}, {})}


def _seed(data: dict[str, Any], options: dict[str, list]) -> None:
    for name, value in portfolio.view_filters(data, options).items():
        st.session_state[f"portfolio_{name}"] = value
    st.session_state["portfolio_page"] = 1
