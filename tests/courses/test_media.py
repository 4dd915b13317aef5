import shutil
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.courses import service
from tests.conftest import COURSES, login
from tests.factories import World

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def _course_with_media(tmp_path: Path) -> Path:
    target = tmp_path / "courses"
    shutil.copytree(COURSES / "smart-governance", target / "smart-governance")
    media = target / "smart-governance" / "media"
    media.mkdir()
    (media / "peta.png").write_bytes(PNG)
    (media / "diagram.svg").write_bytes(SVG)
    (media / "panduan.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    lesson = next((target / "smart-governance").glob("01-*/01-*.md"))
    lesson.write_text(
        lesson.read_text(encoding="utf-8") + "\n![Peta wilayah](media/peta.png)\n", encoding="utf-8"
    )
    return target


def test_course_media_is_served_with_safe_content_types(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    service.import_courses(session, path=_course_with_media(tmp_path))
    session.commit()
    assert (
        client.get("/courses/smart-governance/media/1/peta.png", follow_redirects=False).status_code
        == 303
    )
    login(client, world.learner.nip or "")
    png = client.get("/courses/smart-governance/media/1/peta.png")
    assert png.status_code == 200 and png.content == PNG
    assert png.headers["content-type"] == "image/png"
    assert png.headers["x-content-type-options"] == "nosniff"
    svg = client.get("/courses/smart-governance/media/1/diagram.svg")
    assert "sandbox" in svg.headers["content-security-policy"]
    pdf = client.get("/courses/smart-governance/media/1/panduan.pdf")
    assert pdf.headers["content-disposition"].startswith("attachment")
    assert client.get("/courses/smart-governance/media/1/%2e%2e/course.yaml").status_code == 404
    assert client.get("/courses/smart-governance/media/9/peta.png").status_code == 404


def test_unsupported_media_type_is_a_check_problem(tmp_path: Path) -> None:
    target = _course_with_media(tmp_path)
    (target / "smart-governance" / "media" / "skrip.html").write_text("<script></script>")
    from app.courses import files

    _, problems = files.read_all(target)
    assert any("media type .html is not allowed" in p.message for p in problems)
