"""Who may do what: one table of role -> scope per action, enforced in lib.

A scope says how far a role reaches for an action: everything (ANY), the accounts and people of
the director's reports-to tree (TEAM), the person's own accounts (OWN), or not at all (NONE).
Things are owned by an account_managers row, so ownership is checked against the actor's
`manager_id`; a director's team comes from `team_of` and is passed in by the caller.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lib.db import Database
from lib.errors import NotAllowed

if TYPE_CHECKING:
    from lib.users import Actor

ANY, TEAM, OWN, NONE = "any", "team", "own", "none"
VIEWERS_CANNOT = "Viewers cannot change data."


@dataclass(frozen=True)
class Rule:
    admin: str
    director: str
    manager: str
    viewer: str
    writes: bool  # a write refuses viewers with the one sentence they will see everywhere
    refused: str  # why a role without this action is refused
    outside: str = ""  # why a thing outside the actor's reach is refused; {whose}, {owner}


_ACCOUNTS = "You can {verb} only {whose} accounts; this one {owner}."
_ONLY_LEADS = "Only a director or an admin can {what}."
RULES: dict[str, Rule] = {
    "read_accounts": Rule(ANY, ANY, ANY, ANY, False, ""),
    "edit_account": Rule(ANY, TEAM, OWN, NONE, True, "", _ACCOUNTS.replace("{verb}", "edit")),
    "edit_contact": Rule(ANY, TEAM, OWN, NONE, True, "",
                         "You can change contacts only on {whose} accounts; this one {owner}."),
    "record_interaction": Rule(ANY, TEAM, OWN, NONE, True, "",
                               "You can record interactions only on {whose} accounts; this one {owner}."),
    "edit_targets": Rule(ANY, TEAM, NONE, NONE, True, _ONLY_LEADS.format(what="change targets"),
                         "You can change targets only for your team; this one {owner}."),
    "reassign_accounts": Rule(ANY, TEAM, NONE, NONE, True,
                              _ONLY_LEADS.format(what="reassign accounts"),
                              _ACCOUNTS.replace("{verb}", "reassign")),
    "edit_plans": Rule(ANY, TEAM, NONE, NONE, True,
                       _ONLY_LEADS.format(what="change compensation plans"),
                       "You can change compensation plans only for your team; this one {owner}."),
    "read_compensation": Rule(ANY, TEAM, OWN, NONE, False, "Viewers cannot see compensation.",
                              "You can see compensation only for {whose_pay}."),
    "read_audit": Rule(ANY, TEAM, NONE, NONE, False, _ONLY_LEADS.format(what="read the audit log"),
                       "You can read the audit log only for your team."),
    "run_review": Rule(ANY, ANY, NONE, NONE, True, _ONLY_LEADS.format(what="run the team review")),
    "use_sql": Rule(ANY, ANY, NONE, NONE, False, _ONLY_LEADS.format(what="use the SQL box")),
    "import_data": Rule(ANY, ANY, NONE, NONE, True, _ONLY_LEADS.format(what="import data")),
    "lock_periods": Rule(ANY, ANY, NONE, NONE, True, _ONLY_LEADS.format(what="lock or unlock periods")),
    "manage_users": Rule(ANY, NONE, NONE, NONE, True, "Only an admin can manage users."),
    "edit_fx": Rule(ANY, NONE, NONE, NONE, True, "Only an admin can change FX rates."),
    "edit_settings": Rule(ANY, NONE, NONE, NONE, True, "Only an admin can change settings."),
    "backup": Rule(ANY, NONE, NONE, NONE, True, "Only an admin can make or restore backups."),
}
ACTIONS = tuple(RULES)

PAGES = ("portfolio", "account", "my_work", "targets", "performance", "compensation", "import",
         "review", "explore", "audit", "users", "settings")
_VIEWER_PAGES = {"portfolio", "account", "performance", "review", "explore"}
_PAGES_BY_ROLE = {
    "viewer": _VIEWER_PAGES,
    "manager": _VIEWER_PAGES | {"my_work", "compensation", "targets"},
    "director": set(PAGES) - {"users", "settings"},
    "admin": set(PAGES),
}


def scope(actor: Actor, action: str) -> str:
    """How far `actor` reaches for `action`: ANY, TEAM, OWN or NONE (unknown roles: NONE)."""
    if action not in RULES:
        raise ValueError(f"unknown action {action!r}; known: {', '.join(ACTIONS)}")
    return getattr(RULES[action], actor.role, NONE) if actor.role in _PAGES_BY_ROLE else NONE


def can(actor: Actor, action: str, *, owner_manager_id: int | None = None,
        team: frozenset[int] | None = None) -> bool:
    """May `actor` do `action` on a thing owned by `owner_manager_id` (None: owned by nobody)?

    `team` is the director's team (`team_of`); without it a director reaches only their own.
    Actions that are not about an owned thing (use_sql, backup ...) ignore the owner.
    """
    reach = scope(actor, action)
    if reach in (ANY, NONE):
        return reach == ANY
    own = actor.manager_id is not None and owner_manager_id == actor.manager_id
    if reach == OWN:
        return own
    return own or (owner_manager_id is not None and owner_manager_id in (team or frozenset()))


def require(actor: Actor, action: str, *, owner_manager_id: int | None = None,
            team: frozenset[int] | None = None, owner_name: str | None = None) -> None:
    """Raise NotAllowed with a sentence for the person when `can` says no.

    `owner_name` names the owner in the sentence ("this one belongs to Priya Shah").
    """
    if can(actor, action, owner_manager_id=owner_manager_id, team=team):
        return
    raise NotAllowed(refusal(actor, action, owner_manager_id=owner_manager_id, owner_name=owner_name))


def refusal(actor: Actor, action: str, *, owner_manager_id: int | None = None,
            owner_name: str | None = None) -> str:
    """The sentence that explains why `actor` may not do `action` (assumes they may not)."""
    rule, reach = RULES[action], scope(actor, action)
    if reach == NONE:
        return VIEWERS_CANNOT if rule.writes and actor.role == "viewer" else rule.refused
    if owner_manager_id is None:
        owner = "has no owner"
    else:
        owner = f"belongs to {owner_name}" if owner_name else "belongs to someone else"
    whose = "your own" if reach == OWN else "your team's"
    whose_pay = "yourself" if reach == OWN else "your team"
    return rule.outside.format(whose=whose, owner=owner, whose_pay=whose_pay)


def team_of(db: Database, director_manager_id: int | None) -> frozenset[int]:
    """Every account_managers id in the reports-to tree under (and including) this one."""
    if director_manager_id is None:
        return frozenset()
    # UNION (not UNION ALL) stops at rows already seen, so a reports-to cycle cannot loop
    rows = db.rows(
        "WITH RECURSIVE team(id) AS ("
        " SELECT id FROM account_managers WHERE id = ?"
        " UNION SELECT m.id FROM account_managers m JOIN team t ON m.reports_to = t.id"
        ") SELECT id FROM team",
        [director_manager_id],
    )
    return frozenset(r[0] for r in rows)


def team_for(db: Database, actor: Actor) -> frozenset[int]:
    """The team to pass to `can` for this actor: a director's tree, else nothing."""
    return team_of(db, actor.manager_id) if actor.role == "director" else frozenset()


def visible_pages(actor: Actor) -> set[str]:
    """The page keys this actor's role may open."""
    return set(_PAGES_BY_ROLE.get(actor.role, set()))
