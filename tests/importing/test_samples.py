"""The real exported spreadsheets in shared/samples read the way a person would expect."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from lib.importing import (ImportFileError, detect_date_order, parse_date, parse_date_series,
                           parse_number, parse_number_series, read_upload, suggest_category)


def test_maven_crm_files_read_with_their_row_counts_and_keep_blank_cells_blank(sample):
    counts = {}
    for name in ("accounts", "sales_pipeline", "sales_teams", "products"):
        workbook = read_upload(*sample(f"01_maven_crm/{name}.csv"))
        counts[name] = len(workbook.sheets[0].rows)
    assert counts == {"accounts": 85, "sales_pipeline": 8800, "sales_teams": 35, "products": 7}
    deals = read_upload(*sample("01_maven_crm/sales_pipeline.csv")).sheets[0].rows
    assert (deals["account"] == "").sum() == 1425
    open_deals = deals[deals["deal_stage"].isin(["Engaging", "Prospecting"])]
    assert (open_deals["close_date"] == "").all() and len(open_deals) == 2089


def test_maven_typos_get_a_scored_suggestion_of_the_known_value(sample):
    accounts = read_upload(*sample("01_maven_crm/accounts.csv")).sheets[0].rows
    assert "technolgy" in set(accounts["sector"])
    typo = suggest_category("technolgy", ["Technology", "Medical", "Retail"])
    assert (typo.value, typo.exact) == ("Technology", False) and typo.score > 0.9
    products = read_upload(*sample("01_maven_crm/products.csv")).sheets[0].rows["product"]
    broken_key = suggest_category("GTXPro", list(products))
    assert broken_key.value == "GTX Pro" and broken_key.score > 0.9


def test_salesforce_export_keeps_multiline_addresses_in_one_field(sample):
    workbook = read_upload(*sample("03_salesforce_devorg_export/Account.csv"))
    rows = workbook.sheets[0].rows
    assert len(rows) == 14 and rows.shape[1] == 72
    edge = rows[rows["Name"] == "Edge Communications"].iloc[0]
    assert edge["BillingStreet"] == "312 Constitution Place\nAustin, TX 78767\nUSA"
    assert edge["BillingCity"] == "Austin"
    assert workbook.dialect.line_endings.startswith("mixed")
    assert parse_number(edge["AnnualRevenue"]) == 139_000_000.0
    assert parse_date(edge["CreatedDate"]) == datetime(2026, 9, 2, 22, 7, 23, tzinfo=timezone.utc)


def test_superstore_csv_is_read_as_windows_1252_without_mojibake(sample):
    workbook = read_upload(*sample("04_superstore_cp1252_csv/Sample - Superstore.csv"))
    assert workbook.encoding == "Windows-1252"
    rows = workbook.sheets[0].rows
    assert len(rows) == 9994
    names = set(rows["Product Name"])
    # 0x93/0x94 are curly quotes in Windows-1252 but 'ì'/'î' in Mac Roman; 0xA0 is a no-break space
    assert "Post-it “Important Message” Note Pad, Neon Colors, 50 Sheets/Pad" in names
    assert "Adams Telephone Message Books, 5 1/4” x 11”" in names
    assert any("Conference\u00a0phone" in n for n in names)
    assert not any(ch in n for n in names for ch in "îì†Ã")
    assert "Windows-1252" in workbook.notes[0]


def test_superstore_ship_dates_are_day_first_and_the_deciding_row_is_named(sample):
    rows = read_upload(*sample("04_superstore_cp1252_csv/Sample - Superstore.csv")).sheets[0].rows
    order = detect_date_order(rows["Ship Date"])
    assert (order.order, order.certain) == ("dmy", True)
    assert (order.deciding_row, order.deciding_value) == (4, "16/6/2016")  # row 4 in Excel
    assert rows.loc[4, "Order Date"] == "2016-06-12"   # the same file writes order dates ISO
    assert rows.loc[2, "Postal Code"] == "42420"       # kept as text; leading zeros are not invented


def test_financial_sample_money_parses_accounting_negatives_and_dash_zero(sample):
    rows = read_upload(*sample("07_financial_sample_currency_csv/Financial Sample.csv")).sheets[0].rows
    assert len(rows) == 700
    assert "Product" in rows.columns and "Sales" in rows.columns   # padded headers trimmed
    assert rows["Gross Sales"].iloc[0] == " $32,370.00 "          # cells stay as written
    assert parse_number(" $(4,533.75)") == -4533.75
    profit = parse_number_series(rows["Profit"])
    assert profit.ok
    negatives = rows["Profit"][rows["Profit"].str.contains(r"\(")]
    assert len(negatives) > 0 and (profit.values[negatives.index] < 0).all()
    discounts = parse_number_series(rows["Discounts"])
    assert rows["Discounts"].iloc[0] == " $-   " and discounts.values.iloc[0] == 0.0


def test_financial_sample_dates_are_reported_ambiguous_because_every_part_fits_both(sample):
    rows = read_upload(*sample("07_financial_sample_currency_csv/Financial Sample.csv")).sheets[0].rows
    parts = rows["Date"].str.split("/", expand=True).astype(int)
    assert set(parts[1]) == {1} and set(parts[0]) == set(range(1, 13))  # what the file really holds
    order = detect_date_order(rows["Date"])
    assert order.order is None and not order.certain
    assert "second part is always 1" in order.message
    unresolved = parse_date_series(rows["Date"])
    assert len(unresolved.error_rows) == 700               # never guessed silently
    answered = parse_date_series(rows["Date"], order="mdy")
    assert answered.ok and answered.values.loc[4].date() == date(2014, 6, 1)


def test_semicolon_targets_are_detected_and_the_unterminated_last_row_is_kept(sample):
    workbook = read_upload(*sample("08_sales_targets/Sales target (semicolon variant).csv"))
    assert workbook.dialect.delimiter == ";" and workbook.dialect.final_newline is False
    rows = workbook.sheets[0].rows
    assert len(rows) == 36
    assert list(rows.iloc[-1]) == ["Mar-19", "Electronics", "16000.00"]
    assert parse_date(rows.iloc[0]["Month of Order Date"]) == date(2018, 4, 1)


def test_comma_targets_have_category_drift_that_normalises_to_known_values(sample):
    rows = read_upload(*sample("08_sales_targets/Sales target.csv")).sheets[0].rows
    assert "  FURNITURE" in set(rows["Category"])
    drift = suggest_category("  FURNITURE", ["Furniture", "Clothing", "Electronics"])
    assert (drift.value, drift.exact, drift.score) == ("Furniture", True, 1.0)


def test_budget_workbook_drops_titles_and_totals_and_unpivots_months(sample):
    workbook = read_upload(*sample("09_budgets_xlsx/AdventureWorks_Budget.xlsx"))
    budget = workbook.sheet("Budget")
    assert budget.kind == "wide" and budget.header_row == 4
    dropped = {(d.row_number, d.reason) for d in budget.dropped_rows}
    assert dropped == {(1, "title row above the header"), (2, "title row above the header"),
                       (3, "title row above the header"), (13, "total row"), (17, "total row"),
                       (24, "total row"), (25, "total row")}
    assert [(c.column, c.header) for c in budget.dropped_columns] == [("Q", "Grand Total")]
    assert list(budget.rows.columns) == ["Category", "Subcategory", "ProductName", "ProductKey",
                                         "period", "value"]
    assert len(budget.rows) == 17 * 12
    first = budget.rows.loc[5]
    assert list(first["period"])[:2] == ["2016-01-01", "2016-02-01"]
    assert list(first["value"])[:2] == ["1131", "2635"]
    assert budget.wide.period_columns["Jan, 2016"] == date(2016, 1, 1)
    assert any("Months run across the columns" in n for n in budget.notes)


def test_budget_workbook_says_its_two_sheets_hold_the_same_data(sample):
    workbook = read_upload(*sample("09_budgets_xlsx/AdventureWorks_Budget.xlsx"))
    assert [s.name for s in workbook.importable_sheets] == ["Budget", "Sheet1"]
    for name in ("Budget", "Sheet1"):
        note = next(n for n in workbook.sheet(name).notes if "hold the same data" in n)
        assert "import only one of them" in note and "'Sheet1' is the cleaner copy" in note
    assert workbook.sheet("Budget").rows.equals(workbook.sheet("Sheet1").rows.set_axis(
        workbook.sheet("Budget").rows.index))


def test_pivot_only_workbook_is_explained_not_imported(sample):
    with pytest.raises(ImportFileError) as refused:
        read_upload(*sample("11_edgecase_pivot_only_xlsx/Opportunity Tracking Sample no PV.xlsx"))
    message = str(refused.value)
    assert message.startswith("This workbook's data is only in a pivot table; export the source data")
    assert "Sheet 'Info' holds notes" in message and "Sheet 'Sheet1' is a pivot table" in message


def test_a_workbook_named_csv_is_read_as_a_workbook_with_its_orders(sample):
    workbook = read_upload(*sample("12_edgecase_xlsx_named_csv/Sample - Superstore.csv"))
    assert workbook.format == "xlsm"   # an XLSX container that also carries a VBA project
    assert any("is an Excel workbook despite its name" in n for n in workbook.notes)
    assert any("macros were ignored" in n for n in workbook.notes)
    orders = workbook.sheet("Orders")
    assert len(orders.rows) == 9994 and orders.rows.loc[2, "Order Date"] == "2016-11-08"
    assert orders.rows.loc[2, "Row ID"] == "1" and orders.rows.loc[2, "Sales"] == "261.96"
    assert [s.name for s in workbook.sheets] == ["Orders", "Returns", "People"]


def test_superstore_xlsx_sheets_are_told_apart(sample):
    workbook = read_upload(*sample("06_superstore_xlsx/Sample - Superstore.xlsx"))
    sizes = {s.name: len(s.rows) for s in workbook.sheets}
    assert sizes == {"Orders": 9994, "Returns": 296, "People": 4}
    assert workbook.sheet("People").rows.loc[2].tolist() == ["Anna Andreadi", "West"]
    assert not any("same data" in n for s in workbook.sheets for n in s.notes)
