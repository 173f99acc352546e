"""An account's industry and region written with other case or spacing than a stored value take
the stored spelling, so a file's 'technology' or ' TECHNOLOGY' is no second industry in the
Portfolio's filters; values new to the database take the spelling the file uses most."""
from __future__ import annotations

from lib.importing import preview_import
from tests.builders import make_account
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
