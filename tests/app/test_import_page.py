"""Import page: upload, map, preview, import in strict or lenient mode, and undo a batch."""
import os
from datetime import date
from decimal import Decimal

import pytest
from streamlit.testing.v1 import AppTest

from lib.auth import create_first_admin
from lib.importing import ENTITIES
from tests.app.conftest import app_db, no_errors, sign_in
from tests.conftest import DIRECTOR, MANAGER

PAGE = "pages/import_page.py"
BRIGHTWATER = "Brightwater Logistics Inc."   # demo accounts, USD and EUR
LINDQVIST = "Lindqvist Retail GmbH"
GOOD_CSV = (f'Customer,Month,Sales\n{BRIGHTWATER},2027-01,"12,500.00"\n'
            f'{BRIGHTWATER},2027-02,"$(1,200.00)"\n{LINDQVIST},2027-01,800\n').encode()
BAD_CSV = (f"Customer,Month,Sales\n{BRIGHTWATER},2027-03,100\n"
           "Nobody At All plc,2027-03,200\n").encode()


def _open(at, email=DIRECTOR):
    return sign_in(at, email).switch_page(PAGE).run()


def _upload(at, name: str, data: bytes, mime: str = "text/csv"):
    at.file_uploader[0].upload(name, data, mime).run()
    return at


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _revenue_2027():
    return app_db().rows(
        "SELECT a.name, r.month, r.amount, r.import_batch_id FROM revenue r "
        "JOIN accounts a ON a.id = r.account_id WHERE r.month >= DATE '2027-01-01' ORDER BY 1, 2")


def _import(at):
    at.button(key="import_apply").click().run()
    return at


def test_the_page_renders_for_a_director_with_uploader_history_and_templates(demo_app):
    at = _open(demo_app)
    no_errors(at)
    assert at.title[0].value == "Import"
    assert at.file_uploader[0].accept_multiple_files
    assert any("MB per file" in c.value for c in at.caption)
    assert any("Nothing has been imported yet" in i.value for i in at.info)
    labels = [b.label for b in at.get("download_button")]
    assert labels[:4] == ["Revenue", "Accounts", "Invoices", "Payments"]
    # a CSV and an Excel template for every entity
    assert labels == [spec.label for spec in ENTITIES.values()] * 2
    assert at.download_button(key="import_template_interactions_xlsx").label == "Interactions"


def test_a_manager_is_refused(demo_app):
    at = _open(demo_app, MANAGER)
    assert "You are not allowed to open Import" in at.error[0].value
    assert not at.file_uploader


def test_a_revenue_file_shows_its_preview_and_importing_writes_the_rows_in_one_batch(demo_app):
    at = _upload(_open(demo_app), "january.csv", GOOD_CSV)
    no_errors(at)
    assert _entity(at).value == "revenue"
    assert _metrics(at) == {"Rows to create": "3", "Rows to update": "0", "Rows unchanged": "0",
                            "Rows with errors": "0"}
    assert at.button(key="import_apply").label == "Import 3 rows"
    _import(at)
    no_errors(at)
    assert "Imported as batch" in at.success[0].value and "3 created" in at.success[0].value
    rows = _revenue_2027()
    batch = app_db().value("SELECT max(id) FROM import_batches")
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (BRIGHTWATER, date(2027, 1, 1), Decimal("12500.00")),
        (BRIGHTWATER, date(2027, 2, 1), Decimal("-1200.00")),
        (LINDQVIST, date(2027, 1, 1), Decimal("800.00"))]
    assert {r[3] for r in rows} == {batch}
    assert app_db().value("SELECT file_name FROM import_batches WHERE id = ?", [batch]) == "january.csv"
    # the history lists the batch; the uploader is empty again
    assert at.dataframe[-1].value["Batch"].tolist()[0] == batch
    assert not at.metric


def test_an_unknown_account_is_an_error_with_its_row_and_strict_mode_writes_nothing(demo_app):
    at = _upload(_open(demo_app), "march.csv", BAD_CSV)
    no_errors(at)
    assert _metrics(at)["Rows with errors"] == "1"
    errors = next(d.value for d in at.dataframe if "Reason" in d.value.columns)
    assert errors.to_dict("records") == [{"Row in file": 3, "Column": "Customer",
                                          "Value": "Nobody At All plc",
                                          "Reason": "no account has this external id or name"}]
    assert any("nothing is imported while any row is bad" in w.value for w in at.warning)
    _import(at)
    assert "nothing was imported" in at.error[0].value
    assert _revenue_2027() == []
    assert app_db().value("SELECT count(*) FROM import_batches") == 0
    # skipping the bad row imports the good one
    at.checkbox(key="import_skip").check().run()
    _import(at)
    no_errors(at)
    assert "1 row skipped" in at.success[0].value
    assert [(r[0], r[2]) for r in _revenue_2027()] == [(BRIGHTWATER, Decimal("100.00"))]


def test_a_wide_target_sheet_names_a_bad_months_column_and_imports_the_other_months(demo_app):
    data = (f"Account,Jan-27,Feb-27,Mar-27\n{BRIGHTWATER},100,TBD,300\n").encode()
    at = _upload(_open(demo_app), "targets.csv", data)
    _entity(at).select("account_targets").run()
    no_errors(at)
    errors = next(d.value for d in at.dataframe if "Reason" in d.value.columns)
    assert errors.to_dict("records") == [{"Row in file": 2, "Column": "Feb-27", "Value": "TBD",
                                          "Reason": "not a number"}]
    assert _metrics(at)["Rows to create"] == "2"


def test_undoing_a_batch_removes_the_rows_it_created(demo_app):
    at = _import(_upload(_open(demo_app), "january.csv", GOOD_CSV))
    batch = app_db().value("SELECT max(id) FROM import_batches")
    assert len(_revenue_2027()) == 3
    at.selectbox(key="import_undo_pick").select(batch).run()
    at.button(key="import_undo").click().run()
    assert "Tick the box" in at.error[0].value and len(_revenue_2027()) == 3
    at.checkbox(key="import_undo_sure").check().run()
    at.button(key="import_undo").click().run()
    no_errors(at)
    assert f"Batch {batch} was undone: 3 records removed" in at.success[0].value
    assert _revenue_2027() == []
    assert app_db().value("SELECT undone_at FROM import_batches WHERE id = ?", [batch]) is not None


def test_binary_garbage_gives_a_clear_error_and_no_exception(demo_app):
    at = _upload(_open(demo_app), "export.csv", os.urandom(4096), "application/octet-stream")
    assert not at.exception
    assert "is not text and not a workbook" in at.error[0].value
    assert not at.metric and not at.selectbox


@pytest.mark.parametrize("dates, doubt, answers, answer, months", [
    (("3/4/2027", "5/6/2027"), "All 2 dates fit both day/month and month/day",
     ["Day first (31/01/2026)", "Month first (01/31/2026)"], "dmy", [date(2027, 4, 1), date(2027, 6, 1)]),
    # a two-digit year that may come first: day first, or year first
    (("27/03/14", "27/06/14"), "fit both day/month/year and year/month/day",
     ["Day first (31/01/2026)", "Year first (26/01/31)"], "ymd", [date(2027, 3, 1), date(2027, 6, 1)]),
])
def test_ambiguous_dates_are_asked_before_the_preview(demo_app, dates, doubt, answers, answer, months):
    data = "".join(["Customer,Date,Sales\n"] + [f"{BRIGHTWATER},{d},10\n" for d in dates]).encode()
    at = _upload(_open(demo_app), "dates.csv", data)
    no_errors(at)
    assert not at.metric
    assert doubt in at.warning[0].value
    question = _radio(at, "import_order_")
    assert question.options == answers
    question.set_value(answer).run()
    no_errors(at)
    assert _metrics(at)["Rows to create"] == "2"
    _import(at)
    assert [r[1] for r in _revenue_2027()] == months


def test_a_sheet_named_after_a_month_fills_in_the_month_no_column_gives(demo_app):
    from tests.importing.conftest import xlsx_from_rows
    data = xlsx_from_rows({"Mar 2027": [["Customer", "Revenue"], [BRIGHTWATER, 100]]})
    at = _upload(_open(demo_app), "monthly.xlsx", data,
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    no_errors(at)
    assert next(s for s in at.selectbox if s.label == "What the file holds").value == "revenue"
    month = next(t for t in at.text_input if t.label == "Month for the whole file")
    assert month.value == "2027-03" and "Filled in from the sheet's name, 'Mar 2027'" in month.help
    assert _metrics(at)["Rows to create"] == "1"


def test_dates_that_contradict_each_other_are_named_before_the_order_is_asked(demo_app):
    data = f"Customer,Date,Sales\n{BRIGHTWATER},13/4/2027,10\n{BRIGHTWATER},5/16/2027,20\n".encode()
    at = _upload(_open(demo_app), "dates.csv", data)
    no_errors(at)
    assert "row 2 ('13/4/2027') is day-first but row 3 ('5/16/2027') is month-first" in at.warning[0].value
    assert any(r.key.startswith("import_order_") for r in at.radio) and not at.metric


def test_the_page_renders_on_an_empty_database_for_its_first_admin(empty_app):
    empty_app.run()
    create_first_admin(app_db(), "ada@example.com", "Ada Admin", "correct horse battery")
    at = sign_in(AppTest.from_file(empty_app._script_path, default_timeout=60),
                 "ada@example.com", "correct horse battery")
    at.switch_page(PAGE).run()
    no_errors(at)
    assert at.title[0].value == "Import"
    assert any("Nothing has been imported yet" in i.value for i in at.info)


def _entity(at):
    return next(s for s in at.selectbox if str(s.key).startswith("import_entity_"))


def _xlsx(sheets: dict[str, list[list]]) -> bytes:
    import io

    import xlsxwriter
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    book.close()
    return out.getvalue()


def test_a_workbook_with_several_sheets_asks_which_one_and_lists_the_rest(demo_app):
    data = _xlsx({
        "Read me": [["This workbook holds our monthly revenue export."]],
        "Revenue": [["Customer", "Month", "Sales"], [BRIGHTWATER, "2027-01", 10],
                    [BRIGHTWATER, "2027-02", 20]],
        "Accounts": [["Account Name", "Country", "Currency"], ["Nova Traders", "FR", "EUR"]],
    })
    at = _upload(_open(demo_app), "export.xlsx", data,
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    no_errors(at)
    sheet = next(s for s in at.selectbox if str(s.key).startswith("import_sheet_"))
    assert sheet.options == ["Revenue (2 rows)", "Accounts (1 row)"]
    assert _metrics(at)["Rows to create"] == "2"
    sheet.select(1).run()
    no_errors(at)
    assert _entity(at).value == "accounts"
    assert _metrics(at)["Rows to create"] == "1"
    assert any("Read me" in str(d.value.get("Sheet", "")) for d in at.dataframe)


def test_the_same_file_again_is_noticed_and_needs_a_tick_to_import_again(demo_app):
    at = _import(_upload(_open(demo_app), "january.csv", GOOD_CSV))
    _upload(at, "january copy.csv", GOOD_CSV)
    no_errors(at)
    assert any("already imported as batch" in w.value for w in at.warning)
    assert _metrics(at)["Rows unchanged"] == "3"
    assert at.button(key="import_apply").disabled
    next(c for c in at.checkbox if str(c.key).startswith("import_again_")).check().run()
    _import(at)
    no_errors(at)
    assert "3 unchanged" in at.success[0].value


def test_a_remembered_mapping_fills_in_the_columns_of_the_next_file_with_them(demo_app):
    data = f"Client Ref,Period,Euros\n{LINDQVIST},2027-01,5\n".encode()
    at = _upload(_open(demo_app), "one.csv", data)
    mapping = [s for s in at.selectbox if str(s.key).startswith("import_map_")]
    assert [s.value for s in mapping] == [None, "month", None]
    mapping[0].select("account").run()
    next(s for s in at.selectbox if str(s.key).endswith("_2")).select("amount").run()
    next(t for t in at.text_input if str(t.key).endswith("_currency")).input("EUR").run()
    _import(at)
    no_errors(at)
    at = _upload(at, "two.csv", f"Client Ref,Period,Euros\n{LINDQVIST},2027-02,7\n".encode())
    no_errors(at)
    assert [s.value for s in at.selectbox if str(s.key).startswith("import_map_")] == [
        "account", "month", "amount"]
    assert next(t for t in at.text_input if str(t.key).endswith("_currency")).value == "EUR"
    assert _metrics(at)["Rows to create"] == "1"


def test_an_undo_that_would_lose_a_later_change_is_refused_in_words(demo_app):
    at = _import(_upload(_open(demo_app), "january.csv", GOOD_CSV))
    first = app_db().value("SELECT max(id) FROM import_batches")
    _import(_upload(at, "fix.csv", f"Customer,Month,Sales\n{BRIGHTWATER},2027-01,13000\n".encode()))
    assert "1 updated" in at.success[0].value
    at.selectbox(key="import_undo_pick").select(first).run()
    at.checkbox(key="import_undo_sure").check().run()
    at.button(key="import_undo").click().run()
    assert not at.exception
    assert "Nothing was saved" in at.error[0].value, at.error[0].value
    assert len(_revenue_2027()) == 3


def _box(at, prefix: str):
    return next(c for c in at.checkbox if c.key and c.key.startswith(prefix))


def _radio(at, prefix: str):
    return next(r for r in at.radio if r.key and r.key.startswith(prefix))


def test_ticking_create_missing_lists_the_new_account_and_importing_creates_it(demo_app):
    at = _upload(_open(demo_app), "march.csv", BAD_CSV)
    assert _metrics(at)["Rows with errors"] == "1"
    _box(at, "import_create_missing_").check().run()
    no_errors(at)
    assert _metrics(at)["Rows with errors"] == "0"
    assert any(m.value == "**Will be created: 1 account**" for m in at.markdown)
    assert any(c.value == "Nobody At All plc" for c in at.caption)
    _import(at)
    no_errors(at)
    assert "2 created" in at.success[0].value
    assert app_db().value("SELECT count(*) FROM accounts WHERE name = 'Nobody At All plc'") == 1
    # undoing the batch removes the account it created
    batch = app_db().value("SELECT max(id) FROM import_batches")
    at.selectbox(key="import_undo_pick").select(batch).run()
    at.checkbox(key="import_undo_sure").check().run()
    at.button(key="import_undo").click().run()
    no_errors(at)
    assert app_db().value("SELECT count(*) FROM accounts WHERE name = 'Nobody At All plc'") == 0


def test_a_team_file_is_recognised_as_managers_and_imports_with_its_boss(demo_app):
    team = b"Full Name,Job Title,Reports To,Employee Id\nAda New,Key Account Manager,Bo New,X-1\n" \
           b"Bo New,Account Director,,X-2\n"
    at = _upload(_open(demo_app), "team.csv", team)
    no_errors(at)
    assert _entity(at).value == "managers"
    assert _metrics(at)["Rows to create"] == "2"
    _import(at)
    no_errors(at)
    assert app_db().value("SELECT b.name FROM account_managers m JOIN account_managers b "
                          "ON b.id = m.reports_to WHERE m.name = 'Ada New'") == "Bo New"


def test_a_large_file_draws_the_first_rows_of_each_preview_table_and_offers_all_of_them(demo_app):
    from lib.ui_import import SHOWN
    months = [f"{y}-{m:02d}" for y in range(2040, 2140) for m in range(1, 13)][:SHOWN + 200]
    good = "".join(f"{BRIGHTWATER},{m},100\n" for m in months)
    bad = "".join(f"Nobody At All plc,{m},1\n" for m in months)
    at = _upload(_open(demo_app), "big.csv", f"Customer,Month,Sales\n{good}{bad}".encode())
    no_errors(at)
    assert _metrics(at)["Rows to create"] == f"{SHOWN + 200:,}"
    errors = next(t.value for t in at.dataframe if "Reason" in t.value)
    rows = next(t.value for t in at.dataframe if "Action" in t.value)
    assert len(errors) == SHOWN and len(rows) == SHOWN
    assert rows["Row in file"].tolist()[:2] == [2, 3]      # the first rows, in file order
    captions = [c.value for c in at.caption]
    assert f"The first {SHOWN:,} of {2 * (SHOWN + 200):,} rows are shown here; the download has them all." in captions
    assert f"The first {SHOWN:,} of {SHOWN + 200:,} errors are shown here; the download has them all." in captions
    labels = [b.label for b in at.get("download_button")]
    assert f"Download all {2 * (SHOWN + 200):,} rows (CSV)" in labels
    assert f"Download the {SHOWN + 200:,} errors (CSV)" in labels


def test_amounts_like_12_500_are_asked_about_and_a_decimal_comma_reads_them_as_thousands(demo_app):
    data = f"Customer,Month,Sales\n{LINDQVIST},2027-01,12.500\n{LINDQVIST},2027-02,800\n".encode()
    at = _upload(_open(demo_app), "umsatz.csv", data)
    no_errors(at)
    assert not at.metric
    assert "Values like '12.500' (row 2) could have a decimal point (12.5)" in at.warning[0].value
    _radio(at, "import_decimal_").set_value(",").run()
    no_errors(at)
    _import(at)
    assert [(r[1], r[2]) for r in _revenue_2027()] == [(date(2027, 1, 1), Decimal("12500.00")),
                                                     (date(2027, 2, 1), Decimal("800.00"))]


def test_a_sheet_named_by_its_month_alone_takes_the_year_from_the_file_name(demo_app):
    from tests.importing.conftest import xlsx_from_rows
    data = xlsx_from_rows({"Mar": [["Customer", "Revenue"], [BRIGHTWATER, 100]]})
    at = _upload(_open(demo_app), "Revenue 2027.xlsx", data,
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    no_errors(at)
    month = next(t for t in at.text_input if t.label == "Month for the whole file")
    assert month.value == "2027-03"
    assert "Filled in from the sheet's name, 'Mar', and 2027 from the file's name or title" in month.help


def test_a_file_that_raises_both_questions_shows_the_preview_once_both_are_answered(demo_app):
    data = (f"Customer,Date,Sales\n{LINDQVIST},3/4/2027,12.500\n{LINDQVIST},5/6/2027,800\n").encode()
    at = _upload(_open(demo_app), "both.csv", data)
    no_errors(at)
    assert "Answer the questions above to see the preview." in [i.value for i in at.info]
    assert not at.metric
    _radio(at, "import_order_").set_value("dmy").run()
    assert "Answer the question above to see the preview." in [i.value for i in at.info]
    _radio(at, "import_decimal_").set_value(",").run()
    no_errors(at)
    _import(at)
    assert [(r[1], r[2]) for r in _revenue_2027()] == [(date(2027, 4, 1), Decimal("12500.00")),
                                                     (date(2027, 6, 1), Decimal("800.00"))]


def test_a_payments_file_mapped_to_stripes_own_ids_names_the_column_with_the_invoice_numbers(demo_app):
    number = app_db().value("SELECT max(invoice_number) FROM invoices")
    csv = ("id,Created (UTC),Amount,Status,Invoice ID,Invoice Number (metadata)\n"
           f"ch_1,2026-11-02,10.00,Paid,in_1Nx,{number}\n").encode()
    at = _upload(_open(demo_app), "unified_payments.csv", csv)
    no_errors(at)
    assert any("'Invoice Number (metadata)' names existing invoices" in i.value
               and "map 'Invoice Number (metadata)' to Invoice number instead" in i.value
               for i in at.info)


def test_a_summarys_customers_under_an_empty_header_are_mapped_to_the_account_on_the_page(demo_app):
    csv = ("Sales by Customer Summary\nJanuary - March 2027\n\n,Jan 2027,Feb 2027,Mar 2027,Total\n"
           f'{LINDQVIST},"1,200.00","1,300.00",,"2,500.00"\n'
           'TOTAL,"1,200.00","1,300.00",,"2,500.00"\n').encode()
    at = _upload(_open(demo_app), "sales_by_customer.csv", csv)
    no_errors(at)
    mapping = {s.label: s.value for s in at.selectbox if str(s.key).startswith("import_map_")}
    assert mapping["Column A"] == "account"
    _import(at)
    assert [(r[1], r[2]) for r in _revenue_2027()] == [(date(2027, 1, 1), Decimal("1200.00")),
                                                     (date(2027, 2, 1), Decimal("1300.00"))]
