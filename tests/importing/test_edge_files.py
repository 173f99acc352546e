"""Tiny files built here, each named after the trouble it carries."""
from __future__ import annotations

import io
import os
import random
import zipfile
from datetime import date

import pytest

from lib.importing import parse_date_series, parse_number_series, read_upload
from tests.importing.conftest import far_cells_sheet, hand_made_xlsx, xlsx_from_rows
from tests.importing.pipeline_helpers import refusal, upload


# ---- what the bytes are -------------------------------------------------------------------

def test_an_empty_file_is_refused_saying_it_is_empty(tmp_path):
    assert "'empty.csv' is empty (0 bytes)" in refusal(tmp_path, "empty.csv", b"")


def test_a_header_without_rows_is_refused_naming_the_header(tmp_path):
    message = refusal(tmp_path, "header_only.csv", b"account,owner,amount\n")
    assert message == "'header_only.csv' has a header row (account, owner, amount) but no data rows."


def test_binary_garbage_is_refused_showing_its_first_bytes(tmp_path):
    rng = random.Random(42)
    garbage = bytes(rng.randrange(256) for _ in range(4096))
    message = refusal(tmp_path, "binary_garbage.csv", garbage)
    assert "not text and not a workbook" in message and garbage[:4].hex(" ") in message


def test_a_zip_that_is_not_a_workbook_lists_what_it_holds(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("report.csv", "a,b\n1,2\n")
    message = refusal(tmp_path, "not_a_workbook.xlsx", buffer.getvalue())
    assert "zip archive but not an Excel workbook" in message and "report.csv" in message
    assert "Unzip it and upload the CSV inside" in message


def test_a_zip_bomb_is_refused_from_its_declared_size_before_unpacking(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            block = b"\0" * (1 << 20)
            for _ in range(210):
                part.write(block)
    assert len(buffer.getvalue()) < 2 * 1024**2
    message = refusal(tmp_path, "zip_bomb.xlsx", buffer.getvalue())
    assert "would expand to 210.0 MB" in message and "zip bomb" in message


def test_a_part_that_expands_a_thousand_times_is_refused_as_a_bomb(tmp_path):
    data = hand_made_xlsx(far_cells_sheet("A1:A1"), extra={"xl/media/filler.bin": b"\0" * (20 << 20)})
    message = refusal(tmp_path, "ratio_bomb.xlsx", data)
    assert "xl/media/filler.bin" in message and "looks like a zip bomb" in message


def test_a_sheet_declared_to_reach_xfd1048576_is_refused_before_calamine_sees_it(tmp_path):
    data = hand_made_xlsx(far_cells_sheet("A1:XFD1048576"))
    assert len(data) < 5000
    message = refusal(tmp_path, "far_cells.xlsx", data)
    assert "reaches cell XFD1048576 (a used range of A1:XFD1048576" in message
    assert "16,384 columns x 1,048,576 rows" in message
    assert os.getpid() and read_upload(b"a,b\n1,2\n", "still_alive.csv").sheets[0].rows.shape == (1, 2)


def test_a_small_sheet_that_only_declares_a_range_reaching_xfd1048576_is_read(tmp_path):
    sheet_xml = far_cells_sheet("A1:XFD1048576").replace(
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
        '<row r="2"><c r="A2" t="inlineStr"><is><t>Acme</t></is></c></row>')
    sheet = upload(tmp_path, "declared_huge.xlsx", hand_made_xlsx(sheet_xml)).sheets[0]
    assert sheet.rows["name"].tolist() == ["Acme"]


def test_a_sheet_that_hides_its_far_cell_behind_a_small_dimension_dies_in_the_child_only(tmp_path):
    message = refusal(tmp_path, "lying_dimension.xlsx", hand_made_xlsx(far_cells_sheet("A1:A1")))
    assert message.startswith("The file could not be read within the limits:")
    assert read_upload(b"a,b\n1,2\n", "still_alive.csv").sheets[0].rows.shape == (1, 2)


def test_an_encrypted_workbook_is_refused_with_how_to_remove_the_password(tmp_path):
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le")
    message = refusal(tmp_path, "encrypted.xlsx", ole2 + b"\0" * 512)
    assert "password-protected (encrypted)" in message and "remove the password" in message


def test_an_old_xls_workbook_is_refused_with_how_to_save_it_again(tmp_path):
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "Workbook".encode("utf-16-le")
    message = refusal(tmp_path, "legacy.xls", ole2 + b"\0" * 512)
    assert "old-format Excel 97-2003 workbook (.xls)" in message and "Save As" in message


# ---- encodings and line endings -------------------------------------------------------------

def test_utf16_with_a_byte_order_mark_is_decoded(tmp_path):
    workbook = upload(tmp_path, "utf16.csv", "name,city\nZoë,Zürich\n".encode("utf-16"))
    assert workbook.encoding == "UTF-16 LE"
    assert workbook.sheets[0].rows.loc[2].tolist() == ["Zoë", "Zürich"]


def test_mac_roman_is_told_apart_from_windows_1252(tmp_path):
    text = "name,city\nJosé Müller,Zürich\nFrançois,Besançon\n"
    mac = upload(tmp_path, "mac_roman.csv", text.encode("mac_roman"))
    assert mac.encoding == "Mac Roman"
    assert mac.sheets[0].rows.loc[2].tolist() == ["José Müller", "Zürich"]
    windows = upload(tmp_path, "cp1252.csv", text.encode("cp1252"))
    assert windows.encoding == "Windows-1252"
    assert windows.sheets[0].rows.loc[3].tolist() == ["François", "Besançon"]


def test_a_dos_code_page_850_file_reads_its_accents_right(tmp_path):
    # Old accounting exports (and the widely copied sales_data_sample.csv) write 0x84 for 'ä'
    # and 0xA1 for 'í': '„' and '¡' in Windows-1252, 'Ñ' and '°' in Mac Roman.
    text = "customer,street\nMartín Sommer,Berguvsvägen 8\nJosé Müller,Zürich\n"
    workbook = upload(tmp_path, "cp850.csv", text.encode("cp850"))
    assert workbook.encoding == "DOS Latin-1 (code page 850)"
    assert workbook.sheets[0].rows.loc[2].tolist() == ["Martín Sommer", "Berguvsvägen 8"]
    assert "read as DOS Latin-1 (code page 850)" in " ".join(workbook.notes)


def test_a_file_mixing_utf8_and_windows_1252_is_refused_rather_than_garbled(tmp_path):
    mixed = "name\nJosé\n".encode("utf-8") + "Renée\n".encode("cp1252")
    assert "mixes UTF-8 text with another encoding" in refusal(tmp_path, "mixed_encoding.csv", mixed)


def test_cr_only_line_endings_are_split_into_rows(tmp_path):
    workbook = upload(tmp_path, "cr_only.csv", b"a,b\r1,2\r3,4\r")
    assert workbook.dialect.line_endings == "CR"
    assert workbook.sheets[0].rows.values.tolist() == [["1", "2"], ["3", "4"]]


def test_mixed_line_endings_are_reported_and_a_missing_final_newline_loses_nothing(tmp_path):
    workbook = upload(tmp_path, "mixed_endings.csv", b"a,b\r\n1,2\n3,4\r5,6")
    assert workbook.dialect.line_endings == "mixed (1 CRLF, 1 LF, 1 CR)"
    assert workbook.dialect.final_newline is False
    assert workbook.sheets[0].rows.values.tolist() == [["1", "2"], ["3", "4"], ["5", "6"]]


# ---- dialect ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, delimiter", [("pipe.csv", "|"), ("tab.tsv", "\t"), ("semicolon.csv", ";")])
def test_pipe_tab_and_semicolon_delimiters_are_detected(tmp_path, name, delimiter):
    text = delimiter.join(["account", "note", "amount"]) + "\n" + delimiter.join(
        ["Acme", '"a, b; c | d"', "12"]) + "\n" + delimiter.join(["Beta", "x", "7"]) + "\n"
    workbook = upload(tmp_path, name, text.encode())
    assert workbook.dialect.delimiter == delimiter
    assert workbook.sheets[0].rows.loc[2].tolist() == ["Acme", "a, b; c | d", "12"]


def test_excels_sep_line_names_the_delimiter_and_is_not_a_row(tmp_path):
    # Excel writes it for a list separator other than the system's; a comma in the amounts
    # must not make the file look comma-separated.
    workbook = upload(tmp_path, "sep.csv", b"sep=;\r\nAccount;Amount\r\nAcme;1,5\r\nBeta;2,25\r\n")
    sheet = workbook.sheets[0]
    assert workbook.dialect.delimiter == ";" and sheet.header_row == 1 and not sheet.dropped_rows
    assert sheet.rows.loc[2].tolist() == ["Acme", "1,5"]
    assert "Excel's 'sep=' line, names the delimiter (semicolon)" in workbook.notes[0]


def test_an_unbalanced_quote_is_refused_with_the_line_it_starts_on(tmp_path):
    text = b'a,b,c\n1,2,3\n4,"5,6\n7,8,9\n10,11,"12\n13,14,15\n'
    message = refusal(tmp_path, "unbalanced_quotes.csv", text)
    assert message.startswith("Unbalanced quote: a quoted cell that starts on line 3")


def test_a_quote_left_open_to_the_end_of_the_file_is_refused(tmp_path):
    message = refusal(tmp_path, "quote_to_eof.csv", b'a,b\n1,2\n3,"4\n5,6\n7,8\n')
    assert "starts on line 3" in message


def test_duplicate_headers_are_made_unique_and_reported(tmp_path):
    sheet = upload(tmp_path, "duplicate_headers.csv", b"name,amount,Name,name,\nA,1,B,C,D\n").sheets[0]
    assert sheet.header == ["name", "amount", "Name (2)", "name (3)", "Column E"]
    assert any("Duplicate column names were made unique" in n and "'Name' in column C" in n
               for n in sheet.notes)


def test_ten_thousand_and_one_columns_are_refused(tmp_path):
    row = ",".join(str(i) for i in range(10_001))
    message = refusal(tmp_path, "ten_thousand_columns.csv", f"{row}\n{row}\n".encode())
    assert message.startswith("Line 1 has 10,001 columns; the limit is 10,000.")


def test_a_two_megabyte_cell_is_refused(tmp_path):
    message = refusal(tmp_path, "huge_cell.csv", b"a,b\n1,\"" + b"x" * (2 << 20) + b"\"\n")
    assert "line 2 is larger than 1,024 KB" in message


def test_formulas_in_a_csv_stay_inert_text(tmp_path):
    sheet = upload(tmp_path, "formulas.csv",
                   b'name,link\nAcme,"=HYPERLINK(""http://x"",""y"")"\n').sheets[0]
    assert sheet.rows.loc[2, "link"] == '=HYPERLINK("http://x","y")'
    assert any("never evaluated as formulas" in n for n in sheet.notes)


def test_formulas_written_as_text_in_an_xlsx_stay_inert_text(tmp_path):
    data = xlsx_from_rows({"Links": [["name", "link"], ["Acme", '=HYPERLINK("http://x","y")']]})
    sheet = upload(tmp_path, "formulas.xlsx", data).sheets[0]
    assert sheet.rows.loc[2, "link"] == '=HYPERLINK("http://x","y")'
    assert any("never evaluated as formulas" in n for n in sheet.notes)


# ---- values in files -----------------------------------------------------------------------

def test_european_numbers_parse_when_the_column_is_european(tmp_path):
    rows = upload(tmp_path, "european.csv", "konto;betrag\nA;1.234,50\nB;12,5\nC;7\n".encode()).sheets[0].rows
    parsed = parse_number_series(rows["betrag"])
    assert parsed.values.tolist() == [1234.5, 12.5, 7.0]
    assert "Decimal comma" in parsed.notes[0]


def test_excel_serial_dates_in_an_xlsx_parse_as_dates(tmp_path):
    data = xlsx_from_rows({"Deals": [["deal", "closed"], ["A", date(2020, 1, 1)], ["B", date(2024, 2, 29)]]},
                          date_format=None)   # no date format: Excel shows and stores serials
    rows = upload(tmp_path, "serial_dates.xlsx", data).sheets[0].rows
    assert rows["closed"].tolist() == ["43831", "45351"]
    parsed = parse_date_series(rows["closed"])
    assert [v.date() for v in parsed.values] == [date(2020, 1, 1), date(2024, 2, 29)]
    assert "Excel serial" in parsed.notes[0]


def test_formatted_dates_in_an_xlsx_arrive_as_iso_text(tmp_path):
    data = xlsx_from_rows({"Deals": [["deal", "closed", "amount"], ["A", date(2020, 1, 31), 0.1 + 0.2]]})
    sheet = upload(tmp_path, "iso_dates.xlsx", data).sheets[0]
    assert sheet.rows.loc[2].tolist() == ["A", "2020-01-31", "0.3"]
    assert any("cells hold Excel dates; they were read as the dates they are" in n for n in sheet.notes)


def test_iso_timestamps_with_z_parse_to_utc(tmp_path):
    rows = upload(tmp_path, "iso_z.csv", b"id,created\n1,2026-09-02T22:07:23.000Z\n2,2026-09-03T01:00:00+02:00\n"
                  ).sheets[0].rows
    parsed = parse_date_series(rows["created"])
    assert [str(v) for v in parsed.values] == ["2026-09-02 22:07:23", "2026-09-02 23:00:00"]
    assert "converted to UTC" in parsed.notes[-1]


def test_a_literal_inch_mark_is_not_mistaken_for_a_broken_quote(tmp_path):
    rows = upload(tmp_path, "inch_marks.csv", b'name,size\nTV,"55"" screen"\nMonitor,27" wide\n').sheets[0].rows
    assert rows["size"].tolist() == ['55" screen', '27" wide']


def test_a_report_csv_loses_its_title_lines_and_total_row(tmp_path):
    text = b"Pipeline export\nGenerated 2024-01-01\n\naccount,amount\nAcme,1\nBeta,2\nTotal,3\n"
    sheet = upload(tmp_path, "report.csv", text).sheets[0]
    assert sheet.header_row == 4 and sheet.rows["account"].tolist() == ["Acme", "Beta"]
    assert [(d.row_number, d.reason) for d in sheet.dropped_rows] == [
        (1, "title row above the header"), (2, "title row above the header"), (7, "total row")]


def test_month_headers_stored_as_dates_in_an_xlsx_still_unpivot(tmp_path):
    months = [date(2024, m, 1) for m in (1, 2, 3)]
    data = xlsx_from_rows({"Targets": [["Owner", *months], ["Priya", 10, 20, 30]]}, date_format="mmm-yy")
    sheet = upload(tmp_path, "date_headers.xlsx", data).sheets[0]
    assert sheet.kind == "wide"
    assert sheet.rows["period"].tolist() == ["2024-01-01", "2024-02-01", "2024-03-01"]
    assert sheet.rows["value"].tolist() == ["10", "20", "30"]


def test_empty_sheets_are_listed_with_a_reason_next_to_the_importable_one(tmp_path):
    data = xlsx_from_rows({"Notes": [], "Deals": [["deal", "amount"], ["A", 5]]})
    workbook = upload(tmp_path, "with_empty_sheet.xlsx", data)
    assert [s.kind for s in workbook.sheets] == ["empty", "table"]
    assert "Sheet 'Notes' is empty." in workbook.notes


def test_a_damaged_sheet_is_refused_with_the_readers_words(tmp_path):
    broken = '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>7</v></c></row></sheetData></worksheet>'
    message = refusal(tmp_path, "damaged.xlsx", hand_made_xlsx(broken))
    assert message.startswith("Nothing to import in 'damaged.xlsx': Sheet 'Data' could not be read")


def test_only_cells_that_start_with_an_equals_sign_are_counted_as_formula_text(tmp_path):
    lines = ["name,note"] + [f"A{i},a=b" for i in range(300)] + [
        'B,"  =SUM(A1:A2)"', "C,\uff1dA1", "D,=1+1", "E,x = y"]
    sheet = upload(tmp_path, "eq.csv", "\n".join(lines).encode()).sheets[0]
    assert [n for n in sheet.notes if "start with '='" in n] == [
        "3 cells start with '='; they were kept as plain text and never evaluated as formulas."]


def test_a_hidden_sheet_is_not_the_default_even_when_it_comes_first(tmp_path):
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    old = book.add_worksheet("Old data")
    for r, row in enumerate([["Account", "Month", "Amount"], ["Acme", "2019-01", "1"]]):
        old.write_row(r, 0, row)
    old.hide()
    current = book.add_worksheet("Revenue 2025")
    for r, row in enumerate([["Account", "Month", "Amount"], ["Acme", "2025-01", "2"]]):
        current.write_row(r, 0, row)
    current.activate()
    book.close()
    workbook = upload(tmp_path, "hidden_first.xlsx", buffer.getvalue())
    assert [(s.name, s.hidden) for s in workbook.importable_sheets] == [("Revenue 2025", False),
                                                                        ("Old data", True)]


@pytest.mark.parametrize("content, rows", [(b"a,b\r\n1,2\r\n3,4\r\n\x1a", [["1", "2"], ["3", "4"]]),
                                           (b"a,b\r\n1,2\x1a", [["1", "2"]])])   # tiny: 1 in 10 bytes
def test_a_dos_end_of_file_mark_is_left_out_not_read_as_a_row_or_as_binary(tmp_path, content, rows):
    workbook = upload(tmp_path, "ctrl_z.csv", content)
    assert workbook.sheets[0].rows.values.tolist() == rows
    assert "end-of-file mark (Ctrl-Z)" in workbook.notes[0]
