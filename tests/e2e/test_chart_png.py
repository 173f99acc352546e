"""Every chart is a Plotly chart with its own toolbar: a person can take it away as a PNG."""
from tests.conftest import DIRECTOR
from tests.e2e.conftest import assert_no_exception, sign_in, wait_idle


def test_a_chart_downloads_as_a_png_from_its_own_toolbar(demo_server, page):
    sign_in(page, demo_server.url + "/performance", DIRECTOR)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.wait_for()
    wait_idle(page)
    assert_no_exception(page)
    chart.scroll_into_view_if_needed()
    chart.hover()
    button = chart.locator('.modebar-btn[data-title="Download plot as a PNG"]').first
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename.endswith(".png")
    with open(download.value.path(), "rb") as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"
