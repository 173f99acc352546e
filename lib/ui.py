"""The Streamlit side of the house: opening the database, who is acting, caching, errors.

Only this module (and other lib/ui*.py) imports streamlit; pages call it, lib stays pure.
"""
from __future__ import annotations

import hashlib
import logging
import pickle
import threading
from typing import Any, Callable, TypeVar

import streamlit as st

from lib import auth, clock, fx, ui_auth
from lib.auth import DEMO_EMAIL_DOMAIN
from lib.db import Database, DatabaseReopened, DatabaseUnavailable, database_path
from lib.errors import UserError, ValidationFailed, WriteConflict
from lib.migrate import MigrationFailed, open_database
from lib.permissions import visible_pages
from lib.users import Actor

log = logging.getLogger("accountdesk")
T = TypeVar("T")
MONEY = st.column_config.NumberColumn(format="localized")   # a table's money: 1,234,567
CENTS = st.column_config.NumberColumn(format="%,.2f")       # to the cent: 1,234,567.89


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
def _cached_call(*, key: str, _args: tuple, _kwargs: dict, _fn: Callable, _db: Database) -> Any:
    # Every argument by keyword: for each positional one Streamlit looks its name up in the
    # function's signature (inspect.signature) on every call.
    return _fn(_db, *_args, **_kwargs)


def _arguments_key(args: tuple, kwargs: dict) -> str:
    """The arguments as one short text for the cache key: pickled, then hashed. Streamlit's own
    hashing walks every value in Python (a query holding 5,000 account ids took it 0.3 s; pickle
    takes under 1 ms). Different arguments never share a key; equal ones that pickle apart (1
    and 1.0) only miss the cache."""
    return hashlib.blake2b(pickle.dumps((args, sorted(kwargs.items())), protocol=5),
                           digest_size=20).hexdigest()


def cached(fn: Callable[..., T], db: Database, *args: Any, **kwargs: Any) -> T:
    """Call a lib read `fn(db, *args)` through the process-wide cache.

    The key holds the database file and its data version (every write bumps it), so nobody
    sees a result older than the last write; for a read marked `lib.db.reads_log` also the
    version of the sign-in records. A read that depends on who asks must take the actor as an
    argument so that it is part of the key.
    """
    fn_id = f"{fn.__module__}.{fn.__qualname__}"
    logged = getattr(fn, "reads_log", False)
    version = (db.data_version, db.log_version) if logged else (db.data_version,)
    key = repr((fn_id, str(db.path), version, _arguments_key(args, kwargs)))
    return _cached_call(key=key, _args=args, _kwargs=kwargs, _fn=fn, _db=db)


@st.cache_resource(max_entries=64, show_spinner=False)
def _figure(*, key: str, _build: Callable, _args: tuple) -> Any:   # by keyword: see _cached_call
    return _build(*_args)


def chart(build: Callable[..., Any], *args: Any, key: str, where: Any = None, **options: Any) -> None:
    """`st.plotly_chart` of `build(*args)` (a lib.charts function), built once for the same
    arguments and shared by every session: plotly checks each property it is given, 20-45 ms a
    chart on every run. The figure never leaves this function, so nobody changes the shared one
    (Streamlit sends a copy)."""
    figure = _figure(key=repr((f"{build.__module__}.{build.__qualname__}", _arguments_key(args, {}))),
                     _build=build, _args=args)
    (where or st).plotly_chart(figure, key=key, **options)


# Set while app.py runs the selected page. Streamlit serves the first request after a start
# in its legacy pages-folder mode, which can run pages/<name>.py without app.py (and so
# without its sign-in gate); a page refuses to render unless the gate ran in this very run.
# (Page files are named <key>_page.py so that no URL of ours is one that mode knows.)
_run = threading.local()


def current_user(*, required: bool = True, page: str | None = None) -> Actor | None:
    """The signed-in person; stops the page unless app.py's gate let it run and, for `page`,
    unless the person's role may open that page."""
    if not getattr(_run, "gated", False):
        _leave_legacy_pages_mode()
        st.warning("This page opens from Account Desk's home page.")
        st.markdown("[Go to Account Desk](/)")
        st.stop()
    actor = st.session_state.get("_actor")
    if actor is None and required:
        st.stop()
    if page is not None and actor is not None and page not in allowed_pages(actor):
        title = _TITLES.get(page, page)
        st.title(title)
        st.error(f"You are not allowed to open {title}. Ask your admin if you need it.",
                 icon=":material/block:")
        st.stop()
    return actor


def _leave_legacy_pages_mode() -> None:
    """Switch Streamlit out of its pages-folder mode and run again, this time through app.py.

    Streamlit (1.67) leaves that mode once app.py calls st.navigation; until then it stays on
    for every session. Setting its class flag is the one way to leave it from a page.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:
        return
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def digest(*parts: Any) -> str:
    """A short stable name for a combination of values (e.g. to key a table by what it shows)."""
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:12]


def has_accounts(db: Database) -> bool:
    return bool(db.value("SELECT count(*) FROM accounts WHERE archived_at IS NULL"))


def is_demo(db: Database) -> bool:
    return bool(db.value("SELECT count(*) FROM users WHERE email LIKE ?", [f"%@{DEMO_EMAIL_DOMAIN}"]))


_TITLES: dict[str, str] = {}  # page key -> title, as app.py registers them (constants)


def page(key: str, script: str, title: str, icon: str, *, allowed: bool, default: bool) -> st.Page:
    """A page of the navigation; one the person may not open is hidden and answers 'not allowed'."""
    _TITLES[key] = title
    return st.Page(script, title=title, icon=icon, url_path=key, default=default and allowed,
                   visibility="visible" if allowed else "hidden")


def allowed_pages(actor: Actor) -> set[str]:
    return visible_pages(actor) | {"me"}


def entry_pages(db: Database, keys: list[str]) -> list[st.Page]:
    """What someone not signed in may see: first-start setup, or the way to sign in.

    Every page's URL answers with the same entry page (hidden), so a shared link asks for
    sign-in and then opens what it pointed at, filters and all.
    """
    if not ui_auth.sso_configured() and auth.needs_setup(db):
        script, title, icon, path = "pages/welcome_page.py", "Welcome", ":material/waving_hand:", "welcome"
    else:
        script, title, icon, path = "pages/sign_in_page.py", "Sign in", ":material/login:", "sign-in"
    return [st.Page(script, title=title, icon=icon, url_path=path, default=True)] + [
        st.Page(script, title=title, icon=icon, url_path=key, visibility="hidden") for key in keys]


def sidebar(db: Database, actor: Actor) -> None:
    with st.sidebar:
        if cached(is_demo, db):
            st.info("Demo data: every name and figure here is made up.", icon=":material/science:")
        st.caption(f"Signed in as **{actor.name}** · {actor.role}")
        if st.button("Sign out", key="sidebar_sign_out", icon=":material/logout:"):
            ui_auth.sign_out()
            st.rerun()


def reporting_currency(db: Database) -> str:
    options = cached(fx.currencies, db)
    default = cached(fx.default_reporting_currency, db)
    if st.session_state.get("reporting_currency") not in options:
        st.session_state["reporting_currency"] = default if default in options else options[0]
    # The session's value is the selection: an index= as well would be a second default, which
    # Streamlit warns about (with a stack trace in the server's log) on every run.
    return st.sidebar.selectbox(
        "Reporting currency", options, key="reporting_currency", persist_state="session",
        help="Amounts in other currencies are converted with the month's FX rate.",
    )


def timezone() -> clock.ZoneInfo:
    """The browser's time zone: times are typed and shown in it, stored in UTC."""
    return clock.zone(st.context.timezone)


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


def lazy_tabs(sections: dict[str, Callable[[], None]], key: str) -> None:
    """Tabs of which only the open one runs, bound to the address as `key` (a copied link
    reopens the tab): a page pays for the queries of the tab a person looks at."""
    for tab, render in zip(st.tabs(list(sections), key=key, bind="query-params"), sections.values()):
        if tab.open:
            with tab:
                render()


# ---- an action's outcome survives the rerun that refreshes the page ---------------------------
def account_link(label: str, account_id: int, key: str, *, where: Any = None,
                 icon: str | None = None) -> None:
    """A link-styled button that opens the account page on `account_id`. (A page link with query
    parameters to the page already shown loses them on the page's next run in Streamlit 1.67:
    the account would close at the next click. Switching page with them keeps them in the URL.)"""
    if (where or st).button(label, key=key, type="tertiary", icon=icon):
        st.switch_page("pages/account_page.py", query_params={"account": str(account_id)})


def forget_stale(prefix: str) -> None:
    """At the top of a page, before any widget: drop the widget values the last action
    asked to forget (edited fields, a stale version), so widgets show the saved data."""
    for key in st.session_state.pop(f"{prefix}_forget", []):
        st.session_state.pop(key, None)


def finish(prefix: str, kind: str, message: str, *forget: str) -> None:
    """End an action: keep its outcome for the next run and rerun, so every figure is fresh."""
    remember_outcome(prefix, kind, message)
    st.session_state[f"{prefix}_forget"] = list(forget)
    st.rerun()


def fresh(base: str) -> str:
    """The key prefix for the widgets of a form that comes back empty after each use
    (`renew`). Forgetting a widget's state is not enough for that: the browser keeps what was
    typed and sends it back with the next run, so a used form gets widgets with new keys."""
    n = st.session_state.get(f"_generation_{base}", 0)
    return base if n == 0 else f"{base}-{n}"


def renew(base: str) -> None:
    st.session_state[f"_generation_{base}"] = st.session_state.get(f"_generation_{base}", 0) + 1


def remember_outcome(prefix: str, kind: str, message: str) -> None:
    """Keep an outcome for `show_outcome(prefix)` on the next run, e.g. across a page switch."""
    st.session_state[f"{prefix}_flash"] = (kind, message)


def show_outcome(prefix: str) -> None:
    """Show what the last action of this page did, once."""
    if flash := st.session_state.pop(f"{prefix}_flash", None):
        (st.success if flash[0] == "success" else st.error)(flash[1])


# ---- a dialog opened by a button stays open through its own reruns until saved or dismissed ----
def dialog_open(flag: str, clicked: bool) -> bool:
    if clicked:
        st.session_state[flag] = True
    return bool(st.session_state.get(flag))


def closer(flag: str) -> Callable[[], None]:
    """The dialog's on_dismiss: closing it with X or Escape forgets that it was open."""
    return lambda: st.session_state.update({flag: False})


# ---- a save on a stale version: show both, let the person choose ---------------------------------
def loaded_version(base: str, version: int) -> int:
    """The version the person's form was loaded from (kept until they save or take theirs)."""
    return st.session_state.setdefault(f"{base}_version", version)


def form_keys(base: str) -> list[str]:
    """Every session key of a form (its widgets, version and conflict), to forget after a save."""
    return [k for k in st.session_state if str(k).startswith(base)]


def save_form(base: str, action: Callable[[], Any]) -> bool:
    """Run the save of form `base`: a stale version is kept for `resolve_conflict` (and the page
    reruns to show it), any other refusal is shown in words. True when it saved."""
    try:
        action()
    except WriteConflict as exc:
        st.session_state[f"{base}_conflict"] = {"current": exc.current, "by": exc.changed_by}
        st.rerun()
    except UserError as exc:
        show_error(exc)
        return False
    return True


def resolve_conflict(base: str, outcome_prefix: str, what: str,
                     differences: Callable[[dict], list[dict]]) -> None:
    """If the last save of form `base` hit someone else's newer save, show where the two differ
    (`differences(theirs)` -> table rows) and offer: keep mine (save again over theirs, knowingly)
    or take theirs (reload the form from the saved values). What was typed stays in the form."""
    conflict = st.session_state.get(f"{base}_conflict")
    if not conflict:
        return
    st.error(f"{conflict['by']} saved this {what} after you opened it, so nothing of yours was saved. "
             "Here is where your version and theirs differ; your version is still in the form.",
             icon=":material/sync_problem:")
    rows = differences(conflict["current"])
    if rows:
        st.table(rows)
    c1, c2 = st.columns(2)
    if c1.button("Keep mine: I will save it over theirs", key=f"{base}_keep_mine"):
        st.session_state[f"{base}_version"] = conflict["current"]["version"]
        del st.session_state[f"{base}_conflict"]
        st.rerun()
    if c2.button("Take theirs: discard my changes", key=f"{base}_take_theirs"):
        finish(outcome_prefix, "success", f"Showing the saved {what}.", *form_keys(base))


def password_twice(key: str, label: str = "New password") -> tuple[str, str]:
    """Two password boxes (keys `<key>_new`, `<key>_again`), for a form."""
    first = st.text_input(f"{label} (at least 10 characters)", type="password",
                          key=f"{key}_new", max_chars=200)
    again = st.text_input(f"{label} again", type="password", key=f"{key}_again", max_chars=200)
    return first, again


def attempt(action: Callable[[], Any], *, passwords: tuple[str, str] | None = None) -> bool:
    """Run one lib action for a form; say in words what was wrong. True when it succeeded."""
    if passwords is not None and passwords[0] != passwords[1]:
        st.error("The two passwords differ; type the same password twice.")
        return False
    try:
        action()
    except UserError as exc:
        show_error(exc)
        return False
    return True


def run_page(page: Any) -> None:
    """Run the selected page; an error a page did not handle is shown in words and logged."""
    _run.gated = True
    try:
        page.run()
    except WriteConflict as exc:
        show_error(exc)
    except Exception as exc:  # Streamlit's own stop/rerun signals are BaseException and pass
        show_error(exc)
    finally:
        _run.gated = False
