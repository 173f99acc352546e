"""The demo portfolio: a realistic, deterministic account-management book for an empty database.

    load_demo(db, actor, seed=42, today=None, accounts=400, managers=12) -> row counts
    (optional knobs for benchmarks: invoiced_months=15, interactions_scale=1.0)
    python -m lib.demo [--db PATH] [--seed N] [--accounts N] [--managers N] [--today DATE]

The same seed and `today` give the same data (ids included, in a fresh database); every
date is relative to `today`. Everything is generated column-wise with numpy/pandas, then
written in ONE `db.write` transaction with one summary audit row; a database that already
holds accounts is refused (DemoRefused) and left untouched.

The team: Account Director Eleanor Hayes; `managers` account managers in the US (USD), UK
(GBP; the UK desk also covers Europe) and India (INR) across nine role titles, all reporting
to her; users for each of them plus Fiona Finch (finance, admin) and the Meeting Room Screen
(viewer). Each manager is on the commission plan of their (role title, currency).

The stories a team review should catch, with fixed names for every seed (lib.demo.cast).
"Story year" = the year of the last complete month (this year, except in January):

1. At-risk key account - Brightwater Logistics Inc. (US, status at_risk): revenue of the last
   3 closed months is down >30% on the 3 before; the last contact was an open *critical*
   escalation ~75 days ago (nothing since, nothing planned) whose follow-up is overdue; it
   stopped paying, so its invoices of the last 8 months are unpaid, several 90+ days overdue.
2. Far ahead - Maya Thompson (Senior AM, US): her book's story-year revenue runs ~1.5x, so
   YTD revenue >= 130% of her accounts' YTD targets.
3. Well behind - Oliver Bennett (Account Manager, UK): his book runs at ~0.5x: <= 75%.
   Quota allocation: Rahul Mehta's monthly quota is 115% of his accounts' targets
   (over-allocated), Sophie Clarke's 88% (under-allocated), each with a target_changes row.
4. Over budget - Lindqvist Retail GmbH (key, Germany): story-year travel + events spend runs
   50-70% over budget (every other account spends 60-115% of budget).
5. Promoted - Sundara Textiles Pvt Ltd (India): grew ~9x in three years; account_history
   shows standard -> strategic ten months before, and strategic -> key this year; its target
   was rebased (target_changes).
6. Neglected - no contact for longer than the tier's policy (key 30, strategic 45, standard
   90 days): Pinecrest Clinics Inc. (key, 52 days), Harbourside Media Ltd (strategic, 70),
   Ostara Energie GmbH (standard, 140); plus ~2% of ordinary customers that slipped.

Around them: ~10% key / 20% strategic accounts, ~8% subsidiaries of 'X Holdings' groups,
prospects (no revenue), churners (revenue fades and stops), new customers ramping up, growth
and decline stories, past tier promotions and account handovers in account_history, 36
months of seasonal revenue (Q4 peak, summer dip), targets for three calendar years, budgets,
15 months of invoices with prompt, slow, partial and missing payments, 18 months of
interactions with this month's visit plan, and monthly FX rates.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from lib.db import Database, Tx
from lib.demo.activity import build_interactions
from lib.demo.billing import INVOICED_MONTHS, invoice_frame, payment_frame
from lib.demo.common import Clock, stream
from lib.demo.contacts import build_contacts
from lib.demo.history import build_history
from lib.demo.loader import insert_portfolio
from lib.demo.money import build_fx, build_model, fx_frame, revenue_frame
from lib.demo.pay import build_assignments, build_bands, build_plans
from lib.demo.people import build_managers, build_users
from lib.demo.portfolio import build_accounts
from lib.demo.spend import budget_frame
from lib.demo.targets import (account_target_frame, account_targets, manager_target_frame,
                              target_change_frame)
from lib.users import Actor

__all__ = ["DemoRefused", "load_demo", "build_portfolio"]

MIN_ACCOUNTS, MAX_ACCOUNTS = 50, 200_000
MIN_MANAGERS, ACCOUNTS_PER_MANAGER = 5, 10


class DemoRefused(Exception):
    """The demo cannot be loaded here; the message is meant for a person."""


def load_demo(db: Database, actor: Actor, *, seed: int = 42, today: date | None = None,
              accounts: int = 400, managers: int = 12, invoiced_months: int = INVOICED_MONTHS,
              interactions_scale: float = 1.0) -> dict[str, int]:
    """Fill an empty database with the demo portfolio in ONE db.write transaction; return
    row counts per table.

    `invoiced_months` (closed months that have invoices) and `interactions_scale` (a factor on
    every account's contact rate) let a benchmark size those tables; the defaults are the demo.
    """
    check_size(seed, accounts, managers)
    today = today or date.today()
    _refuse_unless_empty(db.value("SELECT count(*) FROM accounts"))  # before seconds of work
    frames = build_portfolio(seed, today, accounts, managers, invoiced_months=invoiced_months,
                             interactions_scale=interactions_scale)

    def work(tx: Tx) -> dict[str, int]:
        _refuse_unless_empty(tx.value("SELECT count(*) FROM accounts"))  # the one that counts
        _refuse_taken_emails(tx, frames["users"]["email"].tolist())
        counts = insert_portfolio(tx, frames)
        tx.audit("load_demo", "portfolio", None,
                 {**counts, "seed": seed, "today": today.isoformat()})
        return counts

    return db.write(actor, work)


def check_size(seed: int, accounts: int, managers: int) -> None:
    if seed < 0:
        raise ValueError("The seed must be zero or a positive whole number.")
    if not MIN_ACCOUNTS <= accounts <= MAX_ACCOUNTS:
        raise ValueError(f"The demo holds between {MIN_ACCOUNTS} and {MAX_ACCOUNTS} accounts.")
    if not MIN_MANAGERS <= managers <= accounts // ACCOUNTS_PER_MANAGER:
        raise ValueError(
            f"The demo needs at least {MIN_MANAGERS} managers and {ACCOUNTS_PER_MANAGER} "
            f"accounts per manager ({accounts} accounts allow up to "
            f"{max(accounts // ACCOUNTS_PER_MANAGER, MIN_MANAGERS)}).")


def _refuse_unless_empty(existing: int) -> None:
    if existing:
        raise DemoRefused(
            f"The database already holds {existing} account{'s' if existing != 1 else ''}; "
            "the demo portfolio only loads into an empty database.")


def _refuse_taken_emails(tx: Tx, emails: list[str]) -> None:
    taken = tx.execute("SELECT email FROM users WHERE lower(email) IN (SELECT unnest(?))",
                       [[e.lower() for e in emails]])
    if taken:
        raise DemoRefused(
            f"The database already has a user {taken[0][0]} from the demo; the demo portfolio "
            "only loads into an empty database.")


def build_portfolio(seed: int, today: date, accounts: int, managers: int, *,
                    invoiced_months: int = INVOICED_MONTHS,
                    interactions_scale: float = 1.0) -> dict[str, pd.DataFrame]:
    """Every demo table as a DataFrame keyed by table name; references are positions."""
    clock = Clock(today)
    team = build_managers(stream(seed, "managers"), clock, managers)
    acc = build_accounts(stream(seed, "accounts"), clock, accounts, team)
    history = build_history(stream(seed, "history"), clock, acc, team)
    contacts = build_contacts(stream(seed, "contacts"), acc)
    fx = build_fx(stream(seed, "fx"), clock)
    model = build_model(stream(seed, "revenue"), clock, acc)
    revenue = revenue_frame(clock, acc, model)
    targets = account_targets(clock, acc, model)
    quotas = manager_target_frame(clock, acc, team, targets, fx)
    invoices = invoice_frame(clock, acc, revenue, months=invoiced_months)
    interactions, links = build_interactions(stream(seed, "interactions"), clock, acc,
                                             contacts, history, scale=interactions_scale)
    plans = build_plans(team)
    return {
        "account_managers": team, "users": build_users(team), "accounts": acc,
        "account_history": history, "contacts": contacts, "interactions": interactions,
        "interaction_contacts": links, "revenue": revenue,
        "account_targets": account_target_frame(clock, acc, targets),
        "manager_targets": quotas,
        "target_changes": target_change_frame(stream(seed, "target_changes"), clock, acc,
                                              targets, quotas),
        "budgets": budget_frame(stream(seed, "budgets"), clock, acc, model),
        "invoices": invoices,
        "payments": payment_frame(stream(seed, "payments"), clock, acc, invoices),
        "comp_plans": plans, "comp_plan_bands": build_bands(stream(seed, "bands"), plans, team, quotas,
                                                    clock.year - 1),
        "comp_assignments": build_assignments(clock, team, plans),
        "fx_rates": fx_frame(clock, fx),
    }
