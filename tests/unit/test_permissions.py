"""The role table: every role x every action x (own / team / other thing), and the pages."""
import pytest

from lib.errors import NotAllowed
from lib.permissions import ACTIONS, can, refusal, require, scope, visible_pages
from lib.users import Actor

# Written out by hand (not read from lib.permissions.RULES) so a change to the rules has to be
# made twice, on purpose. Per action: the reach of (admin, director, manager, viewer).
EXPECTED = {
    "read_accounts":      ("any", "any", "any", "any"),
    "edit_account":       ("any", "team", "own", "none"),
    "edit_contact":       ("any", "team", "own", "none"),
    "record_interaction": ("any", "team", "own", "none"),
    "edit_targets":       ("any", "team", "none", "none"),
    "lock_periods":       ("any", "any", "none", "none"),
    "read_compensation":  ("any", "team", "own", "none"),
    "edit_plans":         ("any", "team", "none", "none"),
    "reassign_accounts":  ("any", "team", "none", "none"),
    "run_review":         ("any", "any", "none", "none"),
    "use_sql":            ("any", "any", "none", "none"),
    "manage_users":       ("any", "none", "none", "none"),
    "edit_fx":            ("any", "none", "none", "none"),
    "edit_settings":      ("any", "none", "none", "none"),
    "backup":             ("any", "none", "none", "none"),
    "read_audit":         ("any", "team", "none", "none"),
    "import_data":        ("any", "any", "none", "none"),
}
ROLES = ("admin", "director", "manager", "viewer")
ME, TEAMMATE, OUTSIDER = 1, 2, 9
TEAM = frozenset({ME, TEAMMATE, 3})
OWNERS = {"own": ME, "team": TEAMMATE, "other": OUTSIDER, "nobody": None}
ALLOWED = {  # reach -> which owners it covers
    "any": {"own", "team", "other", "nobody"},
    "team": {"own", "team"},
    "own": {"own"},
    "none": set(),
}
CASES = [(role, action, relation, relation in ALLOWED[EXPECTED[action][ROLES.index(role)]])
         for action in EXPECTED for role in ROLES for relation in OWNERS]


def _actor(role: str, manager_id: int | None = ME) -> Actor:
    return Actor(id=10, name=f"A {role}", role=role, manager_id=manager_id)


def test_the_table_covers_every_action_the_library_knows():
    assert set(EXPECTED) == set(ACTIONS)


@pytest.mark.parametrize(("role", "action", "relation", "allowed"), CASES)
def test_each_role_reaches_exactly_what_the_table_says(role, action, relation, allowed):
    actor = _actor(role)
    assert can(actor, action, owner_manager_id=OWNERS[relation], team=TEAM) is allowed
    if allowed:
        require(actor, action, owner_manager_id=OWNERS[relation], team=TEAM)
    else:
        with pytest.raises(NotAllowed):
            require(actor, action, owner_manager_id=OWNERS[relation], team=TEAM)


@pytest.mark.parametrize(("role", "action", "message"), [
    ("viewer", "edit_account", "Viewers cannot change data."),
    ("viewer", "record_interaction", "Viewers cannot change data."),
    ("viewer", "manage_users", "Viewers cannot change data."),
    ("viewer", "read_compensation", "Viewers cannot see compensation."),
    ("manager", "manage_users", "Only an admin can manage users."),
    ("director", "manage_users", "Only an admin can manage users."),
    ("director", "edit_fx", "Only an admin can change FX rates."),
    ("manager", "edit_targets", "Only a director or an admin can change targets."),
    ("manager", "use_sql", "Only a director or an admin can use the SQL box."),
])
def test_a_role_without_the_action_is_told_why_in_a_sentence(role, action, message):
    with pytest.raises(NotAllowed) as refused:
        require(_actor(role), action, owner_manager_id=OUTSIDER, team=TEAM)
    assert str(refused.value) == message


def test_a_manager_editing_someone_elses_account_is_told_whose_it_is():
    with pytest.raises(NotAllowed) as refused:
        require(_actor("manager"), "edit_account", owner_manager_id=OUTSIDER, owner_name="Priya Shah")
    assert str(refused.value) == "You can edit only your own accounts; this one belongs to Priya Shah."


def test_a_director_outside_their_team_is_told_it_is_not_their_teams():
    message = refusal(_actor("director"), "reassign_accounts", owner_manager_id=OUTSIDER,
                      owner_name="Tom Lee")
    assert message == "You can reassign only your team's accounts; this one belongs to Tom Lee."


def test_a_manager_asking_for_someone_elses_pay_is_told_they_see_only_their_own():
    with pytest.raises(NotAllowed, match="You can see compensation only for yourself."):
        require(_actor("manager"), "read_compensation", owner_manager_id=OUTSIDER)


def test_a_manager_without_an_account_manager_row_owns_nothing_not_even_unowned_accounts():
    manager = _actor("manager", manager_id=None)
    assert not can(manager, "edit_account", owner_manager_id=None)
    assert not can(manager, "edit_account", owner_manager_id=ME)


def test_a_director_with_no_team_may_read_accounts_but_edit_none():
    director = _actor("director", manager_id=None)
    assert can(director, "read_accounts", owner_manager_id=OUTSIDER, team=frozenset())
    assert not can(director, "edit_account", owner_manager_id=OUTSIDER, team=frozenset())
    assert not can(director, "edit_targets", owner_manager_id=None, team=frozenset())


def test_a_director_without_a_team_passed_reaches_only_their_own_accounts():
    director = _actor("director")
    assert can(director, "edit_account", owner_manager_id=ME)
    assert not can(director, "edit_account", owner_manager_id=TEAMMATE)


def test_an_unknown_role_may_do_nothing_and_an_unknown_action_is_a_programming_error():
    stranger = _actor("intern")
    assert not any(can(stranger, a, owner_manager_id=ME) for a in ACTIONS)
    assert visible_pages(stranger) == set()
    with pytest.raises(ValueError, match="unknown action"):
        scope(_actor("admin"), "launch_rockets")


@pytest.mark.parametrize(("role", "pages"), [
    ("viewer", {"portfolio", "account", "performance", "review", "explore"}),
    ("manager", {"portfolio", "account", "performance", "review", "explore", "my_work",
                 "compensation", "targets"}),
    ("director", {"portfolio", "account", "my_work", "targets", "performance", "compensation",
                  "import", "review", "explore", "audit"}),
    ("admin", {"portfolio", "account", "my_work", "targets", "performance", "compensation",
               "import", "review", "explore", "audit", "users", "settings"}),
])
def test_each_role_sees_the_pages_it_may_open(role, pages):
    assert visible_pages(_actor(role)) == pages
