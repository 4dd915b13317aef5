from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import text

from app.core.db import ReadSession, TransactionRoute

router = APIRouter(route_class=TransactionRoute, tags=["health"])


@router.get("/healthz", include_in_schema=False)
async def healthz() -> PlainTextResponse:
    """Process up: answered on the event loop, so it answers while every thread is busy."""
    return PlainTextResponse("ok")


@router.get("/readyz", include_in_schema=False)
def readyz(db: ReadSession) -> JSONResponse:
    """Database reachable, through the same gate and pool as every other request."""
    try:
        db.execute(text("SELECT 1"))
    except Exception:
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})
