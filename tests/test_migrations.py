"""Migrations: upgrade from empty, no drift between models and migrations, downgrade to base.

Runs on the test database backend (SQLite by default, PostgreSQL with CAKAP_TEST_DATABASE_URL)
in a database of its own, so the rest of the suite is not disturbed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app.config import ROOT
from tests.conftest import TEST_DATABASE_URL


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    url = make_url(TEST_DATABASE_URL)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"{url.database}_migrations"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["configure_logger"] = False
    return config


def test_upgrade_from_empty_check_and_downgrade_to_base(empty_database_url: str) -> None:
    config = _config(empty_database_url)
    command.upgrade(config, "head")
    engine = create_engine(empty_database_url)
    tables = set(inspect(engine).get_table_names())
    assert {
        "user_account",
        "instansi",
        "unit",
        "course",
        "course_version",
        "lesson",
        "question",
        "audit_event",
        "user_session",
    } <= tables

    command.check(config)  # raises when models and migrations drift apart

    command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_migration_files_are_named_by_date() -> None:
    import re

    names = [p.name for p in (ROOT / "migrations" / "versions").glob("*.py")]
    assert names
    assert all(re.match(r"^\d{4}-\d{2}-\d{2}_[a-z0-9_]+\.py$", n) for n in names), names
