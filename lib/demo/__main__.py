"""python -m lib.demo [--db PATH] [--seed N] [--accounts N] [--managers N] [--today YYYY-MM-DD]

Loads the demo portfolio into an empty Account Desk database as the system user and prints
the row counts. Errors a person can act on print as one line and exit 1 (2 for bad options).
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from lib.db import DatabaseReopened, DatabaseUnavailable, database_path
from lib.demo import DemoRefused, check_size, load_demo
from lib.migrate import MigrationFailed, open_database
from lib.users import SYSTEM


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        check_size(args.seed, args.accounts, args.managers)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    path = args.db or database_path()
    started = time.perf_counter()
    try:
        db = open_database(path)
        try:
            counts = load_demo(db, SYSTEM, seed=args.seed, today=args.today,
                               accounts=args.accounts, managers=args.managers)
        finally:
            db.close()
    except (DemoRefused, DatabaseUnavailable, DatabaseReopened, MigrationFailed) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Loaded the demo portfolio into {path} in {time.perf_counter() - started:.1f} s "
          f"(seed {args.seed}):")
    width = max(len(t) for t in counts)
    for table, n in counts.items():
        print(f"  {table:<{width}}  {n:>10,}")
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m lib.demo",
                                description="Load the demo portfolio into an empty database.")
    p.add_argument("--db", type=Path, help="database file (default: $ACCOUNTDESK_DB or "
                                           "data/accountdesk.duckdb)")
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument("--accounts", type=int, default=400, help="number of accounts (default 400)")
    p.add_argument("--managers", type=int, default=12, help="number of managers (default 12)")
    p.add_argument("--today", type=date.fromisoformat, default=None,
                   help="pretend today is this date, YYYY-MM-DD (default: today)")
    return p


if __name__ == "__main__":
    sys.exit(main())
