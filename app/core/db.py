"""Engine, session factory and the one-transaction-per-request dependency."""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any, ParamSpec, TypeVar

from fastapi import Depends, Request
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator
from starlette.concurrency import run_in_threadpool

P = ParamSpec("P")
T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


WRITE = {"sqlite_begin": "IMMEDIATE"}


def build_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            from pathlib import Path

            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Async pages hold a connection across awaits, so a worker under load has many
        # sessions open at once; connections beyond the pool would each be opened (and their
        # PRAGMAs run) and closed again per request. SQLite connections are cheap to keep.
        kwargs.setdefault("pool_size", 32)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so that BEGIN is ours to emit.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A transaction that will write starts IMMEDIATE so that a read which decides a
        # write cannot be overtaken by another writer (no SQLITE_BUSY upgrade deadlock).
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


class Database:
    """Holds the engine and the session factory of one app or CLI process."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = build_engine(url, **engine_kwargs)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        self._writers = _SqliteWriterQueue(url) if self.is_sqlite else None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self, *, write: bool) -> Session:
        """A new session; a writing one starts its transaction as a writer (SQLite IMMEDIATE)."""
        session = self.sessionmaker()
        if write:
            session.connection(execution_options=WRITE)
        return session

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[Session]:
        """One transaction: commit on success, roll back on error. On SQLite, writers queue
        for the single write lock in arrival order instead of polling for it."""
        with self._writer_turn(write):
            session = self.session(write=write)
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    @contextmanager
    def _writer_turn(self, write: bool) -> Iterator[None]:
        if not write or self._writers is None:
            yield
            return
        with self._writers.turn():
            yield

    @asynccontextmanager
    async def writer_turn_async(self, write: bool) -> AsyncIterator[None]:
        if not write or self._writers is None:
            yield
            return
        async with self._writers.turn_async():
            yield

    def dispose(self) -> None:
        self.engine.dispose()


UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


async def get_db(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work: committed when the handler returns, before the response.

    Async so that a request waiting for its turn to write waits on the event loop, not in a
    worker thread: the threads stay free for the request that holds the turn."""
    database: Database = request.app.state.db
    write = request.method in UNSAFE_METHODS
    async with database.writer_turn_async(write):
        # A reading session touches the database only when first used (in the handler's
        # thread), so it is made here; a writing one begins its transaction at once.
        session = (
            await run_in_threadpool(database.session, write=True)
            if write
            else database.session(write=False)
        )
        try:
            yield session
        except BaseException:
            await run_in_threadpool(_discard, session)
            raise
        if not write and database.is_sqlite:
            _commit_and_close(session)  # ends a read transaction: no I/O to wait for
        else:
            await run_in_threadpool(_commit_and_close, session)


async def read(session: Session, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a database read from async code (a dependency or route declared `async def`).

    SQLite answers a read in-process in microseconds, without waiting on a lock (WAL: readers
    never wait for the writer), which is less than a hop to a worker thread and back costs, so
    the call runs right here. Any other database is across a network: the call goes to a worker
    thread and the event loop keeps serving other requests meanwhile."""
    if session.get_bind().dialect.name == "sqlite":
        return fn(*args, **kwargs)
    return await run_in_threadpool(fn, *args, **kwargs)


def _commit_and_close(session: Session) -> None:
    # One worker-thread hop for both steps: each hop costs more than a SQLite commit.
    try:
        session.commit()
    finally:
        session.close()


def _discard(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


class WriterQueueTimeout(Exception):
    pass


class _SqliteWriterQueue:
    """SQLite has one write lock. Left to itself, every waiting writer polls for it with
    growing sleeps (the busy handler), and under a spike of writers throughput collapses
    while some wait past the busy timeout. Here writers queue instead: a thread lock inside
    the process, then an flock on a file beside the database across processes. Both wake the
    next writer as soon as the lock is free; the kernel drops an flock whose process died."""

    def __init__(self, url: str) -> None:
        import threading

        database = make_url(url).database
        self.path = f"{database}.writer" if database and database != ":memory:" else None
        self.thread_lock = threading.Lock()
        self.async_lock: asyncio.Lock | None = None
        self.timeout = 60.0

    def _lock_file(self) -> int | None:
        if self.path is None:
            return None
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        return fd

    @staticmethod
    def _unlock_file(fd: int | None) -> None:
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    @contextmanager
    def turn(self) -> Iterator[None]:
        """For threads (CLI commands, jobs)."""
        if not self.thread_lock.acquire(timeout=self.timeout):
            raise WriterQueueTimeout("the database is busy")
        try:
            fd = self._lock_file()
            try:
                yield
            finally:
                self._unlock_file(fd)
        finally:
            self.thread_lock.release()

    @asynccontextmanager
    async def turn_async(self) -> AsyncIterator[None]:
        """For requests: queue on the event loop (FIFO), then take the file lock in a thread."""
        if self.async_lock is None:
            self.async_lock = asyncio.Lock()
        async with self.async_lock:
            fd = await run_in_threadpool(self._lock_file)
            try:
                yield
            finally:
                self._unlock_file(fd)


def lock_for_update(stmt: Any) -> Any:
    """SELECT … FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE transaction already serialises."""
    return stmt.with_for_update()


DbSession = Annotated[Session, Depends(get_db, scope="function")]
