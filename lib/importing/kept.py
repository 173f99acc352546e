"""Plans kept from a preview for the commit that follows it.

A preview validates and compares on a cursor whose temp tables (`compared`, `row_errors`, the
`missing_*` tables) are exactly what the commit writes from. Keeping that cursor open lets the
commit skip doing the same work again, as long as nothing was written to the database since
the preview began: then the commit would compute the same plan. Database.data_version is the
witness (every write bumps it, inside the write lock the commit also holds).

At most KEEP plans are kept per database; a newer preview closes the oldest, whose commit then
validates afresh. A commit that fails leaves its transaction rolled back, temp tables included,
so the plan is put back for the next try.
"""
from __future__ import annotations

import itertools
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass

import duckdb

from lib.db import Database
from lib.importing.plan import Preview
from lib.importing.stage import Staged

KEEP = 2
_ids = itertools.count(1)
_lock = threading.Lock()
_kept: weakref.WeakKeyDictionary[Database, OrderedDict[int, "Kept"]] = weakref.WeakKeyDictionary()


@dataclass
class Kept:
    cursor: duckdb.DuckDBPyConnection
    version: int                              # db.data_version before the preview began
    staged: weakref.ref[Staged]               # the rows it validated (not kept alive by this)
    match_on: tuple[str, ...]
    create_missing: bool

    def fresh(self, db: Database) -> bool:
        return db.data_version == self.version


def keep(db: Database, cursor: duckdb.DuckDBPyConnection, version: int, staged: Staged,
         preview: Preview, create_missing: bool) -> None:
    """Keep the cursor `preview` was planned on, and give the preview its `plan_id`."""
    preview.plan_id = next(_ids)
    put_back(db, preview.plan_id,
             Kept(cursor, version, weakref.ref(staged), preview.match_on, create_missing))


def take(db: Database, preview: Preview | None, staged: Staged, match_on: tuple[str, ...],
         create_missing: bool) -> Kept | None:
    """The plan kept for this preview of this very staged data with these choices, removed from
    the store (the caller closes its cursor or puts it back), or None."""
    if preview is None or preview.plan_id is None:
        return None
    with _lock:
        plan = _kept.get(db, {}).pop(preview.plan_id, None)
    if plan is not None and (plan.staged() is not staged or plan.create_missing != create_missing
                             or plan.match_on != tuple(match_on)):
        close(plan)
        return None
    return plan


def put_back(db: Database, plan_id: int, plan: Kept) -> None:
    """Keep (again) as the newest plan; the oldest beyond KEEP are closed."""
    with _lock:
        plans = _kept.setdefault(db, OrderedDict())
        plans[plan_id] = plan
        oldest = [plans.popitem(last=False)[1] for _ in range(len(plans) - KEEP)]
    for plan in oldest:
        close(plan)


def close(plan: Kept) -> None:
    try:
        plan.cursor.close()
    except duckdb.Error:
        pass    # its connection is already gone (the database was closed or reopened)
