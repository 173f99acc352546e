"""Explore on a real DuckDB: aggregated and capped results, saved views, safe downloads."""
import csv
import io
import json
from datetime import date, datetime

import pandas as pd
import pytest

from lib import explore, saved_views
from lib.errors import NotAllowed, NotFound, ValidationFailed
from lib.explore import ExploreSpec
from lib.exports import csv_bytes, xlsx_bytes
from lib.filters import Condition
from tests.builders import add_fx, add_interaction, add_revenue, make_account, make_manager


@pytest.fixture
def revenue(db, team):
    key = make_account(db, name="Key One", tier="key", region="EMEA", owner_id=team["maya_row"])
    std = make_account(db, name="Plain", tier="standard", region="EMEA", owner_id=team["oliver_row"])
    gbp = make_account(db, name="British", tier="key", region="UK", currency="GBP", owner_id=team["maya_row"])
    add_fx(db, "GBP", date(2026, 1, 1), "1.25")
    for month in (date(2026, 1, 1), date(2026, 2, 1)):
        add_revenue(db, key, month, 100)
        add_revenue(db, std, month, 10)
        add_revenue(db, gbp, month, 40, currency="GBP")
    return db


def test_grouping_sums_in_duckdb_and_converts_to_the_reporting_currency(revenue, team):
    spec = ExploreSpec(table="revenue", group_by=("tier",), agg="sum", measure="amount_rep")
    result = explore.run(revenue, team["viewer"], spec)
    assert dict(zip(result.frame["tier"], result.frame["value"])) == {"Key": 300.0, "Standard": 20.0}
    assert result.total == 2 and not result.capped


def test_two_managers_of_the_same_name_are_two_groups_each_shown_by_name_and_id(revenue, team):
    first, second = (make_manager(revenue, name="Sam Lee") for _ in range(2))
    for owner, amount in ((first, 5), (second, 7)):
        account = make_account(revenue, name=f"Lee account {owner}", owner_id=owner)
        add_revenue(revenue, account, date(2026, 1, 1), amount)
    spec = ExploreSpec(table="revenue", group_by=("owner",), agg="sum", measure="amount",
                       sort="owner", descending=False)
    frame = explore.run(revenue, team["viewer"], spec).frame
    assert list(frame.columns) == ["owner", "value"]
    assert dict(zip(frame["owner"], frame["value"])) == {
        "Maya Thompson": 280.0, "Oliver Bennett": 20.0,
        f"Sam Lee (#{first})": 5.0, f"Sam Lee (#{second})": 7.0}


def test_interactions_grouped_by_type_and_manager_read_as_words_and_names(revenue, team):
    account = revenue.value("SELECT id FROM accounts WHERE name = 'Plain'")
    add_interaction(revenue, account, team["maya_row"], datetime(2026, 3, 1, 10), type="qbr")
    add_interaction(revenue, account, team["maya_row"], datetime(2026, 3, 2, 10), type="escalation",
                    severity="critical", escalation_status="in_progress")
    spec = ExploreSpec(table="interactions", group_by=("type", "manager"), agg="count", sort="type",
                       descending=False)
    frame = explore.run(revenue, team["viewer"], spec).frame
    assert frame[["type", "manager", "value"]].values.tolist() == [
        ["Escalation", "Maya Thompson", 1], ["QBR", "Maya Thompson", 1]]
    listing = explore.run(revenue, team["viewer"], ExploreSpec(table="interactions", sort="date")).frame
    assert set(listing["escalation_status"].dropna()) == {"In progress"}
    assert "manager_id" not in listing and "account_id" not in listing


def test_a_listing_shows_every_row_in_the_reporting_currency_however_it_is_sorted_or_filtered(revenue, team):
    # sorted by name, only the page's rows are converted; by the converted amount, all of them
    by_name = explore.run(revenue, team["viewer"], ExploreSpec(table="revenue", sort="account",
                                                               descending=False, currency="USD"))
    assert by_name.total == 6
    assert sorted(zip(by_name.frame["account"], by_name.frame["amount_rep"])) == [
        ("British", 50.0), ("British", 50.0), ("Key One", 100.0), ("Key One", 100.0),
        ("Plain", 10.0), ("Plain", 10.0)]
    spec = ExploreSpec(table="revenue", filters=(Condition("amount_rep", "gte", 45.0),),
                       sort="amount_rep", descending=False, currency="USD")
    big = explore.run(revenue, team["viewer"], spec)
    assert big.total == 4 and list(big.frame["amount_rep"]) == [50.0, 50.0, 100.0, 100.0]
    grouped = explore.run(revenue, team["viewer"], ExploreSpec(
        table="revenue", group_by=("amount_rep",), agg="count", sort="amount_rep", currency="USD"))
    assert grouped.total == 3 and list(grouped.frame["value"]) == [2, 2, 2]


def test_a_months_year_and_quarter_are_shown_alike_however_the_rows_are_sorted_filtered_or_grouped(
        revenue, team):
    plain = revenue.value("SELECT id FROM accounts WHERE name = 'Plain'")
    add_revenue(revenue, plain, date(2025, 11, 1), 5)
    viewer = team["viewer"]
    # sorted by name, the year and quarter are worked out for the page's rows only
    listed = explore.run(revenue, viewer, ExploreSpec(table="revenue", sort="account", descending=False))
    shown = zip(listed.frame["month"].astype(str), listed.frame["year"], listed.frame["quarter"])
    assert sorted(set(shown)) == [("2025-11-01", 2025, "2025-Q4"), ("2026-01-01", 2026, "2026-Q1"),
                                  ("2026-02-01", 2026, "2026-Q1")]
    by_quarter = explore.run(revenue, viewer, ExploreSpec(table="revenue", sort="quarter",
                                                          descending=False))
    assert list(by_quarter.frame["quarter"]) == ["2025-Q4"] + ["2026-Q1"] * 6
    fourth = explore.run(revenue, viewer, ExploreSpec(
        table="revenue", filters=(Condition("quarter", "in", ("2025-Q4",)),)))
    assert fourth.total == 1 and list(fourth.frame["amount"]) == [5.0]
    grouped = explore.run(revenue, viewer, ExploreSpec(
        table="revenue", group_by=("quarter", "year"), agg="sum", measure="amount_rep", sort="quarter"))
    assert grouped.frame[["quarter", "year", "value"]].values.tolist() == [
        ["2026-Q1", 2026, 320.0], ["2025-Q4", 2025, 5.0]]
    assert explore.distinct_values(revenue, viewer, "budgets", "quarter") == []
    assert explore.distinct_values(revenue, viewer, "revenue", "quarter") == ["2025-Q4", "2026-Q1"]


def test_filters_narrow_the_rows_and_the_sentence_says_how(revenue, team):
    spec = ExploreSpec(table="revenue", filters=(Condition("tier", "in", ("key",)),
                                                 Condition("region", "in", ("EMEA",))),
                       group_by=("owner", "month"), agg="count")
    result = explore.run(revenue, team["eleanor"], spec)
    assert list(result.frame["value"]) == [1, 1] and set(result.frame["owner"]) == {"Maya Thompson"}
    assert explore.checked(spec).sentence == "tier is Key and region is EMEA"


def test_a_large_listing_shows_the_first_rows_and_counts_them_all(revenue, team):
    result = explore.run(revenue, team["admin"], ExploreSpec(table="revenue"), limit=4)
    assert len(result.frame) == 4 and result.total == 6 and result.capped


def test_an_injection_in_a_value_matches_nothing_and_leaves_the_tables_alone(revenue, team):
    spec = ExploreSpec(table="accounts", filters=(
        Condition("account", "contains", "'; DROP TABLE accounts; --"),
        Condition("tier", "in", ("key' OR '1'='1",))))
    assert explore.run(revenue, team["admin"], spec).total == 0
    assert revenue.value("SELECT count(*) FROM accounts") == 3


def test_every_table_lists_groups_and_pivots_without_error(revenue, team):
    for name, table in explore.TABLES.items():
        explore.run(revenue, team["admin"], ExploreSpec(table=name))
        first = next(iter(table.columns))
        spec = ExploreSpec(table=name, group_by=(first, "tier"), agg="count", chart="pivot")
        frame = explore.run(revenue, team["admin"], spec).frame
        explore.pivot(frame, spec)
        assert explore.distinct_values(revenue, team["admin"], name, "tier") in ([], ["key", "standard"])


def _save(db, who, name, spec, **options):
    return saved_views.save(db, who, "explore", name, explore.checked(spec).to_dict(), **options)


def test_a_saved_view_is_private_until_shared_and_only_its_creator_deletes_it(revenue, team):
    spec = ExploreSpec(table="revenue", group_by=("tier",), measure="amount_rep",
                       filters=(Condition("region", "in", ("EMEA",)),))
    private = _save(revenue, team["eleanor"], "EMEA by tier", spec)
    shared = _save(revenue, team["eleanor"], "Team view", spec, shared=True)
    assert [v["name"] for v in saved_views.views(revenue, team["maya"])] == ["Team view"]
    opened = saved_views.saved(revenue, team["maya"], shared, "explore")
    assert explore.from_dict(opened, spec.currency) == explore.checked(spec)
    with pytest.raises(NotFound):
        saved_views.saved(revenue, team["maya"], private, "explore")
    with pytest.raises(NotAllowed, match="only views you saved yourself"):
        saved_views.delete_view(revenue, team["maya"], shared)
    with pytest.raises(ValidationFailed, match="already have a view"):
        _save(revenue, team["eleanor"], "emea BY tier", spec)
    saved_views.delete_view(revenue, team["eleanor"], private)
    assert [v["name"] for v in saved_views.views(revenue, team["eleanor"])] == ["Team view"]
    audit = revenue.rows("SELECT action, actor_id, changes FROM audit_log WHERE entity = 'saved_view' "
                         "ORDER BY id")
    assert [(a, who) for a, who, _ in audit] == [("create", team["eleanor"].id)] * 2 + [
        ("delete", team["eleanor"].id)]
    assert json.loads(audit[-1][2])["name"] == ["EMEA by tier", None]


def test_a_pages_views_are_its_own(revenue, team):
    eleanor = team["eleanor"]
    mine = saved_views.save(revenue, eleanor, "portfolio", "Weekly", {"tier": ["key"]}, shared=True)
    _save(revenue, eleanor, "Weekly", ExploreSpec(), shared=True)    # the same name on another page
    assert [v["name"] for v in saved_views.views(revenue, team["maya"], "portfolio")] == ["Weekly"]
    assert len(saved_views.views(revenue, team["maya"])) == 1           # Explore's own
    with pytest.raises(NotFound):
        saved_views.saved(revenue, eleanor, mine, "explore")            # not an Explore view
    assert saved_views.saved(revenue, eleanor, mine, "portfolio") == {"tier": ["key"]}


def test_viewers_cannot_save_views_and_a_nameless_view_is_refused(revenue, team):
    with pytest.raises(NotAllowed):
        _save(revenue, team["viewer"], "Mine", ExploreSpec())
    with pytest.raises(ValidationFailed, match="Give the view a name"):
        _save(revenue, team["maya"], "   ", ExploreSpec())


DANGEROUS = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+2", "-3+cmd|' /C calc'!A0", "@SUM(A1)",
             "\tTAB", "\rCR", "\uff1d1+1"]


def test_downloads_neutralise_every_cell_that_would_start_a_formula(revenue, team):
    for i, text in enumerate(DANGEROUS):
        make_account(revenue, name=text, region=f"R{i}")
    frame = explore.titled(explore.run(revenue, team["admin"], ExploreSpec(table="accounts")).frame,
                           ExploreSpec(table="accounts"))
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8"), newline="")))
    book = pd.read_excel(io.BytesIO(xlsx_bytes(frame)), engine="calamine", keep_default_na=False)
    csv_names = {r[0] for r in rows[1:]}
    for names, dangerous in ((csv_names, [t for t in DANGEROUS if "\r" not in t]),
                             (set(book["account"]), DANGEROUS)):
        for text in dangerous:
            assert "'" + text in names, (text, names)
            assert text not in names
    import zipfile
    sheet = zipfile.ZipFile(io.BytesIO(xlsx_bytes(frame))).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # not one formula in the workbook


def test_a_carriage_return_inside_a_csv_cell_cannot_start_a_new_row_that_runs_a_formula():
    data = csv_bytes(pd.DataFrame({"name": ["\r=1+1"]}))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows == [["name"], ["'\r=1+1"]]
