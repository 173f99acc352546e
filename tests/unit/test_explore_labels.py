"""Explore results as people read them: codes as words, people and accounts by name."""
import math

import pandas as pd
import pytest

from lib import explore
from lib.explore import ExploreSpec
from lib.explore_charts import figure

NAN = float("nan")

CASES = [
    # (table, group_by, the rows DuckDB returned, the rows people see)
    ("revenue", ("tier",), {"tier": ["key", "strategic", "standard"], "value": [3, 2, 1]},
     {"tier": ["Key", "Strategic", "Standard"], "value": [3, 2, 1]}),
    ("accounts", ("status", "scope"), {"status": ["at_risk", "active"], "scope": ["global", "regional"],
                                       "value": [1, 2]},
     {"status": ["At risk", "Active"], "scope": ["Global", "Regional"], "value": [1, 2]}),
    ("interactions", ("type",), {"type": ["qbr", "email", "escalation"], "value": [1, 2, 3]},
     {"type": ["QBR", "Email", "Escalation"], "value": [1, 2, 3]}),
    ("interactions", ("sentiment", "escalation_status"),
     {"sentiment": ["very_negative", None], "escalation_status": ["in_progress", None], "value": [1, 9]},
     {"sentiment": ["Very negative", "(none)"], "escalation_status": ["In progress", "(none)"],
      "value": [1, 9]}),
    ("interactions", ("severity", "state"), {"severity": ["critical", "low"], "state": ["planned", "done"],
                                             "value": [1, 2]},
     {"severity": ["Critical", "Low"], "state": ["Planned", "Done"], "value": [1, 2]}),
    ("invoices", ("state",), {"state": ["overdue", "paid"], "value": [5, 6]},
     {"state": ["Overdue", "Paid"], "value": [5, 6]}),
    ("budgets", ("category",), {"category": ["marketing", "Client gifts"], "value": [1, 2]},
     {"category": ["Marketing", "Client gifts"], "value": [1, 2]}),       # free text stays as typed
    ("revenue", ("tier",), {"tier": ["platinum"], "value": [1]},
     {"tier": ["platinum"], "value": [1]}),                               # an unknown code shows as is
    # a person is grouped by id and shown by name; a name two people share says whose
    ("revenue", ("owner",), {"owner": ["Sam Lee", "Maya Thompson", "Sam Lee"],
                             "_id_of_owner": [7, 1, 3], "value": [10, 20, 30]},
     {"owner": ["Sam Lee (#7)", "Maya Thompson", "Sam Lee (#3)"], "value": [10, 20, 30]}),
    ("revenue", ("owner", "tier"), {"owner": [None, "Maya Thompson"], "_id_of_owner": [NAN, 1],
                                    "tier": ["key", "key"], "value": [4, 5]},
     {"owner": ["(none)", "Maya Thompson"], "tier": ["Key", "Key"], "value": [4, 5]}),
    ("interactions", ("manager", "account"),
     {"manager": ["Oliver Bennett"], "_id_of_manager": [2], "account": ["Acme"], "_id_of_account": [11],
      "value": [1]},
     {"manager": ["Oliver Bennett"], "account": ["Acme"], "value": [1]}),
    # numbers and dates are left alone
    ("revenue", ("year",), {"year": [2025, 2026], "value": [1, 2]}, {"year": [2025, 2026], "value": [1, 2]}),
]


@pytest.mark.parametrize("table, group_by, raw, shown", CASES)
def test_a_grouped_result_shows_names_and_words_not_ids_and_codes(table, group_by, raw, shown):
    spec = ExploreSpec(table=table, group_by=group_by, agg="count")
    assert explore.readable(pd.DataFrame(raw), spec).to_dict("list") == shown


def test_a_listing_shows_codes_as_words_and_leaves_a_missing_value_empty():
    spec = ExploreSpec(table="accounts")
    raw = pd.DataFrame({"account": ["Acme", "Birch"], "tier": ["key", None], "status": ["at_risk", "active"]})
    out = explore.readable(raw, spec)
    assert out["tier"].tolist()[0] == "Key" and pd.isna(out["tier"].tolist()[1])
    assert out["status"].tolist() == ["At risk", "Active"]


def test_the_chart_and_the_pivot_read_names_and_words():
    spec = ExploreSpec(table="revenue", group_by=("owner", "tier"), agg="sum", measure="amount_rep",
                       chart="bar")
    frame = explore.readable(pd.DataFrame({
        "owner": ["Sam Lee", "Sam Lee", "Maya Thompson"], "_id_of_owner": [7, 3, 1],
        "tier": ["key", "standard", "key"], "value": [1.0, 2.0, 3.0]}), spec)
    fig = figure(frame, spec)
    assert [t.name for t in fig.data] == ["Key", "Standard"]
    assert list(fig.data[0].x) == ["Sam Lee (#7)", "Maya Thompson"]
    table = explore.pivot(frame, spec)
    assert sorted(table.index) == ["Maya Thompson", "Sam Lee (#3)", "Sam Lee (#7)"]
    assert list(table.columns) == ["Key", "Standard"]
    assert math.isnan(table.loc["Sam Lee (#3)", "Key"])


@pytest.mark.parametrize("table, column, key", [
    ("revenue", "owner", "owner_id"), ("revenue", "account", "account_id"),
    ("accounts", "owner", "owner_id"), ("interactions", "manager", "manager_id"),
    ("invoices", "account", "account_id"), ("budgets", "owner", "owner_id"),
])
def test_grouping_by_a_person_or_an_account_groups_by_its_id(table, column, key):
    sql = explore.compile_spec(ExploreSpec(table=table, group_by=(column,), agg="count")).sql
    assert f'GROUP BY "{key}"' in sql and f'any_value("{column}") AS "{column}"' in sql
