"""Small builders for test data: each writes through the real write door as the system user."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from itertools import count

from lib.db import Database
from lib.users import SYSTEM, Actor

_seq = count(1)


def _insert(db: Database, table: str, values: dict) -> int | None:
    cols = ", ".join(values)
    marks = ", ".join("?" for _ in values)

    def work(tx):
        rows = tx.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks}) RETURNING *", list(values.values()))
        tx.audit("create", table, None)
        return rows[0][0]

    return db.write(SYSTEM, work)


def make_manager(db: Database, **overrides) -> int:
    n = next(_seq)
    values = {"name": f"Manager {n}", "role_title": "Account Manager", "region": "North America",
              "country": "US", "salary_currency": "USD", "base_salary": Decimal("60000"),
              "created_by": 0, "updated_by": 0, **overrides}
    return _insert(db, "account_managers", values)


def make_user(db: Database, role: str = "manager", **overrides) -> Actor:
    n = next(_seq)
    values = {"email": f"user{n}@example.com", "display_name": f"User {n}", "role": role, **overrides}
    user_id = _insert(db, "users", values)
    return Actor(user_id, values["display_name"], role, values.get("manager_id"))


def make_account(db: Database, **overrides) -> int:
    n = next(_seq)
    values = {"name": f"Account {n}", "tier": "standard", "scope": "regional", "status": "active",
              "currency": "USD", "region": "North America", "industry": "Retail",
              "created_by": 0, "updated_by": 0, **overrides}
    return _insert(db, "accounts", values)


def add_revenue(db: Database, account_id: int, month: date, amount, currency: str = "USD") -> None:
    _insert(db, "revenue", {"account_id": account_id, "month": month, "amount": Decimal(str(amount)),
                            "currency": currency, "created_by": 0, "updated_by": 0})


def add_account_target(db: Database, account_id: int, month: date, amount, currency: str = "USD") -> None:
    _insert(db, "account_targets", {"account_id": account_id, "month": month,
                                    "amount": Decimal(str(amount)), "currency": currency,
                                    "created_by": 0, "updated_by": 0})


def add_fx(db: Database, currency: str, month: date, usd_per_unit) -> None:
    _insert(db, "fx_rates", {"currency": currency, "month": month,
                             "usd_per_unit": Decimal(str(usd_per_unit)), "updated_by": 0})


def add_invoice(db: Database, account_id: int, issue: date, due: date, amount, currency="USD") -> int:
    return _insert(db, "invoices", {"invoice_number": f"INV-{next(_seq)}", "account_id": account_id,
                                    "issue_date": issue, "due_date": due,
                                    "amount": Decimal(str(amount)), "currency": currency,
                                    "created_by": 0, "updated_by": 0})


def add_payment(db: Database, invoice_id: int, paid_on: date, amount) -> None:
    _insert(db, "payments", {"invoice_id": invoice_id, "paid_on": paid_on,
                             "amount": Decimal(str(amount)), "created_by": 0})


def add_interaction(db: Database, account_id: int, manager_id: int, when: datetime, **overrides) -> int:
    values = {"account_id": account_id, "manager_id": manager_id, "type": "call", "occurred_at": when,
              "subject": "Check-in", "created_by": 0, "updated_by": 0, **overrides}
    return _insert(db, "interactions", values)


def add_manager_target(db: Database, manager_id: int, month: date, amount, currency: str = "USD") -> None:
    _insert(db, "manager_targets", {"manager_id": manager_id, "month": month,
                                    "amount": Decimal(str(amount)), "currency": currency,
                                    "created_by": 0, "updated_by": 0})


def add_budget(db: Database, account_id: int, category: str, month: date, budget, spend,
               currency: str = "USD") -> None:
    _insert(db, "budgets", {"account_id": account_id, "category": category, "month": month,
                            "budget": Decimal(str(budget)), "spend": Decimal(str(spend)),
                            "currency": currency, "created_by": 0, "updated_by": 0})
