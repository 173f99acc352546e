"""The large portfolio the browser benchmarks run on, built once per seed and size.

    .venv/bin/python bench/large.py [--db FILE] [--seed 42] [--accounts 50000] [--managers 200]

The issue's size: 50,000 accounts and 200 managers, 36 months of revenue, targets, about
500,000 interactions and 200,000 invoices. It is the demo portfolio (lib.demo.load_demo) at that
size, with fewer invoiced months (5 instead of the demo's 15) and a slightly higher contact rate,
so invoices and interactions land near the issue's counts. Revenue comes out at about 1.5M rows,
not 50,000 x 36: prospects have no revenue, churned customers stop and new ones start late.

`large_portfolio()` builds the file once into a cache folder beside this script (gitignored),
keyed by seed, sizes and today's date (every demo date is relative to today), and returns its
path; later calls reuse it. Scripts that let the app write copy it first (`copy_portfolio`).
With --db the portfolio is built into FILE instead (which must not exist yet).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib.auth import set_demo_passwords  # noqa: E402
from lib.demo import load_demo  # noqa: E402
from lib.migrate import open_database  # noqa: E402
from lib.users import SYSTEM  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache"
INVOICED_MONTHS = 5           # ~41,700 invoices a month at 50,000 accounts
INTERACTIONS_SCALE = 1.085    # the demo's 461k interactions at 50,000 accounts -> ~500k


@dataclass(frozen=True)
class Size:
    accounts: int = 50_000
    managers: int = 200
    seed: int = 42

    def key(self, today: date) -> str:
        return (f"portfolio-s{self.seed}-a{self.accounts}-m{self.managers}"
                f"-inv{INVOICED_MONTHS}-x{INTERACTIONS_SCALE}-{today.isoformat()}")


def build(path: Path, size: Size, today: date | None = None) -> dict[str, int]:
    """Load the portfolio into a new database file, with the demo users' password (lib.auth's
    DEMO_PASSWORD); return the row counts per table."""
    db = open_database(path)
    try:
        counts = load_demo(db, SYSTEM, seed=size.seed, today=today, accounts=size.accounts,
                           managers=size.managers, invoiced_months=INVOICED_MONTHS,
                           interactions_scale=INTERACTIONS_SCALE)
        set_demo_passwords(db, SYSTEM)
        return counts
    finally:
        db.close()


def large_portfolio(size: Size = Size(), today: date | None = None, quiet: bool = False) -> Path:
    """The cached database file for `size`, built on first use (about a minute at full size)."""
    today = today or date.today()
    path = CACHE / f"{size.key(today)}.duckdb"
    if path.exists():
        return path
    CACHE.mkdir(exist_ok=True)
    partial = path.with_suffix(f".building-{os.getpid()}")
    started = time.perf_counter()
    counts = build(partial, size, today)
    os.replace(partial, path)  # only a complete file ever has the cached name
    if not quiet:
        print(f"built {path.name} in {time.perf_counter() - started:.1f} s")
        print_counts(counts)
    return path


def copy_portfolio(source: Path, folder: Path) -> Path:
    """A private copy in `folder`, for a server that may write to it."""
    target = folder / "bench.duckdb"
    shutil.copyfile(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + ".wal"))
    return target


def row_counts(path: Path) -> dict[str, int]:
    db = open_database(path)
    try:
        tables = ("accounts", "account_managers", "revenue", "account_targets", "manager_targets",
                  "interactions", "invoices", "payments", "budgets", "contacts")
        return {t: db.value(f"SELECT count(*) FROM {t}") for t in tables}
    finally:
        db.close()


def print_counts(counts: dict[str, int]) -> None:
    width = max(len(t) for t in counts)
    for table, n in counts.items():
        print(f"  {table:<{width}}  {n:>10,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="build into this new file instead of the cache")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--managers", type=int, default=200)
    args = parser.parse_args()
    size = Size(args.accounts, args.managers, args.seed)
    if args.db:
        if args.db.exists():
            parser.error(f"{args.db} exists; give a new file")
        started = time.perf_counter()
        counts = build(args.db, size)
        print(f"built {args.db} in {time.perf_counter() - started:.1f} s")
        print_counts(counts)
        return
    path = large_portfolio(size)
    print(f"portfolio: {path}")
    print_counts(row_counts(path))


if __name__ == "__main__":
    main()
