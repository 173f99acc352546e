"""Reading uploaded spreadsheets: the first step of the import pipeline.

    workbook = read_upload(data, filename)        # raises ImportFileError with a person's message
    for sheet in workbook.importable_sheets:      # kind "table" or "wide" (already unpivoted)
        sheet.rows                                # text cells; index = source row number
        sheet.dropped_rows, sheet.notes           # what was left out, and why

Value parsers for the later mapping/validation steps: parse_number(_series),
parse_date(_series), detect_date_order, parse_period, suggest_category.

After reading (one sheet's rows, a mapping and constants):
    staged = stage(sheet.rows, "revenue", suggest_mapping(sheet.header, "revenue"), {"currency": "GBP"})
    preview = preview_import(db, staged, digest=file_hash(data))   # per-row create/update/...
    result = apply_import(db, actor, staged, file_name=..., digest=..., skip_bad_rows=False,
                          create_missing=False, progress=None)   # progress(fraction, what)
    undo_batch(db, actor, result.batch_id)
Command line: python -m lib.importing FILE --entity revenue [--dry-run] [--create-missing]
[--db PATH] [--json].
Templates per entity: template(entity) (CSV) and template_xlsx(entity).
"""
from lib.importing.apply import (ImportResult, apply_import, earlier_batch, file_hash,
                                 import_history, preview_import)
from lib.importing.categories import Suggestion, match_categories, normalize_category, suggest_category
from lib.importing.dates import (AmbiguousDate, DateOrder, detect_date_order, from_excel_serial,
                                 parse_date, parse_date_series, parse_period)
from lib.importing.mapping import (ENTITIES, EntityGuess, EntitySpec, Field, SavedMapping,
                                   header_signature, recall_mapping, remember_mapping,
                                   suggest_entity, suggest_mapping, template,
                                   template_xlsx)
from lib.importing.model import (CsvDialect, DroppedColumn, DroppedRow, ImportFileError, Limits,
                                 Sheet, WideLayout, Workbook)
from lib.importing.numbers import DecimalChoice, detect_decimal_separator, parse_number, parse_number_series
from lib.importing.plan import Preview
from lib.importing.reader import read_upload
from lib.importing.stage import Staged, stage
from lib.importing.undo import UndoResult, undo_batch
from lib.importing.values import NULL_TOKENS, ParsedColumn, is_null

__all__ = [
    "ENTITIES", "EntityGuess", "EntitySpec", "Field", "ImportResult", "Preview", "SavedMapping",
    "Staged", "UndoResult", "apply_import", "earlier_batch", "file_hash", "header_signature",
    "import_history", "preview_import", "recall_mapping", "remember_mapping", "stage",
    "suggest_entity", "suggest_mapping", "template", "template_xlsx", "undo_batch",
    "AmbiguousDate", "CsvDialect", "DateOrder", "DecimalChoice", "DroppedColumn", "DroppedRow",
    "ImportFileError", "Limits", "NULL_TOKENS", "ParsedColumn", "Sheet", "Suggestion", "WideLayout",
    "Workbook", "detect_date_order", "detect_decimal_separator", "from_excel_serial", "is_null",
    "match_categories", "normalize_category", "parse_date", "parse_date_series", "parse_number",
    "parse_number_series", "parse_period", "read_upload", "suggest_category",
]
