"""Saved views of Explore and of the Portfolio: save a page's view under a name (private or
shared), list, open, delete.

Every change goes through the write door with an audit row. Anyone but a viewer may save;
a view is seen by its creator, and by everyone when shared; only its creator deletes it. A
view belongs to one page (`saved_views.page`) and holds what that page says it holds: Explore
its spec (lib.explore.ExploreSpec.to_dict), the Portfolio its filters (lib.portfolio.view_filters).
"""
from __future__ import annotations

import json
from typing import Any

from lib.db import Database, Tx
from lib.errors import NotAllowed, NotFound, ValidationFailed
from lib.permissions import VIEWERS_CANNOT
from lib.users import Actor

MAX_NAME = 80


def save(db: Database, actor: Actor, page: str, name: str, data: dict[str, Any], *,
         shared: bool = False) -> int:
    """Save `data` (checked by the page's own rules) as a view of `page` named `name`; the new
    view's id. A name the person already uses on that page is refused."""
    if actor.role == "viewer":
        raise NotAllowed(VIEWERS_CANNOT)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(["Give the view a name."])
    if len(name) > MAX_NAME:
        raise ValidationFailed([f"A view's name has at most {MAX_NAME} characters."])

    def work(tx: Tx) -> int:
        if tx.value("SELECT count(*) FROM saved_views WHERE created_by = ? AND page = ? "
                    "AND lower(name) = lower(?)", [actor.id, page, name]):
            raise ValidationFailed([f"You already have a view named {name!r}; choose another name "
                                    "or delete that one first."])
        view_id = tx.value("INSERT INTO saved_views (page, name, spec, shared, created_by) "
                           "VALUES (?, ?, ?, ?, ?) RETURNING id",
                           [page, name, json.dumps(data), shared, actor.id])
        tx.audit("create", "saved_view", view_id, {"page": [None, page], "name": [None, name],
                                                   "shared": [None, shared], "spec": [None, data]})
        return int(view_id)

    return db.write(actor, work)


def views(db: Database, actor: Actor, page: str = "explore") -> list[dict[str, Any]]:
    """The views of `page` that `actor` may open: their own and every shared one, by name."""
    rows = db.df(
        "SELECT v.id, v.name, v.shared, v.spec, v.created_by, v.created_at, "
        "coalesce(u.display_name, 'user #' || v.created_by) AS creator "
        "FROM saved_views v LEFT JOIN users u ON u.id = v.created_by "
        "WHERE v.page = ? AND (v.created_by = ? OR v.shared) "
        "ORDER BY lower(v.name), v.id", [page, actor.id])
    return [{**r, "mine": r["created_by"] == actor.id} for r in rows.to_dict("records")]


def saved(db: Database, actor: Actor, view_id: int, page: str) -> dict[str, Any]:
    """What a view of `page` that `actor` may see holds, as saved (NotFound otherwise: a private
    view stays unmentioned)."""
    row = db.record("SELECT spec FROM saved_views WHERE id = ? AND page = ? AND (created_by = ? OR shared)",
                    [view_id, page, actor.id])
    if row is None:
        raise NotFound("That saved view does not exist or is not shared with you.")
    return json.loads(row["spec"])


def delete_view(db: Database, actor: Actor, view_id: int) -> None:
    """Delete one of the actor's own views; anyone else's is refused."""
    def work(tx: Tx) -> None:
        rows = tx.execute("SELECT name, created_by, spec, shared FROM saved_views WHERE id = ?", [view_id])
        if not rows:
            raise NotFound("That saved view no longer exists.")
        name, owner, spec, shared = rows[0]
        if owner != actor.id:
            raise NotAllowed("You can delete only views you saved yourself.")
        tx.execute("DELETE FROM saved_views WHERE id = ?", [view_id])
        tx.audit("delete", "saved_view", view_id, {"name": [name, None], "shared": [shared, None],
                                                   "spec": [json.loads(spec), None]})

    db.write(actor, work)
