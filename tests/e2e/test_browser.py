"""What only a real browser shows: the welcome flow, every page for every role, two sessions."""
from tests.conftest import ADMIN, DIRECTOR, MANAGER
from tests.e2e.conftest import (WHOLE, assert_no_exception, choose, cut_short, nav_titles, screenshot,
                                shown_total, sign_in, wait_idle)


def test_a_new_database_shows_the_welcome_screen_and_loads_the_demo(empty_server, page, artifacts):
    page.goto(empty_server.url)
    wait_idle(page)
    page.get_by_text("Welcome to Account Desk").wait_for()
    assert_no_exception(page)
    screenshot(page, artifacts / "welcome.png")

    page.get_by_role("button", name="Load the demo portfolio").click()
    page.get_by_text("Sign in to Account Desk").wait_for(timeout=90_000)
    wait_idle(page)
    page.get_by_text(DIRECTOR).first.wait_for()  # the demo sign-ins are listed
    screenshot(page, artifacts / "sign-in.png")

    sign_in(page, empty_server.url, DIRECTOR)
    page.get_by_role("heading", name="Portfolio").wait_for()
    assert_no_exception(page)
    assert shown_total(page) > 100
    assert "Traceback" not in empty_server.log()


def test_every_page_renders_without_an_error_for_the_admin(demo_server, page, artifacts):
    sign_in(page, demo_server.url, ADMIN)
    names = nav_titles(page)
    assert names == ["Portfolio", "Account", "My work", "Targets", "Performance", "Compensation", "Team review", "Explore", "Import", "Audit trail", "Users", "Settings & backups",
                     "My account"]
    for name in names:
        page.locator('[data-testid="stSidebarNav"] a').filter(has_text=name).first.click()
        wait_idle(page)
        if name != "Account":  # without ?account= the Account page opens on its search
            page.get_by_role("heading", name=name).first.wait_for()
        assert_no_exception(page)
        assert cut_short(page, WHOLE) == [], name
        screenshot(page, artifacts / f"{name.lower().replace(' & ', '-').replace(' ', '-')}.png")


def test_a_manager_sees_only_their_pages_and_a_director_url_is_refused(demo_server, page):
    sign_in(page, demo_server.url, MANAGER)
    assert nav_titles(page) == ["Portfolio", "Account", "My work", "Targets", "Performance", "Compensation", "Team review", "Explore", "My account"]
    sign_in(page, demo_server.url + "/audit", MANAGER)  # a link opens a new session
    page.get_by_text("You are not allowed to open Audit trail").wait_for()
    assert_no_exception(page)
    assert page.locator('[data-testid="stDataFrame"]').count() == 0


def test_two_people_signed_in_at_once_each_see_only_their_own_session(demo_server, browser):
    admin = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    manager = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    sign_in(admin, demo_server.url, ADMIN)
    sign_in(manager, demo_server.url, MANAGER)
    for tier, sentence in (("Key", "tier is Key"), ("Strategic", "tier is Key or Strategic")):
        choose(admin, "Tier", tier)
        manager.reload()
        wait_idle(manager)  # a reload is a new session: the manager must sign in again
        manager.get_by_text("Sign in to Account Desk").wait_for()
        sign_in(manager, demo_server.url, MANAGER)
        assert "Maya Thompson" in manager.locator('[data-testid="stSidebar"]').inner_text()
        assert "Fiona Finch" in admin.locator('[data-testid="stSidebar"]').inner_text()
        assert nav_titles(manager) == ["Portfolio", "Account", "My work", "Targets", "Performance", "Compensation", "Team review", "Explore", "My account"]
        assert "Users" in nav_titles(admin)
        assert sentence in admin.inner_text('[data-testid="stMain"]')
        assert "tier is" not in manager.inner_text('[data-testid="stMain"]')
    admin.context.close()
    manager.context.close()
