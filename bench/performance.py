"""Time the Performance page's queries and the targets grid on a large generated portfolio.

    .venv/bin/python bench/performance.py [--accounts N] [--managers N] [--repeat N] [--db FILE]

Builds the demo portfolio (lib.demo, the generator bench/portfolio.py uses) at the given size in
a temporary database; with --db it builds it in FILE instead, or reuses FILE when it already holds
a portfolio (the file must not be open in a running app). Then it runs each read the page makes,
uncached, for every kind of scope (the team, a manager, a tier, a region, an account) in two
reporting currencies, and prints a markdown table of the median and 95th percentile in
milliseconds, with the command that produced it; then the targets grid's load (all managers,
and the largest book of accounts) and a save of one year of one manager's months. The default size, 50,000 accounts and 200
managers (about 1.5M revenue rows and 630k invoices), takes about a minute here.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_common  # noqa: E402 (beside this script)

from lib import budgets, collections, performance, target_edits, targets  # noqa: E402
from lib.db import Database  # noqa: E402
from lib.demo import load_demo  # noqa: E402
from lib.migrate import open_database  # noqa: E402
from lib.performance import Scope  # noqa: E402
from lib.periods import FiscalYear, fiscal_start_month  # noqa: E402
from lib.target_rules import CellEdit  # noqa: E402
from lib.users import SYSTEM  # noqa: E402

CURRENCIES = ("USD", "GBP")
KINDS = ("team", "manager", "tier", "region", "account")


def reads(today: date) -> dict[str, Callable[[Database, Scope, str], object]]:
    """What the page runs on a change: the scope pickers, then the open tab's one read."""
    return {
        "Scope pickers": lambda db, scope, cur: performance.scope_options(db, SYSTEM),
        "Revenue vs target + projection": lambda db, scope, cur: performance.revenue_vs_target(
            db, SYSTEM, scope, currency=cur, today=today),
        "Budgets": lambda db, scope, cur: budgets.budget_view(db, SYSTEM, scope, currency=cur,
                                                              today=today),
        "Collections": lambda db, scope, cur: collections.collections_view(
            db, SYSTEM, scope, currency=cur, today=today),
    }


def scopes(db: Database) -> dict[str, Scope]:
    """One scope of each kind: the busiest manager, the key tier, the largest region, and the
    account with the most revenue rows."""
    manager = db.value("SELECT owner_id FROM accounts WHERE owner_id IS NOT NULL "
                       "GROUP BY owner_id ORDER BY count(*) DESC, owner_id LIMIT 1")
    region = db.value("SELECT region FROM accounts WHERE region IS NOT NULL "
                      "GROUP BY region ORDER BY count(*) DESC, region LIMIT 1")
    account = db.value("SELECT account_id FROM revenue GROUP BY account_id "
                       "ORDER BY count(*) DESC, account_id LIMIT 1")
    return {"team": Scope(), "manager": Scope("manager", manager), "tier": Scope("tier", "key"),
            "region": Scope("region", region), "account": Scope("account", account)}


def timed(run: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        out.append((time.perf_counter() - started) * 1000)
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))]


def measure(db: Database, repeat: int, today: date) -> dict[str, dict[str, list[float]]]:
    """read -> scope kind -> milliseconds of every run (both currencies, `repeat` times each)."""
    chosen = scopes(db)
    results: dict[str, dict[str, list[float]]] = {}
    for name, read in reads(today).items():
        results[name] = {}
        for kind in KINDS:
            results[name][kind] = [ms for cur in CURRENCIES
                                   for ms in timed(lambda: read(db, chosen[kind], cur), repeat)]
    return results


def measure_targets(db: Database, repeat: int, today: date) -> dict[str, list[float]]:
    """The targets grid: load for all managers, load one manager's accounts (the largest
    book), and save twelve months of one manager (each save a new value, so it writes)."""
    fiscal = FiscalYear.containing(today, fiscal_start_month(db))
    biggest = db.value("SELECT owner_id FROM accounts WHERE archived_at IS NULL "
                       "GROUP BY owner_id ORDER BY count(*) DESC LIMIT 1")
    rounds = iter(range(1, 10_000))

    def save() -> None:
        grid = targets.grid(db, SYSTEM, "manager", fiscal)
        subject = next(iter(grid.names))
        step = next(rounds)
        cells = [CellEdit(subject, month, (grid.loaded.get((subject, month)) or 0) + step)
                 for month in fiscal.months]
        target_edits.save(db, SYSTEM, "manager", cells, grid.loaded, "benchmark")

    return {
        "Grid of all managers": timed(lambda: targets.grid(db, SYSTEM, "manager", fiscal), repeat),
        "Grid of the largest book": timed(
            lambda: targets.grid(db, SYSTEM, "account", fiscal, manager_id=biggest), repeat),
        "Save 12 months (load + save)": timed(save, repeat),
    }


def table(results: dict[str, dict[str, list[float]]]) -> str:
    head = "| read | " + " | ".join(KINDS) + " |"
    lines = [head, "|---" * (len(KINDS) + 1) + "|"]
    for name, per_kind in results.items():
        cells = [f"{statistics.median(v):,.0f} / {p95(v):,.0f}" for v in per_kind.values()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine() -> str:
    return bench_common.machine()


@contextmanager
def portfolio(args: argparse.Namespace) -> Iterator[tuple[Database, str]]:
    """The database to time, and how it came to be (built, with its load time, or reused)."""
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(args.db) if args.db else Path(folder) / "bench.duckdb")
        try:
            if db.value("SELECT count(*) FROM accounts"):
                yield db, "reused"
            else:
                started = time.perf_counter()
                load_demo(db, SYSTEM, accounts=args.accounts, managers=args.managers)
                yield db, f"built in {time.perf_counter() - started:.1f} s"
        finally:
            db.close()


def sizes(db: Database) -> str:
    counts = {t: db.value(f"SELECT count(*) FROM {t}") for t in
              ("accounts", "account_managers", "revenue", "account_targets", "budgets", "invoices",
               "payments")}
    return ", ".join(f"{n:,} {t.replace('_', ' ')}" for t, n in counts.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--managers", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5, help="runs per scope and currency")
    parser.add_argument("--db", help="build the portfolio in this file, or reuse it if it has one")
    args = parser.parse_args()
    today = date.today()
    with portfolio(args) as (db, how):
        print(f"command: .venv/bin/python bench/performance.py {' '.join(sys.argv[1:])}".rstrip())
        print(f"machine: {machine()}; date {today}")
        print(f"portfolio ({how}): {sizes(db)}")
        results = measure(db, args.repeat, today)
        grid_results = measure_targets(db, args.repeat * 2, today)
    runs = len(CURRENCIES) * args.repeat
    print(f"\nmilliseconds, median / p95 over {runs} runs ({' and '.join(CURRENCIES)}), uncached:\n")
    print(table(results))
    print("\ntargets grid, milliseconds, median / p95:\n")
    print("| operation | median | p95 |\n|---|---|---|")
    for name, values in grid_results.items():
        print(f"| {name} | {statistics.median(values):,.0f} | {p95(values):,.0f} |")
    worst = max(p95(v) for per_kind in results.values() for v in per_kind.values())
    print(f"\nslowest read at p95: {worst:,.0f} ms")


if __name__ == "__main__":
    main()
