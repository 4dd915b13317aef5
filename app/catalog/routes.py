from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.accounts.deps import PagePrincipal, verify_csrf
from app.assignments import service as assignments
from app.catalog import service
from app.core.db import ReadSession, TransactionRoute, after_request
from app.core.params import VersionNumber
from app.core.templating import render
from app.courses.deps import PageCourse
from app.learning import service as learning

router = APIRouter(
    route_class=TransactionRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)

# Media a browser may render inline; anything else downloads. SVG runs in a sandbox.
_INLINE = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}


@router.get("/courses", response_class=HTMLResponse)
def catalogue(
    request: Request,
    db: ReadSession,
    principal: PagePrincipal,
    q: str | None = None,
    area: str | None = None,
    level: str | None = None,
) -> Response:
    entries = service.search(db, query=q, area=area, level=level)
    return render(
        request,
        "catalog/list.html",
        {
            "entries": entries,
            "q": q or "",
            "area": area or "",
            "level": level or "",
            "areas": service.AREAS,
            "levels": service.LEVELS,
        },
    )


@router.get("/courses/{slug}", response_class=HTMLResponse)
def course_page(
    request: Request, db: ReadSession, principal: PagePrincipal, current: PageCourse
) -> Response:
    seen = service.overview(db, user_id=principal.id, current=current)
    if seen.progress.enrollment is None and assignments.needs_enrolment(
        db, principal=principal, course_id=current.course_id
    ):
        # A mandatory course: enrolled on her first visit, in a small write of its own after
        # this read (the page stays a reader), then shown enrolled. The marker in the URL
        # stops a second redirect should that write fail.
        after_request(
            request,
            partial(assignments.enrol_assigned, principal=principal, version=current),
        )
        if "ditugaskan" not in request.query_params:
            return RedirectResponse(f"/courses/{current.course.slug}?ditugaskan=1", 303)
    moving = seen.progress.enrollment
    if moving is not None and learning.should_move(
        db, enrollment=moving, current_version_id=current.id
    ):
        # A newer version is out and no attempt of hers is running: she moves to it (lessons
        # and attempts kept by their identity) in a small write after this read, then sees it.
        # The marker stops a second redirect should that write not happen.
        after_request(request, partial(learning.move_after_visit, enrollment_id=moving.id))
        if "diperbarui" not in request.query_params:
            return RedirectResponse(f"/courses/{current.course.slug}?diperbarui=1", 303)
    version = seen.version
    return render(
        request,
        "catalog/course.html",
        {
            "version": version,
            "course": version.course,
            "pretest": version.quiz_of_kind("pretest"),
            "posttest": version.quiz_of_kind("posttest"),
            "module_quizzes": {q.module_id: q for q in version.quizzes if q.kind == "module"},
            "seen": seen,
            "state": seen.progress,
            "lesson_key": learning.lesson_key,
            "newer_version": current.number if current.id != version.id else None,
            "enrolled_by_assignment": "ditugaskan" in request.query_params,
            "areas": service.AREAS,
            "levels": service.LEVELS,
        },
    )


@router.get("/courses/{slug}/media/{version_number}/{path:path}")
def course_media(
    db: ReadSession, principal: PagePrincipal, slug: str, version_number: VersionNumber, path: str
) -> Response:
    item = service.media_file(db, slug=slug, version_number=version_number, path=path)
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=86400, immutable",
        "ETag": f'"{item.sha256}"',
    }
    if item.content_type == "image/svg+xml":
        headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; sandbox"
        )
    if item.content_type not in _INLINE:
        filename = path.rsplit("/", 1)[-1].replace('"', "")
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(item.data, media_type=item.content_type, headers=headers)
