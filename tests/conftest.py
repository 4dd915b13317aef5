"""Test setup: SQLite by default, PostgreSQL when CAKAP_TEST_DATABASE_URL is set.

The schema is built once per run by the real migrations; every test runs inside a transaction
that is rolled back afterwards (the app's own commits become savepoints)."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="cakap-test-"))
TEST_DATABASE_URL = os.environ.get("CAKAP_TEST_DATABASE_URL") or f"sqlite:///{_TMP / 'test.db'}"
os.environ["CAKAP_DATABASE_URL"] = TEST_DATABASE_URL
os.environ["CAKAP_SECRET_KEY"] = "test-secret-key"
os.environ["CAKAP_DATA_DIR"] = str(_TMP / "data")
os.environ["CAKAP_BASE_URL"] = "http://testserver"

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Connection, Engine, create_engine  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from app.config import ROOT, get_settings  # noqa: E402
from app.core.db import Database, _configure_sqlite  # noqa: E402
from app.main import create_app  # noqa: E402
from tests import factories  # noqa: E402

COURSES = ROOT / "courses"


def _reset_schema(url: str) -> None:
    """Drop everything, then build the schema with the real migrations."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    engine = create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


class TestDatabase(Database):
    """The real Database (gate, writer lock, units of work, the transaction owner), except
    that its sessions are bound to one connection inside an outer transaction that the test
    rolls back: the app's commits become savepoints. Races, bursts and crash tests use
    `real_database`, with separate connections and real commits."""

    def __init__(self, engine: Engine, connection: Connection) -> None:
        self.url = str(engine.url)
        self.engine = engine
        self.connection = connection
        self.sessionmaker = sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        self.gate_size = 4
        self._loop_locks = {}

    def dispose(self) -> None:  # the engine belongs to the test run
        pass


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    get_settings.cache_clear()
    _reset_schema(TEST_DATABASE_URL)
    if TEST_DATABASE_URL.startswith("sqlite"):
        eng = create_engine(TEST_DATABASE_URL, connect_args={"check_same_thread": False})
        _configure_sqlite(eng)
    else:
        eng = create_engine(TEST_DATABASE_URL)
    yield eng
    eng.dispose()


@pytest.fixture
def database(engine: Engine) -> Iterator[TestDatabase]:
    from app.jobs import queue

    connection = engine.connect()
    outer = connection.begin()
    db = TestDatabase(engine, connection)
    queue.use_database(db)
    yield db
    queue.use_database(None)
    outer.rollback()
    connection.close()


@pytest.fixture(autouse=True)
def _empty_job_queue() -> None:
    """Each test starts with an empty queue (the real one: Huey on SQLite in the data dir);
    tests run what their requests queued with `run_jobs()`, as the worker would."""
    from app.jobs import queue

    queue.huey.flush()


def run_jobs(session: Session | None = None) -> int:
    """Commit the test's session (jobs are queued on commit), run what is queued as the
    worker would, and let the session see what the jobs wrote."""
    from app.jobs import queue

    if session is not None:
        session.commit()
    ran = queue.run_pending()
    if session is not None:
        session.expire_all()
    return ran


@pytest.fixture
def session(database: TestDatabase) -> Iterator[Session]:
    s = database.sessionmaker()
    factories.bind(s)
    yield s
    s.close()


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    from app.certificates.service import VERIFY_LIMIT

    VERIFY_LIMIT.reset()


@pytest.fixture
def app(database: TestDatabase) -> Any:
    return create_app(get_settings(), database=database)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def world(session: Session) -> factories.World:
    """The fixed personas: learner, second learner, trainer, HR officer, HR of another
    instansi, and an admin."""
    return factories.build_world(session)


@pytest.fixture
def courses_imported(session: Session) -> None:
    from app.courses import service

    service.import_courses(session, path=COURSES)
    session.commit()


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


def login(client: TestClient, username: str, password: str = factories.PASSWORD) -> Any:
    page = client.get("/login")
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_from(page.text),
            "next": "/",
        },
        follow_redirects=False,
    )


def form_token(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    return csrf_from(page.text)


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")):
            return
        self.count += 1
        self.statements.append(statement)


@pytest.fixture
def queries(engine: Engine) -> Iterator[QueryCounter]:
    from sqlalchemy import event

    counter = QueryCounter()
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)


@pytest.fixture
def real_database(tmp_path: Path) -> Iterator[Database]:
    """A database of its own with real, separate connections and transactions (for races and
    crash tests): a SQLite file, or a fresh PostgreSQL database next to the test database."""
    from sqlalchemy.engine import make_url

    url = make_url(TEST_DATABASE_URL)
    if url.get_backend_name() == "sqlite":
        target = f"sqlite:///{tmp_path / 'real.db'}"
        _reset_schema(target)
        db = Database(target)
        yield db
        db.dispose()
        return
    from sqlalchemy import text

    name = f"{url.database}_real"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    target = url.set(database=name).render_as_string(hide_password=False)
    _reset_schema(target)
    db = Database(target, pool_size=25, max_overflow=5)
    yield db
    db.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last. Playwright's sync API keeps an asyncio loop running in the main
    thread for as long as the shared browser lives, and code that calls asyncio.run() there
    afterwards (pyHanko signing a certificate in a test's job run) would find it."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
