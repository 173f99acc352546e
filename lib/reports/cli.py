"""`python -m lib.reports monthly --month 2026-10 --out FILE [--db PATH] [--currency USD]`

Writes the monthly sales report for a month as an XLSX file, acting as the system user. Exit
status: 0 written, 2 the options could not be used (a bad month, an unknown currency, a file
that cannot be written), 3 the database could not be opened (e.g. the running app holds it).
"""
from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path

from lib.db import DatabaseUnavailable, database_path
from lib.errors import UserError
from lib.users import SYSTEM

MONTH = re.compile(r"(\d{4})-(\d{2})")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m lib.reports",
                                description="Write a report as an XLSX file.")
    commands = p.add_subparsers(dest="report", required=True, metavar="REPORT")
    monthly = commands.add_parser("monthly", help="the monthly sales report")
    monthly.add_argument("--month", required=True, help="the month to report, as YYYY-MM")
    monthly.add_argument("--out", required=True, type=Path, help="the XLSX file to write")
    monthly.add_argument("--db", type=Path, help="database file (default: $ACCOUNTDESK_DB or data/)")
    monthly.add_argument("--currency",
                         help="reporting currency, e.g. USD (default: the settings' currency)")
    return p


def parse_month(text: str) -> date:
    """'2026-10' -> date(2026, 10, 1); ValueError with a sentence for anything else."""
    found = MONTH.fullmatch(text.strip())
    if found and 1 <= int(found.group(2)) <= 12 and int(found.group(1)) >= 1900:
        return date(int(found.group(1)), int(found.group(2)), 1)
    raise ValueError(f"--month takes a month as YYYY-MM, e.g. 2026-10, not {text!r}.")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        written = _run(args)
    except DatabaseUnavailable as exc:
        print(str(exc), file=sys.stderr)
        return 3
    except (UserError, ValueError, OSError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"Wrote {written}.")
    return 0


def _run(args: argparse.Namespace) -> Path:
    month = parse_month(args.month)    # before the database: a typo needs no open file
    if args.out.is_dir():
        raise ValueError(f"--out {args.out} is a folder; give the file to write.")
    from lib.migrate import open_database   # here: opening applies migrations
    from lib.reports import monthly_report
    db = open_database(args.db or database_path())
    try:
        data = monthly_report(db, SYSTEM, month, args.currency)
    finally:
        db.close()
    args.out.write_bytes(data)
    return args.out
