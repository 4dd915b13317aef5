"""GET /api/v1/trainer/courses (PRODUCT.md §5): the courses the caller teaches; admins all."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from app.accounts.deps import api_roles
from app.core.db import ReadSession, TransactionRoute
from app.models import User
from app.trainer import service

router = APIRouter(route_class=TransactionRoute, tags=["trainer"])

ApiTrainerUser = Annotated[User, Depends(api_roles("trainer", "admin"))]


class TaughtCourseOut(BaseModel):
    slug: str
    title: str
    version: int


@router.get("/trainer/courses", response_model=list[TaughtCourseOut])
def trainer_courses(db: ReadSession, user: ApiTrainerUser) -> list[TaughtCourseOut]:
    return [
        TaughtCourseOut(slug=c.slug, title=c.title, version=c.version)
        for c in service.taught_courses(db, user=user)
    ]
