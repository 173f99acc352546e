"""Reading uploaded spreadsheets: the first step of the import pipeline.

    workbook = read_upload(data, filename)        # raises ImportFileError with a person's message
    for sheet in workbook.importable_sheets:      # kind "table" or "wide" (already unpivoted)
        sheet.rows                                # text cells; index = source row number
        sheet.dropped_rows, sheet.notes           # what was left out, and why

Value parsers for the later mapping/validation steps: parse_number(_series),
parse_date(_series), detect_date_order, parse_period, suggest_category.
"""
from lib.importing.categories import Suggestion, match_categories, normalize_category, suggest_category
from lib.importing.dates import (AmbiguousDate, DateOrder, detect_date_order, from_excel_serial,
                                 parse_date, parse_date_series, parse_period)
from lib.importing.model import (CsvDialect, DroppedColumn, DroppedRow, ImportFileError, Limits,
                                 Sheet, WideLayout, Workbook)
from lib.importing.numbers import DecimalChoice, detect_decimal_separator, parse_number, parse_number_series
from lib.importing.reader import read_upload
from lib.importing.values import NULL_TOKENS, ParsedColumn, is_null

__all__ = [
    "AmbiguousDate", "CsvDialect", "DateOrder", "DecimalChoice", "DroppedColumn", "DroppedRow",
    "ImportFileError", "Limits", "NULL_TOKENS", "ParsedColumn", "Sheet", "Suggestion", "WideLayout",
    "Workbook", "detect_date_order", "detect_decimal_separator", "from_excel_serial", "is_null",
    "match_categories", "normalize_category", "parse_date", "parse_date_series", "parse_number",
    "parse_number_series", "parse_period", "read_upload", "suggest_category",
]
