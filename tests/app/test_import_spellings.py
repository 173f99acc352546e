"""Import page: an accounts file's industry or region that looks like one already in use
('technolgy' beside the demo's 'Technology') is offered, and takes the stored spelling only
when the person chooses it."""
from tests.app.conftest import app_db, no_errors, sign_in
from tests.conftest import DIRECTOR

ACCOUNTS = (b"Account Name,Industry,Region,Currency\n"
            b"Nordlicht Software,technolgy,Eurpoe,EUR\nKestrel Labs,Biotech,Europe,EUR\n")


def _upload(demo_app):
    at = sign_in(demo_app, DIRECTOR).switch_page("pages/import_page.py").run()
    at.file_uploader[0].upload("accounts.csv", ACCOUNTS, "text/csv").run()
    return at


def _spellings(at):
    return next(m for m in at.multiselect if m.key.startswith("import_spellings_"))


def _stored():
    return app_db().rows("SELECT name, industry, region FROM accounts "
                         "WHERE name IN ('Nordlicht Software', 'Kestrel Labs') ORDER BY name")


def test_a_chosen_spelling_is_imported_as_the_one_in_use_and_the_others_as_written(demo_app):
    at = _upload(demo_app)
    no_errors(at)
    offered = _spellings(at)
    assert offered.options == ["Industry: 'technolgy' as 'Technology' (1 row)",
                               "Region: 'Eurpoe' as 'Europe' (1 row)"]
    assert offered.value == []
    offered.select("Industry: 'technolgy' as 'Technology' (1 row)").run()
    no_errors(at)
    assert any("'Eurpoe' like 'Europe'" in i.value for i in at.info)
    assert not any("'technolgy'" in i.value for i in at.info)
    at.button(key="import_apply").click().run()
    no_errors(at)
    assert _stored() == [("Kestrel Labs", "Biotech", "Europe"),
                         ("Nordlicht Software", "Technology", "Eurpoe")]


def test_nothing_chosen_imports_every_value_as_written(demo_app):
    at = _upload(demo_app)
    at.button(key="import_apply").click().run()
    no_errors(at)
    assert _stored() == [("Kestrel Labs", "Biotech", "Europe"),
                         ("Nordlicht Software", "technolgy", "Eurpoe")]
