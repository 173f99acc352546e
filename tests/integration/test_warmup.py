"""lib.warmup: the shared figures are built again in the background once nobody writes."""
from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest

from lib import accounts, compensation, health, portfolio, review_log, users
from lib.errors import NotAllowed
from lib.migrate import open_database
from lib.users import SYSTEM
from lib.warmup import Warmer
from tests.conftest import copy_db

TODAY = date.today()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def demo(tmp_path, demo_db_file):
    database = open_database(copy_db(demo_db_file, tmp_path / "demo.duckdb"))
    yield database
    if not database.closed:
        database.close()


ALL = ["portfolio figures", "health scores", "health signals", "pay statements"]


def kept(db) -> tuple[bool, bool, bool, bool]:
    query = portfolio.PortfolioQuery(currency="USD", today=TODAY)
    since, _ = review_log.health_since(db, SYSTEM, TODAY)
    return (portfolio.figures_kept(db, query), health.all_scores_kept(db, TODAY),
            health.signals_kept(db, since), compensation.everyone_kept(db, TODAY))


def touch(db) -> None:
    db.write(SYSTEM, lambda tx: tx.audit("update", "settings", "reporting_currency"))


def test_the_figures_are_built_once_the_data_has_stood_still_for_the_quiet_time(demo):
    clock = Clock()
    warmer = Warmer(demo, quiet=5, clock=clock)
    assert warmer.step() == [] and kept(demo) == (False, False, False, False)
    clock.now = 4.9
    assert warmer.step() == []
    clock.now = 5.0
    assert warmer.step() == ALL
    assert kept(demo) == (True, True, True, True)
    clock.now = 6.0
    assert warmer.step() == []


def test_the_kept_scores_are_what_the_portfolio_then_shows(demo):
    clock = Clock()
    warmer = Warmer(demo, quiet=0, clock=clock)
    some = demo.rows("SELECT id FROM accounts WHERE archived_at IS NULL ORDER BY id LIMIT 7")
    ids = [i for (i,) in some]
    alone = health.scores(demo, SYSTEM, TODAY, account_ids=ids)
    assert warmer.step() == ALL
    shown = health.scores_of(demo, SYSTEM, TODAY, ids)
    assert shown["account_id"].tolist() == alone["account_id"].tolist() == ids
    assert shown["score"].tolist() == pytest.approx(alone["score"].tolist())


def test_an_accounts_health_explained_from_the_kept_signals_is_the_one_worked_out_alone(
        demo, monkeypatch):
    archived = demo.value("SELECT max(id) FROM accounts")
    accounts.archive_account(demo, SYSTEM, archived, demo.value(
        "SELECT version FROM accounts WHERE id = ?", [archived]))
    ids = [i for (i,) in demo.rows("SELECT id FROM accounts ORDER BY id")]
    since, _ = review_log.health_since(demo, SYSTEM, TODAY)
    alone = {i: health.explain(demo, SYSTEM, i, TODAY, since) for i in ids}
    assert Warmer(demo, quiet=0, clock=Clock()).step() == ALL
    asked = spy_on_signals(monkeypatch)
    assert {i: shown(health.explain(demo, SYSTEM, i, TODAY, since)) for i in ids} == \
        {i: shown(told) for i, told in alone.items()}
    assert [ids for ids, _ in asked] == [[archived]]   # only the archived one is not kept


def test_a_day_not_kept_is_the_only_day_an_explanation_still_asks_for(demo, monkeypatch):
    account = demo.value("SELECT min(id) FROM accounts WHERE archived_at IS NULL")
    other_day = TODAY - timedelta(days=10)
    alone = health.explain(demo, SYSTEM, account, TODAY, other_day)
    Warmer(demo, quiet=0, clock=Clock()).step()
    asked = spy_on_signals(monkeypatch)
    assert shown(health.explain(demo, SYSTEM, account, TODAY, other_day)) == shown(alone)
    assert asked == [([account], [other_day])]


def shown(told: health.Explanation) -> tuple:
    """What the page shows of an explanation; points to 9 places (the kept signals sum every
    account's money in another order than one account's statement: the last digits differ)."""
    def factors(score):
        return score and (score.score, [(f.label, round(f.points, 9), f.detail) for f in score.factors])
    return (told.account_id, factors(told.score), told.at_risk, told.since, factors(told.earlier),
            told.changes)


def spy_on_signals(monkeypatch) -> list[tuple[list[int], list[date]]]:
    """The (accounts, days) of every signals statement run from here on."""
    asked, real = [], health.signals_as_of

    def spy(db, actor, days, account_ids=None, **options):
        asked.append((list(account_ids or []), list(days)))
        return real(db, actor, days, account_ids, **options)
    monkeypatch.setattr(health, "signals_as_of", spy)
    return asked


def test_the_kept_pay_statements_are_each_managers_own_and_still_only_for_who_may_see_them(demo):
    director = next(a for a in users.active_users(demo) if a.role == "director")
    manager = next(a for a in users.active_users(demo) if a.role == "manager")
    team = list(compensation.visible_managers(demo, director))
    alone = {m: compensation.statement(demo, director, m, TODAY) for m in team[:3]}
    assert Warmer(demo, quiet=0, clock=Clock()).step() == ALL
    assert compensation.statements(demo, director, team[:3], TODAY) == alone
    assert compensation.statement(demo, manager, manager.manager_id, TODAY) == \
        compensation.statements(demo, manager, [manager.manager_id], TODAY, focus=TODAY)[manager.manager_id]
    other = next(m for m in team if m != manager.manager_id)
    with pytest.raises(NotAllowed):
        compensation.statement(demo, manager, other, TODAY)


def test_a_write_makes_it_wait_for_the_quiet_time_again(demo):
    clock = Clock()
    warmer = Warmer(demo, quiet=5, clock=clock)
    assert warmer.step() == []
    clock.now = 5.0
    assert warmer.step() == ALL
    touch(demo)
    assert kept(demo) == (False, False, False, False)
    clock.now = 7.0
    assert warmer.step() == []
    clock.now = 11.9
    assert warmer.step() == []
    clock.now = 12.0
    assert warmer.step() == ALL


def test_nothing_is_built_while_writes_keep_coming(demo):
    clock = Clock()
    warmer = Warmer(demo, quiet=5, clock=clock)
    for second in range(20):
        clock.now = float(second)
        touch(demo)
        assert warmer.step() == []
    assert kept(demo) == (False, False, False, False)


def test_a_failure_is_logged_and_not_tried_again_until_the_data_changes(demo, caplog):
    clock = Clock()
    warmer = Warmer(demo, quiet=0, clock=clock)
    demo.close()
    with caplog.at_level(logging.ERROR, logger="accountdesk"):
        assert warmer.step() == []
        assert warmer.step() == []
    assert [r.getMessage() for r in caplog.records] == ["building the kept figures failed"]


def test_on_an_empty_database_the_figures_are_built_without_a_fault(db, caplog):
    clock = Clock()
    warmer = Warmer(db, quiet=0, clock=clock)
    with caplog.at_level(logging.ERROR, logger="accountdesk"):
        assert warmer.step() == ALL
    assert not caplog.records
    assert kept(db) == (True, True, True, True)
