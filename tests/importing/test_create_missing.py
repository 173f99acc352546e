"""Unknown accounts and managers created on request, in the import's transaction and batch."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from lib.errors import ValidationFailed
from lib.importing import (apply_import, file_hash, preview_import, read_upload, stage,
                           suggest_mapping, undo_batch)
from lib.users import SYSTEM
from tests.builders import make_account, make_manager
from tests.importing.pipeline_helpers import staged

REVENUE = ["Customer", "Month", "Sales", "Currency"]


def _apply(db, s, data=b"file", **options):
    return apply_import(db, SYSTEM, s, file_name="file.csv", digest=file_hash(data),
                        allow_same_file=True, create_missing=True, **options)


def test_unknown_accounts_are_listed_in_the_preview_then_created_with_the_rows_currency(db):
    acme = make_account(db, name="Acme")
    rows = [["Acme", "2026-01", "10", "USD"], ["Nova Foods", "2026-01", "20", "EUR"],
            ["nova foods", "2026-02", "30", "EUR"], ["Zeta AG", "2026-01", "5", "INR"]]
    strict = preview_import(db, staged("revenue", REVENUE, rows))
    assert strict.counts["error"] == 3 and strict.will_create == {}
    preview = preview_import(db, staged("revenue", REVENUE, rows), create_missing=True)
    assert preview.counts == {"create": 4, "update": 0, "unchanged": 0, "error": 0}
    assert preview.will_create == {"accounts": ["Nova Foods", "Zeta AG"]}
    assert preview.notes[0] == "Will be created: 2 accounts: Nova Foods, Zeta AG."
    result = _apply(db, staged("revenue", REVENUE, rows))
    assert result.created == 4
    assert db.rows("SELECT name, currency, tier, status FROM accounts WHERE id <> ? ORDER BY name",
                   [acme]) == [("Nova Foods", "EUR", "standard", "active"),
                               ("Zeta AG", "INR", "standard", "active")]
    assert db.rows("SELECT a.name, sum(r.amount) FROM revenue r JOIN accounts a ON a.id = r.account_id "
                   "GROUP BY 1 ORDER BY 1") == [("Acme", Decimal("10.00")),
                                                ("Nova Foods", Decimal("50.00")),
                                                ("Zeta AG", Decimal("5.00"))]
    audit = db.rows("SELECT changes FROM audit_log WHERE action = 'create' AND entity = 'accounts' "
                    "AND batch_id = ?", [result.batch_id])
    assert json.loads(audit[0][0])["created_for_import"] == ["Nova Foods", "Zeta AG"]


def test_undo_removes_the_rows_and_the_accounts_created_for_them(db):
    acme = make_account(db, name="Acme")
    result = _apply(db, staged("revenue", REVENUE, [["Nova", "2026-01", "20", "EUR"],
                                                    ["Acme", "2026-01", "1", "USD"]]))
    undone = undo_batch(db, SYSTEM, result.batch_id)
    assert undone.removed == 2
    assert db.rows("SELECT id FROM accounts") == [(acme,)]
    assert db.value("SELECT count(*) FROM revenue") == 0
    assert db.value("SELECT count(*) FROM audit_log WHERE action = 'delete' AND entity = 'accounts' "
                    "AND batch_id = ?", [result.batch_id]) == 1


def test_undo_is_refused_when_an_account_it_created_was_edited_since(db):
    result = _apply(db, staged("revenue", REVENUE, [["Nova", "2026-01", "20", "EUR"]], first=9))
    db.write(SYSTEM, lambda tx: (tx.execute("UPDATE accounts SET tier = 'key', version = version + 1"),
                                 tx.audit("update", "accounts")))
    with pytest.raises(ValidationFailed, match="row 9") as refused:
        undo_batch(db, SYSTEM, result.batch_id)
    assert "changed since" in str(refused.value)
    assert db.value("SELECT count(*) FROM revenue") == 1


def test_a_new_account_used_only_by_a_bad_row_is_not_created(db):
    rows = [["Nova", "2026-01", "20", "EUR"], ["Ghost", "2026-01", "lots", "EUR"]]
    preview = preview_import(db, staged("revenue", REVENUE, rows), create_missing=True)
    assert preview.will_create == {"accounts": ["Nova"]} and preview.counts["error"] == 1
    _apply(db, staged("revenue", REVENUE, rows), skip_bad_rows=True)
    assert db.rows("SELECT name FROM accounts") == [("Nova",)]


def test_contacts_create_their_account_in_the_reporting_currency(db):
    header = ["Account", "Contact Name", "Email"]
    _apply(db, staged("contacts", header, [["Nova", "Jane", "jane@nova.example"]]))
    assert db.rows("SELECT a.name, a.currency, c.name FROM contacts c "
                   "JOIN accounts a ON a.id = c.account_id") == [("Nova", "USD", "Jane")]


def test_an_accounts_file_naming_an_unknown_owner_creates_the_manager(db):
    header = ["Account Name", "Owner", "Currency"]
    rows = [["Acme", "Dan Lead", "GBP"], ["Zenith", "dan lead", "GBP"],
            ["Nova", "new.rep@example.com", "GBP"]]
    preview = preview_import(db, staged("accounts", header, rows), create_missing=True)
    assert preview.will_create == {"managers": ["Dan Lead", "new.rep@example.com"]}
    result = _apply(db, staged("accounts", header, rows))
    assert db.rows("SELECT name, email, role_title FROM account_managers ORDER BY id") == [
        ("Dan Lead", None, "Account Manager"), ("new.rep@example.com", "new.rep@example.com",
                                                "Account Manager")]
    assert db.rows("SELECT a.name, m.name FROM accounts a JOIN account_managers m ON m.id = a.owner_id "
                   "ORDER BY 1") == [("Acme", "Dan Lead"), ("Nova", "new.rep@example.com"),
                                     ("Zenith", "Dan Lead")]
    undo_batch(db, SYSTEM, result.batch_id)
    assert db.value("SELECT count(*) FROM accounts") == 0
    assert db.value("SELECT count(*) FROM account_managers") == 0


def test_an_interaction_creates_its_account_owned_by_the_manager_it_names(db):
    priya = make_manager(db, name="Priya Shah")
    header = ["Account", "Manager", "Type", "Date"]
    rows = [["Nova", "Priya Shah", "call", "2026-01-05"], ["Orbit", "Ravi New", "visit", "2026-01-06"]]
    preview = preview_import(db, staged("interactions", header, rows), create_missing=True)
    assert preview.will_create == {"accounts": ["Nova", "Orbit"], "managers": ["Ravi New"]}
    assert preview.notes[0] == "Will be created: 2 accounts: Nova, Orbit; 1 manager: Ravi New."
    _apply(db, staged("interactions", header, rows))
    assert db.rows("SELECT a.name, o.name, m.name FROM interactions i JOIN accounts a ON a.id = i.account_id "
                   "JOIN account_managers o ON o.id = a.owner_id JOIN account_managers m "
                   "ON m.id = i.manager_id ORDER BY 1") == [("Nova", "Priya Shah", "Priya Shah"),
                                                           ("Orbit", "Ravi New", "Ravi New")]
    assert db.value("SELECT id FROM account_managers WHERE name = 'Priya Shah'") == priya


def test_an_archived_account_is_never_created_again(db):
    make_account(db, name="Old Co", archived_at=date(2025, 1, 1))
    preview = preview_import(db, staged("revenue", REVENUE, [["Old Co", "2026-01", "1", "USD"]]),
                             create_missing=True)
    assert preview.will_create == {} and preview.counts["error"] == 1


def test_the_maven_sales_teams_import_with_their_managers_created(db, sample):
    sheet = read_upload(*sample("01_maven_crm/sales_teams.csv")).sheets[0]
    mapping = suggest_mapping(list(sheet.rows.columns), "managers")
    assert mapping == {"sales_agent": "name", "manager": "reports_to", "regional_office": "region"}
    s = stage(sheet.rows, "managers", mapping, {"role_title": "Sales Agent"})
    preview = preview_import(db, s, create_missing=True)
    assert preview.counts["create"] == 35 and preview.counts["error"] == 0
    assert len(preview.will_create["managers"]) == 6
    apply_import(db, SYSTEM, s, file_name="sales_teams.csv", digest="maven", create_missing=True)
    assert db.value("SELECT count(*) FROM account_managers") == 41
    assert db.rows("SELECT b.name, count(*) FROM account_managers m JOIN account_managers b "
                   "ON b.id = m.reports_to GROUP BY 1 ORDER BY 1")[0] == ("Cara Losch", 6)


def test_a_batch_that_created_accounts_and_its_undo_pass_the_integrity_check(db):
    from lib.integrity import check
    result = _apply(db, staged("revenue", REVENUE, [["Nova", "2026-01", "20", "EUR"],
                                                    ["Vela", "2026-01", "1", "USD"]]))
    assert check(db) == []
    undo_batch(db, SYSTEM, result.batch_id)
    assert check(db) == []


def test_a_revenue_file_names_the_owner_of_the_accounts_it_creates_and_leaves_existing_owners(db):
    priya = make_manager(db, name="Priya Shah")
    ravi = make_manager(db, name="Ravi Patel")
    acme = make_account(db, name="Acme", owner_id=priya)
    header = ["Customer", "Month", "Sales", "Currency", "Sales Agent"]
    rows = [["Acme", "2026-01", "10", "USD", "Ravi Patel"],
            ["Nova", "2026-01", "20", "USD", "ravi patel"],
            ["Nova", "2026-02", "5", "USD", "Ravi Patel"],
            ["Orbit", "2026-01", "7", "USD", ""]]
    s = staged("revenue", header, rows)
    assert s.given >= {"owner"}
    preview = preview_import(db, s, create_missing=True)
    assert preview.counts["error"] == 0
    assert ("The column 'Sales Agent' names the owner of accounts this import creates; existing "
            "accounts keep their owner.") in preview.notes
    _apply(db, staged("revenue", header, rows))
    assert db.rows("SELECT name, owner_id FROM accounts ORDER BY name") == [
        ("Acme", priya), ("Nova", ravi), ("Orbit", None)]
    assert db.value("SELECT owner_id FROM accounts WHERE id = ?", [acme]) == priya


def test_an_owner_no_manager_has_is_an_error_only_on_rows_whose_account_would_be_created(db):
    make_account(db, name="Acme")
    header = ["Customer", "Month", "Sales", "Currency", "Account Owner"]
    rows = [["Acme", "2026-01", "10", "USD", "Nobody Known"],
            ["Nova", "2026-01", "20", "USD", "Nobody Known"]]
    preview = preview_import(db, staged("revenue", header, rows), create_missing=True)
    assert preview.errors[["row", "column", "value"]].values.tolist() == [
        [3, "Account Owner", "Nobody Known"]]
    assert "so the new account would have no owner" in preview.errors["reason"].iloc[0]
    assert preview.will_create == {}
    strict = preview_import(db, staged("revenue", header, rows[:1]))
    assert strict.counts["error"] == 0


def test_won_maven_deals_import_as_revenue_creating_accounts_owned_by_their_sales_agents(db, sample):
    teams = read_upload(*sample("01_maven_crm/sales_teams.csv")).sheets[0]
    apply_import(db, SYSTEM, stage(teams.rows, "managers", suggest_mapping(
        list(teams.rows.columns), "managers"), {"role_title": "Sales Agent"}),
        file_name="sales_teams.csv", digest="teams",
        create_missing=True)
    deals = read_upload(*sample("01_maven_crm/sales_pipeline.csv")).sheets[0]
    mapping = suggest_mapping(list(deals.rows.columns), "revenue")
    assert mapping["sales_agent"] == "owner" and mapping["account"] == "account"
    mapping = {"account": "account", "close_date": "month", "close_value": "amount",
               "sales_agent": "owner"}
    s = stage(deals.rows, "revenue", mapping, {"currency": "USD"})
    preview = preview_import(db, s, create_missing=True)
    assert preview.counts["error"] > 0             # deals with no account or no close date
    result = apply_import(db, SYSTEM, s, file_name="sales_pipeline.csv", digest="deals",
                          create_missing=True, skip_bad_rows=True)
    assert result.created > 0
    assert db.value("SELECT count(*) FROM accounts WHERE owner_id IS NULL") == 0
    # an account is owned by the agent of its first good deal in the file
    first = deals.rows[deals.rows["account"].notna() & deals.rows["close_date"].notna()].iloc[0]
    assert db.value("SELECT m.name FROM accounts a JOIN account_managers m ON m.id = a.owner_id "
                    "WHERE a.name = ?", [first["account"]]) == first["sales_agent"]
