"""Invoices for the last 15 closed months and the payments against them.

One invoice per customer per month, issued on the month's last day for that month's revenue,
due after the customer's terms (30/45/60 days). How it gets paid follows the customer's
`payer` habit: prompt (around the due date), slow (10-90 days late), partial (part on time,
the rest later or never), poor (often not at all). The at-risk story account stopped paying
altogether some months ago. Amounts are whole cents, so payments never sum above an invoice.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib.demo import cast
from lib.demo.common import Clock, digits, lookup, to_money, zero_pad

INVOICED_MONTHS = 15
REFERENCE_PREFIX = {"USD": "ACH-", "GBP": "BACS-", "EUR": "SEPA-", "INR": "NEFT-"}


def invoice_frame(clock: Clock, acc: pd.DataFrame, revenue: pd.DataFrame,
                  months: int = INVOICED_MONTHS) -> pd.DataFrame:
    billed = revenue[revenue["_k"] > clock.k_last - months]
    a, k = billed["account_id"].to_numpy(), billed["_k"].to_numpy()
    issue = clock.month_end(k)
    order = np.lexsort((a, issue))  # numbered in the order they were issued
    a, k, issue, cents = a[order], k[order], issue[order], billed["_cents"].to_numpy()[order]
    due = issue + acc["terms"].to_numpy()[a].astype("timedelta64[D]")
    year = issue.astype("datetime64[Y]").astype(int) + 1970
    number = "INV-" + zero_pad(year, 4) + "-" + zero_pad(np.arange(1, len(a) + 1), 6)
    return pd.DataFrame({
        "id": np.arange(len(a)), "invoice_number": number, "account_id": a,
        "issue_date": issue, "due_date": due, "amount": to_money(cents),
        "currency": acc["currency"].to_numpy()[a], "_k": k, "_cents": cents,
    })


def payment_frame(rng: np.random.Generator, clock: Clock, acc: pd.DataFrame,
                  invoices: pd.DataFrame) -> pd.DataFrame:
    n = len(invoices)
    payer = acc["payer"].to_numpy()[invoices["account_id"].to_numpy()]
    k, cents = invoices["_k"].to_numpy(), invoices["_cents"].to_numpy()
    late = np.select(
        [payer == "prompt", payer == "slow", payer == "partial", payer == "poor"],
        [rng.integers(-15, 6, n), rng.integers(10, 91, n), rng.integers(-5, 21, n),
         rng.integers(30, 121, n)],
        rng.integers(20, 61, n))  # "stopped": paid slowly, until it stopped paying
    slipped = (payer == "prompt") & (rng.random(n) < 0.04)  # even good payers slip sometimes
    late[slipped] = rng.integers(10, 41, int(slipped.sum()))
    pays = ~((payer == "poor") & (rng.random(n) < 0.4))
    pays &= ~((payer == "stopped") & (k > clock.k_last - cast.AT_RISK_UNPAID_MONTHS))
    first_share = np.where(payer == "partial", rng.uniform(0.3, 0.8, n), 1.0)
    first = np.floor(cents * first_share).astype(np.int64)
    first_on = _paid_on(invoices, late)
    second = pays & (payer == "partial") & (rng.random(n) < 0.6)
    second_on = first_on + rng.integers(20, 81, n).astype("timedelta64[D]")
    return _payments(rng, invoices, [
        (pays & (first_on <= clock.today64), first_on, first),
        (second & (second_on <= clock.today64), second_on, cents - first),
    ])


def _paid_on(invoices: pd.DataFrame, late_days: np.ndarray) -> np.ndarray:
    due = invoices["due_date"].to_numpy().astype("datetime64[D]")
    issue = invoices["issue_date"].to_numpy().astype("datetime64[D]")
    return np.maximum(due + late_days.astype("timedelta64[D]"), issue + 1)


def _payments(rng: np.random.Generator, invoices: pd.DataFrame, parts: list) -> pd.DataFrame:
    frames = []
    for mask, paid_on, cents in parts:
        rows = np.flatnonzero(mask)
        frames.append(pd.DataFrame({
            "invoice_id": invoices["id"].to_numpy()[rows], "paid_on": paid_on[rows],
            "amount": to_money(cents[rows]),
        }))
    out = pd.concat(frames, ignore_index=True).sort_values(["paid_on", "invoice_id"],
                                                         ignore_index=True)
    currency = invoices["currency"].to_numpy()[out["invoice_id"].to_numpy()]
    out["reference"] = lookup(REFERENCE_PREFIX, currency) + digits(rng, len(out), 8)
    return out
