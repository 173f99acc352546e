"""Fixtures for the importer: the real sample files and small builders of edge-case files."""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

SAMPLES = Path(os.environ.get("ACCOUNTDESK_SAMPLES")
               or Path(__file__).resolve().parents[2].parent / "shared" / "samples")


@pytest.fixture
def sample():
    """sample("07_financial_sample_currency_csv/Financial Sample.csv") -> (bytes, file name)."""
    if not SAMPLES.is_dir():
        pytest.skip(f"sample spreadsheets not found at {SAMPLES}; set ACCOUNTDESK_SAMPLES to their folder")

    def load(relative: str) -> tuple[bytes, str]:
        path = SAMPLES / relative
        return path.read_bytes(), path.name
    return load


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '</Types>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '</Relationships>')


def far_cells_sheet(dimension: str | None) -> str:
    """A sheet with cells at A1 and XFD1048576: the shape that makes calamine abort."""
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'{declared}<sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
            '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
            '</sheetData></worksheet>')


def hand_made_xlsx(sheet_xml: str, extra: dict[str, bytes] | None = None) -> bytes:
    """The smallest valid XLSX, written part by part with zipfile."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, content in (extra or {}).items():
            z.writestr(name, content)
    return buffer.getvalue()


def xlsx_from_rows(sheets: dict[str, list[list]], date_format: str | None = "yyyy-mm-dd",
                   date1904: bool = False) -> bytes:
    """A real workbook written by xlsxwriter; dates get `date_format` (None: stored as numbers).
    `date1904`: saved in Excel's 1904 date system, as old Mac workbooks are."""
    import datetime as dt

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "date_1904": date1904})
    dates = book.add_format({"num_format": date_format}) if date_format else None
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, (dt.date, dt.datetime)):
                    sheet.write_datetime(r, c, value, dates)
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)   # never as a formula
                elif value is not None:
                    sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()
