"""Engine, session factory, and the transaction owner: one unit of work per request."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Annotated, Any

import anyio
from fastapi import Depends, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError, ResponseValidationError
from fastapi.routing import APIRoute, _effective_route_context_var
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator
from starlette.concurrency import run_in_threadpool

log = logging.getLogger("cakap.db")

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

# Requests hold at most this many connections per process (the gate); keep it below the
# worker-thread count (Settings.threads) so a request holding a connection always finds a
# thread. CLI commands and jobs may use the pool's overflow.
DEFAULT_POOL_SIZE = 8


def build_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            from pathlib import Path

            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("pool_size", DEFAULT_POOL_SIZE)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_size", DEFAULT_POOL_SIZE)
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
        # On the driver's connection: a statement through SQLAlchemy's execution machinery
        # cost a read-only page a tenth of its CPU.
        conn.connection.driver_connection.execute(f"BEGIN {mode}".strip())


class Database:
    """Holds the engine and the session factory of one app or CLI process.

    `gate_size` is how many requests may hold a session at once in this process. It is never
    larger than the connection pool, so a request never waits in a worker thread for a
    connection that another request holds (see RequestTransaction)."""

    def __init__(self, url: str, *, pool_size: int | None = None, **engine_kwargs: Any) -> None:
        self.url = url
        if pool_size is not None:
            engine_kwargs["pool_size"] = pool_size
        self.engine = build_engine(url, **engine_kwargs)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        size = getattr(self.engine.pool, "size", None)
        self.gate_size = size() if callable(size) else 16
        self._loop_locks: dict[int, tuple[asyncio.Semaphore, asyncio.Lock]] = {}

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def new_session(self) -> Session:
        return self.sessionmaker()

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[Session]:
        """One transaction for a CLI command or a job: commit on success, roll back on error.
        A writing one starts as a writer (SQLite: BEGIN IMMEDIATE, waiting up to the busy
        timeout for the web process to finish its write)."""
        session = self.new_session()
        try:
            if write:
                session.connection(execution_options=WRITE)
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def request_locks(self) -> tuple[asyncio.Semaphore, asyncio.Lock]:
        """The gate (sessions held by requests) and, on SQLite, the writer lock: asyncio
        primitives of the running event loop, created on first use."""
        loop = asyncio.get_running_loop()
        found = self._loop_locks.get(id(loop))
        if found is None:
            found = (asyncio.Semaphore(self.gate_size), asyncio.Lock())
            self._loop_locks = {id(loop): found}
        return found

    def dispose(self) -> None:
        self.engine.dispose()


class RequestTransaction:
    """The unit of work of one request, owned by TransactionRoute.

    The session is made when a dependency first asks for it and reads lazily (SQLite: a
    deferred transaction, which never waits for the writer). A route that writes declares
    `WriteSession`; from that point the transaction is a writer: on SQLite it first takes
    this process's writer lock on the event loop (so threads never sit in SQLite's busy
    handler while the writer needs a thread to finish), then ends any read snapshot and
    begins IMMEDIATE. Slow work a route needs before writing (a password check, parsing an
    upload) goes in a dependency declared before `WriteSession`."""

    def __init__(
        self, database: Database, writer_lock: asyncio.Lock, *, one_call: bool = False
    ) -> None:
        self.database = database
        self.session: Session | None = None
        self.writing = False
        self._writer_lock = writer_lock
        self._holds_writer_lock = False
        # One-call routes (see TransactionRoute): the database work recorded while FastAPI
        # solves the dependencies, run in order in the request's one worker-thread call.
        self.one_call = one_call
        self.steps: list[_Step] = []
        # Small bookkeeping writes (see `after_request`), run once this unit of work has ended.
        self.after: list[Callable[[Session], None]] = []

    def get(self) -> Session:
        if self.session is None:
            self.session = self.database.new_session()
            self.session.info[READ_ONLY] = True
        return self.session

    def end_read(self) -> None:
        """End the read transaction so far (in a worker thread): what follows reads afresh, and a
        unit of work of its own (a login failure's count) is not nested inside this one."""
        if self.session is not None and not self.writing and self.session.in_transaction():
            self.session.commit()

    async def begin_write(self) -> Session:
        session = self.get()
        if self.writing:
            return session
        if self.database.is_sqlite:
            await self._writer_lock.acquire()
            self._holds_writer_lock = True
        if self.one_call:
            self.steps.append(_Step(self._begin_write, {"session": session}))
        else:
            await run_in_threadpool(self._begin_write, session)
        self.writing = True
        return session

    def _begin_write(self, session: Session) -> None:
        session.info.pop(READ_ONLY, None)
        if not self.database.is_sqlite:
            return  # PostgreSQL: the same transaction writes; rows that decide are locked
        if session.in_transaction():
            # A read snapshot cannot be upgraded safely on SQLite (SQLITE_BUSY_SNAPSHOT when
            # another writer committed since); end it and reload what was read.
            session.commit()
            session.expire_all()
        session.connection(execution_options=WRITE)

    async def finish(self, *, commit: bool) -> None:
        """End the unit of work (unless the one call ended it) and release the writer lock."""
        try:
            if self.session is not None:
                await run_in_threadpool(_finish, self.session, commit)
        finally:
            self.session = None
            if self._holds_writer_lock:
                self._holds_writer_lock = False
                self._writer_lock.release()

    async def run_after(self) -> None:
        """The queued bookkeeping writes, in a short unit of work of their own: after the
        request's transaction, so a read route stays a reader (SQLite: a deferred snapshot that
        never waits for the writer) and a rolled-back request keeps them all the same. On
        SQLite it takes this process's writer lock like any write. A failure is logged, never
        the request's: the bookkeeping is best effort by design."""
        work, self.after = self.after, []
        if self.database.is_sqlite:
            await self._writer_lock.acquire()
        try:
            await run_in_threadpool(self._run_after, work)
        finally:
            if self.database.is_sqlite:
                self._writer_lock.release()

    def _run_after(self, work: list[Callable[[Session], None]]) -> None:
        try:
            with self.database.unit_of_work() as session:
                for item in work:
                    item(session)
        except Exception:
            log.warning("bookkeeping write after the request failed", exc_info=True)

    def run_endpoint(
        self,
        endpoint: Callable[..., Any],
        values: dict[str, Any],
        *,
        status_code: int,
        response_param: str | None,
        response_field: Any,
    ) -> Any:
        """A one-call route's whole database work, in one worker thread: the recorded steps
        (dependencies and the start of the write, in FastAPI's order), the handler, the
        response's validation, then commit when it is a success and roll back otherwise."""
        try:
            for step in self.steps:
                step.run()
            result = endpoint(**{name: _value(v) for name, v in values.items()})
            if isinstance(result, Response):
                status = result.status_code
            else:
                sub = values.get(response_param) if response_param else None
                status = (sub.status_code if sub is not None else None) or status_code
                if response_field is not None and status < 400:
                    # Validated before the commit: a response that cannot be sent must not
                    # leave its writes behind (FastAPI validates it again, without I/O).
                    _, errors = response_field.validate(result, {}, loc=("response",))
                    if errors:
                        raise ResponseValidationError(errors=errors, body=result)
        except BaseException:
            self._end_here(commit=False)
            raise
        self._end_here(commit=status < 400)
        return result

    def run_steps_only(self) -> None:
        """The recorded steps without the handler (whose arguments were invalid), so that
        their refusals come first; the transaction ends here either way, writing nothing."""
        try:
            for step in self.steps:
                step.run()
        finally:
            self._end_here(commit=False)

    def _end_here(self, *, commit: bool) -> None:
        session, self.session = self.session, None
        if session is not None:
            _finish(session, commit)


READ_ONLY = "cakap.read_only"


@event.listens_for(Session, "before_flush")
def _refuse_writes_in_a_read_route(session: Session, _context: Any, _instances: Any) -> None:
    """A route that declared ReadSession must not write: it would commit outside the writer
    lock (SQLite) and against what the route promised. Fail loudly instead."""
    if session.info.get(READ_ONLY) and (session.new or session.dirty or session.deleted):
        raise ReadOnlyViolation(
            "this request declared ReadSession but tried to write; declare WriteSession"
        )


class ReadOnlyViolation(RuntimeError):
    pass


def _finish(session: Session, commit: bool) -> None:
    try:
        if session.info.get(READ_ONLY):
            pass  # nothing to keep: closing returns the connection, rolled back by the pool
        elif commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


def end_read(request: Request) -> None:
    _transaction(request).end_read()


def after_request(request: Request, work: Callable[[Session], None]) -> None:
    """Queue a small write (e.g. a session's last-seen time) to run in its own unit of work
    once the request's transaction has ended (RequestTransaction.run_after)."""
    _transaction(request).after.append(work)


def _transaction(request: Request) -> RequestTransaction:
    tx = getattr(request.state, "transaction", None)
    if tx is None:
        raise RuntimeError(
            f"{request.url.path}: a route using the database must be a TransactionRoute"
        )
    return tx


async def read_session(request: Request) -> Session:
    """The request's session (no I/O here: it connects on first use, in a worker thread)."""
    return _transaction(request).get()


async def write_session(request: Request) -> Session:
    """The request's session, as a writer from here on."""
    return await _transaction(request).begin_write()


ReadSession = Annotated[Session, Depends(read_session)]
WriteSession = Annotated[Session, Depends(write_session)]


def _uses_database(dependant: Any) -> bool:
    for sub in dependant.dependencies:
        if sub.call in (read_session, write_session) or _uses_database(sub):
            return True
    return False


# The transaction of the request being handled, for the recording dependencies below.
_current: ContextVar[RequestTransaction | None] = ContextVar("cakap_transaction", default=None)


class _Step:
    """A piece of a one-call route's database work: a sync dependency called with what
    FastAPI solved for it (other steps among them), or the start of the write."""

    __slots__ = ("call", "kwargs", "value")

    def __init__(self, call: Callable[..., Any], kwargs: dict[str, Any]) -> None:
        self.call = call
        self.kwargs = kwargs
        self.value: Any = None

    def run(self) -> None:
        self.value = self.call(**{name: _value(v) for name, v in self.kwargs.items()})


def _value(given: Any) -> Any:
    return given.value if isinstance(given, _Step) else given


_RECORDERS: dict[Callable[..., Any], Callable[..., Any]] = {}


def _recorder(call: Callable[..., Any]) -> Callable[..., Any]:
    """An async stand-in for a sync dependency: it records the call as a step of the request's
    transaction instead of making it (one stand-in per function, so FastAPI's per-request
    cache still shares one result between the routes' parameters)."""
    found = _RECORDERS.get(call)
    if found is None:

        async def record(**kwargs: Any) -> _Step:
            tx = _current.get()
            assert tx is not None and tx.one_call, "a recorded dependency outside its route"
            step = _Step(call, kwargs)
            tx.steps.append(step)
            return step

        record.__cakap_records__ = call  # type: ignore[attr-defined]
        found = _RECORDERS[call] = record
    return found


def _is_plain_sync(call: Any) -> bool:
    if call is None or hasattr(call, "__cakap_records__"):
        return False
    target = call if inspect.isfunction(call) or inspect.ismethod(call) else call.__call__
    return not (
        inspect.iscoroutinefunction(target)
        or inspect.isgeneratorfunction(target)
        or inspect.isasyncgenfunction(target)
        or inspect.iscoroutinefunction(call)
    )


def _solving_order(dependant: Dependant) -> list[Dependant]:
    """Sub-dependencies in the order FastAPI solves them (depth first, each after its own)."""
    order: list[Dependant] = []
    for sub in dependant.dependencies:
        order += _solving_order(sub)
        order.append(sub)
    return order


def _can_run_in_one_call(dependant: Dependant) -> bool:
    """A route runs its database work in one worker-thread call when its handler is sync and
    - no sync dependency is solved before its WriteSession: such a dependency is slow work the
      route wants done before the write begins (a password check, parsing an upload), which the
      one call would run after taking SQLite's writer lock;
    - no async dependency needs a sync one's value (one that chooses between ReadSession and
      WriteSession from a loaded object, say): that value exists only inside the one call.
    Other routes keep FastAPI's own way."""
    if not _is_plain_sync(dependant.call):
        return False
    order = _solving_order(dependant)
    for sub in order:
        if not _is_plain_sync(sub.call) and any(
            _is_plain_sync(inner.call) for inner in _solving_order(sub)
        ):
            return False
    calls = [sub.call for sub in order]
    if write_session not in calls:
        return True
    return not any(_is_plain_sync(call) for call in calls[: calls.index(write_session)])


def _record_sync_dependencies(dependant: Dependant, route: str) -> None:
    for sub in dependant.dependencies:
        _record_sync_dependencies(sub, route)
        recorded = any(hasattr(d.call, "__cakap_records__") for d in sub.dependencies)
        if recorded and not _is_plain_sync(sub.call):
            raise TypeError(
                f"{route}: {sub.call!r} is async but depends on a sync dependency; a sync "
                "dependency's value exists only in the route's worker-thread call: make it sync"
            )
        if _is_plain_sync(sub.call):
            sub.call = _recorder(sub.call)  # type: ignore[arg-type]


class TransactionRoute(APIRoute):
    """The one transaction owner (ARCHITECTURE.md rule 2). Around every route that uses the
    database: wait (on the event loop) for one of the gate's places, run the handler, then
    commit before the response is sent when it is a success (< 400) and roll back otherwise,
    an exception included. A route never commits or rolls back itself.

    Most routes run in *one call*: FastAPI solves the dependencies on the event loop, but the
    sync ones (the load-and-authorise dependencies, which read the database) are only recorded;
    then one worker-thread call makes them in FastAPI's order, runs the handler, validates the
    response and commits or rolls back. Each hop to the thread pool costs more CPU than a
    SQLite read; a page made three to six of them. Routes with slow work before their write
    keep FastAPI's own way (a hop per sync dependency) and end the transaction in a hop of
    their own."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        # FastAPI builds a handler for the route itself and one per router that includes it
        # (with that router's prefix and dependencies); the latter is the "effective" route.
        context = _effective_route_context_var.get()
        route: Any = context if context is not None and context.original_route is self else self
        dependant: Dependant = route.dependant
        if not _uses_database(dependant):
            return super().get_route_handler()
        one_call = hasattr(dependant.call, "__cakap_one_call__") or _can_run_in_one_call(dependant)
        if one_call and not hasattr(dependant.call, "__cakap_one_call__"):
            assert dependant.call is not None
            _record_sync_dependencies(dependant, route.path)
            dependant.call = _one_call_endpoint(
                dependant.call,
                status_code=route.status_code or 200,
                response_param=dependant.response_param_name,
                response_field=route.response_field,
            )
        handler = super().get_route_handler()

        async def in_transaction(request: Request) -> Response:
            database: Database = request.app.state.db
            gate, writer_lock = database.request_locks()
            async with gate:
                tx = RequestTransaction(database, writer_lock, one_call=one_call)
                request.state.transaction = tx
                token = _current.set(tx)
                try:
                    try:
                        response = await handler(request)
                    except RequestValidationError:
                        if one_call and tx.steps:
                            # The recorded load-and-authorise steps go first, as FastAPI's own
                            # order has it: an anonymous or foreign caller learns a 401 or a
                            # 404, not which fields the body lacks.
                            with anyio.CancelScope(shield=True):
                                await run_in_threadpool(tx.run_steps_only)
                        raise
                except BaseException:
                    # Shielded: even a cancelled request returns its connection (and the
                    # writer lock); a leaked connection would shrink the pool below the gate.
                    with anyio.CancelScope(shield=True):
                        await tx.finish(commit=False)
                    raise
                finally:
                    _current.reset(token)
                with anyio.CancelScope(shield=True):
                    await tx.finish(commit=response.status_code < 400)
                    if tx.after:
                        await tx.run_after()
                return response

        return in_transaction


def _one_call_endpoint(
    endpoint: Callable[..., Any],
    *,
    status_code: int,
    response_param: str | None,
    response_field: Any,
) -> Callable[..., Any]:
    """The handler of a one-call route: its sync handler, with the recorded steps before it
    and the end of the transaction after it, in one worker-thread call."""

    async def one_call(**values: Any) -> Any:
        tx = _current.get()
        assert tx is not None
        return await run_in_threadpool(
            tx.run_endpoint,
            endpoint,
            values,
            status_code=status_code,
            response_param=response_param,
            response_field=response_field,
        )

    one_call.__cakap_one_call__ = endpoint  # type: ignore[attr-defined]
    return one_call


def lock_for_update(stmt: Any) -> Any:
    """SELECT … FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE transaction already serialises."""
    return stmt.with_for_update()
