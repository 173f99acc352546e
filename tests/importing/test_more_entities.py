"""Contacts, account targets and budgets through the whole pipeline on a real DuckDB file."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lib.errors import ValidationFailed
from lib.importing import apply_import, file_hash, preview_import, suggest_entity, undo_batch
from lib.users import SYSTEM
from tests.builders import _insert, add_account_target, make_account, make_user
from tests.importing.pipeline_helpers import staged

CONTACTS = ["Account", "Contact Name", "Job Title", "Email", "Phone", "Role"]
TARGETS = ["Customer", "Month", "Target"]
BUDGETS = ["Account", "Category", "Month", "Budget", "Spend"]


def _apply(db, s, data=b"file", **options):
    return apply_import(db, SYSTEM, s, file_name="file.csv", digest=file_hash(data),
                        allow_same_file=True, **options)


def _contacts(db):
    return db.rows("SELECT account_id, name, title, email, phone, role FROM contacts ORDER BY name")


def _add_contact(db, account_id, name, email=None, role="user"):
    return _insert(db, "contacts", {"account_id": account_id, "name": name, "email": email,
                                    "role": role, "created_by": 0, "updated_by": 0})


@pytest.mark.parametrize("headers, entity", [
    (CONTACTS, "contacts"),
    (["Company", "Full Name", "E-mail", "Telephone", "Position"], "contacts"),
    (TARGETS, "account_targets"),
    (["Account", "Period", "Quota", "Currency"], "account_targets"),
    (BUDGETS, "budgets"),
    (["Customer", "Budget Category", "Period", "Actuals"], "budgets"),
    (["Customer", "Month", "Sales"], "revenue"),
])
def test_the_new_entities_are_recognised_from_their_headers(headers, entity):
    guess = suggest_entity(headers)
    assert guess.entity == entity, guess.scores
    assert "missing" not in guess.reason


# Contacts -----------------------------------------------------------------------------------

def test_contacts_import_with_role_synonyms_and_reimport_updates_instead_of_duplicating(db):
    acme = make_account(db, name="Acme Ltd", external_id="A-1")
    rows = [["A-1", "Jane Doe", "CFO", "Jane@Acme.example", "+44 1", "Economic buyer"],
            ["Acme Ltd", "Raj Patel", "", "", "", "IT"],
            ["Acme Ltd", "Li Wei", "Buyer", "li@acme.example", "", ""]]
    first = _apply(db, staged("contacts", CONTACTS, rows))
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    assert _contacts(db) == [
        (acme, "Jane Doe", "CFO", "Jane@Acme.example", "+44 1", "decision_maker"),
        (acme, "Li Wei", "Buyer", "li@acme.example", None, "user"),   # no role: a user
        (acme, "Raj Patel", None, None, None, "technical")]
    again = [["A-1", "Jane D.", "CFO", "jane@acme.example", "+44 1", "decision maker"],   # by email
             ["acme ltd", "RAJ PATEL", "CTO", "raj@acme.example", "", "technical"],     # by name
             ["Acme Ltd", "Li Wei", "Buyer", "li@acme.example", "", ""]]
    preview = preview_import(db, staged("contacts", CONTACTS, again))
    assert preview.rows["action"].tolist() == ["update", "update", "unchanged"]
    _apply(db, staged("contacts", CONTACTS, again), b"again")
    assert db.value("SELECT count(*) FROM contacts") == 3
    assert [c for c in _contacts(db) if c[1] != "Li Wei"] == [
        (acme, "Jane D.", "CFO", "jane@acme.example", "+44 1", "decision_maker"),
        (acme, "RAJ PATEL", "CTO", "raj@acme.example", None, "technical")]


def test_a_contact_with_another_email_is_another_person(db):
    acme = make_account(db, name="Acme")
    _add_contact(db, acme, "Sam Lee", "sam@one.example")
    preview = preview_import(db, staged("contacts", CONTACTS,
                                        [["Acme", "Sam Lee", "", "sam@two.example", "", ""]]))
    assert preview.rows["action"].tolist() == ["create"]


def test_contact_errors_keep_their_original_row_numbers(db):
    make_account(db, name="Acme")
    rows = [["Acme", "Ok Person", "", "ok@acme.example", "", "finance"],
            ["Nobody plc", "Lost Person", "", "", "", "user"],
            ["Acme", "Bad Mail", "", "not-an-email", "", "user"],
            ["Acme", "Odd Role", "", "", "", "janitor"]]
    preview = preview_import(db, staged("contacts", CONTACTS, rows, first=4))
    errors = preview.errors[["row", "column", "value"]].values.tolist()
    assert errors == [[5, "Account", "Nobody plc"], [6, "Email", "not-an-email"],
                      [7, "Role", "janitor"]]
    assert preview.errors["reason"].iloc[0] == "no account has this external id or name"
    assert preview.counts == {"create": 1, "update": 0, "unchanged": 0, "error": 3}
    with pytest.raises(ValidationFailed):
        _apply(db, staged("contacts", CONTACTS, rows, first=4))
    assert db.value("SELECT count(*) FROM contacts") == 0


def test_undoing_a_contacts_import_removes_created_and_restores_updated(db):
    acme = make_account(db, name="Acme")
    kept = _add_contact(db, acme, "Ann Old", "ann@acme.example", role="influencer")
    batch = _apply(db, staged("contacts", CONTACTS, [
        ["Acme", "Ann New", "COO", "ann@acme.example", "", "decision maker"],
        ["Acme", "Bob", "", "", "", "user"]]))
    assert (batch.created, batch.updated) == (1, 1)
    result = undo_batch(db, SYSTEM, batch.batch_id)
    assert (result.removed, result.restored) == (1, 1)
    assert db.rows("SELECT id, name, title, role FROM contacts") == [(kept, "Ann Old", None, "influencer")]


# Account targets ----------------------------------------------------------------------------

def _targets(db):
    return db.rows("SELECT account_id, month, amount, currency FROM account_targets ORDER BY 1, 2")


def _changes(db):
    return db.rows("SELECT level, subject_id, month, old_amount, new_amount, reason "
                   "FROM target_changes ORDER BY month, id")


def test_targets_import_records_their_history_and_reimport_updates_or_leaves_unchanged(db):
    acme = make_account(db, name="Acme", currency="GBP")
    add_account_target(db, acme, date(2026, 1, 1), 100, "GBP")
    s = staged("account_targets", TARGETS, [["Acme", "2026-01", "150"], ["Acme", "Feb-26", "90"]])
    first = _apply(db, s)
    assert (first.created, first.updated) == (1, 1)
    assert _targets(db) == [(acme, date(2026, 1, 1), Decimal("150.00"), "GBP"),
                            (acme, date(2026, 2, 1), Decimal("90.00"), "GBP")]
    reason = f"import batch {first.batch_id}"
    assert _changes(db) == [
        ("account", acme, date(2026, 1, 1), Decimal("100.00"), Decimal("150.00"), reason),
        ("account", acme, date(2026, 2, 1), None, Decimal("90.00"), reason)]
    again = _apply(db, s, b"again")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert len(_changes(db)) == 2 and len(_targets(db)) == 2


def _director_with_acme_in_her_team_and_zenith_outside(db):
    from tests.builders import make_manager
    lead = make_manager(db, name="Eleanor Hayes")
    mine = make_manager(db, name="Maya Thompson", reports_to=lead)
    other = make_manager(db, name="Zoe Quinn")
    make_account(db, name="Acme", owner_id=mine)
    make_account(db, name="Zenith", owner_id=other)
    return make_user(db, "director", display_name="Eleanor Hayes", manager_id=lead)


def test_a_director_cannot_import_targets_for_an_account_outside_their_team(db):
    from lib.errors import NotAllowed
    director = _director_with_acme_in_her_team_and_zenith_outside(db)
    inside = staged("account_targets", TARGETS, [["Acme", "2026-01", "150"]])
    assert apply_import(db, director, inside, file_name="mine.csv", digest=file_hash(b"mine")).created == 1
    both = staged("account_targets", TARGETS, [["Acme", "2026-02", "150"], ["Zenith", "2026-02", "90"]])
    with pytest.raises(NotAllowed, match="Zenith: You can change targets only for your team; "
                                         "this one belongs to Zoe Quinn"):
        apply_import(db, director, both, file_name="both.csv", digest=file_hash(b"both"))
    assert db.value("SELECT count(*) FROM account_targets") == 1
    assert db.value("SELECT count(*) FROM import_batches") == 1


def test_a_locked_month_is_a_row_error_unless_the_target_stays_the_same(db):
    acme = make_account(db, name="Acme")
    add_account_target(db, acme, date(2026, 1, 1), 100)
    locker = make_user(db, "director", display_name="Eleanor Hayes")
    _insert(db, "period_locks", {"month": date(2026, 1, 1), "locked_by": locker.id})
    _insert(db, "period_locks", {"month": date(2026, 3, 1), "locked_by": locker.id})
    rows = [["Acme", "2026-01", "120"], ["Acme", "2026-02", "50"], ["Acme", "2026-03", "10"],
            ["Nobody", "2026-02", "5"]]
    preview = preview_import(db, staged("account_targets", TARGETS, rows, first=3))
    assert preview.errors[["row", "column"]].values.tolist() == [
        [3, "Month"], [5, "Month"], [6, "Customer"]]
    assert "locked (Eleanor Hayes on" in preview.errors["reason"].iloc[0]
    same = preview_import(db, staged("account_targets", TARGETS, [["Acme", "2026-01", "100"]]))
    assert same.rows["action"].tolist() == ["unchanged"]
    result = _apply(db, staged("account_targets", TARGETS, rows, first=3), skip_bad_rows=True)
    assert (result.created, result.rejected) == (1, 3)
    assert _targets(db)[0][2] == Decimal("100.00")


def test_a_negative_target_is_refused(db):
    make_account(db, name="Acme")
    preview = preview_import(db, staged("account_targets", TARGETS, [["Acme", "2026-01", "-5"]]))
    assert preview.errors["reason"].tolist() == ["is negative; a target cannot be below zero"]


def test_undoing_a_targets_import_restores_and_records_the_change(db):
    acme = make_account(db, name="Acme")
    add_account_target(db, acme, date(2026, 1, 1), 100)
    batch = _apply(db, staged("account_targets", TARGETS,
                              [["Acme", "2026-01", "150"], ["Acme", "2026-02", "90"]]))
    result = undo_batch(db, SYSTEM, batch.batch_id)
    assert (result.removed, result.restored) == (1, 1)
    assert _targets(db) == [(acme, date(2026, 1, 1), Decimal("100.00"), "USD")]
    undo = f"undo of import batch {batch.batch_id}"
    assert sorted(c[2:] for c in _changes(db) if c[5] == undo) == [
        (date(2026, 1, 1), Decimal("150.00"), Decimal("100.00"), undo),
        (date(2026, 2, 1), Decimal("90.00"), None, undo)]


def test_undoing_targets_in_a_month_locked_since_is_refused(db):
    make_account(db, name="Acme")
    batch = _apply(db, staged("account_targets", TARGETS, [["Acme", "2026-01", "150"]]))
    _insert(db, "period_locks", {"month": date(2026, 1, 1), "locked_by": 0})
    with pytest.raises(ValidationFailed, match="locked months"):
        undo_batch(db, SYSTEM, batch.batch_id)
    assert len(_targets(db)) == 1


# Budgets ------------------------------------------------------------------------------------

def _budgets(db):
    return db.rows("SELECT account_id, category, month, budget, spend, currency FROM budgets "
                   "ORDER BY 1, 2, 3")


def test_budgets_import_match_category_without_case_and_reimport_updates(db):
    acme = make_account(db, name="Acme", currency="EUR")
    _insert(db, "budgets", {"account_id": acme, "category": "marketing", "month": date(2026, 1, 1),
                            "budget": Decimal("500"), "spend": Decimal("0"), "currency": "EUR",
                            "created_by": 0, "updated_by": 0})
    rows = [["Acme", " MARKETING ", "2026-01", "", "450"],   # spend only: budget kept
            ["Acme", "Travel", "2026-01", "200", ""]]       # new: spend 0
    first = _apply(db, staged("budgets", BUDGETS, rows))
    assert (first.created, first.updated) == (1, 1)
    assert _budgets(db) == [
        (acme, "marketing", date(2026, 1, 1), Decimal("500.00"), Decimal("450.00"), "EUR"),
        (acme, "travel", date(2026, 1, 1), Decimal("200.00"), Decimal("0.00"), "EUR")]
    again = _apply(db, staged("budgets", BUDGETS, rows), b"again")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    undo_batch(db, SYSTEM, again.batch_id)   # nothing written, nothing to undo
    result = undo_batch(db, SYSTEM, first.batch_id)
    assert (result.removed, result.restored) == (1, 1)
    assert _budgets(db) == [
        (acme, "marketing", date(2026, 1, 1), Decimal("500.00"), Decimal("0.00"), "EUR")]


def test_budget_errors_keep_their_original_row_numbers(db):
    make_account(db, name="Acme")
    rows = [["Acme", "Events", "2026-01", "10", "1"], ["Ghost Co", "Events", "2026-01", "1", "1"],
            ["Acme", "Events", "2026-02", "", ""], ["Acme", "events", "2026-01", "3", "3"],
            ["Acme", "Events", "2026-03", "-1", ""], ["Acme", "Events", "2026-04", "lots", ""]]
    preview = preview_import(db, staged("budgets", BUDGETS, rows, first=10))
    assert preview.errors[["row", "column"]].values.tolist() == [
        [11, "Account"], [12, "Budget"], [13, "Category"], [14, "Budget"], [15, "Budget"]]
    assert "same record as row 10" in preview.errors["reason"].iloc[2]
    assert preview.counts["create"] == 1


def test_budget_and_spend_written_in_the_accounts_currency_import_and_in_another_are_refused(db):
    acme = make_account(db, name="Acme", currency="EUR")
    rows = [["Acme", "Events", "2026-01", "€1.000,00", "€250,00"],
            ["Acme", "Travel", "2026-01", "€300,00", "£40,00"]]
    preview = preview_import(db, staged("budgets", BUDGETS, rows))
    assert preview.errors[["row", "column", "value"]].values.tolist() == [[3, "Spend", "£40,00"]]
    result = _apply(db, staged("budgets", BUDGETS, rows), skip_bad_rows=True)
    assert (result.created, result.rejected) == (1, 1)
    assert _budgets(db) == [
        (acme, "events", date(2026, 1, 1), Decimal("1000.00"), Decimal("250.00"), "EUR")]


def test_a_wide_budget_sheet_maps_its_months_to_budgets_by_itself(db):
    from lib.importing import read_upload, stage, suggest_mapping
    acme = make_account(db, name="Acme", currency="EUR")
    sheet = read_upload(b"Account,Category,Jan-26,Feb-26,Mar-26\nAcme,Events,100,200,\n",
                        "budget plan.csv").importable_sheets[0]
    mapping = suggest_mapping(sheet.header, "budgets")
    assert mapping["value"] == "budget" and "spend" not in mapping.values()
    result = _apply(db, stage(sheet.rows, "budgets", mapping, wide=sheet.wide))
    assert result.created == 2
    assert _budgets(db) == [
        (acme, "events", date(2026, 1, 1), Decimal("100.00"), Decimal("0.00"), "EUR"),
        (acme, "events", date(2026, 2, 1), Decimal("200.00"), Decimal("0.00"), "EUR")]


def test_undoing_created_contacts_is_refused_while_an_interaction_names_them(db):
    from datetime import datetime

    from tests.builders import add_interaction, make_manager
    acme = make_account(db, name="Acme")
    batch = _apply(db, staged("contacts", CONTACTS, [["Acme", "Bob", "", "", "", "user"]]))
    meeting = add_interaction(db, acme, make_manager(db), datetime(2026, 1, 5, 10))
    _insert(db, "interaction_contacts", {"interaction_id": meeting,
                                         "contact_id": db.value("SELECT id FROM contacts")})
    with pytest.raises(ValidationFailed, match="now used by interaction_contacts"):
        undo_batch(db, SYSTEM, batch.batch_id)


def test_a_director_cannot_import_interactions_for_an_account_outside_their_team(db):
    from lib.errors import NotAllowed
    director = _director_with_acme_in_her_team_and_zenith_outside(db)
    header = ["Account", "Type", "Date"]
    inside = staged("interactions", header, [["Acme", "call", "2026-01-05"]])
    assert apply_import(db, director, inside, file_name="mine.csv", digest=file_hash(b"mine")).created == 1
    both = staged("interactions", header, [["Acme", "visit", "2026-01-06"],
                                           ["Zenith", "call", "2026-01-07"]])
    with pytest.raises(NotAllowed, match="Zenith: You can record interactions only on your team's "
                                         "accounts; this one belongs to Zoe Quinn"):
        apply_import(db, director, both, file_name="both.csv", digest=file_hash(b"both"))
    assert db.value("SELECT count(*) FROM interactions") == 1
    assert db.value("SELECT count(*) FROM import_batches") == 1


@pytest.mark.parametrize("entity", ["accounts", "managers", "contacts", "revenue"])
def test_a_file_with_no_column_the_entity_knows_is_previewed_as_errors_not_a_crash(db, entity):
    s = staged(entity, ["Widget", "Colour"], [["a", "red"], ["b", "blue"]])
    preview = preview_import(db, s)
    assert preview.counts["error"] == 2 and preview.changes.empty
    assert any("is required but no column is mapped" in n for n in preview.notes)
