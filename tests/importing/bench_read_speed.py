"""Measure read_upload against pandas alone (not collected by pytest).

    .venv/bin/python -m tests.importing.bench_read_speed
"""
from __future__ import annotations

import io
import random
import time

import pandas as pd

from lib.importing import read_upload


def make_csv(rows: int = 1_000_000) -> bytes:
    rng = random.Random(7)
    regions = ["East", "West", "North", "South"]
    lines = ["account,region,month,amount"] + [
        f"A{i:07d},{rng.choice(regions)},2024-{rng.randint(1, 12):02d},{rng.randint(0, 999999)}.{rng.randint(0, 99):02d}"
        for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def make_xlsx(rows: int = 100_000) -> bytes:
    import datetime as dt

    import xlsxwriter

    rng = random.Random(7)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    sheet, dates = book.add_worksheet("Data"), book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["account", "owner", "region", "date", "amount", "units"])
    for i in range(1, rows + 1):
        sheet.write_string(i, 0, f"A{i:07d}")
        sheet.write_string(i, 1, f"Owner {rng.randint(1, 50)}")
        sheet.write_string(i, 2, rng.choice(["East", "West"]))
        sheet.write_datetime(i, 3, dt.datetime(2024, rng.randint(1, 12), 1), dates)
        sheet.write_number(i, 4, rng.randint(0, 99999) / 100)
        sheet.write_number(i, 5, rng.randint(1, 500))
    book.close()
    return buffer.getvalue()


def best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    read_upload(b"a,b\n1,2\n", "warm-up.csv")   # the forkserver starts once per process
    csv_bytes = make_csv()
    print(f"CSV, 1,000,000 rows, {len(csv_bytes) / 1e6:.1f} MB")
    print(f"  read_upload (sandboxed, table found): {best_of(3, lambda: read_upload(csv_bytes, 'big.csv')):.2f} s")
    print(f"  pandas read_csv, C engine, dtype=str: "
          f"{best_of(3, lambda: pd.read_csv(io.BytesIO(csv_bytes), dtype=str, keep_default_na=False)):.2f} s")
    xlsx_bytes = make_xlsx()
    print(f"XLSX, 100,000 rows x 6 columns, {len(xlsx_bytes) / 1e6:.1f} MB")
    print(f"  read_upload (sandboxed, table found): {best_of(3, lambda: read_upload(xlsx_bytes, 'big.xlsx')):.2f} s")
    print(f"  pd.read_excel(engine='calamine'):     "
          f"{best_of(3, lambda: pd.read_excel(io.BytesIO(xlsx_bytes), engine='calamine', sheet_name=None, header=None)):.2f} s")


if __name__ == "__main__":
    main()
