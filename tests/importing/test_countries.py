"""Countries written as codes or other names take the spelling already in use for the country."""
from __future__ import annotations

from lib.importing import preview_import
from tests.builders import make_account
from tests.importing.pipeline_helpers import apply_file, staged

ACCOUNTS = ["Account Name", "Country", "Currency"]


def test_an_account_written_with_uk_is_the_one_stored_in_the_united_kingdom_not_a_new_one(db):
    make_account(db, name="Acme Ltd", country="United Kingdom", currency="GBP")
    rows = staged("accounts", ACCOUNTS, [["Acme Ltd", "UK", "GBP"], ["Newco Ltd", "GBR", "GBP"],
                                         ["Far Away Co", "Narnia", "GBP"]])
    preview = preview_import(db, rows)
    assert preview.rows["action"].tolist() == ["unchanged", "create", "create"]
    assert ("Countries written another way take the name already in use: 'GBR' as 'United "
            "Kingdom' (1 row), 'UK' as 'United Kingdom' (1 row).") in preview.notes
    apply_file(db, rows)
    assert db.rows("SELECT name, country FROM accounts ORDER BY name") == [
        ("Acme Ltd", "United Kingdom"), ("Far Away Co", "Narnia"), ("Newco Ltd", "United Kingdom")]


def test_revenue_naming_its_account_with_a_country_code_finds_the_account(db):
    acme_us = make_account(db, name="Acme", country="United States", currency="USD")
    acme_de = make_account(db, name="Acme", country="Germany", currency="EUR")
    rows = staged("revenue", ["Customer", "Country", "Month", "Sales"],
                  [["Acme", "USA", "2026-01", "10"], ["Acme", "DE", "2026-01", "20"]])
    assert preview_import(db, rows).ok
    apply_file(db, rows)
    assert db.rows("SELECT account_id, amount::VARCHAR FROM revenue ORDER BY amount") == [
        (acme_us, "10.00"), (acme_de, "20.00")]


def test_a_country_no_record_names_yet_is_kept_as_written(db):
    make_account(db, name="Acme", country="Germany", currency="EUR")
    rows = staged("accounts", ACCOUNTS, [["Beta", "FR", "EUR"]])
    preview = preview_import(db, rows)
    assert not any(n.startswith("Countries written another way") for n in preview.notes)
    apply_file(db, rows)
    assert db.value("SELECT country FROM accounts WHERE name = 'Beta'") == "FR"
