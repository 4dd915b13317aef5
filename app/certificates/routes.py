from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app.accounts.deps import CurrentUser, client_address, verify_csrf
from app.certificates import service as certificates
from app.core.db import ReadSession, TransactionRoute, WriteSession, read_session, write_session
from app.core.errors import Conflict
from app.core.params import RowId
from app.core.templating import render
from app.models import Certificate

router = APIRouter(
    route_class=TransactionRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)
MAX_UPLOAD = 5 * 1024 * 1024


def certificate_for_page(certificate_id: RowId, db: ReadSession, user: CurrentUser) -> Certificate:
    return certificates.for_viewer(db, certificate_id=certificate_id, viewer=user)


PageCertificate = Annotated[Certificate, Depends(certificate_for_page)]


async def download_session(request: Request, cert: PageCertificate, user: CurrentUser) -> Session:
    """The holder's own download only reads; anyone else's is audited, so it writes."""
    if cert.user_id == user.id:
        return await read_session(request)
    return await write_session(request)


def pdf_response(cert: Certificate) -> Response:
    if not cert.sha256:
        raise Conflict("Sertifikat sedang disiapkan. Coba lagi dalam beberapa saat.")
    filename = "sertifikat-" + cert.number.replace("/", "-") + ".pdf"
    return Response(
        cert.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
            "ETag": f'"{cert.sha256}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/certificates", response_class=HTMLResponse)
def my_certificates(request: Request, db: ReadSession, user: CurrentUser) -> Response:
    rows = certificates.of_user(db, user=user)
    return render(
        request, "certificates/list.html", {"rows": rows, "verify_url": certificates.verify_url}
    )


@router.get("/certificates/{certificate_id}/pdf")
def certificate_pdf(
    cert: PageCertificate,
    user: CurrentUser,
    db: Annotated[Session, Depends(download_session)],
) -> Response:
    certificates.record_download(db, certificate=cert, viewer=user)
    return pdf_response(cert)


@router.get("/verify", response_class=HTMLResponse)
def verify_upload_form(request: Request) -> Response:
    return render(request, "certificates/upload.html", {})


@router.post("/verify", response_class=HTMLResponse)
def verify_upload(
    db: WriteSession, request: Request, file: Annotated[UploadFile, File()]
) -> Response:
    certificates.check_lookup_rate(client_address(request))
    data = file.file.read(MAX_UPLOAD + 1)
    if not data or len(data) > MAX_UPLOAD:
        return render(
            request,
            "certificates/upload.html",
            {"error": "Unggah berkas PDF sertifikat (maksimal 5 MB)."},
            status_code=422,
        )
    result = certificates.check_upload(db, data=data)
    return render(
        request,
        "certificates/upload.html",
        {"checked": True, "result": result, "filename": file.filename},
    )


@router.get("/verify/{code}", response_class=HTMLResponse)
def verify_page(request: Request, db: ReadSession, code: str) -> Response:
    certificates.check_lookup_rate(client_address(request))
    result = certificates.verify(db, code=code)
    return render(
        request,
        "certificates/verify.html",
        {"v": result, "c": result.certificate, "signature_note": certificates.signature_note()},
    )
