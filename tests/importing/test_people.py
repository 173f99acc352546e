"""Account managers and interactions through the whole pipeline on a real DuckDB file."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from lib.errors import ValidationFailed
from lib.importing import apply_import, file_hash, preview_import, suggest_entity, undo_batch
from lib.users import SYSTEM
from tests.builders import add_interaction, make_account, make_manager
from tests.importing.pipeline_helpers import staged

MANAGERS = ["Name", "Email", "Title", "Level", "Reports To", "Hire Date", "Salary", "Currency",
            "Employee Id"]
INTERACTIONS = ["Account", "Manager", "Activity Type", "Date", "Subject", "Sentiment",
                "Next Step", "Due Date", "Severity"]


def _apply(db, s, data=b"file", **options):
    return apply_import(db, SYSTEM, s, file_name="file.csv", digest=file_hash(data),
                        allow_same_file=True, **options)


def _managers(db):
    return db.rows("SELECT m.name, m.email, m.role_title, m.level, b.name AS boss, m.hire_date, "
                   "m.base_salary, m.salary_currency, m.external_id FROM account_managers m "
                   "LEFT JOIN account_managers b ON b.id = m.reports_to ORDER BY m.name")


@pytest.mark.parametrize("headers, entity", [
    (["sales_agent", "manager", "regional_office"], "managers"),        # Maven CRM sales_teams
    (["Employee Id", "Full Name", "Job Title", "Start Date", "Base Salary"], "managers"),
    (["Account", "Activity Type", "Date", "Subject", "Notes"], "interactions"),
    (["Company", "Type", "When", "Outcome", "Next Step", "Due Date"], "interactions"),
])
def test_managers_and_interactions_are_recognised_from_their_headers(headers, entity):
    guess = suggest_entity(headers)
    assert guess.entity == entity, guess.scores


# Managers -----------------------------------------------------------------------------------

def test_a_new_team_imports_with_its_boss_from_the_same_file_and_reimport_changes_nothing(db):
    rows = [["Priya Shah", "Priya@Example.com", "Key Account Manager", "Sr", "E-1", "01/04/2021",
             "52,000", "gbp", "E-2"],
            ["Dan Lead", "", "Account Director", "principal", "", "", "", "", "E-1"],
            ["Sam Kid", "", "Junior AM", "jr", "dan lead", "", "", "", "E-3"]]
    s = staged("managers", MANAGERS, rows, date_order="dmy")
    preview = preview_import(db, s)
    assert preview.counts == {"create": 3, "update": 0, "unchanged": 0, "error": 0}
    first = _apply(db, s)
    assert first.created == 3
    assert _managers(db) == [
        ("Dan Lead", None, "Account Director", "lead", None, None, None, None, "E-1"),
        ("Priya Shah", "Priya@Example.com", "Key Account Manager", "senior", "Dan Lead",
         date(2021, 4, 1), Decimal("52000.00"), "GBP", "E-2"),
        ("Sam Kid", None, "Junior AM", "junior", "Dan Lead", None, None, None, "E-3")]
    again = _apply(db, staged("managers", MANAGERS, rows, date_order="dmy"), b"again")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_managers_are_found_by_external_id_then_email_then_name_and_changes_show_old_and_new(db):
    boss = make_manager(db, name="Eleanor Hayes", email="eleanor@example.com")
    by_id = make_manager(db, name="Old Name", external_id="E-7")
    by_mail = make_manager(db, name="Maya T", email="maya@example.com")
    by_name = make_manager(db, name="Zoe Quinn", role_title="Junior AM")
    rows = [["New Name", "", "", "", "", "", "", "", "E-7"],
            ["Maya Thompson", "MAYA@example.com", "", "", "eleanor@example.com", "", "", "", ""],
            ["zoe quinn", "", "Account Manager", "mid", "Eleanor Hayes", "", "", "", ""],
            ["Eleanor Hayes", "eleanor@other.example", "AM", "", "", "", "", "", ""]]
    preview = preview_import(db, staged("managers", MANAGERS, rows))
    assert preview.rows["action"].tolist() == ["update", "update", "update", "create"]
    table = preview.changes[["record", "field", "old", "new"]]
    changes = table.astype(object).where(table.notna(), None).values.tolist()
    assert ["New Name", "name", "Old Name", "New Name"] in changes
    assert ["Maya Thompson", "reports_to", None, "Eleanor Hayes"] in changes
    assert ["zoe quinn", "role_title", "Junior AM", "Account Manager"] in changes
    _apply(db, staged("managers", MANAGERS, rows))
    assert db.value("SELECT name FROM account_managers WHERE id = ?", [by_id]) == "New Name"
    assert db.value("SELECT reports_to FROM account_managers WHERE id = ?", [by_mail]) == boss
    assert db.value("SELECT level FROM account_managers WHERE id = ?", [by_name]) == "mid"
    assert db.value("SELECT count(*) FROM account_managers") == 5   # another email: another Eleanor


def test_manager_errors_name_their_row_column_value_and_reason(db):
    make_manager(db, name="Eleanor Hayes")
    rows = [["Ok Person", "", "AM", "", "Eleanor Hayes", "", "", "", ""],
            ["No Title", "", "", "", "", "", "", "", ""],
            ["Bad Mail", "not-mail", "AM", "", "", "", "", "", ""],
            ["Lost", "", "AM", "", "Ghost Boss", "", "", "", ""],
            ["Myself", "", "AM", "", "Myself", "", "", "", ""],
            ["Poor", "", "AM", "", "", "", "-5", "US", ""],
            ["Odd", "", "AM", "guru", "", "2500-01-01", "", "", ""]]
    preview = preview_import(db, staged("managers", MANAGERS, rows, first=5))
    got = preview.errors[["row", "column", "value", "reason"]].values.tolist()
    assert got == [
        [6, "Title", "", "is needed for a new manager: map a column or give a constant"],
        [7, "Email", "not-mail", "is not an email address"],
        [8, "Reports To", "Ghost Boss", "no active account manager has this name, email or "
                                        "external id, in the database or in this file"],
        [9, "Reports To", "Myself", "is the manager themself"],
        [10, "Salary", "-5", "is negative; a salary cannot be below zero"],
        [10, "Currency", "US", "is not a three-letter currency code such as GBP"],
        [11, "Hire Date", "2500-01-01", "is not a plausible date"],
        [11, "Level", "guru", "is not one of junior, mid, senior, lead."]]
    with pytest.raises(ValidationFailed):
        _apply(db, staged("managers", MANAGERS, rows, first=5))
    assert db.value("SELECT count(*) FROM account_managers") == 1


def test_a_report_whose_boss_row_is_not_imported_is_left_out_too_with_the_reason(db):
    rows = [["Boss", "bad-mail", "Director", "", "", "", "", "", "B"],
            ["Middle", "", "AM", "", "B", "", "", "", "M"],
            ["Bottom", "", "AM", "", "M", "", "", "", "T"],
            ["Free", "", "AM", "", "", "", "", "", "F"]]
    preview = preview_import(db, staged("managers", MANAGERS, rows))
    assert preview.errors[["row", "column", "reason"]].values.tolist() == [
        [2, "Email", "is not an email address"],
        [3, "Reports To", "names row 2 of this file, which is not imported because it has errors"],
        [4, "Reports To", "names row 3 of this file, which is not imported because it has errors"]]
    result = _apply(db, staged("managers", MANAGERS, rows), skip_bad_rows=True)
    assert (result.created, result.rejected) == (1, 3)
    assert [m[0] for m in _managers(db)] == ["Free"]


def test_undoing_a_managers_import_removes_the_new_team_and_restores_the_changed_manager(db):
    kept = make_manager(db, name="Maya T", email="maya@example.com", role_title="Junior AM")
    batch = _apply(db, staged("managers", MANAGERS, [
        ["Dan Lead", "", "Director", "", "", "", "", "", "D"],
        ["Maya Thompson", "maya@example.com", "Account Manager", "", "D", "", "", "", ""],
        ["Sam Kid", "", "AM", "", "Dan Lead", "", "", "", ""]]))
    assert (batch.created, batch.updated) == (2, 1)
    result = undo_batch(db, SYSTEM, batch.batch_id)
    assert (result.removed, result.restored) == (2, 1)
    assert db.rows("SELECT id, name, role_title, reports_to FROM account_managers") == [
        (kept, "Maya T", "Junior AM", None)]


def test_undoing_new_managers_is_refused_while_an_account_is_owned_by_one(db):
    batch = _apply(db, staged("managers", MANAGERS, [["Dan Lead", "", "AM", "", "", "", "", "", ""]]))
    make_account(db, name="Acme", owner_id=db.value("SELECT id FROM account_managers"))
    with pytest.raises(ValidationFailed, match="now used by accounts"):
        undo_batch(db, SYSTEM, batch.batch_id)
    assert db.value("SELECT count(*) FROM account_managers") == 1


# Interactions -------------------------------------------------------------------------------

def _interactions(db):
    return db.rows("SELECT account_id, manager_id, type, occurred_at, is_planned, subject, "
                   "sentiment, next_step, next_step_due, severity, escalation_status "
                   "FROM interactions ORDER BY occurred_at")


def test_interactions_import_with_type_words_normalised_and_the_owner_as_default_manager(db):
    owner = make_manager(db, name="Eleanor Hayes")
    priya = make_manager(db, name="Priya Shah", email="priya@example.com")
    acme = make_account(db, name="Acme Ltd", owner_id=owner)
    rows = [["Acme Ltd", "", " Phone Call ", "2026-01-05 10:30", "", "Good", "Send deck", "2026-01-12", ""],
            ["acme ltd", "PRIYA@example.com", "complaint", "2026-01-06", "Late delivery", "angry", "", "", "Urgent"],
            ["Acme Ltd", "Priya Shah", "Quarterly Business Review", "2099-03-01 09:00", "", "", "", "", ""]]
    preview = preview_import(db, staged("interactions", INTERACTIONS, rows))
    assert preview.counts == {"create": 3, "update": 0, "unchanged": 0, "error": 0}
    assert any("every row is created as a new record" in n for n in preview.notes)
    _apply(db, staged("interactions", INTERACTIONS, rows))
    assert _interactions(db) == [
        (acme, owner, "call", datetime(2026, 1, 5, 10, 30), False, "Call", "positive",
         "Send deck", date(2026, 1, 12), None, None),
        (acme, priya, "escalation", datetime(2026, 1, 6), False, "Late delivery",
         "very_negative", None, None, "critical", "open"),
        (acme, priya, "qbr", datetime(2099, 3, 1, 9), True, "QBR", None, None, None, None, None)]


def test_the_same_interactions_again_are_added_again_only_when_the_file_is_meant_twice(db):
    make_account(db, name="Acme", owner_id=make_manager(db))
    rows = [["Acme", "", "call", "2026-01-05", "", "", "", "", ""]]
    data = b"Account,...,call"
    apply_import(db, SYSTEM, staged("interactions", INTERACTIONS, rows), file_name="calls.csv",
                 digest=file_hash(data))
    again = preview_import(db, staged("interactions", INTERACTIONS, rows), digest=file_hash(data))
    assert again.rows["action"].tolist() == ["create"] and again.same_file["id"] == 1
    from lib.errors import UserError
    with pytest.raises(UserError, match="already imported as batch 1"):
        apply_import(db, SYSTEM, staged("interactions", INTERACTIONS, rows), file_name="calls.csv",
                     digest=file_hash(data))
    assert db.value("SELECT count(*) FROM interactions") == 1


def test_interaction_errors_name_their_row_column_value_and_reason(db):
    make_account(db, name="Acme", owner_id=make_manager(db))
    make_account(db, name="Orphan Co")
    rows = [["Acme", "", "call", "2026-01-05", "", "", "", "", ""],
            ["Nobody plc", "", "call", "2026-01-05", "", "", "", "", ""],
            ["Acme", "Ghost", "fax", "2026-01-05", "", "meh", "", "", ""],
            ["Orphan Co", "", "visit", "2026-01-05", "", "", "", "", ""],
            ["Acme", "", "escalation", "2026-01-05", "", "", "", "", ""],
            ["Acme", "", "call", "2026-01-05", "", "", "Call back", "2026-01-01", "high"],
            ["Acme", "", "call", "2026-01-05", "x" * 201, "", "", "2026-02-01", ""]]
    preview = preview_import(db, staged("interactions", INTERACTIONS, rows, first=3))
    got = preview.errors[["row", "column", "reason"]].values.tolist()
    assert got == [
        [4, "Account", "no account has this external id or name"],
        [5, "Manager", "no active account manager has this name, email or external id"],
        [5, "Sentiment", "is not one of very_negative, negative, neutral, positive, very_positive."],
        [5, "Activity Type", "is not one of call, meeting, visit, email, demo, qbr, escalation."],
        [6, "Manager", "is empty and the account has no owner to record the interaction under"],
        [7, "Severity", "is needed for an escalation: low, medium, high or critical"],
        [8, "Due Date", "is before the interaction itself"],
        [8, "Severity", "is only for escalations; this row is a call"],
        [9, "Next Step", "is empty but a due date is given; say what the next step is"],
        [9, "Subject", "is longer than 200 characters"]]
    assert preview.counts["create"] == 1


def test_undoing_an_interactions_import_removes_them_unless_one_was_edited_since(db):
    acme = make_account(db, name="Acme", owner_id=make_manager(db))
    earlier = add_interaction(db, acme, db.value("SELECT owner_id FROM accounts"), datetime(2025, 1, 1))
    rows = [["Acme", "", "call", "2026-01-05", "", "", "", "", ""],
            ["Acme", "", "visit", "2026-01-06", "", "", "", "", ""]]
    batch = _apply(db, staged("interactions", INTERACTIONS, rows))
    db.write(SYSTEM, lambda tx: (tx.execute("UPDATE interactions SET outcome = 'Signed', "
                                            "version = version + 1 WHERE type = 'visit'"),
                                 tx.audit("update", "interactions")))
    with pytest.raises(ValidationFailed, match="changed since"):
        undo_batch(db, SYSTEM, batch.batch_id)
    db.write(SYSTEM, lambda tx: (tx.execute("UPDATE interactions SET outcome = NULL, "
                                            "version = version - 1 WHERE type = 'visit'"),
                                 tx.audit("update", "interactions")))
    assert undo_batch(db, SYSTEM, batch.batch_id).removed == 2
    assert db.rows("SELECT id FROM interactions") == [(earlier,)]


def test_activity_types_written_as_several_words_take_the_one_type_their_words_name(db):
    make_account(db, name="Acme", owner_id=make_manager(db))
    types = ["Outbound Call", "MS Teams Meeting", "In-Person Meeting", "Sent E-mail", "Task",
             "Call or Visit"]
    rows = [["Acme", "", t, f"2026-01-0{i + 1}", "", "", "", "", ""] for i, t in enumerate(types)]
    preview = preview_import(db, staged("interactions", INTERACTIONS, rows))
    assert preview.errors[["row", "value"]].values.tolist() == [[6, "Task"], [7, "Call or Visit"]]
    _apply(db, staged("interactions", INTERACTIONS, rows), skip_bad_rows=True)
    assert [t for _, _, t, *_ in _interactions(db)] == ["call", "meeting", "meeting", "email"]


def test_a_changed_hire_date_shows_old_and_new_as_days_in_the_preview(db):
    make_manager(db, name="Priya Shah", email="priya@example.com")
    rows = [["Priya Shah", "priya@example.com", "", "", "", "2021-04-01", "", "", ""]]
    changes = preview_import(db, staged("managers", MANAGERS, rows)).changes
    assert changes[["field", "old", "new"]].values.tolist() == [["hire_date", None, "2021-04-01"]]
