from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts import service as accounts
from app.accounts.deps import AdminUser
from app.certificates import service as certificates
from app.core.db import ReadSession
from app.core.params import RowId
from app.models import Certificate, User


def user_for_admin(user_id: RowId, db: ReadSession, admin: AdminUser) -> User:
    return accounts.get_user(db, user_id)


ManagedUser = Annotated[User, Depends(user_for_admin)]


def certificate_for_admin(certificate_id: RowId, db: ReadSession, admin: AdminUser) -> Certificate:
    return certificates.get(db, certificate_id)


AdminCertificate = Annotated[Certificate, Depends(certificate_for_admin)]
