"""Account writes: audit, history of owner/tier/status, conflicts between two editors, archive
and restore, and the similar-name check a new account gets."""
import json
from datetime import date, datetime

import pytest

from lib.accounts import (NAME_PARAMS, archive_account, create_account, get_account,
                          normalised_name, normalised_sql, restore_account, similar_accounts,
                          update_account)
from lib.errors import NotAllowed, NotFound, ValidationFailed, WriteConflict
from lib.models import AccountEdit, NewAccount
from lib.permissions import VIEWERS_CANNOT
from lib.portfolio import PortfolioQuery
from lib.portfolio import page as portfolio_page
from lib.users import Actor
from tests.builders import make_account, make_manager, make_user


def _edit(account: dict, **changes) -> AccountEdit:
    fields = {k: account[k] for k in ("name", "tier", "scope", "industry", "region", "country",
                                     "owner_id", "parent_id", "status", "currency")}
    return AccountEdit.parse(**{**fields, **changes})


def test_creating_an_account_records_who_created_it(db):
    priya = make_user(db, "admin", display_name="Priya")
    account_id = create_account(db, priya, NewAccount.parse(name="Acme", tier="key", scope="global"))
    row = db.record("SELECT created_by, updated_by, version FROM accounts WHERE id = ?", [account_id])
    assert row == {"created_by": priya.id, "updated_by": priya.id, "version": 1}
    audit = db.record("SELECT actor_id, action, entity, entity_id FROM audit_log WHERE entity = 'account'")
    assert audit == {"actor_id": priya.id, "action": "create", "entity": "account", "entity_id": str(account_id)}


def test_an_owner_that_does_not_exist_is_refused_and_nothing_is_written(db):
    user = make_user(db, "admin")
    with pytest.raises(ValidationFailed, match="Owner: there is no active account manager with id 999"):
        create_account(db, user, NewAccount.parse(name="Acme", tier="key", scope="global", owner_id=999))
    assert db.value("SELECT count(*) FROM accounts") == 0


def test_promoting_an_account_and_changing_its_owner_keeps_both_in_history(db):
    alice, bob = make_manager(db, name="Alice"), make_manager(db, name="Bob")
    user = make_user(db, "admin")
    account_id = create_account(db, user, NewAccount.parse(name="Acme", tier="standard", scope="regional", owner_id=alice))
    account = get_account(db, account_id)
    new_version = update_account(db, user, account_id, 1, _edit(account, tier="key", owner_id=bob))
    assert new_version == 2
    history = db.rows("SELECT field, old_value, new_value, changed_by FROM account_history ORDER BY field")
    assert history == [("owner_id", str(alice), str(bob), user.id), ("tier", "standard", "key", user.id)]
    changes = db.value("SELECT changes FROM audit_log WHERE action = 'update'")
    assert '"tier": ["standard", "key"]' in changes


def test_the_second_editor_of_the_same_account_gets_a_conflict_with_the_newer_values(db):
    first = make_user(db, "admin", display_name="Priya")
    second = make_user(db, "admin", display_name="Tom")
    account_id = create_account(db, first, NewAccount.parse(name="Acme", tier="standard", scope="regional"))
    loaded = get_account(db, account_id)  # both open the same version
    update_account(db, first, account_id, 1, _edit(loaded, name="Acme Corp"))
    with pytest.raises(WriteConflict) as conflict:
        update_account(db, second, account_id, 1, _edit(loaded, industry="Energy"))
    assert conflict.value.current["name"] == "Acme Corp"
    assert conflict.value.changed_by == "Priya"
    row = db.record("SELECT name, industry, version FROM accounts WHERE id = ?", [account_id])
    assert row == {"name": "Acme Corp", "industry": None, "version": 2}


def test_a_viewer_cannot_create_accounts(db):
    viewer = make_user(db, role="viewer")
    with pytest.raises(NotAllowed):
        create_account(db, viewer, NewAccount.parse(name="Acme", tier="key", scope="global"))


def test_an_account_cannot_be_its_own_parent(db):
    user = make_user(db, "admin")
    account_id = create_account(db, user, NewAccount.parse(name="Acme", tier="key", scope="global"))
    with pytest.raises(ValidationFailed, match="its own parent"):
        update_account(db, user, account_id, 1, _edit(get_account(db, account_id), parent_id=account_id))


def test_a_manager_edits_their_own_account_but_not_a_colleagues(db):
    mine, theirs = make_manager(db, name="Maya"), make_manager(db, name="Oliver")
    maya = make_user(db, "manager", manager_id=mine)
    admin = make_user(db, "admin")
    own = create_account(db, maya, NewAccount.parse(name="Own", tier="key", scope="global", owner_id=mine))
    other = create_account(db, admin, NewAccount.parse(name="Other", tier="key", scope="global", owner_id=theirs))
    update_account(db, maya, own, 1, _edit(get_account(db, own), industry="Energy"))
    with pytest.raises(NotAllowed, match="only your own accounts; this one belongs to Oliver"):
        update_account(db, maya, other, 1, _edit(get_account(db, other), industry="Energy"))
    assert get_account(db, other)["industry"] is None


def test_a_manager_cannot_hand_an_account_to_someone_else_but_a_director_can_within_the_team(db):
    director_row = make_manager(db, name="Eleanor", role_title="Account Director")
    mine = make_manager(db, name="Maya", reports_to=director_row)
    other = make_manager(db, name="Oliver", reports_to=director_row)
    maya = make_user(db, "manager", manager_id=mine)
    eleanor = make_user(db, "director", manager_id=director_row)
    account_id = create_account(db, maya, NewAccount.parse(name="Own", tier="key", scope="global", owner_id=mine))
    with pytest.raises(NotAllowed, match="Only a director or an admin can reassign accounts"):
        update_account(db, maya, account_id, 1, _edit(get_account(db, account_id), owner_id=other))
    update_account(db, eleanor, account_id, 1, _edit(get_account(db, account_id), owner_id=other))
    assert get_account(db, account_id)["owner_id"] == other


# ---- archive and restore ---------------------------------------------------------------------
def _archive_state(db, account_id):
    return db.record("SELECT archived_at IS NOT NULL AS archived, archived_by, version, updated_by "
                     "FROM accounts WHERE id = ?", [account_id])


def _live_names(db):
    query = PortfolioQuery(today=date(2026, 6, 1))
    return set(portfolio_page(db, Actor(1, "Reader", "viewer"), query)["name"])


def _last_audit(db, entity_id):
    row = db.record("SELECT actor_id, action, entity, changes FROM audit_log WHERE entity_id = ? "
                    "ORDER BY id DESC LIMIT 1", [str(entity_id)])
    return {**row, "changes": json.loads(row["changes"]) if row["changes"] else None}


def test_archiving_an_account_hides_it_from_the_portfolio_and_records_who_did_it(db, team):
    account_id = make_account(db, name="Acme", owner_id=team["maya_row"])
    make_account(db, name="Beta", owner_id=team["maya_row"])
    assert archive_account(db, team["admin"], account_id, 1) == 2
    assert _archive_state(db, account_id) == {"archived": True, "archived_by": team["admin"].id,
                                              "version": 2, "updated_by": team["admin"].id}
    assert _live_names(db) == {"Beta"}
    audit = _last_audit(db, account_id)
    assert (audit["actor_id"], audit["action"], audit["entity"]) == (team["admin"].id, "archive", "account")
    assert audit["changes"]["archived_at"][0] is None and audit["changes"]["archived_at"][1]


def test_restoring_an_archived_account_brings_it_back_under_a_new_version(db, team):
    account_id = make_account(db, name="Acme", owner_id=team["maya_row"])
    archive_account(db, team["maya"], account_id, 1)
    assert restore_account(db, team["maya"], account_id, 2) == 3
    assert _archive_state(db, account_id) == {"archived": False, "archived_by": None,
                                              "version": 3, "updated_by": team["maya"].id}
    assert _live_names(db) == {"Acme"}
    audit = _last_audit(db, account_id)
    assert (audit["actor_id"], audit["action"]) == (team["maya"].id, "restore")
    assert audit["changes"]["archived_at"][1] is None


def test_an_archived_account_cannot_be_edited_until_it_is_restored(db, team):
    account_id = make_account(db, name="Acme", owner_id=team["maya_row"])
    archive_account(db, team["admin"], account_id, 1)
    with pytest.raises(NotAllowed, match="archived; restore it before editing"):
        update_account(db, team["admin"], account_id, 2, _edit(get_account(db, account_id), industry="Energy"))


def test_a_manager_archives_their_own_account_but_not_a_colleagues(db, team):
    own = make_account(db, name="Own", owner_id=team["maya_row"])
    other = make_account(db, name="Other", owner_id=team["oliver_row"])
    archive_account(db, team["maya"], own, 1)
    with pytest.raises(NotAllowed, match="only your own accounts; this one belongs to Oliver Bennett"):
        archive_account(db, team["maya"], other, 1)
    assert _archive_state(db, other)["archived"] is False


def test_a_director_archives_within_the_team_but_not_outside_it(db, team):
    inside = make_account(db, name="Inside", owner_id=team["oliver_row"])
    outside = make_account(db, name="Outside", owner_id=team["zoe_row"])
    archive_account(db, team["eleanor"], inside, 1)
    with pytest.raises(NotAllowed, match="only your team's accounts; this one belongs to Zoe Quinn"):
        archive_account(db, team["eleanor"], outside, 1)
    assert _archive_state(db, outside)["archived"] is False


def test_a_viewer_can_neither_archive_nor_restore(db, team):
    live = make_account(db, name="Live", owner_id=team["maya_row"])
    gone = make_account(db, name="Gone", owner_id=team["maya_row"], archived_at=datetime(2026, 1, 1))
    with pytest.raises(NotAllowed, match=VIEWERS_CANNOT):
        archive_account(db, team["viewer"], live, 1)
    with pytest.raises(NotAllowed, match=VIEWERS_CANNOT):
        restore_account(db, team["viewer"], gone, 1)
    assert (_archive_state(db, live)["archived"], _archive_state(db, gone)["archived"]) == (False, True)


def test_archiving_on_a_stale_version_is_a_conflict_that_names_who_changed_it(db, team):
    account_id = make_account(db, name="Acme", owner_id=team["maya_row"])
    loaded = get_account(db, account_id)
    update_account(db, team["maya"], account_id, 1, _edit(loaded, industry="Energy"))
    with pytest.raises(WriteConflict) as conflict:
        archive_account(db, team["admin"], account_id, 1)
    assert conflict.value.changed_by == "Maya Thompson"
    assert conflict.value.current["industry"] == "Energy"
    assert _archive_state(db, account_id)["archived"] is False


def test_an_account_with_live_subsidiaries_cannot_be_archived_until_they_are(db, team):
    admin = team["admin"]
    parent = make_account(db, name="Globex Group")
    first = make_account(db, name="Globex UK", parent_id=parent)
    make_account(db, name="Globex DE", parent_id=parent)
    make_account(db, name="Globex FR", parent_id=parent, archived_at=datetime(2026, 1, 1))
    with pytest.raises(ValidationFailed) as refused:
        archive_account(db, admin, parent, 1)
    assert refused.value.problems == ["Globex Group has 2 live subsidiaries; archive or move them first."]
    archive_account(db, admin, first, 1)
    with pytest.raises(ValidationFailed, match="has 1 live subsidiary; archive or move it first"):
        archive_account(db, admin, parent, 1)
    assert _archive_state(db, parent)["archived"] is False


def test_a_subsidiary_cannot_be_restored_while_its_parent_is_archived(db, team):
    admin = team["admin"]
    parent = make_account(db, name="Globex Group")
    child = make_account(db, name="Globex UK", parent_id=parent)
    archive_account(db, admin, child, 1)
    archive_account(db, admin, parent, 1)
    with pytest.raises(ValidationFailed, match="Globex UK belongs to Globex Group, which is archived"):
        restore_account(db, admin, child, 2)
    restore_account(db, admin, parent, 2)
    restore_account(db, admin, child, 2)
    assert _live_names(db) == {"Globex Group", "Globex UK"}


def test_archiving_twice_or_restoring_a_live_account_is_refused_in_words(db, team):
    account_id = make_account(db, name="Acme")
    with pytest.raises(ValidationFailed, match="Acme is already live, not archived; nothing to restore"):
        restore_account(db, team["admin"], account_id, 1)
    archive_account(db, team["admin"], account_id, 1)
    with pytest.raises(ValidationFailed, match="Acme is already archived; nothing to archive"):
        archive_account(db, team["admin"], account_id, 2)
    assert _archive_state(db, account_id)["version"] == 2


def test_archiving_or_restoring_an_unknown_account_is_not_found(db, team):
    with pytest.raises(NotFound, match="no account with id 404"):
        archive_account(db, team["admin"], 404, 1)
    with pytest.raises(NotFound, match="no account with id 404"):
        restore_account(db, team["admin"], 404, 1)


# ---- similar names ---------------------------------------------------------------------------
@pytest.mark.parametrize("name, expected", [
    ("Brightwater Logistics, Inc.", "brightwater logistics"),
    ("  BRIGHTWATER   logistics  LTD ", "brightwater logistics"),
    ("O'Neil & Sons Pvt. Ltd.", "oneil sons"),
    ("A.B.C. Co., Ltd.", "abc"),
    ("Société Générale S.A.", "societe generale"),
    ("Müller_Bau GmbH & Co. KG", "muller bau"),
    ("Tata Consultancy Private Limited", "tata consultancy"),
    ("Coca Co Bottling", "coca co bottling"),  # a suffix word only counts at the end
    ("Inc.", "inc"),  # the only word is kept, or every such name would look alike
    ("", ""),
    (None, ""),
])
def test_a_name_is_normalised_to_lower_case_words_without_punctuation_or_legal_suffixes(name, expected):
    assert normalised_name(name) == expected


@pytest.mark.parametrize("name", [
    "Brightwater Logistics, Inc.", "O'Neil & Sons Pvt. Ltd.", "Société Générale S.A.",
    "A.B.C. Co., Ltd.", "Müller_Bau GmbH & Co. KG", "İstanbul Gıda", "café—bar LLC",
    "北京 Trading Co", "Ørsted A/S", "  Inc. ", "Ltd Co", "3.5 Systems Corp.", "한국 전자",
])
def test_the_sql_normalisation_agrees_with_the_python_one(db, name):
    assert db.value(f"SELECT {normalised_sql('$name')}", {**NAME_PARAMS, "name": name}) == normalised_name(name)


@pytest.fixture
def names(db):
    oliver = make_manager(db, name="Oliver Bennett")
    return {
        "brightwater": make_account(db, name="Brightwater Logistics", country="US", owner_id=oliver),
        "old": make_account(db, name="Brightwater Logistics Ltd.", country="GB",
                            archived_at=datetime(2025, 1, 1)),
        "oxford": make_account(db, name="Oxford Instruments"),
        "star": make_account(db, name="Star Foods"),
    }


def test_a_name_differing_only_in_case_and_legal_suffix_finds_the_live_and_the_archived_account(db, names):
    found = similar_accounts(db, "brightwater logistics inc")
    assert found == [
        {"id": names["brightwater"], "name": "Brightwater Logistics", "country": "US",
         "owner": "Oliver Bennett", "archived": False},
        {"id": names["old"], "name": "Brightwater Logistics Ltd.", "country": "GB", "owner": None,
         "archived": True},
    ]


def test_a_near_miss_spelling_is_similar(db, names):
    assert [a["id"] for a in similar_accounts(db, "Brightwater Logistic")] == [names["brightwater"], names["old"]]
    assert [a["id"] for a in similar_accounts(db, "Brigthwater Logistics")] == [names["brightwater"], names["old"]]


def test_a_name_contained_in_another_as_whole_words_is_similar(db, names):
    assert {a["id"] for a in similar_accounts(db, "Brightwater")} == {names["brightwater"], names["old"]}
    assert [a["name"] for a in similar_accounts(db, "Star Foods Group Holdings")] == ["Star Foods"]


def test_a_different_company_sharing_a_word_or_a_few_letters_is_not_similar(db, names):
    # "Star Foods" is found, as it is contained; Brightwater Logistics is not
    assert [a["name"] for a in similar_accounts(db, "Bright Star Foods")] == ["Star Foods"]
    assert similar_accounts(db, "Ford") == []  # inside "Oxford", but not as a word


def test_exact_matches_come_first_and_the_limit_and_exclusion_are_kept(db, names):
    exact = make_account(db, name="BRIGHTWATER LOGISTIC")
    found = similar_accounts(db, "Brightwater Logistic")
    assert found[0]["id"] == exact
    assert len(similar_accounts(db, "Brightwater Logistic", limit=1)) == 1
    assert exact not in [a["id"] for a in similar_accounts(db, "Brightwater Logistic", exclude_id=exact)]


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_a_blank_name_has_no_similar_accounts(db, names, blank):
    assert similar_accounts(db, blank) == []
