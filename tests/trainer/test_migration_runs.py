"""Migration 0020 puts every existing enrolment into its course's open run."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import create_engine, text

from tests.test_migrations import _config, empty_database_url  # noqa: F401 (fixture)


def test_upgrade_backfills_one_open_run_per_course_and_every_enrolment_into_it(
    empty_database_url: str,  # noqa: F811
) -> None:
    config = _config(empty_database_url)
    command.upgrade(config, "0019")
    engine = create_engine(empty_database_url)
    now = datetime(2026, 3, 4, 5, 0, tzinfo=UTC)
    with engine.begin() as conn:
        for n in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO course (id, slug, code, status, created_at) "
                    "VALUES (:id, :slug, :code, 'published', :now)"
                ),
                {"id": n, "slug": f"kursus-{n}", "code": f"K{n}", "now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO course_version (id, course_id, number, content_hash, title, "
                    "summary, jp, competency_area, level, language, authors, passing_score, "
                    "max_attempts, certificate_design, author_version, completion, "
                    "\"references\", total_minutes, published_at) VALUES (:id, :id, 1, 'h', "
                    "'Judul', 'Ringkas', 2, 'data', 'dasar', 'id', '[]', 70, 3, 'default', 1, "
                    "'{}', '[]', 90, :now)"
                ),
                {"id": n, "now": now},
            )
        for n in (1, 2, 3):
            conn.execute(
                text(
                    "INSERT INTO user_account (id, name, is_active, must_change_password, "
                    "created_at, updated_at) VALUES (:id, :name, true, false, :now, :now)"
                ),
                {"id": n, "name": f"Peserta {n}", "now": now},
            )
        for user_id, course_id in ((1, 1), (2, 1), (3, 2)):
            conn.execute(
                text(
                    "INSERT INTO enrollment (user_id, course_id, version_id, status, "
                    "enrolled_at) VALUES (:u, :c, :c, 'in_progress', :now)"
                ),
                {"u": user_id, "c": course_id, "now": now},
            )
    command.upgrade(config, "0020")
    with engine.connect() as conn:
        runs = conn.execute(
            text(
                "SELECT id, course_id, name, starts_on, is_open FROM course_run ORDER BY course_id"
            )
        ).all()
        assert [(r.course_id, r.name, bool(r.is_open)) for r in runs] == [
            (1, "Belajar mandiri", True),
            (2, "Belajar mandiri", True),
        ]
        assert str(runs[0].starts_on) == "2026-03-04"
        by_course = {r.course_id: r.id for r in runs}
        enrolled = conn.execute(text("SELECT course_id, run_id FROM enrollment")).all()
        assert enrolled and all(r.run_id == by_course[r.course_id] for r in enrolled)
    command.downgrade(config, "0019")
    engine.dispose()
