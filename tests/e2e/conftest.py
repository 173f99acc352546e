"""A real Account Desk server on its own database and port, driven by the system Chromium."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, IDLE, Server

ARTIFACTS = ROOT / "test-artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    # each test worker (pytest-xdist) keeps its own folder: one must not clear another's
    shots = ARTIFACTS / "screenshots" / os.environ.get("PYTEST_XDIST_WORKER", "")
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    return shots


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs it; or set CHROMIUM.")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def empty_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("e2e-empty")
    server = Server(folder / "server.log", db_path=folder / "e2e.duckdb")
    yield server
    server.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    p = context.new_page()
    p.set_default_timeout(30_000)
    yield p
    context.close()


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until the app has finished running its script after the last action."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_timeout(300)  # let a rerun triggered by the last action start
    page.wait_for_selector(IDLE, timeout=timeout)


# What a person must be able to read whole: figures, buttons and the labels of inputs.
WHOLE = ('[data-testid="stMetric"], [data-testid="stMain"] button, '
         '[data-testid="stMain"] [data-testid="stWidgetLabel"]')


def cut_short(page, selector: str) -> list[str]:
    """The text of each element matching `selector` that the browser draws cut short (an
    ellipsis or clipping: some part of it is wider than the room it has)."""
    return page.evaluate("""selector => [...document.querySelectorAll(selector)]
        .filter(el => [el, ...el.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1))
        .map(el => el.innerText)""", selector)


def assert_no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.inner_text("body")[:2000]


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory, demo_db_file):
    from tests.conftest import copy_db
    folder = tmp_path_factory.mktemp("e2e-demo")
    server = Server(folder / "server.log", db_path=copy_db(demo_db_file, folder / "e2e.duckdb"))
    yield server
    server.stop()


@pytest.fixture
def fresh_server(tmp_path, demo_db_file):
    """A demo server of the test's own, for tests that write."""
    from tests.conftest import copy_db
    server = Server(tmp_path / "server.log", db_path=copy_db(demo_db_file, tmp_path / "e2e.duckdb"))
    yield server
    server.stop()


def grid_text(page) -> str:
    """The text of every data grid on screen (the grid draws on a canvas and keeps an
    accessible copy of its cells in the page)."""
    return " ".join(page.locator('[data-testid="stDataFrame"]').all_text_contents())


def expect_grid_text(page, text: str) -> None:
    """Wait until a data grid on screen shows `text` (the grid fills its accessible copy of
    the cells a moment after the app is idle)."""
    from playwright.sync_api import expect
    expect(page.locator('[data-testid="stDataFrame"]').filter(has_text=text)).not_to_have_count(0)


def screenshot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its own container, so grow the window to fit."""
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 1000")
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": width, "height": min(max(height, 800), 6000)})
    wait_idle(page)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": 1000})


def sign_in(page, url: str, email: str, password: str | None = None) -> None:
    """Sign in through the form, as a person would, and wait for the landing page."""
    from lib.auth import DEMO_PASSWORD
    page.goto(url)
    wait_idle(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password or DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    wait_idle(page)
    page.locator('[data-testid="stSidebar"]').get_by_text("Signed in as").wait_for()


def nav_titles(page) -> list[str]:
    links = page.locator('[data-testid="stSidebarNav"] a')
    links.first.wait_for()   # the nav may draw a moment after the rest of the sidebar
    # each link reads "<material icon name>\n\n<title>"; the title is the last line
    return [links.nth(i).inner_text().strip().splitlines()[-1] for i in range(links.count())]


def select_option(page, label: str, option: str) -> None:
    """Choose `option` in the selectbox labelled `label` by typing it, as a person would."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).last
    box.locator("input").click()
    page.keyboard.type(option)
    page.keyboard.press("Enter")
    wait_idle(page)


SHOWING = re.compile(r"Accounts [\d,]+–[\d,]+ of ([\d,]+)")


def shown_total(page) -> int:
    """How many accounts the Portfolio says its filters keep ("Accounts 1–100 of 400")."""
    text = page.get_by_text(SHOWING).first.inner_text()
    return int(SHOWING.search(text).group(1).replace(",", ""))


def choose(page, label: str, option: str) -> None:
    """Add `option` to the multiselect labelled `label`, as a person would."""
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text=label).first
    box.locator("input").click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    wait_idle(page)
