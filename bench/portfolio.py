"""Time the portfolio page's queries for a series of filter changes on a generated portfolio.

    .venv/bin/python bench/portfolio.py [--accounts N] [--managers N] [--repeat N]

Builds the demo portfolio at the given size in a temporary database, then for each filter runs
what the page runs on a change (KPIs, one page of rows, the monthly trend) without the page's
cache, and prints the median and 95th percentile in milliseconds: once as the first read after a
write (the per-account figures are computed afresh) and once as a filter change (they are kept).
Then the health filter ("Health at most 40") and the sort by health score (lowest first), which
score the accounts the other filters keep: over all accounts and over the key accounts, each
with the reads of the page after it, each as the first read after a write (scored afresh), and
the sort once more with nothing written since (the scores are kept per data version). Last, the
health column of a page of 100 rows (`health.scores_of`): scored alone, and taken from every
account's kept scores.
"""
from __future__ import annotations

import argparse
import math
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib import health, portfolio  # noqa: E402
from lib.demo import load_demo  # noqa: E402
from lib.filters import Condition  # noqa: E402
from lib.migrate import open_database  # noqa: E402
from lib.users import SYSTEM  # noqa: E402

FILTERS = [
    (),
    (Condition("tier", "in", ("key",)),),
    (Condition("tier", "in", ("key", "strategic")), Condition("status", "in", ("active",))),
    (Condition("region", "in", ("India",)),),
    (Condition("name", "contains", "tech"),),
    (Condition("days_since_contact", "gte", 60),),
    (Condition("revenue_ytd", "gte", 100_000.0),),
]


HEALTH = {"all accounts": (), "key accounts": (Condition("tier", "in", ("key",)),)}


def change(db, conditions, currency, health_at_most=None, sort="revenue_ytd"):
    query = portfolio.PortfolioQuery(conditions=conditions, currency=currency, today=date.today())
    if health_at_most is not None:
        query = portfolio.with_health(db, SYSTEM, query, health_at_most)
    portfolio.kpis(db, SYSTEM, query)
    portfolio.page(db, SYSTEM, query, sort=sort, descending=sort != "health", limit=100)
    portfolio.monthly(db, SYSTEM, query)


def timed(work) -> float:
    t = time.perf_counter()
    work()
    return (time.perf_counter() - t) * 1000


def page_health(db, repeat: int) -> dict[str, list[float]]:
    """The health column of five pages of 100 rows, each page scored alone after a write, then
    each taken from every account's scores, kept."""
    today = date.today()
    query = portfolio.PortfolioQuery(today=today)
    pages = [portfolio.page(db, SYSTEM, query, offset=100 * n, limit=100)["id"].tolist() for n in range(5)]
    runs = {"a page's health, scored alone": [], "a page's health, from the kept scores": []}
    for _ in range(repeat):
        db.data_version += 1
        for ids in pages:
            runs["a page's health, scored alone"].append(timed(lambda: health.scores_of(db, SYSTEM, today, ids)))
        health.all_scores(db, SYSTEM, today)
        for ids in pages:
            runs["a page's health, from the kept scores"].append(
                timed(lambda: health.scores_of(db, SYSTEM, today, ids)))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=400)
    parser.add_argument("--managers", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "bench.duckdb")
        started = time.perf_counter()
        counts = load_demo(db, SYSTEM, accounts=args.accounts, managers=args.managers)
        load_s = time.perf_counter() - started
        after_write, timings = [], []
        for _ in range(args.repeat):
            for conditions in FILTERS:
                for currency in ("USD", "GBP"):
                    db.data_version += 1  # as any write does: the figures are computed afresh
                    t = time.perf_counter()
                    change(db, conditions, currency)
                    after_write.append((time.perf_counter() - t) * 1000)
                    t = time.perf_counter()
                    change(db, FILTERS[(FILTERS.index(conditions) + 1) % len(FILTERS)], currency)
                    timings.append((time.perf_counter() - t) * 1000)
        print(f"machine: {platform.machine()}, {platform.python_implementation()} "
              f"{platform.python_version()}, date {date.today()}")
        print(f"portfolio: {counts.get('accounts')} accounts, {counts.get('revenue')} revenue rows, "
              f"{counts.get('interactions')} interactions, {counts.get('invoices')} invoices")
        print(f"demo load: {load_s:.1f} s")
        health_runs = {f"{what}, {label}": [] for what in ("health at most 40", "sorted by health",
                                                           "sorted by health again")
                       for label in HEALTH}
        for _ in range(args.repeat):
            for label, conditions in HEALTH.items():
                db.data_version += 1
                health_runs[f"health at most 40, {label}"].append(
                    timed(lambda: change(db, conditions, "USD", health_at_most=40)))
                db.data_version += 1
                for what in ("sorted by health", "sorted by health again"):
                    health_runs[f"{what}, {label}"].append(
                        timed(lambda: change(db, conditions, "USD", sort="health")))
        shown = [("first read after a write", after_write), ("filter change", timings)]
        shown += list(health_runs.items())
        shown += list(page_health(db, args.repeat).items())
        for label, runs in shown:
            runs.sort()
            what = "" if label.startswith("a page's health") else " (KPIs + page + monthly)"
            print(f"{label}{what}, {len(runs)} runs: median "
                  f"{statistics.median(runs):.0f} ms, p95 {runs[math.ceil(0.95 * len(runs)) - 1]:.0f} ms")
        db.close()


if __name__ == "__main__":
    main()
