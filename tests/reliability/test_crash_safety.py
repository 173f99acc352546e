"""Pull the plug: a child runs the app's real write paths (an interaction with its audit row, a
target edit, a 3,200-row revenue import, checkpoints) on a copy of the demo database and is
killed with SIGKILL at seeded random moments. After each kill the database opens, passes
lib.integrity, and holds every write the child acknowledged.

A handful of kills here; ACCOUNTDESK_CRASH_KILLS=100 (`make reliability`) for the full run.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from lib.integrity import check
from lib.migrate import open_database
from tests.conftest import ROOT, copy_db

KILLS = int(os.environ.get("ACCOUNTDESK_CRASH_KILLS") or 5)
SEED = 20260105
LONGEST_WAIT = 2.5    # seconds after the child is ready; long enough to reach every write path


@dataclass
class Acknowledged:
    interactions: dict[str, int] = field(default_factory=dict)     # idempotency key -> id
    targets: dict[int, Decimal] = field(default_factory=dict)      # account -> last amount
    target_values: list[tuple[int, Decimal]] = field(default_factory=list)
    imports: dict[int, int] = field(default_factory=dict)          # batch id -> records
    kinds: Counter = field(default_factory=Counter)

    def take(self, line: str) -> None:
        kind, *rest = line.split()[1:]
        self.kinds[kind] += 1
        if kind == "interaction":
            self.interactions[rest[0]] = int(rest[1])
        elif kind == "target":
            account, amount = int(rest[0]), Decimal(rest[2])
            self.targets[account] = amount
            self.target_values.append((account, amount))
        elif kind == "import":
            self.imports[int(rest[0])] = int(rest[1])


def run_and_kill(path, run: int, wait: float, log) -> list[str]:
    """Start the driver, let it write for `wait` seconds once ready, SIGKILL it; its ACK lines."""
    child = subprocess.Popen([sys.executable, "-m", "tests.reliability.crash_driver", str(path), str(run)],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        ready = child.stdout.readline()
        assert ready.strip() == "READY", f"the driver did not start (run {run}); see {log.name}"
        time.sleep(wait)
        child.send_signal(signal.SIGKILL)
        child.wait()
        lines = child.stdout.read().splitlines()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL, \
        f"the driver stopped by itself (exit {child.returncode}) in run {run}; see {log.name}"
    return [line for line in lines if line.startswith("ACK ")]


def assert_all_there(db, acked: Acknowledged) -> None:
    stored = dict(db.rows("SELECT subject, id FROM interactions WHERE subject LIKE 'crash-%'"))
    missing = {k for k in acked.interactions if stored.get(k) != acked.interactions[k]}
    assert not missing, f"acknowledged interactions lost: {sorted(missing)[:5]}"
    assert db.rows("SELECT subject FROM interactions WHERE subject LIKE 'crash-%' "
                   "GROUP BY subject HAVING count(*) > 1") == []
    keys = {r[0] for r in db.rows("SELECT key FROM idempotency_keys WHERE key LIKE 'crash-%'")}
    assert set(acked.interactions) <= keys

    changes = set(db.rows("SELECT subject_id, new_amount FROM target_changes WHERE level = 'account'"))
    lost = [v for v in acked.target_values if v not in changes]
    assert not lost, f"acknowledged target edits missing from the history: {lost[:5]}"
    current = dict(db.rows("SELECT account_id, amount FROM account_targets WHERE month = '2190-01-01'"))
    # A later (unacknowledged) save may have replaced an acknowledged value; an older one never.
    stale = {a: (v, current.get(a)) for a, v in acked.targets.items()
             if current.get(a) is None or current[a] < v}
    assert not stale, f"targets older than their acknowledged value: {stale}"

    batches = dict(db.rows("SELECT b.id, count(r.batch_id) FROM import_batches b LEFT JOIN import_rows_revenue r "
                           "ON r.batch_id = b.id WHERE b.undone_at IS NULL GROUP BY b.id"))
    short = {b: (n, batches.get(b)) for b, n in acked.imports.items() if batches.get(b) != n}
    assert not short, f"acknowledged import batches missing or incomplete: {short}"
    if acked.imports:
        assert db.value("SELECT count(*) FROM revenue WHERE year(month) = 2190") == max(acked.imports.values())


def test_every_acknowledged_write_survives_sigkill_and_the_database_stays_consistent(
        tmp_path, demo_db_file):
    path = copy_db(demo_db_file, tmp_path / "crash.duckdb")
    rng = random.Random(SEED)
    acked = Acknowledged()
    with open(tmp_path / "driver.log", "w") as log:
        for run in range(1, KILLS + 1):
            for line in run_and_kill(path, run, rng.uniform(0.0, LONGEST_WAIT), log):
                acked.take(line)
            db = open_database(path)
            try:
                assert check(db) == [], f"after kill {run}"
                assert_all_there(db, acked)
            finally:
                db.close()
    # The kills reached every kind of write: otherwise this test proved less than it says.
    assert {"interaction", "target", "import", "checkpoint"} <= set(acked.kinds), acked.kinds
