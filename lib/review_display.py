"""How the team review's tables read on the wall: the columns a person needs, named in words,
amounts rounded (pure pandas; the page adds the column formats)."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

import pandas as pd

from lib.formatting import money, percent, plain
from lib.review_diff import AccountMove, AttainmentChange, EscalationMove, PaymentsReceived, ReviewDiff

SEVERITIES = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"}
STATES = {"open": "Open", "resolved": "Resolved", "deleted": "Deleted"}
TOP_PAYMENTS = 10


def _link(ids: pd.Series) -> pd.Series:
    return "/account?account=" + ids.astype(int).astype(str)


def points(change: Any) -> str:
    """+4.2 pts / −3.0 pts / — for a change in attainment (0.042 = 4.2 points)."""
    if change is None or pd.isna(change):
        return "—"
    value = float(change) * 100
    return f"{'+' if value > 0 else '−' if value < 0 else '±'}{abs(value):.1f} pts"


def leaderboard_for_display(board: pd.DataFrame) -> pd.DataFrame:
    shown = pd.DataFrame({
        "#": range(1, len(board) + 1), "Manager": board["name"], "Accounts": board["accounts"],
        "Revenue YTD": board["revenue"].round(0), "Target YTD": board["target"].round(0),
        "Attainment": board["attainment"], "Since last review": board["change"].map(points)})
    if "payout" in board:
        shown["Projected payout"] = [money(p, c or "") if p is not None and not pd.isna(p) else "—"
                                     for p, c in zip(board["payout"], board["payout_currency"])]
    return shown


def at_risk_for_display(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Open": _link(rows["account_id"]), "Account": rows["name"], "Why": rows["reasons"],
        "Score": rows["score"].round(0) if rows["score"].notna().any() else "",
        "Manager": rows["owner_name"], "Tier": rows["tier"].str.capitalize()}).reset_index(drop=True)


def follow_ups_for_display(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Open": _link(rows["account_id"]), "Account": rows["account_name"],
        "Manager": rows["owner_name"], "Next step": rows["next_step"],
        "Due": pd.to_datetime(rows["due"]).dt.strftime("%d %b %Y"),
        "Days late": rows["days_late"]}).reset_index(drop=True)


def escalations_for_display(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Open": _link(rows["account_id"]), "Severity": rows["severity"].map(SEVERITIES).fillna(""),
        "Account": rows["account_name"], "Manager": rows["manager_name"], "Subject": rows["subject"],
        "Age (days)": rows["age_days"]}).reset_index(drop=True)


def movers_for_display(rows: pd.DataFrame, previous: date, through: date) -> pd.DataFrame:
    return pd.DataFrame({
        "Open": _link(rows["account_id"]), "Account": rows["name"], "Manager": rows["owner_name"],
        f"{previous:%b %Y}": rows["prev_month"].round(0), f"{through:%b %Y}": rows["last_month"].round(0),
        "Change": rows["change"].round(0)}).reset_index(drop=True)


def actions_for_display(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Who": rows["owner_name"], "What": rows["what"],
        "By when": [f"{pd.Timestamp(d):%d %b %Y}" if pd.notna(d) else "" for d in rows["due_on"]],
        "Review": rows["review_title"],
        "Done": ["" if pd.isna(d) else f"{pd.Timestamp(d):%d %b %Y}" for d in rows["done_at"]]})


def attainment_for_display(rows: tuple[AttainmentChange, ...]) -> pd.DataFrame:
    return pd.DataFrame({"Manager": [r.name for r in rows],
                         "Then": [percent(r.before) for r in rows],
                         "Now": [percent(r.after) for r in rows],
                         "Change": [points(r.change) for r in rows]})


def moves_for_display(rows: tuple[AccountMove, ...], names: dict[int, str], amount: str) -> pd.DataFrame:
    return pd.DataFrame({"Open": [f"/account?account={m.account_id}" for m in rows],
                         "Account": [m.name for m in rows],
                         "Manager": [names.get(m.owner_id, "No owner") for m in rows],
                         amount: [round(m.amount) for m in rows]})


def target_edits_for_display(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "When": pd.to_datetime(rows["changed_at"]).dt.strftime("%d %b %Y %H:%M"),
        "Target of": rows["subject"].fillna("(removed)"),
        "Month": pd.to_datetime(rows["month"]).dt.strftime("%b %Y"),
        "From": rows["old_amount"].round(0), "To": rows["new_amount"].round(0),
        "Why": rows["reason"].fillna(""), "By": rows["changed_by_name"]})


def diff_headline(d: ReviewDiff, currency: str,
                  received: PaymentsReceived | None = None) -> list[tuple[str, str, str | None]]:
    """(label, value, help) for the since-last-review figures; `received`, the payments listed
    (when they can be), gives the payments' figure, else the running total's growth does."""
    booked = "—" if d.revenue_booked is None else money(d.revenue_booked, currency)
    return [
        ("Revenue booked", booked, "Change in the team's revenue year to date (— when the "
                                   "fiscal year has turned since)."),
        ("New revenue", money(d.new_revenue_total, currency),
         f"{len(d.new_revenue)} accounts with revenue in the last month that had none before."),
        ("Lost revenue", money(d.lost_revenue_total, currency),
         f"{len(d.lost_revenue)} accounts that had revenue in the last month and have none now."),
        ("Payments received",
         money(d.payments_received if received is None else received.total, currency),
         None if received is None else f"{received.count:,} payments came in since."),
        ("Target edits", f"{d.target_edits:,}", None),
        ("Escalations opened / closed", f"{d.escalations_opened:,} / {d.escalations_closed:,}", None),
    ]


def escalation_moves_for_display(rows: tuple[EscalationMove, ...]) -> pd.DataFrame:
    return pd.DataFrame({"Open": [f"/account?account={m.account_id}" for m in rows],
                         "Account": [m.account for m in rows],
                         "Subject": [m.subject for m in rows],
                         "Severity": [SEVERITIES.get(m.severity or "", m.severity or "") for m in rows],
                         "Now": [STATES.get(m.state, m.state) for m in rows]})


def unnamed(count: int, named: int) -> str | None:
    """What to say when the count is more than the escalations named (an older review)."""
    if count <= named:
        return None
    return (f"{count - named:,} more not named: the review compared with was kept before "
            "Account Desk kept each escalation, so only its counts compare.")


def payments_for_display(received: PaymentsReceived, currency: str) -> tuple[pd.DataFrame, str]:
    """The biggest payments as rows, and a sentence with how many, their total and the rest."""
    shown = received.biggest
    frame = pd.DataFrame({"Open": [f"/account?account={m.account_id}" for m in shown],
                          "Account": [m.account for m in shown],
                          "Paid on": [f"{m.paid_on:%d %b %Y}" for m in shown],
                          "Amount": [round(m.amount, 2) for m in shown]})
    n = received.count
    sentence = f"{n:,} payment{'' if n == 1 else 's'}, {money(received.total, currency)} in all"
    if received.rest > 0:
        sentence += (f"; the {len(shown):,} biggest are listed, the other {received.rest:,} "
                     f"come to {money(received.rest_total, currency)}")
    return frame, sentence + "."


_BLOCK_START = re.compile(r"^(\d+)([.)])(\s)")


def _cell(value: Any) -> str:
    """A value as a markdown table cell that shows exactly as typed: no emphasis, link,
    heading or list made from what a person wrote."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}"
    text = plain(value)
    if text and text[0] in "#-+>=":
        text = "\\" + text
    return _BLOCK_START.sub(r"\1\\\2\3", text)


def for_wall(frame: pd.DataFrame, percent_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """A list as the wall shows it in large type (st.table reads each cell as markdown): every
    value as text, amounts with thousands separators, shares as percentages, an account link
    as a link, and anything a person typed shown as typed."""
    shown = {}   # built whole: a frame grown column by column costs ~1 ms a column
    for column in frame.columns:
        values = frame[column].tolist()
        if column == "Open":
            shown[column] = [f"[Open]({url})" if isinstance(url, str) and url.startswith("/account?account=")
                             else "" for url in values]
        elif column in percent_columns:
            shown[column] = [percent(v) for v in values]
        else:
            shown[column] = [_cell(v) for v in values]
    return pd.DataFrame(shown, index=range(len(frame)), columns=list(frame.columns))
