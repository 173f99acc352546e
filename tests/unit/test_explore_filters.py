"""The Explore spec -> SQL compiler: names only from the whitelist, values only as parameters."""
from datetime import date

import pytest

from lib import explore
from lib.errors import ValidationFailed
from lib.explore import ExploreSpec
from lib.filters import Condition

CASES = [
    # (filters, the WHERE it must hold, the parameters, the sentence)
    ((Condition("tier", "in", ("key",)), Condition("region", "in", ("EMEA",))),
     '("tier" IN (SELECT unnest($f0))) AND ("region" IN (SELECT unnest($f1)))',
     {"f0": ["key"], "f1": ["EMEA"]}, "tier is Key and region is EMEA"),
    ((Condition("account", "contains", "acme"),),
     '("account" ILIKE $f0 ESCAPE \'\\\')', {"f0": "%acme%"}, 'account contains "acme"'),
    ((Condition("amount", "gte", "1000"),), '("amount" >= $f0)', {"f0": 1000.0}, "amount is at least 1,000.0"),
    ((Condition("month", "lte", "2026-03-01"),), '("month" <= $f0)', {"f0": date(2026, 3, 1)},
     "month is at most 2026-03-01"),
    ((Condition("tier", "in", ("key", "strategic")),), '("tier" IN (SELECT unnest($f0)))',
     {"f0": ["key", "strategic"]}, "tier is Key or Strategic"),
    # injection attempts in values: they stay parameters, the SQL text never holds them
    ((Condition("account", "contains", "x' OR 1=1; DROP TABLE revenue; --"),), '("account" ILIKE $f0 ESCAPE \'\\\')',
     {"f0": "%x' OR 1=1; DROP TABLE revenue; --%"}, "account contains \"x' OR 1=1; DROP TABLE revenue; --\""),
    ((Condition("region", "in", ("EMEA') OR ('1'='1",)),), '("region" IN (SELECT unnest($f0)))',
     {"f0": ["EMEA') OR ('1'='1"]}, "region is EMEA') OR ('1'='1"),
    ((Condition("account", "contains", "100%_done\\"),), '("account" ILIKE $f0 ESCAPE \'\\\')',
     {"f0": "%100\\%\\_done\\\\%"}, 'account contains "100%_done\\"'),
    ((), "TRUE", {}, ""),
]


@pytest.mark.parametrize("filters, where, params, sentence", CASES)
def test_a_filter_spec_compiles_to_whitelisted_sql_with_bound_values_and_reads_as_a_sentence(
        filters, where, params, sentence):
    spec = ExploreSpec(table="revenue", filters=filters)
    query = explore.compile_spec(spec)
    assert f"WHERE {where} ORDER BY" in query.sql
    assert {k: v for k, v in query.params.items() if k not in ("rep", "cap")} == params
    assert explore.checked(spec).sentence == sentence
    for value in params.values():
        for text in (value if isinstance(value, list) else [value]):
            if isinstance(text, str) and "'" in text:
                assert text not in query.sql


@pytest.mark.parametrize("spec, problem", [
    (ExploreSpec(table="revenue; DROP TABLE revenue"), "no table"),
    (ExploreSpec(table="users"), "no table"),
    (ExploreSpec(filters=(Condition('tier" = tier OR 1=1 --', "in", ("x",)),)), "has no column"),
    (ExploreSpec(filters=(Condition("password_hash", "in", ("x",)),)), "has no column"),
    (ExploreSpec(group_by=("amount) FROM users --",)), "has no column"),
    (ExploreSpec(group_by=("tier",), measure="1); DROP TABLE x; --"), "number column"),
    (ExploreSpec(group_by=("tier",), sort='value" ; DROP TABLE x'), "Cannot sort"),
    (ExploreSpec(filters=(Condition("tier", "gte", "a"),)), "cannot be filtered"),
    (ExploreSpec(filters=(Condition("tier", "in; DROP", "a"),)), "cannot be filtered"),
    (ExploreSpec(filters=(Condition("amount", "gte", "1; DROP TABLE revenue"),)), "needs a number"),
    (ExploreSpec(filters=(Condition("month", "gte", "yesterday"),)), "needs a date"),
    (ExploreSpec(group_by=("tier", "region", "owner")), "at most 2"),
    (ExploreSpec(group_by=("tier",), agg="max(1)); --"), "not a summary"),
    (ExploreSpec(chart="<script>"), "not a chart"),
])
def test_names_not_on_the_whitelist_and_values_of_the_wrong_kind_are_refused_in_words(spec, problem):
    with pytest.raises(ValidationFailed) as caught:
        explore.compile_spec(spec)
    assert problem in " ".join(caught.value.problems)


def test_a_grouped_spec_sums_its_measure_by_the_whitelisted_columns_and_is_capped():
    spec = ExploreSpec(table="revenue", group_by=("owner", "month"), agg="avg", measure="amount_rep",
                       sort="value", descending=False)
    query = explore.compile_spec(spec, limit=50)
    # the owner is a person: grouped by their id, their name shown
    assert ('SELECT any_value("owner") AS "owner", "owner_id" AS "_id_of_owner", "month", '
            'avg("amount_rep") AS value') in query.sql
    assert 'GROUP BY "owner_id", "month"' in query.sql
    assert 'ORDER BY "value" ASC NULLS LAST' in query.sql and "LIMIT $cap" in query.sql
    assert query.params["cap"] == 50


def test_a_view_survives_the_round_trip_through_a_link_and_through_saved_json():
    spec = explore.checked(ExploreSpec(
        table="invoices", filters=(Condition("state", "in", ("overdue", "open")),
                                   Condition("due_date", "gte", "2026-01-01"),
                                   Condition("account", "contains", 'a "quoted" | name,')),
        group_by=("owner",), agg="sum", measure="outstanding_rep", sort="value", chart="line"))
    query = explore.to_query(spec)
    params = {k: v if isinstance(v, list) else [v] for k, v in query.items()}
    assert explore.from_query(params) == spec
    assert explore.from_dict(spec.to_dict()) == spec


def test_a_damaged_link_is_refused_in_words_not_with_a_crash():
    with pytest.raises(ValidationFailed, match="damaged"):
        explore.from_query({"table": ["revenue"], "f": ["not json"]})
    with pytest.raises(ValidationFailed, match="damaged"):
        explore.from_query({"table": ["revenue"], "f": ['{"a": 1}']})
