"""Time the Compensation page's Team tab (every visible manager's pay) on a large portfolio.

    .venv/bin/python bench/compensation.py [--accounts N] [--managers N] [--seed N] [--repeat N]
                                           [--db FILE] [--currency USD]

Uses the large portfolio bench/large.py builds (cached beside it, about a minute the first time)
and times a private copy, so the cached file is never opened; with --db it times FILE instead
(a copy you made: the file must not be open in a running app). The director of the demo
(Eleanor Hayes) is the one asking, as on the page. Each read runs uncached, `--repeat` times:
the team view (lib.comp_team.team_view: a statement per manager, then the totals), the same
statements without the totals (lib.compensation.statements, what the review leaderboard's payout
needs), and one manager's statement (the largest book) for scale.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_common  # noqa: E402 (beside this script)
import large  # noqa: E402 (beside this script)

from lib import comp_team, compensation  # noqa: E402
from lib.db import Database  # noqa: E402
from lib.users import Actor, get_user  # noqa: E402

DIRECTOR = "eleanor.hayes@demo.accountdesk.example"


def director(db: Database) -> Actor:
    user_id = db.value("SELECT id FROM users WHERE email = ?", [DIRECTOR])
    if user_id is None:
        raise SystemExit(f"{DIRECTOR} is not in this database: give a demo portfolio.")
    return get_user(db, user_id)


def reads(db: Database, actor: Actor, today: date,
          currency: str) -> dict[str, Callable[[], object]]:
    managers = list(compensation.visible_managers(db, actor))
    biggest = db.value("SELECT owner_id FROM accounts WHERE archived_at IS NULL "
                       "AND owner_id IN (SELECT unnest(?::INTEGER[])) "
                       "GROUP BY owner_id ORDER BY count(*) DESC, owner_id LIMIT 1", [managers])
    return {
        f"Team view ({len(managers)} managers)": lambda: comp_team.team_view(
            db, actor, today, currency),
        f"Statements of all {len(managers)} managers": lambda: compensation.statements(
            db, actor, managers, today),
        "One statement (largest book)": lambda: compensation.statement(db, actor, biggest, today),
    }


def timed(run: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        out.append(time.perf_counter() - started)
    return out


def sizes(db: Database) -> str:
    counts = {t: db.value(f"SELECT count(*) FROM {t}") for t in
              ("accounts", "account_managers", "revenue", "manager_targets", "comp_assignments")}
    return ", ".join(f"{n:,} {t.replace('_', ' ')}" for t, n in counts.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--managers", type=int, default=200)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each read")
    parser.add_argument("--db", type=Path, help="time this portfolio file instead of a copy of "
                                                "the cached one")
    parser.add_argument("--currency", default="USD", help="the team view's currency")
    args = parser.parse_args()
    today = date.today()
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or large.copy_portfolio(
            large.large_portfolio(large.Size(args.accounts, args.managers, args.seed), today),
            Path(folder))
        db = Database(path)
        try:
            command = f".venv/bin/python bench/compensation.py {' '.join(sys.argv[1:])}"
            print(f"command: {command.rstrip()}")
            print(f"machine: {bench_common.machine()}; date {today}")
            print(f"portfolio: {sizes(db)}")
            actor = director(db)
            results = {name: timed(run, args.repeat)
                       for name, run in reads(db, actor, today, args.currency).items()}
        finally:
            db.close()
    print(f"\nseconds over {args.repeat} runs, uncached:\n")
    print("| read | median | max |\n|---|---|---|")
    for name, values in results.items():
        print(f"| {name} | {statistics.median(values):.2f} | {max(values):.2f} |")


if __name__ == "__main__":
    main()
