"""The Account 360 rules on plain numbers: ageing, projection, ratios and history sentences."""
from datetime import date

import pandas as pd
import pytest

from lib.account_rules import ageing_bucket, history_sentence, months_between, project_spend, ratio


@pytest.mark.parametrize("days, bucket", [
    (-5, "current"), (0, "current"), (1, "1-30"), (30, "1-30"), (31, "31-60"), (60, "31-60"),
    (61, "61-90"), (90, "61-90"), (91, "90+"), (400, "90+"),
])
def test_an_invoice_falls_into_its_ageing_bucket_at_each_boundary(days, bucket):
    assert ageing_bucket(days) == bucket


def test_projected_spend_runs_the_monthly_pace_to_the_end_of_the_year():
    assert project_spend(1500, 10, 12) == pytest.approx(1800)
    assert project_spend(300, 3) == pytest.approx(1200)


def test_projected_spend_before_any_month_has_passed_is_what_was_spent():
    assert project_spend(250, 0, 12) == 250


def test_projected_spend_works_on_a_whole_column():
    assert list(project_spend(pd.Series([100.0, 50.0]), 5, 12)) == [240.0, 120.0]


def test_a_ratio_without_a_base_is_none_not_zero_or_infinite():
    assert ratio(800, 1600) == pytest.approx(0.5)
    assert ratio(800, 0) is None and ratio(None, 10) is None


def test_months_between_counts_both_ends():
    assert months_between(date(2026, 1, 1), date(2026, 10, 1)) == 10
    assert months_between(date(2025, 4, 1), date(2026, 3, 1)) == 12


@pytest.mark.parametrize("field, old, new, sentence", [
    ("tier", "standard", "key", "Promoted from Standard to Key on 2026-03-01 by Priya Shah"),
    ("tier", "key", "strategic", "Moved down from Key to Strategic on 2026-03-01 by Priya Shah"),
    ("tier", None, "key", "Tier set to Key on 2026-03-01 by Priya Shah"),
    ("owner_id", "Tom Reed", "Priya Shah", "Owner changed from Tom Reed to Priya Shah on 2026-03-01 by Priya Shah"),
    ("owner_id", "Tom Reed", None, "Owner cleared (was Tom Reed) on 2026-03-01 by Priya Shah"),
    ("status", "active", "at_risk", "Status changed from Active to At risk on 2026-03-01 by Priya Shah"),
])
def test_a_history_row_reads_as_a_sentence(field, old, new, sentence):
    assert history_sentence(field, old, new, date(2026, 3, 1), "Priya Shah") == sentence
