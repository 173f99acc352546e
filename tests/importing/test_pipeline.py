"""Validate in bulk, preview the change, and apply it: on a real migrated DuckDB file."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lib.errors import NotAllowed, UserError, ValidationFailed
from lib.importing import (apply_import, file_hash, preview_import, preview_in_full, read_upload, stage,
                           suggest_mapping)
from lib.users import SYSTEM
from tests.builders import add_invoice, add_revenue, make_account, make_manager, make_user
from tests.importing.pipeline_helpers import REVENUE, apply_file, sheet_rows, staged, stored_revenue

def test_reimporting_the_same_file_leaves_records_unchanged_instead_of_duplicating(db):
    acme = make_account(db, name="Acme Ltd", currency="GBP")
    s = staged("revenue", REVENUE, [["Acme Ltd", "2026-01", "100"], ["Acme Ltd", "2026-02", "120"]])
    first = apply_file(db, s)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    again = apply_file(db, s, allow_same_file=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert stored_revenue(db) == [(acme, date(2026, 1, 1), Decimal("100.00"), "GBP"),
                            (acme, date(2026, 2, 1), Decimal("120.00"), "GBP")]


def test_next_months_file_updates_the_changed_month_and_shows_old_and_new(db):
    acme = make_account(db, name="Acme Ltd", currency="GBP")
    add_revenue(db, acme, date(2026, 1, 1), 100, "GBP")
    s = staged("revenue", REVENUE, [["acme ltd.", "Jan-26", "150"], ["ACME LTD", "Feb-26", "90"]])
    preview = preview_import(db, s)
    assert preview.rows[["row", "action"]].values.tolist() == [[2, "update"], [3, "create"]]
    change = preview.changes.iloc[0]
    assert (change["field"], change["old"], change["new"]) == ("amount", "100.00", "150.00")
    apply_file(db, s)
    assert [r[2] for r in stored_revenue(db)] == [Decimal("150.00"), Decimal("90.00")]


def test_a_preview_for_a_page_holds_the_first_rows_and_changes_and_counts_them_all(db):
    acme = make_account(db, name="Acme Ltd", currency="GBP")
    for month in (1, 2, 3):
        add_revenue(db, acme, date(2026, month, 1), 100, "GBP")
    s = staged("revenue", REVENUE, [["Acme Ltd", f"2026-0{m}", "150"] for m in (1, 2, 3, 4)]
               + [["Nobody plc", "2026-01", "1"]])
    short = preview_import(db, s, shown=2)
    whole = preview_in_full(db, s)
    assert short.rows["row"].tolist() == [2, 3] and short.rows_total == 5
    assert whole.rows["row"].tolist() == [2, 3, 4, 5, 6] and whole.rows_total == 5
    assert short.changes["rows"].tolist() == [[2], [3]] and short.changes_total == 3
    assert len(whole.changes) == whole.changes_total == 3
    assert short.counts == whole.counts == {"create": 1, "update": 3, "unchanged": 0, "error": 1}
    assert len(short.errors) == 1      # every error, always: the download lists them all
    assert apply_file(db, s, skip_bad_rows=True, preview=short).updated == 3


def test_an_unknown_account_is_an_error_with_its_row_number_in_the_original_file(db):
    make_account(db, name="Acme Ltd")
    s = staged("revenue", REVENUE, [["Acme Ltd", "2026-01", "1"], ["Nobody plc", "2026-01", "2"]],
               first=5)   # three title rows and a header above the table
    preview = preview_import(db, s)
    error = preview.errors.to_dict(orient="records")
    assert error == [{"row": 6, "column": "Customer", "value": "Nobody plc",
                      "reason": "no account has this external id or name"}]
    assert preview.counts == {"create": 1, "update": 0, "unchanged": 0, "error": 1}
    assert b"Nobody plc" in preview.errors_csv()


def test_an_account_is_found_by_external_id_and_a_shared_name_needs_the_country(db):
    uk = make_account(db, name="Orion", country="GB", external_id="C-1")
    make_account(db, name="Orion", country="US")
    s = staged("revenue", ["Customer", "Country", "Month", "Sales"],
               [["C-1", "", "2026-01", "5"], ["Orion", "gb", "2026-02", "6"], ["Orion", "", "2026-03", "7"]])
    preview = preview_import(db, s)
    assert preview.rows["action"].tolist() == ["create", "create", "error"]
    assert preview.errors["reason"].iloc[0].startswith("2 accounts have this name")
    apply_file(db, s, skip_bad_rows=True)
    assert {r[0] for r in stored_revenue(db)} == {uk}


def test_a_negative_in_parentheses_arrives_negative_and_dollar_dash_is_zero(db):
    make_account(db, name="Acme", currency="USD")
    s = staged("revenue", REVENUE, [["Acme", "2026-01", " $(4,533.75)"], ["Acme", "2026-02", " $-   "],
                                    ["Acme", "2026-03", " $32,370.00 "]])
    apply_file(db, s)
    assert [r[2] for r in stored_revenue(db)] == [Decimal("-4533.75"), Decimal("0.00"), Decimal("32370.00")]


def test_transactions_are_summed_per_account_and_month_and_the_preview_says_so(db):
    make_account(db, name="Acme", currency="USD")
    s = staged("revenue", ["Customer", "Close Date", "Close Value"],
               [["Acme", "2026-01-03", "10"], ["Acme", "2026-01-28", "15.5"], ["Acme", "2026-02-01", "1"]])
    preview = preview_import(db, s)
    assert "2 rows are transactions: they were summed into 1 account-month totals." in preview.notes
    assert preview.records["create"] == 2
    apply_file(db, s)
    assert [(r[1], r[2]) for r in stored_revenue(db)] == [(date(2026, 1, 1), Decimal("25.50")),
                                                  (date(2026, 2, 1), Decimal("1.00"))]


def test_a_file_of_monthly_totals_keeps_each_row_as_its_own_record_with_its_row_number(db):
    acme = make_account(db, name="Acme", currency="USD")
    add_revenue(db, acme, date(2026, 1, 1), 100, "USD")
    s = staged("revenue", REVENUE, [["Acme", "2026-01", "150"], ["Acme", "2026-02", "90"],
                                    ["Nobody", "2026-03", "5"]])
    preview = preview_import(db, s)
    assert not [n for n in preview.notes if "transactions" in n]
    assert preview.rows[["row", "action"]].values.tolist() == [[2, "update"], [3, "create"], [4, "error"]]
    assert preview.changes[["rows", "old", "new"]].values.tolist() == [[[2], "100.00", "150.00"]]
    result = apply_file(db, s, skip_bad_rows=True)
    assert (result.created, result.updated, result.rejected) == (1, 1, 1)
    assert db.rows("SELECT source_rows FROM import_rows_revenue WHERE batch_id = ? ORDER BY 1",
                   [result.batch_id]) == [([2],), ([3],)]


def test_one_account_and_month_in_two_currencies_is_an_error_for_each_row(db):
    make_account(db, name="Acme", currency="USD")
    s = staged("revenue", ["Customer", "Month", "Sales", "Currency"],
               [["Acme", "2026-01", "1", "USD"], ["Acme", "2026-01", "2", "eur"]])
    preview = preview_import(db, s)
    assert preview.errors["row"].tolist() == [2, 3]
    assert "several currencies (EUR, USD)" in preview.errors["reason"].iloc[0]


def test_currency_comes_from_a_constant_or_else_from_the_account(db):
    make_account(db, name="Acme", currency="USD")
    apply_file(db, staged("revenue", REVENUE, [["Acme", "2026-01", "1"]]), b"one")
    apply_file(db, staged("revenue", REVENUE, [["Acme", "2026-02", "1"]],
                          constants={"currency": "GBP"}), b"two")
    assert [r[3] for r in stored_revenue(db)] == ["USD", "GBP"]


def test_import_good_rows_writes_only_the_good_one_and_strict_mode_writes_nothing(db):
    make_account(db, name="Acme")
    s = staged("revenue", REVENUE, [["Acme", "2026-01", "12"], ["Acme", "2026-02", "twelve"]])
    with pytest.raises(ValidationFailed, match="1 rows have errors, so nothing was imported"):
        apply_file(db, s)
    assert stored_revenue(db) == [] and db.value("SELECT count(*) FROM import_batches") == 0
    result = apply_file(db, s, skip_bad_rows=True)
    assert (result.created, result.rejected) == (1, 1)
    assert [r[1] for r in stored_revenue(db)] == [date(2026, 1, 1)]


def test_a_batch_records_file_hash_who_counts_and_one_summary_audit_row(db):
    director = make_user(db, "director")
    make_account(db, name="Acme")
    s = staged("revenue", REVENUE, [["Acme", "2026-01", "1"], ["Acme", "2026-02", "x"]])
    result = apply_import(db, director, s, file_name="jan.csv", digest=file_hash(b"jan"),
                          mapping={"Customer": "account"}, skip_bad_rows=True)
    batch = db.record("SELECT * FROM import_batches WHERE id = ?", [result.batch_id])
    assert (batch["file_name"], batch["file_hash"], batch["created_by"]) == ("jan.csv", file_hash(b"jan"), director.id)
    assert (batch["rows_created"], batch["rows_rejected"]) == (1, 1)
    assert db.value("SELECT import_batch_id FROM revenue") == result.batch_id
    audit = db.rows("SELECT action, entity_id, batch_id FROM audit_log WHERE actor_id = ?", [director.id])
    assert audit == [("import", str(result.batch_id), result.batch_id)]


def test_the_same_file_twice_is_noticed_in_the_preview_and_refused_unless_meant(db):
    make_account(db, name="Acme")
    s = staged("revenue", REVENUE, [["Acme", "2026-01", "1"]])
    first = apply_file(db, s, b"same bytes")
    preview = preview_import(db, s, digest=file_hash(b"same bytes"))
    assert preview.same_file["id"] == first.batch_id
    with pytest.raises(UserError, match=f"already imported as batch {first.batch_id}"):
        apply_file(db, s, b"same bytes")


def test_only_directors_and_admins_may_import(db):
    make_account(db, name="Acme")
    s = staged("revenue", REVENUE, [["Acme", "2026-01", "1"]])
    with pytest.raises(NotAllowed):
        apply_import(db, make_user(db, "manager"), s, file_name="f", digest="d")


def test_ambiguous_dates_are_errors_until_the_order_is_given(db):
    make_account(db, name="Acme")
    rows = [["Acme", "3/4/2026", "1"], ["Acme", "5/6/2026", "2"]]
    s = staged("revenue", REVENUE, rows)
    assert s.ambiguous_dates == ["month"]
    assert preview_import(db, s).errors["reason"].str.contains("day-first or month-first").all()
    ordered = staged("revenue", REVENUE, rows, date_order="dmy")
    assert preview_import(db, ordered).ok
    apply_file(db, ordered)
    assert [r[1] for r in stored_revenue(db)] == [date(2026, 4, 1), date(2026, 6, 1)]


ACCOUNTS = ["Id", "Account Name", "Tier", "Country", "Owner", "Currency"]


def test_accounts_reimport_matches_by_external_id_and_updates_only_what_changed(db):
    priya = make_manager(db, name="Priya Shah", email="priya@example.com")
    s = staged("accounts", ACCOUNTS, [["A-1", "Acme", "Key", "GB", "priya@example.com", "gbp"],
                                      ["A-2", "Bolt", "", "US", "Priya Shah", "USD"]])
    assert (apply_file(db, s, b"v1").created) == 2
    rows = db.rows("SELECT external_id, name, tier, scope, status, owner_id, currency FROM accounts ORDER BY 1")
    assert rows == [("A-1", "Acme", "key", "regional", "active", priya, "GBP"),
                    ("A-2", "Bolt", "standard", "regional", "active", priya, "USD")]
    renamed = staged("accounts", ACCOUNTS, [["A-1", "Acme Group", "key", "GB", "Priya Shah", "GBP"],
                                            ["A-2", "Bolt", "", "US", "Priya Shah", "USD"]])
    preview = preview_import(db, renamed)
    assert preview.records == {"create": 0, "update": 1, "unchanged": 1}
    assert preview.changes[["field", "old", "new"]].values.tolist() == [["name", "Acme", "Acme Group"]]
    apply_file(db, renamed, b"v2")
    assert db.value("SELECT count(*) FROM accounts") == 2
    assert db.value("SELECT version FROM accounts WHERE external_id = 'A-1'") == 2


def test_accounts_can_be_matched_on_name_and_country_and_duplicates_in_the_file_are_errors(db):
    make_account(db, name="Orion", country="GB", tier="standard")
    s = staged("accounts", ["Name", "Country", "Tier", "Owner"],
               [["Orion", "GB", "strategic", ""], ["Orion", "US", "key", ""], ["orion", "gb", "key", ""],
                ["Nova", "FR", "platinum", "Nobody"]], constants={"currency": "EUR"})
    preview = preview_import(db, s)
    assert preview.match_on == ("name", "country")
    assert preview.rows["action"].tolist() == ["update", "create", "error", "error"]
    reasons = dict(zip(preview.errors["column"], preview.errors["reason"]))
    assert reasons["Name"] == "is the same record as row 2 with other values; each record may appear once"
    assert reasons["Tier"].startswith("is not one of key, strategic, standard")
    assert reasons["Owner"] == "no active account manager has this name or email"


def test_an_archived_account_in_the_file_is_an_error_not_a_second_account(db):
    from datetime import datetime
    make_account(db, name="Old Mill Ltd", external_id="CRM-9", archived_at=datetime(2026, 1, 1))
    by_name = preview_import(db, staged("accounts", ["Name"], [["Old Mill"]], constants={"currency": "GBP"}))
    by_id = preview_import(db, staged("accounts", ["Account ID", "Name"], [["CRM-9", "Old Mill Ltd"]],
                                      constants={"currency": "GBP"}))
    for preview in (by_name, by_id):
        assert preview.rows["action"].tolist() == ["error"]
        assert preview.errors["reason"].tolist() == [
            "matches an archived account; restore it on its page, then import again"]
    fresh = preview_import(db, staged("accounts", ["Name"], [["New Mill"]], constants={"currency": "GBP"}))
    assert fresh.rows["action"].tolist() == ["create"]


def test_a_new_account_without_a_currency_is_an_error(db):
    preview = preview_import(db, staged("accounts", ["Name"], [["Acme"]]))
    assert preview.errors[["column", "reason"]].values.tolist() == [
        ["Currency (3 letters) (not in the file)",
         "is needed for a new account: map a column or give a constant"]]


INVOICES = ["Invoice No", "Customer", "Invoice Date", "Due Date", "Amount"]


def test_invoices_and_their_payments_import_with_references_resolved(db):
    acme = make_account(db, name="Acme", currency="EUR")
    s = staged("invoices", INVOICES, [["INV-1", "Acme", "2026-01-31", "2026-03-02", "€1.200,50"],
                                      ["INV-2", "Acme", "2026-02-28", "2026-02-01", "10"]])
    preview = preview_import(db, s)
    assert preview.errors[["row", "column", "reason"]].values.tolist() == [
        [3, "Due Date", "is before the issue date"]]
    apply_file(db, s, skip_bad_rows=True)
    assert db.rows("SELECT invoice_number, account_id, amount, currency FROM invoices") == [
        ("INV-1", acme, Decimal("1200.50"), "EUR")]
    pay = staged("payments", ["Invoice", "Payment Date", "Amount Paid", "Ref"],
                 [["INV-1", "2026-02-20", "200.50", "BACS 1"], ["INV-9", "2026-02-21", "5", "BACS 2"],
                  ["INV-1", "2026-02-22", "$20.00", "BACS 3"]])
    preview = preview_import(db, pay)
    assert preview.errors[["row", "reason"]].values.tolist() == [
        [3, "no invoice has this number"],
        [4, "is written in $ but the currency of the invoice is EUR; correct the amount or the currency"]]
    apply_file(db, pay, b"pay", skip_bad_rows=True)
    again = preview_import(db, pay)
    assert again.records == {"create": 0, "update": 0, "unchanged": 1}


def test_a_reimported_invoice_with_a_new_amount_is_updated_not_duplicated(db):
    acme = make_account(db, name="Acme")
    add_invoice(db, acme, date(2026, 1, 1), date(2026, 2, 1), 100)
    number = db.value("SELECT invoice_number FROM invoices")
    s = staged("invoices", INVOICES, [[number, "Acme", "2026-01-01", "2026-02-01", "110"]])
    assert preview_import(db, s).records["update"] == 1
    apply_file(db, s)
    assert db.rows("SELECT amount FROM invoices") == [(Decimal("110.00"),)]


def test_the_financial_sample_asks_for_its_date_order_then_sums_profit_per_country_and_month(db, sample):
    data, name = sample("07_financial_sample_currency_csv/Financial Sample.csv")
    rows = read_upload(data, name).sheets[0].rows
    for country in sorted(set(rows["Country"])):
        make_account(db, name=country, currency="USD")
    mapping = {h: None for h in rows.columns} | {"Country": "account", "Date": "month", "Profit": "amount"}
    first = stage(rows, "revenue", mapping)
    assert first.ambiguous_dates == ["month"]
    s = stage(rows, "revenue", mapping, date_order="mdy")
    preview = preview_import(db, s)
    assert preview.ok and preview.counts["create"] == 700
    apply_file(db, s, data)
    months = {m.month for (m,) in db.rows("SELECT DISTINCT month FROM revenue")}
    assert months == {int(n) for n in rows["Month Number"]}   # June is June, not January
    assert (s.values["amount"] < 0).sum() > 0   # " $(4,533.75)" rows entered the sums negative
    total = db.value("SELECT sum(amount) FROM revenue")
    raw = rows["Profit"].str.strip().str.replace(r"[$,\s]", "", regex=True)
    expected = sum(-float(v[1:-1]) if v.startswith("(") else (0.0 if v == "-" else float(v)) for v in raw)
    assert float(total) == pytest.approx(expected, abs=0.01)


def test_the_salesforce_export_imports_as_accounts_keyed_by_its_ids_and_reimports_unchanged(db, sample):
    data, name = sample("03_salesforce_devorg_export/Account.csv")
    rows = read_upload(data, name).sheets[0].rows
    mapping = suggest_mapping(list(rows.columns), "accounts")
    s = stage(rows, "accounts", mapping, {"currency": "USD"})
    preview = preview_import(db, s)
    assert preview.ok, preview.errors
    assert preview.match_on == ("external_id",) and preview.records["create"] == 14
    apply_file(db, s, data)
    edge = db.record("SELECT * FROM accounts WHERE name = 'Edge Communications'")
    assert edge["external_id"] == rows.loc[rows["Name"] == "Edge Communications", "Id"].iloc[0]
    assert edge["industry"] == "Electronics" and edge["tier"] == "standard"
    assert preview_import(db, s).records == {"create": 0, "update": 0, "unchanged": 14}


def test_maven_accounts_import_with_sector_as_industry_and_office_as_country(db, sample):
    data, name = sample("01_maven_crm/accounts.csv")
    rows = read_upload(data, name).sheets[0].rows
    s = stage(rows, "accounts", suggest_mapping(list(rows.columns), "accounts"), {"currency": "USD"})
    result = apply_file(db, s, data)
    assert (result.created, result.rejected) == (85, 0)
    assert db.rows("SELECT industry, country FROM accounts WHERE name = 'Acme Corporation'") == [
        ("technolgy", "United States")]   # a misspelling is kept as written: only case and
    # spacing take a stored spelling (tests/importing/test_category_spelling.py)


def test_an_unmapped_required_field_is_said_once_and_every_row_names_it(db):
    s = staged("revenue", ["Customer", "Sales"], [["Acme", "1"]])
    assert "Month is required but no column is mapped to it (and no constant is given)." in s.notes
    preview = preview_import(db, s)
    assert ["Month (not in the file)", "is required but empty"] in preview.errors[["column", "reason"]].values.tolist()


def test_the_progress_callback_hears_each_step_in_order_and_ends_at_one(db):
    make_account(db, name="Acme")
    heard: list[tuple[float, str]] = []
    apply_import(db, SYSTEM, staged("revenue", ["Customer", "Month", "Sales"],
                                    [["Acme", "2026-01", "1"], ["Acme", "2026-02", "2"]]),
                 file_name="f.csv", digest="progress", progress=lambda f, what: heard.append((f, what)))
    fractions = [f for f, _ in heard]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert heard[0][1] == "Checking 2 rows" and ("Creating 2 records" in [w for _, w in heard])


def test_rows_sharing_a_row_number_each_report_their_own_cell_as_written(db):
    """An unpivoted wide sheet gives one row per month cell, all with the sheet's row number:
    an error names the cell that is wrong, not another month's, and a number too large to
    store is that, not also an empty cell."""
    make_account(db, name="Acme", currency="USD")
    frame = sheet_rows(REVENUE, [["Acme", "2026-01", "10"], ["Acme", "2026-02", "9e40"],
                                 ["Acme", "2026-03", "30"]])
    frame.index = [4, 4, 4]
    preview = preview_import(db, stage(frame, "revenue", {"Customer": "account", "Month": "month",
                                                           "Sales": "amount"}))
    assert preview.errors[["row", "column", "value", "reason"]].values.tolist() == [
        [4, "Sales", "9e40", "is too large"]]
    # each month of the sheet's row 4 is a record of its own: only February's is in error
    assert preview.counts == {"create": 2, "update": 0, "unchanged": 0, "error": 1}


def test_a_wide_target_sheet_imports_the_good_months_of_a_row_with_one_bad_cell(db):
    acme = make_account(db, name="Acme", currency="USD")
    make_account(db, name="Bolt", currency="USD")
    data = (b"Account,Jan-26,Feb-26,Mar-26\nAcme,100,TBD,300\nBolt,5,TBD,TBD\n"
            b"Nobody plc,1,2,3\n")
    sheet = read_upload(data, "targets.csv").importable_sheets[0]
    s = stage(sheet.rows, "account_targets", suggest_mapping(sheet.header, "account_targets"),
              wide=sheet.wide)
    preview = preview_import(db, s)
    # a month's cell is named by its column; the unknown account is one cell of the file: one
    # line, though three months name it
    assert preview.errors[["row", "column", "value", "reason"]].values.tolist() == [
        [2, "Feb-26", "TBD", "not a number"],
        [3, "Feb-26", "TBD", "not a number"], [3, "Mar-26", "TBD", "not a number"],
        [4, "Account", "Nobody plc", "no account has this external id or name"]]
    assert preview.counts == {"create": 3, "update": 0, "unchanged": 0, "error": 6}
    assert apply_file(db, s, skip_bad_rows=True).created == 3
    assert db.rows("SELECT month, amount FROM account_targets WHERE account_id = ? ORDER BY month",
                   [acme]) == [(date(2026, 1, 1), Decimal("100.00")), (date(2026, 3, 1), Decimal("300.00"))]
