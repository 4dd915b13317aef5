"""Load-and-authorise: the person named in a URL, when the caller's scope covers her."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.deps import ApiHrUser, HrUser
from app.core.db import ReadSession
from app.core.params import RowId
from app.models import User
from app.staff import service


def person_for_page(user_id: RowId, db: ReadSession, viewer: HrUser) -> User:
    return service.person_for(db, person_id=user_id, viewer=viewer)


def person_for_api(user_id: RowId, db: ReadSession, viewer: ApiHrUser) -> User:
    return service.person_for(db, person_id=user_id, viewer=viewer)


PagePerson = Annotated[User, Depends(person_for_page)]
ApiPerson = Annotated[User, Depends(person_for_api)]
