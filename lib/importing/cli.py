"""`python -m lib.importing FILE --entity revenue [--dry-run] [--create-missing] [--respell]
[--db PATH] [--json]`

The same pipeline as the Import page, for scheduled imports: read, map (a remembered mapping
for these headers, else the suggestions), validate, and preview or commit. Acts as the system
user. Exit status: 0 all rows good, 1 some rows had errors (or the import was refused for
them), 2 the file or the options could not be used, 3 the database could not be opened.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from lib.db import DatabaseUnavailable, database_path
from lib.errors import UserError
from lib.importing.apply import apply_import, file_hash, preview_import, same_file_message
from lib.importing.hints import reference_hints, with_unnamed_reference
from lib.importing.around import words_around
from lib.importing.mapping import ENTITIES, guess_entity, recall_mapping, suggest_mapping
from lib.importing.layout import sheet_month
from lib.importing.model import ImportFileError
from lib.importing.reader import default_sheet, read_upload
from lib.importing.spelling import respell, taken_note
from lib.importing.stage import stage
from lib.memory import give_back_large_blocks
from lib.users import SYSTEM

SHOWN_ERRORS = 20


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m lib.importing", description=__doc__.split("\n")[2])
    p.add_argument("file", type=Path)
    p.add_argument("--entity", choices=sorted(ENTITIES), help="what the file holds (default: guessed)")
    p.add_argument("--mapping", help="use the mapping remembered under this name")
    p.add_argument("--sheet", help="the sheet to import (default: the one with a header row and the "
                   "most data rows; with --entity, the one whose columns fit it best)")
    p.add_argument("--constant", action="append", default=[], metavar="FIELD=VALUE",
                   help="a value for the whole file, e.g. currency=GBP (repeatable)")
    p.add_argument("--date-order", choices=("dmy", "mdy", "ymd"),
                   help="for dates like 3/4/2024 (dmy or mdy) or 25/03/14 (dmy or ymd)")
    p.add_argument("--decimal", choices=("point", "comma"),
                   help="how the file writes decimals, for numbers like 12.500")
    p.add_argument("--dry-run", action="store_true", help="validate and count, write nothing")
    p.add_argument("--skip-bad-rows", action="store_true", help="import the good rows only")
    p.add_argument("--allow-same-file", action="store_true",
                   help="import even though this exact file was imported before")
    p.add_argument("--create-missing", action="store_true",
                   help="create the accounts and managers the file names but the database lacks")
    p.add_argument("--respell", action="store_true",
                   help="import each value that looks like one already in use (an account's "
                        "industry or region, a budget's category: technolgy for Technology) "
                        "with the stored spelling")
    p.add_argument("--db", type=Path, help="database file (default: $ACCOUNTDESK_DB or data/)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    give_back_large_blocks()
    try:
        report, status = _run(args)
    except DatabaseUnavailable as exc:
        report, status = {"status": "database_unavailable", "message": str(exc)}, 3
    except (ImportFileError, UserError, ValueError, OSError) as exc:
        report, status = {"status": "refused", "message": str(exc)}, 2
    _print(report, args.json)
    return status


def _run(args: argparse.Namespace) -> tuple[dict[str, Any], int]:
    data = args.file.read_bytes()
    workbook = read_upload(data, args.file.name)
    sheet = _chosen_sheet(workbook, args.sheet, args.entity)
    headers = list(sheet.rows.columns)
    constants = dict(_pair(c) for c in args.constant)
    from lib.migrate import open_database   # here: opening applies migrations
    db = open_database(args.db or database_path())
    try:
        saved = recall_mapping(db, headers, args.entity, name=args.mapping)
        if args.mapping and saved is None:
            raise ValueError(f"No mapping is remembered under the name {args.mapping!r}.")
        entity = args.entity or (saved.entity if saved else _guessed(sheet, args.file.name))
        mapping = saved.mapping if saved else with_unnamed_reference(
            db, sheet.rows, entity, suggest_mapping(headers, entity, sheet.rows))
        mapping = {h: f for h, f in mapping.items() if h in headers and f not in constants}
        constants = {**(saved.constants if saved else {}), **constants}
        constants.update(_month_from_sheet(sheet, args.file.name, entity, mapping, constants))
        decimal = {"point": ".", "comma": ","}.get(args.decimal)
        staged = stage(sheet.rows, entity, mapping, constants, date_order=args.date_order,
                       decimal=decimal,
                       wide=sheet.wide, beyond_header=sheet.beyond_header,
                       date1904=sheet.date1904, delimiter=sheet.delimiter,
                       excel_numbers=sheet.excel_numbers)
        if staged.date_doubts:
            staged.notes.append("Pass --date-order " + " or --date-order ".join(staged.order_choices)
                                + " to say how the file writes dates.")
        if staged.decimal_doubts:
            staged.notes.append("Pass --decimal point or --decimal comma to say how the file "
                                "writes decimals.")
        digest = file_hash(data)
        preview = preview_import(db, staged, digest=digest, create_missing=args.create_missing)
        if args.respell and not preview.spellings.empty:
            staged = respell(staged, list(preview.spellings[["field", "written", "suggested"]]
                                          .itertuples(index=False, name=None)))
            respelled = preview.spellings
            preview = preview_import(db, staged, digest=digest, create_missing=args.create_missing)
            preview.spellings = respelled
            preview.notes.append(taken_note(respelled))
        elif not preview.spellings.empty:
            preview.notes.append("Pass --respell to import them with the spelling in use.")
        preview.notes += reference_hints(db, sheet.rows, entity, mapping)
        report = _report(args, sheet.name, entity, mapping, constants, preview)
        report["read"] = _what_was_read(workbook, sheet)
        if args.dry_run or (preview.counts["error"] and not args.skip_bad_rows):
            report["status"] = "dry_run" if args.dry_run else "refused"
            if preview.same_file:
                report["notes"].append(same_file_message(preview.same_file) + " Importing it "
                                       "again needs --allow-same-file.")
            return report, 1 if preview.counts["error"] else 0
        if preview.same_file and not args.allow_same_file:
            report.update(status="refused", message=same_file_message(preview.same_file)
                          + " Nothing was written; pass --allow-same-file to import it again.")
            return report, 2
        result = apply_import(db, SYSTEM, staged, file_name=args.file.name, digest=digest,
                              mapping=mapping, match_on=preview.match_on,
                              skip_bad_rows=args.skip_bad_rows, allow_same_file=True,
                              create_missing=args.create_missing, preview=preview)
        report.update(status="imported", batch_id=result.batch_id,
                      records={"create": result.created, "update": result.updated,
                               "unchanged": result.unchanged})
        return report, 1 if result.rejected else 0
    finally:
        db.close()


def _chosen_sheet(workbook, name: str | None, entity: str | None):
    """The sheet --sheet names (by its name as Excel shows it), else the one `default_sheet`
    picks (for --entity, the one whose columns fit it best)."""
    if name is None:
        return default_sheet(workbook, entity)
    try:
        found = workbook.sheet(name)
    except KeyError:
        names = ", ".join(f"'{s.name}'" for s in workbook.sheets)
        raise ValueError(f"The file has no sheet named '{name}'. Its sheets: {names}.") from None
    if not found.importable:
        raise ValueError(found.reason or f"Sheet '{name}' cannot be imported.")
    return found


def _guessed(sheet, file_name: str) -> str:
    guess = guess_entity(sheet, file_name)
    if guess.tied:   # a scheduled import must not pick one of two tables by chance
        which = (" or " if len(guess.tied) < len(ENTITIES) else ", ").join(guess.tied)
        layout = f" {guess.layout}" if guess.layout else ""
        raise ValueError(f"Not guessing what {file_name} holds: its columns {guess.doubt}: pass "
                         f"--entity ({which}).{layout}")
    return guess.entity


def _month_from_sheet(sheet, file_name: str, entity: str, mapping, constants) -> dict[str, str]:
    """A month no column gives, from the sheet's name ("Jan 2025"), as the Import page fills
    it in; the report's read notes say so."""
    month = sheet_month(sheet.name, words_around(sheet, file_name))
    given = {*mapping.values(), *constants}
    missing = [f.name for f in ENTITIES[entity].fields if f.kind == "month" and f.name not in given]
    if month is None or not missing:
        return {}
    year = ("" if str(month.year) in sheet.name
            else f", with the year {month.year} its file or title gives")
    sheet.notes.append(f"Month: no column gives it; the sheet's name '{sheet.name}' does{year} "
                       f"({month:%Y-%m}).")
    return {name: f"{month:%Y-%m}" for name in missing}


def _pair(text: str) -> tuple[str, str]:
    field, sep, value = text.partition("=")
    if not sep or not field.strip():
        raise ValueError(f"--constant takes FIELD=VALUE, not {text!r}.")
    return field.strip(), value.strip()


def _report(args, sheet: str, entity: str, mapping, constants, preview) -> dict[str, Any]:
    return {
        "file": str(args.file.name), "sheet": sheet, "entity": entity, "mapping": mapping,
        "constants": constants, "match_on": list(preview.match_on), "rows": preview.counts,
        "records": preview.records, "will_create": preview.will_create, "notes": preview.notes,
        "errors": preview.errors.astype(object).where(preview.errors.notna(), None)
                                .to_dict(orient="records"),
        "same_file_as_batch": preview.same_file["id"] if preview.same_file else None,
        "spellings": preview.spellings.assign(taken=bool(args.respell)).to_dict(orient="records"),
    }


def _what_was_read(workbook, sheet) -> dict[str, Any]:
    """How the file was read, as the Import page's "What was read" shows it: the encoding and
    layout notes, and the rows and columns left out (titles, totals, footers) with their reason."""
    others = [s.name for s in workbook.importable_sheets if s is not sheet]
    choice = ([f"Sheet '{sheet.name}' was read; the file has other sheets to import: "
               + ", ".join(f"'{n}'" for n in others) + " (choose one with --sheet)."]
              if others else [])
    return {
        "notes": [*choice, *workbook.notes, *sheet.notes],
        "dropped_rows": [{"row": d.row_number, "reason": d.reason, "text": d.text}
                         for d in sheet.dropped_rows],
        "dropped_columns": [{"column": d.column, "header": d.header, "reason": d.reason}
                            for d in sheet.dropped_columns],
    }


def _print(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, default=str, indent=2))
        return
    if "rows" in report:
        print(f"{report['file']} ({report['sheet']}) as {report['entity']}: "
              + ", ".join(f"{n:,} rows {a}" for a, n in report["rows"].items()))
        print("records: " + ", ".join(f"{n:,} {a}" for a, n in report["records"].items()))
        read = report["read"]
        for note in read["notes"]:
            print(f"read: {note}")
        for d in read["dropped_rows"][:SHOWN_ERRORS]:
            print(f"left out row {d['row']} ({d['reason']}): {d['text']}")
        if len(read["dropped_rows"]) > SHOWN_ERRORS:
            print(f"... and {len(read['dropped_rows']) - SHOWN_ERRORS:,} more rows left out (use --json)")
        for d in read["dropped_columns"]:
            print(f"left out column {d['column']} '{d['header']}' ({d['reason']})")
        for note in report["notes"]:
            print(f"note: {note}")
        for e in report["errors"][:SHOWN_ERRORS]:
            value = "" if e["value"] in (None, "") else f"'{e['value']}' "
            print(f"row {e['row']}, {e['column']}: {value}{e['reason']}")
        if len(report["errors"]) > SHOWN_ERRORS:
            print(f"... and {len(report['errors']) - SHOWN_ERRORS:,} more errors (use --json)")
    status = report.get("status")
    if status == "imported":
        print(f"Imported as batch {report['batch_id']}.")
    elif status == "dry_run":
        print("Dry run: nothing was written.")
    elif status == "refused" and "rows" in report and "message" not in report:
        print("Nothing was written: some rows have errors (use --skip-bad-rows to import the rest).")
    if "message" in report:
        print(report["message"], file=sys.stderr)
