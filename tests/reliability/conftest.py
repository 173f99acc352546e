"""Fixtures of the reliability suite: a writable copy of the demo portfolio, and its people."""
import pytest

from lib.migrate import open_database
from lib.users import get_user
from tests.conftest import copy_db


@pytest.fixture
def demo(tmp_path, demo_db_file):
    database = open_database(copy_db(demo_db_file, tmp_path / "demo.duckdb"))
    yield database
    database.close()


def person(db, email: str):
    return get_user(db, db.value("SELECT id FROM users WHERE email = ?", [email]))
