"""A manager's commission statement for one pay period as an XLSX workbook a person can keep:
summary, bands, credited revenue by account, adjustments, and every period of the year."""
from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import xlsxwriter

from lib.compensation import PeriodPay, Statement
from lib.exports import safe_cell


def statement_xlsx(s: Statement) -> bytes:
    """The workbook for the statement's focused period (`s.current`)."""
    pay = s.current
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False})
    fmt = _formats(book)
    _summary(book.add_worksheet("Summary"), fmt, s, pay)
    _bands(book.add_worksheet("Bands"), fmt, pay)
    _accounts(book.add_worksheet("Credited revenue"), fmt, s, pay)
    _adjustments(book.add_worksheet("Adjustments"), fmt, pay)
    _year(book.add_worksheet("Year"), fmt, s)
    book.close()
    return out.getvalue()


def file_name(s: Statement) -> str:
    pay = s.current
    who = "".join(c if c.isalnum() else "-" for c in s.manager_name).strip("-").lower()
    return f"commission-statement-{who}-{pay.period.first:%Y-%m}.xlsx"


def _formats(book: xlsxwriter.Workbook) -> dict[str, Any]:
    return {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "head": book.add_format({"bold": True, "bottom": 1, "bg_color": "#EEF2F7"}),
        "money": book.add_format({"num_format": "#,##0.00"}),
        "pct": book.add_format({"num_format": "0.00\\%"}),
        "bold_money": book.add_format({"num_format": "#,##0.00", "bold": True, "top": 1}),
        "text": book.add_format({"text_wrap": True, "valign": "top"}),
    }


def _write_table(sheet, fmt, row: int, headers: list[str], rows: list[list[Any]],
                 kinds: list[str]) -> int:
    for col, header in enumerate(headers):
        sheet.write(row, col, header, fmt["head"])
    for r, values in enumerate(rows, start=row + 1):
        for col, (value, kind) in enumerate(zip(values, kinds)):
            _cell(sheet, fmt, r, col, value, kind)
    return row + len(rows) + 1


def _cell(sheet, fmt, row: int, col: int, value: Any, kind: str = "text") -> None:
    if value is None:
        sheet.write_blank(row, col, None)
    elif isinstance(value, Decimal):
        sheet.write_number(row, col, float(value), fmt[kind if kind in fmt else "money"])
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value, fmt.get(kind) or fmt["money"])
    else:
        sheet.write_string(row, col, str(safe_cell(str(value))))


def _summary(sheet, fmt, s: Statement, pay: PeriodPay) -> None:
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 22)
    sheet.write(0, 0, f"Commission statement: {s.manager_name}", fmt["title"])
    sheet.write(1, 0, f"{pay.period.label} · {pay.plan_name or 'no plan'} · amounts in {s.currency}")
    end = pay.at_end
    lines: list[tuple[str, Any, str]] = [
        ("Status", {"closed": "Closed", "open": "Open (months to come projected)",
                    "future": "Not started (projected)"}[pay.status], "text"),
        ("Quota", pay.quota, "money"),
        ("Credited revenue (closed months)", pay.actual, "money"),
        ("Attainment to date", pay.attainment, "pct"),
        ("Projected credited revenue", pay.projected, "money"),
        ("Projected attainment", pay.projected_attainment, "pct"),
    ]
    if pay.to_date and end:
        lines += [
            ("Commission earned to date", pay.to_date.result.commission, "money"),
            ("Projected commission", end.result.commission, "money"),
            ("Clawbacks", -end.clawed_back, "money"),
            ("Bonuses", end.bonus_total, "money"),
            ("Base salary for the period", end.base, "money"),
            ("Projected variable pay paid", end.draw.paid, "money"),
            ("Draw balance owed after the period", end.draw.balance_after, "money"),
            ("Projected total compensation", end.total_compensation, "bold_money"),
        ]
    for row, (label, value, kind) in enumerate(lines, start=3):
        sheet.write(row, 0, label)
        _cell(sheet, fmt, row, 1, value, kind)
    row = len(lines) + 4
    sheet.write(row, 0, pay.why_heading, fmt["head"])
    for i, sentence in enumerate(pay.why, start=row + 1):
        sheet.write_string(i, 0, str(safe_cell(sentence)))


def _bands(sheet, fmt, pay: PeriodPay) -> None:
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 4, 18)
    if pay.at_end is None:
        sheet.write(0, 0, pay.problem or "No plan pays this period.")
        return
    rows = [[ln.band.label, ln.revenue, ln.rate_pct, ln.amount] for ln in pay.at_end.result.lines]
    end = _write_table(sheet, fmt, 0, ["Band", "Revenue in band", "Rate", "Commission"], rows,
                       ["text", "money", "pct", "money"])
    sheet.write(end, 0, "Commission (after threshold and cap)")
    _cell(sheet, fmt, end, 3, pay.at_end.result.commission, "bold_money")


def _accounts(sheet, fmt, s: Statement, pay: PeriodPay) -> None:
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 36)
    sheet.set_column(2, 4, 18)
    table = s.accounts
    if table.empty:
        sheet.write(0, 0, "No revenue credited in this period.")
        return
    rows = [[r.account_id, r.account, r.actual, r.projected, r.worth] for r in table.itertuples()]
    _write_table(sheet, fmt, 0, ["Account id", "Account", "Credited so far", "Projected",
                                 "Worth to the commission"], rows,
                 ["money", "text", "money", "money", "money"])


def _adjustments(sheet, fmt, pay: PeriodPay) -> None:
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 44)
    sheet.set_column(2, 4, 18)
    end = pay.at_end
    rows = []
    if end:
        rows += [["Clawback", c.note, c.reversed_revenue, c.rate_pct, -c.amount] for c in end.clawbacks]
        rows += [["Bonus", b.note, None, None, b.amount] for b in end.bonuses]
    if not rows:
        sheet.write(0, 0, "No bonuses or clawbacks in this period.")
        return
    _write_table(sheet, fmt, 0, ["Kind", "Note", "Reversed revenue", "Rate", "Amount"], rows,
                 ["text", "text", "money", "pct", "money"])


def _year(sheet, fmt, s: Statement) -> None:
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 7, 16)
    rows = []
    for p in s.periods:
        end = p.at_end
        rows.append([p.period.label, p.status, p.quota, p.actual, p.projected,
                     None if end is None else end.result.commission,
                     None if end is None else end.base,
                     None if end is None else end.total_compensation])
    end_row = _write_table(sheet, fmt, 0, ["Period", "Status", "Quota", "Credited",
                                           "Projected", "Commission", "Base", "Total"], rows,
                           ["text", "text", "money", "money", "money", "money", "money", "money"])
    sheet.write(end_row, 0, f"{s.year.label} projected total")
    _cell(sheet, fmt, end_row, 7, s.projected_total_year, "bold_money")
