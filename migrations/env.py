"""Alembic environment: the URL comes from the app's settings, the metadata from app.models."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

import app.models  # noqa: F401 - registers every table
from app.config import get_settings
from app.core.db import Base, build_engine

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _sqlite_foreign_keys(connection, on=False)
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            _check_foreign_keys(connection)


def _sqlite_foreign_keys(connection: Connection, *, on: bool) -> None:
    """SQLite changes a column by rebuilding its table (batch mode: copy, DROP, rename). With
    foreign keys enforced, that DROP deletes every row that references the table through ON
    DELETE CASCADE (a learner's lesson progress and attempts, when `enrollment` is rebuilt) or
    fails. So enforcement is off while migrating and the whole database is checked before the
    migration commits (`_check_foreign_keys`). The pragma is a no-op inside a transaction: it
    goes to the driver's connection before SQLAlchemy begins one."""
    if connection.in_transaction():
        raise RuntimeError("SQLite migrations must start outside a transaction.")
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({row[0] for row in broken})
        raise RuntimeError(f"Migration left rows with broken foreign keys in: {', '.join(tables)}")


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url") or get_settings().effective_database_url
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().effective_database_url
    engine = build_engine(url)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
        if conn.dialect.name == "sqlite":
            _sqlite_foreign_keys(conn, on=True)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
