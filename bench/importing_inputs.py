"""The inputs of bench/importing.py: the demo portfolio at a size, and a revenue CSV and XLSX
that name its accounts the way files do (by external id, or by a unique name), with months
and amounts in the spellings people export."""
from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

MONTHS_PER_ACCOUNT = 50
SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€"}


def build_database(folder: Path, accounts: int) -> float:
    from lib.demo import load_demo
    from lib.migrate import open_database
    from lib.users import SYSTEM

    db = open_database(folder / "bench.duckdb")
    started = time.perf_counter()
    load_demo(db, SYSTEM, accounts=accounts, managers=max(5, accounts // 100))
    seconds = time.perf_counter() - started
    db.close()
    return seconds


def account_refs(folder: Path) -> pd.DataFrame:
    """Each account's reference as a file would write it: its unique name for one in five
    accounts whose name is unique, else its external id; and its currency."""
    from lib.accounts import NAME_PARAMS, normalised_sql
    from lib.migrate import open_database

    db = open_database(folder / "bench.duckdb")
    frame = db.df(f"""
        SELECT id, external_id, name, currency,
               count(*) OVER (PARTITION BY {normalised_sql('name')}) AS same_name
        FROM accounts WHERE archived_at IS NULL AND external_id IS NOT NULL ORDER BY id""", NAME_PARAMS)
    db.close()
    by_name = (frame["same_name"] == 1).to_numpy() & (frame["id"].to_numpy() % 5 == 0)
    frame["ref"] = np.where(by_name, frame["name"], frame["external_id"])
    return frame[["ref", "currency"]].reset_index(drop=True)


def revenue_rows(refs: pd.DataFrame, rows: int, seed: int = 7) -> pd.DataFrame:
    """`rows` distinct (account, month) rows: accounts x up to 50 months ending last month."""
    months_needed = -(-rows // len(refs))
    if months_needed > MONTHS_PER_ACCOUNT * 4:
        raise SystemExit(f"{rows:,} rows need more accounts than {len(refs):,}")
    end = pd.Period(date.today(), "M") - 1
    months = pd.period_range(end=end, periods=months_needed, freq="M")
    n_acc = -(-rows // months_needed)
    acc = np.tile(np.arange(n_acc), months_needed)[:rows]
    mon = np.repeat(np.arange(months_needed), n_acc)[:rows]
    rng = np.random.default_rng(seed)
    amount = np.round(rng.lognormal(8.5, 1.2, rows), 2)
    negative = rng.random(rows) < 0.03
    amount[negative] *= -1
    return pd.DataFrame({"account": refs["ref"].to_numpy()[acc],
                         "month": months[mon].to_timestamp(),
                         "amount": amount, "currency": refs["currency"].to_numpy()[acc],
                         "style": rng.random(rows)})


def money_text(amount: pd.Series, currency: pd.Series, style: pd.Series) -> pd.Series:
    """70% plain 1234.50; 25% symbol and thousands "$1,234.50"; negatives of those as
    "(1,234.50)" / "-1234.50"; 5% thousands without a symbol."""
    plain = amount.map("{:.2f}".format)
    grouped = amount.abs().map("{:,.2f}".format)
    symbol = currency.map(SYMBOLS).fillna("")
    text = plain.copy()
    fancy = style >= 0.70
    text[fancy] = symbol[fancy] + grouped[fancy]
    text[style >= 0.95] = grouped[style >= 0.95]
    negative_fancy = fancy & (amount < 0)
    text[negative_fancy] = "(" + text[negative_fancy] + ")"
    return text


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    month = frame["month"].dt.strftime("%Y-%m")
    short = frame["style"].to_numpy() < 0.2   # one row in five writes the month as Jan-26
    month[short] = frame["month"][short].dt.strftime("%b-%y")
    out = pd.DataFrame({"Account": frame["account"], "Month": month,
                        "Amount": money_text(frame["amount"], frame["currency"], frame["style"]),
                        "Currency": frame["currency"]})
    out.to_csv(path, index=False)


def write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Revenue")
    month_format = book.add_format({"num_format": "mmm-yy"})
    money_format = book.add_format({"num_format": "#,##0.00"})
    sheet.write_row(0, 0, ["Account", "Month", "Amount", "Currency"])
    months = frame["month"].dt.to_pydatetime()
    for i, (account, month, amount, currency) in enumerate(zip(
            frame["account"].tolist(), months, frame["amount"].tolist(),
            frame["currency"].tolist()), start=1):
        sheet.write_string(i, 0, account)
        sheet.write_datetime(i, 1, month, month_format)
        sheet.write_number(i, 2, amount, money_format)
        sheet.write_string(i, 3, currency)
    book.close()
