"""The schema side of backups: the tables in foreign-key order, Alembic revisions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, inspect

import app.models  # noqa: F401 - registers every table
from app.config import ROOT
from app.core.db import Base


def tables() -> list[Table]:
    """Every table of the models, parents before children (new tables come along by
    themselves: nothing here lists them)."""
    return list(Base.metadata.sorted_tables)


def deferred_columns() -> dict[str, list[str]]:
    """Foreign-key columns a restore fills in after every table is in: those of a cycle between
    tables (a course's current version) and those of a table that refers to itself (a unit's
    parent). Rows go in with them empty, then are updated."""
    from sqlalchemy.schema import sort_tables_and_constraints

    deferred: dict[str, list[str]] = {}
    for table, constraints in sort_tables_and_constraints(Base.metadata.tables.values()):
        if table is None:  # the constraints that break a cycle between tables
            for fkc in constraints:
                for column in fkc.columns:
                    deferred.setdefault(column.table.name, []).append(column.name)
            continue
        for fk in table.foreign_keys:
            if fk.column.table is table:
                deferred.setdefault(table.name, []).append(fk.parent.name)
    for table_name, names in deferred.items():
        table = Base.metadata.tables[table_name]
        for name in names:
            if not table.c[name].nullable:
                raise RuntimeError(f"{table_name}.{name}: a deferred foreign key must be nullable")
    return deferred


def _config(url: str) -> Any:
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(_config(url), revision)


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def existing_tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())
