"""Shared fixtures: a real, migrated DuckDB file per test."""
from __future__ import annotations

from pathlib import Path

import pytest

from lib.migrate import open_database
from lib.users import SYSTEM

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def migrated_db_file(tmp_path_factory) -> Path:
    """An empty database with every migration applied, made once per run (applying them takes
    a fifth of a second, copying the file a twentieth); copy it before opening."""
    path = tmp_path_factory.mktemp("migrated") / "empty.duckdb"
    open_database(path).close()
    return path


@pytest.fixture
def db(tmp_path, migrated_db_file):
    database = open_database(copy_db(migrated_db_file, tmp_path / "test.duckdb"))
    yield database
    database.close()


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory) -> Path:
    """The demo portfolio, built once per run; copy it before opening (tests may write)."""
    from lib.auth import set_demo_passwords
    from lib.demo import load_demo
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    database = open_database(path)
    load_demo(database, SYSTEM)
    set_demo_passwords(database, SYSTEM)
    database.close()
    return path


def copy_db(source: Path, target: Path) -> Path:
    import shutil
    shutil.copyfile(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + ".wal"))
    return target


DIRECTOR = "eleanor.hayes@demo.accountdesk.example"
ADMIN = "fiona.finch@demo.accountdesk.example"
MANAGER = "maya.thompson@demo.accountdesk.example"
VIEWER = "meeting.room@demo.accountdesk.example"
