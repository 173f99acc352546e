"""Periods given as two columns, as finance and ERP exports give them: Year | Month (2025 | 3),
Fiscal Year | Period, Jahr | Monat (2025 | März), Anno | Mese. Real CSV and XLSX files, read
as an upload is, mapped as suggested and staged as the Import page stages them."""
from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
import xlsxwriter

from lib.importing import (parse_date, preview_import, stage, suggest_entity, suggest_mapping,
                           template, template_xlsx, years)
from tests.builders import make_account
from tests.importing.pipeline_helpers import apply_file, stored_revenue, upload


def _csv(tmp_path, name: str, lines: list[str], encoding: str = "utf-8"):
    """The lines written as a file under `name`, read back as an upload: its first sheet."""
    return upload(tmp_path, name, ("\r\n".join(lines) + "\r\n").encode(encoding)).sheets[0]


def _xlsx(tmp_path, rows: list[list], name: str = "periods.xlsx"):
    """Rows written with xlsxwriter (str as text cells, int/float as number cells), read back."""
    path = tmp_path / name
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Data")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            (sheet.write_string if isinstance(value, str) else sheet.write_number)(r, c, value)
    book.close()
    return upload(tmp_path, name, path.read_bytes()).sheets[0]


def _staged(sheet, entity: str = "revenue", **options):
    """Staged with the suggested mapping and the sheet's own reading, as the Import page does."""
    mapping = suggest_mapping(list(sheet.rows.columns), entity, sheet.rows)
    return stage(sheet.rows, entity, mapping, wide=sheet.wide, beyond_header=sheet.beyond_header,
                 date1904=sheet.date1904, delimiter=sheet.delimiter,
                 excel_numbers=sheet.excel_numbers, **options)


def _months(s) -> dict[int, str | None]:
    """Row in the file -> the month read (None where there is none)."""
    return {int(r): (None if m is None or m != m else f"{m:%Y-%m}")
            for r, m in zip(s.values["_row"], s.values["month"])}


def _errors(db, s) -> list[dict]:
    return preview_import(db, s).errors[["row", "column", "value", "reason"]].to_dict("records")


# ---- the period as Year | Month ---------------------------------------------------------------

def test_a_finance_export_with_year_and_month_columns_imports_each_row_into_its_month(db, tmp_path):
    acme, beta = make_account(db, name="Acme Ltd"), make_account(db, name="Beta GmbH")
    sheet = _csv(tmp_path, "revenue_by_period.csv", [
        "Customer,Year,Month,Revenue", "Acme Ltd,2024,12,100.00", "Acme Ltd,2025,1,200.00",
        "Acme Ltd,2025,03,300.00", "Beta GmbH,2025,Mar,400.00", "Beta GmbH,2025,March,50.00",
        "Beta GmbH,2024,Dec,75.00"])
    headers = list(sheet.rows.columns)
    assert suggest_mapping(headers, "revenue", sheet.rows) == {
        "Customer": "account", "Year": "year", "Month": "month", "Revenue": "amount"}
    assert suggest_entity(headers, sheet.rows).entity == "revenue"
    s = _staged(sheet)
    assert s.parse_errors.empty
    assert _months(s) == {2: "2024-12", 3: "2025-01", 4: "2025-03", 5: "2025-03", 6: "2025-03",
                          7: "2024-12"}
    assert ("Month ('Month') gives the month alone; each row's year was taken from 'Year' "
            "(12 and 2024 -> 2024-12).") in s.notes
    assert apply_file(db, s).created == 5
    assert stored_revenue(db) == [
        (acme, date(2024, 12, 1), Decimal("100.00"), "USD"),
        (acme, date(2025, 1, 1), Decimal("200.00"), "USD"),
        (acme, date(2025, 3, 1), Decimal("300.00"), "USD"),
        (beta, date(2024, 12, 1), Decimal("75.00"), "USD"),
        (beta, date(2025, 3, 1), Decimal("450.00"), "USD")]   # Mar and March: one month, summed


def test_a_german_export_with_jahr_and_monat_reads_maerz_and_the_other_german_months(tmp_path):
    sheet = _csv(tmp_path, "umsatz.csv", [
        "Kunde;Jahr;Monat;Umsatz", "Acme GmbH;2025;Januar;1.234,50", "Acme GmbH;2025;März;980,00",
        "Acme GmbH;2025;Mai;10,00", "Acme GmbH;2024;Dezember;5,00", "Acme GmbH;2025;Okt.;7,00"],
        encoding="cp1252")
    mapping = suggest_mapping(list(sheet.rows.columns), "revenue", sheet.rows)
    assert mapping == {"Kunde": "account", "Jahr": "year", "Monat": "month", "Umsatz": "amount"}
    s = _staged(sheet)
    assert s.parse_errors.empty and not s.questions
    assert _months(s) == {2: "2025-01", 3: "2025-03", 4: "2025-05", 5: "2024-12", 6: "2025-10"}
    assert s.values["amount"].tolist() == [1234.5, 980.0, 10.0, 5.0, 7.0]


def test_an_italian_export_with_anno_and_mese_reads_its_month_names(tmp_path):
    sheet = _csv(tmp_path, "fatturato.csv", [
        "Cliente,Anno,Mese,Fatturato", "Acme SpA,2025,gennaio,10", "Acme SpA,2025,mag,20",
        "Acme SpA,2025,Settembre,30", "Acme SpA,2025,dic,40"])
    s = _staged(sheet)
    assert s.columns["year"] == "Anno" and s.columns["month"] == "Mese"
    assert _months(s) == {2: "2025-01", 3: "2025-05", 4: "2025-09", 5: "2025-12"}


@pytest.mark.parametrize("headers", [
    ["Customer", "Year", "Month", "Revenue"], ["Kunde", "Jahr", "Monat", "Umsatz"],
    ["Customer", "Fiscal Year", "Period", "Net Sales"], ["Client", "Année", "Mois", "Montant"],
    ["Cliente", "Año", "Mes", "Importe"], ["Klant", "Boekjaar", "Maand", "Omzet"],
    ["Company", "FY", "Period", "Revenue"], ["Kunde", "Geschäftsjahr", "Periode", "Umsatz"],
    ["Customer", "Year of Order Date", "Month of Order Date", "Sales"]])
def test_year_and_month_headers_in_their_usual_spellings_and_languages_map_to_year_and_month(headers):
    mapping = suggest_mapping(headers, "revenue")
    assert (mapping[headers[1]], mapping[headers[2]]) == ("year", "month")
    assert suggest_entity(headers).entity == "revenue"


def test_a_budgets_file_with_fiscal_year_and_period_columns_stores_each_period_as_its_month(db, tmp_path):
    acme = make_account(db, name="Acme Ltd")
    sheet = _csv(tmp_path, "budget_fy25.csv", [
        "Account,Fiscal Year,Period,Cost Center,Budget,Actual",
        "Acme Ltd,2025,1,Marketing,5000,4200", "Acme Ltd,2025,2,Marketing,5000,5100",
        "Acme Ltd,2025,2,Travel,800,"])
    s = _staged(sheet, "budgets")
    assert s.columns["year"] == "Fiscal Year" and s.columns["month"] == "Period"
    assert s.parse_errors.empty
    # Period 1 of a fiscal year is January only if the fiscal year starts then: the file cannot say
    assert any(n.startswith("'Fiscal Year' may count fiscal years; they were read as calendar "
                            "years") for n in s.notes)
    assert apply_file(db, s).created == 3
    stored = db.rows("SELECT account_id, category, month, budget, spend FROM budgets ORDER BY 3, 2")
    assert stored == [
        (acme, "marketing", date(2025, 1, 1), Decimal("5000.00"), Decimal("4200.00")),
        (acme, "marketing", date(2025, 2, 1), Decimal("5000.00"), Decimal("5100.00")),
        (acme, "travel", date(2025, 2, 1), Decimal("800.00"), Decimal("0.00"))]


def test_a_targets_file_with_year_and_month_columns_reads_each_target_month(tmp_path):
    sheet = _csv(tmp_path, "quota.csv", ["Account,Year,Month,Target", "Acme Ltd,2026,1,15000",
                                         "Acme Ltd,2026,2,15000"])
    s = _staged(sheet, "account_targets")
    assert s.parse_errors.empty and _months(s) == {2: "2026-01", 3: "2026-02"}


# ---- a workbook's number cells ------------------------------------------------------------------

def test_a_workbook_whose_year_and_month_are_number_cells_reads_them_as_a_year_and_a_month(tmp_path):
    sheet = _xlsx(tmp_path, [["Customer", "Year", "Month", "Revenue"],
                             ["Acme Ltd", 2025, 3, 1250.5], ["Acme Ltd", 2024.0, 12.0, 980],
                             ["Acme Ltd", 2025, 1, 10]])
    assert sheet.excel_numbers["Year"].all() and sheet.excel_numbers["Month"].all()
    assert sheet.rows["Month"].tolist() == ["3", "12", "1"]   # as the workbook reader writes them
    s = _staged(sheet)
    assert s.parse_errors.empty
    assert _months(s) == {2: "2025-03", 3: "2024-12", 4: "2025-01"}
    assert s.values["amount"].tolist() == [1250.5, 980.0, 10.0]


def test_years_and_months_written_as_numbers_with_a_point_zero_are_a_year_and_a_month(tmp_path):
    # A CSV saved by a tool that holds the columns as floats (pandas with an empty cell)
    sheet = _csv(tmp_path, "export.csv", ["Customer,Year,Month,Revenue", "Acme Ltd,2025.0,3.0,10",
                                          "Acme Ltd,FY2025,04,20", "Acme Ltd,FY24,Sept.,30"])
    assert _months(_staged(sheet)) == {2: "2025-03", 3: "2025-04", 4: "2024-09"}


# ---- rows whose month cannot be had -------------------------------------------------------------

def test_a_row_whose_year_is_not_a_year_is_an_error_naming_the_year_column_and_its_value(db, tmp_path):
    make_account(db, name="Acme Ltd")
    sheet = _csv(tmp_path, "periods.csv", [
        "Customer,Year,Month,Revenue", "Acme Ltd,2025,1,10", "Acme Ltd,2O25,2,20",
        "Acme Ltd,,3,30", "Acme Ltd,2025/26,4,40", "Acme Ltd,2025,5,50"])
    s = _staged(sheet)
    assert _months(s) == {2: "2025-01", 3: None, 4: None, 5: None, 6: "2025-05"}
    not_a_year = "is not a year: write it in four digits (2025)"
    assert _errors(db, s) == [
        {"row": 3, "column": "Year", "value": "2O25", "reason": not_a_year},
        {"row": 4, "column": "Year", "value": "", "reason": "is empty, so 'Month' (3) has no year"},
        {"row": 5, "column": "Year", "value": "2025/26", "reason": not_a_year}]
    assert preview_import(db, s).counts["create"] == 2


def test_a_month_written_with_its_own_year_must_be_in_the_year_columns_year(db, tmp_path):
    make_account(db, name="Acme Ltd")
    sheet = _csv(tmp_path, "periods.csv", [
        "Customer,Year,Month,Revenue", "Acme Ltd,2024,Mar 2025,10", "Acme Ltd,2025,2025-04,20",
        "Acme Ltd,2025,2024-05-31,30", "Acme Ltd,2025,6,40"])
    s = _staged(sheet)
    assert _months(s) == {2: None, 3: "2025-04", 4: None, 5: "2025-06"}
    assert _errors(db, s) == [
        {"row": 2, "column": "Month", "value": "Mar 2025",
         "reason": "is in 2025, but 'Year' says 2024: correct one of them"},
        {"row": 4, "column": "Month", "value": "2024-05-31",
         "reason": "is in 2024, but 'Year' says 2025: correct one of them"}]


def test_a_date_beside_a_fiscal_year_that_disagrees_says_the_fiscal_year_may_be_set_to_ignore(
        db, tmp_path):
    # A fiscal year that starts in April: 15 May 2024 is in FY2025, though not in 2025
    make_account(db, name="Acme Ltd")
    sheet = _csv(tmp_path, "postings.csv", ["Customer,Posting Date,Fiscal Year,Amount",
                                            "Acme Ltd,2024-05-15,2025,10"])
    s = _staged(sheet)
    assert (s.columns["month"], s.columns["year"]) == ("Posting Date", "Fiscal Year")
    assert _errors(db, s) == [{
        "row": 2, "column": "Posting Date", "value": "2024-05-15",
        "reason": "is in 2024, but 'Fiscal Year' says 2025: correct one of them (if 'Fiscal "
                  "Year' counts fiscal years, set it to Ignore: the month gives its own year)"}]


def test_a_year_given_for_the_whole_file_completes_each_month_alone(tmp_path):
    sheet = _csv(tmp_path, "months.csv", ["Customer,Month,Revenue", "Acme Ltd,3,10",
                                          "Acme Ltd,Apr,20"])
    s = _staged(sheet, constants={"year": "2025"})
    assert s.parse_errors.empty and _months(s) == {2: "2025-03", 3: "2025-04"}


def test_month_numbers_past_12_such_as_an_erps_closing_period_are_errors_not_next_year(db, tmp_path):
    make_account(db, name="Acme Ltd")
    sheet = _csv(tmp_path, "gl.csv", ["Customer,Fiscal Year,Period,Amount", "Acme Ltd,2025,012,10",
                                      "Acme Ltd,2025,013,20", "Acme Ltd,2025,0,30"])
    s = _staged(sheet)
    assert _months(s) == {2: "2025-12", 3: None, 4: None}
    not_a_month = "is not a month: months are numbered 1 to 12"
    assert _errors(db, s) == [
        {"row": 3, "column": "Period", "value": "013", "reason": not_a_month},
        {"row": 4, "column": "Period", "value": "0", "reason": not_a_month}]


def test_a_month_alone_without_a_year_column_is_an_error_saying_it_has_no_year(db, tmp_path):
    make_account(db, name="Acme Ltd")
    sheet = _csv(tmp_path, "months.csv", ["Customer,Month,Revenue", "Acme Ltd,3,10",
                                          "Acme Ltd,Mar,20", "Acme Ltd,2025-04,30"])
    s = _staged(sheet)
    assert _months(s) == {2: None, 3: None, 4: "2025-04"}
    no_year = ("names a month without its year: map the file's Year column to Year too, or write "
               "each month with its year (2025-03)")
    assert _errors(db, s) == [{"row": 2, "column": "Month", "value": "3", "reason": no_year},
                              {"row": 3, "column": "Month", "value": "Mar", "reason": no_year}]


def test_a_year_column_without_a_month_column_leaves_the_month_required(db, tmp_path):
    make_account(db, name="Acme Ltd")
    sheet = _csv(tmp_path, "years.csv", ["Customer,Year,Revenue", "Acme Ltd,2025,10"])
    s = _staged(sheet)
    assert s.columns["year"] == "Year" and "month" not in s.columns
    assert "Month is required but no column is mapped to it (and no constant is given)." in s.notes
    assert _errors(db, s) == [{"row": 2, "column": "Month (not in the file)", "value": None,
                               "reason": "is required but empty"}]


def test_a_targets_grid_whose_year_column_holds_totals_keeps_it_unmapped_and_imports(tmp_path):
    # The Targets page's grid: months across, then each quarter's and the year's total
    sheet = _csv(tmp_path, "targets.csv", ["Account,Jan 2026,Feb 2026,Mar 2026,Q1,Year",
                                           "Acme Ltd,100,100,100,300,300"])
    assert suggest_mapping(list(sheet.rows.columns), "account_targets", sheet.rows)["Year"] is None
    s = _staged(sheet, "account_targets")
    assert s.parse_errors.empty and "year" not in s.columns
    assert s.values["month"].dt.strftime("%Y-%m").tolist() == ["2026-01", "2026-02", "2026-03"]


# ---- how the work is done, and what the templates say ------------------------------------------

def test_the_cells_are_read_once_per_distinct_text_however_many_rows_repeat_them(monkeypatch):
    seen = {"month": 0, "year": 0}
    month_alone, year_of = years.month_alone, years.year_of

    def counted(name, read):
        def reading(text):
            seen[name] += 1
            return read(text)
        return reading
    monkeypatch.setattr(years, "month_alone", counted("month", month_alone))
    monkeypatch.setattr(years, "year_of", counted("year", year_of))
    n = 24_000
    frame = pd.DataFrame({
        "Customer": ["Acme Ltd"] * n, "Year": np.repeat(["2024", "2025"], n // 2).astype(object),
        "Month": np.tile([str(m) for m in range(1, 13)], n // 12).astype(object),
        "Revenue": ["1"] * n}, index=range(2, n + 2), dtype="str")
    s = stage(frame, "revenue", suggest_mapping(list(frame.columns), "revenue"))
    assert seen["month"] <= 13 and seen["year"] <= 2
    assert s.parse_errors.empty
    assert s.values["month"].dt.strftime("%Y-%m").value_counts().to_dict() == {
        f"{y}-{m:02d}": 1_000 for y in (2024, 2025) for m in range(1, 13)}


def test_the_templates_offer_the_year_as_an_optional_column_beside_the_required_month():
    header, example = (line.split(",") for line in template("revenue").decode().splitlines())
    assert header[header.index("Month") + 1] == "Year" and example[header.index("Year")] == ""
    with zipfile.ZipFile(io.BytesIO(template_xlsx("budgets"))) as z:
        notes = z.read("xl/comments1.xml").decode()
    assert "Optional. The year of a Month column that gives the month alone" in notes
    assert "Required. " in notes and "or give Year instead" not in notes


def test_a_date_cell_written_12_point_0_says_it_is_a_number_not_a_python_error():
    with pytest.raises(ValueError) as raised:
        parse_date("12.0")
    assert str(raised.value).startswith("a number, not a date")
