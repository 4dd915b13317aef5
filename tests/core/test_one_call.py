"""TransactionRoute's one call: a route's sync dependencies, its handler and the end of its
transaction run in one worker thread, in FastAPI's order; slow work declared before a
WriteSession still runs before the write begins."""

import threading
from pathlib import Path
from typing import Annotated, Any

import anyio.to_thread
import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.core.db import Database, ReadSession, TransactionRoute, WriteSession


class Item(BaseModel):
    n: int


def _app(database: Database, router: APIRouter) -> FastAPI:
    app = FastAPI()
    app.state.db = database
    app.include_router(router, prefix="/t")
    return app


@pytest.fixture
def database(tmp_path: Path) -> Any:
    db = Database(f"sqlite:///{tmp_path / 'one-call.db'}")
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE item (n INTEGER NOT NULL)"))
    yield db
    db.dispose()


def test_dependencies_handler_and_commit_share_one_thread(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, int] = {}
    hops: list[str] = []
    run_sync = anyio.to_thread.run_sync

    async def counting(func: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(getattr(func, "__name__", repr(func)))
        return await run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    router = APIRouter(route_class=TransactionRoute)

    def who(db: ReadSession) -> int:
        seen["dependency"] = threading.get_ident()
        return int(db.execute(text("SELECT count(*) FROM item")).scalar_one())

    def committed(session: Session) -> None:
        seen["commit"] = threading.get_ident()

    @router.post("/items", response_model=Item)
    def add(db: WriteSession, before: Annotated[int, Depends(who)]) -> Item:
        seen["handler"] = threading.get_ident()
        from sqlalchemy import event

        event.listen(db, "after_commit", committed, once=True)
        db.execute(text("INSERT INTO item (n) VALUES (:n)"), {"n": before + 1})
        return Item(n=before + 1)

    with TestClient(_app(database, router)) as client:
        assert client.post("/t/items").json() == {"n": 1}
        assert client.post("/t/items").json() == {"n": 2}
    assert len(hops) == 2, hops  # one worker-thread call per request
    assert seen["dependency"] == seen["handler"] == seen["commit"]
    assert seen["handler"] != threading.get_ident()  # a worker thread, not the event loop


def test_a_failing_handler_in_one_call_writes_nothing(database: Database) -> None:
    router = APIRouter(route_class=TransactionRoute)

    @router.post("/items")
    def add(db: WriteSession) -> Item:
        db.execute(text("INSERT INTO item (n) VALUES (1)"))
        raise RuntimeError("after the write")

    with TestClient(_app(database, router), raise_server_exceptions=False) as client:
        assert client.post("/t/items").status_code == 500
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM item")).scalar_one() == 0


def test_a_response_that_fails_validation_writes_nothing(database: Database) -> None:
    router = APIRouter(route_class=TransactionRoute)

    @router.post("/items", response_model=Item)
    def add(db: WriteSession) -> Any:
        db.execute(text("INSERT INTO item (n) VALUES (1)"))
        return {"n": "not a number"}

    with TestClient(_app(database, router), raise_server_exceptions=False) as client:
        assert client.post("/t/items").status_code == 500
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM item")).scalar_one() == 0


def test_slow_work_declared_before_the_write_runs_before_the_writer_lock(
    database: Database,
) -> None:
    """A sync dependency solved before WriteSession (a password check) must not hold SQLite's
    writer lock: such a route keeps FastAPI's own order of hops."""
    held: list[bool] = []
    router = APIRouter(route_class=TransactionRoute)

    def slow_check(db: ReadSession) -> None:
        _gate, writer_lock = database._loop_locks[next(iter(database._loop_locks))]
        held.append(writer_lock.locked())

    @router.post("/login")
    def login(_: Annotated[None, Depends(slow_check)], db: WriteSession) -> dict[str, bool]:
        return {"ok": True}

    with TestClient(_app(database, router)) as client:
        assert client.post("/t/login").status_code == 200
    assert held == [False]


def test_an_async_dependency_on_a_sync_one_keeps_fastapis_order(database: Database) -> None:
    """A dependency that picks ReadSession or WriteSession from a loaded object is async and
    needs the sync loader's value first: such a route runs the classic way, hop by hop."""
    router = APIRouter(route_class=TransactionRoute)

    def loads(db: ReadSession) -> int:
        return int(db.execute(text("SELECT count(*) FROM item")).scalar_one())

    async def uses(n: Annotated[int, Depends(loads)]) -> int:
        assert isinstance(n, int)
        return n + 1

    @router.get("/x")
    def page(db: ReadSession, n: Annotated[int, Depends(uses)]) -> dict[str, int]:
        return {"n": n}

    with TestClient(_app(database, router)) as client:
        assert client.get("/t/x").json() == {"n": 1}
