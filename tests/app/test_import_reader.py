"""Import page: the sandboxed reader for the next file waits ready once the page is drawn."""
from lib.importing import sandbox
from tests.app.conftest import no_errors, sign_in
from tests.conftest import DIRECTOR

READER = "lib.importing.reader"


def test_once_the_import_page_is_drawn_a_reader_waits_for_the_next_file(demo_app):
    sandbox._stop_spares()
    at = sign_in(demo_app, DIRECTOR).switch_page("pages/import_page.py").run()
    no_errors(at)
    waiting = sandbox._spare.get(READER)
    assert waiting is not None and waiting.poll() is None
    sandbox._stop_spares()
