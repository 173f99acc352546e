"""The saved-views panel that Explore and the Portfolio share: open a view, delete one's own,
save the page's view under a name, private or shared (the rules: lib.saved_views).

A page gives what its view holds now (`current`) and how to put a saved one back into its
widgets (`seed`). Opening runs `seed` in the Open button's callback, before the widgets are
drawn, so the page and its address show the view on that same run.
"""
from __future__ import annotations

from typing import Any, Callable

import streamlit as st

from lib import saved_views, ui
from lib.db import Database
from lib.errors import UserError
from lib.users import Actor


def panel(db: Database, actor: Actor, page: str, *, current: Callable[[], dict[str, Any]],
          seed: Callable[[dict[str, Any]], None], save_label: str = "Save this view as") -> None:
    outcome = f"{page}_views"
    ui.show_outcome(outcome)
    views = ui.cached(saved_views.views, db, actor, page)
    with st.expander(f"Saved views ({len(views)})", icon=":material/bookmark:"):
        if views:
            by_id = {v["id"]: v for v in views}
            picked = st.selectbox("Open a saved view", list(by_id), key=f"{page}_view_pick",
                                  format_func=lambda i: view_title(by_id[i]), index=None,
                                  placeholder="Choose a view")
            b1, b2, _ = st.columns([1, 1, 3])
            b1.button("Open", key=f"{page}_view_open", disabled=picked is None, on_click=_open,
                      args=(db, actor, page, picked, seed))
            if picked is not None and by_id[picked]["mine"] and b2.button(
                    "Delete", key=f"{page}_view_delete", icon=":material/delete:"):
                if ui.attempt(lambda: saved_views.delete_view(db, actor, picked)):
                    st.session_state.pop(f"{page}_view_pick", None)
                    ui.finish(outcome, "success", f"Deleted the view {by_id[picked]['name']!r}.")
        if actor.role == "viewer":
            st.caption("Viewers can open shared views; saving needs another role.")
            return
        with st.form(f"{page}_save_form", clear_on_submit=True, border=False):
            f1, f2, f3 = st.columns([3, 1, 1], vertical_alignment="bottom")
            name = f1.text_input(save_label, key=f"{page}_save_name", max_chars=80)
            shared = f2.checkbox("Share with the team", key=f"{page}_save_shared")
            if f3.form_submit_button("Save view", icon=":material/bookmark_add:"):
                if ui.attempt(lambda: saved_views.save(db, actor, page, name, current(), shared=shared)):
                    ui.finish(outcome, "success", f"Saved the view {' '.join(name.split())!r}"
                              + (" and shared it with the team." if shared else " (only you see it)."))


def view_title(view: dict) -> str:
    """How a saved view is listed: its name, and whose it is."""
    whose = "mine" if view["mine"] else f"by {view['creator']}"
    return f"{view['name']} ({whose}{', shared' if view['shared'] and view['mine'] else ''})"


def _open(db: Database, actor: Actor, page: str, view_id: int,
          seed: Callable[[dict[str, Any]], None]) -> None:
    try:
        data = saved_views.saved(db, actor, view_id, page)
    except UserError as exc:       # deleted, or no longer shared, since the list was drawn
        st.session_state.pop(f"{page}_view_pick", None)
        ui.remember_outcome(f"{page}_views", "error", str(exc))
        return
    seed(data)
