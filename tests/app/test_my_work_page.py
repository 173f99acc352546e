"""My work: a manager's follow-ups, quiet accounts, visit plan and the team's escalations."""
from datetime import date, datetime, time, timedelta

from lib import interactions, my_work
from lib.auth import create_first_admin
from lib.models import NewInteraction
from lib.users import get_user
from tests.app.conftest import app_db, no_errors, sign_in
from tests.conftest import ADMIN, DIRECTOR, MANAGER, VIEWER

PAGE = "pages/my_work_page.py"
TOMORROW = date.today() + timedelta(days=1)


def _open(at, email=MANAGER, *password):
    return sign_in(at, email, *password).switch_page(PAGE).run()


def _user(email):
    db = app_db()
    return get_user(db, db.value("SELECT id FROM users WHERE email = ?", [email]))


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _success(at) -> str:
    assert at.success, [e.value for e in at.error]
    return at.success[0].value


def _errors(at) -> str:
    return " ".join(e.value for e in at.error)


def _submit(at, key):
    at.button(key=key).click().run()
    return at


def _planned_ids(maya, month=None) -> set[int]:
    month = month or date.today()
    return set(interactions.planned_visits(app_db(), maya, maya.manager_id, month)["id"])


def _first_account(maya) -> int:
    return next(iter(my_work.book(app_db(), maya, maya.manager_id)))


def _plan(at, account_id, day, subject="Walk the new warehouse"):
    at.selectbox(key="my_work_plan_account").set_value(account_id)
    at.date_input(key="my_work_plan_date").set_value(day)
    at.time_input(key="my_work_plan_time").set_value(time(11, 30))
    at.text_input(key="my_work_plan_subject").input(subject)
    return _submit(at, "my_work_plan_submit")


def test_the_manager_sees_her_day_with_her_overdue_follow_ups_first(demo_app):
    at = _open(demo_app)
    no_errors(at)
    maya = _user(MANAGER)
    due = interactions.follow_ups(app_db(), maya, maya.manager_id, date.today())
    overdue = due[due["bucket"] == "overdue"]
    assert not overdue.empty
    figures = _metrics(at)
    assert list(figures) == ["Overdue follow-ups", "Due today", "Due this week",
                             "Over contact policy", "Planned this month", "Open escalations"]
    assert figures["Overdue follow-ups"] == str(len(overdue))
    assert at.button(key=f"my_work_done_{overdue['id'].iloc[0]}")
    link = at.button(key=f"my_work_open_{overdue['id'].iloc[0]}")
    assert link.label.replace("\\", "") == overdue["account_name"].iloc[0]
    assert "Overdue" in [m.value.strip("*") for m in at.markdown]
    assert overdue["next_step"].iloc[0] in [t.value for t in at.text]  # as typed, no markdown


def test_marking_a_follow_up_done_removes_it_and_records_who_did_it(demo_app):
    at = _open(demo_app)
    maya = _user(MANAGER)
    first = interactions.follow_ups(app_db(), maya, maya.manager_id, date.today()).iloc[0]
    before = int(_metrics(at)["Overdue follow-ups"])
    _submit(at, f"my_work_done_{first['id']}")
    no_errors(at)
    assert first["next_step"] in _success(at).replace("\\", "")
    assert int(_metrics(at)["Overdue follow-ups"]) == before - 1
    assert not [b for b in at.button if b.key == f"my_work_done_{first['id']}"]
    who = app_db().value("SELECT actor_id FROM audit_log WHERE entity = 'interaction' AND "
                         "entity_id = ? AND action = 'complete_next_step'", [str(first["id"])])
    assert who == maya.id


def test_quiet_accounts_are_listed_with_their_policy_and_a_link_to_open_them(demo_app):
    at = _open(demo_app)
    quiet = next(d.value for d in at.dataframe if "Policy (days)" in d.value.columns)
    pinecrest = quiet[quiet["Account"] == "Pinecrest Clinics Inc."].iloc[0]
    account_id = app_db().value("SELECT id FROM accounts WHERE name = 'Pinecrest Clinics Inc.'")
    assert pinecrest["Open"] == f"/account?account={account_id}"
    assert pinecrest["Tier"] == "Key" and pinecrest["Policy (days)"] == 30
    assert pinecrest["Days since"] > 30
    assert any("key accounts every 30 days" in c.value for c in at.caption)
    assert _metrics(at)["Over contact policy"] == str(len(quiet))


def test_planning_a_visit_for_tomorrow_puts_it_on_the_plan_in_the_managers_name(demo_app):
    at = _open(demo_app)
    maya = _user(MANAGER)
    before = _planned_ids(maya, TOMORROW)
    _plan(at, _first_account(maya), TOMORROW)
    no_errors(at)
    assert "Planned: visit at" in _success(at)
    (new_id,) = _planned_ids(maya, TOMORROW) - before
    row = app_db().record("SELECT * FROM interactions WHERE id = ?", [new_id])
    assert row["is_planned"] and row["manager_id"] == maya.manager_id
    assert row["created_by"] == maya.id and row["subject"] == "Walk the new warehouse"
    _show_tomorrows_month(at)
    plan = next(d.value for d in at.dataframe if "When" in d.value.columns)
    assert "Walk the new warehouse" in set(plan["Subject"])
    assert at.text_input(key="my_work_plan-1_subject").value == ""  # the form is fresh again


def _show_tomorrows_month(at):
    """The plan shows one month: on a month's last day, tomorrow is on the next one's."""
    if TOMORROW.month != date.today().month:
        at.selectbox(key="my_work_month").set_value(TOMORROW.replace(day=1))
    return at.run()


def test_the_previous_month_shows_its_own_plan(demo_app):
    at = _open(demo_app)
    last_month = my_work.month_choices(date.today())[1]
    at.selectbox(key="my_work_month").set_value(last_month).run()
    no_errors(at)
    nothing = f"No visits planned for {my_work.month_name(last_month)}."
    assert any(i.value == nothing for i in at.info)
    assert _metrics(at)["Planned this month"] != "0"  # the summary stays on this month


def _plan_in_lib(maya, subject="Plant tour") -> int:
    when = datetime.combine(TOMORROW, time(15, 0))
    item = NewInteraction.parse(account_id=_first_account(maya), type="visit", occurred_at=when,
                                subject=subject, is_planned=True)
    return interactions.record_interaction(app_db(), maya, item)


def test_completing_a_planned_visit_moves_it_from_the_plan_to_the_account_timeline(demo_app):
    at = _open(demo_app)
    maya = _user(MANAGER)
    visit_id = _plan_in_lib(maya)
    _show_tomorrows_month(at)
    at.selectbox(key="my_work_complete_pick").set_value(visit_id)
    at.text_area(key="my_work_complete_outcome").input("Agreed a pilot in two plants")
    at.selectbox(key="my_work_complete_sentiment").set_value("positive")
    _submit(at, "my_work_complete_submit")
    no_errors(at)
    assert "timeline" in _success(at)
    assert visit_id not in _planned_ids(maya, TOMORROW)
    account_id = _first_account(maya)
    timeline = interactions.timeline(app_db(), maya, account_id)
    done = timeline[timeline["id"] == visit_id].iloc[0]
    assert not done["is_planned"] and done["outcome"] == "Agreed a pilot in two plants"
    assert done["sentiment"] == "positive"


def test_completing_a_visit_without_an_outcome_is_refused_and_keeps_what_was_typed(demo_app):
    at = _open(demo_app)
    maya = _user(MANAGER)
    visit_id = _plan_in_lib(maya)
    _show_tomorrows_month(at)
    at.selectbox(key="my_work_complete_pick").set_value(visit_id)
    at.selectbox(key="my_work_complete_sentiment").set_value("neutral")
    at.text_area(key="my_work_complete_notes").input("Met the plant manager")
    _submit(at, "my_work_complete_submit")
    assert not at.exception
    assert "Outcome: must not be empty" in _errors(at)
    assert visit_id in _planned_ids(maya, TOMORROW)
    assert at.text_area(key="my_work_complete_notes").value == "Met the plant manager"


def test_planning_a_visit_in_the_past_is_refused_in_words_and_writes_nothing(demo_app):
    at = _open(demo_app)
    maya = _user(MANAGER)
    before = app_db().value("SELECT count(*) FROM interactions")
    _plan(at, _first_account(maya), date.today() - timedelta(days=3))
    assert not at.exception and not at.success
    assert "a planned interaction must be in the future" in _errors(at)
    assert app_db().value("SELECT count(*) FROM interactions") == before
    assert at.text_input(key="my_work_plan_subject").value == "Walk the new warehouse"


def _escalation(maya) -> dict:
    rows = interactions.open_escalations(app_db(), maya, [maya.manager_id], date.today())
    return rows.iloc[0].to_dict()


def _move_escalation(at, escalation_id, status, notes=""):
    at.selectbox(key="my_work_esc_pick").set_value(escalation_id)
    at.radio(key="my_work_esc_status").set_value(status)
    at.text_area(key="my_work_esc_notes").input(notes)
    return _submit(at, "my_work_esc_submit")


def test_resolving_an_escalation_without_notes_is_refused_in_words(demo_app):
    at = _open(demo_app)
    escalation = _escalation(_user(MANAGER))
    _move_escalation(at, escalation["id"], "resolved")
    assert not at.exception
    assert "Resolution notes: say how the escalation was resolved" in _errors(at)
    assert _metrics(at)["Open escalations"] == "1"


def test_resolving_an_escalation_with_notes_takes_it_off_the_list(demo_app):
    at = _open(demo_app)
    escalation = _escalation(_user(MANAGER))
    _move_escalation(at, escalation["id"], "resolved", "Replaced the wrong deliveries")
    no_errors(at)
    assert "resolved" in _success(at)
    assert _metrics(at)["Open escalations"] == "0"
    assert any(i.value == "No open escalations." for i in at.info)
    row = app_db().record("SELECT * FROM interactions WHERE id = ?", [escalation["id"]])
    assert row["resolved_at"] is not None and row["updated_by"] == _user(MANAGER).id


def test_an_escalation_changed_by_someone_else_meanwhile_is_a_conflict_not_an_overwrite(demo_app):
    at = _open(demo_app)
    escalation = _escalation(_user(MANAGER))
    interactions.resolve_escalation(app_db(), _user(DIRECTOR), escalation["id"],
                                    escalation["version"], status="open",
                                    resolution_notes="Reopened after the customer called")
    _move_escalation(at, escalation["id"], "resolved", "Replaced the wrong deliveries")
    assert not at.exception
    assert "Eleanor Hayes changed this interaction after you opened it" in _errors(at)
    row = app_db().record("SELECT * FROM interactions WHERE id = ?", [escalation["id"]])
    assert row["escalation_status"] == "open" and row["resolved_at"] is None


def test_a_viewer_is_refused_the_page(demo_app):
    at = _open(demo_app, VIEWER)
    assert not at.exception
    assert "You are not allowed to open My work" in _errors(at)
    assert not at.metric


def test_the_director_can_look_at_another_managers_work(demo_app):
    at = _open(demo_app, DIRECTOR)
    no_errors(at)
    oliver = app_db().value("SELECT id FROM account_managers WHERE name = 'Oliver Bennett'")
    at.selectbox(key="my_work_manager").set_value(oliver).run()
    no_errors(at)
    due = interactions.follow_ups(app_db(), _user(DIRECTOR), oliver, date.today())
    assert _metrics(at)["Overdue follow-ups"] == str((due["bucket"] == "overdue").sum())
    assert any("Oliver Bennett plans theirs" in i.value for i in at.info)
    assert any(c.value.startswith("Your team's open escalations") for c in at.caption)


def test_an_admin_without_a_manager_row_first_chooses_whose_work(demo_app):
    at = _open(demo_app, ADMIN)
    no_errors(at)
    assert any(i.value == "Choose whose work to see." for i in at.info)
    assert not at.metric
    at.selectbox(key="my_work_manager").set_value(_user(MANAGER).manager_id).run()
    no_errors(at)
    assert _metrics(at)["Open escalations"] == str(len(interactions.open_escalations(
        app_db(), _user(ADMIN), None, date.today())))
    assert at.selectbox(key="my_work_plan_account")  # an admin plans in the owner's name


def test_the_first_admin_of_an_empty_database_is_told_why_there_is_no_work(empty_app):
    create_first_admin(app_db(), "ada@example.com", "Ada Admin", "correct horse battery")
    at = _open(empty_app, "ada@example.com", "correct horse battery")
    no_errors(at)
    assert at.title[0].value == "My work"
    assert any("not linked to one" in i.value for i in at.info)
