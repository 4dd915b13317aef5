"""Databases of their own for backups and restores: SQLite files in tmp_path, and, when the run
has PostgreSQL (CAKAP_TEST_DATABASE_URL), PostgreSQL databases created and dropped here."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import TEST_DATABASE_URL

HAS_POSTGRES = make_url(TEST_DATABASE_URL).get_backend_name() == "postgresql"
_numbers = itertools.count()

# A URL factory: an empty database (no schema) of the kind asked for.
EmptyDatabase = Callable[[str], str]


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[EmptyDatabase]:
    created: list[str] = []
    base = make_url(TEST_DATABASE_URL)
    admin = None

    def make(kind: str) -> str:
        nonlocal admin
        n = next(_numbers)
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / f'db{n}.sqlite3'}"
        assert HAS_POSTGRES, "PostgreSQL needs CAKAP_TEST_DATABASE_URL"
        name = f"{base.database}_bk{n}"
        if admin is None:
            admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return base.set(database=name).render_as_string(hide_password=False)

    yield make
    if admin is not None:
        with admin.connect() as conn:
            for name in created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
