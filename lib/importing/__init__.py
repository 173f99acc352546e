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
                          create_missing=False, progress=None,   # progress(fraction, what)
                          preview=preview)   # writes from its plan if nothing changed since
    undo_batch(db, actor, result.batch_id)
    staged = respell(staged, [("industry", "technolgy", "Technology")])   # preview.spellings' choice
Command line: python -m lib.importing FILE --entity revenue [--dry-run] [--create-missing]
[--respell] [--db PATH] [--json].
Templates per entity: template(entity) (CSV) and template_xlsx(entity).
"""
import sys as _sys
import types as _types

# Names load on first use (PEP 562): the sandboxed parser child imports this package for
# lib.importing.sandbox and the readers only, and must not pay for modules it never uses,
# such as the database layer (about 0.3 s of its start-up).
_HOMES = {name: module for module, names in {
    "apply": ("ImportResult apply_import earlier_batch file_hash import_history preview_import "
              "preview_in_full"),
    "categories": "Suggestion match_categories normalize_category suggest_category",
    "dates": ("AmbiguousDate DateOrder detect_date_order from_excel_serial parse_date "
              "parse_date_series parse_period"),
    "decimals": "SEPARATORS",
    "around": "words_around",
    "layout": "sheet_month",
    "mapping": ("ENTITIES EntityGuess EntitySpec Field SavedMapping guess_entity "
                "header_signature recall_mapping remember_mapping suggest_entity suggest_mapping "
                "template template_xlsx"),
    "model": ("CsvDialect DroppedColumn DroppedRow ImportFileError Limits Sheet WideLayout "
              "Workbook"),
    "numbers": "DecimalChoice detect_decimal_separator parse_number parse_number_series",
    "plan": "Preview",
    "reader": "read_upload start_reader",
    "spelling": "respell",
    "stage": "Staged stage",
    "undo": "UndoResult undo_batch",
    "values": "NULL_TOKENS ParsedColumn is_null",
}.items() for name in names.split()}


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))


class _Package(_types.ModuleType):
    """`lib.importing.stage` is the function, as it always was here, even once the submodule of
    the same name is imported (which would otherwise rebind the attribute to the module)."""

    def __setattr__(self, name: str, value) -> None:
        if name == "stage" and isinstance(value, _types.ModuleType):
            value = value.stage
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package


__all__ = [
    "ENTITIES", "EntityGuess", "EntitySpec", "Field", "ImportResult", "Preview", "SavedMapping",
    "Staged", "UndoResult", "apply_import", "earlier_batch", "file_hash", "guess_entity",
    "header_signature",
    "import_history", "preview_import", "preview_in_full", "recall_mapping", "remember_mapping",
    "stage", "start_reader", "suggest_entity", "suggest_mapping", "template", "template_xlsx",
    "undo_batch", "words_around",
    "AmbiguousDate", "CsvDialect", "DateOrder", "DecimalChoice", "DroppedColumn", "DroppedRow",
    "ImportFileError", "Limits", "NULL_TOKENS", "ParsedColumn", "SEPARATORS", "Sheet", "Suggestion",
    "WideLayout",
    "Workbook", "detect_date_order", "detect_decimal_separator", "from_excel_serial", "is_null",
    "match_categories", "normalize_category", "parse_date", "parse_date_series", "parse_number",
    "parse_number_series", "parse_period", "read_upload", "respell", "sheet_month",
    "suggest_category",
]
