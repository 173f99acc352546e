"""The audit trail read back: order, filters, rendering, who may read what, paging, append-only."""
import re
from datetime import date, datetime, timedelta, timezone

import pytest

from lib import audit
from lib.accounts import EDITABLE, create_account, get_account, update_account
from lib.auth import create_user
from lib.errors import NotAllowed
from lib.models import AccountEdit, NewAccount
from lib.users import SYSTEM
from tests.builders import make_manager, make_user
from tests.conftest import ROOT

TODAY = datetime.now(timezone.utc).date()  # audit times are UTC


def _account(db, actor, name="Acme", **fields) -> int:
    return create_account(db, actor, NewAccount.parse(name=name, tier="standard", scope="regional",
                                                      **fields))


def _promote(db, actor, account_id: int, **changes) -> None:
    account = get_account(db, account_id)
    fields = {k: account[k] for k in EDITABLE}
    update_account(db, actor, account_id, account["version"],
                   AccountEdit.parse(**{**fields, "tier": "key", **changes}))


def _backdated_entry(db, when: datetime, entity_id: str) -> None:
    """An entry with a past time, as a history import would leave; the import is audited too."""
    def work(tx):
        tx.execute("INSERT INTO audit_log (changed_at, actor_id, action, entity, entity_id, changes) "
                   "VALUES (?, 0, 'update', 'account', ?, '{\"tier\": [\"key\", \"standard\"]}')",
                   [when, entity_id])
        tx.audit("import", "history", None, {"entries": 1})
    db.write(SYSTEM, work)


@pytest.fixture
def admin(db):
    return make_user(db, "admin", display_name="Ada Admin")


# ---- order and shape -------------------------------------------------------------------------
def test_entries_come_newest_first_with_the_person_and_the_record_named(db, admin):
    acme = _account(db, admin, "Acme")
    _promote(db, admin, acme)
    df = audit.entries(db, admin)
    assert list(df["id"]) == sorted(df["id"], reverse=True)
    assert list(df.columns) == audit.COLUMNS
    newest = df.iloc[0]
    assert (newest["person"], newest["action"], newest["entity"], newest["record"]) == \
        ("Ada Admin", "update", "account", "Acme")


def test_the_system_user_reads_as_account_desk_and_a_user_record_by_their_name(db, admin):
    df = audit.entries(db, admin, entities=("users",))
    assert set(df["person"]) == {"Account Desk (system)"}
    new_id = create_user(db, admin, "kim@example.com", "Kim Lee", "viewer", password="long enough password")
    row = audit.entries(db, admin, entities=("user",)).iloc[0]
    assert (row["entity_id"], row["record"]) == (str(new_id), "Kim Lee")


def test_a_change_reads_as_field_old_arrow_new_one_line_per_field(db, admin):
    acme = _account(db, admin, "Acme", industry="Retail")
    _promote(db, admin, acme, industry=None)
    lines = audit.entries(db, admin, entities=("account",)).iloc[0]["changes"].split("\n")
    assert sorted(lines) == ["industry: Retail → —", "tier: standard → key"]


@pytest.mark.parametrize("stored, shown", [
    ('{"accounts": 400, "seed": 42}', "accounts: 400\nseed: 42"),
    ('{"name": [null, "Café"]}', "name: — → Café"),
    ('{"active": [true, false]}', "active: yes → no"),
    ('{"outcome": "signed_in"}', "outcome: signed_in"),
    (None, ""),
])
def test_changes_and_bulk_summaries_render_as_readable_lines(stored, shown):
    assert audit.render_changes(stored) == shown


def test_only_entities_with_a_page_the_reader_may_open_get_a_link(db, admin):
    lead = make_manager(db)
    director = make_user(db, "director", manager_id=lead)
    _account(db, director, "Acme", owner_id=lead)
    create_user(db, admin, "kim@example.com", "Kim Lee", "viewer")
    by_admin = audit.entries(db, admin)
    assert by_admin.loc[by_admin["entity"] == "user", "link"].tolist() == ["/users"]
    account_id = by_admin.loc[by_admin["entity"] == "account", "entity_id"].iloc[0]
    assert by_admin.loc[by_admin["entity"] == "account", "link"].tolist() == [f"/account?account={account_id}"]
    # the users page is the admin's: a director reading the same log gets no link to it
    by_director = audit.entries(db, director)
    assert by_director.loc[by_director["entity"] == "user", "link"].isna().all()
    assert by_director.loc[by_director["entity"] == "account", "link"].notna().all()


# ---- filters ---------------------------------------------------------------------------------
def test_filtering_by_person_keeps_only_what_they_did(db, admin):
    other = make_user(db, "admin", display_name="Other Admin")
    _account(db, admin, "Mine")
    _account(db, other, "Theirs")
    df = audit.entries(db, admin, person_ids=(other.id,))
    assert set(df["person"]) == {"Other Admin"} and list(df["record"]) == ["Theirs"]
    assert audit.people(db, admin) == {0: "Account Desk (system)", admin.id: "Ada Admin",
                                       other.id: "Other Admin"}


def test_filtering_by_entity_keeps_only_that_kind_of_record(db, admin):
    _account(db, admin)
    assert set(audit.entries(db, admin, entities=("account",))["entity"]) == {"account"}
    assert audit.entity_kinds(db) == ["account", "users"]


def test_filtering_by_dates_includes_both_ends_and_excludes_the_rest(db, admin):
    _account(db, admin)
    _backdated_entry(db, datetime(2024, 3, 1, 23, 59), "old")
    spring = audit.entries(db, admin, since=date(2024, 3, 1), until=date(2024, 3, 1))
    assert list(spring["entity_id"]) == ["old"]
    assert "old" not in set(audit.entries(db, admin, since=TODAY)["entity_id"])
    assert audit.count(db, admin, until=TODAY - timedelta(days=1)) == 1
    assert audit.count(db, admin, since=TODAY + timedelta(days=1)) == 0


def test_text_search_finds_record_names_ids_and_changed_values(db, admin):
    acme = _account(db, admin, "Acme Café")
    _account(db, admin, "Globex")
    assert set(audit.entries(db, admin, text="café")["record"]) == {"Acme Café"}
    assert set(audit.entries(db, admin, text=str(acme), entities=("account",))["entity_id"]) >= {str(acme)}
    assert set(audit.entries(db, admin, text="regional")["record"]) == {"Acme Café", "Globex"}


@pytest.mark.parametrize("text", ["%", "_", "'", "50%_off 'D", "'; DROP TABLE audit_log; --"])
def test_text_with_sql_and_like_metacharacters_matches_them_literally(db, admin, text):
    _account(db, admin, "50%_off 'Deals'")
    _account(db, admin, "500 off Deals")  # would match 50%_off if % and _ were wildcards
    records = set(audit.entries(db, admin, text=text)["record"])
    assert records <= {"50%_off 'Deals'"}
    assert db.value("SELECT count(*) FROM audit_log") > 0


def test_the_filter_reads_as_a_sentence_with_names_not_ids(db, admin):
    said = audit.sentence({admin.id: "Ada Admin"}, person_ids=(admin.id,), entities=("account",),
                          since=date(2026, 1, 1), text="acme")
    assert said == ('person is Ada Admin and record type is account and date is at least '
                    '2026-01-01 and record or change contains "acme"')
    assert audit.sentence({}) == ""


# ---- who may read what -----------------------------------------------------------------------
def test_a_director_reads_their_teams_entries_and_their_own_but_no_one_elses(db):
    lead = make_manager(db, name="Dana Director")
    report = make_manager(db, name="Rita Report", reports_to=lead)
    deep = make_manager(db, name="Dee Deeper", reports_to=report)
    outsider = make_manager(db, name="Otto Outside")
    director = make_user(db, "director", display_name="Dana", manager_id=lead)
    rita = make_user(db, "manager", display_name="Rita", manager_id=report)
    dee = make_user(db, "manager", display_name="Dee", manager_id=deep)
    otto = make_user(db, "manager", display_name="Otto", manager_id=outsider)
    for who, name in ((director, "Own"), (rita, "Rita's"), (dee, "Dee's"), (otto, "Otto's")):
        _account(db, who, name, owner_id=who.manager_id)
    seen = audit.entries(db, director)
    assert set(seen["record"]) == {"Own", "Rita's", "Dee's"}
    assert set(seen["person"]) == {"Dana", "Rita", "Dee"}
    assert audit.count(db, director) == 3
    assert audit.entries(db, director, person_ids=(otto.id,)).empty
    assert set(audit.people(db, director).values()) == {"Dana", "Rita", "Dee"}


def test_a_director_with_no_reports_reads_only_their_own_entries(db):
    director = make_user(db, "director", display_name="Solo", manager_id=make_manager(db))
    _account(db, director, "Own", owner_id=director.manager_id)
    _account(db, make_user(db, "admin"), "Other")
    assert list(audit.entries(db, director)["record"]) == ["Own"]


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_managers_and_viewers_are_refused_the_audit_log(db, role):
    reader = make_user(db, role)
    for read in (audit.entries, audit.count, audit.people):
        with pytest.raises(NotAllowed, match="Only a director or an admin can read the audit log"):
            read(db, reader)


# ---- paging ----------------------------------------------------------------------------------
def test_limit_and_offset_page_through_every_entry_once_and_count_agrees(db, admin):
    for n in range(5):
        _account(db, admin, f"Account {n}")
    everything = list(audit.entries(db, admin)["id"])
    pages = [list(audit.entries(db, admin, limit=3, offset=o)["id"]) for o in (0, 3, 6, 9)]
    assert sum(pages, []) == everything
    assert audit.count(db, admin) == len(everything)
    assert audit.count(db, admin, entities=("account",)) == 5
    assert list(audit.entries(db, admin, entities=("account",), limit=2, offset=4)["record"]) == ["Account 0"]


# ---- append-only -----------------------------------------------------------------------------
AUDIT_REWRITE = re.compile(r"\b(UPDATE\s+audit_log\b|DELETE\s+FROM\s+audit_log\b|"
                           r"TRUNCATE\s+(TABLE\s+)?audit_log\b)", re.IGNORECASE)


def test_no_code_in_lib_or_pages_updates_or_deletes_audit_rows():
    offenders = [f"{path.relative_to(ROOT)}:{text[:m.start()].count(chr(10)) + 1}"
                 for folder in ("lib", "pages") for path in (ROOT / folder).rglob("*.py")
                 for text in [path.read_text()] for m in AUDIT_REWRITE.finditer(text)]
    assert offenders == []


def test_the_append_only_check_would_catch_a_rewrite():
    assert AUDIT_REWRITE.search('db.execute("delete  from Audit_Log where id = ?")')
    assert AUDIT_REWRITE.search("UPDATE audit_log SET actor_id = 1")
    assert not AUDIT_REWRITE.search("INSERT INTO audit_log (actor_id) VALUES (?)")


def test_the_audit_module_offers_no_way_to_write():
    public = [n for n in dir(audit) if not n.startswith("_") and callable(getattr(audit, n))]
    assert not [n for n in public if re.match(r"(add|record|write|update|delete|insert|set)", n)]
