"""Load-and-authorise for the zip round trip, and reading an upload before the write."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, File, UploadFile

from app.accounts.deps import api_roles, page_roles
from app.authoring import archive, service
from app.authoring.archive import ZipCheck
from app.authoring.service import Export
from app.config import get_settings
from app.core.db import ReadSession
from app.models import User

ApiAuthor = Annotated[User, Depends(api_roles("trainer", "admin"))]
PageAuthor = Annotated[User, Depends(page_roles("trainer", "admin"))]


def read_upload(file: UploadFile) -> bytes:
    # One byte over the limit is enough for check_zip to refuse it as too large.
    return file.file.read(get_settings().course_zip_max_bytes + 1)


def api_export(slug: str, db: ReadSession, user: ApiAuthor) -> Export:
    """The course's zip, built in the read transaction, before the write that audits it."""
    course = service.course_for_trainer(db, slug=slug, user=user)
    return service.build_export(db, course=course)


def api_checked_zip(user: ApiAuthor, file: Annotated[UploadFile, File()]) -> ZipCheck:
    """Unpack and check the zip before the route's write transaction (rule 2)."""
    return archive.check_zip(read_upload(file))


ApiExport = Annotated[Export, Depends(api_export)]
ApiCheckedZip = Annotated[ZipCheck, Depends(api_checked_zip)]
