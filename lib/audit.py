"""The audit trail: who changed what, when, read back for the people allowed to see it.

audit_log is append-only: rows are written only by `Tx.audit` inside the write door, and this
module only reads them. Who may read which rows is lib.permissions' `read_audit` rule: an
admin everything, a director the entries made by their team (and their own), others nothing.
"""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import pandas as pd

from lib.db import Database, reads_log
from lib.errors import NotAllowed
from lib.filters import Compiled, Condition, Field, compile_where, describe
from lib.permissions import ANY, NONE, OWN, refusal, scope, team_for, visible_pages
from lib.users import SYSTEM, Actor

# entity -> (page key, URL template): only entities whose record has a page of its own get a
# link. The account page comes later: add "account": ("account", "/account?account={id}").
ENTITY_PAGES: dict[str, tuple[str, str]] = {
    "account": ("account", "/account?account={id}"),
    "user": ("users", "/users"),
}

COLUMNS = ["id", "changed_at", "person", "action", "entity", "entity_id", "record", "changes", "link"]
EMPTY = "—"  # how a missing old or new value reads in "field: old → new"

FIELDS: dict[str, Field] = {
    "person": Field("actor_id", "person"),
    "entity": Field("entity", "record type", lambda v: entity_label(str(v))),
    "since": Field("changed_at::DATE", "date", lambda v: v.isoformat()),
    "until": Field("changed_at::DATE", "date", lambda v: v.isoformat()),
    # json() re-serialises the stored text without \u escapes, so "Café" finds "Café"
    "text": Field("concat_ws(' ', entity_id, record_name, json(changes))", "record or change"),
}

# One row per entry with the names resolved; the filters and the reach apply to its columns.
_ENTRIES = f"""
    SELECT a.id, a.changed_at, a.actor_id,
           CASE WHEN a.actor_id = {SYSTEM.id} THEN '{SYSTEM.name}'
                ELSE coalesce(p.display_name, 'User ' || a.actor_id) END AS person,
           a.action, a.entity, a.entity_id, a.changes,
           CASE a.entity WHEN 'account' THEN acc.name WHEN 'user' THEN ru.display_name END
               AS record_name
    FROM audit_log a
    LEFT JOIN users p ON p.id = a.actor_id
    LEFT JOIN accounts acc ON a.entity = 'account' AND acc.id = TRY_CAST(a.entity_id AS INTEGER)
    LEFT JOIN users ru ON a.entity = 'user' AND ru.id = TRY_CAST(a.entity_id AS INTEGER)
"""


@reads_log
def entries(db: Database, actor: Actor, *, person_ids=(), entities=(), since: date | None = None,
            until: date | None = None, text: str = "", limit: int = 200,
            offset: int = 0) -> pd.DataFrame:
    """One page of the entries `actor` may read, newest first, ready to show (see COLUMNS)."""
    where = _where(db, actor, person_ids, entities, since, until, text)
    df = db.df(
        f"SELECT * FROM ({_ENTRIES}) WHERE {where.sql} ORDER BY changed_at DESC, id DESC "
        "LIMIT $limit OFFSET $offset",
        {**where.params, "limit": max(0, int(limit)), "offset": max(0, int(offset))},
    )
    return _shaped(df, actor)


@reads_log
def count(db: Database, actor: Actor, *, person_ids=(), entities=(), since: date | None = None,
          until: date | None = None, text: str = "") -> int:
    """How many entries `entries` pages through with the same filters."""
    where = _where(db, actor, person_ids, entities, since, until, text)
    return int(db.value(f"SELECT count(*) FROM ({_ENTRIES}) WHERE {where.sql}", where.params))


@reads_log
def people(db: Database, actor: Actor) -> dict[int, str]:
    """Who has entries `actor` may read: user id -> a name, unique even when names repeat."""
    where = _where(db, actor, (), (), None, None, "")
    rows = db.rows(
        "SELECT actor_id, CASE WHEN count(*) OVER (PARTITION BY person) > 1 "
        "THEN person || ' (#' || actor_id || ')' ELSE person END AS name "
        f"FROM (SELECT DISTINCT actor_id, person FROM ({_ENTRIES}) WHERE {where.sql}) "
        "ORDER BY lower(name)",
        where.params,
    )
    return dict(rows)


@reads_log
def entity_kinds(db: Database) -> list[str]:
    """The kinds of record the log holds (account, user ...), for the filter's options."""
    return [r[0] for r in db.rows("SELECT DISTINCT entity FROM audit_log ORDER BY entity")]


def entity_label(entity: str) -> str:
    return entity.replace("_", " ")


def for_display(df: pd.DataFrame) -> pd.DataFrame:
    """`entries` with the titles and words the page shows ('reset_password' -> 'Reset password').

    `link` is kept only when some row has one, so nobody sees a column of empty cells.
    """
    table = pd.DataFrame({
        "When": df["changed_at"],
        "Who": df["person"],
        "Action": df["action"].str.replace("_", " ").str.capitalize(),
        "What": df["entity"].map(entity_label),
        "Record": df["record"],
        "Changes": df["changes"],
        "link": df["link"],
    })
    return table if table["link"].notna().any() else table.drop(columns="link")


def sentence(names: dict[int, str], *, person_ids=(), entities=(), since: date | None = None,
             until: date | None = None, text: str = "") -> str:
    """The filter as a person reads it: 'person is Fiona Finch and date is at least 2026-01-01'."""
    fields = {**FIELDS, "person": replace(FIELDS["person"], show=lambda v: names.get(v, f"#{v}"))}
    return describe(_conditions(person_ids, entities, since, until, text), fields)


def render_changes(changes: Any) -> str:
    """The stored JSON as lines a person reads: 'tier: standard → key', 'accounts: 400'."""
    if changes is None or (isinstance(changes, float) and pd.isna(changes)):
        return ""
    data = json.loads(changes) if isinstance(changes, str) else changes
    if not isinstance(data, dict):
        return _value(data)
    return "\n".join(f"{field}: {_change(value)}" for field, value in data.items())


# ---- inside ---------------------------------------------------------------------------------
def _conditions(person_ids, entities, since, until, text) -> tuple[Condition, ...]:
    return (
        Condition("person", "in", tuple(int(p) for p in person_ids)),
        Condition("entity", "in", tuple(entities)),
        Condition("since", "gte", since),
        Condition("until", "lte", until),
        Condition("text", "contains", (text or "").strip()),
    )


def _where(db: Database, actor: Actor, person_ids, entities, since, until, text) -> Compiled:
    """The person's filters AND the actor's reach, as one clause with bound values."""
    wanted = compile_where(_conditions(person_ids, entities, since, until, text), FIELDS)
    readable = _readable_actor_ids(db, actor)
    if readable is None:
        return wanted
    return Compiled(f"{wanted.sql} AND actor_id IN (SELECT unnest($readable))",
                    {**wanted.params, "readable": sorted(readable)})


def _readable_actor_ids(db: Database, actor: Actor) -> set[int] | None:
    """Whose entries `actor` may read: None for everyone; raises NotAllowed for no one."""
    reach = scope(actor, "read_audit")
    if reach == ANY:
        return None
    if reach == NONE:
        raise NotAllowed(refusal(actor, "read_audit"))
    team = frozenset() if reach == OWN else team_for(db, actor)
    members = db.rows("SELECT id FROM users WHERE manager_id IN (SELECT unnest(?))", [sorted(team)])
    return {actor.id, *(r[0] for r in members)}


def _shaped(df: pd.DataFrame, actor: Actor) -> pd.DataFrame:
    df = df.copy()
    df["record"] = df["record_name"].where(df["record_name"].notna(), df["entity_id"])
    df["changes"] = df["changes"].map(render_changes)
    df["link"] = [_link(entity, entity_id, actor) for entity, entity_id in
                  zip(df["entity"], df["entity_id"])]
    return df[COLUMNS].reset_index(drop=True)


def _link(entity: str, entity_id: Any, actor: Actor) -> str | None:
    """A relative URL to the record's page, when it has one and the actor may open it."""
    page = ENTITY_PAGES.get(entity)
    if page is None or page[0] not in visible_pages(actor) or entity_id is None or pd.isna(entity_id):
        return None
    return page[1].format(id=entity_id)


def _change(value: Any) -> str:
    if isinstance(value, list) and len(value) == 2:
        return f"{_value(value[0])} → {_value(value[1])}"
    return _value(value)  # a summary ("accounts": 400) or an outcome, not a before/after pair


def _value(value: Any) -> str:
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
