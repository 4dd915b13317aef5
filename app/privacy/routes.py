import json

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse

from app.accounts.deps import CurrentUser, verify_csrf
from app.core import clock
from app.core.db import ReadSession, TransactionRoute, WriteSession
from app.core.templating import render
from app.privacy import service

router = APIRouter(route_class=TransactionRoute, dependencies=[Depends(verify_csrf)])


@router.get("/account/data", response_class=HTMLResponse)
def data_page(request: Request, db: ReadSession, user: CurrentUser) -> Response:
    return render(request, "privacy/data.html", {})


@router.post("/account/data")
def download(db: WriteSession, user: CurrentUser) -> Response:
    """The whole document as a file (a POST: the download is audited, so it writes)."""
    document = service.personal_data(db, user=user)
    body = json.dumps(document, ensure_ascii=False, indent=2).encode()
    name = f"data-pribadi-cakap-{clock.local_today().isoformat()}.json"
    return Response(
        body,
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
