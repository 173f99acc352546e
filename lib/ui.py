"""The Streamlit side of the house: opening the database, who is acting, caching, errors.

Only this module (and other lib/ui*.py) imports streamlit; pages call it, lib stays pure.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, TypeVar

import streamlit as st

from lib import fx
from lib.db import Database, DatabaseReopened, DatabaseUnavailable, database_path
from lib.errors import UserError, ValidationFailed, WriteConflict
from lib.migrate import MigrationFailed, open_database
from lib.users import SYSTEM, Actor, active_users, get_user

log = logging.getLogger("accountdesk")
T = TypeVar("T")


@st.cache_resource(show_spinner=False)
def _open(path: str) -> Database:
    return open_database(path)


def database() -> Database:
    """The process's database for the configured file; stops the page with a clear message."""
    try:
        return _open(str(database_path()))
    except (DatabaseUnavailable, MigrationFailed) as exc:
        st.error(str(exc), icon=":material/database:")
        st.stop()


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _cached_call(fn_id: str, path: str, version: int, args: tuple, kwargs: dict,
                 _fn: Callable, _db: Database) -> Any:
    return _fn(_db, *args, **kwargs)


def cached(fn: Callable[..., T], db: Database, *args: Any, **kwargs: Any) -> T:
    """Call a lib read `fn(db, *args)` through the process-wide cache.

    The key holds the database file and its data version (every write bumps it), so nobody
    sees a result older than the last write. A read that depends on who asks must take the
    actor as an argument so that it is part of the key.
    """
    fn_id = f"{fn.__module__}.{fn.__qualname__}"
    return _cached_call(fn_id, str(db.path), db.data_version, args, kwargs, _fn=fn, _db=db)


def acting_user(db: Database) -> Actor:
    """The sidebar's 'acting as' picker: until sign-in exists, the only place identity enters."""
    people = cached(active_users, db)
    if not people:
        st.session_state.pop("acting_as", None)
        return SYSTEM
    by_id = {p.id: p for p in people}
    if st.session_state.get("acting_as") not in by_id:
        st.session_state["acting_as"] = people[0].id
    chosen = st.sidebar.selectbox(
        "Acting as", list(by_id), key="acting_as", persist_state="session",
        format_func=lambda i: f"{by_id[i].name} · {by_id[i].role}",
        help="Whose name every change is recorded under.",
    )
    return by_id.get(chosen) or get_user(db, chosen) or SYSTEM


def current_user() -> Actor:
    return st.session_state.get("_actor", SYSTEM)


def reporting_currency(db: Database) -> str:
    options = cached(fx.currencies, db)
    default = cached(fx.default_reporting_currency, db)
    if st.session_state.get("reporting_currency") not in options:
        st.session_state["reporting_currency"] = default if default in options else options[0]
    return st.sidebar.selectbox(
        "Reporting currency", options, key="reporting_currency", persist_state="session",
        help="Amounts in other currencies are converted with the month's FX rate.",
    )


def show_error(exc: Exception) -> None:
    """Say what went wrong in words; never a traceback."""
    if isinstance(exc, ValidationFailed):
        st.error("Nothing was saved. Please fix:\n\n" + "\n".join(f"- {p}" for p in exc.problems))
    elif isinstance(exc, (UserError, DatabaseReopened)):
        st.error(str(exc))
    else:
        log.exception("unexpected error")
        st.error("Something went wrong on our side and nothing was changed. The error was "
                 "logged; please try again, and tell your admin if it keeps happening.")


def run_page(page: Any) -> None:
    """Run the selected page; an error a page did not handle is shown in words and logged."""
    try:
        page.run()
    except WriteConflict as exc:
        show_error(exc)
    except Exception as exc:  # Streamlit's own stop/rerun signals are BaseException and pass
        show_error(exc)
