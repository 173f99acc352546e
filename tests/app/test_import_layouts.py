"""Import page: a sheet whose columns are weeks (or quarters) asks what it holds, and says why
the columns cannot be imported as they are, instead of taking it for a list of accounts."""
from tests.app.conftest import no_errors, sign_in
from tests.conftest import DIRECTOR

WEEKLY = (b"Customer,2026-09-28,2026-10-05,2026-10-12,2026-10-19\n"
          b"Brightwater Logistics Inc.,1,2,3,4\n")


def test_a_weekly_sheet_asks_what_it_holds_and_names_the_weeks_across_its_columns(demo_app):
    at = sign_in(demo_app, DIRECTOR).switch_page("pages/import_page.py").run()
    at.file_uploader[0].upload("weekly.csv", WEEKLY, "text/csv").run()
    no_errors(at)
    entity = next(s for s in at.selectbox if str(s.key).startswith("import_entity_"))
    assert entity.value == "revenue"
    asked = [w.value for w in at.warning if "choose what it holds" in w.value]
    assert asked and asked[0].startswith("Weeks run across the columns (2026-09-28, 2026-10-05")
    assert [e.label for e in at.expander if e.label.startswith("What was read")] == [
        "What was read: 1 row, 0 left out"]
