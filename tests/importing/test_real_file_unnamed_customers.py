"""QuickBooks' "Sales by Customer Summary" lists its customers under an empty header, months
across, a TOTAL row and column and an "Accrual basis ..." line below. No header word says which
column names the accounts, so the column the file left unnamed is mapped to the account when
most of its values name one."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from lib.importing.cli import main
from lib.importing.hints import with_unnamed_reference
from lib.importing.mapping import suggest_mapping
from lib.migrate import open_database
from tests.builders import make_account
from tests.conftest import copy_db
from tests.importing.pipeline_helpers import sheet_rows, stored_revenue, upload

SUMMARY = (
    "Acme Group\nSales by Customer Summary\nJanuary - March 2026\n\n"
    ',Jan 2026,Feb 2026,Mar 2026,Total\n'
    'Acme Ltd,"1,200.00","1,300.00",,"2,500.00"\n'
    'Brightwater Inc.,,"3,400.50","1,000.00","4,400.50"\n'
    'TOTAL,"$1,200.00","$4,700.50","$1,000.00","$6,900.50"\n\n\n'
    '"Accrual basis Tuesday, November 24, 2026 09:12 AM GMT-08:00"\n')


def accounts(db) -> dict[str, int]:
    return {name: make_account(db, name=name, currency="USD") for name in ("Acme Ltd", "Brightwater Inc.")}


def test_a_quickbooks_summarys_unnamed_customer_column_is_mapped_to_the_account_and_imports(
        migrated_db_file, tmp_path, capsys):
    path = copy_db(migrated_db_file, tmp_path / "qb.duckdb")
    db = open_database(path)
    ids = accounts(db)
    db.close()
    file = tmp_path / "Sales by Customer Summary.csv"
    file.write_text(SUMMARY)
    assert main([str(file), "--entity", "revenue", "--db", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["mapping"]["Column A"] == "account"
    db = open_database(path)
    assert [(a, m, amount) for a, m, amount, _ in stored_revenue(db)] == [
        (ids["Acme Ltd"], date(2026, 1, 1), Decimal("1200.00")),
        (ids["Acme Ltd"], date(2026, 2, 1), Decimal("1300.00")),
        (ids["Brightwater Inc."], date(2026, 2, 1), Decimal("3400.50")),
        (ids["Brightwater Inc."], date(2026, 3, 1), Decimal("1000.00"))]
    db.close()


def test_an_unnamed_column_that_names_no_accounts_stays_unmapped(db, tmp_path):
    accounts(db)
    sheet = upload(tmp_path, "summary.csv", SUMMARY.replace("Acme Ltd", "Zenith").replace(
        "Brightwater Inc.", "Nadir").encode()).sheets[0]
    mapping = suggest_mapping(list(sheet.rows.columns), "revenue", sheet.rows)
    assert with_unnamed_reference(db, sheet.rows, "revenue", mapping)["Column A"] is None


def test_a_column_with_a_header_of_its_own_is_left_to_the_person(db):
    accounts(db)
    header = ["Kunde X", "Month", "Amount"]
    rows = sheet_rows(header, [["Acme Ltd", "2026-01", "10"], ["Brightwater Inc.", "2026-01", "20"]])
    mapping = suggest_mapping(header, "revenue", rows)
    assert mapping["Kunde X"] is None
    assert with_unnamed_reference(db, rows, "revenue", mapping) == mapping


def test_an_account_already_mapped_is_not_remapped(db):
    accounts(db)
    header = ["Customer", "Column B", "Month", "Amount"]
    rows = sheet_rows(header, [["Acme Ltd", "Brightwater Inc.", "2026-01", "10"]])
    mapping = suggest_mapping(header, "revenue", rows)
    assert mapping["Customer"] == "account"
    assert with_unnamed_reference(db, rows, "revenue", mapping) == mapping
