"""Compensation plan administration: plans as chains of revisions, assignments, who may do it."""
import json
from datetime import date
from decimal import Decimal

import pytest

from lib import comp_plan_admin as admin, comp_plans as cp
from lib.commission import Band
from lib.errors import NotAllowed, ValidationFailed, WriteConflict
from lib.settings import get_settings, update_setting

FIELDS = {"name": "Account Manager plan", "currency": "USD", "period": "quarter", "method": "marginal",
          "threshold_pct": "50"}
BANDS = [{"lower_pct": "0", "upper_pct": "100", "rate_pct": "8"},
         {"lower_pct": "100", "upper_pct": None, "rate_pct": "12"}]
APR, JUL = date(2026, 4, 1), date(2026, 7, 1)


def make_plan(db, actor, **overrides) -> int:
    return admin.create_plan(db, actor, {**FIELDS, **overrides}, BANDS)


def revise(db, actor, plan_id, effective_from, **overrides) -> int:
    plan = admin.plan_for_editing(db, plan_id)
    bands = overrides.pop("bands", plan["bands"])
    return admin.revise_plan(db, actor, plan_id, plan["version"], {**plan["record"], **overrides}, bands,
                          effective_from)


def problems(call) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        call()
    return caught.value.problems


def audit_rows(db, entity):
    return [(a, int(i), json.loads(c) if c else None) for a, i, c in db.rows(
        "SELECT action, entity_id, changes FROM audit_log WHERE entity = ? ORDER BY id", [entity])]


# ---- validation ---------------------------------------------------------------------------------
def test_a_plan_with_a_gap_between_bands_and_a_rate_above_100_is_refused_with_every_problem(db, team):
    bands = [{"lower_pct": 0, "upper_pct": 90, "rate_pct": 8}, {"lower_pct": 100, "upper_pct": None, "rate_pct": 120}]
    found = problems(lambda: admin.create_plan(db, team["admin"], {**FIELDS, "name": " ", "currency": "XYZ"}, bands))
    assert found == ["Name: is required.", "Currency: choose one of USD, GBP, EUR, INR.",
                     "Band 2 has a rate of 120%: a rate must be between 0% and 100%.",
                     "Band 2 starts at 100% but band 1 ends at 90%: bands must be contiguous."]
    assert db.value("SELECT count(*) FROM comp_plans") == 0


def test_typed_values_that_are_not_numbers_are_named_in_words(db, team):
    found = problems(lambda: admin.create_plan(db, team["admin"], {**FIELDS, "threshold_pct": "half"},
                                            [{"lower_pct": "0", "upper_pct": "", "rate_pct": "eight"}]))
    assert found == ["Threshold: 'half' is not a number up to 10,000.",
                     "Band 1: the rate % 'eight' is not a percentage."]


def test_a_revision_must_start_on_the_first_day_of_a_pay_period_of_the_plan(db, team):
    plan_id = make_plan(db, team["admin"])
    assert problems(lambda: revise(db, team["admin"], plan_id, date(2026, 5, 1))) == [
        "Effective from: 01 May 2026 is not the first day of a quarter; quarters start on 1 Jan, "
        "1 Apr, 1 Jul and 1 Oct (the fiscal year starts in Jan)."]
    monthly = make_plan(db, team["admin"], name="Monthly plan", period="month")
    assert problems(lambda: revise(db, team["admin"], monthly, date(2026, 5, 15))) == [
        "Effective from: 15 May 2026 is not the first day of a month."]


def test_quarters_follow_the_fiscal_year_start(db, team):
    update_setting(db, team["admin"], "fiscal_year_start_month", 2,
                   get_settings(db)["versions"]["fiscal_year_start_month"])
    plan_id = make_plan(db, team["admin"])
    assert "quarters start on 1 Feb, 1 May, 1 Aug and 1 Nov" in problems(
        lambda: revise(db, team["admin"], plan_id, APR, threshold_pct="40"))[0]
    revise(db, team["admin"], plan_id, date(2026, 5, 1), threshold_pct="40")
    assert cp.revision_in_force(db, plan_id, date(2026, 5, 1)) != plan_id


# ---- revisions ----------------------------------------------------------------------------------
def test_a_period_before_a_revision_is_paid_by_the_old_rules_and_from_its_date_by_the_new(db, team):
    plan_id = make_plan(db, team["admin"])
    revision = revise(db, team["admin"], plan_id, APR, threshold_pct="40",
                      bands=[Band(Decimal(0), Decimal(100), Decimal(9)), Band(Decimal(100), None, Decimal(13))])
    assert revision != plan_id
    assert cp.revision_in_force(db, plan_id, date(2026, 3, 31)) == plan_id
    assert cp.revision_in_force(db, plan_id, APR) == revision
    assert cp.plan_record(db, plan_id)["threshold_pct"] == 50
    assert cp.plan_record(db, revision)["threshold_pct"] == 40
    assert [b.rate_pct for b in cp.plan_bands(db, plan_id)] == [8, 12]
    assert [b.rate_pct for b in cp.plan_bands(db, revision)] == [9, 13]
    assert [r["effective_from"] for r in admin.plan_for_editing(db, plan_id)["revisions"]] == [date(2000, 1, 1), APR]


def test_saving_on_the_latest_revisions_date_corrects_it_in_place(db, team):
    plan_id = make_plan(db, team["admin"])
    revision = revise(db, team["admin"], plan_id, APR, threshold_pct="40")
    assert revise(db, team["admin"], plan_id, APR, threshold_pct="45", name="Renamed") == revision
    assert db.value("SELECT count(*) FROM comp_plans") == 2
    assert cp.plan_record(db, revision)["threshold_pct"] == 45
    table = admin.plans_table(db, team["admin"])
    assert table[["name", "threshold_pct", "effective_from", "revisions"]].values.tolist() == [
        ["Renamed", Decimal("45"), APR, 2]]


def test_a_date_before_the_latest_revision_is_refused(db, team):
    plan_id = make_plan(db, team["admin"])
    revise(db, team["admin"], plan_id, JUL, threshold_pct="40")
    assert problems(lambda: revise(db, team["admin"], plan_id, APR, threshold_pct="45")) == [
        "Effective from: 01 Apr 2026 is before the plan's latest revision, which applies from "
        "01 Jul 2026; choose that day to correct it, or a later one."]


def test_a_second_editor_of_the_same_plan_gets_a_conflict_with_the_saved_values(db, team):
    plan_id = make_plan(db, team["admin"])
    loaded = admin.plan_for_editing(db, plan_id)
    revise(db, team["eleanor"], plan_id, APR, threshold_pct="40")  # saved meanwhile
    with pytest.raises(WriteConflict) as caught:
        admin.revise_plan(db, team["admin"], plan_id, loaded["version"], {**FIELDS, "threshold_pct": "60"},
                       BANDS, JUL)
    assert caught.value.changed_by == "Eleanor Hayes"
    assert caught.value.current["threshold_pct"] == 40 and caught.value.current["effective_from"] == APR
    assert caught.value.current["bands"] == "0–100% at 8%; above 100% at 12%"
    assert db.value("SELECT count(*) FROM comp_plans") == 2


def test_the_currency_and_pay_period_of_a_plan_someone_is_paid_by_stay_fixed(db, team):
    plan_id = make_plan(db, team["admin"])
    admin.assign_plan(db, team["admin"], team["maya_row"], plan_id, "85000", date(2026, 1, 1))
    found = problems(lambda: revise(db, team["admin"], plan_id, JUL, currency="GBP", period="month"))
    assert found == [
        "Pay period: managers are or were paid by this plan in quarter, so it cannot become month; "
        "move the managers to a new plan instead.",
        "Currency: managers are or were paid by this plan in USD, so it cannot become GBP; "
        "move the managers to a new plan instead."]


def test_every_plan_change_is_audited_as_old_and_new_values(db, team):
    plan_id = make_plan(db, team["admin"])
    revise(db, team["admin"], plan_id, APR, threshold_pct="40",
           bands=[{"lower_pct": 0, "upper_pct": None, "rate_pct": 10}])
    revise(db, team["admin"], plan_id, APR, threshold_pct="40", bands=[{"lower_pct": 0, "rate_pct": 10}])
    rows = audit_rows(db, "comp_plan")
    assert [(a, i) for a, i, _ in rows] == [("create", plan_id), ("revise", plan_id), ("no_change", plan_id)]
    assert rows[0][2]["bands"] == [None, "0–100% at 8%; above 100% at 12%"]
    assert rows[1][2]["threshold_pct"] == ["50", "40"]
    assert rows[1][2]["bands"] == ["0–100% at 8%; above 100% at 12%", "above 0% at 10%"]
    assert rows[1][2]["effective_from"] == ["2000-01-01", "2026-04-01"]


# ---- assignments --------------------------------------------------------------------------------
def test_assigning_a_new_plan_closes_the_open_assignment_the_day_before(db, team):
    first, second = make_plan(db, team["admin"]), make_plan(db, team["admin"], name="Senior plan")
    old = admin.assign_plan(db, team["eleanor"], team["maya_row"], first, "85000", date(2025, 1, 1))
    new = admin.assign_plan(db, team["eleanor"], team["maya_row"], second, Decimal("90000.005"), APR)
    held = cp.assignments(db, team["maya_row"])
    assert [(a.id, a.plan_id, a.effective_from, a.effective_to, a.base_salary) for a in held] == [
        (new, second, APR, None, Decimal("90000.01")),
        (old, first, date(2025, 1, 1), date(2026, 3, 31), Decimal("85000"))]
    assert cp.assignment_for(db, team["maya_row"], date(2026, 1, 1), date(2026, 3, 31)).id == old
    assert [(a, i) for a, i, _ in audit_rows(db, "comp_assignment")] == [
        ("create", old), ("close", old), ("create", new)]


def test_an_assignment_on_the_same_day_replaces_the_current_one(db, team):
    first, second = make_plan(db, team["admin"]), make_plan(db, team["admin"], name="Senior plan")
    kept = admin.assign_plan(db, team["admin"], team["maya_row"], first, "85000", APR)
    assert admin.assign_plan(db, team["admin"], team["maya_row"], second, "88000", APR) == kept
    [only] = cp.assignments(db, team["maya_row"])
    assert (only.plan_id, only.base_salary, only.version) == (second, Decimal("88000"), 2)
    assert audit_rows(db, "comp_assignment")[-1] == (
        "update", kept, {"plan_id": [first, second], "base_salary": ["85000.00", "88000.00"]})


def test_an_assignment_before_the_current_one_starts_is_refused(db, team):
    plan_id = make_plan(db, team["admin"])
    admin.assign_plan(db, team["admin"], team["maya_row"], plan_id, "85000", APR)
    assert problems(lambda: admin.assign_plan(db, team["admin"], team["maya_row"], plan_id, "85000",
                                           date(2026, 1, 1))) == [
        "Effective from: Maya Thompson has been on a plan since 01 Apr 2026; a new assignment must "
        "start on or after that day."]
    assert len(cp.assignments(db, team["maya_row"])) == 1


def test_a_salary_must_be_an_amount_above_zero(db, team):
    plan_id = make_plan(db, team["admin"])
    for salary in ("0", "-5", "lots", None):
        assert problems(lambda: admin.assign_plan(db, team["admin"], team["maya_row"], plan_id, salary, APR))[0] \
            .startswith("Yearly base salary:")
    assert cp.assignments(db, team["maya_row"]) == []


# ---- who may ------------------------------------------------------------------------------------
def test_a_director_cannot_assign_or_revise_for_someone_outside_their_team(db, team):
    plan_id = make_plan(db, team["eleanor"])
    with pytest.raises(NotAllowed, match="only for your team; this one belongs to Zoe Quinn"):
        admin.assign_plan(db, team["eleanor"], team["zoe_row"], plan_id, "70000", APR)
    revise(db, team["eleanor"], plan_id, APR, threshold_pct="40")  # nobody outside is on it yet
    admin.assign_plan(db, team["admin"], team["zoe_row"], plan_id, "70000", APR)
    with pytest.raises(NotAllowed, match="Zoe Quinn is on this plan and outside your team"):
        revise(db, team["eleanor"], plan_id, JUL, threshold_pct="30")
    assert db.value("SELECT count(*) FROM comp_plans") == 2


def test_a_director_sees_every_plan_but_only_their_teams_assignments(db, team):
    plan_id = make_plan(db, team["admin"])
    admin.assign_plan(db, team["admin"], team["maya_row"], plan_id, "85000", date(2026, 1, 1))
    admin.assign_plan(db, team["admin"], team["zoe_row"], plan_id, "70000", date(2026, 1, 1))
    assert admin.plans_table(db, team["eleanor"], today=APR)["managers"].tolist() == [2]
    assert admin.assignments_table(db, team["eleanor"], today=APR)["manager"].tolist() == ["Maya Thompson"]
    assert sorted(admin.assignments_table(db, team["admin"], today=APR)["manager"]) == ["Maya Thompson", "Zoe Quinn"]
    assert set(admin.assignable_managers(db, team["eleanor"]).values()) == {
        "Eleanor Hayes", "Maya Thompson", "Oliver Bennett"}


@pytest.mark.parametrize("who, sentence", [
    ("maya", "Only a director or an admin can change compensation plans."),
    ("viewer", "Viewers cannot change data.")])
def test_managers_and_viewers_can_neither_see_nor_change_plans(db, team, who, sentence):
    plan_id = make_plan(db, team["admin"])
    actor = team[who]
    with pytest.raises(NotAllowed, match=sentence):
        admin.create_plan(db, actor, FIELDS, BANDS)
    with pytest.raises(NotAllowed, match=sentence):
        revise(db, actor, plan_id, APR, threshold_pct="10")
    with pytest.raises(NotAllowed):
        admin.assign_plan(db, actor, team["maya_row"], plan_id, "85000", APR)
    for read in (admin.plans_table, admin.assignments_table):
        with pytest.raises(NotAllowed, match="Only a director or an admin can see and change"):
            read(db, actor)
    assert db.value("SELECT count(*) FROM comp_plans") == 1
    assert db.value("SELECT count(*) FROM comp_assignments") == 0
