from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.accounts.deps import ApiUser, client_address
from app.certificates import issuer
from app.certificates import service as certificates
from app.certificates.routes import pdf_response
from app.core.db import ReadSession, TransactionRoute, read_session, write_session
from app.core.params import RowId
from app.models import Certificate

router = APIRouter(route_class=TransactionRoute, tags=["certificates"])


class CertificateOut(BaseModel):
    id: int
    number: str
    verification_code: str
    course: str
    jp: int
    issued_at: datetime
    status: str
    revoked_at: datetime | None = None
    reason: str | None = None


class VerifyOut(BaseModel):
    status: str
    holder: str
    nip: str | None
    course: str
    jp: int
    number: str
    issued_at: datetime
    issued_on: date
    issuer: str
    revoked_at: datetime | None
    reason: str | None


def certificate_for_api(certificate_id: RowId, db: ReadSession, user: ApiUser) -> Certificate:
    return certificates.for_viewer(db, certificate_id=certificate_id, viewer=user)


ApiCertificate = Annotated[Certificate, Depends(certificate_for_api)]


async def download_session(request: Request, cert: ApiCertificate, user: ApiUser) -> Session:
    """The holder's own download only reads; anyone else's is audited, so it writes."""
    if cert.user_id == user.id:
        return await read_session(request)
    return await write_session(request)


@router.get("/me/certificates", response_model=list[CertificateOut])
def mine(db: ReadSession, user: ApiUser) -> list[CertificateOut]:
    return [
        CertificateOut(
            id=c.id,
            number=c.number,
            verification_code=c.verification_code,
            course=c.course.slug,
            jp=c.version.jp,
            issued_at=c.issued_at,
            status=c.status,
            revoked_at=c.revoked_at,
            reason=c.revoked_reason,
        )
        for c in certificates.of_user(db, user=user)
    ]


@router.get(
    "/certificates/{certificate_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def pdf(
    cert: ApiCertificate, user: ApiUser, db: Annotated[Session, Depends(download_session)]
) -> Response:
    certificates.record_download(db, certificate=cert, viewer=user)
    return pdf_response(cert)


@router.get("/verify/{code}", response_model=VerifyOut)
def verify(request: Request, db: ReadSession, code: str) -> VerifyOut:
    certificates.check_lookup_rate(client_address(request))
    v = certificates.verify(db, code=code)
    c = v.certificate
    return VerifyOut(
        status="revoked" if c.status == "revoked" else "valid",
        holder=v.holder,
        nip=v.masked_nip,
        course=v.course,
        jp=v.jp,
        number=c.number,
        issued_at=c.issued_at,
        issued_on=c.issued_on,
        issuer=issuer.current(db).name,
        revoked_at=c.revoked_at,
        reason=c.revoked_reason,
    )
