"""Every file of the bad-input corpus, through the Import page's own steps, on the demo database:
each gets a clear message in words, none takes the test process down (parsing runs in the
sandboxed child the page uses), and none writes a single row anywhere."""
from __future__ import annotations

import re

import pytest

from lib import importing
from lib.errors import UserError
from lib.migrate import open_database
from lib.users import get_user
from tests.conftest import ADMIN, copy_db
from tests.reliability.make_corpus import CASES, write_corpus

NOT_WORDS = re.compile(r"Traceback|File \"|line \d+, in |\w+(Error|Exception):|<built-in|object at 0x")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    write_corpus(folder)
    return folder


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_db_file):
    database = open_database(copy_db(demo_db_file, tmp_path_factory.mktemp("db") / "demo.duckdb"))
    yield database
    database.close()


def row_counts(db) -> dict[str, int]:
    tables = [r[0] for r in db.rows("SELECT table_name FROM duckdb_tables() "
                                    "WHERE database_name = current_database() ORDER BY 1")]
    return {t: db.value(f'SELECT count(*) FROM "{t}"') for t in tables}


def import_like_the_page(db, actor, data: bytes, name: str) -> str:
    """The Import page's steps (read, first sheet, suggested entity and mapping, stage, preview,
    import without skipping bad rows); returns what the person is told."""
    try:
        workbook = importing.read_upload(data, name)
    except importing.ImportFileError as exc:
        return str(exc)
    sheet = workbook.importable_sheets[0]
    headers = [str(h) for h in sheet.rows.columns]
    if not headers or sheet.rows.empty:
        return "This sheet has no rows to import."
    entity = importing.suggest_entity(headers).entity
    mapping = importing.suggest_mapping(headers, entity)
    chosen = [f for f in mapping.values() if f]
    if len(chosen) != len(set(chosen)):
        return "Some fields are chosen for more than one column. Choose each field once."
    staged = importing.stage(sheet.rows, entity, mapping, {}, date_order="dmy")
    digest = importing.file_hash(data)
    preview = importing.preview_import(db, staged, digest=digest)
    try:
        result = importing.apply_import(db, actor, staged, file_name=name, digest=digest,
                                        mapping=mapping, match_on=preview.match_on)
    except UserError as exc:
        return str(exc)
    return f"Imported as batch {result.batch_id}."


def assert_clear(message: str) -> None:
    assert message.strip(), "no message at all"
    assert not NOT_WORDS.search(message), f"a programmer's message, not a person's: {message[:500]}"
    assert len(message.split()) >= 3, f"not a sentence: {message!r}"
    assert message.rstrip()[-1] in ".)!?", f"not a finished sentence: {message[-200:]!r}"


# Known gaps in lib.importing, reported to its owners: strict, so a fix turns them into failures
# that ask for the mark to be removed.
KNOWN_UNCLEAR: dict[str, str] = {}  # file name -> why its message is not yet clear


def _case(name: str):
    marks = [pytest.mark.xfail(strict=True, reason=KNOWN_UNCLEAR[name])] if name in KNOWN_UNCLEAR else []
    return pytest.param(name, marks=marks, id=name.replace(".", "_"))


@pytest.mark.parametrize("name", [_case(n) for n in CASES])
def test_a_malformed_file_gets_a_clear_message_and_writes_nothing(name, corpus, demo):
    actor = get_user(demo, demo.value("SELECT id FROM users WHERE email = ?", [ADMIN]))
    before = row_counts(demo)
    message = import_like_the_page(demo, actor, (corpus / name).read_bytes(), name)
    assert_clear(message)
    assert not message.startswith("Imported"), message
    assert row_counts(demo) == before


def test_the_corpus_holds_at_least_forty_files(corpus):
    assert len(list(corpus.iterdir())) == len(CASES) >= 40
