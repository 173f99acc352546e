"""The monthly sales report on a real DuckDB: the workbook read back with pandas (calamine) and its
numbers checked against the database, hostile names, permissions and an empty database."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

import pandas as pd
import pytest

from lib import fx
from lib.errors import NotAllowed, ValidationFailed
from lib.migrate import open_database
from lib.periods import add_months
from lib.reports import SHEETS, file_name, monthly_report
from lib.reports.workbook import FIRST_ROW
from lib.settings import get_settings, update_setting
from lib.users import SYSTEM
from tests.builders import (add_account_target, add_budget, add_fx, add_interaction, add_invoice, add_payment,
                            add_revenue, make_account, make_manager)
from tests.conftest import copy_db

OCT, SEP, NOV = date(2026, 10, 1), date(2026, 9, 1), date(2026, 11, 1)
HOSTILE = '=HYPERLINK("http://evil.example/steal","Click me")'


# ---- reading the workbook back --------------------------------------------------------------------
def read(data: bytes) -> dict[str, pd.DataFrame]:
    return pd.read_excel(io.BytesIO(data), engine="calamine", sheet_name=None, header=None)


def table(sheet: pd.DataFrame, start: int = FIRST_ROW) -> pd.DataFrame:
    """The table whose header row is `start`, down to the first blank row."""
    rows = []
    for _, row in sheet.iloc[start + 1:].iterrows():
        if row.isna().all():
            break
        rows.append(row.tolist())
    headers = sheet.iloc[start].tolist()
    return pd.DataFrame(rows, columns=headers).dropna(axis=1, how="all")


def summary(sheet: pd.DataFrame) -> dict[str, tuple]:
    """Measure -> (month value, year-to-date value) of the Team summary sheet."""
    return {r[0]: (r[1], r[2]) for r in table(sheet).itertuples(index=False)}


# ---- a small book with numbers worked out by hand -----------------------------------------------
@pytest.fixture
def book(db):
    """October 2026. Maya owns Acme (USD, key); a manager with a hostile name owns an account with
    a hostile name (GBP at 1.25 USD). An archived account's revenue is not the team's."""
    add_fx(db, "GBP", date(2026, 1, 1), "1.25")
    maya = make_manager(db, name="Maya Thompson")
    evil_manager = make_manager(db, name="@SUM(1+1)*cmd")
    acme = make_account(db, name="Acme Inc.", owner_id=maya, tier="key")
    evil = make_account(db, name=HOSTILE, owner_id=evil_manager, currency="GBP")
    gone = make_account(db, name="Gone Ltd", owner_id=maya, archived_at=datetime(2026, 6, 1))
    add_revenue(db, acme, SEP, 1000)
    add_revenue(db, acme, OCT, 2000)
    add_revenue(db, evil, OCT, 800, "GBP")          # 1,000 USD
    add_revenue(db, gone, OCT, 999)
    add_account_target(db, acme, SEP, 1000)
    add_account_target(db, acme, OCT, 2500)
    add_account_target(db, evil, OCT, 800, "GBP")    # 1,000 USD
    overdue = add_invoice(db, acme, date(2026, 8, 1), date(2026, 9, 15), 500)   # 46 days on 31 Oct
    add_payment(db, overdue, date(2026, 11, 5), 500)                           # after month end
    add_invoice(db, evil, date(2026, 10, 10), date(2026, 11, 9), 400, "GBP")   # not yet due: 500 USD
    add_budget(db, acme, "travel", SEP, 300, 400)
    add_budget(db, acme, "travel", OCT, 300, 200)
    for when, kind in ((datetime(2026, 10, 2, 9), "call"), (datetime(2026, 10, 31, 23), "call"),
                       (datetime(2026, 10, 15, 9), "meeting"), (datetime(2026, 11, 1, 0), "call")):
        add_interaction(db, acme, maya, when, type=kind)
    add_interaction(db, acme, maya, datetime(2026, 10, 20, 9), is_planned=True)
    add_interaction(db, acme, maya, datetime(2026, 10, 21, 9), deleted_at=datetime(2026, 10, 22))
    add_interaction(db, evil, evil_manager, datetime(2026, 10, 5, 9), type="email")
    return {"db": db, "maya": maya, "acme": acme, "evil": evil}


def test_the_workbook_has_one_sheet_per_section_each_titled_with_the_month_and_currency(book):
    sheets = read(monthly_report(book["db"], SYSTEM, OCT, "USD"))
    assert list(sheets) == list(SHEETS)
    for name, sheet in sheets.items():
        assert sheet.iloc[0, 0] == f"Monthly sales report · October 2026 · amounts in USD · {name}"


def test_the_team_summary_holds_the_hand_worked_month_and_year_to_date(book):
    figures = summary(read(monthly_report(book["db"], SYSTEM, OCT, "USD"))["Team summary"])
    assert figures["Revenue"] == pytest.approx((3000, 4000))
    assert figures["Target"] == pytest.approx((3500, 4500))
    assert figures["Attainment"] == pytest.approx((3000 / 3500, 4000 / 4500))
    assert figures["Receivables on 31 Oct 2026"][0] == pytest.approx(1000)
    assert figures["Overdue"][0] == pytest.approx(500)
    assert figures["Budget"] == pytest.approx((300, 600))
    assert figures["Spend"] == pytest.approx((200, 600))
    assert figures["Target for the year"][1] == pytest.approx(4500)


def test_amounts_convert_to_the_chosen_currency_with_the_fx_rates(book):
    sheets = read(monthly_report(book["db"], SYSTEM, OCT, "GBP"))
    assert "amounts in GBP" in sheets["Accounts"].iloc[0, 0]
    assert summary(sheets["Team summary"])["Revenue"] == pytest.approx((3000 / 1.25, 4000 / 1.25))


def test_each_account_shows_its_owner_tier_and_revenue_against_target(book):
    accounts = table(read(monthly_report(book["db"], SYSTEM, OCT, "USD"))["Accounts"])
    acme = accounts[accounts["Account"] == "Acme Inc."].iloc[0]
    assert (acme["Owner"], acme["Tier"]) == ("Maya Thompson", "Key")
    assert (acme["Revenue (month)"], acme["Target (month)"]) == (2000, 2500)
    assert (acme["Revenue (YTD)"], acme["Target (YTD)"]) == (3000, 3500)
    assert acme["Attainment (month)"] == pytest.approx(0.8)
    assert "Gone Ltd" not in set(accounts["Account"])
    total = accounts[accounts["Account"] == "Team total"].iloc[0]
    assert total["Revenue (month)"] == pytest.approx(3000)


def test_managers_are_ranked_by_attainment_to_date_best_first(book):
    managers = table(read(monthly_report(book["db"], SYSTEM, OCT, "USD"))["Managers"])
    ranked = managers[managers["Manager"] != "Team total"]
    # the hostile-named manager is at 100% to date, Maya at 3000 / 3500
    assert ranked["Manager"].tolist() == ["'@SUM(1+1)*cmd", "Maya Thompson"]
    assert ranked["Attainment (YTD)"].tolist() == pytest.approx([1.0, 3000 / 3500])


def test_collections_age_open_invoices_as_of_the_month_end_ignoring_later_payments(book):
    sheet = read(monthly_report(book["db"], SYSTEM, OCT, "USD"))["Collections"]
    buckets = table(sheet).set_index("Days overdue")
    assert buckets.loc["Not yet due", "Open amount"] == pytest.approx(500)
    assert buckets.loc["31–60 days", "Open amount"] == pytest.approx(500)
    assert buckets.loc["31–60 days", "Invoices"] == 1
    assert buckets.loc["Over 90 days", "Open amount"] == 0
    assert buckets.loc["All open invoices", "Open amount"] == pytest.approx(1000)
    dso = sheet[sheet[0].astype(str).str.startswith("Days sales outstanding")].iloc[0, 1]
    assert dso == pytest.approx(1000 / 500 * 90)   # receivables / last 90 days' invoices x 90


def test_budgets_show_the_month_and_the_year_to_date_per_category(book):
    budgets = table(read(monthly_report(book["db"], SYSTEM, OCT, "USD"))["Budgets"])
    travel = budgets[budgets["Category"] == "Travel"].iloc[0]
    assert (travel["Budget (month)"], travel["Spend (month)"]) == (300, 200)
    assert (travel["Budget (YTD)"], travel["Spend (YTD)"]) == (600, 600)


def test_interactions_count_what_happened_in_the_month_by_manager_and_type(book):
    counts = table(read(monthly_report(book["db"], SYSTEM, OCT, "USD"))["Interactions"])
    maya = counts[counts["Manager"] == "Maya Thompson"].iloc[0]
    assert (maya["Call"], maya["Meeting"], maya["Total"]) == (2, 1, 3)   # not planned, deleted, Nov
    assert counts[counts["Manager"] == "Team total"].iloc[0]["Total"] == 4


def test_a_hostile_account_name_is_written_as_text_never_as_a_formula(book):
    data = monthly_report(book["db"], SYSTEM, OCT, "USD")
    accounts = table(read(data)["Accounts"])
    assert "'" + HOSTILE in set(accounts["Account"])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not any(re.search(rb"<f[ >]", z.read(n)) for n in sheets)
        assert b"HYPERLINK" in z.read("xl/sharedStrings.xml")


def test_every_table_has_a_bold_frozen_header_row(book):
    data = monthly_report(book["db"], SYSTEM, OCT, "USD")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for n in sorted(x for x in z.namelist() if x.startswith("xl/worksheets/sheet")):
            assert b'state="frozen"' in z.read(n), n
            assert f'ySplit="{FIRST_ROW + 1}"'.encode() in z.read(n), n
        assert b"<b/>" in z.read("xl/styles.xml")


# ---- permissions and choices ---------------------------------------------------------------------
def test_directors_and_admins_may_take_the_report(db, team):
    for who in ("eleanor", "admin"):
        assert monthly_report(db, team[who], OCT, "USD")[:4] == b"PK\x03\x04"


@pytest.mark.parametrize("who", ["maya", "viewer"])
def test_managers_and_viewers_are_refused_in_words(db, team, who):
    with pytest.raises(NotAllowed, match="Only a director or an admin"):
        monthly_report(db, team[who], OCT, "USD")


def test_a_currency_without_rates_is_refused_naming_the_ones_there_are(db):
    with pytest.raises(ValidationFailed, match="'XYZ' has no FX rates here; choose one of USD"):
        monthly_report(db, SYSTEM, OCT, "xyz")


def test_without_a_currency_the_settings_reporting_currency_is_used(book):
    db = book["db"]
    update_setting(db, SYSTEM, "reporting_currency", "GBP",
                   get_settings(db)["versions"]["reporting_currency"])
    sheets = read(monthly_report(db, SYSTEM, OCT, None))
    assert sheets["Team summary"].iloc[0, 0].startswith("Monthly sales report · October 2026 · "
                                                        "amounts in GBP")


def test_the_file_name_to_offer_names_the_month_and_currency():
    assert file_name(OCT, "EUR") == "monthly-sales-report-2026-10-EUR.xlsx"


# ---- an empty database ---------------------------------------------------------------------------
def test_a_month_with_no_data_gives_a_workbook_that_says_so_on_every_sheet(db):
    sheets = read(monthly_report(db, SYSTEM, OCT, "USD"))
    assert list(sheets) == list(SHEETS)
    for name, sheet in sheets.items():
        assert "October 2026" in sheet.iloc[0, 0] and "USD" in sheet.iloc[0, 0]
        message = str(sheet.iloc[FIRST_ROW, 0])
        assert message.startswith("No ") and ("October 2026" in message or "FY 2026" in message), name


# ---- the demo portfolio against the database ------------------------------------------------------
@pytest.fixture(scope="module")
def demo(demo_db_file, tmp_path_factory):
    database = open_database(copy_db(demo_db_file, tmp_path_factory.mktemp("rep") / "demo.duckdb"))
    yield database
    database.close()


def last_month() -> date:
    return add_months(date.today().replace(day=1), -1)


def revenue_in_db(db, first: date, last: date, currency: str) -> float:
    """Revenue of live accounts converted row by row (lib.fx.converted, not the report's factors)."""
    source = ("SELECT r.amount, r.currency, r.month FROM revenue r JOIN accounts a "
              "ON a.id = r.account_id AND a.archived_at IS NULL "
              "WHERE r.month BETWEEN $first AND $last")
    return float(db.value(f"WITH {fx.RATES_CTE} SELECT sum(amount_rep) FROM ({fx.converted(source)})",
                          {"rep": currency, "first": first, "last": last}))


def test_the_team_revenue_for_the_month_equals_the_sum_of_revenue_converted_in_the_database(demo):
    month = last_month()
    figures = summary(read(monthly_report(demo, SYSTEM, month, "EUR"))["Team summary"])
    fiscal_first = date(month.year, 1, 1)  # the demo keeps the default January start
    assert figures["Revenue"][0] == pytest.approx(revenue_in_db(demo, month, month, "EUR"), rel=1e-9)
    assert figures["Revenue"][1] == pytest.approx(revenue_in_db(demo, fiscal_first, month, "EUR"),
                                                  rel=1e-9)


def test_the_demo_accounts_and_managers_add_up_to_the_team(demo):
    sheets = read(monthly_report(demo, SYSTEM, last_month(), "USD"))
    team = summary(sheets["Team summary"])
    for sheet in ("Accounts", "Managers"):
        rows = table(sheets[sheet])
        first = rows.columns[0]
        body, total = rows[rows[first] != "Team total"], rows[rows[first] == "Team total"].iloc[0]
        for column, measure, part in (("Revenue (month)", "Revenue", 0), ("Target (YTD)", "Target", 1)):
            assert body[column].sum() == pytest.approx(team[measure][part], rel=1e-9), sheet
            assert total[column] == pytest.approx(team[measure][part], rel=1e-9), sheet


def test_the_demo_interaction_counts_match_the_database(demo):
    month = last_month()
    counts = table(read(monthly_report(demo, SYSTEM, month, "USD"))["Interactions"])
    expected = demo.value("SELECT count(*) FROM interactions WHERE deleted_at IS NULL AND NOT "
                          "is_planned AND occurred_at >= ? AND occurred_at < ?",
                          [month, add_months(month, 1)])
    assert expected > 0
    assert counts[counts["Manager"] == "Team total"].iloc[0]["Total"] == expected
