"""Sign-in, lockouts, passwords, first start and user management on a real database.

Argon2 at 19 MiB costs ~70 ms a hash, so most users share one hash made once per run.
"""
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher

from lib import auth
from lib.auth import (DEMO_PASSWORD, SignInRefused, admin_from_environment, change_password,
                      create_first_admin, create_user, deactivate_user, hash_password,
                      idle_minutes_from_env, list_users, lock_ends, needs_setup, reactivate_user,
                      session_expired, set_demo_passwords, set_password, sign_in, sso_sign_in,
                      update_user, user_for_sso_email)
from lib.errors import NotAllowed, ValidationFailed, WriteConflict
from lib.migrate import open_database
from lib.permissions import team_of
from lib.users import SYSTEM
from tests.builders import make_manager, make_user

PASSWORD = "correct horse battery"
HASH = hash_password(PASSWORD)
NOW = datetime(2026, 3, 2, 9, 0)
GENERIC = "Email or password is wrong."


def _person(db, role="manager", email="priya@example.com", **overrides):
    return make_user(db, role=role, email=email, display_name=overrides.pop("display_name", "Priya Shah"),
                     password_hash=HASH, **overrides)


def _fail(db, email="priya@example.com", *, at=NOW, session="browser-1", password="not it at all"):
    with pytest.raises(SignInRefused) as refused:
        sign_in(db, email, password, session_key=session, now=at)
    return str(refused.value)


def _counts(db):
    return db.value("SELECT count(*) FROM users"), db.value("SELECT count(*) FROM audit_log")


# ---- hashing and signing in ------------------------------------------------------------------
def test_passwords_are_hashed_with_argon2id_at_19_mib_two_passes_one_lane():
    algorithm, version, params, _salt, _digest = HASH.split("$")[1:]
    assert (algorithm, version) == ("argon2id", "v=19")
    settings = dict(p.split("=") for p in params.split(","))
    assert int(settings["m"]) >= 19456 and settings["t"] == "2" and settings["p"] == "1"
    assert HASH != hash_password(PASSWORD), "every hash has its own salt"


def test_the_right_password_signs_the_user_in_and_the_attempt_is_recorded(db):
    priya = _person(db)
    actor = sign_in(db, "  Priya@Example.COM ", PASSWORD, session_key="browser-1", now=NOW)
    assert (actor.id, actor.name, actor.role) == (priya.id, "Priya Shah", "manager")
    row = db.record("SELECT email, success, outcome, user_id FROM login_attempts")
    assert row == {"email": "priya@example.com", "success": True, "outcome": "signed_in", "user_id": priya.id}
    audit = db.record("SELECT actor_id, action, entity, entity_id FROM audit_log WHERE action LIKE 'sign_in%'")
    assert audit == {"actor_id": priya.id, "action": "sign_in", "entity": "user",
                     "entity_id": str(priya.id)}   # the audit trail names who signed in


def test_a_wrong_password_and_an_unknown_email_get_the_same_sentence(db):
    _person(db)
    assert _fail(db, "priya@example.com") == GENERIC
    assert _fail(db, "nobody@example.com") == GENERIC
    assert db.value("SELECT list(action ORDER BY id) FROM audit_log WHERE action LIKE 'sign_in%'") == \
        ["sign_in_failed", "sign_in_failed"]


def test_an_empty_email_or_password_is_asked_for_without_counting_as_a_failure(db):
    with pytest.raises(SignInRefused, match="Enter your email and password."):
        sign_in(db, "priya@example.com", "", session_key="browser-1", now=NOW)
    assert db.value("SELECT count(*) FROM login_attempts") == 0


def test_five_failures_lock_the_account_and_even_the_right_password_is_refused(db):
    _person(db)
    for i in range(5):
        assert _fail(db, at=NOW + timedelta(seconds=i)) == GENERIC
    message = _fail(db, at=NOW + timedelta(seconds=10), password=PASSWORD)
    assert message == "Too many failed attempts for this account. Try again in 15 minutes."
    later = _fail(db, at=NOW + timedelta(minutes=3, seconds=30), password=PASSWORD)
    assert later.endswith("Try again in 12 minutes.")


def test_the_account_lock_lifts_fifteen_minutes_after_the_fifth_failure(db):
    priya = _person(db)
    for i in range(5):
        _fail(db, at=NOW + timedelta(minutes=i))
    assert "Too many" in _fail(db, at=NOW + timedelta(minutes=18), password=PASSWORD)
    actor = sign_in(db, "priya@example.com", PASSWORD, session_key="b", now=NOW + timedelta(minutes=19))
    assert actor.id == priya.id


def test_an_unknown_email_locks_out_like_a_real_one_so_the_lock_reveals_nothing(db):
    for i in range(5):
        _fail(db, "ghost@example.com", at=NOW + timedelta(seconds=i), session=f"s{i}")
    assert _fail(db, "ghost@example.com", at=NOW + timedelta(seconds=9)).startswith("Too many failed attempts")


def test_ten_failures_from_one_browser_lock_that_browser_but_not_another(db):
    _person(db)
    for i in range(10):  # two tries each on five emails: no single account reaches its limit
        _fail(db, f"guess{i % 5}@example.com", at=NOW + timedelta(seconds=i), session="attacker")
    message = _fail(db, at=NOW + timedelta(seconds=20), session="attacker", password=PASSWORD)
    assert message == "Too many failed sign-in attempts from this browser. Try again in 15 minutes."
    assert sign_in(db, "priya@example.com", PASSWORD, session_key="colleague", now=NOW + timedelta(seconds=21))


def test_a_deactivated_user_is_refused_with_the_same_sentence(db):
    admin = _person(db, role="admin", email="ada@example.com", display_name="Ada")
    priya = _person(db)
    deactivate_user(db, admin, priya.id)
    assert _fail(db, password=PASSWORD) == GENERIC
    assert db.value("SELECT outcome FROM login_attempts") == "inactive"


def test_the_lockout_survives_closing_and_reopening_the_database(tmp_path):
    path = tmp_path / "restart.duckdb"
    db = open_database(path)
    _person(db)
    for i in range(5):
        _fail(db, at=NOW + timedelta(seconds=i))
    db.close()
    reopened = open_database(path)
    try:
        assert "Too many failed attempts" in _fail(reopened, at=NOW + timedelta(minutes=1), password=PASSWORD)
    finally:
        reopened.close()


def test_a_password_hashed_with_old_parameters_is_rehashed_at_sign_in(db):
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    priya = _person(db)
    db.write(SYSTEM, lambda tx: (tx.execute("UPDATE users SET password_hash = ? WHERE id = ?", [weak, priya.id]),
                                 tx.audit("test", "user", priya.id)))
    sign_in(db, "priya@example.com", PASSWORD, session_key="b", now=NOW)
    stored = db.value("SELECT password_hash FROM users WHERE id = ?", [priya.id])
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_the_lock_window_counts_only_failures_within_fifteen_minutes_of_each_other():
    spread = [NOW + timedelta(minutes=4 * i) for i in range(5)]  # 16 minutes first to last
    assert lock_ends(spread, NOW + timedelta(minutes=17), limit=5) is None
    tight = [NOW + timedelta(minutes=i) for i in range(5)]
    assert lock_ends(tight, NOW + timedelta(minutes=5), limit=5) == NOW + timedelta(minutes=19)
    assert lock_ends(tight, NOW + timedelta(minutes=19), limit=5) is None


# ---- changing passwords ----------------------------------------------------------------------
def test_changing_your_password_makes_the_old_one_stop_working(db):
    priya = _person(db)
    change_password(db, priya, PASSWORD, "a brand new secret", now=NOW)
    assert _fail(db, password=PASSWORD) == GENERIC
    assert sign_in(db, "priya@example.com", "a brand new secret", session_key="b", now=NOW).id == priya.id


def test_a_wrong_current_password_or_a_weak_new_one_changes_nothing(db):
    priya = _person(db)
    with pytest.raises(ValidationFailed, match="Current password: is not right"):
        change_password(db, priya, "not my password", "a brand new secret", now=NOW)
    with pytest.raises(ValidationFailed) as weak:
        change_password(db, priya, PASSWORD, "aaaaaaaaaaaa", now=NOW)
    assert weak.value.problems == ["Password: must not be one character repeated"]
    assert db.value("SELECT password_hash FROM users WHERE id = ?", [priya.id]) == HASH


def test_an_admin_reset_replaces_the_password_and_a_manager_cannot_reset_one(db):
    admin = _person(db, role="admin", email="ada@example.com", display_name="Ada")
    priya = _person(db)
    with pytest.raises(NotAllowed, match="Only an admin can manage users."):
        set_password(db, priya, admin.id, "taking over now")
    set_password(db, admin, priya.id, "reset by the admin")
    assert _fail(db, password=PASSWORD) == GENERIC
    assert sign_in(db, "priya@example.com", "reset by the admin", session_key="b", now=NOW).id == priya.id


def test_password_rules_are_told_in_words(db):
    admin = _person(db, role="admin", email="ada@example.com")
    with pytest.raises(ValidationFailed) as short:
        create_user(db, admin, "tom@example.com", "Tom", "manager", password="short")
    assert short.value.problems == ["Password: use at least 10 characters"]
    with pytest.raises(ValidationFailed, match="Password: must not be your email address"):
        create_user(db, admin, "tom.lee@example.com", "Tom", "manager", password="Tom.Lee@example.com")


# ---- managing users --------------------------------------------------------------------------
def test_create_user_refuses_a_taken_email_whatever_its_case_and_writes_nothing(db):
    admin = _person(db, role="admin", email="ada@example.com", display_name="Ada")
    _person(db)
    before = _counts(db)
    with pytest.raises(ValidationFailed) as taken:
        create_user(db, admin, "PRIYA@example.com", "Another Priya", "manager")
    assert taken.value.problems == ["Email: priya@example.com is already used by Priya Shah"]
    assert _counts(db) == before


def test_create_user_refuses_a_bad_role_a_bad_email_and_an_unknown_manager(db):
    admin = _person(db, role="admin", email="ada@example.com")
    before = _counts(db)
    with pytest.raises(ValidationFailed) as bad:
        create_user(db, admin, "tom", "Tom", "boss")
    assert bad.value.problems == ["Email: 'tom' is not an email address (like name@example.com)",
                                  "Role: choose one of admin, director, manager or viewer"]
    with pytest.raises(ValidationFailed, match="Account manager: there is no active account manager with id 999"):
        create_user(db, admin, "tom@example.com", "Tom", "manager", manager_id=999)
    assert _counts(db) == before


def test_create_user_stores_a_lower_cased_email_and_links_the_account_manager(db):
    admin = _person(db, role="admin", email="ada@example.com")
    tom_row = make_manager(db, name="Tom Lee")
    user_id = create_user(db, admin, "Tom.Lee@Example.com", "Tom Lee", "manager", manager_id=tom_row)
    row = db.record("SELECT email, manager_id, password_hash, created_by FROM users WHERE id = ?", [user_id])
    assert row == {"email": "tom.lee@example.com", "manager_id": tom_row, "password_hash": None,
                   "created_by": admin.id}


def test_only_an_admin_can_create_users(db):
    manager = _person(db)
    with pytest.raises(NotAllowed, match="Only an admin can manage users."):
        create_user(db, manager, "tom@example.com", "Tom", "manager")


def test_the_last_active_admin_cannot_be_deactivated_or_demoted(db):
    ada = _person(db, role="admin", email="ada@example.com", display_name="Ada")
    with pytest.raises(NotAllowed, match="You cannot deactivate yourself"):
        deactivate_user(db, ada, ada.id)
    bob = _person(db, role="admin", email="bob@example.com", display_name="Bob")
    deactivate_user(db, ada, bob.id)
    reactivate_user(db, ada, bob.id)
    deactivate_user(db, bob, ada.id)
    with pytest.raises(NotAllowed, match="Bob is the last active admin"):
        update_user(db, SYSTEM, bob.id, 3, display_name="Bob", role="manager", manager_id=None)
    assert db.value("SELECT active FROM users WHERE id = ?", [bob.id]) is True


def test_the_second_admin_editing_the_same_user_gets_a_conflict_with_the_newer_values(db):
    ada = _person(db, role="admin", email="ada@example.com", display_name="Ada")
    priya = _person(db)
    assert update_user(db, ada, priya.id, 1, display_name="Priya S.", role="manager", manager_id=None) == 2
    with pytest.raises(WriteConflict) as conflict:
        update_user(db, SYSTEM, priya.id, 1, display_name="Priya Shah", role="director", manager_id=None)
    assert conflict.value.current["display_name"] == "Priya S."
    assert conflict.value.changed_by == "Ada"
    assert db.value("SELECT role FROM users WHERE id = ?", [priya.id]) == "manager"


def test_list_users_shows_who_has_a_password_and_when_they_last_signed_in(db):
    ada = _person(db, role="admin", email="ada@example.com", display_name="Ada",
                  manager_id=make_manager(db, name="Ada Row"))
    make_user(db, email="sso@example.com", display_name="Sso Only")
    sign_in(db, "ada@example.com", PASSWORD, session_key="b", now=NOW)
    users = list_users(db, ada).set_index("email")
    assert users.loc["ada@example.com", "manager"] == "Ada Row"
    assert users.loc["ada@example.com", "last_sign_in"] == NOW
    assert not users.loc["sso@example.com", "has_password"]
    assert 0 not in set(users["id"])


# ---- first start, environment, SSO, demo -----------------------------------------------------
def test_the_first_admin_can_be_set_up_once_and_then_setup_is_refused(db):
    assert needs_setup(db)
    admin = create_first_admin(db, "Owner@Example.com", "Olive Owner", "first start secret")
    assert admin.role == "admin" and not needs_setup(db)
    assert db.value("SELECT actor_id FROM audit_log WHERE entity = 'user' AND action = 'create'") == 0
    with pytest.raises(NotAllowed, match="already set up"):
        create_first_admin(db, "intruder@example.com", "Intruder", "taking it over")


def test_an_admin_without_a_password_still_leaves_setup_open(db):
    make_user(db, role="admin", email="fiona@example.com")
    assert needs_setup(db)


def test_the_environment_creates_the_first_admin_for_an_unattended_install(db):
    env = {"ACCOUNTDESK_ADMIN_EMAIL": "ops@example.com", "ACCOUNTDESK_ADMIN_PASSWORD": "unattended secret"}
    assert admin_from_environment(db, {}) is False
    assert admin_from_environment(db, env) is True
    assert admin_from_environment(db, env) is False
    assert db.record("SELECT display_name, role FROM users WHERE email = 'ops@example.com'") == \
        {"display_name": "Administrator", "role": "admin"}


def test_single_sign_on_finds_active_users_only_whatever_the_case(db):
    ada = _person(db, role="admin", email="ada@example.com", display_name="Ada")
    priya = _person(db)
    assert user_for_sso_email(db, " PRIYA@example.com").id == priya.id
    deactivate_user(db, ada, priya.id)
    assert user_for_sso_email(db, "priya@example.com") is None
    assert user_for_sso_email(db, "stranger@example.com") is None
    assert user_for_sso_email(db, "system@accountdesk.invalid") is None


def test_a_single_sign_on_is_recorded_as_the_persons_sign_in_and_a_refused_one_as_the_systems(db):
    ada = _person(db, role="admin", email="ada@example.com", display_name="Ada")
    priya = _person(db)
    assert sso_sign_in(db, " PRIYA@example.com", session_key="b", now=NOW).id == priya.id
    deactivate_user(db, ada, priya.id)
    assert sso_sign_in(db, "priya@example.com", session_key="b", now=NOW) is None
    assert sso_sign_in(db, "stranger@example.com", session_key="c", now=NOW) is None
    attempts = db.rows("SELECT email, outcome, success, user_id FROM login_attempts ORDER BY id")
    assert attempts == [("priya@example.com", "signed_in", True, priya.id),
                        ("priya@example.com", "inactive", False, priya.id),
                        ("stranger@example.com", "unknown_email", False, None)]
    audit = db.rows("SELECT actor_id, action, entity_id FROM audit_log WHERE action LIKE 'sign_in%' ORDER BY id")
    assert audit == [(priya.id, "sign_in", str(priya.id)), (SYSTEM.id, "sign_in_failed", str(priya.id)),
                     (SYSTEM.id, "sign_in_failed", None)]
    assert list_users(db, ada).set_index("email").loc["priya@example.com", "last_sign_in"] == NOW


def test_demo_users_get_the_demo_password_and_others_keep_theirs(db):
    demo = make_user(db, email="fiona.finch@demo.accountdesk.example", role="admin")
    _person(db)
    assert set_demo_passwords(db, SYSTEM) == 1
    assert sign_in(db, "fiona.finch@demo.accountdesk.example", DEMO_PASSWORD, session_key="b", now=NOW).id == demo.id
    assert db.value("SELECT password_hash FROM users WHERE email = 'priya@example.com'") == HASH


def test_audit_rows_never_hold_a_password_or_a_hash(db):
    admin = create_first_admin(db, "ada@example.com", "Ada", "first admin pw 1")
    user_id = create_user(db, admin, "tom@example.com", "Tom", "manager", password="toms secret 22")
    set_password(db, admin, user_id, "reset secret 333")
    tom = sign_in(db, "tom@example.com", "reset secret 333", session_key="b", now=NOW)
    change_password(db, tom, "reset secret 333", "changed secret 4444", now=NOW)
    _fail(db, "tom@example.com", password="typo secret 55555")
    audit = " ".join(str(r) for r in db.rows("SELECT * FROM audit_log"))
    for secret in ("first admin pw 1", "toms secret 22", "reset secret 333", "changed secret 4444",
                   "typo secret 55555", "$argon2"):
        assert secret not in audit
    assert '"password": ["(set)", "(changed)"]' in audit


# ---- roles from the reports-to tree ----------------------------------------------------------
def test_a_directors_team_is_everyone_below_them_in_the_reports_to_tree(db):
    director = make_manager(db, name="Dana")
    lead = make_manager(db, name="Lee", reports_to=director)
    am = make_manager(db, name="Ari", reports_to=lead)
    outsider = make_manager(db, name="Oz")
    assert team_of(db, director) == frozenset({director, lead, am})
    assert team_of(db, lead) == frozenset({lead, am})
    assert outsider not in team_of(db, director)
    assert team_of(db, None) == frozenset()


# ---- idle sessions ---------------------------------------------------------------------------
def test_a_session_expires_after_the_idle_minutes_and_not_before():
    assert not session_expired(NOW, NOW + timedelta(minutes=59, seconds=59), 60)
    assert session_expired(NOW, NOW + timedelta(minutes=60), 60)


@pytest.mark.parametrize(("value", "minutes"), [(None, 60), ("30", 30), (" 90 ", 90), ("ten", 60),
                                                 ("0", 60), ("-5", 60), ("1e9", 60), ("99999", 60)])
def test_the_idle_minutes_come_from_the_environment_with_bad_values_falling_back_to_60(value, minutes):
    env = {} if value is None else {auth.IDLE_ENV: value}
    assert idle_minutes_from_env(env) == minutes
