"""Fiscal calendar: months, quarters and years that follow the fiscal year's start month."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from lib.db import Database

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def fiscal_start_month(db: Database) -> int:
    value = db.value("SELECT value FROM settings WHERE key = 'fiscal_year_start_month'")
    return int(value) if value else 1


@dataclass(frozen=True)
class FiscalYear:
    """A fiscal year named by the calendar year it starts in."""

    start_year: int
    start_month: int = 1

    @classmethod
    def containing(cls, day: date, start_month: int = 1) -> FiscalYear:
        year = day.year if day.month >= start_month else day.year - 1
        return cls(year, start_month)

    @property
    def first_month(self) -> date:
        return date(self.start_year, self.start_month, 1)

    @property
    def months(self) -> list[date]:
        return [add_months(self.first_month, i) for i in range(12)]

    @property
    def label(self) -> str:
        if self.start_month == 1:
            return f"FY {self.start_year}"
        return f"FY {self.start_year}–{(self.start_year + 1) % 100:02d}"

    def quarter_of(self, month: date) -> int:
        offset = (month.year * 12 + month.month) - (self.start_year * 12 + self.start_month)
        if not 0 <= offset < 12:
            raise ValueError(f"{month:%b %Y} is not in {self.label}")
        return offset // 3 + 1

    def previous(self) -> FiscalYear:
        return FiscalYear(self.start_year - 1, self.start_month)


@dataclass(frozen=True)
class YearToDate:
    """The complete months of a fiscal year: from its first month through `last`.

    The year is the one holding the last complete month, so in the first weeks of a new year
    the figures show the year just closed rather than nothing.
    """

    year: FiscalYear
    last: date

    @classmethod
    def as_of(cls, today: date, start_month: int = 1) -> YearToDate:
        last_complete = add_months(today.replace(day=1), -1)
        return cls(FiscalYear.containing(last_complete, start_month), last_complete)

    @property
    def first(self) -> date:
        return self.year.first_month

    @property
    def label(self) -> str:
        return f"{self.first:%b %Y} – {self.last:%b %Y}"


@dataclass(frozen=True)
class PayPeriod:
    """A compensation plan's pay period: a month, a fiscal quarter or a fiscal year."""

    kind: str  # month | quarter | year
    months: tuple[date, ...]
    year: FiscalYear

    @property
    def first(self) -> date:
        return self.months[0]

    @property
    def last_day(self) -> date:
        return add_months(self.months[-1], 1) - timedelta(days=1)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.first:%b %Y}"
        if self.kind == "year":
            return self.year.label
        last = self.months[-1]
        return (f"Q{self.year.quarter_of(self.first)} {self.year.label} "
                f"({MONTH_NAMES[self.first.month - 1]}–{MONTH_NAMES[last.month - 1]} {last.year})")


PAY_PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def pay_periods(kind: str, year: FiscalYear) -> list[PayPeriod]:
    """The pay periods of `kind` that make up a fiscal year, in order."""
    size = PAY_PERIOD_MONTHS[kind]
    months = year.months
    return [PayPeriod(kind, tuple(months[i:i + size]), year) for i in range(0, 12, size)]


def pay_period_of(kind: str, day: date, start_month: int = 1) -> PayPeriod:
    """The pay period of `kind` holding `day`."""
    year = FiscalYear.containing(day, start_month)
    month = day.replace(day=1)
    return next(p for p in pay_periods(kind, year) if month in p.months)
