"""python -m lib.importing: the same pipeline for scheduled imports."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from lib.importing.cli import main
from lib.migrate import open_database
from tests.builders import make_account
from tests.conftest import ROOT

GOOD_AND_BAD = "Customer,Month,Sales\nAcme,2026-01,\" $(4,533.75)\"\nNobody,2026-02,5\n"


@pytest.fixture
def db_file(tmp_path):
    path = tmp_path / "cli.duckdb"
    database = open_database(path)
    make_account(database, name="Acme", currency="USD")
    database.close()
    return path


def _csv(tmp_path, text, name="revenue.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _count(path, sql="SELECT count(*) FROM revenue"):
    database = open_database(path)
    try:
        return database.value(sql)
    finally:
        database.close()


def test_dry_run_writes_nothing_and_json_is_parseable_with_a_nonzero_exit_on_errors(tmp_path, db_file, capsys):
    file = _csv(tmp_path, GOOD_AND_BAD)
    status = main([str(file), "--entity", "revenue", "--dry-run", "--json", "--db", str(db_file)])
    report = json.loads(capsys.readouterr().out)
    assert status == 1 and report["status"] == "dry_run"
    assert report["rows"] == {"create": 1, "update": 0, "unchanged": 0, "error": 1}
    assert report["errors"] == [{"row": 3, "column": "Customer", "value": "Nobody",
                                 "reason": "no account has this external id or name"}]
    assert _count(db_file) == 0 and _count(db_file, "SELECT count(*) FROM import_batches") == 0


def test_a_file_with_a_bad_row_is_refused_unless_bad_rows_are_skipped(tmp_path, db_file, capsys):
    file = _csv(tmp_path, GOOD_AND_BAD)
    assert main([str(file), "--entity", "revenue", "--db", str(db_file)]) == 1
    assert "Nothing was written" in capsys.readouterr().out and _count(db_file) == 0
    assert main([str(file), "--entity", "revenue", "--skip-bad-rows", "--db", str(db_file)]) == 1
    assert "Imported as batch 1." in capsys.readouterr().out
    assert _count(db_file, "SELECT amount FROM revenue") == -4533.75


def test_a_clean_file_imports_with_exit_zero_and_the_same_file_again_is_refused(tmp_path, db_file, capsys):
    file = _csv(tmp_path, "Client,Period,Net Sales\nAcme,Jan-26,10\nAcme,Feb-26,20\n")
    args = [str(file), "--db", str(db_file), "--constant", "currency=GBP", "--json"]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["entity"] == "revenue" and report["records"]["create"] == 2
    assert main(args) == 2
    again = json.loads(capsys.readouterr().out)
    assert again["status"] == "refused" and "already imported as batch 1" in again["message"]
    assert _count(db_file) == 2 and _count(db_file, "SELECT min(currency) FROM revenue") == "GBP"


def test_a_dry_run_of_a_file_already_imported_says_so_in_plain_text(tmp_path, db_file, capsys):
    file = _csv(tmp_path, "Client,Period,Net Sales\nAcme,Jan-26,10\n")
    args = [str(file), "--db", str(db_file), "--constant", "currency=GBP"]
    assert main(args) == 0
    capsys.readouterr()
    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "note: This file was already imported as batch 1 ('revenue.csv')" in out
    assert "--allow-same-file" in out and "Dry run: nothing was written." in out


def test_a_remembered_mapping_is_used_for_a_file_with_the_same_headers(tmp_path, db_file, capsys):
    from lib.importing import remember_mapping
    from lib.users import SYSTEM
    database = open_database(db_file)
    remember_mapping(database, SYSTEM, ["Who", "When", "How much"], "revenue",
                     {"Who": "account", "When": "month", "How much": "amount"}, name="odd")
    database.close()
    file = _csv(tmp_path, "Who,When,How much\nAcme,2026-03,7\n")
    assert main([str(file), "--mapping", "odd", "--db", str(db_file), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["mapping"]["How much"] == "amount"
    assert _count(db_file) == 1


def test_an_unreadable_file_is_refused_with_a_message_and_exit_two(tmp_path, db_file, capsys):
    file = tmp_path / "empty.csv"
    file.write_bytes(b"")
    assert main([str(file), "--entity", "revenue", "--db", str(db_file)]) == 2
    assert capsys.readouterr().err.strip()


def test_while_another_process_holds_the_database_the_cli_says_so_clearly(tmp_path, db):
    file = _csv(tmp_path, "Customer,Month,Sales\nAcme,2026-01,1\n")
    done = subprocess.run(
        [sys.executable, "-m", "lib.importing", str(file), "--entity", "revenue", "--db", str(db.path)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=120)
    assert done.returncode == 3
    assert "in use by another program" in done.stderr


def test_managers_and_interactions_import_from_the_command_line(tmp_path, db_file, capsys):
    team = _csv(tmp_path, "sales_agent,manager,regional_office,title\n"
                          "Anna Snelling,Dustin Brinkmann,Central,AM\n"
                          "Dustin Brinkmann,,Central,Director\n", "team.csv")
    assert main([str(team), "--entity", "managers", "--db", str(db_file), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["records"]["create"] == 2
    assert _count(db_file, "SELECT b.name FROM account_managers m JOIN account_managers b "
                           "ON b.id = m.reports_to") == "Dustin Brinkmann"
    calls = _csv(tmp_path, "Account,Owner,Type,Date\nAcme,Anna Snelling,Phone,2026-01-05 09:00\n",
                 "calls.csv")
    assert main([str(calls), "--entity", "interactions", "--db", str(db_file)]) == 0
    assert "every row is created as a new record" in capsys.readouterr().out
    assert _count(db_file, "SELECT type FROM interactions") == "call"


def test_create_missing_creates_the_unknown_account_and_says_so(tmp_path, db_file, capsys):
    file = _csv(tmp_path, GOOD_AND_BAD)
    args = [str(file), "--entity", "revenue", "--db", str(db_file), "--create-missing", "--json"]
    assert main([*args, "--dry-run"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["will_create"] == {"accounts": ["Nobody"]}
    assert report["notes"][0] == "Will be created: 1 account: Nobody."
    assert _count(db_file, "SELECT count(*) FROM accounts") == 1
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "imported"
    assert _count(db_file, "SELECT count(*) FROM accounts") == 2 and _count(db_file) == 2


def test_the_report_says_how_the_file_was_read_and_which_rows_were_left_out(tmp_path, db_file, capsys):
    file = _csv(tmp_path, "Revenue by account\nCustomer,Month,Sales\nAcme,2026-01,100\nTotal,,100\n")
    main([str(file), "--entity", "revenue", "--dry-run", "--json", "--db", str(db_file)])
    read = json.loads(capsys.readouterr().out)["read"]
    assert read["notes"][0].startswith("Read as UTF-8 text, comma-separated")
    assert read["dropped_rows"] == [
        {"row": 1, "reason": "title row above the header", "text": "Revenue by account"},
        {"row": 4, "reason": "total row", "text": "Total | 100"}]
    main([str(file), "--entity", "revenue", "--dry-run", "--db", str(db_file)])
    assert "left out row 4 (total row): Total | 100" in capsys.readouterr().out.splitlines()


def test_a_sheet_named_after_a_month_gives_the_month_no_column_gives(tmp_path, db_file, capsys):
    from tests.importing.conftest import xlsx_from_rows
    book = tmp_path / "monthly.xlsx"
    book.write_bytes(xlsx_from_rows({"Jan 2026": [["Account", "Revenue"], ["Acme", 100]],
                                     "Feb 2026": [["Account", "Revenue"], ["Acme", 250]]}))
    assert main([str(book), "--entity", "revenue", "--sheet", "Feb 2026", "--db", str(db_file)]) == 0
    out = capsys.readouterr().out
    assert "the sheet's name 'Feb 2026' does (2026-02)" in out
    assert ("Sheet 'Feb 2026' was read; the file has other sheets to import: 'Jan 2026' (choose "
            "one with --sheet).") in out
    assert _count(db_file, "SELECT strftime(month, '%Y-%m') || ' ' || amount FROM revenue") == "2026-02 250.00"


def test_amounts_like_12_500_are_errors_until_decimal_says_how_the_file_writes_them(
        tmp_path, db_file, capsys):
    file = _csv(tmp_path, "Customer,Month,Sales\nAcme,2026-01,12.500\nAcme,2026-02,800\n")
    args = [str(file), "--entity", "revenue", "--db", str(db_file), "--constant", "currency=EUR"]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "row 2, Sales: '12.500' could have a decimal point or a thousands separator" in out
    assert "Pass --decimal point or --decimal comma" in out and _count(db_file) == 0
    assert main([*args, "--decimal", "comma"]) == 0
    assert _count(db_file, "SELECT sum(amount) FROM revenue") == 13300
