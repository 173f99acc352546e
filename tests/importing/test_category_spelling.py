"""An account's industry and region written with other case or spacing than a stored value take
the stored spelling, so a file's 'technology' or ' TECHNOLOGY' is no second industry in the
Portfolio's filters; values new to the database take the spelling the file uses most. A
misspelling close to a stored value ('technolgy') is suggested, and taken only when chosen."""
from __future__ import annotations

import json

from lib.importing import preview_import, respell
from lib.importing.cli import main
from lib.migrate import open_database
from tests.builders import make_account
from tests.conftest import copy_db
from tests.importing.pipeline_helpers import apply_file, staged

HEADER = ["Account Name", "Industry", "Region", "Currency"]


def stored(db) -> list[tuple]:
    return db.rows("SELECT name, industry, region FROM accounts ORDER BY name")


def test_case_and_spacing_take_the_stored_spelling_and_the_preview_says_so(db):
    make_account(db, name="Old Co", industry="Technology", region="EMEA")
    s = staged("accounts", HEADER, [["Acme", "technology", "emea", "EUR"],
                                    ["Beta", "TECHNOLOGY", "Emea ", "EUR"],
                                    ["Gamma", "Tech  nology", "North  America", "USD"]])
    preview = preview_import(db, s)
    assert ("Values that differ only in case or spacing take one spelling, the one already in "
            "use (else the one the file uses most): Industry: 'TECHNOLOGY' as 'Technology' "
            "(1 row), 'Tech  nology' as 'Tech nology' (1 row), 'technology' as 'Technology' "
            "(1 row); Region: 'Emea' as 'EMEA' (1 row), 'North  America' as 'North America' "
            "(1 row), 'emea' as 'EMEA' (1 row).") in preview.notes
    apply_file(db, s)
    assert stored(db) == [("Acme", "Technology", "EMEA"), ("Beta", "Technology", "EMEA"),
                          ("Gamma", "Tech nology", "North America"), ("Old Co", "Technology", "EMEA")]


def test_a_value_new_to_the_database_takes_the_spelling_the_file_uses_most(db):
    s = staged("accounts", HEADER, [["Acme", "biotech", "", "EUR"], ["Beta", "Biotech", "", "EUR"],
                                    ["Gamma", "Biotech", "", "EUR"]])
    apply_file(db, s)
    assert [industry for _, industry, _ in stored(db)] == ["Biotech"] * 3


def test_an_account_whose_industry_differs_only_in_case_is_unchanged_not_updated(db):
    make_account(db, name="Acme", industry="Retail", region="APAC", currency="EUR")
    preview = preview_import(db, staged("accounts", HEADER, [["Acme", "RETAIL", "apac", "EUR"]]))
    assert preview.records == {"create": 0, "update": 0, "unchanged": 1}


def test_a_misspelling_close_to_a_stored_value_is_suggested_and_kept_as_written_unless_chosen(db):
    make_account(db, name="Old Co", industry="Technology", region="Europe")
    rows = [["Acme", "technolgy", "Eurpoe", "EUR"], ["Beta", "technolgy", "Europe", "EUR"],
            ["Gamma", "Biotech", "Europe", "EUR"]]
    s = staged("accounts", HEADER, rows)
    preview = preview_import(db, s)
    assert preview.spellings.values.tolist() == [["industry", "technolgy", 2, "Technology"],
                                                 ["region", "Eurpoe", 1, "Europe"]]
    assert ("2 values look like ones already in use ('technolgy' like 'Technology', 'Eurpoe' like "
            "'Europe'). They are imported as written unless the spelling in use is chosen for "
            "them.") in preview.notes
    chosen = respell(s, [("industry", "technolgy", "Technology")])
    assert preview_import(db, chosen).spellings.values.tolist() == [["region", "Eurpoe", 1, "Europe"]]
    apply_file(db, chosen)
    assert stored(db) == [("Acme", "Technology", "Eurpoe"), ("Beta", "Technology", "Europe"),
                          ("Gamma", "Biotech", "Europe"), ("Old Co", "Technology", "Europe")]


def test_a_chosen_spelling_is_taken_in_whatever_case_or_spacing_the_file_wrote_it(db):
    make_account(db, name="Old Co", industry="Technology")
    s = staged("accounts", HEADER, [["Acme", "technolgy", "", "EUR"], ["Beta", "Technolgy ", "", "EUR"],
                                    ["Gamma", "TECHNOLGY", "", "EUR"], ["Delta", "technolgy", "", "EUR"]])
    assert preview_import(db, s).spellings.values.tolist() == [
        ["industry", "technolgy", 4, "Technology"]]   # the file's most common spelling, counted
    apply_file(db, respell(s, [("industry", "technolgy", "Technology")]))
    assert [industry for _, industry, _ in stored(db)] == ["Technology"] * 5


def test_the_command_line_takes_every_suggested_spelling_with_respell(migrated_db_file, tmp_path,
                                                                     capsys):
    path = copy_db(migrated_db_file, tmp_path / "cli.duckdb")
    db = open_database(path)
    make_account(db, name="Old Co", industry="Technology", region="Europe")
    db.close()
    file = tmp_path / "accounts.csv"
    file.write_text("Account Name,Industry,Region,Currency\nAcme,technolgy,Eurpoe,EUR\n")
    assert main([str(file), "--entity", "accounts", "--db", str(path), "--dry-run"]) == 0
    assert "Pass --respell to import them with the spelling in use." in capsys.readouterr().out
    assert main([str(file), "--entity", "accounts", "--db", str(path), "--respell", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(s["written"], s["suggested"], s["taken"]) for s in report["spellings"]] == [
        ("technolgy", "Technology", True), ("Eurpoe", "Europe", True)]
    db = open_database(path)
    assert stored(db) == [("Acme", "Technology", "Europe"), ("Old Co", "Technology", "Europe")]
    db.close()


def test_a_misspelt_budget_category_is_suggested_the_stored_one(db):
    acme = make_account(db, name="Acme", currency="EUR")
    db.rows("INSERT INTO budgets (account_id, category, month, budget, spend, currency, "
            "created_by, updated_by) VALUES (?, 'marketing', DATE '2026-01-01', 500, 0, 'EUR', 0, 0)",
            [acme])
    s = staged("budgets", ["Account", "Category", "Month", "Budget", "Spend"],
               [["Acme", "Marketng", "2026-02", "100", ""]])
    assert preview_import(db, s).spellings.values.tolist() == [
        ["category", "marketng", 1, "marketing"]]
    apply_file(db, respell(s, [("category", "marketng", "marketing")]))
    assert db.rows("SELECT DISTINCT category FROM budgets") == [("marketing",)]


def test_nothing_is_suggested_for_a_value_unlike_any_stored_one_or_for_revenue(db):
    make_account(db, name="Acme", industry="Technology", currency="EUR")
    assert preview_import(db, staged("accounts", HEADER, [["Beta", "Biotech", "APAC", "EUR"]])
                          ).spellings.empty
    revenue = staged("revenue", ["Customer", "Month", "Sales"], [["Acme", "2026-01", "10"]])
    assert preview_import(db, revenue).spellings.empty
