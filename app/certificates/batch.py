"""Batch reissue: render in every core, then write all new files in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from app.core.db import Database

_worker_db: Database | None = None


def _init_worker(url: str) -> None:
    global _worker_db
    _worker_db = Database(url)


def _render_one(certificate_id: int) -> tuple[int, bytes]:
    from app.certificates import service

    assert _worker_db is not None
    with _worker_db.unit_of_work(write=False) as session:
        return certificate_id, service.render_current(session, certificate_id=certificate_id)


def reissue_course(
    db: Database,
    *,
    course_code: str,
    year: int | None,
    reason: str,
    processes: int,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> int:
    from app.certificates import service

    reason = service.reissue_reason(reason)  # refused before minutes of rendering, not after
    with db.unit_of_work(write=False) as session:
        ids = service.ids_for_course(session, course_code=course_code, year=year)
    if not ids:
        return 0
    rendered: dict[int, bytes] = {}
    with ProcessPoolExecutor(
        max_workers=processes, initializer=_init_worker, initargs=(db.url,)
    ) as pool:
        for certificate_id, pdf in pool.map(_render_one, ids, chunksize=1):
            rendered[certificate_id] = pdf
            progress(len(rendered), len(ids))
    with db.unit_of_work() as session:
        from app.models import Certificate

        for certificate_id, pdf in rendered.items():
            cert = session.get(Certificate, certificate_id)
            assert cert is not None
            service.replace_file(session, certificate=cert, pdf=pdf, reason=reason, actor=None)
    return len(rendered)
