"""Work done while nobody writes, so that the next person does not wait for it.

Every account's health scores and signals (today's, and those of the day an account's health
is compared with), the per-account figures the Portfolio reads and every manager's pay
statement as of today are kept per data version (`Database.memo`) and shared by every session;
a write makes them stale. Scoring every account takes seconds on a department's portfolio, so
whoever asked first after a write waited for it, and until then the Portfolio scored the health
of each page of rows, and the Account page each account, on its own. Once the data has not
changed for QUIET seconds, `Warmer.step` builds them again in the background. While people keep
writing it waits: it never competes with a burst of work.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from lib import compensation, fx, health, portfolio, review_log
from lib.db import Database
from lib.periods import fiscal_start_month
from lib.users import SYSTEM

log = logging.getLogger("accountdesk")
QUIET = 5.0  # seconds without a write before the kept figures are built again


def warm(db: Database, today: date) -> list[str]:
    """Build whatever of the kept figures is missing at the current data version (in the
    default reporting currency); what was built, in words. Costs nothing when all are kept."""
    built = []
    query = portfolio.PortfolioQuery(currency=fx.default_reporting_currency(db), today=today,
                                     fiscal_start=fiscal_start_month(db))
    if not portfolio.figures_kept(db, query):
        portfolio.kpis(db, SYSTEM, query)
        portfolio.monthly(db, SYSTEM, query)
        built.append("portfolio figures")
    if not health.all_scores_kept(db, today):
        health.all_scores(db, SYSTEM, today)
        built.append("health scores")
    since, _ = review_log.health_since(db, SYSTEM, today)
    if not health.signals_kept(db, since):   # what an account's "Why this score" compares with
        health.every_signal(db, SYSTEM, since)
        built.append("health signals")
    if not compensation.everyone_kept(db, today):
        compensation.keep_everyone(db, today)
        built.append("pay statements")
    return built


@dataclass
class Warmer:
    """Calls `warm` once the data version has stood still for `quiet` seconds; `step` is called
    every second or so by a background thread."""
    db: Database
    quiet: float = QUIET
    clock: Callable[[], float] = time.monotonic
    today: Callable[[], date] = date.today
    _version: int = field(default=-1, init=False)
    _since: float = field(default=0.0, init=False)
    _done: tuple[int, date] | None = field(default=None, init=False)

    def step(self) -> list[str]:
        """What was built this step (nothing while writes come, or when all is kept)."""
        version, now, today = self.db.data_version, self.clock(), self.today()
        if version != self._version:
            self._version, self._since = version, now
        if now - self._since < self.quiet or self._done == (version, today):
            return []
        started = time.perf_counter()
        self._done = (version, today)  # a failure is not tried again until the data changes
        try:
            built = warm(self.db, today)
        except Exception:  # the pages compute what is missing themselves, as without this
            log.exception("building the kept figures failed")
            return []
        if built:
            log.info("kept %s for data version %s in %.1f s", " and ".join(built), version,
                     time.perf_counter() - started)
        return built
