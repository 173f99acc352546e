"""Contact policy: how many days each tier may go without hearing from us.

An account not contacted for longer than its tier allows appears on its manager's My work list
and counts against its health. One row per tier in `contact_policies`; only admins change them.
"""
from __future__ import annotations

from decimal import Decimal
from numbers import Integral
from typing import Any, get_args

import pandas as pd

from lib.db import Database, Tx
from lib.errors import ValidationFailed, WriteConflict
from lib.models import Tier
from lib.permissions import require
from lib.portfolio import label
from lib.users import Actor

TIERS: tuple[str, ...] = get_args(Tier)  # key, strategic, standard: the order they are shown in
MAX_DAYS = 3650  # ten years: anything longer is a typing error, not a policy


def policies(db: Database) -> pd.DataFrame:
    """tier, max_days, version, updated_at, updated_by (a person's name), key tier first.

    Every tier has a row; one missing from the table reads as no days at version 0, and the
    first save puts it back.
    """
    return db.df(
        "SELECT t.tier, p.max_days, coalesce(p.version, 0) AS version, p.updated_at, "
        "u.display_name AS updated_by "
        "FROM (SELECT unnest($tiers) AS tier) t LEFT JOIN contact_policies p ON p.tier = t.tier "
        "LEFT JOIN users u ON u.id = p.updated_by ORDER BY list_position($tiers, t.tier)",
        {"tiers": list(TIERS)},
    )


def for_editing(db: Database) -> dict[str, dict[str, Any]]:
    """tier -> {"max_days": int or None, "version": int}: what an edit form loads and saves against."""
    return {row.tier: {"max_days": None if pd.isna(row.max_days) else int(row.max_days),
                       "version": int(row.version)}
            for row in policies(db).itertuples()}


def update_policy(db: Database, actor: Actor, tier: str, max_days: Any, loaded_version: int) -> int:
    """Save one tier's days as edited on `loaded_version`; return the new version.

    Admin only. ValidationFailed unless a whole number from 1 to 3,650; WriteConflict (with
    the current days) when someone saved the tier after it was loaded. Audited old -> new.
    """
    return update_policies(db, actor, {tier: (max_days, loaded_version)})[tier]


def update_policies(db: Database, actor: Actor, edits: dict[str, tuple[Any, int]]) -> dict[str, int]:
    """Save several tiers at once, `tier -> (max_days, loaded_version)`, all or nothing.

    Returns tier -> new version. Every value is checked before anything is written, and a
    conflict on any tier saves none of them.
    """
    require(actor, "edit_settings")
    if not edits:
        return {}
    days, problems = {}, []
    for tier, (value, _) in edits.items():
        if tier not in TIERS:
            problems.append(f"Tier: {tier!r} is not a tier; choose one of "
                            + ", ".join(label(t) for t in TIERS))
        elif (whole := whole_days(value)) is None:
            problems.append(f"{label(tier)} accounts: {_shown(value)} is not allowed; "
                            f"use a whole number of days from 1 to {MAX_DAYS:,}")
        else:
            days[tier] = whole
    if problems:
        raise ValidationFailed(problems)

    def work(tx: Tx) -> dict[str, int]:
        return {tier: _save(tx, tier, days[tier], loaded) for tier, (_, loaded) in edits.items()}

    return db.write(actor, work)


def whole_days(value: Any) -> int | None:
    """`value` as a number of days from 1 to MAX_DAYS, or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, (float, Decimal)):
        try:
            value = int(value) if value == int(value) else value
        except (ValueError, OverflowError, ArithmeticError):  # nan, infinity
            return None
    if isinstance(value, Integral) and 1 <= value <= MAX_DAYS:
        return int(value)
    return None


def _save(tx: Tx, tier: str, days: int, loaded_version: int) -> int:
    rows = tx.execute("SELECT max_days, version, updated_by FROM contact_policies WHERE tier = ?", [tier])
    old, version, by = rows[0] if rows else (None, 0, None)
    if version != loaded_version:
        who = tx.user_name(by)
        raise WriteConflict("contact policy", tier, {"max_days": old, "version": version}, who)
    if old == days:
        tx.audit("no_change", "contact_policy", tier)
        return version
    if rows:
        tx.execute("UPDATE contact_policies SET max_days = ?, version = version + 1, "
                   "updated_at = now()::TIMESTAMP, updated_by = ? WHERE tier = ?",
                   [days, tx.actor.id, tier])
    else:  # a database whose row was removed by hand: the first save puts it back
        tx.execute("INSERT INTO contact_policies (tier, max_days, updated_by) VALUES (?, ?, ?)",
                   [tier, days, tx.actor.id])
    tx.audit("update", "contact_policy", tier, {"max_days": [old, days]})
    return version + 1


def _shown(value: Any) -> str:
    text = "nothing" if value is None or (isinstance(value, str) and not value.strip()) else str(value)
    return text if len(text) <= 20 else text[:20] + "…"
